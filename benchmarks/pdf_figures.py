"""Render figures for the PDF exporter: cold build, unchanged rebuild, one lesson changed.

Usage: python benchmarks/pdf_figures.py [COURSE_DIR]  (default: the bundled course, repo root)
Copies the course to a temporary folder, builds ``-f pdf`` three times and prints each
document's pages and size, and each build's wall time and rendered/reused counts.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from coursepack.build import build

REPO = Path(__file__).resolve().parents[1]
COURSE_PARTS = ("course.yaml", "modules", "quizzes", "sources")


def copy_course(source: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for part in COURSE_PARTS:
        origin = source / part
        if origin.is_dir():
            shutil.copytree(origin, target / part)
        elif origin.is_file():
            shutil.copy2(origin, target / part)
    return target


def timed_build(course: Path, out: Path) -> tuple[float, list[str]]:
    started = time.perf_counter()
    report = build(course, ["pdf"], out)
    return time.perf_counter() - started, report.built[0].notes


def change_one_lesson(course: Path) -> str:
    lesson = sorted((course / "modules").glob("*/*.yaml"))
    first = next(p for p in lesson if p.name != "module.yaml")
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("body: |\n", "body: |\n  (Revised.)\n\n", 1), encoding="utf-8")
    return first.relative_to(course).as_posix()


def document_table(folder: Path) -> list[str]:
    lines = [f"{'document':<58} {'pages':>5} {'KB':>8}"]
    for pdf in sorted(folder.rglob("*.pdf")):
        if any(part.startswith(".") for part in pdf.relative_to(folder).parts):
            continue  # the cached parts the course pack and handouts are made from
        pages = len(PdfReader(pdf).pages)
        size = pdf.stat().st_size / 1024
        lines.append(f"{pdf.relative_to(folder).as_posix():<58} {pages:>5} {size:>8.1f}")
    return lines


def main(source: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        course = copy_course(source, Path(tmp) / "course")
        out = Path(tmp) / "build"
        runs = [("cold build", *timed_build(course, out))]
        runs.append(("unchanged rebuild", *timed_build(course, out)))
        changed = change_one_lesson(course)
        runs.append((f"changed {changed}", *timed_build(course, out)))
        print(f"course: {source}  cores: {os.cpu_count()}")
        print("\n".join(document_table(out / "pdf")))
        for label, seconds, notes in runs:
            print(f"{label:<58} {seconds:6.2f} s  {'; '.join(notes)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else REPO)
