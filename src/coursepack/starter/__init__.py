"""The example course ``coursepack init`` writes: small, and showing every feature once."""

from __future__ import annotations

import shutil
from pathlib import Path

from coursepack.errors import CoursepackError

STARTER = Path(__file__).resolve().parent / "course"


def write_starter(target: Path) -> list[Path]:
    """Copy the starter course into ``target``, which must be empty or new."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CoursepackError.single(
            f"{target} is not an empty folder",
            hint="give a new folder name, e.g. coursepack init my-course",
        )
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(STARTER.rglob("*")):
        if source.is_file() and not {"__pycache__", ".coursepack-cache"} & set(source.parts):
            dest = target / source.relative_to(STARTER)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            written.append(dest)
    return written
