"""Each line of tagged text owned by its paragraph, heading or cell, not by a Span of its own.

WeasyPrint tags every run of text on a line as a ``/Span`` structure element holding that
one run and nothing else (no language, alternative text or attribute): a paragraph of five
lines is a ``/P`` of five Spans. Such a Span tells a screen reader nothing its parent does
not, but each is an object, and they are half the objects of a course pack (15,087 of
32,463 in a hundred-lesson pack), which every join copies and every save writes. So, as
each tagged PDF is rendered (a ``write_pdf`` finisher, like ``margins``), the run's marked
content id takes the Span's place among its parent's kids, and the parent tree names the
parent as the run's owner. A Span on another page than its parent would be kept (a bare
marked content id means one on the parent's page), but WeasyPrint makes each page's
elements anew, so a paragraph broken across pages is two. The Span emptied stays among
WeasyPrint's numbered objects, owned by no one, until the PDF is written again
(``pool._only_what_it_uses``, ``pdf_bytes.save``).
"""

from __future__ import annotations

from typing import Any

import pydyf

from coursepack.exporters.pdf.margins import at, page_parents, pages_of

_SPAN_KEYS = {"Type", "S", "K", "Pg", "P"}


def fold_text_spans(pdf: Any) -> None:
    """The finisher's step: every lone run's Span folded into its parent, in place."""
    objects = pdf.objects
    root_reference = pdf.catalog.get("StructTreeRoot")
    if root_reference is None:
        return
    root = at(objects, root_reference)
    numbers = {page.reference: index for index, page in enumerate(pages_of(pdf))}
    parents = page_parents(at(objects, root["ParentTree"]))
    for element in reversed(_elements(objects, root)):  # a parent after its kids
        kids = element.get("K")
        if not isinstance(kids, pydyf.Array) or element.get("S") == "/Document":
            continue  # the document's kids stay elements: a joined pack moves them
        for position, kid in enumerate(kids):
            span = _lone_run(objects, kid, element)
            if span is None:
                continue
            mcid = span["K"][0]
            owners = parents.get(numbers.get(span["Pg"], -1))
            if owners is None or mcid >= len(owners) or owners[mcid] != kid:
                continue  # the parent tree does not say what WeasyPrint writes: leave it
            kids[position] = mcid
            owners[mcid] = element.reference
            span.clear()


def _elements(objects: list[Any], root: Any) -> list[Any]:
    """The structure elements found from the root, each before its kids."""
    found: list[Any] = []
    seen: set[int] = set()
    stack = [kid for kid in root.get("K", ()) if isinstance(kid, bytes)]
    while stack:
        reference = stack.pop()
        number = int(reference.split()[0])
        element = objects[number]
        if number in seen or not (isinstance(element, pydyf.Dictionary)
                                  and element.get("Type") == "/StructElem"):
            continue
        seen.add(number)
        found.append(element)
        kids = element.get("K", ())
        stack.extend(kid for kid in (kids if isinstance(kids, list) else [kids])
                     if isinstance(kid, bytes) and kid.endswith(b" R"))
    return found


def _lone_run(objects: list[Any], kid: Any, parent: Any) -> Any:
    """The Span ``kid`` names if it holds one run of text, on its parent's page, and
    nothing more; else None."""
    if not (isinstance(kid, bytes) and kid.endswith(b" R")):
        return None
    span = objects[int(kid.split()[0])]
    if not (isinstance(span, pydyf.Dictionary) and set(span) == _SPAN_KEYS
            and span["S"] == "/Span" and span["Type"] == "/StructElem"
            and span["P"] == parent.reference and span["Pg"] == parent.get("Pg")):
        return None
    content = span["K"]
    if not (isinstance(content, list) and len(content) == 1 and isinstance(content[0], int)
            and not isinstance(content[0], bool)):
        return None
    return span
