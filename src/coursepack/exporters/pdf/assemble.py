"""Joining rendered parts into one tagged PDF (pikepdf).

WeasyPrint renders each handout and each course pack section as a PDF of its own, without
page numbers, so that editing one lesson renders that lesson alone. Here the parts become
the course pack: their pages, their structure trees (PDF/UA tags) under one Document
element, their links with named destinations turned into page destinations, a new
outline, and links from the contents to the part they name. Its page numbers are drawn
on by ``page_numbers``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, Pdf

from coursepack import leaving
from coursepack.exporters.pdf.fonts import Survey
from coursepack.exporters.pdf.pack import PART_SCHEME, Entry
from coursepack.exporters.pdf.page_numbers import listed_pages
from coursepack.exporters.pdf.pdf_bytes import open_pdf

_HEADINGS = {f"/H{n}" for n in range(1, 7)}


_KEPT: list[Pdf] = []


def let_go(pdf: Pdf) -> None:
    """Close ``pdf``; free it now, or never if the process leaves without freeing
    (``leaving``) and keeps no other. A joined course pack holds every part it was copied
    from, and freeing them takes about a tenth of a second at a hundred lessons, which a
    one-off build need not wait for. One at most: a pack kept while the next is joined
    (another language's, or the next build's in a process that builds again) makes that
    join slower, and each one after it."""
    pdf.close()
    if leaving.leaves_without_freeing() and not _KEPT:
        _KEPT.append(pdf)


class Joiner:
    """One PDF of every part's pages and tags, the first part's catalog and metadata kept,
    joined from parts given one by one, in any order, as they become available.

    The PDF written from a join depends on the order its objects were made in, so each
    part is copied in a fixed order whatever the order they come in: the first part (the
    base), the others in order but ``last``, then ``last``. A part given before its turn
    waits, opened and made ready (up to ``READY_AHEAD`` of them; the bytes of the others).
    So a course pack whose contents come last (they are rendered once every other part's
    length is known) is copied as its parts arrive from the renderers or the cache, and is
    the same PDF however they arrived.
    """

    READY_AHEAD = 64
    """Parts kept open ahead of their turn at most: memory stays flat in a long course."""

    def __init__(self, count: int, last: int | None = None, kept: Kept | None = None) -> None:
        self.count = count
        self.kept = kept
        #: what merging the fonts needs, read from each part as it is copied
        self.survey = Survey()
        self.order = [i for i in range(count) if i != last or i == 0]
        if last is not None and 0 < last < count:
            self.order.append(last)
        self.waiting: dict[int, _Waiting] = {}
        self.opened = 0  # of the parts waiting, those opened
        self.turn = 0  # position in ``order`` of the next part to copy
        self.base: Pdf | None = None
        self.pages: dict[int, int] = {}  # part index -> its page count, once copied
        self.kids: dict[int, int] = {}  # part index -> its structure elements, once copied
        self.highest = -1  # the highest index copied so far
        self.elements = 0  # structure elements copied so far
        self.entries: list[tuple[int, pikepdf.Object]] = []
        self.next_key = 0

    def wants(self, index: int) -> bool:
        """Whether part number ``index`` is still to be given."""
        return index not in self.waiting and index not in self.pages

    def give(self, index: int, data: bytes, heading_shift: int = 0) -> None:
        """Part number ``index``, its headings to move ``heading_shift`` levels down:
        copied now if its turn has come (and those waiting after it), else made ready."""
        if not self.wants(index):
            return
        digest = hashlib.sha256(data).hexdigest()
        notes = self.kept.part_notes(digest) if self.kept is not None else None
        waiting = _Waiting(heading_shift, digest, notes if isinstance(notes, dict) else {}, data)
        if self.opened < self.READY_AHEAD:
            waiting.open()
            self.opened += 1
        self.waiting[index] = waiting
        while self.turn < len(self.order) and self.order[self.turn] in self.waiting:
            self._copy(self.order[self.turn])
            self.turn += 1

    def _copy(self, index: int) -> None:
        waiting = self.waiting.pop(index)
        self.opened -= waiting.pdf is not None
        part = waiting.open()
        if self.base is None:
            self.base = part
            tree = part.Root.StructTreeRoot
            self.entries = list(_number_tree(tree.ParentTree))
            self.next_key = max((key for key, _ in self.entries), default=-1) + 1
            self.pages[index], self.kids[index] = len(part.pages), len(_kids(tree.K[0]))
            self.highest, self.elements = index, self.kids[index]
            self._fonts_read(waiting, part, part.pages)
            return
        at_end = index > self.highest  # after every part copied so far
        if at_end:
            page_at, element_at = sum(self.pages.values()), self.elements
        else:  # ``last``: where it is printed
            page_at = sum(count for i, count in self.pages.items() if i < index)
            element_at = sum(count for i, count in self.kids.items() if i < index)
        with part:
            added, self.kids[index], self.next_key = _append(
                self.base, self.base.Root.StructTreeRoot.K[0], self.entries, self.next_key,
                part, page_at, element_at, at_end)
        self.pages[index] = len(added)
        self.highest, self.elements = max(self.highest, index), self.elements + self.kids[index]
        self._fonts_read(waiting, self.base, added)

    def _fonts_read(self, waiting: _Waiting, pdf: Pdf, pages: Iterable[pikepdf.Page]) -> None:
        """Read the fonts of a part copied (its ``pages`` in ``pdf``), and keep what was
        read of the part anew."""
        fonts = self.survey.part(pdf, pages, waiting.notes.get("fonts"))
        if self.kept is not None and (fonts is not None or waiting.headings is not None):
            self.kept.keep_part_notes(waiting.digest, {
                **waiting.notes, **({"fonts": fonts} if fonts is not None else {}),
                **({"headings": waiting.headings} if waiting.headings is not None else {})})

    def done(self) -> tuple[Pdf, list[int]]:
        """The joined PDF, every part given, and the index of each part's first page."""
        if self.base is None or self.turn < len(self.order):
            missing = [i for i in self.order[self.turn:] if i not in self.waiting]
            raise ValueError(f"parts {missing} of the course pack were never given")
        base = self.base
        tree = base.Root.StructTreeRoot
        tree.ParentTree = base.make_indirect(Dictionary(Nums=Array(_flatten(self.entries))))
        tree.ParentTreeNextKey = self.next_key
        for key in ("/Names", "/Outlines", "/PageMode"):
            if key in base.Root:
                del base.Root[key]
        firsts, page = [], 0
        for index in range(self.count):
            firsts.append(page)
            page += self.pages[index]
        return base, firsts

    def close(self) -> None:
        """Let go of every part and of the PDF joined so far (when it is not wanted)."""
        for waiting in self.waiting.values():
            if waiting.pdf is not None:
                waiting.pdf.close()
        self.waiting.clear()
        self.opened = 0
        if self.base is not None:
            self.base.close()
            self.base = None


class Kept(Protocol):
    """Where what joining a part read of it is kept, by the digest of its bytes: its fonts
    (``fonts.Survey``) and its headings (``_shift_headings``), read once per part."""

    def part_notes(self, digest: str) -> object: ...

    def keep_part_notes(self, digest: str, notes: object) -> None: ...


@dataclass
class _Waiting:
    """A part given to a ``Joiner``, until its turn: its bytes, or opened and made ready."""

    heading_shift: int
    digest: str  # of its bytes
    notes: dict[str, Any]  # what joining it read of it before (``Kept``)
    data: bytes = b""
    pdf: Pdf | None = None
    #: its heading elements, looked for as it was made ready (None if those kept were used)
    headings: list[list[int]] | None = None

    def open(self) -> Pdf:
        """The part opened, its links to names made links to pages (names do not survive
        a join) and its headings moved down."""
        if self.pdf is None:
            self.pdf = open_pdf(self.data)
            self.data = b""
            try:
                _resolve_named_destinations(self.pdf)
                self.headings = _shift_headings(self.pdf, self.heading_shift,
                                                self.notes.get("headings"))
            except BaseException:
                self.pdf.close()
                raise
        return self.pdf


def _append(base: Pdf, document: pikepdf.Object, entries: list[tuple[int, pikepdf.Object]],
            next_key: int, part: Pdf, page_at: int, element_at: int, at_end: bool,
            ) -> tuple[list[pikepdf.Page], int, int]:
    """Copy a part's pages and structure elements into ``base``, its pages from index
    ``page_at`` (``at_end``: after all its pages) and its elements from ``element_at`` of
    the document element; returns the pages it brought (as pages of ``base``), how many
    elements, and the next free key."""
    tree = part.Root.StructTreeRoot
    count = len(part.pages)
    if at_end:
        base.pages.extend(part.pages)
    else:
        for offset, page in enumerate(part.pages):
            base.pages.insert(page_at + offset, page)
    added = base.pages[page_at:page_at + count]  # once: a slice lists every page of ``base``
    highest = -1
    for page in added:
        if "/StructParents" in page.obj:
            highest = max(highest, int(page.obj.StructParents))
            page.obj.StructParents = int(page.obj.StructParents) + next_key
        for annotation in page.obj.get("/Annots", Array()):
            if "/StructParent" in annotation:
                highest = max(highest, int(annotation.StructParent))
                annotation.StructParent = int(annotation.StructParent) + next_key
    kids = _kids(tree.K[0])
    for offset, kid in enumerate(kids):
        if "/P" in kid:
            del kid["/P"]  # or the copy would bring the part's whole tree along
        copied = base.copy_foreign(kid)
        copied.P = document
        document.K.insert(element_at + offset, copied)
    keyed = list(_number_tree(tree.ParentTree))
    # one copy of every value at once (arrays of references to the elements copied above)
    values = base.copy_foreign(part.make_indirect(Array([value for _, value in keyed])))
    for (key, _), value in zip(keyed, values, strict=True):
        highest = max(highest, key)
        entries.append((key + next_key, value))
    return added, len(kids), next_key + highest + 1


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


def _shift_headings(pdf: Pdf, shift: int, kept: object = None) -> list[list[int]] | None:
    """Move every heading tag ``shift`` levels down: a handout's H1 is an H2 in the pack.
    The headings are the objects ``kept`` names if each is one; else they are looked for
    in the structure tree, and returned (as [object number, generation]) to be kept, unless
    one is not an object of its own."""
    if not shift:
        return None
    headings = _kept_headings(pdf, kept)
    found = headings is None
    if headings is None:
        headings = _headings(pdf.Root.StructTreeRoot)
    for element in headings:
        element.S = Name(f"/H{min(6, int(str(element.S)[2:]) + shift)}")
    if not found or not all(element.is_indirect for element in headings):
        return None
    return [list(element.objgen) for element in headings]


def _kept_headings(pdf: Pdf, kept: object) -> list[pikepdf.Object] | None:
    """The heading elements ``kept`` names, or None if it names anything else."""
    if not isinstance(kept, list):
        return None
    headings: list[pikepdf.Object] = []
    for place in kept:
        if not (isinstance(place, list) and len(place) == 2
                and all(type(n) is int and 0 <= n < 1 << 31 for n in place)
                and place not in kept[:len(headings)]):  # each once: shifted once
            return None
        element = pdf.get_object(place[0], place[1])
        if not isinstance(element, Dictionary) or str(element.get("/S")) not in _HEADINGS:
            return None
        headings.append(element)
    return headings


def _headings(tree: pikepdf.Object) -> list[pikepdf.Object]:
    """Every heading element of a structure tree."""
    found: list[pikepdf.Object] = []
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
            found.append(element)
        if name not in _NO_HEADINGS_INSIDE:
            stack.extend(_kids(element))
    return found


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


def link_parts(pdf: Pdf, first_pages: dict[str, int], linking: Iterable[int] | None = None,
               ) -> None:
    """Point every ``coursepack-part:`` link at the first page of the part it names: on
    the pages ``linking`` (``pack.linking_pages``: a few of hundreds), or on all."""
    pages = listed_pages(pdf)
    for page in pages if linking is None else (pages[index] for index in linking):
        for annotation in page.obj.get("/Annots", Array()):
            action = annotation.get("/A")
            if action is None or action.get("/S") != Name.URI:
                continue
            uri = str(action.URI)
            if uri.startswith(PART_SCHEME) and uri[len(PART_SCHEME):] in first_pages:
                target = pages[first_pages[uri[len(PART_SCHEME):]]]
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
