"""Digests of what an output shows, for the formats that keep their pieces between builds.

A digest covers model values as they compare (not where they were read), images by
their content and template folders by their files' text. Two equal digests mean the
same thing is shown; anything that cannot be digested makes a digest that never repeats,
so its piece is always made again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from enum import Enum
from functools import lru_cache
from pathlib import Path

import jinja2
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coursepack import render
from coursepack.errors import CoursepackError
from coursepack.exporters.base import ExportContext, made_once
from coursepack.exporters.media import media_name
from coursepack.locale.own import own_messages
from coursepack.model import Course, Lesson, Module
from coursepack.model.text import Asset, Markdown


class Digest:
    """A SHA-256 over model values: dataclass fields that take part in comparison (not
    where a value was read), texts, numbers, images by content, YAML nodes."""

    def __init__(self, *values: object) -> None:
        self.hash = hashlib.sha256()
        for value in values:
            self.add(value)

    def hexdigest(self) -> str:
        return self.hash.hexdigest()

    def _text(self, tag: bytes, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        self.hash.update(tag + len(data).to_bytes(8, "big") + data)

    def add(self, value: object) -> None:
        kind = type(value)
        if kind is str:
            self._text(b"S", value)  # type: ignore[arg-type]
        elif kind is tuple or kind is list:
            self.hash.update(b"T" + len(value).to_bytes(8, "big"))  # type: ignore[arg-type]
            for item in value:  # type: ignore[attr-defined]
                self.add(item)
        elif kind is Markdown:
            self._text(b"M", value)  # type: ignore[arg-type]
            if value.assets:  # type: ignore[attr-defined]
                self.add(value.assets)  # type: ignore[attr-defined]
        elif value is None:
            self.hash.update(b"N")
        else:
            names = _compared(kind)  # type: ignore[arg-type]
            if names is not None:
                self._text(b"D", kind.__qualname__)
                for name in names:
                    self.add(getattr(value, name))
            else:
                self._other(value)

    def _other(self, value: object) -> None:
        if isinstance(value, Markdown):
            self._text(b"M", value)
            self.add(value.assets)
        elif isinstance(value, str):
            self._text(b"S", value)
        elif isinstance(value, (bool, int, float)):
            self._text(b"I", f"{type(value).__name__}:{value!r}")
        elif isinstance(value, Asset):
            self._text(b"A", value.ref)
            self._text(b"P", str(value.path))
            try:
                self._text(b"C", media_name(value.path))  # its content, by digest
            except OSError:
                self._text(b"C", "\0missing")
        elif isinstance(value, Enum):
            self._text(b"E", f"{type(value).__qualname__}.{value.name}")
        elif isinstance(value, Path):
            self._text(b"F", str(value))
        elif isinstance(value, (tuple, list)):
            self.hash.update(b"T" + len(value).to_bytes(8, "big"))
            for item in value:
                self.add(item)
        elif isinstance(value, dict):
            self.hash.update(b"D" + len(value).to_bytes(8, "big"))
            for key in sorted(value, key=repr):
                self.add(key)
                self.add(value[key])
        elif isinstance(value, Node):
            self._node(value)
        else:  # a value we cannot digest: this page is never taken over, always rendered
            self._text(b"X", os.urandom(16).hex())

    def _node(self, node: Node) -> None:
        self._text(b"Y", node.tag)
        if isinstance(node, ScalarNode):
            self._text(b"V", str(node.value))
        elif isinstance(node, (SequenceNode, MappingNode)):
            for item in node.value:
                if isinstance(item, tuple):
                    self._node(item[0])
                    self._node(item[1])
                else:
                    self._node(item)


@lru_cache(maxsize=256)
def _compared(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass that take part in comparison (not where it was read);
    None for any other type, and for an Asset (digested by its file's content)."""
    if kind is Asset or not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in dataclasses.fields(kind) if f.compare)


def digest(*values: object) -> str:
    return Digest(*values).hexdigest()


class LessonDigests:
    """The digest of each lesson of a build's course (``digest(lesson)``), made once for
    every format that keys what it keeps by it: the site's pages, the printed handouts
    (``lesson_digests``)."""

    def __init__(self) -> None:
        self._found: dict[int, tuple[Lesson, str]] = {}

    def __call__(self, lesson: Lesson) -> str:
        found = self._found.get(id(lesson))
        if found is None or found[0] is not lesson:
            found = lesson, digest(lesson)
            self._found[id(lesson)] = found
        return found[1]

    def digested(self, lesson: Lesson, found: str) -> None:
        """The digest of ``lesson``, made elsewhere (by a worker)."""
        self._found[id(lesson)] = lesson, found


def lesson_digests(ctx: ExportContext) -> LessonDigests:
    """The lesson digests of ``ctx``'s build, shared by its formats."""
    return made_once(ctx, "lesson digests", (ctx.course,), LessonDigests)


def course_fields(course: Course) -> str:
    """Everything of the course a page may show besides its modules and quizzes."""
    shown = [getattr(course, f.name) for f in dataclasses.fields(course)
             if f.compare and f.name not in ("modules", "quizzes")]
    return digest(shown, [(s.name, s.node) for s in course.sections])


def module_outline(module: Module) -> list[object]:
    """A module as an overview or a card of the shipped theme shows it: all but its
    lessons' bodies and its facilitator notes (which only the printed guide shows)."""
    own = [getattr(module, f.name) for f in dataclasses.fields(module)
           if f.compare and f.name not in ("lessons", "facilitator")]
    return [own, [(lesson.id, lesson.title, lesson.duration, lesson.summary)
                  for lesson in module.lessons]]


def shown_everywhere(env: jinja2.Environment, course: Course, *more: object) -> str:
    """What any page rendered from ``env``'s templates may show of ``course`` besides its
    own subject: the templates, the course's own fields and sources, its own interface
    words, and ``more``; with a course's own templates, which can show anything anywhere,
    the whole course. (coursepack's own catalogues count as its code.)"""
    custom = not isinstance(env, render.ThemeEnvironment)
    words = json.dumps(own_messages(course.root, course.language)[0], sort_keys=True)
    return digest(course_fields(course), templates(env), words, list(more),
                  course if custom else None)


def templates(env: jinja2.Environment) -> str:
    """The text of every file of the template folders the site is rendered from."""
    found = Digest()
    loader = env.loader
    if not isinstance(loader, render.ConfinedLoader):
        return os.urandom(16).hex()  # not ours: never take a page over
    for folder, inside in loader.folders:
        for path in sorted(folder.rglob("*")):
            found.add(path.relative_to(folder).as_posix())
            try:
                found.add(render.read_vetted(path, inside, str(path), limit=1 << 30)
                          .hex() if path.is_file() else "folder")
            except (CoursepackError, OSError):
                return os.urandom(16).hex()
    return found.hexdigest()


