"""Files replaced whole, for everything coursepack writes outside a build's staging folder:
the cache's own files, translators' files, results tables, the preview's pages."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Read once, as the module is imported: setting it back and forth later could race with
#: another thread creating a file.
_UMASK = _umask()


def replace_whole(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` at once: a reader finds the old file or the new one,
    never half, and a failure leaves the old one. The new file gets a name no one could
    know and is renamed over ``path``, so a link found there is replaced, never written
    through. The folder is made if it is missing. The file keeps the permissions of the
    one it replaces, or gets those of any new file (a temporary file's are the owner's
    alone, and a translator's catalogue or a results table is no secret of this process)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                         dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode(path: Path) -> int:
    """The permissions of the regular file at ``path``, or those a new file gets."""
    try:
        found = os.lstat(path)
    except OSError:
        return 0o666 & ~_UMASK
    return stat.S_IMODE(found.st_mode) if stat.S_ISREG(found.st_mode) else 0o666 & ~_UMASK
