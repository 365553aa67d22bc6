"""Images made small enough for a field pack: scaled down to a width, re-encoded at a quality.

Only an image wider than ``image_max_width`` is touched: it is scaled down and saved again
in its own format (so every link to it still holds), JPEG and WebP at ``image_quality``,
PNG losslessly with its transparency. A re-encoded file that comes out larger than the
original is dropped for the original. An SVG is never rasterised (it is text and scales by
itself); an animated GIF or WebP keeps every frame as it is. A file Pillow cannot read is a
located error at the Markdown that shows it.

What a file became is kept in the build's cache (``kept_shrink``), by its content and the
settings: re-encoding a photo takes a good part of a second, and without it every build
after an edit anywhere in the course would re-encode every image again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

from coursepack.cache import Cache
from coursepack.errors import CoursepackError, Origin, error

MAX_PIXELS = 80_000_000
"""An image of more pixels than this is refused rather than decoded (a decompression bomb)."""
IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
        ".webp": "image/webp", ".svg": "image/svg+xml", ".pdf": "application/pdf",
        ".txt": "text/plain", ".csv": "text/csv", ".mp3": "audio/mpeg", ".mp4": "video/mp4",
        ".ogg": "audio/ogg", ".wav": "audio/wav", ".webm": "video/webm", ".m4a": "audio/mp4",
        ".zip": "application/zip", ".epub": "application/epub+zip"}


@dataclass(frozen=True)
class Shrunk:
    """One file as the pack carries it, with its size before and after."""

    data: bytes
    before: int
    width_before: int | None = None
    width_after: int | None = None
    why_kept: str = ""

    @property
    def after(self) -> int:
        return len(self.data)

    @property
    def changed(self) -> bool:
        return self.after != self.before or self.width_after != self.width_before


def mime_type(path: Path | str) -> str:
    return MIME.get(Path(path).suffix.lower(), "application/octet-stream")


def kept_shrink(cache: Cache, path: Path, max_width: int, quality: int,
                origin: Origin | None, shown: str) -> Shrunk:
    """``shrink``, from the cache when the same file was shrunk with the same settings (by
    this code and these libraries: the cache's names depend on them) before."""
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix not in IMAGES:  # carried as it is: nothing to keep, nor to hash
        return _shrunk(data, suffix, max_width, quality, origin, shown)
    key = cache.key("field-pack-image", hashlib.sha256(data).digest(), suffix,
                    f"{max_width} {quality}")
    found = _from_entry(cache.get(key), data)
    if found is None:
        found = _shrunk(data, suffix, max_width, quality, origin, shown)
        cache.put(key, _entry(found, data))
    return found


def _entry(found: Shrunk, original: bytes) -> bytes:
    """What the cache keeps of ``found``: its facts on one line, then its data, unless it is
    the original's (most images are kept as they are: the cache need not hold them again)."""
    facts = dataclasses.asdict(found)
    del facts["data"]
    facts["as_it_is"] = found.data == original
    return json.dumps(facts).encode("utf-8") + b"\n" + (b"" if facts["as_it_is"] else found.data)


def _from_entry(entry: bytes | None, original: bytes) -> Shrunk | None:
    if entry is None:
        return None
    line, _, data = entry.partition(b"\n")
    try:
        facts = json.loads(line)
        return Shrunk(original if facts.pop("as_it_is") is True else data, **facts)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None  # not an entry this code wrote: shrunk again


def shrink(path: Path, max_width: int, quality: int, origin: Origin | None,
           shown: str) -> Shrunk:
    """The file at ``path`` as the pack carries it (see the module's docstring)."""
    return _shrunk(path.read_bytes(), path.suffix.lower(), max_width, quality, origin, shown)


def _shrunk(data: bytes, suffix: str, max_width: int, quality: int, origin: Origin | None,
            shown: str) -> Shrunk:
    if suffix not in IMAGES:
        return Shrunk(data, len(data), why_kept="not a raster image")
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                return _scaled(image, data, suffix, max_width, quality)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _unreadable(origin, shown, f"Pillow cannot read it ({exc})") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _unreadable(origin, shown, f"it has more than {MAX_PIXELS:,} pixels") from None


def _scaled(image: object, data: bytes, suffix: str, max_width: int, quality: int) -> Shrunk:
    from PIL import Image

    assert isinstance(image, Image.Image)
    width, height = image.size
    if getattr(image, "n_frames", 1) > 1:
        return Shrunk(data, len(data), width, width, "animated: every frame kept as it is")
    if width <= max_width:
        return Shrunk(data, len(data), width, width, f"{width} px wide: no wider than allowed")
    size = (max_width, max(1, round(height * max_width / width)))
    smaller = image.resize(size, Image.Resampling.LANCZOS) if image.mode not in ("P", "1") \
        else image.convert("RGBA").resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if suffix in (".jpg", ".jpeg"):
        if smaller.mode not in ("RGB", "L"):
            smaller = smaller.convert("RGB")  # CMYK and others: what every browser shows
        smaller.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    elif suffix == ".webp":
        smaller.save(out, "WEBP", quality=quality, method=6)
    elif suffix == ".gif":
        smaller.convert("RGBA").convert("P", palette=Image.Palette.ADAPTIVE).save(
            out, "GIF", optimize=True)
    else:
        smaller.save(out, "PNG", optimize=True)
    encoded = out.getvalue()
    if len(encoded) >= len(data):
        return Shrunk(data, len(data), width, width,
                      "re-encoding made it larger: the original is kept")
    return Shrunk(encoded, len(data), width, max_width)


def _unreadable(origin: Origin | None, shown: str, why: str) -> CoursepackError:
    return CoursepackError([error(
        origin, f"field-pack: the image '{shown}' cannot be made smaller: {why}",
        hint="open it in an image editor and save it again as PNG or JPEG, or replace it")])
