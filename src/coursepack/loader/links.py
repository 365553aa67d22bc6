"""Which web addresses a course may link to: http(s), mailto, and paths inside it.

A link with any other scheme (``javascript:``, ``data:``, ``vbscript:``, ``file:``...)
would run script or open a local file in a learner's browser or LMS, so it is refused
where it is written, whether in a source's ``url`` or in a Markdown link, image or HTML
attribute of any text field, however it is spelled (``JaVaScRiPt:``, ``java&#x09;script:``,
``&#106;avascript:``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from coursepack.errors import Origin, Problem, error, quoted

SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_IGNORED = re.compile(r"[\x00-\x20\x7f]")  # browsers drop these inside a scheme
# A scheme-like word and its colon, tried from the start of a word only (fast on long texts).
_CANDIDATE = re.compile(r"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*)\s*:")
_ATTRIBUTE = re.compile(
    r"""\b(?:href|src|action|formaction|xlink:href|poster|background|data|cite|srcset)\s*=\s*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)


def scheme_of(href: str) -> str:
    """The scheme of a link as a browser reads it (lower case), or '' for a relative path."""
    text = _IGNORED.sub("", html.unescape(href))
    found = _SCHEME.match(text.lower())
    return found.group(1) if found else ""


def is_safe(href: str) -> bool:
    scheme = scheme_of(href)
    return not scheme or scheme in SAFE_SCHEMES


def unsafe_problem(origin: Origin, href: str, what: str = "link") -> Problem:
    scheme = scheme_of(href)
    return error(
        origin,
        f"{what} '{quoted(href)}' uses '{scheme}:', which a course may not link to",
        hint="link to a web page (https://...), an e-mail address (mailto:...) or a file of "
        "the course by its relative path",
    )


def url_problems(origin: Origin, url: str) -> list[Problem]:
    """A source's ``url``: the problem with its scheme, if any."""
    return [] if is_safe(url) else [unsafe_problem(origin, url, "url")]


def unsafe_links(markdown: str) -> tuple[tuple[int, str], ...]:
    """Each link, image or HTML address of a Markdown text with an unsafe scheme, with the
    line of the text it is on (0-based)."""
    if not _may_hold_unsafe(markdown):
        return ()
    return _unsafe_links(markdown)


def _may_hold_unsafe(markdown: str) -> bool:
    """A quick look: no link syntax, or no scheme but safe ones and no entity, is safe."""
    if "](" not in markdown and "]:" not in markdown and "<" not in markdown:
        return False
    if "&" in markdown:
        return True
    return any(word.lower() not in SAFE_SCHEMES for word in _candidates(markdown))


_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-")


def _candidates(markdown: str) -> Iterator[str]:
    """What ``_CANDIDATE`` finds, found from each colon backwards: a text has few colons,
    and a pattern tried at every word start costs a millisecond per long lesson."""
    colon = markdown.find(":")
    while colon >= 0:
        end = colon
        while end > 0 and markdown[end - 1].isspace():
            end -= 1
        start = end
        while start > 0 and markdown[start - 1] in _WORD_CHARS:
            start -= 1
        if start < end and markdown[start].isascii() and markdown[start].isalpha():
            yield markdown[start:end]
        colon = markdown.find(":", colon + 1)


@lru_cache(maxsize=1024)
def _unsafe_links(markdown: str) -> tuple[tuple[int, str], ...]:
    lines = markdown.split("\n")
    found: list[tuple[int, str]] = []
    for line, href in _addresses(_parser().parse(markdown)):
        if not is_safe(href):
            exact = next((n for n in range(line, len(lines)) if href in lines[n]), line)
            found.append((exact, href))
    return tuple(found)


def _addresses(tokens: list[Token]) -> Iterator[tuple[int, str]]:
    for token in tokens:
        line = token.map[0] if token.map else 0
        if token.type == "html_block":
            yield from ((line, href) for href in _html_addresses(token.content))
        for child in token.children or ():
            if child.type == "link_open":
                yield line, str(child.attrs.get("href", ""))
            elif child.type == "image":
                yield line, str(child.attrs.get("src", ""))
            elif child.type == "html_inline":
                yield from ((line, href) for href in _html_addresses(child.content))


def _html_addresses(fragment: str) -> Iterator[str]:
    for double, single, bare in _ATTRIBUTE.findall(fragment):
        yield double or single or bare


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """A parser that keeps every link as written (the default drops ``javascript:`` ones
    silently; here they must be found and reported)."""
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    parser.normalizeLink = lambda url: url  # type: ignore[method-assign]
    return parser


__all__ = ["SAFE_SCHEMES", "is_safe", "scheme_of", "unsafe_links", "url_problems"]
