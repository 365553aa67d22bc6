"""Results that come home without a network, in Chromium from file://.

Learners take the final check of a small course, type their names and save their results
files (captured as downloads) and show their codes as QR codes, which a phone would read
(decoded here with zxing-cpp from a screenshot). The trainer collects the files into a CSV
table and an xAPI statements file (checked by Learning Locker's validator), and the QR texts
as a code list. A learner who passed prints a certificate on A4 and on Letter, and its code
verifies against the table. A file with a forged score is refused.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_html_site import axe_problems
from tests.conftest import Run
from tests.test_results import check_statements

pytestmark = pytest.mark.browser

FINAL = """\
title: Final check
settings:
  pass_mark: 50
  attempts: 0
questions:
  - id: f-one
    type: single
    stem: Which part of a question asks it?
    choices:
      - {text: The stem, correct: true}
      - {text: A distractor}
  - id: f-two
    type: true-false
    stem: Feedback should explain why.
    answer: true
"""
A4 = (595, 842)
LETTER = (612, 792)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starter course with a two-question final check (quiz number 0), built as a site."""
    return built_in(tmp_path_factory.mktemp("results"), "en")


def built_in(root: Path, language: str) -> Path:
    """The starter course with the final check, in interface ``language``, built as a site."""
    from coursepack.build import build
    from coursepack.starter import STARTER

    shutil.copytree(STARTER, root / "course", ignore=shutil.ignore_patterns(".coursepack-cache"))
    (root / "course" / "quizzes" / "final.yaml").write_text(FINAL, encoding="utf-8")
    yaml = root / "course" / "course.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("language: en", f"language: {language}"),
                    encoding="utf-8")
    build(root / "course", out=root / "build", formats=["html"])
    return root


def submit(tab: Any) -> None:
    tab.click("[data-submit]")
    tab.wait_for_selector("dialog[open] [data-confirm], [data-quiz-result]:not([hidden])")
    if tab.locator("dialog[open]").count():
        tab.click("dialog[open] [data-confirm]")
    tab.wait_for_selector("[data-results-form]")


def take_home(tab: Any, name: str, folder: Path) -> tuple[Path, str]:
    """Type the name, save the results file; the file saved and the code shown."""
    tab.fill("#results-name", name)
    with tab.expect_download() as download:
        tab.press("#results-name", "Enter")
    saved = folder / download.value.suggested_filename
    download.value.save_as(saved)
    tab.wait_for_selector("[data-results-qr] svg")
    return saved, tab.inner_text("[data-results-code]")


def qr_text(tab: Any, folder: Path) -> str:
    import zxingcpp
    from PIL import Image

    shot = folder / "qr.png"
    tab.locator("[data-results-qr] svg").screenshot(path=str(shot))
    found = zxingcpp.read_barcodes(Image.open(shot))
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    return str(found[0].text)


def final_check(browser: Any, built: Path, right: bool) -> Any:
    context = browser.new_context(accept_downloads=True)
    context.route("http*://**/*", lambda route: route.abort())
    tab = context.new_page()
    tab.requested = []
    tab.on("request", lambda request: tab.requested.append(request.url))
    tab.goto((built / "build" / "html" / "quizzes" / "final.html").as_uri())
    tab.wait_for_selector("form[data-quiz-form]:not([hidden])")
    assert tab.evaluate("[typeof qrcode, typeof coursepackResults, typeof CoursepackXapi]") == [
        "undefined"] * 3, "the results scripts and the QR encoder wait until they are needed"
    tab.check("#q-f-one-a" if right else "#q-f-one-b")
    tab.check("#q-f-two-true" if right else "#q-f-two-false")
    submit(tab)
    return tab


def test_learners_take_results_home_and_the_trainer_collects_them(
        browser: Any, built: Path, tmp_path: Path, run: Run) -> None:
    course = built / "course"
    files, lines = [], []
    learners = (("Amina Yusuf", True), ("Rafael Núñez", False), ("=HYPERLINK(1)", True),
                ("أمينة يوسف", True))
    for name, right in learners:
        tab = final_check(browser, built, right)
        saved, code = take_home(tab, name, tmp_path)
        assert qr_text(tab, tmp_path) == f"{code} {name}", "the QR holds a line of a code list"
        assert tab.locator("[data-results-qr] svg").get_attribute("aria-label").endswith(
            f"the result code {code}."), "the QR's text alternative gives the code"
        assert (tab.locator("[data-certificate-link]").count() == 1) is right
        assert [u for u in tab.requested if not u.startswith(("file:", "blob:"))] == [], \
            "no network: the file is a Blob, the QR encoder a file beside the page"
        for script in ("assets/xapi.js", "assets/results/results.js",
                       "assets/vendor/qrcode-generator.js"):
            assert any(u.endswith(script) for u in tab.requested), script
        files.append(saved)
        lines.append(f"{code} {name}")
        tab.context.close()
    assert files[1].name.startswith("results-starter-course-final-rafael-nunez-")

    table, statements = tmp_path / "results.csv", tmp_path / "statements.json"
    result = run("results", "collect", *map(str, files), "--course", str(course),
                 "--out", str(table), "--xapi", str(statements))
    assert result.exit_code == 0, result.output
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["learner"], r["quiz"], r["score_percent"], r["passed"], r["points"])
            for r in rows] == [("Amina Yusuf", "final", "100", "yes", "2"),
                               ("Rafael Núñez", "final", "0", "no", "0"),
                               ("'=HYPERLINK(1)", "final", "100", "yes", "2"),
                               ("أمينة يوسف", "final", "100", "yes", "2")]
    assert files[3].name.startswith("results-starter-course-final-learner-"), "a safe name"
    sent = json.loads(statements.read_text(encoding="utf-8"))
    assert len(sent) == 16 and len({s["id"] for s in sent}) == 16  # 2 answered, completed, passed or failed
    assert {s["verb"]["id"].rsplit("/", 1)[1] for s in sent} == {
        "answered", "completed", "passed", "failed"}
    assert json.loads(check_statements(statements)) == []

    (tmp_path / "codes.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_codes = run("results", "collect", "--codes", str(tmp_path / "codes.txt"),
                     "--course", str(course), "--out", str(tmp_path / "codes.csv"))
    assert from_codes.exit_code == 0, from_codes.output
    assert "wrote" in from_codes.output and "4 results" in from_codes.output


def test_a_module_quiz_of_every_type_gives_valid_statements(
        browser: Any, built: Path, tmp_path: Path, run: Run) -> None:
    tab = browser.new_context(accept_downloads=True).new_page()
    tab.goto((built / "build" / "html" / "quizzes" / "writing-questions.html").as_uri())
    tab.wait_for_selector("form[data-quiz-form]:not([hidden])")
    tab.locator("[data-question]:not([hidden]) input[type=radio]").first.check()
    submit(tab)
    saved, _ = take_home(tab, "Zoë Ndiaye", tmp_path)
    tab.context.close()
    statements = tmp_path / "s.json"
    result = run("results", "collect", str(saved), "--course", str(built / "course"),
                 "--out", str(tmp_path / "r.csv"), "--xapi", str(statements))
    assert result.exit_code == 0, result.output
    sent = json.loads(statements.read_text(encoding="utf-8"))
    kinds = {s["object"]["definition"].get("interactionType") for s in sent}
    assert {"choice", "true-false", "fill-in", "numeric", "matching", "sequencing"} <= kinds
    assert json.loads(check_statements(statements)) == []
    assert all(s["actor"]["account"] == {"homePage": "urn:coursepack:starter-course",
                                         "name": "zoë ndiaye"} for s in sent)


def test_a_certificate_prints_on_a4_and_letter_and_its_code_verifies(
        browser: Any, built: Path, tmp_path: Path, run: Run) -> None:
    from pypdf import PdfReader

    tab = final_check(browser, built, right=True)
    long_name = "Amina " + "Yusuf-Abdullahi " * 12
    take_home(tab, long_name, tmp_path)
    tab.click("[data-certificate-link]")
    tab.wait_for_selector("[data-certificate]:not([hidden])")
    for paper in ("A4", "Letter"):
        tab.check(f"input[name=paper][value={paper}]")
        assert len(PdfReader(io.BytesIO(tab.pdf(prefer_css_page_size=True))).pages) == 1, \
            f"a long name still fits one {paper} page"
    tab.context.close()

    tab = final_check(browser, built, right=True)
    saved, code = take_home(tab, "Amina Yusuf", tmp_path)
    assert axe_problems(tab) == [], "the result screen with its code and QR"
    tab.click("[data-certificate-link]")
    tab.wait_for_selector("[data-certificate]:not([hidden])")
    assert axe_problems(tab) == []
    shown = " ".join(tab.inner_text("[data-certificate]").split())
    for text in ("Amina Yusuf", "Writing Good Quiz Questions", "version 1.0", "Score 100%", code):
        assert text in shown
    for paper, size in (("A4", A4), ("Letter", LETTER)):
        tab.check(f"input[name=paper][value={paper}]")
        pdf = tmp_path / f"certificate-{paper}.pdf"
        tab.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        pages = PdfReader(pdf).pages
        assert len(pages) == 1, f"the certificate fits one {paper} page"
        box = pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == size
        text = " ".join(pages[0].extract_text().split())
        assert "Amina Yusuf" in text and code in text and "Print the certificate" not in text
    tab.context.close()

    table = tmp_path / "r.csv"
    assert run("results", "collect", str(saved), "--out", str(table)).exit_code == 0
    verified = run("results", "verify", code, "--results", str(table), "--course",
                   str(built / "course"))
    assert verified.exit_code == 0 and f"VERIFIED: {code} is Amina Yusuf" in verified.output


def test_a_certificate_with_changed_details_is_not_shown(browser: Any, built: Path) -> None:
    tab = browser.new_page()
    page = (built / "build" / "html" / "certificate.html").as_uri()
    forged = json.dumps({"n": "Amina", "q": 1, "p": 100, "ok": 1, "d": 700, "a": 1})
    for fragment in ("", "#" + forged, "#not-json"):
        tab.goto(page + fragment)
        tab.wait_for_function("document.querySelector('[data-cert-problem]').textContent")
        assert tab.locator("[data-certificate]").is_hidden()
    tab.close()


def test_a_forged_score_with_a_stale_checksum_is_refused(
        browser: Any, built: Path, tmp_path: Path, run: Run) -> None:
    tab = final_check(browser, built, right=False)
    saved, _ = take_home(tab, "Rafael Núñez", tmp_path)
    tab.context.close()
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["result"].update(score=2, percent=100, passed=True)
    saved.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run("results", "collect", str(saved), "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 1
    assert f"{saved}: error: refused: its checksum does not match its content" in result.output


# The results panel and the certificate in the course's language (assets/messages.js).
SPOKEN = {
    "fr": {"heading": "Emportez votre résultat", "label": "Votre nom ou identifiant d’apprenant",
           "save": "Enregistrer le fichier de résultats et afficher le code",
           "again": "Enregistrer de nouveau le fichier", "saved": "Enregistré sous {file}.",
           "code": "Votre code de résultat\u00a0: {code}",
           "qr": "Code QR de votre résultat. Son texte est votre nom et le code de résultat {code}.",
           "link": "Imprimer votre certificat", "paper": "Format du papier",
           "print": "Imprimer le certificat",
           "certificate": ["Certificat de réussite", "Ce certificat atteste que", "Amina Yusuf",
                           "a réussi l’évaluation finale du cours", "version 1.0", "Date",
                           "Score 100%", "Code de vérification {code}"],
           "none": "Réussissez l’évaluation finale, puis ouvrez votre certificat depuis son "
                   "résultat."},
    "ar": {"heading": "احتفظ بنتيجتك", "label": "اسمك أو رقم المتعلّم",
           "save": "احفظ ملف النتائج واعرض الرمز", "again": "احفظ الملف مرة أخرى",
           "saved": "حُفظ باسم {file}.", "code": "رمز نتيجتك: {code}",
           "qr": "رمز QR لنتيجتك. نصّه اسمك ورمز النتيجة {code}.",
           "link": "اطبع شهادتك", "paper": "مقاس الورق", "print": "طباعة الشهادة",
           "certificate": ["شهادة إتمام", "تشهد هذه الشهادة بأنّ", "Amina Yusuf",
                           "اجتاز/اجتازت التقييم النهائي للدورة", "الإصدار 1.0", "التاريخ",
                           "النتيجة 100%", "رمز التحقق {code}"],
           "none": "انجح في التقييم النهائي، ثم افتح شهادتك من نتيجته."},
}


@pytest.fixture(scope="module", params=sorted(SPOKEN))
def spoken(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    language = str(request.param)
    return language, built_in(tmp_path_factory.mktemp(f"results-{language}"), language)


def test_the_results_panel_and_the_certificate_speak_the_courses_language(
        browser: Any, spoken: tuple[str, Path], tmp_path: Path) -> None:
    language, built = spoken
    words = SPOKEN[language]
    tab = final_check(browser, built, right=True)
    home = "[data-results-home]"
    assert tab.inner_text(f"{home} h3") == words["heading"]
    assert tab.inner_text(f"{home} label") == words["label"]
    assert tab.inner_text(f"{home} button") == words["save"]
    saved, code = take_home(tab, "Amina Yusuf", tmp_path)
    assert tab.inner_text("[data-results-status]") == words["saved"].format(file=saved.name)
    assert tab.inner_text(f"{home} button") == words["again"]
    assert tab.inner_text("[data-results-out] p").strip() == words["code"].format(code=code)
    assert tab.locator("[data-results-qr] svg").get_attribute("aria-label") == \
        words["qr"].format(code=code)
    assert tab.inner_text("[data-certificate-link]") == words["link"]
    tab.click("[data-certificate-link]")
    tab.wait_for_selector("[data-certificate]:not([hidden])")
    assert tab.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        language, "rtl" if language == "ar" else "ltr"]
    assert tab.inner_text("[data-cert-tools] legend") == words["paper"]
    assert tab.inner_text("[data-cert-print]") == words["print"]
    shown = " ".join(tab.inner_text("[data-certificate]").split()).casefold()  # the title's in capitals
    for text in words["certificate"]:
        assert text.format(code=code).casefold() in shown, (text, shown)
    assert tab.locator("[data-certificate]").get_attribute("aria-label") != "Certificate"
    tab.goto((built / "build" / "html" / "certificate.html").as_uri())
    tab.wait_for_function("document.querySelector('[data-cert-problem]').textContent")
    assert tab.inner_text("[data-cert-problem]") == words["none"]
    tab.context.close()
