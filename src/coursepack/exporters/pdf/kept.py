"""Print HTML kept from earlier builds: a document's HTML is made again only when what it
shows has changed.

Every printed document shows the course's own fields, its outline (each module but its
lessons' content: titles, durations, summaries, objectives, facilitator notes) and its
quizzes, through the pdf templates and the interface words. That is the base of every
key. A lesson's handout (also its part of the course pack) adds the lesson; the glossary
adds the key terms of every lesson. So an edited lesson body makes its own handout's HTML
again, and no other. With a course's own pdf templates, which can show anything anywhere,
the base holds the whole course.

Only the HTML is kept here (``kept_html``); what WeasyPrint makes of it is named by a hash
of that HTML (``jobs``), so a kept document is still rendered again when its CSS or images
change.
"""

from __future__ import annotations

import jinja2

from coursepack.cache import Cache
from coursepack.exporters.digests import module_outline, shown_everywhere
from coursepack.exporters.kept_html import KeptHtml
from coursepack.model import Course

_VERSION = "2"


def outline(course: Course) -> list[object]:
    """The course as every printed document may show it, without its lessons' content."""
    return [[(module_outline(module), module.facilitator) for module in course.modules],
            course.quizzes]


def kept_print_html(cache: Cache, env: jinja2.Environment, course: Course,
                    *settings: str) -> KeptHtml:
    """The print HTML of the last builds; a document's key: its template, file, title and
    what it shows."""
    base = shown_everywhere(env, course, _VERSION, outline(course), *settings)
    return KeptHtml(cache, "pdf-html", base, course.root)
