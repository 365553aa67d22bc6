"""The one pool of worker processes of a build, shared by every stage that needs one:
Markdown parsing for the site and the PDFs, and the PDF renderings.

Workers are forked on first use, up to one per core and no more than the work asks for
(none on a single core: the work is done in the build's own process), and stopped when
the build ends, however it ends.

They also behave. A terminal sends Ctrl+C to every process of the build, workers
included; a worker that let it through would print its own traceback, so workers ignore
it and leave it to their parent to report. A build that is killed (``kill -9``, an
out-of-memory kill, a closed CI job) cannot stop its workers, so each worker asks the
kernel to kill it when its parent dies (Linux), or watches its parent itself elsewhere.
And they leave nothing behind: a worker's temporary files (WeasyPrint copies each font a
document's style sheet names into one) go in a folder of the pool's, which the build
removes when it stops them, even mid-task, and a later build removes if the build was
killed (``scratch``).
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from contextlib import contextmanager
from types import TracebackType

from coursepack import scratch
from coursepack.errors import CoursepackError

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class Workers:
    """A build's worker processes, started when first asked for."""

    def __init__(self, count: int | None = None) -> None:
        self.count = count or os.cpu_count() or 1
        self._executor: _Pool | None = None
        self._only_warming = False  # the workers were asked to set up and nothing else
        self.warmed: Callable[[], object] | None = None  # the first set-up they were given

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if error is not None:  # interrupted or failed: what is still running is not wanted
            self._terminate()
        self.close()

    @property
    def started(self) -> bool:
        return self._executor is not None

    def executor(self, jobs: int | None = None) -> ProcessPoolExecutor | None:
        """The pool for ``jobs`` pieces of work (any number when None), started now if need
        be, with as many workers as they can keep busy; None on a single core or without
        fork.

        A pool started for a set-up (``warm``) with fewer workers grows only for more work
        than those can do at once: a worker forked then has set nothing up yet, and would
        take the one job there is while the one set up to do it waits."""
        self._only_warming = False  # whoever asks for the pool gives it work
        return self._pool(self.count if jobs is None else max(1, min(jobs, self.count)))

    def _pool(self, size: int) -> ProcessPoolExecutor | None:
        if self.count < 2 or "fork" not in mp.get_all_start_methods():
            return None
        if self._executor is None:
            self._executor = _Pool(size, parent=os.getpid())
        else:
            self._executor.grow(size)
        return self._executor

    def warm(self, setup: Callable[[], object], count: int | None = None) -> None:
        """Start ``count`` workers now (all by default) and have each run ``setup`` (slow
        imports, say), so that it is done while the build's own process does other work. A
        worker that is idle takes it."""
        started = self.started
        self.warmed = self.warmed or setup
        count = self.count if count is None else min(count, self.count)
        executor = self._pool(count)
        if executor is not None:
            self._only_warming = self._only_warming or not started
            for _ in range(count):
                executor.submit(setup)

    def also_set_up(self, setup: Callable[[], object]) -> None:
        """Have each worker started run ``setup`` too, after what it was given: set-up, like
        ``warm``'s (a build that asks nothing more of them stops them without waiting)."""
        if self._executor is not None:
            for _ in range(self._executor.size):
                self._executor.submit(setup)

    def not_needed(self) -> None:
        """The work the workers were warmed for is not there after all: if they were given
        nothing else, stop them now rather than wait for their set-up (a later ``executor``
        starts new ones)."""
        if self._only_warming:
            self._terminate()
            self.close()

    def close(self) -> None:
        """Stop the workers: what is still queued is dropped, what runs is waited for (a
        set-up only, nothing else asked of them: stopped at once)."""
        if self._only_warming:
            self._terminate()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            scratch.removed(self._executor.scratch)
            self._executor = None
        self._only_warming = False

    def _terminate(self) -> None:
        """Stop the workers mid-task: the executor itself only offers to wait for them."""
        if self._executor is not None:
            self._executor.kill_workers()


class _Pool(ProcessPoolExecutor):
    """Forked workers, ``size`` of them to begin with and more when asked (``grow``).

    Fork: workers inherit the loaded course code and need no importable ``__main__``. A
    ProcessPoolExecutor that forks starts all of its workers with its first task and has
    no public call to add one later; ``grow`` uses the one its ``submit`` uses to add a
    worker when it starts them in other ways. It forks while the pool's own threads run,
    which ProcessPoolExecutor avoids in general; a worker here uses nothing of its parent's
    but the pool's queues, which multiprocessing makes anew in a forked process, and no
    task is submitted meanwhile (the lock ``submit`` takes is held).
    """

    def __init__(self, size: int, parent: int) -> None:
        #: The workers' temporary folder, removed with the pool (``Workers.close``).
        self.scratch = scratch.made("coursepack-workers-")
        super().__init__(max_workers=size, mp_context=mp.get_context("fork"),
                         initializer=behave, initargs=(parent, str(self.scratch)))
        self.size = size
        with starting():  # the first task starts every worker at once
            self.submit(_ready)
        threading.Thread(target=self._watch_workers, daemon=True,
                         name="coursepack-workers-watch").start()

    def kill_workers(self) -> None:
        """Kill every worker (SIGKILL: they ignore SIGTERM, ``behave``), and let the pool's
        reader see the end of the results pipe.

        A worker killed halfway through sending a result back leaves that reader waiting
        for the rest, and the pipe stays open as long as any process holds its writing
        end: this one does too. Closed here, the reader meets the pipe's end once the
        workers are gone, and the pool stops instead of waiting for ever."""
        with self._shutdown_lock:  # not while ``shutdown`` closes the pipe itself
            self._kill_workers()

    def _kill_workers(self) -> None:
        for process in list((self._processes or {}).values()):
            process.kill()
        if self._result_queue is not None:
            self._result_queue._writer.close()  # type: ignore[attr-defined]

    def _watch_workers(self) -> None:
        """A worker that dies mid-task (the system's out-of-memory killer, say) breaks the
        pool, and the executor says so to whoever waits for a result; but not if it died
        halfway through sending one: the executor's reader then waits for the rest, for
        ever. A worker found dead while the executor runs on and has not noticed within a
        second is dealt with as the executor would: the others are killed too."""
        while not (self._shutdown_thread or self._broken):
            processes = list(dict(self._processes or {}).values())
            if not mp.connection.wait([p.sentinel for p in processes], timeout=0.5):
                continue
            deadline = time.monotonic() + 1
            while time.monotonic() < deadline and not (self._shutdown_thread or self._broken):
                time.sleep(0.05)
            with self._shutdown_lock:
                if not (self._shutdown_thread or self._broken):
                    self._kill_workers()
            return

    def grow(self, size: int) -> None:
        """Fork workers until there are ``size``."""
        with self._shutdown_lock, starting():
            if size <= self.size or self._broken:
                return  # a broken pool's next task reports why
            self.size = self._max_workers = size
            while len(self._processes) < size:
                self._spawn_process()  # type: ignore[attr-defined]


@contextmanager
def lost_reported() -> Iterator[None]:
    """A worker that died mid-task (the system stops processes when memory runs out) as
    what it is, not as a failure of the work it was doing."""
    try:
        yield
    except BrokenExecutor:
        raise CoursepackError.single(
            "a worker process of the build stopped before its work was done (the system "
            "stops processes when memory runs out, for one); the previous build is unchanged",
            hint="build again; if it stops again, free some memory or build fewer formats at "
                 "a time (-f pdf on its own, say)") from None


def _ready() -> None:
    """A task that only makes the workers start (their initializer does the work)."""


#: Signals that stop the build's process (the preview's too), which stops its workers.
_STOPPING = {getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
             if hasattr(signal, name)}


@contextmanager
def starting() -> Iterator[None]:
    """Around the code that forks workers: Ctrl+C (or SIGTERM, SIGHUP) waits until they
    ignore it.

    A worker is forked with these signals blocked and unblocks them in ``behave`` once it
    ignores them; in the parent, one sent meanwhile is delivered when the block ends.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


_parent: int | None = None  # in a worker, the build's process that forked it


def is_worker() -> bool:
    """Whether this process is a worker of a build (forked by ``Workers``)."""
    return _parent is not None and os.getppid() == _parent


def behave(parent: int, scratch: str) -> None:
    """Make this process, a worker forked by ``parent``, die with it and ignore what stops
    it (Ctrl+C, SIGTERM, SIGHUP, sent to the whole process group from a terminal or a
    process manager): the parent, stopping, stops its workers, and a handler of the
    parent's would only print a traceback here. Its temporary files go in ``scratch``,
    which the parent removes: a worker killed mid-task removes nothing itself."""
    global _parent
    _parent = parent
    tempfile.tempdir = os.environ["TMPDIR"] = scratch
    for number in _STOPPING:
        signal.signal(number, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
    if not _killed_with_parent():
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the kernel was asked
        os._exit(1)


def _killed_with_parent() -> bool:
    """Ask Linux to send SIGKILL to this process when its parent dies; False if it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
