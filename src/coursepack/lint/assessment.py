"""Rules on what a quiz measures and what a lesson promises: scoring that rewards ticking
everything, answers given away by the quiz itself, questions that repeat each other in a
pool, and a lesson's declared time far from the time its text takes to read."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator

from coursepack.errors import Problem, warning
from coursepack.lint._content import key, plain
from coursepack.model import (
    Blank,
    BlankKind,
    Choice,
    Course,
    FillBlanks,
    Lesson,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    Scoring,
    ShortAnswer,
    SingleChoice,
    Tolerance,
)

SUGGESTED_WORDS_PER_MINUTE = 150
"""A careful pace for a text read closely, often in a second language: what the hint
suggests. Lesson durations are judged only once course.yaml states a reading speed
(``lint: {words_per_minute: N}``): without one there is no reading time to compare with."""
DURATION_RATIO = 2.0
"""A lesson's declared minutes are far from its reading time outside 1/ratio..ratio of it..."""
DURATION_MARGIN = 10
"""...and at least this many minutes away from it (room for an activity of the lesson's own)."""
NEAR_DUPLICATE = 0.85
"""Two questions of one pool whose stems and options are this similar ask the same thing."""
_MIN_ANSWER_LETTERS = 3


def tick_everything(course: Course) -> Iterator[Problem]:
    """Partial credit without negative marking: a learner who ticks every option scores full."""
    for _, q in course.questions():
        if (isinstance(q, MultipleResponse) and q.scoring is Scoring.PARTIAL
                and not q.negative_marking and any(not c.correct for c in q.choices)):
            yield warning(
                q.origin,
                f"question '{q.id}': partial credit without negative marking gives full "
                "marks to a learner who ticks every option",
                hint="add 'negative_marking: true' (each wrong tick then costs its share), or "
                "'scoring: all-or-nothing'",
                rule="tick-everything",
            )


def lesson_duration(course: Course) -> Iterator[Problem]:
    """A lesson's ``duration`` far from the time its words take to read."""
    speed = _words_per_minute(course)
    if speed is None:
        return
    for _, lesson in course.lessons():
        words = lesson_words(lesson)
        reading = max(1, math.ceil(words / speed))
        declared = lesson.duration
        far = declared > reading * DURATION_RATIO or declared * DURATION_RATIO < reading
        if far and abs(declared - reading) >= DURATION_MARGIN:
            yield warning(
                lesson.origin,
                f"lesson '{lesson.id}' declares {declared} minutes; its {words} words take "
                f"about {reading} to read at {speed:g} words a minute",
                hint="set 'duration:' to the reading time plus any activity the lesson asks "
                "for (the reading speed is course.yaml's 'lint: {words_per_minute: N}')",
                rule="lesson-duration",
            )


def lesson_words(lesson: Lesson) -> int:
    """The words a learner reads in a lesson: summary, body, key quotes, terms, reading list."""
    texts: list[str] = [lesson.summary, lesson.body, *lesson.further_reading]
    texts += [q.text for q in lesson.quotes] + [q.note for q in lesson.quotes]
    texts += [f"{t.term} {t.definition}" for t in lesson.key_terms]
    return sum(len(re.findall(r"\w+(?:['’-]\w+)*", plain(t))) for t in texts)


def _words_per_minute(course: Course) -> float | None:
    from coursepack.lint import Lint  # the settings' owner imports this module's rules

    return Lint().settings(course)[0].words_per_minute


def answer_given_away(course: Course) -> Iterator[Problem]:
    """A typed answer that the quiz prints: in the question's own stem, or in what an earlier
    question of the same quiz shows (its stem, options, items or matches)."""
    checked: set[str] = set()
    for quiz in course.quizzes:
        shown: list[str] = []
        for q in quiz.questions:
            if q.id not in checked:
                checked.add(q.id)
                yield from _given_away(q, [*shown, *_own_text(q)])
            shown.extend(_shown(q))
        for pool in quiz.pools:
            for q in pool.questions:
                if q.id not in checked:  # drawn from a quiz: checked there, in its order
                    checked.add(q.id)
                    yield from _given_away(q, _own_text(q))


def _given_away(q: Question, texts: list[str]) -> Iterator[Problem]:
    seen = " ".join(plain(t) for t in texts)
    for answer in _typed_answers(q):
        if re.search(rf"(?<!\w){re.escape(answer)}(?!\w)", seen, re.IGNORECASE):
            yield warning(
                q.origin,
                f"question '{q.id}': its answer '{answer}' is printed in the quiz before "
                "the learner types it",
                hint="reword the stem or the earlier question that shows it, or move this "
                "question before that one",
                rule="answer-given-away",
            )
            return


def _typed_answers(q: Question) -> list[str]:
    """The answers a learner types (not picks), long enough to be more than a chance match."""
    if isinstance(q, ShortAnswer):
        answers = list(q.answers)
    elif isinstance(q, FillBlanks):
        answers = [a for b in q.blanks if b.kind is BlankKind.TEXT for a in b.answers]
    elif isinstance(q, Numeric):
        exact = q.answer.mode is Tolerance.EXACT
        return [f"{q.answer.value:g}"] if exact else []
    else:
        return []
    return [" ".join(a.split()) for a in answers
            if len(re.findall(r"\w", a)) >= _MIN_ANSWER_LETTERS]


def _own_text(q: Question) -> list[str]:
    """What the question shows around its own answer: its stem, and a gapped text's words."""
    if isinstance(q, FillBlanks):
        return [q.stem, *(s for s in q.segments() if not isinstance(s, Blank))]
    return [q.stem]


def _shown(q: Question) -> list[str]:
    """What a question shows a learner before any feedback: stem, options, items, matches."""
    texts = _own_text(q)
    if isinstance(q, SingleChoice | MultipleResponse):
        texts += [c.text for c in q.choices]
    elif isinstance(q, Matching):
        texts += [p.prompt for p in q.pairs] + list(q.answers)
    elif isinstance(q, Ordering):
        texts += list(q.items)
    elif isinstance(q, FillBlanks):
        texts += [o for b in q.blanks for o in b.options]
    return texts


def near_duplicates(course: Course) -> Iterator[Problem]:
    """Two questions of one pool that ask the same thing: a draw may show it twice."""
    for quiz in course.quizzes:
        for pool in quiz.pools:
            kept: list[tuple[Question, str]] = []
            for q in pool.questions:
                text = _comparable(q)
                twin = next((p for p, t in kept if _similar(t, text)), None)
                if twin is not None:
                    yield warning(
                        q.origin,
                        f"pool '{pool.id}': question '{q.id}' asks nearly the same as "
                        f"'{twin.id}'",
                        hint="one draw may show both; rewrite one, or keep one of them",
                        rule="near-duplicate",
                    )
                else:
                    kept.append((q, text))


def _comparable(q: Question) -> str:
    choices: tuple[Choice, ...] = (
        q.choices if isinstance(q, SingleChoice | MultipleResponse) else ())
    return " ".join(key(t) for t in (q.stem, *(c.text for c in choices)))


def _similar(a: str, b: str) -> bool:
    matcher = difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False)
    return matcher.ratio() >= NEAR_DUPLICATE


ASSESSMENT_RULES = {
    "tick-everything": tick_everything,
    "answer-given-away": answer_given_away,
    "near-duplicate": near_duplicates,
    "lesson-duration": lesson_duration,
}
