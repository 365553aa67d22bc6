"""Reading untrusted bank files: a size limit, XML with no entities or network, zips that
stay inside themselves. Every refusal is a ``CoursepackError`` naming the file and, where
there is one, the line and column."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from coursepack.errors import CoursepackError, Origin

MAX_BYTES = 50 * 1024 * 1024
"""The largest file (or unpacked zip) an import reads: a bank of thousands of questions
with images fits; anything bigger is refused before it is parsed."""

MAX_ENTRIES = 20_000


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, refused when it is missing, not a file or over ``limit``
    (``MAX_BYTES`` by default)."""
    limit = MAX_BYTES if limit is None else limit
    if not path.is_file():
        raise CoursepackError.single(f"{path}: no such file", hint="give the path of a "
                                     "Moodle XML, GIFT or QTI file or zip to import")
    size = path.stat().st_size
    if size > limit:
        raise too_big(str(path), size, limit)
    return path.read_bytes()


def too_big(name: str, size: int, limit: int) -> CoursepackError:
    return CoursepackError.single(
        f"{name} is {_size(size)}, over the import limit of {_size(limit)}",
        Origin(name), hint="split the bank into several files and import each one")


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e6 else f"{count / 1e3:.1f} kB"


def parser() -> etree.XMLParser:
    """An XML parser that expands no entity, fetches nothing and keeps lxml's depth and
    size guards on (no ``huge_tree``)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False, remove_comments=False,
                           remove_pis=True)


def parse_xml(data: bytes, name: str) -> Any:
    """The root element of an XML document; malformed XML, a DTD that declares entities or
    any entity reference left unexpanded is refused at its line and column."""
    declared = _DOCTYPE.search(data)
    if declared is not None:
        raise _dtd(name, data.count(b"\n", 0, declared.start()) + 1)
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        raise CoursepackError.single(
            f"not well-formed XML: {_reason(exc)}", Origin(name, line, column),
            hint="the file is damaged or not XML; export it again from its LMS") from None
    doctype = root.getroottree().docinfo
    if doctype.internalDTD is not None or doctype.system_url or doctype.doctype:
        raise _dtd(name, 1)
    for node in root.iter(etree.Entity):
        raise CoursepackError.single(
            f"the XML uses the entity &{node.name}; which an import never expands",
            Origin(name, node.sourceline or 0, 1),
            hint="replace it with the text it stands for")
    return root


_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)\b")


def _dtd(name: str, line: int) -> CoursepackError:
    return CoursepackError.single(
        "the XML declares a DTD (entities or an external file); an import never "
        "expands entities or fetches files", Origin(name, line, 1),
        hint="remove the <!DOCTYPE ...> declaration; LMS exports do not need one")


def _reason(exc: etree.XMLSyntaxError) -> str:
    text = str(exc.msg or exc)
    return text.split(", line ")[0].rstrip(".")


def zip_members(data: bytes, name: str, limit: int | None = None) -> dict[str, bytes]:
    """Every file of a zip by its path inside it; an entry that would leave the zip's root
    (``../``, an absolute path, a drive), a link, too many entries or too many unpacked
    bytes refuses the whole zip."""
    import io

    limit = MAX_BYTES if limit is None else limit
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise CoursepackError.single(f"{name} is not a readable zip file", Origin(name),
                                     hint="export the package again") from None
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise CoursepackError.single(f"{name} holds {len(infos)} files, over the import "
                                     f"limit of {MAX_ENTRIES}", Origin(name))
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise too_big(f"{name} (unpacked)", total, limit)
    files: dict[str, bytes] = {}
    for info in infos:
        inside = _inside(info.filename)
        if inside is None or _is_link(info):
            raise CoursepackError.single(
                f"{name}: the entry '{info.filename}' leaves the zip's root; the zip is "
                "refused and nothing is written", Origin(name),
                hint="a zip from an LMS never does this; do not import this file")
        if not info.is_dir():
            files[inside] = archive.read(info)
    return files


def _inside(entry: str) -> str | None:
    """The entry's path inside the zip, or None when it leaves the root."""
    if "\\" in entry or entry.startswith("/") or (len(entry) > 1 and entry[1] == ":"):
        return None
    parts = PurePosixPath(entry).parts
    if any(p == ".." for p in parts):
        return None
    return "/".join(p for p in parts if p != ".")


def _is_link(info: zipfile.ZipInfo) -> bool:
    return (info.external_attr >> 16) & 0o170000 == 0o120000


__all__ = ["MAX_BYTES", "parse_xml", "read_bytes", "zip_members"]
