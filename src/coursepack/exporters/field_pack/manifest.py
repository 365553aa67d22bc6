"""The pack's two manifests, and ``verify-pack``: does a copy hold exactly what was packed?

``MANIFEST.json`` names the course, version, language and build date and lists every file
with its size and SHA-256; ``manifest.sha256`` lists the same files, and MANIFEST.json
itself, in the format of ``sha256sum``, so that ``sha256sum -c manifest.sha256`` checks an
unpacked copy with standard tools. Editing one manifest without the other is caught; a copy
whose files *and* both manifests were changed to match is not: a checksum proves a copy is
the one described, never who made the description (docs/field.md).

A pack to verify is untrusted: a damaged or truncated zip, an entry that would land outside
the folder it is unpacked into, a link, or a manifest that is not what coursepack writes is
a located problem, never a traceback. Nothing is extracted: entries are hashed as streams.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from coursepack.errors import CoursepackError, Origin, Problem, error

MANIFEST = "MANIFEST.json"
SUMS = "manifest.sha256"
KIND = "coursepack field pack"
_CHUNK = 1 << 20
_SUM_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")
_MAX_ENTRIES = 100_000


@dataclass(frozen=True)
class Entry:
    """A file of a pack; ``content`` is kept for the two manifests only."""

    path: str
    size: int
    sha256: str
    content: bytes | None = field(default=None, compare=False, repr=False)


def manifests(files: dict[str, bytes], about: dict[str, object]) -> dict[str, bytes]:
    """MANIFEST.json and manifest.sha256 for ``files`` (path -> content)."""
    entries = [{"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
               for path, data in sorted(files.items())]
    document = {"kind": KIND, "manifest_version": 1, **about, "files": entries}
    manifest = (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    lines = [f"{e['sha256']}  {e['path']}" for e in entries]
    lines.append(f"{hashlib.sha256(manifest).hexdigest()}  {MANIFEST}")
    return {MANIFEST: manifest, SUMS: ("\n".join(sorted(lines, key=lambda s: s[66:])) + "\n")
            .encode("utf-8")}


@dataclass
class Verdict:
    """What ``verify-pack`` found: files missing, extra or changed, and what stopped it."""

    about: dict[str, Any] = field(default_factory=dict)
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    changed: list[tuple[str, Entry, Entry]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not (self.missing or self.extra or self.changed or self.problems)


def verify(target: Path) -> Verdict:
    """Check the pack ``target`` (a zip, or a folder unpacked from one) against its manifests.

    Raises ``CoursepackError`` when there is nothing to check (no such file, not a zip)."""
    shown = str(target)
    if target.is_dir():
        found, problems = _folder(target)
    elif target.is_file():
        found, problems = _zip(target, shown)
    else:
        raise CoursepackError.single(f"{shown}: no such file or folder",
                                     hint="name the pack's .zip file or the folder it was "
                                          "unpacked into")
    verdict = Verdict(problems=problems)
    _compare(found, verdict, shown)
    return verdict


def _compare(found: dict[str, Entry], verdict: Verdict, shown: str) -> None:
    listed = _read_manifests(found, verdict, shown)
    if listed is None:
        return
    for path, want in sorted(listed.items()):
        have = found.get(path)
        if have is None:
            verdict.missing.append(path)
        elif (have.size, have.sha256) != (want.size, want.sha256):
            verdict.changed.append((path, want, have))
        else:
            verdict.checked += 1
    verdict.extra = sorted(set(found) - set(listed) - {MANIFEST, SUMS})


def _read_manifests(found: dict[str, Entry], verdict: Verdict,
                    shown: str) -> dict[str, Entry] | None:
    where = Origin(f"{shown}:{MANIFEST}")
    data = found.get(MANIFEST)
    if data is None:
        verdict.problems.append(error(Origin(shown), f"{MANIFEST} is missing, so nothing can be "
                                      "checked", hint="get the pack again from whoever made it"))
        return None
    text = data.content
    try:
        document = json.loads(text or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        verdict.problems.append(error(where, f"this is not a manifest coursepack wrote: {exc}",
                                      hint="the manifest was damaged or edited; get the pack "
                                           "again"))
        return None
    listed = _entries(document, verdict, where)
    if listed is None:
        return None
    verdict.about = {k: document.get(k) for k in ("course", "built")}
    _check_sums(found, listed, data, verdict, shown)
    return listed


def _entries(document: object, verdict: Verdict, where: Origin) -> dict[str, Entry] | None:
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(document, dict) or document.get("kind") != KIND or not isinstance(files,
                                                                                        list):
        verdict.problems.append(error(where, f"this is not a {KIND} manifest",
                                      hint="name a pack that coursepack built with -f field-pack"))
        return None
    listed: dict[str, Entry] = {}
    for number, item in enumerate(files, start=1):
        ok = (isinstance(item, dict) and isinstance(item.get("path"), str)
              and isinstance(item.get("size"), int) and isinstance(item.get("sha256"), str)
              and re.fullmatch(r"[0-9a-f]{64}", item["sha256"]) is not None)
        if not ok:
            verdict.problems.append(error(where, f"file {number} of the manifest is not a path, "
                                          "size and SHA-256", hint="the manifest was edited"))
            return None
        listed[item["path"]] = Entry(item["path"], item["size"], item["sha256"])
    return listed


def _check_sums(found: dict[str, Entry], listed: dict[str, Entry], manifest: Entry,
                verdict: Verdict, shown: str) -> None:
    """manifest.sha256 must list MANIFEST.json as it is, and the same files and hashes."""
    where = Origin(f"{shown}:{SUMS}")
    sums = found.get(SUMS)
    if sums is None:
        verdict.problems.append(error(Origin(shown), f"{SUMS} is missing",
                                      hint="get the pack again from whoever made it"))
        return
    lines: dict[str, str] = {}
    for number, line in enumerate((sums.content or b"").decode("utf-8", "replace")
                                  .splitlines(), start=1):
        match = _SUM_LINE.fullmatch(line)
        if match is None:
            verdict.problems.append(error(Origin(where.path, number),
                                          "this line is not '<sha256>  <file>'",
                                          hint="the manifest was edited"))
            return
        lines[match.group(2)] = match.group(1)
    if lines.get(MANIFEST) != manifest.sha256:
        verdict.problems.append(error(where, f"{MANIFEST} was changed after the pack was made "
                                      f"(its SHA-256 is not the one {SUMS} lists)",
                                      hint="get the pack again from whoever made it"))
    expected = {path: entry.sha256 for path, entry in listed.items()}
    if {k: v for k, v in lines.items() if k != MANIFEST} != expected:
        verdict.problems.append(error(where, f"{SUMS} and {MANIFEST} list different files or "
                                      "hashes: one of them was edited",
                                      hint="get the pack again from whoever made it"))


# Reading a pack: each entry hashed as a stream; the two manifests' bytes kept.

def _entry(path: str, stream: IO[bytes], keep: bool) -> Entry:
    hasher = hashlib.sha256()
    size = 0
    kept = bytearray()
    while chunk := stream.read(_CHUNK):
        hasher.update(chunk)
        size += len(chunk)
        if keep and size <= 50_000_000:
            kept += chunk
    return Entry(path, size, hasher.hexdigest(), bytes(kept) if keep else None)


def _escapes(name: str) -> str:
    """Why the entry ``name`` would be written outside the folder it is unpacked into."""
    if "\\" in name:
        return "its name holds a backslash, a folder separator on Windows"
    pure = PurePosixPath(name)
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "its name is an absolute path"
    if ".." in pure.parts:
        return "its name climbs out of the folder with '..'"
    if "\x00" in name or any(ord(c) < 32 for c in name):
        return "its name holds a control character"
    return ""


def _zip(target: Path, shown: str) -> tuple[dict[str, Entry], list[Problem]]:
    found: dict[str, Entry] = {}
    problems: list[Problem] = []
    try:
        with zipfile.ZipFile(target) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_ENTRIES:
                raise CoursepackError.single(f"{shown}: {len(infos):,} entries; a field pack "
                                             f"has far fewer than {_MAX_ENTRIES:,}")
            for info in infos:
                _read_zip_entry(archive, info, shown, found, problems)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        raise CoursepackError.single(
            f"{shown}: not a complete zip archive ({exc}): it is damaged or was cut short "
            "while copying", hint="copy the pack again from the original") from None
    except OSError as exc:
        raise CoursepackError.single(f"{shown}: cannot read it: {exc.strerror or exc}") from None
    return found, problems


def _read_zip_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str,
                    found: dict[str, Entry], problems: list[Problem]) -> None:
    name = info.filename
    where = Origin(f"{shown}:{name!r}" if not name.isprintable() else f"{shown}:{name}")
    why = _escapes(name)
    if why:
        problems.append(error(where, f"unsafe entry: {why}; unpacking it could overwrite files "
                              "elsewhere", hint="do not unpack this zip; get the pack again "
                                                "from whoever made it"))
        return
    if stat.S_ISLNK(info.external_attr >> 16):
        problems.append(error(where, "unsafe entry: a symbolic link, which a field pack never "
                              "holds", hint="do not unpack this zip; get the pack again"))
        return
    if info.is_dir():
        return
    if name in found:
        problems.append(error(where, "this entry is in the zip twice",
                              hint="get the pack again from whoever made it"))
        return
    try:
        with archive.open(info) as stream:
            found[name] = _entry(name, stream, name in (MANIFEST, SUMS))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError) as exc:  # RuntimeError: encrypted; ValueError: unknown compression
        problems.append(error(where, f"this entry is damaged and cannot be read ({exc})",
                              hint="copy the pack again from the original"))


def _folder(root: Path) -> tuple[dict[str, Entry], list[Problem]]:
    found: dict[str, Entry] = {}
    problems: list[Problem] = []
    for path, rel in _walk(root, ""):
        where = Origin(f"{root}/{rel}")
        if path.is_symlink():
            problems.append(error(where, "a symbolic link, which a field pack never holds",
                                  hint="replace it by the file from the pack"))
            continue
        try:
            mode = path.lstat().st_mode
            if not stat.S_ISREG(mode):
                problems.append(error(where, "not a plain file"))
                continue
            with path.open("rb") as stream:
                found[rel] = _entry(rel, stream, rel in (MANIFEST, SUMS))
        except OSError as exc:
            problems.append(error(where, f"cannot read it: {exc.strerror or exc}"))
    return found, problems


def _walk(folder: Path, prefix: str) -> Iterator[tuple[Path, str]]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        rel = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), rel + "/")
        else:
            yield Path(entry.path), rel
