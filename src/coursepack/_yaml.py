"""YAML syntax only: bytes -> PyYAML nodes that keep their line and column.

Refuses what an author never means and an attacker might send: files that are too
large, not UTF-8, indented with tabs, with duplicate keys, or whose aliases expand
to more nodes than any course needs (the "billion laughs" bomb). Knows nothing of
the course schema.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import MutableMapping
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coursepack.errors import Origin, Problem, error, quoted

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_EXPANDED_NODES = 100_000
MAX_DEPTH = 200
_KNOWN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge"))
"""What a course's YAML may hold: the types plain YAML resolves by itself. Any other tag
(``!include``, ``!!python/object``, ``!!binary``, ``!!set``) would be silently ignored or
misread, so it is refused where it is written."""
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def origin_of(relpath: str, node: Node) -> Origin:
    mark = node.start_mark
    return Origin(relpath, mark.line + 1, mark.column + 1)


Read = MutableMapping[Path, bytes]
"""The SHA-256 of each file as it was read, by its path."""


def read_yaml(path: Path, relpath: str, read: Read | None = None) -> Node:
    """Parse one spec file into a node tree, or raise ``YamlProblem`` saying what is wrong.
    ``read`` gets the digest of the bytes parsed."""
    text = read_text(path, relpath, read=read)
    _refuse_unseen_line_breaks(text, relpath)
    _refuse_tabs(text, relpath)
    try:
        node = _compose(text)
    except RecursionError:
        raise YamlProblem(_too_deep(text, relpath)) from None
    except yaml.MarkedYAMLError as exc:
        raise YamlProblem(_syntax_problem(exc, relpath)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(error(Origin(relpath), f"invalid YAML: {exc}")) from None
    if node is None or (isinstance(node, ScalarNode) and node.value == ""):
        raise YamlProblem(
            error(Origin(relpath, 1, 1), "file is empty", hint="write a YAML mapping (key: value)")
        )
    _refuse_bombs_and_strays(node, relpath)
    return node


def scalar_ends(text: str) -> dict[tuple[int, int], int]:
    """Where each scalar of a YAML text ends (its offset in ``text``), by where it starts
    (line and column from 1, as ``origin_of`` has them); empty if the text does not parse."""
    try:
        root = _compose(text)
    except (yaml.YAMLError, RecursionError):
        return {}
    ends: dict[tuple[int, int], int] = {}
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if isinstance(node, ScalarNode):
            ends[node.start_mark.line + 1, node.start_mark.column + 1] = node.end_mark.index
        elif isinstance(node, SequenceNode):
            todo += node.value
        elif isinstance(node, MappingNode):
            todo += [item for pair in node.value for item in pair]
    return ends


def _compose(text: str) -> Node | None:
    """Compose with LibYAML when PyYAML has it: the same nodes and marks, ten times faster.

    A file LibYAML refuses is parsed again by the pure-Python parser, so the wording and
    position of a syntax error never depend on how PyYAML was installed.
    """
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def read_text(path: Path, relpath: str, limit: int = MAX_FILE_BYTES,
              read: Read | None = None) -> str:
    """A course file as text, or ``YamlProblem`` when it is larger than ``limit`` bytes or
    not UTF-8 (located at the first byte that is not). ``read`` gets the digest of the
    bytes read."""
    size = path.stat().st_size
    if size > limit:
        what = "a spec file" if limit == MAX_FILE_BYTES else "this file"
        raise YamlProblem(
            error(
                Origin(relpath),
                f"file is {size:,} bytes; {what} may be at most {limit:,} bytes "
                f"({limit // 1024 // 1024} MB)",
                hint="split it into several lessons or quizzes, or move long text into sources/"
                if limit == MAX_FILE_BYTES else "keep only the part of the text the course quotes",
            )
        )
    data = path.read_bytes()
    if read is not None:
        read[path] = hashlib.sha256(data).digest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        before = data[data.rfind(b"\n", 0, exc.start) + 1:exc.start]  # on its line
        column = len(before.decode("utf-8", errors="replace")) + 1  # in characters
        raise YamlProblem(
            error(
                Origin(relpath, line, column),
                f"file is not UTF-8 (byte 0x{data[exc.start]:02x} cannot be decoded)",
                hint="save the file as UTF-8 in your editor (File > Save with encoding > UTF-8)",
            )
        ) from None
    return text.removeprefix("\ufeff")


_UNSEEN_LINE_BREAK = re.compile("[\u2028\u2029\x85]")
#: What ends a line as an editor counts lines: LF, CRLF, or CR alone.
LINE_END = re.compile(r"\r\n?|\n")


def place(text: str, at: int) -> tuple[int, int]:
    """The line and column (from 1) of offset ``at`` in ``text``, as an editor shows them."""
    line = sum(1 for _ in LINE_END.finditer(text, 0, at)) + 1
    return line, at - max(text.rfind("\n", 0, at), text.rfind("\r", 0, at))


def _refuse_unseen_line_breaks(text: str, relpath: str) -> None:
    """A line or paragraph separator pasted from a word processor: YAML reads a line break
    there, an editor shows none, so every error after it would be on the wrong line."""
    found = _UNSEEN_LINE_BREAK.search(text)
    if found is None:
        return
    line, column = place(text, found.start())
    name = {"\u2028": "line separator", "\u2029": "paragraph separator"}.get(
        found.group(), "next-line character")
    raise YamlProblem(error(
        Origin(relpath, line, column),
        f"the {name} U+{ord(found.group()):04X}, which YAML reads as a line break your "
        "editor does not show",
        hint="replace it with a line break or a space (it comes from text pasted in from a "
             "word processor)"))


def _refuse_tabs(text: str, relpath: str) -> None:
    if "\t" not in text:  # nearly every file: skip the line-by-line scan
        return
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            raise YamlProblem(
                error(
                    Origin(relpath, number, indent.index("\t") + 1),
                    "tab character in indentation",
                    hint="YAML is indented with spaces; replace the tab with spaces",
                )
            )


def _too_deep(text: str, relpath: str) -> Problem:
    """Nesting the parser cannot follow: located at the first bracket or indentation that
    goes deeper than any course needs (brackets inside quotes may move it a little)."""
    depth = 0
    line = 1
    for index, char in enumerate(text):
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                column = index - text.rfind("\n", 0, index)
                return _nested(Origin(relpath, line, column))
        elif char in "]}":
            depth = max(0, depth - 1)
    for number, text_line in enumerate(text.split("\n"), start=1):
        if len(text_line) - len(text_line.lstrip(" -")) > 2 * MAX_DEPTH:
            return _nested(Origin(relpath, number, 1))
    return _nested(Origin(relpath, 1, 1))


def _nested(origin: Origin) -> Problem:
    return error(origin, f"YAML is nested more than {MAX_DEPTH} levels deep",
                 hint="a course file needs a few levels; check for brackets that are never closed")


def _syntax_problem(exc: yaml.MarkedYAMLError, relpath: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    origin = Origin(relpath, mark.line + 1, mark.column + 1) if mark else Origin(relpath)
    what = exc.problem or "invalid YAML"
    context = f" ({exc.context})" if exc.context else ""
    hint = "check the indentation and quoting on this line and the one before"
    if "mapping values are not allowed" in what:
        hint = 'a value containing ": " must be quoted, e.g. title: "Part 1: Aims"'
    elif "found character '\\t'" in what:
        hint = "replace the tab with spaces"
    return error(origin, f"YAML syntax error: {what}{context}", hint=hint)


def _refuse_bombs_and_strays(root: Node, relpath: str) -> None:
    """Refuse aliases that expand to too many values, nesting deeper than any course needs,
    a key given twice in one mapping and any tag plain YAML does not have: one walk, each
    node once (aliases share nodes: the tree is counted as it would be expanded, memoised
    by identity)."""
    if _Walk(relpath).size(root, 0) > MAX_EXPANDED_NODES:
        raise YamlProblem(
            error(
                origin_of(relpath, root),
                f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} values",
                hint="remove the anchors (&) and aliases (*) that repeat each other",
            )
        )


class _Walk:
    """One file's walk for ``_refuse_bombs_and_strays``. (A class, not a recursive inner
    function: that would be a reference cycle, left for the collector, per file loaded.)"""

    def __init__(self, relpath: str) -> None:
        self.relpath = relpath
        self.sizes: dict[int, int] = {}

    def size(self, node: Node, depth: int) -> int:
        """How many values ``node`` expands to, its aliases expanded."""
        known = self.sizes.get(id(node))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            raise YamlProblem(_nested(origin_of(self.relpath, node)))
        if node.tag not in _KNOWN_TAGS:
            raise YamlProblem(_unknown_tag(node, self.relpath))
        total = 1
        if isinstance(node, MappingNode):
            first: dict[str, Node] = {}
            for key, value in node.value:
                name = str(key.value)
                if name in first:
                    raise YamlProblem(_duplicate_key(key, first[name], name, self.relpath))
                first[name] = key
                total += self.size(key, depth + 1) + self.size(value, depth + 1)
        elif isinstance(node, SequenceNode):
            total += sum(self.size(child, depth + 1) for child in node.value)
        self.sizes[id(node)] = total
        return total


def _duplicate_key(key: Node, first: Node, name: str, relpath: str) -> Problem:
    return error(origin_of(relpath, key),
                 f"duplicate key '{name}' (first given on line {first.start_mark.line + 1})",
                 hint="remove one of the two, or rename it")


def _unknown_tag(node: Node, relpath: str) -> Problem:
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    return error(origin_of(relpath, node), f"YAML tag '{quoted(tag)}' is not supported",
                 hint="coursepack reads plain YAML only: write the value itself without the "
                 "tag (a course file cannot include another file)")
