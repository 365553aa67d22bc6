"""The offline search index: each lesson's plain text, loaded by <script> (file:// blocks fetch)."""

from __future__ import annotations

import json
from typing import Any

from coursepack import markup
from coursepack.exporters.html.paths import lesson_path
from coursepack.model import Course, Lesson, Module


def lesson_texts(lesson: Lesson) -> list[str]:
    """The texts of a lesson its entry holds, each made one line of plain text."""
    parts: list[str] = [lesson.summary, lesson.body]
    parts += [q.text for q in lesson.quotes]
    parts += [f"{t.term}: {t.definition}" for t in lesson.key_terms]
    return [p for p in parts if p]


def _lesson_text(lesson: Lesson) -> str:
    return " ".join(markup.to_line(p) for p in lesson_texts(lesson))


def search_entry(module: Module, lesson: Lesson) -> dict[str, Any]:
    """One lesson's entry: title, module, link from the site root, and its words."""
    return {
        "title": markup.as_line(lesson.title),
        "module": markup.as_line(module.title),
        "url": lesson_path(module, lesson),
        "text": _lesson_text(lesson),
    }


def search_index(course: Course) -> list[dict[str, Any]]:
    """One entry per lesson, in reading order."""
    return [search_entry(module, lesson) for module, lesson in course.lessons()]


def search_script(course: Course, entries: list[dict[str, Any]] | None = None) -> str:
    """The index (``entries``, else every lesson's) as a script that sets
    ``window.coursepackSearchIndex``."""
    found = search_index(course) if entries is None else entries
    data = json.dumps(found, ensure_ascii=False, separators=(",", ":"))
    safe = data.replace("<", "\\u003c")
    return f"window.coursepackSearchIndex = {safe};\n"
