"""A learner finds their way through the site: start, continue, next step, menu, reset.

Every story starts from what the learner sees: links and buttons on the page, never a URL
typed in, except for the first page opened from the USB stick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_html_site import axe_problems, visit
from tests.browser.test_scorm_runtime import answer_in_the_page
from tests.conftest import Run

pytestmark = pytest.mark.browser

MODULE = "writing-questions"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(run: Run, course: Path, tmp_path: Path) -> Path:
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "build"))
    assert result.exit_code == 0, result.output
    return tmp_path / "build" / "html"


def follow(page: Any, locator: str) -> None:
    """Click a visible link and wait for the page it opens."""
    link = page.locator(locator)
    assert link.is_visible(), f"{locator} is not visible on {page.url}"
    with page.expect_navigation():
        link.click()
    page.wait_for_function("document.readyState === 'complete' && !!window.coursepack")


def path_of(page: Any) -> str:
    return page.evaluate("document.body.dataset.path")  # type: ignore[no-any-return]


def test_a_learner_completes_a_module_from_the_home_page_by_following_the_path(
        page: Any, site: Path, course: Path) -> None:
    visit(page, site, "index.html")
    assert page.inner_text(".hero [data-continue]") == "Start the course"
    follow(page, ".hero [data-continue]")
    assert path_of(page) == f"{MODULE}/index.html"
    assert page.locator(".steps .step").count() == 3
    follow(page, "main [data-continue]")
    assert path_of(page) == f"{MODULE}/one-idea.html"
    assert "Step 1 of 3 in this module" in page.inner_text(".where")
    follow(page, "a[rel=next]")
    assert path_of(page) == f"{MODULE}/feedback.html"
    assert page.inner_text("a[rel=next]").endswith("Quiz: writing questions")
    follow(page, "a[rel=next]")
    assert path_of(page) == f"quizzes/{MODULE}.html", "the last lesson leads to its module's quiz"
    assert "Step 3 of 3 in this module" in page.inner_text(".where")
    answer_in_the_page(page, course, right=True)
    page.wait_for_selector("[data-quiz-result]:not([hidden])")
    assert page.get_attribute("a[rel=next]", "href") == "../quizzes/final.html", \
        "the quiz leads on to what follows the module"

    follow(page, ".where a >> nth=1")  # the module, from the breadcrumb
    assert page.locator(".steps .step.is-done").count() == 3
    assert "all done" in page.inner_text("main [data-path-progress]")
    assert page.inner_text("main [data-continue]") == "Next: Final check"
    follow(page, ".where a >> nth=0")  # the course home
    card = page.locator(".card").first
    assert "3 of 3 steps done" in card.inner_text()
    assert page.inner_text(".hero [data-continue]") == "Continue: Final check"
    assert "Not attempted yet." in page.inner_text(".card-final")


def test_the_module_page_continues_where_the_learner_left_off(page: Any, site: Path) -> None:
    visit(page, site, f"{MODULE}/index.html")
    assert page.inner_text("main [data-continue]") == "Start: One idea per question"
    follow(page, "main [data-continue]")
    follow(page, ".where a >> nth=1")
    assert page.inner_text("main [data-continue]") == "Continue: Feedback that teaches"
    assert page.get_attribute("main [data-continue]", "href") == f"../{MODULE}/feedback.html"
    assert "1 of 3 steps done" in page.inner_text("main [data-path-progress]")
    assert page.locator(".step.is-done").count() == 1


def test_the_path_is_plain_numbered_steps_without_javascript(browser: Any, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    tab = context.new_page()
    try:
        visit(tab, site, f"{MODULE}/index.html")
        steps = tab.locator(".steps .step")
        assert steps.count() == 3
        assert [t.strip() for t in tab.locator(".step-title").all_inner_texts()] == [
            "One idea per question", "Feedback that teaches", "Quiz: writing questions"]
        assert tab.get_attribute("main [data-continue]", "href") == f"../{MODULE}/one-idea.html"
        assert tab.locator("[data-reset-progress]").count() == 0
        assert tab.locator("#menu").is_hidden()
        tab.click(".menu-toggle")  # a link to #menu: the menu opens through :target
        assert tab.locator("#menu nav.toc").is_visible()
        tab.click(".menu-close")
        assert tab.locator("#menu").is_hidden()
    finally:
        context.close()


def test_reset_asks_first_and_shows_only_when_there_is_progress(page: Any, site: Path) -> None:
    visit(page, site, "index.html")
    reset = page.locator("[data-reset-progress]")
    assert reset.is_hidden(), "nothing to reset yet"
    follow(page, ".hero [data-continue]")
    follow(page, "main [data-continue]")
    follow(page, ".site-title")
    assert reset.is_visible()

    reset.click()
    dialog = page.locator("[data-reset-dialog]")
    assert dialog.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "Keep my progress"
    page.keyboard.press("Escape")
    assert dialog.is_hidden()
    page.wait_for_function("document.activeElement.hasAttribute('data-reset-progress')")
    reset.click()
    page.click("text=Keep my progress")
    assert page.evaluate("window.coursepack.state().l") == [f"{MODULE}/one-idea"]

    reset.click()
    page.locator("[data-reset-dialog] button[value=reset]").click()
    page.wait_for_function("window.coursepack.state().l.length === 0")
    assert reset.is_hidden()
    assert page.inner_text(".hero [data-continue]") == "Start the course"


def test_on_a_phone_the_header_is_small_and_the_menu_works_by_keyboard(
        page: Any, site: Path) -> None:
    page.set_viewport_size(PHONE)
    for relpath in ("index.html", f"{MODULE}/index.html", f"{MODULE}/one-idea.html",
                    f"quizzes/{MODULE}.html"):
        visit(page, site, relpath)
        height = page.evaluate("document.querySelector('.site-header').offsetHeight")
        assert height <= 0.15 * PHONE["height"], f"{relpath}: header {height}px"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{relpath} scrolls sideways ({width}px)"
    menu = page.locator("#menu")
    assert menu.is_hidden()
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # course title
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Menu"
    page.keyboard.press("Enter")
    assert menu.is_visible()
    assert page.get_attribute(".menu-toggle", "aria-expanded") == "true"
    assert page.locator("#menu nav.toc a[aria-current=page]").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('menu').contains(document.activeElement)")
    page.keyboard.press("Escape")
    assert menu.is_hidden()
    assert page.evaluate("document.activeElement.textContent") == "Menu"
    page.keyboard.press("Space")
    assert menu.is_visible()
    page.keyboard.press("Space")
    assert menu.is_hidden()


def test_axe_finds_nothing_serious_on_the_path_pages_with_progress(page: Any, site: Path) -> None:
    visit(page, site, f"{MODULE}/one-idea.html")
    for viewport in (PHONE, {"width": 1280, "height": 800}):
        page.set_viewport_size(viewport)
        for relpath in ("index.html", f"{MODULE}/index.html", f"{MODULE}/feedback.html"):
            visit(page, site, relpath)
            assert axe_problems(page) == [], relpath
    page.set_viewport_size(PHONE)
    visit(page, site, f"{MODULE}/feedback.html")
    page.click(".menu-toggle")
    assert axe_problems(page) == []
    visit(page, site, "index.html")
    page.click("[data-reset-progress]")
    assert axe_problems(page) == []
