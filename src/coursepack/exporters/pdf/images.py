"""What a PDF's documents read as WeasyPrint renders them (imported by workers only): the
course's files and the fonts coursepack ships, nothing else (``PrintFetcher``), each file
recorded as an input of the documents that asked for it, fonts too (``RecordedFonts``);
and images shrunk for print on the way.

Photos a course ships are often camera-sized. WeasyPrint resamples to the print
resolution but keeps a PNG a PNG, so a PNG photo would stay large. Here every local
raster image is scaled down to what a page can show, and photos (opaque, many colours)
become JPEG. Network addresses are refused: builds never download anything.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from PIL import Image
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from coursepack.confinement import NOT_A_FILE
from coursepack.exporters.pdf.pool import MAX_PIXELS, RASTER, SHIPPED, TYPEFACES_URL
from coursepack.sniffing import starts_as_xml
from coursepack.svg import never_done

#: The base URL documents are rendered with, whatever folder the course is in: WeasyPrint
#: names each image by a hash of its address, so a real path would make a course's PDFs
#: differ byte for byte from one folder to another (and show where the author keeps it).
COURSE_URL = "file:///course/"
#: Times one document may ask for the same address: a style sheet that imports itself
#: would have WeasyPrint ask for ever.
MAX_ASKED = 16
#: The largest file a document may ask for (a font, an image): as large as a source text.
MAX_BYTES = 50 * 2**20


class PrintFetcher(URLFetcher):  # type: ignore[misc]
    """Fetches only file: and data: addresses, shrinking raster images on the way.

    ``COURSE_URL`` stands for the course folder ``root``, and every file must be inside it,
    links resolved: a course's template could otherwise embed any file of the machine
    (``<link rel=attachment href=file:///...>`` attaches it to the PDF, an ``@font-face``
    embeds a font from anywhere). The one exception is the fonts coursepack ships, at
    ``TYPEFACES_URL``. A file is read here, at the very path that was checked: urllib would
    read another one (it ends the path at the last ``#``, where the check ends it at the
    first) and would look up the host a ``file:`` address names.
    """

    def __init__(self, root: str, records: bool = False, own_fonts: bool = True) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        #: Whether the document has a font configuration of its own (``pool._styled``).
        #: One that shares its worker's gets no SVG: an SVG's style sheet can declare
        #: fonts, which would stay in that configuration for the documents after it. Such
        #: a document is to be rendered again with a configuration of its own.
        self.own_fonts = own_fonts
        self.needs_own_fonts = False
        self.root = Path(root).resolve()
        #: What the document asked for and did not get: (address, why), in the order asked.
        self.left_out: list[tuple[str, str]] = []
        #: With ``records``, each course file it asked for, by its path in the course: the
        #: SHA-256 (hex) of its bytes, or ``NOT_A_FILE`` for one that is not there (yet).
        self.records = records
        self.fetched: dict[str, str] = {}
        self._asked: dict[str, int] = {}
        #: Whether asking for an address again counts towards ``MAX_ASKED`` (a font named
        #: by many ``@font-face`` rules, one per weight, imports nothing: it does not).
        self.counting = True

    def fetch(self, url: str, headers: Any = None) -> Any:
        try:
            real = self.real(url)
            path, asked, why = self.checked(real)
        except ValueError:  # urllib's parser: an IPv6 host without its "]", say
            real, path, asked, why = url, None, None, "it is not a valid address"
        if self.counting:
            self._asked[real] = self._asked.get(real, 0) + 1
        if not why and self._asked.get(real, 0) > MAX_ASKED:
            why = "it is asked for again and again (a style sheet that imports itself?)"
        if why:
            self.left_out.append((self.shown(url), why))
            raise ValueError(f"{url}: {why}")
        if path is None or asked is None:  # a data: address
            try:
                response = super().fetch(real, headers)
                data = response.read()
            except Exception:
                self.left_out.append((self.shown(url), "it is not a valid data: address"))
                raise
            self._svg_checked(url, data)
            return URLFetcherResponse(url, data, headers=response.headers, status=200)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.left_out.append((self.shown(url), f"it cannot be read ({exc.strerror})"))
            raise
        if self.records and asked.is_relative_to(self.root):  # a shipped font is no input
            # by the path asked for: a link pointed elsewhere is a change
            self.fetched[asked.relative_to(self.root).as_posix()] = \
                hashlib.sha256(data).hexdigest()
        if url.lower().endswith(RASTER):  # its type may change: WeasyPrint reads it from the data
            shrunk = shrink(data)
            if shrunk is None:  # WeasyPrint would read it as an SVG: not what it says it is
                why = "it is not the image its name says (a damaged file, or another kind)"
                self.left_out.append((self.shown(url), why))
                raise ValueError(f"{url}: {why}")
            return URLFetcherResponse(url, shrunk, status=200)
        self._svg_checked(url, data)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, headers={"Content-Type": kind}, status=200)

    def _svg_checked(self, url: str, data: bytes) -> None:
        """Refuse what WeasyPrint could read as an SVG (what is no raster image and parses
        as XML, whatever its name) to a document that shares its font configuration, and
        note that it needs one of its own. Anything that starts as markup counts (a style
        sheet starting with ``<!--`` too: it costs a rendering, never a font in the wrong
        place). An SVG a PDF would never be done with is left out (a course's template can
        name any)."""
        if not starts_as_xml(data):
            return
        if not self.own_fonts:
            self.needs_own_fonts = True
            raise ValueError(f"{url}: an SVG image, for a document with fonts of its own")
        why = never_done(data)
        if why:
            self.left_out.append((self.shown(url), why))
            raise ValueError(f"{url}: {why}")

    def real(self, url: str) -> str:
        """The file address that ``url`` stands for (a query or fragment is not the file's)."""
        for base, folder in ((COURSE_URL, self.root), (TYPEFACES_URL, SHIPPED)):
            if url.startswith(base):
                path = urlsplit(url).path[len(urlsplit(base).path):]
                return (folder / unquote(path)).as_uri()
        return url

    def checked(self, real: str) -> tuple[Path | None, Path | None, str]:
        """The file at ``real`` (links resolved) and the path asked for (None, None for a
        data: address), or why it is not fetched."""
        parts = urlsplit(real)
        if parts.scheme == "data":
            return None, None, ""
        if parts.scheme != "file":
            return None, None, "a web address: a build never downloads anything"
        if parts.netloc:
            return None, None, "a file address on another machine: a build reads the course " \
                "folder"
        path = Path(unquote(parts.path))
        if not path.is_absolute():
            return None, None, "a file: address without its folder: write it from the " \
                "course folder"
        asked = Path(os.path.normpath(path))
        try:
            found = path.resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            self._not_there(asked)
            return None, None, "there is no such file in the course folder"
        if not (found.is_relative_to(self.root) or found.is_relative_to(SHIPPED)):
            return None, None, "it is outside the course folder"
        if _hidden(asked, self.root) or _hidden(found, self.root):
            return None, None, "it is hidden (a name starting with a dot): not part of the course"
        if not found.is_file():
            return None, None, "it is not a file (a folder, or a pipe)"
        if found.stat().st_size > MAX_BYTES:
            return None, None, f"it is larger than {MAX_BYTES // 2**20} MB"
        return found, asked, ""

    def _not_there(self, asked: Path) -> None:
        """A course file asked for that is not there is an input too: the document is made
        again once it is."""
        if self.records and asked.is_relative_to(self.root) and not os.path.lexists(asked) \
                and not _hidden(asked, self.root):
            self.fetched[asked.relative_to(self.root).as_posix()] = NOT_A_FILE.hex()

    def shown(self, url: str) -> str:
        """An address as the course wrote it (relative to the course folder), cut short if
        long (a data: address can hold a whole image)."""
        shown = unquote(url[len(COURSE_URL):]) if url.startswith(COURSE_URL) else url
        return shown if len(shown) <= 120 else shown[:117] + "..."


class RecordedFonts(FontConfiguration):  # type: ignore[misc]
    """A font configuration that tells each document the files its ``@font-face`` rules
    read. WeasyPrint reads a font once per configuration, for the first style sheet or
    document that names it: the others would not know that they depend on that file (and
    would not be made again when it changes), or that it was left out."""

    def __init__(self) -> None:
        super().__init__()
        self._read: dict[str, tuple[dict[str, str], list[tuple[str, str]]]] = {}

    def add_font_face(self, rule_descriptors: Any, url_fetcher: Any) -> Any:
        if not isinstance(url_fetcher, PrintFetcher):
            return super().add_font_face(rule_descriptors, url_fetcher)
        key = str(rule_descriptors)
        fetched, left_out, counting = url_fetcher.fetched, url_fetcher.left_out, \
            url_fetcher.counting
        url_fetcher.fetched, url_fetcher.left_out, url_fetcher.counting = {}, [], False
        try:  # what this rule reads, on its own
            result = super().add_font_face(rule_descriptors, url_fetcher)
        finally:
            read = self._read.setdefault(key, (url_fetcher.fetched, url_fetcher.left_out))
            url_fetcher.fetched, url_fetcher.left_out, url_fetcher.counting = \
                fetched, left_out, counting
        # read already (WeasyPrint then has the font, and reads nothing): as it was read
        fetched.update(read[0])
        left_out.extend(read[1])
        return result


def _hidden(path: Path, root: Path) -> bool:
    """Whether ``path`` is in the course and hidden (the build's cache, say)."""
    return path.is_relative_to(root) and any(
        part.startswith(".") for part in path.relative_to(root).parts)


def shrink(data: bytes) -> bytes | None:
    """The image no larger than a page needs, photos as JPEG, drawings as PNG; None if it is
    no raster image."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    if max(image.size) <= MAX_PIXELS and image.format in ("JPEG", "PNG"):
        return data
    image.thumbnail((MAX_PIXELS, MAX_PIXELS))
    out = io.BytesIO()
    if _is_photo(image):
        image.convert("RGB").save(out, format="JPEG", quality=88)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


def _is_photo(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        lowest = image.convert("RGBA").getchannel("A").getextrema()[0]
        if isinstance(lowest, int | float) and lowest < 255:
            return False
    return image.convert("RGB").getcolors(maxcolors=1024) is None
