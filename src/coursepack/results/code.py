"""The short result code a learner reads out or types: 12 Crockford base32 symbols and a
check symbol, shown in groups of four (``D10C-J2Q4-9RQ1-*``). ``results.js`` makes the same
code in the browser; the layout below is the one both follow.

Bits, most significant first (60 in all): format version (2), course tag (8: the first byte
of the course's key, so a code of another course or version is refused), quiz number in
course.yaml's list (6), percent scored rounded down (7), passed (1), day of the attempt since
2025-01-01 (14), attempt number (4, 15 meaning "15 or more"), learner tag (10: from the name
typed, lower-cased), seal (8: a keyed hash of the 52 bits before it). The check symbol is
Crockford's (the value modulo 37), so one mistyped or two swapped symbols are caught.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
EPOCH = date(2025, 1, 1)
VERSION = 1
_FIELDS = (("version", 2), ("course", 8), ("quiz", 6), ("percent", 7), ("passed", 1),
           ("day", 14), ("attempt", 4), ("learner", 10))
_SEAL_BITS = 8
_SYMBOLS = 12
MAX_QUIZZES = 1 << 6
_READS_AS = {"O": "0", "I": "1", "L": "1"}


class CodeError(ValueError):
    """A code that cannot be read: its message says what is wrong with it."""


@dataclass(frozen=True)
class CodeFields:
    """What a code holds; ``course`` and ``learner`` are tags (hash bits), not names."""

    course: int
    quiz: int
    percent: int
    passed: bool
    day: int
    attempt: int
    learner: int

    @property
    def date(self) -> date:
        return EPOCH + timedelta(days=self.day)


def learner_key(name: str) -> str:
    """A typed name as it is compared: NFC, spaces trimmed and collapsed, lower case."""
    return " ".join(unicodedata.normalize("NFC", name).split()).lower()


def learner_tag(name: str) -> int:
    return int.from_bytes(hashlib.sha256(learner_key(name).encode()).digest()[:2]) >> 6


def day_number(when: date) -> int:
    return (when - EPOCH).days


def encode(fields: CodeFields, key: bytes) -> str:
    """The code of ``fields``, sealed with the course's ``key``."""
    value = 0
    values = {"version": VERSION, "course": fields.course, "quiz": fields.quiz,
              "percent": fields.percent, "passed": int(fields.passed), "day": fields.day,
              "attempt": min(fields.attempt, 15), "learner": fields.learner}
    for name, bits in _FIELDS:
        part = values[name]
        if not 0 <= part < (1 << bits):
            raise CodeError(f"{name} {part} does not fit in a result code")
        value = value << bits | part
    value = value << _SEAL_BITS | _seal(value, key)
    symbols = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(_SYMBOLS)))
    symbols += CHECK_ALPHABET[value % 37]
    return "-".join(symbols[i:i + 4] for i in range(0, len(symbols), 4))


def _seal(data: int, key: bytes) -> int:
    return hmac.new(key, f"{data:013x}".encode(), hashlib.sha256).digest()[0]


def normalised(text: str) -> str:
    """A code as typed (any case, spaces or hyphens, O for 0, I or L for 1), as printed."""
    symbols = "".join(_READS_AS.get(c, c) for c in text.upper() if c not in " -\t")
    return "-".join(symbols[i:i + 4] for i in range(0, len(symbols), 4))


def decode(text: str, key: bytes | None) -> CodeFields:
    """Read a code; ``key`` (the course's) checks its seal. Raises ``CodeError`` saying why."""
    symbols = normalised(text).replace("-", "")
    if len(symbols) != _SYMBOLS + 1:
        raise CodeError(f"a result code has {_SYMBOLS + 1} symbols, this one has {len(symbols)}")
    bad = [c for c in symbols[:-1] if c not in ALPHABET]
    if bad or symbols[-1] not in CHECK_ALPHABET:
        raise CodeError(f"'{(bad or [symbols[-1]])[0]}' is not a symbol of a result code")
    value = 0
    for c in symbols[:-1]:
        value = value << 5 | ALPHABET.index(c)
    if CHECK_ALPHABET[value % 37] != symbols[-1]:
        raise CodeError("its check symbol does not match: a symbol was mistyped or two swapped")
    data = value >> _SEAL_BITS
    parts: dict[str, int] = {}
    rest = data
    for name, bits in reversed(_FIELDS):
        parts[name] = rest & ((1 << bits) - 1)
        rest >>= bits
    if parts["version"] != VERSION:
        raise CodeError(f"it is a code of another format (version {parts['version']})")
    if key is not None and (value & 0xFF) != _seal(data, key):
        raise CodeError("its seal does not match this course: it was changed or made up")
    if parts["percent"] > 100:
        raise CodeError(f"its score ({parts['percent']}%) is over 100%")
    return CodeFields(parts["course"], parts["quiz"], parts["percent"], bool(parts["passed"]),
                      parts["day"], parts["attempt"], parts["learner"])
