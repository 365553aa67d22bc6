"""The pipeline: load -> check -> export each format into staging -> swap into place.

A build writes into a staging folder inside the output folder and moves the format
folders into place only when every format succeeded, all of them or none, so a failed or
interrupted build leaves the previous output exactly as it was (rules: output_folder).

The formats export in the order asked for, but one whose work is done by the build's
worker processes (the PDFs: ``StartsEarly``) is started before any exports and finished in
its turn: its renderings go on while this process writes the other formats.

Validation also checks the settings of every format and of the lint in course.yaml
(each owner reads its own), whichever formats are built, and reports a top-level field
that neither the course nor any owner knows.
"""

from __future__ import annotations

import dataclasses
import gc
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from coursepack import cache, fingerprint, leaving, scratch
from coursepack.checks import check_course, check_partial_course
from coursepack.confinement import folders_resolved_once, refuse_link_out
from coursepack.errors import CoursepackError, Problem, error
from coursepack.exporters._package import date_problems
from coursepack.exporters.base import (
    ExportContext,
    Exporter,
    OutputDir,
    ShowsNoLessons,
    StartsEarly,
    note_output,
    note_under_way,
    to_the_end,
)
from coursepack.exporters.html import HtmlExporter
from coursepack.fields import HasSettings, unknown_field
from coursepack.formats import (
    EXPORTERS,
    SETTINGS_FIELDS,
    format_problems,
    get_exporter,
    settings_owners,
    warm_early,
    worker_setup,
)
from coursepack.lint import Lint
from coursepack.loader import COURSE_FIELDS, load_course
from coursepack.loader.course import reload_lesson
from coursepack.loader.questions import TYPE_FIELDS
from coursepack.locale import speaking
from coursepack.model import Course
from coursepack.output_folder import BuildInterrupted, OutputFolder
from coursepack.preflight import summary_notes
from coursepack.render import has_own_templates, template_problems
from coursepack.spec_schema import Schema, schema
from coursepack.workers import Workers, lost_reported


@dataclass
class Built:
    """One format's result: the file to open and how long it took."""

    name: str
    entry: Path
    seconds: float
    notes: list[str] = field(default_factory=list)
    summarised: bool = False
    """Its format warnings are summed up in a pre-flight note (details: coursepack check)."""
    warnings: list[Problem] = field(default_factory=list)
    """What exporting found wrong (``ExportContext.warnings``), this build's or, for an
    output kept, the build's that made it."""


@dataclass
class Report:
    """What a validate or build found and made."""

    course: Course
    problems: list[Problem]
    format_problems: dict[str, list[Problem]] = field(default_factory=dict)
    built: list[Built] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the build as a whole

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def validate(root: Path, formats: Iterable[str] = (), strict: bool = False) -> Report:
    """Load and check a course; raise ``CoursepackError`` with every error found."""
    with folders_resolved_once():
        return _validate(root, formats, strict)


def _validate(root: Path, formats: Iterable[str], strict: bool) -> Report:
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


def owners(fields: Iterable[str] | None = None) -> list[HasSettings]:
    """Everything that owns a top-level field of course.yaml: the lint, then the formats
    (those of ``fields`` only, if given)."""
    return [Lint(), *settings_owners(fields)]


def settings_problems(course: Course) -> list[Problem]:
    """What is wrong with the settings of each owner, and every field nobody owns. A format
    whose field the course does not set is not asked (nor imported): unset, a format's
    settings are its defaults, never a problem."""
    found = [p for owner in owners({s.name for s in course.sections})
             for p in owner.settings(course)[1]]
    owned = {Lint.settings_key, *SETTINGS_FIELDS}
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
    force: bool = False,
    workers: Workers | None = None,
) -> Report:
    """Build ``formats`` (all when empty) of the course in ``root`` into ``out``, with
    ``workers`` if given (set up already, perhaps: ``formats.warm_early``; stopped at the
    end).

    ``out`` must be new, empty or a previous build unless ``force`` (see output_folder).
    Each language of ``languages:`` but the course's own is built from its translation
    into ``out/<language>/<format>/``, swapped in with the rest.
    """
    names = list(dict.fromkeys(formats)) or list(EXPORTERS)
    out = (out or _default_output(root)).resolve()
    scratch.sweep()  # what a killed build left in the temporary folder, whatever it made
    workers = workers or Workers()
    try:
        with _fewer_collections():
            warmed = workers.warmed or warm_early(workers, names)
            return _build(root, names, out, strict, progress, force, workers, warmed)
    finally:
        workers.close()


def _default_output(root: Path) -> Path:
    """``build/`` in the course folder; refused when it is a link that leads out of it (a
    course that came from elsewhere could send the build anywhere with one)."""
    real = root.resolve()
    return refuse_link_out(real, real / "build", hint="a build does not follow a course's "
                           "link out of it: remove the link, or name the output folder with "
                           "--out")


class _CollectorTuning:
    """Python's garbage collector, tuned while builds run (and for the workers they fork).

    Loading a course makes hundreds of thousands of objects that live as long as the
    build, and the collector would go through them again and again as they come (a tenth
    of a second at 1,000 lessons): it waits while the course loads, then leaves them out
    of its rounds (``gc.freeze``), and runs less often for what the build makes next.
    The build makes few reference cycles, so memory stays about the same. All as it was
    once the last build running in this process is over.

    Those few cycles (Jinja's macros make some) keep what they hold, the course with them,
    and what was frozen goes back to the oldest generation, which the collector then
    seldom looks at: a process that builds again and again (the preview) would keep every
    build's course. So the last build running collects before it unfreezes: only what it
    made after the course loaded is gone through, which is cheap in any process. (Not in
    the ``coursepack`` program: it leaves without freeing anything.)
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.thresholds = gc.get_threshold()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if not self.running:
                self.thresholds = gc.get_threshold()
                gc.set_threshold(20_000, 20, 10)
            self.running += 1
        try:
            yield
        finally:
            with self.lock:
                self.running -= 1
                if not self.running:
                    if not leaving.leaves_without_freeing():
                        gc.collect()
                    gc.unfreeze()
                    gc.set_threshold(*self.thresholds)


_fewer_collections = _CollectorTuning()


@contextmanager
def _while_loading() -> Iterator[None]:
    """No collection while the course loads; what it loaded is then left out of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _inputs(course: Course, exporters: list[Exporter]) -> dict[str, str]:
    """The digest of what each format is made from: everything, or for a format that shows
    no lesson (with the theme's templates), everything but the lessons."""
    everything, without_lessons = fingerprint.digests(course)
    return {exporter.name: without_lessons
            if isinstance(exporter, ShowsNoLessons) and exporter.shows_no_lessons
            and not has_own_templates(exporter.name, course.root) else everything
            for exporter in exporters}


def _build(root: Path, names: list[str], out: Path, strict: bool,
           progress: Callable[[str], None], force: bool, workers: Workers,
           warmed: Callable[[], object] | None) -> Report:
    try:
        with folders_resolved_once():
            dates = date_problems()
            cache.check_limit()
            with _while_loading():
                report = validate(root, names, strict)
            report.problems += dates
            exporters = [get_exporter(name) for name in names]
            inputs = _inputs(report.course, exporters)
            languages, translation_problems = _editions(report.course, strict)
            report.problems += translation_problems
    except KeyboardInterrupt:
        raise BuildInterrupted(out) from None
    store = cache.Cache.for_course(root)
    with OutputFolder(out, EXPORTERS, force) as folder:
        stage = folder.stage
        # One pool for every format's work; the workers stop before the swap.
        with folder.os_errors(), workers:
            shared: dict[str, object] = {}  # see ExportContext.shared
            steps = [_Step(exporter, _context(exporter, report.course, stage, out, progress,
                                              store, workers, shared, tuple(languages)),
                           fingerprint.for_format(inputs[exporter.name], exporter.name),
                           report.format_problems.get(exporter.name, []), exporter.name)
                     for exporter in exporters]
            own = {language: fingerprint.edition_digest(edition, report.course)
                   for language, edition in languages}
            steps += [_Step(exporter, _context(exporter, edition, stage / language, out / language,
                                               progress, store, workers, shared),
                            fingerprint.for_format(inputs[exporter.name] + own[language],
                                                   f"{language}/{exporter.name}"),
                            report.format_problems.get(exporter.name, []),
                            f"{language}/{exporter.name}")
                      for language, edition in languages for exporter in exporters]
            setups = {setup: None for setup in (worker_setup(step.exporter.name)
                                                for step in steps if step.kept is None)
                      if setup is not None}
            if warmed not in setups:
                workers.not_needed()
            for setup in setups:  # slow set-ups run while earlier formats export
                if setup is not warmed or not workers.started:
                    workers.warm(setup)
            with lost_reported(), _closed_at_the_end(steps):
                for step in steps:  # what the workers do first, while this process exports
                    step.start()
                report.built.extend(step.run() for step in steps)
            report.problems += _export_warnings(report.built, strict)
        folder.swap_in(names + [language for language, _ in languages])
    try:
        store.evict()
    except KeyboardInterrupt:
        raise BuildInterrupted(out, complete=True) from None
    report.notes += filter(None, [store.unwritten_note(), store.past_limit_note()])
    for built in report.built:
        built.entry = out / built.entry.relative_to(stage)
    return report


def _editions(course: Course, strict: bool) -> tuple[list[tuple[str, Course]], list[Problem]]:
    """The course in each of its other languages (``translate.editions``); the code that
    reads translations loads only for a course that has some to read."""
    if all(language == course.language for language in course.languages):
        return [], []
    from coursepack.translate import editions

    return editions(course, strict)


def _export_warnings(built: list[Built], strict: bool) -> list[Problem]:
    """What the exports found wrong; under ``--strict``, an error that keeps the last build
    (every output this build made is in the cache: building again takes moments)."""
    found = [problem for one in built for problem in one.warnings]
    if strict and found:
        raise CoursepackError([problem.promoted() for problem in found] + [error(
            None, "--strict makes the warnings above errors: nothing this build made is written",
            hint="fix them and build again (what was rendered is kept for that build), or "
                 "build without --strict")])
    return found


def edited_lesson_page(course: Course, path: Path) -> tuple[Course, str, str,
                                                           dict[str, Path]] | None:
    """The site's page for the lesson file ``path`` just edited, as the next build of
    ``course`` will write it: the course with that lesson read again, the page's path in
    the site, its HTML and the images it shows. None when the lesson does not load, or the
    checks that need no other lesson or quiz find an error in it (a whole build says what).

    For the preview: it shows the edited page first, then builds the whole site again.
    """
    found = reload_lesson(course, path)
    if found is None:
        return None
    edited, module, lesson = found
    alone = dataclasses.replace(edited, quizzes=(), modules=(
        dataclasses.replace(module, lessons=(lesson,)),))
    if any(p.is_error for p in check_course(alone)):
        return None
    try:
        relpath, html, images = HtmlExporter().lesson_page(edited, module.id, lesson.id)
    except CoursepackError:
        return None
    return edited, relpath, html, images


def _context(exporter: Exporter, course: Course, stage: Path, out: Path,
             progress: Callable[[str], None], store: cache.Cache,
             workers: Workers, shared: dict[str, object],
             translations: tuple[tuple[str, Course], ...] = ()) -> ExportContext:
    previous = out / exporter.name
    return ExportContext(
        course=course,
        out=OutputDir(stage / exporter.name),
        previous=previous if previous.is_dir() and not previous.is_symlink() else None,
        progress=progress,
        cache=store,
        workers=workers,
        translations=translations,
        destination=previous,
        shared=shared,
    )


class _Step:
    """One format of a build: kept from the last build if nothing it is made from changed."""

    def __init__(self, exporter: Exporter, ctx: ExportContext, digest: str,
                 checked: list[Problem], folder: str) -> None:
        self.exporter, self.ctx, self.digest = exporter, ctx, digest
        self.folder = folder  # its output's, in the build's: "pdf", "fr/pdf"
        self.checked = checked  # what validate() found this format drops: checked once
        before = fingerprint.recorded(ctx.cache, digest)
        intact = (ctx.previous is not None and before is not None
                  and before.intact(ctx.previous) and not _links(ctx.previous, before.files)
                  and before.made_from_these(ctx.course.root.resolve()))
        self.kept = before if intact else None
        self.spent = 0.0  # seconds of this process's time, when started early
        self.under_way: Generator[None, None, Path] | None = None  # StartsEarly's export
        self.entry_made: Path | None = None  # its file, if it is done already
        self.built: Built | None = None

    def start(self) -> None:
        """Start the export now if its format starts early (``StartsEarly``)."""
        if self.kept is None and isinstance(self.exporter, StartsEarly):
            started = time.perf_counter()
            under_way = self.exporter.export_started(self.ctx)
            with speaking(self.ctx.course.language, self.ctx.course.root):
                try:
                    next(under_way)
                except StopIteration as done:  # done in one step after all
                    self.entry_made = done.value
                else:
                    self.under_way = under_way
                    note_under_way(self.ctx, self.exporter.name, self.run)
            self.spent = time.perf_counter() - started

    def close(self) -> None:
        """Let go of an export started early and not finished (the build failed)."""
        if self.under_way is not None:
            self.under_way.close()

    def run(self) -> Built:
        """The format's output, made or kept; done once (a format that carries it may have
        asked for it before its turn: ``output_of``)."""
        if self.built is None:
            self.built = self._made()
        return self.built

    def _made(self) -> Built:
        started = time.perf_counter() - self.spent
        ctx = self.ctx
        if self.kept is not None and ctx.previous is not None:
            for relpath in sorted(self.kept.files):
                ctx.out.reuse(ctx.previous / relpath, relpath)
            ctx.notes.append("nothing it is made from changed: the last build's output is kept")
            ctx.also_read.update(self.kept.also_read)
            ctx.warnings.extend(self.kept.warnings)
            entry = ctx.out.root / self.kept.entry
        else:
            # the words an exporter writes itself are in the course's language
            with speaking(ctx.course.language, ctx.course.root):
                entry = self.entry_made or (self.exporter.export(ctx) if self.under_way is None
                                            else to_the_end(self.under_way))
        fingerprint.remember(ctx.cache, self.digest, ctx.out.root,
                             entry.relative_to(ctx.out.root).as_posix(), ctx.also_read,
                             ctx.warnings)
        note_output(ctx, self.exporter.name)
        summary = summary_notes(ctx.course, self.exporter.name, self.checked)
        seconds = time.perf_counter() - started
        return Built(self.exporter.name, entry, seconds, ctx.notes + summary, bool(summary),
                     [dataclasses.replace(w, message=f"{self.folder}: {w.message}")
                      for w in ctx.warnings])


@contextmanager
def _closed_at_the_end(steps: list[_Step]) -> Iterator[None]:
    """Every export started early and not finished let go of when the build fails: what
    went wrong is reported, not a failure of letting go that it may cause."""
    try:
        yield
    except BaseException:
        for step in steps:
            with suppress(Exception):
                step.close()
        raise


def _links(folder: Path, relpaths: Iterable[str]) -> bool:
    """Whether a recorded file, or a folder on its way, is a symbolic link.

    A build/ folder can come with a course, and a link in it could make the build take
    over a file from outside the course as "the last build's output".
    """
    for relpath in relpaths:
        path = folder
        for part in Path(relpath).parts:
            path = path / part
            if path.is_symlink():
                return True
    return False
