"""Page numbers drawn onto a rendered PDF's pages (pikepdf).

The numbers come from a "sheet" WeasyPrint rendered with nothing on it but the numbers:
each sheet page is drawn onto its page as a pagination artifact, so assistive technology
skips it. A worker numbering a handout imports this module, pikepdf and nothing else of
the joining: ``assemble`` and what it imports took the worker some 0.4 s, on an edited
lesson's path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

import pikepdf
from pikepdf import Array, Dictionary, Pdf

from coursepack.exporters.pdf.pdf_bytes import open_pdf, save


def numbered(part: bytes, sheet: bytes, skip: Iterable[int] = ()) -> bytes:
    """A rendered part with its page numbers drawn from ``sheet``."""
    with open_pdf(part) as pdf, open_pdf(sheet) as numbers:
        stamp(pdf, numbers, skip)
        return save(pdf)


def stamp(pdf: Pdf, sheet: Pdf, skip: Iterable[int] = ()) -> None:
    """Draw page i of ``sheet`` onto page i of ``pdf``, marked as a pagination artifact."""
    draw_numbers(pdf, number_forms(pdf, sheet, skip))


def number_forms(pdf: Pdf, sheet: Pdf, skip: Iterable[int] = ()) -> dict[int, pikepdf.Object]:
    """Page i of ``sheet`` as a form XObject of ``pdf``, by i, for each page i of ``pdf``
    not in ``skip`` (to be drawn by ``draw_numbers``)."""
    count, numbers = len(pdf.pages), listed_pages(sheet)
    if len(numbers) < count:
        raise ValueError(f"page-number sheet has {len(numbers)} pages, the document {count}")
    left_out = set(skip)
    stamped = [index for index in range(count) if index not in left_out]
    # copied in one go: a copy per page took twice as long
    forms = pdf.copy_foreign(sheet.make_indirect(
        Array([numbers[index].as_form_xobject() for index in stamped])))
    return dict(zip(stamped, forms, strict=True))


def draw_numbers(pdf: Pdf, forms: dict[int, pikepdf.Object]) -> None:
    """Draw each form of ``number_forms`` onto its page, marked as a pagination artifact.

    Each page gets resources of its own, which name its page's form ``/CpPageNumber``, so
    that two streams drawing it serve every page: the pages of a part share their
    resources, and a stream per page was about a hundred kilobytes of a 400-page pack."""
    # The page's own content may leave its transformation set: isolate it first.
    before = pdf.make_stream(b"q\n")
    after = pdf.make_stream(b"Q\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC "
                            b"q /CpPageNumber Do Q EMC\n")
    pages = listed_pages(pdf)
    for index, form in forms.items():
        page = pages[index].obj
        resources = _own_copy(page.get("/Resources"))
        xobjects = _own_copy(resources.get("/XObject"))
        xobjects.CpPageNumber = form
        resources.XObject = xobjects
        page.Resources = resources
        contents = page.get("/Contents", Array())
        page.Contents = Array([before, *(contents if isinstance(contents, Array)
                                         else [contents]), after])


def listed_pages(pdf: Pdf) -> list[pikepdf.Page]:
    """The pages of ``pdf``, to be looked up by index many times: ``pdf.pages[i]`` lists
    every page each time (some 17 µs in a 400-page course pack)."""
    return list(pdf.pages)


def _own_copy(shared: pikepdf.Object | None) -> Dictionary:
    """A dictionary of its own with the entries of ``shared`` (a dictionary, or none)."""
    if not isinstance(shared, Dictionary):
        return Dictionary()
    return Dictionary(cast(Mapping[str, Any], shared))
