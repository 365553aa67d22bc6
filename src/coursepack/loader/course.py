"""Spec files -> the course model, collecting every problem of every file in one run.

Layout (as ``coursepack init`` writes it)::

    course.yaml                      id, title, module order, sources, quiz defaults, and
                                     the settings of formats and the lint (kept as read)
    modules/<module>/module.yaml     title, objectives, lesson order, facilitator notes
    modules/<module>/<lesson>.yaml   one lesson
    quizzes/<quiz>.yaml              a quiz, for a module (module: <id>) or standalone
    sources/                         the texts quotes are checked against
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial
from pathlib import Path

from yaml.nodes import MappingNode, Node

from coursepack._yaml import YamlProblem, read_yaml
from coursepack.errors import CoursepackError, Origin, Problem, did_you_mean, error, warning
from coursepack.fields import Fields, Sink
from coursepack.layout import COURSE_FILE
from coursepack.loader import assets
from coursepack.loader.lessons import read_lesson, read_module
from coursepack.loader.quizzes import ReadQuiz, read_quiz, resolve_pools
from coursepack.model import Course, Module, Quiz, QuizSettings, Section, Source

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
COURSE_FIELDS = ("id", "title", "language", "version", "authors", "licence", "description",
                 "modules", "quizzes", "sources", "quiz_defaults")
"""The fields of course.yaml the course itself has; any other is kept as a ``Section`` for
the format (or the lint) that owns it, and the pipeline reports one nobody owns."""


class Loader:
    """Reads one course folder; ``problems`` holds everything found wrong."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sink = Sink(partial(assets.resolve, root.resolve()))

    @property
    def problems(self) -> list[Problem]:
        return self.sink.problems

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def open(self, path: Path, what: str) -> Fields | None:
        """The top mapping of a spec file, or ``None`` when it cannot be parsed (reported)."""
        try:
            node = read_yaml(path, self.rel(path))
        except YamlProblem as exc:
            self.sink.add(exc.problem)
            return None
        except OSError as exc:
            self.sink.add(error(Origin(self.rel(path)), f"cannot read file: {exc.strerror}"))
            return None
        return Fields(node, self.rel(path), self.sink, what)

    def load(self) -> Course:
        f = self.open(self.root / COURSE_FILE, "course.yaml")
        if f is None:
            raise CoursepackError(self.problems)
        return self._course(f)

    def _course(self, f: Fields) -> Course:
        course_id = f.text("id", required=True)
        self.check_id(f, "id", course_id)
        sources = tuple(self._source(g) for g in f.records("sources", "source"))
        defaults = read_settings(f.mapping("quiz_defaults", "quiz defaults"), QuizSettings())
        listed = f.sequence("modules", required=True)
        modules = tuple(m for m in (self._module(f, n) for n in listed) if m)
        # Quizzes may name a listed module even if its files failed to load (reported already).
        module_ids = {str(getattr(n, "value", "")) for n in listed}
        quizzes = self._quizzes(f, defaults, module_ids)
        course = Course(
            id=course_id,
            title=f.text("title", required=True),
            language=f.text("language", default="en"),
            version=f.text("version", default="1.0"),
            root=self.root,
            modules=modules,
            quizzes=quizzes,
            sources=tuple(s for s in sources if s is not None),
            authors=f.strings("authors"),
            licence=f.text("licence"),
            description=f.markdown("description"),
            quiz_defaults=defaults,
            sections=self._sections(f),
            origin=f.origin,
        )
        f.finish()
        return course

    def _sections(self, f: Fields) -> tuple[Section, ...]:
        """Every field but the course's own, each as a one-field mapping, unread."""
        found = []
        for name, (key, value) in f.items.items():
            if name not in COURSE_FIELDS:
                f.asked.append(name)
                node = MappingNode(f.node.tag, [(key, value)], key.start_mark, value.end_mark)
                found.append(Section(name=name, node=node, origin=f.at(key)))
        return tuple(found)

    def check_id(self, f: Fields, key: str, value: str) -> None:
        if value and not ID_PATTERN.match(value):
            f.fail(
                f.items[key][1],
                f"'{key}' must be lower-case letters, digits, '-' or '_' (got '{value}')",
                hint="ids become file names and URLs, e.g. 'module-1' or 'intro_quiz'",
            )

    def _source(self, g: Fields) -> Source | None:
        source_id = g.text("id", required=True)
        file = g.text("file", required=True)
        fields = {k: g.text(k) for k in ("author", "published", "publisher", "url", "note")}
        title = g.text("title", required=True)
        g.finish()
        if not file:
            return None
        path = self.inside(g.at(g.items["file"][1]), file, self.root)
        if path is None:
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            g.fail(g.items["file"][1], f"source '{file}' is not UTF-8 text")
            return None
        return Source(
            id=source_id,
            path=path,
            relpath=self.rel(path),
            text=text,
            title=title,
            origin=g.origin,
            **fields,
        )

    def inside(self, origin: Origin, ref: str, base: Path, what: str = "file") -> Path | None:
        """Resolve ``ref`` against ``base``; report it unless it is a file inside the course."""
        path = (base / ref).resolve()
        if not path.is_relative_to(self.root.resolve()):
            self.sink.add(
                error(
                    origin,
                    f"{what} '{ref}' is outside the course folder",
                    hint="copy the file into the course folder and refer to it by a relative path",
                )
            )
            return None
        if not path.is_file():
            siblings = [p.name for p in path.parent.glob("*")] if path.parent.is_dir() else []
            hint = did_you_mean(path.name, siblings)
            self.sink.add(error(origin, f"{what} '{ref}' does not exist", hint=hint))
            return None
        return path

    def _module(self, f: Fields, node: Node) -> Module | None:
        name = str(getattr(node, "value", ""))
        folder = self.root / "modules" / name
        if not ID_PATTERN.match(name) or not (folder / "module.yaml").is_file():
            existing = sorted(p.parent.name for p in (self.root / "modules").glob("*/module.yaml"))
            f.fail(
                node,
                f"module '{name}' has no file modules/{name}/module.yaml",
                hint=did_you_mean(name, existing)
                or f"modules found: {', '.join(existing) or 'none'}",
            )
            return None
        g = self.open(folder / "module.yaml", "module")
        if g is None:
            return None
        return read_module(g, name, lambda n: self._lesson(g, folder, n))

    def _lesson(self, module_fields: Fields, folder: Path, node: Node) -> object:
        name = str(getattr(node, "value", ""))
        path = folder / f"{name}.yaml"
        if not ID_PATTERN.match(name) or not path.is_file():
            existing = sorted(p.stem for p in folder.glob("*.yaml") if p.name != "module.yaml")
            module_fields.fail(
                node,
                f"lesson '{name}' has no file {self.rel(folder)}/{name}.yaml",
                hint=did_you_mean(name, existing)
                or f"lessons found: {', '.join(existing) or 'none'}",
            )
            return None
        g = self.open(path, "lesson")
        return None if g is None else read_lesson(g, name)

    def _quizzes(self, f: Fields, defaults: QuizSettings, modules: set[str]) -> tuple[Quiz, ...]:
        folder = self.root / "quizzes"
        listed = f.sequence("quizzes")
        names: list[tuple[str, Node | None]]
        if listed:
            names = [(str(getattr(n, "value", "")), n) for n in listed]
        else:
            names = [(p.stem, None) for p in sorted(folder.glob("*.yaml"))]
        read: list[ReadQuiz] = []
        for name, node in names:
            path = folder / f"{name}.yaml"
            if not path.is_file() and node is not None:
                f.fail(node, f"quiz '{name}' has no file quizzes/{name}.yaml")
                continue
            g = self.open(path, "quiz")
            if g is not None:
                settings = read_settings(g.mapping("settings", "quiz settings"), defaults)
                read.append(read_quiz(g, name, settings, modules))
        return resolve_pools(read, self.sink)

    def unlisted_lessons(self, course: Course) -> list[Problem]:
        """Lesson files that no module lists: they would silently not be built."""
        found = []
        for module in course.modules:
            listed = {lesson.id for lesson in module.lessons}
            for path in sorted((self.root / "modules" / module.id).glob("*.yaml")):
                if path.name != "module.yaml" and path.stem not in listed:
                    found.append(
                        warning(
                            Origin(self.rel(path)),
                            f"lesson file is not listed in modules/{module.id}/module.yaml",
                            hint=f"add '- {path.stem}' under 'lessons:' or delete the file",
                        )
                    )
        return found


def read_settings(g: Fields | None, base: QuizSettings) -> QuizSettings:
    """Quiz settings, each field defaulting to ``base``."""
    if g is None:
        return base
    pass_mark = g.number("pass_mark", default=base.pass_mark)
    if not 0 <= pass_mark <= 100:
        g.fail(
            g.items["pass_mark"][1],
            f"'pass_mark' is a percentage from 0 to 100 (got {pass_mark:g})",
        )
    settings = replace(
        base,
        pass_mark=pass_mark,
        attempts=g.integer("attempts", default=base.attempts),
        shuffle_questions=g.boolean("shuffle_questions", default=base.shuffle_questions),
        shuffle_options=g.boolean("shuffle_options", default=base.shuffle_options),
        show_feedback=g.boolean("show_feedback", default=base.show_feedback),
    )
    g.finish()
    return settings


def load_course(root: Path) -> tuple[Course, list[Problem]]:
    """Load the course in ``root``, with every problem found (errors too: the caller decides).

    Parts that could not be read are left out of the course, so that course-level checks
    can still run and report their problems in the same run.
    """
    root = root.resolve()
    if not (root / COURSE_FILE).is_file():
        raise CoursepackError.single(
            f"no {COURSE_FILE} in {root}",
            hint="run 'coursepack init DIR' to start a course, or pass the course folder",
        )
    loader = Loader(root)
    course = loader.load()
    return course, loader.problems + loader.unlisted_lessons(course)
