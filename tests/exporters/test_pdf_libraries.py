"""WeasyPrint's native libraries, found without a subprocess per name the system lacks."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from coursepack.exporters.pdf import libraries

#: The names WeasyPrint 70 tries for two of its libraries, in its order, and names no
#: system has.
NAMES = ["libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libpango-1.0-0",
         "pango-1.0-0", "pango-1.0", "fontconfig-1", "fontconfig", "harfbuzz",
         "no-such-library-anywhere", "c", "m"]

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the quick lookup is Linux's")


@linux_only
def test_every_name_gets_the_answer_python_gives() -> None:
    original = ctypes.util.find_library
    expected = {name: original(name) for name in NAMES}
    with libraries.libraries_found_quickly():
        assert ctypes.util.find_library is not original  # the quick lookup is in place
        found = {name: ctypes.util.find_library(name) for name in NAMES}
    assert found == expected
    assert expected["pango-1.0"] is not None  # the test says something only with Pango


@linux_only
def test_a_name_the_loader_does_not_list_is_not_looked_up_further() -> None:
    asked: list[str] = []

    def slow_lookup(name: str) -> str | None:
        asked.append(name)
        return ctypes.util.find_library(name)

    listing = libraries._loader_cache()
    assert listing is not None
    quick = libraries._quick(slow_lookup, listing)
    assert quick("libpango-1.0-0") is None
    assert quick("no-such-library-anywhere") is None
    assert asked == []
    assert quick("pango-1.0") == ctypes.util.find_library("pango-1.0")
    assert asked == ["pango-1.0"]


def test_the_lookup_is_python_s_own_again_afterwards() -> None:
    original = ctypes.util.find_library
    with libraries.libraries_found_quickly():
        pass
    assert ctypes.util.find_library is original
    with pytest.raises(RuntimeError), libraries.libraries_found_quickly():
        raise RuntimeError("a failure while importing")
    assert ctypes.util.find_library is original


def test_without_ldconfig_nothing_is_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(libraries.shutil, "which", lambda name: None)
    monkeypatch.setattr(libraries.os.path, "isfile", lambda path: False)
    original = ctypes.util.find_library
    with libraries.libraries_found_quickly():
        assert ctypes.util.find_library is original


def test_a_failed_quick_import_is_done_again_with_python_s_lookup() -> None:
    """In a fresh process (this one has WeasyPrint already): the first import fails
    halfway, as a missing library would make it; the second, plain one succeeds."""
    script = textwrap.dedent("""
        import importlib, sys
        from coursepack.exporters.pdf import libraries
        real = importlib.import_module
        tries = []
        def flaky(name):
            tries.append(name)
            if len(tries) == 1:
                real("weasyprint.urls")  # part of WeasyPrint imported, then a failure
                raise OSError("cannot load library 'pango'")
            return real(name)
        libraries.importlib.import_module = flaky
        libraries.import_weasyprint()
        from weasyprint import HTML
        print(tries.count("weasyprint.text.ffi"), HTML(string="<p>x</p>").write_pdf()[:5])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "b'%PDF-'"]


_DECLARED = """
typedef uint32_t hb_codepoint_t;
typedef struct { int x, y, width, height; } Rectangle;
typedef unsigned char FcChar8;
"""
#: Declarations cffi is asked for, as WeasyPrint asks and otherwise.
_ASKED = ["hb_codepoint_t[48]", "hb_codepoint_t[1968]", "hb_codepoint_t[48]",
          " hb_codepoint_t [ 0 ] ", "unsigned int[7]", "unsigned int *[3]", "char[4]", "char[]",
          "Rectangle[2]", "Rectangle *", "FcChar8 **", "int[010]", "int[0x10]", "int[2][3]",
          "char (*)[4]", "const char[5]", "unsigned int *"]


def _ffi(quick: bool, expected: tuple[str, ...] = ()) -> Any:
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_DECLARED)
    if quick:
        libraries.quick_types(ffi, expected)
    return ffi


def _described(ffi: Any, cdecl: str) -> tuple[object, ...]:
    made = ffi.typeof(cdecl)
    length = getattr(made, "length", None)
    return made.cname, made.kind, length, None if length is None else ffi.sizeof(made)


def test_arrays_made_from_their_item_type_are_the_types_cffi_parses() -> None:
    quick, parsed = _ffi(True), _ffi(False)
    for cdecl in _ASKED:
        assert _described(quick, cdecl) == _described(parsed, cdecl), cdecl
    assert list(quick.new("hb_codepoint_t[3]", [7, 8, 9])) == [7, 8, 9]
    with pytest.raises(Exception, match="unknown"):
        quick.typeof("no_such_type[3]")


@pytest.mark.parametrize("cdecl", ["int[3]\xa0", "\xa0int[3]", "int[\u20033]", "int[3]\x1c",
                                   "int[" + "9" * 5000 + "]"])
def test_what_cffi_refuses_is_still_refused(cdecl: str) -> None:
    import cffi

    for ffi in (_ffi(True), _ffi(False)):
        with pytest.raises(cffi.CDefError):
            ffi.typeof(cdecl)


def test_a_type_declared_again_makes_its_arrays_anew() -> None:
    quick, parsed = _ffi(True), _ffi(False)
    for ffi in (quick, parsed):
        ffi.cdef("typedef int T;")
        ffi.typeof("T[3]")
        ffi.cdef("typedef long long T;", override=True)
    assert _described(quick, "T[4]") == _described(parsed, "T[4]")
    assert quick.sizeof("T[4]") == 4 * quick.sizeof("long long")


def test_weasyprint_s_arrays_are_made_quickly_and_only_once_patched() -> None:
    libraries.import_weasyprint()
    from weasyprint.text.ffi import ffi

    patched = ffi._parser.parse_type
    libraries.quick_types(ffi)  # a second time changes nothing
    assert ffi._parser.parse_type is patched and getattr(patched, "quick_types", False)
    assert ffi.typeof("hb_codepoint_t[4321]").length == 4321


#: Types parsed together before they are asked for, as WeasyPrint's are.
_EXPECTED = ("Rectangle *", "FcChar8 **", "char[]", "unsigned int *", "const char[5]",
             "char (*)[4]", "int[2][3]", "char", "hb_codepoint_t")


def _passes(ffi: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources the C parser of ``ffi`` is given from now on."""
    parser, given = ffi._parser, []
    parse = parser._parse

    def counted(csource: str) -> Any:
        given.append(csource)
        return parse(csource)

    monkeypatch.setattr(parser, "_parse", counted)
    return given


def test_types_parsed_together_are_the_types_cffi_parses_one_by_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    quick = _ffi(True, _EXPECTED)
    passes = _passes(quick, monkeypatch)
    for cdecl in [*_EXPECTED, "hb_codepoint_t[1968]", "char[4]"]:
        assert _described(quick, cdecl) == _described(_ffi(False), cdecl), cdecl
    assert passes == []  # nothing parsed again: neither they nor arrays of them
    assert _described(quick, "Rectangle[2]") == _described(_ffi(False), "Rectangle[2]")
    assert len(passes) == 1  # a type not expected is parsed as it is asked for


@pytest.mark.parametrize("unknown", ["no_such_type *", "no_such_type", "int, int", "int)"])
def test_an_expected_type_the_parser_does_not_know_leaves_each_parsed_when_asked(
        unknown: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import cffi

    quick = _ffi(True, ("Rectangle *", unknown, "char[]"))
    passes = _passes(quick, monkeypatch)
    assert _described(quick, "Rectangle *") == _described(_ffi(False), "Rectangle *")
    assert len(passes) == 1
    outcomes = []
    for ffi in (quick, _ffi(False)):
        try:
            outcomes.append(_described(ffi, unknown))
        except (cffi.CDefError, cffi.FFIError) as refused:
            outcomes.append(type(refused))
    assert outcomes[0] == outcomes[1]  # taken or refused as cffi takes or refuses it


def test_the_types_weasyprint_asks_for_are_parsed_as_it_is_imported(
        monkeypatch: pytest.MonkeyPatch) -> None:
    libraries.import_weasyprint()
    from weasyprint.text.ffi import ffi

    passes = _passes(ffi, monkeypatch)
    for cdecl in libraries.WEASYPRINT_TYPES:
        ffi._parser.parse_type(cdecl)  # below cffi's own cache, which other tests may fill
    assert passes == []


def test_a_cffi_without_the_parser_it_expects_is_left_alone() -> None:
    class Other:
        pass

    other = Other()
    libraries.quick_types(other)
    libraries.quick_types(None)
    assert vars(other) == {}


_CTRL_C_IN_PIKEPDF_SET_UP = '''
import signal, sys
from coursepack import leaving
from coursepack.exporters.pdf import libraries

def in_native_set_up():
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_locals.get("module") if frame.f_code.co_name == "exec_module" else None
        if getattr(module, "__name__", "") == "pikepdf._core":
            return True
        frame = frame.f_back
    return False

class CtrlC:
    """Ctrl+C as pikepdf's native module imports ``decimal`` while it sets itself up."""
    pressed = False
    def find_spec(self, name, path=None, target=None):
        if not CtrlC.pressed and in_native_set_up():
            CtrlC.pressed = True
            signal.raise_signal(signal.SIGINT)
        return None

sys.modules.pop("decimal", None)  # so that the set-up imports it, and CtrlC sees it
sys.meta_path.insert(0, CtrlC())
try:
    with leaving.signals_interrupt():
        libraries.import_pikepdf()
except KeyboardInterrupt:
    print("pressed:", CtrlC.pressed, "stopped; pikepdf imported:", "pikepdf" in sys.modules)
'''


def test_ctrl_c_while_pikepdf_sets_up_stops_the_build_once_the_import_is_over() -> None:
    """A KeyboardInterrupt raised inside the set-up of pikepdf's native module made the
    import fail ("pikepdf's extension library failed to import", as for a broken install)
    or aborted the process (SIGABRT, "Critical nanobind error"): it waits until the import
    is over, then stops the build."""
    done = subprocess.run([sys.executable, "-c", _CTRL_C_IN_PIKEPDF_SET_UP],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "pressed: True stopped; pikepdf imported: True\n"
