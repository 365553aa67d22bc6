"""A PDF read from bytes and written back to bytes (pikepdf), the one way the export
writes every PDF it has opened: compressed, in object streams, with an /ID that depends
on the content only.

Apart from joining (``assemble``), so that a worker writing a rendering again
(``pool._only_what_it_uses``) loads pikepdf and nothing else. Import pikepdf first with
``libraries.import_pikepdf``.
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Pdf


def open_pdf(data: bytes) -> Pdf:
    return Pdf.open(io.BytesIO(data))


def page_count(data: bytes) -> int:
    with open_pdf(data) as pdf:
        return len(pdf.pages)


def save(pdf: Pdf) -> bytes:
    """The PDF as bytes: compressed, object streams, an /ID that depends on the content only.
    Only the objects its catalog leads to are written."""
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()
