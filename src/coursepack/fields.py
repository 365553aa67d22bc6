"""A cursor over one YAML mapping that records a located problem for every bad field.

Readers ask for each field they know (``fields.text("title")``); whatever was never
asked for is an unknown key, reported with a did-you-mean hint by ``finish()``.
Nothing raises: each failure becomes a ``Problem`` and a safe default, so one run
reports every problem in every file.

The loader reads the spec files with it; a format (or the lint) reads its own settings
with it, from the top-level field of course.yaml it owns (``HasSettings``, ``setting``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coursepack._yaml import origin_of
from coursepack.errors import Origin, Problem, did_you_mean, error, quoted
from coursepack.model import Asset, Course, Markdown
from coursepack.model.ids import id_problem, suggested_id

E = TypeVar("E", bound=Enum)
T = TypeVar("T")
Resolve = Callable[[str, Node, str], tuple[list[Asset], list[Problem]]]
"""(relpath, node, Markdown text) -> the files its images reference, and what is wrong."""
_NULL_TAG = "tag:yaml.org,2002:null"
_KIND_OF = {MappingNode: "a mapping", SequenceNode: "a list", ScalarNode: "a single value"}


def describe(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return "nothing" if node.tag == _NULL_TAG else f"'{quoted(str(node.value))}'"
    return _KIND_OF.get(type(node), "a value")


# C0 controls but tab and line breaks, DEL, C1 controls, lone surrogates, non-characters:
# no XML format can carry them and no author means them.
UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


_LARGEST = 1e15  # beyond this no float holds every digit a tolerance or a mark needs


class Sink:
    """Where problems of one load go; ``resolve`` finds the files Markdown images refer to
    (the loader's, for the course folder; none: Markdown is kept without its files)."""

    def __init__(self, resolve: Resolve | None = None) -> None:
        self.problems: list[Problem] = []
        self.resolve = resolve

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)


class Fields:
    """The fields of one YAML mapping, read one by one with their types checked."""

    def __init__(self, node: Node, relpath: str, sink: Sink, what: str) -> None:
        self.node = node
        self.relpath = relpath
        self.sink = sink
        self.what = what
        self.asked: list[str] = []
        self.items: dict[str, tuple[Node, Node]] = {}
        self.valid = isinstance(node, MappingNode)
        if isinstance(node, MappingNode):
            self.items = {str(k.value): (k, v) for k, v in node.value}
        else:
            self.fail(node, f"{what} must be a mapping of fields, got {describe(node)}")

    @property
    def origin(self) -> Origin:
        return origin_of(self.relpath, self.node)

    def at(self, node: Node) -> Origin:
        return origin_of(self.relpath, node)

    def fail(self, node: Node, message: str, hint: str = "") -> None:
        self.sink.add(error(self.at(node), message, hint))

    def has(self, key: str) -> bool:
        return key in self.items and not _is_null(self.items[key][1])

    def value_node(self, key: str, required: bool) -> Node | None:
        self.asked.append(key)
        if key in self.items and not _is_null(self.items[key][1]):
            return self.items[key][1]
        if required and self.valid:
            where = self.items[key][0] if key in self.items else self.node
            self.fail(
                where,
                f"missing required field '{key}' in {self.what}",
                hint=f"add a line '{key}: ...' to this {self.what}",
            )
        return None

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        node = self.value_node(key, required)
        if node is None:
            return default
        if not isinstance(node, ScalarNode):
            self.fail(node, f"'{key}' must be text, got {describe(node)}")
            return default
        return self._writable(node, key, str(node.value))

    def _writable(self, node: Node, key: str, value: str) -> str:
        """``value``, or reported (and removed) characters that no output format can hold."""
        bad = UNWRITABLE.search(value)
        if bad is None:
            return value
        self.fail(node, f"'{key}' contains the control character U+{ord(bad.group()):04X}, "
                  "which no output format can carry",
                  hint="delete it (it is often pasted in from a word processor, or written "
                  "as an escape such as \\x01 in double quotes)")
        return UNWRITABLE.sub("", value)

    def ident(self, key: str = "id", required: bool = True) -> str:
        """An id (see ``model.ids``): the text, reported where it breaks the id rule."""
        value = self.text(key, required)
        if self.has(key) and isinstance(self.items[key][1], ScalarNode):
            check_id(self, self.items[key][1], f"'{key}'", value)
        return value

    def markdown(self, key: str, required: bool = False) -> Markdown:
        """A Markdown field, with every file its images reference resolved (or reported)."""
        text = self.text(key, required)
        return self._markdown(self.items[key][1], text) if text else Markdown(text)

    def markdowns(self, key: str, required: bool = False) -> tuple[Markdown, ...]:
        """A list of Markdown texts, each with its files resolved."""
        return tuple(self._markdown(node, text) for node, text in self._texts(key, required))

    def _markdown(self, node: Node, text: str) -> Markdown:
        if self.sink.resolve is None:
            return Markdown(text, origin=self.at(node))
        found, problems = self.sink.resolve(self.relpath, node, text)
        for problem in problems:
            self.sink.add(problem)
        return Markdown(text, found, self.at(node))

    def integer(self, key: str, required: bool = False, default: int = 0, minimum: int = 0) -> int:
        number = self._number(key, required, "a whole number", int)
        if number is None:
            return default
        if number < minimum:
            self.fail(self.items[key][1], f"'{key}' must be at least {minimum} (got {number})")
            return default
        return int(number)

    def number(self, key: str, required: bool = False, default: float = 0.0) -> float:
        number = self._number(key, required, "a number", float)
        return default if number is None else float(number)

    def optional_number(self, key: str) -> float | None:
        return self._number(key, False, "a number", float)

    def _number(self, key: str, required: bool, kind: str, want: type) -> float | None:
        node = self.value_node(key, required)
        if node is None:
            return None
        value = scalar_value(node)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if want is int and isinstance(value, float):
            ok = False
        if not ok:
            self.fail(node, f"'{key}' must be {kind}, got {describe(node)}")
            return None
        if not math.isfinite(value) or abs(value) > _LARGEST:  # type: ignore[arg-type]
            self.fail(node, f"'{key}' must be a finite number no larger than 1e15, got "
                      f"{describe(node)}", hint="write the number itself, e.g. 2.5")
            return None
        return value  # type: ignore[return-value]

    def boolean(self, key: str, required: bool = False, default: bool = False) -> bool:
        node = self.value_node(key, required)
        if node is None:
            return default
        value = scalar_value(node)
        if not isinstance(value, bool):
            self.fail(node, f"'{key}' must be true or false, got {describe(node)}")
            return default
        return value

    def choice(self, key: str, enum: type[E], default: E) -> E:
        raw = self.text(key)
        if not raw:
            return default
        allowed = [str(member.value) for member in enum]
        if raw not in allowed:
            hint = did_you_mean(raw[:100], allowed) or ""
            self.fail(
                self.items[key][1],
                f"'{key}' must be one of {', '.join(allowed)} (got '{quoted(raw)}')",
                hint=hint,
            )
            return default
        return enum(raw)

    def sequence(self, key: str, required: bool = False) -> list[Node]:
        node = self.value_node(key, required)
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.fail(
                node, f"'{key}' must be a list, got {describe(node)}", "start each item with '- '"
            )
            return []
        return list(node.value)

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        return tuple(text for _, text in self._texts(key, required))

    def _texts(self, key: str, required: bool) -> list[tuple[Node, str]]:
        out: list[tuple[Node, str]] = []
        for item in self.sequence(key, required):
            if isinstance(item, ScalarNode) and not _is_null(item):
                out.append((item, self._writable(item, key, str(item.value))))
            else:
                self.fail(item, f"each item of '{key}' must be text, got {describe(item)}")
        return out

    def mapping(self, key: str, what: str, required: bool = False) -> Fields | None:
        node = self.value_node(key, required)
        return None if node is None else Fields(node, self.relpath, self.sink, what)

    def records(self, key: str, what: str, required: bool = False) -> list[Fields]:
        """The items of a list of mappings, each as ``Fields``."""
        return [Fields(n, self.relpath, self.sink, what) for n in self.sequence(key, required)]

    def finish(self) -> None:
        """Report every key that no reader asked for."""
        for name, (key, _) in self.items.items():
            if name not in self.asked:
                self.sink.add(unknown_field(self.at(key), name, self.what, self.asked))


def check_id(f: Fields, node: Node, subject: str, value: str) -> bool:
    """Whether ``value``, written at ``node``, is a valid id; if not, said so of ``subject``
    (``'id'``, ``each item of 'modules'``)."""
    problem = id_error(f.at(node), subject, value)
    if problem is not None:
        f.sink.add(problem)
    return problem is None


def id_error(origin: Origin, subject: str, value: str,
             hint: str = "ids become file names, web addresses and LMS identifiers",
             ) -> Problem | None:
    """The problem with ``value`` as an id (see ``model.ids``), or ``None``."""
    why = id_problem(value)
    if not why:
        return None
    return error(origin, f"{subject} {why} (got '{quoted(value)}')",
                 hint=f"{hint}; write e.g. '{suggested_id(value)}'")


def unknown_field(origin: Origin, name: str, what: str, known: Iterable[str]) -> Problem:
    """``name`` is not a field of ``what``: say so, with the closest known field."""
    allowed = sorted(set(known))
    guess = did_you_mean(name, allowed) if len(name) < 100 else ""
    hint = f"{guess} " if guess else ""
    return error(origin, f"unknown field '{quoted(name)}' in {what}",
                 hint=f"{hint}allowed fields: {', '.join(allowed)}")


def scalar_value(node: Node) -> object:
    """The Python value of a scalar node, as YAML's safe loader would give it."""
    if not isinstance(node, ScalarNode):
        return None
    try:
        return SafeConstructor().construct_object(node)
    except (ConstructorError, ValueError):
        return node.value


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG


# --- settings: the top-level fields of course.yaml that their owners read -------------------

@runtime_checkable
class HasSettings(Protocol):
    """Owns one top-level field of course.yaml (a format's settings, the lint's): reads and
    checks it, and says what it may hold as a JSON Schema fragment for ``coursepack schema``.

    The pipeline reports ``settings(course)[1]`` once per run, for every owner; everywhere
    else the owner reads its settings and leaves the problems alone.
    """

    settings_key: ClassVar[str]
    settings_schema: ClassVar[dict[str, Any]]

    def settings(self, course: Course) -> tuple[object, list[Problem]]:
        """The settings of ``course`` (defaults for what is unset or wrong), and what is wrong."""
        ...


def setting(course: Course, key: str, read: Callable[[Fields], T]) -> tuple[T, list[Problem]]:
    """What ``read`` makes of course.yaml's field ``key``, and the problems it found.

    ``read`` gets the field as a course.yaml mapping with that one field (none when the
    course does not set it), so that it reads it as the loader reads any field.
    """
    sink = Sink()
    section = course.section(key)
    if section is None or not isinstance(section.node, Node):
        empty = MappingNode("tag:yaml.org,2002:map", [])
        return read(Fields(empty, "course.yaml", sink, "course.yaml")), sink.problems
    fields = Fields(section.node, section.origin.path, sink, "course.yaml")
    return read(fields), sink.problems


def settings_mapping(course: Course, key: str, what: str, read: Callable[[Fields], T],
                     default: T) -> tuple[T, list[Problem]]:
    """What ``read`` makes of the mapping course.yaml has under ``key`` (``default`` when
    unset); its unknown fields are reported, each with a did-you-mean hint."""

    def mapping(f: Fields) -> T:
        g = f.mapping(key, what)
        if g is None:
            return default
        value = read(g)
        g.finish()
        return value

    return setting(course, key, mapping)
