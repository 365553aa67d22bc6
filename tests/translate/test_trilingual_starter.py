"""The starter course in English, French and Arabic: three complete sites, PDF sets and LMS
exports from one ``coursepack build``.

The story of a course team: the course lists ``languages: [en, fr, ar]``, ``coursepack
translate extract`` writes a PO file per language, translators fill it in their tool (here
Babel reads and writes it, each unit's text taken from the French or Arabic starter by its
stable id), and one build with every format gives each language its own folder.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdf
import pytest
import yaml
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner, Result
from fontTools.ttLib import TTFont

from coursepack.cli import main
from coursepack.loader.course import load_course
from coursepack.locale import translator
from coursepack.starter import STARTER
from coursepack.translate.units import units

pytestmark = pytest.mark.pdf

TRANSLATED = ("fr", "ar")
LANGUAGES = ("en", *TRANSLATED)
FOLDER = {"en": "", "fr": "fr", "ar": "ar"}  # build/<lang>/<format>, the source language at the top
START = {"en": "Start the course", "fr": "Commencer le cours", "ar": "ابدأ الدورة"}
FORMATS = ("html", "pdf", "scorm12", "scorm2004", "cmi5", "imscc", "qti12", "qti21",
           "moodle-xml", "gift", "field-pack", "single-file")
LESSON = "modules/writing-questions/one-idea.yaml"
QUIZ = "quizzes/writing-questions.yaml"


def starter_in(language: str) -> Path:
    return STARTER if language == "en" else STARTER.parent / f"course-{language}"


def texts_of(course: Path) -> dict[str, str]:
    """Every translatable text of a course by its stable id (file, element id, field)."""
    loaded, problems = load_course(course)
    assert not problems, problems
    return {unit.id: unit.text for unit in units(loaded)}


def field_of(language: str, path: str, key: str = "title") -> str:
    value = yaml.safe_load((starter_in(language) / path).read_text(encoding="utf-8"))[key]
    assert isinstance(value, str)
    return value


def stem_of(language: str, question: str) -> str:
    quiz = yaml.safe_load((starter_in(language) / QUIZ).read_text(encoding="utf-8"))
    stem = next(q["stem"] for q in quiz["questions"] if q["id"] == question)
    assert isinstance(stem, str)
    return stem


def translate_as_a_translator(course: Path, language: str, texts: dict[str, str]) -> None:
    """Fill the PO file the way a translator's tool does: read it, set msgstr, write it."""
    path = course / "translations" / language / "course.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.context in texts:
            message.string = texts[message.context]
    with path.open("wb") as handle:
        write_po(handle, catalog)


@dataclass
class Trilingual:
    course: Path
    out: Path
    build: Result
    status: Result
    source_ids: set[str]
    unmatched: dict[str, set[str]]  # per language, the English units the starter lacks


@pytest.fixture(scope="module")
def trilingual(tmp_path_factory: pytest.TempPathFactory) -> Trilingual:
    runner = CliRunner()

    def run(*args: str) -> Result:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    course = tmp_path_factory.mktemp("trilingual") / "course"
    shutil.copytree(STARTER, course, ignore=shutil.ignore_patterns(".coursepack-cache"))
    text = (course / "course.yaml").read_text(encoding="utf-8")
    (course / "course.yaml").write_text(
        text.replace("language: en\n", "language: en\nlanguages: [en, fr, ar]\n", 1),
        encoding="utf-8")
    source = texts_of(course)
    unmatched = {}
    for language in TRANSLATED:
        run("translate", "extract", str(course), "--lang", language)
        counterpart = texts_of(starter_in(language))
        unmatched[language] = set(source) - set(counterpart)
        translate_as_a_translator(course, language, counterpart)
    out = course / "build"
    built = run("build", str(course))
    return Trilingual(course, out, built, run("translate", "status", str(course)), set(source),
                      unmatched)


def folder(trilingual: Trilingual, language: str, fmt: str) -> Path:
    return trilingual.out / FOLDER[language] / fmt


def files_under(path: Path, suffix: str) -> set[str]:
    return {p.relative_to(path).as_posix() for p in path.rglob(f"*{suffix}")}


def test_the_translated_starters_match_the_english_one_unit_for_unit() -> None:
    english = texts_of(STARTER)
    for language in TRANSLATED:
        assert files_under(starter_in(language), ".yaml") == files_under(STARTER, ".yaml")
        counterpart = texts_of(starter_in(language))
        assert set(english) <= set(counterpart), language
        # What the translated starters have more of are answers a learner may type in
        # their own language (accents, a second word): more accepted answers, no new text.
        extra = set(counterpart) - set(english)
        assert all(re.search(r"/answers/\d+$", unit_id) for unit_id in extra), extra
        assert not any(counterpart[i] == english[i] for i in english), language


def test_translate_status_reports_every_language_complete(trilingual: Trilingual) -> None:
    total = len(trilingual.source_ids)
    assert total > 50
    for language in TRANSLATED:
        missing = len(trilingual.unmatched[language])
        assert (f"{language}: {total - missing} translated, 0 stale, {missing} missing, "
                "0 obsolete") in trilingual.status.output
        # A unit with no counterpart would fall back to English, with its located warning.
        for unit_id in trilingual.unmatched[language]:
            assert f"no {language} translation" in trilingual.build.output, unit_id
    assert "no fr translation" not in trilingual.build.output
    assert "no ar translation" not in trilingual.build.output


def test_every_language_gets_every_format(trilingual: Trilingual) -> None:
    for language in LANGUAGES:
        for fmt in FORMATS:
            found = [p for p in folder(trilingual, language, fmt).rglob("*") if p.is_file()]
            assert found, (language, fmt)
    assert sorted(p.name for p in trilingual.out.iterdir() if p.is_dir()) == sorted(
        [*FORMATS, *TRANSLATED])


def html_tag(page: str) -> str:
    found = re.search(r"<html[^>]*>", page)
    assert found, page[:200]
    return found.group(0)


def assert_speaks(page: str, language: str, where: str) -> None:
    tag = html_tag(page)
    assert f'lang="{language}"' in tag, (where, tag)
    assert ('dir="rtl"' in tag) == (language == "ar"), (where, tag)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_site_is_complete_and_in_its_language(trilingual: Trilingual, language: str) -> None:
    site = folder(trilingual, language, "html")
    pages = files_under(site, ".html")
    assert pages == files_under(folder(trilingual, "en", "html"), ".html")
    assert len(pages) >= 10
    for name in pages:
        assert_speaks((site / name).read_text(encoding="utf-8"), language, name)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert START[language] in index
    assert field_of(language, "course.yaml") in index
    lesson = (site / "writing-questions" / "one-idea.html").read_text(encoding="utf-8")
    assert field_of(language, LESSON) in lesson
    quiz = (site / "quizzes" / "writing-questions.html").read_text(encoding="utf-8")
    assert stem_of(language, "wq-single") in quiz
    messages = (site / "assets" / "messages.js").read_text(encoding="utf-8")
    assert f'"lang": "{language}"' in messages
    if language != "en":
        for english in (field_of("en", LESSON), START["en"], stem_of("en", "wq-single")):
            assert english not in lesson + index + quiz, (language, english)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_pdf_set_is_complete_and_in_its_language(
        trilingual: Trilingual, language: str) -> None:
    pdfs = folder(trilingual, language, "pdf")
    names = files_under(pdfs, ".pdf")
    assert names == files_under(folder(trilingual, "en", "pdf"), ".pdf")
    assert {"course-pack.pdf", "answer-key.pdf", "facilitator-guide.pdf"} <= names
    pack = pdf_text(pdfs / "course-pack.pdf")
    assert field_of(language, LESSON) in pack
    assert field_of(language, "quizzes/final.yaml") in pdf_text(pdfs / "quizzes" / "final.pdf")
    handout = pdf_text(pdfs / "handouts" / "writing-questions" / "one-idea.pdf")
    assert field_of(language, LESSON) in handout
    if language != "en":
        assert field_of("en", LESSON) not in pack + handout


def archive(path: Path) -> dict[str, str]:
    """A package's text files by name."""
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name).decode("utf-8") for name in package.namelist()
                if name.endswith((".xml", ".html", ".js", ".txt", ".json"))}


def only(path: Path, pattern: str) -> Path:
    found = list(path.glob(pattern))
    assert len(found) == 1, found
    return found[0]


LANGUAGE_MARK = re.compile(r'\b(?:xml:)?lang(?:uage)?="([^"]*)"|<(?:\w+:)?language>([^<]*)<')


def marks(text: str) -> set[str]:
    return {a or b for a, b in LANGUAGE_MARK.findall(text)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_lms_export_carries_its_language(trilingual: Trilingual, language: str) -> None:
    title = field_of(language, LESSON)
    stem = stem_of(language, "wq-single")
    for fmt in ("scorm12", "scorm2004"):
        files = archive(only(folder(trilingual, language, fmt), "*.zip"))
        launch = [n for n in files if n.endswith(".html") and "/" not in n]
        assert launch, fmt
        for name in launch:
            assert_speaks(files[name], language, f"{fmt}/{name}")
        assert_speaks(files["course/writing-questions/one-idea.html"], language, fmt)
        assert title in files["course/writing-questions/one-idea.html"]
        assert language in marks(files["imsmanifest.xml"]) or fmt == "scorm12"
    cmi5 = archive(only(folder(trilingual, language, "cmi5"), "*.zip"))
    assert marks(cmi5["cmi5.xml"]) == {language}
    assert_speaks(cmi5["course/writing-questions/one-idea.html"], language, "cmi5")
    cartridge = archive(only(folder(trilingual, language, "imscc"), "*.imscc"))
    assert marks(cartridge["imsmanifest.xml"]) == {language}
    assert title in cartridge["writing-questions/one-idea.html"]
    qti12 = archive(only(folder(trilingual, language, "qti12"), "*.zip"))
    quiz12 = qti12["writing-questions/writing-questions.xml"]
    assert marks(quiz12) == {language} and stem in quiz12
    qti21 = archive(only(folder(trilingual, language, "qti21"), "*.zip"))
    items = [text for name, text in qti21.items() if name.startswith("items/")]
    assert len(items) >= 10
    assert all(marks(text) == {language} for text in items)
    assert stem in qti21["items/wq-single.xml"]
    # Moodle XML and GIFT have no language field: the bank is in the language's words.
    moodle = only(folder(trilingual, language, "moodle-xml"), "*.xml").read_text("utf-8")
    gift = only(folder(trilingual, language, "gift"), "*.txt").read_text("utf-8")
    assert stem in moodle and stem in gift
    if language != "en":
        english = stem_of("en", "wq-single")
        assert english not in moodle + gift + quiz12 + qti21["items/wq-single.xml"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_field_pack_and_single_files_carry_the_language_and_its_runtime_words(
        trilingual: Trilingual, language: str) -> None:
    pack = only(folder(trilingual, language, "field-pack"), "*.zip")
    assert f"-{language}-field-pack" in pack.name
    files = archive(pack)
    # The read-me speaks the course's language: its words are in the catalogues too.
    read_me = files["READ-ME-FIRST.html"]
    assert_speaks(read_me, language, "READ-ME-FIRST.html")
    assert f"<strong>{field_of(language, 'course.yaml')}</strong>" in read_me
    assert f"<h1>{translator(language)('Read me first')}</h1>" in read_me
    modules = sorted(n for n in files if n.startswith("modules/"))
    single = folder(trilingual, language, "single-file")
    assert sorted(files_under(single, ".html")) == [n.removeprefix("modules/") for n in modules]
    assert {n.removeprefix("site/") for n in files if n.startswith("site/")
            and n.endswith(".html")} == files_under(folder(trilingual, "en", "html"), ".html")
    for name in files_under(single, ".html"):
        page = (single / name).read_text(encoding="utf-8")
        assert_speaks(page, language, name)
        # The runtime's words (progress, results, "Question 1 of 10") travel inside the file.
        assert f'window.coursepackMessages = {{"lang": "{language}"' in page, name
    module = (single / "01-writing-questions.html").read_text(encoding="utf-8")
    assert field_of(language, LESSON) in module
    assert stem_of(language, "wq-single") in module


SHIPPED_FONTS = STARTER.parents[1] / "exporters" / "pdf" / "typefaces"


def outline(font: TTFont, gid: int) -> list[tuple[float, float]]:
    """A glyph's points with its components drawn in: what a PDF viewer draws."""
    coordinates, _, _ = font["glyf"][font.getGlyphOrder()[gid]].getCoordinates(font["glyf"])
    return [tuple(point) for point in coordinates]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_letter_of_the_joined_course_pack_is_drawn_as_its_font_draws_it(
        trilingual: Trilingual, language: str) -> None:
    # The course pack is joined from parts, and their font subsets merged into one font per
    # typeface: each glyph a page shows must keep the outline of the shipped font, parts of
    # composed glyphs (Arabic dots and letter bodies) included.
    originals = {re.sub(r"[-\s]", "", TTFont(path)["name"].getDebugName(6) or ""): path
                 for path in SHIPPED_FONTS.glob("*.ttf")}
    checked = 0
    with pikepdf.open(folder(trilingual, language, "pdf") / "course-pack.pdf") as pdf:
        fonts = {f.objgen: f for page in pdf.pages
                 for f in page.Resources.get("/Font", pikepdf.Dictionary()).values()
                 if "/DescendantFonts" in f}
        for font in fonts.values():
            name = re.sub(r"^[A-Z]{6}\+|-", "", str(font.BaseFont)[1:])
            if name not in originals:
                continue
            descendant = font.DescendantFonts[0]
            embedded = TTFont(io.BytesIO(descendant.FontDescriptor.FontFile2.read_bytes()))
            original = TTFont(originals[name])
            for gid in shown_ids(descendant.W):
                assert outline(embedded, gid) == outline(original, gid), (name, gid)
                checked += 1
    assert checked > 50


def shown_ids(widths: pikepdf.Array) -> set[int]:
    """The glyph ids a CIDFont's /W array gives widths to: the glyphs its pages show."""
    items, found, index = list(widths), set(), 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            found.update(range(first, first + len(items[index + 1])))
            index += 2
        else:
            found.update(range(first, int(items[index + 1]) + 1))
            index += 3
    return found


def test_quotes_stay_marked_in_the_language_of_their_source(trilingual: Trilingual) -> None:
    """A translation keeps the quotes in English (they are checked against English sources),
    so on an Arabic page they read left to right, as English, in the site and the PDFs."""
    arabic = (folder(trilingual, "ar", "html") / "writing-questions" / "one-idea.html")
    page = arabic.read_text(encoding="utf-8")
    assert '<blockquote lang="en" dir="ltr">' in page
    english = (folder(trilingual, "en", "html") / "writing-questions" / "one-idea.html")
    assert "<blockquote>" in english.read_text(encoding="utf-8")  # nothing to mark at home
