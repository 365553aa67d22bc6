"""An SVG image that travels alone: every format packages the file by itself, so it may use
no other file (a browser would show it broken, and a PDF leaves it out) and run no script.

It is read as its readers read it: internal entities expanded (as browsers and WeasyPrint
expand them; libxml2 refuses an expansion that explodes), a ``<style>``'s text whole
(comments and child elements do not cut it), its style sheets and every attribute that
holds CSS through ``stylesheets`` (escapes, ``src()``, ``image-set()``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

from coursepack.errors import Origin, Problem, error
from coursepack.stylesheets import asked_for

MAX_BYTES = 10 * 2**20
"""The largest SVG a course may use: a drawing, not a document (export it as PNG)."""
MAX_STYLE = 2 * 2**20
"""The most style text read for what it asks for: an SVG's style sheet, not a dump."""

_REFERENCES = ("href", "src", "srcset", "data", "poster", "background")
"""Attributes whose value is another file (SVG's, and HTML's inside ``foreignObject``)."""
_ANIMATIONS = ("set", "animate", "animateMotion", "animateTransform", "animateColor",
               "discard")
_SCRIPTS = ("script", "handler")
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
        svg = _parsed(data, "internal")
    except etree.XMLSyntaxError as exc:
        return _unreadable(data, written, origin, exc)
    try:
        outside = next(_references(svg), None)
    except _TooMuchStyle:
        return error(origin, f"SVG image '{written}' holds more than {MAX_STYLE // 2**20} MB "
                     "of style", hint="simplify the drawing, or export it as PNG")
    if outside is not None:
        return _uses_another_file(written, origin, outside)
    if any(_is_script(element) for element in svg.iter()):
        return error(origin, f"SVG image '{written}' contains a script",
                     hint="remove the script, or export the drawing as PNG")
    return None


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


class _TooMuchStyle(Exception):
    pass


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


def _references(svg: etree._Element) -> Iterator[str]:
    """Every reference in an SVG to something outside it (not ``#id``, not ``data:``)."""
    yield from (found for found in _all_references(svg)
                if found and not found.startswith(("#", "data:")))


def _all_references(svg: etree._Element) -> Iterator[str]:
    yield from _external_entities(svg)
    for node in [*svg.itersiblings(preceding=True), *svg.iter()]:
        if isinstance(node, etree._ProcessingInstruction):
            if node.target == "xml-stylesheet":
                yield node.get("href") or "xml-stylesheet"
        elif isinstance(node.tag, str):
            yield from _element_references(node)


def _element_references(element: etree._Element) -> Iterator[str]:
    name = etree.QName(element).localname
    animated = name in _ANIMATIONS and \
        element.get("attributeName", "").rsplit(":", 1)[-1] in _REFERENCES
    style = 0
    for attribute, value in element.attrib.items():
        local = etree.QName(attribute).localname
        if local in _REFERENCES:
            yield value.strip()
        elif animated and local in ("to", "from", "by", "values"):
            yield from (part.strip() for part in value.split(";"))
        else:  # style="..." and presentation attributes (fill="url(...)") are CSS
            style += len(value)
            yield from _css(value)
    if name == "style":
        text = "".join(element.itertext())
        style += len(text)
        yield from _css(text)
    if style > MAX_STYLE:
        raise _TooMuchStyle


def _css(text: str) -> tuple[str, ...]:
    """What ``text`` asks for as CSS; nothing without a name that could ask (most values)."""
    if len(text) > MAX_STYLE:
        raise _TooMuchStyle
    if _OWN_ELEMENT.fullmatch(text) or not _ASKING.search(text):
        return ()
    return _asked(text)


@lru_cache(maxsize=4096)
def _asked(text: str) -> tuple[str, ...]:
    return tuple(asked_for(text))


def _is_script(element: etree._Element) -> bool:
    """A script element, or an event handler attribute (``onload``)."""
    if not isinstance(element.tag, str):
        return False
    return etree.QName(element).localname in _SCRIPTS or any(
        etree.QName(name).localname.lower().startswith("on") for name in element.attrib)
