"""QTI 1.2 as text2qti writes it (its zips made here, by text2qti itself) and as Canvas
exports it (a file written from Canvas's QTI documentation), imported into a course."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest

from coursepack.loader import load_course
from coursepack.model import (
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    Scoring,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from tests.conftest import Run

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4IScHRAwQCg"
                       "AfJgQRoo8irwAAAABJRU5ErkJggg==")
TEXT2QTI = Path(sys.executable).parent / "text2qti"

QUIZ = """\
Quiz title: Water and shelter
Quiz description: What every field officer checks on arrival.

Title: Litres
1.  How many litres per person per day? ![A jerrycan](jerrycan.png)
... The Sphere minimum is 15.
*a) 15
... Right.
b) 5
... That is drinking water only.
c) 50

Title: Safe sources
2.  Which sources are safe without treatment?
[*] Protected borehole
[ ] River
[*] Chlorinated tap

3.  Name the chemical used to treat water.
*   chlorine
*   chlore

4.  How many metres from a latrine to a water point?
=   30 +- 2

5.  What share of the camp is shelter, in percent?
=   [40, 50]

6.  Describe where you would put a water point.
____

7.  Boiling water kills most germs.
*a) True
b) False

Text: The next question asks for a file.

8.  Upload your site plan.
^^^^
"""


@pytest.fixture
def text2qti_zip(tmp_path: Path) -> Path:
    work = tmp_path / "text2qti"
    work.mkdir()
    (work / "jerrycan.png").write_bytes(PNG)
    (work / "water quiz.md").write_text(QUIZ, encoding="utf-8")
    done = subprocess.run([str(TEXT2QTI), "water quiz.md"], cwd=work, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return work / "water quiz.zip"


def test_a_text2qti_quiz_imports_with_its_images(run: Run, text2qti_zip: Path,
                                                  tmp_path: Path) -> None:
    result = run("import", str(text2qti_zip), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert "imported 8 questions, 1 kept as comments (NOT IMPORTED)" in result.output
    assert "a file-upload question, which the model has no question for" in result.output
    assert run("validate", str(tmp_path / "c")).exit_code == 0
    course, _ = load_course(tmp_path / "c")
    quiz = course.quizzes[0]
    assert quiz.title == "Water and shelter"
    assert quiz.description == "What every field officer checks on arrival."
    litres, safe, chemical, metres, share, essay, boiling, text = quiz.questions
    assert isinstance(litres, SingleChoice) and litres.title == "Litres"
    assert litres.correct_index == 0 and litres.choices[1].feedback == \
        "That is drinking water only."
    assert litres.feedback.general == "The Sphere minimum is 15."
    assert [a.path.read_bytes() for a in litres.assets] == [PNG]
    assert isinstance(safe, MultipleResponse) and safe.scoring is Scoring.ALL_OR_NOTHING
    assert [c.correct for c in safe.choices] == [True, False, True]
    assert isinstance(chemical, ShortAnswer) and chemical.answers == ("chlorine", "chlore")
    assert isinstance(metres, Numeric) and metres.answer.bounds == (28, 32)
    assert isinstance(share, Numeric) and share.answer.bounds == (40, 50)
    assert isinstance(essay, Essay)
    assert isinstance(boiling, TrueFalse) and boiling.answer is True
    assert isinstance(text, Description)
    assert run("check", str(tmp_path / "c")).exit_code == 0
    assert [q.id for q in quiz.questions] == ["litres", "safe-sources"] + [
        f"water-and-shelter-{n}" for n in range(3, 9)]


CANVAS = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by hand for coursepack's tests from Canvas's QTI 1.2 export format.
     Licence: the project's own (MIT). -->
<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">
  <assessment ident="g1" title="Protection basics">
    <section ident="root_section">
      <item ident="i1" title="Principles drop-downs">
        <itemmetadata><qtimetadata>
          <qtimetadatafield><fieldlabel>question_type</fieldlabel>
            <fieldentry>multiple_dropdowns_question</fieldentry></qtimetadatafield>
          <qtimetadatafield><fieldlabel>points_possible</fieldlabel>
            <fieldentry>2.0</fieldentry></qtimetadatafield>
        </qtimetadata></itemmetadata>
        <presentation>
          <material><mattext texttype="text/html">&lt;p&gt;Aid goes to those in [need] without [bias].&lt;/p&gt;</mattext></material>
          <response_lid ident="response_need">
            <material><mattext>need</mattext></material>
            <render_choice>
              <response_label ident="1"><material><mattext texttype="text/plain">need</mattext></material></response_label>
              <response_label ident="2"><material><mattext texttype="text/plain">power</mattext></material></response_label>
            </render_choice>
          </response_lid>
          <response_lid ident="response_bias">
            <material><mattext>bias</mattext></material>
            <render_choice>
              <response_label ident="3"><material><mattext texttype="text/plain">discrimination</mattext></material></response_label>
              <response_label ident="4"><material><mattext texttype="text/plain">delay</mattext></material></response_label>
            </render_choice>
          </response_lid>
        </presentation>
        <resprocessing>
          <outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
          <respcondition><conditionvar><varequal respident="response_need">1</varequal></conditionvar>
            <setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
          <respcondition><conditionvar><varequal respident="response_bias">3</varequal></conditionvar>
            <setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
        </resprocessing>
      </item>
      <item ident="i2" title="Match the mandate">
        <itemmetadata><qtimetadata>
          <qtimetadatafield><fieldlabel>question_type</fieldlabel>
            <fieldentry>matching_question</fieldentry></qtimetadatafield>
          <qtimetadatafield><fieldlabel>points_possible</fieldlabel>
            <fieldentry>1.0</fieldentry></qtimetadatafield>
        </qtimetadata></itemmetadata>
        <presentation>
          <material><mattext texttype="text/html">&lt;p&gt;Match each agency to its mandate.&lt;/p&gt;</mattext></material>
          <response_lid ident="response_10">
            <material><mattext texttype="text/plain">UNHCR</mattext></material>
            <render_choice>
              <response_label ident="20"><material><mattext>refugees</mattext></material></response_label>
              <response_label ident="21"><material><mattext>children</mattext></material></response_label>
              <response_label ident="22"><material><mattext>food</mattext></material></response_label>
            </render_choice>
          </response_lid>
          <response_lid ident="response_11">
            <material><mattext texttype="text/plain">UNICEF</mattext></material>
            <render_choice>
              <response_label ident="20"><material><mattext>refugees</mattext></material></response_label>
              <response_label ident="21"><material><mattext>children</mattext></material></response_label>
              <response_label ident="22"><material><mattext>food</mattext></material></response_label>
            </render_choice>
          </response_lid>
        </presentation>
        <resprocessing>
          <outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
          <respcondition><conditionvar><varequal respident="response_10">20</varequal></conditionvar>
            <setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
          <respcondition><conditionvar><varequal respident="response_11">21</varequal></conditionvar>
            <setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
        </resprocessing>
      </item>
      <item ident="i3" title="Families">
        <itemmetadata><qtimetadata>
          <qtimetadatafield><fieldlabel>question_type</fieldlabel>
            <fieldentry>calculated_question</fieldentry></qtimetadatafield>
        </qtimetadata></itemmetadata>
        <presentation><material><mattext texttype="text/html">[n] families need [n]*15 litres.</mattext></material></presentation>
      </item>
      <item ident="i4" title="Fill in">
        <itemmetadata><qtimetadata>
          <qtimetadatafield><fieldlabel>question_type</fieldlabel>
            <fieldentry>fill_in_multiple_blanks_question</fieldentry></qtimetadatafield>
        </qtimetadata></itemmetadata>
        <presentation>
          <material><mattext texttype="text/html">&lt;p&gt;Refugees cross a [border]; IDPs do [not].&lt;/p&gt;</mattext></material>
          <response_lid ident="response_border"><material><mattext>border</mattext></material>
            <render_choice><response_label ident="5"><material><mattext>border</mattext></material></response_label>
            <response_label ident="6"><material><mattext>frontier</mattext></material></response_label></render_choice>
          </response_lid>
          <response_lid ident="response_not"><material><mattext>not</mattext></material>
            <render_choice><response_label ident="7"><material><mattext>not</mattext></material></response_label></render_choice>
          </response_lid>
        </presentation>
        <resprocessing>
          <outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
          <respcondition><conditionvar><varequal respident="response_border">5</varequal></conditionvar>
            <setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
          <respcondition><conditionvar><varequal respident="response_border">6</varequal></conditionvar>
            <setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
          <respcondition><conditionvar><varequal respident="response_not">7</varequal></conditionvar>
            <setvar varname="SCORE" action="Add">50.00</setvar></respcondition>
        </resprocessing>
      </item>
    </section>
  </assessment>
</questestinterop>
"""


def test_a_canvas_export_imports_and_keeps_what_it_cannot_hold(run: Run, tmp_path: Path) -> None:
    bank = tmp_path / "canvas-export.xml"
    bank.write_text(CANVAS, encoding="utf-8")
    result = run("import", str(bank), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert ("canvas-export.xml:73:1: warning: item 'Families': a calculated (formula) question, "
            "which the model has no question for; kept as a comment in the quiz file"
            ) in result.output
    course, _ = load_course(tmp_path / "c")
    dropdowns, matching, fill = course.quizzes[0].questions
    assert isinstance(dropdowns, FillBlanks) and dropdowns.points == 2
    assert dropdowns.text == "Aid goes to those in [[need]] without [[bias]]."
    assert [(b.answers, b.options) for b in dropdowns.blanks] == [
        (("need",), ("need", "power")), (("discrimination",), ("discrimination", "delay"))]
    assert isinstance(matching, Matching) and matching.distractors == ("food",)
    assert [(p.prompt, p.match) for p in matching.pairs] == [("UNHCR", "refugees"),
                                                            ("UNICEF", "children")]
    assert isinstance(fill, FillBlanks)
    assert fill.blanks[0].answers == ("border", "frontier")
    text = (tmp_path / "c" / "quizzes" / "protection-basics.yaml").read_text()
    assert "# NOT IMPORTED (canvas-export.xml:73:1): a calculated (formula) question" in text
    assert run("check", str(tmp_path / "c")).exit_code == 0
    built = run("build", str(tmp_path / "c"), "-f", "qti12", "-f", "moodle-xml", "-f", "html",
                "--out", str(tmp_path / "out"), "-q")
    assert built.exit_code == 0, built.output
