"""A single-file module travels alone: emailed, renamed, moved to a phone's Downloads folder.

Each module of the starter course (with its image) comes out of the field pack, is renamed
and moved alone into a new folder, and opens from file:// in Chromium with every request
other than the file itself refused and recorded: its pages show one at a time, its images
load, its quiz is answered and marked, and the result shows. Where the browser refuses to
keep anything for the file, a note says that progress is not kept. The learner who passes
the final check takes the result home from the file as from the site: a results file (which
`coursepack results collect` accepts), a short code, a QR code, and the certificate, a page of
the same file.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.browser.test_html_quiz import submit
from tests.browser.test_results_browser import FINAL, qr_text, take_home
from tests.browser.test_results_browser import submit as submit_for_results
from tests.conftest import Run
from tests.field_pack.helpers import add_image, build_pack, noise_jpeg
from tests.test_results import check_statements

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """The starter course (with a photo and a two-question final check) and its module files."""
    from click.testing import CliRunner

    from coursepack.cli import main
    from coursepack.starter import STARTER

    root = tmp_path_factory.mktemp("single")
    course = root / "course"
    shutil.copytree(STARTER, course, ignore=shutil.ignore_patterns(".coursepack-cache"))
    add_image(course, "photo.jpg", noise_jpeg(1600, 900), alt="A wide photo")
    (course / "quizzes" / "final.yaml").write_text(FINAL, encoding="utf-8")

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    pack = build_pack(run, course, root / "out")
    with zipfile.ZipFile(pack) as archive:
        return course, {n[len("modules/"):]: archive.read(n) for n in archive.namelist()
                        if n.startswith("modules/")}


@pytest.fixture(scope="module")
def modules(packed: tuple[Path, dict[str, bytes]]) -> dict[str, bytes]:
    return packed[1]


def alone(data: bytes, folder: Path) -> Path:
    """The module as a learner has it: renamed, alone in a folder of its own."""
    folder.mkdir(parents=True)
    target = folder / "module from Amina (1) é.html"
    target.write_bytes(data)
    return target


def offline(browser: Any, extra_script: str = "") -> tuple[Any, Any, list[str]]:
    """A page whose every request is recorded, and refused unless it is a file."""
    context = browser.new_context()
    seen: list[str] = []

    def route(route: Any) -> None:
        seen.append(route.request.url)
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    if extra_script:
        context.add_init_script(extra_script)
    page = context.new_page()
    page.on("request", lambda request: seen.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return context, page, seen


def show(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("main h1", state="attached")  # the certificate's shows once filled in


def images_loaded(page: Any) -> list[int]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        "main img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")


def test_the_pack_has_one_file_per_module_and_final_quiz(modules: dict[str, bytes]) -> None:
    assert sorted(modules) == ["01-writing-questions.html", "02-final.html"]


@pytest.mark.parametrize("name", ["01-writing-questions.html", "02-final.html"])
def test_a_module_moved_alone_works_with_no_network(browser: Any, modules: dict[str, bytes],
                                                    tmp_path: Path, name: str) -> None:
    path = alone(modules[name], tmp_path / "Downloads" / "from email")
    url = path.as_uri()
    context, page, seen = offline(browser)
    try:
        show(page, url)
        routes = page.eval_on_selector_all("template[data-page]",
                                           "ts => ts.map(t => t.getAttribute('data-page'))")
        assert routes and page.locator("main h1").count() == 1
        for route in routes:  # every page of the module, reached by its link
            show(page, f"{url}#/{route}")
            page.reload()
            page.wait_for_selector("main h1", state="attached")
            assert page.evaluate("document.body.getAttribute('data-path')") == route
            assert all(width > 0 for width in images_loaded(page)), route
        quiz = next(r for r in routes if r.startswith("quizzes/"))
        show(page, f"{url}#/{quiz}")
        page.reload()
        page.wait_for_selector("[data-quiz-form]:not([hidden])")
        for question in page.locator("[data-question]:not([hidden]) [data-option] input[type=radio]"
                                     ).all()[:1]:
            question.check()
        submit(page)
        assert page.locator("[data-quiz-result]").is_visible()
        assert page.inner_text("[data-result-text]").strip()
        assert page.locator("[data-progress-note]").count() == 0  # progress is kept here
        assert page.errors == []
        assert {u.split("#")[0] for u in seen} == {url}, seen
    finally:
        context.close()


def test_lessons_show_one_at_a_time_and_the_links_lead_on(browser: Any, modules: dict[str, bytes],
                                                          tmp_path: Path) -> None:
    url = alone(modules["01-writing-questions.html"], tmp_path / "phone").as_uri()
    context, page, seen = offline(browser)
    try:
        show(page, url)
        assert page.evaluate("document.body.getAttribute('data-page-kind')") == "module"
        page.click("[data-continue]")  # Start: the first lesson
        page.wait_for_function("document.body.getAttribute('data-page-kind') === 'lesson'")
        assert page.locator("main h1").count() == 1
        photo = page.locator("main img[alt='A wide photo']")
        assert photo.evaluate("i => i.naturalWidth") == 1280  # scaled to image_max_width
        assert photo.get_attribute("src").startswith("data:image/jpeg;base64,")
        page.click("a[rel=next]")
        page.wait_for_function("document.body.getAttribute('data-lesson-id') === 'feedback'")
        page.click(".where a")  # the breadcrumb back to the module overview
        page.wait_for_function("document.body.getAttribute('data-page-kind') === 'module'")
        assert "2 of" in page.inner_text("[data-path-progress]")  # both lessons read, kept
        page.screenshot(path=str(tmp_path / "overview.png"))
        assert {u.split("#")[0] for u in seen} == {url}
    finally:
        context.close()


def test_where_nothing_can_be_kept_a_note_says_so_and_the_quiz_still_works(
        browser: Any, modules: dict[str, bytes], tmp_path: Path) -> None:
    url = alone(modules["02-final.html"], tmp_path / "attachment").as_uri()
    refuse = ("Object.defineProperty(window, 'localStorage', "
              "{get() { throw new DOMException('denied', 'SecurityError'); }});")
    context, page, _ = offline(browser, refuse)
    try:
        show(page, url)
        page.wait_for_selector("[data-quiz-form]:not([hidden])")
        note = page.locator("[data-progress-note]")
        assert note.is_visible() and "progress is not kept" in note.inner_text()
        submit(page)
        assert page.locator("[data-quiz-result]").is_visible()
    finally:
        context.close()


def test_the_learner_takes_the_result_home_from_the_file_alone(
        browser: Any, packed: tuple[Path, dict[str, bytes]], tmp_path: Path, run: Run) -> None:
    course, files = packed
    url = alone(files["02-final.html"], tmp_path / "Downloads" / "from WhatsApp").as_uri()
    context, page, seen = offline(browser)
    try:
        show(page, url)
        page.wait_for_selector("[data-quiz-form]:not([hidden])")
        page.check("#q-f-one-a")
        page.check("#q-f-two-true")
        submit_for_results(page)
        saved, code = take_home(page, "Amina Yusuf", tmp_path)
        assert qr_text(page, tmp_path) == f"{code} Amina Yusuf"
        page.click("[data-certificate-link]")  # a page of the same file
        page.wait_for_selector("[data-certificate]:not([hidden])")
        assert page.evaluate("document.body.getAttribute('data-path')") == "certificate.html"
        shown = " ".join(page.inner_text("[data-certificate]").split())
        assert "Amina Yusuf" in shown and "Score 100%" in shown and code in shown
        page.check("input[name=paper][value=Letter]")  # the page's own styles came with it
        pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True))).pages
        assert len(pdf) == 1 and round(float(pdf[0].mediabox.width)) == 612
        assert "Print the certificate" not in pdf[0].extract_text()
        assert page.errors == []
        assert {u.split("#")[0] for u in seen if not u.startswith("blob:")} == {url}, \
            "no request but the file itself (the results file is a Blob the page makes)"
    finally:
        context.close()
    table, statements = tmp_path / "results.csv", tmp_path / "statements.json"
    result = run("results", "collect", str(saved), "--course", str(course), "--out", str(table),
                 "--xapi", str(statements))
    assert result.exit_code == 0, result.output
    assert json.loads(check_statements(statements)) == []
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["learner"], r["quiz"], r["score_percent"], r["passed"]) for r in rows] == [
        ("Amina Yusuf", "final", "100", "yes")]
    verified = run("results", "verify", code, "--results", str(table), "--course", str(course))
    assert verified.exit_code == 0 and f"VERIFIED: {code} is Amina Yusuf" in verified.output


def test_a_module_file_gives_a_code_but_no_certificate_link_that_leads_nowhere(
        browser: Any, packed: tuple[Path, dict[str, bytes]], tmp_path: Path, run: Run) -> None:
    course, files = packed
    data = files["01-writing-questions.html"]
    assert b'data-page="certificate.html"' not in data
    url = alone(data, tmp_path / "phone").as_uri()
    context, page, seen = offline(browser)
    try:
        show(page, url + "#/quizzes/writing-questions.html")
        page.wait_for_selector("[data-quiz-form]:not([hidden])")
        page.locator("[data-question]:not([hidden]) input[type=radio]").first.check()
        submit_for_results(page)
        saved, code = take_home(page, "Zoë Ndiaye", tmp_path)
        assert qr_text(page, tmp_path) == f"{code} Zoë Ndiaye"
        assert page.locator("[data-certificate-link]").count() == 0
        assert {u.split("#")[0] for u in seen if not u.startswith("blob:")} == {url}
    finally:
        context.close()
    result = run("results", "collect", str(saved), "--course", str(course),
                 "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output


def test_a_french_module_file_speaks_french_at_run_time(browser: Any, tmp_path: Path,
                                                        run: Run) -> None:
    """The runtime's words (assets/messages.js on the site) travel inside the file."""
    from coursepack.starter import starter

    course = tmp_path / "cours"
    shutil.copytree(starter("fr"), course, ignore=shutil.ignore_patterns(".coursepack-cache"))
    result = run("build", str(course), "-f", "single-file", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    final = sorted((tmp_path / "out" / "single-file").glob("*.html"))[-1]
    url = alone(final.read_bytes(), tmp_path / "Téléchargements").as_uri()
    context, page, seen = offline(browser)
    try:
        show(page, url)
        page.wait_for_selector("[data-quiz-form]:not([hidden])")
        assert page.evaluate("window.coursepackMessages.lang") == "fr"
        count = page.inner_text("[data-map-count]")
        assert count.startswith("Répondues") and "answered" not in count, count
        assert {u.split("#")[0] for u in seen} == {url}
    finally:
        context.close()
