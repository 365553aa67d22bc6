"""Rules across a quiz: where the correct answers sit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from coursepack.errors import Problem, warning
from coursepack.model import Course, SingleChoice

MIN_QUESTIONS = 4
"""Fewer single-choice questions than this say nothing about a pattern."""
MAX_SHARE = 0.5
"""More than this share of correct answers in one position is a pattern learners find."""


def answer_position(course: Course) -> Iterator[Problem]:
    """Correct answers piling up in one position (e.g. mostly option A) across a quiz."""
    for quiz in course.quizzes:
        singles = [q for q in quiz.questions if isinstance(q, SingleChoice)]
        positions = [q.correct_index for q in singles if sum(c.correct for c in q.choices) == 1]
        if len(positions) < MIN_QUESTIONS:
            continue
        position, count = Counter(positions).most_common(1)[0]
        if count / len(positions) > MAX_SHARE:
            letter = chr(ord("A") + position)
            yield warning(
                quiz.origin,
                f"quiz '{quiz.id}': {count} of {len(positions)} single-choice answers are "
                f"option {letter} (position {position + 1})",
                hint="spread the correct answers over the positions; shuffle_options hides the "
                "pattern online, but printed copies and some exports keep the written order",
                rule="answer-position",
            )


POSITION_RULES = {"answer-position": answer_position}
