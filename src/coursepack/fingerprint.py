"""What a format's output is made from, as one digest: a build whose digest matches the
last one's takes that output over instead of exporting again.

The digest covers the bytes of every course file (course.yaml, modules/, quizzes/,
sources/, templates/), every file its Markdown uses wherever it is, the default theme, the
coursepack code itself, the versions of the libraries it writes with, the format and
SOURCE_DATE_EPOCH. Paths enter relative to their folder, so two copies of a course give
the same digest.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from coursepack.layout import course_files
from coursepack.model import Course
from coursepack.render import default_templates

#: Written into each format's output folder, and moved into place with it.
RECORD = ".coursepack-inputs.json"
_CODE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Record:
    """A format's digest, the file a user should open, and every file written with its size."""

    digest: str
    entry: str
    files: dict[str, int]

    def text(self) -> str:
        files = dict(sorted(self.files.items()))
        data = {"digest": self.digest, "entry": self.entry, "files": files}
        return json.dumps(data, indent=1) + "\n"

    def intact(self, folder: Path) -> bool:
        """Whether every file recorded is still in ``folder``, as large, and unchanged since.

        A file changed after the record was written has a later modification time.
        """
        written = (folder / RECORD).stat().st_mtime_ns
        for relpath, size in self.files.items():
            try:
                found = (folder / relpath).stat()
            except OSError:
                return False
            if found.st_size != size or found.st_mtime_ns > written:
                return False
        return True


#: Libraries whose version can change what a format writes.
_LIBRARIES = ("jinja2", "markdown-it-py", "nh3", "pyyaml", "lxml", "weasyprint", "pikepdf",
              "fonttools", "pillow")


def digest(course: Course) -> str:
    """One digest of everything any format is made from (``for_format`` narrows it)."""
    found = hashlib.sha256()
    found.update(f"{os.environ.get('SOURCE_DATE_EPOCH', '')}\0{_versions()}".encode())
    for label, path in sorted(set(_inputs(course))):
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0missing"
        found.update(label.encode() + b"\0" + hashlib.sha256(data).digest())
    return found.hexdigest()


def for_format(inputs: str, fmt: str) -> str:
    return hashlib.sha256(f"{inputs}\0{fmt}".encode()).hexdigest()


def _versions() -> str:
    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} none")
    return "; ".join(found)


def _inputs(course: Course) -> Iterator[tuple[str, Path]]:
    root = course.root.resolve()
    for path in course_files(root):
        yield "course:" + path.relative_to(root).as_posix(), path
    for asset in course.assets():  # images and linked files, wherever in the course they are
        resolved = asset.path.resolve()
        inside = resolved.is_relative_to(root)
        yield ("course:" + resolved.relative_to(root).as_posix() if inside
               else "asset:" + resolved.as_posix()), resolved
    theme = default_templates().resolve()
    for path in theme.rglob("*"):
        if path.is_file():
            yield "theme:" + path.relative_to(theme).as_posix(), path
    for path in _CODE.rglob("*.py"):
        yield "code:" + path.relative_to(_CODE).as_posix(), path


def read(folder: Path | None) -> Record | None:
    """The record a previous build left in ``folder``, if it is there and readable."""
    if folder is None:
        return None
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        files = {str(k): int(v) for k, v in data["files"].items()}
        return Record(str(data["digest"]), str(data["entry"]), files)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def written(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` (but the record) with its size."""
    return {path.relative_to(folder).as_posix(): path.stat().st_size
            for path in folder.rglob("*") if path.is_file() and path.name != RECORD}
