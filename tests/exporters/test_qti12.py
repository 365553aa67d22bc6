"""QTI 1.2 (Canvas): every document validates against the official XSDs; types, points, feedback."""

from __future__ import annotations

import html
from pathlib import Path

from lxml import etree
from quizbank_helpers import AWKWARD, assert_valid, awkward_course, check_golden, schema, unzip

Q = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}


def build(run, course: Path, tmp_path: Path) -> dict[str, bytes]:
    result = run("build", str(course), "-f", "qti12", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    return unzip(next((tmp_path / "out" / "qti12").glob("*.zip")))


def validated(files: dict[str, bytes]) -> dict[str, etree._Element]:
    qti = schema("qti12", "domainProfile_4", "ims_qtiasiv1p2.xsd")
    cp = schema("qti21", "imscp_v1p1.xsd")
    assert_valid(cp, files["imsmanifest.xml"], "imsmanifest.xml")
    docs = {}
    for name, data in files.items():
        if name.endswith(".xml") and name != "imsmanifest.xml" and "assessment_meta" not in name:
            docs[name] = assert_valid(qti, data, name)
    return docs


def items(doc: etree._Element) -> dict[str, etree._Element]:
    return {i.get("ident").split("-", 1)[1] if i.get("ident").startswith("writing") else
            i.get("ident"): i for i in doc.iterfind(".//q:item", Q)}


def meta(item: etree._Element, label: str) -> str:
    return item.xpath(f".//q:qtimetadatafield[q:fieldlabel='{label}']/q:fieldentry/text()",
                      namespaces=Q)[0]


def test_package_validates_and_maps_each_type(run, course, tmp_path):
    files = build(run, course, tmp_path)
    docs = validated(files)
    assert sorted(docs) == ["final/final.xml", "writing-questions/writing-questions.xml"]
    etree.fromstring(files["writing-questions/assessment_meta.xml"])  # well-formed
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


def test_golden_files_for_the_starter_course(run, course, tmp_path):
    files = build(run, course, tmp_path)
    check_golden("qti12", files)
