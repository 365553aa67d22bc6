"""Running headers and footers marked as pagination artifacts, as PDF/UA asks.

The print theme puts the document's title, the section and the edition in the page
margins (``@top-start`` and the like in print.css.j2). WeasyPrint tags what a margin box
shows as structure elements that name the Document as their parent without being among
its kids: they are in no reading order, yet not artifacts either, and a joined course
pack would bring each part's structure root along with them. So, as each tagged PDF is
rendered (a ``write_pdf`` finisher, on WeasyPrint's objects before they are written),
their marked content becomes ``/Artifact <</Type /Pagination>>`` and their entries in the
parent tree ``null``; the elements are then left to no one. The same goes for the page
numbers of whole documents (a margin box of page-numbers.css.j2); the handouts' and the
course pack's are drawn on as such artifacts (``page_numbers.stamp``).
"""

from __future__ import annotations

from typing import Any

import pydyf

_PAGINATION = pydyf.Dictionary({"Type": "/Pagination"})


def margins_as_artifacts(document: Any, pdf: Any) -> None:
    """The finisher: margin boxes' marked content made pagination artifacts, in place."""
    objects = pdf.objects
    root_reference = pdf.catalog.get("StructTreeRoot")
    if root_reference is None:
        return
    root = at(objects, root_reference)
    main = at(objects, root["K"][0])
    listed = set(main["K"])
    pages = pages_of(pdf)
    numbers = {page.reference: index for index, page in enumerate(pages)}
    by_page: dict[int, dict[int, bytes]] = {}  # page -> MCID -> the element it belongs to
    for element in objects:
        if _outside_reading_order(element, main.reference, listed):
            for page, mcid, owner in _marked(objects, element) or ():
                if page in numbers:
                    by_page.setdefault(numbers[page], {})[mcid] = owner
    if not by_page:
        return
    parents = page_parents(at(objects, root["ParentTree"]))
    for index, owners in sorted(by_page.items()):
        _mark_as_artifacts(at(objects, pages[index]["Contents"]), owners, parents[index])


def at(objects: list[Any], reference: bytes) -> Any:
    """The object a reference (``N 0 R``) names."""
    return objects[int(reference.split()[0])]


def pages_of(pdf: Any) -> list[Any]:
    """The page objects, in order (pydyf keeps their references flat: ``N``, ``0``, ``R``)."""
    return [pdf.objects[number] for number in pdf.pages["Kids"][::3]]


def _outside_reading_order(element: Any, main: bytes, listed: set[bytes]) -> bool:
    return (isinstance(element, pydyf.Dictionary) and element.get("Type") == "/StructElem"
            and element.get("P") == main and element.reference not in listed)


def _marked(objects: list[Any], element: Any) -> list[tuple[bytes, int, bytes]] | None:
    """(page, MCID, element) of every run of marked content under ``element``; None if
    it holds anything else (a link's annotation, say): it is then left as it is."""
    found: list[tuple[bytes, int, bytes]] = []
    stack = [element]
    while stack:
        current = stack.pop()
        for kid in current.get("K", ()):
            if isinstance(kid, int):
                found.append((current["Pg"], kid, current.reference))
            elif isinstance(kid, bytes) and kid.endswith(b" R"):
                child = at(objects, kid)
                if not isinstance(child, pydyf.Dictionary) or child.get("Type") != "/StructElem":
                    return None
                stack.append(child)
            else:
                return None
    return found


def page_parents(parent_tree: Any) -> dict[int, Any]:
    """Each page's array of parents by MCID (WeasyPrint writes the tree flat)."""
    nums = parent_tree["Nums"]
    return {nums[i]: nums[i + 1] for i in range(0, len(nums) - 1, 2)
            if isinstance(nums[i + 1], pydyf.Array)}


def _mark_as_artifacts(stream: Any, owners: dict[int, bytes], parents: Any) -> None:
    """In the page's content, ``/Tag <</MCID n>> BDC`` for each n of ``owners`` becomes a
    pagination artifact, and the parent tree forgets n (only where it named that owner)."""
    operations = stream.stream
    for at in range(1, len(operations) - 1):
        properties = operations[at]
        if not (isinstance(properties, pydyf.Dictionary) and operations[at + 1] == b"BDC"
                and isinstance(operations[at - 1], str)):
            continue
        mcid = properties.get("MCID")
        if mcid in owners and mcid < len(parents) and parents[mcid] == owners[mcid]:
            operations[at - 1], operations[at] = "/Artifact", _PAGINATION
            parents[mcid] = b"null"
