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

    What joining each part read of it (``part_notes``) is kept part by part, and once more
    in one record per output folder with the notes of every part of the course pack last
    joined there: the next build reads them at once, not a hundred entries one by one.
    """

    def __init__(self, cache: Cache, joined_in: Path | None = None) -> None:
        self.cache = cache
        #: the record of the course pack joined in the output folder ``joined_in``
        self.notes_record = None if joined_in is None else cache.key(
            "pdf-part-notes-record", str(joined_in))
        self._recorded: dict[str, str] | None = None  # its notes by part, as JSON; once read
        self._noted: dict[str, str] = {}  # the notes of each part joined in this export

    def pdf(self, digest: str) -> bytes | None:
        return self.cache.get(self.cache.key("pdf", digest))

    def keep_pdf(self, digest: str, data: bytes) -> None:
        self.cache.put(self.cache.key("pdf", digest), data)

    def pages(self, digest: str) -> int | None:
        count = self.cache.get_json(self.cache.key("pdf-pages", digest))
        return count if isinstance(count, int) else None

    def keep_pages(self, digest: str, count: int) -> None:
        self.cache.put_json(self.cache.key("pdf-pages", digest), count)

    def left_out(self, digest: str) -> list[tuple[str, str]]:
        """What the PDF's HTML asked for and did not get (``pool.Rendered``), as kept."""
        kept = self.cache.get_json(self.cache.key("pdf-left-out", digest))
        if not isinstance(kept, list):
            return []
        return [(str(pair[0]), str(pair[1])) for pair in kept
                if isinstance(pair, list) and len(pair) == 2]

    def keep_left_out(self, digest: str, left_out: tuple[tuple[str, str], ...]) -> None:
        """Kept even when there is none: a PDF made again once its file is there says so."""
        self.cache.put_json(self.cache.key("pdf-left-out", digest), list(left_out))

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
        """What joining a part read of it before (``assemble.Joiner``), by its bytes' digest:
        from the record when it has them, else from the part's own entry."""
        for look in (self._record().get, self._own_notes):  # the second only if needed
            text = look(digest)
            try:
                notes = None if text is None else json.loads(text)
            except ValueError:
                continue
            if text is not None:
                self._noted[digest] = text
                return notes
        return None

    def _own_notes(self, digest: str) -> str | None:
        data = self.cache.get(self.cache.key("pdf-part-notes", digest))
        return None if data is None else data.decode("utf-8", "replace")

    def keep_part_notes(self, digest: str, notes: object) -> None:
        text = json.dumps(notes, sort_keys=True)
        self.cache.put(self.cache.key("pdf-part-notes", digest), text.encode("utf-8"))
        self._noted[digest] = text

    def keep_notes_record(self) -> None:
        """Record the notes of the parts joined in this export, if they are not what the
        record holds already (nothing was joined, or no part changed)."""
        if self.notes_record is not None and self._noted and self._noted != self._recorded:
            self.cache.put_json(self.notes_record, self._noted)

    def _record(self) -> dict[str, str]:
        if self._recorded is None:
            found = None if self.notes_record is None else self.cache.get_json(self.notes_record)
            self._recorded = {digest: text for digest, text in found.items()
                              if isinstance(text, str)} if isinstance(found, dict) else {}
        return self._recorded
