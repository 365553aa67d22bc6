"""GIFT: the pinned gift-pegjs parses the file into the same questions; awkward text survives."""

from __future__ import annotations

import html
import json
import subprocess
from pathlib import Path
from string import Template

from quizbank_helpers import AWKWARD, REPO, awkward_course, check_golden

NODE = "/usr/bin/node"
SCRIPT = REPO / "tests" / "gift_parse.js"


def build(run, course: Path, tmp_path: Path) -> tuple[Path, str]:
    result = run("build", str(course), "-f", "gift", "-v", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    return next((tmp_path / "out" / "gift").glob("*.gift.txt")), result.output


def parse(path: Path) -> list[dict]:
    done = subprocess.run([NODE, str(SCRIPT), str(path)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_gift_parser_reads_every_question_gift_can_carry(run, course, tmp_path):
    path, output = build(run, course, tmp_path)
    parsed = parse(path)
    kinds = {q["title"]: q["type"] for q in parsed if q["type"] != "Category"}
    assert kinds == {"wq-intro": "Description", "wq-single": "MC", "wq-multiple": "MC",
                     "wq-true-false": "TF", "wq-short": "Short", "wq-numeric": "Numerical",
                     "wq-matching": "Matching", "wq-essay": "Essay"}
    assert [q["title"] for q in parsed if q["type"] == "Category"] == [
        "$course$/top/Writing Good Quiz Questions/Writing questions that teach"]
    # never silently: the two it cannot carry are named
    assert "'wq-ordering' (ordering): GIFT has no ordering question" in output
    assert "'wq-blanks' (fill-blanks): GIFT carries one gap per question" in output


def test_weights_feedback_and_ids(run, course, tmp_path):
    path, _ = build(run, course, tmp_path)
    parsed = {q["title"]: q for q in parse(path) if q["type"] != "Category"}
    assert [c["weight"] for c in parsed["wq-multiple"]["choices"]] == [50, 50, -50, -50]
    assert parsed["wq-true-false"]["isTrue"] is False
    assert parsed["wq-single"]["id"] == "wq-single"
    assert parsed["wq-matching"]["matchPairs"][-1]["subquestion"]["text"] == ""
    assert "[html]" in path.read_text(encoding="utf-8")


def test_awkward_text_survives(run, course, tmp_path):
    path, _ = build(run, awkward_course(course), tmp_path)
    parsed = {q["title"]: q for q in parse(path) if q["type"] != "Category"}
    assert AWKWARD in html.unescape(parsed["aw-single"]["stem"]["text"])
    assert AWKWARD in html.unescape(parsed["aw-single"]["choices"][0]["text"]["text"])
    assert parsed["aw-short"]["choices"][0]["text"]["text"] == 'x{y}~z=#1:2 \\ "q"'
    gap = parsed["2-gap"]
    assert gap["type"] == "Short" and gap["choices"][0]["text"]["text"] == 'a}b#c~d\\e"f/g'
    assert parsed["aw-matching"]["matchPairs"][1]["subanswer"] == "مرحبا 🎉"
    assert "aw-gaps" not in parsed and "aw-essay" in parsed


def test_golden_file_for_the_starter_course(run, course, tmp_path):
    path, _ = build(run, course, tmp_path)
    check_golden("gift", {path.name: path.read_bytes()})


# --- read back field by field ----------------------------------------------------------------

GIFT_TITLE = 'Stars & "quotes" <ouvert> {x} ~ = # : \\ done'
GIFT_ANSWERS = ["2*3", 'a & "b"', "<ouvert>", 'x{y}~z=#1:2 \\ "q"', "back\\*slash", "%50%off",
                "café مرحبا 🎉"]
GIFT_MATCHES = ['<ouvert> & "b" {1} ~ = # : \\', "مرحبا 🎉 ~", "%50% x"]
GIFT_SPARE = ["a & b <i>", "\\\\ two", "AT&amp;T"]
GIFT_OPTIONS = ["=x", "%50%y", '<p> & "q"', "a\\}b#c~d"]


def _listed(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


GIFT_YAML = Template(r"""
title: "Gift: quiz"
module: writing-questions
questions:
  - id: g-short
    type: short-answer
    title: $title
    stem: 'Say a & "b" — <ouvert> café مرحبا 🎉'
    answers: $answers
    case_sensitive: true
    points: 2
    feedback: {correct: 'Right & "done".', incorrect: 'No: try *again* ~ #.', partial: Half.}
    hints: [Think.]
  - id: g-num
    type: numeric
    stem: Price?
    answer: 19.99
    tolerance_percent: 5
    unit: 'm & s'
    feedback: {correct: 'Yes.', incorrect: 'No.'}
  - id: g-range
    type: numeric
    stem: Range?
    range: [-5.5, -1.25]
  - id: g-tf
    type: true-false
    stem: True?
    answer: false
    feedback_true: FT
    feedback_false: FF
    feedback: {correct: RIGHT, incorrect: WRONG}
  - id: g-single
    type: single
    stem: Pick.
    feedback: {correct: RIGHT, incorrect: WRONG}
    choices:
      - {text: One, correct: true, feedback: Own}
      - {text: Two}
  - id: g-match
    type: matching
    stem: Match.
    pairs:
      - {prompt: 'A & B', match: $m0}
      - {prompt: C, match: $m1}
      - {prompt: D, match: $m2}
    distractors: $spare
  - id: g-drop
    type: fill-blanks
    stem: One gap.
    text: 'A [[one]] end # ~'
    feedback: {correct: 'Yes', incorrect: 'No'}
    blanks:
      - {id: one, type: dropdown, options: $options, answer: '<p> & "q"'}
  - id: g-text
    type: fill-blanks
    stem: One text gap.
    text: 'A [[one]] end'
    feedback: {incorrect: 'No'}
    blanks:
      - {id: one, answers: ['2*3', 'a ~ b']}
  - id: g-essay
    type: essay
    stem: Write.
    min_words: 3
    hints: [h]
  - id: g-desc
    type: description
    stem: Read.
    feedback: {general: Seen.}
  - id: g-many
    type: multiple
    stem: Eleven.
    scoring: all-or-nothing
    choices: $many
""").substitute(

    title=_listed([GIFT_TITLE])[1:-1], answers=_listed(GIFT_ANSWERS),
    m0=_listed(GIFT_MATCHES[:1])[1:-1], m1=_listed(GIFT_MATCHES[1:2])[1:-1],
    m2=_listed(GIFT_MATCHES[2:])[1:-1], spare=_listed(GIFT_SPARE), options=_listed(GIFT_OPTIONS),
    many="[" + ", ".join(f"{{text: O{n}, correct: true}}" for n in range(11)) + ", {text: No}]")

_PLACEHOLDERS = {"&&092;": "\\", "&&058;": ":", "&&035;": "#", "&&061;": "=", "&&123;": "{",
                 "&&125;": "}", "&&126;": "~", "&&010": "\n"}


def shown(text: str) -> str:
    """A plain field Moodle stores as HTML, as it shows it: entities decoded."""
    return html.unescape(text)


def placeholders_out(text: str) -> str:
    """gift-pegjs leaves its escape placeholders in a matching answer; Moodle decodes them."""
    for placeholder, char in _PLACEHOLDERS.items():
        text = text.replace(placeholder, char)
    return text


def gift_questions(run, course: Path, tmp_path: Path) -> tuple[dict[str, dict], str]:
    (course / "quizzes" / "gift.yaml").write_text(GIFT_YAML, encoding="utf-8")
    path, _ = build(run, course, tmp_path)
    parsed = {q["id"]: q for q in parse(path) if q["type"] != "Category"}
    return parsed, path.read_text(encoding="utf-8")


def test_short_answers_keep_literal_stars_and_wrong_answer_feedback(run, course, tmp_path):
    parsed, text = gift_questions(run, course, tmp_path)
    short = parsed["g-short"]
    assert short["type"] == "Short" and shown(short["title"]) == GIFT_TITLE
    choices = short["choices"]
    # each answer reads back as Moodle's shortanswer pattern: its stars escaped, nothing else
    assert [c["text"]["text"] for c in choices[:-1]] == [a.replace("*", "\\*")
                                                         for a in GIFT_ANSWERS]
    assert [c["weight"] for c in choices[:-1]] == [None] * 5 + [100, None]
    assert {c["feedback"]["text"] for c in choices[:-1]} == {'<p>Right &amp; "done".</p>'}
    anything = choices[-1]
    assert (anything["text"]["text"], anything["weight"]) == ("*", 0)
    assert anything["feedback"]["text"] == "<p>No: try <em>again</em> ~ #.</p>"
    assert "=2\\\\*3#" in text  # GIFT's own escape of the backslash Moodle reads as \*


def test_numbers_true_false_and_single_choice_feedback(run, course, tmp_path):
    parsed, text = gift_questions(run, course, tmp_path)
    numeric = parsed["g-num"]["choices"]
    assert numeric[0]["text"] == {"type": "range", "number": 19.99, "range": 0.9995}
    assert numeric[0]["feedback"]["text"] == "<p>Yes.</p>"
    assert (numeric[1]["isCorrect"], numeric[1]["text"]["text"]) == (False, "*")
    assert numeric[1]["feedback"]["text"] == "<p>No.</p>"
    assert "=19.99:0.9995#" in text and "=-3.375:2.125" in text
    tf = parsed["g-tf"]
    assert tf["isTrue"] is False
    # GIFT's first feedback is for the wrong answer (true), the second for the right one
    assert tf["trueFeedback"]["text"] == "<p>FT</p>\n<p>WRONG</p>"
    assert tf["falseFeedback"]["text"] == "<p>FF</p>\n<p>RIGHT</p>"
    single = parsed["g-single"]["choices"]
    assert [c["feedback"]["text"] for c in single] == ["<p>Own</p>\n<p>RIGHT</p>", "<p>WRONG</p>"]


def test_plain_text_survives_in_matching_and_drop_downs(run, course, tmp_path):
    parsed, _ = gift_questions(run, course, tmp_path)
    pairs = parsed["g-match"]["matchPairs"]
    assert [shown(placeholders_out(p["subanswer"])) for p in pairs] == GIFT_MATCHES + GIFT_SPARE
    assert [p["subquestion"]["text"] for p in pairs] == ["A &amp; B", "C", "D", "", "", ""]
    drop = parsed["g-drop"]
    assert drop["type"] == "MC" and drop["hasEmbeddedAnswers"] is True
    choices = drop["choices"]
    assert [shown(c["text"]["text"]) for c in choices] == GIFT_OPTIONS
    assert [c["isCorrect"] for c in choices] == [False, False, True, False]
    assert [c["feedback"]["text"] for c in choices] == ["<p>No</p>", "<p>No</p>", "<p>Yes</p>",
                                                        "<p>No</p>"]
    gap = parsed["g-text"]
    assert [c["text"]["text"] for c in gap["choices"]] == ["2\\*3", "a ~ b", "*"]
    assert [c["weight"] for c in gap["choices"]] == [None, None, 0]


def test_check_names_what_gift_cannot_carry(run, course, tmp_path):
    (course / "quizzes" / "gift.yaml").write_text(GIFT_YAML, encoding="utf-8")
    result = run("check", str(course), "--target", "gift")
    out = " ".join(result.output.split())
    for expected in (
        "'g-short' (short-answer): GIFT has no way to give a question's marks; Moodle imports "
        "it worth 1 mark, not 2",
        "'g-short' (short-answer): GIFT cannot make a short answer case-sensitive; Moodle "
        "imports it ignoring case",
        "'g-short' (short-answer): GIFT has no place for this question's partial feedback and "
        "hints; left out",
        "'g-num' (numeric): GIFT has no units; the unit 'm & s' is left out and the answer is "
        "a bare number",
        "'g-essay' (essay): GIFT has no word limits; min_words and max_words are left out",
        "'g-essay' (essay): GIFT has no place for this question's hints; left out",
        "'g-desc' (description): GIFT has no place for this question's general feedback; "
        "left out",
        "'g-many' (multiple): Moodle gives partial credit for some of the right options; each "
        "wrong option is set to -100% so that it cancels the marks",
        "'g-many' (multiple): its 11 correct options share the marks as 9.09091%, which is not "
        "one of Moodle's grade steps (100%, 50%, 33.33333% ... 10%, 5%); Moodle's GIFT import "
        "stops at this question",
        "'g-single' (single): GIFT has no shuffle setting: the importing Moodle site, not the "
        "quiz's shuffle_options, decides whether the options are shuffled",
    ):
        assert expected in out, expected
    assert "'g-tf'" not in out and "'g-drop'" not in out
    single = [line for line in result.output.splitlines() if "'g-single'" in line]
    assert len(single) == 1, single  # the shuffle setting only
