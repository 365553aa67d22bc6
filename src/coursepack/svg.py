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
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_to_bytes

import tinycss2
from lxml import etree

from coursepack.errors import Origin, Problem, error
from coursepack.sniffing import starts_as_xml
from coursepack.stylesheets import asked_for, too_deep

MAX_BYTES = 10 * 2**20
"""The largest SVG a course may use: a drawing, not a document (export it as PNG)."""
MAX_STYLE = 2**20
"""The most style text that could ask for a file an SVG may hold (entities expanded): a
style sheet, not a dump (reading a megabyte of one-character tokens takes seconds)."""
MAX_DRAWN = 100_000
"""Elements an SVG may draw, its ``<use>`` counted as what they draw: a drawing's worth."""
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
_SHOWN = ("{http://www.w3.org/2000/svg}", "{http://www.w3.org/1999/xhtml}")
"""The namespaces whose elements a browser shows, and runs the handlers of (and none)."""
_HANDLER = re.compile(r"on[a-z]+", re.IGNORECASE)
_JAVASCRIPT = re.compile(r"\s*javascript:", re.IGNORECASE)
#: What a style sheet needs to ask for a file without escapes: one of these names.
_ASKING = re.compile(r"url|src|image|cross-fade|@import|href|\\", re.IGNORECASE)
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
    return None if found is None else found.problem(written, origin)


@dataclass(frozen=True)
class _Found:
    """What an SVG may not hold: another file it uses (``what``), a script, itself shown in
    itself, or an image in a ``data:`` address that cannot be read as one."""

    what: str
    kind: str = "file"

    def problem(self, written: str, origin: Origin) -> Problem:
        if self.kind == "script":
            return error(origin, f"SVG image '{written}' contains a script or a page of its "
                         f"own ({self.what})", hint="remove it, or export the drawing as PNG")
        if self.kind == "itself":
            return error(origin, f"SVG image '{written}' shows itself ({self.what}): a PDF "
                         "would draw it inside itself again and again",
                         hint="point the image at a file of its own, or remove it")
        if self.kind == "huge":
            return error(origin, f"SVG image '{written}' draws {self.what}: a PDF would take "
                         "minutes, if it ever ended", hint="simplify the drawing, or export it "
                         "as PNG")
        if self.kind == "unreadable":
            return error(origin, f"SVG image '{written}' holds an image in a data: address "
                         f"that is no image and reads as markup ({self.what})",
                         hint="remove it, or export the drawing as PNG")
        return _uses_another_file(written, origin, self.what)


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
            inner = self._in_data(reference, depth + 1)
            if inner is not None:
                return inner
        return _endless(svg) or next(
            (_Found(what, "script") for what in map(_active, svg.iter()) if what), None)

    def _in_data(self, address: str, depth: int) -> _Found | None:
        """What the image in a ``data:`` address holds, whatever its type says: WeasyPrint
        reads what is no raster image as an SVG. One that reads as markup and does not
        parse is refused (another parser might take it)."""
        payload = _payload(address)
        if payload is None or not starts_as_xml(payload):
            return None
        if depth > MAX_NESTED:
            return _Found(f"an SVG {depth} deep in data: addresses", "unreadable")
        try:
            return self.problems(payload, depth)
        except etree.XMLSyntaxError:
            return _Found(address[:40] + ("..." if len(address) > 40 else ""), "unreadable")

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
        name = _local(element.tag)
        animated = name in _ANIMATIONS and \
            element.get("attributeName", "").rsplit(":", 1)[-1] in _REFERENCES
        for attribute, value in element.attrib.items():
            local = _local(attribute)
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
        if _OWN_ELEMENT.fullmatch(text) or not _ASKING.search(text):
            return ()
        self.style += len(text)
        if self.style > MAX_STYLE:
            raise _TooMuchStyle(f"holds more than {MAX_STYLE // 2**20} MB of style")
        if too_deep(text):
            raise _TooMuchStyle("has style nested too deep to read")
        return _asked(text) if len(text) < 1024 else _asked.__wrapped__(text)


@lru_cache(maxsize=4096)
def _asked(text: str) -> tuple[str, ...]:
    """What a short style asks for (drawing programs repeat the same ones)."""
    return tuple(asked_for(text)) + tuple(_hrefs(text))


def _hrefs(css: str) -> Iterator[str]:
    """Each ``href`` a style sets (``image { href: pic.png }``): WeasyPrint copies a style's
    declarations onto the elements, an image's link too. No drawing sets one so."""
    pending = list(reversed(tinycss2.parse_component_value_list(css)))
    while pending:
        token = pending.pop()
        if token.type == "ident" and token.lower_value.rpartition("}")[2] == "href":
            while pending and pending[-1].type == "whitespace":
                pending.pop()
            if not (pending and pending[-1].type == "literal" and pending[-1].value == ":"):
                continue  # the word, not a declaration (attributeName="href")
            pending.pop()  # the colon
            value = []
            while pending and not (pending[-1].type == "literal" and pending[-1].value == ";"):
                value.append(pending.pop())
            yield "href set by a style: " + tinycss2.serialize(value).strip()
        pending.extend(reversed(getattr(token, "arguments", None)
                                or getattr(token, "content", None) or []))


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


def _payload(address: str) -> bytes | None:
    """The bytes of a ``data:`` address, read as urllib reads them (percent-escapes first,
    then base64), or None if they cannot be."""
    header, comma, payload = address.partition(",")
    if not comma:
        return None
    data = unquote_to_bytes(payload)
    if not header.lower().rstrip().endswith(";base64"):
        return data
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return None


def never_done(data: bytes) -> str:
    """Why a PDF of the SVG ``data`` would never be done, or '' (also if it does not
    parse): an image of itself (``<image href="#a">``, or set so by a style), which
    WeasyPrint draws inside itself until a limit stops it, the work doubling at every step
    with two of them; ``<use>`` upon ``<use>`` (``_drawn``); a gradient repeating endlessly
    (``_endless_gradient``). For the SVGs a course's own templates show, which may use the
    course's other files."""
    try:
        svg = _parsed(data, "internal")
    except etree.XMLSyntaxError:
        return ""
    found = next((_Found(f"href: {href}", "itself") for href in _style_hrefs(svg)
                  if href.strip()[:1] in ("", "#")), None) or _endless(svg)
    if found is None:
        return ""
    return f"it shows itself ({found.what})" if found.kind == "itself" \
        else f"it draws {found.what}"


def _endless(svg: etree._Element) -> _Found | None:
    """What would keep a PDF of the SVG from being done: an image of itself by its
    attributes, ``<use>`` upon ``<use>``, a gradient repeating endlessly."""
    return next((_Found(what, "itself") for what in map(_itself, svg.iter()) if what),
                None) or _drawn(svg) or _endless_gradient(svg)


def _style_hrefs(svg: etree._Element) -> Iterator[str]:
    """The values of the ``href`` declarations of an SVG's styles."""
    for element in svg.iter():
        if not isinstance(element.tag, str):
            continue
        texts = [element.get("style") or ""]
        if _local(element.tag) == "style":
            texts.append("".join(element.itertext()))
        for text in texts:
            if "href" in text.lower() or "\\" in text:
                yield from (found.removeprefix("href set by a style: ") for found in
                            _hrefs(text))


def _drawn(svg: etree._Element) -> _Found | None:
    """A ``<use>`` of an element that holds it (drawn inside itself), or ``<use>`` upon
    ``<use>`` drawing more than ``MAX_DRAWN`` elements besides the SVG's own: ten groups of
    ten uses of the group before draw ten billion (what entities are to XML)."""
    uses = list(svg.iter(*_USE))
    if not uses:
        return None
    ids = {element.get("id"): element for element in svg.xpath("//*[@id]")}
    target = {use: ids.get(_fragment(use)) for use in uses}
    weights: dict[etree._Element, int] = {}
    entered: set[etree._Element] = set()
    for start in {element for element in target.values() if element is not None}:
        pending = [(start, False)]
        while pending:
            element, done = pending.pop()
            if element in weights:
                continue
            inner = [target[use] for use in element.iter(*_USE)
                     if target.get(use) is not None]
            if done:
                weights[element] = sum(1 for _ in element.iter()) + sum(
                    weights[each] for each in inner)
                if weights[element] > MAX_DRAWN:
                    return _Found(f"more than {MAX_DRAWN:,} shapes through <use>", "huge")
                continue
            if element in entered:
                return _Found(f'<use href="#{element.get("id")}"> inside itself', "itself")
            entered.add(element)
            pending += [(element, True)] + [(each, False) for each in inner
                                            if each not in weights]
    if sum(weights[each] for each in target.values() if each is not None) > MAX_DRAWN:
        return _Found(f"more than {MAX_DRAWN:,} shapes through <use>", "huge")
    return None


_USE = ("{http://www.w3.org/2000/svg}use", "use")


def _endless_gradient(svg: etree._Element) -> _Found | None:
    """A gradient that repeats (``spreadMethod="repeat"`` or ``"reflect"``) along a vector
    or radius under a thousandth of the drawing: WeasyPrint lays out every repetition, a
    list that grows with each, so a tiny one never ends."""
    size = _size(svg)
    for gradient in svg.iter(*_GRADIENTS):
        spread = gradient.get("spreadMethod", "").strip().lower()
        if spread not in ("repeat", "reflect"):
            continue
        scale = size if gradient.get("gradientUnits", "").strip() == "userSpaceOnUse" else 1.0
        if _local(gradient.tag) == "linearGradient":
            length = math.hypot(
                _length(gradient.get("x2"), 1, scale) - _length(gradient.get("x1"), 0, scale),
                _length(gradient.get("y2"), 0, scale) - _length(gradient.get("y1"), 0, scale))
        else:
            length = _length(gradient.get("r"), 0.5, scale)
        if not length >= scale / 1000:  # NaN too
            return _Found(f'a gradient that repeats ({spread}) more than a thousand times',
                          "huge")
    return None


_GRADIENTS = ("{http://www.w3.org/2000/svg}linearGradient",
              "{http://www.w3.org/2000/svg}radialGradient", "linearGradient", "radialGradient")
_NUMBER = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%?)")


def _length(value: str | None, default: float, scale: float) -> float:
    """A gradient's coordinate: a number (its unit left aside), a percentage of ``scale``."""
    found = _NUMBER.match(value or "")
    if found is None:
        return default * scale
    number = float(found.group(1))
    return number * scale / 100 if found.group(2) else number


def _size(svg: etree._Element) -> float:
    """The drawing's largest dimension: its width, height or view box (1,000 if none)."""
    numbers = [_length(svg.get(name), 0, 1) for name in ("width", "height")]
    numbers += [float(part) for part in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)",
                                                   svg.get("viewBox", ""))[2:4]]
    largest = max((abs(n) for n in numbers if math.isfinite(n)), default=0.0)
    return largest or 1000.0


def _fragment(use: etree._Element) -> str | None:
    """The id a ``<use>`` draws (``href="#id"``), if it names one."""
    for name, value in use.attrib.items():
        if _local(name) == "href" and value.strip().startswith("#"):
            return str(value.strip()[1:])
    return None


def _itself(element: etree._Element) -> str:
    """An image of the SVG whose address is the SVG itself (``href="#a"`` or ``""``):
    WeasyPrint reads the file again as an image, in it again, and so on."""
    if not isinstance(element.tag, str) or _local(element.tag) not in _IMAGES:
        return ""
    for name, value in element.attrib.items():
        if _local(name) == "href" and value.strip()[:1] in ("", "#"):
            return f'<{_local(element.tag)} href="{value.strip()}">'
    return ""


_IMAGES = ("image",)
"""Elements WeasyPrint draws another SVG or image in (it draws no ``feImage``)."""


def _active(element: etree._Element) -> str:
    """What runs a script or shows a page of its own in ``element``: the element itself, an
    event handler (``onload``) or a ``javascript:`` address; '' for nothing."""
    if not isinstance(element.tag, str):
        return ""
    local = _local(element.tag)
    if local in _ACTIVE:
        return f"<{local}>"
    shown = element.tag == local or element.tag.startswith(_SHOWN)
    for name, value in element.attrib.items():
        if shown and name[:2].lower() == "on" and _HANDLER.fullmatch(name):
            return str(name)
        if "javascript:" in value.lower() and _JAVASCRIPT.match(value):
            return f"a javascript: address in {_local(name)}"
    return ""


def _local(name: str) -> str:
    """A tag's or an attribute's name without its namespace (``{...}href`` is ``href``)."""
    return name.rpartition("}")[2]


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
