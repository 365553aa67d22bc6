"""The output folder of a build: what it may replace, who may write it, and the swap.

- A build writes only into a folder that is new, empty, or holds a previous coursepack
  build, recognised by the ``.coursepack-build`` file every build leaves in it (or, for
  builds older than that file, by format folders that each hold their inputs record).
  ``force`` lets it build into any folder: there it replaces the format folders only.
- One build at a time: a build holds an exclusive lock on that file; a second build into
  the same folder stops at once and says which process holds it.
- A build stages inside the output folder (``.coursepack-staging-<pid>``), so moving a
  format into place is a rename on one file system even when the folder is a mount point.
- All formats or none: each format folder is renamed into place and, if one rename fails
  or the build is interrupted, those already renamed are put back.
- Staging left by a killed build is removed by the next build (it holds the lock, so no
  other build can be using it). A build killed while it moved its formats in (two renames
  each, old out and new in) left some old, some new and one perhaps missing: its staging
  folder lists what it was moving (``.swapping``) until all of it is moved (``.swapped``),
  and the next build first puts back every format as it was.
- What the operating system refuses (a full disk, a read-only folder, a path too long)
  becomes a problem naming the path and what to do.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from types import TracebackType

from coursepack import leaving
from coursepack.atomic import replace_whole
from coursepack.errors import CoursepackError, os_error

if sys.platform != "win32":
    import fcntl

MARKER = ".coursepack-build"
STAGING = ".coursepack-staging-"
_MARKER_TEXT = ("This folder holds a coursepack build. Each build replaces its format folders\n"
                "(html/, pdf/, scorm12/ ...); other files are left alone.\n")
_SHOWN = 4  # foreign entries named in the refusal
_SWAPPING = ".swapping"  # in the staging folder: the formats being moved in, one per line
_SWAPPED = ".swapped"  # in the staging folder: all of them are in place
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")  # a language's folder: fr, pt-BR
_OLD_RECORD = ".coursepack-inputs.json"  # what a format folder held before builds left a marker

_held: set[int] = set()  # lock descriptors of this process, closed in forked children


def _forget_locks_in_child() -> None:
    """A forked worker must not keep the build's lock alive after the build is gone."""
    for fd in _held:
        with suppress(OSError):
            os.close(fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_in_child)


class BuildInterrupted(KeyboardInterrupt):
    """Ctrl+C (or SIGTERM, SIGHUP): before the new build was in place, the output folder is
    as it was; after (``complete``), it holds the new build."""

    def __init__(self, out: Path, complete: bool = False) -> None:
        super().__init__(str(out))
        self.out = out
        self.complete = complete


class OutputFolder:
    """A claimed output folder, used as a context manager: checked, locked, staged, cleaned."""

    def __init__(self, out: Path, known: Iterable[str], force: bool = False) -> None:
        self.out = out
        self.known = set(known)
        self.force = force
        self.stage = out / f"{STAGING}{os.getpid()}"
        self.swapped = False
        self.created = False  # by this build: removed again if the build fails
        self._lock: int | None = None
        #: A stop signal waits from the swap until the staging folder is gone (``swap_in``).
        self._holding = ExitStack()

    def __enter__(self) -> OutputFolder:
        with self.os_errors(building=False):
            self._create()
            self._refuse_foreign()
            self._take_lock()
            try:
                self._remove_stale_staging()
                self.stage.mkdir()
            except BaseException as exc:
                self._release()
                if isinstance(exc, KeyboardInterrupt):
                    raise BuildInterrupted(self.out) from None
                raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        with self._holding, leaving.held() as stopped:  # Ctrl+C now would leave the staging
            try:
                shutil.rmtree(self.stage, ignore_errors=True)
                if self.created and not self.swapped:  # a failed first build leaves nothing
                    (self.out / MARKER).unlink(missing_ok=True)
            finally:
                self._release()
            if self.created and not self.swapped:
                with suppress(OSError):
                    self.out.rmdir()
        if isinstance(error, BuildInterrupted) or not (
                isinstance(error, KeyboardInterrupt) or (error is None and stopped())):
            return
        raise BuildInterrupted(self.out, complete=self.swapped) from None

    # Claiming the folder

    def _create(self) -> None:
        if self.out.exists() and not self.out.is_dir():
            raise CoursepackError.single(
                f"the output folder {self.out} is a file",
                hint="choose a folder with --out (a new one is created)")
        self.created = not self.out.exists()
        self.out.mkdir(parents=True, exist_ok=True)

    def _refuse_foreign(self) -> None:
        if self.force or (self.out / MARKER).exists():
            return
        foreign = sorted(_printable(e.name) + "/" * e.is_dir() for e in self.out.iterdir()
                         if not self._earlier_build(e))
        if not foreign:
            return
        shown = ", ".join(foreign[:_SHOWN])
        more = f" and {len(foreign) - _SHOWN} more" if len(foreign) > _SHOWN else ""
        raise CoursepackError.single(
            f"the output folder {self.out} holds files that are not a coursepack build "
            f"({shown}{more}); a build replaces the folders it writes there",
            hint="choose a new or empty folder with --out, or add --force to build into "
                 "this one anyway (its format folders such as html/ are replaced, other "
                 "files are left alone)")

    def _earlier_build(self, entry: Path) -> bool:
        """Part of a build made before builds left the marker, or staging left by one."""
        if entry.name.startswith(STAGING):
            return True
        return (entry.name in self.known and entry.is_dir() and not entry.is_symlink()
                and (entry / _OLD_RECORD).is_file())

    def _take_lock(self) -> None:
        marker = self.out / MARKER
        if marker.is_symlink() or (marker.exists() and not marker.is_file()):
            # A build/ can come with a course: never write through a link it planted.
            raise CoursepackError.single(
                f"{marker} is not a plain file", hint="delete it and build again")
        fd = os.open(marker, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            locked = _lock(fd)
        except BaseException:
            os.close(fd)
            raise
        if not locked:
            holder = _holder(marker)
            os.close(fd)
            raise CoursepackError.single(
                f"another coursepack build{holder} is writing to {self.out}",
                hint="wait for it to finish and build again, or build into another folder "
                     "with --out")
        self._lock = fd
        _held.add(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{_MARKER_TEXT}pid {os.getpid()}\n".encode())

    def _release(self) -> None:
        if self._lock is not None:
            _held.discard(self._lock)
            os.close(self._lock)  # closing the only descriptor releases the lock
            self._lock = None

    def _remove_stale_staging(self) -> None:
        for entry in self.out.iterdir():
            if entry.name.startswith(STAGING) and entry.is_dir() and not entry.is_symlink():
                self._put_back(entry)
                shutil.rmtree(entry)

    def _put_back(self, stage: Path) -> None:
        """The output folder as it was before the build that left ``stage`` was killed
        moving its formats in: what it moved out goes back, what it moved in goes. Each
        line of the list names a format (or language) folder and whether one was there
        before; so a put-back cut short is finished by the next build, not taken for a
        format that was not there before."""
        journal = stage / _SWAPPING
        if (stage / _SWAPPED).exists() or journal.is_symlink() or not journal.is_file():
            return
        for line in journal.read_text(encoding="utf-8", errors="replace").splitlines():
            name, _, before = line.partition("\t")
            if not self._ours(name):
                continue  # not a folder a build moves in: left alone
            old, staged, target = stage / f".old-{name}", stage / name, self.out / name
            moved_in = not _there(staged)
            if old.is_dir() and not old.is_symlink():  # moved out, not yet put back
                if moved_in and self._built(target):
                    _remove(target)
                if not _there(target):
                    os.rename(old, target)
            elif before == "new" and moved_in and self._built(target):
                _remove(target)  # there was none before the killed build

    def _built(self, folder: Path) -> bool:
        """Whether ``folder`` is a format's folder, or a language's holding only those."""
        if not folder.is_dir() or folder.is_symlink():
            return False
        if folder.name in self.known:
            return True
        return all(entry.name in self.known for entry in folder.iterdir())

    def _ours(self, name: str) -> bool:
        """Whether ``name`` is a folder a build moves into the output folder: a format, or
        a language's folder of formats."""
        return name in self.known or _LANGUAGE.fullmatch(name) is not None

    # Swapping the new build in

    def swap_in(self, names: Iterable[str]) -> None:
        """Move each staged format folder into place; on any failure put back every one.

        A stop signal (Ctrl+C) waits from here until the staging folder is removed: one that
        came between a rename and its record made the put-back fail (part new, part old) or
        lose a format, and one that came as the build ended left the staging folder. The
        build then stops, holding the new build (``__exit__``)."""
        self._holding.enter_context(leaving.held())
        names = list(names)
        done: list[tuple[Path, Path]] = []
        try:
            with self.os_errors("replace"):
                listed = "".join(f"{name}\t{'old' if _there(self.out / name) else 'new'}\n"
                                 for name in names)
                replace_whole(self.stage / _SWAPPING, listed.encode())
                for name in names:
                    target = self.out / name
                    if _there(target):
                        _rename(target, self.stage / f".old-{name}", done)
                    _rename(self.stage / name, target, done)
                (self.stage / _SWAPPED).touch()
        except BaseException:
            self._undo(done)
            raise
        self.swapped = True

    def _undo(self, done: list[tuple[Path, Path]]) -> None:
        for source, target in reversed(done):
            if _there(source) or not _there(target):
                continue  # the rename never happened (it failed, or was cut short)
            try:
                os.rename(target, source)
            except OSError as exc:
                raise CoursepackError([os_error(
                    exc, "put back", source,
                    hint=f"the build in {self.out} is part new, part old: build again")]) from None

    # Errors the operating system reports

    @contextmanager
    def os_errors(self, action: str = "", building: bool = True) -> Iterator[None]:
        """Turn an OSError into a problem naming the path as the user knows it: the one
        written when there are two (a copy names its source first), else the output folder
        (a full disk names no file)."""
        try:
            yield
        except OSError as exc:
            paths = [Path(os.fsdecode(name)) for name in (exc.filename, exc.filename2)
                     if isinstance(name, (str, bytes, os.PathLike))]
            ours = [path for path in paths if path.is_relative_to(self.out)]
            path = (ours or paths or [self.out])[0]
            doing = action or ("write" if ours or not paths else "read")
            hint = _unchanged(exc) if building else ""
            raise CoursepackError([os_error(exc, doing, self.shown(path), hint=hint)]) from None

    def shown(self, path: Path) -> Path:
        """A path inside staging shown where it will be (build/html/..., not the stage)."""
        if path.is_relative_to(self.stage):
            relative = path.relative_to(self.stage)
            if relative.parts and relative.parts[0].startswith(".old-"):
                relative = Path(relative.parts[0][len(".old-"):], *relative.parts[1:])
            return self.out / relative
        return path


def _printable(name: str) -> str:
    """A file name as it can be shown on a terminal: escaped if it holds control characters."""
    return name if name.isprintable() else repr(name)


def _unchanged(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM):
        return "the previous build there is unchanged; add --out to build somewhere else"
    return "the previous build there is unchanged"


def _there(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _rename(source: Path, target: Path, done: list[tuple[Path, Path]]) -> None:
    done.append((source, target))  # first: nothing comes between the rename and its record
    os.rename(source, target)


def _lock(fd: int) -> bool:
    """Take an exclusive lock without waiting: False if another process holds it."""
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except PermissionError:
        if sys.platform == "win32":  # how Windows reports a lock held by another process
            return False
        raise
    except OSError as exc:
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            return True  # a file system without locks: build unlocked, as before
        raise
    return True


def _holder(marker: Path) -> str:
    """`` (process 1234)`` from the lock file, or nothing if it cannot be read."""
    try:
        lines = marker.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    pids = [line[4:].strip() for line in lines if line.startswith("pid ")]
    return f" (process {pids[-1]})" if pids and pids[-1].isdigit() else ""
