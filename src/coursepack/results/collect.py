"""Merging results files and short codes from many learners into one table.

Every input is checked on its own (damage, course and version, seal) and then against the
others (the same learner's same attempt twice); what fails is refused with its place and
reason, and the rest is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from coursepack.errors import Origin, Problem, error
from coursepack.results import code as codes
from coursepack.results.course import CourseRef
from coursepack.results.files import MAX_FILE_BYTES, Damaged, SavedResult, matches, read

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"


@dataclass(frozen=True)
class Row:
    """One attempt in the table; ``name_known`` is False for a code given without a name."""

    learner: str
    quiz: str
    attempt: int
    percent: float
    passed: bool
    day: date
    code: str
    source: Origin
    learner_tag: int
    name_known: bool = True
    points: str = ""
    max_points: str = ""
    statements: tuple[dict[str, Any], ...] = ()

    def same_attempt(self, other: Row) -> bool:
        """Both name the same learner's same attempt at the same quiz. A code without a name
        has only a tag of it, so there the day and score must agree too."""
        if (self.quiz, self.attempt) != (other.quiz, other.attempt):
            return False
        if self.name_known and other.name_known:
            return codes.learner_key(self.learner) == codes.learner_key(other.learner)
        return (self.learner_tag, self.day, whole(self.percent)) == (
            other.learner_tag, other.day, whole(other.percent))


@dataclass
class Collected:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, where: Origin, message: str, hint: str = "") -> None:
        self.problems.append(error(where, message, hint))


@dataclass(frozen=True)
class CodeEntry:
    """A code as a trainer wrote it down, with the learner's name when given."""

    text: str
    name: str
    where: Origin


def collect(files: Sequence[Path], entries: Sequence[CodeEntry],
            course: CourseRef | None) -> tuple[Collected, CourseRef | None]:
    """Every sound result of ``files`` and ``entries``; the course they are checked against
    is ``course``, or, without it, that of the first sound file."""
    found = Collected()
    for path in files:
        where = Origin(str(path))
        try:
            saved = read(path)
        except Damaged as exc:
            found.refuse(Origin(str(path), exc.line), f"refused: {exc}")
            continue
        except OSError as exc:
            found.refuse(where, f"refused: cannot read it ({exc.strerror})")
            continue
        course = course or CourseRef(saved.course_id, saved.version)
        _add(found, _file_row(saved, where, course))
    if entries and (course is None or not course.quizzes):
        found.refuse(entries[0].where, "refused: codes can be read only with the course",
                     "give the course folder with --course")
        return found, course
    for entry in entries:
        if course is not None:
            _add(found, _code_row(entry, course))
    return found, course


def _add(found: Collected, row: Row | tuple[Origin, str]) -> None:
    if isinstance(row, tuple):
        found.refuse(*row)
        return
    twin = next((r for r in found.rows if r.same_attempt(row)), None)
    if twin is not None:
        found.refuse(row.source, f"refused: the same attempt twice: {_who(row)} is also in "
                     f"{twin.source} (kept)", "keep one of the two")
        return
    ids = {s.get("id") for r in found.rows for s in r.statements}
    clash = next((s["id"] for s in row.statements if s.get("id") in ids), None)
    if clash is not None:
        found.refuse(row.source, f"refused: statement id {clash} is already in another file")
        return
    found.rows.append(row)


def _who(row: Row) -> str:
    return f"{row.learner}, quiz '{row.quiz}', attempt {row.attempt}"


def _file_row(saved: SavedResult, where: Origin, course: CourseRef) -> Row | tuple[Origin, str]:
    wrong = matches(saved, course)
    if wrong:
        return where, f"refused: {wrong}"
    row = Row(saved.learner, saved.quiz_id, saved.attempt, saved.percent, saved.passed,
              saved.finished.date(), saved.code, where, codes.learner_tag(saved.learner),
              points=_number(saved.score), max_points=_number(saved.max_score),
              statements=saved.statements)
    if course.quizzes and saved.code != _code_of(row, course):
        return where, "refused: its result code does not match its result: the file was edited"
    return row


def _code_of(row: Row, course: CourseRef) -> str:
    """The code the quiz page gave this result: none for a quiz past the 64th, or a day
    before 2025 or after 2069 (a laptop whose clock is wrong)."""
    fields = codes.CodeFields(course.tag, course.quiz_number(row.quiz), whole(row.percent),
                              row.passed, codes.day_number(row.day), row.attempt,
                              row.learner_tag)
    try:
        return codes.encode(fields, course.key)
    except codes.CodeError:
        return ""


def _number(value: float) -> str:
    return f"{value:g}"


def _code_row(entry: CodeEntry, course: CourseRef) -> Row | tuple[Origin, str]:
    try:
        fields = codes.decode(entry.text, course.key if _tag_ok(entry.text, course) else None)
    except codes.CodeError as exc:
        return entry.where, f"refused: code {codes.normalised(entry.text)}: {exc}"
    shown = codes.normalised(entry.text)
    if fields.course != course.tag:
        return entry.where, (f"refused: code {shown} is of another course or version, not "
                             f"'{course.id}' version {course.version}")
    if fields.quiz >= len(course.quizzes):
        return entry.where, f"refused: code {shown} names quiz number {fields.quiz + 1}, " \
                            f"and the course has {len(course.quizzes)}"
    if entry.name and codes.learner_tag(entry.name) != fields.learner:
        return entry.where, (f"refused: code {shown} was not made for the name "
                             f"'{entry.name}' (a typo in the name or the code?)")
    name = entry.name or f"learner #{fields.learner:03X}"
    return Row(name, course.quizzes[fields.quiz].id, fields.attempt, fields.percent,
               fields.passed, fields.date, shown, entry.where, fields.learner,
               name_known=bool(entry.name))


def _tag_ok(text: str, course: CourseRef) -> bool:
    """Whether the code is of this course (then its seal is checked; else its tag is named)."""
    try:
        return codes.decode(text, None).course == course.tag
    except codes.CodeError:
        return True


def read_code_list(path: Path) -> tuple[list[CodeEntry], list[Problem]]:
    """Codes a trainer typed into a text file: one a line, the learner's name after it;
    blank lines and lines starting with # are skipped."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return [], [error(Origin(str(path)), "refused: far too large for a list of codes")]
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [error(Origin(str(path)), "refused: not UTF-8 text")]
    entries: list[CodeEntry] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = Origin(str(path), number)
        if any((ord(c) < 32 and c != "\t") or 0x7F <= ord(c) <= 0x9F for c in line):
            problems.append(error(where, "refused: the line holds a control character"))
            continue
        entries.append(code_entry(line, where))
    return entries, problems


def code_entry(line: str, where: Origin) -> CodeEntry:
    """Split ``line`` into its code (13 symbols, spaces and hyphens between them allowed)
    and the name that follows."""
    taken, end = 0, len(line)
    for at, char in enumerate(line, 1):
        taken += char not in " -\t"
        if taken == 13:
            end = at
            break
    name = line[end:].strip(" \t,;:")
    return CodeEntry(line[:end].strip(), " ".join(name.split()), where)


def statements(rows: Iterable[Row], course: CourseRef) -> list[dict[str, Any]]:
    """The xAPI statements of every row: a file's own, and one made for each code."""
    out: list[dict[str, Any]] = []
    for row in rows:
        out.extend(row.statements if row.statements else [_code_statement(row, course)])
    return out


def _code_statement(row: Row, course: CourseRef) -> dict[str, Any]:
    quiz = course.quiz(row.quiz)
    verb = "passed" if row.passed else "failed"
    lang = course.language or "und"
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{course.iri}/codes/{row.code}")),
        "actor": {"objectType": "Agent", "name": row.learner,
                  "account": {"homePage": course.iri, "name": codes.learner_key(row.learner)}},
        "verb": {"id": ADL_VERBS + verb, "display": {"en": verb}},
        "object": {"objectType": "Activity", "id": f"{course.iri}/quiz/{quote(row.quiz, safe='')}",
                   "definition": {"name": {lang: quiz.title if quiz else row.quiz},
                                  "type": "http://adlnet.gov/expapi/activities/assessment"}},
        "result": {"score": {"scaled": row.percent / 100}, "success": row.passed,
                   "completion": True},
        "timestamp": datetime(row.day.year, row.day.month, row.day.day).isoformat() + "Z",
        "context": {"extensions": {f"{course.iri}/extensions/result-code": row.code}},
    }


def whole(percent: float) -> int:
    """The percent a code holds: rounded down, as ``results.js`` rounds it."""
    return int(percent + 1e-9)
