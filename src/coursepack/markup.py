"""Text transformations: Markdown -> safe HTML or plain text, slugs, image references.

Pure ``str -> str`` functions, registered as Jinja filters by ``render``. Author HTML
is allowed in Markdown but always passes through nh3, so it can never run script.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "scope", "style"},
    "ol": {"start"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def sanitise(fragment: str) -> str:
    """Keep only harmless HTML: no script, no event handlers, no javascript: links."""
    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        filter_style_properties={"text-align"},
    )


@lru_cache(maxsize=32768)  # big enough that a 1,000-lesson course parses each body once
def _block(markdown: str) -> tuple[str, tuple[tuple[str, int], ...]]:
    """One parse of block Markdown: its sanitised HTML and its image references.

    The loader asks for a lesson's images and the exporters for its HTML; both come from
    the same parse, which is the most expensive step of an HTML build.
    """
    parser = _parser()
    env: dict[str, Any] = {}
    tokens = parser.parse(markdown, env)
    images = tuple(_image_refs(tokens))
    return sanitise(parser.renderer.render(tokens, parser.options, env)), images


def to_html(markdown: str) -> str:
    """Block Markdown (paragraphs, lists, tables...) as sanitised HTML."""
    return _block(markdown)[0]


@lru_cache(maxsize=8192)
def to_inline_html(markdown: str) -> str:
    """One line of Markdown (a choice, a term) as sanitised HTML with no wrapping <p>."""
    return sanitise(_parser().renderInline(markdown))


def to_text(markdown: str) -> str:
    """Markdown as plain text: for titles, XML attributes and search indexes."""
    blocks = re.sub(r"</(p|h[1-6]|blockquote|pre|table|ul|ol|dl)>", "\n\n", to_html(markdown))
    stripped = nh3.clean(re.sub(r"</(li|tr|dd|dt)>", "\n", blocks), tags=set())
    text = html.unescape(stripped)
    return re.sub(r"[ \t]*\n\s*\n[ \t]*", "\n\n", text).strip()


def to_line(markdown: str) -> str:
    """Markdown as plain text on one line."""
    return " ".join(to_text(markdown).split())


def image_refs(markdown: str) -> Iterator[tuple[str, int]]:
    """Each image source in the Markdown with the 0-based line of the text it is on."""
    return iter(_block(markdown)[1])


def _image_refs(tokens: list[Token]) -> Iterator[tuple[str, int]]:
    for token in tokens:
        if token.type == "inline" and token.children:
            line = token.map[0] if token.map else 0
            yield from ((src, line) for src in _images(token.children))
        elif token.type == "html_block":
            line = token.map[0] if token.map else 0
            yield from ((src, line) for src in _html_images(token.content))


def _images(children: list[Token]) -> Iterator[str]:
    for child in children:
        if child.type == "image":
            yield str(child.attrs.get("src", ""))
        elif child.type == "html_inline":
            yield from _html_images(child.content)


def _html_images(fragment: str) -> Iterator[str]:
    yield from re.findall(r"""<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']""", fragment, re.I)


def rewrite_images(fragment: str, mapping: dict[str, str]) -> str:
    """Point each <img src> named in ``mapping`` at its published location."""

    def swap(match: re.Match[str]) -> str:
        src = html.unescape(match.group(2))
        return match.group(1) + html.escape(mapping.get(src, src), quote=True) + match.group(3)

    return re.sub(r'(<img\b[^>]*\bsrc=")([^"]*)(")', swap, fragment)


def slugify(text: str) -> str:
    """A lower-case ASCII slug for anchors and file names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "section"


def word_count(markdown: str) -> int:
    return len(to_text(markdown).split())
