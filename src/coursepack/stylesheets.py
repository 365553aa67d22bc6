"""The files a style sheet asks for, read as a browser reads it (tinycss2): ``url()``,
``src()`` and ``image-set()`` however written (``u\\72l(`` is ``url(``, ``URL(`` too), and
``@import``. Used to keep an SVG image alone (``loader.assets``) and to know which PDFs
may show an SVG a course's style sheet names (``exporters.pdf.jobs``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import tinycss2

IMPORT = "@import"
"""What ``asked_for`` yields for an ``@import`` rule (its sheet asks for more)."""


def asked_for(css: str) -> Iterator[str]:
    """Every address ``css`` (a style sheet, or a style attribute's declarations) asks
    for, in order, and ``IMPORT`` for each ``@import``."""
    yield from _asked_for(tinycss2.parse_component_value_list(css))


def shows_files(css: str) -> bool:
    """Whether a style sheet asks for any file but its fonts (an image, a sheet it
    imports): what ``@font-face`` rules name is left out."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    shown = [rule for rule in rules
             if not (rule.type == "at-rule" and rule.lower_at_keyword == "font-face")]
    return any(True for _ in _asked_for(shown))


def _asked_for(tokens: Iterable[tinycss2.ast.Node]) -> Iterator[str]:
    pending = list(reversed(list(tokens)))  # depth first, in order, however deep
    while pending:
        token = pending.pop()
        if token.type in ("at-keyword", "at-rule") and _at_name(token) == "import":
            yield IMPORT
        yield from (target.strip() for target in _targets(token))
        for inner in ("prelude", "content", "arguments"):
            pending.extend(reversed(getattr(token, inner, None) or []))


def _at_name(token: tinycss2.ast.Node) -> str:
    return str(getattr(token, "lower_value", None) or getattr(token, "lower_at_keyword", ""))


def _targets(token: tinycss2.ast.Node) -> list[str]:
    """The addresses one token names itself (not those of the tokens inside it)."""
    if token.type == "url":
        return [token.value]
    if token.type != "function":
        return []
    strings = [t.value for t in token.arguments if t.type == "string"]
    if token.lower_name in ("url", "src"):
        return strings[:1]
    return strings if token.lower_name in ("image-set", "-webkit-image-set") else []
