"""Files of a format's last build taken over by the next when they are what it would
write: linked into the new output, not read from the cache and written again.

A record in the build's cache, one per output folder, names each file written by the
digest of what it was made from, with what the file system said of it once written
(device, inode, size, modification time). A file of the last build whose digest is the
one this build would write, and that is still as the record says, is linked in
(``OutputDir.reuse``); any other is written. A hundred handouts, quizzes and the like
that an edited lesson leaves as they were cost a link each.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from coursepack.exporters.base import ExportContext

_RECORD_VERSION = "1"


class LinkedFiles:
    """The files one export writes, and those it can take over from its last build."""

    def __init__(self, ctx: ExportContext, kind: str) -> None:
        self.ctx = ctx
        where = ctx.destination
        self.key = ctx.cache.key(kind, _RECORD_VERSION, str(where)) if where else None
        before = ctx.cache.get_json(self.key) if self.key else None
        self.before: dict[str, Any] = before if isinstance(before, dict) else {}
        self.files: dict[str, list[Any]] = {}

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
        if not stat.S_ISREG(info.st_mode) or _facts(info) != was[1]:
            return False
        self._recorded(relpath, digest, self.ctx.out.reuse(previous / relpath, relpath))
        return True

    def write(self, relpath: str, digest: str, data: bytes) -> None:
        """Write ``data``, the file ``digest`` names, to ``relpath``."""
        self._recorded(relpath, digest, self.ctx.out.write_bytes(relpath, data))

    def _recorded(self, relpath: str, digest: str, target: os.PathLike[str]) -> None:
        self.files[relpath] = [digest, _facts(os.lstat(target))]

    def save(self) -> None:
        """Keep the record of what this export wrote, for the next build."""
        if self.key is not None:
            self.ctx.cache.put_json(self.key, self.files)


def _facts(info: os.stat_result) -> list[int]:
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]
