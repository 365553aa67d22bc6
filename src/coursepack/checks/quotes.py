"""Finding a quote in its source, verbatim after normalisation, or the passage nearest to it.

Normalisation, applied to quote and source alike: characters written for one another made
one (typographic quotation marks and apostrophes, hyphens), NFKC; (in the source only) a word
split by a line-end hyphen joined again, with or without its hyphen, whatever ends the line
(LF, CRLF, CR, a form feed between pages); every run of whitespace collapsed to one space.
A quote is found as whole words: "safe water" is not in "Unsafe water" (in scripts written
without spaces, any stretch). Nothing else is forgiven: a changed word, a "corrected"
spelling or a quote spanning a page header is not found.
"""

from __future__ import annotations

import difflib
import heapq
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from coursepack._yaml import LINE_END, scalar_ends
from coursepack.errors import Origin, Problem, warning
from coursepack.model import Course, Markdown, Source
from coursepack.model.text import markdown_texts

#: Characters written for one another, made one before NFKC (which would make an acute
#: accent used as an apostrophe a space and an accent): typographic quotation marks and
#: apostrophes, hyphens; and what is not read at all: the soft hyphen, the Arabic tatweel
#: that stretches a word.
_SAME = (("\u2018", "'"), ("\u2019", "'"), ("\u201a", "'"), ("\u201b", "'"), ("\u02bc", "'"),
         ("\u00b4", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u201e", '"'), ("\u201f", '"'),
         ("\u2010", "-"), ("\u2011", "-"), ("\u0640", ""))
_SHORTLIST = 8
_LINE_BREAK = r"(?:\r\n|[\n\r\x0b\x0c\x85\u2028\u2029])"
#: A word split at a line end: a hyphen right after a letter (not a dash: "refugees -",
#: "protection--"), or a soft hyphen.
_LINE_END_HYPHEN = re.compile(  # begins with a class: a quick scan of 5 MB (0.01 s, not 0.15 s)
    r"[-\u00ad](?:(?<=\w-)(?<!_-)|(?<=\u00ad))[ \t]*" + _LINE_BREAK + r"\s*")


def normalise(text: str, *, join_hyphens: bool = False, keep_hyphens: bool = False) -> str:
    """The text as quotes are compared: see the module's docstring. ``join_hyphens``: a
    word split at a line end joined (a source's); ``keep_hyphens`` with it: a compound
    split at its hyphen joined with the hyphen ("non-refoulement")."""
    for written, same in _SAME:  # str.translate with a table: 0.28 s, not 0.01 s, on 5 MB
        text = text.replace(written, same)
    text = unicodedata.normalize("NFKC", text)
    if join_hyphens and keep_hyphens:
        text = _LINE_END_HYPHEN.sub(lambda found: found.group()[0].replace("\u00ad", ""), text)
    elif join_hyphens:
        text = _LINE_END_HYPHEN.sub("", text)
    return " ".join(text.replace("\u00ad", "").split())


@dataclass(frozen=True)
class Passage:
    """A stretch of a source: its normalised words and the source line it starts on."""

    text: str
    line: int
    similarity: float


@dataclass(frozen=True)
class IndexedSource:
    words: tuple[str, ...]
    lines: Sequence[int]


@lru_cache(maxsize=16)  # a source may be 50 MB: a long preview session keeps few
def index(source_text: str) -> IndexedSource:
    """The source's normalised words, each with the 1-based line it starts on.

    Made for a 50 MB source, so lean: each distinct word is kept once, the lines as an
    array of numbers. And quick: a line of plain ASCII whose words are whole (none split
    at its end, no page break inside it) is already normalised (NFKC changes no ASCII, the
    quotes it straightens are not ASCII), so its words are taken as ``str.split`` gives
    them; only the other lines are read word by word.
    """
    words: list[str] = []
    lines = array("I")
    distinct: dict[str, str] = {}

    def add(number: int, word: str) -> None:
        for normalised in (word,) if word.isascii() else normalise(word).split(" "):
            if normalised:
                words.append(distinct.setdefault(normalised, normalised))
                lines.append(number)

    held: tuple[int, str] | None = None  # a word split at a line end: its line, its start
    pieces = LINE_END.split(source_text)
    for number, line in enumerate(pieces, 1):
        raw = line.split()
        if not raw:
            continue
        if (held is None and line.isascii() and "\x0b" not in line and "\x0c" not in line
                and not raw[-1].endswith("-")):
            words.extend(map(distinct.setdefault, raw, raw))
            lines.extend(array("I", [number]) * len(raw))
            continue
        joined, held = _joined_words(line + "\n" if number < len(pieces) else line,
                                     number, held)
        for at, word in joined:
            add(at, word)
    if held is not None:  # the source ends in a hyphen
        add(*held)
    return IndexedSource(tuple(words), lines)


def line_starts(text: str) -> list[int]:
    """The offset at which each line of ``text`` starts (the first is 0)."""
    return [0, *(m.end() for m in LINE_END.finditer(text))]


def _joined_words(line: str, number: int, held: tuple[int, str] | None,
                  ) -> tuple[list[tuple[int, str]], tuple[int, str] | None]:
    """The words of ``line`` (line ``number``, with the break that ends it), each with the
    line it starts on, and the word split at its end if one is: a word split at a line end
    is joined to the rest of it, as ``held`` is, a split word from a line before."""
    joined: list[tuple[int, str]] = []
    for match in re.finditer(r"\S+", line):
        word, at = match.group(), number
        if held is not None:
            (at, start), held = held, None
            word = start + word
        if word.endswith("-") and _LINE_END_HYPHEN.match(line, match.end() - 1):
            held = (at, word[:-1])
        else:
            joined.append((at, word))
    return joined, held


@lru_cache(maxsize=16)
def searchable(source_text: str) -> str:
    """The whole source normalised at once, as quotes are looked for in it: a few passes
    over the text, not one per word (``index``, with each word's line, is made only when
    a quote is not found and the nearest passage is wanted)."""
    return normalise(source_text, join_hyphens=True)


@lru_cache(maxsize=16)
def with_hyphens(source_text: str) -> str:
    """The source normalised with its line-end compounds kept whole ("non-refoulement"),
    where ``searchable`` joins every split word ("nonrefoulement"): a quote is looked for
    in both."""
    return normalise(source_text, join_hyphens=True, keep_hyphens=True)


@lru_cache(maxsize=4096)  # a course quotes the same words in several places
def found(quote: str, source_text: str) -> bool:
    needle = normalise(quote)
    return any(locate(needle, text) >= 0 for text in _forms(source_text, needle))


def _forms(source_text: str, needle: str) -> Iterator[str]:
    """The source as ``needle`` is looked for in it: its words joined at line ends, then,
    for a needle with a hyphen in a source with a line-end hyphen, its compounds kept."""
    yield searchable(source_text)
    if "-" in needle and _LINE_END_HYPHEN.search(source_text) is not None:
        yield with_hyphens(source_text)


def locate(needle: str, haystack: str, start: int = 0, *, whole_start: bool = True,
           whole_end: bool = True) -> int:
    """Where ``needle`` (normalised) is in ``haystack`` from ``start`` on, as whole words
    (at its start unless ``whole_start`` is False, at its end unless ``whole_end`` is);
    -1 if it is not, or if it has no letter or digit (an ellipsis, a full stop)."""
    if not any(char.isalnum() for char in needle):
        return -1
    opens_word = whole_start and _in_word(needle[0])
    closes_word = whole_end and _in_word(needle[-1])
    at = haystack.find(needle, start)
    while at >= 0:
        end = at + len(needle)
        if not (opens_word and not _word_starts(haystack, at)) and not (
                closes_word and end < len(haystack) and _in_word(haystack[end])):
            return at
        at = haystack.find(needle, at + 1)
    return -1


def _word_starts(haystack: str, at: int) -> bool:
    """Whether a word starts at ``at``, or the rest of an Arabic word after what Arabic
    writes joined to a word and a quotation may leave out, as an English one leaves out
    "and" or "with the": "الحماية" in "والحماية" (and the protection)."""
    if at == 0 or not _in_word(haystack[at - 1]):
        return True
    begin = at
    while begin > 0 and _in_word(haystack[begin - 1]) and at - begin <= _JOINED_MOST:
        begin -= 1
    if begin > 0 and _in_word(haystack[begin - 1]):
        return False  # inside a longer word
    joined, rest = (_letters(text) for text in (haystack[begin:at], haystack[at:at + 8]))
    return any(before.fullmatch(joined) and after.match(rest)
               for before, after in _JOINED_BEFORE)


def _letters(text: str) -> str:
    return "".join(char for char in text if not unicodedata.category(char).startswith("M"))


#: What Arabic writes joined before a word, as (what is left out, what the rest must start
#: with). Only before a word with the article: a conjunction و ف (and, so), a preposition
#: ب ك ل (with, like, for), or both, before ال (the) or, for a conjunction, before a
#: preposition and the article (ل and ال are written لل); or all of it, the article too.
#: Other words that start with those letters are words of their own (كان "was" is not ك
#: "like" and ان), and a word without the article tells nothing: it is not left out there.
_ARTICLE = "\u0627\u0644"
_JOINED_BEFORE = (
    (re.compile("[\u0648\u0641]"), re.compile(f"[\u0628\u0643]?{_ARTICLE}|\u0644\u0644")),
    (re.compile("[\u0648\u0641]?[\u0628\u0643\u0644]"), re.compile(_ARTICLE)),
    (re.compile(f"[\u0648\u0641]?(?:[\u0628\u0643]?{_ARTICLE}|\u0644\u0644)"), re.compile("")),
)
_JOINED_MOST = 8  # letters and vowel marks


def _in_word(char: str) -> bool:
    """Whether ``char`` can be inside a word that spaces set apart. Not a character of a
    script written without spaces between words (Chinese, Japanese, Thai, ...) or whose
    particles join the word (Korean): there any stretch of text may be quoted."""
    if not (char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")):
        return False
    code = ord(char)
    return not any(low <= code <= high for low, high in _WITHOUT_SPACES)


#: Scripts whose words no space sets apart: Thai, Lao, Tibetan, Myanmar, Khmer, Hangul,
#: the CJK ideographs, kana and their compatibility forms.
_WITHOUT_SPACES = ((0x0E00, 0x0FFF), (0x1000, 0x109F), (0x1100, 0x11FF), (0x1780, 0x17FF),
                   (0x2E80, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF),
                   (0xFF66, 0xFFDC), (0x20000, 0x3FFFF))


def nearest(quote: str, source_text: str) -> Passage | None:
    """The passage of the source most like the quote, word for word; None if the source
    is empty or no passage has a word of a quote of several words."""
    indexed = index(source_text)
    target = normalise(quote).split(" ")
    size = len(target)
    if not indexed.words or not target:
        return None
    candidates: list[tuple[float, int]] = []
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    for start in _starts(indexed.words, target):
        matcher.set_seq1(indexed.words[start : start + size])
        floor = candidates[-1][0] if len(candidates) >= _SHORTLIST else -1.0
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            continue
        candidates.append((matcher.ratio(), start))
        candidates = sorted(candidates, key=lambda c: -c[0])[:_SHORTLIST]
    if size > 1 and candidates[0][0] == 0:
        return None  # no passage has a word of the quote: none is nearer than another
    # Word windows tie easily; letters tell "one idea" from "two ideas" apart (over the
    # first letters only: a "word" of megabytes, a blob of base64, would take seconds).
    wanted = " ".join(target)[:_LETTERS_COMPARED]
    ratio, start = max(
        (difflib.SequenceMatcher(None, " ".join(indexed.words[s : s + size])[:_LETTERS_COMPARED],
                                 wanted).ratio(), s)
        for _, s in candidates
    )
    words = indexed.words[start : start + size]
    return Passage(" ".join(words), indexed.lines[start], ratio)


#: The letters of a passage and of the quote compared to choose among the likeliest.
_LETTERS_COMPARED = 2000
#: Up to this many words, every passage of a source is compared with the quote.
_EVERY_PASSAGE = 50_000
#: In a longer source, the passages sharing the most words with the quote are compared.
_LIKELY_PASSAGES = 512


def _starts(words: tuple[str, ...], target: list[str]) -> Iterable[int]:
    """Where the passages worth comparing with the quote start: all of them in a short
    source; in a long one (a handbook), those with the most of the quote's words, among
    the passages that line up a word of the source with the same word of the quote."""
    size = len(target)
    last = max(1, len(words) - size + 1)
    if len(words) <= _EVERY_PASSAGE:
        return range(last)
    wanted = set(target)
    found = [at for at, word in enumerate(words) if word in wanted]
    if not found:
        return range(min(last, _LIKELY_PASSAGES))
    first: dict[str, int] = {}  # each word's first place in the quote: a passage is aligned on it
    for at, word in enumerate(target):
        first.setdefault(word, at)
    starts = sorted({min(max(0, at - first[words[at]]), last - 1) for at in found})

    def shared(start: int) -> int:
        return bisect_left(found, start + size) - bisect_left(found, start)

    return sorted(heapq.nlargest(_LIKELY_PASSAGES, starts, key=shared))


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


# --- Quotation marks inside Markdown texts ---------------------------------------------
#
# A passage an author puts in double quotation marks inside a lesson, a note or a question
# claims to be a source's words. From ``MIN_WORDS`` words on (shorter ones are mostly
# terms) it must be found in a source of the course, normalised as a structured quote is
# (its first letter's case aside), be the title of a part of the course or of a source, or
# be marked as not a source quote:  "one foot in, one foot out"<!-- not a source quote -->.
# The mark is an HTML comment, so every format drops it from what a learner sees.

MIN_WORDS = 4
NOT_A_QUOTE = "<!-- not a source quote -->"
_PAIRS = {'"': '"', "\u201c": "\u201d", "\u201e": "\u201c", "\u00ab": "\u00bb"}
_OPENING = re.compile("[" + "".join(_PAIRS) + "]")
_MARK = re.compile(r"[ \t]*<!--\s*not\s+a\s+source\s+quote\s*-->", re.IGNORECASE)
# Where quotation marks are not the author's prose: code, HTML tags (attribute values,
# comments), and the destination and title of a Markdown link or image.
_NOT_PROSE = re.compile(
    r"^(```|~~~).*?^\1|(`+)(?!`).+?(?<!`)\2(?!`)|<!--.*?-->|<[^>\n]*>|\]\([^)\n]*\)",
    re.DOTALL | re.MULTILINE,
)
_DOTS = r"(?:\.\.\.|\u2026)"
#: An omission: "...", "…", and the same in brackets or parentheses ("[...]", "(…)").
_ELLIPSIS = re.compile(r"\s*(?:\[\s*" + _DOTS + r"\s*\]|\(\s*" + _DOTS + r"\s*\)|" + _DOTS
                       + r")\s*")
#: An insertion: "[sic]", "[the refugees]", "[T]he", "refugee[s]".
_INSERTION = re.compile(r"\[[^\]]*\]")
_EDITORIAL = re.compile(_ELLIPSIS.pattern + "|" + r"\s*\[[^\]]*\]\s*")
#: What ends a quoting sentence or sets off a quotation inside it, in the scripts courses
#: are written in: dropped from the ends of a passage's parts.
_ENDS = (" ,;:.!?\u060c\u061b\u061f\u3001\u3002\uff01\uff0c\uff1a\uff1b\uff1f"
         "\"'\u2018\u2019\u201c\u201d\u00ab\u00bb")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class QuotedPassage:
    """A passage in quotation marks: its words and where its opening mark is in the text."""

    text: str
    offset: int
    marked: bool


def quoted_passages(markdown: str) -> list[QuotedPassage]:
    """The passages in double quotation marks in a Markdown text, outside code and tags.

    A passage does not run over a blank line (a paragraph break), so an unclosed mark costs
    one paragraph, not the rest of the text.
    """
    if _OPENING.search(markdown) is None:
        return []  # no opening mark at all: nothing to blank out or look for
    prose = _NOT_PROSE.sub(lambda m: " " * len(m.group()), markdown)
    found: list[QuotedPassage] = []
    position = 0
    while (opening := _OPENING.search(prose, position)) is not None:
        start = opening.end()
        closing = prose.find(_PAIRS[opening.group()], start)
        paragraph_end = prose.find("\n\n", start)
        if closing < 0 or (0 <= paragraph_end < closing):
            position = start
            continue
        marked = _MARK.match(markdown, closing + 1) is not None
        found.append(QuotedPassage(markdown[start:closing], opening.start(), marked))
        position = closing + 1
    return found


def claims_words(passage: str) -> bool:
    """Whether a quoted passage is long enough to claim to be a source's words: words set
    apart by spaces, or twice as many characters of a script written without spaces."""
    text = normalise(passage)
    words = sum(1 for w in text.split(" ") if _WORD.search(w))
    unspaced = sum(1 for char in text if char.isalnum() and not _in_word(char))
    return words >= MIN_WORDS or unspaced >= 2 * MIN_WORDS


@dataclass(frozen=True)
class Fragment:
    """A run of a quoted passage to look for, and whether an insertion touches its start or
    its end ("[T]he State", "the refugee[s]"): there it may be part of a word."""

    text: str
    open_start: bool = False
    open_end: bool = False


def fragments(passage: str) -> list[str]:
    """The runs of a quoted passage to look for: an ellipsis or a bracketed insertion ([sic],
    [the refugees]) splits it, and punctuation that ends the quoting sentence is dropped."""
    return [piece.text for piece in _pieces(passage)]


def _pieces(passage: str) -> list[Fragment]:
    pieces: list[Fragment] = []
    at, touching = 0, False
    for mark in [*_EDITORIAL.finditer(passage), None]:
        end = len(passage) if mark is None else mark.start()
        text = passage[at:end].strip().strip(_ENDS)
        touches_next = mark is not None and mark.group().startswith("[")
        if text:
            pieces.append(Fragment(text, touching, touches_next))
        if mark is not None:
            at, touching = mark.end(), mark.group().endswith("]")
    return pieces


def passage_found(passage: str, source_texts: Iterable[str]) -> bool:
    """The fragments of the passage are in one of the sources, in their order, as whole
    words; and where an ellipsis splits it, each part has two words at least (single words
    found one after another prove nothing: "Never ... safe").

    A fragment's first letter may differ in case from the source's: a quotation that starts
    a sentence of the course capitalises it, one that runs on in a sentence lowers it.
    """
    pieces = [Fragment(normalise(p.text), p.open_start, p.open_end) for p in _pieces(passage)]
    if not pieces or _a_word_alone(passage):
        return False
    joined = " ".join(piece.text for piece in pieces)
    return any(_in_order(pieces, form) for text in source_texts
               for form in _forms(text, joined))


def _a_word_alone(passage: str) -> bool:
    """Whether an ellipsis leaves a single word between two of its parts (or at an end);
    an insertion may stand beside one word: "They [the refugees] were protected"."""
    parts = [part for part in _ELLIPSIS.split(passage) if part.strip(_ENDS)]
    return len(parts) > 1 and any(
        len(normalise(_INSERTION.sub(" ", part).strip(_ENDS)).split(" ")) < 2
        and not any(not _in_word(char) and char.isalnum() for char in part)
        for part in parts)


def _in_order(pieces: list[Fragment], haystack: str) -> bool:
    at = 0
    for piece in pieces:
        places = [(where, len(form)) for form in _first_letter_forms(piece.text)
                  if (where := locate(form, haystack, at, whole_start=not piece.open_start,
                                      whole_end=not piece.open_end)) >= 0]
        if not places:
            return False
        where, length = min(places)
        at = where + length
    return True


def _first_letter_forms(part: str) -> tuple[str, ...]:
    head = part[:1]
    others = [_TURKISH.get(head, head.lower() if head.isupper() else head.upper())]
    if head in _TURKISH:  # "istanbul" may be "İstanbul" or "Istanbul"
        others.append(head.upper() if head.islower() else head.lower())
    return (part, *(other + part[1:] for other in dict.fromkeys(others)
                    if len(other) == 1 and other != head))


#: The dotted and dotless i of Turkish and Azerbaijani, in the other case.
_TURKISH = {"i": "\u0130", "\u0130": "i", "\u0131": "I", "I": "\u0131"}


def opening_position(markdown: str, offset: int, file_text: str, start: Origin,
                     end: int | None = None) -> Origin:
    """Where the opening mark at ``offset`` of a text read from ``start`` is in its file.

    A YAML scalar may be folded, indented or escaped, so the text's own lines are not the
    file's; but the opening mark and the word after it are mostly written as they are. The
    k-th such key in the text is the k-th in the file from where the text's value starts,
    if that is before ``end``, where the value ends (an escaped mark is not: then the
    value's start is said, not a place in the next field).
    """
    key = re.match(r"\S+", markdown[offset:])
    if key is None:
        return start
    nth = markdown.count(key.group(), 0, offset)
    starts = line_starts(file_text)
    if not 0 < start.line <= len(starts):
        return start
    at = starts[start.line - 1] + max(start.column - 1, 0)
    for _ in range(nth + 1):
        at = file_text.find(key.group(), at, len(file_text) if end is None else end)
        if at < 0:
            return start
        at += 1
    at -= 1
    line = bisect_right(starts, at)
    return Origin(start.path, line, at - starts[line - 1] + 1)


def inline_quotes(course: Course) -> Iterator[Problem]:
    """Every passage in quotation marks that claims a source's words it does not have."""
    if any(s.unread for s in course.sources):
        return  # a passage may be from the text that could not be read (already reported)
    files: dict[str, str] = {}
    ends: dict[str, dict[tuple[int, int], int]] = {}
    titles = _titles(course)
    for text, nearest_in, fallback in _texts_to_check(course):
        for passage in quoted_passages(text):
            if passage.marked or not claims_words(passage.text):
                continue
            if _title_key(passage.text) in titles:
                continue  # "Read the lesson "One idea per question" again" names, not quotes
            if passage_found(passage.text, (s.text for s in course.sources)):
                continue
            where = text.origin or fallback
            if where is not None:
                where = _exact(course, text, passage.offset, where, files, ends)
            yield warning(
                where,
                f'quoted passage "{_short(passage.text)}" is not in the sources',
                _inline_hint(passage.text, nearest_in or course.sources),
                rule="inline-quote",
            )


def _titles(course: Course) -> set[str]:
    """The titles of the course and its parts, and of its sources, as ``_title_key`` has them."""
    named = [course.title, *(s.title for s in course.sources), *(q.title for q in course.quizzes)]
    for module in course.modules:
        named += [module.title, *(lesson.title for lesson in module.lessons)]
        named += [term.term for lesson in module.lessons for term in lesson.key_terms]
    named += [q.title for _, q in course.questions() if q.title]
    return {_title_key(t) for t in named if t}


def _title_key(text: str) -> str:
    return normalise(text).strip(" ,;:.!?").casefold()


def _texts_to_check(
    course: Course,
) -> Iterator[tuple[Markdown, tuple[Source, ...], Origin | None]]:
    """Each Markdown text, the sources its nearest passage is sought in first, and the
    place to report when the text has no origin of its own."""
    every = course.sources
    yield from ((t, every, course.origin) for t in markdown_texts(course.description))
    for module in course.modules:
        used = {q.source for lesson in module.lessons for q in lesson.quotes}
        own = tuple(s for s in every if s.id in used)
        parts = (module.description, module.objectives, module.facilitator)
        yield from ((t, own, module.origin) for t in markdown_texts(parts))
        for lesson in module.lessons:
            named = {q.source for q in lesson.quotes}
            sources = tuple(s for s in every if s.id in named)
            yield from ((t, sources, lesson.origin) for t in markdown_texts(lesson))
    for quiz in course.quizzes:
        yield from ((t, every, quiz.origin) for t in markdown_texts(quiz.description))
    for _, question in course.questions():
        ref = question.source.source if question.source else ""
        sources = tuple(s for s in every if s.id == ref)
        yield from ((t, sources, question.origin) for t in markdown_texts(question))


def _exact(course: Course, text: str, offset: int, start: Origin,
           files: dict[str, str], ends: dict[str, dict[tuple[int, int], int]]) -> Origin:
    """The opening mark's line and column, read from the spec file only for a problem."""
    if start.path not in files:
        try:
            files[start.path] = (course.root / start.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            files[start.path] = ""
        ends[start.path] = scalar_ends(files[start.path])
    if not files[start.path]:
        return start
    return opening_position(text, offset, files[start.path], start,
                            ends[start.path].get((start.line, start.column)))


def _short(passage: str) -> str:
    words = " ".join(passage.split())
    return words if len(words) <= 70 else words[:67].rstrip() + "..."


def _inline_hint(passage: str, sources: Iterable[Source]) -> str:
    missing = next(
        (part for part in fragments(passage)
         if not any(found(part, s.text) for s in sources)),
        passage,
    )
    best: tuple[Passage, Source] | None = None
    for source in sources:
        near = nearest(missing, source.text)
        if near is not None and (best is None or near.similarity > best[0].similarity):
            best = (near, source)
    lines = []
    if best is not None:
        near, source = best
        lines.append(f'nearest passage ({source.relpath}, line {near.line}): "{near.text}"')
        diff = first_difference(missing, near.text)
        if diff:
            lines.append(diff)
    if _a_word_alone(passage):
        lines.append("each part of the quote between '...' must be two words or more")
    lines.append("quote the source word for word, or put the words outside quotation marks;")
    lines.append(f"words that are not a source's (a title, a label, a made-up remark) can be "
                 f'marked: "..."{NOT_A_QUOTE}')
    return "\n".join(lines)
