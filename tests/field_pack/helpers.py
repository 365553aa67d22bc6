"""Building a field pack of a small course, and making images of every awkward kind."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests.conftest import Run


def build_pack(run: Run, course: Path, out: Path) -> Path:
    result = run("build", str(course), "-f", "field-pack", "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    packs = sorted((out / "field-pack").glob("*.zip"))
    assert len(packs) == 1, packs
    return packs[0]


def entries(pack: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(pack) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def noise_jpeg(width: int, height: int, mode: str = "RGB") -> bytes:
    """A photo-like JPEG that compresses badly (random pixels), so size tracks pixels."""
    from PIL import Image

    image = Image.frombytes("RGB", (width, height), _noise(width * height * 3))
    if mode != "RGB":
        image = image.convert(mode)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def _noise(size: int) -> bytes:
    import random

    return random.Random(7).randbytes(size)


def add_image(course: Path, name: str, data: bytes, alt: str = "A picture") -> None:
    """Put ``data`` into the starter's first lesson as an image."""
    images = course / "modules" / "writing-questions" / "images"
    images.mkdir(exist_ok=True)
    (images / name).write_bytes(data)
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    text = lesson.read_text(encoding="utf-8")
    marker = "![A stem above four options of equal length](images/stem-and-options.png)"
    assert marker in text
    lesson.write_text(text.replace(marker, f"{marker}\n\n  ![{alt}](<images/{name}>)"),
                      encoding="utf-8")


def set_field_pack(course: Path, settings: str) -> None:
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8") + "field_pack:\n" + settings,
                    encoding="utf-8")
