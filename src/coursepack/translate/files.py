"""The translator's files: a PO catalogue (Babel) and an XLIFF 2.0 document (lxml).

Both carry the same units, keyed by the stable unit id (PO: ``msgctxt``; XLIFF: the
unit's ``name``, its ``id`` being the same id made a valid XML name token), each with
where its source text is (``#:`` / a ``location`` note) and the hash of the source text
it was made from (``#. source-hash:`` / a ``source-hash`` note). A unit whose source
changed since it was translated is kept, marked ``fuzzy`` (PO, with the old source as
``#| msgid``) or ``state="initial"`` with a ``previous-source`` note (XLIFF).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.core import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po
from lxml import etree

from coursepack.atomic import replace_whole
from coursepack.errors import CoursepackError, Origin, error
from coursepack.translate.units import Unit

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
_X = f"{{{XLIFF_NS}}}"
_HASH_NOTE = "source-hash: "
_NAME_TOKEN = re.compile(r"[^\w.\-]", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Entry:
    """One unit as a translation file has it; ``origin`` is where in that file."""

    id: str
    source: str
    target: str
    hash: str
    origin: Origin
    stale: bool = False
    obsolete: bool = False
    previous: str = ""
    """The source a stale translation was made from, when the file says (XLIFF)."""


@dataclass(frozen=True, slots=True)
class Planned:
    """A unit as the next extract writes it: the current source and any translation kept."""

    unit: Unit
    target: str = ""
    previous: str = ""
    """The source the kept translation was made from, when it differs from the current one."""
    stale: bool = False

# --- PO ------------------------------------------------------------------------------

def write_catalog(path: Path, language: str, source_language: str, title: str,
                  planned: Iterable[Planned], obsolete: Iterable[Entry],
                  version: str = "") -> None:
    catalog = Catalog(locale=_locale(language), project=title, version=version or None,
                      fuzzy=False,
                      header_comment=f"# {title}: translation from {source_language} "
                      f"to {language}.\n# Written by 'coursepack translate extract'.")
    for item in planned:
        unit = item.unit
        message = catalog.add(
            unit.text, item.target, locations=[(unit.origin.path, unit.origin.line)],
            auto_comments=[f"{_HASH_NOTE}{unit.hash}"], context=unit.id,
            flags=("fuzzy",) if item.stale else (),
            previous_id=item.previous if item.stale and item.previous else (),
        )
        message.flags.discard("python-format")  # course text is not a format string
    for entry in obsolete:
        message = Message(entry.source, entry.target, context=entry.id,
                          auto_comments=[f"{_HASH_NOTE}{entry.hash}"])
        catalog.obsolete[(entry.source, entry.id)] = message
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, include_previous=True)
    replace_whole(path, buffer.getvalue())


def read_catalog(path: Path, relpath: str) -> list[Entry]:
    """The units of a PO file; a file Babel cannot read is an error at its line."""
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except PoFileError as exc:
        raise CoursepackError([error(Origin(relpath, exc.lineno + 1), f"not a PO file: {exc}",
                                     hint="fix the line, or extract again")]) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise CoursepackError([error(Origin(relpath), f"not a readable PO file: {exc}")]) from exc
    entries = [_entry(m, relpath, obsolete=False) for m in catalog if m.id and m.context]
    entries += [_entry(m, relpath, obsolete=True) for m in catalog.obsolete.values()
                if m.context]
    return entries


def _entry(message: Message, relpath: str, obsolete: bool) -> Entry:
    notes = [c[len(_HASH_NOTE):].strip() for c in message.auto_comments
             if c.startswith(_HASH_NOTE)]
    source = message.id if isinstance(message.id, str) else message.id[0]
    target = message.string if isinstance(message.string, str) else (message.string or [""])[0]
    return Entry(id=str(message.context), source=source, target=target or "",
                 hash=notes[0] if notes else "", origin=Origin(relpath, message.lineno or 0),
                 stale=message.fuzzy, obsolete=obsolete)


# --- XLIFF 2.0 -----------------------------------------------------------------------

def write_xliff(path: Path, language: str, source_language: str, planned: Iterable[Planned],
                obsolete: Iterable[Entry]) -> None:
    root = etree.Element(f"{_X}xliff", nsmap={None: XLIFF_NS},
                         attrib={"version": "2.0", "srcLang": source_language,
                                 "trgLang": language})
    current = etree.SubElement(root, f"{_X}file", id="course")
    current.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    tokens: set[str] = set()
    for item in planned:
        unit = item.unit
        element = _unit(current, unit.id, tokens)
        _notes(element, [("location", f"{unit.origin.path}:{unit.origin.line}"),
                         ("source-hash", unit.hash)]
               + ([("previous-source", item.previous)] if item.stale else []))
        _segment(element, unit.text, item.target, "initial" if item.stale or not item.target
                 else "translated")
    kept = list(obsolete)
    if kept:
        old = etree.SubElement(root, f"{_X}file", id="obsolete")
        old.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        for entry in kept:
            element = _unit(old, entry.id, tokens)
            _notes(element, [("obsolete", "this text is no longer in the course"),
                             ("source-hash", entry.hash)])
            _segment(element, entry.source, entry.target, "initial")
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    replace_whole(path, data)


def _unit(parent: etree._Element, unit_id: str, tokens: set[str]) -> etree._Element:
    token = _NAME_TOKEN.sub(lambda m: "_" if m.group() == "/" else ":", unit_id) or "unit"
    candidate, n = token, 1
    while candidate in tokens:
        n += 1
        candidate = f"{token}.{n}"
    tokens.add(candidate)
    return etree.SubElement(parent, f"{_X}unit", id=candidate, name=unit_id)


def _notes(unit: etree._Element, notes: list[tuple[str, str]]) -> None:
    holder = etree.SubElement(unit, f"{_X}notes")
    for category, text in notes:
        etree.SubElement(holder, f"{_X}note", category=category).text = text


def _segment(unit: etree._Element, source: str, target: str, state: str) -> None:
    segment = etree.SubElement(unit, f"{_X}segment", state=state)
    etree.SubElement(segment, f"{_X}source").text = source
    if target:
        etree.SubElement(segment, f"{_X}target").text = target


def read_xliff(path: Path, relpath: str) -> list[Entry]:
    """The units of an XLIFF 2.0 file (no DTDs, entities or network: it is untrusted)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 0
        raise CoursepackError([error(Origin(relpath, line), f"not an XML file: {exc.msg}",
                                     hint="fix the line, or extract again")]) from exc
    if root.tag != f"{_X}xliff":
        raise CoursepackError([error(Origin(relpath, root.sourceline or 0),
                                     "not an XLIFF 2.0 document",
                                     hint=f"its root must be <xliff xmlns=\"{XLIFF_NS}\">")])
    entries = []
    for file in root.iter(f"{_X}file"):
        for unit in file.iter(f"{_X}unit"):
            entries.append(_xliff_entry(unit, relpath, obsolete=file.get("id") == "obsolete"))
    return entries


def _xliff_entry(unit: etree._Element, relpath: str, obsolete: bool) -> Entry:
    notes = {n.get("category"): n.text or "" for n in unit.iter(f"{_X}note")}
    sources = ["".join(s.itertext()) for s in unit.iter(f"{_X}source")]
    targets = list(unit.iter(f"{_X}target"))
    segment = unit.find(f"{_X}segment")
    state = segment.get("state", "") if segment is not None else ""
    where = targets[0] if targets else unit
    return Entry(id=unit.get("name") or unit.get("id") or "", source="".join(sources),
                 target="".join("".join(t.itertext()) for t in targets),
                 hash=notes.get("source-hash", ""),
                 origin=Origin(relpath, where.sourceline or 0),
                 stale=state == "initial" and "previous-source" in notes, obsolete=obsolete,
                 previous=notes.get("previous-source", ""))


# --- shared --------------------------------------------------------------------------

def _locale(code: str) -> Locale:
    return Locale.parse(code.replace("-", "_"))
