"""Print HTML kept from earlier builds: a document's HTML is made again only when what it
shows has changed.

Every printed document shows the course's own fields, its outline (each module but its
lessons' content: titles, durations, summaries, objectives, facilitator notes) and its
quizzes, through the pdf templates and the interface words. That is the base of every
key. A lesson's handout (also its part of the course pack) adds the lesson; the glossary
adds the key terms of every lesson. So an edited lesson body makes its own handout's HTML
again, and no other. With a course's own pdf templates, which can show anything anywhere,
the base holds the whole course.

Only the HTML is kept here; what WeasyPrint makes of it is named by a hash of that HTML
(``jobs``), so a kept document is still rendered again when its CSS or images change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from coursepack import render
from coursepack.cache import Cache
from coursepack.exporters.digests import course_fields, digest, module_outline, templates
from coursepack.locale.own import own_messages
from coursepack.model import Course

_VERSION = "1"


def outline(course: Course) -> list[object]:
    """The course as every printed document may show it, without its lessons' content."""
    return [[(module_outline(module), module.facilitator) for module in course.modules],
            course.quizzes]


class KeptHtml:
    """The print HTML of the last builds, by a key of what each document shows."""

    def __init__(self, cache: Cache, env: jinja2.Environment, course: Course,
                 *settings: str) -> None:
        custom = not isinstance(env, render.ThemeEnvironment)
        words = json.dumps(own_messages(course.root, course.language)[0], sort_keys=True)
        self.cache = cache
        self.base = digest(_VERSION, course_fields(course), outline(course), templates(env),
                           words, list(settings), course if custom else None)

    def key(self, template: str, relpath: str, title: str, shows: object) -> str:
        return self.cache.key("pdf-html", self.base, template, relpath, title, digest(shows))

    def get(self, key: str) -> tuple[str, tuple[Path, ...]] | None:
        """The HTML kept under ``key`` and the images it shows, or None."""
        kept: Any = self.cache.get_json(key)
        if not isinstance(kept, dict):
            return None
        html, images = kept.get("html"), kept.get("images")
        if not isinstance(html, str) or not isinstance(images, list) \
                or not all(isinstance(image, str) for image in images):
            return None
        return html, tuple(Path(image) for image in images)

    def keep(self, key: str, html: str, images: tuple[Path, ...]) -> None:
        self.cache.put_json(key, {"html": html, "images": [str(image) for image in images]})
