"""One embedded font per CJK typeface in a joined PDF, made from the system font it came from.

Chinese, Japanese and Korean are set in the system's Noto CJK fonts (``faces``), whose
outlines are CFF. WeasyPrint embeds, in every part it renders, a subset of each typeface
(about 100 KB, mostly the empty slots of the glyph ids it keeps). A course pack joined from
a hundred parts would carry a hundred of them per typeface. The glyphs of CFF subsets cannot
be copied from one to another as ``fonts`` does for TrueType (each subset has its own
subroutines), so each typeface is subset once more from its source font, to every glyph the
whole PDF draws, and that one font replaces the parts' subsets.

Glyph ids are kept as they are: the PDF's codes are the source's glyph ids (its CIDs in
these fonts), and some viewers (poppler) take a code as a glyph id whatever the font's
charset says. A typeface whose source font is not found, or whose glyph ids are not its
CIDs, is left as it was. Subsetting a CJK font takes about a second per typeface; the
result is kept in the build's cache by the glyphs it holds.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coursepack.exporters.pdf.faces import font_dirs

if TYPE_CHECKING:
    from coursepack.exporters.pdf.fonts import Programs

_SOURCES = ("*.ttc", "*.otc", "*.otf")


def merged_program(name: str, codes: list[int], programs: Programs | None) -> bytes | None:
    """The font program of the typeface ``name`` (as WeasyPrint names embedded fonts) with
    the glyphs of ``codes``, subset from its source font (from ``programs`` when made
    before); None when the source is not found or is not keyed as the codes need."""
    source = source_font(name)
    return None if source is None else _program(source, codes, programs)


def source_font(name: str) -> tuple[Path, int] | None:
    """The font file (and its number in a collection) whose full name, spaces made hyphens
    as WeasyPrint names embedded fonts, is ``name``; None if no font folder has it."""
    return _source_font(name, font_dirs())


@lru_cache(maxsize=64)
def _source_font(name: str, folders: tuple[Path, ...]) -> tuple[Path, int] | None:
    for folder in folders:
        for pattern in _SOURCES:
            try:
                paths = sorted(folder.rglob(pattern))
            except OSError:
                continue
            for path in paths:
                found = _number_named(path, name)
                if found is not None:
                    return path, found
    return None


def _number_named(path: Path, name: str) -> int | None:
    from fontTools.ttLib import TTCollection, TTFont  # only for a CJK typeface: slow to import

    try:
        if path.suffix.lower() == ".otf":
            members = [TTFont(path, lazy=True)]
        else:
            members = list(TTCollection(path, lazy=True).fonts)
    except Exception:  # not a font fontTools reads: not the one looked for
        return None
    for number, member in enumerate(members):
        full = member["name"].getDebugName(4) or ""
        if full.replace(" ", "-") == name:
            return number
    return None


def _program(source: tuple[Path, int], codes: list[int], programs: Programs | None) -> bytes | None:
    """The source font subset to the glyphs of ``codes``, from ``programs`` when made before."""
    path, number = source
    try:
        stat = path.stat()
    except OSError:
        return None
    digest = hashlib.sha256(repr(("cff", str(path), number, stat.st_size, stat.st_mtime_ns,
                                  codes)).encode()).hexdigest()
    kept = programs.font_program(digest) if programs is not None else None
    if kept is not None:
        return kept
    made = _subset(path, number, codes) if _codes_are_cids(path, number, codes) else None
    if made is not None and programs is not None:
        programs.keep_font_program(digest, made)
    return made


def _codes_are_cids(path: Path, number: int, codes: list[int]) -> bool:
    """Whether each code is the glyph id of the glyph whose CID it is (a CID-keyed CFF font
    whose glyph ids are its CIDs, as Noto CJK's): then the one font serves every part."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=number, lazy=True)
    if "CFF " not in font or not hasattr(font["CFF "].cff.topDictIndex[0], "ROS"):
        return False
    order = font.getGlyphOrder()
    return all(code < len(order) and order[code] == f"cid{code:05d}" for code in codes)


def _subset(path: Path, number: int, codes: list[int]) -> bytes | None:
    """HarfBuzz's subset of the source font, as WeasyPrint makes its own: glyph ids kept,
    outlines without subroutines or hints, empty slots past the last glyph dropped."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(path)), number)
    if not codes or max(codes) >= face.glyph_count:
        return None
    every = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE | \
        hb.SubsetFlags.NOTDEF_OUTLINE
    kept = _harfbuzz_subset(face, codes, every | hb.SubsetFlags.RETAIN_GIDS, _DROPPED)
    if kept is None:
        return None
    last = _harfbuzz_subset(kept, list(range(max(codes) + 1)),
                            every | hb.SubsetFlags.NO_HINTING, ())
    return None if last is None else bytes(last.blob.data)


#: Tables a PDF does not read, as WeasyPrint drops them (its text is shaped already).
_DROPPED = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT",
            "SVG ")


def _harfbuzz_subset(face: Any, glyphs: list[int], flags: Any,
                     dropped: tuple[str, ...]) -> Any:
    import uharfbuzz as hb

    wanted = hb.SubsetInput()
    for glyph in glyphs:
        wanted.glyph_set.add(glyph)
    for tag in dropped:
        wanted.drop_table_tag_set.add(int.from_bytes(tag.encode("ascii"), "big"))
    wanted.flags = flags
    return hb.subset(face, wanted)
