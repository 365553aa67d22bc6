"""The ``coursepack`` program: Ctrl+C while it is still loading ends it as quietly as Ctrl+C
during its command.

Loading the command line takes a few tenths of a second, before any command can catch
Ctrl+C; Python would print a traceback of whatever module was loading then, or lose the
Ctrl+C altogether if it came while an import was tidying up (Python only warns of an
exception raised there). So this module imports nothing of coursepack's until ``main``
runs, and ``main`` notes every Ctrl+C from its first line. It sets its handler with
``_signal``, the module under ``signal``, which loads in no time: ``signal`` itself loads
``enum`` first, a few hundredths of a second.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # no stubs: the functions of ``signal``
import os
import sys

_pressed: list[int] = []


def main() -> None:
    if _signal.getsignal(_signal.SIGINT) != _signal.SIG_IGN:  # a background job's stays so
        _signal.signal(_signal.SIGINT, _noted)
    try:
        from coursepack.cli import run
    except KeyboardInterrupt:
        _stopped_while_loading()
    if _pressed:  # raised where Python could only warn of it
        _stopped_while_loading()
    run()


def _noted(signum: int, frame: object) -> None:
    _pressed.append(signum)
    raise KeyboardInterrupt


def _stopped_while_loading() -> None:
    """Nothing was done yet: say so, and end by SIGINT as the command would have."""
    sys.stderr.write("Interrupted\n")
    sys.stderr.flush()
    _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
    os.kill(os.getpid(), _signal.SIGINT)
    os._exit(128 + _signal.SIGINT)  # if SIGINT could not end it
