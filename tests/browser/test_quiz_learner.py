"""A learner takes a quiz the way people do: half-answered, changing their mind, on a keyboard.

The course is the starter with its module quiz rewritten: one question of every type, no
shuffling, a pass mark of 50 % and two attempts; the essay comes with an outline to fill in
and a limit of 4 to 12 words. The quiz page runs from file://; the same page inside SCORM 1.2
and 2004 packages runs in scorm-again, which must receive nothing when the learner cancels.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from tests.browser.test_html_site import axe_problems
from tests.lms.harness import VERSIONS, calls, serve, wait_for_course_page
from tests.lms.harness import site as lms_site

pytestmark = pytest.mark.browser

QUIZ = "quizzes/writing-questions.html"
OUTLINE = "Context: ...\nWhat I would do: ..."
QUIZ_YAML = f"""\
title: "Check: writing questions"
module: writing-questions
settings:
  pass_mark: 50
  attempts: 2
questions:
  - id: intro
    type: description
    stem: Nine questions, one of each kind.
  - id: pick
    type: single
    stem: Which part of a question asks it?
    choices:
      - {{text: The stem, correct: true}}
      - {{text: A distractor}}
  - id: several
    type: multiple
    stem: Which make a quiz weaker?
    choices:
      - {{text: '"All of the above"', correct: true}}
      - {{text: The longest option is always right, correct: true}}
      - {{text: One idea per question}}
  - id: truth
    type: true-false
    stem: Feedback should explain why.
    answer: true
  - id: word
    type: short-answer
    stem: The part that asks the question is the ...
    answers: [stem]
  - id: count
    type: numeric
    stem: How many options has the lesson's example?
    answer: 4
  - id: pairs
    type: matching
    stem: Match each term to its meaning.
    pairs:
      - {{prompt: Stem, match: The question}}
      - {{prompt: Distractor, match: A wrong option}}
  - id: steps
    type: ordering
    stem: Put the steps of feedback in order.
    items: [Right or wrong, Why, Where to read more]
  - id: gaps
    type: fill-blanks
    stem: Complete the sentence.
    text: Write [[what]] for each of the [[count]] options; it is [[kind]] a grade.
    blanks:
      - {{id: what, answers: [feedback]}}
      - {{id: count, type: numeric, answer: 3}}
      - {{id: kind, type: dropdown, options: [not, only], answer: not}}
  - id: essay
    type: essay
    points: 2
    stem: Say what you would do first.
    response_template: {json.dumps(OUTLINE)}
    min_words: 4
    max_words: 12
"""
NUMBER = {qid: n for n, qid in enumerate(
    ["pick", "several", "truth", "word", "count", "pairs", "steps", "gaps", "essay"], start=1)}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course with the quiz above, built once as a site and as SCORM 1.2 and 2004 packages."""
    from coursepack.build import build
    from coursepack.starter import STARTER

    root = tmp_path_factory.mktemp("learner")
    shutil.copytree(STARTER, root / "course", ignore=shutil.ignore_patterns(".coursepack-cache"))
    (root / "course" / "quizzes" / "writing-questions.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    build(root / "course", out=root / "build", formats=["html", "scorm12", "scorm2004"])
    return root / "build"


@pytest.fixture
def quiz(page: Any, built: Path) -> Any:
    page.goto((built / "html" / QUIZ).as_uri())
    page.wait_for_selector("form[data-quiz-form]:not([hidden])")
    return page


def saved(page: Any) -> dict[str, Any]:
    return page.evaluate("coursepack.state().q['writing-questions'] || {}")  # type: ignore[no-any-return]


def focused(page: Any) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.outerHTML")  # type: ignore[no-any-return]


def map_names(page: Any) -> list[str]:
    """What a screen reader says for each map item (the icons are hidden from it)."""
    return page.locator("[data-map-list] a").evaluate_all(  # type: ignore[no-any-return]
        "as => as.map(a => [...a.childNodes].filter(n => !n.matches('[aria-hidden=true]'))"
        ".map(n => n.textContent).join('').trim())")


def put_in_order(page: Any, wanted: list[str]) -> None:
    """Move the ordering question's items up, one by one, until they stand as ``wanted``."""
    for place, item in enumerate(wanted):
        while page.locator("#q-steps [data-item]").evaluate_all(
                "ls => ls.map(l => l.dataset.item)").index(item) > place:
            page.click(f"#q-steps-{item}-up")


def answer_all_right(page: Any) -> None:
    page.check("#q-pick-a")
    page.check("#q-several-a")
    page.check("#q-several-b")
    page.check("#q-truth-true")
    page.fill("#q-word-answer", "stem")
    page.fill("#q-count-answer", "4")
    page.select_option("#q-pairs-match-p1", "m1")
    page.select_option("#q-pairs-match-p2", "m2")
    put_in_order(page, ["i1", "i2", "i3"])
    page.fill("#q-gaps-blank-1", "feedback")
    page.fill("#q-gaps-blank-2", "3")
    page.select_option("#q-gaps-blank-3", "not")
    page.fill("#q-essay-answer", "Context: a flood. What I would do: listen first.")


def submit_and_confirm(page: Any) -> None:
    page.click("[data-submit]")
    page.click("dialog[open] [data-confirm]")
    page.wait_for_selector("[data-quiz-result]:not([hidden])")


# --- Enter never submits -------------------------------------------------------------------------


@pytest.mark.parametrize("field", [
    "#q-word-answer", "#q-count-answer", "#q-gaps-blank-1", "#q-gaps-blank-3", "#q-pairs-match-p1",
    "#q-pick-a", "#q-several-a", "Move up", "#q-essay-answer"])
def test_enter_in_any_field_never_submits(quiz: Any, field: str) -> None:
    last = quiz.locator("#q-steps [data-item]").last.get_attribute("data-item")
    if field == "Move up":
        field = f"#q-steps-{last}-up"
    quiz.focus(field)
    if field == "#q-essay-answer":
        quiz.keyboard.press("Control+End")
    quiz.keyboard.press("Enter")
    if field == "#q-essay-answer":
        quiz.keyboard.type("more")
        assert quiz.input_value(field) == OUTLINE + "\nmore", "Enter starts a new line in an essay"
    quiz.wait_for_timeout(350)  # past the runtime's pause after typing
    assert quiz.locator("dialog[open]").count() == 0, "Enter opened no submit dialog"
    assert quiz.locator("[data-quiz-result]").is_hidden()
    assert not saved(quiz).get("a"), "no attempt was used"
    if field in ("#q-word-answer", "#q-count-answer", "#q-gaps-blank-1"):
        assert focused(quiz) != field[1:], "Enter in a typed answer moves to the next field"
        assert quiz.evaluate("!!document.activeElement.closest('fieldset')"), "an answer field"
    if field.endswith("-up"):
        assert saved(quiz)["c"]["r"]["steps"][1] == last, "Enter on Move up moves the item up"


# --- submitting half-answered, cancelling, confirming ---------------------------------------------


def test_a_half_answered_quiz_asks_first_and_cancel_records_nothing(quiz: Any) -> None:
    quiz.evaluate("window.__sent = 0; coursepack.on('quiz-submitted', () => __sent++)")
    quiz.check("#q-pick-a")
    quiz.fill("#q-gaps-blank-1", "feedback")
    quiz.wait_for_timeout(350)
    before = saved(quiz)

    quiz.click("[data-submit]")
    dialog = quiz.locator("dialog[open]")
    assert dialog.locator("h2").inner_text() == "Submit your answers?"
    assert focused(quiz) == "submit-title", "the focus moves into the dialog"
    text = " ".join(dialog.inner_text().split())
    assert "You have answered 1 of 9 questions." in text
    assert "Question 2: not answered" in text and "Question 1:" not in text
    assert "Question 7: not put in order yet" in text
    assert "Question 8: 1 of 3 filled in" in text
    assert "Question 9: outline not filled in" in text
    assert "This uses attempt 1 of 2: you will have 1 attempt left." in text
    dialog.get_by_role("link", name="Question 5").click()
    assert quiz.locator("dialog[open]").count() == 0
    quiz.wait_for_function("document.activeElement.id === 'q-count-title'")  # the link's question

    quiz.click("[data-submit]")
    quiz.keyboard.press("Escape")
    assert quiz.locator("dialog[open]").count() == 0
    quiz.click("[data-submit]")
    quiz.click("dialog[open] [data-cancel]")
    # back on the submit button, once the dialog has closed
    quiz.wait_for_function("document.activeElement.matches('[data-submit]')")
    assert saved(quiz) == before, "cancelling recorded nothing"
    assert quiz.evaluate("__sent") == 0 and quiz.locator("[data-quiz-result]").is_hidden()

    submit_and_confirm(quiz)
    assert saved(quiz)["a"] == 1 and quiz.evaluate("__sent") == 1
    assert focused(quiz) == "result-title", "the focus moves to the result"


def test_a_fully_answered_quiz_still_asks_while_attempts_are_limited(quiz: Any) -> None:
    answer_all_right(quiz)
    quiz.click("[data-submit]")
    text = " ".join(quiz.locator("dialog[open]").inner_text().split())
    assert "You have answered 9 of 9 questions." in text and "Check these" not in text
    assert "This uses attempt 1 of 2" in text


# --- the result ---------------------------------------------------------------------------------


def test_fail_then_pass_said_in_words_with_the_way_on(quiz: Any) -> None:
    quiz.check("#q-pick-b")
    put_in_order(quiz, ["i3", "i1", "i2"])  # no item in its place: the list starts shuffled
    submit_and_confirm(quiz)
    result = quiz.locator("[data-quiz-result]")
    assert result.locator("h2").inner_text() == "✗ Not passed yet"
    text = " ".join(result.inner_text().split())
    assert "You scored 0 of 8 points (0%). You did not reach the pass mark of 50%." in text
    assert "Your best score: 0%." in text and "You have 1 attempt left." in text
    actions = result.locator(".result-actions > :not([hidden])")
    assert actions.all_inner_texts() == ["Try again", "Continue: Final check"]
    assert "secondary" not in (actions.first.get_attribute("class") or ""), "after a fail, retry leads"

    quiz.click("[data-retry]")
    answer_all_right(quiz)
    quiz.click("[data-submit]")
    assert "This uses attempt 2 of 2: it is your last." in quiz.locator("dialog[open]").inner_text()
    quiz.click("dialog[open] [data-confirm]")
    quiz.wait_for_selector("[data-quiz-result]:not([hidden])")
    assert result.locator("h2").inner_text() == "✓ You passed"
    text = " ".join(result.inner_text().split())
    assert "You scored 8 of 8 points (100%). You passed the pass mark of 50%." in text
    assert "Your best score: 100%." in text and "You have used all your attempts." in text
    assert result.locator(".result-actions > :not([hidden])").all_inner_texts() == [
        "Continue: Final check"], "no retry once every attempt is used"
    assert "is-pass" in (result.get_attribute("class") or "")


def test_every_question_links_to_its_review_and_back(quiz: Any) -> None:
    quiz.check("#q-pick-a")
    quiz.check("#q-several-a")
    submit_and_confirm(quiz)
    items = quiz.locator("[data-result-review] li").all_inner_texts()
    assert len(items) == 9
    assert items[0] == "✓ Question 1: Correct, 1 of 1 point"
    assert items[1] == "◐ Question 2: Partly correct, 0.5 of 1 point"
    assert items[2] == "✗ Question 3: Incorrect, 0 of 1 point"
    assert items[8] == "✎ Question 9: Recorded: a trainer will mark this answer"
    quiz.locator("[data-result-review]").get_by_role("link", name="Question 2").click()
    assert focused(quiz) == "q-several-title"
    feedback = quiz.locator("#q-several [data-feedback]")
    assert feedback.inner_text().startswith("Partly correct")
    feedback.get_by_role("link", name="Back to the result").click()
    assert focused(quiz) == "result-title"


def test_continue_follows_the_pages_next_link_to_the_end_of_the_course(quiz: Any) -> None:
    """Continue goes where the page's own Next link goes: the final check, then the course home."""
    target = quiz.get_attribute("a[rel~=next]", "href")
    assert target == "../quizzes/final.html"
    answer_all_right(quiz)
    submit_and_confirm(quiz)
    go = quiz.locator("[data-continue]")
    assert go.inner_text() == "Continue: Final check"
    assert go.get_attribute("href") == target
    assert "secondary" not in (go.get_attribute("class") or ""), "after a pass, Continue leads"
    assert quiz.locator("[data-retry]").get_attribute("class") == "button secondary"
    with quiz.expect_navigation():
        go.click()
    quiz.wait_for_selector("form[data-quiz-form]:not([hidden])")
    assert quiz.evaluate("document.body.dataset.path") == "quizzes/final.html"

    # The course's last step leads home; with unlimited attempts a fail puts Try again first.
    assert quiz.get_attribute("a[rel~=next]", "href") == "../index.html"
    submit_and_confirm(quiz)
    assert quiz.locator("[data-quiz-result] .result-actions > :not([hidden])").all_inner_texts() == [
        "Try again", "Back to the course home"]
    with quiz.expect_navigation():
        go.click()
    assert quiz.evaluate("document.body.dataset.path") == "index.html"


# --- essays ---------------------------------------------------------------------------------------


def test_essay_counts_words_and_enforces_its_limits(quiz: Any) -> None:
    count = quiz.locator("#q-essay [data-word-count]")
    assert count.inner_text() == "Outline not filled in yet."
    quiz.click("#q-essay-answer")
    quiz.keyboard.press("Control+End")
    quiz.keyboard.type(" two")
    assert count.inner_text() == "6 words.", "the outline's words count once it is changed"
    quiz.fill("#q-essay-answer", "Too short")
    quiz.locator("#cp-live").filter(has_text="2 words, 2 more needed.").wait_for()
    assert count.inner_text() == "2 words, 2 more needed."
    quiz.click("[data-submit]")
    assert "Question 9: 2 words, at least 4 needed" in quiz.locator("dialog[open]").inner_text()
    quiz.click("dialog[open] [data-cancel]")

    quiz.fill("#q-essay-answer", " ".join(["word"] * 14))
    assert count.inner_text() == "14 words, 2 over the limit."
    assert quiz.get_attribute("#q-essay-answer", "aria-invalid") == "true"
    quiz.click("[data-submit]")
    dialog = quiz.locator("dialog[open]")
    assert dialog.locator("h2").inner_text() == "Shorten your answer first"
    assert "Question 9: 14 words, at most 12 allowed" in dialog.inner_text()
    assert dialog.locator("[data-confirm]").is_hidden(), "an essay over its limit cannot be sent"
    dialog.get_by_role("link", name="Question 9").click()
    quiz.wait_for_function("document.activeElement.id === 'q-essay-title'")
    assert not saved(quiz).get("a")


def test_an_untouched_outline_and_an_unmoved_list_are_sent_as_no_answer(quiz: Any) -> None:
    """The list starts shuffled: left as it is, it earns nothing by chance, whatever the draw."""
    quiz.evaluate("window.__detail = null; coursepack.on('quiz-submitted', d => __detail = d)")
    assert quiz.input_value("#q-essay-answer") == OUTLINE
    submit_and_confirm(quiz)
    sent = {i["id"]: i for i in quiz.evaluate("__detail.interactions")}
    assert sent["essay"]["learnerResponse"] == [""]
    assert sent["steps"]["learnerResponse"] == [] and sent["steps"]["score"] == 0
    assert quiz.evaluate("__detail.score") == 0
    assert quiz.locator("#q-steps [data-mark]").count() == 0, "no item marked right by chance"


# --- the question map -------------------------------------------------------------------------------


def test_the_map_shows_answered_partly_flagged_and_unanswered(quiz: Any) -> None:
    names = map_names(quiz)
    assert names[0] == "Question 1: not answered"
    quiz.check("#q-pick-a")
    quiz.fill("#q-gaps-blank-1", "feedback")
    quiz.click("#q-truth [data-flag]")
    assert quiz.get_attribute("#q-truth [data-flag]", "aria-pressed") == "true"
    quiz.wait_for_timeout(350)
    classes = quiz.locator("[data-map-list] a").evaluate_all("as => as.map(a => a.className)")
    assert classes[0] == "map-item is-done"
    assert classes[2] == "map-item is-none is-flagged"
    assert classes[7] == "map-item is-part"
    names = map_names(quiz)
    assert names[0] == "Question 1: answered"
    assert names[2] == "Question 3: not answered, flagged"
    assert names[7] == "Question 8: partly answered"
    assert quiz.inner_text("[data-map-count]") == "1 of 9 answered, 1 flagged."
    quiz.reload()
    quiz.wait_for_selector("form[data-quiz-form]:not([hidden])")
    assert quiz.get_attribute("#q-truth [data-flag]", "aria-pressed") == "true", "flags survive a reload"
    quiz.click("[data-submit]")
    assert "Question 3: not answered; flagged for review" in quiz.locator("dialog[open]").inner_text()
    quiz.keyboard.press("Escape")
    # the page behind a modal dialog takes no focus: wait until it has closed
    quiz.wait_for_function("document.querySelector('dialog[open]') === null")
    quiz.locator("[data-map-list] a").nth(5).focus()
    quiz.keyboard.press("Enter")
    assert focused(quiz) == "q-pairs-title", "the map works from the keyboard"


# --- structure, accessibility ---------------------------------------------------------------------------


def test_every_section_of_a_quiz_page_has_a_heading(built: Path) -> None:
    """What the Nu checker reports as "Section lacks heading", checked on every built page
    (the quizzes, and the module and home pages the course path added sections to)."""
    pages = sorted((built / "html").rglob("*.html"))
    assert any(p.parent.name == "quizzes" for p in pages)
    for path in pages:
        tree = lxml_html.parse(str(path))
        bare = [s.get("id") or s.get("class") for s in tree.iter("section")
                if not s.xpath(".//h1|.//h2|.//h3|.//h4|.//h5|.//h6")]
        assert bare == [], path.relative_to(built)
    quiz = lxml_html.parse(str(built / "html" / QUIZ))
    assert len(quiz.xpath("//section[@data-question]/div/h2")) == 9, "one heading per question"


def test_axe_finds_nothing_serious_in_the_quiz_the_dialog_and_the_result(quiz: Any) -> None:
    quiz.click("#q-truth [data-flag]")
    quiz.fill("#q-essay-answer", " ".join(["word"] * 14))
    assert axe_problems(quiz) == []
    quiz.click("[data-submit]")
    assert axe_problems(quiz) == []
    quiz.keyboard.press("Escape")
    quiz.fill("#q-essay-answer", "four words are here")
    submit_and_confirm(quiz)
    assert axe_problems(quiz) == []


# --- inside a SCORM package, both versions ------------------------------------------------------

# What the LMS holds (a JS expression on the test LMS page), before and after the confirmed
# submission, and where the score goes, in each version's own terms.
SCORM = {
    "scorm12": {"status": "lms.data().core.lesson_status", "before": "incomplete",
                "after": "failed", "score": "cmi.core.score.raw"},
    "scorm2004": {"status": "[lms.data().completion_status, lms.data().success_status].join()",
                  "before": "incomplete,unknown", "after": "incomplete,failed",
                  "score": "cmi.score.scaled"},
}


@pytest.mark.parametrize("fmt", sorted(SCORM))
def test_cancel_inside_scorm_sends_nothing_to_the_lms(
        browser: Any, built: Path, tmp_path: Path, fmt: str) -> None:
    """Cancel (the button, then Escape) sends nothing at all; confirming records the attempt."""
    expect = SCORM[fmt]
    status = expect["status"]
    package = next((built / fmt).glob("*.zip"))
    root = lms_site(tmp_path / "www", package)
    context = browser.new_context()
    tab = context.new_page()
    try:
        with serve(root) as base:
            tab.goto(f"{base}/lms/lms.html")
            tab.evaluate("([v, href]) => lms.launch(v, href, {}, {})",
                         [VERSIONS[fmt], "../pkg/sco-writing-questions.html"])
            start = wait_for_course_page(tab, "writing-questions/index.html")
            start.locator(".steps a[data-quiz-link]").click()  # the quiz, as a learner finds it
            frame = wait_for_course_page(tab, QUIZ)
            frame.wait_for_selector("form[data-quiz-form]:not([hidden])")
            frame.check("#q-pick-a")
            tab.wait_for_function("(lms.data().suspend_data || '').includes('pick')")
            before = len(calls(tab))
            stored = tab.evaluate("lms.data()")
            assert tab.evaluate(status) == expect["before"]

            frame.click("[data-submit]")
            frame.click("dialog[open] [data-cancel]")
            frame.click("[data-submit]")
            frame.locator("dialog[open]").press("Escape")
            tab.wait_for_timeout(300)
            assert calls(tab)[before:] == [], "cancelling sent nothing to the LMS"
            assert tab.evaluate("lms.data()") == stored

            frame.click("[data-submit]")
            frame.click("dialog[open] [data-confirm]")
            tab.wait_for_function(f"lms.log.some(e => e.call === 'commit') && "
                                  f"{status} === {expect['after']!r}")
            sent = [e["element"] for e in calls(tab)[before:] if e["call"] == "set"]
            assert expect["score"] in sent and "cmi.interactions.0.id" in sent
    finally:
        context.close()


def test_the_size_of_the_sites_scripts_and_styles_stays_small(built: Path) -> None:
    """What a page of the site loads with it, at most 80 KB on the heaviest page (a quiz).
    The results panel's scripts (xapi.js, results/, the QR encoder) load only once a quiz is
    submitted, and a SCORM package adds its adapter on top."""
    site = built / "html"
    heaviest: dict[str, int] = {}
    for page in site.rglob("*.html"):
        tree = lxml_html.parse(str(page))
        loaded = [*tree.xpath("//script/@src"), *tree.xpath("//link[@rel='stylesheet']/@href")]
        sizes = {ref: (page.parent / ref).stat().st_size for ref in loaded}
        if sum(sizes.values()) > sum(heaviest.values()):
            heaviest = sizes
    assert any(ref.endswith("coursepack.js") for ref in heaviest)
    assert sum(heaviest.values()) < 80 * 1024, json.dumps(heaviest)
    quiz = lxml_html.parse(str(site / "quizzes" / "writing-questions.html"))
    assert not [ref for ref in quiz.xpath("//script/@src") if "xapi" in ref or "results" in ref]
