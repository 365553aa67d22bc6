"""Reading one results file a learner saved, refusing it with a reason if it is damaged.

A results file is UTF-8 JSON (``docs/results.md`` shows one). Its ``checksum`` is a keyed
SHA-256 (HMAC) of every other field written canonically: keys sorted, no spaces, non-ASCII
as it is; ``results.js`` writes it the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from coursepack.results.course import FORMAT, FORMAT_VERSION, CourseRef, results_key

MAX_FILE_BYTES = 2_000_000
"""A quiz's results are a few kilobytes; a file far larger is not one."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CHECKSUM = re.compile(r"hmac-sha256:([0-9a-f]{64})")
_MAX_NAME = 200
_DEEPEST = 40  # a results file nests about 8 deep


class Damaged(ValueError):
    """A file that is not a sound results file: the message says what is wrong and where."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class SavedResult:
    """One quiz attempt as a learner's results file holds it."""

    course_id: str
    version: str
    quiz_id: str
    learner: str
    attempt: int
    score: float
    max_score: float
    percent: float
    passed: bool
    finished: datetime
    code: str
    statements: tuple[dict[str, Any], ...]


def canonical(value: object) -> bytes:
    """``value`` as the quiz page writes it for the checksum: JSON with keys sorted, no spaces,
    non-ASCII as it is, and numbers as JavaScript writes them."""
    return _canonical(value).encode("utf-8")


def _canonical(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _canonical(value[k])
                              for k in sorted(value)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, float):
        return js_number(value)
    return json.dumps(value, ensure_ascii=False)


def js_number(value: float) -> str:
    """A finite float as JavaScript's ``String(value)`` writes it: the same shortest digits
    as Python's repr, placed by ECMAScript's rules (``0.00005`` where Python writes
    ``5e-05``, ``1e-7`` for ``1e-07``)."""
    if value == 0:
        return "0"
    _, figures, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, figures))
    k, n = len(digits), int(exponent) + len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        text = f"{mantissa}e{'+' if n > 0 else '-'}{abs(n - 1)}"
    return ("-" if value < 0 else "") + text


def checksum(data: dict[str, Any], key: bytes) -> str:
    body = {k: v for k, v in data.items() if k != "checksum"}
    return "hmac-sha256:" + hmac.new(key, canonical(body), hashlib.sha256).hexdigest()


def read(path: Path) -> SavedResult:
    """The result ``path`` holds; raises ``Damaged`` naming what is wrong."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Damaged(f"the file is {size:,} bytes, far more than a results file "
                      f"(at most {MAX_FILE_BYTES:,})")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise Damaged("the file is not UTF-8 text: it is damaged or not a results file",
                      line) from None
    data = parse(text)
    return checked(data)


def parse(text: str) -> dict[str, Any]:
    def no_constant(name: str) -> None:
        raise Damaged(f"'{name}' is not a number JSON allows")

    try:
        data = json.loads(text, parse_constant=no_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise Damaged(f"not valid JSON ({exc.msg}, column {exc.colno}): the file is damaged "
                      "or cut short", exc.lineno) from None
    except RecursionError:
        raise Damaged("its JSON is nested far too deeply for a results file") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise Damaged(f"not a coursepack results file (no \"format\": \"{FORMAT}\")")
    if data.get("formatVersion") != FORMAT_VERSION:
        raise Damaged(f"a results file of format version {data.get('formatVersion')!r}; this "
                      f"coursepack reads version {FORMAT_VERSION}")
    _no_controls(data, "")
    return data


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise Damaged(f"the field '{key}' is given twice")
        found[key] = value
    return found


def _no_controls(value: object, where: str, depth: int = 0) -> None:
    if depth > _DEEPEST:
        raise Damaged("its JSON is nested far too deeply for a results file")
    if isinstance(value, str) and _CONTROL.search(value):
        raise Damaged(f"{where or 'a value'}: holds a control character")
    if isinstance(value, dict):
        for key, item in value.items():
            _no_controls(key, where, depth)
            _no_controls(item, f"{where}.{key}".lstrip("."), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _no_controls(item, f"{where}[{i}]", depth + 1)


def _field(data: dict[str, Any], path: str, kind: type | tuple[type, ...]) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise Damaged(f"the field '{path}' is missing")
        value = value[part]
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
        raise Damaged(f"the field '{path}' has the wrong kind of value ({json.dumps(value)[:40]})")
    if isinstance(value, float) and not math.isfinite(value):
        raise Damaged(f"the field '{path}' is not a finite number")
    return value


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def checked(data: dict[str, Any]) -> SavedResult:
    """The result of parsed ``data``, once its checksum and fields hold."""
    course_id = _field(data, "course.id", str)
    version = _field(data, "course.version", str)
    sealed = _field(data, "checksum", str)
    if not _CHECKSUM.fullmatch(sealed):
        raise Damaged("the field 'checksum' is not 'hmac-sha256:' and 64 hexadecimal digits")
    if not hmac.compare_digest(sealed, checksum(data, results_key(course_id, version))):
        raise Damaged("its checksum does not match its content: the file was changed after it "
                      "was saved, or damaged on the way")
    name = _field(data, "learner.name", str)
    if not name.strip() or len(name) > _MAX_NAME or _NAME_CONTROL.search(name):
        raise Damaged(f"the learner's name must be 1 to {_MAX_NAME} printable characters")
    number = (int, float)
    result = SavedResult(
        course_id=course_id, version=version, quiz_id=_field(data, "quiz.id", str),
        learner=name, attempt=_field(data, "attempt", int),
        score=_field(data, "result.score", number),
        max_score=_field(data, "result.maxScore", number),
        percent=_field(data, "result.percent", number),
        passed=_field(data, "result.passed", bool),
        finished=_timestamp(_field(data, "finished", str)), code=_field(data, "code", str),
        statements=tuple(_statements(_field(data, "statements", list))))
    _consistent(result)
    return result


def _timestamp(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise Damaged(f"the field 'finished' is not a date and time ({text[:40]})") from None
    if when.tzinfo is None:
        raise Damaged("the field 'finished' has no time zone")
    return when.astimezone(UTC)


def _statements(items: list[Any]) -> list[dict[str, Any]]:
    for i, item in enumerate(items):
        if not (isinstance(item, dict) and isinstance(item.get("id"), str)
                and all(isinstance(item.get(k), dict) for k in ("actor", "verb", "object"))):
            raise Damaged(f"statements[{i}] is not an xAPI statement (needs an id, and an "
                          "actor, verb and object)")
    return items


def _consistent(result: SavedResult) -> None:
    if result.attempt < 1:
        raise Damaged(f"the field 'attempt' must be 1 or more, not {result.attempt}")
    if not 0 <= result.score <= result.max_score:
        raise Damaged(f"a score of {result.score} out of {result.max_score} cannot be")
    percent = result.score / result.max_score * 100 if result.max_score else 0
    if abs(percent - result.percent) > 0.01:
        raise Damaged(f"its percent ({result.percent}) is not its score "
                      f"({result.score} of {result.max_score})")


def matches(result: SavedResult, course: CourseRef) -> str:
    """Why ``result`` is not of ``course`` (another course, another version), or ''."""
    if result.course_id != course.id:
        return f"it is from another course ('{result.course_id}', not '{course.id}')"
    if result.version != course.version:
        return (f"it is from version {result.version} of the course; these results are for "
                f"version {course.version}")
    if course.quizzes and course.quiz(result.quiz_id) is None:
        return f"the course has no quiz '{result.quiz_id}'"
    return ""
