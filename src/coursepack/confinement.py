"""The one rule for every file a course reads, whoever reads it (the loader, the templates,
the build's fingerprint): inside the course once links are followed, and of the kind
expected. It opens nothing, so a pipe never blocks a build. And its counterpart for what
coursepack writes into a course (``coursepack new``, ``import``, ``translate``): never
through a link out of it."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum
from pathlib import Path

from coursepack.errors import CoursepackError


class Unusable(Enum):
    """Why a path named by the course cannot be read as one of its files."""

    OUTSIDE = "is outside the course folder"
    MISSING = "does not exist"
    LOOP = "is a symbolic link that leads back to itself"
    FOLDER = "is a folder, not a file"
    NOT_FOLDER = "is not a folder"
    SPECIAL = "is not an ordinary file (a pipe, socket or device)"


_FOLDERS: ContextVar[dict[Path, Path] | None] = ContextVar("coursepack_folders", default=None)


@contextmanager
def folders_resolved_once() -> Iterator[None]:
    """Within this block, ``confined`` resolves each folder once (a build or a validation:
    a course of 1,000 lessons names some 6,000 files in 200 folders), then each file by a
    single ``lstat``: links are still followed wherever they are."""
    token = _FOLDERS.set({})
    try:
        yield
    finally:
        _FOLDERS.reset(token)


def _real(path: Path) -> tuple[Path, os.stat_result | None]:
    """``path`` with links followed, and its ``lstat`` when that is also its ``stat``."""
    known = _FOLDERS.get()
    if known is None or path.name in ("", ".", ".."):
        return path.resolve(), None
    parent = path.parent
    real_parent = known.get(parent)
    if real_parent is None:
        real_parent = known[parent] = parent.resolve()
    candidate = real_parent / path.name
    try:
        info = os.lstat(candidate)
    except FileNotFoundError:
        return candidate, None
    except OSError:
        return path.resolve(), None
    if stat.S_ISLNK(info.st_mode):
        return path.resolve(), None
    return candidate, info


def confined(root: Path, path: Path, folder: bool = False) -> tuple[Path, Unusable | None]:
    """``path`` with every symbolic link followed, or why the course may not read it there.

    The one rule for every file a course reads (spec files, sources, images, linked
    files): after links are followed it is inside ``root`` (resolved by the caller) and
    an ordinary file (a folder, when ``folder``). Nothing is opened, so a pipe never
    blocks the build.
    """
    try:
        real, info = _real(path)
    except (RuntimeError, OSError):  # a loop of links (RuntimeError up to Python 3.12)
        return path, Unusable.LOOP
    if not real.is_relative_to(root):
        return real, Unusable.OUTSIDE
    try:
        mode = (info or real.stat()).st_mode
    except OSError as exc:
        return real, Unusable.LOOP if exc.errno == errno.ELOOP else Unusable.MISSING
    if folder:
        return real, None if stat.S_ISDIR(mode) else Unusable.NOT_FOLDER
    if stat.S_ISDIR(mode):
        return real, Unusable.FOLDER
    return real, None if stat.S_ISREG(mode) else Unusable.SPECIAL


_INSIDE_ONLY = ("replace the link with the file or folder itself: coursepack reads and writes "
                "a course only inside its folder")


def refuse_link_out(root: Path, path: Path, hint: str = _INSIDE_ONLY) -> Path:
    """``path`` (under ``root``, resolved by the caller), to be written or edited; raise
    ``CoursepackError`` naming the link if a link on its way, or ``path`` itself, leads out
    of ``root``: a course that came from elsewhere could send the write anywhere."""
    if path.resolve().is_relative_to(root):
        return path
    step = root
    for part in path.relative_to(root).parts:
        step = step / part
        if not step.resolve().is_relative_to(root):
            break
    raise CoursepackError.single(
        f"{step.relative_to(root).as_posix()} is a link to {step.resolve()}, outside the "
        "course folder", hint=hint)


#: ``file_digest`` of what is not an ordinary file.
NOT_A_FILE = hashlib.sha256(b"\0missing").digest()


def file_digest(path: Path) -> bytes:
    """The SHA-256 of a file's bytes, to know it again; of a marker when it is not an
    ordinary file (gone, a folder, or a pipe, which is never opened: it would block)."""
    try:
        if path.is_file():
            return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        pass
    return NOT_A_FILE
