"""One embedded font per typeface in a joined PDF, instead of one subset per part.

Each part WeasyPrint renders embeds its own subset of every font it uses, so a course
pack joined from a hundred parts would carry a hundred copies of DejaVu Serif. WeasyPrint
subsets TrueType fonts keeping the original glyph ids (CID = GID, Identity-H), so the
subsets of one typeface can be merged glyph by glyph: the union of their outlines, widths
and Unicode mappings, under one font dictionary that every page then uses.

fontTools writes the merged font program. It does not read the subsets: for the few
glyphs taken from each, its glyf and hmtx tables decode every glyph slot the subset keeps
(thousands: WeasyPrint keeps the original glyph ids), which made reading the 86 subsets of
the starter course's pack twenty times slower (0.08 s against 0.004 s here), and a course
pack of a thousand lessons has thousands of subsets. So the few table reads needed (table
directory, loca, glyf, hmtx, composite glyphs' components) are done here, by offset. The
/W widths and ToUnicode CMaps are PDF structures, not font tables.

Only the glyphs a page shows keep their original ids in every subset. A glyph that is
only a part of others (the dot of an Arabic letter, the body several letters share) is
renumbered by each subset as it likes, so one id names different outlines in different
subsets: such a part is taken under its id where that id is free or holds the same
outline, and otherwise under a new id past the font's last, its composites pointing there.

CJK typefaces have CFF outlines, not TrueType: ``cff_fonts`` makes their one font.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from coursepack.exporters.pdf.cff_fonts import merged_program

_TAG = re.compile(r"^[A-Z]{6}\+")
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.DOTALL)
_HEX = re.compile(rb"<([0-9a-fA-F]*)>")


@dataclass
class _Typeface:
    """Every subset of one typeface found in the PDF, and what they hold together."""

    fonts: list[pikepdf.Object] = field(default_factory=list)
    subsets: list[Subset] = field(default_factory=list)  # what was read of each font
    glyphs: dict[int, bytes] = field(default_factory=dict)
    metrics: dict[int, tuple[int, int]] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    unicode: dict[int, str] = field(default_factory=dict)
    largest: bytes = b""
    largest_glyphs: int = -1
    shown: set[int] = field(default_factory=set)  # ids a page draws: the same in every subset
    parts: dict[tuple[bytes, tuple[int, ...]], int] = field(default_factory=dict)
    references: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # offset, id
    added: list[int] = field(default_factory=list)  # ids given to parts, past the font's last


class Programs(Protocol):
    """Where merged font programs made before are kept, by a digest of what they hold."""

    def font_program(self, digest: str) -> bytes | None: ...

    def keep_font_program(self, digest: str, program: bytes) -> None: ...


TRUETYPE, CFF, OTHER = "truetype", "cff", "other"


@dataclass(frozen=True)
class Subset:
    """What merging needs of one embedded font besides its glyphs: its typeface, its kind
    (a WeasyPrint TrueType subset, a CFF one of ``cff_fonts``, or another, left alone),
    its widths (cid -> width) and the text of its codes (cid -> text)."""

    face: str
    kind: str
    widths: dict[int, float]
    unicode: dict[int, str]


def subset_of(font: pikepdf.Object) -> Subset:
    """What merging needs of ``font``, a Type0 font, read from the PDF."""
    descendant = font.DescendantFonts[0]
    descriptor = descendant.get("/FontDescriptor", Dictionary())
    if descendant.get("/Subtype") == Name.CIDFontType0 and \
            descriptor.get("/FontFile3", Dictionary()).get("/Subtype") == Name.OpenType:
        kind = CFF
    elif (descendant.get("/Subtype") != Name.CIDFontType2 or "/FontFile2" not in descriptor
            or str(descendant.get("/CIDToGIDMap", "")) != "/Identity"):
        return Subset(_face_name(font), OTHER, {}, {})  # not a WeasyPrint TrueType subset
    else:
        kind = TRUETYPE
    unicode = _to_unicode(font.ToUnicode.read_bytes()) if "/ToUnicode" in font else {}
    return Subset(_face_name(font), kind, _widths(descendant.get("/W", Array())), unicode)


def merge_subsets(pdf: Pdf, programs: Programs | None = None,
                  known: Mapping[tuple[int, int], Subset] | None = None,
                  forms: Iterable[pikepdf.Object] = ()) -> None:
    """Replace every typeface's subsets by one font holding all of their glyphs (their font
    program taken from ``programs`` when one was made from the same glyphs before).
    ``known``: what was read of some fonts already, by their object (``Survey``).
    ``forms``: form XObjects of ``pdf`` no page draws yet, whose fonts are merged too."""
    faces: dict[str, _Typeface] = {}
    cff: dict[str, list[tuple[pikepdf.Object, Subset]]] = {}  # CJK typefaces: cff_fonts
    known = known or {}
    forms = list(forms)
    for font in _type0_fonts(pdf, forms=forms):
        subset = known.get(font.objgen) or subset_of(font)
        if subset.kind == CFF:
            cff.setdefault(subset.face, []).append((font, subset))
        elif subset.kind == TRUETYPE:
            face = faces.setdefault(subset.face, _Typeface())
            face.fonts.append(font)
            face.subsets.append(subset)
            face.shown.update(subset.widths)
    for face in faces.values():
        for font, subset in zip(face.fonts, face.subsets, strict=True):
            _gather(face, font, subset)
    replaced: dict[tuple[int, int], pikepdf.Object] = {}
    for face in faces.values():
        if len(face.fonts) > 1:
            keep = _rewrite(pdf, face, programs)
            replaced.update({font.objgen: keep for font in face.fonts[1:]})
    replaced.update(_merge_cff(pdf, cff, programs))
    if replaced:
        _point_resources_at(pdf, replaced, forms)


def _merge_cff(pdf: Pdf, faces: dict[str, list[tuple[pikepdf.Object, Subset]]],
               programs: Programs | None) -> dict[tuple[int, int], pikepdf.Object]:
    """Each CFF typeface's subsets as one font subset anew from its source (cff_fonts)."""
    replaced: dict[tuple[int, int], pikepdf.Object] = {}
    for name, group in sorted(faces.items()):
        if len(group) < 2:
            continue
        widths: dict[int, float] = {}
        unicode: dict[int, str] = {}
        for _, subset in group:
            widths.update(subset.widths)
            unicode.update(subset.unicode)
        program = merged_program(name, sorted(widths), programs)
        if program is None:
            continue  # its source font is not here: each part keeps its own subset
        keep = group[0][0]
        descendant = keep.DescendantFonts[0]
        descendant.FontDescriptor.FontFile3 = pikepdf.Stream(pdf, program)
        descendant.FontDescriptor.FontFile3.Subtype = Name.OpenType
        descendant.W = _width_array(widths)
        keep.ToUnicode = pikepdf.Stream(pdf, _cmap(unicode))
        replaced.update({font.objgen: keep for font, _ in group[1:]})
    return replaced


def _face_name(font: pikepdf.Object) -> str:
    """The typeface of an embedded font: its name without the subset's tag."""
    return _TAG.sub("", str(font.BaseFont).removeprefix("/"))


def _type0_fonts(pdf: Pdf, pages: Iterable[pikepdf.Page] | None = None,
                 forms: Iterable[pikepdf.Object] = ()) -> Iterator[pikepdf.Object]:
    """Every Type0 font the pages use (all of the PDF's by default), directly or in their
    form XObjects, and those of ``forms``, once each."""
    seen: set[tuple[int, int]] = set()
    for resources in _resources(pdf, pages, forms):
        for font in resources.get("/Font", Dictionary()).values():
            if (font.is_indirect and font.objgen not in seen and font.get("/Subtype") == Name.Type0
                    and "/DescendantFonts" in font):
                seen.add(font.objgen)
                yield font


def _resources(pdf: Pdf, pages: Iterable[pikepdf.Page] | None = None,
               forms: Iterable[pikepdf.Object] = ()) -> Iterator[pikepdf.Object]:
    """The resource dictionaries of the pages (all of the PDF's by default) and of the form
    XObjects they draw, and of ``forms``, once each."""
    seen: set[tuple[int, int]] = set()
    pending = [form.get("/Resources") for form in forms]  # last: the list is taken from its end
    pending += [page.obj.get("/Resources") for page in (pdf.pages if pages is None else pages)]
    while pending:
        resources = pending.pop()
        if not isinstance(resources, Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in seen:
                continue
            seen.add(resources.objgen)
        yield resources
        for xobject in resources.get("/XObject", Dictionary()).values():
            if xobject.get("/Subtype") == Name.Form:
                pending.append(xobject.get("/Resources"))


class Survey:
    """What merging needs of each font of a PDF joined from parts, read part by part as
    each is joined (``Joiner``), rather than all at once when the joined PDF is finished.

    What was read of a part's fonts can be kept (``part`` returns it) and given again when
    the same part is joined again; it is taken only if the part has the same typefaces in
    the same order, else read again."""

    def __init__(self) -> None:
        #: by font object in the joined PDF (``merge_subsets``'s ``known``)
        self.known: dict[tuple[int, int], Subset] = {}

    def part(self, pdf: Pdf, pages: Iterable[pikepdf.Page], kept: object = None,
             ) -> list[list[object]] | None:
        """Read the fonts the ``pages`` of ``pdf`` use (one part's), or take ``kept``;
        returns what to keep of them if they were read (None if ``kept`` was taken)."""
        found = list(_type0_fonts(pdf, pages))
        subsets = _subsets_from(kept)
        to_keep = None
        if subsets is None or [s.face for s in subsets] != [_face_name(f) for f in found]:
            subsets = [subset_of(font) for font in found]
            to_keep = [_as_json(s) for s in subsets]
        self.known.update((font.objgen, subset)
                          for font, subset in zip(found, subsets, strict=True))
        return to_keep


def _as_json(subset: Subset) -> list[object]:
    return [subset.face, subset.kind, list(subset.widths), list(subset.widths.values()),
            list(subset.unicode), list(subset.unicode.values())]


def _subsets_from(kept: object) -> list[Subset] | None:
    """``_as_json``'s lists read back; None if they are not what it writes. (Entries of the
    cache are named by this user's secret: a damaged one is the worry, not a forged one.)"""
    if not isinstance(kept, list):
        return None
    subsets = []
    try:
        for face, kind, cids, widths, codes, texts in kept:
            subset = Subset(face, kind,
                            dict(zip(map(int, cids), map(float, widths), strict=True)),
                            dict(zip(map(int, codes), texts, strict=True)))
            if not isinstance(face, str) or kind not in (TRUETYPE, CFF, OTHER) \
                    or not all(isinstance(text, str) for text in texts) \
                    or not _codes(subset.widths) or not _codes(subset.unicode) \
                    or not all(map(math.isfinite, subset.widths.values())):
                return None
            subsets.append(subset)
    except (TypeError, ValueError, OverflowError):  # not six lists, or not of numbers
        return None
    return subsets


def _codes(by_code: Mapping[int, object]) -> bool:
    """Whether every key is a two-byte code, as in the fonts WeasyPrint embeds."""
    return not by_code or (min(by_code) >= 0 and max(by_code) <= 0xFFFF)


def _gather(face: _Typeface, font: pikepdf.Object, subset: Subset) -> None:
    face.widths.update(subset.widths)
    wanted = [cid for cid in subset.widths if cid not in face.glyphs]
    face.unicode.update(subset.unicode)
    if not wanted and face.largest:
        return
    program = font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
    count = _glyphs_and_metrics(program, face, wanted)
    if count > face.largest_glyphs:
        face.largest, face.largest_glyphs = program, count


def _tables(program: bytes) -> dict[bytes, tuple[int, int]]:
    """The font's table directory: tag -> (offset, length)."""
    count = struct.unpack_from(">H", program, 4)[0]
    tables = {}
    for index in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", program, 12 + 16 * index)
        tables[tag] = (offset, length)
    return tables


def _glyphs_and_metrics(program: bytes, face: _Typeface, wanted: list[int]) -> int:
    """Add the outlines and metrics of the ``wanted`` glyphs (and of the glyphs they are
    composed of) to ``face``; returns the subset's glyph count."""
    tables = _tables(program)
    head, maxp, hhea = (tables[tag][0] for tag in (b"head", b"maxp", b"hhea"))
    long_offsets = struct.unpack_from(">h", program, head + 50)[0] == 1
    count: int = struct.unpack_from(">H", program, maxp + 4)[0]
    metrics_count = struct.unpack_from(">H", program, hhea + 34)[0]
    loca, glyf, hmtx = (tables[tag][0] for tag in (b"loca", b"glyf", b"hmtx"))
    size, scale = (4, 1) if long_offsets else (2, 2)
    code = ">I" if long_offsets else ">H"
    def outline(gid: int) -> bytes:
        start, end = (struct.unpack_from(code, program, loca + size * g)[0] * scale
                      for g in (gid, gid + 1))
        return program[glyf + start: glyf + end]

    def take(gid: int, data: bytes, at: int) -> None:
        face.glyphs[gid] = data
        face.metrics[gid] = _metric(program, hmtx, metrics_count, at)

    def part(gid: int, seen: tuple[int, ...]) -> int:
        """The merged font's id for component ``gid`` of this subset."""
        data, references = composed(gid, (*seen, gid))
        key = (data, tuple(target for _, target in references))
        if key in face.parts:
            return face.parts[key]
        if gid in face.shown or (gid in face.glyphs and not _same(face, gid, key)):
            merged = _ADDED + len(face.added)  # a placeholder, numbered when written
            face.added.append(merged)
        else:
            merged = gid
        take(merged, data, gid)
        face.parts[key] = merged
        if references:
            face.references[merged] = references
        return merged

    def composed(gid: int, seen: tuple[int, ...]) -> tuple[bytes, list[tuple[int, int]]]:
        data = outline(gid) if gid < count else b""
        references = [(offset, part(component, seen)) for offset, component in
                      _component_offsets(data) if component < count and component not in seen]
        return data, references

    for gid in wanted:
        if gid in face.glyphs or gid >= count:
            continue
        data, references = composed(gid, (gid,))
        take(gid, data, gid)
        if references:
            face.references[gid] = references
    return count


_ADDED = 1 << 16  # placeholder ids of parts moved past the font's last glyph


def _same(face: _Typeface, gid: int, key: tuple[bytes, tuple[int, ...]]) -> bool:
    """Whether ``gid`` already holds the outline ``key`` describes."""
    targets = tuple(target for _, target in face.references.get(gid, []))
    return face.glyphs[gid] == key[0] and targets == key[1]


def _component_offsets(glyph: bytes) -> list[tuple[int, int]]:
    """(offset of the glyph id, glyph id) of each component of a composite glyph (none for
    a simple or empty glyph)."""
    if len(glyph) < 10 or struct.unpack_from(">h", glyph, 0)[0] >= 0:
        return []
    found, at = [], 10
    while at + 4 <= len(glyph):
        flags, gid = struct.unpack_from(">HH", glyph, at)
        found.append((at + 2, gid))
        at += 4 + (4 if flags & 0x0001 else 2)  # arguments: words or bytes
        at += 2 if flags & 0x0008 else 4 if flags & 0x0040 else 8 if flags & 0x0080 else 0
        if not flags & 0x0020:  # no more components
            break
    return found


def _metric(program: bytes, hmtx: int, long_count: int, gid: int) -> tuple[int, int]:
    """(advance width, left side bearing) of a glyph from the hmtx table."""
    if gid < long_count:
        advance, bearing = struct.unpack_from(">Hh", program, hmtx + 4 * gid)
        return advance, bearing
    advance = struct.unpack_from(">H", program, hmtx + 4 * (long_count - 1))[0]
    bearing = struct.unpack_from(">h", program, hmtx + 4 * long_count + 2 * (gid - long_count))[0]
    return advance, bearing


def _widths(array: pikepdf.Object) -> dict[int, float]:
    """A CIDFont /W array as cid -> width: ``c [w1 w2 ...]`` and ``first last w`` runs."""
    found: dict[int, float] = {}
    items = list(array)
    index = 0
    while index < len(items):
        first = int(items[index])
        following = items[index + 1]
        if isinstance(following, Array):
            for offset, each in enumerate(following):
                found[first + offset] = float(each)
            index += 2
        else:
            last, same = int(following), float(items[index + 2])
            found.update(dict.fromkeys(range(first, last + 1), same))
            index += 3
    return found


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """A ToUnicode CMap's bfchar and bfrange entries as cid -> text."""
    found: dict[int, str] = {}
    for block in _BFCHAR.findall(cmap):
        values = _HEX.findall(block)
        for code, text in zip(values[::2], values[1::2], strict=False):
            found[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
    for block in _BFRANGE.findall(cmap):
        for line in block.splitlines():
            values = _HEX.findall(line)
            if len(values) != 3:
                continue  # an array form: WeasyPrint does not write it
            low, high = int(values[0], 16), int(values[1], 16)
            start = int(values[2], 16)
            for code in range(low, high + 1):
                found[code] = chr(start + code - low)
    return found


def _rewrite(pdf: Pdf, face: _Typeface, programs: Programs | None) -> pikepdf.Object:
    """Make the face's first font hold every glyph; returns it."""
    keep = face.fonts[0]
    descendant = keep.DescendantFonts[0]
    digest = _program_digest(face)
    program = programs.font_program(digest) if programs is not None else None
    if program is None:
        program = _merged_program(face)
        if programs is not None:
            programs.keep_font_program(digest, program)
    descriptor = descendant.FontDescriptor
    descriptor.FontFile2 = pikepdf.Stream(pdf, program)
    descriptor.FontFile2.Length1 = len(program)
    descendant.W = _width_array(face.widths)
    keep.ToUnicode = pikepdf.Stream(pdf, _cmap(face.unicode))
    return keep


def _program_digest(face: _Typeface) -> str:
    """A digest of all ``_merged_program`` makes a font program from."""
    found = hashlib.sha256(hashlib.sha256(face.largest).digest())
    found.update(repr((face.added, sorted(face.metrics.items()),
                       sorted(face.references.items()))).encode())
    for gid in sorted(face.glyphs):
        found.update(gid.to_bytes(4, "big") + hashlib.sha256(face.glyphs[gid]).digest())
    return found.hexdigest()


def _merged_program(face: _Typeface) -> bytes:
    # fontTools is imported only here: a rebuild most often finds the program it would make
    # in the cache, and need not spend the import
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    font = TTFont(io.BytesIO(face.largest), recalcBBoxes=False, recalcTimestamp=False)
    order = list(font.getGlyphOrder())
    glyf, hmtx = font["glyf"], font["hmtx"]
    final = {placeholder: len(order) + n for n, placeholder in enumerate(face.added)}
    if final:
        order += [f"coursepack.part{n}" for n in range(len(final))]
        font.setGlyphOrder(order)
        glyf.glyphOrder = order
        if "post" in font:
            font["post"].formatType = 3.0  # names of glyphs are no use in a PDF's font
    for gid, data in face.glyphs.items():
        at = final.get(gid, gid)
        if at < len(order):
            glyf.glyphs[order[at]] = Glyph(_pointed(data, face.references.get(gid, []), final))
            hmtx.metrics[order[at]] = face.metrics[gid]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _pointed(data: bytes, references: list[tuple[int, int]], final: dict[int, int]) -> bytes:
    """A composite glyph whose components point at their ids in the merged font."""
    if not references:
        return data
    patched = bytearray(data)
    for offset, target in references:
        struct.pack_into(">H", patched, offset, final.get(target, target))
    return bytes(patched)


def _width_array(widths: dict[int, float]) -> Array:
    """cid -> width as a /W array of runs of consecutive cids."""
    runs: list[tuple[int, list[float]]] = []
    for cid in sorted(widths):
        if runs and cid == runs[-1][0] + len(runs[-1][1]):
            runs[-1][1].append(widths[cid])
        else:
            runs.append((cid, [widths[cid]]))
    flat: list[object] = []
    for first, values in runs:
        flat += [first, Array([_number(v) for v in values])]
    return Array(flat)


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _cmap(unicode: dict[int, str]) -> bytes:
    """A ToUnicode CMap for two-byte codes, in blocks of at most 100 entries."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <ffff>", "endcodespacerange"]
    codes = sorted(unicode)
    for start in range(0, len(codes), 100):
        block = codes[start:start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines += [f"<{code:04x}> <{unicode[code].encode('utf-16-be').hex()}>" for code in block]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(lines) + "\n").encode("ascii")


def _point_resources_at(pdf: Pdf, replaced: dict[tuple[int, int], pikepdf.Object],
                        forms: Iterable[pikepdf.Object] = ()) -> None:
    """Make every /Font resource that names a replaced font name the one kept instead."""
    for resources in _resources(pdf, forms=forms):
        fonts = resources.get("/Font")
        if isinstance(fonts, Dictionary):
            for name, font in list(fonts.items()):
                if font.is_indirect and font.objgen in replaced:
                    fonts[name] = replaced[font.objgen]
