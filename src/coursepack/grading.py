"""How a learner's answer to one question is scored: the rules the quiz runtime also follows.

``templates/html/static/grading.js`` implements the same rules for the browser and both are
tested on one table of cases (``tests/grading_cases.json``). A response is a list of short
tokens, the same ones the runtime reports to an LMS:

- single / multiple choice: the ids of the chosen options (``choice_id``: "a", "b", ...);
- true-false: ``"true"`` or ``"false"``;
- short answer, numeric: the text typed (one token);
- matching: ``"<prompt id>.<answer id>"`` per prompt (``prompt_id`` "p1", "p2"...; ``match_id``
  "m1", "m2"... over ``Matching.answers``);
- ordering: item ids as placed (``item_id`` "i1", "i2"... in the author's, correct, order);
- fill-blanks: the text typed or chosen for each blank, in blank order;
- essay: the text written.

Rules (score is always between 0 and the question's points):

- multiple, partial scoring: each correct option chosen earns points / (number correct); with
  negative marking each wrong option chosen costs points / (number wrong), floored at 0 for
  the question. Without negative marking wrong choices cost nothing. All-or-nothing scoring
  gives the points only for exactly the correct set.
- text (short answer, text blanks): surrounding whitespace trimmed, inner runs of whitespace
  collapsed to one space, Unicode NFC; letter case ignored unless ``case_sensitive``.
- numbers: digits with an optional sign, decimal point (or a lone decimal comma) and
  exponent; accepted when within the answer's bounds (exact, +-absolute, +-percent, range),
  with a relative slack of 1e-9 for floating-point rounding.
- matching: partial credit per prompt matched correctly.
- ordering: partial credit by position: points x (items in their correct place) / items.
- fill-blanks: each blank's ``points`` is its weight: points x (weight of right blanks) /
  (weight of all blanks).
- essay: never auto-graded: 0 points and result ``pending`` until a person grades it; the
  runtime leaves essays out of the pass decision.
- description: not a question: 0 points, result ``neutral``.

``result`` is ``correct`` (fully right), ``partial`` (some credit), ``incorrect``,
``pending`` (essay) or ``neutral`` (description).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import assert_never

from coursepack.model import (
    Blank,
    BlankKind,
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    Question,
    Scoring,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)

_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def choice_id(index: int) -> str:
    """The short id of the option (or answer, or item) at ``index``: a..z, then o26, o27..."""
    return _LETTERS[index] if index < len(_LETTERS) else f"o{index}"


def prompt_id(index: int) -> str:
    """The short id of a matching prompt: "p1", "p2", ..."""
    return f"p{index + 1}"


def match_id(index: int) -> str:
    """The short id of an answer a matching prompt can take: "m1", "m2", ..."""
    return f"m{index + 1}"


def item_id(index: int) -> str:
    """The short id of an ordering item, numbered in the author's (correct) order: "i1", ..."""
    return f"i{index + 1}"


def normalise_text(text: str, case_sensitive: bool = False) -> str:
    """Text as compared: NFC, trimmed, inner whitespace collapsed, lower-cased unless asked."""
    collapsed = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return collapsed if case_sensitive else collapsed.lower()


def parse_number(text: str) -> float | None:
    """The number a learner typed, or None: "1.5", "-2", "1,5", "3e2" (no thousands separators)."""
    cleaned = text.strip()
    if "," in cleaned and "." not in cleaned and cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        return None
    return float(cleaned)


def number_accepted(answer: NumericAnswer, text: str) -> bool:
    """Whether ``text`` is a number within the answer's bounds."""
    value = parse_number(text)
    if value is None:
        return False
    low, high = answer.bounds
    slack = 1e-9 * max(1.0, abs(low), abs(high))
    return low - slack <= value <= high + slack


def _result(score: float, points: float, right: bool) -> tuple[float, str]:
    if right:
        return points, "correct"
    if score > 0:
        return score, "partial"
    return 0.0, "incorrect"


def _first(response: Sequence[str]) -> str:
    return response[0] if response else ""


def _single(q: SingleChoice, response: Sequence[str]) -> tuple[float, str]:
    right = list(response) == [choice_id(q.correct_index)]
    return _result(0.0, q.points, right)


def _multiple(q: MultipleResponse, response: Sequence[str]) -> tuple[float, str]:
    correct = {choice_id(i) for i, c in enumerate(q.choices) if c.correct}
    wrong = {choice_id(i) for i, c in enumerate(q.choices) if not c.correct}
    chosen = set(response)
    right = chosen == correct
    if q.scoring is Scoring.ALL_OR_NOTHING or right:
        return _result(0.0, q.points, right)
    score = q.points * len(chosen & correct) / len(correct)
    if q.negative_marking and wrong:
        score = score - q.points * len(chosen & wrong) / len(wrong)
    return _result(max(0.0, score), q.points, right)


def _short(q: ShortAnswer, response: Sequence[str]) -> tuple[float, str]:
    given = normalise_text(_first(response), q.case_sensitive)
    accepted = {normalise_text(a, q.case_sensitive) for a in q.answers}
    return _result(0.0, q.points, given != "" and given in accepted)


def _matching(q: Matching, response: Sequence[str]) -> tuple[float, str]:
    ids = {text: match_id(i) for i, text in enumerate(q.answers)}
    given = dict(token.partition(".")[::2] for token in response)
    hits = sum(given.get(prompt_id(i)) == ids[p.match] for i, p in enumerate(q.pairs))
    return _result(q.points * hits / len(q.pairs), q.points, hits == len(q.pairs))


def _ordering(q: Ordering, response: Sequence[str]) -> tuple[float, str]:
    correct = [item_id(i) for i in range(len(q.items))]
    hits = sum(a == b for a, b in zip(response, correct, strict=False))
    right = list(response) == correct
    return _result(q.points * hits / len(correct), q.points, right)


def blank_accepted(blank: Blank, text: str) -> bool:
    """Whether one blank of a fill-blanks question is filled correctly."""
    if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
        return number_accepted(blank.numeric, text)
    if blank.kind is BlankKind.DROPDOWN:
        return text == blank.answers[0]
    given = normalise_text(text, blank.case_sensitive)
    return given != "" and given in {normalise_text(a, blank.case_sensitive) for a in blank.answers}


def _blanks(q: FillBlanks, response: Sequence[str]) -> tuple[float, str]:
    texts = list(response) + [""] * len(q.blanks)
    right = [blank_accepted(b, texts[i]) for i, b in enumerate(q.blanks)]
    total = sum(b.points for b in q.blanks)
    earned = sum(b.points for b, ok in zip(q.blanks, right, strict=True) if ok)
    score = q.points * earned / total if total > 0 else 0.0
    return _result(score, q.points, all(right))


def grade(question: Question, response: Sequence[str]) -> tuple[float, str]:
    """The score (0..points) and result of one response to one question."""
    match question:
        case SingleChoice():
            return _single(question, response)
        case MultipleResponse():
            return _multiple(question, response)
        case TrueFalse():
            expected = "true" if question.answer else "false"
            return _result(0.0, question.points, list(response) == [expected])
        case ShortAnswer():
            return _short(question, response)
        case Numeric():
            return _result(0.0, question.points, number_accepted(question.answer, _first(response)))
        case Matching():
            return _matching(question, response)
        case Ordering():
            return _ordering(question, response)
        case FillBlanks():
            return _blanks(question, response)
        case Essay():
            return 0.0, "pending"
        case Description():
            return 0.0, "neutral"
        case _:
            assert_never(question)
