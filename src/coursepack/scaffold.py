"""``coursepack new``: write a lesson, quiz or module that is valid from the start.

The new file is listed where the loader looks for it (module.yaml ``lessons``,
course.yaml ``modules`` and, when the course lists them, ``quizzes``). Lists are
edited as text, one line or one flow item added, so the author's comments, order
and quoting stay exactly as they were.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coursepack.confinement import confined, refuse_link_out
from coursepack.errors import CoursepackError, Origin, quoted
from coursepack.model.ids import ID_HELP, id_problem, suggested_id

KINDS = ("lesson", "quiz", "module")


@dataclass(frozen=True)
class Written:
    """What ``new`` did: the files it created and the lists it added the name to."""

    created: tuple[Path, ...]
    listed_in: tuple[Path, ...]


def title_of(name: str) -> str:
    words = re.split(r"[-_]+", name)
    return " ".join(words).capitalize()


def _mapping(path: Path, text: str, root: Path) -> MappingNode:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        origin = Origin(path.relative_to(root).as_posix(), mark.line + 1 if mark else 0)
        raise CoursepackError.single(
            "cannot add to this file: it is not valid YAML", origin,
            hint="fix it first ('coursepack validate' shows where)",
        ) from None
    if not isinstance(node, MappingNode):
        raise CoursepackError.single(
            "cannot add to this file: it is not a YAML mapping",
            Origin(path.relative_to(root).as_posix(), 1),
        )
    return node


def _value(mapping: MappingNode, key: str) -> tuple[Node, Node] | None:
    return next(((k, v) for k, v in mapping.value if getattr(k, "value", None) == key), None)


def listed(text: str, path: Path, root: Path, key: str) -> list[str]:
    """The scalar items of the top-level list ``key`` in a YAML text."""
    found = _value(_mapping(path, text, root), key)
    if found is None or not isinstance(found[1], SequenceNode):
        return []
    return [str(item.value) for item in found[1].value if isinstance(item, ScalarNode)]


def append_item(text: str, path: Path, root: Path, key: str, item: str) -> str:
    """``text`` with ``item`` added at the end of its top-level list ``key``, all else kept."""
    found = _value(_mapping(path, text, root), key)
    if found is None:
        return text + ("" if text.endswith("\n") or not text else "\n") + f"{key}:\n  - {item}\n"
    key_node, node = found
    if isinstance(node, SequenceNode) and node.flow_style:
        close = text.rindex("]", 0, int(node.end_mark.index))
        sep = ", " if node.value else ""
        return text[:close] + sep + item + text[close:]
    if isinstance(node, SequenceNode) and node.value:
        last = node.value[-1]
        dash = int(node.start_mark.column)
        gap = max(int(node.value[0].start_mark.column) - dash, 2)
        line = " " * dash + "-" + " " * (gap - 1) + item + "\n"
        end = text.find("\n", int(last.end_mark.index))
        if end < 0:
            return text + "\n" + line
        return text[: end + 1] + line + text[end + 1 :]
    if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
        end = text.find("\n", int(key_node.end_mark.index))
        end = len(text) if end < 0 else end
        return text[:end].rstrip() + f"\n  - {item}" + text[end:]
    raise CoursepackError.single(
        f"cannot add '{item}': '{key}' is not a list",
        Origin(path.relative_to(root).as_posix(), key_node.start_mark.line + 1),
        hint=f"write '{key}:' followed by items that start with '- '",
    )


def check_name(name: str) -> None:
    """Refuse a name the loader would refuse: the one id rule of ``model.ids``."""
    why = id_problem(name)
    if why:
        raise CoursepackError.single(
            f"'{quoted(name)}' is not a valid id: it {why}",
            hint=f"use {ID_HELP}, e.g. '{suggested_id(name)}'; the id becomes the file name "
            "and part of the URL",
        )


def _refuse_existing(path: Path, root: Path) -> None:
    if path.exists() or path.is_symlink():
        raise CoursepackError.single(
            f"{path.relative_to(root).as_posix()} already exists",
            hint="pick another name, or edit the existing file",
        )


def _ids(files: list[Path], pattern: str) -> set[str]:
    found: set[str] = set()
    for path in files:
        found.update(re.findall(pattern, path.read_text(encoding="utf-8"), re.MULTILINE))
    return found


def _free_id(base: str, taken: set[str]) -> str:
    number = 1
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


class Scaffold:
    """Writes new course files into the course in ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.course_file = self.root / "course.yaml"
        if not self.course_file.is_file():
            raise CoursepackError.single(
                f"no course.yaml in {self.root}",
                hint="run it inside a course folder or pass the folder: coursepack new lesson "
                "NAME DIR (coursepack init DIR starts a course)",
            )
        self.within(self.course_file)

    def within(self, path: Path) -> Path:
        """``path``, refused if it leads out of the course folder once links are followed."""
        return refuse_link_out(self.root, path)

    def modules(self) -> list[str]:
        return listed(self.course_file.read_text(encoding="utf-8"), self.course_file, self.root,
                      "modules")

    def inside(self, paths: Iterable[Path]) -> list[Path]:
        """Those of ``paths`` the course may read (the loader's rule: inside the course
        folder once links are followed, an ordinary file), in order; the others are not
        read."""
        return sorted(path for path in paths if confined(self.root, path)[1] is None)

    def pick_module(self, module: str | None) -> str:
        """The module to add to: ``module``, or the only one; listed, and a valid id (the
        new file goes in its folder, which must be inside the course)."""
        modules = [name for name in self.modules() if not id_problem(name)]
        if module is None and len(modules) == 1:
            return modules[0]
        if module is None or module not in modules:
            said = "which module?" if module is None else f"there is no module '{module}'"
            raise CoursepackError.single(
                said, hint=f"pass --module with one of: {', '.join(modules) or 'none yet'}"
            )
        return module

    def module_objectives(self, module: str) -> list[str]:
        path = self.within(self.root / "modules" / module / "module.yaml")
        return re.findall(r"^\s*-\s*id:\s*([\w-]+)", path.read_text(encoding="utf-8"), re.M)

    def add_to_list(self, path: Path, key: str, item: str) -> tuple[Path, str]:
        """The new text of ``path`` with ``item`` in list ``key`` (not yet written)."""
        raw = self.within(path).read_bytes().decode("utf-8")
        text = raw.replace("\r\n", "\n")
        if item in listed(text, path, self.root, key):
            raise CoursepackError.single(
                f"'{item}' is already listed under '{key}:'",
                Origin(path.relative_to(self.root).as_posix()),
                hint="pick another name, or remove the old entry first",
            )
        edited = append_item(text, path, self.root, key, item)
        return path, edited.replace("\n", "\r\n") if "\r\n" in raw else edited

    def write(self, files: dict[Path, str], edits: list[tuple[Path, str]]) -> Written:
        for path in [*files, *(path for path, _ in edits)]:
            self.within(path)
        for path in files:
            _refuse_existing(path, self.root)
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        for path, text in edits:
            path.write_bytes(text.encode("utf-8"))
        return Written(tuple(files), tuple(path for path, _ in edits))


LESSON = """\
# A lesson of module '{module}'. Every field is described in docs/spec.md.
title: {title}
duration: 10
{objectives}summary: One sentence on what a learner takes away from this lesson.
body: |
  ## {title}

  Write the lesson here in Markdown: short paragraphs, lists, tables and images
  (put images next to this file, e.g. images/diagram.png).
"""

QUIZ = """\
# A quiz. Every question type is shown in the starter course (coursepack init).
title: "Quiz: {title}"
{module}description: What this quiz checks, in one sentence.
questions:
  - id: {question}
    type: single
    stem: Write the question here, so that it can be answered without the options?
{objectives}    choices:
      - text: The correct answer
        correct: true
        feedback: Say why this answer is right.
      - text: A plausible mistake
        feedback: Say why this answer is wrong.
      - text: Another common mistake
        feedback: Say why this answer is wrong.
"""

MODULE = """\
# A module. Lessons are listed in reading order; each is a file <lesson>.yaml in this folder.
title: {title}
description: What this module is about, in one sentence.
objectives:
  - id: {objective}
    text: Say what a learner can do after this module.
lessons:
  - introduction
"""


def new(kind: str, name: str, root: Path, module: str | None = None) -> Written:
    """Scaffold a ``kind`` (lesson, quiz, module) called ``name`` into the course in ``root``."""
    check_name(name)
    scaffold = Scaffold(root)
    if kind == "lesson":
        return _new_lesson(scaffold, name, scaffold.pick_module(module))
    if kind == "quiz":
        return _new_quiz(scaffold, name, None if module is None else scaffold.pick_module(module))
    return _new_module(scaffold, name)


def _lesson_text(scaffold: Scaffold, name: str, module: str) -> str:
    objectives = scaffold.module_objectives(module)[:1]
    line = f"objectives: [{objectives[0]}]\n" if objectives else ""
    return LESSON.format(module=module, title=title_of(name), objectives=line)


def _new_lesson(scaffold: Scaffold, name: str, module: str) -> Written:
    folder = scaffold.root / "modules" / module
    _refuse_existing(folder / f"{name}.yaml", scaffold.root)
    edit = scaffold.add_to_list(folder / "module.yaml", "lessons", name)
    return scaffold.write({folder / f"{name}.yaml": _lesson_text(scaffold, name, module)}, [edit])


def _new_quiz(scaffold: Scaffold, name: str, module: str | None) -> Written:
    folder = scaffold.root / "quizzes"
    _refuse_existing(folder / f"{name}.yaml", scaffold.root)
    taken = _ids(scaffold.inside(folder.glob("*.yaml")), r"^\s*-?\s*id:\s*([\w-]+)")
    objectives = scaffold.module_objectives(module)[:1] if module else []
    text = QUIZ.format(
        title=title_of(name),
        module=f"module: {module}\n" if module else "",
        question=_free_id(name, taken),
        objectives=f"    objectives: [{objectives[0]}]\n" if objectives else "",
    )
    course = scaffold.course_file.read_text(encoding="utf-8")
    lists_quizzes = _value(_mapping(scaffold.course_file, course, scaffold.root), "quizzes")
    edits = [scaffold.add_to_list(scaffold.course_file, "quizzes", name)] if lists_quizzes else []
    return scaffold.write({folder / f"{name}.yaml": text}, edits)


def _new_module(scaffold: Scaffold, name: str) -> Written:
    folder = scaffold.root / "modules" / name
    _refuse_existing(folder, scaffold.root)
    edit = scaffold.add_to_list(scaffold.course_file, "modules", name)
    taken = _ids(scaffold.inside(scaffold.root.glob("modules/*/module.yaml")),
                 r"^\s*-\s*id:\s*([\w-]+)")
    objective = _free_id(name, taken)
    files = {
        folder / "module.yaml": MODULE.format(title=title_of(name), objective=objective),
        folder / "introduction.yaml": LESSON.format(
            module=name, title="Introduction", objectives=f"objectives: [{objective}]\n"
        ),
    }
    return scaffold.write(files, [edit])
