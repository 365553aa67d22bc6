"""What the PDF exporter keeps between builds, as entries of the build's cache.

Every PDF it renders or assembles is named by a hash of what it is made from; the course
pack's parts and page-number sheets live only there, and the documents a user gets are
copied from there into the build. A part's page count is kept beside it, so a build that
reuses a part need not open it; so are the font programs merged from the parts' subsets
(``fonts``), by a digest of the glyphs they hold, and what joining a part read of it (its
fonts, its headings), by a digest of the part.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from coursepack.cache import Cache


def inputs_hash(html: str, css: str, images: Iterable[Path], versions: str) -> str:
    """A digest of all a PDF is made from: its HTML, the CSS, its images, the tool versions."""
    digest = hashlib.sha256()
    for part in (versions, css, html):
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    for image in images:
        data = image.read_bytes() if image.is_file() else b""
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


class PdfStore:
    """The PDFs and page counts of a build's cache, by the digest of their inputs.

    The small facts of each PDF (its page count, what its HTML left out, what joining it
    read of it: ``_SMALL``) are kept one entry each, and once more in one record per output
    folder with those of every PDF its last export used: the next export there reads them
    at once, not three hundred entries one by one (each entry stays the answer for a build
    elsewhere, or when the record is gone).
    """

    def __init__(self, cache: Cache, used_in: Path | None = None) -> None:
        self.cache = cache
        #: the record of the export into the output folder ``used_in``
        self.record = None if used_in is None else cache.key("pdf-record", str(used_in))
        #: its facts as JSON texts, by kind and digest; once read
        self._recorded: dict[str, dict[str, str]] | None = None
        self._used: dict[str, dict[str, str]] = {}  # the facts this export used, as they were

    def pdf(self, digest: str) -> bytes | None:
        return self.cache.get(self.cache.key("pdf", digest))

    def keep_pdf(self, digest: str, data: bytes) -> None:
        self.cache.put(self.cache.key("pdf", digest), data)

    def pages(self, digest: str) -> int | None:
        count = self._small("pdf-pages", digest)
        return count if isinstance(count, int) else None

    def keep_pages(self, digest: str, count: int) -> None:
        self._keep_small("pdf-pages", digest, count)

    def left_out(self, digest: str) -> list[tuple[str, str]] | None:
        """What the PDF's HTML asked for and did not get (``pool.Rendered``), as kept; None
        if that is not known (the PDF is made again, and says). By what the PDF was made
        from with the files it asked for (``Obtainer.made_from``), as its page count: the
        same PDF made again once such a file changed may leave out something else."""
        kept = self._small("pdf-left-out", digest)
        if not isinstance(kept, list):
            return None
        return [(str(pair[0]), str(pair[1])) for pair in kept
                if isinstance(pair, list) and len(pair) == 2]

    def keep_left_out(self, digest: str, left_out: tuple[tuple[str, str], ...]) -> None:
        """Kept even when there is none: a PDF made again once its file is there says so."""
        self._keep_small("pdf-left-out", digest, list(left_out))

    def fetched(self, digest: str) -> dict[str, str] | None:
        """The course files the PDF asked for as it was rendered (``pool.Rendered``), as
        kept; None if nothing is kept (a PDF whose files are watched is then made again)."""
        kept = self.cache.get_json(self.cache.key("pdf-fetched", digest))
        if not isinstance(kept, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in kept.items()):
            return None
        return kept

    def keep_fetched(self, digest: str, fetched: dict[str, str]) -> None:
        self.cache.put_json(self.cache.key("pdf-fetched", digest), fetched)

    def font_program(self, digest: str) -> bytes | None:
        """A font program merged from the subsets of a joined PDF's parts."""
        return self.cache.get(self.cache.key("pdf-font", digest))

    def keep_font_program(self, digest: str, program: bytes) -> None:
        self.cache.put(self.cache.key("pdf-font", digest), program)

    def part_notes(self, digest: str) -> object:
        """What joining a part read of it before (``assemble.Joiner``), by its bytes' digest."""
        return self._small("pdf-part-notes", digest)

    def keep_part_notes(self, digest: str, notes: object) -> None:
        self._keep_small("pdf-part-notes", digest, notes)

    def keep_record(self) -> None:
        """Record the facts this export used, if they are not what the record holds."""
        if self.record is not None and self._used and self._used != self._recorded:
            self.cache.put_json(self.record, self._used)

    def _small(self, kind: str, digest: str) -> object:
        """A fact of ``kind`` (``_SMALL``): from the record when it has it, else from its
        own entry; None if neither has it whole."""
        for look in (self._in_record(kind).get, partial(self._own, kind)):  # the second
            text = look(digest)                                            # only if needed
            try:
                value = None if text is None else json.loads(text)
            except ValueError:
                continue
            if text is not None:
                self._used.setdefault(kind, {})[digest] = text
                return value
        return None

    def _keep_small(self, kind: str, digest: str, value: object) -> None:
        text = json.dumps(value, sort_keys=True)
        self.cache.put(self.cache.key(kind, digest), text.encode("utf-8"))
        self._used.setdefault(kind, {})[digest] = text

    def _own(self, kind: str, digest: str) -> str | None:
        data = self.cache.get(self.cache.key(kind, digest))
        return None if data is None else data.decode("utf-8", "replace")

    def _in_record(self, kind: str) -> dict[str, str]:
        if self._recorded is None:
            found = None if self.record is None else self.cache.get_json(self.record)
            self._recorded = {
                name: {digest: text for digest, text in facts.items() if isinstance(text, str)}
                for name, facts in (found.items() if isinstance(found, dict) else ())
                if name in _SMALL and isinstance(facts, dict)}
        return self._recorded.get(kind, {})


_SMALL = ("pdf-pages", "pdf-left-out", "pdf-part-notes")
"""The kinds of fact a record holds."""
