"""What learners read: sources and quotes, lessons, objectives, facilitator notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coursepack.errors import Origin
from coursepack.model.text import NO_TEXT, Asset, Markdown, assets_of


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
    #: The file could not be read (already reported): nothing can be checked against it.
    unread: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """Words taken from a source, checked against it at build time: plain text, as the
    source has it (Markdown marks would never match the source)."""

    text: str
    source: str
    locator: str = ""
    note: str = ""
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyTerm:
    term: str
    definition: Markdown
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Objective:
    id: str
    text: Markdown
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Lesson:
    id: str
    title: str
    duration: int
    objectives: tuple[str, ...]
    body: Markdown
    summary: Markdown = NO_TEXT
    quotes: tuple[Quote, ...] = ()
    key_terms: tuple[KeyTerm, ...] = ()
    further_reading: tuple[Markdown, ...] = ()
    origin: Origin | None = field(default=None, compare=False, repr=False)

    @property
    def assets(self) -> tuple[Asset, ...]:
        """Every file the lesson's Markdown references (body, summary, terms, quotes...)."""
        return assets_of(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class Timing:
    activity: Markdown
    minutes: int
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    title: str
    situation: Markdown
    tasks: tuple[Markdown, ...] = ()
    debrief: Markdown = NO_TEXT
    minutes: int = 0
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class FacilitatorNotes:
    """What a trainer needs to run a module in a workshop."""

    timings: tuple[Timing, ...] = ()
    discussion_prompts: tuple[Markdown, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    notes: Markdown = NO_TEXT
    background: Markdown = NO_TEXT
