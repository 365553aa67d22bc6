"""Files of a QTI package (a zip or one XML file) and the images its texts use."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from lxml import etree

from coursepack.importers.safe import parse_xml, zip_members
from coursepack.importers.text import Media, with_images

ZIP = b"PK\x03\x04"


class Package:
    """The files of a zip (path inside it -> bytes), or one XML file alone."""

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        self.files = zip_members(data, name) if data.startswith(ZIP) else {name: data}
        self.is_zip = data.startswith(ZIP)

    def xml(self, path: str) -> Any:
        return parse_xml(self.files[path], self.where(path))

    def where(self, path: str) -> str:
        """How a warning names a file: ``bank.zip/items/q1.xml``, or the file alone."""
        return f"{self.name}/{path}" if self.is_zip else self.name

    def resolve(self, base: str, href: str) -> str | None:
        """``href`` relative to the file ``base``, as a path inside the package, or None
        when it leaves the package or names no file in it."""
        if "://" in href or href.startswith(("/", "data:")):
            return None
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(href)))
        if joined.startswith("../") or joined == "..":
            return None
        return joined if joined in self.files else None

    def finder(self, base: str, prefixes: tuple[str, ...] = ()
               ) -> Callable[[str], tuple[str, bytes] | None]:
        """Find an image source of the file ``base`` (``prefixes`` such as Canvas's
        ``$IMS-CC-FILEBASE$/`` stand for the package root)."""

        def find(src: str) -> tuple[str, bytes] | None:
            for prefix in prefixes:
                if src.startswith(prefix):
                    src = src[len(prefix):].split("?", 1)[0]
                    path = posixpath.normpath(unquote(src).lstrip("/"))
                    inside = next((p for p in self.files if p == path or p.endswith("/" + path)),
                                  None)
                    return (posixpath.basename(inside), self.files[inside]) if inside else None
            found = self.resolve(base, src)
            return (posixpath.basename(found), self.files[found]) if found else None

        return find

    def html(self, node: Any, base: str, media: Media, prefixes: tuple[str, ...] = ()) -> str:
        """The content of an element as HTML (namespaces dropped), images copied."""
        fragment = inner_html(node)
        return with_images(fragment, media, self.finder(base, prefixes))


def local(node: Any) -> str:
    tag = node.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def strip_namespaces(node: Any) -> Any:
    """A copy of ``node`` with plain tag names, to be written as HTML."""
    copy = etree.fromstring(etree.tostring(node))
    for element in copy.iter():
        if isinstance(element.tag, str):
            element.tag = local(element)
            for key in list(element.attrib):
                if "}" in key:
                    del element.attrib[key]
    etree.cleanup_namespaces(copy)
    return copy


def inner_html(node: Any) -> str:
    """The text and children of an element, as HTML."""
    if node is None:
        return ""
    clean = strip_namespaces(node)
    parts = [_escape(clean.text or "")]
    for child in clean:
        parts.append(etree.tostring(child, encoding="unicode", method="html", with_tail=False))
        parts.append(_escape(child.tail or ""))
    return "".join(parts).strip()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["ZIP", "Package", "inner_html", "local", "strip_namespaces"]
