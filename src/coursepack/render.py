"""Jinja environments per output format: course overrides first, then the default theme.

A course shadows any default template by putting a file of the same name under
``<course>/templates/<format>/`` (as mkdocs's ``custom_dir`` does). Template errors
become problems located at the template's file and line.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from coursepack import cache, markup
from coursepack.errors import CoursepackError, Origin, error
from coursepack.numbers import number

_ESCAPED_SUFFIXES = (".html", ".xml", ".html.j2", ".xml.j2", ".htm")


def default_templates() -> Path:
    """The theme shipped with coursepack: inside the wheel, or the repo's templates/."""
    packaged = Path(__file__).resolve().parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def template_dirs(fmt: str, course_root: Path | None) -> list[Path]:
    dirs = [default_templates() / fmt, default_templates() / "_common"]
    if course_root is not None:
        own = course_root / "templates"
        # The repo root is both the bundled course and the theme's home: don't list it twice.
        if own.resolve() != default_templates().resolve():
            dirs = [own / fmt, own / "_common", *dirs]
    return [d for d in dirs if d.is_dir()]


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
}


def unknown_type(kind: str) -> str:
    """Called by a template's last branch: a question type it has no branch for is a bug."""
    raise jinja2.TemplateRuntimeError(f"this template has no branch for question type '{kind}'")


@lru_cache(maxsize=32)
def _environment(dirs: tuple[Path, ...], store: Path | None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=lambda name: name is not None and name.endswith(_ESCAPED_SUFFIXES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # compiled templates are kept in the course's build cache (see coursepack.cache)
        bytecode_cache=cache.TemplateCache(cache.Cache(store)) if store else None,
    )
    env.filters.update(FILTERS)
    env.globals["unknown_type"] = unknown_type
    return env


def environment(fmt: str, course_root: Path | None = None) -> jinja2.Environment:
    store = cache.location(course_root) if course_root is not None else None
    return _environment(tuple(template_dirs(fmt, course_root)), store)


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render one template; a template mistake becomes a located ``CoursepackError``."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = Origin(_shown(exc.filename or name), exc.lineno or 0, 1)
        hint = "a Jinja tag or expression on this line is incomplete or misspelt"
        raise CoursepackError([error(where, f"template error: {exc.message}", hint)]) from None
    except jinja2.TemplateNotFound as exc:
        raise CoursepackError.single(f"template '{exc.name}' not found", hint=_HINT) from None
    except (jinja2.UndefinedError, jinja2.TemplateRuntimeError, TypeError) as exc:
        line = _failing_line(exc)
        if line is None and isinstance(exc, TypeError):
            raise  # not a template's doing: let the CLI report it as a bug
        where = line or Origin(_shown(_template_file(env, name)))
        raise CoursepackError([error(where, f"template error: {exc}", _HINT)]) from None


_HINT = "templates see the course model's fields (docs/spec.md); check the name on this line"


def _failing_line(exc: BaseException) -> Origin | None:
    """The template line a render failed on: Jinja puts template frames in the traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if not frames:
        return None
    return Origin(_shown(frames[-1].filename), frames[-1].lineno or 0, 1)


def _shown(filename: str) -> str:
    """A template's path as the user knows it: relative to where they run coursepack."""
    path = Path(filename)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return filename


def _template_file(env: jinja2.Environment, name: str) -> str:
    try:
        source = env.get_template(name).filename
    except jinja2.TemplateError:
        return name
    return source or name
