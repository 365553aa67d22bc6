"""The one interface every output format implements, and the folder it writes into."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import ClassVar, Protocol, TypeVar, cast, runtime_checkable

from coursepack import markup
from coursepack.cache import Cache
from coursepack.errors import CoursepackError, Problem
from coursepack.model import Course
from coursepack.workers import Workers


class OutputDir:
    """Writes files under one folder, refusing to write a path twice or outside it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: dict[str, Path] = {}
        root.mkdir(parents=True, exist_ok=True)
        self._folders = {root}  # made already

    def path(self, relpath: str) -> Path:
        pure = PurePosixPath(relpath)
        if pure.is_absolute() or ".." in pure.parts:
            raise CoursepackError.single(f"refusing to write outside the output folder: {relpath}")
        if relpath in self.written:
            raise CoursepackError.single(
                f"two parts of the course would both be written to {relpath}",
                hint="give them different ids",
            )
        target = self.root / pure
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        self.written[relpath] = target
        return target

    def write_text(self, relpath: str, text: str) -> Path:
        target = self.path(relpath)
        target.write_text(text, encoding="utf-8", newline="\n")
        return target

    def write_bytes(self, relpath: str, data: bytes) -> Path:
        target = self.path(relpath)
        target.write_bytes(data)
        return target

    def copy(self, source: Path, relpath: str) -> Path:
        target = self.path(relpath)
        shutil.copyfile(source, target)
        return target

    def reuse(self, previous: Path, relpath: str) -> Path:
        """Take over a file of the previous build: a hard link when possible, else a copy.

        Only for files of the build being replaced, which is deleted once this one is in
        place; never for the course's own files, which a link would let a build change.
        """
        target = self.path(relpath)
        try:
            os.link(previous, target)
        except OSError:
            shutil.copyfile(previous, target)
        return target


@dataclass
class ExportContext:
    """What an exporter gets: the course, where to write, its previous output, and the
    build's cache (where whatever is kept between builds goes, never into ``out``)."""

    course: Course
    out: OutputDir
    previous: Path | None = None
    progress: Callable[[str], None] = lambda message: None
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """What exporting found wrong that the checks before it could not see (a file a course's
    own template asks for and does not get): printed with the course's problems, kept with
    the output and said again while it is kept, an error under ``--strict``."""
    cache: Cache = field(default_factory=lambda: Cache(None))
    workers: Workers = field(default_factory=lambda: Workers(1))
    """The build's worker processes; by default none (the work is done in this process)."""
    translations: tuple[tuple[str, Course], ...] = ()
    """The course in each other language of ``languages:`` (language, course), given to the
    course's own language's build only, for a format that carries several languages in one
    file (Moodle XML's ``multilang``)."""
    destination: Path | None = None
    """Where ``out`` is moved once the build succeeds (``previous`` is the last build
    there); None when the output goes into a package."""
    shared: dict[str, object] = field(default_factory=dict)
    """What one format made in this build that another carries too, by name, one dict for
    every format of the build (``made_once``): the single-file modules, which the field pack
    and the single-file format both carry; the course pages SCORM and cmi5 packages carry;
    each format's output folder (``note_output``), for the field pack's site and PDFs."""
    also_read: dict[str, str] = field(default_factory=dict)
    """Files of the course the output was made from that are none of the course's known
    inputs (a logo a course's own PDF template shows): each one's path in the course, with
    the SHA-256 (hex) of its bytes as read. Recorded with the output, and checked before it
    is kept from a build to the next."""


_T = TypeVar("_T")


@dataclass(frozen=True)
class _Made:
    made_from: tuple[object, ...]
    value: object


def made_once(ctx: ExportContext, name: str, made_from: tuple[object, ...],
              make: Callable[[], _T]) -> _T:
    """What ``make`` gives, made once in a build for every format that asks for ``name``
    with the same ``made_from`` (the same objects, or equal ones: a course and settings)."""
    found = _found(ctx, name, made_from)
    if found is not None:
        return cast(_T, found.value)
    value = make()
    ctx.shared[name] = _Made(made_from, value)
    return value


def _found(ctx: ExportContext, name: str, made_from: tuple[object, ...]) -> _Made | None:
    found = ctx.shared.get(name)
    if isinstance(found, _Made) and len(found.made_from) == len(made_from) and all(
            mine is theirs or mine == theirs
            for mine, theirs in zip(made_from, found.made_from, strict=True)):
        return found
    return None


def note_output(ctx: ExportContext, fmt: str) -> None:
    """Say that format ``fmt`` has its whole output for ``ctx.course`` in ``ctx.out`` (made
    or kept from the last build), for a format of the same build that carries it too."""
    ctx.shared[f"output:{fmt}"] = _Made((ctx.course,), (ctx.out.root, ctx.also_read))


def note_under_way(ctx: ExportContext, fmt: str, finish: Callable[[], object]) -> None:
    """Say that format ``fmt`` started its export for ``ctx.course`` early (``StartsEarly``)
    and that ``finish`` finishes it: a format that carries its output and comes first in
    the build has it finished, rather than make the same files again meanwhile."""
    ctx.shared[f"under way:{fmt}"] = _Made((ctx.course,), finish)


def output_of(ctx: ExportContext, fmt: str, course: Course) -> Path | None:
    """The folder format ``fmt`` wrote in this build from ``course`` (the same course or an
    equal one), if it did (``note_output``), finished now if it is under way; else None.
    What that output was made from besides the course's known inputs (``also_read``)
    becomes ``ctx``'s too."""
    under_way = _found(ctx, f"under way:{fmt}", (course,))
    if under_way is not None and callable(under_way.value):
        under_way.value()
    found = _found(ctx, f"output:{fmt}", (course,))
    if found is None or not isinstance(found.value, tuple):
        return None
    folder, also_read = found.value
    ctx.also_read.update(also_read)
    return cast(Path, folder)


def parse_lessons_in_parallel(course: Course, workers: Workers) -> None:
    """Parse every lesson body up front, in the build's workers, when the course is large
    enough.

    Bodies are most of the Markdown of a course; shorter texts cost more to send to a
    worker than to parse where they are needed.
    """
    markup.prime((lesson.body for _, lesson in course.lessons()), workers.executor)


class Exporter(Protocol):
    """One output format; ``name`` is its CLI value, registry key, templates/ and build/ folder."""

    name: ClassVar[str]
    summary: ClassVar[str]

    def check(self, course: Course) -> list[Problem]:
        """What this format cannot carry (warnings) or cannot build (errors)."""
        ...

    def export(self, ctx: ExportContext) -> Path:
        """Write the format's files under ``ctx.out``; return the file a user should open."""
        ...


@runtime_checkable
class ShowsNoLessons(Protocol):
    """A format made from the course's quizzes, its modules (but their lessons) and its
    settings, never from a lesson, when rendered with the theme's templates: a build whose
    changes are all to lessons keeps its last output. (A course's own templates for it can
    show anything, lessons too.)"""

    shows_no_lessons: ClassVar[bool]


@runtime_checkable
class StartsEarly(Protocol):
    """An exporter whose slow work is done by the build's worker processes and can be
    started before the formats before it export: a build starts it first, exports the
    others while the workers work (an edited lesson's PDF renders while the site is
    written), and finishes it in its turn."""

    def export_started(self, ctx: ExportContext) -> Generator[None, None, Path]:
        """``export`` in two steps: it pauses (``yield``) once its work is under way in the
        workers, and returns the file a user should open. Closed early (the build failed
        meanwhile), it lets go of what it holds."""
        ...


def to_the_end(export: Generator[None, None, Path]) -> Path:
    """What an export in steps (``StartsEarly``) returns, every step of it done now."""
    try:
        while True:
            next(export)
    except StopIteration as done:
        return cast(Path, done.value)
