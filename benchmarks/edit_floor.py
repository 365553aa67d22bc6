"""What a rebuild after one edited lesson cannot do without, each timed in this fresh process.

Usage: python benchmarks/edit_floor.py COURSE_DIR COURSE_PACK_PDF
Prints JSON: seconds for WeasyPrint made ready as a PDF worker makes it (imported, fonts
configured; coursepack's own modules are imported first and not counted, as a forked
worker has them), the first and a second rendering of the middle lesson's part (the one
``suites.edit_lesson`` edits), and writing the course pack as the assembly writes it (its
objects in memory, as the joined parts have them).

Whatever else a one-off build does, its last step writes the pack, which holds the lesson
rendered by a process that had to make WeasyPrint ready first: started as early as it
could be, such a build takes at least an interpreter's start plus these, one after another.
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf

from coursepack.build import validate
from coursepack.cache import Cache
from coursepack.exporters.pdf import pack, pdf_bytes, pool
from coursepack.exporters.pdf.documents import Documents, PaperSize
from coursepack.exporters.pdf.jobs import JobMaker, version


def middle_lesson_job(root: Path) -> pool.Job:
    """The render job of the middle lesson's part, as the PDF exporter makes it."""
    course = validate(root, ["pdf"], False).course
    docs = Documents(course, version("coursepack"), PaperSize.A4, Cache(None))
    lessons = [part for part in pack.sections(docs) if part.level == 1]
    middle = lessons[len(lessons) // 2]
    return JobMaker(docs, root).part(middle.document, middle.key)


def seconds(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def main() -> None:
    root, made = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    job = middle_lesson_job(root)
    found = {"lesson": job.label,
             "weasyprint_ready": seconds(pool.start_worker),
             "first_render": seconds(lambda: pool.render(job)),
             "second_render": seconds(lambda: pool.render(job))}
    with pikepdf.open(io.BytesIO(made.read_bytes())) as pdf:
        pdf_bytes.save(pdf)  # reads every object: then they are in memory, as a join has them
        found["pack_write"] = min(seconds(lambda: pdf_bytes.save(pdf)) for _ in range(3))
    print(json.dumps(found))


if __name__ == "__main__":
    main()
