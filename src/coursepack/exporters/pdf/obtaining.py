"""Rendered PDFs, from the cache when an earlier build made them from the same inputs and
from the WeasyPrint workers otherwise; each is kept in the cache as it comes, and written
into the build if it is a document a user gets."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from coursepack.confinement import file_digest
from coursepack.exporters.linked import LinkedFiles
from coursepack.exporters.pdf.cache import PdfStore
from coursepack.exporters.pdf.libraries import import_pikepdf
from coursepack.exporters.pdf.pool import Job, Rendered, Renderer


class Obtainer:
    """Gets every job of one export rendered once, and counts what it reused and rendered."""

    def __init__(self, store: PdfStore, renderer: Renderer, written: LinkedFiles,
                 progress: Callable[[str], None], root: Path) -> None:
        self.store, self.renderer, self.progress = store, renderer, progress
        self.written = written  # the documents a user gets, as they are had
        self.root = root.resolve()
        #: digest -> the course files a watched job's PDF was made from (path: SHA-256)
        self.fetched: dict[str, dict[str, str]] = {}
        self._now: dict[str, str] = {}  # each such file's SHA-256 now, read once an export
        self.asked: set[str] = set()  # digests of every PDF this export needs
        self.ready: set[str] = set()  # of those, the ones in the cache by now
        self.rendered: dict[str, str] = {}  # digest -> label, of what WeasyPrint rendered
        #: label -> what its HTML asked for and did not get (address, why)
        self.left_out: dict[str, list[tuple[str, str]]] = {}
        #: told of each PDF as it is had: from the cache, or from a renderer as it comes
        self.arrived: Callable[[Job, bytes], None] = lambda job, pdf: None

    def obtain(self, jobs: list[Job]) -> None:
        """Take what an earlier build made from the same inputs; render the rest."""
        self.finish(self.start(jobs))

    def start(self, jobs: list[Job]) -> Iterator[tuple[Job, Rendered]]:
        """Take what the cache has and start rendering the rest (see ``finish``)."""
        todo = []
        for job in jobs:
            if job.identifier in self.asked:
                continue  # the same part or sheet asked for twice
            self.asked.add(job.identifier)
            left_out = self.store.left_out(self.made_from(job)) if self._files_as_kept(job) \
                else None
            if left_out is None:  # made again: what it leaves out is said again
                todo.append(job)
                continue
            if job.relpath and self.written.taken_over(job.relpath, self.made_from(job)):
                self._said(job, left_out)
                self.ready.add(job.identifier)
                continue  # a document a user gets, no part: nothing else needs its bytes
            data = self.store.pdf(job.identifier)
            if data is None:
                todo.append(job)
                continue
            if job.relpath:
                self.written.write(job.relpath, self.made_from(job), data)
            self._said(job, left_out)
            self.ready.add(job.identifier)
            self.arrived(job, data)
        return self.renderer.run(todo)

    def _said(self, job: Job, left_out: list[tuple[str, str]]) -> None:
        if left_out:
            self.left_out[job.label] = left_out

    def finish(self, rendering: Iterator[tuple[Job, Rendered]],
               until: set[str] | None = None) -> None:
        """Keep each rendered PDF as it comes (and write those a user gets): all of them, or
        until those in ``until`` (digests) are all there; the rest can be finished later."""
        waiting = until - self.ready if until else None
        if waiting == set():
            return
        for job, made in rendering:
            self.progress(f"pdf: {job.label}")
            if job.watched:  # first: a PDF kept is never without what it was made from
                self.fetched[job.identifier] = dict(made.fetched)
                self.store.keep_fetched(job.identifier, dict(made.fetched))
            self.store.keep_pdf(job.identifier, made.pdf)
            self.store.keep_left_out(self.made_from(job), made.left_out)
            self._said(job, list(made.left_out))
            if job.relpath:
                self.written.write(job.relpath, self.made_from(job), made.pdf)
            self.rendered[job.identifier] = job.label
            self.ready.add(job.identifier)
            self.arrived(job, made.pdf)
            if waiting is not None:
                waiting.discard(job.identifier)
                if not waiting:
                    return

    def _files_as_kept(self, job: Job) -> bool:
        """Whether the files a watched job's PDF asked for are as they were when it was
        made (a logo a course's template shows, changed since, makes it again)."""
        if not job.watched:
            return True
        kept = self.store.fetched(job.identifier)
        if kept is None or any(self._digest_now(path) != digest for path, digest in kept.items()):
            return False
        self.fetched[job.identifier] = kept
        return True

    def _digest_now(self, path: str) -> str:
        """A course file's SHA-256 (hex): a logo every document shows is read once."""
        if path not in self._now:
            self._now[path] = file_digest(self.root / path).hex()
        return self._now[path]

    def made_from(self, job: Job) -> str:
        """What names ``job``'s PDF in a PDF assembled from it: its digest, and the files
        it asked for as they were."""
        files = self.fetched.get(job.identifier)
        if not files:
            return job.identifier
        listed = "\n".join(f"{path}\0{digest}" for path, digest in sorted(files.items()))
        return f"{job.identifier}:{hashlib.sha256(listed.encode()).hexdigest()}"

    def also_read(self) -> dict[str, str]:
        """Every course file the PDFs of this export asked for, with the SHA-256 read."""
        return {path: digest for files in self.fetched.values()
                for path, digest in files.items()}

    def read(self, job: Job) -> bytes:
        """A rendered PDF, from the cache; rendered again if it is gone or damaged since."""
        kept = self.store.pdf(job.identifier)
        if kept is not None:
            return kept
        [(_, made)] = list(self.renderer.run([job]))
        if job.watched:
            self.fetched[job.identifier] = dict(made.fetched)
            self.store.keep_fetched(job.identifier, dict(made.fetched))
        self.store.keep_pdf(job.identifier, made.pdf)
        return made.pdf

    def pages(self, job: Job) -> int:
        """A rendered part's page count: kept beside it in the cache, by what it was made
        from (a course font or image it shows, changed, can change its length)."""
        made_from = self.made_from(job)
        count = self.store.pages(made_from)
        if count is None:
            import_pikepdf()
            from coursepack.exporters.pdf import pdf_bytes

            count = pdf_bytes.page_count(self.read(job))
            self.store.keep_pages(made_from, count)
        return count

