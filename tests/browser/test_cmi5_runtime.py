"""A learner takes the starter course's cmi5 units in Chromium, launched by a test cmi5 LMS.

The LMS (tests/lms/cmi5_lms.py) serves the unzipped package, launches a unit with the cmi5
launch parameters and refuses any statement that breaks a cmi5 rule; every statement it
recorded is also checked with an independent xAPI validator. The scenarios follow the cmi5
specification's sample flows: completed only, passed only, completed and passed with the
LMS's masteryScore overriding the pass mark, failed then passed in a second session,
abandoned session, browse mode, an LRS that fails for a while, and resume from the State API.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from coursepack.cli import main
from coursepack.starter import STARTER
from tests.browser.test_html_quiz import ESSAY, RIGHT, WRONG, answer_by_mouse
from tests.conftest import REPO
from tests.lms.cmi5_lms import MASTERY, SESSION, Lms, running

pytestmark = pytest.mark.browser

UNIT = "au-writing-questions.html"
PLAIN = "au-reading-notes.html"
BASE = "urn:coursepack:starter-course"
PUBLISHER = f"{BASE}/au/writing-questions"
QUIZ = "quizzes/writing-questions.html"
ANSWERED = 9  # eight marked questions and the essay; the description sends nothing
VALIDATOR = REPO / "tests" / "xapi_statements.js"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter course, plus a module with no quiz, built as a cmi5 package and unzipped."""
    root = tmp_path_factory.mktemp("cmi5")
    course = root / "course"
    shutil.copytree(STARTER, course, ignore=shutil.ignore_patterns(".coursepack-cache"))
    shutil.copytree(course / "modules" / "writing-questions", course / "modules" / "reading-notes")
    module = course / "modules" / "reading-notes" / "module.yaml"
    module.write_text(re.sub(r"(?m)^title: .*$", "title: Reading notes", module.read_text("utf-8"))
                      .replace("id: wq-", "id: rn-"), encoding="utf-8")
    text = (course / "course.yaml").read_text(encoding="utf-8")
    (course / "course.yaml").write_text(text.replace("  - writing-questions\n",
                                                     "  - writing-questions\n  - reading-notes\n", 1),
                                        encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(course), "-f", "cmi5", "--out", str(root / "build")])
    assert result.exit_code == 0, result.output
    (zipped,) = (root / "build" / "cmi5").glob("*.zip")
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(root / "site" / "pkg")
    return root / "site" / "pkg"


@pytest.fixture
def lms(package: Path) -> Iterator[Lms]:
    with running(package) as server:
        yield server


def wait_until(page: Any, check: Callable[[], bool], what: str, seconds: float = 15) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"waited {seconds}s for {what}")


def course_frame(page: Any, ending: str = "") -> Any:
    """The frame showing a course page, once it has loaded (ending: its path's end)."""
    page.wait_for_function(
        """(ending) => {
             const frame = document.getElementById('coursepack-content');
             const win = frame && frame.contentWindow;
             return !!win && win.location.pathname.indexOf('/pkg/course/') >= 0 &&
                    win.location.pathname.endsWith(ending) && win.document.readyState === 'complete';
           }""", arg=ending)
    return next(f for f in page.frames if "/pkg/course/" in f.url)


def launch(page: Any, lms: Lms, unit: str = UNIT, **options: Any) -> str:
    """Launch ``unit`` as the LMS does; the session id once it has initialized."""
    publisher = options.pop("publisher_id", PUBLISHER if unit == UNIT else f"{BASE}/au/reading-notes")
    before = set(lms.session_ids())
    page.goto(lms.launch(unit, publisher_id=publisher, **options))
    (session,) = set(lms.session_ids()) - before
    wait_until(page, lambda: "initialized" in lms.verbs(session), "initialized")
    course_frame(page)
    return session


def open_lessons(page: Any, lms: Lms) -> None:
    config = page.evaluate("JSON.parse(document.getElementById('coursepack-au').textContent)")
    for lesson in config["lessons"]:
        frame = course_frame(page)
        frame.goto(f"{lms.url}/pkg/course/{lesson}")
        course_frame(page, lesson)


def take_quiz(page: Any, lms: Lms, answers: dict[str, list[str]]) -> None:
    frame = course_frame(page)
    frame.goto(f"{lms.url}/pkg/course/{QUIZ}")
    frame = course_frame(page, QUIZ)
    frame.wait_for_selector("[data-quiz-form]:not([hidden])")
    answer_by_mouse(frame, answers)


def leave(page: Any) -> None:
    """The learner closes the unit: the launch page is left (pagehide)."""
    page.goto("about:blank")


def session_verbs(lms: Lms, session: str) -> list[str]:
    return lms.verbs(session)


def squeezed(verbs: list[str]) -> list[str]:
    """Runs of "answered" shown once with their count, to compare flows."""
    out: list[str] = []
    for verb in verbs:
        if verb == "answered" and out and out[-1].startswith("answered"):
            n = int(out[-1].split("x")[1]) + 1 if "x" in out[-1] else 2
            out[-1] = f"answered x{n}"
        else:
            out.append(verb)
    return [v if v != "answered" else "answered x1" for v in out]


def statements(lms: Lms, session: str, verb: str) -> list[dict[str, Any]]:
    return [s for s in lms.statements
            if s["context"]["extensions"].get(SESSION) == session and s["verb"]["id"].endswith("/" + verb)]


def assert_valid_and_nothing_refused(lms: Lms) -> None:
    assert lms.rejected == [], lms.rejected
    done = subprocess.run(["/usr/bin/node", str(VALIDATOR)], input=json.dumps({"validate": lms.statements}),
                          text=True, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    problems = json.loads(done.stdout)["validated"]
    assert all(p == [] for p in problems), [(s["verb"]["id"], p) for s, p in zip(lms.statements, problems, strict=True) if p]


# --- the scenarios ---------------------------------------------------------------------------


def test_a_module_passed_and_completed_sends_every_statement_in_order(page: Any, lms: Lms) -> None:
    session = launch(page, lms, mastery=None)
    open_lessons(page, lms)
    take_quiz(page, lms, RIGHT)
    wait_until(page, lambda: "passed" in lms.verbs(session), "passed")
    leave(page)
    wait_until(page, lambda: "terminated" in lms.verbs(session), "terminated")
    assert squeezed(session_verbs(lms, session)) == [
        "launched", "initialized", f"answered x{ANSWERED}", "completed", "passed", "terminated"]
    (passed,) = statements(lms, session, "passed")
    assert passed["result"]["success"] is True
    assert passed["result"]["score"] == {"raw": 9, "min": 0, "max": 9, "scaled": 1}
    assert MASTERY not in passed["context"]["extensions"]  # the LMS gave no masteryScore
    categories = [c["id"] for c in passed["context"]["contextActivities"]["category"]]
    assert categories == ["https://w3id.org/xapi/cmi5/context/categories/cmi5",
                          "https://w3id.org/xapi/cmi5/context/categories/moveon"]
    answers = statements(lms, session, "answered")
    assert all("category" not in s["context"].get("contextActivities", {}) for s in answers)
    assert all(s["context"]["contextActivities"]["grouping"] == [{"objectType": "Activity", "id": PUBLISHER}]
               for s in answers)
    essay = next(s for s in answers if s["object"]["id"].endswith("/question/wq-essay"))
    assert essay["result"]["response"] == ESSAY and "success" not in essay["result"]
    stamps = [s["timestamp"] for s in lms.statements if s["context"]["extensions"].get(SESSION) == session]
    assert stamps[1:] == sorted(stamps[1:]) and len(set(stamps[1:])) == len(stamps) - 1
    assert_valid_and_nothing_refused(lms)


def test_completed_only_for_a_module_with_no_quiz(page: Any, lms: Lms) -> None:
    session = launch(page, lms, unit=PLAIN, move_on="Completed")
    open_lessons(page, lms)
    wait_until(page, lambda: "completed" in lms.verbs(session), "completed")
    leave(page)
    wait_until(page, lambda: "terminated" in lms.verbs(session), "terminated")
    assert session_verbs(lms, session) == ["launched", "initialized", "completed", "terminated"]
    (completed,) = statements(lms, session, "completed")
    assert completed["result"]["completion"] is True and "score" not in completed["result"]
    assert re.fullmatch(r"PT[0-9.MHS]+", completed["result"]["duration"])
    assert_valid_and_nothing_refused(lms)


def test_passed_only_when_the_lessons_were_not_all_opened(page: Any, lms: Lms) -> None:
    session = launch(page, lms, return_url="https://lms.example.org/back")
    take_quiz(page, lms, RIGHT)
    wait_until(page, lambda: "passed" in lms.verbs(session), "passed")
    page.route("https://lms.example.org/back", lambda route: route.fulfill(body="back in the LMS"))
    page.click("[data-cmi5-exit]")  # the Exit button shows when the LMS gives a returnURL
    page.wait_for_url("https://lms.example.org/back")
    wait_until(page, lambda: "terminated" in lms.verbs(session), "terminated")
    assert squeezed(session_verbs(lms, session)) == [
        "launched", "initialized", f"answered x{ANSWERED}", "passed", "terminated"]
    assert_valid_and_nothing_refused(lms)


# Right on the first three questions, wrong elsewhere: 4 2/3 of 9 points, 51.85%: under the
# course's pass mark (60%), over the LMS's masteryScore (0.5).
MIXED = {**WRONG, **{q: RIGHT[q] for q in ("wq-single", "wq-multiple", "wq-true-false")}}


def test_completed_and_passed_with_the_lms_mastery_score_overriding_the_pass_mark(
        page: Any, lms: Lms) -> None:
    session = launch(page, lms, mastery=0.5, move_on="CompletedAndPassed")
    open_lessons(page, lms)
    take_quiz(page, lms, MIXED)
    wait_until(page, lambda: "passed" in lms.verbs(session), "passed")
    leave(page)
    wait_until(page, lambda: "terminated" in lms.verbs(session), "terminated")
    assert squeezed(session_verbs(lms, session)) == [
        "launched", "initialized", f"answered x{ANSWERED}", "completed", "passed", "terminated"]
    (passed,) = statements(lms, session, "passed")
    assert passed["context"]["extensions"][MASTERY] == 0.5
    assert passed["result"]["score"] == {"scaled": 0.5185}  # 4 2/3 points: no whole raw score
    assert_valid_and_nothing_refused(lms)


def test_failed_then_passed_in_a_second_session_resumed_from_the_state_api(
        page: Any, lms: Lms, browser: Any) -> None:
    session = launch(page, lms, mastery=0.6)
    registration = lms.sessions[session].registration
    take_quiz(page, lms, WRONG)
    leave(page)  # failed is sent as the session ends: the learner may still retry and pass
    wait_until(page, lambda: "terminated" in lms.verbs(session), "terminated")
    assert squeezed(session_verbs(lms, session)) == [
        "launched", "initialized", f"answered x{ANSWERED}", "failed", "terminated"]
    (failed,) = statements(lms, session, "failed")
    assert failed["result"]["success"] is False and failed["context"]["extensions"][MASTERY] == 0.6
    saved = lms.document(registration, "coursepack.progress")
    assert saved["t"]["q"]["writing-questions"]["n"] == 1
    # the next launch, in another browser (nothing kept locally): progress comes from the LRS
    other = browser.new_context().new_page()
    try:
        second = launch(other, lms, mastery=0.6, registration=registration)
        frame = course_frame(other)
        frame.goto(f"{lms.url}/pkg/course/{QUIZ}")
        frame = course_frame(other, QUIZ)
        frame.wait_for_selector("[data-quiz-result]:not([hidden])")  # the first attempt's result
        assert "Attempt 1 submitted" in frame.inner_text("[data-quiz-status]")
        frame.click("[data-retry]")
        answer_by_mouse(frame, RIGHT)
        wait_until(other, lambda: "passed" in lms.verbs(second), "passed")
        leave(other)
        wait_until(other, lambda: "terminated" in lms.verbs(second), "terminated")
    finally:
        other.context.close()
    assert squeezed(session_verbs(lms, second)) == [
        "launched", "initialized", f"answered x{ANSWERED}", "passed", "terminated"]
    assert_valid_and_nothing_refused(lms)


def test_an_abandoned_session_is_closed_by_the_lms_and_the_next_one_starts_clean(
        page: Any, lms: Lms) -> None:
    session = launch(page, lms)
    registration = lms.sessions[session].registration
    lms.down = True  # the connection is lost: nothing more reaches the LMS
    take_quiz(page, lms, RIGHT)
    leave(page)
    # the page's last try (terminated, sent with keepalive as it closes) is lost too
    wait_until(page, lambda: ("POST", "/lrs/statements") in lms.cut, "the last try")
    lms.down = False
    second = launch(page, lms, registration=registration)
    assert squeezed(session_verbs(lms, session)) == ["launched", "initialized", "abandoned"]
    # the unsent statements of the abandoned session are not sent with the new session's
    # token; the new session judges again from the progress this browser kept: passed
    wait_until(page, lambda: "passed" in lms.verbs(second), "passed")
    assert squeezed(session_verbs(lms, second)) == ["launched", "initialized", "passed"]
    leave(page)
    wait_until(page, lambda: "terminated" in lms.verbs(second), "terminated")
    assert lms.document(registration, "coursepack.progress")["d"] == {"passed": True}
    assert_valid_and_nothing_refused(lms)


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_modes_send_no_completion_or_verdict(page: Any, lms: Lms, mode: str) -> None:
    session = launch(page, lms, mode=mode)
    open_lessons(page, lms)
    take_quiz(page, lms, RIGHT)
    wait_until(page, lambda: lms.verbs(session).count("answered") == ANSWERED, "answers")
    leave(page)
    wait_until(page, lambda: "terminated" in lms.verbs(session), "terminated")
    assert squeezed(session_verbs(lms, session)) == [
        "launched", "initialized", f"answered x{ANSWERED}", "terminated"]
    assert_valid_and_nothing_refused(lms)


def test_an_lrs_failing_for_a_while_gets_every_statement_once_and_in_order(page: Any, lms: Lms) -> None:
    session = launch(page, lms, languages="fr-CA,en")
    lms.fail_statements = 2  # the next two statement requests are refused with 503
    take_quiz(page, lms, RIGHT)
    wait_until(page, lambda: "passed" in lms.verbs(session), "passed", seconds=30)
    leave(page)
    wait_until(page, lambda: "terminated" in lms.verbs(session), "terminated")
    assert [r for r in lms.requests if r[2] == 503], "the LRS never failed"
    assert squeezed(session_verbs(lms, session)) == [
        "launched", "initialized", f"answered x{ANSWERED}", "passed", "terminated"]
    ids = [s["id"] for s in lms.statements]
    assert len(ids) == len(set(ids))
    assert_valid_and_nothing_refused(lms)


def test_the_token_is_fetched_once_and_launch_data_is_read(page: Any, lms: Lms) -> None:
    session = launch(page, lms, languages="ar,en")
    fetches = [r for r in lms.requests if r[1].startswith("/fetch/")]
    assert fetches == [("POST", f"/fetch/{session}", 200)]
    host = page.evaluate("""() => { const s = window.coursepackCmi5.session;
                                     return {mode: s.mode, languages: s.languages, token: !!s.token}; }""")
    assert host == {"mode": "Normal", "languages": ["ar", "en"], "token": True}
    # a second POST to the fetch URL gets cmi5's error JSON, which the adapter would report
    again = page.evaluate("(url) => fetch(url, {method: 'POST'}).then(r => r.json())",
                          lms.launch_urls[session]["fetch"])
    assert again["error-code"] == "1"


def test_without_launch_parameters_the_unit_shows_the_course_and_sends_nothing(
        page: Any, lms: Lms) -> None:
    page.goto(f"{lms.url}/pkg/{UNIT}")
    frame = course_frame(page)
    assert frame.locator("main").count() == 1
    take_quiz(page, lms, RIGHT)
    page.wait_for_timeout(300)
    leave(page)
    assert lms.requests == [] and lms.statements == []


# --- the bundled course ----------------------------------------------------------------------

RIGHT_BY_DATA = """() => {
  const data = JSON.parse(document.getElementById('quiz-data').textContent);
  const state = window.coursepack.state();
  const quiz = state.q[data.id] || {a: 0};
  const current = quiz.c || {k: 1, r: {}};
  for (const [id, q] of Object.entries(data.questions)) {
    const type = q.key.type;
    if (type === 'description') continue;
    let tokens = q.interaction.correctResponse.slice();
    if (type === 'numeric') tokens = [tokens[0]];
    if (type === 'short-answer') tokens = [q.key.answers[0]];
    if (type === 'essay') tokens = ['An answer for the trainer.'];
    current.r[id] = tokens;
  }
  quiz.c = current;
  state.q[data.id] = quiz;
  window.coursepack.restore(state);
  return Object.keys(current.r).length;
}"""


@pytest.fixture(scope="module")
def bundled_package(bundled_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    (zipped,) = (bundled_build / "cmi5").glob("*.zip")
    target = tmp_path_factory.mktemp("bundled-cmi5") / "pkg"
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(target)
    return target


def test_a_module_of_the_bundled_course_run_through_a_cmi5_lms(page: Any, bundled_package: Path) -> None:
    unit = "humanitarian-diplomacy"
    with running(bundled_package) as lms:
        session = launch(page, lms, unit=f"au-{unit}.html",
                         publisher_id=f"urn:coursepack:humanitarian-diplomacy/au/{unit}")
        open_lessons(page, lms)
        frame = course_frame(page)
        frame.goto(f"{lms.url}/pkg/course/quizzes/{unit}.html")
        frame = course_frame(page, f"quizzes/{unit}.html")
        frame.wait_for_selector("[data-quiz-form]:not([hidden])")
        assert frame.evaluate(RIGHT_BY_DATA) > 0
        frame.click("[data-submit]")
        if frame.locator("dialog[open] [data-confirm]").count():
            frame.click("dialog[open] [data-confirm]")
        frame.wait_for_selector("[data-quiz-result]:not([hidden])")
        wait_until(page, lambda: "passed" in lms.verbs(session), "passed")
        leave(page)
        wait_until(page, lambda: "terminated" in lms.verbs(session), "terminated")
        flow = squeezed(session_verbs(lms, session))
        assert flow[:2] == ["launched", "initialized"] and flow[-3:] == ["completed", "passed", "terminated"]
        assert flow[2].startswith("answered x")
        (passed,) = statements(lms, session, "passed")
        assert passed["result"]["score"]["scaled"] == 1
        assert_valid_and_nothing_refused(lms)


def test_answers_not_yet_submitted_come_back_on_another_computer(page: Any, lms: Lms, browser: Any) -> None:
    session = launch(page, lms)
    registration = lms.sessions[session].registration
    frame = course_frame(page)
    frame.goto(f"{lms.url}/pkg/course/{QUIZ}")
    frame = course_frame(page, QUIZ)
    frame.wait_for_selector("[data-quiz-form]:not([hidden])")
    frame.fill("#q-wq-short-answer", "the stem, [,] café")
    frame.click('label[for="q-wq-single-b"]')
    wait_until(page, lambda: "wq-short" in json.dumps(lms.document(registration, "coursepack.progress")),
               "the answers in the state document")
    leave(page)
    wait_until(page, lambda: "terminated" in lms.verbs(session), "terminated")
    other = browser.new_context().new_page()
    try:
        launch(other, lms, registration=registration)
        frame = course_frame(other, QUIZ)  # the unit reopens on the page the learner left
        frame.wait_for_selector("[data-quiz-form]:not([hidden])")
        assert frame.input_value("#q-wq-short-answer") == "the stem, [,] café"
        assert frame.is_checked("#q-wq-single-b")
    finally:
        other.context.close()
    assert_valid_and_nothing_refused(lms)


# --- a course in French ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def french_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter course with French as its interface language, as an unzipped cmi5 package."""
    root = tmp_path_factory.mktemp("cmi5-fr")
    course = root / "course"
    shutil.copytree(STARTER, course, ignore=shutil.ignore_patterns(".coursepack-cache"))
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("language: en", "language: fr"), "utf-8")
    result = CliRunner().invoke(main, ["build", str(course), "-f", "cmi5", "--out", str(root / "build")])
    assert result.exit_code == 0, result.output
    (zipped,) = (root / "build" / "cmi5").glob("*.zip")
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(root / "site" / "pkg")
    return root / "site" / "pkg"


def test_the_units_own_messages_are_in_the_courses_language(
        page: Any, french_package: Path) -> None:
    with running(french_package) as lms:
        launch(page, lms, return_url="https://lms.example.org/back")
        assert page.evaluate("window.coursepackMessages.lang") == "fr"
        exit_button = page.locator("[data-cmi5-exit]")
        exit_button.wait_for()
        assert exit_button.inner_text() == "Quitter"

        # A launch whose LMS cannot be reached: the unit says so, in French.
        actor = json.dumps({"objectType": "Agent", "account": {
            "homePage": "https://lms.example.org", "name": "learner"}})
        closed = "http://127.0.0.1:9"
        page.goto(f"{lms.url}/pkg/{UNIT}?" + urlencode({
            "endpoint": f"{closed}/xapi/", "fetch": f"{closed}/fetch", "actor": actor,
            "registration": "0b4c2d7e-1f3a-4c5b-9d6e-7a8b9c0d1e2f",
            "activityId": "https://lms.example.org/activities/unit"}))
        page.wait_for_selector("[data-cmi5-note]")
        assert page.inner_text("[data-cmi5-note]") == (
            "Ce module n’a pas pu se connecter au LMS\u00a0: votre progression ici n’est pas "
            "enregistrée.")
