"""Printable PDFs with WeasyPrint: lesson handouts, course pack, quizzes, answer key, guide.

Quizzes, the answer key and the facilitator guide are rendered whole. The course pack is
rendered in parts (cover, contents, module openings, lessons, glossary, sources) that
``assemble`` joins with pikepdf; a lesson's part, with page numbers drawn on, is also its
handout. So an edited lesson renders one part, not the whole pack.

Every rendering is keyed by a hash of what it is made from (HTML, CSS, images, tool
versions): parts by their file name under ``.parts/``, everything by the manifest. What
the previous build made from the same inputs is taken over from it, not made again.

The paper size is course.yaml's top-level ``paper:`` (A4 or Letter), a setting of this
format that the course itself does not know.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import ClassVar

from coursepack import markup, render
from coursepack.errors import CoursepackError, Origin, Problem, error, warning
from coursepack.exporters.base import ExportContext, parse_lessons_in_parallel
from coursepack.exporters.pdf import pack
from coursepack.exporters.pdf.cache import (
    MANIFEST,
    Manifest,
    inputs_hash,
    manifest_text,
    read_manifest,
    reusable,
)
from coursepack.exporters.pdf.documents import Document, Documents, PaperSize
from coursepack.exporters.pdf.pool import SETTINGS, Job, Renderer
from coursepack.exporters.question_types import written
from coursepack.fields import Fields, setting
from coursepack.model import Course, markdown_texts
from coursepack.spec_schema import Schema

PARTS = ".parts"
_PAGE_COUNTER = re.compile(r"counter\(\s*pages?\s*\)")
#: Manifest key of the contents' page count, the first guess for the next build's.
CONTENTS_PAGES = "contents"
_MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                 "right-top", "right-middle", "right-bottom", "bottom-right-corner",
                 "bottom-right", "bottom-center", "bottom-left", "bottom-left-corner",
                 "left-bottom", "left-middle", "left-top")
#: Before page-numbers.css on a sheet: nothing in the margins but what that sheet adds.
_SHEET_CSS = ("@page { " + " ".join(f"@{box} {{ content: none; }}" for box in _MARGIN_BOXES)
              + " }\n.cp-sheet + .cp-sheet { break-before: page; }\n")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class PdfSettings:
    paper: PaperSize = PaperSize.A4

    @staticmethod
    def read(f: Fields) -> PdfSettings:
        return PdfSettings(f.choice("paper", PaperSize, PaperSize.A4))


class PdfExporter:
    name: ClassVar[str] = "pdf"
    summary: ClassVar[str] = (
        "printable PDFs: lesson handouts, course pack, quizzes, answer key, facilitator guide"
    )
    settings_key: ClassVar[str] = "paper"
    settings_schema: ClassVar[Schema] = {"enum": [p.value for p in PaperSize],
                                         "description": "paper size of the PDFs"}

    def __init__(self) -> None:
        self._renderer: Renderer | None = None

    def settings(self, course: Course) -> tuple[PdfSettings, list[Problem]]:
        return setting(course, self.settings_key, PdfSettings.read)

    def check(self, course: Course) -> list[Problem]:
        missing = [name for name in ("weasyprint", "pikepdf")
                   if importlib.util.find_spec(name) is None]
        if missing:
            return [error(None, f"PDF output needs {' and '.join(missing)}, not installed",
                          hint=f"pip install {' '.join(missing)} (and Debian's libpango-1.0-0)")]
        return _page_numbers_in_print_css(course) + linked_files(course)

    def prepare(self, ctx: ExportContext) -> Renderer:
        """Start the WeasyPrint workers, so they import it while other formats export."""
        self._renderer = Renderer()
        self._renderer.warm()
        return self._renderer

    def export(self, ctx: ExportContext) -> Path:
        if self._renderer is None:
            with self.prepare(ctx) as renderer:
                return self._export(ctx, renderer)
        return self._export(ctx, self._renderer)

    def _export(self, ctx: ExportContext, renderer: Renderer) -> Path:
        parse_lessons_in_parallel(ctx.course)
        paper = self.settings(ctx.course)[0].paper
        _Printing(ctx, Documents(ctx.course, _version("coursepack"), paper), renderer).run()
        return ctx.out.root / "course-pack.pdf"


class _Printing:
    """One PDF export: what is reused, rendered and assembled, and the manifest of it all."""

    def __init__(self, ctx: ExportContext, docs: Documents, renderer: Renderer) -> None:
        self.ctx = ctx
        self.docs = docs
        numbers = docs.page_numbers()
        self.part_css = docs.stylesheet()
        self.whole_css = self.part_css + "\n" + numbers
        self.sheet_css = self.part_css + "\n" + _SHEET_CSS + numbers
        self.tools = "; ".join((f"coursepack {_version('coursepack')}",
                                f"weasyprint {_version('weasyprint')}",
                                f"pikepdf {_version('pikepdf')}", SETTINGS))
        self.base_url = ctx.course.root.resolve().as_uri() + "/"
        self.old = read_manifest(ctx.previous)
        self.made = Manifest()
        self.rendered: dict[str, str] = {}  # relpath -> label, of what WeasyPrint rendered
        self.units = 0
        self.assembled: list[str] = []
        self.renderer = renderer

    def run(self) -> None:
        parts = pack.sections(self.docs)
        with _located("render a PDF", _THEME_HINT):
            part_files = {p.key: self.part_job(p.document, p.key) for p in parts}
            self.obtain([*(self.whole_job(d) for d in self.docs.whole()),
                         *part_files.values()])
            counts = {key: self.pages(job) for key, job in part_files.items()}
            contents, handout_sheets, pack_sheet, rendering = self.contents(parts, counts)
            part_files[pack.CONTENTS] = contents[1]
            counts[pack.CONTENTS] = self.pages(contents[1])
        with _located("assemble the handouts", _BUG_HINT):
            self.handouts(parts, part_files, counts, handout_sheets)
        with _located("render a PDF", _THEME_HINT):
            self.finish(rendering)  # the course pack's sheet, the longest, rendered meanwhile
        with _located("assemble the course pack", _BUG_HINT):
            self.course_pack(pack.in_order(parts, contents[0]), part_files, counts, pack_sheet)
        self.ctx.out.write_text(MANIFEST, manifest_text(self.made))
        self.ctx.notes.extend(self.notes())

    def contents(self, parts: list[pack.Part], counts: dict[str, int]) -> tuple[
            tuple[pack.Part, Job], dict[int, Job], Job, Iterator[tuple[Job, bytes]]]:
        """Render the contents, with the page-number sheets beside it.

        The contents' own length is taken from the last build or guessed, and the course
        pack's sheet started for the total it gives. If the contents come out longer or
        shorter, they (whose page numbers depend on it) and that sheet are made again.
        Returns the contents, the handouts' sheets, the pack's sheet and its rendering, which
        may still be under way.
        """
        lengths = sorted({counts[p.key] for p in parts if p.level == 1})
        sheets = {n: self.sheet_job(n) for n in lengths}
        own = self.old.pages.get(CONTENTS_PAGES) or pack.guess_contents_pages(parts)
        beside = list(sheets.values())
        while True:
            contents = pack.contents(self.docs, parts, counts, own)
            job = self.part_job(contents.document, pack.CONTENTS)
            pack_sheet = self.sheet_job(sum(counts.values()) + own)
            rendering = self.start([job, pack_sheet, *beside])
            self.finish(rendering, until={job.relpath, *(s.relpath for s in beside)})
            beside = []
            actual = self.pages(job)
            if actual == own:
                self.made.pages[CONTENTS_PAGES] = own
                return (contents, job), sheets, pack_sheet, rendering
            self.finish(rendering)
            own = actual

    def handouts(self, parts: list[pack.Part], files: dict[str, Job], counts: dict[str, int],
                 sheets: dict[int, Job]) -> None:
        """Each lesson's part with its page numbers drawn on: the handout."""
        for part in parts:
            if part.level != 1:
                continue
            source, sheet = files[part.key], sheets[counts[part.key]]
            self.assemble(part.document.relpath, (source.relpath, sheet.relpath),
                          partial(self.numbered, source, sheet))

    def numbered(self, part: Job, sheet: Job) -> bytes:
        from coursepack.exporters.pdf import assemble

        return assemble.numbered(self.read(part), self.read(sheet))

    def course_pack(self, ordered: list[pack.Part], files: dict[str, Job],
                    counts: dict[str, int], sheet: Job) -> None:
        # pikepdf and fontTools are imported only when a PDF is assembled: they are slow
        # to import, and most commands never need them.
        from coursepack.exporters.pdf import assemble, fonts

        sources = [files[p.key].relpath for p in ordered]

        def make() -> bytes:
            pdf, firsts = assemble.join([self.read(files[p.key]) for p in ordered],
                                        [p.heading_shift for p in ordered])
            with pdf:
                starts = {p.key: first for p, first in zip(ordered, firsts, strict=True)}
                assemble.link_parts(pdf, starts)
                assemble.set_outline(pdf, pack.outline(ordered, starts))
                with assemble.open_pdf(self.read(sheet)) as numbers:
                    assemble.stamp(pdf, numbers, skip=range(counts[pack.COVER]))
                fonts.merge_subsets(pdf)
                return assemble.save(pdf)

        self.assemble("course-pack.pdf", (*sources, sheet.relpath), make)

    def assemble(self, relpath: str, sources: tuple[str, ...], make: Callable[[], bytes]) -> None:
        """Write an assembled PDF, or copy it from the last build if its sources are the same."""
        digest = hashlib.sha256("\n".join((self.tools, *sources)).encode()).hexdigest()
        self.made.documents[relpath] = digest
        prior = reusable(self.ctx.previous, self.old, relpath, digest)
        if prior is not None:
            self.ctx.out.reuse(prior, relpath)
            return
        self.ctx.progress(f"pdf: assembling {relpath}")
        self.ctx.out.write_bytes(relpath, make())
        self.assembled.append(relpath)

    def whole_job(self, doc: Document) -> Job:
        return self.job(doc.relpath, doc.relpath, doc.html, self.whole_css, doc.images)

    def part_job(self, doc: Document, label: str) -> Job:
        digest = inputs_hash(doc.html, self.part_css, doc.images, self.tools)
        return Job(f"{PARTS}/{digest[:40]}.pdf", label, doc.html, self.part_css,
                   self.base_url, digest)

    def sheet_job(self, pages: int) -> Job:
        html = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Page numbers</title>'
                '</head><body>' + '<div class="cp-sheet"></div>' * pages + "</body></html>")
        digest = inputs_hash(html, self.sheet_css, (), self.tools)
        return Job(f"{PARTS}/{digest[:40]}.pdf", f"page numbers, {pages} pages", html,
                   self.sheet_css, self.base_url, digest, tagged=False)

    def job(self, relpath: str, label: str, html: str, css: str,
            images: tuple[Path, ...]) -> Job:
        digest = inputs_hash(html, css, images, self.tools)
        return Job(relpath, label, html, css, self.base_url, digest)

    def obtain(self, jobs: list[Job]) -> None:
        """Take over what the last build made from the same inputs; render the rest."""
        self.finish(self.start(jobs))

    def start(self, jobs: list[Job]) -> Iterator[tuple[Job, bytes]]:
        """Take over what can be reused and start rendering the rest (see ``finish``)."""
        todo = []
        for job in jobs:
            if job.relpath in self.made.documents:
                continue  # the same part or sheet asked for twice
            self.made.documents[job.relpath] = job.identifier
            self.units += 1
            prior = reusable(self.ctx.previous, self.old, job.relpath, job.identifier)
            if prior is not None:
                self.ctx.out.reuse(prior, job.relpath)
            else:
                todo.append(job)
        return self.renderer.run(todo)

    def finish(self, rendering: Iterator[tuple[Job, bytes]],
               until: set[str] | None = None) -> None:
        """Write each rendered PDF as it comes: all of them, or until those in ``until``
        (relative paths) are all there; the rest can be finished later."""
        waiting = {r for r in until if not (self.ctx.out.root / r).is_file()} if until else None
        if waiting == set():
            return
        for job, data in rendering:
            self.ctx.progress(f"pdf: {job.label}")
            self.ctx.out.write_bytes(job.relpath, data)
            self.rendered[job.relpath] = job.label
            if waiting is not None:
                waiting.discard(job.relpath)
                if not waiting:
                    return

    def pages(self, job: Job) -> int:
        """A rendered part's page count: from the manifest if the part was reused."""
        count = self.old.pages.get(job.relpath) if job.relpath not in self.rendered else None
        if count is None:
            from coursepack.exporters.pdf import assemble

            count = assemble.page_count(self.read(job))
        self.made.pages[job.relpath] = count
        return count

    def read(self, job: Job) -> bytes:
        return (self.ctx.out.root / job.relpath).read_bytes()

    def notes(self) -> list[str]:
        total, made = self.units, len(self.rendered)
        lines = [f"rendered {made} of {total} PDF parts and documents, reused {total - made}"
                 f" unchanged; assembled {len(self.assembled)} PDFs"]
        if 0 < made < total:
            lines.append("rendered: " + _listing(list(self.rendered.values())))
            lines.append("assembled: " + _listing(self.assembled))
        return lines


def linked_files(course: Course) -> list[Problem]:
    """A link to a course file: paper shows its text and the file's name, not the file."""
    found: dict[tuple[Origin | None, str], Problem] = {}
    for text in markdown_texts(written("pdf", course)):  # pooled twice: said once
        links = {ref.ref for ref in markup.file_refs(text) if not ref.image}
        for asset in text.assets:
            if asset.ref in links:
                found[asset.origin, asset.ref] = warning(
                    asset.origin, f"pdf: the link to '{asset.path.name}' is printed as its text "
                    "and the file's name; a PDF does not carry the file", rule="pdf")
    return list(found.values())


def _page_numbers_in_print_css(course: Course) -> list[Problem]:
    """A course theme's print.css.j2 that numbers pages, as a warning: parts would restart."""
    own = render.own_template("pdf", course.root, "print.css.j2")
    if own is None:
        return []
    text, where = own
    for number, line in enumerate(text.splitlines(), start=1):
        found = _PAGE_COUNTER.search(line)
        if found:
            return [warning(
                Origin(where, number, found.start() + 1),
                "print.css.j2 sets page numbers: each lesson of the course pack and each "
                "handout would count its pages from 1 again",
                hint="move the rule to templates/pdf/page-numbers.css.j2, which numbers the "
                     "whole documents and the assembled course pack and handouts")]
    return []


def _listing(names: list[str], shown: int = 10) -> str:
    """Names in order, the first ``shown`` of a long list and how many more."""
    ordered = sorted(names)
    if len(ordered) <= shown + 2:
        return ", ".join(ordered)
    return ", ".join(ordered[:shown]) + f" and {len(ordered) - shown} more"


_THEME_HINT = "check templates/pdf overrides in the course folder"
_BUG_HINT = ("a file kept from the last build may be damaged: delete the pdf folder of the "
             "build and build again; if that fails too, please report this message")


@contextmanager
def _located(what: str, hint: str) -> Iterator[None]:
    """Any failure of WeasyPrint or pikepdf, as an error a user can act on."""
    try:
        yield
    except CoursepackError:
        raise
    except Exception as exc:  # failures reach us from worker processes, with their own types
        raise CoursepackError.single(f"could not {what}: {exc}", hint=hint) from exc


__all__ = ["Document", "PaperSize", "PdfExporter", "PdfSettings"]
