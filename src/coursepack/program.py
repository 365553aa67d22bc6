"""The ``coursepack`` program: Ctrl+C (or SIGTERM, SIGHUP) while it is still loading ends it
as quietly as during its command.

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
import gc
import os
import sys

_pressed: list[int] = []


#: What stops the program as Ctrl+C does, once its command runs too (``leaving``): a
#: process manager's SIGTERM, a closed terminal's SIGHUP.
_STOPPING = [_signal.SIGINT, _signal.SIGTERM] + (
    [_signal.SIGHUP] if hasattr(_signal, "SIGHUP") else [])


def main() -> None:
    before = {number: _signal.getsignal(number) for number in _STOPPING}
    for number, handler in before.items():
        if handler != _signal.SIG_IGN:  # nohup's SIGHUP, a background job's Ctrl+C stay so
            _signal.signal(number, _noted)
    loaded = gc.isenabled()
    gc.disable()  # as while a command loads its pipeline (cli._loading)
    try:
        from coursepack.cli import run
    except KeyboardInterrupt:
        _stopped_while_loading()
    finally:
        gc.freeze()
        if loaded:
            gc.enable()
    if _pressed:  # raised where Python could only warn of it
        _stopped_while_loading()
    for number in _STOPPING[1:]:  # as before: the command's own handling takes over
        _signal.signal(number, before[number])
    run()


def _noted(signum: int, frame: object) -> None:
    _pressed.append(signum)
    raise KeyboardInterrupt


def _stopped_while_loading() -> None:
    """Nothing was done yet: say so, and end by the signal that came, as the command would
    have."""
    number = _pressed[0] if _pressed else _signal.SIGINT
    sys.stderr.write("Interrupted\n")
    sys.stderr.flush()
    _signal.signal(number, _signal.SIG_DFL)
    os.kill(os.getpid(), number)
    os._exit(128 + number)  # if the signal could not end it
