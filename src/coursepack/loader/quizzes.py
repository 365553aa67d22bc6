"""Quiz mappings -> ``Quiz`` values; pools are resolved once every quiz is read."""

from __future__ import annotations

from dataclasses import dataclass, replace

from yaml.nodes import SequenceNode

from coursepack.errors import Origin, did_you_mean, error
from coursepack.fields import Fields, Sink
from coursepack.loader.questions import read_question
from coursepack.model import Essay, Pool, Question, Quiz, QuizSettings


@dataclass(frozen=True)
class PoolRefs:
    """What a pool draws from before resolution: quizzes and question ids."""

    from_quizzes: tuple[tuple[str, Origin], ...]
    include: tuple[tuple[str, Origin], ...]


@dataclass(frozen=True)
class ReadQuiz:
    """A quiz as read, with each pool's references still to be resolved (by pool id)."""

    quiz: Quiz
    refs: dict[str, PoolRefs]


def read_quiz(f: Fields, quiz_id: str, settings: QuizSettings, modules: set[str]) -> ReadQuiz:
    module = f.text("module")
    if module and module not in modules:
        hint = did_you_mean(module, modules) or f"modules: {', '.join(sorted(modules))}"
        f.fail(
            f.items["module"][1],
            f"quiz names module '{module}', which the course does not list",
            hint,
        )
    questions = tuple(
        q for q in (read_question(g) for g in f.records("questions", "question")) if q
    )
    read_pools = [_pool(g) for g in f.records("pools", "pool")]
    pools = tuple(pool for pool, _ in read_pools)
    if not questions and not pools:
        f.fail(
            f.node,
            f"quiz '{quiz_id}' has no questions and no pools",
            "add 'questions:' or 'pools:'",
        )
    quiz = Quiz(
        id=quiz_id,
        title=f.text("title", required=True),
        description=f.markdown("description"),
        module=module,
        settings=settings,
        questions=questions,
        pools=pools,
        origin=f.origin,
    )
    f.finish()
    return ReadQuiz(quiz, {pool.id: refs for pool, refs in read_pools})


def _pool(g: Fields) -> tuple[Pool, PoolRefs]:
    pool_id = g.ident()
    inline = tuple(q for q in (read_question(h) for h in g.records("questions", "question")) if q)
    from_quizzes = tuple(_refs(g, "from"))
    include = tuple(_refs(g, "include"))
    if not inline and not from_quizzes and not include:
        g.fail(
            g.node,
            f"pool '{pool_id}' draws from nothing",
            "give 'questions:', 'from:' or 'include:'",
        )
    points = g.optional_number("points")
    pool = Pool(
        id=pool_id,
        title=g.text("title"),
        pick=g.integer("pick", required=True, minimum=1),
        points=points,
        questions=inline,
        origin=g.origin,
    )
    g.finish()
    return pool, PoolRefs(from_quizzes, include)


def _refs(g: Fields, key: str) -> list[tuple[str, Origin]]:
    """A pool's ``from`` or ``include``: one id or a list of ids, with where each was written."""
    node = g.value_node(key, required=False)
    if node is None:
        return []
    items = node.value if isinstance(node, SequenceNode) else [node]
    return [(str(getattr(n, "value", "")), g.at(n)) for n in items]


def resolve_pools(read: list[ReadQuiz], sink: Sink) -> tuple[Quiz, ...]:
    """Replace each pool's references by the questions they name."""
    by_quiz = {r.quiz.id: r.quiz for r in read}
    by_id: dict[str, Question] = {}
    for quiz in by_quiz.values():
        for question in quiz.all_questions():
            by_id.setdefault(question.id, question)
    resolved = []
    for r in read:
        pools = tuple(
            _resolve(r.quiz.id, p, r.refs[p.id], by_quiz, by_id, sink) for p in r.quiz.pools
        )
        resolved.append(replace(r.quiz, pools=pools))
    return tuple(resolved)


def _resolve(
    quiz_id: str,
    pool: Pool,
    refs: PoolRefs,
    by_quiz: dict[str, Quiz],
    by_id: dict[str, Question],
    sink: Sink,
) -> Pool:
    drawn: list[Question] = list(pool.questions)
    for name, origin in refs.from_quizzes:
        source = by_quiz.get(name)
        if source is None or name == quiz_id:
            why = "its own quiz" if name == quiz_id else f"quiz '{name}', which does not exist"
            sink.add(error(origin, f"pool draws from {why}", did_you_mean(name, list(by_quiz))))
            continue
        # Only questions that mark themselves: an essay drawn at random would wait for a person.
        drawn.extend(q for q in source.questions if q.scored and not isinstance(q, Essay))
    for name, origin in refs.include:
        if name in by_id:
            drawn.append(by_id[name])
        else:
            message = f"pool includes question '{name}', which does not exist"
            sink.add(error(origin, message, did_you_mean(name, list(by_id))))
    unique = tuple({q.id: q for q in drawn}.values())
    return replace(pool, questions=unique)
