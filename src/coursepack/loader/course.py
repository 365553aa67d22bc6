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

import os
from dataclasses import replace
from functools import partial
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from yaml.nodes import MappingNode, Node, ScalarNode

from coursepack._yaml import YamlProblem, place, read_text, read_yaml
from coursepack.confinement import Unusable, confined
from coursepack.errors import (
    CoursepackError,
    Origin,
    Problem,
    did_you_mean,
    error,
    quoted,
    warning,
)
from coursepack.fields import UNWRITABLE, Fields, Sink, check_id, describe, id_error
from coursepack.layout import COURSE_FILE
from coursepack.loader import assets, links
from coursepack.loader.assets import nearest_file, unusable
from coursepack.loader.lessons import read_lesson, read_module
from coursepack.loader.names import clashes
from coursepack.loader.quizzes import ReadQuiz, read_quiz, resolve_pools
from coursepack.locale import SHIPPED, shipped
from coursepack.locale.own import missing, own_messages, relpath
from coursepack.model import Course, Lesson, Module, Quiz, QuizSettings, Section, Source
from coursepack.model.ids import is_id

MAX_SOURCE_BYTES = 50 * 1024 * 1024
#: Ends of lines and pages in a source text, as text copied from a PDF has them (a form
#: feed between pages): read as line ends.
_LINE_BREAKS = (("\x0b", "\n"), ("\x0c", "\n"), ("\x85", "\n"))
COURSE_FIELDS = ("id", "title", "language", "languages", "version", "authors", "licence",
                 "description", "modules", "quizzes", "sources", "quiz_defaults")
"""The fields of course.yaml the course itself has; any other is kept as a ``Section`` for
the format (or the lint) that owns it, and the pipeline reports one nobody owns."""


class Loader:
    """Reads one course folder; ``problems`` holds everything found wrong."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sink = Sink(partial(assets.resolve, root.resolve()))
        #: module id -> the lesson ids its module.yaml lists, loaded or not
        self.listed_lessons: dict[str, set[str]] = {}
        self.read: dict[Path, bytes] = {}  # see Course.read

    @property
    def problems(self) -> list[Problem]:
        return self.sink.problems

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def open(self, path: Path, what: str) -> Fields | None:
        """The top mapping of a spec file, or ``None`` when it cannot be read or parsed
        (reported)."""
        real, why = confined(self.root, path)
        if why is not None:
            self.sink.add(unusable(Origin(self.rel(path)), "this file", why))
            return None
        try:
            node = read_yaml(real, self.rel(path), self.read)
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
        course = self._course(f)
        self.sink.problems.extend(clashes(course))
        return course

    def _course(self, f: Fields) -> Course:
        course_id = f.ident()
        sources = tuple(self._source(g) for g in f.records("sources", "source"))
        defaults = read_settings(f.mapping("quiz_defaults", "quiz defaults"), QuizSettings())
        listed = f.sequence("modules", required=True)
        modules = tuple(m for m in (self._module(f, n) for n in listed) if m)
        # Quizzes may name a listed module even if its files failed to load (reported already).
        module_ids = {name for name in (str(getattr(n, "value", "")) for n in listed)
                      if is_id(name)}
        quizzes = self._quizzes(f, defaults, module_ids)
        languages = read_languages(f, self.root)
        course = Course(
            id=course_id,
            title=f.text("title", required=True),
            language=f.text("language", default=languages[0] if languages else "en"),
            languages=languages,
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
            read=self.read,
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

    def _source(self, g: Fields) -> Source | None:
        source_id = g.ident()
        file = g.text("file", required=True)
        fields = {k: g.text(k) for k in ("author", "published", "publisher", "note")}
        url = g.text("url")
        if url:
            for problem in links.url_problems(g.at(g.items["url"][1]), url):
                self.sink.add(problem)
        title = g.text("title", required=True)
        g.finish()
        path = self.inside(g.at(g.items["file"][1]), file, self.root, "source") if file else None
        if path is None:  # said why; its quotes are not said to name an unknown source
            return Source(id=source_id, path=self.root, relpath=file, text="", title=title,
                          url=url, origin=g.origin, unread=True, **fields)
        text = self._source_text(g, g.items["file"][1], path, file)
        return Source(
            id=source_id,
            path=path,
            relpath=self.rel(path),
            text=text or "",
            title=title,
            url=url,
            origin=g.origin,
            unread=text is None,
            **fields,
        )

    def _source_text(self, g: Fields, node: Node, path: Path, file: str) -> str | None:
        """The text of a source file, or ``None`` when it is not clean UTF-8 text (reported
        at the character that is wrong)."""
        try:
            text = read_text(path, self.rel(path), limit=MAX_SOURCE_BYTES, read=self.read)
        except YamlProblem as exc:
            problem = exc.problem
            if problem.origin is not None and not problem.origin.line:  # the whole file:
                problem = replace(problem, origin=g.at(node),  # said where it is named
                                  message=f"source '{quoted(file)}': {problem.message}")
            self.sink.add(problem)
            return None
        except OSError as exc:
            g.fail(node, f"source '{quoted(file)}' cannot be read: {exc.strerror}")
            return None
        for written, read_as in _LINE_BREAKS:  # not str.translate: 0.27 s on 5 MB
            if written in text:
                text = text.replace(written, read_as)
        bad = UNWRITABLE.search(text)
        if bad is not None:
            line, column = place(text, bad.start())
            more = len(UNWRITABLE.findall(text)) - 1
            self.sink.add(error(
                Origin(self.rel(path), line, column),
                f"source text contains the control character U+{ord(bad.group()):04X}"
                + (f" (and {more} more)" if more else "") + ", which is not text",
                hint="delete it (it is often pasted in from a word processor or a PDF)"))
            return UNWRITABLE.sub(" ", text)  # reported; quotes are still checked against it
        return text

    def inside(self, origin: Origin, ref: str, base: Path, what: str = "file") -> Path | None:
        """Resolve ``ref`` against ``base``; report it unless it is a file inside the course."""
        path, why = confined(self.root, base / ref)
        if why is not None:
            hint = nearest_file(path) if why is Unusable.MISSING else ""
            self.sink.add(unusable(origin, f"{what} '{quoted(ref)}'", why, hint))
            return None
        return path

    def _listed(self, f: Fields, node: Node, key: str) -> str | None:
        """An item of the list ``key`` that names a file by its id, if it is a valid id."""
        if not isinstance(node, ScalarNode) or node.tag.endswith(":null"):
            f.fail(node, f"each item of '{key}' must be an id, got {describe(node)}")
            return None
        name = str(node.value)
        return name if check_id(f, node, f"each item of '{key}'", name) else None

    def _module(self, f: Fields, node: Node) -> Module | None:
        name = self._listed(f, node, "modules")
        if name is None:
            return None
        folder = self.root / "modules" / name
        _, why = confined(self.root, folder / "module.yaml")
        if why is not None:
            existing = sorted(p.parent.name for p in (self.root / "modules").glob("*/module.yaml"))
            if why is not Unusable.MISSING:
                self.sink.add(unusable(f.at(node), f"modules/{name}/module.yaml", why))
                return None
            f.fail(node, f"module '{name}' has no file modules/{name}/module.yaml",
                   hint=did_you_mean(name, existing)
                   or f"modules found: {', '.join(existing) or 'none'}")
            return None
        g = self.open(folder / "module.yaml", "module")
        if g is None:
            return None
        return read_module(g, name, lambda n: self._lesson(g, folder, n))

    def _lesson(self, module_fields: Fields, folder: Path, node: Node) -> object:
        name = self._listed(module_fields, node, "lessons")
        if name is None:
            return None
        self.listed_lessons.setdefault(folder.name, set()).add(name)
        path = folder / f"{name}.yaml"
        _, why = confined(self.root, path)
        if why is not None:
            existing = sorted(p.stem for p in folder.glob("*.yaml") if p.name != "module.yaml")
            if why is not Unusable.MISSING:
                self.sink.add(unusable(module_fields.at(node), self.rel(path), why))
                return None
            module_fields.fail(node, f"lesson '{name}' has no file {self.rel(path)}",
                               hint=did_you_mean(name, existing)
                               or f"lessons found: {', '.join(existing) or 'none'}")
            return None
        g = self.open(path, "lesson")
        return None if g is None else read_lesson(g, name)

    def _quizzes(self, f: Fields, defaults: QuizSettings, modules: set[str]) -> tuple[Quiz, ...]:
        read: list[ReadQuiz] = []
        for name, path in self._quiz_files(f):
            g = self.open(path, "quiz")
            if g is not None:
                settings = read_settings(g.mapping("settings", "quiz settings"), defaults)
                read.append(read_quiz(g, name, settings, modules))
        return resolve_pools(read, self.sink)

    def _quiz_files(self, f: Fields) -> list[tuple[str, Path]]:
        """Each quiz's id and file: those course.yaml lists, or else every file in quizzes/
        (but the lock and resource files editors and macOS leave: ``.#x``, ``.~x``,
        ``._x``), each named by a valid id."""
        folder = self.root / "quizzes"
        listed = f.sequence("quizzes")
        found: list[tuple[str, Path]] = []
        for node in listed:
            name = self._listed(f, node, "quizzes")
            if name is None:
                continue
            path = folder / f"{name}.yaml"
            _, why = confined(self.root, path)
            if why is Unusable.MISSING:
                f.fail(node, f"quiz '{name}' has no file quizzes/{name}.yaml",
                       hint=nearest_file(path))
            elif why is not None:
                self.sink.add(unusable(f.at(node), f"quizzes/{name}.yaml", why))
            else:
                found.append((name, path))
        if listed:
            return found
        _, why = confined(self.root, folder, folder=True)
        if why is not None:
            if why is not Unusable.MISSING:
                self.sink.add(unusable(Origin("quizzes"), "'quizzes'", why))
            return found
        for path in sorted(folder.glob("*.yaml")):
            if path.name.startswith((".#", ".~", "._")):
                continue
            problem = id_error(Origin(self.rel(path)), "the file name of a quiz", path.stem,
                               hint="a quiz's id is its file name")
            if problem is None:
                found.append((path.stem, path))
            else:
                self.sink.add(problem)
        return found

    def unlisted_lessons(self, course: Course) -> list[Problem]:
        """Lesson files that no module lists: they would silently not be built. (A file
        that is listed but could not be read is reported where it failed, not here.)"""
        found = []
        for module in course.modules:
            listed = self.listed_lessons.get(module.id, set())
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


def read_languages(f: Fields, root: Path | None = None) -> tuple[str, ...]:
    """``languages:``, the languages the course is built in, each a code Babel knows; the
    source language (``language:``, else the first) first."""
    found: list[str] = []
    nodes: dict[str, Node] = {}
    for node in f.sequence("languages"):
        code = str(node.value) if isinstance(node, ScalarNode) else ""
        why = language_problem(code) if code else f"got {describe(node)}"
        if why:
            f.fail(node, f"'{quoted(code)}' is not a language code ({why})",
                   hint="write codes such as en, fr, ar, es, pt_BR")
        elif code not in found:
            found.append(code)
            nodes[code] = node
    source = f.text("language") if f.has("language") else ""
    if found and source and source not in found:
        f.fail(f.items["languages"][1], f"'languages' must include the course's own "
               f"language '{quoted(source)}'", hint=f"add {source} at the front of the list")
    if source in found:
        found.remove(source)
        found.insert(0, source)
    own = f.items["language"][1] if f.has("language") else None
    if isinstance(own, ScalarNode) and not language_problem(str(own.value)):
        nodes = {str(own.value): own, **nodes}
    _interface_languages(f, nodes, root)
    return tuple(found)


def _interface_languages(f: Fields, nodes: dict[str, Node], root: Path | None) -> None:
    """One warning for each language the course is built in that has no interface
    catalogue (its buttons and labels fall back to English), and what is wrong with the
    course's own interface words (translations/<lang>/interface.po)."""
    for code, node in nodes.items():
        words, problems = own_messages(root, code) if root is not None else ({}, [])
        for problem in problems:
            f.sink.add(problem)
        if words and shipped(code) is None and (left := missing(words)):
            f.sink.add(warning(
                Origin(relpath(code)), f"{left} of coursepack's interface strings have no "
                f"'{quoted(code)}' translation in this file: English is used for them",
                hint="coursepack's own catalogues list every string (coursepack/locale/<lang>/"
                "LC_MESSAGES/coursepack.po in the package)"))
        elif shipped(code) is None and not words:
            f.sink.add(warning(
                f.at(node), f"coursepack has no interface catalogue for '{quoted(code)}': "
                "buttons, labels and messages of this language's build are in English",
                hint=f"interface languages shipped: {', '.join(SHIPPED)}; or give the words "
                f"in {relpath(code)} (docs/translation.md); the course's own text is still in "
                "its language"))


def language_problem(code: str) -> str:
    """Why ``code`` is not a language code Babel knows ("" when it is one)."""
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        return str(exc) or "unknown"
    return ""


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
    if not os.path.lexists(root / COURSE_FILE):
        raise CoursepackError.single(
            f"no {COURSE_FILE} in {root}",
            hint="run 'coursepack init DIR' to start a course, or pass the course folder",
        )
    loader = Loader(root)
    course = loader.load()
    return course, loader.problems + loader.unlisted_lessons(course)


def reload_lesson(course: Course, path: Path) -> tuple[Course, Module, Lesson] | None:
    """``course`` with the lesson in ``path`` read again (and that module and lesson), if
    that file is a lesson of it that now loads with no error; else None (then only a whole
    load can tell what is wrong).

    For the preview, which shows an edited lesson before the whole course is loaded again.
    """
    root = course.root.resolve()
    real = path.resolve()  # the same file whether saved through a link to its folder or not
    name, lesson_id = real.name, real.name.removesuffix(".yaml")
    module = next((m for m in course.modules
                   if (root / "modules" / m.id).resolve() == real.parent), None)
    if module is None or not name.endswith(".yaml") or \
            lesson_id not in [lesson.id for lesson in module.lessons]:
        return None
    loader = Loader(root)
    fields = loader.open(root / "modules" / module.id / name, "lesson")
    if fields is None:
        return None
    lesson = read_lesson(fields, lesson_id)
    if any(p.is_error for p in loader.problems):
        return None
    edited = replace(module, lessons=tuple(lesson if old.id == lesson_id else old
                                           for old in module.lessons))
    modules = tuple(edited if m is module else m for m in course.modules)
    return replace(course, modules=modules), edited, lesson
