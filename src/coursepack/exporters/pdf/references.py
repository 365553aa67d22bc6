"""The course files a document asks for as WeasyPrint renders it besides its lessons'
images: what a course's own templates and style sheets name (a logo in ``images/``, a
font, another style sheet), and what the style sheets and SVG images found name in turn.

Their bytes are inputs of the PDF: a changed logo makes the documents that show it again,
and the format is not kept from the last build (``ExportContext.also_read``). Read for a
course with templates of its own only (``jobs.JobMaker``). Found by
reading the HTML and CSS for addresses as WeasyPrint resolves them (against
``COURSE_URL``); an address the fetcher refuses (outside the course, on the web) names
nothing here.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

#: The base URL documents are rendered with, whatever folder the course is in: WeasyPrint
#: names each image by a hash of its address, so a real path would make a course's PDFs
#: differ byte for byte from one folder to another (and show where the author keeps it).
COURSE_URL = "file:///course/"
# Attributes and CSS that name a file, in any case. Each begins with a character class so
# that the search skips ahead quickly (an alternation with IGNORECASE tries every place).
_IN_HTML = re.compile(r"""[sShHdDpPxX](?<=\b[sShHdDpPxX])(?i:rc|ref|ata|oster|link:href)"""
                      r"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_IN_CSS = re.compile(r"""[uU@](?:(?<=[uU])(?i:rl)\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)"""
                     r"""|(?<=@)(?i:import)\s+(?:"([^"]*)"|'([^']*)'))""")
#: A style sheet or SVG image larger than this is not read for the files it names.
MAX_READ = 5 * 1024 * 1024


def referenced(page: str, css: str, root: Path) -> Iterator[Path]:
    """The files in ``root`` (resolved) that the HTML ``page`` and its ``css`` ask for,
    and those that the style sheets and SVG images among them ask for, each once."""
    seen: set[Path] = set()
    todo = [(COURSE_URL, address) for address in (*_addresses(page, _IN_HTML),
                                                  *_addresses(html.unescape(page), _IN_CSS),
                                                  *_addresses(css, _IN_CSS))]
    while todo:
        base, address = todo.pop()
        path = _course_file(base, address, root)
        if path is None or path in seen:
            continue
        seen.add(path)
        yield path
        if path.suffix.lower() in (".css", ".svg"):
            text = _small_text(path)
            base = COURSE_URL + path.relative_to(root).as_posix()
            todo += [(base, found) for found in (*_addresses(text, _IN_HTML),
                                                 *_addresses(html.unescape(text), _IN_CSS))]


def digest(path: Path) -> bytes:
    """The SHA-256 of a file's bytes; of a marker when it cannot be read (not there yet)."""
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return hashlib.sha256(b"\0missing").digest()


def _addresses(text: str, pattern: re.Pattern[str]) -> Iterable[str]:
    """Each address ``pattern`` finds (an attribute's value with its references resolved)."""
    return (html.unescape(next(group for group in match.groups() if group is not None))
            for match in pattern.finditer(text))


def _course_file(base: str, address: str, root: Path) -> Path | None:
    """The file of ``root`` that ``address`` (relative to ``base``) names, links followed;
    None for another scheme, a fragment alone, or a place outside the course."""
    address = address.strip()
    if not address or address.startswith("#"):
        return None
    absolute = urljoin(base, address)
    if not absolute.startswith(COURSE_URL):
        return None
    relative = unquote(urlsplit(absolute).path[len(urlsplit(COURSE_URL).path):])
    try:
        path = (root / relative).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return path if path.is_relative_to(root) and path != root else None


def _small_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_READ or not path.is_file():
            return ""
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
