"""Rules on single questions and pools: answers that make sense, tolerances, pool sizes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from coursepack.errors import Problem, error
from coursepack.model import (
    BlankKind,
    Course,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    Tolerance,
)

_BLANK = re.compile(r"\[\[\s*([^\]]*?)\s*\]\]")


def one_correct_choice(q: Question) -> Iterator[Problem]:
    if isinstance(q, SingleChoice):
        correct = sum(c.correct for c in q.choices)
        if correct != 1:
            yield error(
                q.origin,
                f"single-choice question '{q.id}' needs exactly one correct choice "
                f"(found {correct})",
                "mark one choice 'correct: true', or use type: multiple",
            )
        if len(q.choices) < 2:
            yield error(q.origin, f"question '{q.id}' needs at least two choices")


def some_correct_choice(q: Question) -> Iterator[Problem]:
    if isinstance(q, MultipleResponse):
        if not any(c.correct for c in q.choices):
            yield error(
                q.origin,
                f"multiple-response question '{q.id}' has no correct choice",
                "mark at least one choice 'correct: true'",
            )
        if len(q.choices) < 2:
            yield error(q.origin, f"question '{q.id}' needs at least two choices")


def distinct_choices(q: Question) -> Iterator[Problem]:
    if isinstance(q, SingleChoice | MultipleResponse):
        seen: set[str] = set()
        for choice in q.choices:
            key = " ".join(choice.text.split()).casefold()
            if key in seen:
                yield error(
                    choice.origin, f"question '{q.id}' offers the choice '{choice.text}' twice"
                )
            seen.add(key)


def _numeric_problems(answer: NumericAnswer, what: str) -> Iterator[Problem]:
    if answer.mode in (Tolerance.ABSOLUTE, Tolerance.PERCENT) and answer.tolerance < 0:
        yield error(
            answer.origin,
            f"{what}: tolerance must not be negative (got {answer.tolerance:g})",
            "a tolerance is a distance either side of the answer, e.g. tolerance: 0.5",
        )
    if answer.mode is Tolerance.RANGE and answer.low > answer.high:
        yield error(
            answer.origin,
            f"{what}: range [{answer.low:g}, {answer.high:g}] is reversed",
            "write the lowest accepted value first",
        )


def tolerances(q: Question) -> Iterator[Problem]:
    if isinstance(q, Numeric):
        yield from _numeric_problems(q.answer, f"question '{q.id}'")
    if isinstance(q, FillBlanks):
        for blank in q.blanks:
            if blank.numeric is not None:
                yield from _numeric_problems(blank.numeric, f"blank '{blank.id}' of '{q.id}'")


def blanks_match_text(q: Question) -> Iterator[Problem]:
    if not isinstance(q, FillBlanks):
        return
    used = _BLANK.findall(q.text)
    declared = [b.id for b in q.blanks]
    for name in sorted(set(used) - set(declared)):
        yield error(
            q.origin,
            f"question '{q.id}' has [[{name}]] in its text but no blank '{name}'",
            f"declared blanks: {', '.join(declared) or 'none'}",
        )
    for blank in q.blanks:
        if blank.id not in used:
            yield error(
                blank.origin,
                f"blank '{blank.id}' is not used in the text of '{q.id}'",
                f"write [[{blank.id}]] where the gap goes",
            )
        if blank.kind is BlankKind.DROPDOWN and blank.answers[0] not in blank.options:
            yield error(
                blank.origin,
                f"blank '{blank.id}': answer '{blank.answers[0]}' is not one of its options",
            )
        if blank.kind is BlankKind.TEXT and not blank.answers:
            yield error(blank.origin, f"blank '{blank.id}' accepts no answer")
    if used and len(used) != len(set(used)):
        yield error(q.origin, f"question '{q.id}' uses a blank twice in its text")


def enough_parts(q: Question) -> Iterator[Problem]:
    if isinstance(q, Matching):
        if len(q.pairs) < 2:
            yield error(q.origin, f"matching question '{q.id}' needs at least two pairs")
        prompts = [p.prompt for p in q.pairs]
        if len(prompts) != len(set(prompts)):
            yield error(q.origin, f"matching question '{q.id}' repeats a prompt")
    if isinstance(q, Ordering) and (len(q.items) < 2 or len(set(q.items)) != len(q.items)):
        yield error(q.origin, f"ordering question '{q.id}' needs at least two different items")
    if isinstance(q, ShortAnswer) and not q.answers:
        yield error(q.origin, f"short-answer question '{q.id}' accepts no answer")
    if isinstance(q, Essay) and q.max_words and q.min_words > q.max_words:
        yield error(
            q.origin,
            f"essay '{q.id}': min_words ({q.min_words}) is above max_words ({q.max_words})",
        )


QUESTION_CHECKS = (
    one_correct_choice,
    some_correct_choice,
    distinct_choices,
    tolerances,
    blanks_match_text,
    enough_parts,
)


def questions_valid(course: Course) -> Iterator[Problem]:
    for _, question in course.questions():
        for check in QUESTION_CHECKS:
            yield from check(question)


def pools_fit(course: Course) -> Iterator[Problem]:
    for quiz in course.quizzes:
        for pool in quiz.pools:
            scored = [q for q in pool.questions if q.scored]
            if pool.pick > len(scored):
                yield error(
                    pool.origin,
                    f"pool '{pool.id}' picks {pool.pick} questions but holds {len(scored)}",
                    f"lower 'pick' to at most {len(scored)} or add questions",
                )


QUESTION_RULES = (questions_valid, pools_fit)
