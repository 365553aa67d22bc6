"""Results that come home without a network: the results files and short codes learners
bring from a quiz page, merged into one table (``coursepack results collect``), and the
codes of completion certificates checked against it (``coursepack results verify``).

The site's side is ``templates/html/static/results/results.js``; ``docs/results.md`` is the guide,
and says what a checksum can and cannot prove.
"""

from __future__ import annotations

from coursepack.results.code import CodeError, CodeFields, decode, encode, learner_key, normalised
from coursepack.results.collect import (
    CodeEntry,
    Collected,
    Row,
    code_entry,
    collect,
    read_code_list,
    statements,
)
from coursepack.results.course import CourseRef, QuizRef, course_iri, results_key, site_settings
from coursepack.results.files import MAX_FILE_BYTES, Damaged, SavedResult, checksum, read
from coursepack.results.table import COLUMNS, cell, csv_text, find_in_table

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "CodeEntry",
    "CodeError",
    "CodeFields",
    "Collected",
    "CourseRef",
    "Damaged",
    "QuizRef",
    "Row",
    "SavedResult",
    "cell",
    "checksum",
    "code_entry",
    "collect",
    "course_iri",
    "csv_text",
    "decode",
    "encode",
    "find_in_table",
    "learner_key",
    "normalised",
    "read",
    "read_code_list",
    "results_key",
    "site_settings",
    "statements",
]
