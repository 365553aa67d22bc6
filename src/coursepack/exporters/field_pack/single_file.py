"""Each module (and each quiz of no module) as one self-contained HTML file.

The pages are the site's own: the HTML exporter renders them with its templates, in its
SCORM-like "split" path (each module a part of its own, so no page links outside it), with
every link to a page written as ``#/<page path>`` and every image or file as a placeholder.
Each file then holds its module's pages as ``<template>`` elements, the theme's styles and
scripts (the ones its pages load) and every image and file as a ``data:`` URI; a small
script (templates/single-file/static/single-file.js) shows the page the address names, so the
runtime, the quiz and its result screen run exactly as on the site. No request leaves the
file, whatever it is called and wherever it is moved: the runtime's words (assets/messages.js,
written by the build) are inlined with the theme's scripts, and so are the scripts the site
loads only once a quiz is submitted (``LAZY``: the results panel, its xAPI statements and QR
encoder), which the quiz page's loader and results.js then find already there. The final
assessment's file also holds the certificate page, so the link its result offers stays inside it.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markupsafe import Markup

from coursepack import markup, render, scratch
from coursepack.errors import CoursepackError
from coursepack.exporters.base import ExportContext, OutputDir
from coursepack.exporters.field_pack.images import mime_type
from coursepack.exporters.html import HtmlExporter, Page, messages_script
from coursepack.exporters.html.pages import KeptPages, site_inputs
from coursepack.exporters.html.path import CoursePath, Part
from coursepack.exporters.html.paths import quiz_path
from coursepack.exporters.media import Published
from coursepack.locale import translator
from coursepack.model import Asset, Course
from coursepack.results import site_settings

ROUTE = "#/"
PLACEHOLDER = "cp-media:"
_PLACED = re.compile(r"cp-media:([A-Za-z0-9][A-Za-z0-9._-]*)")
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_HTML = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HEAD_TAG = re.compile(r"<(?:link|script)\b[^>]*>", re.IGNORECASE)
_HEAD_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.IGNORECASE | re.DOTALL)
FORMAT = "single-file"  # its templates: templates/single-file/
SHELL = "single-file.html.j2"
BOOT = "single-file.js"
MESSAGES = "messages.js"  # the runtime's words: written by the build, not a theme file
CERTIFICATE = "certificate.html"
RESULTS_PANEL = "data-results-home"
LAZY = ("xapi.js", "results/results.js", "vendor/qrcode-generator.js")
"""What the site loads on demand once a quiz is submitted (templates/html/quiz.html.j2 and
results.js): a file with a results panel carries it, for a file must not fetch."""


@dataclass(frozen=True)
class InFile(Page):
    """A page of a single-file module: its links to other pages are routes in the file."""

    @property
    def root(self) -> str:
        return ROUTE


class Placeholders(Published):
    """Every image or file a page shows becomes ``cp-media:<published name>``, replaced by
    its data: URI once the file knows which it carries."""

    @contextmanager
    def serving(self, url: Callable[[str], str]) -> Iterator[None]:
        with markup.publishing(lambda asset: PLACEHOLDER + self.add(asset)):
            yield


@dataclass
class RenderedPage:
    path: str
    title: str
    html_attrs: dict[str, str]
    body_attrs: dict[str, str]
    body: str
    assets: list[str]  # theme files its head loads, from assets/ ("style.css")
    elsewhere: list[str] = field(default_factory=list)  # what its head loads from elsewhere


@dataclass
class SingleFile:
    """One module's file, with what it is made of (for the size budget)."""

    name: str
    part: Part
    data: bytes
    media: dict[str, int] = field(default_factory=dict)  # published name -> bytes carried
    theme: dict[str, int] = field(default_factory=dict)  # style/script name -> bytes
    left_out: list[str] = field(default_factory=list)  # head files that could not be inlined

    @property
    def pages_bytes(self) -> int:
        return len(self.data) - sum(self.media.values()) * 4 // 3 - sum(self.theme.values())


def file_name(number: int, part: Part) -> str:
    """``01-module-id.html``: sorted in reading order, safe on any file system."""
    return f"{number:02d}-{part.id}.html"


def render_pages(ctx: ExportContext, course: Course) -> tuple[dict[str, RenderedPage],
                                                               dict[str, Path], CoursePath]:
    """Every page of the course in split mode, with routes for links and placeholders for
    images; and the published files, by name."""
    published = Placeholders()
    course_path = CoursePath(course, split=True)
    site = HtmlExporter(split=True)
    with scratch.folder("coursepack-package-") as tmp:
        out = OutputDir(Path(tmp))
        inner = dataclasses.replace(ctx, out=out, notes=[], previous=None, destination=None)
        env = render.environment(site.name, course.root)
        kept = KeptPages(inner, "single-file", site_inputs(env, course, course_path),
                         course_path, in_cache=True)
        page = site.page_writer(inner, published, course_path, env, kept)

        def in_file(template: str, here: Page, shown: object,
                    make: Callable[[], dict[str, Any]] = dict, **extra: Any) -> None:
            page(template, InFile(**dataclasses.asdict(here)), shown, make, **extra)

        site.write_lessons(inner, in_file, kept)
        for module in course.modules:
            site.write_module(module, course, in_file)
        for quiz in course.quizzes:
            site.write_quiz(quiz, course, in_file)
        results = site_settings(course)
        if results["final"]:
            _ = translator(course.language, course.root)
            in_file("certificate.html.j2", Page(CERTIFICATE, _("Certificate")), (),
                    results_paper=results["paper"])
        pages = {rel: _parsed(rel, (out.root / rel).read_text(encoding="utf-8"))
                 for rel in sorted(out.written)}
    return pages, dict(published.files), course_path


def _parsed(path: str, text: str) -> RenderedPage:
    body = _BODY.search(text)
    end = text.rfind("</body>")
    if body is None or end < body.end():
        raise CoursepackError.single(
            f"field-pack: the page {path} has no <body>...</body> to put in a single file",
            hint="a course's own base.html.j2 must keep the <body> element")
    head = text[:body.start()]
    title = _TITLE.search(head)
    opening = _HTML.search(head)
    assets, elsewhere = [], []
    for tag in _HEAD_TAG.findall(head):
        attrs = _attributes(tag)
        ref = attrs.get("src") or (attrs.get("href") if attrs.get("rel") == "stylesheet" else None)
        if ref and ref.startswith(ROUTE + "assets/"):
            assets.append(ref[len(ROUTE + "assets/"):])
        elif ref:
            elsewhere.append(ref)
    # A page's own <style> elements (the certificate's) go with its body: the file's head is
    # shared by all its pages.
    own_styles = "\n".join(_HEAD_STYLE.findall(head))
    return RenderedPage(path, html.unescape(title.group(1)).strip() if title else path,
                        _attributes(opening.group(0)) if opening else {},
                        _attributes(body.group(0)), own_styles + text[body.end():end], assets,
                        elsewhere)


def _attributes(tag: str) -> dict[str, str]:
    reader = _AttributeReader()
    reader.feed(tag)
    reader.close()
    return reader.found


class _AttributeReader(HTMLParser):
    """The attributes of the tags it is fed."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}

    def handle_starttag(self, name: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.update({k: v or "" for k, v in attrs})


class Assembler:
    """Puts the pages of one part, the theme's files and the media into one HTML file."""

    def __init__(self, course: Course, static: dict[str, Path],
                 carried: Callable[[str], bytes]) -> None:
        self.course = course
        self.static = static
        self.carried = carried
        self.env = render.environment(FORMAT, course.root)
        boot = render.static_files(FORMAT, course.root).get(BOOT)
        if boot is None:
            raise CoursepackError.single(f"single-file: the theme has no static/{BOOT}")
        self.boot = boot.read_text(encoding="utf-8")
        self.messages = messages_script(course.language, course.root)
        final = site_settings(course)["final"]
        self.final = next((quiz_path(q) for q in course.quizzes if q.id == final), "")

    def build(self, name: str, part: Part, pages: dict[str, RenderedPage]) -> SingleFile:
        paths = [*part.paths, CERTIFICATE] if self.final in part.paths else list(part.paths)
        ordered = [pages[path] for path in paths if path in pages]
        wanted = list(dict.fromkeys(a for p in ordered for a in p.assets))
        if any(RESULTS_PANEL in p.body for p in ordered):
            wanted = list(dict.fromkeys([*wanted, *LAZY]))
        theme_names = [n for n in wanted if n == MESSAGES
                       or (n in self.static and n.endswith((".css", ".js")))]
        left_out = sorted({*(n for n in wanted if n not in theme_names),
                           *(r for p in ordered for r in p.elsewhere)})
        styles = [(n, self.static[n].read_text(encoding="utf-8")) for n in theme_names
                  if n.endswith(".css")]
        scripts = [(n, self._script(n)) for n in theme_names if n.endswith(".js")]
        media: dict[str, int] = {}
        uris: dict[str, str] = {}

        def inline(match: re.Match[str]) -> str:
            media_name = match.group(1)
            if media_name not in uris:
                data = self.carried(media_name)
                media[media_name] = len(data)
                uris[media_name] = (f"data:{mime_type(media_name)};base64,"
                                    + base64.b64encode(data).decode("ascii"))
            return uris[media_name]

        shown = [{"path": p.path, "title": p.title, "body": p.body_attrs,
                  "content": Markup(_PLACED.sub(inline, p.body))} for p in ordered]
        text = render.render(
            self.env, SHELL, course=self.course, part=part, pages=shown,
            html_attrs=ordered[0].html_attrs if ordered else {"lang": self.course.language},
            styles=[Markup(_safe_in(css, "style")) for _, css in styles],
            scripts=[Markup(_safe_in(js, "script")) for _, js in scripts],
            boot=Markup(_safe_in(self.boot, "script")))
        return SingleFile(name, part, text.encode("utf-8"), media,
                          {n: len(t.encode("utf-8")) for n, t in styles + scripts}, left_out)


    def _script(self, name: str) -> str:
        """A script of the theme (a third party's with its licence beside it, as on the
        site), or the runtime's words."""
        if name == MESSAGES:
            return self.messages
        text = self.static[name].read_text(encoding="utf-8")
        licence = self.static.get(name.removesuffix(".js") + ".LICENSE.txt")
        if licence is None:
            return text
        notice = licence.read_text(encoding="utf-8").replace("*/", "* /")
        return f"/* {notice.strip()}\n*/\n{text}"


def _safe_in(text: str, element: str) -> str:
    """Text that cannot close the <style> or <script> element it is inlined into."""
    return re.sub(rf"</(?={element})", r"<\\/", text, flags=re.IGNORECASE)


def single_files(ctx: ExportContext, course: Course,
                 carried: Callable[[str, Path], bytes]) -> list[SingleFile]:
    """One self-contained HTML file per part of the split course path (each module, each
    quiz of no module); ``carried(name, path)`` gives a published file's bytes in the pack."""
    pages, files, course_path = render_pages(ctx, course)
    static = render.static_files("html", course.root)
    assembler = Assembler(course, static, lambda name: carried(name, files[name]))
    return [assembler.build(file_name(n, part), part, pages)
            for n, part in enumerate(course_path.parts, start=1)]


def assets_of(course: Course) -> Iterator[Asset]:
    """Every file the course's Markdown shows or links to."""
    from coursepack.model import markdown_texts

    for text in markdown_texts(course):
        yield from text.assets
