"""An SVG image that travels alone: every format packages the file by itself, so it may use
no other file (a browser would show it broken, and a PDF leaves it out) and run no script.

It is read as its readers read it: internal entities expanded (as browsers and WeasyPrint
expand them; libxml2 refuses an expansion that explodes), a ``<style>``'s text whole
(comments and child elements do not cut it), its style sheets and every attribute that
holds CSS through ``stylesheets`` (escapes, ``src()``, ``image-set()``), an SVG written in
a ``data:`` address as one more SVG. A link (``<a href>``) loads nothing: it may lead
anywhere.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_to_bytes

from lxml import etree

from coursepack.errors import Origin, Problem, error
from coursepack.stylesheets import asked_for, too_deep

MAX_BYTES = 10 * 2**20
"""The largest SVG a course may use: a drawing, not a document (export it as PNG)."""
MAX_STYLE = 2 * 2**20
"""The most style text an SVG may hold (entities expanded): a style sheet, not a dump."""
MAX_NESTED = 3
"""SVGs in ``data:`` addresses inside one another, at most: a drawing with a drawing in it."""

_REFERENCES = ("href", "src", "srcset", "data", "poster", "background", "base")
"""Attributes whose value is another file (SVG's, HTML's inside ``foreignObject``, and
``xml:base``, which WeasyPrint resolves an ``href="#id"`` against)."""
_ANIMATIONS = ("set", "animate", "animateMotion", "animateTransform", "animateColor",
               "discard")
_IGNORED_LINKS = ("a", "color-profile")
"""Elements whose ``href`` loads nothing: a link, and a colour profile (Inkscape names the
system's ICC file; no browser and no PDF reads it)."""
_ACTIVE = ("script", "handler", "iframe", "frame", "object", "embed", "applet")
"""Elements that run a script or hold a page of their own."""
_SHOWN = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml", None)
"""The namespaces whose elements a browser shows, and runs the handlers of."""
_HANDLER = re.compile(r"on[a-z]+", re.IGNORECASE)
_JAVASCRIPT = re.compile(r"\s*javascript:", re.IGNORECASE)
#: What a style sheet needs to ask for a file without escapes: one of these names.
_ASKING = re.compile(r"url|src|image|cross-fade|@import|\\", re.IGNORECASE)
#: A reference to an element of the SVG itself, as drawing programs fill shapes.
_OWN_ELEMENT = re.compile(r"\s*url\(\s*#[-\w.:]*\s*\)\s*", re.IGNORECASE)


def svg_problem(data: bytes, written: str, origin: Origin) -> Problem | None:
    """Why the SVG ``data`` (``written`` as the course names it) cannot travel alone, if it
    cannot."""
    if len(data) > MAX_BYTES:
        return error(origin, f"SVG image '{written}' is larger than {MAX_BYTES // 2**20} MB",
                     hint="simplify the drawing, or export it as PNG")
    try:
        found = _Reading().problems(data)
    except etree.XMLSyntaxError as exc:
        return _unreadable(data, written, origin, exc)
    except _TooMuchStyle as exc:
        return error(origin, f"SVG image '{written}' {exc}",
                     hint="simplify the drawing, or export it as PNG")
    if found is None:
        return None
    if found.script:
        return error(origin, f"SVG image '{written}' contains a script or a page of its own "
                     f"({found.what})", hint="remove it, or export the drawing as PNG")
    return _uses_another_file(written, origin, found.what)


@dataclass(frozen=True)
class _Found:
    what: str
    script: bool = False


class _TooMuchStyle(Exception):
    pass


class _Reading:
    """One SVG read for what it may not hold, with the SVGs in its ``data:`` addresses, and
    the style text read so far (for ``MAX_STYLE``)."""

    def __init__(self) -> None:
        self.style = 0

    def problems(self, data: bytes, depth: int = 0) -> _Found | None:
        svg = _parsed(data, "internal")
        for reference in self._references(svg):
            if not reference.lower().startswith("data:"):
                return _Found(reference)
            nested = _svg_in(reference)
            if nested is not None and depth >= MAX_NESTED:
                return _Found(f"an SVG {MAX_NESTED + 1} deep in data: addresses")
            inner = self._nested(nested, depth + 1) if nested is not None else None
            if inner is not None:
                return inner
        return next((_Found(what, script=True) for what in map(_active, svg.iter()) if what),
                    None)

    def _nested(self, data: bytes, depth: int) -> _Found | None:
        """What an SVG in a ``data:`` address holds; nothing if it is no SVG (no reader
        shows it then)."""
        try:
            return self.problems(data, depth)
        except etree.XMLSyntaxError:
            return None

    def _references(self, svg: etree._Element) -> Iterator[str]:
        """Every address in an SVG that is not one of its own elements (``#id``)."""
        yield from _external_entities(svg)
        for node in [*svg.itersiblings(preceding=True), *svg.iter()]:
            if isinstance(node, etree._ProcessingInstruction):
                if node.target == "xml-stylesheet":
                    yield node.get("href") or "xml-stylesheet"
            elif isinstance(node.tag, str):
                yield from (found.strip() for found in self._element_references(node)
                            if found.strip() and not found.strip().startswith("#"))

    def _element_references(self, element: etree._Element) -> Iterator[str]:
        name = etree.QName(element).localname
        animated = name in _ANIMATIONS and \
            element.get("attributeName", "").rsplit(":", 1)[-1] in _REFERENCES
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname
            if local in _REFERENCES:
                if not (name in _IGNORED_LINKS and local == "href"):
                    yield value
            elif animated and local in ("to", "from", "by", "values"):
                yield from value.split(";")
            else:  # style="..." and presentation attributes (fill="url(...)") are CSS
                yield from self._css(value)
        if name == "style":
            yield from self._css("".join(element.itertext()))

    def _css(self, text: str) -> tuple[str, ...]:
        """What ``text`` asks for as CSS; nothing without a name that could ask (most)."""
        self.style += len(text)
        if self.style > MAX_STYLE:
            raise _TooMuchStyle(f"holds more than {MAX_STYLE // 2**20} MB of style")
        if _OWN_ELEMENT.fullmatch(text) or not _ASKING.search(text):
            return ()
        if too_deep(text):
            raise _TooMuchStyle("has style nested too deep to read")
        return _asked(text) if len(text) < 1024 else tuple(asked_for(text))


@lru_cache(maxsize=4096)
def _asked(text: str) -> tuple[str, ...]:
    """What a short style asks for (drawing programs repeat the same ones)."""
    return tuple(asked_for(text))


def _parsed(data: bytes, entities: str | bool) -> etree._Element:
    """The SVG's root, its internal entities expanded or not (``"internal"``, False): never
    an external one, nothing from the network, no DTD loaded, libxml2's limits kept."""
    parser = etree.XMLParser(resolve_entities=entities, no_network=True, load_dtd=False,
                             huge_tree=False)
    return etree.fromstring(data, parser)


def _external_entities(svg: etree._Element) -> Iterator[str]:
    """The files the SVG's external entities name: a browser leaves them out, WeasyPrint the
    whole image."""
    dtd = svg.getroottree().docinfo.internalDTD
    for entity in dtd.iterentities() if dtd is not None else ():
        if entity.system_url is not None:
            yield entity.system_url


def _svg_in(address: str) -> bytes | None:
    """The SVG a ``data:`` address holds (WeasyPrint reads it as one more SVG), or None."""
    header, comma, payload = address.partition(",")
    if not comma or "svg" not in header.lower():
        return None
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(payload, validate=False)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None  # a reader cannot read it either


def _active(element: etree._Element) -> str:
    """What runs a script or shows a page of its own in ``element``: the element itself, an
    event handler (``onload``) or a ``javascript:`` address; '' for nothing."""
    if not isinstance(element.tag, str):
        return ""
    tag = etree.QName(element)
    if tag.localname in _ACTIVE:
        return f"<{tag.localname}>"
    for name, value in element.attrib.items():
        if tag.namespace in _SHOWN and "}" not in name and _HANDLER.fullmatch(name):
            return str(name)
        if _JAVASCRIPT.match(value):
            return f"a javascript: address in {etree.QName(name).localname}"
    return ""


def _unreadable(data: bytes, written: str, origin: Origin,
                exc: etree.XMLSyntaxError) -> Problem:
    """An SVG that does not parse: an external entity it uses is "not defined" where only
    internal ones are expanded, and is said as the file it names."""
    try:
        outside = next(_external_entities(_parsed(data, False)), None)
    except etree.XMLSyntaxError:
        outside = None
    if outside is not None:
        return _uses_another_file(written, origin, outside)
    return error(origin, f"image '{written}' is not a valid SVG file: {exc}")


def _uses_another_file(written: str, origin: Origin, outside: str) -> Problem:
    return error(origin, f"SVG image '{written}' uses another file ('{outside}'); formats "
                 "package the SVG alone, so it would break",
                 hint="embed that file in the SVG, or export the drawing as PNG")
