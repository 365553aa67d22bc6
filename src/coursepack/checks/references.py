"""Rules that tie the course together: unique ids, objectives, sources and quotes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from coursepack.checks.quotes import first_difference, found, nearest, normalise
from coursepack.errors import Origin, Problem, did_you_mean, error, warning
from coursepack.model import Course, Question, Quiz, Quote, Source


def _duplicates(kind: str, items: Iterable[tuple[str, Origin | None]]) -> Iterator[Problem]:
    first: dict[str, Origin | None] = {}
    for item_id, origin in items:
        if item_id in first:
            where = first[item_id]
            yield error(
                origin,
                f"{kind} id '{item_id}' is used twice (first at {where})",
                hint=f"give each {kind} its own id",
            )
        else:
            first[item_id] = origin


def unique_ids(course: Course) -> Iterator[Problem]:
    yield from _duplicates("objective", ((o.id, o.origin) for o in course.objectives()))
    yield from _duplicates("source", ((s.id, s.origin) for s in course.sources))
    yield from _duplicates("module", ((m.id, m.origin) for m in course.modules))
    for module in course.modules:
        yield from _duplicates("lesson", ((le.id, le.origin) for le in module.lessons))
    defined = [q for quiz in course.quizzes for q in _defined_in(quiz)]
    yield from _duplicates("question", ((q.id, q.origin) for q in defined))
    for quiz in course.quizzes:
        yield from _duplicates("pool", ((p.id, p.origin) for p in quiz.pools))


def _defined_in(quiz: Quiz) -> list[Question]:
    """Questions written in the quiz's own file (pools may also draw from other quizzes)."""
    own = list(quiz.questions)
    path = quiz.origin.path if quiz.origin else None
    for pool in quiz.pools:
        own += [
            q
            for q in pool.questions
            if q.origin and q.origin.path == path and not any(q is x for x in own)
        ]
    return own


def objectives_exist(course: Course) -> Iterator[Problem]:
    known = {o.id for o in course.objectives()}
    users: list[tuple[str, Iterable[str], Origin | None]] = [
        (f"lesson '{le.id}'", le.objectives, le.origin) for _, le in course.lessons()
    ]
    users += [(f"question '{q.id}'", q.objectives, q.origin) for _, q in course.questions()]
    for who, objectives, origin in users:
        for objective in objectives:
            if objective not in known:
                hint = did_you_mean(objective, known) or "objectives are declared in module.yaml"
                yield error(
                    origin, f"{who} names objective '{objective}', which does not exist", hint
                )


def objectives_assessed(course: Course) -> Iterator[Problem]:
    counts = Counter(o for _, q in course.questions() if q.scored for o in q.objectives)
    for objective in course.objectives():
        if not counts[objective.id]:
            yield warning(
                objective.origin,
                f"objective '{objective.id}' is not assessed by any question",
                hint="add its id to the 'objectives:' of a question that tests it",
                rule="objective-assessed",
            )


def lesson_objectives_in_module(course: Course) -> Iterator[Problem]:
    known = {o.id for o in course.objectives()}
    for module, lesson in course.lessons():
        own = {o.id for o in module.objectives}
        for objective in lesson.objectives:
            if objective in known and objective not in own:
                yield warning(
                    lesson.origin,
                    f"lesson '{lesson.id}' names objective '{objective}' of another module",
                    rule="objective-module",
                )


def _quote_problem(
    course: Course, text: str, source_id: str, origin: Origin | None
) -> Iterator[Problem]:
    source = course.source(source_id)
    if not source_id:
        return  # the missing field is reported where it is read
    if source is None:
        hint = did_you_mean(source_id, (s.id for s in course.sources))
        yield error(
            origin,
            f"quote names source '{source_id}', which course.yaml does not list",
            hint or "declare it under 'sources:' in course.yaml",
        )
    elif not normalise(text):
        yield error(origin, "the quote is empty",
                    hint="write the source's words in it, word for word")
    elif not source.unread and not found(text, source.text):
        yield error(
            origin,
            f"quote not found in source '{source_id}' ({source.relpath})",
            _nearest_hint(text, source),
        )


def _nearest_hint(text: str, source: Source) -> str:
    passage = nearest(text, source.text)
    if passage is None:
        return ("no passage of the source has a word of the quote: check that it names the "
                "right source" if source.text.strip() else "the source is empty")
    diff = first_difference(text, passage.text)
    lines = [f'nearest passage ({source.relpath}, line {passage.line}): "{passage.text}"']
    if diff:
        lines.append(diff)
    lines.append("a quote must match its source word for word; paraphrase outside quote marks")
    return "\n".join(lines)


def quotes_in_sources(course: Course) -> Iterator[Problem]:
    for _, lesson in course.lessons():
        for quote in lesson.quotes:
            yield from _quote_problem(course, quote.text, quote.source, quote.origin)
    for _, question in course.questions():
        ref = question.source
        if ref is not None:
            if ref.quote:
                yield from _quote_problem(course, ref.quote, ref.source, ref.origin)
            elif course.source(ref.source) is None:
                yield from _quote_problem(course, "", ref.source, ref.origin)


def verified_quotes(course: Course) -> list[Quote]:
    """Every quote of the course that was checked against its source, lessons first."""
    quotes = [q for _, lesson in course.lessons() for q in lesson.quotes]
    quotes += [
        Quote(
            text=q.source.quote,
            source=q.source.source,
            locator=q.source.locator,
            origin=q.source.origin,
        )
        for _, q in course.questions()
        if q.source and q.source.quote
    ]
    return quotes


REFERENCE_RULES = (
    unique_ids,
    objectives_exist,
    objectives_assessed,
    lesson_objectives_in_module,
    quotes_in_sources,
)
