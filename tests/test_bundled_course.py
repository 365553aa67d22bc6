"""The bundled course, read as its users and reviewers would: it validates cleanly, every
quotation is checked against the two source texts, every objective is assessed, every module
quiz uses every question type, and the sources' traps (eight goals, running header, typo)
are handled honestly."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from coursepack.checks.quotes import (
    claims_words,
    found,
    inline_quotes,
    normalise,
    passage_found,
    quoted_passages,
)
from coursepack.checks.references import quotes_in_sources, verified_quotes
from coursepack.exporters.html.quizdata import grading_key
from coursepack.grading import choice_id, grade
from coursepack.lint import lint_course
from coursepack.loader import load_course
from coursepack.model import (
    QUESTION_TYPES,
    Choice,
    Course,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    type_name,
)
from coursepack.model.text import markdown_texts
from tests.conftest import REPO, Run

COURSE_PARTS = ("course.yaml", "modules", "quizzes", "sources")
FIRST_GOALS_QUOTE = (
    "Discussions were structured around a draft policy guidance note, which sought to "
    "identify eight key policy goals which might be pursued by UNHCR."
)


@pytest.fixture(scope="module")
def bundled() -> Course:
    course, _ = load_course(REPO)
    return course


def lesson_files() -> list[Path]:
    return sorted(p for p in (REPO / "modules").glob("*/*.yaml") if p.name != "module.yaml")


def read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def raw_questions(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Questions written in a quiz file: its own and those inline in its pools."""
    yield from spec.get("questions") or []
    for pool in spec.get("pools") or []:
        yield from pool.get("questions") or []


def question_texts(q: Question) -> list[str]:
    """Everything a learner reads in a question: stem, options, items and feedback."""
    texts = [q.stem, q.feedback.general, q.feedback.correct, q.feedback.partial,
             q.feedback.incorrect, *q.hints]
    if isinstance(q, SingleChoice | MultipleResponse):
        texts += [t for c in q.choices for t in (c.text, c.feedback)]
    if isinstance(q, TrueFalse):
        texts += [q.feedback_true, q.feedback_false]
    if isinstance(q, Matching):
        texts += [t for p in q.pairs for t in (p.prompt, p.match)] + list(q.distractors)
    if isinstance(q, Ordering):
        texts += list(q.items)
    if isinstance(q, FillBlanks):
        texts.append(q.text)
    if isinstance(q, Essay):
        texts += [q.grader_notes, q.response_template]
    return texts


def learner_texts(course: Course) -> list[tuple[str, str]]:
    """(where, text) for every lesson body, summary, key term and question text."""
    out = []
    for module, lesson in course.lessons():
        where = f"{module.id}/{lesson.id}"
        out += [(where, lesson.body), (where, lesson.summary)]
        out += [(where, t.definition) for t in lesson.key_terms]
    for _, question in course.questions():
        out += [(question.id, t) for t in question_texts(question) if t]
    return out


def test_bundled_course_validates_strictly_with_no_warnings(run: Run) -> None:
    result = run("validate", "--strict", str(REPO))
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output
    assert "3 modules" in result.output


def test_every_quote_is_verified_and_counted(bundled: Course) -> None:
    in_lessons = sum(len(read(p).get("quotes") or []) for p in lesson_files())
    in_questions = sum(
        1
        for path in sorted((REPO / "quizzes").glob("*.yaml"))
        for q in raw_questions(read(path))
        if (q.get("source") or {}).get("quote")
    )
    quotes = verified_quotes(bundled)
    assert len(quotes) == in_lessons + in_questions
    assert list(quotes_in_sources(bundled)) == []
    for quote in quotes:
        source = bundled.source(quote.source)
        assert source is not None and found(quote.text, source.text), quote.text
    assert {q.source for q in quotes} == {"clements-2016", "tennant-2009"}


def test_every_lesson_has_key_quotes_and_key_terms(bundled: Course) -> None:
    for module in bundled.modules:
        assert 2 <= len(module.lessons) <= 4, module.id
        for lesson in module.lessons:
            assert lesson.quotes, f"{module.id}/{lesson.id} has no key quotes"
            assert lesson.key_terms, f"{module.id}/{lesson.id} has no key terms"
            assert lesson.objectives, f"{module.id}/{lesson.id} names no objectives"


def test_every_objective_is_assessed_by_its_own_module_quiz(bundled: Course) -> None:
    for module in bundled.modules:
        (quiz,) = bundled.module_quizzes(module)
        counts = Counter(o for q in quiz.questions if q.scored for o in q.objectives)
        for objective in module.objectives:
            assert counts[objective.id] >= 1, f"{objective.id} is not assessed"
    unassessed = [q.id for _, q in bundled.questions() if q.scored and not q.objectives]
    assert unassessed == []


def test_each_module_quiz_uses_every_question_type(bundled: Course) -> None:
    for module in bundled.modules:
        (quiz,) = bundled.module_quizzes(module)
        assert 10 <= len(quiz.questions) <= 12, quiz.id
        assert {type_name(q) for q in quiz.questions} == set(QUESTION_TYPES), quiz.id


def test_final_assessment_draws_unseen_application_items_per_module(bundled: Course) -> None:
    final = next(q for q in bundled.standalone_quizzes() if q.id == "final-assessment")
    in_module_quizzes = {
        q.id: normalise(q.stem) for quiz in bundled.quizzes if quiz.module for q in quiz.questions
    }
    pooled = [q for pool in final.pools for q in pool.questions]
    assert len(final.pools) == len(bundled.modules)
    assert all(pool.pick <= len(pool.questions) for pool in final.pools)
    for q in (*final.questions, *pooled):
        assert q.id not in in_module_quizzes, q.id
        assert normalise(q.stem) not in in_module_quizzes.values(), q.id
    pooled_objectives = {
        next(m.id for m in bundled.modules if o in {x.id for x in m.objectives})
        for pool in final.pools for q in pool.questions for o in q.objectives
    }
    assert pooled_objectives == {m.id for m in bundled.modules}
    essays = [q for q in final.questions if isinstance(q, Essay)]
    assert essays and all(q.grader_notes for q in essays)


def test_every_choice_has_feedback_that_teaches(bundled: Course) -> None:
    for _, q in bundled.questions():
        choices: tuple[Choice, ...] = q.choices if isinstance(q, SingleChoice | MultipleResponse) else ()
        for choice in choices:
            assert len(choice.feedback.split()) >= 3, f"{q.id}: '{choice.text}'"
        if isinstance(q, TrueFalse):
            assert q.feedback_true and q.feedback_false, q.id


def test_correct_option_is_not_always_first_or_longest(bundled: Course) -> None:
    singles = [q for _, q in bundled.questions() if isinstance(q, SingleChoice)]
    positions = {q.correct_index for q in singles}
    longest = [
        q.id for q in singles
        if max(len(c.text) for c in q.choices) == len(q.choices[q.correct_index].text)
    ]
    assert len(positions) > 1
    assert len(longest) < len(singles) / 2, longest


def test_changing_one_word_of_a_quote_fails_the_build(tmp_path: Path, run: Run) -> None:
    course = tmp_path / "course"
    course.mkdir()
    for part in COURSE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, course / part)
        else:
            shutil.copy2(src, course / part)
    lesson = course / "modules" / "integrated-missions" / "eight-goals.yaml"
    text = lesson.read_text(encoding="utf-8")
    assert f"- text: {FIRST_GOALS_QUOTE}" in text
    lesson.write_text(
        text.replace(f"- text: {FIRST_GOALS_QUOTE}",
                     "- text: " + FIRST_GOALS_QUOTE.replace("eight key", "nine key")),
        encoding="utf-8",
    )
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "modules/integrated-missions/eight-goals.yaml:" in result.output
    assert "quote not found in source 'tennant-2009'" in result.output
    assert f'nearest passage (sources/tennant-2009.txt, line 22): "{FIRST_GOALS_QUOTE}"' in result.output
    assert "the quote has 'nine' where the source has 'eight'" in result.output
    assert not (tmp_path / "out" / "html").exists()


_NUMBERED_GOAL = re.compile(
    r"\bgoal\s*(no\.?|number|#)?\s*\d"
    r"|\b(first|second|third|fourth|fifth|sixth|seventh|eighth)\s+(key\s+)?(policy\s+)?goal",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def markdown_lists(text: str) -> Iterator[int]:
    """The number of top-level items of each Markdown list in ``text``."""
    count = 0
    for line in [*text.splitlines(), "end"]:
        if _LIST_ITEM.match(line) and not line.startswith("  "):
            count += 1
        elif not line.strip() or (line.startswith("  ") and count):
            continue  # a blank line inside a loose list, or an item's wrapped line
        elif count:
            yield count
            count = 0


def test_no_list_of_eight_goals_anywhere(bundled: Course) -> None:
    texts = learner_texts(bundled)
    for module in bundled.modules:
        f = module.facilitator
        texts += [(module.id, t) for t in (f.notes, f.background, *f.discussion_prompts)]
        texts += [(module.id, s.situation + "\n" + s.debrief) for s in f.scenarios]
    for where, text in texts:
        assert not _NUMBERED_GOAL.search(text), f"{where} numbers a goal"
        assert 8 not in markdown_lists(text), f"{where} has a list of eight items"
    for _, q in bundled.questions():
        assert not (isinstance(q, Ordering) and len(q.items) == 8), q.id
        assert not (isinstance(q, Matching) and len(q.pairs) == 8), q.id


def test_course_says_eight_goals_and_nine_issues(bundled: Course) -> None:
    module = next(m for m in bundled.modules if m.id == "integrated-missions")
    lesson = next(le for le in module.lessons if any("eight key policy goals" in q.text for q in le.quotes))
    issues = next(q.text for q in lesson.quotes if q.text.startswith("This covered issues such as"))
    assert len(issues.split(";")) == 9
    assert 9 in markdown_lists(lesson.body)
    assert "nine issues" in lesson.body and "eight key policy goals" in lesson.body
    questions = bundled.module_quizzes(module)[0].questions
    numeric = [q for q in questions if isinstance(q, Numeric)]
    assert [q.answer.value for q in numeric] == [9.0]  # the issues, counted
    (count,) = [q for q in questions if isinstance(q, ShortAnswer)]
    assert grade(count, ["eight"])[1] == grade(count, ["8"])[1] == "correct"
    assert grade(count, ["9"])[1] == "incorrect"


def test_quotes_respect_the_traps_of_the_sources(bundled: Course) -> None:
    furniture = ("Q&Awith", "HighCommissioner", "experienced practitioner", "second from right")
    for quote in verified_quotes(bundled):
        assert not any(word in quote.text for word in furniture), quote.text
        assert "[sic]" not in quote.text and "conflict is still ongoing" not in quote.text
    assert any("confict is still ongoing" in q.text for q in verified_quotes(bundled))
    clements = (REPO / "sources" / "clements-2016.txt").read_text(encoding="utf-8")
    tennant = (REPO / "sources" / "tennant-2009.txt").read_text(encoding="utf-8")
    assert "inter-\n\nnational" in clements and "refu-\n\ngee" in clements
    assert "where confict is still ongoing" in tennant


def test_words_in_quotation_marks_are_the_sources_words(bundled: Course) -> None:
    assert list(inline_quotes(bundled)) == []
    texts = [t for t in markdown_texts((bundled.description, bundled.modules, bundled.quizzes))]
    passages = [p for t in texts for p in quoted_passages(t) if claims_words(p.text)]
    checked = [p for p in passages if not p.marked]
    assert len(checked) >= 70  # the passages in quotation marks the course relies on
    sources = [s.text for s in bundled.sources]
    assert all(passage_found(p.text, sources) for p in checked)
    assert len(passages) - len(checked) <= 3  # marked as not a quote: a few labels only


def test_outside_material_is_labelled_as_background(bundled: Course) -> None:
    for module in bundled.modules:
        assert module.facilitator.background.startswith("**Background (outside the course sources).**")
    for _, lesson in bundled.lessons():
        for item in lesson.further_reading:
            assert item.startswith("Background (outside the course sources)"), item


def test_sources_readme_names_both_texts() -> None:
    readme = (REPO / "sources" / "README.md").read_text(encoding="utf-8")
    for name in ("clements-2016.txt", "tennant-2009.txt", "Foreign Service Journal", "Tennant"):
        assert name in readme


def multiple_response(course: Course) -> list[MultipleResponse]:
    return [q for _, q in course.questions() if isinstance(q, MultipleResponse)]


def test_ticking_every_option_never_earns_full_marks(bundled: Course) -> None:
    questions = multiple_response(bundled)
    assert len(questions) >= 6
    for q in questions:
        everything = [choice_id(i) for i in range(len(q.choices))]
        score, result = grade(q, everything)
        assert score < q.points and result != "correct", q.id
        right = [choice_id(i) for i, c in enumerate(q.choices) if c.correct]
        assert grade(q, right) == (q.points, "correct"), q.id


@pytest.mark.node
def test_the_site_runtime_agrees_that_ticking_everything_is_not_full_marks(
        bundled: Course) -> None:
    """grading.js, as the site and both SCORM packages run it, scores the same responses."""
    questions = multiple_response(bundled)
    keys = {q.id: grading_key(q) for q in questions}
    cases = [{"question": q.id, "response": [choice_id(i) for i in range(len(q.choices))]}
             for q in questions]
    script = (
        "const g = require(process.argv[1]); let s = '';"
        "process.stdin.on('data', d => s += d).on('end', () => {"
        " const {keys, cases} = JSON.parse(s);"
        " console.log(JSON.stringify(cases.map(c => g.grade(keys[c.question], c.response))));});"
    )
    done = subprocess.run(
        ["/usr/bin/node", "-e", script, str(REPO / "templates" / "html" / "static" / "grading.js")],
        input=json.dumps({"keys": keys, "cases": cases}), text=True, capture_output=True,
        check=True)
    for q, got in zip(questions, json.loads(done.stdout), strict=True):
        assert got["score"] < q.points and got["result"] != "correct", (q.id, got)
        assert got["score"] == pytest.approx(grade(q, [choice_id(i) for i in range(
            len(q.choices))])[0]), q.id


def test_each_module_quiz_is_at_least_half_application(bundled: Course) -> None:
    """The quiz files say which questions apply the text; the mix is counted from them."""
    for module in bundled.modules:
        (quiz,) = bundled.module_quizzes(module)
        scored = [q for q in quiz.questions if q.scored]
        notes = module.facilitator.notes
        listed = re.search(r"Six of the eleven marked questions \(([^)]*)\)", notes)
        assert listed is not None, module.id
        application = [i.strip() for i in listed.group(1).split(",")]
        assert {q.id for q in scored} >= set(application)
        assert len(application) * 2 >= len(scored), module.id


def test_the_item_writing_lint_finds_nothing_in_the_bundled_course(bundled: Course) -> None:
    assert lint_course(bundled) == []


def test_typed_answers_accept_what_a_careful_reader_writes(bundled: Course) -> None:
    by_id = {q.id: q for _, q in bundled.questions()}
    for question, answers in (
        ("m2-q03", ["eight", "8", "Eight key policy goals"]),
        ("m3-q07", ["secondment", "Strategic secondments", "training", "career development"]),
        ("m1-q09", ["trust", "Trust"]),
    ):
        for answer in answers:
            assert grade(by_id[question], [answer])[1] == "correct", (question, answer)
