"""HTML kept in the build's cache, so that a page or a printed document is made again only
when what it shows has changed.

An entry is named by the key its user makes of everything the HTML shows, and holds the
HTML and the images it shows, each by its place in the course folder: an image from
anywhere else is never kept, and a kept page never leads a build out of the course.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from coursepack.cache import Cache
from coursepack.exporters.digests import digest
from coursepack.exporters.media import media_name


class KeptHtml:
    """The HTML of one kind of page (``kind``), keyed by ``base`` (what every page of the
    kind shows, ``digests.shown_everywhere``) and what each page shows besides."""

    def __init__(self, cache: Cache, kind: str, base: str, root: Path) -> None:
        self.cache = cache
        self.kind = kind
        self.base = base
        self.root = root

    def key(self, *shows: object) -> str:
        return self.cache.key(self.kind, self.base, digest(*shows))

    def get(self, key: str) -> tuple[str, tuple[Path, ...]] | None:
        """The HTML kept under ``key`` and the images it shows, or None."""
        kept: Any = self.cache.get_json(key)
        if not isinstance(kept, dict):
            return None
        html, places = kept.get("html"), kept.get("images")
        if not isinstance(html, str) or not isinstance(places, list) \
                or not all(isinstance(place, str) and _inside(place) for place in places):
            return None
        return html, tuple(self.root / place for place in places)

    def get_published(self, key: str) -> tuple[str, dict[str, Path]] | None:
        """The HTML kept under ``key`` and the images it shows by published name
        (``media.media_name``); None if it is not kept or one of them is gone."""
        found = self.get(key)
        if found is None:
            return None
        html, images = found
        try:
            return html, {media_name(image): image for image in images}
        except OSError:  # gone since: the page is made again, and says so
            return None

    def keep(self, key: str, html: str, images: Iterable[Path]) -> None:
        """Keep ``html`` under ``key``; not if it shows an image from outside the course."""
        try:
            places = [image.relative_to(self.root).as_posix() for image in images]
        except ValueError:
            return
        self.cache.put_json(key, {"html": html, "images": places})


def _inside(place: str) -> bool:
    pure = PurePosixPath(place)
    return bool(place) and not pure.is_absolute() and ".." not in pure.parts
