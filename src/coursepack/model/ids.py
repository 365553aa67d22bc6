"""The one rule every id of a course obeys, and the name two ids must not share.

An id becomes a file name, a zip entry, an URL, an HTML element id and an LMS
identifier, so every id (the course's, a module's folder name, a lesson's or quiz's
file name, a question's, objective's, pool's, blank's or source's ``id:``, an argument
of ``coursepack new``) is lower-case ASCII letters and digits, ``-`` and ``_``, starting
with a letter or digit, matched in full (no trailing line break), at most 64 characters,
and not a name Windows keeps for a device.

Two different ids clash when their ``name_key`` is the same: that is the form formats
derive file names and page anchors from (``wq_multiple`` and ``wq-multiple`` both give
``q-wq-multiple``), and it ignores letter case, as a Windows or macOS disk does.
"""

from __future__ import annotations

import re
import unicodedata

ID_RULE = re.compile(r"[a-z0-9][a-z0-9_-]*")
MAX_ID_LENGTH = 64
_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{kind}{n}" for kind in ("com", "lpt") for n in range(10)]
)
ID_HELP = "lower-case letters, digits, '-' or '_', starting with a letter or digit"


def id_problem(value: str) -> str:
    """Why ``value`` is not a valid id, or '' when it is."""
    if not ID_RULE.fullmatch(value):
        return f"must be {ID_HELP}"
    if len(value) > MAX_ID_LENGTH:
        return f"is {len(value)} characters long; an id may have at most {MAX_ID_LENGTH}"
    if value in _DEVICES:
        return f"'{value}' is a device name on Windows, where no file may be called so"
    return ""


def is_id(value: str) -> bool:
    return not id_problem(value)


def name_key(value: str) -> str:
    """The derived name of an id: case-folded, every run of other characters one ``-``.

    For a valid id it is what ``markup.slugify`` makes of it, the form of page anchors."""
    return re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-")


def suggested_id(value: str) -> str:
    """A valid id close to ``value`` (accents dropped, lower case, other characters '-')."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_]+", "-", ascii_text.lower()).strip("-_")[:MAX_ID_LENGTH]
    slug = slug.rstrip("-_")
    if not slug:
        return "item-1"
    return f"{slug}-1" if slug in _DEVICES else slug


__all__ = ["ID_HELP", "ID_RULE", "MAX_ID_LENGTH", "id_problem", "is_id", "name_key",
           "suggested_id"]
