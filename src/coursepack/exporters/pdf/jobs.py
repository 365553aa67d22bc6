"""What each PDF is rendered from: its HTML, one of three stylesheets, and the digest of it
all that names it in the build's cache.

Whole documents (quizzes, answer key, guide) are rendered with their page numbers; the
course pack's parts without, and page-number sheets with nothing but the numbers, drawn on
the parts afterwards.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from coursepack import stylesheets
from coursepack.cache import version_of
from coursepack.exporters.pdf.cache import inputs_hash
from coursepack.exporters.pdf.documents import Document, Documents
from coursepack.exporters.pdf.pool import RASTER, SETTINGS, Job
from coursepack.render import has_own_templates

_MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                 "right-top", "right-middle", "right-bottom", "bottom-right-corner",
                 "bottom-right", "bottom-center", "bottom-left", "bottom-left-corner",
                 "left-bottom", "left-middle", "left-top")
#: Before page-numbers.css on a sheet: nothing in the margins but what that sheet adds.
_SHEET_CSS = ("@page { " + " ".join(f"@{box} {{ content: none; }}" for box in _MARGIN_BOXES)
              + " }\n.cp-sheet + .cp-sheet { break-before: page; }\n")


def version(package: str) -> str:
    return version_of(package) or "unknown"


class JobMaker:
    """Makes the render jobs of one export, each named by the digest of its inputs."""

    def __init__(self, docs: Documents, folder: Path) -> None:
        numbers = docs.page_numbers()
        self.part_css = docs.stylesheet()
        self.whole_css = self.part_css + "\n" + numbers
        self.sheet_css = self.part_css + "\n" + _SHEET_CSS + numbers
        self.tools = "; ".join((f"coursepack {version('coursepack')}",
                                f"weasyprint {version('weasyprint')}",
                                f"pikepdf {version('pikepdf')}", SETTINGS))
        self.folder = str(folder.resolve())
        #: The theme's templates ask for no file but a lesson's images (inputs of their
        #: documents already); a course's own can ask for any file of the course.
        self.watched = has_own_templates("pdf", folder)
        #: A course's own HTML templates can declare fonts in one document and not another;
        #: its style sheets (print.css.j2, page-numbers.css.j2) are every document's.
        self.own_markup = self.watched and _own_markup(folder)
        #: Its style sheets can show an SVG (an image not named as a raster image; one that
        #: is refused if it is none: ``PrintFetcher``) in every document.
        self.own_images = self.watched and any(
            _may_be_svg(address) for address in stylesheets.shown_files(self.sheet_css))

    def whole(self, doc: Document) -> Job:
        """A document a user gets as it is rendered, page numbers and all."""
        digest = inputs_hash(doc.html, self.whole_css, doc.images, self.tools)
        svg = _has_svg(doc)
        return Job(doc.relpath, doc.relpath, doc.html, self.whole_css, self.folder, digest,
                   watched=self.watched or svg, alone=self._alone(svg))

    def part(self, doc: Document, label: str) -> Job:
        """A part of the course pack (and of a handout), kept only in the cache."""
        digest = inputs_hash(doc.html, self.part_css, doc.images, self.tools)
        svg = _has_svg(doc)
        return Job("", label, doc.html, self.part_css, self.folder, digest,
                   watched=self.watched or svg, alone=self._alone(svg))

    def shared_styles(self) -> tuple[str, str, bool] | None:
        """The print CSS, folder and watching of a part without an SVG, whose parsed style
        sheet a worker keeps for the next (``pool._styled``); None if parts may declare fonts
        of their own."""
        return None if self._alone(False) else (self.part_css, self.folder, self.watched)

    def _alone(self, has_svg: bool) -> bool:
        """Whether a document (that ``has_svg`` or not) may declare fonts of its own
        (``pool._styled``)."""
        return self.own_markup or self.own_images or has_svg

    def sheet(self, pages: int) -> Job:
        """Blank pages with only their numbers, ``pages`` of them, kept only in the cache."""
        html = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Page numbers</title>'
                '</head><body>' + '<div class="cp-sheet"></div>' * pages + "</body></html>")
        digest = inputs_hash(html, self.sheet_css, (), self.tools)
        return Job("", f"page numbers, {pages} pages", html, self.sheet_css, self.folder,
                   digest, tagged=False, watched=self.watched, alone=self.own_images)

    def assembled(self, relpath: str, sources: tuple[str, ...]) -> str:
        """The digest of a PDF assembled at ``relpath`` from the PDFs of ``sources``."""
        return hashlib.sha256("\n".join((self.tools, relpath, *sources)).encode()).hexdigest()


def _has_svg(doc: Document) -> bool:
    """Whether ``doc`` shows an SVG image, whose style sheet can name fonts and whose images
    other files: no one can list them before it is rendered."""
    return any(path.suffix.lower() == ".svg" for path in doc.images) \
        or "svg" in doc.html.lower()


def _may_be_svg(address: str) -> bool:
    """Whether an image a style sheet names may be an SVG: one named (or, at a ``data:``
    address, typed) as no raster image, or what a sheet it imports names."""
    if address == stylesheets.IMPORT:
        return True
    if address.lower().startswith("data:"):
        kind = address[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
        return kind not in _RASTER_TYPES
    return not address.lower().endswith(RASTER)  # as the fetcher tells a raster image


_RASTER_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp",
                 "image/tiff")


def _own_markup(folder: Path) -> bool:
    """Whether the course has PDF templates of its own besides its style sheets (anything
    unexpected counts: the cost is speed, not what a document shows)."""
    for kind in ("pdf", "_common"):
        for _, _, names in os.walk(folder / "templates" / kind):
            if any(not name.endswith(".css.j2") for name in names):
                return True
    return False
