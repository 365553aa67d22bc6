"""Rendering HTML to PDF in worker processes: one per core, longest document first.

Each worker builds one FontConfiguration and one image cache in its initializer and
reuses them for every document it renders. WeasyPrint is imported only here, inside
functions, because importing it is slow and only PDF builds need it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

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
    """One PDF to render: the HTML, the print CSS, where relative images are found."""

    relpath: str
    html: str
    css: str
    base_url: str
    identifier: str


def start_worker() -> None:
    """Initializer: one FontConfiguration and image cache per worker process."""
    from weasyprint.text.fonts import FontConfiguration

    from coursepack.exporters.pdf.images import PrintFetcher

    _worker["fonts"] = FontConfiguration()
    _worker["images"] = {}
    _worker["fetcher"] = PrintFetcher()
    _worker["css"] = {}


def render(job: Job) -> tuple[str, bytes]:
    """Render one document to tagged PDF/UA-1 bytes."""
    from weasyprint import CSS, HTML

    if not _worker:
        start_worker()
    fonts = _worker["fonts"]
    if job.css not in _worker["css"]:
        _worker["css"][job.css] = CSS(string=job.css, font_config=fonts)
    html = HTML(string=job.html, base_url=job.base_url, url_fetcher=_worker["fetcher"])
    data = html.write_pdf(
        stylesheets=[_worker["css"][job.css]],
        font_config=fonts,
        pdf_variant=VARIANT,
        pdf_identifier=job.identifier[:32].encode("ascii"),
        optimize_images=True,
        jpeg_quality=JPEG_QUALITY,
        dpi=IMAGE_DPI,
        cache=_worker["images"],
    )
    return job.relpath, bytes(data)


def render_all(jobs: list[Job], workers: int | None = None) -> Iterator[tuple[str, bytes]]:
    """Render every job, longest first; yields (relpath, pdf) as each one finishes."""
    ordered = sorted(jobs, key=lambda job: (-len(job.html), job.relpath))
    count = min(workers or os.cpu_count() or 1, len(ordered))
    if count <= 1:
        yield from (render(job) for job in ordered)
        return
    # fork: workers inherit the loaded course code and need no importable __main__.
    context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=count, mp_context=context,
                             initializer=start_worker) as pool:
        futures = [pool.submit(render, job) for job in ordered]
        for future in as_completed(futures):
            yield future.result()
