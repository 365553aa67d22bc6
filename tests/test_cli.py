"""The command line as a new user meets it: init, validate, build, formats, schema, --version."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from coursepack.build import spec_schema as schema
from tests.conftest import REPO, Run


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_init_writes_a_course_that_builds_as_it_is(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "my-course"
    result = run("init", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "course.yaml").is_file()
    assert (target / "sources" / "item-writing-guide.txt").is_file()
    built = run("build", str(target), "-f", "html")
    assert built.exit_code == 0, built.output
    assert (target / "build" / "html" / "index.html").is_file()
    assert "open " in built.output and "index.html" in built.output


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, run: Run) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run("init", str(tmp_path))
    assert result.exit_code == 1
    assert f"error: {tmp_path} is not an empty folder" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_the_starter_course_uses_every_question_type(course: Path) -> None:
    from coursepack.loader import load_course
    from coursepack.model import QUESTION_TYPES, type_name

    loaded, problems = load_course(course)
    assert not problems
    used = {type_name(q) for _, q in loaded.questions()}
    assert used == set(QUESTION_TYPES)


def test_validate_reports_counts(course: Path, run: Run) -> None:
    result = run("validate", str(course))
    assert result.exit_code == 0
    assert (
        "Writing Good Quiz Questions: 1 modules, 2 lessons, 10 questions; 0 errors, 0 warnings"
        in result.output
    )


def test_validate_defaults_to_the_current_folder(
    course: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(course)
    assert run("validate").exit_code == 0


def test_a_folder_without_course_yaml_says_how_to_start(tmp_path: Path, run: Run) -> None:
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1
    assert f"error: no course.yaml in {tmp_path.resolve()}" in result.stderr
    assert "coursepack init" in result.stderr


def test_formats_lists_every_registered_format(run: Run) -> None:
    from coursepack.formats import EXPORTERS

    result = run("formats")
    listed = [line.split()[0] for line in result.output.splitlines()]
    assert listed == list(EXPORTERS)


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.startswith("coursepack, version ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "-f", "pdff"], "unknown format 'pdff'"),
        (["build", "--strictly"], "No such option '--strictly'"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["schema", "lessons"], "'lessons' is not one of"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], message: str, course: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(course)
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_failed_build_leaves_the_previous_build_as_it_was(course: Path, run: Run) -> None:
    assert run("build", str(course), "-f", "html").exit_code == 0
    before = tree_digest(course / "build")
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    lesson.write_text(lesson.read_text().replace("duration: 15", "duration: soon"))
    result = run("build", str(course), "-f", "html")
    assert result.exit_code == 1
    assert tree_digest(course / "build") == before
    known = {".gitignore", ".coursepack-cache"}  # the starter's, and the build cache
    assert [p.name for p in course.iterdir() if p.name.startswith(".") and p.name not in known] == []


def test_a_failing_exporter_leaves_the_previous_build_as_it_was(
    course: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coursepack.errors import CoursepackError
    from coursepack.exporters.base import ExportContext
    from coursepack.exporters.html import HtmlExporter

    assert run("build", str(course), "-f", "html").exit_code == 0
    before = tree_digest(course / "build")

    def half_written(self: HtmlExporter, ctx: ExportContext) -> Path:
        ctx.out.write_text("index.html", "half")
        raise CoursepackError.single("disk full, say")

    monkeypatch.setattr(HtmlExporter, "export", half_written)
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"  # or nothing is exported
    lesson.write_text(lesson.read_text().replace("duration: 15", "duration: 20"))
    result = run("build", str(course), "-f", "html")
    assert result.exit_code == 1
    assert "error: disk full, say" in result.stderr
    assert tree_digest(course / "build") == before


def test_a_build_with_nothing_changed_keeps_the_last_output(
    course: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = "nothing it is made from changed: the last build's output is kept"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run("build", str(course), "-f", "html", "-f", "gift").exit_code == 0
    first = tree_digest(course / "build")
    again = run("build", str(course), "-f", "html", "-f", "gift")
    assert again.output.count(kept) == 2 and tree_digest(course / "build") == first
    assert "build/html/index.html" in again.output

    # A file of the last build deleted or edited by hand: that build is made again.
    page = next((course / "build" / "html").rglob("*.html"))
    for spoil in (page.unlink, lambda: os.utime(page) or page.write_text("edited")):
        spoil()
        result = run("build", str(course), "-f", "html")
        assert kept not in result.output and tree_digest(course / "build") == first

    # Whatever a format is made from, changed, makes it again: a lesson, an image, a
    # template of the course's own theme, the build date.
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    image = next((course / "modules" / "writing-questions" / "images").iterdir())
    theme = course / "templates" / "html" / "_toc.html.j2"
    theme.parent.mkdir(parents=True)
    changes = [
        lambda: lesson.write_text(lesson.read_text().replace("duration: 15", "duration: 20")),
        lambda: image.write_bytes(image.read_bytes() + b"\0"),
        lambda: theme.write_text((REPO / "templates" / "html" / "_toc.html.j2").read_text()),
        lambda: monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000001"),
    ]
    for change in changes:
        change()
        result = run("build", str(course), "-f", "html")
        assert result.exit_code == 0 and kept not in result.output
        assert kept in run("build", str(course), "-f", "html").output


def test_an_internal_error_is_one_plain_line_not_a_traceback(
    course: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coursepack.exporters.html import HtmlExporter

    def broken(self: HtmlExporter, ctx: object) -> Path:
        raise RuntimeError("boom")

    monkeypatch.setattr(HtmlExporter, "export", broken)
    monkeypatch.delenv("COURSEPACK_DEBUG", raising=False)
    result = run("build", str(course), "-f", "html")
    assert result.exit_code == 3
    assert "internal error: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.output


def test_builds_are_byte_identical(
    course: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coursepack.formats import EXPORTERS

    fast = [name for name in EXPORTERS if name not in ("pdf",)]
    args = [arg for name in fast for arg in ("-f", name)]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run("build", str(course), "--out", str(tmp_path / "a"), *args).exit_code == 0
    copy = tmp_path / "elsewhere"
    shutil.copytree(course, copy)
    assert run("build", str(copy), "--out", str(tmp_path / "b"), *args).exit_code == 0
    first, second = tree_digest(tmp_path / "a"), tree_digest(tmp_path / "b")
    assert first == second
    assert len(first) > 5


def test_zip_entries_are_sorted_with_fixed_dates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    from coursepack.exporters._package import zip_folder

    (tmp_path / "in" / "b").mkdir(parents=True)
    (tmp_path / "in" / "b" / "z.txt").write_text("z")
    (tmp_path / "in" / "a.txt").write_text("a")
    (tmp_path / "in" / "imsmanifest.xml").write_text("<m/>")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    target = zip_folder(tmp_path / "in", tmp_path / "out.zip", first=("imsmanifest.xml",))
    with zipfile.ZipFile(target) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == ["imsmanifest.xml", "a.txt", "b/z.txt"]
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}


@pytest.mark.parametrize("kind", ["course", "module", "lesson", "quiz"])
def test_schema_accepts_the_example_courses(kind: str, run: Run) -> None:
    printed = run("schema", kind)
    assert printed.exit_code == 0
    validator = jsonschema.Draft202012Validator(yaml.safe_load(printed.output))
    from coursepack.starter import STARTER

    for root in (STARTER, REPO):
        for path in spec_files(root)[kind]:
            errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
            assert errors == [], f"{path}: {errors}"


def spec_files(root: Path) -> dict[str, list[Path]]:
    modules = sorted((root / "modules").glob("*/*.yaml"))
    return {
        "course": [root / "course.yaml"],
        "module": [p for p in modules if p.name == "module.yaml"],
        "lesson": [p for p in modules if p.name != "module.yaml"],
        "quiz": sorted((root / "quizzes").glob("*.yaml")),
    }


def test_schema_flags_what_the_loader_flags() -> None:
    lesson = schema("lesson")
    bad = {"title": "t", "duration": 5, "body": "b", "durration": 3}
    errors = list(jsonschema.Draft202012Validator(lesson).iter_errors(bad))
    assert any("durration" in e.message for e in errors)
    quiz = jsonschema.Draft202012Validator(schema("quiz"))
    question = {"type": "single", "id": "q", "stem": "s", "choices": [{"text": "a"}], "answer": 1}
    assert list(quiz.iter_errors({"title": "q", "questions": [question]}))


def test_course_schema_takes_each_settings_field_from_its_owner(run: Run) -> None:
    from coursepack.build import owners

    printed = yaml.safe_load(run("schema", "course").output)
    for owner in owners():
        assert printed["properties"][owner.settings_key] == owner.settings_schema
    assert {"paper", "scorm", "moodle", "lint"} <= set(printed["properties"])
    from coursepack.spec_schema import schema as bare

    assert "scorm" not in bare("course")["properties"]  # the course itself has no settings
    validator = jsonschema.Draft202012Validator(printed)
    course = {"id": "c", "title": "C", "modules": ["m"], "scorm": {"sco_per": "modul"}}
    assert [e.message for e in validator.iter_errors(course)] == [
        "'modul' is not one of ['module', 'course']"]


def test_schema_out_writes_one_file_per_kind(tmp_path: Path, run: Run) -> None:
    result = run("schema", "--out", str(tmp_path))
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"coursepack-{kind}.schema.json" for kind in ("course", "lesson", "module", "quiz")
    ]


def test_imports_run_one_way() -> None:
    """The layers contract in pyproject.toml (import-linter) holds."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(linter)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


def test_build_sums_up_what_a_format_drops_and_lists_it_with_v(course: Path, run: Run) -> None:
    quiet = run("build", str(course), "-f", "gift")
    assert quiet.exit_code == 0
    assert "pre-flight, 10 questions: gift 12 warnings (coursepack check --target gift)" in quiet.output
    assert "GIFT has no ordering question" not in quiet.stderr
    listed = run("build", str(course), "-f", "gift", "-v")
    assert "'wq-ordering' (ordering): GIFT has no ordering question" in listed.stderr


def test_build_counts_format_warnings_without_a_pre_flight_target(course: Path, run: Run) -> None:
    result = run("build", str(course), "-f", "imscc")
    assert result.exit_code == 0
    assert "about what imscc cannot carry (add -v to list them)" in result.output
    assert "is left out" not in result.stderr


def test_strict_is_about_the_course_not_what_a_format_cannot_carry(course: Path, run: Run) -> None:
    result = run("build", str(course), "-f", "gift", "--strict")
    assert result.exit_code == 0, result.output


def test_init_never_copies_the_starters_build_cache(run: Run, tmp_path: Path) -> None:
    """A starter built where it is installed (as the tests do) has a cache beside it."""
    from coursepack.starter import STARTER

    assert run("build", str(STARTER), "-f", "gift", "--out", str(tmp_path / "out")).exit_code == 0
    assert (STARTER / ".coursepack-cache").is_dir()
    assert run("init", str(tmp_path / "new")).exit_code == 0
    assert not (tmp_path / "new" / ".coursepack-cache").exists()


def test_the_program_exits_with_its_command_s_code_and_all_its_output(tmp_path: Path) -> None:
    """``coursepack`` leaves without freeing its memory object by object: what it printed
    still arrives whole, and its exit code is the command's."""
    program = [sys.executable, "-m", "coursepack"]
    schema_run = subprocess.run([*program, "schema", "quiz"], capture_output=True, text=True,
                                check=False)
    assert schema_run.returncode == 0
    assert json.loads(schema_run.stdout)["title"]  # 32 KB, flushed whole
    missing = subprocess.run([*program, "build", str(tmp_path / "nowhere")],
                             capture_output=True, text=True, check=False)
    assert missing.returncode == 1
    assert "no course.yaml" in missing.stderr
    unknown = subprocess.run([*program, "frobnicate"], capture_output=True, text=True,
                             check=False)
    assert unknown.returncode == 2
    assert "No such command" in unknown.stderr


def test_a_reader_that_stops_early_gets_no_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """``coursepack formats | head -1``: the last flush finds the pipe closed; the program
    still leaves quietly, with a failure code."""
    from coursepack import cli

    class Closed(io.StringIO):
        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    from coursepack import leaving

    left: list[int] = []
    monkeypatch.setattr(leaving, "_without_freeing", False)  # run() declares it
    monkeypatch.setattr(sys, "argv", ["coursepack", "formats"])
    monkeypatch.setattr(sys, "stdout", Closed())
    monkeypatch.setattr(os, "_exit", left.append)
    cli.run()
    assert left == [1]
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    cli.run()
    assert left == [1, 0]
    assert "html" in sys.stdout.getvalue()


def test_a_build_leaves_the_garbage_collector_as_it_found_it(course: Path, run: Run,
                                                             tmp_path: Path) -> None:
    """A build tunes Python's collector for itself; the preview builds again and again in
    one process, and a failed build must not leave it tuned either."""
    import gc

    before = gc.get_threshold(), gc.isenabled()
    assert run("build", str(course), "-f", "html", "--out", str(tmp_path / "out")).exit_code == 0
    assert (gc.get_threshold(), gc.isenabled(), gc.get_freeze_count()) == (*before, 0)
    (course / "course.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    assert run("build", str(course), "--out", str(tmp_path / "out")).exit_code == 1
    assert (gc.get_threshold(), gc.isenabled(), gc.get_freeze_count()) == (*before, 0)

    # two builds at once in one process (threads of a program that uses coursepack): the
    # collector stays tuned until the last one ends
    from coursepack.build import _fewer_collections

    with _fewer_collections():
        tuned = gc.get_threshold()
        with _fewer_collections():
            pass
        assert gc.get_threshold() == tuned != before[0]
    assert gc.get_threshold() == before[0]



@pytest.mark.parametrize("formats", [["html"], []], ids=["site", "every format"])
def test_builds_in_one_process_leave_no_course_behind(formats: list[str], course: Path,
                                                      tmp_path: Path) -> None:
    """The preview builds again and again in one process: once a build is over, nothing of
    its course may stay. Held in reference cycles (the contents of the site held the
    context that held them, and Jinja's macros make cycles of their own), each build's
    course stayed until Python's collector came round to it, which it seldom did after a
    build: 21 MB more per save at 1,000 lessons."""
    probe = ("import gc, sys\n"
             "from pathlib import Path\n"
             "from coursepack.build import build\n"
             "from coursepack.model import Lesson\n"
             "course, out = Path(sys.argv[1]), Path(sys.argv[2])\n"
             "lesson = course / 'modules/writing-questions/one-idea.yaml'\n"
             "for n in range(4):\n"
             "    lesson.write_text(lesson.read_text() + f'# edit {n}\\n')\n"
             "    build(course, sys.argv[3:], out)\n"
             "    print(sum(isinstance(o, Lesson) for o in gc.get_objects()))\n")
    found = subprocess.run([sys.executable, "-c", probe, str(course), str(tmp_path / "out"),
                            *formats], capture_output=True, text=True, check=True)
    assert found.stdout.split() == ["0"] * 4  # lessons alive after each build
    assert (tmp_path / "out" / "html" / "index.html").is_file()


def test_a_site_build_never_loads_the_pdf_libraries(course: Path, tmp_path: Path) -> None:
    """Every command starts a new Python: one that makes no PDF does not pay for importing
    WeasyPrint, pikepdf or the package metadata reader (a tenth of a second together)."""
    probe = ("import sys\n"
             "from coursepack.cli import main\n"
             "try:\n    main(['build', sys.argv[1], '-f', 'html', '--out', sys.argv[2]])\n"
             "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
             "print(sorted(m for m in ('weasyprint', 'pikepdf', 'importlib.metadata')"
             " if m in sys.modules))\n")
    found = subprocess.run([sys.executable, "-c", probe, str(course), str(tmp_path / "out")],
                           capture_output=True, text=True, check=True)
    assert found.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "html" / "index.html").is_file()


@pytest.mark.parametrize(("stop", "status"), [("SIGINT", 130), ("SIGTERM", 143),
                                               ("SIGHUP", 129)])
def test_a_command_stopped_by_a_signal_exits_with_128_plus_its_number(
        course: Path, run: Run, monkeypatch: pytest.MonkeyPatch, stop: str,
        status: int) -> None:
    """Ctrl+C, a process manager's SIGTERM or a closed terminal's SIGHUP arriving while the
    course is checked: the command says it was interrupted, and its exit status names the
    signal as a shell does (the program then ends by that signal itself: test_workers)."""
    from coursepack import build as pipeline

    checked = pipeline.validate

    def stopped_while_checking(*args: object, **kwargs: object) -> object:
        os.kill(os.getpid(), getattr(signal, stop))
        return checked(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "validate", stopped_while_checking)
    result = run("validate", str(course))
    assert result.exit_code == status, result.output
    assert result.stderr == "Interrupted\n"
    assert "Traceback" not in result.output


_STOPPED_WHILE_LOADING = """
import importlib.abc, os, signal, sys

class CtrlC(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "coursepack.build":  # half way through loading the command line
            os.kill(os.getpid(), signal.SIGINT)
        return None

signal.signal(signal.SIGINT, signal.default_int_handler)  # as on a terminal
sys.meta_path.insert(0, CtrlC())
sys.argv[1:] = ["validate", "."]
from coursepack.program import main
main()
"""


def test_ctrl_c_while_the_program_is_still_loading_prints_no_traceback(course: Path) -> None:
    """Loading the command line takes a few tenths of a second; Ctrl+C then printed the
    traceback of whichever module was loading."""
    done = subprocess.run([sys.executable, "-c", _STOPPED_WHILE_LOADING], cwd=course,
                          capture_output=True, text=True, timeout=120)
    assert done.stderr == "Interrupted\n"
    assert done.returncode == -2  # ended by SIGINT, as after Ctrl+C during a command


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_a_process_manager_s_stop_while_the_program_loads_ends_it_quietly_by_that_signal(
        course: Path, stop: str) -> None:
    """SIGTERM or SIGHUP in the first tenths of a second ended the program without a word;
    later, it says "Interrupted" and ends by that signal: the same from the first line."""
    stopped = _STOPPED_WHILE_LOADING.replace("signal.SIGINT)\n        return None",
                                             f"signal.{stop})\n        return None")
    assert stopped != _STOPPED_WHILE_LOADING
    done = subprocess.run([sys.executable, "-c", stopped], cwd=course,
                          capture_output=True, text=True, timeout=120)
    assert done.stderr == "Interrupted\n"
    assert done.returncode == -getattr(signal, stop)


def test_ctrl_c_that_python_swallows_while_the_program_loads_still_stops_it(
        course: Path) -> None:
    """A Ctrl+C that comes while an import tidies up is only warned of by Python; the
    command then ran to its end as if nothing had been pressed."""
    swallowed = _STOPPED_WHILE_LOADING.replace(
        "            os.kill(os.getpid(), signal.SIGINT)\n",
        "            try:\n"
        "                os.kill(os.getpid(), signal.SIGINT)\n"
        "            except KeyboardInterrupt:\n"
        "                pass  # as Python does with one raised in a weakref's callback\n")
    assert swallowed != _STOPPED_WHILE_LOADING
    done = subprocess.run([sys.executable, "-c", swallowed], cwd=course,
                          capture_output=True, text=True, timeout=120)
    assert done.stderr == "Interrupted\n"
    assert done.returncode == -2


def test_in_the_program_a_second_signal_after_the_first_is_ignored_to_the_end(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The program ends by the first signal once its command has cleaned up; one more
    Ctrl+C in between printed a traceback from the program's last lines."""

    from coursepack import leaving

    monkeypatch.setattr(leaving, "_without_freeing", True)
    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        with pytest.raises(KeyboardInterrupt), leaving.signals_interrupt():
            os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)  # ignored: no KeyboardInterrupt here
        assert leaving.stop_signal() == signal.SIGTERM
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
