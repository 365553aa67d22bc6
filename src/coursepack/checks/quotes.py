"""Finding a quote in its source, verbatim after normalisation, or the passage nearest to it.

Normalisation, applied to quote and source alike: NFKC; curly quotes to straight;
(in the source only) a word split by a line-end hyphen joined again; every run of
whitespace collapsed to one space. Nothing else is forgiven: a changed word, a
"corrected" spelling or a quote spanning a page header is not found.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_SHORTLIST = 8
_LINE_END_HYPHEN = re.compile(r"-[ \t]*\n\s*")


def normalise(text: str, *, join_hyphens: bool = False) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    if join_hyphens:
        text = _LINE_END_HYPHEN.sub("", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Passage:
    """A stretch of a source: its normalised words and the source line it starts on."""

    text: str
    line: int
    similarity: float


@dataclass(frozen=True)
class IndexedSource:
    words: tuple[str, ...]
    lines: tuple[int, ...]
    normalised: str


@lru_cache(maxsize=64)
def index(source_text: str) -> IndexedSource:
    """The source's normalised words, each with the 1-based line it starts on."""
    words: list[str] = []
    lines: list[int] = []
    for offset, raw in _joined_words(source_text):
        line = source_text.count("\n", 0, offset) + 1
        for word in normalise(raw).split(" "):
            if word:
                words.append(word)
                lines.append(line)
    return IndexedSource(tuple(words), tuple(lines), " ".join(words))


def _joined_words(text: str) -> list[tuple[int, str]]:
    """Whitespace-separated words with line-end hyphens joined, each with its offset in ``text``."""
    out: list[tuple[int, str]] = []
    glue = False
    for match in re.finditer(r"\S+", text):
        word, offset = match.group(), match.start()
        if glue and out:
            out[-1] = (out[-1][0], out[-1][1] + word)
        else:
            out.append((offset, word))
        glue = word.endswith("-") and bool(_LINE_END_HYPHEN.match(text, match.end() - 1))
        if glue:
            out[-1] = (out[-1][0], out[-1][1][:-1])
    return out


def found(quote: str, source_text: str) -> bool:
    needle = normalise(quote)
    return bool(needle) and needle in index(source_text).normalised


def nearest(quote: str, source_text: str) -> Passage | None:
    """The passage of the source most like the quote, word for word."""
    indexed = index(source_text)
    target = normalise(quote).split(" ")
    size = len(target)
    if not indexed.words or not target:
        return None
    candidates: list[tuple[float, int]] = []
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    for start in range(max(1, len(indexed.words) - size + 1)):
        matcher.set_seq1(indexed.words[start : start + size])
        floor = candidates[-1][0] if len(candidates) >= _SHORTLIST else -1.0
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        candidates.append((matcher.ratio(), start))
        candidates = sorted(candidates, key=lambda c: -c[0])[:_SHORTLIST]
    # Word windows tie easily; letters tell "one idea" from "two ideas" apart.
    wanted = " ".join(target)
    ratio, start = max(
        (difflib.SequenceMatcher(None, " ".join(indexed.words[s : s + size]), wanted).ratio(), s)
        for _, s in candidates
    )
    words = indexed.words[start : start + size]
    return Passage(" ".join(words), indexed.lines[start], ratio)


def first_difference(quote: str, passage: str) -> str:
    """Describe the first word where the quote departs from the passage."""
    a, b = normalise(quote).split(" "), passage.split(" ")
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "replace":
            return (
                f"the quote has '{' '.join(a[i1:i2])}' where the source has '{' '.join(b[j1:j2])}'"
            )
        if tag == "delete":
            return f"the source does not have '{' '.join(a[i1:i2])}' here"
        if tag == "insert":
            return f"the quote leaves out '{' '.join(b[j1:j2])}'"
    return ""
