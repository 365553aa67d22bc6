"""The course as a static site that works from file:// (a USB stick) with no network.

Pages are rendered from ``templates/html`` (a course's own ``templates/html`` shadows any file,
static assets included). Quizzes carry their grading data as JSON and mark themselves in the
browser with ``assets/grading.js``; ``assets/coursepack.js`` is the runtime (progress,
events, quizzes, search) whose API is documented at its top.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar

import jinja2

from coursepack import markup, render
from coursepack.errors import Problem, warning
from coursepack.exporters.base import ExportContext, OutputDir
from coursepack.exporters.digests import module_outline
from coursepack.exporters.html import ahead, pages, search
from coursepack.exporters.html.pages import KeptPages
from coursepack.exporters.html.path import CoursePath
from coursepack.exporters.html.paths import (
    Page,
    lesson_key,
    lesson_path,
    module_path,
    quiz_path,
)
from coursepack.exporters.html.questions import quiz_views
from coursepack.exporters.html.quizdata import quiz_data, to_script_json
from coursepack.exporters.html.search import search_script
from coursepack.exporters.html.toc import Contents
from coursepack.exporters.linked import facts_of
from coursepack.exporters.media import Published
from coursepack.exporters.question_types import written
from coursepack.locale import runtime_messages, translator
from coursepack.model import Course, Essay, Lesson, Module, Question, Quiz
from coursepack.results import site_settings

PageWriter = Callable[..., None]
MEDIA = "media/"


class HtmlExporter:
    """The site. ``split`` and ``in_lms`` are for the SCORM packages that carry it: each
    module and standalone quiz becomes a part of its own (one SCO each), with no course home,
    glossary, sources or search, and no "reset" (the LMS keeps the record). A package that
    carries it keeps its pages in the build's cache (``pages_in_cache``)."""

    name: ClassVar[str] = "html"
    summary: ClassVar[str] = "static course site with self-grading quizzes; works offline"

    def __init__(self, *, split: bool = False, in_lms: bool = False,
                 pages_in_cache: bool = False) -> None:
        self.split = split
        self.in_lms = in_lms
        self.pages_in_cache = pages_in_cache  # a site in a package: see pages.KeptPages

    def check(self, course: Course) -> list[Problem]:
        """What the site cannot show: every type marks itself, but an essay waits for a trainer."""
        return [p for _, q in course.questions() for p in essay_problems(q, self.name)]

    def export(self, ctx: ExportContext) -> Path:
        """Write every page, the search index and the theme's assets; return index.html.

        A page whose inputs are those of the same page in the last build is taken over
        from it (exporters/html/pages.py); the others are rendered.
        """
        ctx = dataclasses.replace(ctx, course=written(self.name, ctx.course))
        course = ctx.course
        published = Published()
        course_path = CoursePath(course, split=self.split, in_lms=self.in_lms)
        env = render.environment(self.name, course.root)
        kept = KeptPages(ctx, f"{self.name}:{self.split}:{self.in_lms}",
                         pages.site_inputs(env, course, course_path), course_path,
                         in_cache=self.pages_in_cache)
        base = self.context(course, course_path, env)
        page = self.page_writer(ctx, published, course_path, env, kept, base)
        lessons = [(module, lesson, Page(lesson_path(module, lesson), lesson.title, "lesson",
                                         module.id, lesson.id))
                   for module, lesson in course.lessons()]
        made: dict[int, dict[str, Any]] = {}
        if self.forks(ctx, kept, lessons):
            maker = self.lesson_maker(env, base, published, kept, lessons,
                                      course_path.has_home)
            with ahead.in_workers(maker, ctx.workers.executor) as send:
                entries = self._lessons_in_workers(ctx, page, kept, lessons, send, published,
                                                   base["toc"])
                self.write_others(ctx, page, course_path)
                made = entries()
        else:
            self.write_lessons(ctx, page, kept)
            self.write_others(ctx, page, course_path)
        if course_path.has_home:
            ctx.out.write_text("assets/search-index.js", search_script(course, [
                kept.search_entry(module, lesson, made.get(number))
                for number, (module, lesson, _here) in enumerate(lessons)]))
        for name, path in sorted(published.files.items()):
            kept.publish(path, MEDIA + name)
        ctx.out.write_text("assets/messages.js", messages_script(course.language, course.root))
        kept.finish()
        self.copy_static(ctx.out, course.root)
        return ctx.out.root / "index.html"

    def write_others(self, ctx: ExportContext, page: PageWriter, course_path: CoursePath) -> None:
        """Every page but the lessons': modules, quizzes, and the course's home page, its
        glossary, sources, search and certificate pages."""
        course = ctx.course
        for module in course.modules:
            self.write_module(module, course, page)
        for quiz in course.quizzes:
            self.write_quiz(quiz, course, page)
        if not course_path.has_home:
            return
        _ = translator(course.language, course.root)
        page("index.html.j2", Page("index.html", course.title, "home"),
             ([module_outline(m) for m in course.modules], course.quizzes))
        page("glossary.html.j2", Page("glossary.html", _("Glossary")), (course.glossary(),))
        found = quoted_in(course)
        page("sources.html.j2", Page("sources.html", _("Sources")),
             ({source: [(lesson_path(m, lesson), lesson.title) for m, lesson in lessons]
               for source, lessons in found.items()},), quoted_in=found)
        page("search.html.j2", Page("search.html", _("Search")), ())
        if not self.in_lms:  # results come home only from the site (docs/results.md)
            page("certificate.html.j2", Page("certificate.html", _("Certificate")), (),
                 results_paper=site_settings(course)["paper"])

    def page_writer(self, ctx: ExportContext, published: Published, course_path: CoursePath,
                    env: jinja2.Environment, kept: KeptPages,
                    base: dict[str, Any] | None = None) -> PageWriter:
        """A function that renders one template to one page, with links relative to that page,
        or takes the page over from the last build when ``shown`` (what the page shows of
        the course besides what every page shows) is as it was.

        Every image a page shows is recorded in ``published``, to be copied to media/.
        ``base`` is what every page's template sees (``context``), made here if not given.
        """
        if base is None:
            base = self.context(ctx.course, course_path, env)

        def page(template: str, here: Page, shown: object,
                 make: Callable[[], dict[str, Any]] = dict, **extra: Any) -> None:
            """Render ``template`` as the page ``here``, its images pointing at their copies;
            ``make`` gives the rest of its context (called only when it is rendered)."""
            key = kept.key(template, here, shown)
            images = kept.take_over(here, key)
            if images is None:
                html, images = render_page(env, base, published, template, here, make,
                                           **extra)
                kept.written(here, key, ctx.out.write_text(here.path, html), images, html)
            published.files.update(images)

        return page

    @staticmethod
    def lesson_maker(env: jinja2.Environment, base: dict[str, Any], published: Published,
                     kept: KeptPages, lessons: list[tuple[Module, Lesson, Page]],
                     indexed: bool) -> ahead.Maker:
        """What renders lesson number ``i`` into a file in a worker, as ``page`` would,
        with its key, and its search entry when the site has a search index."""

        def make(index: int, target: str) -> ahead.Made:
            module, lesson, here = lessons[index]
            key = kept.key("lesson.html.j2", here, (lesson,))
            html, images = render_page(env, base, published, "lesson.html.j2", here, dict,
                                       module=module, lesson=lesson)
            path = Path(target)
            path.write_text(html, encoding="utf-8", newline="\n")
            return ahead.Made(key, facts_of(path),
                              {name: str(image) for name, image in images.items()},
                              kept.lesson_digest(lesson),
                              search.search_entry(module, lesson) if indexed else None)

        return make

    @staticmethod
    def context(course: Course, course_path: CoursePath,
                env: jinja2.Environment) -> dict[str, Any]:
        """What every page's template sees besides the page itself."""
        base: dict[str, Any] = {
            "course": course, "lesson_path": lesson_path, "quiz_path": quiz_path,
            "module_path": module_path, "lesson_key": lesson_key,
            "course_path": course_path, "in_lms": course_path.in_lms,
        }
        base["results_json"] = to_script_json(site_settings(course))
        # the contents get a copy: a context that held them while they held it would keep
        # the course alive after the build, until Python's collector found the cycle
        base["toc"] = Contents(env, dict(base))
        return base

    def lesson_page(self, course: Course, module_id: str,
                    lesson_id: str) -> tuple[str, str, dict[str, Path]]:
        """One lesson's page alone, as a build of ``course`` writes it: its path in the
        site, its HTML and the images it shows (by published name). For the preview, which
        shows an edited lesson before the rest of the site is built again."""
        course = written(self.name, course)
        module = next(m for m in course.modules if m.id == module_id)
        lesson = next(lesson for lesson in module.lessons if lesson.id == lesson_id)
        course_path = CoursePath(course, split=self.split, in_lms=self.in_lms)
        env = render.environment(self.name, course.root)
        here = Page(lesson_path(module, lesson), lesson.title, "lesson", module.id, lesson.id)
        shown = Published()
        with media_for(shown, here):
            html = render.render(env, "lesson.html.j2", page=here, root=here.root,
                                 **self.context(course, course_path, env), module=module,
                                 lesson=lesson)
        return here.path, html, shown.files

    @staticmethod
    def forks(ctx: ExportContext, kept: KeptPages,
              lessons: list[tuple[Module, Lesson, Page]]) -> bool:
        """Whether the lesson pages to render are many enough to be rendered by workers,
        and the workers are not started yet (so they can still learn how)."""
        if ctx.workers.started:
            return False
        fresh = sum(not kept.known("lesson.html.j2", here, (lesson,))
                    for _, lesson, here in lessons)
        return fresh >= markup.PARALLEL_FROM

    def write_lessons(self, ctx: ExportContext, page: PageWriter, kept: KeptPages) -> None:
        """One page per lesson; its previous and next steps come from the course path. The
        bodies of the pages to render (and the texts of the search entries to make) are
        parsed ahead, in the build's workers when there are many."""
        lessons = [(module, lesson, Page(lesson_path(module, lesson), lesson.title, "lesson",
                                         module.id, lesson.id))
                   for module, lesson in ctx.course.lessons()]
        work = [lesson_work(lesson, not kept.known("lesson.html.j2", here, (lesson,)),
                            not kept.has_search_entry(m, lesson))
                for m, lesson, here in lessons]
        with markup.parsed_ahead(work, ctx.workers.executor):
            for module, lesson, here in lessons:
                ctx.progress(f"html: {module.id}/{lesson.id}")
                page("lesson.html.j2", here, (lesson,), module=module, lesson=lesson)

    @staticmethod
    def _lessons_in_workers(ctx: ExportContext, page: PageWriter, kept: KeptPages,
                            lessons: list[tuple[Module, Lesson, Page]],
                            send: Callable[[ahead.Work], ahead.Ahead],
                            published: Published,
                            toc: Contents) -> Callable[[], dict[int, dict[str, Any]]]:
        """Send the lesson pages to render to the build's workers, but the first, rendered
        here (the workers, started after it, find its templates compiled). The function
        returned waits for them and gives their search entries, by lesson number."""
        fresh: list[int] = []
        first = True
        for index, (module, lesson, here) in enumerate(lessons):
            if kept.recorded_before(here):  # else its key is made with it, by a worker
                images = kept.take_over(here, kept.key("lesson.html.j2", here, (lesson,)))
                if images is not None:
                    published.files.update(images)
                    continue
            if first:
                ctx.progress(f"html: {module.id}/{lesson.id}")
                page("lesson.html.j2", here, (lesson,), module=module, lesson=lesson)
                first = False
            else:
                fresh.append(index)
        opened = {lessons[index][0].id: lessons[index][2] for index in fresh}
        for here in opened.values():  # each contents once, here, not once in each worker
            toc(here)
        sent = send([(index, str(ctx.out.path(lessons[index][2].path))) for index in fresh])

        def collect() -> dict[int, dict[str, Any]]:
            entries: dict[int, dict[str, Any]] = {}
            for index, made in sent.collect():
                module, lesson, here = lessons[index]
                ctx.progress(f"html: {module.id}/{lesson.id}")
                kept.lesson_digested(lesson, made.digest)
                kept.recorded(here, made.key, made.info, made.image_paths)
                for name, image in made.image_paths.items():  # while workers still work
                    if name not in published.files:
                        published.files[name] = image
                        kept.publish(image, MEDIA + name)
                if made.entry is not None:
                    entries[index] = made.entry
            return entries

        return collect

    def write_module(self, module: Module, course: Course, page: PageWriter) -> None:
        """A module's page: its lessons' outline (titles, summaries, durations) and its
        quizzes, which is what the page shows besides the site around it."""
        page("module.html.j2", Page(module_path(module), module.title, "module", module.id),
             (module_outline(module), course.module_quizzes(module)), module=module)

    def write_quiz(self, quiz: Quiz, course: Course, page: PageWriter) -> None:
        """One quiz page: its questions as a form, and its grading data as JSON (both rendered
        with the page, so their images are published for this page too)."""
        sources = {s.id: s for s in course.sources}
        here = Page(quiz_path(quiz), quiz.title, "quiz", quiz.module, quiz_id=quiz.id)
        module = next((m for m in course.modules if m.id == quiz.module), None)
        trainer_points = sum(q.points for q in quiz.questions if isinstance(q, Essay))

        def make() -> dict[str, Any]:
            views, data = list(quiz_views(quiz)), to_script_json(quiz_data(quiz, sources))
            return {"questions": views, "quiz_json": data}

        page("quiz.html.j2", here, (quiz, module and (module.id, module.title)), make,
             quiz=quiz, module=module, trainer_points=trainer_points)

    def copy_static(self, out: OutputDir, course_root: Path) -> None:
        """Copy the theme's static/ files to assets/, a course's own files replacing the theme's
        (each checked to be a plain file inside the course or the theme)."""
        for name, source in render.static_files(self.name, course_root).items():
            out.copy(source, "assets/" + name)


def lesson_work(lesson: Lesson, page: bool, entry: bool) -> list[markup.Job]:
    """The Markdown of a lesson's page and of its search entry (those to make), for the
    build's workers: its body, the one-line texts the shipped page shows, the texts of
    its search entry."""
    inline = [lesson.summary, *(term.definition for term in lesson.key_terms),
              *lesson.further_reading]
    found: list[markup.Job] = []
    if page or entry:
        found.append((markup.BLOCK, lesson.body))
    if page:
        found += [(markup.INLINE, text) for text in inline if text]
    if entry:
        found += [(markup.LINE, text) for text in search.lesson_texts(lesson)]
    return found


def messages_script(language: str, root: Path | None = None) -> str:
    """assets/messages.js: the runtime's words in ``language`` and its plural rule, read by
    coursepack.js (English, the words in its source, needs none)."""
    found = runtime_messages(language, root)
    words = json.dumps(found["messages"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (f"/* coursepack: the runtime's words in {found['lang']}, from its catalogue. */\n"
            f"window.coursepackMessages = {{\"lang\": {json.dumps(found['lang'])}, "
            f"\"rule\": function (n) {{ return {found['plural']}; }},\n"
            f"\"messages\": {words}}};\n")


def essay_problems(question: Question, rule: str) -> list[Problem]:
    """An essay is marked by a trainer, so the quiz never knows which feedback fits."""
    if not isinstance(question, Essay):
        return []
    fb = question.feedback
    kinds = [name for name, text in (("correct", fb.correct), ("partial", fb.partial),
                                     ("incorrect", fb.incorrect)) if text]
    if not kinds:
        return []
    return [warning(question.origin,
                    f"question '{question.id}' (essay): a trainer marks an essay, so the site "
                    f"shows only its general feedback; the {', '.join(kinds)} feedback is left "
                    "out", hint="move what learners should read into the general feedback",
                    rule=rule)]


def quoted_in(course: Course) -> dict[str, list[tuple[Module, Lesson]]]:
    """For each source id, the lessons that quote it, in reading order."""
    found: dict[str, list[tuple[Module, Lesson]]] = {}
    for module, lesson in course.lessons():
        for source_id in dict.fromkeys(q.source for q in lesson.quotes):
            found.setdefault(source_id, []).append((module, lesson))
    return found


def render_page(env: jinja2.Environment, base: dict[str, Any], published: Published,
                template: str, here: Page, make: Callable[[], dict[str, Any]],
                **extra: Any) -> tuple[str, dict[str, Path]]:
    """The HTML of ``template`` as the page ``here``, and the images it shows (by published
    name), each pointing at its copy in media/; ``make`` gives the rest of its context
    (made here: what it renders of Markdown publishes the page's images too)."""
    shown = type(published)()  # same kind: a single file's placeholders too
    with media_for(shown, here):
        html = render.render(env, template, page=here, root=here.root, **base, **extra,
                             **make())
    return html, shown.files


def media_for(published: Published, here: Page) -> AbstractContextManager[None]:
    """Render Markdown for the page ``here``: its images at media/, relative to the page."""
    return published.serving(lambda name: here.root + MEDIA + name)


__all__ = [
    "CoursePath",
    "HtmlExporter",
    "Page",
    "essay_problems",
    "lesson_key",
    "lesson_path",
    "module_path",
    "quiz_path",
]
