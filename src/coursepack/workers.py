"""The one pool of worker processes of a build, shared by every stage that needs one:
Markdown parsing for the site and the PDFs, and the PDF renderings.

Workers are forked on first use, one per core (none on a single core: the work is done
in the build's own process), and stopped when the build ends, however it ends.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType


class Workers:
    """A build's worker processes, started when first asked for."""

    def __init__(self, count: int | None = None) -> None:
        self.count = count or os.cpu_count() or 1
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    @property
    def started(self) -> bool:
        return self._executor is not None

    def executor(self) -> ProcessPoolExecutor | None:
        """The pool, started now if need be; None on a single core or without fork."""
        if self.count < 2 or "fork" not in mp.get_all_start_methods():
            return None
        if self._executor is None:
            # fork: workers inherit the loaded course code and need no importable __main__.
            self._executor = ProcessPoolExecutor(max_workers=self.count,
                                                 mp_context=mp.get_context("fork"))
        return self._executor

    def warm(self, setup: Callable[[], object]) -> None:
        """Start the workers now and have them run ``setup`` (slow imports, say), so that
        it is done while the build's own process does other work."""
        executor = self.executor()
        if executor is not None:
            for _ in range(self.count):
                executor.submit(setup)

    def close(self) -> None:
        """Stop the workers: what is still queued is dropped, what runs is waited for."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
