"""What the lint rules read: the options of a question and every text an author wrote."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from coursepack.errors import Origin
from coursepack.markup import to_line
from coursepack.model import (
    BlankKind,
    Course,
    FillBlanks,
    Matching,
    MultipleResponse,
    Question,
    QuestionBase,
    SingleChoice,
)


@dataclass(frozen=True)
class Option:
    """One answer a learner can pick, where it is written and whether it is right."""

    text: str
    correct: bool
    origin: Origin | None


@dataclass(frozen=True)
class OptionSet:
    """The options a learner chooses among in one place of a question."""

    what: str
    options: tuple[Option, ...]


def plain(markdown: str) -> str:
    """Markdown as the plain one-line text a learner reads."""
    return to_line(markdown)


def key(markdown: str) -> str:
    """A comparison key: plain text, case-folded, punctuation and extra spaces dropped."""
    words = re.findall(r"\w+", plain(markdown).casefold())
    return " ".join(words)


def option_sets(q: Question) -> list[OptionSet]:
    """The lists of options a question offers (none for free-text types and unknown ones)."""
    match q:
        case SingleChoice() | MultipleResponse():
            choices = tuple(Option(c.text, c.correct, c.origin or q.origin) for c in q.choices)
            return [OptionSet(f"question '{q.id}'", choices)]
        case FillBlanks():
            return [
                OptionSet(
                    f"blank '{b.id}' of question '{q.id}'",
                    tuple(Option(o, o in b.answers, b.origin or q.origin) for o in b.options),
                )
                for b in q.blanks
                if b.kind is BlankKind.DROPDOWN
            ]
        case Matching():
            matches = {p.match for p in q.pairs}
            answers = tuple(Option(a, a in matches, q.origin) for a in q.answers)
            return [OptionSet(f"question '{q.id}'", answers)]
        case _:
            return []


NOT_TEXT = frozenset({"id", "objectives", "source", "unit"})
"""Question fields that name or point rather than say: ids (of the question, of a blank), the
objectives it serves, its source reference and a number's unit. Every other field holding
text is one."""


def question_texts(q: QuestionBase) -> Iterator[tuple[str, Origin | None]]:
    """Every text of a question, with the closest place it is written.

    Found by walking the question's fields, whatever its type: each ``str`` or ``Markdown``,
    alone or in a tuple, and those of its parts (feedback, choices, pairs, blanks), each part
    at its own origin when it has one. Origins are not content, nor are the ``NOT_TEXT``
    fields, so a new question type needs no change here.
    """
    return _texts(q, q.origin)


def _texts(node: Any, origin: Origin | None) -> Iterator[tuple[str, Origin | None]]:
    for f in dataclasses.fields(node):
        if f.compare and f.name not in NOT_TEXT:  # origins are compare=False: not content
            yield from _values(getattr(node, f.name), origin)


def _values(value: object, origin: Origin | None) -> Iterator[tuple[str, Origin | None]]:
    if isinstance(value, str) and not isinstance(value, Enum):
        yield value, origin
    elif isinstance(value, tuple):
        for item in value:
            yield from _values(item, origin)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield from _texts(value, getattr(value, "origin", None) or origin)


def course_texts(course: Course) -> Iterator[tuple[str, Origin | None]]:
    """Every text an author wrote in the course, lessons, notes and quizzes alike."""
    yield course.description, course.origin
    for module in course.modules:
        yield from _module_texts(course, module.id)
    for quiz in course.quizzes:
        yield from ((t, quiz.origin) for t in (quiz.title, quiz.description))
    for _, question in course.questions():
        yield from question_texts(question)


def _module_texts(course: Course, module_id: str) -> Iterator[tuple[str, Origin | None]]:
    module = next(m for m in course.modules if m.id == module_id)
    notes = module.facilitator
    yield from ((t, module.origin) for t in (module.title, module.description, notes.notes))
    yield from ((t, module.origin) for t in (notes.background, *notes.discussion_prompts))
    yield from ((o.text, o.origin or module.origin) for o in module.objectives)
    yield from ((t.activity, t.origin or module.origin) for t in notes.timings)
    for s in notes.scenarios:
        texts = (s.title, s.situation, *s.tasks, s.debrief)
        yield from ((t, s.origin or module.origin) for t in texts)
    for lesson in module.lessons:
        texts = (lesson.title, lesson.summary, lesson.body, *lesson.further_reading)
        yield from ((t, lesson.origin) for t in texts)
        for quote in lesson.quotes:
            yield from ((t, quote.origin or lesson.origin) for t in (quote.text, quote.note))
        for term in lesson.key_terms:
            yield from ((t, term.origin or lesson.origin) for t in (term.term, term.definition))
