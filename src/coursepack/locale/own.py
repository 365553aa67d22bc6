"""A course's own interface words: ``translations/<lang>/interface.po`` in the course folder.

A course may change some of coursepack's interface strings in a language ("Quiz" for
"Assessment", its organisation's word for "facilitator"), or give them in a language coursepack
does not ship. The file is course input like any other: read only from inside the course,
a plain file of at most ``MAX_BYTES``; each message must be one of coursepack's interface
strings, keep its placeholders and the language's number of plural forms, and hold no control
characters. What passes is used; every other message is reported at its line.
"""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po

from coursepack.confinement import confined
from coursepack.errors import Origin, Problem, error, warning

FILE = "interface.po"
MAX_BYTES = 1_000_000
Messages = dict[str, str | tuple[str, ...]]
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_WHERE = ("copy the msgid from coursepack's own catalogue (coursepack/locale/<lang>/"
          "LC_MESSAGES/coursepack.po in the package) and keep its %(name)s placeholders")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def relpath(language: str) -> str:
    return f"translations/{language}/{FILE}"


def stamp(root: Path, language: str) -> tuple[int, int] | None:
    """When the course's file last changed (None: it has none), to know when to read again."""
    try:
        info = os.lstat(root / relpath(language))
    except (OSError, ValueError):
        return None
    return info.st_mtime_ns, info.st_size


def own_messages(root: Path, language: str) -> tuple[Messages, list[Problem]]:
    """The course's interface words in ``language`` that can be used, and what is wrong."""
    return _read(root.resolve(), language, stamp(root, language))


@lru_cache(maxsize=32)
def _read(root: Path, language: str,
          when: tuple[int, int] | None) -> tuple[Messages, list[Problem]]:
    if when is None:
        return {}, []
    where = relpath(language)
    data, why = _bytes(root, where)
    if data is None:
        return {}, [error(Origin(where), why, "make it a plain file in the course folder")]
    try:
        catalog = read_po(io.BytesIO(data), locale=language.replace("-", "_"),
                          abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError, UnknownLocaleError) as exc:
        return {}, [error(Origin(where), f"this is not a gettext PO file: {exc}",
                          "write it with a PO editor (Poedit...) or copy entries from "
                          "coursepack's own catalogue")]
    return _vetted(catalog, language, where)


def _bytes(root: Path, where: str) -> tuple[bytes | None, str]:
    real, why = confined(root, root / where)
    if why is not None:
        return None, f"{where} {why.value}"
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return None, f"cannot read this file: {exc.strerror}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "this is not a plain file"
        if info.st_size > MAX_BYTES:
            return None, f"this file is {info.st_size:,} bytes; at most {MAX_BYTES:,}"
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(MAX_BYTES + 1), ""
    finally:
        os.close(fd)


def _vetted(catalog: Catalog, language: str, where: str) -> tuple[Messages, list[Problem]]:
    from coursepack.locale import SOURCE, catalogue

    known = {m.id: m for m in catalogue(SOURCE) if m.id}
    forms = get_plural(language.replace("-", "_")).num_plurals
    found: Messages = {}
    problems: list[Problem] = []
    for message in catalog:
        if not message.id or not message.string or (isinstance(message.string, tuple)
                                                     and not any(message.string)):
            continue
        at = Origin(where, message.lineno or 0)
        msgid = tuple(message.id) if isinstance(message.id, list) else message.id
        if msgid not in known:  # one a newer or older coursepack has: not used
            problems.append(warning(at, f"'{_short(msgid)}' is not one of this coursepack's "
                                    "interface strings: it is not used", _WHERE))
            continue
        why = _problem(message.id, message.string, known, forms)
        if why:
            problems.append(error(at, why, _WHERE))
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        found[str(key)] = (tuple(message.string) if isinstance(message.string, tuple | list)
                           else str(message.string))
    return found, problems


def _problem(msgid: object, msgstr: object, known: Mapping[Any, object], forms: int) -> str:
    if isinstance(msgid, list):
        msgid = tuple(msgid)
    texts = list(msgstr) if isinstance(msgstr, tuple | list) else [msgstr]
    if isinstance(msgid, tuple) and len(texts) != forms:
        return f"'{_short(msgid)}' needs {forms} plural forms in this language, got {len(texts)}"
    wanted = set(_PLACEHOLDER.findall(" ".join(msgid) if isinstance(msgid, tuple) else str(msgid)))
    for text in map(str, texts):
        if _CONTROL.search(text):
            return f"the translation of '{_short(msgid)}' holds a control character"
        have = set(_PLACEHOLDER.findall(text))
        extra, lost = have - wanted, wanted - have - {"num"}
        if extra or lost or (not isinstance(msgid, tuple) and have != wanted):
            return (f"the translation of '{_short(msgid)}' must keep the placeholders "
                    f"{', '.join(f'%({p})s' for p in sorted(wanted)) or '(none)'}")
        try:
            text % dict.fromkeys(wanted, "")
        except (ValueError, TypeError, KeyError):
            return f"the translation of '{_short(msgid)}' has a stray %: write %% for one"
    return ""


def _short(msgid: object) -> str:
    text = msgid[0] if isinstance(msgid, tuple) else str(msgid)
    return text if len(text) <= 60 else text[:57] + "..."


def missing(messages: Messages) -> int:
    """How many interface strings the course's file leaves untranslated."""
    from coursepack.locale import SOURCE, catalogue

    ids = {str(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalogue(SOURCE) if m.id}
    return len(ids - set(messages))


__all__ = ["FILE", "Messages", "missing", "own_messages", "relpath", "stamp"]
