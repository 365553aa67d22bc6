"""Moodle's embedded-answers (cloze) syntax, shared by Moodle XML's multianswer questions:
each ``{weight:TYPE:=right#feedback~wrong}`` becomes a blank of a fill-blanks question.

Alternatives are read as qtype_multianswer reads them: split on ``~`` not after a
backslash, a leading ``=`` or ``%n%`` is the grade, ``#`` starts the feedback, HTML
entities are decoded, then ``\\}``, ``\\#``, ``\\~`` and ``\\/`` lose their backslash.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from coursepack.importers.text import plain

_TYPES = {
    "SHORTANSWER": "text", "SA": "text", "MW": "text",
    "SHORTANSWER_C": "text-case", "SAC": "text-case", "MWC": "text-case",
    "NUMERICAL": "numeric", "NM": "numeric",
}
for _mc in ("MULTICHOICE", "MC"):
    for _tail in ("", "_V", "_H", "_S", "_VS", "_HS", "V", "H", "S", "VS", "HS"):
        _TYPES[_mc + _tail] = "dropdown"
for _mr in ("MULTIRESPONSE", "MR"):
    for _tail in ("", "_H", "_S", "_HS", "H", "S", "HS"):
        _TYPES[_mr + _tail] = "multiresponse"

SUBQUESTION = re.compile(
    r"\{(?P<weight>[0-9]*):(?P<type>[A-Z_]+):(?P<body>(?:\\.|[^}\\])*)\}", re.S)
_ALTERNATIVE = re.compile(
    r"^(?P<grade>=|%-?[0-9]+(?:[.,][0-9]*)?%)?(?P<text>(?:\\.|[^#\\])*)(?:#(?P<fb>.*))?$", re.S)


class ClozeError(ValueError):
    """A sub-question the model cannot hold (several answers to tick, or unreadable)."""


@dataclass
class Cloze:
    html: str  # the text with a marker (CPIMPORTGAPnnnX) in each gap
    blanks: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def marker(index: int) -> str:
    return f"CPIMPORTGAP{index:03d}X"


def read_cloze(text: str) -> Cloze:
    cloze = Cloze("")

    def gap(match: re.Match[str]) -> str:
        kind = _TYPES.get(match.group("type"))
        if kind is None:
            return match.group(0)  # braces that are no sub-question stay text
        blank_id = f"b{len(cloze.blanks) + 1}"
        blank = _blank(blank_id, kind, match.group("body"), cloze.notes)
        blank["points"] = int(match.group("weight") or 1)
        cloze.blanks.append(blank)
        return marker(len(cloze.blanks) - 1)

    cloze.html = SUBQUESTION.sub(gap, text)
    if not cloze.blanks:
        raise ClozeError("it has no gaps")
    return cloze


def _alternatives(body: str) -> list[tuple[float, str, str]]:
    """(fraction, text, feedback) of each alternative, decoded."""
    found = []
    for raw in re.split(r"(?<!\\)~", body):
        match = _ALTERNATIVE.match(raw)
        if match is None:
            raise ClozeError(f"the alternative '{raw}' cannot be read")
        grade = match.group("grade") or ""
        fraction = 1.0 if grade == "=" else (
            float(grade.strip("%").replace(",", ".")) / 100 if grade else 0.0)
        found.append((fraction, _decode(match.group("text")), _decode(match.group("fb") or "")))
    return found


def _decode(text: str) -> str:
    decoded = html.unescape(text)
    return re.sub(r"\\([}#~/\"\\])", r"\1", decoded).strip()


def _blank(blank_id: str, kind: str, body: str, notes: list[str]) -> dict[str, Any]:
    if kind == "multiresponse":
        raise ClozeError("a gap with several answers to tick (MULTIRESPONSE), which a "
                         "fill-blanks question has no place for")
    alternatives = _alternatives(body)
    if any(fb for _, _, fb in alternatives):
        notes.append(f"gap {blank_id}: the feedback of its answers is left out (a blank has "
                     "none of its own)")
    right = [text for fraction, text, _ in alternatives if fraction >= 0.99999]
    partial = [text for fraction, text, _ in alternatives if 0 < fraction < 0.99999]
    if partial:
        notes.append(f"gap {blank_id}: answers worth part of its marks ({', '.join(partial)}) "
                     "are left out")
    if not right:
        raise ClozeError(f"gap {blank_id} has no fully correct answer")
    if kind == "numeric":
        value, _, tolerance = right[0].partition(":")
        try:
            number, margin = float(value), abs(float(tolerance or 0))
        except ValueError:
            raise ClozeError(f"gap {blank_id}: '{right[0]}' is not a number") from None
        blank: dict[str, Any] = {"id": blank_id, "type": "numeric", "answer": number}
        if margin:
            blank["tolerance"] = margin
        return blank
    if kind == "dropdown":
        options = [plain(text) for _, text, _ in alternatives]
        return {"id": blank_id, "type": "dropdown", "answer": plain(right[0]),
                "options": list(dict.fromkeys(options))}
    answers = []
    for text in right:
        if re.search(r"(?<!\\)\*", text):
            if text.strip() == "*":
                continue
            notes.append(f"gap {blank_id}: the answer '{text}' uses Moodle's wildcard '*'; it "
                         "is kept as a literal star")
        answers.append(text.replace("\\*", "*"))
    if not answers:
        raise ClozeError(f"gap {blank_id} accepts any text ('*')")
    blank = {"id": blank_id, "answers": answers}
    if kind == "text-case":
        blank["case_sensitive"] = True
    return blank


__all__ = ["Cloze", "ClozeError", "marker", "read_cloze"]
