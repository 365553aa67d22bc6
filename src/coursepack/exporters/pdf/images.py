"""Images shrunk for print before WeasyPrint lays them out (imported by workers only).

Photos a course ships are often camera-sized. WeasyPrint resamples to the print
resolution but keeps a PNG a PNG, so a PNG photo would stay large. Here every local
raster image is scaled down to what a page can show, and photos (opaque, many colours)
become JPEG. Network addresses are refused: builds never download anything.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from PIL import Image
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from coursepack.exporters.pdf.faces import SHIPPED, TYPEFACES_URL
from coursepack.exporters.pdf.pool import MAX_PIXELS

RASTER = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp")
#: The base URL documents are rendered with, whatever folder the course is in: WeasyPrint
#: names each image by a hash of its address, so a real path would make a course's PDFs
#: differ byte for byte from one folder to another (and show where the author keeps it).
COURSE_URL = "file:///course/"
#: Times one document may ask for the same address: a style sheet that imports itself
#: would have WeasyPrint ask for ever.
MAX_ASKED = 16


class PrintFetcher(URLFetcher):  # type: ignore[misc]
    """Fetches only file: and data: addresses, shrinking raster images on the way.

    ``COURSE_URL`` stands for the course folder ``root``, and every file must be inside it,
    links resolved: a course's template could otherwise embed any file of the machine
    (``<link rel=attachment href=file:///...>`` attaches it to the PDF, an ``@font-face``
    embeds a font from anywhere). The one exception is the fonts coursepack ships, at
    ``TYPEFACES_URL``.
    """

    def __init__(self, root: str, records: bool = False) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.root = Path(root).resolve()
        #: What the document asked for and did not get: (address, why), in the order asked.
        self.left_out: list[tuple[str, str]] = []
        #: With ``records``, each course file it got, by its path in the course: the SHA-256
        #: (hex) of its bytes (``pool.Job.watched``).
        self.records = records
        self.fetched: dict[str, str] = {}
        self._asked: dict[str, int] = {}

    def fetch(self, url: str, headers: Any = None) -> Any:
        real = self.real(url)
        self._asked[real] = self._asked.get(real, 0) + 1
        why = self.refusal(real) or (
            "it is asked for again and again (a style sheet that imports itself?)"
            if self._asked[real] > MAX_ASKED else "")
        if why:
            self.left_out.append((self.shown(url), why))
            raise ValueError(f"{url}: {why}")
        try:
            response = super().fetch(real, headers)
        except Exception as exc:
            self.left_out.append((self.shown(url), f"it cannot be read ({exc})"))
            raise
        response.url = url
        raster = url.lower().endswith(RASTER)
        if not real.startswith("file:") or not (raster or self.records):
            return response
        try:
            data = response.read()
        finally:
            response.close()
        path = Path(unquote(urlsplit(real).path)).resolve()
        if self.records and path.is_relative_to(self.root):  # a shipped font is no input
            self.fetched[path.relative_to(self.root).as_posix()] = \
                hashlib.sha256(data).hexdigest()
        if raster:  # its type may change: WeasyPrint reads it from the data
            return URLFetcherResponse(url, shrink(data), status=200)
        return URLFetcherResponse(url, data, headers=response.headers, status=response.status)

    def real(self, url: str) -> str:
        """The file address that ``url`` stands for (a query or fragment is not the file's)."""
        for base, folder in ((COURSE_URL, self.root), (TYPEFACES_URL, SHIPPED)):
            if url.startswith(base):
                path = urlsplit(url).path[len(urlsplit(base).path):]
                return (folder / unquote(path)).as_uri()
        return url

    def refusal(self, real: str) -> str:
        """Why the file at ``real`` is not fetched, or "" if it is."""
        scheme = urlsplit(real).scheme
        if scheme == "data":
            return ""
        if scheme != "file":
            return "a web address: a build never downloads anything"
        if self.confined(real) or self.shipped(real):
            return ""
        try:
            Path(unquote(urlsplit(real).path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return "there is no such file in the course folder"
        return "it is outside the course folder"

    def shown(self, url: str) -> str:
        """An address as the course wrote it (relative to the course folder), cut short if
        long (a data: address can hold a whole image)."""
        shown = unquote(url[len(COURSE_URL):]) if url.startswith(COURSE_URL) else url
        return shown if len(shown) <= 120 else shown[:117] + "..."

    def confined(self, url: str) -> bool:
        """Whether ``url`` is an ordinary file in the course (links followed): never a pipe,
        whose reading would wait for ever."""
        return _ordinary_file_in(url, self.root)

    @staticmethod
    def shipped(url: str) -> bool:
        """Whether ``url`` is one of the fonts coursepack ships."""
        return _ordinary_file_in(url, SHIPPED)


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
        if key in self._read:  # read already: WeasyPrint has the font, or tries again
            fetched, left_out = self._read[key]
            url_fetcher.fetched.update(fetched)
            url_fetcher.left_out.extend(left_out)
        before, known = len(url_fetcher.left_out), dict(url_fetcher.fetched)
        result = super().add_font_face(rule_descriptors, url_fetcher)
        self._read.setdefault(key, (
            {path: digest for path, digest in url_fetcher.fetched.items()
             if known.get(path) != digest}, url_fetcher.left_out[before:]))
        return result


def _ordinary_file_in(url: str, folder: Path) -> bool:
    try:
        real = Path(unquote(urlsplit(url).path)).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return False
    return real.is_relative_to(folder) and real.is_file()


def shrink(data: bytes) -> bytes:
    """The image no larger than a page needs; photos as JPEG, drawings as PNG."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        return data  # let WeasyPrint report what it cannot read
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
