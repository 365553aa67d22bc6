"""The example course ``coursepack init`` writes: small, and showing every feature once.

``course/`` is the English starter; ``course-<lang>/`` the same course written in another
language (``coursepack init --lang fr``), its example source text in that language too, so
that its quotes are checked word for word like the English ones.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from coursepack.errors import CoursepackError

STARTER = Path(__file__).resolve().parent / "course"


def starter_languages() -> tuple[str, ...]:
    """The languages the starter course is written in, English first."""
    others = sorted(p.name.removeprefix("course-") for p in STARTER.parent.glob("course-*")
                    if (p / "course.yaml").is_file())
    return ("en", *others)


def starter(language: str = "en") -> Path:
    """The folder of the starter course in ``language``, or a clear error naming those there are."""
    if language not in starter_languages():
        raise CoursepackError.single(
            f"there is no starter course in '{language}'",
            hint=f"starter languages: {', '.join(starter_languages())}; write the course in "
            "another language from one of them (coursepack init --lang fr)",
        )
    return STARTER if language == "en" else STARTER.parent / f"course-{language}"


def write_starter(target: Path, language: str = "en") -> list[Path]:
    """Copy the starter course in ``language`` into ``target``, which must be empty or new."""
    source = starter(language)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CoursepackError.single(
            f"{target} is not an empty folder",
            hint="give a new folder name, e.g. coursepack init my-course",
        )
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.rglob("*")):
        if path.is_file() and not {"__pycache__", ".coursepack-cache"} & set(path.parts):
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
            written.append(dest)
    return written
