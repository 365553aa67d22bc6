"""The PDF format's exporter: its settings, its checks, and one export in order."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from coursepack import markup, render
from coursepack.errors import Origin, Problem, error, warning
from coursepack.exporters.base import ExportContext, parse_lessons_in_parallel, to_the_end
from coursepack.exporters.digests import lesson_digests
from coursepack.exporters.pdf.documents import Document, Documents, PaperSize
from coursepack.exporters.pdf.faces import machine_fonts, missing_fonts
from coursepack.exporters.pdf.jobs import version
from coursepack.exporters.pdf.pool import Renderer
from coursepack.exporters.pdf.printing import Printing
from coursepack.exporters.question_types import written
from coursepack.fields import Fields, setting
from coursepack.model import Course, markdown_texts
from coursepack.spec_schema import Schema

_PAGE_COUNTER = re.compile(r"counter\(\s*pages?\s*\)")


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

    def settings(self, course: Course) -> tuple[PdfSettings, list[Problem]]:
        return setting(course, self.settings_key, PdfSettings.read)

    def check(self, course: Course) -> list[Problem]:
        missing = [name for name in ("weasyprint", "pikepdf")
                   if importlib.util.find_spec(name) is None]
        if missing:
            return [error(None, f"PDF output needs {' and '.join(missing)}, not installed",
                          hint=f"pip install {' '.join(missing)} (and Debian's libpango-1.0-0)")]
        return (_page_numbers_in_print_css(course) + machine_fonts(course)
                + linked_files(course) + missing_fonts(course))

    def export(self, ctx: ExportContext) -> Path:
        return to_the_end(self.export_started(ctx))

    def export_started(self, ctx: ExportContext) -> Generator[None, None, Path]:
        """The export, paused once what is to be rendered is with the workers."""
        parse_lessons_in_parallel(ctx.course, ctx.workers)
        paper = self.settings(ctx.course)[0].paper
        with Renderer(ctx.workers) as renderer:
            docs = Documents(ctx.course, version("coursepack"), paper, ctx.cache,
                             lesson_digests(ctx))
            printing = Printing(ctx, docs, renderer)
            yield from printing.run()
        ctx.also_read.update(printing.obtainer.also_read())
        return ctx.out.root / "course-pack.pdf"


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


__all__ = ["Document", "PaperSize", "PdfExporter", "PdfSettings"]
