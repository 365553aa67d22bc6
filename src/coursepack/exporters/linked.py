"""Files of a format's last build taken over by the next when they are what it would
write: linked into the new output, not made, read from the cache or written again.

What the file system says of a file once written (``facts_of``: device, inode, mode, size,
modification time) is recorded with what it was made from. A file of the last build that
is still as recorded, and that is reached through folders of that build (no link to
elsewhere, which a link made through it would follow), is linked in (``OutputDir.reuse``);
any other is made or written anew. The site's pages and images are taken over so
(``html.pages``), and the PDFs an edited lesson leaves as they were (``LinkedFiles``): a
hundred handouts, quizzes and the like cost a link each. (A file written over in place and
its time set back to the nanosecond is taken for the one recorded, as a format kept whole
is.)
"""

from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path
from typing import Any

from coursepack.exporters.base import ExportContext

_RECORD_VERSION = "2"


def facts_of(path: Path) -> list[int]:
    """What a file written keeps while it is left alone (its mode too: a link keeps it)."""
    info = os.lstat(path)
    return [info.st_dev, info.st_ino, info.st_mode, info.st_size, info.st_mtime_ns]


class LastBuild:
    """The files of a format's last build, in ``folder``, that can be taken over."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._folders: dict[str, bool] = {}  # a folder of it -> a real one in it

    def as_left(self, relpath: str, facts: object) -> bool:
        """Whether ``relpath`` is a file still as recorded (``facts``), in folders of the
        last build."""
        try:
            now = facts_of(self.folder / relpath)
        except OSError:
            return False
        return stat.S_ISREG(now[2]) and now == facts and \
            self._inside(posixpath.dirname(relpath))

    def _inside(self, folder: str) -> bool:
        if not folder:
            return True
        if folder not in self._folders:
            try:
                real = stat.S_ISDIR(os.lstat(self.folder / folder).st_mode)
            except OSError:
                real = False
            self._folders[folder] = real and self._inside(posixpath.dirname(folder))
        return self._folders[folder]


class LinkedFiles:
    """The files one export writes, and those it can take over from its last build: a
    record per output folder, kept in the build's cache, of each file's digest (what it was
    made from) and facts."""

    def __init__(self, ctx: ExportContext, kind: str) -> None:
        self.ctx = ctx
        where = ctx.destination
        self.key = ctx.cache.key(kind, _RECORD_VERSION, str(where)) if where else None
        before = ctx.cache.get_json(self.key) if self.key else None
        self.before: dict[str, Any] = before if isinstance(before, dict) else {}
        self.files: dict[str, list[Any]] = {}
        self.last = LastBuild(ctx.previous) if ctx.previous is not None else None

    def taken_over(self, relpath: str, digest: str) -> bool:
        """Whether the last build's ``relpath``, the file ``digest`` names and as that build
        left it, is now this build's (linked, or copied where a link cannot be made)."""
        was = self.before.get(relpath)
        if self.last is None or not isinstance(was, list) or len(was) != 2 \
                or was[0] != digest or not self.last.as_left(relpath, was[1]):
            return False
        self._recorded(relpath, digest, self.ctx.out.reuse(self.last.folder / relpath, relpath))
        return True

    def write(self, relpath: str, digest: str, data: bytes) -> None:
        """Write ``data``, the file ``digest`` names, to ``relpath``."""
        self._recorded(relpath, digest, self.ctx.out.write_bytes(relpath, data))

    def _recorded(self, relpath: str, digest: str, target: Path) -> None:
        self.files[relpath] = [digest, facts_of(target)]

    def save(self) -> None:
        """Keep the record of what this export wrote, for the next build."""
        if self.key is not None:
            self.ctx.cache.put_json(self.key, self.files)
