"""Worker processes that behave: Ctrl+C is their parent's to report, and they die with it.

A terminal sends Ctrl+C to every process of the build, workers included; a worker that
let it through would print its own traceback. A build that is killed (``kill -9``, an
out-of-memory kill, a closed CI job) cannot stop its workers, so each worker asks the
kernel to kill it when its parent dies (Linux), or watches its parent itself elsewhere.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@contextmanager
def starting() -> Iterator[None]:
    """Around the code that forks workers: Ctrl+C waits until they ignore it.

    A worker is forked with Ctrl+C blocked and unblocks it in ``behave`` once it ignores
    it; in the parent, a Ctrl+C pressed meanwhile is delivered when the block ends.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def behave(parent: int) -> None:
    """Make this process, a worker forked by ``parent``, ignore Ctrl+C and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
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
