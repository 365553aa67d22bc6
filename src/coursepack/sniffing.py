"""What a file's first bytes say it may be, whatever its name or declared type."""

from __future__ import annotations


def starts_as_xml(data: bytes) -> bool:
    """Whether ``data`` may be XML, an SVG say (WeasyPrint reads any image that is no raster
    image as one): ``<`` after any byte order mark and spaces, or UTF-16 (a byte order
    mark, or zero bytes beside a ``<``)."""
    head = data[:4]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"\x00" in head and b"<" in head):
        return True
    return data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<")
