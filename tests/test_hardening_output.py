"""Attacks on the output folder, the environment and the build process itself.

Each test does what a user, a CI job or a failing disk does to a build and checks the
message a user reads and that the previous build is exactly as it was.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coursepack.output_folder import MARKER, STAGING
from tests.conftest import Run

LESSON = Path("modules") / "writing-questions" / "one-idea.yaml"
QUICK = ("gift", "moodle-xml", "qti12", "qti21")  # formats that build in a blink
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
HAS_PROC = Path("/proc/self/stat").exists()


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of a build and its bytes (the lock file's holder line aside)."""
    files = (p.relative_to(out) for p in sorted(out.rglob("*")) if p.is_file())
    return {f.as_posix(): (out / f).read_bytes() for f in files
            if f.name != MARKER and not f.parts[0].startswith(STAGING)}


def staging_left(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(STAGING)]


def retitle(course: Path) -> None:
    """An edit every format sees, so a rebuild makes every format again."""
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "title: Writing Good Quiz Questions", "title: Writing Better Quiz Questions"),
        encoding="utf-8")


def build_quick(run: Run, course: Path, out: Path, *more: str) -> None:
    result = run("build", str(course), *[a for f in QUICK for a in ("-f", f)], "--out", str(out),
                 *more)
    assert result.exit_code == 0, result.output


def lengthen(course: Path, paragraphs: int = 400) -> None:
    """A lesson long enough that its PDF takes the workers a while."""
    lesson = course / LESSON
    text = "".join(f"  Paragraph {n}: cover the options, read the stem and answer it; every "
                   "wrong option is a mistake a real learner makes.\n\n" for n in range(paragraphs))
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("body: |\n", "body: |\n" + text, 1),
                      encoding="utf-8")


# --out holding other files ------------------------------------------------------------


def test_an_out_folder_with_other_files_is_refused_and_left_intact(course: Path, run: Run,
                                                                   tmp_path: Path) -> None:
    docs = tmp_path / "Documents"
    (docs / "html").mkdir(parents=True)
    (docs / "html" / "index.html").write_text("my own site", encoding="utf-8")
    (docs / "notes.txt").write_text("my notes", encoding="utf-8")
    (docs / "\x1b[2Jrésumé").write_text("", encoding="utf-8")  # a name that clears a terminal
    before = snapshot(docs)

    result = run("build", str(course), "-f", "html", "--out", str(docs))

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"error: the output folder {docs} holds files that are not a coursepack build "
        "('\\x1b[2Jrésumé', html/, notes.txt); a build replaces the folders it writes there",
        "  hint: choose a new or empty folder with --out, or add --force to build into this one "
        "anyway (its format folders such as html/ are replaced, other files are left alone)",
    ]
    assert snapshot(docs) == before
    assert sorted(p.name for p in docs.iterdir()) == ["\x1b[2Jrésumé", "html", "notes.txt"]


def test_force_builds_into_a_folder_with_other_files_and_leaves_them(course: Path, run: Run,
                                                                     tmp_path: Path) -> None:
    docs = tmp_path / "Documents"
    docs.mkdir()
    (docs / "notes.txt").write_text("my notes", encoding="utf-8")

    result = run("build", str(course), "-f", "gift", "--out", str(docs), "--force")

    assert result.exit_code == 0, result.output
    assert (docs / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert list((docs / "gift").glob("*.gift.txt"))
    # The folder now holds a coursepack build: the next build needs no --force.
    assert run("build", str(course), "-f", "gift", "--out", str(docs)).exit_code == 0


def test_a_build_made_before_the_marker_existed_is_recognised(course: Path, run: Run,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_quick(run, course, out)
    (out / MARKER).unlink()  # what a build of an earlier coursepack left: a record per format
    for folder in out.iterdir():
        (folder / ".coursepack-inputs.json").write_text("{}", encoding="utf-8")
    retitle(course)
    build_quick(run, course, out)
    assert "Better" in next((out / "gift").glob("*.gift.txt")).read_text(encoding="utf-8")


def test_an_empty_folder_and_the_course_folder_itself(course: Path, run: Run,
                                                      tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("build", str(course), "-f", "gift", "--out", str(empty)).exit_code == 0
    before = snapshot(course)
    result = run("build", str(course), "-f", "gift", "--out", str(course))
    assert result.exit_code == 1
    assert "holds files that are not a coursepack build (" in result.stderr
    assert "course.yaml" in result.stderr
    assert snapshot(course) == before


# A build/ that came with the course ---------------------------------------------------


def test_a_marker_that_links_out_of_the_course_is_not_written_through(
        course: Path, run: Run, tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    (course / "build").mkdir()
    (course / "build" / MARKER).symlink_to(precious)

    result = run("build", str(course), "-f", "gift")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"error: {course / 'build' / MARKER} is not a plain file",
        "  hint: delete it and build again",
    ]
    assert precious.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize("there", [False, True])
def test_a_build_folder_that_links_out_of_the_course_is_not_built_into(
        course: Path, run: Run, tmp_path: Path, there: bool) -> None:
    """build/ itself a link, to a folder that is not there yet (the build would make it)
    or to an empty one: the build stops and says why, and writes nothing there."""
    elsewhere = tmp_path / "autostart"
    if there:
        elsewhere.mkdir()
    (course / "build").symlink_to(elsewhere)

    result = run("build", str(course), "-f", "gift")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"error: build is a link to {elsewhere}, outside the course folder",
        "  hint: a build does not follow a course's link out of it: remove the link, or name "
        "the output folder with --out"]
    assert (list(elsewhere.iterdir()) == []) if there else not elsewhere.exists()
    chosen = run("build", str(course), "-f", "gift", "--out", str(elsewhere))
    assert chosen.exit_code == 0, chosen.output  # named by the user: built there
    assert (elsewhere / "gift").is_dir()


def test_a_build_folder_that_links_inside_the_course_is_built_into(
        course: Path, run: Run) -> None:
    (course / "output").mkdir()
    (course / "build").symlink_to("output")
    assert run("build", str(course), "-f", "gift").exit_code == 0
    assert (course / "output" / "gift").is_dir()


def test_a_previous_build_that_links_out_of_the_course_is_not_taken_over(
        course: Path, run: Run, tmp_path: Path) -> None:
    """A shared course ships build/html as a link to a folder of the user's, holding the
    last build's files and a private one beside them."""
    assert run("build", str(course), "-f", "html").exit_code == 0
    private = tmp_path / "private"
    shutil.move(course / "build" / "html", private)
    (private / "secret.txt").write_text("private", encoding="utf-8")
    (course / "build" / "html").symlink_to(private, target_is_directory=True)

    result = run("build", str(course), "-f", "html")

    assert result.exit_code == 0, result.output
    assert "the last build's output is kept" not in result.output
    assert not (course / "build" / "html").is_symlink()
    assert not (course / "build" / "html" / "secret.txt").exists()
    assert (private / "secret.txt").read_text(encoding="utf-8") == "private"


# All formats or none ------------------------------------------------------------------


def _failing_rename(out: Path, name: str, interrupt: bool = False) -> Callable[..., None]:
    """``os.rename`` that fails once as a busy folder does (or as Ctrl+C comes) when the new
    ``name`` is moved into ``out``."""
    real = os.rename
    failed: list[str] = []

    def rename(source: str, target: str) -> None:
        if Path(target) == out / name and not failed:
            failed.append(source)
            if interrupt:
                raise KeyboardInterrupt
            raise OSError(errno.EBUSY, "Device or resource busy", source, None, target)
        real(source, target)

    return rename


def test_a_format_that_cannot_be_swapped_in_leaves_every_format_old(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_quick(run, course, out)
    before = snapshot(out)
    retitle(course)
    monkeypatch.setattr(os, "rename", _failing_rename(out, QUICK[2]))

    result = run("build", str(course), *[a for f in QUICK for a in ("-f", f)], "--out", str(out))

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:3] == [
        f"error: cannot replace {out / QUICK[2]}: Device or resource busy (EBUSY)",
        "  hint: another program is using it: close that program and try again",
        "  hint: the previous build there is unchanged",
    ]
    assert snapshot(out) == before
    assert staging_left(out) == []
    monkeypatch.undo()  # the same build goes through once the folder is free
    build_quick(run, course, out)
    assert snapshot(out) != before


def _ctrl_c_mid_swap(course: Path, run: Run, tmp_path: Path,
                    monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, bytes]]:
    """A build of the quick formats in ``out``, the course edited, and Ctrl+C set to come
    as the third format moves in; returns ``out`` and what it held."""
    out = tmp_path / "out"
    build_quick(run, course, out)
    before = snapshot(out)
    retitle(course)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "rename", _failing_rename(out, QUICK[2], interrupt=True))
    return out, before


def test_ctrl_c_during_the_swap_puts_back_the_formats_already_swapped(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, before = _ctrl_c_mid_swap(course, run, tmp_path, monkeypatch)

    result = run("build", str(course), *[a for f in QUICK for a in ("-f", f)], "--out", str(out))

    assert result.exit_code == 130
    assert result.stderr == "Build interrupted; out/ unchanged\n"
    assert snapshot(out) == before


def _signalled_after_rename(out: Path, name: str, stop: signal.Signals) -> Callable[..., None]:
    """``os.rename`` that gets ``stop`` the moment the new ``name`` is in ``out``."""
    real = os.rename

    def rename(source: str, target: str) -> None:
        real(source, target)
        if Path(target) == out / name:
            os.kill(os.getpid(), stop)

    return rename


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_between_two_renames_of_the_swap_lets_the_swap_finish(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stop: signal.Signals) -> None:
    """A stop that came just after a format moved in, before that move was recorded: the
    put-back then failed ("cannot put back ...: Directory not empty", part new, part old)
    or lost a format while saying "unchanged". Now the swap finishes, then the build stops
    holding the new build."""
    out = tmp_path / "out"
    build_quick(run, course, out)
    before = snapshot(out)
    retitle(course)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "rename", _signalled_after_rename(out, QUICK[1], stop))

    result = run("build", str(course), *[a for f in QUICK for a in ("-f", f)], "--out", str(out))

    assert result.exit_code == 128 + stop, result.output
    assert result.stderr == "Build interrupted; out/ holds the new build\n"
    assert staging_left(out) == []
    monkeypatch.undo()
    built = snapshot(out)
    assert built != before and set(built) == set(before)
    build_quick(run, course, out)  # the same course again: nothing to change
    assert snapshot(out) == built


def _signalled_while_removing(stop: signal.Signals, times: int) -> Callable[..., None]:
    """``shutil.rmtree`` of the output folder's staging that gets ``stop`` ``times`` over
    as it starts, as from a user pressing Ctrl+C again and again."""
    real = shutil.rmtree

    def rmtree(path: str | Path, *args: object, **kwargs: object) -> None:
        if Path(path).name.startswith(STAGING):
            for _ in range(times):
                os.kill(os.getpid(), stop)
        real(path, *args, **kwargs)  # type: ignore[arg-type]

    return rmtree


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_the_old_build_is_removed_lets_the_removal_finish(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        stop: signal.Signals) -> None:
    """The new build is in place and the old one is being removed: a stop signal (several)
    then left the old one in a staging folder, and said only "Interrupted"."""
    out = tmp_path / "out"
    build_quick(run, course, out)
    before = snapshot(out)
    retitle(course)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("coursepack.output_folder.shutil.rmtree",
                        _signalled_while_removing(stop, 3))

    result = run("build", str(course), *[a for f in QUICK for a in ("-f", f)], "--out", str(out))

    assert result.exit_code == 128 + stop, result.output
    assert result.stderr == "Build interrupted; out/ holds the new build\n"
    assert staging_left(out) == []
    built = snapshot(out)
    assert built != before
    monkeypatch.undo()
    build_quick(run, course, out)  # nothing left to do: the new build was whole
    assert snapshot(out) == built


def test_ctrl_c_pressed_again_while_a_build_puts_things_back_is_ignored(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl+C mid-build, then again and again as the build removes what it staged: the
    removal was cut short (a staging folder left, once an EBADF error)."""
    out, before = _ctrl_c_mid_swap(course, run, tmp_path, monkeypatch)
    monkeypatch.setattr("coursepack.output_folder.shutil.rmtree",
                        _signalled_while_removing(signal.SIGINT, 3))

    result = run("build", str(course), *[a for f in QUICK for a in ("-f", f)], "--out", str(out))

    assert result.exit_code == 130, result.output
    assert result.stderr == "Build interrupted; out/ unchanged\n"
    assert staging_left(out) == []
    assert snapshot(out) == before


_KILLED_AT_RENAME = """
import os, signal, sys
from pathlib import Path
out, count = Path(sys.argv.pop(1)).resolve(), int(sys.argv.pop(1))
real, seen = os.rename, []

def rename(source, target, *args, **kwargs):
    if out in (Path(source).parent.resolve(), Path(target).parent.resolve()):
        seen.append(target)
        if len(seen) == count:
            os.kill(os.getpid(), signal.SIGKILL)  # as the system's out-of-memory killer
    return real(source, target, *args, **kwargs)

os.rename = rename
from coursepack.cli import run
run()
"""


@pytest.mark.parametrize("killed_at", [1, 2, 3, 4])
def test_a_build_killed_while_it_moves_its_formats_in_is_undone_by_the_next(
        course: Path, run: Run, tmp_path: Path, killed_at: int) -> None:
    """Each format moves in with two renames (old out, new in): killed between any two,
    the build left some formats old, some new and one perhaps missing, and the next build
    removed its staging folder with the old format in it: that format was lost for good."""
    out = tmp_path / "out"
    formats = ("gift", "qti12")
    build_quick(run, course, out)
    before = snapshot(out)
    retitle(course)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AT_RENAME, str(out), str(killed_at), "build",
         str(course), *[a for f in formats for a in ("-f", f)], "--out", str(out)],
        capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert staging_left(out)

    result = run("build", str(course), "-f", "moodle-xml", "--out", str(out))  # another format

    assert result.exit_code == 0, result.output
    assert staging_left(out) == []
    after = snapshot(out)
    for fmt in formats:  # as before the killed build, the format it did not finish
        assert {k: v for k, v in after.items() if k.startswith(f"{fmt}/")} == \
            {k: v for k, v in before.items() if k.startswith(f"{fmt}/")}


def test_putting_back_what_a_killed_build_moved_is_finished_if_it_is_killed_too(
        course: Path, run: Run, tmp_path: Path) -> None:
    """The next build was killed as it put the formats back: the one after it took a
    format it had put back for one the first build had moved in, and removed it."""
    out = tmp_path / "out"
    formats = ("gift", "qti12")
    build_quick(run, course, out)
    before = snapshot(out)
    retitle(course)
    # killed as qti12 moved in, gift done; then killed with gift put back, not qti12
    for killed_at, args in ((4, ("build", str(course), "-f", "gift", "-f", "qti12")),
                            (2, ("build", str(course), "-f", "moodle-xml"))):
        killed = subprocess.run(
            [sys.executable, "-c", _KILLED_AT_RENAME, str(out), str(killed_at), *args,
             "--out", str(out)], capture_output=True, text=True, timeout=300)
        assert killed.returncode == -signal.SIGKILL, killed.stderr

    result = run("build", str(course), "-f", "moodle-xml", "--out", str(out))

    assert result.exit_code == 0, result.output
    after = snapshot(out)
    for fmt in formats:
        assert {k: v for k, v in after.items() if k.startswith(f"{fmt}/")} == \
            {k: v for k, v in before.items() if k.startswith(f"{fmt}/")}


def test_a_planted_list_of_formats_being_moved_in_touches_nothing_outside(
        course: Path, run: Run, tmp_path: Path) -> None:
    """A build/ can come with a course: a staging folder in it that says it was moving in
    formats named like paths out of it, with links, puts back nothing outside build/."""
    out = tmp_path / "out"
    build_quick(run, course, out)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine", encoding="utf-8")
    planted = out / f"{STAGING}999"
    planted.mkdir()
    (out / "notes").mkdir()
    (out / "notes" / "n.txt").write_text("mine too", encoding="utf-8")
    (out / "keep.txt").write_text("and this", encoding="utf-8")
    (planted / ".swapping").write_bytes(
        b"../outside\tnew\n/etc\tnew\n\n..\nhtml/../..\na\0b\n" + "\u00e9".encode() * 150
        + b"\nhtml\told\nnotes\tnew\nkeep.txt\tnew\n.coursepack-build\tnew\n")
    (planted / ".old-html").symlink_to(outside, target_is_directory=True)

    result = run("build", str(course), "-f", "gift", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert staging_left(out) == []
    assert not (out / "html").exists() and not (out / "html").is_symlink()  # not ours
    assert (out / "notes" / "n.txt").is_file() and (out / "keep.txt").is_file()
    assert (out / MARKER).is_file()


# Disks that refuse --------------------------------------------------------------------


def test_a_full_disk_while_writing_is_reported_with_the_folder(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_quick(run, course, out)
    before = snapshot(out)
    retitle(course)

    def full(*args: object, **kwargs: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")  # as write() reports it

    monkeypatch.setattr(Path, "write_text", full)
    result = run("build", str(course), *[a for f in QUICK for a in ("-f", f)], "--out", str(out))

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:3] == [
        f"error: cannot write {out}: No space left on device (ENOSPC)",
        "  hint: the disk is full: free some space or choose a folder on another disk",
        "  hint: the previous build there is unchanged; add --out to build somewhere else",
    ]
    assert "internal error" not in result.output and "bug in coursepack" not in result.output
    assert snapshot(out) == before


@pytest.mark.parametrize(("code", "hint"), [
    (errno.EACCES, "you may not write there: fix the folder's permissions or choose another one"),
    (errno.EROFS, "the disk is read-only (a locked USB stick, a read-only mount): choose a folder "
                  "on a writable disk"),
    (errno.ENOSPC, "the disk is full: free some space or choose a folder on another disk"),
    (errno.EDQUOT, "your disk quota is used up: free some space or choose a folder on another "
                   "disk"),
    (errno.ENAMETOOLONG, "the path is too long for this disk: choose a folder with a shorter path"),
    (errno.EIO, "the disk reported a fault: check it and try again"),
])
def test_each_refusal_of_the_disk_names_the_file_where_the_user_will_look(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        code: int, hint: str) -> None:
    out = tmp_path / "out"
    build_quick(run, course, out)
    before = snapshot(out)
    retitle(course)

    def refused(path: Path, *args: object, **kwargs: object) -> int:
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(Path, "write_text", refused)
    result = run("build", str(course), "-f", "gift", "--out", str(out))

    assert result.exit_code == 1
    written = out / "gift" / "starter-course-questions.gift.txt"  # not the staging folder
    assert result.stderr.splitlines()[:2] == [
        f"error: cannot write {written}: {os.strerror(code)} ({errno.errorcode[code]})",
        f"  hint: {hint}",
    ]
    assert snapshot(out) == before


def test_a_read_only_folder_is_reported_with_the_file(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_quick(run, course, out)
    before = snapshot(out)
    real = os.open

    def read_only(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", os.fspath(path))  # type: ignore[arg-type]
        return real(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only)
    result = run("build", str(course), "-f", "gift", "--out", str(out))

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"error: cannot write {out / MARKER}: Read-only file system (EROFS)",
        "  hint: the disk is read-only (a locked USB stick, a read-only mount): choose a folder "
        "on a writable disk",
    ]
    assert snapshot(out) == before


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount small tmpfs file systems (root only; skipped where mounting is not allowed)."""
    mounted: list[Path] = []

    def mount(name: str, options: str = "size=4m") -> Path:
        if not IS_ROOT or shutil.which("mount") is None:
            pytest.skip("mounting a tmpfs needs root")
        point = tmp_path / name
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                              capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def test_out_on_a_mount_point_builds_and_rebuilds(course: Path, run: Run,
                                                  tmpfs: Callable[..., Path]) -> None:
    stick = tmpfs("stick")
    build_quick(run, course, stick)
    retitle(course)
    build_quick(run, course, stick)
    assert "Better" in next((stick / "gift").glob("*.gift.txt")).read_text(encoding="utf-8")
    assert staging_left(stick) == []


def test_a_disk_that_fills_up_leaves_the_previous_build(course: Path, run: Run,
                                                        tmpfs: Callable[..., Path]) -> None:
    small = tmpfs("small", "size=100k")
    assert run("build", str(course), "-f", "gift", "--out", str(small)).exit_code == 0
    before = snapshot(small)

    result = run("build", str(course), "-f", "gift", "-f", "html", "--out", str(small))

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: cannot write {small}")
    assert errors[0].endswith(": No space left on device (ENOSPC)")
    assert "  hint: the disk is full: free some space or choose a folder on another disk" in \
        result.stderr
    assert snapshot(small) == before
    assert staging_left(small) == []


def test_a_read_only_mount_leaves_the_previous_build(course: Path, run: Run,
                                                     tmpfs: Callable[..., Path]) -> None:
    stick = tmpfs("locked")
    assert run("build", str(course), "-f", "gift", "--out", str(stick)).exit_code == 0
    before = snapshot(stick)
    remount = subprocess.run(["mount", "-o", "remount,ro", str(stick)], capture_output=True)
    if remount.returncode:
        pytest.skip("cannot remount the tmpfs read-only")
    retitle(course)

    result = run("build", str(course), "-f", "gift", "--out", str(stick))

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == \
        f"error: cannot write {stick / MARKER}: Read-only file system (EROFS)"
    assert snapshot(stick) == before


# Paths below a file -------------------------------------------------------------------


def test_output_paths_below_a_file_are_reported(course: Path, run: Run, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("somefile").write_text("", encoding="utf-8")
    hint = "  hint: a part of the path is a file, not a folder: choose another path"
    cases = {
        ("schema", "--out", "somefile/x.json"): "cannot write somefile/x.json",
        ("init", "somefile/course"): "cannot write somefile/course",
        ("build", str(course), "-f", "gift", "--out", "somefile/x"):
            f"cannot write {tmp_path / 'somefile' / 'x'}",
    }
    for args, message in cases.items():
        result = run(*args)
        assert result.exit_code == 1, args
        assert result.stderr.splitlines()[:2] == [f"error: {message}: Not a directory (ENOTDIR)",
                                                 hint], args
        assert "Traceback" not in result.output
    assert Path("somefile").read_text(encoding="utf-8") == ""


def test_an_output_path_too_long_for_the_disk_is_reported(run: Run, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("schema", "--out", "x" * 300)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"error: cannot write {'x' * 300}: File name too long (ENAMETOOLONG)",
        "  hint: the path is too long for this disk: choose a folder with a shorter path",
    ]


# SOURCE_DATE_EPOCH --------------------------------------------------------------------

RANGE_HINT = (
    "  hint: set it to a whole number of seconds since 1970-01-01 UTC, from 0 to 4354819198 "
    "(2107-12-31 23:59:58, the last date a zip archive can hold), for example the date of the "
    "last commit: SOURCE_DATE_EPOCH=$(git log -1 --format=%ct); or unset it")


@pytest.mark.parametrize(("value", "message"), [
    ("yesterday", "SOURCE_DATE_EPOCH is 'yesterday', not a whole number of seconds"),
    ("1700000000.5", "SOURCE_DATE_EPOCH is '1700000000.5', not a whole number of seconds"),
    ("-86400", "SOURCE_DATE_EPOCH is '-86400', before 1970-01-01 UTC"),
    ("4354819200", "SOURCE_DATE_EPOCH is '4354819200', after 2107-12-31 23:59:58 UTC"),
    ("1" * 400, f"SOURCE_DATE_EPOCH is '{'1' * 40}...', after 2107-12-31 23:59:58 UTC"),
    ("\x1b[31m1", "SOURCE_DATE_EPOCH is '\\x1b[31m1', not a whole number of seconds"),
])
def test_an_unusable_source_date_epoch_is_named_with_the_range(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        value: str, message: str) -> None:
    out = tmp_path / "out"
    build_quick(run, course, out)
    before = snapshot(out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)

    result = run("build", str(course), "-f", "scorm12", "-f", "pdf", "--out", str(out))

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {message}", RANGE_HINT,
                                          "failed: 1 error, 0 warnings"]
    assert snapshot(out) == before


def zip_dates(out: Path) -> set[tuple[int, ...]]:
    package = next((out / "scorm12").glob("*.zip"))
    with zipfile.ZipFile(package) as archive:
        return {info.date_time for info in archive.infolist()}


def test_the_last_date_a_zip_can_hold_is_used(course: Path, run: Run, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "4354819198")
    result = run("build", str(course), "-f", "scorm12", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert zip_dates(tmp_path / "out") == {(2107, 12, 31, 23, 59, 58)}


def test_a_date_before_1980_is_clamped_in_zips_with_a_warning(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    result = run("build", str(course), "-f", "scorm12", "--strict", "--out",
                 str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "warning: SOURCE_DATE_EPOCH is 0, before 1980-01-01: files in zip packages (SCORM, QTI, "
        "Common Cartridge) are dated 1980-01-01 00:00:00 UTC, the first date a zip archive can "
        "hold")
    assert zip_dates(tmp_path / "out") == {(1980, 1, 1, 0, 0, 0)}


# Builds as processes: at once, killed, interrupted ------------------------------------


def coursepack(*args: str, cwd: Path) -> subprocess.Popen[str]:
    """``coursepack ...`` in its own process group, as a terminal starts it: with Ctrl+C
    at its default even when these tests run where it is ignored (a shell's background
    job ignores it, and a program inherits that)."""
    return subprocess.Popen([sys.executable, "-m", "coursepack", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_ctrl_c_as_on_a_terminal)


def _ctrl_c_as_on_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(condition: Callable[[], object], what: str, limit: float = 120) -> None:
    """Poll until ``condition`` holds; fail (never hang) if it never does."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


def _state(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], int(fields[1])


def workers_of(pid: int) -> list[int]:
    """The living child processes of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            state = _state(int(entry.name))
            if state is not None and state[1] == pid and state[0] not in "ZX":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    state = _state(pid)
    return state is not None and state[0] not in "ZX"


needs_workers = pytest.mark.skipif(
    not HAS_PROC or (os.cpu_count() or 1) < 2,
    reason="needs /proc and at least two cores (PDF workers)")


@needs_workers
def test_two_builds_into_one_folder_at_once(course: Path, run: Run, tmp_path: Path) -> None:
    out = course / "build"
    build_quick(run, course, out)
    lengthen(course)
    first = coursepack("build", ".", "-f", "pdf", cwd=course)
    try:
        wait_for(lambda: f"pid {first.pid}" in (out / MARKER).read_text(encoding="utf-8"),
                 "the first build to take the folder")
        os.kill(first.pid, signal.SIGSTOP)  # hold it there, whatever the machine's speed
        second = subprocess.run([sys.executable, "-m", "coursepack", "build", ".", "-f", "gift"],
                                cwd=course, capture_output=True, text=True, timeout=300)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert second.returncode == 1
    assert second.stderr.splitlines() == [
        f"error: another coursepack build (process {first.pid}) is writing to {out}",
        "  hint: wait for it to finish and build again, or build into another folder with --out",
        "failed: 1 error, 0 warnings",
    ]
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert (out / "pdf" / "course-pack.pdf").is_file() and (out / "gift").is_dir()


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_a_preview_rebuild_that_finds_its_folder_locked_keeps_serving(course: Path,
                                                                       tmp_path: Path) -> None:
    import fcntl

    from coursepack.serve import Preview

    said: list[str] = []
    preview = Preview(course, tmp_path / "preview", lambda text, is_error: said.append(text))
    assert preview.rebuild()
    holder = os.open(tmp_path / "preview" / MARKER, os.O_RDWR)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another build, as far as it knows
        assert not preview.rebuild()
    finally:
        os.close(holder)
    assert preview.status().error.startswith("error: another coursepack build (process ")
    assert "build failed; still serving the last good build" in said
    assert (tmp_path / "preview" / "html" / "index.html").is_file()
    assert preview.rebuild()  # the next change builds again
    assert preview.status().error == ""


@needs_workers
def test_a_killed_build_takes_its_workers_and_the_next_cleans_up(course: Path, run: Run) -> None:
    out = course / "build"
    build_quick(run, course, out)
    before = snapshot(out)
    lengthen(course)
    build = coursepack("build", ".", "-f", "pdf", cwd=course)
    # the workers start loading WeasyPrint as the build starts; the PDFs come after the checks
    wait_for(lambda: workers_of(build.pid) and staging_left(out), "the PDF export to start")
    os.kill(build.pid, signal.SIGSTOP)  # freeze it mid-PDF, then kill it as kill -9 does
    workers = workers_of(build.pid)
    assert staging_left(out) == [f"{STAGING}{build.pid}"]
    os.kill(build.pid, signal.SIGKILL)
    build.communicate(timeout=60)

    wait_for(lambda: not any(alive(w) for w in workers), "the workers to die with the build")
    assert snapshot(out) == before

    result = run("build", str(course), "-f", "gift", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert staging_left(out) == []


@needs_workers
def test_ctrl_c_mid_pdf_ends_by_sigint_without_tracebacks(course: Path, run: Run) -> None:
    """The build ends by SIGINT itself once it has cleaned up (a shell shows 130): a shell
    loop running builds stops there, as it would not for a plain exit with 130."""
    out = course / "build"
    build_quick(run, course, out)
    before = snapshot(out)
    lengthen(course)
    build = coursepack("build", ".", "-f", "pdf", cwd=course)
    # the workers start loading WeasyPrint as the build starts; the PDFs come after the checks
    wait_for(lambda: workers_of(build.pid) and staging_left(out), "the PDF export to start")
    workers = workers_of(build.pid)
    os.killpg(build.pid, signal.SIGINT)  # a terminal sends Ctrl+C to the whole group

    stdout, stderr = build.communicate(timeout=120)

    assert build.returncode == -signal.SIGINT, (stdout, stderr)
    assert stderr == "Build interrupted; build/ unchanged\n"
    assert snapshot(out) == before
    assert staging_left(out) == []
    wait_for(lambda: not any(alive(w) for w in workers), "the workers to stop")


@pytest.mark.pdf
def test_a_disk_that_fills_up_with_the_pdfs_is_reported_as_full(course: Path, run: Run,
                                                                 tmpfs: Callable[..., Path]) -> None:
    """The PDFs are written as they are rendered: a full disk then is a full disk, not a
    rendering failure with a hint about templates."""
    small = tmpfs("small", "size=200k")
    assert run("build", str(course), "-f", "gift", "--out", str(small)).exit_code == 0
    before = snapshot(small)

    result = run("build", str(course), "-f", "pdf", "-f", "gift", "--out", str(small))

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"error: cannot write {small}: No space left on device (ENOSPC)",
        "  hint: the disk is full: free some space or choose a folder on another disk",
    ]
    assert "template" not in result.stderr
    assert snapshot(small) == before
    assert staging_left(small) == []
