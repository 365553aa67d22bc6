"""How problems are described: locations, severities and the one exception.

    Exception
    └── CoursepackError        carries every Problem found; the CLI prints them and exits 1

A ``Problem`` is a value: where (``Origin``), what (``message``), how bad (``severity``)
and how to fix it (``hint``). Nothing here prints or exits; the CLI renders.
"""

from __future__ import annotations

import difflib
import errno
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum


@dataclass(frozen=True, slots=True)
class Origin:
    """A place in a course file: path relative to the course folder, 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        path = printable(self.path)
        if not self.line:
            return path
        return f"{path}:{self.line}:{self.column or 1}"


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a course, in the gcc shape ``path:line:col: error: message``."""

    origin: Origin | None
    message: str
    severity: Severity = Severity.ERROR
    hint: str = ""
    rule: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def promoted(self) -> Problem:
        """The same problem as an error (``--strict``)."""
        return replace(self, severity=Severity.ERROR)

    def __str__(self) -> str:
        where = f"{self.origin}: " if self.origin else ""
        rule = f" [{self.rule}]" if self.rule else ""
        text = f"{where}{self.severity.value}: {_capped(printable(self.message))}{rule}"
        if self.hint:
            lines = _capped(self.hint).split("\n")
            text += "\n" + "\n".join(f"  hint: {printable(line)}" for line in lines)
        return text


# C0 and C1 controls (line breaks too), DEL, lone surrogates, bidirectional overrides: in a
# terminal they move the cursor, recolour or hide text, or reorder what follows.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_LONGEST_MESSAGE = 2000


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as an escape (``\\x1b``)."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def quoted(text: str, limit: int = 60) -> str:
    """A value from a course file as a message shows it: escaped, and cut after ``limit``
    characters, so that a message never prints a whole file."""
    text = printable(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _capped(text: str) -> str:
    """The last guard against a message that quotes too much of a file."""
    if len(text) <= _LONGEST_MESSAGE:
        return text
    return f"{text[:_LONGEST_MESSAGE]}... (message cut at {_LONGEST_MESSAGE:,} characters)"


def error(origin: Origin | None, message: str, hint: str = "") -> Problem:
    return Problem(origin, message, Severity.ERROR, hint)


def warning(origin: Origin | None, message: str, hint: str = "", rule: str = "") -> Problem:
    return Problem(origin, message, Severity.WARNING, hint, rule)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest of ``choices`` to a misspelt ``word``, or nothing."""
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def sort_key(problem: Problem) -> tuple[str, int, int]:
    origin = problem.origin or Origin("")
    return (origin.path, origin.line, origin.column)


class CoursepackError(Exception):
    """A course could not be loaded, checked or built; ``problems`` says why."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=sort_key))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, message: str, origin: Origin | None = None, hint: str = "") -> CoursepackError:
        return cls([error(origin, message, hint)])


_OS_HINTS = {
    errno.EACCES: "you may not write there: fix the folder's permissions or choose another one",
    errno.EPERM: "you may not write there: fix the folder's permissions or choose another one",
    errno.EROFS: "the disk is read-only (a locked USB stick, a read-only mount): choose a folder "
                 "on a writable disk",
    errno.ENOSPC: "the disk is full: free some space or choose a folder on another disk",
    errno.EDQUOT: "your disk quota is used up: free some space or choose a folder on another disk",
    errno.ENAMETOOLONG: "the path is too long for this disk: choose a folder with a shorter path",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another path",
    errno.EEXIST: "a file is in the way: move it or choose another path",
    errno.EISDIR: "a folder is in the way: move it or choose another path",
    errno.EBUSY: "another program is using it: close that program and try again",
    errno.EIO: "the disk reported a fault: check it and try again",
}


def os_error(exc: OSError, action: str, path: object = None, hint: str = "") -> Problem:
    """An error the operating system reported (a full disk, a read-only folder...) as a problem:
    ``cannot <action> <path>: <reason>``, with what to do about it."""
    where = path if path is not None else exc.filename
    reason = exc.strerror or type(exc).__name__
    code = errno.errorcode.get(exc.errno or 0)
    said = f"{reason} ({code})" if code else reason
    target = f" {where}" if where is not None else ""
    advice = "\n".join(h for h in (_OS_HINTS.get(exc.errno or 0, ""), hint) if h)
    return error(None, f"cannot {action}{target}: {said}", advice)
