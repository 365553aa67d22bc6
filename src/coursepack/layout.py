"""Where a course keeps its files: those a build reads, so those whose change calls for one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from coursepack.confinement import confined

COURSE_FILE = "course.yaml"
COURSE_FOLDERS = ("modules", "quizzes", "sources", "templates", "translations")
"""Folders of a course whose files feed a build."""


def course_files(root: Path) -> Iterator[Path]:
    """The course file and every visible file under the course folders that the course may
    read (inside it once links are followed, an ordinary file), in the order of their paths."""
    root = root.resolve()
    course = root / COURSE_FILE
    if confined(root, course)[1] is None:
        yield course
    for name in COURSE_FOLDERS:
        folder = root / name
        if confined(root, folder, folder=True)[1] is None:
            found = list(_visible_files(root, folder))
            yield from sorted(found, key=lambda path: path.parts)


def linked_places(root: Path) -> dict[Path, Path]:
    """Each link among the course folders, with the real folder inside the course that it
    leads to (``modules/x`` linked to ``drafts/x``) or that holds the file it leads to:
    what is saved there changes the course, although no course folder holds it."""
    root = root.resolve()
    found: dict[Path, Path] = {}
    for name in COURSE_FOLDERS:
        folder = root / name
        if confined(root, folder, folder=True)[1] is None:
            visible = list(_visible(root, folder))
            found.update({path: path.resolve() if is_folder else path.resolve().parent
                          for path, is_folder in visible if path.is_symlink()})
            for inside in [folder, *(path for path, is_folder in visible if is_folder)]:
                found.update(_leading_nowhere_yet(root, inside))
    return found


def _leading_nowhere_yet(root: Path, folder: Path) -> dict[Path, Path]:
    """The links in ``folder`` to what is not there yet, each with the nearest folder of the
    course above where it leads: what is made there (``drafts/x`` after ``modules/x`` was
    linked to it) is followed from then on."""
    found: dict[Path, Path] = {}
    try:
        with os.scandir(folder) as listing:
            links = [Path(entry.path) for entry in listing
                     if entry.is_symlink() and not entry.name.startswith(".")]
    except OSError:
        return found
    for link in links:
        if link.exists():
            continue
        above = Path(os.path.realpath(link)).parent
        while not above.is_dir() and above != above.parent:
            above = above.parent
        if above.is_relative_to(root) and above != root:
            found[link] = above
    return found


def _visible_files(root: Path, folder: Path) -> Iterator[Path]:
    """Under ``folder`` (inside the course), every file whose name and folders' names do
    not start with a dot: an ordinary file as listed, a link only if ``confined`` allows
    where it leads."""
    return (path for path, is_folder in _visible(root, folder) if not is_folder)


def _visible(root: Path, folder: Path) -> Iterator[tuple[Path, bool]]:
    """What is under ``folder`` (inside the course) and visible, with whether it is a
    folder. A link to a folder is followed as the course's readers follow it, if it leads
    to a folder inside the course not gone through yet (each folder once, however many
    links lead to it: no loop, no blow-up); folders nested however deep are gone through
    one after another, not by recursion."""
    pending, seen = [folder], {folder.resolve()}
    while pending:
        try:
            with os.scandir(pending.pop()) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir():  # a folder, or a link to one
                    real, unusable = confined(root, path, folder=True)
                    if unusable is None and real not in seen:
                        seen.add(real)
                        pending.append(path)
                        yield path, True
                elif entry.is_file(follow_symlinks=False) or \
                        (entry.is_symlink() and confined(root, path)[1] is None):
                    yield path, False
            except OSError:
                continue
