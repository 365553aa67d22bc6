"""The course as a static site that works from file:// (a USB stick) with no network."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from coursepack import markup, render
from coursepack.errors import Problem
from coursepack.exporters.base import ExportContext, OutputDir
from coursepack.model import Course, Lesson, Module, Quiz


@dataclass(frozen=True)
class Page:
    """One page of the site: where it goes and how deep it is (for relative links)."""

    path: str
    title: str

    @property
    def root(self) -> str:
        depth = self.path.count("/")
        return "../" * depth


def lesson_path(module: Module, lesson: Lesson) -> str:
    return f"{module.id}/{lesson.id}.html"


def quiz_path(quiz: Quiz) -> str:
    return f"quizzes/{quiz.id}.html"


def asset_name(path: Path) -> str:
    """A published name for a course file: stable, unique, and safe in a URL."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return f"media/{digest}-{markup.slugify(path.stem)}{path.suffix.lower()}"


class HtmlExporter:
    name: ClassVar[str] = "html"
    summary: ClassVar[str] = "static course site with self-grading quizzes; works offline"

    def check(self, course: Course) -> list[Problem]:
        return []

    def export(self, ctx: ExportContext) -> Path:
        course = ctx.course
        env = render.environment(self.name, course.root)
        media = self.copy_media(course, ctx.out)
        nav = self.navigation(course)
        base: dict[str, Any] = {"course": course, "nav": nav, "lesson_path": lesson_path,
                                "quiz_path": quiz_path}

        def page(template: str, path: str, title: str, **extra: Any) -> None:
            here = Page(path, title)
            html = render.render(env, template, page=here, root=here.root, **base, **extra)
            lesson = extra.get("lesson")
            images = media.get(lesson.origin.path, {}) if lesson and lesson.origin else {}
            ctx.out.write_text(path, markup.rewrite_images(html, _relative(images, here.root)))

        page("index.html.j2", "index.html", course.title)
        for position, (module, lesson) in enumerate(nav.lessons):
            ctx.progress(f"html: {module.id}/{lesson.id}")
            page("lesson.html.j2", lesson_path(module, lesson), lesson.title, module=module,
                 lesson=lesson, previous=nav.at(position - 1), next=nav.at(position + 1))
        for module in course.modules:
            page("module.html.j2", f"{module.id}/index.html", module.title, module=module)
        for quiz in course.quizzes:
            page("quiz.html.j2", quiz_path(quiz), quiz.title, quiz=quiz)
        page("glossary.html.j2", "glossary.html", "Glossary")
        page("sources.html.j2", "sources.html", "Sources")
        self.copy_static(ctx.out, course.root)
        return ctx.out.root / "index.html"

    def navigation(self, course: Course) -> Navigation:
        return Navigation(tuple(course.lessons()))

    def copy_media(self, course: Course, out: OutputDir) -> dict[str, dict[str, str]]:
        """Copy each image a lesson uses; per lesson file, map each reference to its copy."""
        mapping: dict[str, dict[str, str]] = {}
        for _, lesson in course.lessons():
            own = mapping.setdefault(lesson.origin.path if lesson.origin else lesson.id, {})
            for asset in lesson.assets:
                published = asset_name(asset.path)
                if published not in out.written:
                    out.copy(asset.path, published)
                own[asset.ref] = published
        return mapping

    def copy_static(self, out: OutputDir, course_root: Path) -> None:
        for folder in reversed(render.template_dirs(self.name, course_root)):
            static = folder / "static"
            for source in sorted(static.rglob("*")) if static.is_dir() else []:
                relpath = "assets/" + source.relative_to(static).as_posix()
                if source.is_file():
                    out.written.pop(relpath, None)  # a course's own file replaces the theme's
                    out.copy(source, relpath)


@dataclass(frozen=True)
class Navigation:
    """The reading order of the course, for previous/next links."""

    lessons: tuple[tuple[Module, Lesson], ...]

    def at(self, position: int) -> tuple[Module, Lesson] | None:
        if 0 <= position < len(self.lessons):
            return self.lessons[position]
        return None


def _relative(media: dict[str, str], root: str) -> dict[str, str]:
    return {ref: root + published for ref, published in media.items()}
