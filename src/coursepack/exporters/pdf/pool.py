"""Rendering HTML to PDF in worker processes: one per core, longest document first.

Each worker builds one FontConfiguration and one image cache in its initializer and
reuses them for every document it renders. WeasyPrint is imported only here, inside
functions, because importing it is slow and only PDF builds need it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

#: Images are resampled to this resolution and JPEG quality: enough for print,
#: small enough for a handout to travel over a poor link.
IMAGE_DPI = 150
JPEG_QUALITY = 70
#: Longest side in pixels an image keeps before layout: a text width at 150 dpi, and some.
MAX_PIXELS = 1200
VARIANT = "pdf/ua-1"
#: Part of every document's input hash: changing how we render re-renders everything.
SETTINGS = f"{VARIANT} dpi={IMAGE_DPI} jpeg={JPEG_QUALITY} max={MAX_PIXELS}"

_worker: dict[str, Any] = {}


@dataclass(frozen=True)
class Job:
    """One PDF to render: the HTML, the print CSS, where relative images are found.

    ``label`` names it in progress and notes; ``tagged`` False renders a plain PDF (the
    page-number sheets, whose text ends up as artifacts of a tagged one).
    """

    relpath: str
    label: str
    html: str
    css: str
    base_url: str
    identifier: str
    tagged: bool = True


def start_worker() -> None:
    """Initializer: one FontConfiguration and image cache per worker process."""
    from weasyprint.text.fonts import FontConfiguration

    from coursepack.exporters.pdf.images import PrintFetcher

    _worker["fonts"] = FontConfiguration()
    _worker["images"] = {}
    _worker["fetcher"] = PrintFetcher()
    _worker["css"] = {}


def render(job: Job) -> bytes:
    """Render one document to PDF bytes: tagged PDF/UA-1 unless the job says otherwise."""
    from weasyprint import CSS, HTML

    if not _worker:
        start_worker()
    fonts = _worker["fonts"]
    if job.css not in _worker["css"]:
        _worker["css"][job.css] = CSS(string=job.css, font_config=fonts)
    _worker["fetcher"].inside = Path(unquote(urlsplit(job.base_url).path)).resolve()
    html = HTML(string=job.html, base_url=job.base_url, url_fetcher=_worker["fetcher"])
    data = html.write_pdf(
        stylesheets=[_worker["css"][job.css]],
        font_config=fonts,
        pdf_variant=VARIANT if job.tagged else None,
        pdf_identifier=job.identifier[:32].encode("ascii"),
        optimize_images=True,
        jpeg_quality=JPEG_QUALITY,
        dpi=IMAGE_DPI,
        cache=_worker["images"],
    )
    return bytes(data)


def _ready() -> None:
    """A task that only makes a worker start (its initializer does the work)."""


class Renderer:
    """WeasyPrint workers kept for a whole export (one per core), started on first use.

    The exporter renders in waves (parts, then what depends on their page counts), and
    a worker that has imported WeasyPrint and loaded the fonts serves every wave.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def run(self, jobs: list[Job]) -> Iterator[tuple[Job, bytes]]:
        """Start every job now, longest first; the iterator yields (job, pdf) as each finishes.

        With a single core the jobs render in this process, one per step of the iterator.
        """
        ordered = sorted(jobs, key=lambda job: (-len(job.html), job.relpath))
        if self.workers <= 1 or (len(ordered) == 1 and self._pool is None):
            return ((job, render(job)) for job in ordered)
        pool = self.pool()
        futures: dict[Future[bytes], Job] = {pool.submit(render, job): job for job in ordered}
        return ((futures[future], future.result()) for future in as_completed(futures))

    def warm(self) -> None:
        """Start the workers now, so they import WeasyPrint while the HTML is being made."""
        pool = self.pool()
        for _ in range(self.workers):
            pool.submit(_ready)

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # fork: workers inherit the loaded course code and need no importable __main__.
            context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context,
                                             initializer=start_worker)
        return self._pool
