"""Safeguarding scan: personal data that must not go out in a course.

Patterns, chosen to stay quiet on years, dates, page numbers and prices:

- e-mail addresses, except the domains reserved for examples (RFC 2606, RFC 6761):
  example.com/.org/.net and names ending in .example, .test, .invalid, .localhost;
- phone numbers in international form: a leading ``+`` or ``00``, then 8 to 15 digits
  (the E.164 maximum) separated by spaces, dots, dashes or brackets; or any number of
  7 or more digits after a label such as "tel:", "phone", "mobile", "WhatsApp";
- UNHCR file and individual numbers as printed on refugee documents: ``123-45C67890``
  (before 2021) and ``123-45-67890`` (since); proGres-style case numbers with a
  three-letter office code, ``ABC-12C34567``;
- any identifier of 5 or more digits after a label: "case no.", "case number:",
  "file number", "registration number", "individual ID", "passport no.", "ID:".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from coursepack.errors import Origin, Problem, warning
from coursepack.lint._content import course_texts
from coursepack.model import Course

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
RESERVED_DOMAIN = re.compile(
    r"(?:^|\.)(?:example\.(?:com|org|net)|[^.]+\.(?:example|test|invalid|localhost))$|^localhost$",
    re.IGNORECASE,
)
PHONE = re.compile(r"(?<![\w+])(?:\+|00)\d[\d \t\u00a0().-]{5,22}\d(?!\d)")
LABELLED_PHONE = re.compile(
    r"\b(?:tel|phone|mobile|cell|whatsapp)\b\.?(?:\s*(?:no\.?|number))?\s*[:#]?\s*"
    r"(\+?\d[\d \t().-]{5,18}\d)(?!\d)",
    re.IGNORECASE,
)
CASE_NUMBER = re.compile(r"(?<![\w-])(?:\d{3}-\d{2}[C-]\d{5}|[A-Z]{3}-\d{2}C\d{5})(?![\w-])")
LABELLED_ID = re.compile(
    r"\b(?:(?:case|file|registration|reference|passport)\s*(?:no\b\.?|nr\b\.?|number|#|id\b)"
    r"|individual\s+id|id)\s*[:#]?\s*([A-Z0-9][A-Z0-9/-]{4,})",
    re.IGNORECASE,
)


def find_personal_data(text: str) -> Iterator[tuple[str, str]]:
    """Each (kind, match) in the text that looks like personal data (all-zero placeholders pass)."""
    for kind, found in _candidates(text):
        if _digits(found).strip("0") or "@" in found:
            yield kind, found


def _candidates(text: str) -> Iterator[tuple[str, str]]:
    for m in EMAIL.finditer(text):
        if not RESERVED_DOMAIN.search(m.group(0).rsplit("@", 1)[1]):
            yield "an e-mail address", m.group(0)
    for m in PHONE.finditer(text):
        digits = _digits(m.group(0))
        if 8 <= len(digits.removeprefix("00") if m.group(0).startswith("00") else digits) <= 15:
            yield "a phone number", m.group(0).strip()
    for m in LABELLED_PHONE.finditer(text):
        if 7 <= len(_digits(m.group(1))) <= 15 and not PHONE.search(m.group(1)):
            yield "a phone number", m.group(1)
    for m in CASE_NUMBER.finditer(text):
        yield "a case or registration number", m.group(0)
    for m in LABELLED_ID.finditer(text):
        if len(_digits(m.group(1))) >= 5 and not CASE_NUMBER.search(m.group(1)):
            yield "an identity or case number", m.group(1)


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def masked(found: str) -> str:
    """Enough of a match to find it in the file, not enough to copy it from a log."""
    if len(found) <= 6:
        return found[0] + "…"
    return f"{found[:3]}…{found[-2:]}"


class Locator:
    """Finds the file line a text was written on, below its node's origin."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lines: dict[str, list[str]] = {}

    def find(self, origin: Origin | None, needle: str) -> Origin | None:
        if origin is None:
            return None
        lines = self._lines(origin.path)
        for number in range(max(origin.line, 1), len(lines) + 1):
            column = lines[number - 1].find(needle)
            if column >= 0:
                return Origin(origin.path, number, column + 1)
        return origin

    def _lines(self, relpath: str) -> list[str]:
        if relpath not in self.lines:
            try:
                text = (self.root / relpath).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            self.lines[relpath] = text.splitlines()
        return self.lines[relpath]


def personal_data(course: Course) -> Iterator[Problem]:
    """E-mail addresses, phone numbers and case numbers anywhere in the course text."""
    locator = Locator(course.root)
    for text, origin in course_texts(course):
        for kind, found in find_personal_data(text):
            yield warning(
                locator.find(origin, found),
                f"this looks like {kind} ({masked(found)}); a course must not carry "
                "personal data",
                hint="remove it or replace it with an invented example: name@example.org, "
                "+00 000 000 000, ABC-00C00000; if it is an office's public contact, "
                "disable the rule in course.yaml (lint: {disable: [personal-data]})",
                rule="personal-data",
            )


PERSONAL_RULES = {"personal-data": personal_data}
