"""The course contents beside every page, rendered once per folder depth instead of per page.

The contents list every module, lesson and quiz, so rendering it on each page made a
site of N lessons cost N x N links. The pages of one folder depth share the same links;
each page's copy only differs by ``aria-current`` on its own link, added here.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup, escape

from coursepack import render
from coursepack.exporters.html.paths import Page

TEMPLATE = "_toc.html.j2"
CURRENT = ' aria-current="page"'


class Contents:
    """``toc(page)`` in templates: the contents with ``page``'s own link marked current."""

    def __init__(self, env: jinja2.Environment, context: dict[str, Any]) -> None:
        self.env = env
        self.context = context
        self.by_root: dict[str, str] = {}

    def __call__(self, here: Page) -> Markup:
        plain = self.by_root.get(here.root)
        if plain is None:
            nowhere = Page("", here.title)  # matches no link, so nothing is marked current
            plain = render.render(self.env, TEMPLATE, **{**self.context, "page": nowhere,
                                                         "root": here.root})
            self.by_root[here.root] = plain
        link = plain.find(f'<a href="{escape(here.root + here.path)}"')
        if link < 0:
            return Markup(plain)
        end = plain.index(">", link)
        return Markup(plain[:end] + CURRENT + plain[end:])
