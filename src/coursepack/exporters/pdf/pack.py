"""The course pack as parts: cover, contents, each module's opening page, each lesson,
glossary and sources, in that order, each starting on a new page.

A lesson's part is its handout without page numbers, so one rendering serves both. The
contents are rendered last, once the other parts' page counts are known, with the page
numbers written in; that is what lets every other part be rendered (and reused) alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from coursepack.exporters.pdf.documents import Document, Documents

#: A link to another part of the course pack: ``coursepack-part:<part key>``.
PART_SCHEME = "coursepack-part:"

COVER = "cover"
CONTENTS = "contents"
#: Lines of the contents that fit on one page, to guess its length before rendering it.
CONTENTS_LINES_PER_PAGE = 40


@dataclass
class Entry:
    """An outline entry: its title, the page index it opens, the entries under it."""

    title: str
    page: int
    children: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """One section of the course pack, rendered as a PDF of its own."""

    key: str
    title: str
    document: Document
    #: 0: listed at the top of the contents and outline; 1: under its module; None: not listed.
    level: int | None
    #: Heading levels its tags move down in the pack (a handout's H1 is an H2 there).
    heading_shift: int = 0


def sections(docs: Documents) -> list[Part]:
    """Every part but the contents, in the order they are printed."""
    course = docs.course
    parts = [Part(COVER, course.title, _document(docs, "pack-cover.html.j2", COVER,
                                                 course.title, ()), None)]
    for module in course.modules:
        key = f"module/{module.id}"
        parts.append(Part(key, module.title, _document(docs, "pack-module.html.j2", key,
                                                       module.title, (module.id,),
                                                       module=module), 0))
        for lesson in module.lessons:
            parts.append(Part(f"lesson/{module.id}/{lesson.id}", lesson.title,
                              docs.handout(module, lesson), 1, heading_shift=1))
    if course.glossary():
        parts.append(Part("glossary", "Glossary",
                          _document(docs, "pack-glossary.html.j2", "glossary", "Glossary",
                                    (course.glossary(),)), 0))
    if course.sources:
        parts.append(Part("sources", "Sources",
                          _document(docs, "pack-sources.html.j2", "sources", "Sources", ()), 0))
    return parts


def _document(docs: Documents, template: str, key: str, title: str,
              kept_as: tuple[object, ...] | None, **extra: Any) -> Document:
    return docs.page(template, f"course-pack.pdf#{key}", title, kept_as, **extra)


def contents(docs: Documents, parts: Sequence[Part], counts: dict[str, int],
             own_pages: int) -> Part:
    """The contents part, for these page counts, if it takes ``own_pages`` pages itself."""
    firsts = first_pages(parts, counts, own_pages)
    entries = [(part, firsts[part.key] + 1, [(child, firsts[child.key] + 1) for child in kids])
               for part, kids in _tree(parts)]
    document = _document(docs, "pack-contents.html.j2", CONTENTS, "Contents", None,
                         entries=entries,
                         part_link=lambda part: PART_SCHEME + part.key)
    return Part(CONTENTS, "Contents", document, None)


def guess_contents_pages(parts: Sequence[Part]) -> int:
    """How many pages the contents will take: one line per listed part, and the heading."""
    lines = 3 + sum(1 for part in parts if part.level is not None)
    return max(1, -(-lines // CONTENTS_LINES_PER_PAGE))


def in_order(parts: Sequence[Part], contents_part: Part) -> list[Part]:
    """All parts as printed: the cover, the contents, then the rest."""
    return [parts[0], contents_part, *parts[1:]]


#: The contents' index in ``in_order``.
CONTENTS_AT = 1


def printed_at(position: int) -> int:
    """The index in ``in_order`` of the part at ``position`` of ``sections``."""
    return position if position < CONTENTS_AT else position + 1


def first_pages(parts: Sequence[Part], counts: dict[str, int],
                contents_pages: int) -> dict[str, int]:
    """The index of each part's first page in the pack (0 for the cover)."""
    firsts: dict[str, int] = {}
    page = 0
    for part in parts:
        firsts[part.key] = page
        page += counts[part.key]
        if part.key == COVER:
            firsts[CONTENTS] = page
            page += contents_pages
    return firsts


def linking_pages(parts: Sequence[Part], firsts: dict[str, int],
                  counts: dict[str, int]) -> list[int]:
    """The pages of the parts whose HTML links to another part (``PART_SCHEME``): the
    contents', and any a course's own template writes such a link in."""
    return [page for part in parts if PART_SCHEME in part.document.html
            for page in range(firsts[part.key], firsts[part.key] + counts[part.key])]


def outline(parts: Sequence[Part], firsts: dict[str, int]) -> list[Entry]:
    """The bookmarks: contents, then each module with its lessons, then the back matter."""
    entries = [Entry("Contents", firsts[CONTENTS])]
    for part, kids in _tree(parts):
        entries.append(Entry(part.title, firsts[part.key],
                             [Entry(kid.title, firsts[kid.key]) for kid in kids]))
    return entries


def _tree(parts: Sequence[Part]) -> list[tuple[Part, list[Part]]]:
    """Listed parts as (top-level part, the parts under it)."""
    tree: list[tuple[Part, list[Part]]] = []
    for part in parts:
        if part.level == 0:
            tree.append((part, []))
        elif part.level == 1 and tree:
            tree[-1][1].append(part)
    return tree
