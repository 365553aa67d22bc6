"""The ten question types, each its own class, joined in ``Question``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import TypeAlias

from coursepack.errors import Origin
from coursepack.model.text import NO_TEXT, Asset, Markdown, assets_of


@dataclass(frozen=True, slots=True, kw_only=True)
class Feedback:
    """Feedback shown after an answer; every field is optional Markdown."""

    general: Markdown = NO_TEXT
    correct: Markdown = NO_TEXT
    partial: Markdown = NO_TEXT
    incorrect: Markdown = NO_TEXT


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRef:
    """Where a question's answer can be found: a quote checked against a source."""

    source: str
    quote: str = ""
    locator: str = ""
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionBase:
    """Fields every question type has."""

    id: str
    stem: Markdown
    title: str = ""
    points: float = 1.0
    objectives: tuple[str, ...] = ()
    feedback: Feedback = Feedback()
    hints: tuple[Markdown, ...] = ()
    source: SourceRef | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def scored(self) -> bool:
        return True

    @property
    def assets(self) -> tuple[Asset, ...]:
        """Every file the question's Markdown references, in any of its parts."""
        return assets_of(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    text: Markdown
    correct: bool = False
    feedback: Markdown = NO_TEXT
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SingleChoice(QuestionBase):
    choices: tuple[Choice, ...]

    @property
    def correct_index(self) -> int:
        return next(i for i, c in enumerate(self.choices) if c.correct)


class Scoring(Enum):
    ALL_OR_NOTHING = "all-or-nothing"
    PARTIAL = "partial"


@dataclass(frozen=True, slots=True, kw_only=True)
class MultipleResponse(QuestionBase):
    choices: tuple[Choice, ...]
    scoring: Scoring = Scoring.PARTIAL
    negative_marking: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TrueFalse(QuestionBase):
    answer: bool
    feedback_true: Markdown = NO_TEXT
    feedback_false: Markdown = NO_TEXT


@dataclass(frozen=True, slots=True, kw_only=True)
class ShortAnswer(QuestionBase):
    answers: tuple[str, ...]
    case_sensitive: bool = False


class Tolerance(Enum):
    EXACT = "exact"
    ABSOLUTE = "absolute"
    PERCENT = "percent"
    RANGE = "range"


@dataclass(frozen=True, slots=True, kw_only=True)
class NumericAnswer:
    """A number and how far from it an answer may be: exact, +-absolute, +-percent or a range."""

    mode: Tolerance
    value: float = 0.0
    tolerance: float = 0.0
    low: float = 0.0
    high: float = 0.0
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def bounds(self) -> tuple[float, float]:
        if self.mode is Tolerance.RANGE:
            return (self.low, self.high)
        if self.mode is Tolerance.PERCENT:
            margin = abs(self.value) * self.tolerance / 100
        elif self.mode is Tolerance.ABSOLUTE:
            margin = self.tolerance
        else:
            margin = 0.0
        return (self.value - margin, self.value + margin)

    @property
    def centre(self) -> float:
        low, high = self.bounds
        return (low + high) / 2

    @property
    def margin(self) -> float:
        low, high = self.bounds
        return (high - low) / 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Numeric(QuestionBase):
    answer: NumericAnswer
    unit: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Pair:
    """A prompt (Markdown) and the plain-text answer it matches."""

    prompt: Markdown
    match: str
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Matching(QuestionBase):
    pairs: tuple[Pair, ...]
    distractors: tuple[str, ...] = ()

    @property
    def answers(self) -> tuple[str, ...]:
        """Every answer a learner can pick, correct matches first."""
        return tuple(dict.fromkeys([p.match for p in self.pairs] + list(self.distractors)))


@dataclass(frozen=True, slots=True, kw_only=True)
class Ordering(QuestionBase):
    items: tuple[Markdown, ...]


class BlankKind(Enum):
    TEXT = "text"
    NUMERIC = "numeric"
    DROPDOWN = "dropdown"


@dataclass(frozen=True, slots=True, kw_only=True)
class Blank:
    """One gap in a fill-in-the-blanks text."""

    id: str
    kind: BlankKind
    answers: tuple[str, ...] = ()
    case_sensitive: bool = False
    numeric: NumericAnswer | None = None
    options: tuple[str, ...] = ()
    points: float = 1.0
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class FillBlanks(QuestionBase):
    """A text with several gaps, written ``[[id]]`` where each gap goes."""

    text: Markdown
    blanks: tuple[Blank, ...]

    def segments(self) -> Iterator[Markdown | Blank]:
        """The text split into Markdown pieces and the blanks between them, in order."""
        for segment in self._segments():
            yield segment if isinstance(segment, Blank) else self.text.part(segment)

    def _segments(self) -> Iterator[str | Blank]:
        by_id = {b.id: b for b in self.blanks}
        rest: str = self.text
        while "[[" in rest:
            head, _, tail = rest.partition("[[")
            name, sep, after = tail.partition("]]")
            if not sep or name.strip() not in by_id:
                yield head + "[["
                rest = tail
                continue
            yield head
            yield by_id[name.strip()]
            rest = after
        yield rest


@dataclass(frozen=True, slots=True, kw_only=True)
class Essay(QuestionBase):
    grader_notes: Markdown = NO_TEXT
    response_template: str = ""
    min_words: int = 0
    max_words: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Description(QuestionBase):
    """Text between questions; never scored."""

    points: float = 0.0

    @property
    def scored(self) -> bool:
        return False


Question: TypeAlias = (
    SingleChoice
    | MultipleResponse
    | TrueFalse
    | ShortAnswer
    | Numeric
    | Matching
    | Ordering
    | FillBlanks
    | Essay
    | Description
)

QUESTION_TYPES: dict[str, type[QuestionBase]] = {
    "single": SingleChoice,
    "multiple": MultipleResponse,
    "true-false": TrueFalse,
    "short-answer": ShortAnswer,
    "numeric": Numeric,
    "matching": Matching,
    "ordering": Ordering,
    "fill-blanks": FillBlanks,
    "essay": Essay,
    "description": Description,
}
"""The ``type:`` value of each question class, in the order the docs present them."""


def type_name(question: QuestionBase) -> str:
    """The spec's ``type:`` value for a question."""
    return next(k for k, v in QUESTION_TYPES.items() if type(question) is v)
