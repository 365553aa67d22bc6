"""QTI 1.2 (Canvas): every document validates against the official XSDs; types, points, feedback.

The response processing written for each question is run by a small reader of the QTI 1.2
subset coursepack writes (``evaluate``: respcondition order, ``continue``, Set/Add, the
decvar's bounds) and must score sample responses as ``coursepack.grading`` does.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from lxml import etree
from quizbank_helpers import AWKWARD, assert_valid, awkward_course, check_golden, schema, unzip

from coursepack import grading
from coursepack.exporters.qti12 import question_problems
from coursepack.exporters.qti12.names import Idents, amount, clean, fold, has_illegal
from coursepack.loader import load_course
from coursepack.model import Question

Q = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
PLAIN = "<ouvert> & \"quotes\" 'single' *stars* {braces} مرحبا 🎉 élève"
"""A plain-text field must come out exactly as written (never read as Markdown or HTML)."""

SCORING_YAML = r"""
title: "Scoring & <checks>"
module: writing-questions
settings:
  shuffle_options: false
questions:
  - id: sc-partial
    type: multiple
    stem: Three right, one wrong, negative marking.
    points: 3
    negative_marking: true
    choices:
      - {text: A, correct: true, feedback: "Yes, A."}
      - {text: B, correct: true}
      - {text: C, correct: true}
      - {text: D, feedback: "No, D."}
    feedback:
      general: General words.
      correct: All right.
      partial: Partly right.
      incorrect: Not right.
    hints: [First hint., "Second *hint*."]
  - id: sc-gentle
    type: multiple
    stem: Partial, no negative marking.
    points: 2
    choices:
      - {text: A, correct: true}
      - {text: B, correct: true}
      - {text: C}
      - {text: D}
      - {text: E}
  - id: sc-strict
    type: multiple
    stem: All or nothing.
    scoring: all-or-nothing
    choices:
      - {text: A, correct: true}
      - {text: B, correct: true}
      - {text: C}
  - id: sc-single
    type: single
    stem: One right.
    choices:
      - {text: A}
      - {text: B, correct: true, feedback: Right.}
  - id: sc-tf
    type: true-false
    stem: True?
    answer: true
    feedback_true: You said true.
    feedback_false: You said false.
  - id: sc-short
    type: short-answer
    stem: Case matters.
    case_sensitive: true
    answers: ["NaCl", "<ouvert> & \"quotes\" 'single' *stars* {braces} مرحبا 🎉 élève"]
  - id: sc-number
    type: numeric
    stem: About 19.99, give or take 5%.
    answer: 19.99
    tolerance_percent: 5
    unit: kg
  - id: sc-tiny
    type: numeric
    stem: Tiny.
    answer: 0.00001
  - id: sc-match
    type: matching
    stem: Match.
    points: 3
    pairs:
      - {prompt: One, match: "<ouvert> & \"quotes\" 'single' *stars* {braces} مرحبا 🎉 élève"}
      - {prompt: Two, match: "2 & 2"}
      - {prompt: Three, match: "*three*"}
    distractors: ["{spare}"]
  - id: sc-order
    type: ordering
    stem: Order.
    points: 4
    items: [first, second, third, fourth]
  - id: sc-blanks
    type: fill-blanks
    stem: Blanks.
    points: 6
    text: "T [[word]] N [[near]] P [[pct]] R [[span]] E [[exact]] D [[pick]]"
    blanks:
      - {id: word, answers: ["Paris", "<ouvert> & \"quotes\" 'single' *stars* {braces} مرحبا 🎉 élève"], case_sensitive: true, points: 2}
      - {id: near, type: numeric, answer: 3.5, tolerance: 0.5}
      - {id: pct, type: numeric, answer: 200, tolerance_percent: 5}
      - {id: span, type: numeric, range: [1.5, 2.5]}
      - {id: exact, type: numeric, answer: 0.1}
      - {id: pick, type: dropdown, options: ["<p>", "&amp;", "a~b"], answer: "&amp;", points: 0.5}
  - id: sc-drops
    type: fill-blanks
    stem: Drop-downs only.
    text: "[[one]] and [[two]]"
    blanks:
      - {id: one, type: dropdown, options: [x, y], answer: y}
      - {id: two, type: dropdown, options: [p, q, r], answer: p, points: 3}
  - id: sc-essay
    type: essay
    stem: Write.
    points: 2
    grader_notes: Look for one idea.
    response_template: "<ouvert> & \"quotes\" 'single' *stars* {braces} مرحبا 🎉 élève"
    min_words: 5
    max_words: 60
    feedback:
      general: Thanks.
  - id: wq_multiple_2
    type: single
    stem: Same name as the next one but for case and punctuation.
    title: "<ouvert> & \"quotes\" 'single' *stars* {braces} مرحبا 🎉 élève"
    choices: [{text: A, correct: true}, {text: B}]
  - id: wq-multiple-3
    type: single
    stem: Ditto.
    choices: [{text: A, correct: true}, {text: B}]
"""

CASES: dict[str, list[list[str]]] = {
    "sc-partial": [["a", "b", "c"], ["a"], ["a", "d"], ["a", "b", "d"], ["d"], [], ["a", "b"]],
    "sc-gentle": [["a", "b"], ["a"], ["a", "c", "d"], ["c"]],
    "sc-strict": [["a", "b"], ["a"], ["a", "b", "c"]],
    "sc-single": [["b"], ["a"], []],
    "sc-tf": [["true"], ["false"]],
    "sc-short": [["NaCl"], ["nacl"], [PLAIN], ["x"]],
    "sc-number": [["19.99"], ["18.9905"], ["20.9895"], ["18.99"], ["21"], ["abc"]],
    "sc-tiny": [["0.00001"], ["0.0001"]],
    "sc-match": [["p1.m1", "p2.m2", "p3.m3"], ["p1.m1", "p2.m4", "p3.m2"], ["p1.m4"]],
    "sc-order": [["i1", "i2", "i3", "i4"], ["i2", "i1", "i3", "i4"], ["i4", "i3", "i2", "i1"],
                 ["i1", "i3", "i2", "i4"]],
    "sc-blanks": [["Paris", "3.5", "200", "2", "0.1", "&amp;"],
                  ["paris", "3.5", "200", "2", "0.1", "&amp;"],
                  [PLAIN, "9", "200", "2", "0.1", "<p>"],
                  ["x", "x", "x", "x", "x", "&amp;"],
                  ["Paris", "3,5", "x", "x", "0,1", "a~b"], []],
    "sc-drops": [["y", "p"], ["x", "p"], ["y", "q"], ["x", "r"]],
}
"""Responses per question, as grading.py's tokens; each is scored by both and compared."""


def scoring_course(course: Path) -> Path:
    """The starter course plus a quiz of every scoring rule and awkward names and texts."""
    (course / "quizzes" / "scoring.yaml").write_text(SCORING_YAML, encoding="utf-8")
    return course


def loaded(course: Path) -> dict[str, Question]:
    model, _ = load_course(course)
    return {q.id: q for _, q in model.questions()}


def build(run, course: Path, tmp_path: Path) -> dict[str, bytes]:
    result = run("build", str(course), "-f", "qti12", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    return unzip(next((tmp_path / "out" / "qti12").glob("*.zip")))


def validated(files: dict[str, bytes]) -> dict[str, etree._Element]:
    qti = schema("qti12", "domainProfile_4", "ims_qtiasiv1p2.xsd")
    cp = schema("qti21", "imscp_v1p1.xsd")
    manifest = assert_valid(cp, files["imsmanifest.xml"], "imsmanifest.xml")
    ids = manifest.xpath("//*[local-name()='resource']/@identifier")
    assert len({fold(i) for i in ids}) == len(ids), "manifest identifiers collide"
    docs = {}
    for name, data in files.items():
        if name.endswith(".xml") and name != "imsmanifest.xml" and "assessment_meta" not in name:
            docs[name] = assert_valid(qti, data, name)
        elif name.endswith("assessment_meta.xml"):
            etree.fromstring(data)  # well-formed
    return docs


def items(doc: etree._Element) -> dict[str, etree._Element]:
    return {i.get("ident").split("-", 1)[1] if i.get("ident").startswith("writing") else
            i.get("ident"): i for i in doc.iterfind(".//q:item", Q)}


def by_question(doc: etree._Element) -> dict[str, etree._Element]:
    """Items by the question id they carry (Canvas's assessment_question_identifierref)."""
    return {meta(i, "assessment_question_identifierref"): i for i in doc.iterfind(".//q:item", Q)}


def meta(item: etree._Element, label: str) -> str:
    return item.xpath(f".//q:qtimetadatafield[q:fieldlabel='{label}']/q:fieldentry/text()",
                      namespaces=Q)[0]


def local(node: etree._Element) -> str:
    return etree.QName(node).localname


# --- a reader of the QTI 1.2 response processing coursepack writes -------------------------

Response = dict[str, str | set[str]]


def holds(node: etree._Element, response: Response, choices: set[str]) -> bool:
    """Whether a condition holds; ``choices`` are the response_lid idents (compared exactly)."""
    tag = local(node)
    if tag in ("conditionvar", "and"):
        return all(holds(c, response, choices) for c in node)
    if tag == "or":
        return any(holds(c, response, choices) for c in node)
    if tag == "not":
        return not holds(node[0], response, choices)
    if tag == "other":
        return True
    given = response.get(node.get("respident"))
    if given is None:
        return False
    if tag == "varequal":
        if isinstance(given, set):
            return node.text in given
        if node.get("respident") in choices or node.get("case") == "Yes":
            return given == node.text
        return given.casefold() == node.text.casefold()
    number = grading.parse_number(given) if isinstance(given, str) else None
    if number is None:
        return False
    bound = float(node.text)
    return {"vargte": number >= bound, "varlte": number <= bound}[tag]


def evaluate(item: etree._Element, response: Response) -> tuple[float, list[str]]:
    """SCORE (0..100) and the feedback shown, as a QTI 1.2 reader computes them."""
    choices = {r.get("ident") for r in item.iterfind(".//q:response_lid", Q)}
    score, shown = 0.0, []
    for cond in item.iterfind(".//q:respcondition", Q):
        if not holds(cond.find("q:conditionvar", Q), response, choices):
            continue
        for action in cond:
            if local(action) == "setvar":
                value = float(action.text)
                score = value if action.get("action") == "Set" else score + value
            elif local(action) == "displayfeedback":
                shown.append(action.get("linkrefid"))
        if cond.get("continue") == "No":
            break
    decvar = item.find(".//q:decvar", Q)
    score = min(float(decvar.get("maxvalue")), max(float(decvar.get("minvalue")), score))
    return score, shown


def response_of(q: Question, item: etree._Element, tokens: list[str]) -> Response:
    """grading.py's tokens as what a learner gives this item."""
    kind = meta(item, "question_type")
    letters = {"true": 0, "false": 1, **{c: i for i, c in enumerate("abcdefghij")}}
    if kind in ("multiple_choice_question", "true_false_question"):
        return {"response1": f"c{letters[tokens[0]]}"} if tokens else {}
    if kind == "multiple_answers_question":
        return {"response1": {f"c{letters[t]}" for t in tokens}}
    if kind in ("short_answer_question", "numerical_question"):
        return {"response1": tokens[0]}
    if kind == "matching_question" and q.id == "sc-order":
        return {f"response_{t[1:]}": f"m{place}" for place, t in enumerate(tokens, 1)}
    if kind == "matching_question":
        return {f"response_{p[1:]}": m for p, m in (t.split(".") for t in tokens)}
    return blank_response(item, tokens)


def blank_response(item: etree._Element, texts: list[str]) -> Response:
    """Each blank typed or chosen: the label whose text it is (none when no label matches)."""
    found: Response = {}
    blanks = item.xpath(".//q:response_lid", namespaces=Q)
    for blank, text in zip(blanks, texts + [""] * len(blanks), strict=False):
        for label in blank.iterfind(".//q:response_label", Q):
            if label.findtext(".//q:mattext", namespaces=Q) == text:
                found[blank.get("ident")] = label.get("ident")
    return found


# --- tests ---------------------------------------------------------------------------------


def test_package_validates_and_maps_each_type(run, course, tmp_path):
    files = build(run, course, tmp_path)
    docs = validated(files)
    assert sorted(docs) == ["final/final.xml", "writing-questions/writing-questions.xml"]
    quiz = items(docs["writing-questions/writing-questions.xml"])
    kinds = {k.removeprefix("questions-"): meta(v, "question_type") for k, v in quiz.items()}
    assert kinds == {"wq-intro": "text_only_question", "wq-single": "multiple_choice_question",
                     "wq-multiple": "multiple_answers_question",
                     "wq-true-false": "true_false_question", "wq-short": "short_answer_question",
                     "wq-numeric": "numerical_question", "wq-matching": "matching_question",
                     "wq-ordering": "matching_question",
                     "wq-blanks": "fill_in_multiple_blanks_question", "wq-essay": "essay_question"}
    points = {k.removeprefix("questions-"): meta(v, "points_possible") for k, v in quiz.items()}
    assert points["wq-multiple"] == "2" and points["wq-essay"] == "3"


def test_pools_become_question_groups_and_feedback_is_linked(run, course, tmp_path):
    docs = validated(build(run, course, tmp_path))
    final = docs["final/final.xml"]
    group = final.find(".//q:section/q:section", Q)
    assert group.findtext(".//q:selection_number", namespaces=Q) == "4"
    assert group.findtext(".//q:points_per_item", namespaces=Q) == "1"
    quiz = docs["writing-questions/writing-questions.xml"]
    single = quiz.xpath(".//q:item[contains(@ident, 'wq-single')]", namespaces=Q)[0]
    links = set(single.xpath(".//q:displayfeedback/@linkrefid", namespaces=Q))
    idents = set(single.xpath("q:itemfeedback/@ident", namespaces=Q))
    assert links == idents and "general_fb" in idents


def test_awkward_text_survives(run, course, tmp_path):
    files = build(run, awkward_course(course), tmp_path)
    docs = validated(files)
    doc = docs["awkward/awkward.xml"]
    texts = [html.unescape(t) for t in doc.xpath(".//q:mattext/text()", namespaces=Q)]
    assert sum(AWKWARD in t for t in texts) >= 3
    short = doc.xpath(".//q:item[contains(@ident,'aw-short')]//q:varequal/text()", namespaces=Q)
    assert short == ['x{y}~z=#1:2 \\ "q"']
    assert any(name.startswith("web_resources/") for name in files)


def test_every_scoring_rule_scores_as_grading_does(run, course, tmp_path):
    """Each sample response: the item's SCORE x points / 100 is grading.py's score."""
    files = build(run, scoring_course(course), tmp_path)
    doc = validated(files)["scoring/scoring.xml"]
    found = by_question(doc)
    questions = loaded(course)
    for qid, responses in CASES.items():
        q, item = questions[qid], found[qid]
        for tokens in responses:
            expected, _ = grading.grade(q, tokens)
            percent, _ = evaluate(item, response_of(q, item, tokens))
            assert percent * q.points / 100 == pytest.approx(expected, abs=1e-9), (qid, tokens)
    blanks, item = questions["sc-blanks"], found["sc-blanks"]
    inside = ["Paris", "3.2", "200", "2", "0.1", "&amp;"]  # 3.2 is within 3.5 +- 0.5
    expected, _ = grading.grade(blanks, inside)
    percent, _ = evaluate(item, response_of(blanks, item, inside))
    lost = blanks.points * 1 / 6.5  # the one blank Canvas's flavour takes as text, as warned
    assert percent * blanks.points / 100 == pytest.approx(expected - lost, abs=1e-9)


def test_numeric_blanks_score_their_value_and_nothing_else(run, course, tmp_path):
    """A numeric blank accepts its value (and the same with a decimal comma) and is scored."""
    doc = validated(build(run, scoring_course(course), tmp_path))["scoring/scoring.xml"]
    item = by_question(doc)["sc-blanks"]
    accepted = {blank.get("ident"): [m for m in blank.xpath(".//q:mattext/text()", namespaces=Q)]
                for blank in item.iterfind(".//q:response_lid", Q)}
    assert accepted["response_near"] == ["near", "3.5", "3,5"]
    assert accepted["response_pct"] == ["pct", "200"]
    assert accepted["response_span"] == ["span", "2"]
    assert accepted["response_exact"] == ["exact", "0.1", "0,1"]
    for blank, weight in (("near", 1), ("pct", 1), ("span", 1), ("exact", 1)):
        right = evaluate(item, {f"response_{blank}": f"{blank}_0"})[0]
        wrong = evaluate(item, {f"response_{blank}": "other"})[0]
        assert right == pytest.approx(100 * weight / 6.5) and wrong == 0, blank


def test_canvas_reads_each_key_as_its_importer_expects(run, course, tmp_path):
    """Shapes read from Canvas's QTI converter and importer (see the qti12 module docstring)."""
    doc = validated(build(run, scoring_course(course), tmp_path))["scoring/scoring.xml"]
    found = by_question(doc)
    partial = found["sc-partial"]
    full = [c for c in partial.iterfind(".//q:respcondition", Q)
            if c.findtext("q:setvar[@action='Set']", namespaces=Q) == "100"]
    assert len(full) == 1 and full[0].get("continue") == "No"
    key = full[0].find("q:conditionvar/q:and", Q)
    assert [local(c) for c in key] == ["varequal"] * 3 + ["not"]
    for qid in ("sc-match", "sc-drops"):  # one Add per prompt or blank, one test each
        adds = found[qid].xpath(".//q:respcondition[q:setvar/@action='Add']", namespaces=Q)
        assert adds and all(len(a.find("q:conditionvar", Q)) == 1 for a in adds)
    blanks = found["sc-blanks"]
    assert not blanks.xpath(".//q:response_str | .//q:response_num", namespaces=Q), \
        "a typed blank is a response_lid: anything else sends Canvas down its D2L path"
    assert set(blanks.xpath(".//q:response_label//q:mattext/@texttype", namespaces=Q)) == \
        {"text/plain"}


def test_shuffle_follows_the_quiz(run, course, tmp_path):
    docs = validated(build(run, scoring_course(course), tmp_path))
    fixed = by_question(docs["scoring/scoring.xml"])
    shuffled = {k.removeprefix("questions-"): v
                for k, v in items(docs["writing-questions/writing-questions.xml"]).items()}
    assert fixed["sc-partial"].find(".//q:render_choice", Q).get("shuffle") == "No"
    assert shuffled["wq-multiple"].find(".//q:render_choice", Q).get("shuffle") == "Yes"
    assert shuffled["wq-true-false"].find(".//q:render_choice", Q).get("shuffle") == "No"
    places = shuffled["wq-ordering"].xpath(".//q:render_choice/@shuffle", namespaces=Q)
    assert set(places) == {"No"}, "positions keep their order"
    order = [r.get("ident") for r in shuffled["wq-ordering"].iterfind(".//q:response_lid", Q)]
    assert order != sorted(order), "items are never shown in their answer order"


def test_every_feedback_kind_is_carried(run, course, tmp_path):
    doc = validated(build(run, scoring_course(course), tmp_path))["scoring/scoring.xml"]
    found = by_question(doc)
    partial = found["sc-partial"]
    idents = partial.xpath("q:itemfeedback/@ident", namespaces=Q)
    assert set(idents) == {"general_fb", "correct_fb", "partial_fb", "general_incorrect_fb",
                           "hint_fb", "c0_fb", "c3_fb"}
    hints = partial.xpath("q:itemfeedback[@ident='hint_fb']/q:hint/q:hintmaterial//q:mattext",
                          namespaces=Q)
    assert [h.text for h in hints] == ["<p>First hint.</p>", "<p>Second <em>hint</em>.</p>"]
    assert evaluate(partial, {"response1": {"c0", "c1", "c2"}}) == (
        100, ["general_fb", "c0_fb", "correct_fb"])
    assert evaluate(partial, {"response1": {"c0"}})[1] == [
        "general_fb", "c0_fb", "partial_fb", "hint_fb"]
    assert evaluate(partial, {"response1": {"c3"}})[1] == [
        "general_fb", "c3_fb", "general_incorrect_fb", "hint_fb"]
    tf = found["sc-tf"]
    assert evaluate(tf, {"response1": "c1"})[1] == ["c1_fb"]
    essay = found["sc-essay"]
    assert essay.find("q:rubric", Q).get("view") == "Scorer"
    assert "Look for one idea." in essay.findtext("q:rubric//q:mattext", namespaces=Q)
    assert essay.xpath(".//q:presentation/q:material/q:mattext/text()", namespaces=Q)[-1] == \
        "Write between 5 and 60 words."


def test_plain_texts_survive_exactly(run, course, tmp_path):
    doc = validated(build(run, scoring_course(course), tmp_path))["scoring/scoring.xml"]
    found = by_question(doc)
    matches = found["sc-match"].xpath(".//q:response_lid[1]//q:response_label//q:mattext",
                                      namespaces=Q)
    assert [(m.get("texttype"), m.text) for m in matches] == [
        ("text/plain", PLAIN), ("text/plain", "2 & 2"), ("text/plain", "*three*"),
        ("text/plain", "{spare}")]
    assert PLAIN in found["sc-short"].xpath(".//q:varequal/text()", namespaces=Q)
    assert found["sc-short"].xpath(".//q:varequal/@case", namespaces=Q) == ["Yes", "Yes"]
    words = found["sc-blanks"].xpath(".//q:response_lid[1]//q:mattext/text()", namespaces=Q)
    assert words == ["word", "Paris", PLAIN]
    picks = found["sc-blanks"].xpath(".//q:response_lid[6]//q:mattext/text()", namespaces=Q)
    assert picks == ["pick", "&amp;"]
    assert doc.find(".//q:assessment", Q).get("title") == "Scoring & <checks>"
    titled = [i for i in doc.iterfind(".//q:item", Q) if i.get("title") == PLAIN]
    assert len(titled) == 1
    text = doc.xpath("string(.//q:item[@title=$t]//q:presentation//q:mattext)", t=PLAIN,
                     namespaces=Q)
    assert "Same name as the next one" in html.unescape(text)


def test_identifiers_are_unique_whatever_the_case(run, course, tmp_path):
    files = build(run, scoring_course(course), tmp_path)
    doc = validated(files)["scoring/scoring.xml"]
    idents = doc.xpath("//q:assessment/@ident | //q:section/@ident | //q:item/@ident",
                       namespaces=Q)
    names = [i for i in idents if i != "root_section"]
    assert len({fold(n) for n in names}) == len(names)
    refs = doc.xpath(".//q:qtimetadatafield[q:fieldlabel='assessment_question_identifierref']"
                     "/q:fieldentry/text()", namespaces=Q)
    assert len({fold(r) for r in refs}) == len(refs)
    ncname = re.compile(r"[A-Za-z_][\w.-]*")
    assert all(ncname.fullmatch(n) for n in names + refs)
    assert len({n.casefold() for n in files}) == len(files), "zip entries collide on Windows"
    assert {"wq_multiple_2", "wq-multiple-3"} <= set(refs)


def test_idents_never_collide_even_by_case_or_punctuation():
    names = Idents.of(["Wq.Multiple", "wq-multiple", "wq_multiple", "wq multiple", "plain",
                       "9lives", ""])
    made = [names[k] for k in ("Wq.Multiple", "wq-multiple", "wq_multiple", "wq multiple")]
    assert len({fold(n) for n in made}) == 4
    assert names["plain"] == "plain" and names["9lives"] == "id-9lives" and names[""] == "id-"
    again = Idents.of(["wq multiple", "wq_multiple", "wq-multiple", "Wq.Multiple"])
    assert [again[k] for k in ("Wq.Multiple", "wq-multiple")] == made[:2], "order-independent"


def test_numbers_are_shortest_exact_decimals(run, course, tmp_path):
    doc = validated(build(run, scoring_course(course), tmp_path))["scoring/scoring.xml"]
    found = by_question(doc)
    bounds = found["sc-number"].xpath(".//q:vargte/text() | .//q:varlte/text()", namespaces=Q)
    assert bounds == ["18.9905", "20.9895"]
    assert found["sc-tiny"].xpath(".//q:vargte/text()", namespaces=Q) == ["0.00001"]
    shares = doc.xpath(".//q:setvar/text()", namespaces=Q)
    assert all(re.fullmatch(r"-?\d+(\.\d{1,15})?", s) for s in shares), shares
    assert amount(0.1 + 0.2) == "0.3" and amount(1e-7) == "0.0000001" and amount(-0.0) == "0"
    unit = found["sc-number"].xpath(".//q:response_str/q:material/q:mattext/text()", namespaces=Q)
    assert unit == ["kg"]


def test_what_canvas_loses_is_reported_per_question(course):
    questions = loaded(scoring_course(course))
    said = {qid: [p.message for p in question_problems(q)] for qid, q in questions.items()}
    assert any("earns 1/3 of the points and each wrong one chosen costs 1/3, where the spec's "
               "negative marking costs 1/1" in m for m in said["sc-partial"])
    assert any("no negative marking" in m for m in said["sc-gentle"])
    assert any("all-or-nothing scoring is kept only by other QTI 1.2 readers" in m
               for m in said["sc-strict"])
    assert any("Canvas has no hints" in m for m in said["sc-partial"])
    assert any("Canvas has no partial-credit feedback" in m for m in said["sc-partial"])
    assert any("ignoring letter case" in m for m in said["sc-short"])
    blanks = " | ".join(said["sc-blanks"])
    assert "numeric blank 'near' accepts only its middle value, '3.5' or '3,5'" in blanks
    assert "the range 3 to 4 is lost" in blanks
    assert "numeric blank 'exact' accepts '0.1' or '0,1' typed as written" in blanks
    assert "blank 'word' is case-sensitive only in other QTI 1.2 readers" in blanks
    assert "drop-down blanks become typed blanks" in blanks
    assert "same share of the points" in blanks
    essay = " | ".join(said["sc-essay"])
    assert "rubric" in essay and "response template" in essay and "count words" in essay
    assert said["sc-tf"] == [] and said["sc-single"] == []


def test_package_is_reproducible(run, course, tmp_path):
    scoring_course(course)
    first = build(run, course, tmp_path / "one")
    second = build(run, course, tmp_path / "two")
    assert first == second


def test_golden_files_for_the_starter_course(run, course, tmp_path):
    files = build(run, course, tmp_path)
    check_golden("qti12", files)


def test_text_xml_cannot_hold_is_dropped_and_the_rest_kept():
    assert clean("a\x00b\x0bc\x1f\ud800\ufffe\tline\n" + PLAIN) == "abc\tline\n" + PLAIN
    assert has_illegal("bell\x07") and not has_illegal(PLAIN + "\t\r\n")


FIDELITY = Path(__file__).resolve().parents[1] / "fidelity" / "course"


def test_the_fidelity_course_builds_valid_items_canvas_can_read(run, tmp_path):
    """Every question type, feedback kind and image name of the fidelity course."""
    files = build(run, FIDELITY, tmp_path)
    docs = validated(files)
    assert docs and any(name.startswith("web_resources/") for name in files)
    for doc in docs.values():
        for item in doc.iterfind(".//q:item", Q):
            if meta(item, "question_type") == "fill_in_multiple_blanks_question":
                assert not item.xpath(".//q:response_str | .//q:response_num", namespaces=Q)
            links = set(item.xpath(".//q:displayfeedback/@linkrefid", namespaces=Q))
            assert links <= set(item.xpath("q:itemfeedback/@ident", namespaces=Q))
