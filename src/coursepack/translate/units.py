"""The translatable texts of a course, each a ``Unit`` with a stable id, found by the types
of the model: every ``Markdown`` field and every plain ``str`` field that is words a
learner reads, in any model node (question types included, whatever their fields).

One walker serves both ways: ``units`` lists the texts, ``rewritten`` rebuilds the course
with each text replaced. A unit's id is ``<file>#<element>/<field path>``: the spec file
the element is written in (relative to the course), the id of the nearest course element
(course, module, lesson, objective, quiz, question), then field names, with list items
by their id when they have one and else by position (``m1-q03/choices/2/feedback``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_type_hints

from coursepack.errors import Origin
from coursepack.model import (
    Blank,
    BlankKind,
    Course,
    Lesson,
    Module,
    Objective,
    QuestionBase,
    Quiz,
    Quote,
    Section,
    Source,
    SourceRef,
)
from coursepack.model.text import Markdown

ELEMENTS = (Course, Module, Lesson, Objective, Quiz, QuestionBase)
"""Model nodes whose id starts a unit's element path (ids unique in their file or course)."""
NOT_TRANSLATED = (Quote, Source, SourceRef, Section)
"""Quotes and their sources stay in the language they are verified in; settings are code."""
NOT_TEXT = frozenset({"id", "language", "languages", "written_in", "version", "licence",
                      "authors", "module", "objectives", "source", "locator", "relpath"})
"""Plain ``str`` fields that are identifiers, references or metadata, not words to translate."""
HASH_LENGTH = 12


@dataclass(frozen=True, slots=True)
class Unit:
    """One translatable text: its stable id, the text, whether it is Markdown, and where."""

    id: str
    text: str
    markdown: bool
    origin: Origin

    @property
    def hash(self) -> str:
        return source_hash(self.text)


def source_hash(text: str) -> str:
    """The first hex digits of the SHA-256 of a source text: what a translation was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


Replace = Callable[[Unit], str]
"""Given a unit, the text to put in its place: its own text to keep it, a ``Markdown``
value (with its vetted assets) for a Markdown unit."""


@dataclass(frozen=True, slots=True)
class _Place:
    file: str
    path: str
    origin: Origin

    def below(self, name: str) -> _Place:
        return _Place(self.file, f"{self.path}/{name}", self.origin)


def units(course: Course) -> list[Unit]:
    """Every non-empty translatable text of ``course`` once, in the order of its files."""
    found: dict[str, Unit] = {}

    def keep(unit: Unit) -> str:
        found.setdefault(unit.id, unit)
        return unit.text

    rewritten(course, keep)
    return list(found.values())


def rewritten(course: Course, replace: Replace) -> Course:
    """``course`` with every translatable text replaced by ``replace``'s answer for it."""
    result = _node(course, _Place("course.yaml", "", Origin("course.yaml")), replace)
    assert isinstance(result, Course)
    return result


def _node(node: Any, place: _Place, replace: Replace) -> Any:
    if isinstance(node, NOT_TRANSLATED) or not dataclasses.is_dataclass(node):
        return node
    place = _entered(node, place)
    changes: dict[str, Any] = {}
    hints = _text_fields(type(node))  # type: ignore[arg-type]  # a model class
    for field in dataclasses.fields(node):
        if not field.compare or (field.name in NOT_TEXT and field.name in hints):
            continue
        if field.name == "answers" and isinstance(node, Blank) and node.kind is BlankKind.DROPDOWN:
            continue  # follows its option (below)
        value = getattr(node, field.name)
        new = _value(value, hints.get(field.name), place.below(field.name), replace)
        if new is not value:
            changes[field.name] = new
    if isinstance(node, Blank) and node.kind is BlankKind.DROPDOWN and "options" in changes:
        changes["answers"] = _dropdown_answers(node, changes["options"])
    return dataclasses.replace(node, **changes) if changes else node


def _entered(node: Any, place: _Place) -> _Place:
    origin = getattr(node, "origin", None) or place.origin
    if isinstance(node, ELEMENTS):
        return _Place(origin.path, node.id, origin)
    return _Place(place.file, place.path, origin)


def _value(value: Any, kind: type | None, place: _Place, replace: Replace) -> Any:
    if isinstance(value, Markdown) or (kind is str and isinstance(value, str)):
        return _text(value, place, replace)
    if isinstance(value, tuple):
        items = tuple(_value(item, kind, place.below(_item_name(item, i)), replace)
                      for i, item in enumerate(value))
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, str | int | float | bool | Path) or value is None:
        return value
    return _node(value, place, replace)


def _item_name(item: Any, index: int) -> str:
    """A list item's part of a unit id: its own id when it has one, else its position."""
    own = getattr(item, "id", None)
    return own if isinstance(own, str) and own else str(index)


def _text(value: str, place: _Place, replace: Replace) -> str:
    if not value.strip():
        return value
    origin = getattr(value, "origin", None) or place.origin
    unit = Unit(f"{place.file}#{place.path}", str(value), isinstance(value, Markdown), origin)
    new = replace(unit)
    if new is unit.text or (new == value and not isinstance(new, Markdown)):
        return value
    if isinstance(new, Markdown):
        return new
    return Markdown(new, (), origin) if isinstance(value, Markdown) else new


def _dropdown_answers(blank: Blank, options: tuple[str, ...]) -> tuple[str, ...]:
    """A dropdown's answer is one of its options: it follows that option's translation."""
    by_source = dict(zip(blank.options, options, strict=True))
    return tuple(by_source.get(answer, answer) for answer in blank.answers)


@cache
def _text_fields(cls: type) -> dict[str, type]:
    """Fields of a model class typed ``str`` or ``tuple[str, ...]`` (plain text), by name."""
    found: dict[str, type] = {}
    for name, hint in get_type_hints(cls).items():
        if hint is str or hint == tuple[str, ...]:
            found[name] = str
    return found
