"""Where each part of the course goes in the site (the reading order is in path.py)."""

from __future__ import annotations

from dataclasses import dataclass

from coursepack.model import Lesson, Module, Quiz


@dataclass(frozen=True)
class Page:
    """One page of the site: where it goes, its title, and its kind for the runtime."""

    path: str
    title: str
    kind: str = "other"
    module_id: str = ""
    lesson_id: str = ""
    quiz_id: str = ""

    @property
    def root(self) -> str:
        """The relative link from this page back to the site's root folder."""
        return "../" * self.path.count("/")


def lesson_path(module: Module, lesson: Lesson) -> str:
    """A lesson's page, from the site root."""
    return f"{module.id}/{lesson.id}.html"


def module_path(module: Module) -> str:
    """A module's page, from the site root."""
    return f"{module.id}/index.html"


def quiz_path(quiz: Quiz) -> str:
    """A quiz's page, from the site root."""
    return f"quizzes/{quiz.id}.html"


def lesson_key(module: Module, lesson: Lesson) -> str:
    """The id the runtime records a visited lesson under."""
    return f"{module.id}/{lesson.id}"
