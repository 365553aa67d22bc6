"""Where a course keeps its files: those a build reads, so those whose change calls for one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from coursepack.confinement import confined

COURSE_FILE = "course.yaml"
COURSE_FOLDERS = ("modules", "quizzes", "sources", "templates", "translations")
"""Folders of a course whose files feed a build."""


def course_files(root: Path) -> Iterator[Path]:
    """The course file and every visible file under the course folders that the course may
    read (inside it once links are followed, an ordinary file)."""
    root = root.resolve()
    course = root / COURSE_FILE
    if course.is_file():
        yield course
    for name in COURSE_FOLDERS:
        for path in sorted((root / name).rglob("*")):
            hidden = any(p.startswith(".") for p in path.relative_to(root).parts)
            if not hidden and confined(root, path)[1] is None:
                yield path
