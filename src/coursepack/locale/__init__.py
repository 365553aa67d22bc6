"""The interface's own words (buttons, labels, runtime messages) in the shipped languages.

One gettext catalogue per language, ``<lang>/LC_MESSAGES/coursepack.po``, holds every
string of the theme's templates, its JavaScript and the exporters; ``scripts/
update-catalogues.py`` extracts them with Babel. The catalogues are compiled in memory
when first used. A language without a catalogue falls back to English (the build warns).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from coursepack.locale import own

HERE = Path(__file__).resolve().parent
DOMAIN = "coursepack"
SOURCE = "en"
SHIPPED = ("ar", "en", "es", "fr", "ru", "zh")
"""The six official languages of the United Nations, each with a full catalogue."""
JS_SOURCES = (".js",)
"""A message whose location in the catalogue is a JavaScript file is one the runtime shows."""
_PLURAL_EXPR = re.compile(r"[n0-9\s()<>=!%&|?:+-]*")


def N_(message: str) -> str:
    """Marks ``message`` for extraction; it is translated where it is shown."""
    return message


def catalogue_path(language: str) -> Path:
    return HERE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def shipped(code: str) -> str | None:
    """The shipped catalogue for language ``code`` (fr, fr-CA, zh_Hans_CN...), or None."""
    try:
        language = Locale.parse(code.replace("-", "_")).language
    except (UnknownLocaleError, ValueError, TypeError):
        language = code.replace("-", "_").split("_")[0].lower()
    return language if language in SHIPPED else None


@lru_cache(maxsize=16)
def catalogue(language: str) -> Catalog:
    """The shipped catalogue of ``language`` (one of ``SHIPPED``), read with Babel."""
    with catalogue_path(language).open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def interface(code: str, root: Path | None = None) -> NullTranslations:
    """The translations for language ``code``: its catalogue, or English (the msgids), with
    the course's own words from ``translations/<code>/interface.po`` when ``root`` has one."""
    when = own.stamp(root, code) if root is not None else None
    return _interface(code, root.resolve() if when is not None and root else None, when)


@lru_cache(maxsize=32)
def _interface(code: str, root: Path | None, when: object) -> NullTranslations:
    words = merged(code, root)
    if not words.messages:
        return NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, words.catalog())
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class Words:
    """The messages of one interface language (msgid, or the singular of a plural message ->
    its translation or forms) and the plural rule they follow."""

    def __init__(self, language: str, messages: own.Messages, plural_locale: str) -> None:
        self.language, self.messages, self.plural_locale = language, messages, plural_locale

    def catalog(self) -> Catalog:
        found = Catalog(locale=self.plural_locale, domain=DOMAIN)
        for message in catalogue(SOURCE):
            if not message.id:
                continue
            key = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
            if key in self.messages:
                found.add(message.id, self.messages[key])
        return found


def merged(code: str, root: Path | None = None) -> Words:
    """The shipped words of ``code`` (none for English or a language not shipped), with the
    course's own on top."""
    language = shipped(code)
    base: own.Messages = {}
    if language is not None and language != SOURCE:
        for message in catalogue(language):
            if message.id and message.string:
                key = message.id[0] if isinstance(message.id, tuple | list) else message.id
                value = message.string
                base[str(key)] = (tuple(value) if isinstance(value, tuple | list) else str(value))
    ours = own.own_messages(root, code)[0] if root is not None else {}
    plural_locale = language or code.replace("-", "_")
    return Words(language or code, {**base, **ours}, plural_locale)


_current: ContextVar[NullTranslations | None] = ContextVar(
    "coursepack_interface_words", default=None)


@contextmanager
def speaking(code: str, root: Path | None = None) -> Any:
    """Templates rendered inside this block use language ``code``'s words (and those of the
    course in ``root``)."""
    # Looked up once for the block (the course's own words included), not once per string:
    # a build renders thousands of them.
    token = _current.set(interface(code, root))
    try:
        yield
    finally:
        _current.reset(token)


def current() -> NullTranslations:
    words = _current.get()
    return words if words is not None else interface(SOURCE)


def gettext(message: str) -> str:
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: float) -> str:
    return current().ngettext(singular, plural, plural_count(n))


FRACTION = 102
"""The count a plural form is chosen by for a number that is not whole (1.5 points): in
every shipped language, the form for 102 is the one fractions take."""


def plural_count(n: Any) -> int:
    """``n`` as the whole number gettext's plural rules take."""
    if isinstance(n, bool) or not isinstance(n, (int, float)):
        raise TypeError(f"a plural form needs a number, not {type(n).__name__}")
    if isinstance(n, float) and not n.is_integer():
        return FRACTION
    return abs(int(n))


def runtime_messages(code: str, root: Path | None = None) -> dict[str, Any]:
    """What the JavaScript runtime needs in language ``code``: its messages (msgid ->
    msgstr, or the list of plural forms keyed by the singular), and the plural rule."""
    words = merged(code, root)
    # English, the runtime's own, has no words to give: its catalogue is not read (a
    # twentieth of a second at every build)
    runtime = _runtime_ids() if words.messages else frozenset()
    found: dict[str, Any] = {}
    for key, value in words.messages.items():
        if key in runtime and value and (isinstance(value, str) or all(value)):
            found[key] = value if isinstance(value, str) else list(value)
    language = words.language if found else (shipped(code) or SOURCE)
    return {"lang": language, "plural": plural_expression(words.plural_locale if found
                                                              else SOURCE),
            "messages": found}


@lru_cache(maxsize=1)
def _runtime_ids() -> frozenset[str]:
    """The msgids the JavaScript runtime uses."""
    return frozenset(str(m.id[0] if isinstance(m.id, tuple | list) else m.id)
                     for m in catalogue(SOURCE) if m.id and _in_js(m.locations))


def plural_expression(language: str) -> str:
    """The language's plural rule, a C expression in ``n`` that JavaScript reads too."""
    expr = "(n != 1)" if language == SOURCE else str(Catalog(locale=language).plural_expr)
    if not _PLURAL_EXPR.fullmatch(expr):
        raise ValueError(f"unexpected plural rule in the {language} catalogue: {expr}")
    return expr


def _in_js(locations: Sequence[tuple[str, int | None]]) -> bool:
    return any(path.endswith(JS_SOURCES) for path, _ in locations)


@lru_cache(maxsize=64)
def everywhere(msgid: str) -> tuple[str, ...]:
    """``msgid`` and its translation in every shipped language (every plural form, for a
    plural message keyed by its singular): what an importer must recognise in a file that
    coursepack, or a person using its words, wrote in any of them."""
    found = [msgid]
    for language in SHIPPED:
        for message in catalogue(language):
            key = message.id[0] if isinstance(message.id, tuple | list) else message.id
            if key != msgid:
                continue
            if isinstance(message.id, tuple | list):
                found.append(str(message.id[1]))
            strings = message.string if isinstance(message.string, tuple | list) else [
                message.string]
            found += [str(s) for s in strings if s]
    return tuple(dict.fromkeys(found))


def patterns(msgid: str) -> tuple[re.Pattern[str], ...]:
    """``everywhere(msgid)`` as patterns whose named groups are the numbers in its
    placeholders ("Write between %(min)s and %(max)s words." -> min, max)."""
    found = []
    for text in everywhere(msgid):
        parts = re.split(r"%\((\w+)\)s", text.replace("%%", "%"))
        body = "".join(f"(?P<{p}>\\d+)" if n % 2 else re.escape(p) for n, p in enumerate(parts))
        found.append(re.compile(body))
    return tuple(found)


def translator(code: str, root: Path | None = None) -> Callable[[str], str]:
    """``gettext`` of language ``code``, for the words the exporters write themselves."""
    return interface(code, root).gettext


__all__ = [
    "N_",
    "SHIPPED",
    "SOURCE",
    "catalogue",
    "current",
    "everywhere",
    "gettext",
    "interface",
    "ngettext",
    "patterns",
    "plural_count",
    "runtime_messages",
    "shipped",
    "speaking",
    "translator",
]
