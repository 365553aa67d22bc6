"""Quizzes and pools, modules, and the course that holds them all."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from coursepack.errors import Origin
from coursepack.model.content import FacilitatorNotes, KeyTerm, Lesson, Objective, Source
from coursepack.model.questions import Question
from coursepack.model.text import NO_TEXT, Asset, Markdown, assets_of


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
    description: Markdown = NO_TEXT
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
    description: Markdown = NO_TEXT
    facilitator: FacilitatorNotes = field(default_factory=FacilitatorNotes)
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def duration(self) -> int:
        return sum(lesson.duration for lesson in self.lessons)


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A top-level field of course.yaml that is not the course's own: the settings of one
    output format or of the lint, kept as read for whatever owns ``name`` to read and check.

    ``node`` is the field as a one-field YAML mapping (a PyYAML node: the model never looks
    inside), ``origin`` where its key is.
    """

    name: str
    node: object = field(compare=False, repr=False)
    origin: Origin = field(compare=False, repr=False)


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
    description: Markdown = NO_TEXT
    quiz_defaults: QuizSettings = QuizSettings()
    languages: tuple[str, ...] = ()
    """Every language the course is built in (``languages:``), its own first; empty: only
    its own."""
    sections: tuple[Section, ...] = ()
    """The top-level fields the course does not know, for the formats and the lint."""
    written_in: str = ""
    """The language the course was written in, when this is a translation of it: its quotes
    and sources stay in that language. Empty: the course is in its own language."""
    origin: Origin | None = field(default=None, compare=False, repr=False)
    read: Mapping[Path, bytes] = field(default_factory=dict, compare=False, repr=False)
    """The SHA-256 of each file the course was loaded from, of the bytes the loader read:
    what a build records its output was made from is what it read, even when a file is
    saved again while the course loads."""

    def quotes_language(self) -> str:
        """The language of the quotes and of the sources they come from."""
        return self.written_in or self.language

    def section(self, name: str) -> Section | None:
        return next((s for s in self.sections if s.name == name), None)

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

    def assets(self) -> tuple[Asset, ...]:
        """Every file any Markdown of the course references, once per (ref, file)."""
        return assets_of((self.description, self.modules, self.quizzes))
