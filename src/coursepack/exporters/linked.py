"""Files of a format's last build taken over by the next when they are what it would
write: linked into the new output, not read from the cache and written again.

A record in the build's cache, one per output folder, names each file written by the
digest of what it was made from, with what the file system said of it once written
(device, inode, mode, size, modification time). A file of the last build whose digest is
the one this build would write, that is still as the record says and that is reached
through folders of that build (no link to elsewhere), is linked in (``OutputDir.reuse``);
any other is written. A hundred handouts, quizzes and the like that an edited lesson
leaves as they were cost a link each. (A file written over in place and its time set
back is taken for the one recorded, as the site's pages and a format kept whole are.)
"""

from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path
from typing import Any

from coursepack.exporters.base import ExportContext

_RECORD_VERSION = "2"


class LinkedFiles:
    """The files one export writes, and those it can take over from its last build."""

    def __init__(self, ctx: ExportContext, kind: str) -> None:
        self.ctx = ctx
        where = ctx.destination
        self.key = ctx.cache.key(kind, _RECORD_VERSION, str(where)) if where else None
        before = ctx.cache.get_json(self.key) if self.key else None
        self.before: dict[str, Any] = before if isinstance(before, dict) else {}
        self.files: dict[str, list[Any]] = {}
        self._folders: dict[str, bool] = {}  # folder of the last build -> a real one in it

    def taken_over(self, relpath: str, digest: str) -> bool:
        """Whether the last build's ``relpath``, the file ``digest`` names and as that build
        left it, is now this build's (linked, or copied where a link cannot be made)."""
        was = self.before.get(relpath)
        previous = self.ctx.previous
        if previous is None or not isinstance(was, list) or len(was) != 2 or was[0] != digest:
            return False
        try:
            info = os.lstat(previous / relpath)
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or _facts(info) != was[1] \
                or not self._inside(previous, posixpath.dirname(relpath)):
            return False
        self._recorded(relpath, digest, self.ctx.out.reuse(previous / relpath, relpath))
        return True

    def write(self, relpath: str, digest: str, data: bytes) -> None:
        """Write ``data``, the file ``digest`` names, to ``relpath``."""
        self._recorded(relpath, digest, self.ctx.out.write_bytes(relpath, data))

    def _recorded(self, relpath: str, digest: str, target: os.PathLike[str]) -> None:
        self.files[relpath] = [digest, _facts(os.lstat(target))]

    def _inside(self, previous: Path, folder: str) -> bool:
        """Whether ``folder`` of the last build is a folder of it, not a link to one
        elsewhere (which a link made through it would follow)."""
        if not folder:
            return True
        if folder not in self._folders:
            try:
                real = stat.S_ISDIR(os.lstat(previous / folder).st_mode)
            except OSError:
                real = False
            self._folders[folder] = real and self._inside(previous, posixpath.dirname(folder))
        return self._folders[folder]

    def save(self) -> None:
        """Keep the record of what this export wrote, for the next build."""
        if self.key is not None:
            self.ctx.cache.put_json(self.key, self.files)


def _facts(info: os.stat_result) -> list[int]:
    """What a file written keeps while it is left alone (its mode too: a link keeps it)."""
    return [info.st_dev, info.st_ino, info.st_mode, info.st_size, info.st_mtime_ns]
