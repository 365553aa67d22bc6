"""The course as immutable values: no YAML, no HTML, no output paths.

Every node carries an optional ``origin`` (file, line, column) so that checks and
exporters can point an author at the spec line a problem comes from. Origins are
excluded from equality so that two identical courses compare equal wherever they
were read from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TypeAlias

from coursepack.errors import Origin


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A text the course draws on; quotes must be found in it verbatim."""

    id: str
    path: Path
    relpath: str
    text: str
    title: str
    author: str = ""
    published: str = ""
    publisher: str = ""
    url: str = ""
    note: str = ""
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """Words taken from a source, checked against it at build time."""

    text: str
    source: str
    locator: str = ""
    note: str = ""
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyTerm:
    term: str
    definition: str
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    """A file a Markdown body refers to, resolved inside the course folder."""

    ref: str
    path: Path
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Objective:
    id: str
    text: str
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Lesson:
    id: str
    title: str
    duration: int
    objectives: tuple[str, ...]
    body: str
    summary: str = ""
    quotes: tuple[Quote, ...] = ()
    key_terms: tuple[KeyTerm, ...] = ()
    assets: tuple[Asset, ...] = ()
    further_reading: tuple[str, ...] = ()
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Timing:
    activity: str
    minutes: int
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    title: str
    situation: str
    tasks: tuple[str, ...] = ()
    debrief: str = ""
    minutes: int = 0
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class FacilitatorNotes:
    """What a trainer needs to run a module in a workshop."""

    timings: tuple[Timing, ...] = ()
    discussion_prompts: tuple[str, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    notes: str = ""
    background: str = ""


# --- questions -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Feedback:
    """Feedback shown after an answer; every field is optional Markdown."""

    general: str = ""
    correct: str = ""
    partial: str = ""
    incorrect: str = ""


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
    stem: str
    title: str = ""
    points: float = 1.0
    objectives: tuple[str, ...] = ()
    feedback: Feedback = Feedback()
    hints: tuple[str, ...] = ()
    source: SourceRef | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def scored(self) -> bool:
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    text: str
    correct: bool = False
    feedback: str = ""
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
    feedback_true: str = ""
    feedback_false: str = ""


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
    prompt: str
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
    items: tuple[str, ...]


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

    text: str
    blanks: tuple[Blank, ...]

    def segments(self) -> Iterator[str | Blank]:
        """The text split into literal strings and the blanks between them, in order."""
        by_id = {b.id: b for b in self.blanks}
        rest = self.text
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
    grader_notes: str = ""
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


# --- quizzes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class QuizSettings:
    pass_mark: float = 70.0
    attempts: int = 0
    shuffle_questions: bool = False
    shuffle_options: bool = False
    show_feedback: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Pool:
    """Pick ``pick`` questions at random from ``questions``, each worth ``points`` if set."""

    id: str
    pick: int
    questions: tuple[Question, ...]
    points: float | None = None
    title: str = ""
    origin: Origin | None = field(default=None, compare=False, repr=False)

    def points_of(self, question: Question) -> float:
        return question.points if self.points is None else self.points

    @property
    def max_points(self) -> float:
        """Points on offer, which is only well defined when every question is worth the same."""
        if self.points is not None:
            return self.points * self.pick
        scored = sorted((q.points for q in self.questions if q.scored), reverse=True)
        return sum(scored[: self.pick])


@dataclass(frozen=True, slots=True, kw_only=True)
class Quiz:
    id: str
    title: str
    settings: QuizSettings
    questions: tuple[Question, ...] = ()
    pools: tuple[Pool, ...] = ()
    module: str = ""
    description: str = ""
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def max_points(self) -> float:
        fixed = sum(q.points for q in self.questions if q.scored)
        return fixed + sum(p.max_points for p in self.pools)

    def all_questions(self) -> tuple[Question, ...]:
        """Fixed questions first, then every question of every pool."""
        pooled = tuple(q for p in self.pools for q in p.questions)
        return self.questions + pooled


@dataclass(frozen=True, slots=True, kw_only=True)
class Module:
    id: str
    title: str
    objectives: tuple[Objective, ...]
    lessons: tuple[Lesson, ...]
    description: str = ""
    facilitator: FacilitatorNotes = FacilitatorNotes()
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def duration(self) -> int:
        return sum(lesson.duration for lesson in self.lessons)


class PaperSize(Enum):
    A4 = "A4"
    LETTER = "Letter"


class ScoPer(Enum):
    MODULE = "module"
    COURSE = "course"


@dataclass(frozen=True, slots=True, kw_only=True)
class Course:
    id: str
    title: str
    language: str
    version: str
    root: Path
    modules: tuple[Module, ...]
    quizzes: tuple[Quiz, ...] = ()
    sources: tuple[Source, ...] = ()
    authors: tuple[str, ...] = ()
    licence: str = ""
    description: str = ""
    paper: PaperSize = PaperSize.A4
    sco_per: ScoPer = ScoPer.MODULE
    moodle_core_types_only: bool = False
    quiz_defaults: QuizSettings = QuizSettings()
    lint_off: tuple[str, ...] = ()
    origin: Origin | None = field(default=None, compare=False, repr=False)

    def lessons(self) -> Iterator[tuple[Module, Lesson]]:
        for module in self.modules:
            for lesson in module.lessons:
                yield module, lesson

    def objectives(self) -> Iterator[Objective]:
        for module in self.modules:
            yield from module.objectives

    def module_quizzes(self, module: Module) -> tuple[Quiz, ...]:
        return tuple(q for q in self.quizzes if q.module == module.id)

    def standalone_quizzes(self) -> tuple[Quiz, ...]:
        return tuple(q for q in self.quizzes if not q.module)

    def questions(self) -> Iterator[tuple[Quiz, Question]]:
        """Every distinct question once, with the quiz that defines it."""
        seen: set[str] = set()
        for quiz in self.quizzes:
            for question in quiz.all_questions():
                if question.id not in seen:
                    seen.add(question.id)
                    yield quiz, question

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    def glossary(self) -> tuple[KeyTerm, ...]:
        """Key terms of every lesson, first definition wins, sorted case-insensitively."""
        terms: dict[str, KeyTerm] = {}
        for _, lesson in self.lessons():
            for term in lesson.key_terms:
                terms.setdefault(term.term.casefold(), term)
        return tuple(terms[k] for k in sorted(terms))

    @property
    def duration(self) -> int:
        return sum(m.duration for m in self.modules)
