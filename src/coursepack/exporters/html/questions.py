"""Questions as template data: ids, pre-rendered HTML, and what each type's form needs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, assert_never

from markupsafe import Markup

from coursepack import markup
from coursepack.grading import choice_id, item_id, match_id, prompt_id
from coursepack.model import (
    Blank,
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    Quiz,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    type_name,
)


def _inline(text: str) -> Markup:
    return Markup(markup.to_inline_html(text))


def stem_parts(stem: str) -> tuple[Markup, Markup]:
    """(legend, stem block): a one-paragraph stem goes in the legend whole, else a block below."""
    html = markup.to_html(stem).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return Markup(html[3:-4]), Markup("")
    return Markup(""), Markup(html)


def _choices(q: SingleChoice | MultipleResponse) -> list[dict[str, Any]]:
    return [{"id": choice_id(i), "html": _inline(c.text)} for i, c in enumerate(q.choices)]


def _blank(index: int, blank: Blank) -> dict[str, Any]:
    return {"id": blank.id, "index": index + 1, "kind": blank.kind.value,
            "options": [{"value": o, "text": o} for o in blank.options]}


def _segments(q: FillBlanks) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for segment in q.segments():
        if isinstance(segment, str):
            html = _inline(segment) if segment.strip() else Markup(segment)
            parts.append({"html": html, "blank": None})
        else:
            parts.append({"html": "", "blank": _blank(q.blanks.index(segment), segment)})
    return parts


def _specific(q: Question) -> dict[str, Any]:
    match q:
        case SingleChoice() | MultipleResponse():
            return {"choices": _choices(q)}
        case TrueFalse():
            return {"choices": [{"id": "true", "html": "True"}, {"id": "false", "html": "False"}]}
        case ShortAnswer():
            return {}
        case Numeric():
            return {"unit": q.unit}
        case Matching():
            prompts = [{"id": prompt_id(i), "html": _inline(p.prompt)}
                       for i, p in enumerate(q.pairs)]
            answers = [{"id": match_id(i), "text": a} for i, a in enumerate(q.answers)]
            return {"prompts": prompts, "answers": answers}
        case Ordering():
            return {"steps": [{"id": item_id(i), "html": _inline(t)}
                              for i, t in enumerate(q.items)]}
        case FillBlanks():
            return {"segments": _segments(q)}
        case Essay():
            return {"template": q.response_template, "min_words": q.min_words,
                    "max_words": q.max_words}
        case Description():
            return {}
        case _:
            assert_never(q)


def question_view(q: Question, points: float | None = None) -> dict[str, Any]:
    """One question as a template sees it; ``points`` overrides the question's (a pool's)."""
    legend, stem = stem_parts(q.stem)
    return {
        "id": q.id,
        "dom_id": f"q-{markup.slugify(q.id)}",
        "type": type_name(q),
        "points": q.points if points is None else points,
        "scored": q.scored,
        "legend": legend,
        "stem": stem,
        "hints": [Markup(markup.to_html(h)) for h in q.hints],
        **_specific(q),
    }


def quiz_views(quiz: Quiz) -> Iterator[dict[str, Any]]:
    """Every question a quiz can show, once each: fixed questions, then each pool's."""
    seen: set[str] = set()
    for q in quiz.questions:
        seen.add(q.id)
        yield question_view(q) | {"pool": ""}
    for pool in quiz.pools:
        for q in pool.questions:
            if q.id not in seen:
                seen.add(q.id)
                yield question_view(q, pool.points) | {"pool": pool.id}
