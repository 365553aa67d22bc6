"""Reproducible archives: sorted entries, fixed timestamps (SOURCE_DATE_EPOCH when set).

SOURCE_DATE_EPOCH must be a whole number of seconds from 0 (1970-01-01) to ZIP_LAST
(2107-12-31 23:59:58 UTC, the last date a zip entry can hold). A zip entry cannot hold a
date before 1980 either: an earlier one is stored as 1980-01-01 00:00:00, with a warning.
"""

from __future__ import annotations

import os
import re
import time
import zipfile
import zlib
from pathlib import Path

from coursepack import scratch
from coursepack.cache import Cache
from coursepack.errors import CoursepackError, Problem, warning
from coursepack.exporters.base import ExportContext, OutputDir, made_once
from coursepack.exporters.html import HtmlExporter
from coursepack.render import default_templates

DEFAULT_EPOCH = 946684800  # 2000-01-01: any fixed date makes archives byte-identical
ZIP_FIRST = 315532800  # 1980-01-01 00:00:00 UTC
ZIP_LAST = 4354819198  # 2107-12-31 23:59:58 UTC (zip dates count even seconds)
_RANGE = (f"a whole number of seconds since 1970-01-01 UTC, from 0 to {ZIP_LAST} "
          "(2107-12-31 23:59:58, the last date a zip archive can hold)")


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH in seconds, None when unset or empty.

    Raises ``CoursepackError`` naming the variable and the accepted range when it is text,
    a fraction, negative or past what a zip archive can hold.
    """
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    shown = repr(text[:40] + ("..." if len(text) > 40 else ""))
    hint = (f"set it to {_RANGE}, for example the date of the last commit: "
            "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct); or unset it")
    if re.fullmatch(r"-[0-9]+", text):
        raise CoursepackError.single(
            f"SOURCE_DATE_EPOCH is {shown}, before 1970-01-01 UTC", hint=hint)
    if not re.fullmatch(r"[0-9]+", text):
        raise CoursepackError.single(
            f"SOURCE_DATE_EPOCH is {shown}, not a whole number of seconds", hint=hint)
    epoch = int(text)
    if epoch > ZIP_LAST:
        raise CoursepackError.single(
            f"SOURCE_DATE_EPOCH is {shown}, after 2107-12-31 23:59:58 UTC", hint=hint)
    return epoch


def date_problems() -> list[Problem]:
    """What is wrong with SOURCE_DATE_EPOCH: an error raised, or a warning that zips clamp it."""
    epoch = source_date_epoch()
    if epoch is None or epoch >= ZIP_FIRST:
        return []
    return [warning(None, f"SOURCE_DATE_EPOCH is {epoch}, before 1980-01-01: files in zip "
                          "packages (SCORM, QTI, Common Cartridge) are dated 1980-01-01 00:00:00 "
                          "UTC, the first date a zip archive can hold",
                    hint=f"set it to a number from {ZIP_FIRST} (1980-01-01) to keep one date "
                         "everywhere")]


def build_time() -> tuple[int, int, int, int, int, int]:
    epoch = source_date_epoch()
    stamp = time.gmtime(max(DEFAULT_EPOCH if epoch is None else epoch, ZIP_FIRST))
    return (stamp.tm_year, stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min, stamp.tm_sec)


def zip_folder(folder: Path, target: Path, first: tuple[str, ...] = ()) -> Path:
    """Zip every file under ``folder``: names in ``first`` lead, the rest sorted."""
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    ordered = [n for n in first if n in names] + [n for n in names if n not in first]
    return zip_files({name: (folder / name).read_bytes() for name in ordered}, target)


#: Files from this size on are deflated once and kept in the build cache: a rebuild's
#: package takes the unchanged ones from there (one edited lesson leaves most pages, the
#: PDFs and the single-file modules as they were). Keeping a file costs a cold build about
#: 0.45 ms: a SCORM package of a hundred lessons took 0.06 s more to zip cold, and 0.016 s
#: less in every rebuild after it (0.041 s without the cache, 0.025 s with it); a field
#: pack of a hundred lessons (13.5 MB of files) 0.28 s without, 0.36 s cold, 0.06 s after.
#: Rebuilds are the many. Keeping files from 1 KB on made that rebuild no faster.
KEPT_DEFLATED_FROM = 4 * 1024


def zip_files(files: dict[str, bytes], target: Path, cache: Cache | None = None) -> Path:
    """Write ``files`` (name -> content) in the given order with fixed dates and modes; with
    ``cache``, large files deflated as an earlier build deflated them (the same bytes)."""
    stamp = build_time()
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            if cache is None or len(data) < KEPT_DEFLATED_FROM:
                archive.writestr(info, data)
            else:
                _write_deflated(archive, info, data, _deflated(cache, data))
    return target


def _deflated(cache: Cache, data: bytes) -> bytes:
    """``data`` deflated as ``zipfile`` deflates an entry, from the cache when it was before
    (keyed by the bytes and the zlib that deflated them)."""
    key = cache.key("zip-deflated", zlib.ZLIB_RUNTIME_VERSION, data)
    kept = cache.get(key)
    if kept is None:
        kept = deflate(data)
        cache.put(key, kept)
    return kept


def deflate(data: bytes) -> bytes:
    """Raw deflate at zlib's default level: what ``zipfile`` writes for ZIP_DEFLATED."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class _Deflated:
    """Takes the place of the compressor ``zipfile`` made for an entry: the entry's data
    was deflated already."""

    def __init__(self, deflated: bytes) -> None:
        self.deflated = deflated

    def compress(self, data: bytes) -> bytes:
        return b""

    def flush(self) -> bytes:
        return self.deflated


def _write_deflated(archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes,
                    deflated: bytes) -> None:
    """Write an entry as ``writestr`` does (``zipfile`` makes the headers and the CRC from
    ``data``), its compressed bytes ``deflated``. Should a later ``zipfile`` not use the
    compressor swapped in here, it deflates the data itself: the same entry, made slower."""
    info.file_size = len(data)  # as writestr sets it: whether a zip64 header is needed
    with archive.open(info, "w") as entry:
        setattr(entry, "_compressor", _Deflated(deflated))  # noqa: B010 (private, so untyped)
        entry.write(data)


_HEAD_END = re.compile(r"</head>", re.IGNORECASE)


def add_scripts(html: str, relpath: str, scripts: list[str]) -> str:
    """Add script tags to the head of the course page at ``relpath`` in a package whose site
    sits one folder down (``course/``); ``scripts`` are paths from the package root."""
    up = "../" * relpath.count("/") + "../"
    tags = "".join(f'<script src="{up}{src}"></script>\n' for src in scripts)
    if not _HEAD_END.search(html):
        return html
    return _HEAD_END.sub(lambda m: tags + m.group(0), html, count=1)


#: The script that knows which pages are a unit's own (a SCORM SCO, a cmi5 AU) and passes a
#: course page's events to its launch page, for the adapters of both (path in the package).
UNIT_PAGES = "lms/unit-pages.js"


def lms_site(ctx: ExportContext, folder: str, scripts: list[str], *,
             split: bool) -> dict[str, bytes]:
    """The HTML course as an LMS package holds it, under ``folder``, with ``scripts`` added
    to each page after ``UNIT_PAGES``; those scripts come with it, each from the default
    theme's file of the same path (``scorm/scorm-adapter.js``). ``split`` scopes each
    module's pages to its own unit (a SCORM SCO, a cmi5 AU)."""
    scripts = [UNIT_PAGES, *scripts]
    site = made_once(ctx, "lms-site", (ctx.course, split), lambda: _site_files(ctx, split))
    files: dict[str, bytes] = {}
    for rel, data in site.items():
        if rel.endswith(".html"):
            data = add_scripts(data.decode("utf-8"), rel, scripts).encode("utf-8")
        files[f"{folder}/{rel}"] = data
    for script in scripts:
        files[script] = (default_templates() / script).read_bytes()
    return files


def _site_files(ctx: ExportContext, split: bool) -> dict[str, bytes]:
    """The HTML course for an LMS package, its files by path (once per build for SCORM 1.2
    and 2004 and cmi5, which carry the same, each with its own scripts)."""
    with scratch.folder("coursepack-package-") as tmp:
        site = OutputDir(Path(tmp) / "site")
        HtmlExporter(split=split, in_lms=True, pages_in_cache=True).export(
            ExportContext(course=ctx.course, out=site, progress=ctx.progress, notes=[],
                          cache=ctx.cache, workers=ctx.workers))
        return {path.relative_to(site.root).as_posix(): path.read_bytes()
                for path in sorted(site.root.rglob("*")) if path.is_file()}
