"""The collected results as a CSV table a spreadsheet opens safely, and ``verify``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from coursepack.errors import CoursepackError, Origin
from coursepack.results import code as codes
from coursepack.results.collect import Row

COLUMNS = ("learner", "quiz", "attempt", "score_percent", "points", "max_points", "passed",
           "date", "code", "source")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """A text a spreadsheet shows as text: one starting like a formula gets a leading '."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_text(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([cell(row.learner), cell(row.quiz),
                         row.attempt if row.name_known or row.attempt < 15 else "15+",
                         f"{row.percent:g}", row.points, row.max_points,
                         "yes" if row.passed else "no", row.day.isoformat(), row.code,
                         cell(_place(row.source))])
    return out.getvalue()


def _place(origin: Origin) -> str:
    return f"{origin.path}:{origin.line}" if origin.line else origin.path


def find_in_table(path: Path, code: str) -> list[dict[str, str]]:
    """The rows of a collected table whose code is ``code`` (as typed)."""
    wanted = codes.normalised(code)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            found = [row for row in csv.DictReader(handle) if row.get("code") == wanted]
    except (UnicodeDecodeError, csv.Error):
        found = None
    if found is None or (found and not set(COLUMNS) <= set(found[0])):
        raise CoursepackError.single(f"{path} is not a table 'coursepack results collect' wrote",
                                     hint="collect the results again, or give the files")
    return found
