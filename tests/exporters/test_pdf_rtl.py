"""Arabic PDFs read back as an Arabic reader and a PDF tool would: logical text with its Latin
names and numbers in place, letters joined as HarfBuzz joins them, the shipped fonts
embedded, the page mirrored; and a Chinese course without its fonts told how to get them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import uharfbuzz as hb
from click.testing import CliRunner
from fontTools.ttLib import TTFont

from coursepack.cli import main
from coursepack.exporters.pdf import faces
from coursepack.exporters.pdf.pool import SHIPPED
from coursepack.locale import translator
from tests.arabic_course import NAME_SENTENCE, SENTENCE, WORD, write_arabic_course
from tests.exporters.test_pdf import (
    margins_are_artifacts_and_the_rest_in_the_tree,
    runs_belong_to_the_elements_that_hold_them,
)

pytestmark = [pytest.mark.pdf, pytest.mark.xdist_group("pdf")]

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NASKH = SHIPPED / "NotoNaskhArabic-Regular.ttf"


@pytest.fixture(scope="module")
def arabic_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("arabic-pdf")
    course = write_arabic_course(root / "course")
    result = CliRunner().invoke(main, ["build", str(course), "-f", "pdf",
                                       "--out", str(root / "build")])
    assert result.exit_code == 0, result.output
    return root / "build" / "pdf"


def handout(pdfs: Path) -> Path:
    return pdfs / "handouts" / "access" / "listening.pdf"


def letters_only(text: str) -> str:
    """The text without bidi controls and whitespace: pdftotext puts the spaces around a
    left-to-right run inside a right-to-left line on the wrong side, but not the letters."""
    return "".join(BIDI_CONTROLS.sub("", text).split())


def pdftotext(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_an_arabic_handout_reads_back_as_the_logical_text_with_its_latin_name_and_numbers(
        arabic_pdfs: Path) -> None:
    text = letters_only(pdftotext(handout(arabic_pdfs)))
    assert letters_only(SENTENCE) in text  # "UNHCR", 1950 and 130 where the sentence has them
    assert letters_only(NAME_SENTENCE) in text  # "Filippo Grandi" inside the Arabic sentence


def shaped(text: str, font_file: Path) -> list[int]:
    """The glyph ids HarfBuzz draws ``text`` with, left to right as on the page."""
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(font_file))))
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    return [info.codepoint for info in buffer.glyph_infos]


def drawn_glyphs(pdf: Path, font_name: str) -> list[int]:
    """Every glyph id drawn with ``font_name`` (CID = glyph id in WeasyPrint's subsets), in
    the order the page draws them."""
    found: list[int] = []
    with pikepdf.Pdf.open(pdf) as doc:
        for page in doc.pages:
            fonts = page.Resources.Font
            current = ""
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tf":
                    current = str(fonts[operands[0]].BaseFont)
                elif str(operator) in ("Tj", "TJ") and current.endswith("+" + font_name):
                    pieces = operands[0] if str(operator) == "TJ" else [operands[0]]
                    for piece in pieces:
                        if isinstance(piece, pikepdf.String):
                            data = bytes(piece)
                            found += [int.from_bytes(data[i:i + 2], "big")
                                      for i in range(0, len(data), 2)]
    return found


def contains_run(sequence: list[int], run: list[int]) -> bool:
    return any(sequence[i:i + len(run)] == run for i in range(len(sequence) - len(run) + 1))


def test_arabic_letters_are_joined_as_harfbuzz_joins_them_not_drawn_isolated(
        arabic_pdfs: Path) -> None:
    drawn = drawn_glyphs(handout(arabic_pdfs), "Noto-Naskh-Arabic")
    joined = shaped(WORD, NASKH)
    isolated = [gid for letter in reversed(WORD) for gid in shaped(letter, NASKH)]
    assert joined != isolated  # the word's letters take their initial, medial and final forms
    assert contains_run(drawn, joined)
    assert not contains_run(drawn, isolated)
    names = TTFont(NASKH).getGlyphOrder()
    cmap = TTFont(NASKH).getBestCmap()
    assert names[joined[-1]] != cmap[ord(WORD[0])]  # the first letter, drawn last (rightmost)


def test_every_font_is_embedded_and_is_one_coursepack_ships(arabic_pdfs: Path) -> None:
    # WeasyPrint names an embedded font by its full name, spaces made hyphens
    shipped = {TTFont(path)["name"].getDebugName(4).replace(" ", "-").removesuffix("-Regular")
               for path in SHIPPED.glob("*.ttf")}
    for pdf in [handout(arabic_pdfs), arabic_pdfs / "course-pack.pdf",
                arabic_pdfs / "quizzes" / "listening.pdf"]:
        with pikepdf.Pdf.open(pdf) as doc:
            assert str(doc.Root.Lang) == "ar"  # the document's language, for screen readers
            fonts = {str(f.objgen): f for page in doc.pages
                     for f in page.Resources.Font.values()}
            assert fonts
            for font in fonts.values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                assert "/FontFile2" in descriptor, font.BaseFont  # embedded
                tag, _, name = str(font.BaseFont).lstrip("/").partition("+")
                assert re.fullmatch("[A-Z]{6}", tag), font.BaseFont  # a subset
                assert name in shipped, name
                assert "Oblique" not in name and "Italic" not in name  # Arabic is never slanted
    assert (SHIPPED / "OFL.txt").is_file() and (SHIPPED / "ORIGIN.md").is_file()


def word_x(pdf: Path, word: str) -> tuple[float, float]:
    """(x of the word's left edge, page width) on the first page (pdftotext -bbox)."""
    boxes = pdftotext(pdf, "-bbox", "-f", "1", "-l", "1")
    width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))  # type: ignore[union-attr]
    # -bbox writes a right-to-left word in visual order: its letters reversed
    either = f"{re.escape(word)}|{re.escape(word[::-1])}"
    found = re.search(rf'<word xMin="([\d.]+)"[^>]*>(?:{either})</word>', boxes)
    assert found, f"{word!r} not on the first page"
    return float(found.group(1)), width


def test_the_page_number_sits_bottom_left_in_arabic_and_bottom_right_in_english(
        arabic_pdfs: Path, course: Path, tmp_path: Path) -> None:
    arabic_page = translator("ar")("Page %(page)s of %(pages)s").split()[0]  # the word for "Page"
    x, width = word_x(handout(arabic_pdfs), arabic_page)
    assert x < width / 2
    result = CliRunner().invoke(main, ["build", str(course), "-f", "pdf",
                                       "--out", str(tmp_path / "en")])
    assert result.exit_code == 0, result.output
    x, width = word_x(tmp_path / "en" / "pdf" / "handouts" / "writing-questions" /
                      "one-idea.pdf", "Page")
    assert x > width / 2


def test_arabic_running_headers_are_artifacts_and_all_else_is_in_the_tree(
        arabic_pdfs: Path) -> None:
    """Right to left, the margins (title, section, edition) swap sides; they are still
    pagination artifacts, and the Arabic text is still in the structure tree, each line's
    run held by its paragraph."""
    margins_are_artifacts_and_the_rest_in_the_tree(arabic_pdfs)
    runs_belong_to_the_elements_that_hold_them(arabic_pdfs)


def test_the_arabic_page_is_set_flush_right(arabic_pdfs: Path) -> None:
    """Headings start at the right margin, and a Latin name sits inside its Arabic line."""
    key_terms = translator("ar")("Key terms").split()[0]  # the heading's first word
    x, width = word_x(handout(arabic_pdfs), key_terms)
    assert x > width / 2
    x, width = word_x(handout(arabic_pdfs), "UNHCR")
    assert x > width / 3  # after the sentence's first words, counted from the right


def test_a_chinese_course_without_its_fonts_is_told_which_to_install(
        course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    monkeypatch.setenv(faces.FONT_DIRS_VARIABLE, str(empty))
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("language: en", "language: zh"),
                    encoding="utf-8")
    out = tmp_path / "build"
    result = CliRunner().invoke(main, ["build", str(course), "-f", "pdf", "--out", str(out)])
    assert result.exit_code != 0
    assert "course.yaml" in result.output
    assert "NotoSansCJK-Regular.ttc" in result.output and "fonts-noto-cjk" in result.output
    assert faces.FONT_DIRS_VARIABLE in result.output
    assert "Traceback" not in result.output
    assert not (out / "pdf").exists()


def test_a_chinese_course_is_set_in_noto_cjk_when_it_is_installed(
        course: Path, tmp_path: Path) -> None:
    """scripts/install-system-deps.sh installs fonts-noto-cjk (too large to ship)."""
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("language: en", "language: zh")
                    .replace("title: Writing Good Quiz Questions", "title: 编写好的测验题"),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(course), "-f", "pdf",
                                       "--out", str(tmp_path / "build")])
    assert result.exit_code == 0, result.output
    handout = tmp_path / "build" / "pdf" / "handouts" / "writing-questions" / "one-idea.pdf"
    assert "编写好的测验题" in pdftotext(handout)
    with pikepdf.Pdf.open(handout) as doc:
        names = {str(f.BaseFont).partition("+")[2] for page in doc.pages
                 for f in page.Resources.Font.values()}
    assert "Noto-Serif-CJK-SC" in names and "Noto-Sans-CJK-SC" in names


def test_a_chinese_course_pack_carries_each_typeface_once_and_looks_the_same(
        course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every part embeds its own subset of each Noto CJK typeface; the pack holds one font
    per typeface, subset anew from the system's font: far smaller, the same text, the same
    look (rendered by poppler, which takes codes as glyph ids)."""
    from coursepack.exporters.pdf import fonts

    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("language: en", "language: zh")
                    .replace("title: Writing Good Quiz Questions", "title: 编写好的测验题"),
                    encoding="utf-8")
    lesson = course / "modules" / "writing-questions" / "feedback.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "Feedback is not a grade.", "反馈不是分数。每个选项都要说明对错的理由。"), encoding="utf-8")
    build = ["build", str(course), "-f", "pdf", "--out"]
    assert CliRunner().invoke(main, [*build, str(tmp_path / "merged")]).exit_code == 0
    monkeypatch.setattr(fonts, "merged_program", lambda name, codes, programs: None)
    shutil.rmtree(course / ".coursepack-cache")
    assert CliRunner().invoke(main, [*build, str(tmp_path / "apart")]).exit_code == 0
    merged = tmp_path / "merged" / "pdf" / "course-pack.pdf"
    apart = tmp_path / "apart" / "pdf" / "course-pack.pdf"

    def typefaces(pdf: Path) -> list[str]:
        lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        return [line.split()[0].partition("+")[2] for line in lines]

    assert sorted(typefaces(merged)) == sorted(set(typefaces(apart)))  # each once
    assert len(typefaces(apart)) > 2 * len(typefaces(merged))
    assert merged.stat().st_size * 2 < apart.stat().st_size
    assert pdftotext(merged) == pdftotext(apart)
    assert "反馈不是分数" in pdftotext(merged)
    for page in range(1, int(re.search(r"Pages:\s+(\d+)", subprocess.run(
            ["pdfinfo", str(merged)], capture_output=True, text=True).stdout).group(1)) + 1):
        assert _pixels(merged, page, tmp_path) == _pixels(apart, page, tmp_path), page


def _pixels(pdf: Path, page: int, folder: Path) -> bytes:
    """Page ``page`` of ``pdf`` as 8-bit grey pixels at 72 dpi (poppler's pdftoppm)."""
    stem = folder / f"{pdf.parent.parent.name}-{page}"
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True)
    data = stem.with_suffix(".pgm").read_bytes()
    return data[data.index(b"255\n") + 4:]
