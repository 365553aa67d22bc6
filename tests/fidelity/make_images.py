"""Write the fidelity course's tiny images (committed; run again only to change them).

Three distinct images so that a format that swaps one file for another is caught: a PNG and a
JPEG whose names hold spaces and accents, and an SVG. PNGs are written with zlib and struct;
the JPEG with Pillow (a test dependency through WeasyPrint).
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "course" / "modules" / "accueil" / "images"


def png(rgb: tuple[int, int, int], size: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * size, 9)) + chunk(b"IEND", b""))


def jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (20, 120, 60)).save(buffer, "JPEG", quality=50)
    return buffer.getvalue()


SVG = b"""<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" viewBox="0 0 4 4">
<title>Sch\xc3\xa9ma</title><rect width="4" height="4" fill="#36c"/></svg>
"""


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    (IMAGES / "carte du camp.png").write_bytes(png((200, 30, 30)))
    (IMAGES / "réfugiés.png").write_bytes(png((30, 30, 200)))
    (IMAGES / "photo été.jpg").write_bytes(jpeg())
    (IMAGES / "schéma.svg").write_bytes(SVG)


if __name__ == "__main__":
    main()
