"""The files a Markdown text uses: found, resolved inside the course, and vetted.

Every Markdown field of every spec file passes through ``resolve``: each image, and
each link to a file of the course (a handout to download, say). A missing file, a path
or symlink that leaves the course folder, an unsupported or mislabelled file type, or
an SVG that pulls in other files is reported at the ``file:line:col`` where the author
wrote it, and the model carries only files a format can package.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from yaml.nodes import Node, ScalarNode

from coursepack.confinement import Unusable, confined
from coursepack.errors import Origin, Problem, did_you_mean, error
from coursepack.loader.links import is_safe, unsafe_links, unsafe_problem
from coursepack.markup import FileRef, file_refs
from coursepack.model import Asset
from coursepack.svg import svg_problem

_REMOTE = ("http://", "https://", "//", "ftp://")
_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
}
SUPPORTED = (*_SIGNATURES, ".svg")
LINKABLE = (*SUPPORTED, ".pdf", ".txt", ".csv", ".rtf", ".odt", ".ods", ".odp", ".doc", ".docx",
            ".xls", ".xlsx", ".ppt", ".pptx", ".epub", ".mp3", ".m4a", ".ogg", ".wav", ".mp4",
            ".webm", ".zip")
"""Files a link may point at: documents, media and archives a learner downloads or opens."""


_FIX = {
    Unusable.OUTSIDE: "copy the file into the course folder (not a link to a file elsewhere) "
    "and refer to it by a relative path",
    Unusable.LOOP: "replace the link by the file itself",
    Unusable.FOLDER: "name a file inside it",
    Unusable.NOT_FOLDER: "make it a folder that holds the course's files",
    Unusable.SPECIAL: "replace it by an ordinary file",
}


def unusable(origin: Origin, what: str, why: Unusable, hint: str = "") -> Problem:
    """The located problem for a file the course names but may not read."""
    return error(origin, f"{what} {why.value}", hint=hint or _FIX.get(why, ""))


def resolve(root: Path, relpath: str, node: Node, text: str) -> tuple[list[Asset], list[Problem]]:
    """The assets ``text`` (the value of ``node`` in ``relpath``) references, and what is wrong.

    ``root`` is the course folder, resolved (symbolic links followed) once by the caller.
    """
    assets: list[Asset] = []
    problems = [unsafe_problem(_where(root, relpath, node, line, href), href)
                for line, href in unsafe_links(text)]
    refs = list(file_refs(text))
    if not refs:
        return assets, problems
    base = (root / relpath).parent
    for found in refs:
        if problems and not is_safe(found.ref):
            continue  # its scheme is reported already
        origin = _line_of(relpath, node, found.line)
        problem, path = _vet(root, base, found, origin)
        if problem is not None:  # pointed at the very column, which costs a read of the file
            exact = _where(root, relpath, node, found.line, unquote(found.ref))
            problems.append(replace(problem, origin=exact))
        elif path is not None:
            assets.append(Asset(ref=found.ref, path=path, origin=origin))
    return assets, problems


def _vet(root: Path, base: Path, found: FileRef,
         origin: Origin) -> tuple[Problem | None, Path | None]:
    ref = found.ref
    if not found.image:
        return _vet_link(root, base, ref, origin)
    if ref.startswith(_REMOTE):
        return error(origin, f"image '{ref}' is on the web; the course must work offline",
                     hint="download the image into the course folder and refer to it by a "
                     "relative path"), None
    if ref.startswith("data:"):
        return error(origin, "an image written inline as 'data:' is removed by the sanitiser",
                     hint="save the image as a file in the course folder and refer to it"), None
    if ":" in ref.split("/")[0]:
        return error(origin, f"image '{ref}' is not a file path",
                     hint="refer to an image file by its path relative to this spec file"), None
    written = unquote(ref)
    path, missing = _locate(root, base, written, origin,
                            f"image '{written}' is outside the course folder",
                            f"image '{written}' does not exist")
    if missing is not None:
        return missing, None
    return _content_problem(path, written, origin), path


def _vet_link(root: Path, base: Path, ref: str,
              origin: Origin) -> tuple[Problem | None, Path | None]:
    """A link to a file of the course: inside it, there, and of a kind a learner can open."""
    written = unquote(ref.split("#")[0].split("?")[0])
    path, missing = _locate(root, base, written, origin,
                            f"link to '{written}' leaves the course folder",
                            f"link to '{written}', which does not exist")
    if missing is not None:
        return missing, None
    if path.suffix.lower() not in LINKABLE:
        return error(origin, f"link to '{written}': a {path.suffix or 'file with no type'} file "
                     "is not something a learner can open from a course",
                     hint=f"link to one of {', '.join(LINKABLE)}"), None
    return None, path


def _locate(root: Path, base: Path, written: str, origin: Origin, outside: str,
            absent: str) -> tuple[Path, Problem | None]:
    """The file ``written`` names from ``base``, links followed, or why it cannot be used:
    it is outside the course folder (said as ``outside``), not there (``absent``), or not
    an ordinary file."""
    path, why = confined(root, base / written)
    if why is Unusable.OUTSIDE:
        return path, error(origin, outside, hint=_FIX[why])
    if why is Unusable.MISSING:
        return path, error(origin, absent, hint=nearest_file(path)
                           or "refer to a file of the course by its path from this spec file")
    if why is not None:
        return path, unusable(origin, f"'{written}'", why)
    return path, None


def nearest_file(path: Path) -> str:
    """A did-you-mean hint naming the file beside ``path`` closest to its name, or ''."""
    try:
        siblings = [p.name for p in path.parent.iterdir()] if path.parent.is_dir() else []
    except OSError:
        return ""
    same = [name for name in siblings
            if unicodedata.normalize("NFC", name) == unicodedata.normalize("NFC", path.name)]
    if same:  # é as one character in one name, as e and an accent in the other
        return (f"the file there is named '{same[0]}' with its accents written otherwise "
                "(a Mac writes é as e and an accent): rename the file, or copy its name "
                "from your file manager into the spec")
    return did_you_mean(path.name, siblings) if len(path.name) < 256 else ""


def _content_problem(path: Path, written: str, origin: Origin) -> Problem | None:
    """Unsupported type, content that is not what its name says, or an SVG that is not alone."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        kind = suffix or "none"
        return error(origin, f"image '{written}' has a type no format can show ({kind})",
                     hint=f"convert it to one of {', '.join(SUPPORTED)}")
    try:
        data = path.read_bytes() if suffix == ".svg" else _head(path)
    except OSError as exc:
        return error(origin, f"image '{written}' cannot be read: {exc.strerror}",
                     hint="check the file's permissions, or copy it again")
    if suffix == ".svg":
        return svg_problem(data, written, origin)
    if not data.startswith(_SIGNATURES[suffix]) or (suffix == ".webp" and data[8:12] != b"WEBP"):
        return error(origin, f"image '{written}' is not a {suffix[1:].upper()} file",
                     hint="export the image again, or give it the extension of its real type")
    return None


def _head(path: Path) -> bytes:
    """The first bytes of a file: enough for any image type's signature."""
    with path.open("rb") as file:
        return file.read(16)


def _line_of(relpath: str, node: Node, line: int) -> Origin:
    """The line of the spec file that line ``line`` of the text held by ``node`` is on (and
    the text's column when that is its first line)."""
    block = isinstance(node, ScalarNode) and node.style in ("|", ">")
    number = node.start_mark.line + line + (1 if block else 0)
    return Origin(relpath, number + 1, node.start_mark.column + 1 if line == 0 and not block
                  else 1)


def _where(root: Path, relpath: str, node: Node, line: int, written: str) -> Origin:
    """Where ``written`` is in the spec file, to the column: read from the file itself."""
    origin = _line_of(relpath, node, line)
    path = root / relpath
    lines = _lines(path, path.stat().st_mtime_ns if path.is_file() else 0)
    found = lines[origin.line - 1].find(written) if origin.line <= len(lines) else -1
    return replace(origin, column=found + 1) if found >= 0 else origin


@lru_cache(maxsize=64)
def _lines(path: Path, version: int) -> tuple[str, ...]:
    """The lines of a spec file at one modification time."""
    try:
        return tuple(path.read_text(encoding="utf-8").split("\n"))
    except (OSError, UnicodeDecodeError):
        return ()
