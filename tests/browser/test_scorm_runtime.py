"""A learner takes the starter course's module quiz inside a test LMS (scorm-again's run-time).

The LMS page (tests/lms/lms.html) provides a real SCORM API; the SCO runs in its frame from a
local http server. The quiz is answered right, then wrong; the LMS must hold the status, the
score, every answer as an interaction, a commit before the finish, and suspend data that
brings the learner back where they were on the next launch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from coursepack.loader import load_course
from coursepack.model import Matching
from tests.conftest import NODE_MODULES
from tests.lms.harness import VERSIONS, calls, serve, site, wait_for_course_page

pytestmark = pytest.mark.browser

QUIZ = "writing-questions"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
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
    ("wq-blanks", "fill-in", ["learning", "3", "not"], ["grades", "2", "only"], 1,
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
    top = sum(i["weighting"] for i in interactions if i["result"] != "neutral")  # essays wait
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

    def launch(self, stored: dict[str, Any] | None = None, sco: str = SCO, **options: Any) -> None:
        self.page.evaluate("([v, href, preset, o]) => lms.launch(v, href, preset, o)",
                           [self.version, f"../pkg/{sco}", self.preset(stored), options])

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

    def adapter_errors(self) -> list[str]:
        """SCORM calls the LMS refused (the adapter keeps each with the LMS's error code)."""
        launcher = next(f for f in self.page.frames if f.url.endswith(SCO))
        return launcher.evaluate("window.coursepackScorm.session.errors")  # type: ignore[no-any-return]

    def wait_for_commit(self, before: int) -> None:
        self.page.wait_for_function(
            "(n) => lms.log.filter(e => e.call === 'commit').length > n", arg=before)

    def commits(self) -> int:
        return sum(1 for entry in calls(self.page) if entry["call"] == "commit")

    def submit(self, right: bool, attempt: int) -> dict[str, Any]:
        frame = wait_for_course_page(self.page, f"quizzes/{QUIZ}.html")
        detail = submission(right, attempt, self.pass_mark)
        before = self.commits()
        frame.evaluate("(d) => window.coursepack._submit(d)", detail)
        self.wait_for_commit(before)
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
    assert log[-1]["call"] == "commit", "the adapter commits after each quiz, state included"
    sets = [(e["element"], e["value"]) for e in log if e["call"] == "set"]
    status_key = "cmi.core.lesson_status" if lms.version == "1.2" else "cmi.success_status"
    score_key = "cmi.core.score.raw" if lms.version == "1.2" else "cmi.score.scaled"
    first_score = next(i for i, (key, _) in enumerate(sets) if key == score_key)
    first_pass = sets.index((status_key, "passed"))
    assert first_score < first_pass, "the score goes to the LMS before the status"

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
    assert lms.adapter_errors() == []


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


def answer_in_the_page(frame: Any, course: Path, right: bool) -> None:
    """Fill in the quiz form as a learner would; ``right`` picks right or wrong answers."""
    frame.wait_for_selector("form[data-quiz-form]:not([hidden])")
    if not right:
        for selector in ("#q-wq-single-b", "#q-wq-true-false-true", "#q-wq-multiple-c"):
            frame.check(selector)
        frame.fill("#q-wq-short-answer", "option")
        frame.click("[data-submit]")
        frame.click("dialog[open] [data-confirm]")  # the quiz asks before it uses an attempt
        return
    for selector in ("#q-wq-single-a", "#q-wq-multiple-a", "#q-wq-multiple-b",
                     "#q-wq-true-false-false"):
        frame.check(selector)
    frame.fill("#q-wq-short-answer", "stem")
    frame.fill("#q-wq-numeric-answer", "4")
    model, _ = load_course(course)
    quiz = next(q for q in model.quizzes if q.id == QUIZ)
    matching = next(q for q in quiz.questions if isinstance(q, Matching))
    for number, pair in enumerate(matching.pairs, start=1):
        frame.select_option(f"#q-wq-matching-match-p{number}", label=pair.match)
    frame.fill("#q-wq-blanks-blank-1", "feedback")
    frame.fill("#q-wq-blanks-blank-2", "3")
    frame.select_option("#q-wq-blanks-blank-3", "not")
    frame.click("[data-submit]")
    frame.click("dialog[open] [data-confirm]")  # the quiz asks before it uses an attempt


def test_a_learner_fails_then_passes_in_the_quiz_page(lms: Launcher, course: Path) -> None:
    """The real quiz page, answered with clicks: failed first, passed on the second attempt."""
    lms.launch()
    start = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    visit(start, f"../quizzes/{QUIZ}.html")
    quiz = wait_for_course_page(lms.page, f"quizzes/{QUIZ}.html")

    before = lms.commits()
    answer_in_the_page(quiz, course, right=False)
    lms.wait_for_commit(before)
    assert lms.status() == "failed"
    first = len(lms.interactions())
    assert first > 0

    quiz.click("[data-retry]")
    before = lms.commits()
    answer_in_the_page(quiz, course, right=True)
    lms.wait_for_commit(before)
    assert lms.status() == "passed"
    best = quiz.evaluate(f"window.coursepack.state().q[{QUIZ!r}].b")
    assert lms.score() == pytest.approx(best, abs=0.01)
    recorded = lms.interactions()
    assert len(recorded) == 2 * first
    kinds = {i["type"] for i in recorded}
    assert {"choice", "true-false", "fill-in", "numeric", "matching", "sequencing"} <= kinds
    assert lms.adapter_errors() == [], "the LMS accepted every value the adapter sent"


def hide(lms: Launcher) -> None:
    """What the browser does when the tab is hidden (headless Chromium never hides a tab)."""
    launcher = next(f for f in lms.page.frames if f.url.endswith(SCO))
    launcher.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
        document.dispatchEvent(new Event('visibilitychange')); }""")


def test_suspend_data_stays_within_the_lms_limit(lms: Launcher) -> None:
    """A runtime state too big for the LMS is trimmed; the place and the scores survive."""
    lms.launch()
    start = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    visit(start, f"../quizzes/{QUIZ}.html")
    lms.submit(right=True, attempt=1)
    frame = wait_for_course_page(lms.page, f"quizzes/{QUIZ}.html")
    limit = 4096 if lms.version == "1.2" else 64000
    drafts = {f"quiz-{n}": {"a": 0, "c": {"k": n, "r": {"essay": ["x" * 1000]}}}
              for n in range(limit // 900)}
    frame.evaluate("""(drafts) => { const s = window.coursepack.state();
                                    Object.assign(s.q, drafts); window.coursepack.restore(s); }""",
                   drafts)
    before = lms.commits()
    hide(lms)  # the learner switches tab: the adapter commits what it has
    lms.wait_for_commit(before)
    assert not any(e["call"] == "finish" for e in calls(lms.page))
    stored = lms.data()["suspend_data"]
    assert 0 < len(stored) <= limit
    saved = json.loads(stored)
    assert saved["l"] == f"quizzes/{QUIZ}.html"
    assert saved["t"]["q"][QUIZ]["b"] > 0
    assert all("r" not in q.get("c", {}) for q in saved["s"]["q"].values())


def test_a_failed_commit_is_retried(lms: Launcher) -> None:
    """The LMS refuses the commit after the quiz; the adapter tries again and it gets through."""
    lms.launch()
    start = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    visit(start, f"../quizzes/{QUIZ}.html")
    frame = wait_for_course_page(lms.page, f"quizzes/{QUIZ}.html")
    launcher = next(f for f in lms.page.frames if f.url.endswith(SCO))
    launcher.wait_for_function("window.coursepackScorm.session.pending === null")
    lms.page.evaluate("lms.refuse = 1")
    frame.evaluate("(d) => window.coursepack._submit(d)", submission(True, 1, lms.pass_mark))
    lms.page.wait_for_function(
        """() => { const at = lms.log.map(e => e.call).lastIndexOf('refused');
                   return at >= 0 && lms.log.slice(at).some(e => e.call === 'commit'); }""")
    assert lms.status() == "passed"
    assert lms.page.evaluate("lms.failed") == 1


def test_the_api_is_found_through_the_opener(lms: Launcher) -> None:
    """Some LMSs open the SCO in a new window: the adapter finds the API in window.opener."""
    with lms.page.expect_popup() as opened:
        lms.launch(popup=True)
    popup = opened.value
    popup.wait_for_function(
        """() => { const f = document.getElementById('coursepack-content');
                   return f && f.contentWindow.location.pathname.endsWith('index.html') &&
                          f.contentWindow.document.readyState === 'complete'; }""")
    frame = next(f for f in popup.frames if "/pkg/course/" in f.url)
    visit(frame, f"../quizzes/{QUIZ}.html")
    popup.wait_for_function(
        """() => document.getElementById('coursepack-content').contentWindow
                   .location.pathname.endsWith('quizzes/writing-questions.html')""")
    quiz = next(f for f in popup.frames if f.url.endswith(f"quizzes/{QUIZ}.html"))
    quiz.wait_for_function("() => !!window.coursepack")
    before = lms.commits()
    quiz.evaluate("(d) => window.coursepack._submit(d)", submission(True, 1, lms.pass_mark))
    lms.wait_for_commit(before)
    assert lms.status() == "passed"
    lms.page.evaluate("lms.close()")
    lms.page.wait_for_function("lms.log.some(e => e.call === 'finish')")


# --- a module SCO as a learner lives it: only its own pages, visible steps, status rules -------

SCO_PAGES = {f"{QUIZ}/index.html", f"{QUIZ}/one-idea.html", f"{QUIZ}/feedback.html",
             f"quizzes/{QUIZ}.html"}


def links_outside_the_sco(frame: Any) -> list[str]:
    """Every link on the shown page that leads to a course page outside this SCO."""
    hrefs = frame.evaluate("""() => Array.from(document.querySelectorAll('a[href]'),
        a => a.href.split('#')[0]).filter(h => h.includes('/pkg/course/'))""")
    return [h for h in hrefs if h.split("/pkg/course/")[1] not in SCO_PAGES]


def follow_in_sco(lms: Launcher, frame: Any, locator: str, ending: str) -> Any:
    """Click a visible link in the SCO's page; return the frame once the next page is shown."""
    link = frame.locator(locator)
    assert link.is_visible(), f"{locator} is not visible"
    link.click()
    shown = wait_for_course_page(lms.page, ending)
    assert links_outside_the_sco(shown) == [], f"{ending} links out of its SCO"
    assert shown.locator("[data-reset-progress]").count() == 0, "no course-wide reset in a SCO"
    return shown


def recorded(lms: Launcher) -> dict[str, Any]:
    """What the LMS holds for the SCO, in the version's own terms."""
    data = lms.data()
    if lms.version == "1.2":
        return {"cmi.core.lesson_status": data["core"]["lesson_status"],
                "cmi.core.score.raw": data["core"]["score"]["raw"],
                "cmi.interactions": len(lms.interactions())}
    return {"cmi.completion_status": data["completion_status"],
            "cmi.success_status": data["success_status"],
            "cmi.score.scaled": data["score"]["scaled"],
            "cmi.progress_measure": data["progress_measure"],
            "cmi.interactions": len(lms.interactions())}


def test_a_module_sco_is_completed_by_following_its_visible_steps(
        lms: Launcher, course: Path) -> None:
    lms.launch()
    overview = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    assert links_outside_the_sco(overview) == []
    assert overview.locator("a[href$='final.html']").count() == 0, "no other SCO's quiz"
    overview.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = overview.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in found["violations"] if v["impact"] in ("serious", "critical")] == []
    lesson = follow_in_sco(lms, overview, "main [data-continue]", f"{QUIZ}/one-idea.html")
    lesson = follow_in_sco(lms, lesson, "a[rel=next]", f"{QUIZ}/feedback.html")
    quiz = follow_in_sco(lms, lesson, "a[rel=next]", f"quizzes/{QUIZ}.html")
    before = lms.commits()
    answer_in_the_page(quiz, course, right=True)
    lms.wait_for_commit(before)
    got = recorded(lms)
    print(f"\nSCORM {lms.version} recorded for the module SCO: {json.dumps(got)}")
    shown = quiz.evaluate(f"window.coursepack.state().q[{QUIZ!r}].b")  # what the page says
    assert lms.score() == pytest.approx(shown, abs=0.01)
    if lms.version == "1.2":
        assert got["cmi.core.lesson_status"] == "passed"
    else:
        assert (got["cmi.completion_status"], got["cmi.success_status"]) == ("completed", "passed")
        assert float(got["cmi.progress_measure"]) == 1
    assert got["cmi.interactions"] == len(ANSWERS) + 1, "every question, the essay included"
    assert lms.adapter_errors() == []
    # the result leads back to the module's start, as Next does, never out of the SCO
    go = quiz.locator("[data-quiz-result] [data-continue]")
    assert go.inner_text() == "Back to the module overview"
    assert go.get_attribute("href") == quiz.get_attribute("a[rel=next]", "href")
    back = follow_in_sco(lms, quiz, "[data-quiz-result] [data-continue]", f"{QUIZ}/index.html")
    assert "all done" in back.inner_text("main [data-path-progress]")


def test_a_quiz_that_is_a_sco_of_its_own_leads_nowhere_out_of_it(lms: Launcher) -> None:
    """The final check is a SCO alone: its result offers a retry, and no link to any other page."""
    lms.launch(sco="sco-final.html")
    quiz = wait_for_course_page(lms.page, "quizzes/final.html")
    quiz.wait_for_selector("form[data-quiz-form]:not([hidden])")
    assert quiz.locator("a[rel=next]").count() == 0
    before = lms.commits()
    quiz.click("[data-submit]")  # nothing answered: the dialog lists every question
    quiz.click("dialog[open] [data-confirm]")
    lms.wait_for_commit(before)
    assert lms.status() == "failed"
    result = quiz.locator("[data-quiz-result]")
    assert result.locator(".result-actions > :not([hidden])").all_inner_texts() == ["Try again"]
    hrefs = quiz.evaluate("""() => Array.from(document.querySelectorAll('main a[href]'),
        a => a.getAttribute('href')).filter(h => !h.startsWith('#'))""")
    assert hrefs == [], "a lone quiz links no other page"


def status_pair(lms: Launcher) -> tuple[str, str]:
    data = lms.data()
    if lms.version == "1.2":
        status = data["core"]["lesson_status"]
        return status, status
    return data["completion_status"], data["success_status"]


def test_both_versions_follow_one_completion_rule(lms: Launcher) -> None:
    """Completed once every lesson was read and the quiz submitted, or once it is passed."""
    lms.launch()
    overview = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    quiz = follow_in_sco(lms, overview, ".steps a[data-quiz-link]", f"quizzes/{QUIZ}.html")
    before = lms.commits()
    quiz.evaluate("(d) => window.coursepack._submit(d)", submission(False, 1, lms.pass_mark))
    lms.wait_for_commit(before)
    one_two = {"1.2": ("failed", "failed"), "2004": ("incomplete", "failed")}
    assert status_pair(lms) == one_two[lms.version], "failed, lessons unread: not complete"
    before = lms.commits()
    quiz.evaluate("(d) => window.coursepack._submit(d)", submission(True, 2, lms.pass_mark))
    lms.wait_for_commit(before)
    one_two = {"1.2": ("passed", "passed"), "2004": ("completed", "passed")}
    assert status_pair(lms) == one_two[lms.version], "a passed quiz completes the module"


def test_relaunch_brings_back_the_page_and_the_answers_not_yet_submitted(lms: Launcher) -> None:
    lms.launch()
    overview = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    quiz = follow_in_sco(lms, overview, ".steps a[data-quiz-link]", f"quizzes/{QUIZ}.html")
    quiz.wait_for_selector("form[data-quiz-form]:not([hidden])")
    quiz.check("#q-wq-single-a")
    quiz.fill("#q-wq-short-answer", "stem")
    lms.page.wait_for_function("(lms.data().suspend_data || '').includes('stem')")
    lms.page.evaluate("lms.close()")
    lms.page.wait_for_function("lms.log.some(e => e.call === 'finish')")
    stored = lms.data()

    lms.launch(stored)
    back = wait_for_course_page(lms.page, f"quizzes/{QUIZ}.html")
    back.wait_for_selector("form[data-quiz-form]:not([hidden])")
    assert back.is_checked("#q-wq-single-a")
    assert back.input_value("#q-wq-short-answer") == "stem"
    assert status_pair(lms)[0] == "incomplete"


def test_a_page_of_another_sco_sends_the_learner_back_to_this_one(lms: Launcher) -> None:
    """A link an author wrote, or an old bookmark, cannot open another SCO's quiz here."""
    lms.launch()
    overview = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    overview.evaluate("window.beforeTheLink = true")
    visit(overview, "../quizzes/final.html")
    lms.page.wait_for_function("""() => {
        const win = document.getElementById('sco').contentDocument
          .getElementById('coursepack-content').contentWindow;
        return !win.beforeTheLink && win.location.pathname.endsWith('writing-questions/index.html')
          && win.document.readyState === 'complete'; }""")
    back = wait_for_course_page(lms.page, f"{QUIZ}/index.html")
    assert back.locator("h1").inner_text() == "Writing questions that teach"
    launcher = next(f for f in lms.page.frames if f.url.endswith(SCO))
    assert launcher.evaluate("window.coursepackScorm.session.location") == f"{QUIZ}/index.html"
