"""Importing WeasyPrint without the subprocesses its library lookup starts.

WeasyPrint loads Pango, HarfBuzz, Fontconfig and GObject through cffi, trying several
names for each, other platforms' first ('libpango-1.0-0', 'pango-1.0-0', ...) and the
Linux file name ('libpango-1.0.so.0') later. For a name without a dot cffi asks
``ctypes.util.find_library``, which on Linux runs ``ldconfig -p``, then gcc, then ld, as
subprocesses, for every name it does not find: about 0.2 s of every process that renders
a PDF, most of the set-up a one-lesson rebuild waits for.

While WeasyPrint is imported here, a name the loader's cache does not list is reported
not found at once; a name it lists is looked up as before. That changes no outcome on
Linux: gcc and ld only ever answer with a library's file name, which WeasyPrint tries
itself next and the dynamic loader finds on the same search path. Should the import fail
all the same, it is done again with Python's own lookup.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator

_FIRST_MODULE = "weasyprint.text.ffi"  # the module that loads the libraries


def import_weasyprint() -> None:
    """Import WeasyPrint (once per process), its native libraries found quickly."""
    if _FIRST_MODULE in sys.modules:
        return
    try:
        with libraries_found_quickly():
            importlib.import_module(_FIRST_MODULE)
    except OSError:
        _forget_weasyprint()
        importlib.import_module(_FIRST_MODULE)  # with Python's lookup, or WeasyPrint's error


@contextlib.contextmanager
def libraries_found_quickly() -> Iterator[None]:
    """``ctypes.util.find_library`` answers names the loader's cache does not list with
    None at once, for as long as this lasts (on Linux, when ``ldconfig`` can be run)."""
    listing = _loader_cache() if sys.platform.startswith("linux") else None
    if listing is None:
        yield
        return
    original = ctypes.util.find_library
    ctypes.util.find_library = _quick(original, listing)  # type: ignore[assignment]
    try:
        yield
    finally:
        ctypes.util.find_library = original


def _quick(original: Callable[[str], str | None], listing: str) -> Callable[[str], str | None]:
    def find_library(name: str) -> str | None:
        # ldconfig lists 'libNAME.so...' for a library find_library('NAME') can find there
        return original(name) if f"lib{name}." in listing else None

    return find_library


def _loader_cache() -> str | None:
    """What ``ldconfig -p`` lists, as ctypes reads it; None if it cannot be run."""
    ldconfig = shutil.which("ldconfig") or next(
        (path for path in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if os.path.isfile(path)),
        None)
    if ldconfig is None:
        return None
    try:
        done = subprocess.run([ldconfig, "-p"], capture_output=True, check=False, timeout=10,
                              env={**os.environ, "LC_ALL": "C", "LANG": "C"})
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def _forget_weasyprint() -> None:
    for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        del sys.modules[name]
