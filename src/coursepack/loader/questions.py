"""Question mappings -> typed question values, one reader per ``type:``."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from coursepack.errors import did_you_mean
from coursepack.fields import Fields, scalar_value
from coursepack.model import (
    QUESTION_TYPES,
    Blank,
    BlankKind,
    Choice,
    Description,
    Essay,
    Feedback,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    Pair,
    Question,
    Scoring,
    ShortAnswer,
    SingleChoice,
    SourceRef,
    Tolerance,
    TrueFalse,
)
from coursepack.spec_schema import (
    BLANK,
    CHOICES,
    COUNT,
    FLAG,
    MARKDOWN,
    NUMERIC_FIELDS,
    TEXT,
    TEXTS,
    TypeFields,
    many,
    record,
)


def read_question(f: Fields) -> Question | None:
    """Read one question; ``None`` when its type is missing or unknown (already reported)."""
    kind = f.text("type", required=True)
    reader = _READERS.get(kind)
    if reader is None:
        if kind:
            node = f.items["type"][1]
            guess = did_you_mean(kind, list(_READERS))
            f.fail(
                node,
                f"unknown question type '{kind}'",
                hint=f"{guess + ' ' if guess else ''}types: {', '.join(QUESTION_TYPES)}",
            )
        return None
    common = _common(f, default_points=0.0 if kind == "description" else 1.0)
    question = reader(f, common)
    f.finish()
    return question


def _common(f: Fields, default_points: float) -> dict[str, Any]:
    return {
        "id": f.ident(),
        "stem": f.markdown("stem", required=True),
        "title": f.text("title"),
        "points": _points(f, default_points),
        "objectives": f.strings("objectives"),
        "feedback": _feedback(f),
        "hints": f.markdowns("hints"),
        "source": _source_ref(f),
        "origin": f.origin,
    }


def _points(f: Fields, default: float) -> float:
    points = f.number("points", default=default)
    if points < 0:
        f.fail(f.items["points"][1], f"'points' must not be negative (got {points:g})")
        return default
    return points


def _feedback(f: Fields) -> Feedback:
    g = f.mapping("feedback", "feedback")
    if g is None:
        return Feedback()
    feedback = Feedback(
        general=g.markdown("general"),
        correct=g.markdown("correct"),
        partial=g.markdown("partial"),
        incorrect=g.markdown("incorrect"),
    )
    g.finish()
    return feedback


def _source_ref(f: Fields) -> SourceRef | None:
    g = f.mapping("source", "source reference")
    if g is None:
        return None
    ref = SourceRef(
        source=g.text("id", required=True),
        quote=g.text("quote"),
        locator=g.text("locator"),
        # what is said of a reference is mostly of its quote: said where the quote is
        origin=g.at(g.items["quote"][1]) if "quote" in g.items else g.origin,
    )
    g.finish()
    return ref


def _choices(f: Fields) -> tuple[Choice, ...]:
    choices = []
    for g in f.records("choices", "choice", required=True):
        choices.append(
            Choice(
                text=g.markdown("text", required=True),
                correct=g.boolean("correct"),
                feedback=g.markdown("feedback"),
                origin=g.origin,
            )
        )
        g.finish()
    return tuple(choices)


def _single(f: Fields, common: dict[str, Any]) -> SingleChoice:
    return SingleChoice(choices=_choices(f), **common)


def _multiple(f: Fields, common: dict[str, Any]) -> MultipleResponse:
    return MultipleResponse(
        choices=_choices(f),
        scoring=f.choice("scoring", Scoring, Scoring.PARTIAL),
        negative_marking=f.boolean("negative_marking"),
        **common,
    )


def _true_false(f: Fields, common: dict[str, Any]) -> TrueFalse:
    return TrueFalse(
        answer=f.boolean("answer", required=True),
        feedback_true=f.markdown("feedback_true"),
        feedback_false=f.markdown("feedback_false"),
        **common,
    )


def _short(f: Fields, common: dict[str, Any]) -> ShortAnswer:
    return ShortAnswer(
        answers=f.strings("answers", required=True),
        case_sensitive=f.boolean("case_sensitive"),
        **common,
    )


def read_numeric_answer(f: Fields) -> NumericAnswer:
    """Exact ``answer``, or +-``tolerance`` / ``tolerance_percent``, or ``range: [lo, hi]``."""
    if f.has("range"):
        items = f.sequence("range")
        values = [scalar_value(n) for n in items]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)
                   and math.isfinite(v) and abs(v) <= 1e15]
        if len(items) != 2 or len(numbers) != 2:
            f.fail(f.items["range"][1], "'range' must be two finite numbers: [lowest, highest]")
            return NumericAnswer(mode=Tolerance.RANGE, origin=f.origin)
        return NumericAnswer(
            mode=Tolerance.RANGE, low=float(numbers[0]), high=float(numbers[1]), origin=f.origin
        )
    value = f.number("answer", required=True)
    absolute = f.optional_number("tolerance")
    percent = f.optional_number("tolerance_percent")
    if absolute is not None and percent is not None:
        f.fail(f.items["tolerance_percent"][0], "give 'tolerance' or 'tolerance_percent', not both")
    if percent is not None:
        return NumericAnswer(
            mode=Tolerance.PERCENT, value=value, tolerance=percent, origin=f.origin
        )
    if absolute is not None:
        return NumericAnswer(
            mode=Tolerance.ABSOLUTE, value=value, tolerance=absolute, origin=f.origin
        )
    return NumericAnswer(mode=Tolerance.EXACT, value=value, origin=f.origin)


def _numeric(f: Fields, common: dict[str, Any]) -> Numeric:
    return Numeric(answer=read_numeric_answer(f), unit=f.text("unit"), **common)


def _matching(f: Fields, common: dict[str, Any]) -> Matching:
    pairs = []
    for g in f.records("pairs", "pair", required=True):
        pairs.append(
            Pair(
                prompt=g.markdown("prompt", required=True),
                match=g.text("match", required=True),
                origin=g.origin,
            )
        )
        g.finish()
    return Matching(pairs=tuple(pairs), distractors=f.strings("distractors"), **common)


def _ordering(f: Fields, common: dict[str, Any]) -> Ordering:
    return Ordering(items=f.markdowns("items", required=True), **common)


def _blank(g: Fields) -> Blank:
    kind = g.choice("type", BlankKind, BlankKind.TEXT)
    blank_id = g.ident()
    points = g.number("points", default=1.0)
    if kind is BlankKind.NUMERIC:
        return Blank(
            id=blank_id, kind=kind, numeric=read_numeric_answer(g), points=points, origin=g.origin
        )
    if kind is BlankKind.DROPDOWN:
        answer = g.text("answer", required=True)
        return Blank(
            id=blank_id,
            kind=kind,
            answers=(answer,),
            options=g.strings("options", required=True),
            points=points,
            origin=g.origin,
        )
    return Blank(
        id=blank_id,
        kind=kind,
        answers=g.strings("answers", required=True),
        case_sensitive=g.boolean("case_sensitive"),
        points=points,
        origin=g.origin,
    )


def _fill_blanks(f: Fields, common: dict[str, Any]) -> FillBlanks:
    blanks = []
    for g in f.records("blanks", "blank", required=True):
        blanks.append(_blank(g))
        g.finish()
    return FillBlanks(text=f.markdown("text", required=True), blanks=tuple(blanks), **common)


def _essay(f: Fields, common: dict[str, Any]) -> Essay:
    return Essay(
        grader_notes=f.markdown("grader_notes"),
        response_template=f.text("response_template"),
        min_words=f.integer("min_words"),
        max_words=f.integer("max_words"),
        **common,
    )


def _description(f: Fields, common: dict[str, Any]) -> Description:
    return Description(**common)


_READERS: dict[str, Callable[[Fields, dict[str, Any]], Question]] = {
    "single": _single,
    "multiple": _multiple,
    "true-false": _true_false,
    "short-answer": _short,
    "numeric": _numeric,
    "matching": _matching,
    "ordering": _ordering,
    "fill-blanks": _fill_blanks,
    "essay": _essay,
    "description": _description,
}

TYPE_FIELDS: dict[str, TypeFields] = {
    "single": (["choices"], {"choices": CHOICES}),
    "multiple": (
        ["choices"],
        {"choices": CHOICES, "scoring": {"enum": ["all-or-nothing", "partial"]},
         "negative_marking": FLAG},
    ),
    "true-false": (
        ["answer"],
        {"answer": FLAG, "feedback_true": MARKDOWN, "feedback_false": MARKDOWN},
    ),
    "short-answer": (["answers"], {"answers": TEXTS, "case_sensitive": FLAG}),
    "numeric": ([], {**NUMERIC_FIELDS, "unit": TEXT}),
    "matching": (
        ["pairs"],
        {"pairs": many(record(["prompt", "match"], prompt=MARKDOWN, match=TEXT)),
         "distractors": TEXTS},
    ),
    "ordering": (["items"], {"items": many(MARKDOWN)}),
    "fill-blanks": (["text", "blanks"], {"text": MARKDOWN, "blanks": many(BLANK)}),
    "essay": (
        [],
        {"grader_notes": MARKDOWN, "response_template": TEXT, "min_words": COUNT,
         "max_words": COUNT},
    ),
    "description": ([], {}),
}
"""Each type's own fields in the JSON Schema of a quiz file, beside the reader that reads them."""

__all__ = ["TYPE_FIELDS", "read_numeric_answer", "read_question"]
