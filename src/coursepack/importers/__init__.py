"""``coursepack import``: question banks from other tools become quiz files of a course.

One module per format reads a file into a ``Bank`` (quizzes of question mappings in the
spec's shape, blocks the model cannot hold, images, located warnings); ``plan`` turns the
banks into the files to write, with ids that are free in the course; ``write`` stages
them and moves them into place only once everything has been read, so a bad input writes
nothing. The course is then loaded as ``coursepack validate`` would: what an import writes
always validates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from coursepack.errors import CoursepackError, Origin, Problem
from coursepack.importers import gift, moodle_xml, qti12, qti21
from coursepack.importers.base import Bank
from coursepack.importers.plan import Plan, commit, plan_import
from coursepack.importers.safe import read_bytes

READERS: dict[str, ModuleType] = {m.name: m for m in (moodle_xml, qti21, qti12, gift)}
"""Every format an import reads, in the order ``detect`` tries them (GIFT, plain text, last)."""


@dataclass
class Imported:
    """What an import did."""

    course: Path
    created_course: bool
    written: list[Path] = field(default_factory=list)
    listed_in: list[Path] = field(default_factory=list)
    quizzes: list[str] = field(default_factory=list)
    questions: int = 0
    kept: int = 0
    problems: list[Problem] = field(default_factory=list)


def detect(data: bytes, source: str) -> ModuleType:
    """The reader of a file, from its content."""
    for reader in READERS.values():
        if reader.detect(data):
            return reader
    raise CoursepackError.single(
        "cannot tell which question-bank format this file is", Origin(source),
        hint=f"formats read: {', '.join(r.label for r in READERS.values())}; "
             "name one with --from")


def read_bank(path: Path, fmt: str | None = None) -> Bank:
    """One file as a bank: the format from ``fmt`` or from the content."""
    data = read_bytes(path)
    source = path.name
    reader = READERS[fmt] if fmt else detect(data, source)
    return reader.read(data, source)  # type: ignore[no-any-return]


def import_banks(files: Sequence[Path], into: Path | None, quiz: str | None = None,
                 fmt: str | None = None) -> Imported:
    """Read every file, then write its quizzes into the course ``into`` (a new course
    named after the first file when None)."""
    banks = [read_bank(path, fmt) for path in files]
    plan = plan_import(banks, into, quiz, Path(files[0]).name if files else "import")
    return write(plan)


def write(plan: Plan) -> Imported:
    """Write what ``plan`` holds (staged, then moved into place) and say what was done."""
    done = commit(plan)
    return Imported(course=plan.course, created_course=plan.new_course, written=done.written,
                    listed_in=done.listed_in, quizzes=[q.name for q in plan.quizzes],
                    questions=plan.question_count, kept=plan.kept_count,
                    problems=plan.problems)


__all__ = ["READERS", "Imported", "detect", "import_banks", "read_bank", "write"]
