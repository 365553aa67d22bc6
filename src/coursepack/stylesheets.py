"""The files a style sheet asks for, read as a browser reads it (tinycss2): ``url()``,
``src()``, ``image()`` and ``image-set()`` however written (``u\\72l(`` is ``url(``,
``URL(`` too), and ``@import``; and the font families it names. Used to keep an SVG image
alone (``svg``), to know which PDFs may show an SVG a course's style sheet names
(``exporters.pdf.jobs``) and which font families it takes from the machine
(``exporters.pdf.faces``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import tinycss2

IMPORT = "@import"
"""What ``asked_for`` yields for an ``@import`` rule (its sheet asks for more)."""


def asked_for(css: str) -> Iterator[str]:
    """Every address ``css`` (a style sheet, or a style attribute's declarations) asks
    for, in order, and ``IMPORT`` for each ``@import``."""
    yield from _asked_for(tinycss2.parse_component_value_list(css))


MAX_DEPTH = 128
"""Blocks and brackets nested deeper than a style sheet needs: what reads them (tinycss2,
a browser) takes seconds and hundreds of megabytes for a few megabytes of ``((((``."""
_BRACKETS = re.compile(r"[^()\[\]{}]+")
_STEP = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def too_deep(css: str) -> bool:
    """Whether ``css`` nests brackets or blocks more than ``MAX_DEPTH`` deep (a closing one
    too many counts as none: a reader skips it)."""
    depth = 0
    for step in map(_STEP.__getitem__, _BRACKETS.sub("", css)):
        depth = max(depth + step, 0)
        if depth > MAX_DEPTH:
            return True
    return False


def shown_files(css: str) -> list[str]:
    """What a style sheet asks for but its fonts (images, and ``IMPORT`` for a sheet it
    imports): what ``@font-face`` rules name is left out."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    shown = [rule for rule in rules
             if not (rule.type == "at-rule" and rule.lower_at_keyword == "font-face")]
    return list(_asked_for(shown))


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
    return strings if token.lower_name in _IMAGE_FUNCTIONS else []


_IMAGE_FUNCTIONS = ("image-set", "-webkit-image-set", "image", "cross-fade",
                    "-webkit-cross-fade")
"""Functions whose strings are images' addresses (``image("logo.png")``)."""


@dataclass(frozen=True)
class Family:
    """A font family a style sheet names, and where: 1-based line and column."""

    name: str
    line: int
    column: int


def font_families(css: str) -> tuple[list[Family], list[Family]]:
    """The families a style sheet declares (``@font-face``) and those its rules name
    (``font-family``, and ``font`` after its size), in order; none for one nested past
    ``MAX_DEPTH``."""
    declared: list[Family] = []
    named: list[Family] = []
    if too_deep(css):
        return declared, named
    pending = list(reversed(tinycss2.parse_stylesheet(css, skip_comments=True,
                                                      skip_whitespace=True)))
    while pending:
        rule = pending.pop()
        if rule.type not in ("qualified-rule", "at-rule") or rule.content is None:
            continue
        face = rule.type == "at-rule" and rule.lower_at_keyword == "font-face"
        if rule.type == "at-rule" and rule.lower_at_keyword in _RULE_LISTS:
            pending.extend(reversed(tinycss2.parse_rule_list(
                rule.content, skip_comments=True, skip_whitespace=True)))
            continue
        for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                   skip_whitespace=True):
            if item.type in ("qualified-rule", "at-rule"):
                pending.append(item)  # a margin box of @page, a nested rule
            elif item.type == "declaration" and item.lower_name == "font-family":
                (declared if face else named).extend(_families(item.value))
            elif item.type == "declaration" and item.lower_name == "font" and not face:
                named.extend(_families(_after_size(item.value)))
    return declared, named


_RULE_LISTS = ("media", "supports", "layer", "container", "document", "scope")
"""At-rules whose content is rules, not declarations."""


def _families(value: list[tinycss2.ast.Node]) -> list[Family]:
    """The names of a comma-separated family list: a string, or words one after another."""
    found, part = [], []
    for token in [*value, None]:
        if token is not None and not (token.type == "literal" and token.value == ","):
            if token.type != "whitespace":
                part.append(token)
            continue
        if len(part) == 1 and part[0].type == "string":
            found.append(Family(part[0].value, part[0].source_line, part[0].source_column))
        elif part and all(t.type == "ident" for t in part):
            found.append(Family(" ".join(t.value for t in part), part[0].source_line,
                                part[0].source_column))
        part = []
    return found


def _after_size(value: list[tinycss2.ast.Node]) -> list[tinycss2.ast.Node]:
    """The family list of a ``font`` shorthand: what follows its size, and anything before
    it (a style, an angle, a weight, ``calc()``), in its first comma-separated part; nothing
    for a shorthand without a size (``font: caption``, a system font)."""
    tokens = [token for token in value if token.type != "whitespace"]
    first = next((at for at, token in enumerate(tokens)
                  if token.type == "literal" and token.value == ","), len(tokens))
    sized = [at for at, token in enumerate(tokens[:first]) if _sized(token)]
    if not any(tokens[at].type != "number" for at in sized):
        return []
    return tokens[sized[-1] + 1:]


def _sized(token: tinycss2.ast.Node) -> bool:
    """A size, line height or anything before them in a ``font`` shorthand that no family
    name is: a number with or without a unit, a function, the ``/`` between size and line
    height, a size word."""
    return token.type in ("dimension", "percentage", "number", "function") or (
        token.type == "literal" and token.value == "/") or (
        token.type == "ident" and token.lower_value in _SIZE_WORDS)


_SIZE_WORDS = ("xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large",
               "xxx-large", "smaller", "larger")
