"""An Arabic course in Chromium, from file://: the page reads right to left, the contents sit
on the right, "next" points left, the progress bar fills from the right, matching and
ordering work by mouse and by keyboard, and axe finds nothing serious.

The screenshots of the lesson, quiz and result pages were looked at when this was written;
the tests keep what was seen as measurements (boxes, directions), and save the screenshots
in their tmp_path for whoever wants to look again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coursepack.cli import main
from tests.arabic_course import ORDER, write_arabic_course
from tests.browser.test_html_site import axe_problems

pytestmark = pytest.mark.browser

LESSON = "access/listening.html"
QUIZ = "quizzes/listening.html"
RIGHT_PAIRS = {"p1": "m1", "p2": "m2", "p3": "m3"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("arabic-site")
    course = write_arabic_course(root / "course")
    result = CliRunner().invoke(main, ["build", str(course), "-f", "html",
                                       "--out", str(root / "build")])
    assert result.exit_code == 0, result.output
    return root / "build" / "html"


def visit(page: Any, site: Path, relpath: str, width: int = 1280) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto((site / relpath).as_uri())
    page.wait_for_selector("body[data-page-kind]")
    page.wait_for_function("document.readyState === 'complete'")


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not shown"
    return found  # type: ignore[no-any-return]


def centre_x(page: Any, selector: str) -> float:
    b = box(page, selector)
    return b["x"] + b["width"] / 2


def test_every_page_says_arabic_right_to_left(page: Any, site: Path) -> None:
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) >= 7
    for relpath in pages:
        visit(page, site, relpath)
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir,"
                             " getComputedStyle(document.body).direction]") == \
            ["ar", "rtl", "rtl"], relpath


def test_the_contents_sit_on_the_right_and_next_points_left(
        page: Any, site: Path, tmp_path: Path) -> None:
    visit(page, site, LESSON)
    page.screenshot(path=str(tmp_path / "lesson.png"), full_page=True)
    menu, main_box = box(page, "#menu"), box(page, "main")
    assert menu["x"] > main_box["x"] + main_box["width"] - 1  # the contents right of the text
    assert centre_x(page, ".site-title") > centre_x(page, ".site-header") # title at the start
    assert centre_x(page, 'a[rel="next"]') < centre_x(page, 'a[rel="prev"]')
    h1, paragraph = box(page, "h1"), box(page, ".lesson p")
    right = main_box["x"] + main_box["width"]
    assert abs(h1["x"] + h1["width"] - right) < 2 and abs(paragraph["x"] + paragraph["width"]
                                                           - right) < 2
    # a list's bullets and a quote's rule are on the right too
    assert page.evaluate("getComputedStyle(document.querySelector('blockquote'))"
                         ".borderRightWidth") == "4px"
    assert page.evaluate("getComputedStyle(document.querySelector('blockquote'))"
                         ".borderLeftWidth") == "0px"


def test_on_a_phone_the_menu_button_sits_left_and_opens_the_contents(
        page: Any, site: Path) -> None:
    visit(page, site, LESSON, width=400)
    assert centre_x(page, ".menu-toggle") < 200 < centre_x(page, ".site-title")
    page.click(".menu-toggle")
    assert page.locator("#menu").is_visible()
    assert box(page, '#menu a[aria-current="page"]')["x"] > 150  # the entries start right


def test_the_progress_bar_fills_from_the_right(page: Any, site: Path) -> None:
    visit(page, site, LESSON)
    visit(page, site, "index.html")
    bar, fill = box(page, ".bar"), box(page, ".bar > span")
    assert 0 < fill["width"] < bar["width"]
    assert abs((fill["x"] + fill["width"]) - (bar["x"] + bar["width"])) < 1


def order_of(page: Any) -> list[str]:
    return page.locator('[data-question="steps"] .order-text').all_inner_texts()  # type: ignore[no-any-return]


def test_matching_and_ordering_by_mouse_then_the_result(
        page: Any, site: Path, tmp_path: Path) -> None:
    visit(page, site, QUIZ)
    page.screenshot(path=str(tmp_path / "quiz.png"), full_page=True)
    # the prompt is right of its drop-down, as a right-to-left reader expects
    assert centre_x(page, '[for="q-pairs-match-p1"]') > centre_x(page, "#q-pairs-match-p1")
    # the choice's label is left of its radio button
    assert centre_x(page, '[for="q-first-a"]') < centre_x(page, "#q-first-a")
    page.click('label[for="q-first-a"]')
    for prompt, match in RIGHT_PAIRS.items():
        page.select_option(f"#q-pairs-match-{prompt}", match)
    if order_of(page) == ORDER:  # a list never moved is no answer: move it and back
        page.click("#q-steps-i1-down")
    for position, item in enumerate(["i1", "i2", "i3"]):
        while page.locator('[data-question="steps"] [data-item]').evaluate_all(
                "items => items.map(li => li.dataset.item)").index(item) > position:
            page.click(f"#q-steps-{item}-up")
    assert order_of(page) == ORDER
    page.click("[data-submit]")
    page.click("dialog[open] [data-confirm]")  # the quiz allows three attempts: it asks first
    page.wait_for_selector("[data-quiz-result]:not([hidden])")
    page.screenshot(path=str(tmp_path / "result.png"), full_page=True)
    assert "100%" in page.inner_text("[data-result-text]")
    assert axe_problems(page) == []


def tab_to(page: Any, selector: str) -> None:
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_matching_and_ordering_by_keyboard(page: Any, site: Path) -> None:
    visit(page, site, QUIZ)
    tab_to(page, "#q-first-a")
    page.keyboard.press("Space")
    for prompt, match in RIGHT_PAIRS.items():
        tab_to(page, f"#q-pairs-match-{prompt}")
        for _ in range(5):
            if page.evaluate("document.activeElement.value") == match:
                break
            page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.value") == match
    start = order_of(page)
    wanted = ORDER if start != ORDER else [ORDER[1], ORDER[0], ORDER[2]]
    for position, text in enumerate(wanted):
        while order_of(page).index(text) > position:
            item = page.locator('[data-question="steps"] [data-item]').nth(
                order_of(page).index(text)).get_attribute("data-item")
            tab_to(page, f"#q-steps-{item}-up")
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.id") == f"q-steps-{item}-up"
    assert order_of(page) == wanted
    tab_to(page, "[data-submit]")
    page.keyboard.press("Enter")
    tab_to(page, "dialog[open] [data-confirm]")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-quiz-result]:not([hidden])")
    expected = "100%" if wanted == ORDER else "%"
    assert expected in page.inner_text("[data-result-text]")


def test_axe_finds_nothing_serious_on_the_arabic_pages(page: Any, site: Path) -> None:
    for relpath in ("index.html", LESSON, QUIZ, "glossary.html", "search.html?q=UNHCR"):
        path, _, query = relpath.partition("?")
        page.goto((site / path).as_uri() + (f"?{query}" if query else ""))
        page.wait_for_function("document.readyState === 'complete'")
        assert axe_problems(page) == [], relpath


def test_a_latin_answer_typed_into_an_arabic_page_runs_left_to_right(
        page: Any, site: Path) -> None:
    visit(page, site, "search.html")
    page.fill("#search-q", "UNHCR 1950")
    assert page.evaluate("getComputedStyle(document.querySelector('#search-q')).direction") \
        == "ltr"
    page.fill("#search-q", "سلام")
    assert page.evaluate("document.querySelector('#search-q').matches(':dir(rtl)')")


def test_a_search_for_a_latin_word_is_isolated_inside_the_sentence_about_it(
        page: Any, site: Path) -> None:
    page.goto((site / "search.html").as_uri() + "?q=UNHCR")
    page.wait_for_function("document.readyState === 'complete'")
    assert page.inner_text("#search-status bdi") == "UNHCR"  # isolated from the sentence
    assert page.evaluate("getComputedStyle(document.querySelector('#search-status bdi'))"
                         ".unicodeBidi") == "isolate"
    assert page.locator("#search-results li").count() == 1


def test_arrow_keys_move_through_the_options_in_reading_order(page: Any, site: Path) -> None:
    """Right to left, the left arrow goes on to the next option (the browser mirrors it)."""
    visit(page, site, QUIZ)
    tab_to(page, "#q-first-a")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.id") == "q-first-b"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "q-first-a"
