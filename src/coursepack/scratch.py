"""Temporary folders that outlive no process: removed by their process as it ends, or by a
later one when it was killed.

A process killed outright (``kill -9``, the out-of-memory killer, a container stopped)
cannot remove its temporary folder: the preview's site, or the folder where the build's
workers keep their copies of the fonts, would stay in the system's temporary folder for
good, a few megabytes each time. So each such folder holds a lock (``flock``) for as
long as its process, or a process it forked, lives; the kernel releases it however they
end. Making a folder first removes every such folder whose lock nobody holds (``sweep``),
whatever its kind: a build that makes none of some kind still clears the last one's. A
folder without a lock (another program's, or one being made) is left alone; the lock is
removed last, so a removal cut short leaves a folder the next sweep finds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: folders there are only removed by their process
    fcntl = None  # type: ignore[assignment]

_LOCK = ".in-use"
_OURS = "coursepack-"  # every prefix starts so
_held: dict[Path, int] = {}  # each folder of this process, with its lock's descriptor


def made(prefix: str) -> Path:
    """A new folder ``<temporary folder>/<prefix>...`` (``prefix`` starting "coursepack-"),
    locked while this process and its forked children live; the folders that their
    process left are removed first."""
    sweep()
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if fcntl is not None:  # locked before it has its name: never seen unlocked
        making = folder / f"{_LOCK}.new"
        descriptor = os.open(making, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a file system without locks: removed by its process only
            os.close(descriptor)
            os.unlink(making)
            return folder
        os.rename(making, folder / _LOCK)
        _held[folder] = descriptor
    return folder


@contextmanager
def folder(prefix: str) -> Iterator[Path]:
    """A folder of ``made``, removed when the block ends, however it ends."""
    made_here = made(prefix)
    try:
        yield made_here
    finally:
        removed(made_here)


def removed(folder: Path) -> None:
    """Remove a folder made by ``made``, its lock last, and let go of the lock."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        entries = []
    for entry in entries:
        if entry.name != _LOCK:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with suppress(OSError):
                    os.unlink(entry.path)
    shutil.rmtree(folder, ignore_errors=True)
    descriptor = _held.pop(folder, None)
    if descriptor is not None:
        os.close(descriptor)


def sweep() -> None:
    """Remove this user's folders of ``made`` whose lock nobody holds (their process was
    killed)."""
    if fcntl is None:
        return
    try:
        candidates = [entry.path for entry in os.scandir(tempfile.gettempdir())
                      if entry.name.startswith(_OURS) and _own_folder(entry)]
    except OSError:
        return
    for folder in candidates:
        try:
            descriptor = os.open(Path(folder, _LOCK),
                                 os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue  # no lock: not one of ours
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(folder, ignore_errors=True)  # the lock held while it goes
        except OSError:
            pass  # its process lives
        finally:
            os.close(descriptor)


def _own_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False) and \
            entry.stat(follow_symlinks=False).st_uid == os.getuid()
    except OSError:
        return False
