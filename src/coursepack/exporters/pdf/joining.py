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
from coursepack.exporters.pdf.pool import Job

if TYPE_CHECKING:
    from coursepack.exporters.pdf.assemble import Joiner


class PackJoining:
    """The course pack's parts (all but the contents), joined as they come."""

    def __init__(self, parts: list[pack.Part], files: dict[str, Job]) -> None:
        # pikepdf is imported only when a PDF is assembled (see Assembler.course_pack)
        from coursepack.exporters.pdf.assemble import Joiner

        self.slots = {files[part.key].identifier: (pack.printed_at(position), part.heading_shift)
                      for position, part in enumerate(parts)}
        self.joiner: Joiner | None = Joiner(len(parts) + 1, last=pack.CONTENTS_AT)

    def give(self, job: Job, pdf: bytes) -> None:
        """A rendered PDF: joined now if it is one of the parts (its turn come)."""
        slot = self.slots.get(job.identifier)
        if slot is None or self.joiner is None:
            return
        try:
            self.joiner.give(slot[0], pdf, slot[1])
        except Exception:  # a damaged part: the pack is joined from nothing at its turn,
            self.close()   # where what is wrong is reported

    def take(self) -> Joiner | None:
        """The join so far, for the caller to finish (None if it failed)."""
        joiner, self.joiner = self.joiner, None
        return joiner

    def close(self) -> None:
        """Let go of the join (the course pack was in the cache, or the export failed)."""
        if self.joiner is not None:
            self.joiner.close()
            self.joiner = None
