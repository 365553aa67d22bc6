"""What every bank reader gives back: quizzes of question mappings in the spec's shape,
blocks the model cannot hold (kept as comments), images and located warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from coursepack.errors import Origin, Problem, warning
from coursepack.importers.text import Media

Spec = dict[str, Any]
"""A question as its quiz file writes it (``type``, ``stem``, ``choices``...)."""


@dataclass
class Kept:
    """Something the model cannot hold, kept in the quiz file as a commented-out block."""

    why: str
    source: str
    origin: Origin


@dataclass
class Item:
    """One question of a bank, or a block kept as a comment; ``notes`` become comments above
    the question (what the source had that the question does not keep)."""

    spec: Spec | None
    origin: Origin
    kept: Kept | None = None
    notes: list[str] = field(default_factory=list)
    id_hint: str = ""  # the source's own id (Moodle idnumber, QTI identifier...)


@dataclass
class Group:
    """The questions of one category (Moodle, GIFT) or assessment (QTI): one quiz."""

    title: str
    items: list[Item] = field(default_factory=list)
    description: str = ""
    shuffle: bool | None = None


@dataclass
class Bank:
    """Everything read from one file."""

    name: str
    format: str
    groups: list[Group] = field(default_factory=list)
    media: Media = field(default_factory=Media)
    problems: list[Problem] = field(default_factory=list)

    def warn(self, origin: Origin, message: str, hint: str = "") -> None:
        self.problems.append(warning(origin, message, hint=hint, rule=f"import-{self.format}"))

    def group(self, title: str) -> Group:
        """The group titled ``title``, new at the end when there is none."""
        for group in self.groups:
            if group.title == title:
                return group
        self.groups.append(Group(title))
        return self.groups[-1]


class Reader(Protocol):
    """One bank format: ``detect`` looks at the content (never the file name), ``read``
    turns it into a ``Bank`` or raises a located ``CoursepackError``."""

    name: str
    label: str

    def detect(self, data: bytes) -> bool: ...

    def read(self, data: bytes, name: str) -> Bank: ...


__all__ = ["Bank", "Group", "Item", "Kept", "Reader", "Spec"]
