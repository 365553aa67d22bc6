"""Printable PDFs with WeasyPrint: lesson handouts, course pack, quizzes, answer key, guide.

Every document is rendered from one HTML string and the print CSS. A document whose
inputs (HTML, CSS, images, tool versions) hash the same as in the previous build is
copied from there instead of rendered again; the rest render in a process pool.
"""

from __future__ import annotations

import importlib.util
from importlib import metadata
from pathlib import Path
from typing import ClassVar

from coursepack.errors import CoursepackError, Problem, error
from coursepack.exporters.base import ExportContext, parse_lessons_in_parallel
from coursepack.exporters.pdf.cache import (
    MANIFEST,
    inputs_hash,
    manifest_text,
    read_manifest,
    reusable,
)
from coursepack.exporters.pdf.documents import Document, Documents
from coursepack.exporters.pdf.pool import SETTINGS, Job, render_all
from coursepack.model import Course


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


class PdfExporter:
    name: ClassVar[str] = "pdf"
    summary: ClassVar[str] = (
        "printable PDFs: lesson handouts, course pack, quizzes, answer key, facilitator guide"
    )

    def check(self, course: Course) -> list[Problem]:
        if importlib.util.find_spec("weasyprint") is None:
            return [error(None, "PDF output needs WeasyPrint, which is not installed",
                          hint="pip install weasyprint (and Debian's libpango-1.0-0)")]
        return []

    def export(self, ctx: ExportContext) -> Path:
        parse_lessons_in_parallel(ctx.course)
        documents = Documents(ctx.course, _version("coursepack"))
        hashes, jobs = self.plan(ctx, documents.all(), documents.stylesheet())
        self.render(ctx, jobs)
        ctx.out.write_text(MANIFEST, manifest_text(hashes))
        ctx.notes.extend(_notes([j.relpath for j in jobs], len(hashes)))
        return ctx.out.root / "course-pack.pdf"

    def plan(self, ctx: ExportContext, documents: list[Document],
             css: str) -> tuple[dict[str, str], list[Job]]:
        """Copy each document the last build made from the same inputs; list the rest to render."""
        tools = "; ".join((f"coursepack {_version('coursepack')}",
                           f"weasyprint {_version('weasyprint')}", SETTINGS))
        old = read_manifest(ctx.previous)
        base_url = ctx.course.root.resolve().as_uri() + "/"
        hashes: dict[str, str] = {}
        jobs: list[Job] = []
        for doc in documents:
            digest = hashes[doc.relpath] = inputs_hash(doc.html, css, doc.images, tools)
            prior = reusable(ctx.previous, old, doc.relpath, digest)
            if prior is not None:
                ctx.out.copy(prior, doc.relpath)
            else:
                jobs.append(Job(doc.relpath, doc.html, css, base_url, digest))
        return hashes, jobs

    def render(self, ctx: ExportContext, jobs: list[Job]) -> None:
        """Render the jobs in the pool, writing each PDF as it is done."""
        try:
            for relpath, data in render_all(jobs):
                ctx.progress(f"pdf: {relpath}")
                ctx.out.write_bytes(relpath, data)
        except CoursepackError:
            raise
        except Exception as exc:  # WeasyPrint failures reach us from worker processes
            raise CoursepackError.single(
                f"WeasyPrint could not render a PDF: {exc}",
                hint="check templates/pdf overrides in the course folder",
            ) from exc


def _notes(rendered: list[str], total: int) -> list[str]:
    lines = [f"rendered {len(rendered)} of {total} PDFs, reused {total - len(rendered)} unchanged"]
    if 0 < len(rendered) < total:
        lines.append("rendered: " + ", ".join(sorted(rendered)))
    return lines


__all__ = ["Document", "PdfExporter"]
