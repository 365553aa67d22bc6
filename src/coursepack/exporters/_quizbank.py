"""What the question-bank formats (Moodle XML, GIFT, QTI 1.2 and 2.1) share.

The bank holds every distinct question once, grouped by the module (or the
standalone quiz) that defines it. Helpers here format numbers, Moodle grade
fractions and QTI identifiers, find the images a question's Markdown uses, and
build the located warnings each exporter's ``check`` returns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from coursepack import markup
from coursepack.errors import Problem, warning
from coursepack.exporters.media import Published
from coursepack.exporters.question_types import carried
from coursepack.model import (
    Blank,
    Course,
    FillBlanks,
    MultipleResponse,
    Question,
    Quiz,
    Scoring,
    markdown,
    type_name,
)
from coursepack.numbers import Real, decimal, exact, number, numeric_bounds, numeric_target


@dataclass(frozen=True)
class Entry:
    """One question of the bank, the quiz that defines it and its category path."""

    quiz: Quiz
    question: Question
    category: tuple[str, ...]


def owners(course: Course) -> dict[str, Quiz]:
    """The quiz each question belongs to: module quizzes first, then any quiz that pools it."""
    ranked = [q for m in course.modules for q in course.module_quizzes(m)]
    ranked += [q for q in course.quizzes if q not in ranked]
    found: dict[str, Quiz] = {}
    for quiz in ranked:
        for question in quiz.questions:
            found.setdefault(question.id, quiz)
    for quiz in ranked:
        for question in quiz.all_questions():
            found.setdefault(question.id, quiz)
    return found


def entries(course: Course, fmt: str) -> list[Entry]:
    """Every distinct question format ``fmt`` writes once, grouped by category in course
    order; a question of a type ``fmt`` leaves out (the question-type table) is not there.

    Owners and order come from the whole course, so a question left out moves no other.
    """
    titles = {m.id: m.title for m in course.modules}
    owner = owners(course)
    ranked = list(owner.values())
    found = [
        Entry(owner[q.id], q, (course.title, titles.get(owner[q.id].module, owner[q.id].title)))
        for q in carried(fmt, (q for _, q in course.questions()))
    ]
    return sorted(found, key=lambda e: ranked.index(e.quiz))


def categories(found: list[Entry]) -> Iterator[tuple[tuple[str, ...], list[Entry]]]:
    """The entries of each category, in order (a category with no entry is not there)."""
    for category in dict.fromkeys(e.category for e in found):
        yield category, [e for e in found if e.category == category]


def category_path(names: tuple[str, ...]) -> str:
    """A Moodle category path (XML and GIFT): each name on one line, as Moodle shows it
    (``moodle_string``), a slash inside a name written twice."""
    shown = (moodle_string(" ".join(n.split())).replace("/", "//") for n in names)
    return "/".join(["$course$", "top", *shown])


_ENTITY_LIKE = re.compile(r"&(?=[A-Za-z0-9#]{1,8};)")


def moodle_string(text: str) -> str:
    """Plain text for a field Moodle shows through ``format_string`` (names, matching answers,
    category names).

    ``format_string`` strips tags, so ``<`` and ``>`` go as entities (``<ouvert>`` is
    kept); it turns a bare ``&`` into ``&amp;`` but keeps what reads as an entity, so
    only an ``&`` that starts one (``AT&amp;T`` as written) is escaped. A field stays
    as a teacher would type it otherwise.
    """
    return _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")


def percent(fraction: Real) -> str:
    """A Moodle grade percentage with the five decimals Moodle matches: 33.33333, never 33.0."""
    rounded = decimal(Fraction(round(exact(fraction) * 100 * 10**5), 10**5))
    return number(rounded)


MOODLE_GRADES = (1.0, 0.9, 5 / 6, 0.8, 0.75, 0.7, 2 / 3, 0.6, 0.5, 0.4, 1 / 3, 0.3, 0.25, 0.2,
                 1 / 6, 1 / 7, 0.125, 1 / 9, 0.1, 0.05, 0.0)
"""The grades Moodle's importer accepts for an answer (and their negatives)."""


def moodle_grade_ok(fraction: float) -> bool:
    return any(abs(abs(fraction) - g) < 0.00001 for g in MOODLE_GRADES)


def choice_fractions(question: MultipleResponse) -> list[float]:
    """Each option's share of the marks, as grading.py scores: correct 1/k of the k right
    options; with negative marking, wrong -1/w of the w wrong options.

    All-or-nothing makes every wrong option cost everything (-1), the nearest an
    answer-by-answer LMS comes to it.
    """
    correct = sum(c.correct for c in question.choices) or 1
    wrongs = sum(not c.correct for c in question.choices) or 1
    if question.scoring is Scoring.ALL_OR_NOTHING:
        wrong = -1.0
    else:
        wrong = -1 / wrongs if question.negative_marking else 0.0
    return [1 / correct if c.correct else wrong for c in question.choices]


_NOT_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def ident(value: str, prefix: str = "id-") -> str:
    """``value`` as a valid XML NCName (QTI identifier): prefixed when it starts badly."""
    name = _NOT_NAME.sub("_", value)
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = prefix + name
    return name


def warn(question: Question, message: str, rule: str, hint: str = "") -> Problem:
    """A warning about one question, located at its spec, naming it."""
    return warning(question.origin, f"question '{question.id}' ({type_name(question)}): {message}",
                   hint=hint, rule=rule)


def pool_problems(course: Course, rule: str) -> list[Problem]:
    """A question bank file holds questions, not quizzes: each pool's draw is left to the LMS."""
    return [warning(pool.origin or quiz.origin,
                    f"quiz '{quiz.id}': pool '{pool.id}' (pick {pool.pick}) is not part of a "
                    "question bank file; draw it with random questions in the LMS", rule=rule)
            for quiz in course.quizzes for pool in quiz.pools]


def has_images(question: Question) -> bool:
    return bool(question.assets)


class Media:
    """Renders Markdown for a package, pointing each image at ``prefix + name``; remembers files."""

    def __init__(self, course: Course, prefix: str) -> None:
        self.course = course
        self.prefix = prefix
        self.published = Published()

    @property
    def files(self) -> dict[str, Path]:
        return self.published.files

    def html(self, question: Question, text: str, inline: bool = False) -> str:
        with self.published.serving(lambda name: self.prefix + name):
            rendered = markup.to_inline_html(text) if inline else markup.to_html(text)
        return rendered.strip()


def blank_marker(index: int) -> str:
    """A token that survives Markdown rendering unchanged, to be swapped for a gap."""
    return f"CPBLANK{index:03d}X"


def blanks_html(question: FillBlanks) -> tuple[str, list[tuple[str, Blank]]]:
    """The gap text as HTML with a marker per blank, and (marker, blank) pairs in order."""
    parts: list[str] = []
    markers: list[tuple[str, Blank]] = []
    for segment in question.segments():
        if isinstance(segment, str):
            parts.append(segment)
        else:
            marker = blank_marker(len(markers))
            markers.append((marker, segment))
            parts.append(marker)
    return markup.to_html(markdown(question.text).part("".join(parts))), markers


__all__ = [
    "Entry",
    "Media",
    "blanks_html",
    "categories",
    "category_path",
    "choice_fractions",
    "decimal",
    "entries",
    "exact",
    "has_images",
    "ident",
    "moodle_grade_ok",
    "moodle_string",
    "number",
    "numeric_bounds",
    "numeric_target",
    "percent",
    "warn",
]
