"""The whole site in Chromium from file://: axe on every page, no network, search, JS off, layout.

axe-core runs on every page of the bundled course (the `bundled_build` fixture) and on the
starter quiz in its review state, where the feedback colours show.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coursepack.cli import main
from coursepack.starter import STARTER
from tests.browser import grading_table
from tests.conftest import NODE_MODULES

pytestmark = pytest.mark.browser

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter course, plus the shared grading-cases quiz, built with the CLI."""
    root = tmp_path_factory.mktemp("starter-site")
    shutil.copytree(STARTER, root / "course", ignore=shutil.ignore_patterns(".coursepack-cache"))
    grading_table.add_quiz(root / "course")
    result = CliRunner().invoke(main, ["build", str(root / "course"), "-f", "html",
                                       "--out", str(root / "build")])
    assert result.exit_code == 0, result.output
    return root / "build" / "html"


def pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def visit(page: Any, site: Path, relpath: str) -> None:
    path, _, query = relpath.partition("?")
    page.goto((site / path).as_uri() + (f"?{query}" if query else ""))
    page.wait_for_function("document.readyState === 'complete'")


def axe_problems(page: Any) -> list[str]:
    """Serious or critical axe violations on the page as it is now, one line each."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in found["violations"] if v["impact"] in SERIOUS]


def test_axe_finds_nothing_serious_on_any_page_of_the_bundled_course(
        page: Any, bundled_build: Path) -> None:
    site = bundled_build / "html"
    found = {}
    checked = pages(site)
    assert len(checked) >= 9
    for relpath in checked:
        visit(page, site, relpath)
        problems = axe_problems(page)
        if problems:
            found[relpath] = problems
    assert found == {}


def test_axe_finds_nothing_serious_in_a_quiz_review_or_search_results(page: Any, site: Path) -> None:
    visit(page, site, "quizzes/writing-questions.html")
    page.click('label[for="q-wq-single-b"]')
    page.click('label[for="q-wq-multiple-a"]')
    page.click("[data-submit]")
    page.click("dialog[open] [data-confirm]")
    page.wait_for_selector("[data-quiz-result]:not([hidden])")
    assert axe_problems(page) == []
    visit(page, site, "search.html?q=stem")
    page.wait_for_selector("#search-results li")
    assert axe_problems(page) == []
    page.set_viewport_size({"width": 360, "height": 740})
    visit(page, site, "quizzes/writing-questions.html")
    assert axe_problems(page) == []


def test_no_page_makes_a_network_request(page: Any, site: Path, bundled_build: Path) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for folder in (site, bundled_build / "html"):
        for relpath in pages(folder):
            visit(page, folder, relpath)
    assert len(requested) > 20
    assert [url for url in requested if not url.startswith("file://")] == []


def test_lesson_text_is_readable_with_javascript_off(browser: Any, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        visit(tab, site, "writing-questions/one-idea.html")
        main_text = tab.inner_text("main")
        assert "Cover the options with your hand and read the stem" in main_text
        assert tab.locator("img[alt]").first.is_visible()
        assert "Next" in tab.inner_text(".pager")
        visit(tab, site, "quizzes/writing-questions.html")
        assert "needs JavaScript" in tab.inner_text("main")
    finally:
        context.close()


def test_grading_in_the_browser_agrees_with_the_table(page: Any, site: Path) -> None:
    visit(page, site, "quizzes/grading-cases.html")
    data = json.loads(page.inner_text("#quiz-data"))
    keys = {qid: q["key"] for qid, q in data["questions"].items()}
    cases = grading_table.table()["cases"]
    got = page.evaluate("([keys, cases]) => cases.map(c => coursepackGrading.grade("
                        "keys[c.question], c.response))", [keys, cases])
    assert grading_table.mismatches(cases, got) == []


def test_search_finds_lessons_offline_from_the_header(page: Any, site: Path) -> None:
    visit(page, site, "writing-questions/feedback.html")
    page.fill("#site-search-q", "options")
    page.press("#site-search-q", "Enter")
    page.wait_for_selector("#search-results li")
    titles = page.locator("#search-results li > a").all_inner_texts()
    assert titles[0] == "One idea per question"
    assert page.inner_text("#search-status") == "1 lesson matches “options”."
    page.fill("#search-q", "zebra")
    page.press("#search-q", "Enter")
    assert page.inner_text("#search-status") == "No lesson matches “zebra”."
    page.fill("#search-q", "feedback grade")
    page.click(".search-form button")
    page.click("#search-results li > a >> nth=0")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "Feedback that teaches"


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page: Any, site: Path) -> None:
    visit(page, site, "writing-questions/one-idea.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_pages_fit_a_phone_and_print_without_navigation(page: Any, site: Path) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    for relpath in ("index.html", "writing-questions/one-idea.html", "quizzes/writing-questions.html"):
        visit(page, site, relpath)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{relpath} scrolls sideways on a phone ({width}px)"
    page.emulate_media(media="print")
    visit(page, site, "writing-questions/one-idea.html")
    assert page.locator("nav.toc").is_hidden()
    assert page.locator(".pager").is_hidden()
    assert page.locator("main h1").is_visible()


def test_visited_lessons_are_ticked_in_the_contents(page: Any, site: Path) -> None:
    visit(page, site, "writing-questions/one-idea.html")
    visit(page, site, "writing-questions/index.html")
    ticked = page.locator("nav.toc [data-lesson-key] .tick").count()
    assert ticked == 1
    lesson_list = page.locator('.steps [data-lesson-key="writing-questions/one-idea"]')
    assert "(read)" in lesson_list.inner_text()
