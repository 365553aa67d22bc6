"""Images shrunk for print before WeasyPrint lays them out (imported by workers only).

Photos a course ships are often camera-sized. WeasyPrint resamples to the print
resolution but keeps a PNG a PNG, so a PNG photo would stay large. Here every local
raster image is scaled down to what a page can show, and photos (opaque, many colours)
become JPEG. Network addresses are refused: builds never download anything.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from PIL import Image
from weasyprint.urls import URLFetcher, URLFetcherResponse

from coursepack.exporters.pdf.pool import MAX_PIXELS

RASTER = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp")
#: The base URL documents are rendered with, whatever folder the course is in: WeasyPrint
#: names each image by a hash of its address, so a real path would make a course's PDFs
#: differ byte for byte from one folder to another (and show where the author keeps it).
COURSE_URL = "file:///course/"


class PrintFetcher(URLFetcher):  # type: ignore[misc]
    """Fetches only file: and data: addresses, shrinking raster images on the way.

    ``COURSE_URL`` stands for the course folder ``root``, and every file must be inside it,
    links resolved: a course's template could otherwise embed any file of the machine
    (``<link rel=attachment href=file:///...>`` attaches it to the PDF).
    """

    def __init__(self, root: str) -> None:
        super().__init__(allowed_protocols={"file", "data"})
        self.root = Path(root).resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        real = self.real(url)
        if real.startswith("file:") and not self.confined(real):
            raise ValueError(f"{url} is outside the course folder")
        response = super().fetch(real, headers)
        response.url = url
        if not url.startswith("file:") or not url.lower().endswith(RASTER):
            return response
        try:
            data = response.read()
        finally:
            response.close()
        return URLFetcherResponse(url, shrink(data), status=200)

    def real(self, url: str) -> str:
        """The file address that ``url`` stands for."""
        if url.startswith(COURSE_URL):
            return (self.root / unquote(url[len(COURSE_URL):])).as_uri()
        return url

    def confined(self, url: str) -> bool:
        try:
            real = Path(unquote(urlsplit(url).path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return False
        return real.is_relative_to(self.root)


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
