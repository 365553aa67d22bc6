"""Where a format puts the files a course's Markdown references, under one naming rule.

Every format renders Markdown inside ``Published.serving``: each image a rendered text
references gets a stable name (a content hash and the file's slugged stem) and an URL
the format chooses, and is recorded so the format packages exactly the files it points
at. Nothing outside the course folder ever reaches here: the loader resolved every file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from coursepack import markup
from coursepack.model import Asset


def media_name(path: Path) -> str:
    """A published file name: stable, unique by content, and safe in any URL or zip entry."""
    stat = path.stat()
    return _media_name(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4096)
def _media_name(path: Path, mtime: int, size: int) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return f"{digest}-{markup.slugify(path.stem)}{path.suffix.lower()}"


class Published:
    """The files one package carries, by published name."""

    def __init__(self) -> None:
        self.files: dict[str, Path] = {}

    def add(self, asset: Asset) -> str:
        """Record ``asset`` as packaged; its published name."""
        name = media_name(asset.path)
        self.files[name] = asset.path
        return name

    @contextmanager
    def serving(self, url: Callable[[str], str]) -> Iterator[None]:
        """Render Markdown in this block with each image at ``url(published name)``."""
        with markup.publishing(lambda asset: url(self.add(asset))):
            yield


__all__ = ["Published", "media_name"]
