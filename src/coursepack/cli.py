"""The command line: argument parsing only. Problems become exit codes here and nowhere else."""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from coursepack import leaving
from coursepack.atomic import replace_whole
from coursepack.errors import CoursepackError, Problem, os_error
from coursepack.output_folder import BuildInterrupted

if TYPE_CHECKING:
    from coursepack import build as pipeline
    from coursepack.results import CourseRef
    from coursepack.translate import Status

F = TypeVar("F", bound=Callable[..., Any])
COURSE_DIR = click.argument(
    "course_dir", default=".", type=click.Path(file_okay=False, path_type=Path)
)


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        colour = "red" if problem.is_error else "yellow"
        click.secho(str(problem), fg=colour, err=True)


def _summary(problems: Sequence[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


@contextmanager
def _loading() -> Iterator[None]:
    """Around a command's imports of the pipeline, loaded when first needed (a build starts
    its PDF worker before): a Ctrl+C that came meanwhile and that Python could only warn
    of (raised in an import's cleanup) stops the command here, as it would have stopped the
    program loading.

    The garbage collector waits meanwhile: importing makes objects that last as long as
    the program and almost no cycles, and it went through them again and again as they
    came, a hundredth of a second or two at every command. In the ``coursepack`` program
    they are then left out of its later rounds too (``gc.freeze``); not in a process that
    runs commands and goes on (the tests), where what was frozen would never be freed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if leaving.leaves_without_freeing():
            gc.freeze()
        if enabled:
            gc.enable()
    if leaving.stop_requested():
        raise KeyboardInterrupt


def reports_problems(command: F) -> F:
    """Turn a ``CoursepackError`` into printed problems and exit code 1; never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with leaving.signals_interrupt():
                return command(*args, **kwargs)
        except CoursepackError as exc:
            _fail(exc.problems)
        except OSError as exc:  # the disk, not the course: a full disk, a read-only folder
            _fail([os_error(exc, "write" if _writing(exc) else "read")])
        except BuildInterrupted as exc:
            state = "holds the new build" if exc.complete else "unchanged"
            click.secho(f"Build interrupted; {_shown(exc.out)}/ {state}", fg="red", err=True)
            sys.exit(_STOPPED + leaving.stop_signal())
        except KeyboardInterrupt:
            click.secho("Interrupted", fg="red", err=True)
            sys.exit(_STOPPED + leaving.stop_signal())
        except (click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # a bug of ours: say so plainly, details on request
            if os.environ.get("COURSEPACK_DEBUG"):
                traceback.print_exc()
            click.secho(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "  hint: this is a bug in coursepack; set COURSEPACK_DEBUG=1 for details "
                "and report it with the course that caused it",
                fg="red",
                err=True,
            )
            sys.exit(3)

    return wrapper  # type: ignore[return-value]


_STOPPED = 128
"""A command stopped by signal N exits with 128 + N, as a shell reports it: 130 for Ctrl+C,
143 for SIGTERM, 129 for SIGHUP. The program itself goes further (``run``)."""


def _fail(problems: Sequence[Problem]) -> None:
    _print_problems(problems)
    click.secho(f"failed: {_summary(problems)}", fg="red", err=True)
    sys.exit(1)


def _writing(exc: OSError) -> bool:
    return not isinstance(exc, FileNotFoundError)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "--version", package_name="coursepack", prog_name="coursepack")
def main() -> None:
    """Turn YAML lesson and quiz specs into a course site, PDFs and LMS packages."""


@main.command()
@COURSE_DIR
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@reports_problems
def validate(course_dir: Path, strict: bool) -> None:
    """Check a course and report every problem with its file and line."""
    with _loading():
        from coursepack import build as pipeline

    report = pipeline.validate(course_dir, strict=strict)
    _print_problems(report.problems)
    course = report.course
    questions = sum(1 for _ in course.questions())
    click.echo(
        f"{course.title}: {len(course.modules)} modules, "
        f"{sum(len(m.lessons) for m in course.modules)} lessons, {questions} questions; "
        f"{_summary(report.problems)}"
    )


def _format_names() -> list[str]:
    from coursepack.formats import EXPORTERS

    return list(EXPORTERS)


@main.command()
@COURSE_DIR
@click.option("-f", "--format", "formats", multiple=True, metavar="FORMAT",
              help="Format to build (repeatable); all when omitted. See 'coursepack formats'.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: build/ in the course folder).")
@click.option("--force", is_flag=True,
              help="Build into an --out folder that holds other files (its format folders "
                   "are replaced, other files are left alone).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.option("-v", "--verbose", is_flag=True, help="Print each step and its timing.")
@reports_problems
def build(course_dir: Path, formats: tuple[str, ...], out: Path | None, force: bool,
          strict: bool, quiet: bool, verbose: bool) -> None:
    """Build the course (all formats unless -f is given)."""
    unknown = [f for f in formats if f not in _format_names()]
    if unknown:
        raise click.BadParameter(
            f"unknown format '{unknown[0]}'; choose from {', '.join(_format_names())}",
            param_hint="'-f' / '--format'",
        )
    from coursepack.formats import warm_early
    from coursepack.workers import Workers

    with Workers() as workers:  # stopped by the build; here too if it never starts
        # Rendering PDFs needs WeasyPrint, half a second to load: it starts loading in a
        # worker now, beside the rest of the program (a third of a second).
        warm_early(workers, list(formats) or _format_names())
        with _loading():
            from coursepack import build as pipeline
            from coursepack.progress import BuildProgress, Verbosity
        level = Verbosity.QUIET if quiet else Verbosity.VERBOSE if verbose else Verbosity.NORMAL
        with BuildProgress(list(formats) or _format_names(), level) as progress:
            report = pipeline.build(course_dir, formats, out, strict, progress=progress,
                                    force=force, workers=workers)
    _print_problems(report.problems + _format_warnings(report, verbose))
    if not quiet:
        for built in report.built:
            click.echo(f"{built.name:<11} {_shown(built.entry)}  ({built.seconds:.1f} s)")
            for note in built.notes + _format_counts(report, built, verbose):
                click.echo(f"            {note}")
        for note in report.notes:
            click.echo(note)
        html = [b for b in report.built if b.name == "html"]
        if html:
            click.echo(f"open {_shown(html[0].entry)} in a browser")


def _format_warnings(report: pipeline.Report, verbose: bool) -> list[Problem]:
    """What each format cannot carry: listed with -v, otherwise counted under the format."""
    return [p for found in report.format_problems.values() for p in found] if verbose else []


def _format_counts(report: pipeline.Report, built: pipeline.Built, verbose: bool) -> list[str]:
    found = report.format_problems.get(built.name, [])
    if verbose or built.summarised or not found:
        return []
    return [f"{len(found)} warning{'s' * (len(found) != 1)} about what {built.name} cannot "
            f"carry (add -v to list them)"]


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@main.command()
@click.option("--types", "by_type", is_flag=True,
              help="Show how each format writes each question type, or why it leaves it out.")
@click.option("--markdown", is_flag=True, help="With --types: as the Markdown of docs/formats.md.")
def formats(by_type: bool, markdown: bool) -> None:
    """List the output formats (and, with --types, what each does with each question type)."""
    from coursepack.exporters.question_types import TABLE, Carried, markdown_sections
    from coursepack.formats import EXPORTERS

    if by_type and markdown:
        click.echo(markdown_sections({n: e.summary for n, e in EXPORTERS.items()}), nl=False)
        return
    for name, exporter in EXPORTERS.items():
        click.echo(f"{name:<12} {exporter.summary}")
        if by_type:
            for type_, cells in TABLE.items():
                cell = cells[name]
                shown = cell.how if isinstance(cell, Carried) else f"LEFT OUT: {cell.why}"
                click.echo(f"    {type_:<13} {shown}")


@main.command()
@click.argument("target", type=click.Path(path_type=Path))
@click.option("--lang", "language", default="en", show_default=True, metavar="CODE",
              help="The language of the course written: en, fr, ar or es.")
@reports_problems
def init(target: Path, language: str) -> None:
    """Write a small example course into TARGET that builds as it is."""
    from coursepack.starter import write_starter

    written = write_starter(target, language)
    click.echo(f"wrote {len(written)} files to {target}")
    click.echo(f"next: coursepack build {target}")


@main.command()
@click.argument("kind", default="course", type=click.Choice(["course", "module", "lesson", "quiz"]))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write all four schemas into this folder instead of printing one.")
@reports_problems
def schema(kind: str, out: Path | None) -> None:
    """Print the JSON Schema of a spec file kind, for editors with a YAML language server."""
    with _loading():
        from coursepack import build as pipeline
    from coursepack.spec_schema import KINDS

    def text(name: str) -> str:
        return json.dumps(pipeline.spec_schema(name), indent=2) + "\n"

    if out is None:
        click.echo(text(kind), nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    for name in KINDS:
        (out / f"coursepack-{name}.schema.json").write_text(text(name), encoding="utf-8")
    click.echo(f"wrote {len(KINDS)} schemas to {out}")


@main.command()
@COURSE_DIR
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1; 0 picks any free port.")
@reports_problems
def serve(course_dir: Path, port: int) -> None:
    """Preview the course site: rebuild and reload the page whenever a course file changes."""
    from coursepack.serve import serve as run_preview

    def echo(text: str, is_error: bool) -> None:
        click.secho(text, fg="red" if is_error else None, err=is_error)

    run_preview(course_dir, port, echo)


@main.command()
@click.argument("kind", type=click.Choice(["lesson", "quiz", "module"]))
@click.argument("name")
@COURSE_DIR
@click.option("-m", "--module", metavar="MODULE",
              help="Module of a new lesson (needed when the course has several) or quiz.")
@reports_problems
def new(kind: str, name: str, course_dir: Path, module: str | None) -> None:
    """Add a lesson, quiz or module called NAME, listed where it belongs and valid as it is."""
    from coursepack.scaffold import new as scaffold

    written = scaffold(kind, name, course_dir, module)
    for path in written.created:
        click.echo(f"wrote   {_shown(path)}")
    for path in written.listed_in:
        click.echo(f"listed  '{name}' in {_shown(path)}")
    click.echo(f"next: edit {_shown(written.created[0])}, then coursepack validate")


@main.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), metavar="COURSE_DIR",
              help="Course to add the quizzes to; a new course folder when omitted.")
@click.option("--quiz", metavar="NAME", help="Put every question into one quiz called NAME.")
@click.option("--from", "fmt", metavar="FORMAT",
              type=click.Choice(["moodle-xml", "gift", "qti12", "qti21"]),
              help="The files' format (moodle-xml, gift, qti12, qti21); found from their "
                   "content when omitted.")
@reports_problems
def import_(files: tuple[Path, ...], into: Path | None, quiz: str | None,
            fmt: str | None) -> None:
    """Bring Moodle XML, GIFT, QTI 1.2 or QTI 2.1 question banks into a course as quiz files."""
    from coursepack.importers import import_banks

    done = import_banks(files, into, quiz, fmt)
    _print_problems(done.problems)
    if done.created_course:
        click.echo(f"created course {_shown(done.course)}")
    for path in done.written:
        click.echo(f"wrote   {_shown(path)}")
    for path in done.listed_in:
        click.echo(f"listed  {', '.join(done.quizzes)} in {_shown(path)}")
    kept = f", {done.kept} kept as comments (NOT IMPORTED)" if done.kept else ""
    click.echo(f"imported {done.questions} question{'s' * (done.questions != 1)}{kept}")
    click.echo(f"next: coursepack build {_shown(done.course)}")


@main.command()
@COURSE_DIR
@click.option("--shared", is_flag=True,
              help="Also when the course's cache is the per-user one that the courses "
                   "which cannot keep their own share (a read-only course's).")
@reports_problems
def clean(course_dir: Path, shared: bool) -> None:
    """Remove the course's build cache (build/ is left as it is) and say what that freed."""
    from coursepack.cache import clean as remove_cache

    folder, freed = remove_cache(course_dir, shared)
    if not freed:
        click.echo(f"no cache to remove at {_shown(folder)}")
    elif folder.exists():  # files that are not the cache's were left there
        click.echo(f"removed the cache from {_shown(folder)}, leaving the other files there: "
                   f"{freed / 1e6:.1f} MB freed")
    else:
        click.echo(f"removed {_shown(folder)}: {freed / 1e6:.1f} MB freed")


def _target_names() -> list[str]:
    from coursepack.preflight import ALIASES, TARGETS

    return [*TARGETS, *ALIASES]


class _Later(click.Choice):  # type: ignore[type-arg]
    """A choice among names read when first needed: the pre-flight targets load the course
    model, which a build loads after starting its workers (``build``)."""

    def __init__(self, names: Callable[[], list[str]]) -> None:
        self._names = names
        super().__init__([])

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        return self._names()

    @choices.setter
    def choices(self, value: object) -> None:
        pass


@main.command()
@COURSE_DIR
@click.option("-t", "--target", "targets", multiple=True, metavar="TARGET",
              type=_Later(_target_names),
              help="LMS to check for (repeatable); all when omitted.")
@reports_problems
def check(course_dir: Path, targets: tuple[str, ...]) -> None:
    """Validate, then report what each target LMS will drop or change (pre-flight)."""
    with _loading():
        from coursepack import build as pipeline
    from coursepack.lint import lint_course
    from coursepack.preflight import TARGETS, report

    validated = pipeline.validate(course_dir)
    _print_problems(validated.problems)
    linted = lint_course(validated.course)
    click.secho("\nitem-writing lint (switch rules off in course.yaml: lint: {disable: [...]})",
                bold=True)
    if not linted:
        click.echo("  no warnings")
    for problem in linted:
        click.secho(f"  {problem}".replace("\n", "\n  "), fg="yellow")
    found = report(validated.course, list(targets))
    for name, problems in found.items():
        click.secho(f"\n{name}: {TARGETS[name].title}", bold=True)
        if not problems:
            click.echo("  nothing dropped or changed")
        for problem in problems:
            click.secho(f"  {problem}".replace("\n", "\n  "), fg="yellow")
    everything = validated.problems + linted + [p for ps in found.values() for p in ps]
    click.echo(f"\n{_summary(everything)}")
    if any(p.is_error for p in everything):
        sys.exit(1)


@main.command("verify-pack")
@click.argument("pack", type=click.Path(path_type=Path))
@reports_problems
def verify_pack(pack: Path) -> None:
    """Check a field pack (its .zip, or the folder unzipped from it) against its manifest:
    name every file missing, extra or changed. Exit status 0 only when all match."""
    from coursepack.exporters.field_pack.manifest import verify

    verdict = verify(pack)
    _print_problems(verdict.problems)
    for path in verdict.missing:
        click.secho(f"missing  {path}", fg="red")
    for path in verdict.extra:
        click.secho(f"extra    {path}", fg="red")
    for path, want, have in verdict.changed:
        click.secho(f"changed  {path} ({want.size:,} bytes packed, {have.size:,} now)", fg="red")
    course = verdict.about.get("course")
    what = (f"{course.get('id')} version {course.get('version')}, {course.get('language')}, "
            f"built {verdict.about.get('built')}") if isinstance(course, dict) else str(pack)
    if not verdict.intact:
        faults = len(verdict.missing) + len(verdict.extra) + len(verdict.changed)
        click.secho(f"NOT intact: {faults} file(s) missing, extra or changed, "
                    f"{len(verdict.problems)} problem(s); {verdict.checked} file(s) match "
                    f"({what})", fg="red", err=True)
        sys.exit(1)
    click.echo(f"intact: all {verdict.checked} files match the manifest ({what})")


@main.group()
def translate() -> None:
    """Translate the course: files for translators, and how far each language has got."""


@translate.command("extract")
@COURSE_DIR
@click.option("--lang", "language", required=True, metavar="CODE",
              help="Language to translate into (fr, ar, es...).")
@reports_problems
def translate_extract(course_dir: Path, language: str) -> None:
    """Write translations/CODE/course.po and course.xlf, keeping every translation made."""
    with _loading():
        from coursepack import build as pipeline
    from coursepack.translate import extract

    po, xlf, found = extract(pipeline.validate(course_dir).course, language)
    click.echo(f"wrote {_shown(po)} and {_shown(xlf)}")
    _print_status(found)


@translate.command("status")
@COURSE_DIR
@click.option("--lang", "languages", multiple=True, metavar="CODE",
              help="Language to report (repeatable); every one of 'languages:' when omitted.")
@click.option("--strict", is_flag=True, help="Exit 1 when any unit is stale or missing.")
@reports_problems
def translate_status(course_dir: Path, languages: tuple[str, ...], strict: bool) -> None:
    """Count translated, stale, missing and obsolete units per language, with their places."""
    with _loading():
        from coursepack import build as pipeline
    from coursepack.translate import status

    course = pipeline.validate(course_dir).course
    wanted = languages or course.languages[1:]
    if not wanted:
        raise click.UsageError("name a language with --lang, or list the course's languages "
                               "in course.yaml (languages: [en, fr])")
    found = [status(course, language) for language in wanted]
    for one in found:
        _print_problems(one.problems)
        _print_status(one)
    if any(p.is_error for one in found for p in one.problems):
        sys.exit(1)
    if strict and any(one.stale or one.missing for one in found):
        sys.exit(1)


def _print_status(found: Status) -> None:
    click.echo(f"{found.language}: {found.translated} translated, {found.stale} stale, "
               f"{found.missing} missing, {found.obsolete} obsolete")


@main.group()
def results() -> None:
    """Results learners bring home from the site: collect them, check certificate codes."""


def _results_course(course_dir: Path | None) -> CourseRef | None:
    with _loading():
        from coursepack import build as pipeline
    from coursepack.results import CourseRef

    return CourseRef.of(pipeline.validate(course_dir).course) if course_dir else None


def _results_inputs(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; a folder stands for the .json files in it."""
    return [f for p in paths for f in (sorted(p.glob("*.json")) if p.is_dir() else [p])]


@results.command("collect")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The CSV table to write.")
@click.option("--xapi", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the xAPI statements of every result, as one JSON array.")
@click.option("--course", "course_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The course folder the results must come from (needed to read codes).")
@click.option("--codes", "code_lists", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="A text file of result codes, one a line, each followed by the name.")
@click.option("--code", "code_args", multiple=True, metavar="'CODE [NAME]'",
              help="A result code (and the learner's name after it); repeatable.")
@click.option("--strict", is_flag=True, help="Write nothing if any input is refused.")
@reports_problems
def results_collect(files: tuple[Path, ...], out: Path, xapi: Path | None,
                    course_dir: Path | None, code_lists: tuple[Path, ...],
                    code_args: tuple[str, ...], strict: bool) -> None:
    """Merge results files (or folders of them) and result codes into one CSV table."""
    from coursepack import results as found_results
    from coursepack.errors import Origin

    entries, problems = [], []
    for listed in code_lists:
        more, bad = found_results.read_code_list(listed)
        entries += more
        problems += bad
    entries += [found_results.code_entry(text, Origin(f"--code {i}"))
                for i, text in enumerate(code_args, 1)]
    inputs = _results_inputs(files)
    if not inputs and not entries and not problems:
        raise click.UsageError("give results files, a folder of them, --codes or --code")
    collected, course = found_results.collect(inputs, entries, _results_course(course_dir))
    problems += collected.problems
    _print_problems(problems)
    if not (strict and problems):
        replace_whole(out, found_results.csv_text(collected.rows).encode("utf-8"))
        click.echo(f"wrote {_shown(out)}: {len(collected.rows)} result"
                   f"{'s' * (len(collected.rows) != 1)}")
        if xapi is not None and course is not None:
            statements = found_results.statements(collected.rows, course)
            replace_whole(xapi, (json.dumps(statements, ensure_ascii=False, indent=1)
                                 + "\n").encode("utf-8"))
            click.echo(f"wrote {_shown(xapi)}: {len(statements)} xAPI statements")
    if problems:
        click.secho(f"refused {len(problems)} input{'s' * (len(problems) != 1)}"
                    f"{'; nothing written (--strict)' if strict else ''}", fg="red", err=True)
        sys.exit(1)


@results.command("verify")
@click.argument("code")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--results", "table", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A table written by 'coursepack results collect'.")
@click.option("--course", "course_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The course folder: also checks the code's seal and reads what it holds.")
@reports_problems
def results_verify(code: str, files: tuple[Path, ...], table: Path | None,
                   course_dir: Path | None) -> None:
    """Say whether a certificate's CODE matches a collected result (a table or files)."""
    from coursepack import results as found_results

    if table is None and not files:
        raise click.UsageError("give the collected table with --results, or results files")
    course = _results_course(course_dir)
    try:
        fields = found_results.decode(code, course.key if course else None)
    except found_results.CodeError as exc:
        click.secho(f"NOT VALID: {found_results.normalised(code)}: {exc}", fg="red", err=True)
        sys.exit(1)
    rows = found_results.find_in_table(table, code) if table else []
    if files:
        collected, _ = found_results.collect(_results_inputs(files), [], course)
        _print_problems(collected.problems)
        rows += [{"learner": r.learner, "quiz": r.quiz, "score_percent": f"{r.percent:g}",
                  "passed": "yes" if r.passed else "no", "date": r.day.isoformat(),
                  "source": str(r.source)} for r in collected.rows
                 if r.code == found_results.normalised(code)]
    if not rows:
        click.secho(f"NOT FOUND: no collected result has the code "
                    f"{found_results.normalised(code)} ({fields.percent}%, "
                    f"{fields.date.isoformat()})", fg="red", err=True)
        sys.exit(1)
    for row in rows:
        click.echo(f"VERIFIED: {found_results.normalised(code)} is {row['learner']}, quiz "
                   f"'{row['quiz']}', {row['score_percent']}%, passed: {row['passed']}, "
                   f"{row['date']} ({row['source']})")


def run() -> None:
    """``coursepack`` as a program: the command, then an exit that leaves this process's
    memory to the system. Python would free a large course object by object first (a
    tenth of a second at 1,000 lessons) for nothing: by then every file is written and
    every worker stopped, and ``main`` leaves nothing for exit handlers to do. Under a
    profiler or a coverage tracer, which write their results as Python exits, the exit is
    Python's own.

    A command stopped by a signal ends by that signal once it has cleaned up
    (``leaving.end_by_signal``): its parent sees that signal, not an exit code."""
    code: str | int | None = 0
    traced = sys.gettrace() is not None or sys.getprofile() is not None
    if not traced:
        leaving.without_freeing()
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:  # before or after the command (its own are reported by it)
        click.secho("Interrupted", fg="red", err=True)
        code = _STOPPED + leaving.stop_signal()
    if traced:
        sys.exit(code)
    if isinstance(code, str):
        click.echo(code, err=True)
        code = 1
    status = code or 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (coursepack ... | head)
            status = status or 1
    stopped = status - _STOPPED if isinstance(status, int) and status > _STOPPED else None
    if stopped is not None and stopped == leaving.stop_signal():
        leaving.end_by_signal(stopped)
    os._exit(status)
