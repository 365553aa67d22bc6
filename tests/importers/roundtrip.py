"""A course built into a bank format, imported back, and compared with the original.

The comparison is the fidelity suite's (tests/fidelity/compare.py): the imported course's
own expected reading stands in for what a format's consumer reads, so a difference passes
only when the format's pre-flight report declares it for that question and field. Image
tokens are matched by the bytes of the file, since an export renames its images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from coursepack.cli import main
from coursepack.grading import choice_id, grade, item_id, match_id, prompt_id
from coursepack.loader import load_course
from coursepack.model import Blank, Course, FillBlanks, Matching, Question, markdown
from tests.fidelity.compare import Diff, compare
from tests.fidelity.expected import (
    Expected,
    Text,
    expected_all,
    expected_pools,
    expected_question,
    md,
    questions,
    source_images,
)
from tests.fidelity.expected import _feedback as feedback_of
from tests.fidelity.readback import Got

OUTPUTS = {"moodle-xml": "*.xml", "gift": "*.gift.txt", "qti12": "*.zip", "qti21": "*.zip"}


@dataclass
class RoundTrip:
    original: Course
    imported: Course
    undeclared: list[Diff]
    declared: list[Diff]
    output: str

    def report(self) -> str:
        lines = [f"{len(self.undeclared)} undeclared difference(s) after the round trip "
                 f"({len(self.declared)} declared ones pass):"]
        return "\n".join(lines + [f"  {d}" for d in self.undeclared])


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def built_file(course_dir: Path, fmt: str, out: Path) -> Path:
    cli("build", str(course_dir), "-f", fmt, "--out", str(out))
    found = sorted((out / fmt).glob(OUTPUTS[fmt]))
    assert len(found) == 1, f"{fmt} build wrote {found}"
    return found[0]


def round_trip(course_dir: Path, fmt: str, tmp: Path) -> RoundTrip:
    original, problems = load_course(course_dir)
    assert not [p for p in problems if p.is_error]
    bank = built_file(course_dir, fmt, tmp / "build")
    target = tmp / "imported"
    output = cli("import", str(bank), "--into", str(target))
    cli("validate", str(target))
    imported, problems = load_course(target)
    assert not [p for p in problems if p.is_error], problems
    found = readings(original, imported)
    undeclared, declared = compare(fmt, expected_all(original), found, original)
    return RoundTrip(original, imported, undeclared, declared, output)


def readings(original: Course, imported: Course) -> dict[str, Got | None]:
    """The imported course read as the fidelity suite reads a format: per question its
    fields and, per response, its score and the feedback shown; per quiz its description."""
    names = {data: name for data, name in source_images(original).items()}
    renames = {a.path.name: names.get(a.path.read_bytes(), f"new:{a.path.name}")
               for a in imported.assets()}
    found: dict[str, Got | None] = {}
    by_id = {q.id: q for _, q in original.questions()}
    asked = {e.id: e for e in expected_all(original).values() if e.question is not None}
    for quiz, question in questions(imported):
        twin = by_id.get(question.id)
        if isinstance(question, FillBlanks) and isinstance(twin, FillBlanks):
            question = same_blank_ids(question, twin)
        got = _got(expected_question(quiz, question), renames)
        if question.id in asked:  # the original's responses, answered by the imported question
            got.outcomes = answered(question, asked[question.id], renames)
        found[question.id] = got
    titles = {q.title: q for q in imported.quizzes}
    for quiz in original.quizzes:
        twin = titles.get(quiz.title)
        if twin is None:
            continue
        found[f"quiz:{quiz.id}"] = Got(fields={"description": _renamed(md(twin.description),
                                                                       renames)})
        # pools in the order the quiz has them, read as the fidelity suite reads a pool
        for pool, came_back in zip(quiz.pools, twin.pools, strict=False):
            record = next(expected_pools(replace(twin, pools=(came_back,))))
            found[f"pool:{quiz.id}/{pool.id}"] = Got(fields=record.fields)
    return found


def same_blank_ids(question: FillBlanks, original: FillBlanks) -> FillBlanks:
    """The imported blanks named as the original's, in text order. A blank's id is the
    author's name for a gap, which no bank format carries (Moodle's cloze and GIFT number
    their gaps, QTI names them after the question): gaps are matched by position."""
    ours = [s.id for s in question.segments() if isinstance(s, Blank)]
    theirs = [s.id for s in original.segments() if isinstance(s, Blank)]
    if len(ours) != len(theirs):
        return question
    names = dict(zip(ours, theirs, strict=True))
    text = re.sub(r"\[\[\s*([^\]]+?)\s*\]\]",
                  lambda m: f"[[{names.get(m.group(1), m.group(1))}]]", question.text)
    blanks = tuple(replace(b, id=names.get(b.id, b.id)) for b in question.blanks)
    return replace(question, text=markdown(question.text).part(text), blanks=blanks)


def answered(question: Question, original: Expected, renames: dict[str, str]
             ) -> dict[str, tuple[float | None, Text]]:
    """Each response the comparison tries on the original, scored by ``coursepack.grading``
    on the imported question, with the feedback that question then shows."""
    found: dict[str, tuple[float | None, Text]] = {}
    for outcome in original.outcomes:
        action = outcome.action
        if action[0] == "mark":
            score, result = None, str(action[1])
        else:
            points, result = grade(question, tokens(question, action))
            score = points / question.points if question.points else 0.0
        shown = Text("")
        for _, text in feedback_of(question, action, result):
            shown = shown + _renamed(text, renames)
        found[outcome.name] = (score, shown)
    return found


def tokens(question: Question, action: tuple[str, Any]) -> list[str]:
    """The grading tokens of a format-neutral response, for this question."""
    kind, value = action
    if kind == "choose":
        return [choice_id(i) for i in value]
    if kind == "tf":
        return [str(value).lower()]
    if kind == "type":
        return [value]
    if kind == "order":
        return [item_id(i) for i in value]
    if kind == "fill" and isinstance(question, FillBlanks):
        return [value.get(b.id, "") for b in question.blanks]
    if kind == "match" and isinstance(question, Matching):
        answers = list(question.answers)
        return [f"{prompt_id(i)}.{match_id(answers.index(a) if a in answers else 999)}"
                for i, a in enumerate(value)]
    raise AssertionError(f"no tokens for {kind} on {type(question).__name__}")


def _got(record: Expected, renames: dict[str, str]) -> Got:
    fields = {k: _renamed(v, renames) for k, v in record.fields.items()}
    outcomes: dict[str, tuple[float | None, Text]] = {}
    for outcome in record.outcomes:
        shown = Text("")
        for _, text in outcome.feedback:
            shown = shown + _renamed(text, renames)
        outcomes[outcome.name] = (outcome.score, shown)
    return Got(fields=fields, outcomes=outcomes)


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, Text):
        shown, alt = value.shown, value.alt
        for new, old in renames.items():
            shown = shown.replace(f"⟦img:{new}⟧", f"⟦img:{old}⟧")
        return Text(shown, alt)
    if isinstance(value, tuple):
        return tuple(_renamed(v, renames) for v in value)
    return value
