"""The pre-flight report: what each target LMS will drop or change, before the upload.

A target is an LMS (or a file format a user uploads as it is). Its report is the
warnings of the exporter that writes its file, plus what that LMS itself does on
import, each naming the question or quiz it concerns. What a format does (Moodle XML's
ordering questions, pools left out of a question bank) is its exporter's to say, once;
the notes here are only what a particular LMS does on import beyond that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from coursepack.errors import Problem
from coursepack.exporters._quizbank import warn
from coursepack.formats import format_problems
from coursepack.model import (
    Course,
    Description,
    FillBlanks,
    Matching,
    MultipleResponse,
    Ordering,
    Scoring,
)

Notes = Callable[[Course], Iterator[Problem]]


@dataclass(frozen=True)
class Target:
    """An LMS a course is uploaded to and the format it is uploaded as."""

    name: str
    title: str
    format: str
    notes: Notes


def _nothing(course: Course) -> Iterator[Problem]:
    """An LMS that imports the file as its format says (the exporter's warnings are all)."""
    yield from ()


def _canvas(course: Course, target: str) -> Iterator[Problem]:
    for _, q in course.questions():
        if isinstance(q, MultipleResponse) and (
            q.negative_marking or q.scoring is Scoring.ALL_OR_NOTHING
        ):
            yield warn(q, "Canvas always gives partial credit on multiple-answer questions and "
                       "never negative points; the spec's scoring is not kept", target)


def _canvas_classic(course: Course) -> Iterator[Problem]:
    yield from _canvas(course, "canvas-classic")


def _canvas_new(course: Course) -> Iterator[Problem]:
    yield from _canvas(course, "canvas-new")
    for _, q in course.questions():
        if isinstance(q, Description):
            yield warn(q, "Canvas New Quizzes drops text-only items on import", "canvas-new",
                       hint="fold the text into the stem of the next question")


def _qti21(course: Course) -> Iterator[Problem]:
    for _, q in course.questions():
        if isinstance(q, Ordering | Matching | FillBlanks):
            yield warn(q, "some LMSs (Canvas New Quizzes among them) import only choice, "
                       "text-entry and extended-text interactions from QTI 2.1", "qti21")


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("moodle", "Moodle (Moodle XML file)", "moodle-xml", _nothing),
        Target("canvas-classic", "Canvas Classic Quizzes (QTI 1.2 zip)", "qti12",
               _canvas_classic),
        Target("canvas-new", "Canvas New Quizzes (QTI 1.2 zip)", "qti12", _canvas_new),
        Target("gift", "Moodle or any GIFT reader (GIFT file)", "gift", _nothing),
        Target("qti21", "QTI 2.1 LMSs (content package zip)", "qti21", _qti21),
        Target("cmi5", "cmi5 LMSs and learning record stores (cmi5 course package zip)", "cmi5",
               _nothing),
    )
}
ALIASES = {"canvas": ("canvas-classic", "canvas-new")}


def target_names(names: list[str]) -> list[str]:
    """The targets asked for, aliases expanded; every target when none is given."""
    if not names:
        return list(TARGETS)
    expanded = [t for n in names for t in ALIASES.get(n, (n,))]
    return list(dict.fromkeys(expanded))


def report(course: Course, targets: list[str],
           checked: dict[str, list[Problem]] | None = None) -> dict[str, list[Problem]]:
    """Per target, what it will drop or change (exporter warnings, then the LMS's own).

    ``checked``: what formats' checks already found (the build's), so that each format's
    checks run once however many targets it serves.
    """
    known = dict(checked or {})
    found: dict[str, list[Problem]] = {}
    for name in target_names(targets):
        target = TARGETS[name]
        if target.format not in known:
            known[target.format] = format_problems(target.format, course)
        problems = [replace(p, rule=p.rule or target.format) for p in known[target.format]]
        found[name] = problems + list(target.notes(course))
    return found


def preflight(course: Course, targets: list[str]) -> list[Problem]:
    """Every pre-flight problem of the targets asked for, target by target."""
    return [p for problems in report(course, targets).values() for p in problems]


def summary_notes(course: Course, fmt: str, checked: list[Problem] | None = None) -> list[str]:
    """The build output's line for ``fmt``: per target it serves, how many warnings (or none);
    ``checked``: what the format's checks already found in this build."""
    names = [t.name for t in TARGETS.values() if t.format == fmt]
    known = {fmt: checked} if checked is not None else None
    return [summary_note(course, names, known)] if names else []


def summary_note(course: Course, names: list[str],
                 checked: dict[str, list[Problem]] | None = None) -> str:
    """One line: for each of the targets ``names``, how many warnings."""
    count = sum(1 for _ in course.questions())
    parts = [f"{name} {len(problems)} warning{'s' * (len(problems) != 1)}"
             for name, problems in report(course, names, checked).items()]
    options = " ".join(f"--target {name}" for name in names)
    return f"pre-flight, {count} questions: {', '.join(parts)} (coursepack check {options})"


__all__ = ["ALIASES", "TARGETS", "Target", "preflight", "report", "summary_note", "summary_notes",
           "target_names"]
