"""Text kinds: Markdown (rendered, may reference files) and plain text (shown as written).

A field typed ``Markdown`` holds a ``Markdown`` value once the loader has read it: the
text itself plus every file its images reference, already resolved inside the course
folder. Plain ``str`` fields are never parsed as Markdown by any format. Every asset of
a course is therefore reachable from the model: ``markdown_texts`` walks any node.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from coursepack.errors import Origin


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    """A file a Markdown text refers to, resolved inside the course folder.

    ``ref`` is the source as the rendered HTML has it (non-ASCII percent-encoded).
    """

    ref: str
    path: Path
    origin: Origin | None = field(default=None, compare=False, repr=False)


class Markdown(str):
    """Markdown text with the files its images reference (``assets``, resolved by the loader).

    It compares, hashes and slices as the text alone; string operations return plain
    ``str``, so code that cuts a Markdown text carries its assets on itself (``part``).
    ``origin`` is where the loader found the text's value in its spec file (None when the
    text was not read from one): checks that find something inside the text start there.
    """

    assets: tuple[Asset, ...]
    origin: Origin | None

    def __new__(
        cls, text: str = "", assets: Iterable[Asset] = (), origin: Origin | None = None
    ) -> Markdown:
        value = super().__new__(cls, text)
        value.assets = tuple(assets)
        value.origin = origin
        return value

    def part(self, text: str) -> Markdown:
        """A piece of this text (a segment, a joined text) with the same assets."""
        return Markdown(text, self.assets)

    def __reduce__(
        self,
    ) -> tuple[type[Markdown], tuple[str, tuple[Asset, ...], Origin | None]]:
        return (Markdown, (str(self), self.assets, self.origin))


NO_TEXT = Markdown("")
"""The empty Markdown text: the default of every optional Markdown field."""


def joined(texts: Iterable[str], separator: str = "\n\n") -> Markdown:
    """Several Markdown texts as one, with every asset of each: the empty ones left out."""
    kept = [t for t in texts if t.strip()]
    assets = {(a.ref, a.path): a for t in kept for a in getattr(t, "assets", ())}
    return Markdown(separator.join(kept), assets.values())


def markdown(text: str) -> Markdown:
    """``text`` as Markdown, keeping its assets when it already is."""
    return text if isinstance(text, Markdown) else Markdown(text)


def markdown_texts(node: object) -> Iterator[Markdown]:
    """Every Markdown value in a model node and the nodes below it, in field order."""
    if isinstance(node, Markdown):
        yield node
    elif isinstance(node, tuple | list):
        for item in node:
            if not isinstance(item, _LEAVES) or isinstance(item, Markdown):
                yield from markdown_texts(item)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for name in _content_fields(type(node)):
            value = getattr(node, name)
            if not isinstance(value, _LEAVES) or isinstance(value, Markdown):
                yield from markdown_texts(value)


_LEAVES = (str, int, float, bool, Path, type(None))
"""Values that hold no Markdown below them (a Markdown value is a str, tested first)."""


@cache
def _content_fields(cls: type) -> tuple[str, ...]:
    """The fields of a model class that are content: origins and the like compare=False."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.compare)


def assets_of(node: object) -> tuple[Asset, ...]:
    """Every asset the Markdown of ``node`` references, once per (ref, file)."""
    found = {(a.ref, a.path): a for text in markdown_texts(node) for a in text.assets}
    return tuple(found.values())
