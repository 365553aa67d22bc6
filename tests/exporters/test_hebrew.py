"""A course written in Hebrew, the other right-to-left script coursepack ships fonts for: its
site is set right to left, its PDFs read back as the logical text in the shipped Hebrew
fonts, flush right, and the interface, which has no Hebrew catalogue, says it falls back."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from coursepack.cli import main
from tests.exporters.test_pdf_rtl import letters_only, pdftotext, word_x

pytestmark = [pytest.mark.pdf, pytest.mark.xdist_group("pdf")]

SENTENCE = "נציבות UNHCR נוסדה בשנת 1950 ופועלת היום ביותר מ־130 מדינות."
WORD = "שלום"

COURSE = """\
id: hebrew-course
title: יסודות הדיפלומטיה ההומניטרית
language: he
version: "1.0"
authors: [Noa Levi]
description: קורס קצר על שיחה עם רשויות למען הגנת פליטים.
modules: [access]
"""

MODULE = """\
title: משא ומתן לגישה
description: איך משוחחים עם רשויות כדי להגיע לפליטים.
objectives:
  - id: listen
    text: הלומד יסביר מדוע משא ומתן מתחיל בהקשבה.
lessons: [listening]
"""

LESSON = f"""\
title: קודם כול להקשיב
duration: 10
objectives: [listen]
summary: משא ומתן טוב מתחיל בהקשבה לצד השני.
body: |
  ## {WORD} ושיחה

  {SENTENCE}

  המילה {WORD} היא ברכה שכולם מבינים.
key_terms:
  - term: גישה הומניטרית
    definition: היכולת של עובדים הומניטריים להגיע אל מי שזקוק לעזרה.
"""


@pytest.fixture(scope="module")
def hebrew_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("hebrew")
    course = root / "course"
    (course / "modules" / "access").mkdir(parents=True)
    (course / "course.yaml").write_text(COURSE, encoding="utf-8")
    (course / "modules" / "access" / "module.yaml").write_text(MODULE, encoding="utf-8")
    (course / "modules" / "access" / "listening.yaml").write_text(LESSON, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(course), "-f", "html", "-f", "pdf",
                                       "--out", str(root / "build")])
    assert result.exit_code == 0, result.output
    return root / "build", result.output


def test_the_site_is_hebrew_and_right_to_left(hebrew_build: tuple[Path, str]) -> None:
    page = (hebrew_build[0] / "html" / "access" / "listening.html").read_text(encoding="utf-8")
    assert re.search(r'<html[^>]*\blang="he"', page) and re.search(r'<html[^>]*\bdir="rtl"', page)
    assert SENTENCE in page


def test_the_interface_falls_back_to_english_and_says_so(
        hebrew_build: tuple[Path, str]) -> None:
    output = hebrew_build[1]
    assert "course.yaml:3" in output and "warning" in output and "English" in output


def test_the_handout_reads_back_in_hebrew_in_the_shipped_fonts_flush_right(
        hebrew_build: tuple[Path, str]) -> None:
    handout = hebrew_build[0] / "pdf" / "handouts" / "access" / "listening.pdf"
    text = letters_only(pdftotext(handout))
    assert letters_only(SENTENCE) in text  # "UNHCR", 1950 and 130 where the sentence has them
    assert letters_only(WORD) in text
    with pikepdf.Pdf.open(handout) as doc:
        assert str(doc.Root.Lang) == "he"
        names = {str(font.BaseFont).partition("+")[2] for page in doc.pages
                 for font in page.Resources.Font.values()}
    assert {"Noto-Serif-Hebrew", "Noto-Sans-Hebrew-Bold"} <= names, names
    x, width = word_x(handout, "UNHCR")
    assert x > width / 3  # inside its Hebrew line, which starts at the right margin
