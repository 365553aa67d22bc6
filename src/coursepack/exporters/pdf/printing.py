"""One PDF export in order: every whole document and part, the contents (until its own
page count is right), the handouts, the course pack; and the notes on what was made."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from concurrent.futures import BrokenExecutor, Future
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from coursepack import render
from coursepack.errors import CoursepackError, Origin, Problem, warning
from coursepack.exporters.base import ExportContext
from coursepack.exporters.linked import LinkedFiles
from coursepack.exporters.pdf import pack
from coursepack.exporters.pdf.cache import PdfStore
from coursepack.exporters.pdf.documents import Documents
from coursepack.exporters.pdf.jobs import JobMaker
from coursepack.exporters.pdf.joining import PackJoining
from coursepack.exporters.pdf.libraries import import_pikepdf
from coursepack.exporters.pdf.obtaining import Obtainer
from coursepack.exporters.pdf.pool import Job, Rendered, Renderer

if TYPE_CHECKING:
    from pikepdf import Pdf


class Assembler:
    """Writes the PDFs joined from rendered ones (handouts, course pack), from the cache
    when an earlier build joined the same."""

    def __init__(self, ctx: ExportContext, jobs: JobMaker, obtainer: Obtainer) -> None:
        self.ctx, self.jobs, self.obtainer = ctx, jobs, obtainer
        self.store = obtainer.store
        self.assembled: list[str] = []

    def handouts(self, parts: list[pack.Part], files: dict[str, Job], counts: dict[str, int],
                 sheets: dict[int, Job]) -> Callable[[], None]:
        """Each lesson's part with its page numbers drawn on: the handout. Those not in the
        cache are numbered by the build's workers while this process goes on (it joins the
        course pack); the function returned waits for them and writes them."""
        import_pikepdf()
        from coursepack.exporters.pdf import page_numbers

        numbering: list[tuple[str, str, Future[bytes]]] = []
        for part in parts:
            if part.level != 1:
                continue
            source, sheet = files[part.key], sheets[counts[part.key]]
            relpath = part.document.relpath
            digest = self._digest(relpath, (source, sheet))
            if not self._kept(relpath, digest):
                self.ctx.progress(f"pdf: assembling {relpath}")
                numbering.append((relpath, digest, self.obtainer.renderer.soon(
                    page_numbers.numbered, self.obtainer.read(source), self.obtainer.read(sheet))))

        def written() -> None:
            for relpath, digest, future in numbering:
                self._made(relpath, digest, future.result())

        return written

    def course_pack(self, ordered: list[pack.Part], files: dict[str, Job],
                    counts: dict[str, int], sheet: Job, joining: PackJoining) -> None:
        """The course pack: its parts joined (``joining``: those joined already), the links
        between them, the outline, the page numbers, each font's subsets merged."""
        # pikepdf and fontTools are imported only when a PDF is assembled: they are slow
        # to import, and most commands never need them.
        import_pikepdf()
        from coursepack.exporters.pdf import assemble, fonts, page_numbers, pdf_bytes

        read = self.obtainer.read

        def joined() -> tuple[Pdf, list[int], fonts.Survey]:
            joiner = joining.take() or assemble.Joiner(len(ordered), last=pack.CONTENTS_AT,
                                                       kept=self.store)
            try:
                for index, part in enumerate(ordered):
                    if joiner.wants(index):
                        joiner.give(index, read(files[part.key]), part.heading_shift)
                return (*joiner.done(), joiner.survey)
            except BaseException:
                joiner.close()
                raise

        def make() -> bytes:
            pdf, firsts, survey = joined()
            try:
                starts = {p.key: first for p, first in zip(ordered, firsts, strict=True)}
                assemble.link_parts(pdf, starts, pack.linking_pages(ordered, starts, counts))
                assemble.set_outline(pdf, pack.outline(ordered, starts))
                with pdf_bytes.open_pdf(read(sheet)) as numbers:
                    forms = page_numbers.number_forms(pdf, numbers, skip=range(counts[pack.COVER]))
                # the fonts merged before the numbers are drawn, which gives each page
                # resources of its own: they are looked for through the parts' shared ones
                fonts.merge_subsets(pdf, self.store, survey.known, forms=forms.values())
                page_numbers.draw_numbers(pdf, forms)
                return pdf_bytes.save(pdf)
            finally:
                assemble.let_go(pdf)

        self.write("course-pack.pdf", (*(files[p.key] for p in ordered), sheet), make)

    def write(self, relpath: str, sources: tuple[Job, ...], make: Callable[[], bytes]) -> None:
        """Write an assembled PDF, from the cache if it was made from the same sources."""
        digest = self._digest(relpath, sources)
        if not self._kept(relpath, digest):
            self.ctx.progress(f"pdf: assembling {relpath}")
            self._made(relpath, digest, make())

    def _digest(self, relpath: str, sources: tuple[Job, ...]) -> str:
        return self.jobs.assembled(relpath, tuple(map(self.obtainer.made_from, sources)))

    def _kept(self, relpath: str, digest: str) -> bool:
        """Take the PDF ``digest`` names over from the last build, or write it from the
        cache, if either has it."""
        written = self.obtainer.written
        if written.taken_over(relpath, digest):
            return True
        data = self.store.pdf(digest)
        if data is not None:
            written.write(relpath, digest, data)
        return data is not None

    def _made(self, relpath: str, digest: str, data: bytes) -> None:
        self.store.keep_pdf(digest, data)
        self.assembled.append(relpath)
        self.obtainer.written.write(relpath, digest, data)


class Printing:
    """The order of one PDF export, and its notes."""

    def __init__(self, ctx: ExportContext, docs: Documents, renderer: Renderer) -> None:
        self.ctx, self.docs = ctx, docs
        self.jobs = JobMaker(docs, ctx.course.root)
        styles = self.jobs.shared_styles()
        if styles is not None:  # a lesson's part, the likeliest to be rendered
            renderer.expect(*styles)
        self.obtainer = Obtainer(PdfStore(ctx.cache, ctx.destination), renderer,
                                 LinkedFiles(ctx, "pdf-written"), ctx.progress,
                                 ctx.course.root)
        self.assembler = Assembler(ctx, self.jobs, self.obtainer)

    def run(self) -> Generator[None, None, None]:
        """Every PDF of the export, pausing once (``yield``) when the documents and parts
        not in the cache are with the renderers.

        The pack's join begins after the pause: an export paused holds its parts' bytes
        only, so a build of several languages, each started before any is finished, does
        not hold several packs' joins at once."""
        parts = pack.sections(self.docs)
        get = self.obtainer
        with _located("render a PDF", _THEME_HINT):
            part_files = {p.key: self.jobs.part(p.document, p.key) for p in parts}
        # the pack joined while its parts are rendered, from those the cache has and those
        # that come; not when none is rendered (then the whole pack is most likely cached)
        joining = PackJoining(parts, part_files, self.obtainer.store)
        get.arrived = joining.give
        try:
            with _located("render a PDF", _THEME_HINT):
                rendering = get.start([*(self.jobs.whole(d) for d in self.docs.whole()),
                                       *part_files.values()])
            if all(job.identifier in get.ready for job in part_files.values()):
                joining.close()
            yield
            if not joining.given_up:
                joining.begin()
            with _located("render a PDF", _THEME_HINT):
                get.finish(rendering)
            self.finish_pack(parts, part_files, joining)
        finally:
            joining.close()
        self.obtainer.written.save()
        self.obtainer.store.keep_record()
        self.ctx.notes.extend(self.notes())
        self.ctx.warnings.extend(left_out_warnings(self.obtainer.left_out, self.asked_where))

    def finish_pack(self, parts: list[pack.Part], part_files: dict[str, Job],
                    joining: PackJoining) -> None:
        """The contents, the handouts and the course pack, every part rendered."""
        get = self.obtainer
        with _located("render a PDF", _THEME_HINT):
            counts = {key: get.pages(job) for key, job in part_files.items()}
            contents, handout_sheets, pack_sheet, rendering = self.contents(parts, counts)
            part_files[pack.CONTENTS] = contents[1]
            counts[pack.CONTENTS] = get.pages(contents[1])
        with _located("assemble the handouts", _BUG_HINT):
            handouts_written = self.assembler.handouts(parts, part_files, counts, handout_sheets)
        with _located("render a PDF", _THEME_HINT):
            get.finish(rendering)  # the course pack's sheet, the longest, rendered meanwhile
        with _located("assemble the course pack", _BUG_HINT):
            self.assembler.course_pack(pack.in_order(parts, contents[0]), part_files, counts,
                                       pack_sheet, joining)
        with _located("assemble the handouts", _BUG_HINT):
            handouts_written()

    def contents(self, parts: list[pack.Part], counts: dict[str, int]) -> tuple[
            tuple[pack.Part, Job], dict[int, Job], Job, Iterator[tuple[Job, Rendered]]]:
        """Render the contents, with the page-number sheets beside it.

        The contents' own length is taken from the last build or guessed, and the course
        pack's sheet started for the total it gives. If the contents come out longer or
        shorter, they (whose page numbers depend on it) and that sheet are made again.
        Returns the contents, the handouts' sheets, the pack's sheet and its rendering, which
        may still be under way.
        """
        get, cache = self.obtainer, self.ctx.cache
        lengths = sorted({counts[p.key] for p in parts if p.level == 1})
        sheets = {n: self.jobs.sheet(n) for n in lengths}
        layout = cache.key("pdf-contents", *(f"{p.level} {p.key}" for p in parts))
        guessed = cache.get_json(layout)  # what the last build found
        own = guessed if isinstance(guessed, int) else pack.guess_contents_pages(parts)
        beside = list(sheets.values())
        while True:
            contents = pack.contents(self.docs, parts, counts, own)
            job = self.jobs.part(contents.document, pack.CONTENTS)
            pack_sheet = self.jobs.sheet(sum(counts.values()) + own)
            rendering = get.start([job, pack_sheet, *beside])
            get.finish(rendering, until={job.identifier, *(s.identifier for s in beside)})
            beside = []
            actual = get.pages(job)
            if actual == own:
                cache.put_json(layout, own)
                return (contents, job), sheets, pack_sheet, rendering
            get.finish(rendering)
            own = actual

    def asked_where(self, address: str) -> Origin | None:
        """Where the course's own PDF templates ask for ``address``, a file a document
        asked for and did not get (``left_out_warnings``)."""
        return render.first_written(self.own_templates, _written_forms(address))

    @cached_property
    def own_templates(self) -> list[tuple[str, str]]:
        """The course's own PDF templates, read once for every file left out."""
        return render.own_template_texts("pdf", self.ctx.course.root)

    def notes(self) -> list[str]:
        total, made = len(self.obtainer.asked), len(self.obtainer.rendered)
        assembled = self.assembler.assembled
        lines = [f"rendered {made} of {total} PDF parts and documents, reused {total - made}"
                 f" unchanged; assembled {len(assembled)} PDFs"]
        if 0 < made < total:
            lines.append("rendered: " + _listing(list(self.obtainer.rendered.values())))
            if assembled:
                lines.append("assembled: " + _listing(assembled))
        return lines


def left_out_warnings(left_out: dict[str, list[tuple[str, str]]],
                      asked_where: Callable[[str], Origin | None] = lambda address: None,
                      ) -> list[Problem]:
    """One warning per file a document asked for and did not get, naming the documents,
    and where a course's own template asks for it (``asked_where``) when that is found."""
    where: dict[tuple[str, str], set[str]] = {}
    for label, pairs in left_out.items():
        documents = {label} if label.endswith(".pdf") else {"course-pack.pdf"}
        if label.startswith("lesson/"):  # a lesson's part is also its handout
            documents.add(f"handouts/{label.removeprefix('lesson/')}.pdf")
        for pair in pairs:
            where.setdefault(pair, set()).update(documents)
    return [warning(asked_where(address),
                    f"'{address}' is left out of {_listing(list(documents))}: {why}",
                    hint="the course's pdf templates find files from the course folder",
                    rule="pdf")
            for (address, why), documents in sorted(where.items())]


def _written_forms(address: str) -> list[str]:
    """The ways a template may have written an address a document asked for, as the
    renderer gives it (``images.PrintFetcher.shown``): a course file's path as it is and
    %-encoded, a file's own path, or the start of an address cut short."""
    if address.endswith("..."):  # cut short: its start is as the template wrote it
        return [address.removesuffix("...")]
    if address.startswith("file://"):
        path = unquote(address.removeprefix("file://"))
        return [address, path, quote(path)]
    return [address, quote(address, safe="/")]


def _listing(names: list[str], shown: int = 10) -> str:
    """Names in order, the first ``shown`` of a long list and how many more."""
    ordered = sorted(names)
    if len(ordered) <= shown + 2:
        return ", ".join(ordered)
    return ", ".join(ordered[:shown]) + f" and {len(ordered) - shown} more"


_THEME_HINT = "check templates/pdf overrides in the course folder"
_BUG_HINT = ("a file kept from an earlier build may be damaged: run 'coursepack clean' and "
             "build again; if that fails too, please report this message")


@contextmanager
def _located(what: str, hint: str) -> Iterator[None]:
    """Any failure of WeasyPrint or pikepdf, as an error a user can act on. What the
    operating system refuses (a full disk...) is left to the build, which names the path."""
    try:
        yield
    except (CoursepackError, BrokenExecutor):  # a worker lost: not the theme's doing
        raise
    except Exception as exc:  # failures reach us from worker processes, with their own types
        if isinstance(exc, OSError) and exc.errno is not None:
            raise
        raise CoursepackError.single(f"could not {what}: {exc}", hint=hint) from exc
