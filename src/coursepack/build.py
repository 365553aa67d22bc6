"""The pipeline: load -> check -> export each format into staging -> swap into place.

A build writes into a staging folder beside the output and moves each format's
folder into place only when every format succeeded, so a failed build leaves the
previous output exactly as it was.

Validation also checks the settings of every format and of the lint in course.yaml
(each owner reads its own), whichever formats are built, and reports a top-level field
that neither the course nor any owner knows.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from coursepack import fingerprint
from coursepack.checks import check_course, check_partial_course
from coursepack.errors import CoursepackError, Problem
from coursepack.exporters import (
    EXPORTERS,
    ExportContext,
    Exporter,
    OutputDir,
    Prepares,
    format_problems,
    get_exporter,
    settings_owners,
)
from coursepack.fields import HasSettings, unknown_field
from coursepack.lint import Lint
from coursepack.loader import COURSE_FIELDS, load_course
from coursepack.loader.questions import TYPE_FIELDS
from coursepack.model import Course
from coursepack.preflight import summary_notes
from coursepack.render import template_problems
from coursepack.spec_schema import Schema, schema


@dataclass
class Built:
    """One format's result: the file to open and how long it took."""

    name: str
    entry: Path
    seconds: float
    notes: list[str] = field(default_factory=list)
    summarised: bool = False
    """Its format warnings are summed up in a pre-flight note (details: coursepack check)."""


@dataclass
class Report:
    """What a validate or build found and made."""

    course: Course
    problems: list[Problem]
    format_problems: dict[str, list[Problem]] = field(default_factory=dict)
    built: list[Built] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def validate(root: Path, formats: Iterable[str] = (), strict: bool = False) -> Report:
    """Load and check a course; raise ``CoursepackError`` with every error found."""
    course, problems = load_course(root)
    loaded_cleanly = not any(p.is_error for p in problems)
    problems += settings_problems(course)
    problems += check_course(course) if loaded_cleanly else check_partial_course(course)
    problems += template_problems(root)
    if strict:
        problems = [p.promoted() for p in problems]
    # What a format cannot carry is the pre-flight report's business: it never becomes an
    # error under --strict, and the CLI summarises it per format instead of line by line.
    by_format = {name: format_problems(name, course) for name in formats}
    dropped = [p for found in by_format.values() for p in found]
    if any(p.is_error for p in problems + dropped):
        raise CoursepackError(problems + dropped)
    return Report(course, problems, by_format)


def owners() -> list[HasSettings]:
    """Everything that owns a top-level field of course.yaml: the lint, then the formats."""
    return [Lint(), *settings_owners()]


def settings_problems(course: Course) -> list[Problem]:
    """What is wrong with the settings of each owner, and every field nobody owns."""
    everyone = owners()
    found = [p for owner in everyone for p in owner.settings(course)[1]]
    owned = {owner.settings_key for owner in everyone}
    known = [*COURSE_FIELDS, *owned]
    found += [unknown_field(s.origin, s.name, "course.yaml", known)
              for s in course.sections if s.name not in owned]
    return found


def settings_schemas() -> dict[str, Schema]:
    """The JSON Schema of each owner's field of course.yaml, for ``coursepack schema``."""
    return {owner.settings_key: owner.settings_schema for owner in owners()}


def spec_schema(kind: str) -> Schema:
    """The JSON Schema of one kind of spec file, with what its owners declare: each format's
    (and the lint's) settings, each question type's fields (from its reader)."""
    return schema(kind, settings_schemas(), TYPE_FIELDS)


def build(
    root: Path,
    formats: Iterable[str] = (),
    out: Path | None = None,
    strict: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> Report:
    """Build ``formats`` (all when empty) of the course in ``root`` into ``out``."""
    names = list(dict.fromkeys(formats)) or list(EXPORTERS)
    report = validate(root, names, strict)
    out = (out or root / "build").resolve()
    exporters = [get_exporter(name) for name in names]
    inputs = fingerprint.digest(report.course)
    with staging(out) as stage, ExitStack() as started:
        steps = [_Step(exporter, _context(exporter, report.course, stage, out, progress),
                       fingerprint.for_format(inputs, exporter.name),
                       report.format_problems.get(exporter.name, []))
                 for exporter in exporters]
        for step in steps:  # slow set-up of later formats runs while earlier ones export
            if step.kept is None and isinstance(step.exporter, Prepares):
                started.enter_context(step.exporter.prepare(step.ctx))
        report.built.extend(step.run() for step in steps)
        _swap_in(stage, out, names)
    for built in report.built:
        built.entry = out / built.entry.relative_to(stage)
    return report


def _context(exporter: Exporter, course: Course, stage: Path, out: Path,
             progress: Callable[[str], None]) -> ExportContext:
    previous = out / exporter.name
    return ExportContext(
        course=course,
        out=OutputDir(stage / exporter.name),
        previous=previous if previous.is_dir() else None,
        progress=progress,
    )


class _Step:
    """One format of a build: kept from the last build if nothing it is made from changed."""

    def __init__(self, exporter: Exporter, ctx: ExportContext, digest: str,
                 checked: list[Problem]) -> None:
        self.exporter, self.ctx, self.digest = exporter, ctx, digest
        self.checked = checked  # what validate() found this format drops: checked once
        before = fingerprint.read(ctx.previous)
        intact = (ctx.previous is not None and before is not None and before.digest == digest
                  and before.intact(ctx.previous))
        self.kept = before if intact else None

    def run(self) -> Built:
        started = time.perf_counter()
        ctx = self.ctx
        if self.kept is not None and ctx.previous is not None:
            for relpath in sorted(self.kept.files):
                ctx.out.reuse(ctx.previous / relpath, relpath)
            ctx.notes.append("nothing it is made from changed: the last build's output is kept")
            entry = ctx.out.root / self.kept.entry
        else:
            entry = self.exporter.export(ctx)
        files = fingerprint.written(ctx.out.root)
        record = fingerprint.Record(self.digest, entry.relative_to(ctx.out.root).as_posix(), files)
        ctx.out.write_text(fingerprint.RECORD, record.text())
        summary = summary_notes(ctx.course, self.exporter.name, self.checked)
        seconds = time.perf_counter() - started
        return Built(self.exporter.name, entry, seconds, ctx.notes + summary, bool(summary))


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A fresh folder beside ``out`` (same file system, so moves are renames); always removed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _swap_in(stage: Path, out: Path, names: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = out / name
        if target.exists():
            target.rename(stage / f".old-{name}")
        (stage / name).rename(target)
