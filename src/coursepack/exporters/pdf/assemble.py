"""Joining rendered parts into one tagged PDF, and drawing page numbers onto pages (pikepdf).

WeasyPrint renders each handout and each course pack section as a PDF of its own, without
page numbers, so that editing one lesson renders that lesson alone. Here the parts become
the course pack: their pages, their structure trees (PDF/UA tags) under one Document
element, their links with named destinations turned into page destinations, a new
outline, and links from the contents to the part they name. Page numbers come from a
"sheet" WeasyPrint rendered with nothing on it but the numbers: each sheet page is drawn
onto its page as a pagination artifact, so assistive technology skips it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, Pdf

from coursepack.exporters.pdf.pack import PART_SCHEME, Entry

_HEADINGS = {f"/H{n}" for n in range(1, 7)}


def open_pdf(data: bytes) -> Pdf:
    return Pdf.open(io.BytesIO(data))


def page_count(data: bytes) -> int:
    with open_pdf(data) as pdf:
        return len(pdf.pages)


def save(pdf: Pdf) -> bytes:
    """The PDF as bytes: compressed, object streams, an /ID that depends on the content only."""
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, compress_streams=True,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def numbered(part: bytes, sheet: bytes, skip: Iterable[int] = ()) -> bytes:
    """A rendered part with its page numbers drawn from ``sheet``."""
    with open_pdf(part) as pdf, open_pdf(sheet) as numbers:
        stamp(pdf, numbers, skip)
        return save(pdf)


def stamp(pdf: Pdf, sheet: Pdf, skip: Iterable[int] = ()) -> None:
    """Draw page i of ``sheet`` onto page i of ``pdf``, marked as a pagination artifact."""
    if len(sheet.pages) < len(pdf.pages):
        raise ValueError(f"page-number sheet has {len(sheet.pages)} pages, "
                         f"the document {len(pdf.pages)}")
    left_out = set(skip)
    for index, page in enumerate(pdf.pages):
        if index in left_out:
            continue
        form = pdf.copy_foreign(sheet.pages[index].as_form_xobject())
        name = Name(f"/CpPageNumber{index}")  # pages of a part may share their resources
        page.add_resource(form, Name.XObject, name)
        # The page's own content may leave its transformation set: isolate it first.
        page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, b"Q\n/Artifact <</Type /Pagination "
                                         b"/Subtype /Footer>> BDC q " + str(name).encode("ascii")
                                         + b" Do Q EMC\n"))


def join(parts: Sequence[bytes], heading_shifts: Sequence[int]) -> tuple[Pdf, list[int]]:
    """One PDF of every part's pages and tags, the first part's catalog and metadata kept.

    Returns the PDF and the index of each part's first page in it.
    """
    base = open_pdf(parts[0])
    _resolve_named_destinations(base)
    _shift_headings(base.Root.StructTreeRoot, heading_shifts[0])
    tree = base.Root.StructTreeRoot
    document = tree.K[0]
    entries = list(_number_tree(tree.ParentTree))
    next_key = max((key for key, _ in entries), default=-1) + 1
    firsts = [0]
    for data, shift in zip(parts[1:], heading_shifts[1:], strict=True):
        firsts.append(len(base.pages))
        with open_pdf(data) as part:
            next_key = _append(base, document, entries, next_key, part, shift)
    tree.ParentTree = base.make_indirect(Dictionary(Nums=Array(_flatten(entries))))
    tree.ParentTreeNextKey = next_key
    for key in ("/Names", "/Outlines", "/PageMode"):
        if key in base.Root:
            del base.Root[key]
    return base, firsts


def _append(base: Pdf, document: pikepdf.Object, entries: list[tuple[int, pikepdf.Object]],
            next_key: int, part: Pdf, shift: int) -> int:
    """Copy a part's pages and structure elements into ``base``; returns the next free key."""
    _resolve_named_destinations(part)
    tree = part.Root.StructTreeRoot
    _shift_headings(tree, shift)
    start = len(base.pages)
    base.pages.extend(part.pages)
    highest = -1
    for page in base.pages[start:]:
        if "/StructParents" in page.obj:
            highest = max(highest, int(page.obj.StructParents))
            page.obj.StructParents = int(page.obj.StructParents) + next_key
        for annotation in page.obj.get("/Annots", Array()):
            if "/StructParent" in annotation:
                highest = max(highest, int(annotation.StructParent))
                annotation.StructParent = int(annotation.StructParent) + next_key
    for kid in _kids(tree.K[0]):
        if "/P" in kid:
            del kid["/P"]  # or the copy would bring the part's whole tree along
        copied = base.copy_foreign(kid)
        copied.P = document
        document.K.append(copied)
    keyed = list(_number_tree(tree.ParentTree))
    # one copy of every value at once (arrays of references to the elements copied above)
    values = base.copy_foreign(part.make_indirect(Array([value for _, value in keyed])))
    for (key, _), value in zip(keyed, values, strict=True):
        highest = max(highest, key)
        entries.append((key + next_key, value))
    return next_key + highest + 1


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K", Array())
    return list(kids) if isinstance(kids, Array) else [kids]


def _number_tree(node: pikepdf.Object) -> Iterator[tuple[int, pikepdf.Object]]:
    """(key, value) pairs of a number tree, flat or with /Kids."""
    nums = node.get("/Nums", Array())
    for index in range(0, len(nums) - 1, 2):
        yield int(nums[index]), nums[index + 1]
    for kid in node.get("/Kids", Array()):
        yield from _number_tree(kid)


def _flatten(entries: list[tuple[int, pikepdf.Object]]) -> list[pikepdf.Object | int]:
    flat: list[pikepdf.Object | int] = []
    for key, value in sorted(entries, key=lambda item: item[0]):
        flat += [key, value]
    return flat


#: Tags that never hold a heading: the walk for headings does not go into them.
_NO_HEADINGS_INSIDE = {"/P", "/Span", "/Link", "/Lbl", "/Caption", "/Figure", "/Formula",
                       "/Code", "/Quote", "/Note", "/Reference"} | _HEADINGS


def _shift_headings(tree: pikepdf.Object, shift: int) -> None:
    """Move every heading tag ``shift`` levels down: a handout's H1 is an H2 in the pack."""
    if not shift:
        return
    stack = list(_kids(tree))
    while stack:
        element = stack.pop()
        if not isinstance(element, Dictionary):
            continue
        tag = element.get("/S")
        if tag is None:
            continue
        name = str(tag)
        if name in _HEADINGS:
            element.S = Name(f"/H{min(6, int(name[2:]) + shift)}")
        if name not in _NO_HEADINGS_INSIDE:
            stack.extend(_kids(element))


def _resolve_named_destinations(pdf: Pdf) -> None:
    """Turn links to named destinations into links to pages: names do not survive a join."""
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return
    dests = NameTree(names.Dests)
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", Array()):
            target = annotation.get("/Dest")
            if isinstance(target, pikepdf.String | Name) and str(target) in dests:
                annotation.Dest = dests[str(target)]


def link_parts(pdf: Pdf, first_pages: dict[str, int]) -> None:
    """Point every ``coursepack-part:`` link at the first page of the part it names."""
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", Array()):
            action = annotation.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            uri = str(action.URI)
            if uri.startswith(PART_SCHEME) and uri[len(PART_SCHEME):] in first_pages:
                target = pdf.pages[first_pages[uri[len(PART_SCHEME):]]]
                del annotation["/A"]
                annotation.Dest = Array([target.obj, Name.Fit])


def set_outline(pdf: Pdf, entries: Sequence[Entry]) -> None:
    """Replace the outline (bookmarks) with ``entries``, shown open at the first level."""
    with pdf.open_outline() as outline:
        outline.root.clear()
        outline.root.extend(_outline_item(entry) for entry in entries)
    pdf.Root.PageMode = Name.UseOutlines


def _outline_item(entry: Entry) -> pikepdf.OutlineItem:
    item = pikepdf.OutlineItem(entry.title, entry.page)
    item.children.extend(_outline_item(child) for child in entry.children)
    return item
