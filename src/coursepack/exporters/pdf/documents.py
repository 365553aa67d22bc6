"""The printed documents: handouts, course pack, quizzes, answer key, facilitator guide as HTML."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from html import escape
from itertools import zip_longest
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote

from markupsafe import Markup

from coursepack import markup, render
from coursepack.cache import Cache
from coursepack.exporters._package import source_date_epoch
from coursepack.exporters.digests import digest
from coursepack.exporters.pdf import faces
from coursepack.exporters.pdf.kept import kept_print_html
from coursepack.exporters.pdf.questions import Option, Printed, lay_out
from coursepack.exporters.question_types import written
from coursepack.locale import N_, translator
from coursepack.model import Asset, Course, Lesson, Module, Question, Quiz, Timing


class PaperSize(Enum):
    A4 = "A4"
    LETTER = "Letter"


@dataclass(frozen=True)
class Document:
    """One PDF to make: where it goes, its title, the HTML it is made from, its images."""

    relpath: str
    title: str
    html: str
    images: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Section:
    """A run of quiz questions: the fixed ones (``pick`` None) or one pool."""

    title: str
    pick: int | None
    questions: tuple[Printed, ...]
    points: float | None = None

    @property
    def scored(self) -> int:
        return sum(1 for p in self.questions if p.number is not None)


KIND_LABELS = {
    "single": N_("Single choice"), "multiple": N_("Multiple response"),
    "true-false": N_("True or false"), "short-answer": N_("Short answer"),
    "numeric": N_("Numeric"), "matching": N_("Matching"), "ordering": N_("Ordering"),
    "fill-blanks": N_("Fill in the blanks"), "essay": N_("Essay"), "description": N_("Text"),
}


def page_counters(label: str) -> str:
    """A translated "Page %(page)s of %(pages)s" as a CSS ``content`` value: its words as
    CSS strings, its numbers as the page counters."""
    counters = {"page": "counter(page)", "pages": "counter(pages)"}
    parts = re.split(r"%\((page|pages)\)s", label.replace("%%", "%"))
    return " ".join(counters[part] if n % 2 else f'"{css_string(part)}"'
                    for n, part in enumerate(parts) if part or n % 2)


def handout_path(module: Module, lesson: Lesson) -> str:
    return f"handouts/{module.id}/{lesson.id}.pdf"


def quiz_path(quiz: Quiz) -> str:
    return f"quizzes/{quiz.id}.pdf"


class Documents:
    """Renders every document of a course to HTML with the ``pdf`` templates.

    The printed quizzes, the answer key and the guide show the course as the PDFs write it:
    a question of a type the question-type table leaves out of them is not printed, and the
    quizzes' points are those of what is printed.
    """

    def __init__(self, course: Course, version: str, paper: PaperSize = PaperSize.A4,
                 cache: Cache | None = None,
                 lesson_digest: Callable[[Lesson], str] | None = None) -> None:
        #: a lesson's digest, for the key of its handout's HTML (made once for every format)
        self.lesson_digest = lesson_digest or digest
        course = written("pdf", course)
        self.course = course
        self.paper = paper
        self._ = translator(course.language, course.root)
        self.env = render.environment("pdf", course.root)
        created = created_date()
        #: Print HTML of earlier builds (with a build's cache), made again only when changed.
        self.kept = None if cache is None else kept_print_html(cache, self.env, course,
                                                               paper.value, version, created)
        self.common: dict[str, Any] = {
            "course": course, "version": version, "created": created,
            "body": lesson_body, "objective": partial(objective_text, course), "sections": sections,
            "schedule": schedule, "rows": rows,
            "kind_label": {kind: self._(label) for kind, label in KIND_LABELS.items()},
            "handout_path": handout_path, "quiz_path": quiz_path,
            "quizzes": quizzes(course),
        }

    def stylesheet(self) -> str:
        """The print CSS, without page numbers (``page_numbers`` adds them)."""
        course = self.course
        edition = f"{course.title} · " + self._("version %(version)s") % {"version": course.version}
        if course.licence:
            edition += f" · {course.licence}"
        return render.render(self.env, "print.css.j2", paper=self.paper.value,
                             edition=css_string(edition), fonts=faces.font_face_css(),
                             **self.typography())

    def page_numbers(self) -> str:
        """The CSS that numbers pages: in whole documents, and on the sheets stamped on parts."""
        label = self._("Page %(page)s of %(pages)s")
        return render.render(self.env, "page-numbers.css.j2", course=self.course,
                             page_label=page_counters(label), **self.typography())

    def typography(self) -> dict[str, str]:
        """The font families and the page sides (start, end) of the course's language."""
        language = self.course.language
        return faces.families(language) | faces.page_sides(language)

    def whole(self) -> list[Document]:
        """The documents rendered in one piece: printable quizzes, answer key, guide."""
        course = self.course
        docs = [self.page("quiz.html.j2", quiz_path(q), q.title, kept_as=(q.id,), quiz=q)
                for q in quizzes(course)]
        docs.append(self.page("answer-key.html.j2", "answer-key.pdf",
                              f"{self._('Answer key')}: {course.title}", kept_as=()))
        docs.append(self.page("facilitator-guide.html.j2", "facilitator-guide.pdf",
                              f"{self._('Facilitator guide')}: {course.title}", kept_as=()))
        return docs

    def handout(self, module: Module, lesson: Lesson) -> Document:
        """A lesson on its own: the handout, and the same pages in the course pack."""
        return self.page("handout.html.j2", handout_path(module, lesson), lesson.title,
                         kept_as=(module.id, self.lesson_digest(lesson)), module=module,
                         lesson=lesson)

    def page(self, template: str, relpath: str, title: str,
             kept_as: tuple[object, ...] | None = None, **extra: Any) -> Document:
        """One document; every image it shows points at its file and is one of its inputs.

        ``kept_as``: what the document shows besides what every document shows (``kept``);
        with it, the HTML an earlier build made for the same is taken over. None: always
        made (a document that shows what no key covers, such as page numbers).
        """
        key = None
        if self.kept is not None and kept_as is not None:
            key = self.kept.key(template, relpath, title, kept_as)
            found = self.kept.get(key)
            if found is not None:
                return Document(relpath, title, *found)
        document = self._made(template, relpath, title, **extra)
        if self.kept is not None and key is not None:
            self.kept.keep(key, document.html, document.images)
        return document

    def _made(self, template: str, relpath: str, title: str, **extra: Any) -> Document:
        shown: dict[Path, None] = {}

        def url(asset: Asset) -> str:
            shown[asset.path] = None
            return self.image_url(asset.path)

        with markup.publishing(url):
            html = render.render(self.env, template, title=title, **self.common, **extra)
        return Document(relpath, title, unlinked(html, {self.image_url(p) for p in shown}),
                        tuple(shown))

    def image_url(self, path: Path) -> str:
        """An image's address relative to the course folder (the base URL)."""
        try:
            return quote(path.resolve().relative_to(self.course.root.resolve()).as_posix())
        except ValueError:
            return path.resolve().as_uri()


def lesson_body(lesson: Lesson, shift: int = 0) -> Markup:
    """A lesson's body with its headings moved down (images as the document publishes)."""
    return Markup(shift_headings(markup.to_html(lesson.body), shift))


def objective_text(course: Course, objective_id: str) -> str:
    found = next((o for o in course.objectives() if o.id == objective_id), None)
    return found.text if found else objective_id


def unlinked(html: str, files: set[str]) -> str:
    """Links to course files as their text and the file's name: paper carries no files."""

    def text(match: re.Match[str]) -> str:
        href = unquote(match.group(1))
        return f'{match.group(2)} <span class="file">({escape(PurePosixPath(href).name)})</span>'

    pattern = r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>'
    return re.sub(pattern, lambda m: text(m) if m.group(1) in files else m.group(0), html,
                  flags=re.S)


def quizzes(course: Course) -> tuple[Quiz, ...]:
    """Every quiz in teaching order: each module's quizzes, then the standalone ones."""
    ordered = [q for module in course.modules for q in course.module_quizzes(module)]
    return tuple(ordered) + tuple(q for q in course.quizzes if q not in ordered)


def sections(quiz: Quiz) -> tuple[Section, ...]:
    """The quiz as printed: fixed questions, then each pool, numbered straight through."""
    number = 0
    parts: list[Section] = []

    def laid(questions: tuple[Question, ...],
             points: Callable[[Question], float]) -> tuple[Printed, ...]:
        nonlocal number
        out = []
        for question in questions:
            number += question.scored
            out.append(lay_out(question, number if question.scored else None, points(question)))
        return tuple(out)

    if quiz.questions:
        parts.append(Section("", None, laid(quiz.questions, lambda q: q.points)))
    for pool in quiz.pools:
        printed = laid(pool.questions, pool.points_of)
        parts.append(Section(pool.title or pool.id, pool.pick, printed, pool.points))
    return tuple(parts)


def schedule(timings: tuple[Timing, ...]) -> list[tuple[Timing, str]]:
    """Each activity with the clock time it starts at, counted from 0:00."""
    start = 0
    out = []
    for timing in timings:
        out.append((timing, f"{start // 60}:{start % 60:02d}"))
        start += timing.minutes
    return out


def rows(printed: Printed) -> list[tuple[Option | None, Option | None]]:
    """Matching as a two-column table: numbered prompts beside lettered answers."""
    return list(zip_longest(printed.prompts, printed.options))


def shift_headings(html: str, shift: int) -> str:
    """Move every heading ``shift`` levels down (never below h6)."""
    if not shift:
        return html
    return re.sub(r"<(/?)h([1-6])\b",
                  lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html)


def css_string(text: str) -> str:
    """Text made safe inside a double-quoted CSS string."""
    return "".join(f"\\{ord(c):x} " if c in '"\\\n<>' else c for c in text)


def created_date() -> str:
    """The build date for the PDF metadata from SOURCE_DATE_EPOCH, or none at all."""
    epoch = source_date_epoch()
    if epoch is None:
        return ""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
