"""IMS Common Cartridge 1.1: lessons as web content, quizzes as CC-profile QTI assessments.

The cartridge holds one page per lesson, one QTI file per quiz, every image either shows
in one web-content resource (``web_resources/media/``, which pages and quizzes depend on),
and a manifest with LOM metadata whose organization mirrors the course: a folder per module
with its lessons and quizzes, then the standalone quizzes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import jinja2

from coursepack import markup, render
from coursepack.errors import Problem, warning
from coursepack.exporters._package import zip_files
from coursepack.exporters._quizbank import warn
from coursepack.exporters.base import ExportContext
from coursepack.exporters.digests import shown_everywhere
from coursepack.exporters.imscc.items import Item, losses, to_item, unsupported
from coursepack.exporters.kept_html import KeptHtml
from coursepack.exporters.media import Published
from coursepack.exporters.question_types import carries, left_out_warning, written
from coursepack.exporters.scorm12 import xml_id
from coursepack.model import Course, Description, Lesson, Module, Question, Quiz
from coursepack.numbers import number

log = logging.getLogger("coursepack.imscc")
"""Each lesson page rendered again (not taken from the cache) is logged at DEBUG level."""


@dataclass(frozen=True)
class Entry:
    """One organization item: a lesson page or an assessment, and the resource behind it."""

    ident: str
    title: str
    kind: str
    href: str
    files: tuple[str, ...]
    depends: tuple[str, ...] = ()


MEDIA = "web_resources/media/"
MEDIA_ENTRY = "media"
FILEBASE = "$IMS-CC-FILEBASE$/media/"
"""How a QTI file names a file of the package's web resources (``web_resources/``)."""


def lesson_entry(module: Module, lesson: Lesson, media: bool) -> Entry:
    href = f"{module.id}/{lesson.id}.html"
    return Entry(xml_id(f"lesson-{module.id}-{lesson.id}"), markup.as_line(lesson.title),
                 "webcontent", href, (href,), _depends(media))


def quiz_entry(quiz: Quiz, media: bool) -> Entry:
    path = f"assessments/{quiz.id}.xml"
    return Entry(xml_id(f"quiz-{quiz.id}"), markup.as_line(quiz.title),
                 "imsqti_xmlv1p2/imscc_xmlv1p1/assessment", "", (path,), _depends(media))


def _depends(media: bool) -> tuple[str, ...]:
    return (f"res-{MEDIA_ENTRY}",) if media else ()


def quiz_items(quiz: Quiz) -> list[Item]:
    """The quiz's questions the profile can carry; pooled questions are all listed."""
    items: dict[str, Item] = {}
    shuffle = quiz.settings.shuffle_options
    for question in quiz.questions:
        item = to_item(question, question.points, shuffle)
        if item:
            items.setdefault(item.ident, item)
    for pool in quiz.pools:
        for question in pool.questions:
            item = to_item(question, pool.points_of(question), shuffle)
            if item:
                items.setdefault(item.ident, item)
    return list(items.values())


def rubric(quiz: Quiz) -> str:
    """The quiz's instructions: its description, then the text of its description items."""
    texts = [quiz.description, *(q.stem for q in quiz.questions if isinstance(q, Description))]
    return "".join(markup.to_html(text) for text in texts if text)


def max_attempts(quiz: Quiz) -> str:
    attempts = quiz.settings.attempts
    return str(attempts) if 1 <= attempts <= 5 else "unlimited"


class ImsccExporter:
    name: ClassVar[str] = "imscc"
    summary: ClassVar[str] = "IMS Common Cartridge 1.1 (lessons as pages, quizzes as QTI)"

    def check(self, course: Course) -> list[Problem]:
        problems: list[Problem] = []
        for _, question in course.questions():
            problems += self.check_question(question)
        for quiz in course.quizzes:
            problems += self.check_quiz(quiz)
        return problems

    def check_question(self, question: Question) -> list[Problem]:
        """What the cartridge leaves out of one question (the type table speaks for its type)."""
        if not carries(self.name, question):
            return []
        reason = unsupported(question)
        if reason:
            return [left_out_warning(self.name, question, reason)]
        found = [warn(question, loss, self.name) for loss in losses(question)]
        if question.scored and round(question.points) != question.points:
            found.append(warn(question, "Common Cartridge weights a question as a whole number "
                              f"of points (1 to 99); {number(question.points)} is rounded",
                              self.name))
        return found

    def check_quiz(self, quiz: Quiz) -> list[Problem]:
        found = []
        if quiz.pools:
            found.append(warning(quiz.origin, f"imscc: quiz '{quiz.id}' draws questions at "
                                 "random; Common Cartridge 1.1 cannot, so the LMS shows them all"))
        if quiz.settings.attempts > 5:
            found.append(warning(quiz.origin, f"imscc: quiz '{quiz.id}' allows "
                                 f"{quiz.settings.attempts} attempts; the cartridge can say 1 "
                                 "to 5 or unlimited, and says unlimited"))
        if not any(self.keeps(q) for q in quiz.all_questions()):
            found.append(warning(quiz.origin, f"imscc: quiz '{quiz.id}' has no question the "
                                 "cartridge can carry and is left out"))
        return found

    def keeps(self, question: Question) -> bool:
        """Whether the cartridge has an item for ``question``."""
        return (carries(self.name, question) and not unsupported(question)
                and not isinstance(question, Description))

    def export(self, ctx: ExportContext) -> Path:
        course = written(self.name, ctx.course)
        env = render.environment(self.name, course.root)
        files: dict[str, bytes] = {}
        published = Published()
        # the lesson pages are given the course as it is (any template may show any of it)
        kept = KeptHtml(ctx.cache, "imscc-page", shown_everywhere(env, ctx.course), course.root)
        tree: list[tuple[Module | None, list[Entry]]] = []
        if course.description:
            tree.append((None, [self.overview(env, files, published, course, "_course",
                                              course.title, course.description)]))
        for module in course.modules:
            entries = [self.overview(env, files, published, course, module.id, module.title,
                                     module.description, module)] if module.description else []
            entries += [self.lesson(ctx, env, files, published, module, lesson, kept)
                        for lesson in module.lessons]
            entries += self.quizzes(env, files, published, course.module_quizzes(module),
                                    course.language)
            tree.append((module, entries))
        tree.append((None, self.quizzes(env, files, published, course.standalone_quizzes(),
                                        course.language)))
        media = tuple(MEDIA + name for name in sorted(published.files))
        files.update({MEDIA + name: path.read_bytes() for name, path in published.files.items()})
        manifest = render.render(env, "imsmanifest.xml.j2", course=course, tree=tree,
                                 identifier=xml_id(course.id), xml_id=xml_id,
                                 media=Entry(MEDIA_ENTRY, "", "webcontent", "", media))
        target = ctx.out.path(f"{course.id}.imscc")
        zip_files({"imsmanifest.xml": manifest.encode(), **dict(sorted(files.items()))}, target,
                  ctx.cache)
        ctx.notes.append(f"imscc: {target.name}; pass marks are not part of Common Cartridge "
                         "1.1, set them in the LMS")
        return target

    def lesson(self, ctx: ExportContext, env: jinja2.Environment, files: dict[str, bytes],
               published: Published, module: Module, lesson: Lesson, kept: KeptHtml) -> Entry:
        """The lesson's page, from the cache when it shows what it showed then."""
        ctx.progress(f"imscc: {module.id}/{lesson.id}")
        key = kept.key("lesson.html.j2", lesson)
        found = kept.get_published(key)
        if found is None:
            own = Published()
            with own.serving(lambda name: "../" + MEDIA + name):
                page = render.render(env, "lesson.html.j2", course=ctx.course, module=module,
                                     lesson=lesson)
            kept.keep(key, page, own.files.values())
            found = page, own.files
            log.debug("rendered %s/%s", module.id, lesson.id)
        page, shown = found
        published.files.update(shown)
        entry = lesson_entry(module, lesson, bool(shown))
        files[entry.href] = page.encode()
        return entry

    def overview(self, env: jinja2.Environment, files: dict[str, bytes], published: Published,
                 course: Course, folder: str, title: str, description: str,
                 module: Module | None = None) -> Entry:
        """A page for the course's or a module's description (and the module's objectives)."""
        own = Published()
        with own.serving(lambda name: "../" + MEDIA + name):
            page = render.render(env, "overview.html.j2", course=course, title=title,
                                 description=description,
                                 objectives=module.objectives if module else ())
        published.files.update(own.files)
        href = f"{folder}/index.html"
        files[href] = page.encode()
        return Entry(xml_id(f"overview-{folder}"), markup.as_line(title), "webcontent", href,
                     (href,), _depends(bool(own.files)))

    def quizzes(self, env: jinja2.Environment, files: dict[str, bytes], published: Published,
                quizzes: tuple[Quiz, ...], language: str = "en") -> list[Entry]:
        entries = []
        for quiz in quizzes:
            own = Published()
            with own.serving(lambda name: FILEBASE + name):
                items = quiz_items(quiz)
                text = render.render(env, "assessment.xml.j2", quiz=quiz, items=items,
                                     attempts=max_attempts(quiz), rubric=rubric(quiz),
                                     response="response1", language=language)
            if not items:
                continue
            published.files.update(own.files)
            entry = quiz_entry(quiz, media=bool(own.files))
            files[entry.files[0]] = text.encode()
            entries.append(entry)
        return entries
