"""Sanitised HTML as the XHTML subset QTI 2.1 allows inside an item body."""

from __future__ import annotations

from typing import Any

from lxml import etree, html

NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
_BLOCK_SWAP = {"details": "div", "summary": "div", "figure": "div", "figcaption": "div"}
_INLINE_SWAP = {"del": "span", "s": "span", "u": "span", "mark": "span"}
_KEEP = {
    "a": ("href",),
    "img": ("src", "alt", "width", "height"),
    "td": ("colspan", "rowspan"),
    "th": ("colspan", "rowspan", "scope"),
}
Element = Any


def fragment(markup: str) -> list[Element | str]:
    """The fragment as QTI-namespace elements (and leading text), ready to append."""
    if not markup.strip():
        return []
    parts = html.fragments_fromstring(markup)
    return [p if isinstance(p, str) else _convert(p) for p in parts]


def _convert(node: Element) -> Element:
    tag = node.tag if isinstance(node.tag, str) else "span"
    tag = _BLOCK_SWAP.get(tag, _INLINE_SWAP.get(tag, tag))
    out = etree.Element(f"{{{NS}}}{tag}")
    for name in _KEEP.get(tag, ()):
        if node.get(name) is not None:
            out.set(name, node.get(name))
    if node.get("class"):
        out.set("class", node.get("class"))
    if tag == "img" and out.get("alt") is None:
        out.set("alt", "")
    out.text = node.text
    for child in node:
        if isinstance(child.tag, str):
            out.append(_convert(child))
        elif out.__len__():
            out[-1].tail = (out[-1].tail or "") + (child.tail or "")
        else:
            out.text = (out.text or "") + (child.tail or "")
    out.tail = node.tail
    return out


def append(parent: Element, markup: str) -> Element:
    """Append a fragment to ``parent``; loose text goes into a <p> (an item body needs blocks)."""
    for part in fragment(markup):
        if isinstance(part, str):
            if part.strip():
                para = etree.SubElement(parent, f"{{{NS}}}p")
                para.text = part
        else:
            parent.append(part)
    return parent


def append_inline(parent: Element, markup: str) -> Element:
    """Append a fragment as mixed content (text and inline elements) to ``parent``."""
    for part in fragment(markup):
        if isinstance(part, str):
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + part
            else:
                parent.text = (parent.text or "") + part
        else:
            parent.append(part)
    return parent


__all__ = ["NS", "append", "append_inline", "fragment"]
