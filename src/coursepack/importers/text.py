"""Texts from a bank: HTML as Markdown where it maps cleanly, else as sanitised HTML (which
Markdown fields accept), with every image the text shows copied into the course.

markdownify writes the Markdown; markdown-it (``coursepack.markup``, the renderer every
format uses) renders it back, and the Markdown is kept only when that rendering shows the
same elements and text as the sanitised source. Anything it would change (a table with
merged cells, a span with a colour, nested markup markdownify flattens) stays HTML, so an
import never changes what a learner reads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote

import lxml.html
import yaml
from markdownify import markdownify

from coursepack import markup
from coursepack.loader.assets import LINKABLE, SUPPORTED, resolve

IMAGE_DIR = "images"
"""Where imported images go, beside the quiz files (``quizzes/images/``)."""

FindFile = Callable[[str], "tuple[str, bytes] | None"]
"""An ``src`` as the source has it -> (file name, bytes), or None when the bank has none."""


@dataclass
class Media:
    """The images of one import: file name in ``quizzes/images`` -> bytes, one name per file."""

    files: dict[str, bytes] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    _by_digest: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, data: bytes) -> str:
        """Keep ``data`` under ``name`` (another name when taken by other bytes)."""
        digest = hashlib.sha256(data).hexdigest()
        if digest in self._by_digest:
            return self._by_digest[digest]
        clean = _file_name(name) or f"image-{digest[:8]}"
        stem, dot, ext = clean.rpartition(".")
        stem, ext = (stem, "." + ext) if dot else (clean, "")
        chosen, n = clean, 2
        while chosen.lower() in {k.lower() for k in self.files}:
            chosen, n = f"{stem}-{n}{ext}", n + 1
        self.files[chosen] = data
        self._by_digest[digest] = chosen
        return chosen


def _file_name(name: str) -> str:
    base = PurePosixPath(unquote(name).replace("\\", "/")).name
    return re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", base).strip(" .")


def image_ref(name: str) -> str:
    """How a quiz file refers to an imported image: relative, percent-encoded."""
    return quote(f"{IMAGE_DIR}/{name}", safe="/")


_IMG = re.compile(r"<img\b[^>]*>", re.I | re.S)
_LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.I | re.S)
_ATTRIBUTE = r"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)')"""
_WEB = ("http://", "https://", "//")
_MIME = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
         "image/svg+xml": ".svg"}


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(_ATTRIBUTE.format(name=name), tag, re.I)
    return None if found is None else html.unescape(found.group(1) or found.group(2) or "")


def with_images(fragment: str, media: Media, find: FindFile) -> str:
    """``fragment`` with each image and each link to a file of the bank pointing at its copy
    in the course. What a course cannot hold is replaced, never left to break the course:
    an image on the web, missing from the bank or of a type no format shows becomes its
    description in brackets, a link to a missing file its text (``media.dropped`` says why).
    Images inlined as ``data:`` become files."""

    def image(match: re.Match[str]) -> str:
        tag = match.group(0)
        src = _attribute(tag, "src") or ""
        alt = _attribute(tag, "alt") or ""
        found = _data_image(src) if src.startswith("data:") else (
            None if src.startswith(_WEB) else find(src))
        why = "it is on the web and a course must work offline" if src.startswith(_WEB) \
            else "the bank does not hold it"
        if found is not None:
            problem = vetted(*found)
            if problem is None:
                stored = media.add(*found)
                return re.sub(_ATTRIBUTE.format(name="src"),
                              lambda _: f'src="{html.escape(image_ref(stored))}"', tag, count=1,
                              flags=re.I)
            why = problem
        media.dropped.append(f"the image '{_short_ref(src)}' is left out ({why}); its "
                             "description stands in its place")
        return html.escape(f"[{alt}]" if alt else "[image]", quote=False)

    def link(match: re.Match[str]) -> str:
        href = _attribute(match.group(1), "href") or ""
        if not href or href.startswith((*_WEB, "mailto:", "#")) or (":" in href.split("/")[0] \
                and not href.startswith("@@PLUGINFILE@@")):
            return match.group(0)
        found = find(href)
        if found is not None and PurePosixPath(found[0]).suffix.lower() in LINKABLE:
            stored = media.add(*found)
            return f'<a href="{html.escape(image_ref(stored))}">{match.group(2)}</a>'
        media.dropped.append(f"the link to '{_short_ref(href)}' is left out (the bank does not "
                             "hold a file a learner can open there); its text is kept")
        return match.group(2)

    return _LINK.sub(link, _IMG.sub(image, fragment))


def _short_ref(ref: str) -> str:
    return ref if len(ref) <= 80 else ref[:77] + "..."


def _data_image(src: str) -> tuple[str, bytes] | None:
    """An image written inline (``data:image/png;base64,...``) as a file."""
    found = re.match(r"data:([\w/+.-]+);base64,(.*)", src, re.S)
    if found is None or found.group(1) not in _MIME:
        return None
    try:
        data = base64.b64decode(found.group(2), validate=False)
    except (binascii.Error, ValueError):
        return None
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"inline-{digest}{_MIME[found.group(1)]}", data


def vetted(name: str, data: bytes) -> str | None:
    """Why the course would refuse this image (as the loader vets every image), or None."""
    if PurePosixPath(name).suffix.lower() not in SUPPORTED:
        return f"a {PurePosixPath(name).suffix or 'file with no type'} file is no image a " \
            "format can show"
    with tempfile.TemporaryDirectory(prefix="coursepack-vet-") as folder:
        root = Path(folder).resolve()
        (root / IMAGE_DIR).mkdir()
        (root / IMAGE_DIR / (_file_name(name) or "image")).write_bytes(data)
        node = yaml.compose("x", Loader=yaml.SafeLoader)
        assert node is not None
        text = f"![x]({image_ref(_file_name(name) or 'image')})"
        _, problems = resolve(root, "quiz.yaml", node, text)
    return problems[0].message.split(": ", 1)[-1] if problems else None


def as_markdown(fragment: str, inline: bool = False) -> str:
    """HTML as Markdown when markdown-it renders that Markdown back to the same thing, else
    the HTML itself, sanitised (``inline``: one line, for a choice or a prompt)."""
    clean = _without_editor_marks(markup.sanitise(fragment)).strip()
    if inline:
        clean = _unwrap_paragraph(clean)
    if not clean:
        return ""
    if "<" not in clean and "&" not in clean and not _MARKDOWN_SIGNS.search(clean):
        return " ".join(clean.split()) if inline else clean
    converted = markdownify(clean, heading_style="ATX", bullets="-", escape_misc=False,
                            newline_style="backslash", escape_asterisks=True,
                            escape_underscores=True).strip()
    if inline and "\n" in converted:
        return _one_line(clean)
    rendered = markup.to_inline_html(converted) if inline else markup.to_html(converted)
    if _shape(rendered) == _shape(clean if inline or _has_block(clean) else f"<p>{clean}</p>"):
        return converted
    return _one_line(clean) if inline else clean


_TRAILING_BREAK = re.compile(
    r"(?:<br\s*/?>\s*)+(?=</(?:p|div|li|h[1-6]|td|th|blockquote)>|$)", re.I)
_LTR = re.compile(r"(<(?:p|div|span|li|h[1-6])\b[^>]*?)\s+dir=\"ltr\"", re.I)


def _without_editor_marks(fragment: str) -> str:
    """Without what Moodle's and Canvas's editors add to every paragraph and change nothing
    on the page: a line break at the end of a block (``<p>2<br></p>``) and ``dir="ltr"``
    (the page's direction is the course language's)."""
    return _LTR.sub(r"\1", _TRAILING_BREAK.sub("", fragment.strip()))


_MARKDOWN_SIGNS = re.compile(r"[\\`*_\[\]<>#!~|+]|^\s*\d+[.)]|^\s*[-=]|\n\s*[-=>]|  \n")


_BLOCK = re.compile(r"<(?:p|div|ul|ol|li|h[1-6]|table|pre|blockquote|dl|hr|figure)\b", re.I)
_SAME_TAG = {"b": "strong", "i": "em"}


def _has_block(fragment: str) -> bool:
    return _BLOCK.search(fragment) is not None


def _one_line(fragment: str) -> str:
    return " ".join(fragment.split())


def _unwrap_paragraph(fragment: str) -> str:
    """``<p>text</p>`` as ``text``: one paragraph is how LMSs store a one-line answer."""
    match = re.fullmatch(r"<p>(.*)</p>", fragment, re.S)
    if match and "<p" not in match.group(1):
        return match.group(1).strip()
    return fragment


def _shape(fragment: str) -> list[Any]:
    """What a fragment shows: its elements (with the attributes that matter) and text,
    whitespace collapsed."""
    root = lxml.html.fragment_fromstring(fragment or "", create_parent="div")
    out: list[Any] = []
    _walk(root, out)
    squashed: list[Any] = []
    for item in out:
        if isinstance(item, str) and squashed and isinstance(squashed[-1], str):
            squashed[-1] += item
        else:
            squashed.append(item)
    return [(" ".join(s.split()) if isinstance(s, str) else s) for s in squashed
            if not isinstance(s, str) or s.strip()]


_KEPT_ATTRIBUTES = ("src", "alt", "href", "title")


def _walk(node: Any, out: list[Any]) -> None:
    tag = node.tag if isinstance(node.tag, str) else ""
    tag = _SAME_TAG.get(tag, tag)
    if tag:
        attrs = tuple((a, unquote(node.get(a))) for a in _KEPT_ATTRIBUTES if node.get(a))
        out.append((tag, attrs))
        out.append(node.text or "")
        for child in node:
            _walk(child, out)
        out.append(("/" + tag,))
    out.append(node.tail or "")


def plain(fragment: str) -> str:
    """A plain-text field an LMS stores as HTML-escaped text (a name, an answer)."""
    if "<" in fragment:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        fragment = root.text_content()
    else:
        fragment = html.unescape(fragment)
    return " ".join(fragment.split())


def text_lines(fragment: str) -> str:
    """HTML whose lines matter (a response template) as plain text, one line per line."""
    marked = re.sub(r"<br\s*/?>|</p>\s*<p[^>]*>", "\n", fragment, flags=re.I)
    root = lxml.html.fragment_fromstring(marked or "", create_parent="div")
    return "\n".join(line.rstrip() for line in root.text_content().strip().splitlines())


__all__ = ["IMAGE_DIR", "FindFile", "Media", "as_markdown", "image_ref", "plain", "text_lines",
           "with_images"]
