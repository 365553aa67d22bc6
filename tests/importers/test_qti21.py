"""QTI 2.1 items as other tools write them: one item file, the standard response-processing
templates, tolerances on ``equal``, and interactions the model has no question for."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from coursepack.loader import load_course
from coursepack.model import MultipleResponse, Numeric, Scoring, SingleChoice, Tolerance
from tests.conftest import Run

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<assessmentItem xmlns="http://www.imsglobal.org'
        '/xsd/imsqti_v2p1" identifier="{id}" title="{title}" adaptive="false" '
        'timeDependent="false">\n')
TEMPLATE = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/{name}"

CHOICE = HEAD.format(id="capital", title="Capital city") + f"""\
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>ChoiceB</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="1">
      <prompt>Where is the UNHCR headquarters?</prompt>
      <simpleChoice identifier="ChoiceA">New York</simpleChoice>
      <simpleChoice identifier="ChoiceB">Geneva</simpleChoice>
      <simpleChoice identifier="ChoiceC">Nairobi</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="{TEMPLATE.format(name='match_correct')}"/>
</assessmentItem>
"""

MULTIPLE = HEAD.format(id="pillars", title="Pillars") + f"""\
  <responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="identifier">
    <correctResponse><value>A</value><value>C</value></correctResponse>
    <mapping lowerBound="0" upperBound="2" defaultValue="0">
      <mapEntry mapKey="A" mappedValue="1"/><mapEntry mapKey="C" mappedValue="1"/>
      <mapEntry mapKey="B" mappedValue="-1"/>
    </mapping>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>Which are humanitarian principles?</p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="0">
      <simpleChoice identifier="A">Humanity</simpleChoice>
      <simpleChoice identifier="B">Profit</simpleChoice>
      <simpleChoice identifier="C">Neutrality</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="{TEMPLATE.format(name='map_response')}"/>
</assessmentItem>
"""

NUMBER = HEAD.format(id="convention", title="Convention year") + """\
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="float"/>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>In what year was the Refugee Convention signed?</p>
    <p><textEntryInteraction responseIdentifier="RESPONSE"/></p>
  </itemBody>
  <responseProcessing>
    <responseCondition><responseIf>
      <equal toleranceMode="absolute" tolerance="1 1">
        <variable identifier="RESPONSE"/><baseValue baseType="float">1951</baseValue>
      </equal>
      <setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue>
      </setOutcomeValue>
    </responseIf></responseCondition>
  </responseProcessing>
</assessmentItem>
"""

HOTSPOT = HEAD.format(id="map-spot", title="Find the camp") + """\
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"/>
  <itemBody>
    <hotspotInteraction responseIdentifier="RESPONSE" maxChoices="1">
      <object type="image/png" data="map.png" width="10" height="10"/>
      <hotspotChoice identifier="A" shape="circle" coords="5,5,2"/>
    </hotspotInteraction>
  </itemBody>
</assessmentItem>
"""


def test_one_item_file_from_another_tool_imports(run: Run, tmp_path: Path) -> None:
    item = tmp_path / "capital.xml"
    item.write_text(CHOICE)
    result = run("import", str(item), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    course, _ = load_course(tmp_path / "c")
    question = course.quizzes[0].questions[0]
    assert isinstance(question, SingleChoice) and question.id == "capital"
    assert question.stem == "Where is the UNHCR headquarters?"
    assert question.correct_index == 1
    assert course.quizzes[0].settings.shuffle_options is False


def _package(items: dict[str, str]) -> bytes:
    resources = "".join(
        f'<resource identifier="r-{n}" type="imsqti_item_xmlv2p1" href="{n}">'
        f'<file href="{n}"/></resource>' for n in items)
    manifest = ('<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m">'
                f"<organizations/><resources>{resources}</resources></manifest>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for name, text in items.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_package_of_items_without_a_test_becomes_one_quiz(run: Run, tmp_path: Path) -> None:
    bank = tmp_path / "principles bank.zip"
    bank.write_bytes(_package({"a.xml": MULTIPLE, "b.xml": NUMBER, "c.xml": HOTSPOT}))
    result = run("import", str(bank), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert "imported 2 questions, 1 kept as comments (NOT IMPORTED)" in result.output
    assert ("principles bank.zip/c.xml:2:1: warning: item 'map-spot': an item with "
            "hotspotInteraction, which the model has no question for; kept as a comment in "
            "the quiz file") in result.output
    course, _ = load_course(tmp_path / "c")
    quiz = course.quizzes[0]
    assert quiz.title == "principles bank"
    multiple, number = quiz.questions
    assert isinstance(multiple, MultipleResponse) and multiple.negative_marking
    assert multiple.scoring is Scoring.PARTIAL and multiple.points == 2
    assert isinstance(number, Numeric) and number.answer.mode is Tolerance.ABSOLUTE
    assert number.answer.bounds == (1950, 1952)
    text = (tmp_path / "c" / "quizzes" / "principles-bank.yaml").read_text()
    assert "  #       <hotspotInteraction responseIdentifier=\"RESPONSE\" maxChoices=\"1\">" in text
