"""Jinja environments per output format: course overrides first, then the default theme.

A course shadows any default template by putting a file of the same name under
``<course>/templates/<format>/`` (as mkdocs's ``custom_dir`` does). A course is untrusted:
every template renders in the sandbox of ``coursepack.sandbox``, and every template or
static file is read only from inside the course folder (or the shipped theme), symlinks
resolved. Template errors become problems located at the template's file and line.
"""

from __future__ import annotations

import os
import stat
import traceback
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from markupsafe import Markup, escape

from coursepack import cache, locale, markup
from coursepack.confinement import Unusable, confined
from coursepack.errors import CoursepackError, Origin, Problem, error
from coursepack.numbers import number
from coursepack.sandbox import CourseSandbox, LimitExceeded, check_printf

_ESCAPED_SUFFIXES = (".html", ".xml", ".html.j2", ".xml.j2", ".htm")
MAX_TEMPLATE_BYTES = 2_000_000
"""A template file larger than this is refused (the largest shipped one is a few KB)."""


def default_templates() -> Path:
    """The theme shipped with coursepack: inside the wheel, or the repo's templates/."""
    packaged = Path(__file__).resolve().parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def _search_path(fmt: str, course_root: Path | None) -> list[tuple[Path, Path]]:
    """Each template folder, course's first, with the folder its files must stay inside."""
    theme = default_templates()
    dirs = [(theme / fmt, theme), (theme / "_common", theme)]
    if course_root is not None:
        root = course_root.resolve()
        dirs = [*((folder, root) for folder in _own_folders(fmt, course_root)), *dirs]
    return [(folder, inside) for folder, inside in dirs if folder.is_dir()]


def _own_folders(fmt: str, course_root: Path) -> list[Path]:
    """The course's own template folders for ``fmt``, whether they exist or not."""
    own = course_root.absolute() / "templates"
    # The repo root is both the bundled course and the theme's home: don't list it twice.
    if own.resolve() == default_templates():
        return []
    return [own / fmt, own / "_common"]


def has_own_templates(fmt: str, course_root: Path) -> bool:
    """Whether the course in ``course_root`` has template folders of its own for ``fmt``."""
    return len(_search_path(fmt, course_root)) > len(_search_path(fmt, None))


def shown(path: Path | str, course_root: Path | None = None) -> str:
    """A template's path as the user knows it: in the course, else from where they are."""
    path = Path(path)
    if course_root is not None:
        try:
            return path.relative_to(course_root.absolute()).as_posix()
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def _refused(where: str, message: str, hint: str) -> CoursepackError:
    return CoursepackError([error(Origin(where), message, hint)])


def read_vetted(path: Path, inside: Path, where: str, limit: int = MAX_TEMPLATE_BYTES) -> bytes:
    """The bytes of the regular file ``path``, which must resolve to a file inside ``inside``.

    A link out of the course, a link loop, a folder, a FIFO or a device where a file is
    expected is a located error; a FIFO is opened without waiting for a writer.
    """
    real = _inside(path, inside, where)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _refused(where, f"cannot read this file: {exc.strerror}",
                       "check that the file exists and that you may read it") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_a_file(where, info.st_mode)
        if info.st_size > limit:
            raise _refused(where, f"this file is {info.st_size:,} bytes; at most {limit:,}",
                           "split it into smaller templates")
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise _refused(where, f"cannot read this file: {exc.strerror}",
                       "check that the file exists and that you may read it") from None
    finally:
        os.close(fd)


def _not_a_file(where: str, mode: int) -> CoursepackError:
    kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device")
    return _refused(where, f"this is {kind}, where a file is expected",
                    "put a plain file here, or remove it")


def _inside(path: Path, inside: Path, where: str, folder: bool = False) -> Path:
    """The real path behind ``path`` (links resolved), which must be inside ``inside`` and a
    plain file (a folder, when ``folder``): the course's one rule, in a template's words."""
    real, why = confined(inside, path, folder)
    kind = "folder" if folder else "file"
    if why in (Unusable.LOOP, Unusable.MISSING):
        raise _refused(where, "this is a broken link or a link loop",
                       f"make it a plain {kind}, or remove it")
    if why is Unusable.OUTSIDE:
        raise _refused(where, f"this is a link to a {kind} outside the course folder",
                       "copy the files into the course instead of linking to them" if folder
                       else "copy the file into the course instead of linking to it")
    if why is Unusable.NOT_FOLDER:
        raise _refused(where, "this is not a folder", "static/ must be a folder of files")
    if why is not None:
        raise _not_a_file(where, real.stat().st_mode)
    return real


def decoded(data: bytes, where: str) -> str:
    """Template text as UTF-8, or a located error at the first byte that is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise CoursepackError([error(
            Origin(where, line, column),
            f"this template is not UTF-8 text (byte 0x{data[exc.start]:02x})",
            "save the file as UTF-8 in your editor")]) from None


class HiddenTemplate(Exception):
    """A template whose name or folder starts with a dot, named by an include, import or
    extends: refused where it is named (``render``). Hidden files are not part of a course
    anywhere else, and a build does not look at them to see whether anything changed."""

    def __init__(self, name: str, where: str) -> None:
        super().__init__(name)
        self.name, self.where = name, where


class ConfinedLoader(jinja2.BaseLoader):
    """Loads templates from the course's folders, then the theme's, never from elsewhere.

    Unlike Jinja's ``FileSystemLoader``, a folder or FIFO named like a template is an error
    (not silently skipped for the theme's file) and a link must stay inside its folder's
    root (the course, or the shipped theme).
    """

    def __init__(self, folders: tuple[tuple[Path, Path], ...],
                 where: Callable[[Path], str]) -> None:
        self.folders = folders
        self.where = where

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for position, (folder, inside) in enumerate(self.folders):
            candidate = folder.joinpath(*pieces)
            if not os.path.lexists(candidate):
                continue
            where = self.where(candidate)
            if any(piece.startswith(".") for piece in pieces):
                raise HiddenTemplate(template, where)
            text = decoded(read_vetted(candidate, inside, where), where)
            return text, str(candidate), self._unchanged(pieces, position, candidate)
        raise jinja2.TemplateNotFound(template)

    def _unchanged(self, pieces: list[str], position: int,
                   found: Path) -> Callable[[], bool]:
        """Whether a cached template is still the one to use: same file, none shadowing it."""
        before = [folder.joinpath(*pieces) for folder, _ in self.folders[:position]]
        stamp = _stamp(found)

        def unchanged() -> bool:
            return _stamp(found) == stamp and not any(os.path.lexists(p) for p in before)

        return unchanged


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        link, target = os.lstat(path), os.stat(path)
    except OSError:
        return None
    return link.st_mtime_ns, target.st_mtime_ns, target.st_ino


def template_problems(course_root: Path) -> list[Problem]:
    """Everything wrong with the files of a course's ``templates/`` folder, found before a
    build starts (a build that finds nothing changed would not read them again): links out
    of the course, link loops, FIFOs and devices, folders named like templates, templates
    that are not UTF-8 text or are too large."""
    top = course_root.absolute() / "templates"
    if not os.path.lexists(top) or top.resolve() == default_templates():
        return []
    found: list[Problem] = []
    _vet_folder(top, course_root.resolve(), course_root, set(), found)
    return found


def _vet_folder(folder: Path, inside: Path, course_root: Path, seen: set[Path],
                found: list[Problem]) -> None:
    try:
        real = _inside(folder, inside, shown(folder, course_root), folder=True)
        if real in seen:
            raise _refused(shown(folder, course_root), "this folder links back to a folder "
                           "that contains it", "remove the link")
        entries = sorted(folder.iterdir())
    except CoursepackError as exc:
        found.extend(exc.problems)
        return
    except OSError as exc:
        found.append(error(Origin(shown(folder, course_root)),
                           f"cannot read this folder: {exc.strerror}"))
        return
    for entry in entries:
        where = shown(entry, course_root)
        if entry.is_dir() and not entry.name.endswith(".j2"):
            _vet_folder(entry, inside, course_root, seen | {real}, found)
            continue
        try:
            if entry.name.endswith(".j2"):
                decoded(read_vetted(entry, inside, where), where)
            else:
                _inside(entry, inside, where)
        except CoursepackError as exc:
            found.extend(exc.problems)


def static_files(fmt: str, course_root: Path | None) -> dict[str, Path]:
    """The files to publish from each template folder's ``static/``, a course's own
    replacing the theme's: relative name -> the real file, vetted like a template."""
    found: dict[str, Path] = {}
    for folder, inside in reversed(_search_path(fmt, course_root)):
        static = folder / "static"
        if os.path.lexists(static):
            found.update(_walk_static(static, static, inside, course_root, set()))
    return found


def _walk_static(folder: Path, top: Path, inside: Path, course_root: Path | None,
                 seen: set[Path]) -> Iterator[tuple[str, Path]]:
    where = shown(folder, course_root)
    real = _inside(folder, inside, where, folder=True)
    if real in seen:
        raise _refused(where, "this folder links back to a folder that contains it",
                       "remove the link")
    seen = seen | {real}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue  # hidden, as everywhere in a course: not published
        if entry.is_dir():  # follows a link, which _inside checks
            yield from _walk_static(entry, top, inside, course_root, seen)
            continue
        where = shown(entry, course_root)
        yield entry.relative_to(top).as_posix(), _inside(entry, inside, where)


def own_template(fmt: str, course_root: Path, name: str) -> tuple[str, str] | None:
    """The text of the course's own template ``name`` and where it is, or None when the
    theme's is used; read as the loader reads it (inside the course, UTF-8, a plain file)."""
    return _own_source(environment(fmt, course_root), name)


def _own_source(env: jinja2.Environment, name: str) -> tuple[str, str] | None:
    assert isinstance(env.loader, ConfinedLoader)
    text, filename, _ = env.loader.get_source(env, name)
    if not _in_course(env, filename):
        return None
    return text, _where(env, filename)


def own_template_texts(fmt: str, course_root: Path) -> list[tuple[str, str]]:
    """The text of each of the course's own templates for ``fmt`` and where it is, read by
    name as the loader reads them (``own_template``); those it refuses are left out (a
    build has refused them already: ``template_problems``)."""
    env = environment(fmt, course_root)
    texts = []
    for name in own_template_names(fmt, course_root):
        try:
            own = _own_source(env, name)
        except (CoursepackError, HiddenTemplate, jinja2.TemplateError):
            continue
        if own is not None:
            texts.append(own)
    return texts


def first_written(texts: list[tuple[str, str]], forms: list[str]) -> Origin | None:
    """Where the first of ``texts`` (``own_template_texts``) to write any of ``forms`` (an
    address as a template may have written it) writes it: file, line and column; None if
    none does."""
    wanted = [form for form in forms if form]
    for text, where in texts:
        for line_number, line in enumerate(text.splitlines(), start=1):
            column = _written_at(line, wanted)
            if column is not None:
                return Origin(where, line_number, column)
    return None


def own_template_names(fmt: str, course_root: Path) -> list[str]:
    """The names of the course's own templates for ``fmt`` (in its folders for the format
    and ``_common``), hidden ones left out; none in a folder that links out of the course."""
    names: set[str] = set()
    root = course_root.resolve()
    for folder in _own_folders(fmt, course_root):
        if confined(root, folder, folder=True)[1] is not None:
            continue  # missing, or a link out of the course: not even listed
        for at, folders, files in os.walk(folder):
            folders[:] = [name for name in folders if not name.startswith(".")]
            names.update((Path(at) / name).relative_to(folder).as_posix() for name in files
                         if not name.startswith("."))
    return sorted(names)


def _written_at(line: str, forms: list[str]) -> int | None:
    """The column (from 1) where ``line`` first writes one of ``forms`` as an address is
    written: at the start of a value (after a quote, a bracket, an equals sign or a space),
    so that a short path ("/a") is not found inside a tag ("</a>")."""
    found = [index for form in forms for index in _starts(line, form)
             if index == 0 or line[index - 1] in "\"'(= \t"]
    return min(found) + 1 if found else None


def _starts(line: str, form: str) -> Iterator[int]:
    index = line.find(form)
    while index >= 0:
        yield index
        index = line.find(form, index + 1)


def _markdown(text: str) -> Markup:
    return Markup(markup.to_html(text or ""))


def _inline(text: str) -> Markup:
    return Markup(markup.to_inline_html(text or ""))


FILTERS: dict[str, Callable[..., Any]] = {
    "markdown": _markdown,
    "inline": _inline,
    "plain": lambda text: markup.to_text(text or ""),
    "line": lambda text: markup.as_line(text or ""),
    "slug": markup.slugify,
    "points": number,
    "direction": markup.direction,
    "language_tag": markup.language_tag,
}


def unknown_type(kind: str) -> str:
    """Called by a template's last branch: a question type it has no branch for is a bug."""
    raise jinja2.TemplateRuntimeError(f"this template has no branch for question type '{kind}'")


class CourseEnvironment(CourseSandbox):
    """The sandbox, plus where the course is, so errors name its templates as it knows them."""

    course_root: Path | None = None


class ThemeEnvironment(jinja2.Environment):
    """The shipped theme alone, which is ours: no course template can run in it, so it
    renders without the sandbox's checks on every attribute, call and loop turn."""

    course_root: Path | None = None


_OPTIONS: dict[str, Any] = {
    "autoescape": lambda name: name is not None and name.endswith(_ESCAPED_SUFFIXES),
    "undefined": jinja2.StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
    "extensions": ["jinja2.ext.i18n"],
}


@jinja2.pass_eval_context
def _gettext(eval_ctx: EvalContext, message: str) -> str:
    """The interface's words in the language of the course being rendered: text, escaped
    in an HTML or XML template like any value; a template's own message is vetted like
    any format string (its widths stay small)."""
    return _vetted(eval_ctx, locale.gettext(message))


@jinja2.pass_eval_context
def _ngettext(eval_ctx: EvalContext, singular: str, plural: str, n: float) -> str:
    return _vetted(eval_ctx, locale.ngettext(singular, plural, n))


def _vetted(eval_ctx: EvalContext, found: str) -> str:
    check_printf(found, ())
    return escape(found) if eval_ctx.autoescape else found


_WORDS: dict[tuple[object, str, bool], str] = {}


@jinja2.pass_context
def _words(context: Context, message: str, **variables: Any) -> str:
    """``_()`` and ``gettext()`` in templates, as Jinja's new-style gettext does them (the
    words are a %-format, its values escaped in an HTML or XML template), each message
    looked up and vetted once per language and escaping instead of on every page."""
    autoescape = context.eval_ctx.autoescape
    key = (locale.current(), message, autoescape)
    found = _WORDS.get(key)
    if found is None:
        found = _vetted(context.eval_ctx, locale.gettext(message))
        if autoescape:
            found = Markup(found)
        if len(_WORDS) >= 4096:
            _WORDS.clear()
        _WORDS[key] = found
    return found % variables


@lru_cache(maxsize=32)
def _environment(folders: tuple[tuple[Path, Path], ...], course_root: Path | None,
                 store: Path | None) -> CourseEnvironment | ThemeEnvironment:
    loader = ConfinedLoader(folders, partial(shown, course_root=course_root))
    # compiled templates are kept in the course's build cache (see coursepack.cache)
    compiled = cache.TemplateCache(cache.Cache(store)) if store else None
    env: CourseEnvironment | ThemeEnvironment
    if all(inside == default_templates() for _, inside in folders):
        env = ThemeEnvironment(loader=loader, bytecode_cache=compiled, **_OPTIONS)
        env.filters.update(FILTERS)
    else:  # a course's own template is untrusted, and so is all it includes or extends
        env = CourseEnvironment(loader=loader, bytecode_cache=compiled, **_OPTIONS)
        env.add_filters(FILTERS)
    env.course_root = course_root
    env.globals["unknown_type"] = unknown_type
    env.install_gettext_callables(  # type: ignore[union-attr]
        _gettext, _ngettext, newstyle=True)
    env.globals["_"] = env.globals["gettext"] = _words
    return env


def environment(fmt: str, course_root: Path | None = None) -> jinja2.Environment:
    """The environment of ``fmt`` for the course in ``course_root``, its templates as their
    files are now: checked here, once per build step, not on every page rendered."""
    root = None if course_root is None else course_root.absolute()
    store = cache.location(root) if root is not None else None
    env = _environment(tuple(_search_path(fmt, root)), root, store)
    env.auto_reload = False
    loaded = env.cache
    if loaded is not None and not all(template.is_up_to_date for template in loaded.values()):
        loaded.clear()
    return env


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render one template; a template mistake becomes a located ``CoursepackError``.

    Its interface strings are in the language of the ``course`` it is given, if any.
    """
    course = context.get("course")
    language = getattr(course, "language", None)
    try:
        if isinstance(language, str):
            with locale.speaking(language, getattr(course, "root", None)):
                return env.get_template(name).render(**context)
        return env.get_template(name).render(**context)
    except CoursepackError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        where = Origin(_where(env, exc.filename or name), exc.lineno or 0, 1)
        hint = "a Jinja tag or expression on this line is incomplete or misspelt"
        raise CoursepackError([error(where, f"template error: {exc.message}", hint)]) from None
    except jinja2.TemplateNotFound as exc:
        naming = _naming(env, exc)
        raise CoursepackError.single(f"template '{exc.name}' not found", naming, _HINT) from None
    except HiddenTemplate as exc:
        raise CoursepackError.single(
            f"template '{exc.name}' ({exc.where}) is hidden: its name or folder starts with "
            "a dot, and hidden files are not part of the course (a build would not see it "
            "change)", _naming(env, exc) or Origin(exc.where),
            "rename the file without the dot, and the name on this line with it") from None
    except Exception as exc:
        problem = _template_problem(env, name, exc)
        if problem is None:
            raise  # not a template's doing: let the CLI report it as a bug
        raise CoursepackError([problem]) from None


def _naming(env: jinja2.Environment, exc: BaseException) -> Origin | None:
    """The include, import or extends line that named the template ``exc`` is about."""
    frames = _template_frames(exc)
    return Origin(_where(env, frames[-1].filename), frames[-1].lineno or 0, 1) \
        if frames else None


_HINT = "templates see the course model's fields (docs/spec.md); check the name on this line"
_HINTS: tuple[tuple[type[BaseException], str, str], ...] = (
    (SecurityError, "",
     "course templates run in a sandbox: they may use the course's fields, filters and "
     "macros, not Python's internals (see 'Templates' in docs/authoring.md)"),
    (LimitExceeded, "",
     "a loop or macro that never stops, or a value that grows without end; "
     "see the limits under 'Templates' in docs/authoring.md"),
    (RecursionError, "a macro, include or loop calls itself without end",
     "give the macro or loop a condition that stops it"),
    (ZeroDivisionError, "division by zero", "check the number divided by on this line"),
    (jinja2.UndefinedError, "", _HINT),
    (jinja2.TemplateRuntimeError, "", _HINT),
    (TypeError, "", _HINT),
)
_THEMES_OWN = (jinja2.UndefinedError, jinja2.TemplateRuntimeError, TypeError)
"""Errors located even when only the shipped theme's templates are involved."""


def _template_problem(env: jinja2.Environment, name: str, exc: Exception) -> Problem | None:
    """The located problem for an error raised while rendering, or None for a bug of ours.

    Anything a course's own template set off is the course's to fix; in the theme alone,
    only Jinja's own errors (a field missing from the model) and a type error on a template
    line are, the rest is a bug.
    """
    frames = _template_frames(exc)
    theirs = [f for f in frames if _in_course(env, f.filename)]
    if not theirs and not isinstance(exc, _THEMES_OWN):
        return None
    if not frames and isinstance(exc, TypeError):
        return None  # raised outside any template line: ours
    failing = (theirs or frames)[-1:] if frames else []
    if isinstance(exc, RecursionError) and failing:
        failing = [_calling_again(theirs or frames)]
    where = (Origin(_where(env, failing[0].filename), failing[0].lineno or 0, 1) if failing
             else Origin(_where(env, _template_file(env, name))))
    message, hint = str(exc), _HINT
    for kind, text, advice in _HINTS:
        if isinstance(exc, kind):
            message, hint = text or message, advice
            break
    else:
        message = f"{type(exc).__name__}: {exc}"
    return error(where, f"template error: {message}", hint)


def _calling_again(frames: list[traceback.FrameSummary]) -> traceback.FrameSummary:
    """The line of a template that calls itself without end: of the lines the last rounds
    before the limit went through, the first (by file and line). The innermost line alone,
    or the most frequent, would depend on how deep the build's own calls were when the
    render began, so on where in a round the limit fell: that last round, cut short, is
    left out."""
    rounds = frames[-_CYCLE_LINES - 1:-1] or frames[-1:]
    return min(rounds, key=lambda f: (f.filename, f.lineno or 0))


_CYCLE_LINES = 20  # template lines the last rounds of a cycle go through: a few macros'


def _template_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    """The template lines a render went through: Jinja puts them in the traceback."""
    return [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]


def _in_course(env: jinja2.Environment, filename: str) -> bool:
    root = getattr(env, "course_root", None)
    if root is None:
        return False
    path = Path(filename)
    theme = default_templates()
    return path.is_relative_to(root / "templates") and not path.resolve().is_relative_to(theme)


def _where(env: jinja2.Environment, filename: str) -> str:
    return shown(filename, getattr(env, "course_root", None))


def _template_file(env: jinja2.Environment, name: str) -> str:
    try:
        source = env.get_template(name).filename
    except (jinja2.TemplateError, CoursepackError):
        return name
    return source or name
