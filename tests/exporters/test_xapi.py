"""xAPI statements from templates/html/static/xapi.js, run in Node on real quiz-page data.

Every statement is checked by an independent validator (Learning Locker's xAPI validation
library, pinned in tests/package.json), and every response pattern is read back here with
xAPI 1.0.3's pattern syntax, so awkward text (commas, brackets, the "[,]" delimiter itself,
accents, right-to-left script) is seen to survive or to be neutralised as documented.
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest

from coursepack.exporters.html.quizdata import quiz_data
from coursepack.grading import grade
from coursepack.loader import load_course
from coursepack.model import Course, Question
from tests.conftest import REPO
from tests.exporters.quizbank_helpers import awkward_course

NODE = "/usr/bin/node"
SCRIPT = REPO / "tests" / "xapi_statements.js"
Answered = list[tuple[dict[str, Any], dict[str, Any]]]
ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "learner-7"}}

TRICKY_YAML = r"""
title: "Tricky [,] quiz"
module: writing-questions
settings:
  pass_mark: 75
questions:
  - id: tr-single
    type: single
    stem: 'Which list, [,] or [.], is right?'
    choices:
      - {text: 'a, b [,] c', correct: true}
      - {text: 'Ünïcödé [.] d [:] e'}
      - {text: 'مرحبا بالعالم'}
  - id: tr-multiple
    type: multiple
    stem: 'Pick [,] two.'
    choices:
      - {text: 'one, two', correct: true}
      - {text: '{case_matters=true}', correct: true}
      - {text: 'three'}
  - id: tr-true-false
    type: true-false
    stem: 'True, or [,] false?'
    answer: true
  - id: tr-short
    type: short-answer
    stem: 'Type it.'
    answers: ['café [,] crème', 'Deux, trois']
    case_sensitive: true
  - id: tr-numeric
    type: numeric
    stem: 'Range?'
    answer: 2.5
    tolerance: 0.5
  - id: tr-exact
    type: numeric
    stem: 'Exact?'
    answer: -3
  - id: tr-matching
    type: matching
    stem: 'Match [.] these.'
    pairs:
      - {prompt: 'left [.] one', match: 'right, [,] one'}
      - {prompt: 'שלום', match: 'עולם'}
  - id: tr-ordering
    type: ordering
    stem: 'Order.'
    items: ['first, [,] item', 'second', 'third ٣']
  - id: tr-blanks
    type: fill-blanks
    stem: 'Fill.'
    text: 'A [[one]] B [[two]] C [[three]]'
    blanks:
      - {id: one, answers: ['x [,] y', 'z'], case_sensitive: true}
      - {id: two, type: numeric, answer: 10, tolerance: 1}
      - {id: three, type: dropdown, options: ['p, q', 'r'], answer: 'p, q'}
  - id: tr-essay
    type: essay
    stem: 'Write.'
  - id: tr-intro
    type: description
    stem: 'Not a question.'
"""

EXPECTED_TYPES = {
    "single": "choice", "multiple": "choice", "true-false": "true-false",
    "short-answer": "fill-in", "fill-blanks": "fill-in", "essay": "long-fill-in",
    "numeric": "numeric", "matching": "matching", "ordering": "sequencing", "description": None,
}


@pytest.fixture(scope="module")
def tricky(tmp_path_factory: pytest.TempPathFactory) -> Course:
    import shutil

    from coursepack.starter import STARTER

    root = tmp_path_factory.mktemp("xapi") / "course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".coursepack-cache"))
    awkward_course(root)
    (root / "quizzes" / "tricky.yaml").write_text(TRICKY_YAML, encoding="utf-8")
    text = (root / "course.yaml").read_text(encoding="utf-8")
    (root / "course.yaml").write_text(
        re.sub(r"(?m)^quizzes:\n", "quizzes:\n  - awkward\n  - tricky\n", text), encoding="utf-8")
    course, problems = load_course(root)
    assert not [p for p in problems if p.severity == 'error'], problems
    return course


def run_node(cases: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run([NODE, str(SCRIPT)], input=json.dumps(cases), text=True,
                          capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def all_quiz_data(course: Course) -> list[tuple[dict[str, Any], dict[str, Question]]]:
    sources = {s.id: s for s in course.sources}
    return [(quiz_data(quiz, sources), {q.id: q for q in quiz.all_questions()})
            for quiz in course.quizzes]


def answers_to_try(q: Question, data: dict[str, Any]) -> list[list[str]]:
    """The right answer, an empty one, and a wrong or partial one, as runtime tokens."""
    right = [str(t) for t in data["interaction"]["correctResponse"]]
    key = data["key"]
    kind = key["type"]
    if kind == "numeric":
        middle = (key["lo"] + key["hi"]) / 2
        right = [f"{middle:g}".replace(".", ",")]  # a comma decimal, as a learner may type
    wrong: list[str] = {
        "single": ["b"], "multiple": ["a", "c"], "true-false": ["false"],
        "short-answer": ["wrong [,] answer"], "numeric": ["not a number"],
        "matching": right[:1], "ordering": list(reversed(right)),
        "fill-blanks": ["Ünï [,] code", *right[1:]], "essay": ["Un essai, [,] مرحبا\nligne 2"],
        "description": [],
    }[kind]
    if kind == "essay":
        right = ["Some text"]
    return [right, [], wrong]


def contexts(course: Course) -> list[dict[str, Any]]:
    cases = []
    for data, questions in all_quiz_data(course):
        for qid, entry in data["questions"].items():
            for answer in answers_to_try(questions[qid], entry):
                score, result = grade(questions[qid], answer)
                cases.append({
                    "question": {"id": qid, **entry},
                    "answer": answer,
                    "outcome": {"score": score, "result": result},
                    "ctx": {"courseId": course.id, "quizId": data["id"], "lang": "fr-CA",
                            "actor": ACTOR, "registration": "0c4b7c2e-8a51-4d0e-9a7b-3f1f2b6d9e10",
                            "durationMs": 1234},
                })
    return cases


@pytest.fixture(scope="module")
def answered(tricky: Course) -> Answered:
    cases = contexts(tricky)
    out = run_node({"answered": cases})["answered"]
    return list(zip(cases, out, strict=True))


# --- xAPI's response pattern syntax, read back -----------------------------------------------

PARAM = re.compile(r"^\{(case_matters|order_matters|lang)=([^}]*)\}")


def parameters(text: str) -> tuple[dict[str, str], str]:
    found: dict[str, str] = {}
    while (m := PARAM.match(text)) is not None:
        found[m.group(1)] = m.group(2)
        text = text[m.end():]
    return found, text


def items(text: str) -> list[str]:
    return text.split("[,]") if text else []


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.node
def test_every_statement_passes_an_independent_xapi_validator(answered: Answered) -> None:
    assert answered
    for case, got in answered:
        assert got["problems"] == [], (case["question"]["id"], case["answer"], got)


@pytest.mark.node
def test_each_question_type_gets_its_interaction_type(answered: Answered) -> None:
    seen = set()
    for case, got in answered:
        kind = case["question"]["key"]["type"]
        seen.add(kind)
        assert got["type"] == EXPECTED_TYPES[kind], kind
        if got["type"] is None:
            assert got["statement"] is None  # a description is not a question: nothing sent
        else:
            assert got["statement"]["object"]["definition"]["interactionType"] == got["type"]
    assert seen == set(EXPECTED_TYPES)


def by_id(answered: Answered, qid: str) -> list[dict[str, Any]]:
    return [got["statement"] for case, got in answered if case["question"]["id"] == qid]


@pytest.mark.node
def test_choices_keep_their_text_in_the_course_language_and_their_ids_in_patterns(answered: Answered) -> None:
    right, empty, wrong = by_id(answered, "tr-single")
    definition = right["object"]["definition"]
    assert definition["choices"] == [
        {"id": "a", "description": {"fr-CA": "a, b [,] c"}},
        {"id": "b", "description": {"fr-CA": "Ünïcödé [.] d [:] e"}},
        {"id": "c", "description": {"fr-CA": "مرحبا بالعالم"}}]
    assert definition["correctResponsesPattern"] == ["a"]
    assert definition["name"] == {"fr-CA": "Which list, [,] or [.], is right?"}
    assert right["result"]["response"] == "a" and right["result"]["success"] is True
    assert right["result"]["score"] == {"raw": 1, "min": 0, "max": 1, "scaled": 1}
    assert "response" not in empty["result"] and empty["result"]["success"] is False
    assert wrong["result"]["response"] == "b"
    multiple = by_id(answered, "tr-multiple")[0]["object"]["definition"]
    assert multiple["correctResponsesPattern"] == ["a[,]b"]


@pytest.mark.node
def test_matching_and_sequencing_patterns_read_back_as_pairs_and_order(answered: Answered) -> None:
    right, _, partial = by_id(answered, "tr-matching")
    definition = right["object"]["definition"]
    pairs = [p.split("[.]") for p in items(definition["correctResponsesPattern"][0])]
    assert pairs == [["p1", "m1"], ["p2", "m2"]]
    assert [c["description"]["fr-CA"] for c in definition["source"]] == ["left [.] one", "שלום"]
    assert [c["description"]["fr-CA"] for c in definition["target"]] == ["right, [,] one", "עולם"]
    assert partial["result"]["response"] == "p1[.]m1" and partial["result"]["success"] is False
    assert 0 < partial["result"]["score"]["scaled"] < 1
    right, _, wrong = by_id(answered, "tr-ordering")
    assert right["object"]["definition"]["correctResponsesPattern"] == ["i1[,]i2[,]i3"]
    assert [c["id"] for c in right["object"]["definition"]["choices"]] == ["i1", "i2", "i3"]
    assert wrong["result"]["response"] == "i3[,]i2[,]i1"


@pytest.mark.node
def test_typed_answers_keep_their_text_and_the_delimiter_inside_them_is_neutralised(answered: Answered) -> None:
    right, empty, wrong = by_id(answered, "tr-short")
    patterns = right["object"]["definition"]["correctResponsesPattern"]
    read = [parameters(p) for p in patterns]
    assert read == [({"case_matters": "true"}, "café [ ,] crème"),
                    ({"case_matters": "true"}, "Deux, trois")]
    assert all(len(items(text)) == 1 for _, text in read)  # one answer each, never split
    assert right["result"]["response"] == "café [ ,] crème"
    assert wrong["result"]["response"] == "wrong [ ,] answer"
    assert "response" not in empty["result"]
    blanks = by_id(answered, "tr-blanks")[0]["object"]["definition"]["correctResponsesPattern"]
    params, first = parameters(blanks[0])
    assert params == {"case_matters": "true"}
    assert items(first) == ["x [ ,] y", "10", "p, q"]
    assert [items(parameters(p)[1])[0] for p in blanks] == ["x [ ,] y", "z"]
    awkward = by_id(answered, "aw-short")[0]
    assert parameters(awkward["object"]["definition"]["correctResponsesPattern"][0]) == (
        {"case_matters": "false"}, 'x{y}~z=#1:2 \\ "q"')


@pytest.mark.node
def test_numbers_are_ranges_or_values_and_a_comma_decimal_is_read(answered: Answered) -> None:
    right, empty, wrong = by_id(answered, "tr-numeric")
    assert right["object"]["definition"]["correctResponsesPattern"] == ["2[:]3"]
    assert right["result"]["response"] == "2.5" and right["result"]["success"] is True
    assert "response" not in empty["result"]
    assert "response" not in wrong["result"] and wrong["result"]["success"] is False
    exact = by_id(answered, "tr-exact")[0]
    assert exact["object"]["definition"]["correctResponsesPattern"] == ["-3"]
    assert by_id(answered, "aw-numeric")[0]["object"]["definition"]["correctResponsesPattern"] == [
        "190[:]210"]


@pytest.mark.node
def test_an_essay_sends_its_text_and_no_verdict(answered: Answered) -> None:
    right, empty, text = by_id(answered, "tr-essay")
    assert "correctResponsesPattern" not in right["object"]["definition"]
    assert text["result"]["response"] == "Un essai, [,] مرحبا\nligne 2"
    assert "success" not in text["result"] and "score" not in text["result"]
    assert "response" not in empty["result"]


@pytest.mark.node
def test_activity_ids_are_stable_and_escape_safe(answered: Answered) -> None:
    for case, got in answered:
        statement = got["statement"]
        if statement is None:
            continue
        qid = case["question"]["id"]
        quiz = case["ctx"]["quizId"]
        assert statement["object"]["id"] == f"urn:coursepack:starter-course/quiz/{quiz}/question/{qid}"
        parent = statement["context"]["contextActivities"]["parent"][0]["id"]
        assert parent == statement["object"]["id"].split("/question/")[0]
        assert statement["context"]["registration"] == case["ctx"]["registration"]
        assert statement["result"]["duration"] == "PT1.23S"
    ids = run_node({"answered": [{
        "question": {"id": "a b/c#d?é", "key": {"type": "true-false", "points": 1, "correct": "true"},
                     "interaction": {"correctResponse": ["true"], "description": "x"}},
        "answer": ["true"], "outcome": {"score": 1, "result": "correct"},
        "ctx": {"base": "https://example.org/courses/x/", "quizId": "q 1", "actor": ACTOR}}]})
    statement = ids["answered"][0]["statement"]
    assert statement["object"]["id"] == "https://example.org/courses/x/quiz/q%201/question/a%20b%2Fc%23d%3F%C3%A9"
    assert ids["answered"][0]["problems"] == []


@pytest.mark.node
def test_quiz_results_are_completed_then_passed_or_failed_with_mastery_overriding(tricky: Course) -> None:
    quiz = {"id": "tricky", "title": "Tricky [,] quiz", "passMark": 75}
    base = {"courseId": tricky.id, "lang": "ar", "actor": ACTOR}
    got = run_node({"results": [
        {"quiz": quiz, "attempt": {"score": 6, "maxScore": 8, "passed": True, "durationMs": 61000},
         "ctx": base},
        {"quiz": quiz, "attempt": {"score": 6, "maxScore": 8, "passed": True, "durationMs": 0},
         "ctx": {**base, "masteryScore": 0.8}},
        {"quiz": quiz, "attempt": {"score": 6.5, "maxScore": 8, "passed": True}, "ctx": {**base, "verbs": ["passed"]}},
        {"quiz": quiz, "attempt": {"score": 0, "maxScore": 0, "passed": False}, "ctx": base},
    ]})["results"]
    for statements in got:
        for entry in statements:
            assert entry["problems"] == [], entry
    first = [s["statement"] for s in got[0]]
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in first] == ["completed", "passed"]
    assert first[0]["result"] == {"completion": True, "duration": "PT1M1S"}
    assert first[1]["result"]["score"] == {"raw": 6, "min": 0, "max": 8, "scaled": 0.75}
    assert first[1]["object"]["definition"]["name"] == {"ar": "Tricky [,] quiz"}
    assert [s["statement"]["verb"]["id"].rsplit("/", 1)[1] for s in got[1]] == ["completed", "failed"]
    fractional = got[2][0]["statement"]
    assert fractional["result"]["score"] == {"scaled": 0.8125}  # cmi5 wants whole raw scores
    assert [s["statement"]["verb"]["id"].rsplit("/", 1)[1] for s in got[3]] == ["completed"]
