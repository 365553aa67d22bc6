"""What learners read: sources and quotes, lessons, objectives, facilitator notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
