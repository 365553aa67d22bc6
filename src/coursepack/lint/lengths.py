"""Rules on option length: a correct answer that stands out by its length alone."""

from __future__ import annotations

from collections.abc import Iterator

from coursepack.errors import Problem, warning
from coursepack.lint._content import plain
from coursepack.model import Course, MultipleResponse, SingleChoice

LONGEST_RATIO = 1.3
"""The correct option is flagged when it is this many times longer than every other..."""
LONGEST_MARGIN = 12
"""...and longer by at least this many characters."""
UNEVEN_RATIO = 3.0
"""Options are uneven when the longest is this many times the shortest..."""
UNEVEN_MARGIN = 40
"""...and longer by at least this many characters."""


def longest_correct(course: Course) -> Iterator[Problem]:
    """The correct option of a single-choice question is the longest by a clear margin."""
    for _, q in course.questions():
        if not isinstance(q, SingleChoice) or len(q.choices) < 3:
            continue
        right = [len(plain(c.text)) for c in q.choices if c.correct]
        wrong = [len(plain(c.text)) for c in q.choices if not c.correct]
        if len(right) != 1 or not wrong:
            continue
        if right[0] >= LONGEST_RATIO * max(wrong) and right[0] - max(wrong) >= LONGEST_MARGIN:
            yield warning(
                q.origin,
                f"question '{q.id}': the correct option is the longest by far "
                f"({right[0]} characters, the next longest {max(wrong)})",
                hint="learners pick the longest option when unsure; shorten it or give the "
                "distractors the same detail",
                rule="longest-correct",
            )


def uneven_options(course: Course) -> Iterator[Problem]:
    """Options of very different length draw the eye whichever one is right."""
    for _, q in course.questions():
        if not isinstance(q, SingleChoice | MultipleResponse) or len(q.choices) < 2:
            continue
        lengths = [len(plain(c.text)) for c in q.choices]
        short, long = min(lengths), max(lengths)
        if long >= UNEVEN_RATIO * max(short, 1) and long - short >= UNEVEN_MARGIN:
            yield warning(
                q.origin,
                f"question '{q.id}': options range from {short} to {long} characters",
                hint="write options of about the same length and grammatical form",
                rule="uneven-options",
            )


LENGTH_RULES = {
    "longest-correct": longest_correct,
    "uneven-options": uneven_options,
}
