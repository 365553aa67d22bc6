"""A learner takes the starter course's module quiz inside a test LMS (scorm-again's run-time).

The LMS page (tests/lms/lms.html) provides a real SCORM API; the SCO runs in its frame from a
local http server. The quiz is answered right, then wrong; the LMS must hold the status, the
score, every answer as an interaction, a commit before the finish, and suspend data that
brings the learner back where they were on the next launch.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.lms.harness import HERE, VERSIONS, calls, serve, site, wait_for_course_page

pytestmark = pytest.mark.browser

QUIZ = "writing-questions"
SCO = "sco-writing-questions.html"

# What a learner answers in the starter quiz, as the runtime reports it (runtime-contract.md):
# (question id, SCORM type, right answer tokens, wrong answer tokens, weighting, objectives)
ANSWERS = [
    ("wq-single", "choice", ["a"], ["b"], 1, ["wq-stem"]),
    ("wq-multiple", "choice", ["a", "b"], ["c"], 2, ["wq-options"]),
    ("wq-true-false", "true-false", ["false"], ["true"], 1, ["wq-options"]),
    ("wq-short", "fill-in", ["stem"], ["option"], 1, ["wq-stem"]),
    ("wq-numeric", "numeric", ["4"], ["5"], 1, ["wq-options"]),
    ("wq-matching", "matching", ["p1.m1", "p2.m2", "p3.m3"], ["p1.m2", "p2.m1", "p3.m3"], 1,
     ["wq-stem", "wq-feedback"]),
    ("wq-ordering", "sequencing", ["i1", "i2", "i3"], ["i3", "i2", "i1"], 1, ["wq-feedback"]),
    ("wq-blanks", "fill-in", ["feedback", "3", "not"], ["grades", "2", "only"], 1,
     ["wq-feedback"]),
]


def submission(right: bool, attempt: int, pass_mark: float) -> dict[str, Any]:
    """The quiz-submitted event the runtime sends after one attempt."""
    interactions = [
        {"id": qid, "type": kind, "learnerResponse": good if right else bad,
         "correctResponse": good, "result": "correct" if right else "incorrect",
         "weighting": weight, "score": weight if right else 0, "objectives": objectives,
         "description": qid}
        for qid, kind, good, bad, weight, objectives in ANSWERS
    ]
    interactions.append({"id": "wq-essay", "type": "long-fill-in",
                         "learnerResponse": ["What is a stem?"], "correctResponse": [],
                         "result": "neutral", "weighting": 3, "score": 0,
                         "objectives": ["wq-stem"], "description": "essay"})
    score = sum(i["score"] for i in interactions)
    top = sum(i["weighting"] for i in interactions)
    return {"quizId": QUIZ, "moduleId": QUIZ, "title": "Quiz", "score": score, "maxScore": top,
            "scaled": score / top, "passed": score / top * 100 >= pass_mark,
            "passMark": pass_mark, "attempt": attempt, "interactions": interactions}


@pytest.fixture(params=sorted(VERSIONS))
def lms(request, run, course, tmp_path, browser):  # type: ignore[no-untyped-def]
    """A built package served next to the LMS page, and a fresh browser tab on the LMS."""
    fmt = request.param
    out = tmp_path / "build"
    result = run("build", str(course), "-f", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    package = next((out / fmt).glob("*.zip"))
    root = site(tmp_path / "www", package)
    context = browser.new_context()
    if not (root / "pkg" / "course" / "assets" / "coursepack.js").exists():
        context.add_init_script(path=str(HERE / "fake-runtime.js"))
    tab = context.new_page()
    with serve(root) as base:
        tab.goto(f"{base}/lms/lms.html")
        yield Launcher(tab, VERSIONS[fmt], root)
    context.close()


class Launcher:
    """Launch the SCO as an LMS would, with what the manifest says and what it stored before."""

    def __init__(self, page: Any, version: str, root: Path) -> None:
        self.page, self.version, self.root = page, version, root

    @property
    def pass_mark(self) -> float:
        manifest = etree.parse(str(self.root / "pkg" / "imsmanifest.xml"))
        if self.version == "1.2":
            return float(manifest.xpath("//*[local-name()='masteryscore']")[0].text)
        measure = manifest.xpath("//*[local-name()='minNormalizedMeasure']")[0].text
        return float(measure) * 100

    def preset(self, stored: dict[str, Any] | None) -> dict[str, Any]:
        if self.version == "1.2":
            data: dict[str, Any] = {"student_data": {"mastery_score": f"{self.pass_mark:g}"}}
            if stored:
                data["suspend_data"] = stored["suspend_data"]
                data["core"] = {"entry": "resume", "lesson_location":
                                stored["core"]["lesson_location"]}
            return data
        data = {"scaled_passing_score": f"{self.pass_mark / 100:g}"}
        if stored:
            data |= {"suspend_data": stored["suspend_data"], "entry": "resume",
                     "location": stored["location"]}
        return data

    def launch(self, stored: dict[str, Any] | None = None) -> None:
        self.page.evaluate("([v, href, preset]) => lms.launch(v, href, preset)",
                           [self.version, f"../pkg/{SCO}", self.preset(stored)])

    def data(self) -> dict[str, Any]:
        return self.page.evaluate("lms.data()")  # type: ignore[no-any-return]

    def status(self) -> str:
        data = self.data()
        return data["core"]["lesson_status"] if self.version == "1.2" else data["success_status"]

    def score(self) -> float:
        data = self.data()
        if self.version == "1.2":
            return float(data["core"]["score"]["raw"])
        return float(data["score"]["scaled"]) * 100

    def interactions(self) -> list[dict[str, Any]]:
        found = self.data()["interactions"]
        items = found.get("childArray", found) if isinstance(found, dict) else found
        return list(items.values()) if isinstance(items, dict) else list(items)

    def submit(self, right: bool, attempt: int) -> dict[str, Any]:
        frame = wait_for_course_page(self.page, f"quizzes/{QUIZ}.html")
        detail = submission(right, attempt, self.pass_mark)
        frame.evaluate("(d) => window.coursepack._submit(d)", detail)
        return detail


def visit(frame: Any, relative: str) -> None:
    frame.evaluate("(href) => { location.href = href; }", relative)


def test_quiz_right_then_wrong_reaches_the_lms_and_resumes(lms: Launcher) -> None:
    lms.launch()
    start = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    visit(start, "one-idea.html")
    lesson = wait_for_course_page(lms.page, f"{QUIZ}/one-idea.html")
    visit(lesson, f"../quizzes/{QUIZ}.html")

    right = lms.submit(right=True, attempt=1)
    assert lms.status() == "passed"
    assert lms.score() == pytest.approx(right["score"] / right["maxScore"] * 100, abs=0.01)
    assert len(lms.interactions()) == len(right["interactions"])
    log = calls(lms.page)
    assert log[-1]["call"] == "commit", "the adapter commits after each quiz"
    order = [e["element"] for e in log if e["call"] == "set"]
    status_key = "cmi.core.lesson_status" if lms.version == "1.2" else "cmi.success_status"
    score_key = "cmi.core.score.raw" if lms.version == "1.2" else "cmi.score.scaled"
    assert order.index(score_key) < order.index(status_key), "score before status"

    lms.submit(right=False, attempt=2)
    assert lms.status() == "passed", "the best attempt counts"
    recorded = lms.interactions()
    assert len(recorded) == 2 * len(right["interactions"])
    wrong = "wrong" if lms.version == "1.2" else "incorrect"
    assert {i["result"] for i in recorded[len(recorded) // 2:]} == {wrong, "neutral"}
    assert all(i["objectives"] for i in recorded)

    lms.page.evaluate("lms.close()")
    lms.page.wait_for_function("lms.log.some(e => e.call === 'finish')")
    log = calls(lms.page)
    ends = [e["call"] for e in log if e["call"] in ("commit", "finish")]
    assert ends[-2:] == ["commit", "finish"] and ends.count("finish") == 1
    stored = lms.data()
    limit = 4096 if lms.version == "1.2" else 64000
    assert 0 < len(stored["suspend_data"]) <= limit
    saved = json.loads(stored["suspend_data"])

    lms.launch(stored)
    back = wait_for_course_page(lms.page, f"quizzes/{QUIZ}.html")
    assert back.evaluate("window.coursepack.state()") == saved["s"]
    assert lms.status() == "passed"


def test_a_wrong_first_attempt_fails(lms: Launcher) -> None:
    lms.launch()
    start = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    visit(start, f"../quizzes/{QUIZ}.html")
    wrong = lms.submit(right=False, attempt=1)
    assert lms.status() == "failed"
    assert lms.score() == pytest.approx(wrong["score"] / wrong["maxScore"] * 100, abs=0.01)


def test_the_course_works_without_an_lms(lms: Launcher) -> None:
    lms.page.goto(lms.page.url.replace("/lms/lms.html", f"/pkg/{SCO}"))
    frame = wait_for_launch_without_lms(lms.page)
    assert frame.evaluate("document.querySelector('h1') !== null")


def wait_for_launch_without_lms(page: Any) -> Any:
    page.wait_for_function(
        """() => { const f = document.getElementById('coursepack-content');
                   return f && f.contentWindow && f.contentWindow.location.pathname.endsWith(
                     'writing-questions/index.html') &&
                     f.contentWindow.document.readyState === 'complete'; }""")
    return next(f for f in page.frames if "/pkg/course/" in f.url)


def test_suspend_data_stays_under_the_scorm12_limit(lms: Launcher) -> None:
    if lms.version != "1.2":
        pytest.skip("only SCORM 1.2 limits suspend_data to 4,096 characters")
    lms.launch()
    start = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    visit(start, f"../quizzes/{QUIZ}.html")
    frame = wait_for_course_page(lms.page, f"quizzes/{QUIZ}.html")
    detail = submission(True, 1, lms.pass_mark) | {"pad": "x" * 5000}
    frame.evaluate("(d) => window.coursepack._submit(d)", detail)
    stored = lms.data()["suspend_data"]
    assert 0 < len(stored) <= 4096
    assert json.loads(stored)["t"]["q"][QUIZ]["b"] == detail["score"]


def test_manifest_in_package_is_at_zip_root(lms: Launcher) -> None:
    package = next(lms.root.parent.glob("build/*/*.zip"))
    assert "imsmanifest.xml" in zipfile.ZipFile(package).namelist()
