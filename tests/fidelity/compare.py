"""Compare what a format holds with the model, and sort each difference: declared or not.

A difference in question X for format F is *declared* when some pre-flight warning of F
(the exporter's ``check`` and what the LMS targets of F add, ``declarations``) names X
(``'X'``) and the field, in the words ``FIELD_WORDS`` lists for it: GIFT + hints needs a
warning about X that says "hint". Everything else is undeclared and fails its test.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from coursepack.exporters.question_types import carries
from coursepack.model import (
    Course,
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from tests.fidelity.expected import Expected, Text, keyed, latin_runs, md, squash
from tests.fidelity.readback import MISSING, Got

# Which records each format is expected to carry (the rest it has no place for by design).
SITE = {"html", "scorm12", "scorm2004", "cmi5"}
BANKS = {"moodle-xml", "gift", "qti12", "qti21", "imscc"}
OUT_OF_SCOPE: dict[str, set[str]] = {
    # The site is for learners: a question's bank title and the notes for markers are not
    # shown there (the PDF answer key carries the grader notes).
    **{fmt: {"title", "grader_notes"} for fmt in SITE},
}


def in_scope(fmt: str, record: Expected, field: str) -> bool:
    base = field.split(" @ ")[0].split("[")[0].split(".")[0]
    return base not in OUT_OF_SCOPE.get(fmt, set())


def record_scope(fmt: str, record: Expected) -> bool:
    """Whether format ``fmt`` should hold this record at all."""
    if record.kind == "page":
        return fmt in SITE | {"imscc", "pdf"}
    if record.kind == "facilitator":
        return fmt == "pdf"
    if record.kind == "quiz":
        return fmt in SITE | {"imscc", "qti12", "qti21"}
    if record.kind == "pool":
        return fmt != "pdf"
    return True


@dataclass(frozen=True)
class Diff:
    fmt: str
    record: str
    field: str
    expected: Any
    got: Any
    words: str

    def __str__(self) -> str:
        return (f"{self.fmt} / {self.record} / {self.field}: "
                f"expected {show(self.expected)} vs got {show(self.got)}")


def show(value: Any, limit: int = 160) -> str:
    if isinstance(value, Text):
        text = repr(value.shown)
    elif isinstance(value, tuple):
        text = "(" + ", ".join(show(v, 60) for v in value) + ")"
    elif isinstance(value, Fraction):
        text = str(float(value))
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- which words declare which field -----------------------------------------------------

FIELD_WORDS = {
    "present": r"left out|drops|not part of",
    "title": r"title|\bname",
    "stem": r"\bstem|question text",
    "points": r"\bmarks?\b|points|weight",
    "hints": r"\bhints?\b",
    "choices": r"option|choice",
    "correct": r"correct option|right option|answer key",
    "shuffle": r"shuffl",
    "answers": r"answer",
    "case_sensitive": r"\bcase",
    "bounds": r"range|tolerance|bound",
    "unit": r"\bunits?\b",
    "prompts": r"prompt|matching",
    "matches": r"\bmatch",
    "distractors": r"distractor|spare|\bmatch",
    "items": r"order|\bitems?\b|position",
    "grader_notes": r"grader|rubric",
    "response_template": r"template",
    "min_words": r"\bword",
    "max_words": r"\bword",
    "description": r"description|instruction",
    "pick": r"pool|random|draw",
    "questions": r"pool|random|draw",
}
FEEDBACK_WORDS = {
    "general": r"general feedback",
    "correct": r"\bcorrect\b[\w\s,/-]*feedback",
    "partial": r"partial[\w\s,/-]*feedback",
    "incorrect": r"incorrect[\w\s,/-]*feedback|wrong-answer feedback",
    "choice": r"(option|choice|answer)'?s?[\w\s]*feedback",
    "true": r"true/false|feedback_true",
    "false": r"true/false|feedback_false",
    "extra": r"feedback",
}
IMAGE_WORDS = r"\bimages?\b"


def field_words(field: str, record: Expected, topic: str = "") -> str:
    """The regular expression a warning must match to declare a difference in ``field``."""
    name = field.split(" @ ")[0]
    if name.endswith(".images"):
        return IMAGE_WORDS
    if name.startswith("score"):
        return topic or r"scor"
    if name.startswith("feedback."):
        return FEEDBACK_WORDS.get(name.split(".")[1], r"feedback")
    blank = re.match(r"blank\[(.+?)\]\.(\w+)", name)
    if blank:
        bid, attr = blank.groups()
        named = rf"'{re.escape(bid)}'"
        return {"case_sensitive": r"\bcase", "weight": r"weight|share|points",
                "options": r"drop-?down|option"}.get(attr, rf"{named}|drop-?down")
    if record.kind == "pool":
        return r"pool|random|draw"
    if name == "present" and record.question is not None and record.kind == "description":
        return r"left out|drops|text-only|not part of"
    base = re.sub(r"\[\d+\]$", "", name.split(".")[0])
    return FIELD_WORDS.get(base, re.escape(base))


def names_of(record: str) -> list[str]:
    """How a warning names a record: 'q-id', quiz 'id', pool 'id', lesson 'id'..."""
    if ":" not in record:
        return [f"'{record}'"]
    kind, rest = record.split(":", 1)
    if kind == "pool":
        quiz, pool = rest.split("/")
        return [f"pool '{pool}'", f"quiz '{quiz}'"]
    if kind == "quiz":
        return [f"quiz '{rest}'"]
    return [f"'{part}'" for part in rest.split("/")]


_SUBJECT = re.compile(r"^(?:[\w-]+: )?question '[^']*' \([^)]*\):?\s*")
_POOL = re.compile(r"pool '([^']*)'")


def is_declared(diff: Diff, messages: list[str]) -> bool:
    names = names_of(diff.record)
    pool = diff.record.rsplit("/", 1)[-1] if diff.record.startswith("pool:") else None
    for message in messages:
        if not any(n in message for n in names):
            continue
        if pool is not None and any(p != pool for p in _POOL.findall(message)):
            continue  # about another pool of the quiz
        body = _SUBJECT.sub("", message)  # "(short-answer)" is no word about answers
        if re.search(diff.words, body, re.I):
            return True
    return False


def declarations(course: Course, fmt: str) -> list[str]:
    """Every pre-flight warning of ``fmt``: the format's own, and its LMS targets' notes."""
    from coursepack import formats, preflight

    found = list(formats.format_problems(fmt, course))
    for target in preflight.TARGETS.values():
        if target.format == fmt:
            found += list(target.notes(course))
    return [p.message for p in found]


# --- comparing values --------------------------------------------------------------------


def _close(a: Any, b: Any) -> bool:
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-6)


def compare_value(exp: Any, got: Any) -> str:
    """'' when equal, 'images' when only the images differ, else 'value'."""
    if isinstance(exp, Text):
        if not isinstance(got, Text):
            return "value" if exp or got not in ("", None, ()) else ""
        if exp.key == got.key:
            return ""
        if exp.alt_key == got.key or exp.bare == got.bare:
            return "images"
        return "value"
    if isinstance(exp, tuple):
        if not isinstance(got, tuple) or len(exp) != len(got):
            return "value"
        kinds = {compare_value(e, g) for e, g in zip(exp, got, strict=True)} - {""}
        return "value" if "value" in kinds else ("images" if kinds else "")
    if isinstance(exp, bool) or exp is None or isinstance(got, bool):
        return "" if exp == got else "value"
    if isinstance(exp, float | int | Fraction) and not isinstance(exp, bool):
        return "" if _close(exp, got) else "value"
    if isinstance(exp, str):
        return "" if isinstance(got, str) and squash(exp) == squash(got) else "value"
    return "" if exp == got else "value"


def _empty(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return value is None or value in ((), "", 0) or (isinstance(value, Text) and not value)


def _match_bounds(exp: Any, got: Any) -> bool:
    return (isinstance(got, tuple) and len(got) == 2
            and all(_close(e, g) for e, g in zip(exp, got, strict=True)))


def compare_record(fmt: str, exp: Expected, got: Got | None) -> Iterator[Diff]:
    if got is None:
        yield Diff(fmt, exp.id, "present", True, False, field_words("present", exp))
        return
    if exp.kind in ("page", "facilitator", "quiz") and got.page is not None:
        yield from _compare_page(fmt, exp, got)
        return
    for name, value in exp.fields.items():
        if name.startswith("_") or not in_scope(fmt, exp, name):
            continue
        if exp.kind == "pool" and name == "points" and exp.fields["_own_points"] and \
                got.fields.get(name) is None:
            continue  # "each question its own points", said either way
        if name == "title" and exp.question is not None and not exp.question.title:
            continue  # untitled: each format names the question its own way
        have = got.fields.get(name, MISSING)
        if have == MISSING and _empty(value):
            continue  # nothing expected, nothing there
        if name.endswith("bounds") and isinstance(value, tuple):
            verdict = "" if _match_bounds(value, have) else "value"
        else:
            verdict = compare_value(value, have)
        if verdict:
            field = f"{name}.images" if verdict == "images" else name
            yield Diff(fmt, exp.id, field, value, have, field_words(field, exp))
    for outcome in exp.outcomes:
        if outcome.name not in got.outcomes:
            yield Diff(fmt, exp.id, f"score @ {outcome.name}", outcome.score, MISSING,
                       outcome.topic)
            continue
        score, shown = got.outcomes[outcome.name]
        scored_apart = outcome.score is not None and (score is None or
                                                      not _close(outcome.score, score))
        if scored_apart:
            yield Diff(fmt, exp.id, f"score @ {outcome.name}", round(outcome.score, 5),
                       None if score is None else round(score, 5), outcome.topic)
        for diff in _compare_feedback(fmt, exp, outcome.name, outcome.feedback, shown):
            kind = diff.field.split(" @ ")[0].split(".")[1]
            if scored_apart and kind in ("correct", "partial", "incorrect", "extra"):
                # The feedback of another result follows from the other score: declared
                # when that score is.
                diff = replace(diff, words=f"(?:{diff.words})|(?:{outcome.topic})")
            yield diff


def _compare_feedback(fmt: str, exp: Expected, where: str,
                      parts: tuple[tuple[str, Text], ...], got: Text) -> Iterator[Diff]:
    """Each expected piece of feedback must be in what the format shows, nothing else."""
    rest = got.key
    bare_rest = got.bare
    for kind, text in parts:
        if text.key and text.key in rest:
            rest = rest.replace(text.key, "", 1)
            bare_rest = bare_rest.replace(text.bare, "", 1)
        elif text.alt_key and text.alt_key in rest:
            rest = rest.replace(text.alt_key, "", 1)
            bare_rest = bare_rest.replace(text.bare, "", 1)
            field = f"feedback.{kind}.images @ {where}"
            yield Diff(fmt, exp.id, field, text, got, IMAGE_WORDS)
        elif text.bare and text.bare in bare_rest:
            bare_rest = bare_rest.replace(text.bare, "", 1)
            rest = _drop_loosely(rest, text.bare)
            field = f"feedback.{kind}.images @ {where}"
            yield Diff(fmt, exp.id, field, text, got, IMAGE_WORDS)
        else:
            field = f"feedback.{kind} @ {where}"
            yield Diff(fmt, exp.id, field, text, got, field_words(field, exp))
    leftover = re.sub(r"⟦img:[^⟧]*⟧", "", rest) if not bare_rest else rest
    if keyed(leftover):
        field = f"feedback.extra @ {where}"
        yield Diff(fmt, exp.id, field, Text(""), Text(leftover), FEEDBACK_WORDS["extra"])


def _drop_loosely(text: str, bare: str) -> str:
    """Remove ``bare`` from ``text`` ignoring the image tokens ``text`` holds."""
    tokens = re.compile(r"⟦img:[^⟧]*⟧")
    stripped = tokens.sub("", text)
    at = stripped.find(bare)
    return stripped[:at] + stripped[at + len(bare):] if at >= 0 else text


def _compare_page(fmt: str, exp: Expected, got: Got) -> Iterator[Diff]:
    """Each field of a page (lesson, module, course, quiz description) must be on its page."""
    page = got.page or Text("")
    raw = got.fields.get("raw", "")
    if fmt == "pdf" and "](" in raw:
        at = raw.find("](")
        shown = " ".join(re.sub(r"[^\w\s!\[\]().%/'’,:-]", " ", raw[at - 60:at + 30]).split())
        yield Diff(fmt, exp.id, "markdown source", "rendered Markdown", shown, r"markdown")
    for name, value in exp.fields.items():
        if not isinstance(value, Text) or not value:
            continue
        if fmt == "pdf":
            if any(run not in page.shown for run in latin_runs(_no_images(value.shown))):
                yield Diff(fmt, exp.id, name, value, f"(not in {got.where})",
                           field_words(name, exp))
            continue
        if value.key in page.key:
            continue
        field = f"{name}.images" if value.bare in page.bare else name
        near = excerpt(page.shown, value)
        yield Diff(fmt, exp.id, field, value, f"{near} (on {got.where})" if near else
                   f"(not on {got.where})", field_words(field, exp))


def excerpt(shown: str, value: Text) -> str:
    """The stretch of a page where the text ``value`` starts, for the report."""
    bare = keyed(re.sub(r"⟦img:[^⟧]*⟧", "", value.shown))
    key, where = "", []
    for i, ch in enumerate(shown):
        if not ch.isspace():
            key += ch
            where.append(i)
    for size in (40, 20, 12):
        at = key.find(bare[:size]) if bare else -1
        if at >= 0:
            begin = where[at]
            return repr(shown[begin:begin + len(value.shown) + 40])
    return ""


def printed_fields(q: Question) -> Iterator[tuple[str, str, str]]:
    """(field, document, Markdown or plain text) a printed quiz or the answer key must show."""
    yield "stem", "quiz", q.stem
    yield "stem", "key", q.stem
    for kind in ("general", "correct", "partial", "incorrect"):
        yield f"feedback.{kind}", "key", getattr(q.feedback, kind)
    for n, hint in enumerate(q.hints):
        yield f"hints[{n}]", "key", hint
    match q:
        case SingleChoice() | MultipleResponse():
            for n, c in enumerate(q.choices):
                yield f"choices[{n}]", "quiz", c.text
                yield f"feedback.choice[{n}]", "key", c.feedback
        case TrueFalse():
            yield "feedback_true", "key", q.feedback_true
            yield "feedback_false", "key", q.feedback_false
        case ShortAnswer():
            for n, a in enumerate(q.answers):
                yield f"answers[{n}]", "key", a
        case Numeric():
            yield "unit", "quiz", q.unit
        case Matching():
            for n, p in enumerate(q.pairs):
                yield f"prompts[{n}]", "quiz", p.prompt
                yield f"matches[{n}]", "quiz", p.match
            for n, d in enumerate(q.distractors):
                yield f"distractors[{n}]", "quiz", d
        case Ordering():
            for n, item in enumerate(q.items):
                yield f"items[{n}]", "quiz", item
        case FillBlanks():
            for n, part in enumerate(s for s in q.segments() if isinstance(s, str)):
                yield f"text[{n}]", "quiz", part
            for b in q.blanks:
                for n, option in enumerate(b.options):
                    yield f"blank[{b.id}].options[{n}]", "quiz", option
                for n, answer in enumerate(b.answers):
                    yield f"blank[{b.id}].answers[{n}]", "key", answer
        case Essay():
            yield "grader_notes", "key", q.grader_notes
            yield "response_template", "quiz", q.response_template
        case Description():
            pass


def _no_images(text: str) -> str:
    return re.sub(r"⟦img:[^⟧]*⟧", " ", text)


def compare_printed(exp: Expected, got: Got | None) -> Iterator[Diff]:
    """PDF: each text of the question is in the printed quiz or the answer key (its Latin
    letters and digits, which is what text extraction gets right)."""
    assert exp.question is not None
    if got is None:
        yield Diff("pdf", exp.id, "present", True, False, FIELD_WORDS["present"])
        return
    texts = {"key": got.page.shown if got.page else "", "quiz": got.fields.get("quiz", "")}
    names = {"key": "answer-key.pdf", "quiz": got.where}
    for name, doc, value in printed_fields(exp.question):
        runs = latin_runs(_no_images(md(value).shown) if hasattr(value, "assets") else value)
        if any(run not in texts[doc] for run in runs):
            yield Diff("pdf", exp.id, f"{name} in {names[doc]}", md(value) if hasattr(
                value, "assets") else value, "(not found)", field_words(name, exp))


def as_written(fmt: str, pool: Expected, course: Course) -> Expected:
    """A pool as ``fmt`` writes it: without the questions of a type the question-type table
    leaves out of ``fmt`` (pre-flight says so for each of them), drawing at most the rest."""
    by_id = {q.id: q for _, q in course.questions()}
    kept = tuple(i for i in pool.fields["questions"] if carries(fmt, by_id[i]))
    if kept == pool.fields["questions"]:
        return pool
    return replace(pool, fields=pool.fields | {"questions": kept,
                                               "pick": min(pool.fields["pick"], len(kept))})


def compare(fmt: str, expected: dict[str, Expected], found: dict[str, Got | None],
            course: Course) -> tuple[list[Diff], list[Diff]]:
    """(undeclared, declared) differences of one format."""
    messages = declarations(course, fmt)
    undeclared: list[Diff] = []
    declared: list[Diff] = []
    for record in expected.values():
        if not record_scope(fmt, record):
            continue
        if record.kind == "pool":
            record = as_written(fmt, record, course)
        if fmt == "pdf" and record.question is not None:
            diffs = list(compare_printed(record, found.get(record.id)))
        else:
            diffs = list(compare_record(fmt, record, found.get(record.id)))
        present = [d for d in diffs if d.field == "present"]
        for diff in present or diffs:
            (declared if is_declared(diff, messages) else undeclared).append(diff)
    return undeclared, declared


__all__ = ["Diff", "compare", "declarations", "in_scope", "is_declared", "record_scope"]
