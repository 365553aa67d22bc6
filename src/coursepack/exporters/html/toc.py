"""The course contents beside every page, rendered once per folder depth instead of per page.

The pages of one folder depth share the same links; each page's copy only differs by
``aria-current`` on its own link, added here. A course of more than ``FULL_UP_TO``
lessons lists every module but only the lessons of the page's own module: a list of
hundreds of links helps no reader, and repeating it on every page made the site grow
as N x N. Inside a SCORM SCO the contents list only that SCO's part of the course.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup, escape

from coursepack import render
from coursepack.exporters.html.path import CoursePath
from coursepack.exporters.html.paths import Page

TEMPLATE = "_toc.html.j2"
CURRENT = ' aria-current="page"'
FULL_UP_TO = 60


class Contents:
    """``toc(page)`` in templates: the contents with ``page``'s own link marked current."""

    def __init__(self, env: jinja2.Environment, context: dict[str, Any]) -> None:
        self.env = env
        self.context = context
        self.path: CoursePath = context["course_path"]
        self.rendered: dict[tuple[str, str | None, str], str] = {}
        lessons = sum(len(m.lessons) for m in context["course"].modules)
        self.full = lessons <= FULL_UP_TO

    def __call__(self, here: Page) -> Markup:
        opened = None if self.full else here.module_id
        part = self.path.part_of(here.path)
        key = (here.root, opened, part.id if part and not part.whole else "")
        plain = self.rendered.get(key)
        if plain is None:
            nowhere = Page("", here.title)  # matches no link, so nothing is marked current
            plain = render.render(self.env, TEMPLATE, **{**self.context, "page": nowhere,
                                                         "root": here.root, "full": self.full,
                                                         "opened": opened,
                                                         "listed": self.path.contents(here.path)})
            self.rendered[key] = plain
        link = plain.find(f'<a href="{escape(here.root + here.path)}"')
        if link < 0:
            return Markup(plain)
        end = plain.index(">", link)
        return Markup(plain[:end] + CURRENT + plain[end:])
