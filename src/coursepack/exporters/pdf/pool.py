"""Rendering HTML to PDF in the build's worker processes, longest document first.

Each worker builds one FontConfiguration and one image cache (``start_worker``, run as
the build starts or before its first rendering) and reuses them for every document but
one that may declare fonts of its own (``_styled``). A font configuration
keeps copies of the fonts a style sheet names in a temporary folder: a worker's goes with
the pool's (``workers``), and this process's own is one of ``scratch``'s, removed when its
export ends, however it ends (WeasyPrint removes its own folder only when the
configuration is collected, which a build stopped mid-rendering did not always live to
see), or by the next build if this one was killed. WeasyPrint is imported only here,
inside functions, because importing it is slow and only PDF builds need it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any

from coursepack import scratch
from coursepack.exporters.pdf.libraries import import_pikepdf, import_weasyprint
from coursepack.workers import Workers, is_worker

#: Images are resampled to this resolution and JPEG quality: enough for print,
#: small enough for a handout to travel over a poor link.
IMAGE_DPI = 150
JPEG_QUALITY = 70
#: Longest side in pixels an image keeps before layout: a text width at 150 dpi, and some.
MAX_PIXELS = 1200
#: The names of raster images: a file so named that is none is refused (``PrintFetcher``).
RASTER = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp")
SHIPPED = Path(__file__).resolve().parent / "typefaces"
"""The folder of the shipped font files, their OFL.txt and ORIGIN.md."""
TYPEFACES_URL = "file:///coursepack-typefaces/"
"""The address the print CSS gives ``SHIPPED`` (the renderer's fetcher reads it there):
the same wherever coursepack is installed, so that the same course makes the same PDFs,
and shows no path of the machine. (Here, not with the typefaces in ``faces``: a worker
reads fonts without loading what the build's own process needs to choose them.)"""
VARIANT = "pdf/ua-1"
#: Part of every document's input hash: changing how we render re-renders everything.
SETTINGS = f"{VARIANT} dpi={IMAGE_DPI} jpeg={JPEG_QUALITY} max={MAX_PIXELS}"

_worker: dict[str, Any] = {}


@dataclass(frozen=True)
class Job:
    """One PDF to render: the HTML, the print CSS, where relative images are found.

    ``label`` names it in progress and notes; ``tagged`` False renders a plain PDF (the
    page-number sheets, whose text ends up as artifacts of a tagged one). ``folder`` is the
    course folder, which relative addresses are read from.
    """

    relpath: str
    label: str
    html: str
    css: str
    folder: str
    identifier: str
    tagged: bool = True
    #: The files it asks for are inputs too (a course's own templates can ask for any):
    #: recorded as they are read, and none taken from another document's image cache.
    watched: bool = False
    #: It may declare fonts of its own: rendered with a font configuration of its own.
    alone: bool = False


def start_worker() -> None:
    """One FontConfiguration and image cache per worker process (and WeasyPrint imported)."""
    import_weasyprint()
    from coursepack.exporters.pdf.images import RecordedFonts

    _worker["pid"] = os.getpid()  # a process forked from one that rendered makes its own
    _worker["fonts"] = fonts = RecordedFonts()
    if not is_worker():
        # WeasyPrint makes its folder when a style sheet first names a font, if it has none
        _worker["scratch"] = fonts._folder = scratch.made("coursepack-fonts-")
    _worker["images"] = {}
    _worker["css"] = {}


def set_up_styles(css: str, folder: str, watched: bool) -> None:
    """Parse the print CSS the documents to come share (``Renderer.expect``) before they
    come, as a worker would for the first of them (``_styled``)."""
    with _styled(Job("", "style sheet", "", css, folder, "", watched=watched)):
        pass


@dataclass(frozen=True)
class Rendered:
    """A rendered PDF, and the files its HTML or CSS asked for that it left out
    ((address, why) pairs: a course template's image that is not in the course, say)."""

    pdf: bytes
    left_out: tuple[tuple[str, str], ...] = ()
    #: Each course file it asked for (a watched job's), by its path in the course, with
    #: the SHA-256 (hex) of the bytes read.
    fetched: tuple[tuple[str, str], ...] = ()


def render(job: Job) -> Rendered:
    """Render one document to PDF bytes: tagged PDF/UA-1 unless the job says otherwise."""
    import_weasyprint()
    from weasyprint import HTML

    from coursepack.exporters.pdf.images import COURSE_URL, PrintFetcher

    with _styled(job) as (fonts, stylesheet, reader):
        fetcher = PrintFetcher(job.folder, records=job.watched, own_fonts=job.alone)
        images = {} if job.watched else _worker["images"].setdefault(job.folder, {})
        for failed in [url for url, image in images.items() if image is None]:
            del images[failed]  # asked again, so that this document says what it left out
        html = HTML(string=job.html, base_url=COURSE_URL, url_fetcher=fetcher)
        data = html.write_pdf(
            stylesheets=[stylesheet],
            font_config=fonts,
            finisher=_tags_finished if job.tagged else None,
            pdf_variant=VARIANT if job.tagged else None,
            pdf_identifier=job.identifier[:32].encode("ascii"),
            optimize_images=True,
            jpeg_quality=JPEG_QUALITY,
            dpi=IMAGE_DPI,
            cache=images,
        )
    if fetcher.needs_own_fonts or reader.needs_own_fonts:  # an SVG a style sheet shows
        return render(replace(job, alone=True))
    pdf = _only_what_it_uses(bytes(data)) if job.relpath and job.tagged else bytes(data)
    return Rendered(pdf, tuple(dict.fromkeys([*reader.left_out, *fetcher.left_out])),
                    tuple(sorted({**reader.fetched, **fetcher.fetched}.items())))


@contextmanager
def _styled(job: Job) -> Iterator[tuple[Any, Any, Any]]:
    """The font configuration, the print CSS parsed for it and the reader of the files
    that CSS named, for ``job``.

    Documents share the worker's configuration, and the CSS parsed once; but not one that
    may declare fonts of its own (``Job.alone``: a course's own HTML templates, its style
    sheets that show images, an SVG; and one found fetching what may be an SVG, rendered
    again: ``PrintFetcher.needs_own_fonts``). A
    font added to a configuration stays for the documents after, and fontconfig may pick
    it for a family they name (a course's newer "Noto Serif" for the shipped one): what a
    document looked like would depend on which worker rendered what before it. Such a
    document gets a configuration of its own, and its copies of the fonts are removed
    after it."""
    if _worker.get("pid") != os.getpid():  # not set up in this process yet
        start_worker()
    if not job.alone:
        styles = (job.css, job.folder, job.watched)
        if styles not in _worker["css"]:
            _worker["css"][styles] = _parsed(job, _worker["fonts"])
        yield (_worker["fonts"], *_worker["css"][styles])
        return
    from coursepack.exporters.pdf.images import RecordedFonts

    fonts = RecordedFonts()
    # in a worker, the pool's temporary folder; in this process, its own (start_worker)
    fonts._folder = Path(tempfile.mkdtemp(prefix="fonts-", dir=_worker.get("scratch")))
    try:
        yield (fonts, *_parsed(job, fonts))
    finally:
        shutil.rmtree(fonts._folder, ignore_errors=True)


def _parsed(job: Job, fonts: Any) -> tuple[Any, Any]:
    """The print CSS of ``job`` parsed for ``fonts``, read as the documents' files are (a
    course's print CSS names fonts and images), and its reader."""
    from weasyprint import CSS

    from coursepack.exporters.pdf.images import COURSE_URL, PrintFetcher

    reader = PrintFetcher(job.folder, records=job.watched, own_fonts=job.alone)
    return CSS(string=job.css, base_url=COURSE_URL, url_fetcher=reader,
               font_config=fonts), reader


def _tags_finished(document: Any, pdf: Any) -> None:
    """WeasyPrint's structure tree made as PDF/UA asks and lighter, before it is written:
    running headers as pagination artifacts, each lone run of text owned by its parent."""
    from coursepack.exporters.pdf.margins import margins_as_artifacts
    from coursepack.exporters.pdf.spans import fold_text_spans

    margins_as_artifacts(document, pdf)
    fold_text_spans(pdf)


def _only_what_it_uses(pdf: bytes) -> bytes:
    """A tagged rendering written again without the objects nothing refers to: the elements
    ``_tags_finished`` took out of the structure tree stay among WeasyPrint's numbered
    objects (the margin boxes' elements, the emptied Spans: 408 of the starter course's
    answer key's 975, 142 of a four-page lesson's 329). A document a user gets is smaller
    for it; a part of the course pack, see ``_as_kept``."""
    import_pikepdf()  # in the build's own process on one core, where Ctrl+C is not ignored
    from coursepack.exporters.pdf import pdf_bytes

    with pdf_bytes.open_pdf(pdf) as document:
        return pdf_bytes.save(document)


def _as_kept(job: Job, rendered: Rendered) -> Rendered:
    """A part of the course pack (and of a handout) as the cache keeps it: written again
    like a document a user gets (``_only_what_it_uses``), by the process it is sent to.

    Every build that joins the pack reads every object of every part again, an edited
    rebuild's included: without those nothing refers to, about a tenth less of its time
    goes into the join, for some 5 ms per part rendered. The pack is the same: a join
    copies only what a part's pages and structure tree lead to. Not in the worker: it would
    import pikepdf before the one lesson an edit leaves to render, which waits for it."""
    if job.relpath or not job.tagged:
        return rendered
    return replace(rendered, pdf=_only_what_it_uses(rendered.pdf))


class Renderer:
    """Renders with the build's workers for one export, longest document first.

    The exporter renders in waves (parts, then what depends on their page counts), and
    a worker that has imported WeasyPrint and loaded the fonts serves every wave.
    """

    def __init__(self, workers: Workers) -> None:
        self.workers = workers

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        folder = _worker.get("scratch") if _worker.get("pid") == os.getpid() else None
        _worker.clear()  # what this process rendered itself: the next export starts afresh
        if folder is not None:
            scratch.removed(folder)

    def expect(self, css: str, folder: str, watched: bool) -> None:
        """Have the workers already set up parse the print CSS of the documents to come
        (``set_up_styles``) while this process finds out which of them to render: in an
        edited rebuild, the one lesson's rendering waits for no parsing (about 70 ms). As a
        set-up: a build that then renders nothing does not wait for it."""
        self.workers.also_set_up(partial(set_up_styles, css, folder, watched))

    def soon(self, work: Callable[..., bytes], *args: object) -> Future[bytes]:
        """``work(*args)`` done by a worker, or now in this process without workers."""
        pool = self.workers.executor(1) if self.workers.started else None  # those there are
        if pool is not None:
            return pool.submit(work, *args)
        done: Future[bytes] = Future()
        done.set_result(work(*args))
        return done

    def run(self, jobs: list[Job]) -> Iterator[tuple[Job, Rendered]]:
        """Start every job now, longest first; the iterator yields (job, rendering) as each
        finishes, a part of the course pack as the cache keeps it (``_as_kept``).

        Without workers the jobs render in this process, one per step of the iterator; so
        does a single job when the workers have not been started.
        """
        ordered = sorted(jobs, key=lambda job: (-len(job.html), job.relpath))
        if len(ordered) == 1 and not self.workers.started:
            return ((job, _as_kept(job, render(job))) for job in ordered)
        pool = self.workers.executor(len(ordered))
        if pool is None:
            return ((job, _as_kept(job, render(job))) for job in ordered)
        futures: dict[Future[Rendered], Job] = {pool.submit(render, job): job
                                                for job in ordered}
        return ((futures[future], _as_kept(futures[future], future.result()))
                for future in as_completed(futures))
