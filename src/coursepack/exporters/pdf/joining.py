"""The course pack joined while its parts are still being rendered.

Joining a hundred lessons' parts takes about a third of a second, and an edited rebuild
would spend it after WeasyPrint has rendered the one lesson again, with this process idle
until then. So the parts are given to a ``Joiner`` as they become available: those in the
cache at once, the others as the renderers send them. The contents, rendered only once
every other part's length is known, are copied last. The pack is the same PDF however
its parts arrived (``assemble.Joiner``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coursepack.exporters.pdf import pack
from coursepack.exporters.pdf.libraries import import_pikepdf
from coursepack.exporters.pdf.pool import Job

if TYPE_CHECKING:
    from coursepack.exporters.pdf.assemble import Joiner, Kept


class PackJoining:
    """The course pack's parts (all but the contents), joined as they come once ``begin``
    is called; until then those given are only held (they may not be needed: with no part
    to render, the whole pack is most likely in the cache)."""

    def __init__(self, parts: list[pack.Part], files: dict[str, Job],
                 kept: Kept | None = None) -> None:
        self.slots = {files[part.key].identifier: (pack.printed_at(position), part.heading_shift)
                      for position, part in enumerate(parts)}
        self.count = len(parts) + 1
        self.held: dict[int, tuple[bytes, int]] = {}
        self.joiner: Joiner | None = None
        self.given_up = False
        self.kept = kept  # what joining each part read of it (``assemble.Kept``)

    def give(self, job: Job, pdf: bytes) -> None:
        """A PDF had from the cache or a renderer: joined now if it is one of the parts
        (its turn come), held if the join has not begun."""
        slot = self.slots.get(job.identifier)
        if slot is None or self.given_up:
            return
        if self.joiner is None:
            self.held[slot[0]] = (pdf, slot[1])
            return
        try:
            self.joiner.give(slot[0], pdf, slot[1])
        except Exception:  # a damaged part: the pack is joined from nothing at its turn,
            self.close()   # where what is wrong is reported

    def begin(self) -> None:
        """Join the parts held, and those given from now on."""
        # pikepdf is imported only when a PDF is assembled (see Assembler.course_pack)
        import_pikepdf()
        from coursepack.exporters.pdf.assemble import Joiner

        self.joiner = Joiner(self.count, last=pack.CONTENTS_AT, kept=self.kept)
        held, self.held = self.held, {}
        try:
            for index, (pdf, shift) in sorted(held.items()):
                self.joiner.give(index, pdf, shift)
        except Exception:  # as in give
            self.close()

    def take(self) -> Joiner | None:
        """The join so far, for the caller to finish (None if it never began or failed)."""
        joiner, self.joiner = self.joiner, None
        self.close()
        return joiner

    def close(self) -> None:
        """Let go of the join and of what is held (the course pack was in the cache, or the
        export failed)."""
        self.given_up = True
        self.held.clear()
        if self.joiner is not None:
            self.joiner.close()
            self.joiner = None
