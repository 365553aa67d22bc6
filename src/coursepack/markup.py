"""Text transformations: Markdown -> safe HTML or plain text, slugs, image references.

Pure ``str -> str`` functions, registered as Jinja filters by ``render``. Author HTML
is allowed in Markdown but always passes through nh3, so it can never run script.

A ``Markdown`` text knows the files its images reference. Rendering one to HTML points
each image at where the format publishes it: an exporter says where inside
``publishing(url)``; rendering such a text outside it is a bug and raises, so no
format can ship an image that points at nothing.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import unquote

import nh3
from babel import Locale, UnknownLocaleError
from markdown_it import MarkdownIt
from markdown_it.token import Token

from coursepack.model.text import Asset, Markdown

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


class FileRef(NamedTuple):
    """A file a Markdown text uses: an image's source or a link to a file of the course.

    ``ref`` is as the rendered HTML has it (non-ASCII percent-encoded); ``line`` is the
    0-based line of the text it is written on.
    """

    ref: str
    line: int
    image: bool = True


Parsed = tuple[str, tuple[FileRef, ...]]
_PARSED: dict[str, Parsed] = {}
_PARSED_LIMIT = 32768  # a 1,000-lesson course parses each of its texts once
#: Characters of text and HTML a cache keeps at most: a preview adds the lesson saved and
#: its HTML at every save (40 KB for a long lesson), which a count of texts does not see.
_CHARACTERS_LIMIT = 64_000_000
_characters: dict[str, int] = {}  # kept by each cache, by its kind
PARALLEL_FROM = 200  # texts; below this, starting worker processes costs more than it saves


_TAG_NAME = re.compile(r"^\s*</?([A-Za-z][A-Za-z0-9-]*)")
# HTML elements the sanitiser removes (with script and style, their content too). A name
# that is neither these nor an allowed tag is no HTML at all: a word in angle brackets.
_DROPPED_HTML = frozenset({
    "a", "abbr", "address", "applet", "area", "article", "aside", "audio", "b", "base",
    "basefont", "bdi", "bdo", "big", "blink", "body", "button", "canvas", "center", "col",
    "colgroup", "data", "datalist", "dialog", "dir", "embed", "fieldset", "font", "footer",
    "form", "frame", "frameset", "head", "header", "hgroup", "html", "iframe", "image",
    "input", "ins", "isindex", "keygen", "label", "legend", "link", "listing", "main",
    "map", "marquee", "math", "menu", "menuitem", "meta", "meter", "nav", "nobr", "noembed",
    "noframes", "noscript", "object", "optgroup", "option", "output", "param", "picture",
    "plaintext", "portal", "progress", "rb", "rp", "rt", "rtc", "ruby", "samp", "script",
    "search", "section", "select", "slot", "source", "spacer", "strike", "style", "svg",
    "template", "textarea", "time", "title", "track", "tt", "var", "video", "wbr", "xmp",
})


def _unknown_tags_as_text(tokens: list[Token]) -> list[Token]:
    """Show ``<ouvert>`` as written: what is not an HTML tag is text, not dropped HTML."""
    for token in tokens:
        if token.children:
            _unknown_tags_as_text(token.children)
        name = _TAG_NAME.match(token.content) if token.type.startswith("html_") else None
        if name is None or name.group(1).lower() in _ALLOWED_TAGS | _DROPPED_HTML:
            continue
        if token.type == "html_inline":
            token.type = "text"
        else:
            token.content = f"<p>{html.escape(token.content.strip())}</p>\n"
    return tokens


def _parse_block(markdown: str) -> Parsed:
    """One parse of block Markdown: its sanitised HTML and the files it uses."""
    parser = _parser()
    env: dict[str, Any] = {}
    tokens = parser.parse(markdown, env)
    if "<" in markdown:
        _unknown_tags_as_text(tokens)
    images = tuple(_exact_lines(markdown, _file_refs(tokens)))
    return sanitise(parser.renderer.render(tokens, parser.options, env)), images


def _block(markdown: str) -> Parsed:
    """The parse of ``markdown``, computed once: the loader wants its images, exporters its HTML."""
    parsed: Parsed = _once(BLOCK, markdown, _parse_block)
    return parsed


def _once(kind: str, text: str, parse: Callable[[str], Any]) -> Any:
    """What ``parse`` makes of ``text`` (as ``kind``), made once: kept from before, made by
    the workers (``parsed_ahead``), or made here."""
    cache = _cache(kind)
    found = cache.get(text)
    if found is None:
        found = _from_workers(kind, text)
        if found is None:
            found = parse(text)
        _keep(kind, text, found)
    return found


def _keep(kind: str, text: str, value: Any) -> None:
    """Keep what ``text`` was made into (``Parsed`` for a block, else a string)."""
    cache = _cache(kind)
    if len(cache) >= _PARSED_LIMIT or _characters.get(kind, 0) >= _CHARACTERS_LIMIT:
        cache.clear()
        _characters[kind] = 0
    cache[text] = value
    made = value[0] if kind == BLOCK else value
    _characters[kind] = _characters.get(kind, 0) + len(text) + len(made)


WorkersFor = Callable[[int], Executor | None]
"""The build's worker processes for so many jobs (``Workers.executor``): asked for only
when there is work enough to send them, so that a build with little to parse does not
start workers for it."""


def prime(texts: Iterable[str], workers: WorkersFor) -> None:
    """Parse many texts at once in the build's worker processes, so that later calls find
    them done.

    Markdown parsing is most of an HTML build of a large course; on Linux, forked workers
    share the parser and return the results. Small batches are left to the first caller.
    """
    todo = [text for text in dict.fromkeys(texts) if text not in _PARSED]
    pool = workers(len(todo)) if len(todo) >= PARALLEL_FROM else None
    if pool is None:
        return
    results = pool.map(_parse_block, todo, chunksize=max(1, len(todo) // 16))
    for text, parsed in zip(todo, results, strict=True):
        _keep(BLOCK, text, parsed)


BLOCK, INLINE, LINE = "block", "inline", "line"
"""What ``parsed_ahead`` can have made of a text: ``to_html``, ``to_inline_html``, ``to_line``."""
Job = tuple[str, str]
"""One piece of work for ``parsed_ahead``: (BLOCK, INLINE or LINE, the text)."""
_Batch = tuple["Future[list[Any]]", tuple[Job, ...], int]
_AHEAD: dict[Job, _Batch] = {}
"""Work being done by workers (``parsed_ahead``): the batch each job is in, and the process
that asked (a process forked meanwhile must not wait for its parent's workers)."""
_BATCH_FROM = 64  # jobs per task at least: the first page waits for one task only


def _made(kind: str, text: str) -> Any:
    """In a worker: what ``kind`` makes of ``text``, as the caches below keep it."""
    if kind == BLOCK:
        return _block(text)
    return _inline(text) if kind == INLINE else to_line(text)


def _make_batch(jobs: tuple[Job, ...]) -> list[Any]:
    return [_made(kind, text) for kind, text in jobs]


def _from_workers(kind: str, text: str) -> Any:
    """What the workers made of ``text`` (waited for) if they were asked to; None if they
    were not, or could not (the caller then does it itself)."""
    ahead = _AHEAD.pop((kind, text), None)
    if ahead is None or ahead[2] != os.getpid():
        return None
    future, jobs, _ = ahead
    try:
        results = future.result()
    except Exception:  # cancelled, or the pool broke: done here instead
        return None
    found = None
    for job, result in zip(jobs, results, strict=True):
        if job == (kind, text):
            found = result
        elif _AHEAD.pop(job, None) is not None:
            _keep(job[0], job[1], result)
    return found


@contextmanager
def parsed_ahead(work: Iterable[Iterable[Job]], workers: WorkersFor) -> Iterator[None]:
    """Within this block, the build's worker processes do ``work`` (parse a text as
    a block, as one line of HTML, or make it one line of plain text), each group of jobs
    (a page's) in one task, in the order given, while this process goes on: a text asked
    for waits for its own task only, so pages are rendered while later texts are still
    being parsed.

    With fewer than ``PARALLEL_FROM`` jobs nothing is sent: each is done where it is asked
    for. Jobs not asked for by the end of the block are forgotten.
    """
    batches: list[tuple[Job, ...]] = []
    todo: list[Job] = []
    seen: set[Job] = set()
    for group in work:
        for kind, text in group:
            job = kind, str(text)  # not a Markdown: its images stay here
            if job in seen or job in _AHEAD or text in _cache(kind) \
                    or (kind == LINE and not _MARKDOWN_SIGNS.search(text)):
                continue
            seen.add(job)
            todo.append(job)
        if len(todo) >= _BATCH_FROM:
            batches.append(tuple(todo))
            todo = []
    if todo:
        batches.append(tuple(todo))
    pool = workers(len(batches)) if len(seen) >= PARALLEL_FROM else None
    if pool is None:
        yield
        return
    futures = [pool.submit(_make_batch, batch) for batch in batches]
    owner = os.getpid()
    for batch, future in zip(batches, futures, strict=True):
        for job in batch:
            _AHEAD[job] = (future, batch, owner)
    try:
        yield
    finally:
        for batch, future in zip(batches, futures, strict=True):
            future.cancel()
            for job in batch:
                _AHEAD.pop(job, None)


AssetUrl = Callable[[Asset], str]
_PUBLISHED: ContextVar[AssetUrl | None] = ContextVar("coursepack_published", default=None)


class UnpublishedAsset(RuntimeError):
    """Markdown with images was rendered where no format said where its images go."""


@contextmanager
def publishing(url: AssetUrl) -> Iterator[None]:
    """Within this block, each image of a rendered ``Markdown`` text points at ``url(asset)``.

    ``url`` is also where a format learns which files it must package: it is called
    once per image rendered.
    """
    token = _PUBLISHED.set(url)
    try:
        yield
    finally:
        _PUBLISHED.reset(token)


def _published(rendered: str, markdown: str) -> str:
    assets: tuple[Asset, ...] = getattr(markdown, "assets", ())
    if not assets:
        return rendered
    url = _PUBLISHED.get()
    if url is None:
        raise UnpublishedAsset(f"images of a text rendered outside publishing(): "
                               f"{', '.join(a.ref for a in assets)}")
    by_ref = {a.ref: a for a in assets}
    return rewrite_files(rendered, lambda src: url(by_ref[src]) if src in by_ref else None)


def to_html(markdown: str) -> str:
    """Block Markdown (paragraphs, lists, tables...) as sanitised HTML."""
    return _published(_block(markdown)[0], markdown)


def to_inline_html(markdown: str) -> str:
    """One line of Markdown (a choice, a term) as sanitised HTML with no wrapping <p>."""
    return _published(_inline(str(markdown)), markdown)


def _inline(markdown: str) -> str:
    found: str = _once(INLINE, markdown, _parse_inline)
    return found


def _parse_inline(markdown: str) -> str:
    parser = _parser()
    env: dict[str, Any] = {}
    tokens = parser.parseInline(markdown, env)
    if "<" in markdown:
        _unknown_tags_as_text(tokens)
    return sanitise(parser.renderer.render(tokens, parser.options, env))


# A line with none of these is its own plain text: nothing in it is Markdown.
_MARKDOWN_SIGNS = re.compile(r"[\\`*_\[\]<>&#!~|=+-]|^\s*\d+[.)]|\n")


# Any tag of sanitised HTML, whose attribute values are always quoted.
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|blockquote|pre|table|ul|ol|dl)>")
_ITEM_END = re.compile(r"</(?:li|tr|dd|dt)>")


def _plain(markdown: str, block: str, item: str) -> str:
    """The text of the rendered Markdown, blocks and items ended by ``block`` and ``item``."""
    ended = _ITEM_END.sub(item, _BLOCK_END.sub(block, _block(markdown)[0]))
    return html.unescape(_TAG.sub("", ended))


def to_text(markdown: str) -> str:
    """Markdown as plain text: for titles, XML attributes and search indexes."""
    if not _MARKDOWN_SIGNS.search(markdown):
        return markdown.strip()
    text = _plain(markdown, "\n\n", "\n")
    return re.sub(r"[ \t]*\n\s*\n[ \t]*", "\n\n", text).strip()


def to_line(markdown: str) -> str:
    """Markdown as plain text on one line."""
    if not _MARKDOWN_SIGNS.search(markdown):
        return " ".join(markdown.split())
    found = _LINES.pop(markdown, None) or _from_workers(LINE, markdown)
    if found is not None:
        return found
    if "\n" in markdown or _MAY_OPEN_A_BLOCK.match(markdown):
        return " ".join(_plain(markdown, " ", " ").split())
    # one line that opens no block is one paragraph: its text is that of the line's inline
    # Markdown, which is quicker to parse than a document (a key term and its definition)
    return " ".join(html.unescape(_TAG.sub("", _inline(markdown))).split())


# What may start a block on a line of its own (a heading, a list item, a quote, a rule, a
# fence, HTML, a link reference, indented code): such a line takes the full parse.
_MAY_OPEN_A_BLOCK = re.compile(r"(?: {0,3}[#>*+\-_=~`<\[|\d]| {4}|[ ]*\t)")


_INLINE: dict[str, str] = {}
_LINES: dict[str, str] = {}
"""Lines made by workers, each kept until it is asked for once."""


def _cache(kind: str) -> dict[str, Any]:
    return _PARSED if kind == BLOCK else _INLINE if kind == INLINE else _LINES


def as_line(text: str) -> str:
    """Any text field on one line: a Markdown text as its plain text, a plain field (a title,
    a name) exactly as written, runs of spaces and line breaks made one space."""
    return to_line(text) if isinstance(text, Markdown) else " ".join(text.split())


def file_refs(markdown: str) -> Iterator[FileRef]:
    """Each image and each link to a file (not a web address, not an anchor) of a text.

    Plain texts are read with two patterns instead of a full parse; anything a pattern
    could misread (links, code, comments, escapes, reference links, unusual characters)
    takes the full parse.
    """
    if markdown in _PARSED:
        return iter(_PARSED[markdown][1])
    if "](" not in markdown and "]:" not in markdown and "<" not in markdown:
        return iter(())  # no inline image or link, no reference definition, no HTML
    found = _plain_images(markdown)
    return iter(found if found is not None else _block(markdown)[1])


# ASCII only: a source with other characters is percent-encoded by the parser, so it takes
# the parse. Any HTML but <img> may open an HTML block, where Markdown is not read.
_MD_IMAGE = re.compile(r"!\[[^\]\[\n]*\]\(\s*([\w./-]+)(?:\s+\"[^\"\n]*\")?\s*\)", re.ASCII)
_HTML_IMAGE = re.compile(r"""<img\b[^>]*\bsrc\s*=\s*["']([\w./-]+)["']""", re.I | re.ASCII)
_LINE_STARTS = re.compile(r"^(?: {4}|\t|[ \t]*\[[^\]\n]*\]:)", re.M)  # code, link labels
_MARKS = ("`", "~~~", "\\", "&", "][")  # code, escapes, entities, reference images


def _plain_images(markdown: str) -> list[FileRef] | None:
    """Images of a text simple enough to read with patterns, or ``None`` to parse it."""
    if any(mark in markdown for mark in _MARKS) or _LINE_STARTS.search(markdown):
        return None
    if markdown.count("](") != markdown.count("!["):  # a link: the parse tells where to
        return None
    if "<" in markdown and re.search(r"<(?!img\b)", markdown, re.I):
        return None
    markdown_images = list(_MD_IMAGE.finditer(markdown))
    html_images = list(_HTML_IMAGE.finditer(markdown))
    if markdown.count("![") != len(markdown_images):
        return None
    if len(re.findall(r"<img\b", markdown, re.I)) != len(html_images):
        return None
    matches = sorted(markdown_images + html_images, key=lambda m: m.start())
    return [FileRef(m.group(1), markdown.count("\n", 0, m.start())) for m in matches]


def _exact_lines(markdown: str, refs: Iterable[FileRef]) -> Iterator[FileRef]:
    """Move each reference from its block's first line to the line that names it."""
    lines = markdown.split("\n")
    for ref in refs:
        written = unquote(ref.ref)
        line = next((n for n in range(ref.line, len(lines)) if written in lines[n]), ref.line)
        yield ref._replace(line=line)


def _file_refs(tokens: list[Token]) -> Iterator[FileRef]:
    for token in tokens:
        line = token.map[0] if token.map else 0
        if token.type == "inline" and token.children:
            yield from (FileRef(ref, line, image) for ref, image in _files(token.children))
        elif token.type == "html_block":
            yield from (FileRef(src, line) for src in _html_images(token.content))
            yield from (FileRef(href, line, False) for href in _html_links(token.content)
                        if is_local(href))


def _files(children: list[Token]) -> Iterator[tuple[str, bool]]:
    for child in children:
        if child.type == "image":
            yield str(child.attrs.get("src", "")), True
        elif child.type == "link_open" and is_local(str(child.attrs.get("href", ""))):
            yield str(child.attrs.get("href", "")), False
        elif child.type == "html_inline":
            yield from ((src, True) for src in _html_images(child.content))
            yield from ((href, False) for href in _html_links(child.content) if is_local(href))


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_local(href: str) -> bool:
    """Whether a link names a file of the course: no scheme, not ``//host``, not ``#anchor``."""
    href = href.strip()
    return bool(href) and not href.startswith(("#", "//", "?")) and not _SCHEME.match(href)


def _html_links(fragment: str) -> Iterator[str]:
    """The ``href`` of each <a> in an HTML fragment, entities decoded."""
    yield from _attributes(fragment, "a", "href")


def _attributes(fragment: str, tag: str, name: str) -> Iterator[str]:
    """The value of attribute ``name`` of each ``tag`` element, quoted either way, decoded."""
    pattern = rf"""<{tag}\b[^>]*?\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)')"""
    for double, single in re.findall(pattern, fragment, re.I):
        value = html.unescape(double or single)
        if value:
            yield value


def _html_images(fragment: str) -> Iterator[str]:
    """The ``src`` of each <img> in an HTML fragment, entities decoded."""
    yield from _attributes(fragment, "img", "src")


def rewrite_files(fragment: str, published: Callable[[str], str | None]) -> str:
    """Point each <img src> and <a href> at ``published(src)``, where that is not None.

    Sanitised HTML always quotes attribute values with double quotes, so one pattern finds
    them all; ``published`` is asked only for what the fragment really shows.
    """

    def swap(match: re.Match[str]) -> str:
        src = html.unescape(match.group(2))
        target = published(src)
        return match.group(0) if target is None else (
            match.group(1) + html.escape(target, quote=True) + match.group(3))

    return _FILE_ATTRIBUTE.sub(swap, fragment)


_FILE_ATTRIBUTE = re.compile(r'(<(?:img\b[^>]*\bsrc|a\b[^>]*\bhref)=")([^"]*)(")')


def slugify(text: str) -> str:
    """A lower-case ASCII slug for anchors and file names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "section"


@lru_cache(maxsize=64)
def direction(language: str) -> str:
    """``"rtl"`` for a language written right to left (Arabic, Hebrew, Persian, Urdu...),
    as Babel's locale data says (its character order), else ``"ltr"``."""
    try:
        order = Locale.parse(language.replace("-", "_")).character_order
    except (UnknownLocaleError, ValueError, TypeError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def language_tag(language: str) -> str:
    """A course's language code (Babel's ``pt_BR``) as the BCP 47 tag that HTML ``lang``,
    ``xml:lang`` and LOM's language field take (``pt-BR``)."""
    return language.replace("_", "-")
