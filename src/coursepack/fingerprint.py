"""What a format's output is made from, as one digest, and the record of what a build
made from it: a build whose digest matches a record whose files are all still in place
takes that output over instead of exporting again.

The digest covers the bytes of every course file (course.yaml, modules/, quizzes/,
sources/, templates/), every file its Markdown uses wherever it is, the default theme and
the format; the cache's keys add the coursepack code, the versions of the libraries it
writes with and SOURCE_DATE_EPOCH. Paths enter relative to their folder, so two copies of
a course give the same digest. Records are kept in the build's cache, never beside the
output a user distributes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from coursepack.cache import Cache
from coursepack.confinement import file_digest
from coursepack.errors import Origin, Problem, warning
from coursepack.layout import course_files
from coursepack.model import Course
from coursepack.model.text import Asset, assets_of
from coursepack.render import default_templates


@dataclass(frozen=True)
class Record:
    """The file a user should open, every file written with its size and time, and the
    course files it was made from besides the known inputs (``ExportContext.also_read``),
    by path in the course, with the SHA-256 of their bytes."""

    entry: str
    files: dict[str, tuple[int, int, int]]  # size, modification time, mode
    also_read: dict[str, str] = field(default_factory=dict)
    #: What exporting found wrong (a file a template asked for and did not get): said
    #: again by every build that keeps this output, as by the one that made it.
    warnings: tuple[Problem, ...] = ()

    def made_from_these(self, root: Path) -> bool:
        """Whether the files it was also made from are still as they were."""
        return all(file_digest(root / relpath).hex() == digest
                   for relpath, digest in self.also_read.items())

    def intact(self, folder: Path) -> bool:
        """Whether every file recorded is still in ``folder``, as large, as old (a file
        changed since has another modification time) and with its mode (a file kept is
        linked, and a link keeps it)."""
        for relpath, (size, mtime, mode) in self.files.items():
            try:
                found = (folder / relpath).stat()
            except OSError:
                return False
            if (found.st_size, found.st_mtime_ns, found.st_mode) != (size, mtime, mode):
                return False
        return True


def digests(course: Course) -> tuple[str, str]:
    """Two digests of what the formats are made from (``for_format`` narrows one to a
    format), from one reading of the course: of everything, and of everything but the
    lesson files and the files under modules/ that only lessons use (for a format that
    shows no lesson)."""
    root = course.root.resolve()
    outlines = tuple(replace(module, lessons=()) for module in course.modules)
    elsewhere = assets_of((course.description, outlines, course.quizzes))
    by_lessons = assets_of(tuple(lesson for _, lesson in course.lessons()))
    left_out = _lessons_only(course, root, by_lessons, elsewhere)
    everything, without_lessons = hashlib.sha256(), hashlib.sha256()
    for label, path in sorted(set(_inputs(root, (*by_lessons, *elsewhere)))):
        # a file name that is not UTF-8 enters as its bytes
        line = label.encode("utf-8", "surrogateescape") + b"\0" + _digest(course, path)
        everything.update(line)
        if path not in left_out:
            without_lessons.update(line)
    return everything.hexdigest(), without_lessons.hexdigest()


def _digest(course: Course, path: Path) -> bytes:
    """The file's SHA-256: of the bytes the course was loaded from, if it was (saved again
    since, the output is of the text read, and the next build sees the change); else as
    it is now, which is before any format reads it."""
    known = course.read.get(path)
    return known if known is not None else file_digest(path)


def for_format(inputs: str, fmt: str) -> str:
    return hashlib.sha256(f"{inputs}\0{fmt}".encode()).hexdigest()


def edition_digest(edition: Course, course: Course) -> str:
    """The digest of the images and linked files a translated edition shows and ``course``,
    in its own language, does not (a map labelled in French), wherever in the course they
    are. Its other inputs are the course's (the translations among them)."""
    root = edition.root.resolve()
    known = {asset.path for asset in assets_of(course)}  # in the course's digest already
    own = [asset for asset in assets_of(edition) if asset.path not in known]
    found = hashlib.sha256()
    for label, path in sorted(set(_asset_inputs(root, own))):
        found.update(label.encode("utf-8", "surrogateescape") + b"\0" + _digest(edition, path))
    return found.hexdigest()


def _inputs(root: Path, assets: Iterable[Asset]) -> Iterator[tuple[str, Path]]:
    for path in course_files(root):
        yield "course:" + path.relative_to(root).as_posix(), path
    yield from _asset_inputs(root, assets)
    theme = default_templates().resolve()
    for path in theme.rglob("*"):
        if path.is_file():
            yield "theme:" + path.relative_to(theme).as_posix(), path


def _asset_inputs(root: Path, assets: Iterable[Asset]) -> Iterator[tuple[str, Path]]:
    """Images and linked files, wherever in the course they are (the loader gives each with
    its links followed)."""
    for asset in assets:
        inside = asset.path.is_relative_to(root)
        yield ("course:" + asset.path.relative_to(root).as_posix() if inside
               else "asset:" + asset.path.as_posix()), asset.path


def _lessons_only(course: Course, root: Path, by_lessons: Iterable[Asset],
                  elsewhere: Iterable[Asset]) -> set[Path]:
    """The lesson files, and the files under modules/ that lessons use and no other text
    of the course (a module's, a quiz's, the course's own) does."""
    files = {root / "modules" / module.id / f"{lesson.id}.yaml"
             for module, lesson in course.lessons()}
    modules = root / "modules"
    shown = {a.path for a in by_lessons if a.path.is_relative_to(modules)}
    return (files | shown) - {a.path for a in elsewhere}


def recorded(cache: Cache, digest: str) -> Record | None:
    """What a previous build made from the inputs of ``digest``, if the cache has it."""
    data = cache.get_json(cache.key("format-output", digest))
    try:
        files = {str(k): (int(v[0]), int(v[1]), int(v[2])) for k, v in data["files"].items()}
        also_read = {str(k): str(bytes.fromhex(v).hex())
                     for k, v in data.get("also_read", {}).items()}
        warnings = tuple(map(_warning, data.get("warnings", [])))
        return Record(str(data["entry"]), files, also_read, warnings)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None


def _recorded(problem: Problem) -> dict[str, object]:
    origin = problem.origin
    return {"origin": None if origin is None else [origin.path, origin.line, origin.column],
            "message": problem.message, "hint": problem.hint, "rule": problem.rule}


def _warning(data: dict[str, Any]) -> Problem:
    """A warning as ``_recorded`` kept it (a damaged record raises KeyError, TypeError or
    ValueError)."""
    where = data["origin"]
    origin = None if where is None else Origin(_text(where[0]), int(where[1]), int(where[2]))
    return warning(origin, _text(data["message"]), _text(data["hint"]), _text(data["rule"]))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"not a text: {value!r}")
    return value


def remember(cache: Cache, digest: str, folder: Path, entry: str,
             also_read: dict[str, str], warnings: Iterable[Problem] = ()) -> None:
    """Record every file now under ``folder`` as made from the inputs of ``digest``, the
    course files of ``also_read`` as they were read, and the ``warnings`` exporting gave."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            files[path.relative_to(folder).as_posix()] = [stat.st_size, stat.st_mtime_ns,
                                                          stat.st_mode]
    cache.put_json(cache.key("format-output", digest),
                   {"entry": entry, "files": files, "also_read": dict(sorted(also_read.items())),
                    "warnings": [_recorded(problem) for problem in warnings]})
