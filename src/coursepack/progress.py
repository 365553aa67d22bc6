"""How a build shows its steps: a progress bar on a terminal, plain lines or silence elsewhere.

The build pipeline never prints; it calls ``progress(message)`` for each step an
exporter reports (``"html: module-1/lesson-2"``, the format name first). This module
turns those calls into what the user asked for:

- quiet (``-q``): nothing;
- verbose (``-v``): one line per step with the time since the build started;
- normal, on a terminal: a rich progress bar over the formats, shown only once the
  build has run for more than a second (short builds stay uncluttered);
- normal, not a terminal (a log, CI, a pipe): nothing per step.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from enum import Enum
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

SHOW_AFTER = 1.0
"""Seconds a build runs before its progress bar appears."""


class Verbosity(Enum):
    QUIET = "quiet"
    NORMAL = "normal"
    VERBOSE = "verbose"


class BuildProgress:
    """A ``progress(message)`` callback for ``build()``, used as a context manager."""

    def __init__(
        self,
        formats: list[str],
        verbosity: Verbosity = Verbosity.NORMAL,
        console: Console | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.formats = formats
        self.verbosity = verbosity
        self._console = console
        self.clock = clock
        self.started = clock()
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.completed = 0
        self._terminal: bool | None = None

    @property
    def console(self) -> Console:
        """Where steps are shown: the terminal unless another console was given, made when
        first needed (rich takes a tenth of a second to import, which a build in a log or
        with -q need not spend)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(highlight=False)
        return self._console

    def _on_terminal(self) -> bool:
        """Whether the console is a terminal, as rich decides; without asking rich when it
        could not be one (output neither a terminal nor said to be one)."""
        if self._terminal is None:
            self._terminal = (self._console is not None or _may_be_a_terminal()) \
                and self.console.is_terminal
        return self._terminal

    def __enter__(self) -> BuildProgress:
        self.started = self.clock()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def __call__(self, message: str) -> None:
        elapsed = self.clock() - self.started
        if self.verbosity is Verbosity.VERBOSE:
            self.console.print(f"{elapsed:7.2f} s  {message}", markup=False, soft_wrap=True)
        elif self.verbosity is Verbosity.NORMAL and self._on_terminal():
            self._advance(message, elapsed)

    def _advance(self, message: str, elapsed: float) -> None:
        name = message.split(":", 1)[0].strip()
        if name in self.formats:  # formats are built in this order: the ones before are done
            self.completed = self.formats.index(name)
        if self.bar is None and elapsed > SHOW_AFTER:
            self.bar = self._start()
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=self.completed, description=message)

    def _start(self) -> Progress:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        bar = Progress(
            TextColumn("building"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        self.task = bar.add_task("", total=len(self.formats) or None)
        bar.start()
        return bar


def _may_be_a_terminal() -> bool:
    """False only where rich's console would not be a terminal either: standard output is
    not one, and neither TTY_COMPATIBLE=1 nor FORCE_COLOR says otherwise."""
    if os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR"):
        return True
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # replaced by something without it, or closed
        return False
