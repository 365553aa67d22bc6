"""A learner takes the starter course's quizzes in Chromium, from file://, by mouse and by keyboard.

The module quiz has one question of every type, a pass mark of 60%, two attempts, shuffled
questions and options; the final check draws four questions from a pool for every attempt.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coursepack.cli import main
from coursepack.starter import STARTER

pytestmark = pytest.mark.browser

QUIZ = "quizzes/writing-questions.html"

# The right answers of the starter quiz, as the runtime's tokens.
RIGHT = {
    "wq-single": ["a"], "wq-multiple": ["a", "b"], "wq-true-false": ["false"],
    "wq-short": ["stem"], "wq-numeric": ["4"], "wq-matching": ["p1.m1", "p2.m2", "p3.m3"],
    "wq-ordering": ["i1", "i2", "i3"], "wq-blanks": ["learning", "3", "not"],
}
# Wrong answers: some earn partial credit (multiple: 1 of 2; matching and ordering: 1 of 3).
WRONG = {
    "wq-single": ["b"], "wq-multiple": ["a"], "wq-true-false": ["true"],
    "wq-short": ["option"], "wq-numeric": ["5"], "wq-matching": ["p1.m2", "p2.m1", "p3.m3"],
    "wq-ordering": ["i3", "i2", "i1"], "wq-blanks": ["grades", "2", "only"],
}
ESSAY = "What is the main purpose of option feedback?"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter course built with the CLI, once for this module."""
    root = tmp_path_factory.mktemp("starter")
    shutil.copytree(STARTER, root / "course", ignore=shutil.ignore_patterns(".coursepack-cache"))
    result = CliRunner().invoke(main, ["build", str(root / "course"), "-f", "html",
                                       "--out", str(root / "build")])
    assert result.exit_code == 0, result.output
    return root / "build" / "html"


def open_page(page: Any, site: Path, relpath: str) -> None:
    page.goto((site / relpath).as_uri())
    page.wait_for_selector("body[data-page-kind]")
    page.wait_for_function("document.readyState === 'complete'")


def question(page: Any, qid: str) -> Any:
    return page.locator(f'[data-question="{qid}"]')


def order_of(page: Any, qid: str) -> list[str]:
    return question(page, qid).locator("[data-item]").evaluate_all(
        "items => items.map(li => li.dataset.item)")


# --- answering by mouse ----------------------------------------------------------------------


def click_options(page: Any, qid: str, ids: list[str]) -> None:
    for option in ids:
        page.click(f'label[for="q-{qid}-{option}"]')


def order_by_mouse(page: Any, qid: str, wanted: list[str]) -> None:
    if order_of(page, qid) == wanted:  # a list never moved is no answer: move it and back
        page.click(f"#q-{qid}-{wanted[0]}-down")
    for position, item in enumerate(wanted):
        while order_of(page, qid).index(item) > position:
            page.click(f"#q-{qid}-{item}-up")


def answer_by_mouse(page: Any, answers: dict[str, list[str]]) -> None:
    for qid in ("wq-single", "wq-multiple", "wq-true-false"):
        click_options(page, qid, answers[qid])
    page.fill("#q-wq-short-answer", answers["wq-short"][0])
    page.fill("#q-wq-numeric-answer", answers["wq-numeric"][0])
    for token in answers["wq-matching"]:
        prompt, match = token.split(".")
        page.select_option(f"#q-wq-matching-match-{prompt}", match)
    order_by_mouse(page, "wq-ordering", answers["wq-ordering"])
    text, number, choice = answers["wq-blanks"]
    page.fill("#q-wq-blanks-blank-1", text)
    page.fill("#q-wq-blanks-blank-2", number)
    page.select_option("#q-wq-blanks-blank-3", choice)
    page.fill("#q-wq-essay-answer", ESSAY)
    submit(page)


def submit(page: Any) -> None:
    """Submit and confirm in the dialog that asks first (the quiz allows only two attempts)."""
    page.click("[data-submit]")
    page.click("dialog[open] [data-confirm]")
    page.wait_for_selector("[data-quiz-result]:not([hidden])")


# --- answering by keyboard alone -------------------------------------------------------------


def tab_to(page: Any, selector: str, limit: int = 300) -> None:
    """Press Tab until the focus is on ``selector``: proves it can be reached by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focused_value(page: Any) -> str:
    return page.evaluate("document.activeElement.value")  # type: ignore[no-any-return]


def radio_by_keyboard(page: Any, qid: str, wanted: str) -> None:
    tab_to(page, f'[data-question="{qid}"] input')
    page.keyboard.press("Space")
    for _ in range(6):
        if page.evaluate("q => document.querySelector(`[data-question='${q}'] input:checked`).value",
                         qid) == wanted:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"arrow keys never chose {wanted} in {qid}")


def select_by_keyboard(page: Any, selector: str, wanted: str) -> None:
    tab_to(page, selector)
    for _ in range(8):
        if focused_value(page) == wanted:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"arrow keys never chose {wanted} in {selector}")


def type_by_keyboard(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def order_by_keyboard(page: Any, qid: str, wanted: list[str]) -> None:
    if order_of(page, qid) == wanted:  # a list never moved is no answer: move it and back
        tab_to(page, f"#q-{qid}-{wanted[0]}-down")
        page.keyboard.press("Enter")
        page.keyboard.press("Shift+Tab")  # its Move up button
        page.keyboard.press("Enter")
    for position, item in enumerate(wanted):
        moves = order_of(page, qid).index(item) - position
        if moves > 0:
            tab_to(page, f"#q-{qid}-{item}-up")
            for _ in range(moves):
                page.keyboard.press("Enter")
    assert order_of(page, qid) == wanted


def answer_by_keyboard(page: Any, answers: dict[str, list[str]]) -> None:
    radio_by_keyboard(page, "wq-single", answers["wq-single"][0])
    for option in answers["wq-multiple"]:
        tab_to(page, f"#q-wq-multiple-{option}")
        page.keyboard.press("Space")
    radio_by_keyboard(page, "wq-true-false", answers["wq-true-false"][0])
    type_by_keyboard(page, "#q-wq-short-answer", answers["wq-short"][0])
    type_by_keyboard(page, "#q-wq-numeric-answer", answers["wq-numeric"][0])
    for token in answers["wq-matching"]:
        prompt, match = token.split(".")
        select_by_keyboard(page, f"#q-wq-matching-match-{prompt}", match)
    order_by_keyboard(page, "wq-ordering", answers["wq-ordering"])
    text, number, choice = answers["wq-blanks"]
    type_by_keyboard(page, "#q-wq-blanks-blank-1", text)
    type_by_keyboard(page, "#q-wq-blanks-blank-2", number)
    select_by_keyboard(page, "#q-wq-blanks-blank-3", choice)
    type_by_keyboard(page, "#q-wq-essay-answer", ESSAY)
    tab_to(page, "[data-submit]")
    page.keyboard.press("Enter")
    tab_to(page, "dialog[open] [data-confirm]")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-quiz-result]:not([hidden])")


def result_text(page: Any) -> str:
    return page.inner_text("[data-result-text]")  # type: ignore[no-any-return]


def feedback(page: Any, qid: str) -> str:
    return question(page, qid).locator("[data-feedback]").inner_text()  # type: ignore[no-any-return]


# --- the stories -------------------------------------------------------------------------------


def test_every_type_answered_right_by_keyboard_alone_passes(page: Any, site: Path) -> None:
    open_page(page, site, QUIZ)
    answer_by_keyboard(page, RIGHT)
    assert result_text(page).startswith("You scored 9 of 9 points (100%). You passed")
    assert "1 written answer will be marked by a trainer" in result_text(page)
    for qid in RIGHT:
        assert feedback(page, qid).startswith("Correct"), qid
    assert feedback(page, "wq-essay").startswith("Recorded")
    assert "You found both weaknesses." in feedback(page, "wq-multiple")
    assert page.evaluate("document.activeElement.matches('[data-result-title]')"), "focus on result"
    live = page.locator("#cp-live")
    live.filter(has_text="You scored 9 of 9").wait_for()


def test_focus_is_visible_on_every_kind_of_control(page: Any, site: Path) -> None:
    open_page(page, site, QUIZ)
    for selector in ("#q-wq-multiple-a", "#q-wq-short-answer", "#q-wq-matching-match-p1",
                     "#q-wq-ordering-i1-up", "[data-submit]"):
        tab_to(page, selector)
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none"), selector


def test_wrong_answers_by_mouse_fail_with_the_authors_feedback(page: Any, site: Path) -> None:
    open_page(page, site, QUIZ)
    answer_by_mouse(page, WRONG)
    text = result_text(page)
    assert text.startswith("You scored 1.67 of 9 points (18.52%). You did not reach the pass mark of 60%")
    assert "You have 1 attempt left." in text
    single = feedback(page, "wq-single")
    assert single.startswith("Incorrect: 0 of 1 point")
    assert 'The "cover the options" test checks a stem.' in single
    option = question(page, "wq-single").locator('[data-option="b"] [data-option-feedback]')
    assert "No. Length should give nothing away." in option.inner_text()
    multiple = feedback(page, "wq-multiple")
    assert multiple.startswith("Partly correct: 1 of 2 points")
    assert "Some of your choices were right" in multiple
    assert "No. It tells the learner little" in question(page, "wq-true-false").inner_text()
    assert "It is called the stem." in feedback(page, "wq-short")
    assert feedback(page, "wq-matching").startswith("Partly correct: 0.33 of 1 point")
    assert feedback(page, "wq-ordering").startswith("Partly correct: 0.33 of 1 point")
    assert "The right answer" not in page.inner_text("main"), "answers stay hidden while attempts remain"
    assert question(page, "wq-blanks").locator(".mark-wrong").count() == 3
    numbers = {qid: question(page, qid).locator("[data-q-number]").inner_text().split()[1]
               for qid in ("wq-multiple", "wq-single")}
    review = page.locator("[data-result-review]").inner_text()
    assert f"Question {numbers['wq-multiple']}: Partly correct" in review
    assert f"Question {numbers['wq-single']}: Incorrect" in review


def test_progress_survives_a_reload_and_the_attempt_limit_holds(page: Any, site: Path) -> None:
    open_page(page, site, QUIZ)
    answer_by_mouse(page, WRONG)
    first = result_text(page)
    page.reload()
    page.wait_for_selector("[data-quiz-result]:not([hidden])")
    assert result_text(page) == first, "the review of the attempt comes back after a reload"
    assert page.input_value("#q-wq-short-answer") == "option"
    open_page(page, site, "index.html")
    status = page.inner_text('[data-quiz-progress="writing-questions"]')
    assert status == "best score 18.52%, not passed yet (1 attempt)"

    open_page(page, site, QUIZ)
    page.click("[data-retry]")
    assert page.input_value("#q-wq-short-answer") == "", "a new attempt starts empty"
    assert "Attempt 2 of 2" in page.inner_text("[data-quiz-status]")
    answer_by_mouse(page, RIGHT)
    assert "You have used all your attempts." in result_text(page)
    assert page.locator("[data-retry]").is_hidden()
    assert "The right answer" not in feedback(page, "wq-single"), "a right answer needs no correction"
    page.reload()
    page.wait_for_selector("[data-quiz-result]:not([hidden])")
    assert page.locator("[data-retry]").is_hidden(), "no third attempt after a reload"
    assert page.locator("[data-submit]").is_hidden()
    open_page(page, site, "index.html")
    assert page.inner_text('[data-quiz-progress="writing-questions"]') == \
        "best score 100%, passed (2 attempts)"


def test_answers_are_revealed_when_no_attempt_is_left(page: Any, site: Path) -> None:
    open_page(page, site, QUIZ)
    answer_by_mouse(page, WRONG)
    page.click("[data-retry]")
    answer_by_mouse(page, WRONG)
    assert "The right answer: True" not in feedback(page, "wq-true-false")
    assert "The right answer: False" in feedback(page, "wq-true-false")
    assert "The right answer: stem the stem" in " ".join(feedback(page, "wq-short").split())


def test_the_learner_resets_progress_from_the_home_page(page: Any, site: Path) -> None:
    open_page(page, site, "writing-questions/one-idea.html")
    open_page(page, site, QUIZ)
    answer_by_mouse(page, RIGHT)
    open_page(page, site, "index.html")
    assert page.inner_text("[data-progress-summary]").startswith("You have opened 1 of 2 lessons.")
    assert "(read)" in page.locator('nav.toc [data-lesson-key="writing-questions/one-idea"]').inner_text()
    page.click("[data-reset-progress]")
    page.click("[data-reset-dialog] button[value=reset]")  # the learner confirms
    page.wait_for_function("window.coursepack.state().l.length === 0")
    assert page.inner_text("[data-progress-summary]").startswith("Nothing yet")
    assert page.inner_text('[data-quiz-progress="writing-questions"]') == "not attempted yet"
    page.reload()
    assert page.inner_text('[data-quiz-progress="writing-questions"]') == "not attempted yet"
    open_page(page, site, QUIZ)
    assert "Attempt 1 of 2." in page.inner_text("[data-quiz-status]")
    assert page.locator("[data-submit]").is_visible()


def drawn(page: Any) -> list[str]:
    return page.locator("[data-question]:not([hidden])").evaluate_all(
        "nodes => nodes.map(n => n.dataset.question)")


def test_pool_questions_are_drawn_anew_for_each_attempt(page: Any, site: Path) -> None:
    open_page(page, site, "quizzes/final.html")
    first = drawn(page)
    assert len(first) == 4
    page.reload()
    assert drawn(page) == first, "a reload keeps the attempt's draw"
    draws = {frozenset(first)}
    for _ in range(10):
        submit(page)
        page.click("[data-retry]")
        draws.add(frozenset(drawn(page)))
        if len(draws) > 1:
            break
    assert len(draws) > 1, "ten retries never drew a different set of questions"
    assert all(len(d) == 4 for d in draws)
    assert page.inner_text('[data-quiz-status]').startswith("Attempt ")


def test_the_runtime_api_and_events_follow_the_contract(page: Any, site: Path) -> None:
    page.add_init_script("""
        window.__events = [];
        ['page-viewed', 'quiz-submitted', 'progress-changed'].forEach(name =>
          document.addEventListener('coursepack:' + name, e => __events.push([name, e.detail])));
    """)
    open_page(page, site, QUIZ)
    viewed = page.evaluate("__events.find(e => e[0] === 'page-viewed')[1]")
    assert viewed == {"path": QUIZ, "kind": "quiz", "moduleId": "writing-questions", "lessonId": ""}
    page.evaluate("window.__api = []; coursepack.on('quiz-submitted', d => __api.push(d))")
    answer_by_mouse(page, RIGHT)
    detail = page.evaluate("__api[0]")
    assert detail == page.evaluate("__events.find(e => e[0] === 'quiz-submitted')[1]")
    assert {k: detail[k] for k in ("quizId", "moduleId", "score", "maxScore", "scaled", "passed",
                                   "passMark", "attempt")} == {
        "quizId": "writing-questions", "moduleId": "writing-questions", "score": 9, "maxScore": 9,
        "scaled": 1, "passed": True, "passMark": 60, "attempt": 1}
    by_id = {i["id"]: i for i in detail["interactions"]}
    assert set(by_id) == {*RIGHT, "wq-essay"}, "the description sends no interaction"
    for qid, tokens in RIGHT.items():
        assert by_id[qid]["learnerResponse"] == tokens and by_id[qid]["result"] == "correct"
    assert by_id["wq-numeric"]["correctResponse"] == ["4", "4"]
    assert by_id["wq-ordering"]["type"] == "sequencing"
    essay = by_id["wq-essay"]
    assert (essay["type"], essay["result"], essay["score"], essay["weighting"]) == (
        "long-fill-in", "neutral", 0, 3)
    assert essay["learnerResponse"] == [ESSAY]
    state = page.evaluate("coursepack.state()")
    assert state["q"]["writing-questions"]["a"] == 1 and state["q"]["writing-questions"]["b"] == 100
    assert len(page.evaluate("JSON.stringify(coursepack.state())")) < 4096
    assert page.evaluate("__events.filter(e => e[0] === 'progress-changed').length") >= 2


def test_restore_and_set_store_replace_progress(page: Any, site: Path) -> None:
    open_page(page, site, QUIZ)
    answer_by_mouse(page, WRONG)
    saved = page.evaluate("coursepack.state()")
    page.evaluate("coursepack.restore({v: 1, l: [], q: {}})")
    assert page.locator("[data-submit]").is_visible(), "an empty state shows a fresh attempt"
    page.evaluate("s => coursepack.restore(s)", saved)
    assert page.locator("[data-quiz-result]").is_visible()
    assert result_text(page).startswith("You scored 1.67 of 9")
    page.evaluate("""() => { window.__kept = null;
        coursepack.setStore({load: () => ({v: 1, l: ['writing-questions/feedback'], q: {}}),
                             save: s => { window.__kept = s; }}); }""")
    assert page.locator("[data-submit]").is_visible()
    page.click('label[for="q-wq-single-a"]')
    kept = page.evaluate("window.__kept")
    assert kept["l"] == ["writing-questions/feedback"] and kept["q"]["writing-questions"]["c"]["r"][
        "wq-single"] == ["a"]


def test_questions_and_options_are_shuffled_per_attempt_and_kept_on_reload(
        page: Any, site: Path) -> None:
    page.add_init_script("Math.random = () => 0.123456;")  # a fixed seed: the same shuffle every run
    open_page(page, site, QUIZ)
    authored = ["wq-intro", *RIGHT, "wq-essay"]
    shown = page.locator("[data-question]").evaluate_all("ns => ns.map(n => n.dataset.question)")
    assert shown[0] == "wq-intro", "a description keeps its place"
    assert sorted(shown) == sorted(authored) and shown != authored
    options = question(page, "wq-multiple").locator("[data-option]").evaluate_all(
        "ns => ns.map(n => n.dataset.option)")
    assert sorted(options) == ["a", "b", "c", "d"] and options != ["a", "b", "c", "d"]
    assert question(page, "wq-true-false").locator("[data-option]").evaluate_all(
        "ns => ns.map(n => n.dataset.option)") == ["true", "false"], "true comes before false"
    assert order_of(page, "wq-ordering") != ["i1", "i2", "i3"], "items never start in order"
    page.reload()
    assert page.locator("[data-question]").evaluate_all(
        "ns => ns.map(n => n.dataset.question)") == shown


def test_a_hint_opens_from_the_keyboard(page: Any, site: Path) -> None:
    open_page(page, site, QUIZ)
    hint = question(page, "wq-single").locator("details.hint")
    assert not hint.locator("p").is_visible()
    tab_to(page, '[data-question="wq-single"] summary')
    page.keyboard.press("Enter")
    assert hint.locator("p").inner_text() == "Cover the options with your hand."


@pytest.mark.parametrize("how", ["mouse", "keyboard"])
@pytest.mark.parametrize(("answers", "expected"), [
    (RIGHT, "You scored 9 of 9 points (100%). You passed"),
    (WRONG, "You scored 1.67 of 9 points (18.52%). You did not reach"),
], ids=["right", "wrong"])
def test_mouse_and_keyboard_answers_score_the_same(page: Any, site: Path, how: str,
                                                  answers: dict[str, list[str]], expected: str) -> None:
    open_page(page, site, QUIZ)
    (answer_by_mouse if how == "mouse" else answer_by_keyboard)(page, answers)
    assert result_text(page).startswith(expected)
    for qid, tokens in answers.items():
        saved = page.evaluate("q => coursepack.state().q['writing-questions'].c.r[q]", qid)
        assert saved == (sorted(tokens) if qid == "wq-multiple" else tokens), qid


def test_typed_answers_survive_a_reload_without_leaving_the_field(page: Any, site: Path) -> None:
    open_page(page, site, QUIZ)
    field = question(page, "wq-short").locator("input").first
    field.click()
    page.keyboard.type("the stem")
    page.wait_for_timeout(700)  # past the runtime's 300 ms pause after typing
    page.reload()
    page.wait_for_selector("body[data-page-kind]")
    assert question(page, "wq-short").locator("input").first.input_value() == "the stem"


def test_enter_in_a_typed_answer_moves_on_and_never_submits(page: Any, site: Path) -> None:
    open_page(page, site, QUIZ)
    field = question(page, "wq-short").locator("input").first
    field.click()
    page.keyboard.type("stem")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    saved = page.evaluate("coursepack.state()")["q"].get("writing-questions", {})
    assert not saved.get("a"), "no attempt was used up"
    assert page.locator("[data-retry]").is_hidden()
    # the next control in the form, whichever question comes next (they may be shuffled)
    moved = page.evaluate("""id => {
        const now = document.activeElement;
        return now.id !== id && now.closest("form") !== null
            && now.matches("input, select, textarea, button");
    }""", field.get_attribute("id"))
    assert moved, "focus moved to the next field"
    assert saved.get("c", {}).get("r", {}).get("wq-short") == ["stem"], "the answer was kept"
    page.locator("[data-submit]").focus()
    page.keyboard.press("Enter")  # on the button, Enter submits, after asking
    page.click("dialog[open] [data-confirm]")
    page.wait_for_timeout(300)
    assert page.evaluate("coursepack.state()")["q"]["writing-questions"]["a"] == 1


# --- responses by the kind each template declares ----------------------------------------------


def test_responses_are_read_restored_and_marked_by_the_kind_the_template_declares(
        page: Any, site: Path) -> None:
    """A type the runtime has never heard of works when its template reuses a response kind."""
    open_page(page, site, QUIZ)
    page.evaluate("""() => document.querySelectorAll('[data-question]').forEach(
        s => s.setAttribute('data-type', 'new-' + s.getAttribute('data-type')))""")
    answer_by_mouse(page, RIGHT)
    assert result_text(page).startswith("You scored 9 of 9 points (100%). You passed")
    saved = page.evaluate("coursepack.state()")
    responses = saved["q"]["writing-questions"]["c"]["r"]
    assert {qid: responses[qid] for qid in RIGHT} == RIGHT
    assert responses["wq-essay"] == [ESSAY] and responses["wq-intro"] == []
    page.evaluate("coursepack.restore({v: 1, l: [], q: {}})")
    assert page.input_value("#q-wq-short-answer") == ""
    page.evaluate("s => coursepack.restore(s)", saved)
    assert page.input_value("#q-wq-short-answer") == "stem"
    assert page.input_value("#q-wq-matching-match-p2") == "m2"
    assert page.input_value("#q-wq-blanks-blank-3") == "not"
    assert page.is_checked("#q-wq-true-false-false")
    assert order_of(page, "wq-ordering") == ["i1", "i2", "i3"]
    marks = question(page, "wq-matching").locator("[data-mark]").all_inner_texts()
    assert marks == ["✓ right"] * 3


def test_an_essay_is_kept_to_the_length_its_template_declares(page: Any, site: Path) -> None:
    open_page(page, site, QUIZ)
    page.fill("#q-wq-essay-answer", "x" * 1500)
    submit(page)
    kept = page.evaluate("coursepack.state().q['writing-questions'].c.r['wq-essay']")
    assert kept == ["x" * 1000]


@pytest.mark.parametrize(("change", "expected"), [
    ("o => o.setAttribute('data-response', 'dial')", "question type single (unknown response kind dial)"),
    ("o => o.removeAttribute('data-response')", "question type single (its template declares no data-response)"),
], ids=["unknown-kind", "no-kind"])
def test_a_response_of_no_known_kind_is_an_error_naming_the_type(
        page: Any, site: Path, change: str, expected: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_page(page, site, QUIZ)
    question(page, "wq-single").locator("[data-response]").evaluate(change)
    page.click('label[for="q-wq-single-a"]')
    page.wait_for_timeout(100)
    assert any(expected in e for e in errors), errors
