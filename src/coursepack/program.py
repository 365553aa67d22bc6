"""The ``coursepack`` program: Ctrl+C while it is still loading ends it as quietly as Ctrl+C
during its command.

Loading the command line takes a few tenths of a second, before any command can catch
Ctrl+C; Python would print a traceback of whatever module was loading then. So this module
imports nothing of coursepack's until ``main`` runs, and catches what arrives meanwhile.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    try:
        from coursepack.cli import run
    except KeyboardInterrupt:
        _stopped_while_loading()
    run()


def _stopped_while_loading() -> None:
    """Nothing was done yet: say so, and end by SIGINT as the command would have."""
    sys.stderr.write("Interrupted\n")
    sys.stderr.flush()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    os._exit(128 + signal.SIGINT)  # if SIGINT could not end it
