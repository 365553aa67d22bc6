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

Once imported, WeasyPrint asks cffi for C arrays of as many glyph ids as each font subset
keeps (``hb_codepoint_t[1968]``), and cffi parses every new such declaration with a C
parser fed every type name the libraries declare: about 6 ms each, a dozen in a lesson
and thousands in a course pack's renderings. ``quick_types`` makes an array of a known
length out of its item type, which is parsed once. The few types WeasyPrint asks for
besides (``PangoRectangle *``, ``char[]``...) are parsed together, in one pass, as it is
imported: one at a time they were some 50 ms of a worker's first rendering, which an
edited lesson waits for.

pikepdf, whose native module is set up by nanobind, is imported with Ctrl+C held: a
KeyboardInterrupt raised inside that set-up aborted the whole process ("Critical nanobind
error") or was taken for a broken install (ImportError).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

from coursepack import leaving

_FIRST_MODULE = "weasyprint.text.ffi"  # the module that loads the libraries


def import_weasyprint() -> None:
    """Import WeasyPrint (once per process), its native libraries found quickly, and its
    arrays made quickly (also when something else imported it first)."""
    module = sys.modules.get(_FIRST_MODULE)
    if module is None:
        try:
            with libraries_found_quickly():
                module = importlib.import_module(_FIRST_MODULE)
        except OSError:
            _forget_weasyprint()
            module = importlib.import_module(_FIRST_MODULE)  # Python's lookup, or its error
    quick_types(getattr(module, "ffi", None), WEASYPRINT_TYPES)


def import_pikepdf() -> None:
    """Import pikepdf (once per process); a stop signal that comes meanwhile stops the build
    once the import is over."""
    if "pikepdf" in sys.modules:
        return
    with leaving.held() as stopped:
        importlib.import_module("pikepdf")
    if stopped():
        raise KeyboardInterrupt


#: A C array of a known length: its item type (a name, with any ``*``) and its length in
#: decimal, as cffi reads them (ASCII spaces only; C reads ``010`` as eight, and a length
#: too long for Python's ``int`` is cffi's to refuse: those are left to cffi).
_ARRAY = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_ ]*[A-Za-z0-9_*]|[A-Za-z_])"
                    r"\s*\[\s*(0|[1-9][0-9]{0,17})\s*\]\s*", re.ASCII)


#: The C types WeasyPrint asks cffi for as it renders, besides arrays of a known length
#: (of the last three): found by rendering every document of the bundled course.
WEASYPRINT_TYPES = ("FcChar8 **", "PangoFcFontMap *", "PangoLogAttr[]", "PangoRectangle *",
                    "char[]", "unsigned int *", "char", "hb_codepoint_t", "hb_tag_t")


def quick_types(ffi: object, expected: tuple[str, ...] = ()) -> None:
    """Have ``ffi`` (a cffi FFI) make ``T[n]`` from ``T``, parsed once, rather than parse each
    such declaration anew, and parse the ``expected`` types now, in one pass (each alone
    would take a pass). Anything else, or a cffi whose insides differ, is left as it is."""
    parser = getattr(ffi, "_parser", None)
    parse = getattr(parser, "parse_type", None)
    try:
        from cffi.model import ArrayType
    except ImportError:
        return
    if parser is None or parse is None or getattr(parse, "quick_types", False):
        return
    known = _parsed_together(parser, expected)
    declare = parser.parse

    def parse_type(cdecl: str) -> object:
        if cdecl in known:
            return known[cdecl]
        found = _ARRAY.fullmatch(cdecl)
        if found is None:
            return parse(cdecl)
        item = found.group(1)
        if item not in known:
            known[item] = parse(item)
        return ArrayType(known[item], int(found.group(2)))

    def parse_declarations(*args: object, **kwargs: object) -> object:
        known.clear()  # a type declared again (``override``) is parsed again
        return declare(*args, **kwargs)

    parse_type.quick_types = True  # type: ignore[attr-defined]
    parser.parse_type = parse_type
    parser.parse = parse_declarations


def _parsed_together(parser: Any, cdecls: tuple[str, ...]) -> dict[str, object]:
    """Each of ``cdecls`` as cffi's ``parse_type`` makes it (the type of a parameter of a
    dummy function), the parameters of one function; none if one of them is not a type
    the parser knows (they are then parsed as they are asked for)."""
    if not cdecls:
        return {}
    try:
        listed = ",\n".join(cdecls)
        tree = parser._parse(f"void __dummy(\n{listed}\n);")[0]
        params = tree.ext[-1].type.args.params
        # an unknown name is parsed as a parameter's name (an ID), with no type
        if len(params) != len(cdecls) or not all(hasattr(p, "type") for p in params):
            return {}
        return {cdecl: parser._get_type_and_quals(param.type)[0]
                for cdecl, param in zip(cdecls, params, strict=True)}
    except Exception:  # a cffi whose insides differ, or a type this WeasyPrint lacks
        return {}


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
