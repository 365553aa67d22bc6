"""How this process ends: stopped as Ctrl+C stops it, by the signal that stopped it, and
whether it leaves without freeing its memory.

The ``coursepack`` program ends with ``os._exit`` once its command is done (``cli.run``),
so what it still holds is never freed object by object. Code that would otherwise spend
time freeing something large at the end of a build may then simply keep it. Any other
process (the preview, which builds again and again, a program or test that calls
``build``) frees as it goes: there, what is kept would add up.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

_without_freeing = False
_stopped_by: int | None = None  # the signal that stopped the command running, if one did
_holding = False  # a stop signal waits until the cleanup under way ends (``held``)


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP (a process manager, ``timeout``, a closed terminal, a watcher
    restarting the command) stop it as Ctrl+C does: the output folder is left as it was,
    and the temporary folders of the command and of its workers are removed (the workers
    ignore them: the command stops them).

    The first one stops it; those after it are ignored, so that what the first set off
    (putting the output folder back, removing temporary folders) is not cut short. In the
    ``coursepack`` program, which then ends by that first signal, they stay ignored."""
    global _stopped_by
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _stopped_by = None

    def interrupt(signum: int, frame: FrameType | None) -> None:
        global _stopped_by
        if _stopped_by is not None:
            return  # stopping already
        _stopped_by = signum
        if not _holding:
            raise KeyboardInterrupt

    stopping = [signal.SIGINT, signal.SIGTERM] + (
        [signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    # one ignored when the command started stays so: nohup's SIGHUP, a background job's
    # Ctrl+C
    before = {number: signal.signal(number, interrupt) for number in stopping
              if signal.getsignal(number) is not signal.SIG_IGN}
    try:
        yield
    finally:
        if _stopped_by is None or not _without_freeing:
            for number, handler in before.items():
                signal.signal(number, handler)


@contextmanager
def held() -> Iterator[Callable[[], bool]]:
    """Cleanup that must run to its end: a stop signal that arrives meanwhile does not cut
    it short, and stops the command once it is over (the caller asks whether one came)."""
    global _holding
    before = _holding
    _holding = True
    try:
        yield lambda: _stopped_by is not None
    finally:
        _holding = before


def stop_requested() -> bool:
    """Whether a stop signal came while the command ran (its KeyboardInterrupt may have
    been raised where Python could only warn of it: in an import's cleanup, say)."""
    return _stopped_by is not None


def stop_signal() -> int:
    """The signal that stopped the command: Ctrl+C's SIGINT unless SIGTERM or SIGHUP did."""
    return _stopped_by if _stopped_by is not None else signal.SIGINT


def end_by_signal(signum: int) -> None:
    """End this process by ``signum`` itself, as if it had not been caught, once the command
    has cleaned up and said so. A shell loop stops on a command that Ctrl+C ended this way,
    and goes on after one that merely exited with 130; a process manager or a parent
    process sees which signal ended it."""
    signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signum])
    os.kill(os.getpid(), signum)


def without_freeing() -> None:
    """Declare that this process leaves with ``os._exit`` when its one command is done."""
    global _without_freeing
    _without_freeing = True


def stays() -> None:
    """Declare that this process builds again and again (the preview, started by the
    program all the same): it frees as it goes."""
    global _without_freeing
    _without_freeing = False


def leaves_without_freeing() -> bool:
    return _without_freeing
