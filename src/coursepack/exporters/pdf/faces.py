"""The typefaces a PDF is set in: fonts shipped inside coursepack, so the same PDF comes out
on any machine, and for Chinese, Japanese and Korean the system's Noto CJK fonts.

The shipped fonts (``typefaces/``, Noto, SIL Open Font License; origin in its ORIGIN.md)
are declared to WeasyPrint by ``@font-face`` rules pointing at their files, so no font
installed on the machine is ever used in their place. Each language gets its script's font
first in every family list, then the Latin, Greek and Cyrillic one for names and numbers
written in Latin letters; Pango takes each character from the first font that has it and
HarfBuzz shapes it (Arabic joining forms, right-to-left runs).

The CJK fonts are too large to ship (20 MB and more). They come from Debian's
``fonts-noto-cjk``; building a PDF in such a language without them is an error naming the
package, instead of a PDF of empty boxes. ``COURSEPACK_FONT_DIRS`` (folders separated by
the path separator) replaces the folders searched for them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from coursepack import render, stylesheets
from coursepack.errors import Origin, Problem, error, warning
from coursepack.exporters.pdf.pool import TYPEFACES_URL
from coursepack.markup import direction
from coursepack.model import Course

FONT_DIRS_VARIABLE = "COURSEPACK_FONT_DIRS"
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                    Path.home() / ".local/share/fonts", Path.home() / ".fonts")


@dataclass(frozen=True)
class Face:
    family: str
    file: str
    weight: str = "normal"
    style: str = "normal"


def _four(family: str, stem: str) -> tuple[Face, ...]:
    return (Face(family, f"{stem}-Regular.ttf"), Face(family, f"{stem}-Bold.ttf", "bold"),
            Face(family, f"{stem}-Italic.ttf", style="italic"),
            Face(family, f"{stem}-BoldItalic.ttf", "bold", "italic"))


def _two(family: str, stem: str) -> tuple[Face, ...]:
    return Face(family, f"{stem}-Regular.ttf"), Face(family, f"{stem}-Bold.ttf", "bold")


FACES: tuple[Face, ...] = (
    *_four("Noto Serif", "NotoSerif"), *_four("Noto Sans", "NotoSans"),
    Face("Noto Sans Mono", "NotoSansMono-Regular.ttf"),
    *_two("Noto Naskh Arabic", "NotoNaskhArabic"),
    *_two("Noto Serif Hebrew", "NotoSerifHebrew"), *_two("Noto Sans Hebrew", "NotoSansHebrew"),
    Face("Noto Sans Symbols2", "NotoSansSymbols2-Regular.ttf"),
    Face("Noto Sans Math", "NotoSansMath-Regular.ttf"),
)
SYMBOLS = ("Noto Sans Symbols2", "Noto Sans Math")
"""After every list: ticks, boxes and circles of the printed quizzes, arrows, math signs."""


@dataclass(frozen=True)
class Script:
    """The fonts of one writing system: body text (serif), headings and labels (sans)."""

    serif: str
    sans: str
    system_files: tuple[str, ...] = ()
    """Font files that must be installed (not shipped); empty: shipped."""
    package: str = ""


LATIN = Script("Noto Serif", "Noto Sans")
ARABIC = Script("Noto Naskh Arabic", "Noto Naskh Arabic")
"""Naskh for headings too: Noto Sans Arabic draws lam-alef as one ligature glyph, whose text
poppler-based viewers copy out reversed (Naskh draws it as two joined glyphs)."""
HEBREW = Script("Noto Serif Hebrew", "Noto Sans Hebrew")
_CJK_FILES = ("NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc")
CHINESE = Script("Noto Serif CJK SC", "Noto Sans CJK SC", _CJK_FILES, "fonts-noto-cjk")
JAPANESE = Script("Noto Serif CJK JP", "Noto Sans CJK JP", _CJK_FILES, "fonts-noto-cjk")
KOREAN = Script("Noto Serif CJK KR", "Noto Sans CJK KR", _CJK_FILES, "fonts-noto-cjk")

SCRIPTS = {
    "ar": ARABIC, "fa": ARABIC, "ur": ARABIC, "ps": ARABIC, "ckb": ARABIC, "sd": ARABIC,
    "ug": ARABIC, "ks": ARABIC, "he": HEBREW, "yi": HEBREW,
    "zh": CHINESE, "ja": JAPANESE, "ko": KOREAN,
}
"""Languages not written in Latin, Greek or Cyrillic letters whose fonts are known here."""


def script_of(language: str) -> Script:
    return SCRIPTS.get(language.replace("-", "_").split("_")[0].lower(), LATIN)


def families(language: str) -> dict[str, str]:
    """The CSS font-family lists of a language's PDFs: ``serif``, ``sans`` and ``mono``."""
    script = script_of(language)
    serif = [script.serif, LATIN.serif] if script is not LATIN else [LATIN.serif]
    sans = [script.sans, LATIN.sans] if script is not LATIN else [LATIN.sans]
    return {"serif": _css_list([*serif, *SYMBOLS, "serif"]),
            "sans": _css_list([*sans, *SYMBOLS, "sans-serif"]),
            "mono": _css_list(["Noto Sans Mono", *sans, *SYMBOLS, "monospace"])}


def _css_list(names: list[str]) -> str:
    return ", ".join(name if name.islower() else f'"{name}"' for name in names)


def font_face_css() -> str:
    """``@font-face`` rules for every shipped font, pointing at its file."""
    return "\n".join(
        f'@font-face {{ font-family: "{face.family}"; src: url("{TYPEFACES_URL}{face.file}")'
        f' format("truetype"); font-weight: {face.weight}; font-style: {face.style}; }}'
        for face in FACES)


def page_sides(language: str) -> dict[str, str]:
    """Where a page's running header starts and its number sits: mirrored right to left."""
    if direction(language) == "rtl":
        return {"start": "right", "end": "left", "dir": "rtl"}
    return {"start": "left", "end": "right", "dir": "ltr"}


def font_dirs() -> tuple[Path, ...]:
    """The folders searched for fonts coursepack does not ship."""
    given = os.environ.get(FONT_DIRS_VARIABLE)
    if given is not None:
        return tuple(Path(p) for p in given.split(os.pathsep) if p)
    return SYSTEM_FONT_DIRS


def installed(name: str) -> bool:
    """Whether a font file of this name is in one of the font folders (at any depth)."""
    for folder in font_dirs():
        try:
            if next(folder.rglob(name), None) is not None:
                return True
        except OSError:
            continue
    return False


def missing_fonts(course: Course) -> list[Problem]:
    """An error for each language of the course whose PDF fonts are not on this machine."""
    found = []
    for language in course.languages or (course.language,):
        script = script_of(language)
        absent = [name for name in script.system_files if not installed(name)]
        if absent:
            found.append(error(
                course.origin,
                f"pdf: the {language} PDFs need the fonts {' and '.join(absent)} "
                f"({script.serif}, {script.sans}), not found in "
                f"{', '.join(str(d) for d in font_dirs())}",
                hint=f"install Debian's {script.package} (sudo apt-get install {script.package}, "
                     f"or scripts/install-system-deps.sh), or name the folder holding them "
                     f"in {FONT_DIRS_VARIABLE}"))
    return found


GENERIC = ("serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "ui-serif",
           "ui-sans-serif", "ui-monospace", "ui-rounded", "emoji", "math", "fangsong",
           "inherit", "initial", "unset", "revert", "revert-layer")
"""Names a family list may end with that name no font of their own."""
_KNOWN = {name.casefold() for name in (
    *GENERIC, *(face.family for face in FACES),
    *(name for script in SCRIPTS.values() for name in (script.serif, script.sans)))}


def machine_fonts(course: Course) -> list[Problem]:
    """A warning for each font family a course's own PDF style sheets name that coursepack
    does not ship and the course does not declare (``@font-face``, in any style sheet of
    its PDF templates: one may include another): fontconfig takes it from the machine that
    builds, or another in its place, so the same course makes other PDFs elsewhere (Arial
    is Liberation Sans on one machine, DejaVu Sans on the next). A style sheet that imports
    another (``@import``) may declare anything: it is not looked at."""
    sheets = {name: (where, *stylesheets.font_families(_without_template_code(text)),
                     stylesheets.IMPORT in stylesheets.asked_for(text))
              for name in _own_style_sheets(course.root)
              if (own := render.own_template("pdf", course.root, name)) is not None
              for text, where in [own]}
    known = _KNOWN | {family.name.casefold() for _, declared, *_ in sheets.values()
                      for family in declared}
    found: dict[str, Problem] = {}
    for name in ("print.css.j2", "page-numbers.css.j2"):
        where, _, named, imports = sheets.get(name, ("", [], [], True))
        for family in [] if imports else named:
            if family.name.casefold() in known | found.keys() or _TEMPLATED in family.name:
                continue
            found[family.name.casefold()] = warning(
                Origin(where, family.line, family.column),
                f"pdf: {name} names the font family '{family.name}', which coursepack does "
                "not ship and the course does not declare: each machine sets it in the font "
                "it has under that name, or in another",
                hint="put the font's file in the course and declare it in print.css.j2 "
                     f'(@font-face {{ font-family: "{family.name}"; src: url("fonts/'
                     'file.ttf") }), or name one of the shipped families: '
                     + ", ".join(dict.fromkeys(face.family for face in FACES)), rule="pdf")
    return list(found.values())


def _own_style_sheets(root: Path) -> list[str]:
    """The names of the style sheets among a course's own PDF templates."""
    return [name for name in render.own_template_names("pdf", root)
            if name.endswith((".css", ".css.j2"))]


_TEMPLATE_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TEMPLATED = "\ufffd"
"""What a template's expression becomes in a style sheet read for its families: part of no
family's name."""


def _without_template_code(text: str) -> str:
    """A style sheet template with its Jinja statements and comments blanked out and each
    character of its expressions ``_TEMPLATED`` (so ``My{{ suffix }}`` or ``"{{ serif }}"``
    names no family of its own), every other character where it was."""
    def blanked(code: re.Match[str]) -> str:
        fill = _TEMPLATED if code.group().startswith("{{") else " "
        return re.sub(r"[^\n]", fill, code.group())

    return _TEMPLATE_CODE.sub(blanked, text)
