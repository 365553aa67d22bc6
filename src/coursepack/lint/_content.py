"""What the lint rules read: the options of a question and every text an author wrote."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import assert_never

from coursepack.errors import Origin
from coursepack.markup import to_line
from coursepack.model import (
    BlankKind,
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
    """The lists of options a question offers (none for free-text types)."""
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
        case TrueFalse() | ShortAnswer() | Numeric() | Ordering() | Essay() | Description():
            return []
        case _:
            assert_never(q)


def question_texts(q: Question) -> Iterator[tuple[str, Origin | None]]:
    """Every text of a question, with the closest place it is written."""
    fb = q.feedback
    yield from ((t, q.origin) for t in (q.title, q.stem, fb.general, fb.correct, fb.partial))
    yield from ((t, q.origin) for t in (fb.incorrect, *q.hints))
    match q:
        case SingleChoice() | MultipleResponse():
            for c in q.choices:
                yield from ((t, c.origin or q.origin) for t in (c.text, c.feedback))
        case TrueFalse():
            yield from ((t, q.origin) for t in (q.feedback_true, q.feedback_false))
        case ShortAnswer():
            yield from ((t, q.origin) for t in q.answers)
        case Matching():
            yield from ((t, p.origin or q.origin) for p in q.pairs for t in (p.prompt, p.match))
            yield from ((t, q.origin) for t in q.distractors)
        case Ordering():
            yield from ((t, q.origin) for t in q.items)
        case FillBlanks():
            yield q.text, q.origin
            for b in q.blanks:
                yield from ((t, b.origin or q.origin) for t in (*b.answers, *b.options))
        case Essay():
            yield from ((t, q.origin) for t in (q.grader_notes, q.response_template))
        case Numeric() | Description():
            pass
        case _:
            assert_never(q)


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
