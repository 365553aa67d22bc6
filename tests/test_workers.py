"""One pool of worker processes per build, shared by Markdown parsing and PDF rendering,
and stopped however the build ends."""

from __future__ import annotations

import errno
import fcntl
import functools
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from coursepack import markup, workers
from coursepack.errors import CoursepackError
from coursepack.exporters.base import ExportContext
from coursepack.exporters.html import HtmlExporter
from coursepack.exporters.pdf.joining import PackJoining
from tests.conftest import Run

pytestmark = [pytest.mark.pdf, pytest.mark.xdist_group("pdf")]


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every pool a build starts, each with the names of the tasks it was given."""
    made: list[Any] = []

    class Counted(workers._Pool):
        def __init__(self, size: int, parent: int) -> None:
            self.tasks: list[str] = []
            self.sizes = [size]  # and each size it grew to
            made.append(self)
            super().__init__(size, parent)

        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            self.tasks.append(str(fn))
            return super().submit(fn, *args, **kwargs)

        def grow(self, size: int) -> None:
            super().grow(size)
            if self.size != self.sizes[-1]:
                self.sizes.append(self.size)

    monkeypatch.setattr(workers, "_Pool", Counted)
    real = workers.Workers.__init__
    # two workers, as on the smallest machine with workers
    monkeypatch.setattr(workers.Workers, "__init__", lambda self, count=None: real(self, 2))
    return made


def stopped(pool: ProcessPoolExecutor) -> bool:
    try:
        pool.submit(print).cancel()
    except RuntimeError:  # cannot schedule new futures after shutdown
        return True
    return False


def test_markdown_and_pdf_share_one_pool_that_stops_with_the_build(
        run: Run, course: Path, tmp_path: Path, pools: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markup, "PARALLEL_FROM", 1)  # parse even a small course in workers
    monkeypatch.setattr(markup, "_PARSED", {})  # nothing parsed by an earlier test
    result = run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert len(pools) == 1
    tasks = " ".join(pools[0].tasks)
    # the site's Markdown (parsed while its pages are written), the PDFs, their set-up
    assert "_make_batch" in tasks and "render" in tasks and "start_worker" in tasks
    assert stopped(pools[0])


def test_a_failing_build_stops_its_workers(
        run: Run, course: Path, tmp_path: Path, pools: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(self: HtmlExporter, ctx: ExportContext) -> Path:
        raise CoursepackError.single("disk full, say")

    monkeypatch.setattr(HtmlExporter, "export", fails)
    result = run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1 and "disk full, say" in result.stderr
    assert len(pools) == 1, "the PDF format's set-up started the workers before the site"
    assert stopped(pools[0])


def _sleep_then_mark(marker: Path) -> None:
    """A worker's set-up that takes 20 s: says it started, then that it finished."""
    marker.with_suffix(".started").write_text("started")
    time.sleep(20)
    marker.write_text("set up")


def _slow_setup(marker: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """The PDF workers' set-up made slow; the build stops workers mid-task only once one of
    them is in it (so the test shows it is stopped, not waited for)."""
    real_terminate = workers.Workers._terminate

    def terminate_once_started(self: workers.Workers) -> None:
        for _ in range(1200):  # a minute at most, then stopped all the same
            if marker.with_suffix(".started").exists():
                break
            time.sleep(0.05)
        real_terminate(self)

    monkeypatch.setattr(workers.Workers, "_terminate", terminate_once_started)
    return functools.partial(_sleep_then_mark, marker)  # sent to a worker: picklable


def test_workers_set_up_for_nothing_are_stopped_not_waited_for(
        run: Run, course: Path, tmp_path: Path, pools: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF workers start setting up as the build starts; a rebuild that finds every
    PDF as it was stops them at once instead of waiting for WeasyPrint to load."""
    from coursepack.exporters.pdf import pool

    out = tmp_path / "o"
    assert run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(out)).exit_code == 0
    marker = tmp_path / "set-up-finished"
    monkeypatch.setattr(pool, "start_worker", _slow_setup(marker, monkeypatch))
    pools.clear()
    result = run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert ["_sleep_then_mark" in task for task in pools[0].tasks] == [False, True]
    assert stopped(pools[0]) and marker.with_suffix(".started").exists() and not marker.exists()


def test_a_further_set_up_is_stopped_with_the_first_not_waited_for(tmp_path: Path) -> None:
    """The print CSS a worker is given to parse while the build finds out what to render
    (``Renderer.expect``) is set-up too: a build that then renders nothing stops the
    worker in the middle of it, as it would in the middle of loading WeasyPrint."""
    marker = tmp_path / "styles-parsed"
    with workers.Workers(2) as build_workers:
        build_workers.warm(os.getpid, count=1)
        build_workers.also_set_up(functools.partial(_sleep_then_mark, marker))
        for _ in range(1200):  # a minute at most
            if marker.with_suffix(".started").exists():
                break
            time.sleep(0.05)
        assert marker.with_suffix(".started").exists()
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 10 and not marker.exists()


def test_a_course_that_fails_its_checks_stops_the_workers_setting_up(
        run: Run, course: Path, tmp_path: Path, pools: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from coursepack.exporters.pdf import pool

    marker = tmp_path / "set-up-finished"
    monkeypatch.setattr(pool, "start_worker", _slow_setup(marker, monkeypatch))
    (course / "course.yaml").write_text("title: [\n")
    result = run("build", str(course), "-f", "pdf", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1 and "course.yaml:2" in result.stderr
    assert len(pools) == 1 and stopped(pools[0])
    assert marker.with_suffix(".started").exists() and not marker.exists()


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_a_pool_set_up_with_one_worker_grows_only_for_more_work_than_one_can_do() -> None:
    """A worker forked for one job would take it from the one that set up for it."""
    with workers.Workers(2) as build_workers:
        build_workers.warm(os.getpid, count=1)
        pool = build_workers.executor(jobs=1)
        assert isinstance(pool, workers._Pool) and pool.size == 1
        assert {pool.submit(_pid_after, 0).result() for _ in range(4)} == {
            pool.submit(os.getpid).result()}
        assert build_workers.executor(jobs=8) is pool and pool.size == 2
        assert len(set(pool.map(_pid_after, [0.2] * 8))) == 2  # both work


def test_a_pool_grown_while_it_works_loses_nothing() -> None:
    """Workers forked while the first one works and the pool's threads pass it tasks."""
    for _ in range(10):
        with workers.Workers(2) as build_workers:
            build_workers.warm(os.getpid, count=1)
            pool = build_workers.executor(jobs=1)
            assert pool is not None
            first = [pool.submit(_pid_after, 0.005) for _ in range(20)]
            assert build_workers.executor(jobs=20) is pool
            assert isinstance(pool, workers._Pool) and pool.size == 2
            rest = [pool.submit(_pid_after, 0) for _ in range(20)]
            assert all(future.result(timeout=60) for future in first + rest)


def test_an_edited_lesson_is_rendered_by_the_one_worker_set_up_for_it(
        run: Run, course: Path, tmp_path: Path, pools: list[Any]) -> None:
    """A cold build forks a second worker for its many documents; a rebuild with one lesson
    edited forks none: the worker that imported WeasyPrint as the build began, and parsed
    the print CSS while this process found out what to render, renders it, then draws its
    handout's page numbers while this process joins the course pack."""
    out = tmp_path / "o"
    assert run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(out)).exit_code == 0
    assert pools[0].sizes == [1, 2]
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "the stem is too vague.", "the stem is still too vague."), encoding="utf-8")
    pools.clear()
    result = run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "rendered 1 of" in result.output
    assert pools[0].sizes == [1]
    assert [task.split()[1] for task in pools[0].tasks if "_ready" not in task] == [
        "start_worker", "set_up_styles", "render", "numbered"]


def _edit_a_lesson(course: Path) -> None:
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "the stem is too vague.", "the stem is still too vague."), encoding="utf-8")


def test_an_edited_lesson_s_pdf_renders_while_the_site_is_written(
        run: Run, course: Path, tmp_path: Path, pools: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF format comes after the site, but its one rendering is with the worker before
    the site's first page is written: the worker is not idle while this process works."""
    out = tmp_path / "o"
    assert run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(out)).exit_code == 0
    _edit_a_lesson(course)
    asked_before_the_site: list[list[str]] = []
    real = HtmlExporter.export

    def noted(self: HtmlExporter, ctx: ExportContext) -> Path:
        asked_before_the_site.append([task.split()[1] for task in pools[-1].tasks])
        return real(self, ctx)

    monkeypatch.setattr(HtmlExporter, "export", noted)
    pools.clear()
    result = run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "rendered 1 of" in result.output
    assert asked_before_the_site == [["_ready", "start_worker", "set_up_styles", "render"]]


def test_a_site_that_fails_while_a_pdf_renders_leaves_the_last_build(
        run: Run, course: Path, tmp_path: Path, pools: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "o"
    assert run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    _edit_a_lesson(course)

    def fails(self: HtmlExporter, ctx: ExportContext) -> Path:
        raise CoursepackError.single("disk full, say")

    def cannot_let_go(self: PackJoining) -> None:
        raise RuntimeError("letting go failed too")

    monkeypatch.setattr(HtmlExporter, "export", fails)
    monkeypatch.setattr(PackJoining, "close", cannot_let_go)
    pools.clear()
    result = run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(out))
    assert result.exit_code == 1 and "disk full, say" in result.stderr
    assert "letting go failed" not in result.output + result.stderr  # the cause is said
    assert "render" in " ".join(pools[0].tasks) and stopped(pools[0])
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_the_pdfs_of_each_language_start_first_and_join_their_packs_in_turn(
        run: Run, course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every language's PDFs start rendering before any site is written; the pack of each
    is joined only in its turn, so a build of many languages holds one join at a time."""
    from coursepack.exporters.pdf import assemble

    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "language: en\n", "language: en\nlanguages: [en, fr]\n", 1), encoding="utf-8")
    assert run("translate", "extract", str(course), "--lang", "fr").exit_code == 0
    joins: list[int] = []
    joins_while_sites_are_written: list[int] = []
    make_joiner = assemble.Joiner.__init__

    def counted(self: assemble.Joiner, count: int, last: int | None = None,
                kept: assemble.Kept | None = None) -> None:
        joins.append(count)
        make_joiner(self, count, last, kept)

    real = HtmlExporter.export

    def noted(self: HtmlExporter, ctx: ExportContext) -> Path:
        joins_while_sites_are_written.append(len(joins))
        return real(self, ctx)

    monkeypatch.setattr(assemble.Joiner, "__init__", counted)
    monkeypatch.setattr(HtmlExporter, "export", noted)
    result = run("build", str(course), "-f", "html", "-f", "pdf")
    assert result.exit_code == 0, result.output
    # the English site, before either pack's join; the French one, after the English pack
    assert joins_while_sites_are_written == [0, 1]
    assert len(joins) == 2
    for pack in (course / "build" / "pdf", course / "build" / "fr" / "pdf"):
        assert (pack / "course-pack.pdf").read_bytes().startswith(b"%PDF-")


def test_a_field_pack_asked_for_before_the_pdfs_has_them_rendered_once(
        run: Run, course: Path, tmp_path: Path, pools: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDFs start rendering first; the field pack, which carries them and comes first,
    has that export finished instead of rendering every document again meanwhile."""
    def renders(*formats: str) -> int:
        monkeypatch.setenv("COURSEPACK_CACHE_DIR", str(tmp_path / f"cache-{len(pools)}"))
        pools.clear()
        chosen = [arg for name in formats for arg in ("-f", name)]
        result = run("build", str(course), *chosen, "--out", str(tmp_path / f"o{len(formats)}"))
        assert result.exit_code == 0, result.output
        return sum(task.split()[1] == "render" for pool in pools for task in pool.tasks)

    alone = renders("pdf")
    assert alone > 1
    assert renders("field-pack", "pdf") == alone

    def made(out: Path) -> list[Path]:
        return sorted(p.relative_to(out) for p in out.rglob("*.pdf"))

    assert made(tmp_path / "o2" / "pdf") == made(tmp_path / "o1" / "pdf")


def _killed_by_the_system(job: object) -> object:
    """A worker's rendering stopped as the out-of-memory killer stops it."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("not reached")


def test_a_worker_killed_mid_build_is_said_plainly_and_the_last_build_stays(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coursepack.exporters.pdf import pool

    out = tmp_path / "o"
    assert run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(out)).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*.pdf")}
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "the stem is too vague.", "the stem is still too vague."), encoding="utf-8")
    monkeypatch.setattr(pool, "render", _killed_by_the_system)
    result = run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "a worker process of the build stopped before its work was done" in result.stderr
    assert "templates/pdf" not in result.stderr  # not the theme's doing
    assert "internal error" not in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*.pdf")} == before


def _ignored(names: tuple[str, ...]) -> list[bool]:
    return [signal.getsignal(getattr(signal, name)) == signal.SIG_IGN for name in names]


def test_workers_leave_stopping_to_the_build_and_still_stop_mid_task() -> None:
    """A process manager's SIGTERM, or the SIGHUP of a closed terminal, reaches the whole
    process group: a worker that kept the preview's handler printed a traceback of its own.
    Workers ignore what stops the build, as they ignore Ctrl+C; the build stops them."""
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)  # as the preview's
    try:
        with workers.Workers(2) as pool:
            executor = pool.executor()
            assert executor is not None
            assert executor.submit(_ignored, names).result(timeout=60) == [True, True, True]
            worker = executor.submit(os.getpid).result(timeout=60)
            os.kill(worker, signal.SIGTERM)
            assert [executor.submit(abs, -n).result(timeout=60) for n in range(4)] == [0, 1, 2, 3]
            processes = list(executor._processes.values())  # type: ignore[attr-defined]
            assert worker in [process.pid for process in processes]
            pool._terminate()  # mid-task: killed, since SIGTERM is ignored
            for process in processes:
                process.join(timeout=60)
                # the pool's own thread may reap it first, and set its exit code a moment later
                deadline = time.monotonic() + 60
                while process.is_alive() and time.monotonic() < deadline:
                    time.sleep(0.01)
                assert not process.is_alive()
    finally:
        signal.signal(signal.SIGTERM, previous)


_STOPPED_MID_SEND = """
import os, struct, sys, time
from coursepack import workers

def half_sent(writer):
    # the first bytes of a 10 MB result, as a worker sends a rendered PDF back
    os.write(writer, struct.pack("!i", 10_000_000) + b"%PDF-1.7 ...")
    time.sleep(600)

try:
    with workers.Workers(2) as pool:
        executor = pool.executor()
        executor.submit(abs, 1).result()
        sending = executor.submit(half_sent, executor._result_queue._writer.fileno())
        time.sleep(0.5)  # the pool's reader has begun the message
        raise KeyboardInterrupt
except KeyboardInterrupt:
    print("stopped")
"""


def test_a_build_stopped_while_a_worker_sends_its_result_back_stops() -> None:
    """Ctrl+C while a worker sent a rendered PDF back: the build killed its workers, and
    then waited for ever on the pool's reader, which had read half of the message (a
    tester saw it 2 times in 8, until ``kill -9``)."""
    done = subprocess.run([sys.executable, "-c", _STOPPED_MID_SEND], capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "stopped\n", "")


_DIES_MID_SEND = """
import os, struct, sys, time
from concurrent.futures import BrokenExecutor
from coursepack import workers

def dies_half_sent(writer):
    # the out-of-memory killer, as a worker sends a rendered course pack back
    os.write(writer, struct.pack("!i", 10_000_000) + b"%PDF-1.7 ...")
    os._exit(137)

with workers.Workers(2) as pool:
    executor = pool.executor()
    assert executor.submit(abs, -1).result() == 1
    try:
        executor.submit(dies_half_sent, executor._result_queue._writer.fileno()).result()
    except BrokenExecutor:
        print("the pool is broken")
"""


def test_a_worker_that_dies_while_it_sends_its_result_back_breaks_the_pool() -> None:
    """A worker killed by the system halfway through sending its result: the pool's reader
    waited for the rest of the message for ever, as the other worker still held the pipe
    open; the build hung instead of saying that a worker stopped."""
    done = subprocess.run([sys.executable, "-c", _DIES_MID_SEND], capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "the pool is broken\n", "")


_BUILD_ON = """
import os, sys
from coursepack.cli import run
if sys.argv.pop(1) == "one core":
    os.cpu_count = lambda: 1  # the build renders in its own process
run()  # as the program ends: without collecting its garbage
"""


def _building(course: Path, out: Path, temporary: Path, cores: str,
              ignoring: signal.Signals | None = None) -> subprocess.Popen[str]:
    """A PDF build in a process of its own whose temporary folder is ``temporary``,
    started with the signal ``ignoring`` ignored (as ``nohup`` starts it, say)."""
    temporary.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-c", _BUILD_ON, cores, "build", str(course), "-f", "pdf",
         "--out", str(out)],
        env={**os.environ, "TMPDIR": str(temporary)}, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=None if ignoring is None else lambda: signal.signal(ignoring, signal.SIG_IGN))


def _until_fonts_copied(build: subprocess.Popen[str], temporary: Path) -> None:
    for _ in range(6000):  # until a worker has copied the fonts: ten minutes at most
        if any(temporary.glob("coursepack-workers-*/weasyprint-*/*")) or any(
                temporary.glob("coursepack-fonts-*/[!.]*")):  # a worker's, or the build's
            return
        assert build.poll() is None, build.communicate()
        time.sleep(0.01)


@pytest.mark.parametrize("cores", ["workers", "one core"])
def test_a_pdf_build_leaves_no_temporary_files(course: Path, tmp_path: Path, cores: str) -> None:
    """WeasyPrint copies each font a style sheet names into a temporary folder of its own
    and removes it only when its font configuration is collected: each worker of each build
    left 3.5 MB of the starter course's fonts behind, which a live preview added to on
    every save until the disk was full."""
    temporary = tmp_path / "tmp"
    build = _building(course, tmp_path / "o", temporary, cores)
    errors = build.communicate(timeout=600)[1]
    assert build.returncode == 0, errors
    assert list((tmp_path / "o" / "pdf").glob("*.pdf"))
    assert [p.relative_to(temporary) for p in temporary.rglob("*")] == []


@pytest.mark.parametrize("cores", ["workers", "one core"])
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_pdf_build_stopped_mid_rendering_leaves_no_temporary_files(
        course: Path, tmp_path: Path, stop: signal.Signals, cores: str) -> None:
    """Ctrl+C; a process manager's or ``timeout``'s SIGTERM; a closed terminal's SIGHUP
    (these two ended the build at once, and its workers' fonts stayed behind). The build
    cleans up, says so, then ends by that same signal, as its parent would expect."""
    temporary = tmp_path / "tmp"
    build = _building(course, tmp_path / "o", temporary, cores)
    try:
        _until_fonts_copied(build, temporary)
        build.send_signal(stop)
        errors = build.communicate(timeout=120)[1]
    finally:
        build.kill()
    assert build.returncode == -stop and "Build interrupted" in errors, errors
    assert [p.relative_to(temporary) for p in temporary.rglob("*")] == []


def test_a_build_started_with_nohup_goes_on_when_its_terminal_closes(
        course: Path, tmp_path: Path) -> None:
    """``nohup coursepack build`` ignores SIGHUP, and the build keeps it ignored: closing
    the terminal does not stop it."""
    temporary = tmp_path / "tmp"
    build = _building(course, tmp_path / "o", temporary, "workers", ignoring=signal.SIGHUP)
    try:
        _until_fonts_copied(build, temporary)
        build.send_signal(signal.SIGHUP)
        errors = build.communicate(timeout=600)[1]
    finally:
        build.kill()
    assert build.returncode == 0, errors
    assert (tmp_path / "o" / "pdf" / "course-pack.pdf").is_file()


_HOLDS_A_FOLDER = """
import sys, time
from coursepack import scratch
print(scratch.made("coursepack-workers-"), flush=True)
time.sleep(600)
"""


def _free(lock: Path) -> bool:
    """Whether no process holds ``lock`` any more (its process and the workers it forked
    die one after the other)."""
    with lock.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
    return True


def test_a_killed_build_s_temporary_files_are_removed_by_the_next_build(
        course: Path, tmp_path: Path) -> None:
    """``kill -9`` or the out-of-memory killer: the build cannot remove its workers' folder
    (3.5 MB of fonts); the next build does, and leaves alone a folder whose process lives
    and a folder of the same name that is not one of ours."""
    temporary = tmp_path / "tmp"
    killed = _building(course, tmp_path / "o", temporary, "workers")
    try:
        for _ in range(6000):
            if any(temporary.glob("coursepack-workers-*/weasyprint-*/*")):
                break
            assert killed.poll() is None, killed.communicate()
            time.sleep(0.01)
    finally:
        killed.kill()
        killed.wait(timeout=60)
    [left] = temporary.glob("coursepack-workers-*")
    for _ in range(6000):
        if _free(left / ".in-use"):
            break
        time.sleep(0.01)
    living = subprocess.Popen([sys.executable, "-c", _HOLDS_A_FOLDER], text=True,
                              stdout=subprocess.PIPE, env={**os.environ, "TMPDIR": str(temporary)})
    try:
        assert living.stdout is not None
        held = Path(living.stdout.readline().strip())
        assert held.parent == temporary
        (temporary / "coursepack-workers-not-ours").mkdir()
        build = _building(course, tmp_path / "o", temporary, "workers")
        assert build.wait(timeout=600) == 0, build.communicate()
        assert sorted(temporary.iterdir()) == sorted([held, temporary / "coursepack-workers-not-ours"])
    finally:
        living.kill()
        living.wait(timeout=60)


def test_a_temporary_folder_on_a_file_system_without_locks_still_works(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some network file systems refuse locks: the folder is made all the same (and removed
    by its process only)."""
    from coursepack import scratch

    def refused(descriptor: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(fcntl, "flock", refused)
    folder = scratch.made("coursepack-workers-")
    assert folder.parent == tmp_path and list(folder.iterdir()) == []
    scratch.removed(folder)
    assert list(tmp_path.iterdir()) == []


def test_a_build_rendering_in_its_own_process_removes_its_font_copies_however_it_stops(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On one core the build renders itself, and WeasyPrint removed its copies of the fonts
    only when their configuration was collected: a build stopped while something still
    held it (the stop's own traceback, say) left a ``weasyprint-*`` folder behind."""
    from coursepack.exporters.pdf import pool

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    font = Path(pool.__file__).parent / "typefaces" / "NotoSans-Regular.ttf"
    css = f"@font-face {{ font-family: Body; src: url({font.as_uri()}) }} p {{ font-family: Body }}"
    job = pool.Job("", "a page", "<p>Protection d’abord</p>", css, str(tmp_path), "0" * 64)
    held = []
    with pytest.raises(KeyboardInterrupt), pool.Renderer(workers.Workers(1)) as renderer:
        [(_, rendered)] = renderer.run([job])
        assert rendered.pdf.startswith(b"%PDF")
        held.append(pool._worker["fonts"])  # still referenced as the build stops
        assert [p.name for p in tmp_path.glob("*/*") if p.name != ".in-use"]  # fonts copied
        raise KeyboardInterrupt
    assert held and list(tmp_path.iterdir()) == []


_KILLED_HOLDING = """
import os, sys
from coursepack import scratch
folder = scratch.made(sys.argv[1])
(folder / "site").mkdir()
(folder / "site" / "index.html").write_text("a page")
print(folder, flush=True)
os.kill(os.getpid(), 9)  # kill -9: nothing removed
"""


def test_a_build_removes_what_any_killed_build_left_whatever_it_makes_itself(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build killed while it packaged an LMS site (or rendered on one core) left its
    folder for good: the next build removed only folders of the kinds it made itself, and
    the packages' folders were not locked at all."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    killed = subprocess.run([sys.executable, "-c", _KILLED_HOLDING, "coursepack-package-"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert killed.returncode == -9 and Path(killed.stdout.strip()).is_dir()
    stranger = temporary / "coursepack-package-not-ours"  # no lock: another program's
    stranger.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    assert run("build", str(course), "-f", "html", "--out", str(tmp_path / "o")).exit_code == 0
    assert sorted(temporary.iterdir()) == [stranger]


def test_a_removal_cut_short_leaves_a_folder_the_next_sweep_finds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C while a package's folder was removed left it, its lock gone first."""
    from coursepack import scratch

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = scratch.made("coursepack-package-")
    for n in range(20):
        (folder / f"page-{n}.html").write_text("a page")
    real = os.unlink
    calls = []

    def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        calls.append(path)
        if len(calls) == 5:
            raise KeyboardInterrupt
        real(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", unlink)
    with pytest.raises(KeyboardInterrupt):
        scratch.removed(folder)
    monkeypatch.setattr(os, "unlink", real)
    assert (folder / ".in-use").is_file()
    os.close(scratch._held.pop(folder))  # the process that held it is gone
    scratch.sweep()
    assert list(tmp_path.iterdir()) == []
