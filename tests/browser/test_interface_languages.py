"""The runtime speaks the course's language in Chromium: the quiz's "Question n of m", the
submit dialog, the result screen and the search, from assets/messages.js, with each
language's plural forms (Arabic's six included)."""

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


def built(root: Path, language: str) -> Path:
    shutil.copytree(STARTER, root / "course", ignore=shutil.ignore_patterns(".coursepack-cache"))
    yaml = root / "course" / "course.yaml"
    yaml.write_text(yaml.read_text().replace("language: en", f"language: {language}"))
    result = CliRunner().invoke(main, ["build", str(root / "course"), "-f", "html",
                                       "--out", str(root / "build")])
    assert result.exit_code == 0, result.output
    return root / "build" / "html"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {language: built(tmp_path_factory.mktemp(language), language)
            for language in ("fr", "ar", "ru")}


def open_page(page: Any, site: Path, relpath: str) -> None:
    page.goto((site / relpath).as_uri())
    page.wait_for_function("document.readyState === 'complete'")


def submit_unanswered(page: Any) -> str:
    """Submit with nothing answered; the dialog's text, then the result screen."""
    page.click("[data-submit]")
    dialog = page.inner_text("dialog[open]")
    page.click("dialog[open] [data-confirm]")
    page.wait_for_selector("[data-quiz-result]:not([hidden])")
    return dialog  # type: ignore[no-any-return]


@pytest.mark.parametrize(("language", "words"), [
    ("fr", {"numbered": "Question 1 sur 9", "dialog": "Questions répondues\u00a0: 0 sur 9.",
            "verdict": "Pas encore réussi", "score": "Vous avez obtenu 0 sur 9 points",
            "left": "Il vous reste 1 tentative.", "status": "Tentative 1 envoyée.",
            "search": "Rechercher dans les leçons", "none": "Aucune leçon ne correspond",
            "map": "Répondues\u00a0: 0 sur 9."}),
    ("ar", {"numbered": "السؤال 1 من 9", "dialog": "الأسئلة المجاب عنها: 0 من 9.",
            "verdict": "لم تنجح بعد", "score": "حصلت على 0 من 9",
            "left": "بقيت لك محاولة واحدة.", "status": "أُرسلت المحاولة 1.",
            "search": "ابحث في الدروس", "none": "لا يوجد درس يطابق", "map": "تمت الإجابة: 0 من 9."}),
    ("ru", {"numbered": "Вопрос 1 из 9", "dialog": "Отвечено вопросов: 0 из 9.",
            "verdict": "Пока не сдано", "score": "Вы набрали 0 из 9 баллов",
            "left": "У вас осталась 1 попытка.", "status": "Попытка 1 отправлена.",
            "search": "Поиск по урокам", "none": "уроков не найдено", "map": "Отвечено: 0 из 9."}),
])
def test_the_quiz_and_search_speak_the_courses_language(
        page: Any, sites: dict[str, Path], language: str, words: dict[str, str]) -> None:
    site = sites[language]
    open_page(page, site, QUIZ)
    page.wait_for_selector("[data-quiz-form]:not([hidden])")
    assert page.evaluate("window.coursepackMessages.lang") == language
    numbers = page.locator("[data-q-number]").all_inner_texts()
    assert numbers[0] == words["numbered"]
    assert page.inner_text("[data-map-count]") == words["map"]
    assert words["dialog"] in submit_unanswered(page)
    assert page.inner_text("[data-result-verdict]") == words["verdict"]
    result = page.inner_text("[data-result-text]")
    assert result.startswith(words["score"]) and words["left"] in result
    assert words["status"] in page.inner_text("[data-quiz-status]")
    assert "Question" not in result and "attempt" not in result
    open_page(page, site, "index.html")
    assert page.inner_text("label[for=site-search-q]") == words["search"]
    page.goto((site / "search.html").as_uri() + "?q=zebra")
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    assert words["none"] in page.inner_text("#search-status")


def test_arabic_plural_forms_follow_the_count(page: Any, sites: dict[str, Path]) -> None:
    """The runtime applies the catalogue's rule: zero, one, two, few, many, other."""
    open_page(page, sites["ar"], "index.html")
    forms = page.evaluate("""[0, 1, 2, 3, 11, 100, 1.5].map(function (n) {
        var rule = window.coursepackMessages.rule, forms = window.coursepackMessages.messages["%(num)s attempt"];
        return forms[rule(n % 1 ? 102 : n)].replace("%(num)s", String(n)); })""")
    assert forms == ["0 محاولة", "محاولة واحدة", "محاولتان", "3 محاولات", "11 محاولة",
                     "100 محاولة", "1.5 محاولة"]
