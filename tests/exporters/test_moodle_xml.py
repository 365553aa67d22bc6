"""Moodle XML: each type checked element by element, awkward text, images, golden file."""

from __future__ import annotations

import base64
import html
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from string import Template
from xml.etree import ElementTree
from xml.parsers import expat

import pytest
from lxml import etree
from quizbank_helpers import AWKWARD, awkward_course, check_golden

from coursepack.exporters._quizbank import (
    decimal,
    exact,
    number,
    numeric_bounds,
    numeric_target,
    percent,
)
from coursepack.exporters.moodle_xml import cdata
from coursepack.exporters.moodle_xml.questions import cloze_answer, cloze_option
from coursepack.model import NumericAnswer, Tolerance


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
    assert "{1:SHORTANSWER:=learning}" in cloze and "{1:NUMERICAL:=3:0}" in cloze
    assert "{1:MULTICHOICE_S:=not~always~only}" in cloze  # the quiz shuffles options


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
    parts = cloze_parts(by_id(root, "aw-gaps").findtext("questiontext/text"))
    assert [kind for _, kind, _ in parts] == ["SHORTANSWER", "NUMERICAL", "MULTICHOICE_S"]
    (mark, pattern), = parts[0][2]
    assert mark == "=" and pattern == "x}#*y"  # the tilde became a wildcard (and a warning)
    assert wildcard_match(pattern, "x}#~y")
    assert parts[1][2] == [("=", "3.5:0.5")]
    options = parts[2][2]
    assert [shown(a) for _, a in options] == ["<p>", "&amp;", "a~b"]
    assert [mark for mark, _ in options] == ["", "", "="]
    assert cloze_option('}#~"\\') == '&\\#125;&\\#35;&\\#126;"&\\#92;'
    assert cloze_answer("=a}#&\\") == "%100%=a\\}\\#&amp;\\ "


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
    assert "qtype_ordering" not in result.stderr  # the setting is read, the note is not due
    root = etree.parse(str(next((tmp_path / "out" / "moodle-xml").glob("*.xml")))).getroot()
    ordering = by_id(root, "wq-ordering")
    assert ordering.get("type") == "matching"
    pairs = [(s.findtext("text"), s.findtext("answer/text")) for s in ordering.findall("subquestion")]
    assert [answer for _, answer in pairs] == ["1", "2", "3"]
    assert "Say whether the answer is right" in pairs[0][0]
    assert root.xpath("question[@type='ordering']") == []


# --- read back as Moodle reads it ------------------------------------------------------------
#
# Each helper below restates, in Python, a rule read in Moodle's source (for facts, not copied):
# core\xml_parser::characterdata keeps a piece of character data only if it is not blank;
# qtype_shortanswer::compare_string_with_wildcard splits on '*' not after a backslash;
# qtype_multianswer's ANSWER_REGEX splits a sub-question before decoding entities, then turns
# '\}' and '\#' back into '}' and '#'; format_string shows plain fields as HTML.

ODD_TITLE = 'Stars & "quotes" <ouvert> {x} ~ = # : \\ done'
ODD_ANSWERS = ["2*3", 'a & "b"', "<ouvert>", 'x{y}~z=#1:2 \\ "q"', "back\\*slash", "%50%off",
               "café مرحبا 🎉"]
ODD_MATCHES = ['<ouvert> & "b" {1} ~ = # : \\', "مرحبا 🎉 ~", "%50% x"]
ODD_SPARE = ["a & b <i>", "\\\\ two", "AT&amp;T"]
ODD_OPTIONS = ["=x", "%50%y", '<p> & "q"', "a\\}b#c"]
ODD_TEMPLATE = "Line <ouvert> & one\nLine two"

ODD_YAML = Template(r"""
title: "Odd: quiz"
module: writing-questions
settings:
  shuffle_options: false
questions:
  - id: odd-short
    type: short-answer
    title: '$title'
    stem: 'Say a & "b" — <ouvert> café مرحبا 🎉'
    answers: $answers
    case_sensitive: true
    points: 2
    feedback:
      correct: 'Right & "done".'
      incorrect: 'No: try *again* ~ #.'
      partial: 'Half.'
    hints: ['Think.']
  - id: odd-num
    type: numeric
    stem: Price?
    answer: 19.99
    tolerance_percent: 5
    unit: 'm & s'
    feedback: {correct: 'Yes.', incorrect: 'No.'}
  - id: odd-range
    type: numeric
    stem: Range?
    range: [-5.5, -1.25]
  - id: odd-tf
    type: true-false
    stem: True?
    answer: false
    feedback_true: FT
    feedback_false: FF
    feedback: {correct: RIGHT, incorrect: WRONG, partial: HALF}
  - id: odd-match
    type: matching
    stem: Match.
    pairs:
      - {prompt: 'A & B', match: '$m0'}
      - {prompt: 'C', match: '$m1'}
      - {prompt: 'D', match: '$m2'}
    distractors: $spare
  - id: odd-gaps
    type: fill-blanks
    stem: 'Gaps {1:SHORTANSWER:=x} a & "b".'
    points: 3
    text: 'A [[one]] B [[two]] C [[three]]'
    blanks:
      - {id: one, answers: ['2*3', 'a\}b#c']}
      - {id: two, type: numeric, answer: 0.1, tolerance: 0.05}
      - {id: three, type: dropdown, options: $options, answer: '<p> & "q"'}
  - id: odd-weights
    type: fill-blanks
    stem: Weights.
    points: 6
    text: 'A [[one]] B [[two]]'
    blanks:
      - {id: one, answers: [a], points: 0.5}
      - {id: two, answers: [b], points: 1}
  - id: odd-essay
    type: essay
    stem: Write.
    response_template: "$template"
    hints: [h]
""").substitute(

    title=ODD_TITLE.replace("'", "''"),
    answers="[" + ", ".join("'" + a.replace("'", "''") + "'" for a in ODD_ANSWERS) + "]",
    m0=ODD_MATCHES[0], m1=ODD_MATCHES[1], m2=ODD_MATCHES[2],
    spare="[" + ", ".join("'" + s + "'" for s in ODD_SPARE) + "]",
    options="[" + ", ".join("'" + o + "'" for o in ODD_OPTIONS) + "]",
    template=ODD_TEMPLATE.replace("\n", "\\n"),
)


def odd_course(course: Path) -> Path:
    (course / "quizzes" / "odd.yaml").write_text(ODD_YAML, encoding="utf-8")
    return course


def moodle_tree(data: bytes) -> ElementTree.Element:
    """The file as Moodle's XML import sees it: read 4096 bytes at a time by expat, each
    piece of character data kept only when it is not blank (as core\\xml_parser does)."""
    root = ElementTree.Element("document")
    stack = [root]
    parser = expat.ParserCreate("UTF-8")

    def start(name: str, attrs: dict[str, str]) -> None:
        stack.append(ElementTree.SubElement(stack[-1], name, attrs))

    def end(name: str) -> None:
        stack.pop()

    def characters(data: str) -> None:
        if data == "0" or data.strip():
            stack[-1].text = (stack[-1].text or "") + data

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = characters
    for at in range(0, len(data), 4096):
        parser.Parse(data[at:at + 4096], False)
    parser.Parse(b"", True)
    return root[0]


def moodle_by_id(root: ElementTree.Element, qid: str) -> ElementTree.Element:
    return next(q for q in root.findall("question") if q.findtext("idnumber") == qid)


def text_of(node: ElementTree.Element, path: str) -> str:
    """A text as qformat_xml's getpath gives it: trimmed."""
    return (node.findtext(path) or "").strip()


def shown(stored: str) -> str:
    """What Moodle shows of a plain field stored as HTML (format_string): tags out, entities in."""
    return html.unescape(re.sub(r"<[^>]*>", "", stored))


def wildcard_match(pattern: str, response: str, ignore_case: bool = False) -> bool:
    """Moodle's shortanswer matcher: '*' (not after a backslash) matches anything."""
    bits = [re.escape(b.replace("\\*", "*")) for b in re.split(r"(?<!\\)\*+", pattern)]
    return re.fullmatch(".*".join(bits), response.strip(), re.I if ignore_case else 0) is not None


_ALTERNATIVE = re.compile(r"~?(=|%(-?[0-9]+(?:[.,][0-9]*)?)%)?(.+?(?<!\\)(?=[~#}]|$))"
                          r"(#(.*?(?<!\\)(?=[~}]|$)))?", re.S)
_ONE = r"(?:=|%-?[0-9]+(?:[.,][0-9]*)?%)?.+?(?<!\\)(?=[~#}]|$)(?:#.*?(?<!\\)(?=[~}]|$))?"
_SUB_QUESTION = re.compile(r"\{([0-9]*):([A-Z_]+):(" + _ONE + "(?:~" + _ONE + r")*)\}", re.S)


def cloze_parts(text: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Each sub-question as (weight, type, [(fraction mark, decoded answer)]), in order."""
    parts = []
    for weight, kind, alternatives in _SUB_QUESTION.findall(text):
        answers = []
        for alt in _ALTERNATIVE.finditer(alternatives):
            decoded = html.unescape(alt.group(3)).replace("\\}", "}").replace("\\#", "#")
            answers.append((alt.group(1) or "", decoded))
        parts.append((weight, kind, answers))
    return parts


def test_moodle_keeps_the_space_between_two_escaped_characters(run, course, tmp_path):
    # As an expat-read, blank-dropping parser sees it, the old way of writing loses it.
    assert moodle_tree(b'<a><text>a &amp; &#34;b&#34;</text></a>').findtext("text") == 'a &"b"'
    build(run, odd_course(course), tmp_path)
    data = next((tmp_path / "out" / "moodle-xml").glob("*.xml")).read_bytes()
    root = moodle_tree(data)
    short = moodle_by_id(root, "odd-short")
    assert shown(text_of(short, "name/text")) == ODD_TITLE
    assert 'Say a &amp; "b" — ' in text_of(short, "questiontext/text")
    assert shown(text_of(short, "questiontext/text")) == 'Say a & "b" — <ouvert> café مرحبا 🎉'
    # the same text as lxml reads it (CDATA everywhere, nothing illegal)
    assert etree.fromstring(data).xpath("question[idnumber='odd-short']/name/text/text()") == [
        ODD_TITLE.replace("<", "&lt;").replace(">", "&gt;")]  # a bare & stays as typed


def test_short_answers_match_literally_and_the_catch_all_stays_a_wildcard(run, course, tmp_path):
    build(run, odd_course(course), tmp_path)
    data = next((tmp_path / "out" / "moodle-xml").glob("*.xml")).read_bytes()
    short = moodle_by_id(moodle_tree(data), "odd-short")
    assert text_of(short, "usecase") == "1" and text_of(short, "defaultgrade") == "2"
    answers = [(a.get("fraction"), text_of(a, "text")) for a in short.findall("answer")]
    patterns = [text for fraction, text in answers if fraction == "100"]
    assert patterns[0] == "2\\*3" and patterns[4] == "back\\\\*slash"
    for pattern, answer in zip(patterns, ODD_ANSWERS, strict=True):
        assert wildcard_match(pattern, answer), (pattern, answer)
    assert not any(wildcard_match(p, "2 times 3") for p in patterns)
    assert not wildcard_match(patterns[4], "back-anything-slash")
    assert answers[-1] == ("0", "*") and wildcard_match("*", "anything at all")
    wrong = short.findall("answer")[-1]
    assert shown(text_of(wrong, "feedback/text")) == "No: try again ~ #."
    assert [shown(text_of(h, "text")) for h in short.findall("hint")] == ["Think."]


def test_numbers_are_the_shortest_exact_decimals(run, course, tmp_path):
    root = build(run, odd_course(course), tmp_path)
    numeric = by_id(root, "odd-num")
    assert numeric.xpath("answer[@fraction='100']/text/text()") == ["19.99"]
    assert numeric.xpath("answer[@fraction='100']/tolerance/text()") == ["0.9995"]
    assert numeric.xpath("answer[@fraction='0']/text/text()") == ["*"]
    assert numeric.findtext("units/unit/unit_name") == "m & s"
    ranged = by_id(root, "odd-range")
    assert ranged.xpath("answer/text/text()") == ["-3.375"]
    assert ranged.xpath("answer/tolerance/text()") == ["2.125"]


def test_plain_fields_and_true_false_feedback_read_back(run, course, tmp_path):
    build(run, odd_course(course), tmp_path)
    data = next((tmp_path / "out" / "moodle-xml").glob("*.xml")).read_bytes()
    root = moodle_tree(data)
    matching = moodle_by_id(root, "odd-match")
    assert text_of(matching, "shuffleanswers") == "0"  # the quiz's shuffle_options: false
    subs = matching.findall("subquestion")
    assert [shown(text_of(s, "answer/text")) for s in subs] == ODD_MATCHES + ODD_SPARE
    tf = moodle_by_id(root, "odd-tf")
    feedback = {text_of(a, "text"): (a.get("fraction"), shown(text_of(a, "feedback/text")))
                for a in tf.findall("answer")}
    assert feedback == {"true": ("0", "FT WRONG"), "false": ("100", "FF RIGHT")}
    essay = moodle_by_id(root, "odd-essay")
    assert essay.find("responsetemplate").get("format") == "html"
    template = text_of(essay, "responsetemplate/text")
    assert html.unescape(template.replace("<br>", "\n")) == ODD_TEMPLATE


def test_cloze_reads_back_as_moodle_parses_it(run, course, tmp_path):
    build(run, odd_course(course), tmp_path)
    data = next((tmp_path / "out" / "moodle-xml").glob("*.xml")).read_bytes()
    text = text_of(moodle_by_id(moodle_tree(data), "odd-gaps"), "questiontext/text")
    parts = cloze_parts(text)
    assert [(w, k) for w, k, _ in parts] == [("1", "SHORTANSWER"), ("1", "NUMERICAL"),
                                             ("1", "MULTICHOICE")]  # no sub-question in the stem
    short = parts[0][2]
    assert [mark for mark, _ in short] == ["=", "="]
    assert [a for _, a in short] == ["2\\*3", "a\\}b#c"]
    assert wildcard_match(short[0][1], "2*3") and not wildcard_match(short[0][1], "2x3")
    assert parts[1][2] == [("=", "0.1:0.05")]
    options = parts[2][2]
    assert [shown(a) for _, a in options] == ODD_OPTIONS
    assert [mark for mark, _ in options] == ["", "", "=", ""]
    assert '<p>Gaps &#123;1:SHORTANSWER:=x} a &amp; "b".</p>' in text


def test_cloze_keeps_the_question_mark_in_whole_weights(run, course, tmp_path):
    build(run, odd_course(course), tmp_path)
    data = next((tmp_path / "out" / "moodle-xml").glob("*.xml")).read_bytes()
    root = moodle_tree(data)
    weighted = text_of(moodle_by_id(root, "odd-weights"), "questiontext/text")
    assert [w for w, _, _ in cloze_parts(weighted)] == ["2", "4"]  # points 0.5 and 1 of 6
    gaps = [w for w, _, _ in cloze_parts(text_of(moodle_by_id(root, "odd-gaps"),
                                                  "questiontext/text"))]
    assert sum(int(w) for w in gaps) == 3 == int(text_of(moodle_by_id(root, "odd-gaps"),
                                                          "defaultgrade"))


# --- numbers and pre-flight --------------------------------------------------------------------


def numeric(mode: Tolerance, **values: float) -> NumericAnswer:
    return NumericAnswer(mode=mode, **values)


def test_number_is_the_shortest_plain_decimal():
    assert [number(v) for v in (4.0, 0.25, -1.5, 1e-05, -0.0, 0.1 + 0.2, 1e22)] == [
        "4", "0.25", "-1.5", "0.00001", "0", "0.3", "10000000000000000000000"]
    assert number(123456789012345678.0) == "123456789012345680"  # whole: exact, never 1.2e+17
    assert number(1e-300) == "0." + "0" * 299 + "1"
    assert number(Fraction(-3, 8)) == "-0.375" and number(Decimal("2.50")) == "2.5"
    assert number(7) == "7" and number(Decimal("1E+3")) == "1000"
    with pytest.raises(ValueError):
        number(Fraction(1, 3))  # no finite decimal: never rounded silently
    with pytest.raises(ValueError):
        number(float("inf"))


def test_exact_reads_floats_as_the_author_wrote_them():
    assert exact(0.1) == Fraction(1, 10) and exact(19.99) == Fraction(1999, 100)
    assert exact(-2) == -2 and decimal(Fraction(1, 8)) == Decimal("0.125")


@pytest.mark.parametrize(("answer", "centre", "margin", "low", "high"), [
    (numeric(Tolerance.PERCENT, value=19.99, tolerance=5), "19.99", "0.9995", "18.9905", "20.9895"),
    (numeric(Tolerance.RANGE, low=0.1, high=0.3), "0.2", "0.1", "0.1", "0.3"),
    (numeric(Tolerance.ABSOLUTE, value=0.3, tolerance=0.1), "0.3", "0.1", "0.2", "0.4"),
    (numeric(Tolerance.RANGE, low=-5.5, high=-1.25), "-3.375", "2.125", "-5.5", "-1.25"),
    (numeric(Tolerance.PERCENT, value=-40, tolerance=2.5), "-40", "1", "-41", "-39"),
    (numeric(Tolerance.EXACT, value=1e-7), "0.0000001", "0", "0.0000001", "0.0000001"),
    (numeric(Tolerance.ABSOLUTE, value=6.02e23, tolerance=1e20), "602000000000000000000000",
     "100000000000000000000", "601900000000000000000000", "602100000000000000000000"),
])
def test_numeric_answers_are_computed_exactly(answer, centre, margin, low, high):
    assert [number(v) for v in numeric_target(answer)] == [centre, margin]
    assert [number(v) for v in numeric_bounds(answer)] == [low, high]


def test_numeric_range_of_huge_and_tiny_ends_is_exact():
    centre, margin = numeric_target(numeric(Tolerance.RANGE, low=1e-300, high=1e300))
    assert centre + margin == Fraction(10) ** 300 and centre - margin == Fraction(1, 10**300)
    assert "e" not in number(centre).lower() and len(number(centre)) == 602


def test_percent_has_moodle_s_five_decimals():
    assert [percent(f) for f in (1 / 3, -1 / 3, 0.5, 1, 0, -0.0, 1 / 7, 1 / 6, -1.0)] == [
        "33.33333", "-33.33333", "50", "100", "0", "0", "14.28571", "16.66667", "-100"]


def test_cdata_keeps_text_exact_and_legal():
    assert str(cdata("")) == ""
    text = 'a & "b" ]]> <ouvert>\x01\ufffe end'
    root = etree.fromstring(f"<t>{cdata(text)}</t>".encode())
    assert root.text == 'a & "b" ]]> <ouvert> end'


def test_pre_keeps_its_lines_and_other_breaks_become_spaces(run, course, tmp_path):
    (course / "quizzes" / "code.yaml").write_text(
        "title: Code\nmodule: writing-questions\nquestions:\n  - id: code-q\n    type: essay\n"
        "    stem: \"Read\\nthis:\\n\\n```\\nline 1\\nline 2\\n```\\n\"\n", encoding="utf-8")
    build(run, course, tmp_path)
    data = next((tmp_path / "out" / "moodle-xml").glob("*.xml")).read_bytes()
    stem = text_of(moodle_by_id(moodle_tree(data), "code-q"), "questiontext/text")
    assert stem == "<p>Read this:</p> <pre><code>line 1&#10;line 2&#10;</code></pre>"


MANY = "\n".join(f"      - {{text: 'Option {n}', correct: true}}" for n in range(11))


def test_check_names_what_moodle_xml_changes_or_drops(run, course):
    odd_course(course)
    (course / "quizzes" / "more.yaml").write_text(
        "title: More\nmodule: writing-questions\nquestions:\n"
        "  - id: many\n    type: multiple\n    stem: Eleven.\n    choices:\n" + MANY + "\n"
        "      - {text: Wrong}\n"
        "  - id: thirds\n    type: fill-blanks\n    stem: Thirds.\n    text: '[[a]] [[b]] [[c]]'\n"
        "    blanks:\n      - {id: a, answers: ['x ~ y']}\n      - {id: b, answers: [y]}\n"
        "      - {id: c, answers: [z]}\n    feedback: {correct: Yes}\n", encoding="utf-8")
    result = run("check", str(course), "--target", "moodle")
    out = " ".join(result.output.split())
    for expected in (
        "'odd-short' (short-answer): Moodle's short-answer question keeps no partial feedback; "
        "left out",
        "'odd-tf' (true-false): Moodle's true/false question keeps no partial feedback; left out",
        "'odd-essay' (essay): Moodle's essay question keeps no hints; left out",
        "'many' (multiple): its 11 correct options share the marks as 9.09091%, which is not "
        "one of Moodle's grade steps (100%, 50%, 33.33333% ... 10%, 5%); Moodle's XML import "
        "stops at this question unless 'Match grades' is set to 'Nearest grade if not in list'",
        "'thirds' (fill-blanks): Moodle makes an embedded-answers (cloze) question worth the sum "
        "of its gaps' whole-number weights: the gaps are weighted 1, 1, 1 in proportion to their "
        "points, so Moodle gives the question 3 marks, not 1",
        "'thirds' (fill-blanks): blank 'a': a cloze short answer cannot hold a tilde (~); Moodle "
        "gets a wildcard (*) in its place, which also accepts other text there",
        "'thirds' (fill-blanks): Moodle's embedded-answers (cloze) question keeps no correct "
        "feedback; left out",
    ):
        assert expected in out, expected
    for silent in ("'odd-gaps'", "'odd-weights'", "'odd-num'", "'odd-match'", "'odd-range'"):
        assert silent not in out, silent


def test_category_names_read_in_moodle_as_the_titles_are_written(run, course, tmp_path):
    """Moodle shows a category's name through format_string, which strips tags: a title's
    angle brackets go as entities, a slash is doubled so that it does not start a level."""
    course_yaml = course / "course.yaml"
    course_yaml.write_text(course_yaml.read_text().replace(
        "title: Writing Good Quiz Questions", "title: 'Écrire <ouvert> : a/b & c'"))
    root = build(run, course, tmp_path)
    (path,) = root.xpath("question[@type='category']/category/text/text()")
    assert path.startswith("$course$/top/Écrire &lt;ouvert&gt; : a//b & c/")
    gift = run("build", str(course), "-f", "gift", "--out", str(tmp_path / "g"))
    assert gift.exit_code == 0
    text = next((tmp_path / "g" / "gift").glob("*.txt")).read_text(encoding="utf-8")
    assert "$CATEGORY: $course$/top/Écrire &lt;ouvert&gt; : a//b & c/" in text
