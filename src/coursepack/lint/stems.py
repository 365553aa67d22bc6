"""Rules on the stem: a negative a hurried reader can miss."""

from __future__ import annotations

import re
from collections.abc import Iterator

from coursepack.errors import Problem, warning
from coursepack.model import Course, Description, Essay, Question

NEGATIVE = re.compile(
    r"\b(?:not|never|except|(?<!\bat )least|cannot|\w+n['’]t)\b",
    re.IGNORECASE,
)
_EMPHASIS = (
    re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"),
    re.compile(r"(?<![*\w])([*_])(?=\S)(.+?)(?<=\S)\1(?![*\w])"),
    re.compile(r"<(em|strong|b|i|u)\b[^>]*>(.+?)</\1>", re.IGNORECASE),
)
_SENTENCE_END = re.compile(r"(?<=[.?!:])\s+")


def asking_sentences(stem: str) -> list[str]:
    """The sentences that ask: every question and the last sentence (scenario set-up is skipped)."""
    sentences = [s for s in _SENTENCE_END.split(" ".join(stem.split())) if s]
    if not sentences:
        return []
    return [s for s in sentences[:-1] if s.endswith("?")] + [sentences[-1]]


def emphasised_spans(text: str) -> list[tuple[int, int]]:
    """Where the text is in bold, italics or underlined, as (start, end) offsets."""
    return [m.span() for pattern in _EMPHASIS for m in pattern.finditer(text)]


def bare_negatives(stem: str) -> list[str]:
    """The negatives in the asking sentences that are neither in capitals nor emphasised."""
    found = []
    for sentence in asking_sentences(stem):
        spans = emphasised_spans(sentence)
        for m in NEGATIVE.finditer(sentence):
            word = m.group(0)
            if word.isupper() or any(a <= m.start() and m.end() <= b for a, b in spans):
                continue
            found.append(word)
    return found


def unemphasised_negative(course: Course) -> Iterator[Problem]:
    """A stem that asks with NOT, NEVER or EXCEPT must make the word stand out."""
    for _, q in course.questions():
        if not _asks(q):
            continue
        words = bare_negatives(q.stem)
        if words:
            yield warning(
                q.origin,
                f"question '{q.id}': the stem asks with '{words[0]}' but does not make it "
                "stand out",
                hint=f"write it in capitals or bold (**{words[0].upper()}**), or ask the "
                "question the positive way",
                rule="unemphasised-negative",
            )


def _asks(q: Question) -> bool:
    return not isinstance(q, Description | Essay)


STEM_RULES = {"unemphasised-negative": unemphasised_negative}
