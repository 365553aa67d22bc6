"""Files replaced whole, for everything coursepack writes outside a build's staging folder:
the cache's own files, translators' files, results tables, the preview's pages."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def replace_whole(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` at once: a reader finds the old file or the new one,
    never half, and a failure leaves the old one. The new file gets a name no one could
    know and is renamed over ``path``, so a link found there is replaced, never written
    through. The folder is made if it is missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                         dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
