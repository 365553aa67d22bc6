"""QTI 2.1: items, test and manifest validate against the official XSDs; interactions per type."""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from quizbank_helpers import AWKWARD, assert_valid, awkward_course, check_golden, schema, unzip

Q = {"q": "http://www.imsglobal.org/xsd/imsqti_v2p1"}


def build(run, course: Path, tmp_path: Path) -> dict[str, bytes]:
    result = run("build", str(course), "-f", "qti21", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    return unzip(next((tmp_path / "out" / "qti21").glob("*.zip")))


def validated(files: dict[str, bytes]) -> dict[str, etree._Element]:
    qti = schema("qti21", "qtiv2p1", "imsqti_v2p1.xsd")
    cp = schema("qti21", "imscp_v1p1.xsd")
    manifest = assert_valid(cp, files["imsmanifest.xml"], "imsmanifest.xml")
    hrefs = manifest.xpath("//*[local-name()='file']/@href")
    assert sorted(hrefs) == sorted(set(hrefs)) and set(hrefs) <= set(files)
    return {n: assert_valid(qti, d, n) for n, d in files.items()
            if n.endswith(".xml") and n != "imsmanifest.xml"}


def test_one_valid_item_per_question_with_its_interaction(run, course, tmp_path):
    docs = validated(build(run, course, tmp_path))
    interaction = {
        "wq-single": "choiceInteraction", "wq-multiple": "choiceInteraction",
        "wq-true-false": "choiceInteraction", "wq-short": "textEntryInteraction",
        "wq-numeric": "textEntryInteraction", "wq-matching": "matchInteraction",
        "wq-ordering": "orderInteraction", "wq-essay": "extendedTextInteraction",
        "wq-blanks": "inlineChoiceInteraction",
    }
    for qid, tag in interaction.items():
        assert docs[f"items/{qid}.xml"].find(f".//q:{tag}", Q) is not None, qid
    assert docs["items/wq-intro.xml"].find(".//q:responseProcessing", Q) is None
    multiple = docs["items/wq-multiple.xml"]
    assert multiple.xpath(".//q:mapEntry/@mappedValue", namespaces=Q) == ["1", "1", "-1", "-1"]
    assert docs["items/wq-essay.xml"].find(".//q:rubricBlock", Q) is not None


def test_test_has_a_section_per_quiz_and_a_pool_selection(run, course, tmp_path):
    docs = validated(build(run, course, tmp_path))
    test = docs["tests/test.xml"]
    sections = test.xpath("//q:testPart/q:assessmentSection/@title", namespaces=Q)
    assert sections == ["Final check", "Quiz: writing questions"]
    assert test.xpath("//q:selection/@select", namespaces=Q) == ["4"]


def test_identifiers_are_valid_and_awkward_text_survives(run, course, tmp_path):
    docs = validated(build(run, awkward_course(course), tmp_path))
    assert "items/id-2-gap.xml" in docs  # an id starting with a digit is prefixed
    text = "".join(docs["items/aw-single.xml"].find(".//q:itemBody", Q).itertext())
    assert AWKWARD in text
    entries = docs["items/aw-short.xml"].xpath(".//q:mapEntry/@mapKey", namespaces=Q)
    assert entries == ['x{y}~z=#1:2 \\ "q"']


def test_golden_files_for_the_starter_course(run, course, tmp_path):
    check_golden("qti21", build(run, course, tmp_path))
