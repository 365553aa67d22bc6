"""What each PDF is rendered from: its HTML, one of three stylesheets, and the digest of it
all that names it in the build's cache.

Whole documents (quizzes, answer key, guide) are rendered with their page numbers; the
course pack's parts without, and page-number sheets with nothing but the numbers, drawn on
the parts afterwards.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from coursepack.exporters.pdf.cache import inputs_hash
from coursepack.exporters.pdf.documents import Document, Documents
from coursepack.exporters.pdf.pool import SETTINGS, Job
from coursepack.exporters.pdf.references import digest, referenced
from coursepack.render import has_own_templates

_MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                 "right-top", "right-middle", "right-bottom", "bottom-right-corner",
                 "bottom-right", "bottom-center", "bottom-left", "bottom-left-corner",
                 "left-bottom", "left-middle", "left-top")
#: Before page-numbers.css on a sheet: nothing in the margins but what that sheet adds.
_SHEET_CSS = ("@page { " + " ".join(f"@{box} {{ content: none; }}" for box in _MARGIN_BOXES)
              + " }\n.cp-sheet + .cp-sheet { break-before: page; }\n")


def version(package: str) -> str:
    from importlib import metadata  # slow to import: only when a PDF is made

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


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
        self.root = folder.resolve()
        self.folder = str(self.root)
        #: Every file a document of this export asks for besides its lessons' images, with
        #: the digest of its bytes as its documents were named from it (``references``).
        self.also_read: dict[Path, bytes] = {}
        self._asked_by_css: dict[str, set[Path]] = {}
        #: The theme's templates and style sheets name no course file, and a lesson's
        #: images are its document's own inputs: only a course's own templates need reading.
        self._scans = has_own_templates("pdf", self.root)

    def whole(self, doc: Document) -> Job:
        """A document a user gets as it is rendered, page numbers and all."""
        name = self._named(doc, self.whole_css)
        return Job(doc.relpath, doc.relpath, doc.html, self.whole_css, self.folder, name)

    def part(self, doc: Document, label: str) -> Job:
        """A part of the course pack (and of a handout), kept only in the cache."""
        name = self._named(doc, self.part_css)
        return Job("", label, doc.html, self.part_css, self.folder, name)

    def _named(self, doc: Document, css: str) -> str:
        """The digest of the document's inputs, the files it asks for among them."""
        if not self._scans:
            return inputs_hash(doc.html, css, doc.images, self.tools)
        if css not in self._asked_by_css:
            self._asked_by_css[css] = set(referenced("", css, self.root))
        shown = {image.resolve() for image in doc.images}
        asked = sorted((self._asked_by_css[css] | set(referenced(doc.html, "", self.root)))
                       - shown)
        for path in asked:
            if path not in self.also_read:
                self.also_read[path] = digest(path)
        return inputs_hash(doc.html, css, doc.images, self.tools,
                           [(path.relative_to(self.root).as_posix(), self.also_read[path])
                            for path in asked])

    def sheet(self, pages: int) -> Job:
        """Blank pages with only their numbers, ``pages`` of them, kept only in the cache."""
        html = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Page numbers</title>'
                '</head><body>' + '<div class="cp-sheet"></div>' * pages + "</body></html>")
        digest = inputs_hash(html, self.sheet_css, (), self.tools)
        return Job("", f"page numbers, {pages} pages", html, self.sheet_css, self.folder,
                   digest, tagged=False)

    def assembled(self, relpath: str, sources: tuple[str, ...]) -> str:
        """The digest of a PDF assembled at ``relpath`` from the PDFs of ``sources``."""
        return hashlib.sha256("\n".join((self.tools, relpath, *sources)).encode()).hexdigest()
