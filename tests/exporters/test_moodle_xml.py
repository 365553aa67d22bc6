"""Moodle XML: each type checked element by element, awkward text, images, golden file."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from lxml import etree
from quizbank_helpers import AWKWARD, awkward_course, check_golden

from coursepack.exporters.moodle_xml.questions import cloze_escape


def build(run, course: Path, tmp_path: Path) -> etree._Element:
    result = run("build", str(course), "-f", "moodle-xml", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    return etree.parse(str(next((tmp_path / "out" / "moodle-xml").glob("*.xml")))).getroot()


def by_id(root: etree._Element, qid: str) -> etree._Element:
    return root.xpath(f"question[idnumber='{qid}']")[0]


def test_every_type_maps_to_its_moodle_type(run, course, tmp_path):
    root = build(run, course, tmp_path)
    types = {q.findtext("idnumber"): q.get("type") for q in root.xpath("question[idnumber]")}
    assert types == {"wq-intro": "description", "wq-single": "multichoice",
                     "wq-multiple": "multichoice", "wq-true-false": "truefalse",
                     "wq-short": "shortanswer", "wq-numeric": "numerical",
                     "wq-matching": "matching", "wq-ordering": "ordering",
                     "wq-blanks": "multianswer", "wq-essay": "essay"}
    category = root.xpath("question[@type='category']/category/text/text()")
    assert category == ["$course$/top/Writing Good Quiz Questions/Writing questions that teach"]


def test_choice_questions_carry_fractions_feedback_hints_and_tags(run, course, tmp_path):
    root = build(run, course, tmp_path)
    single = by_id(root, "wq-single")
    assert single.findtext("single") == "true"
    assert single.xpath("answer/@fraction") == ["100", "0", "0"]
    assert "clear stem" in single.xpath("answer[1]/feedback/text/text()")[0]
    assert "Cover the options" in single.findtext("hint/text")
    assert single.xpath("tags/tag/text/text()") == ["wq-stem"]
    multiple = by_id(root, "wq-multiple")
    assert multiple.findtext("single") == "false"
    assert multiple.xpath("answer/@fraction") == ["50", "50", "-50", "-50"]
    assert "both weaknesses" in multiple.findtext("correctfeedback/text")
    assert multiple.findtext("defaultgrade") == "2"


def test_other_types_element_by_element(run, course, tmp_path):
    root = build(run, course, tmp_path)
    tf = by_id(root, "wq-true-false")
    assert [(a.findtext("text"), a.get("fraction")) for a in tf.findall("answer")] == [
        ("true", "0"), ("false", "100")]
    short = by_id(root, "wq-short")
    assert short.findtext("usecase") == "0"
    assert short.xpath("answer[@fraction='100']/text/text()") == ["stem", "the stem"]
    assert short.xpath("answer[@fraction='0']/text/text()") == ["*"]  # carries wrong feedback
    numeric = by_id(root, "wq-numeric")
    assert numeric.xpath("answer[@fraction='100']/tolerance/text()") == ["0"]
    matching = by_id(root, "wq-matching")
    subs = matching.findall("subquestion")
    assert len(subs) == 4 and subs[-1].findtext("text") == ""
    assert subs[-1].findtext("answer/text").startswith("The number of points")
    ordering = by_id(root, "wq-ordering")
    assert ordering.findtext("gradingtype") == "ABSOLUTE_POSITION"
    assert [a.get("fraction") for a in ordering.findall("answer")] == ["1", "2", "3"]
    essay = by_id(root, "wq-essay")
    assert "Full marks" in essay.findtext("graderinfo/text")
    assert essay.findtext("responsetemplate/text") == "What is ...?"
    assert essay.findtext("minwordlimit") == "5" and essay.findtext("maxwordlimit") == "60"
    cloze = by_id(root, "wq-blanks").findtext("questiontext/text")
    assert "{1:SHORTANSWER:=feedback}" in cloze and "{1:NUMERICAL:=3:0}" in cloze
    assert "{1:MULTICHOICE:=not~always~only}" in cloze


def test_awkward_text_survives_and_images_are_embedded(run, course, tmp_path):
    root = build(run, awkward_course(course), tmp_path)
    stem = html.unescape(by_id(root, "aw-single").findtext("questiontext/text"))
    assert AWKWARD in stem
    assert AWKWARD in html.unescape(by_id(root, "aw-single").findtext("answer/text"))
    assert by_id(root, "aw-short").xpath("answer/text/text()")[0] == 'x{y}~z=#1:2 \\ "q"'
    multiple = by_id(root, "aw-multiple")
    assert multiple.xpath("answer/@fraction") == ["33.33333"] * 3 + ["0"]
    image = (course / "modules/writing-questions/images/stem-and-options.png").read_bytes()
    file = multiple.find("questiontext/file")
    assert base64.b64decode(file.text) == image
    assert f'src="@@PLUGINFILE@@/{file.get("name")}"' in multiple.findtext("questiontext/text")
    assert by_id(root, "aw-numeric").xpath("answer[@fraction='100']/tolerance/text()") == ["10"]


def test_cloze_answers_decode_back_as_moodle_reads_them(run, course, tmp_path):
    root = build(run, awkward_course(course), tmp_path)
    text = by_id(root, "aw-gaps").findtext("questiontext/text")
    codes = re.findall(r"\{\d+:[A-Z_]+:(.*?)(?<!\\)\}", text)
    # Moodle splits on ~ # } first, then decodes entities: nothing may split an answer.
    first = codes[0].lstrip("=")
    assert not re.search(r"(?<![\\&])[~#}]", first)
    assert html.unescape(first) == "x}#~y"
    assert codes[1] == "=3.5:0.5"
    options = codes[2].split("~")
    assert [html.unescape(html.unescape(o.lstrip("="))) for o in options] == ["<p>", "&amp;", "a~b"]
    assert [o.startswith("=") for o in options] == [False, False, True]
    assert cloze_escape('}#~/"\\') == "&#125;&#35;&#126;&#47;&#34;&#92;"


def test_golden_file_for_the_starter_course(run, course, tmp_path):
    build(run, course, tmp_path)
    written = next((tmp_path / "out" / "moodle-xml").glob("*.xml"))
    check_golden("moodle-xml", {written.name: written.read_bytes()})


def test_core_types_only_turns_ordering_into_matching_and_says_so(run, course, tmp_path):
    settings = course / "course.yaml"
    settings.write_text(settings.read_text() + "moodle:\n  core_types_only: true\n")
    result = run("build", str(course), "-f", "moodle-xml", "-v", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert ("quizzes/writing-questions.yaml:101:5: warning: question 'wq-ordering' (ordering): "
            "exported as a matching question") in result.stderr
    root = etree.parse(str(next((tmp_path / "out" / "moodle-xml").glob("*.xml")))).getroot()
    ordering = by_id(root, "wq-ordering")
    assert ordering.get("type") == "matching"
    pairs = [(s.findtext("text"), s.findtext("answer/text")) for s in ordering.findall("subquestion")]
    assert [answer for _, answer in pairs] == ["1", "2", "3"]
    assert "Say whether the answer is right" in pairs[0][0]
    assert root.xpath("question[@type='ordering']") == []
