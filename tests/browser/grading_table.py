"""The shared grading table (tests/grading_cases.json) as a real quiz in a real course.

The table's questions are written into a course as a quiz spec, so that Python grades the
questions the loader makes and JavaScript grades the keys the HTML exporter writes from them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from coursepack.exporters.html.quizdata import grading_key
from coursepack.loader import load_course
from coursepack.model import Question

CASES_FILE = Path(__file__).resolve().parents[1] / "grading_cases.json"
QUIZ_ID = "grading-cases"


def table() -> dict[str, Any]:
    return json.loads(CASES_FILE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def add_quiz(course: Path) -> None:
    """Write the table's questions into ``course`` as quizzes/grading-cases.yaml (JSON is YAML)."""
    spec = {"title": "Grading cases", "questions": table()["questions"]}
    (course / "quizzes" / f"{QUIZ_ID}.yaml").write_text(json.dumps(spec, ensure_ascii=False),
                                                          encoding="utf-8")


def questions(course: Path) -> dict[str, Question]:
    """The table's questions as the loader reads them from ``course``."""
    loaded, problems = load_course(course)
    errors = [str(p) for p in problems if p.is_error]
    assert not errors, errors
    quiz = next(q for q in loaded.quizzes if q.id == QUIZ_ID)
    return {q.id: q for q in quiz.questions}


def keys(course: Path) -> dict[str, Any]:
    """The grading key of every table question, as the quiz pages carry them."""
    return {qid: grading_key(q) for qid, q in questions(course).items()}


def mismatches(cases: list[dict[str, Any]], got: list[dict[str, Any]]) -> list[str]:
    """Cases where a grader's {score, result} differs from the table."""
    wrong = []
    for case, answer in zip(cases, got, strict=True):
        if abs(answer["score"] - case["score"]) > 1e-9 or answer["result"] != case["result"]:
            wrong.append(f"{case['question']} {case['response']}: expected {case['score']:g} "
                         f"{case['result']}, got {answer['score']:g} {answer['result']}")
    return wrong
