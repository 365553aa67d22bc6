"""A training officer exports the course as a Common Cartridge 1.1 and imports it in an LMS.

Every document in the cartridge must pass the official CC 1.1 XSDs and the Schematron rules
embedded in them; lessons are pages, quizzes are CC-profile QTI assessments.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from coursepack.loader import load_course
from tests.lms.xmlcheck import QTI_CC, errors, rule_count, schematron_errors

CP = "ccv1p1_imscp_v1p2_v1p0.xsd"
LOM = "ccv1p1_lommanifest_v1p0.xsd"
QTI = "ccv1p1_qtiasiv1p2p1_v1p0.xsd"
NS = {"cp": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
      "lom": "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest",
      "q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}


def build(run, course: Path, out: Path) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    result = run("build", str(course), "-f", "imscc", "--out", str(out))
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(next((out / "imscc").glob("*.imscc")))


def xml(archive: zipfile.ZipFile, name: str) -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(archive.read(name)))


@pytest.fixture
def cartridge(run, course, tmp_path) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    return build(run, course, tmp_path / "build")


def test_manifest_passes_the_cc11_schemas_and_schematron(cartridge: zipfile.ZipFile) -> None:
    assert cartridge.namelist()[0] == "imsmanifest.xml"
    manifest = xml(cartridge, "imsmanifest.xml")
    assert errors(manifest, "cc11") == []
    assert schematron_errors(manifest, CP) == []
    assert schematron_errors(manifest, LOM) == []


def test_every_assessment_passes_the_cc_qti_schema_and_schematron(cartridge) -> None:  # type: ignore[no-untyped-def]
    checker = etree.XMLSchema(etree.parse(str(QTI_CC)))
    manifest = xml(cartridge, "imsmanifest.xml")
    kind = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
    files = manifest.xpath(f"//cp:resource[@type='{kind}']/cp:file/@href", namespaces=NS)
    assert files, "the quizzes are in the cartridge"
    for name in files:
        document = xml(cartridge, name)
        assert checker.validate(document), (name, [str(e) for e in checker.error_log])
        assert schematron_errors(document, QTI) == [], name


def test_the_rules_are_really_checked() -> None:
    """A cartridge that breaks a Schematron rule is caught (the extraction is not empty)."""
    assert rule_count(CP) > 40 and rule_count(QTI) > 60 and rule_count(LOM) > 10
    broken = etree.fromstring(
        b'<manifest xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1" identifier="m">'
        b'<resources><resource identifier="r" type="webcontent" href="a.html">'
        b'<file href="b.html"/><file href="b.html"/></resource></resources></manifest>')
    found = schematron_errors(etree.ElementTree(broken), CP)
    assert any("RULE 9a" in f for f in found) and any("RULE 10b" in f for f in found)


def test_lessons_are_pages_with_their_images(cartridge: zipfile.ZipFile) -> None:
    manifest = xml(cartridge, "imsmanifest.xml")
    pages = manifest.xpath("//cp:resource[@type='webcontent'][@href]", namespaces=NS)
    # The course's and the module's descriptions, then the two lessons.
    assert [p.get("href") for p in pages] == [
        "_course/index.html", "writing-questions/index.html",
        "writing-questions/one-idea.html", "writing-questions/feedback.html"]
    shown = 0
    for page in pages:
        html = cartridge.read(page.get("href")).decode()
        for src in etree.HTML(html).xpath("//img/@src"):
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page.get("href")), src))
            assert resolved in cartridge.namelist()
            # The image is a file of the media resource the page depends on.
            (ref,) = page.xpath("cp:dependency/@identifierref", namespaces=NS)
            media = manifest.xpath(f"//cp:resource[@identifier='{ref}']", namespaces=NS)[0]
            assert resolved in media.xpath("cp:file/@href", namespaces=NS)
            shown += 1
    assert shown, "the starter course's lesson image is shown"


def test_organization_follows_the_course(cartridge: zipfile.ZipFile, course: Path) -> None:
    model, _ = load_course(course)
    module = model.modules[0]
    manifest = xml(cartridge, "imsmanifest.xml")
    root = manifest.xpath("//cp:organization/cp:item", namespaces=NS)[0]
    folder = root.xpath("cp:item[not(@identifierref)]", namespaces=NS)[0]
    assert folder.xpath("string(cp:title)", namespaces=NS) == module.title
    expected = [module.title] + [lesson.title for lesson in module.lessons]
    expected += [quiz.title for quiz in model.module_quizzes(module)]
    assert folder.xpath("cp:item/cp:title/text()", namespaces=NS) == expected
    standalone = root.xpath("cp:item[@identifierref]/cp:title/text()", namespaces=NS)
    assert standalone == [model.title] + [quiz.title for quiz in model.standalone_quizzes()]
    assert manifest.xpath("string(//lom:general/lom:title/lom:string)", namespaces=NS) == \
        model.title


def test_questions_keep_their_answers(cartridge: zipfile.ZipFile) -> None:
    quiz = xml(cartridge, "assessments/writing-questions.xml")
    single = quiz.xpath("//q:item[@ident='wq-single']", namespaces=NS)[0]
    right = single.xpath(".//q:respcondition[q:setvar]//q:varequal/text()", namespaces=NS)
    assert right == ["a"]
    short = quiz.xpath("//q:item[@ident='wq-short']", namespaces=NS)[0]
    assert short.xpath(".//q:setvar/../q:conditionvar/q:varequal/text()", namespaces=NS) == \
        ["stem", "the stem"]
    essay = quiz.xpath("//q:item[@ident='wq-essay']//q:fieldentry/text()", namespaces=NS)
    assert "cc.essay.v0p1" in essay and "No" in essay
    rubric = quiz.xpath("string(//q:rubric//q:mattext)", namespaces=NS)
    assert "These questions check the three objectives" in rubric, "description items stay"


def test_what_cannot_be_carried_is_reported(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = run("build", str(course), "-f", "imscc", "-v", "--out", str(tmp_path / "out"))
    assert "question 'wq-matching' (matching): the Common Cartridge 1.1 profile of QTI has no matching items; it is left out of the imscc export" in result.output
    assert "draws questions at random" in result.output
    quiz = build(run, course, tmp_path / "again").read("assessments/writing-questions.xml")
    assert b'ident="wq-matching"' not in quiz


def test_cartridge_is_reproducible(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = build(run, course, tmp_path / "one").fp.name  # type: ignore[union-attr]
    second = build(run, course, tmp_path / "two").fp.name  # type: ignore[union-attr]
    assert Path(first).read_bytes() == Path(second).read_bytes()


def test_bundled_course_builds_a_valid_cartridge(bundled_build: Path) -> None:
    archive = zipfile.ZipFile(next((bundled_build / "imscc").glob("*.imscc")))
    manifest = xml(archive, "imsmanifest.xml")
    assert errors(manifest, "cc11") == [] and schematron_errors(manifest, CP) == []
    checker = etree.XMLSchema(etree.parse(str(QTI_CC)))
    for name in (n for n in archive.namelist() if n.startswith("assessments/")):
        document = xml(archive, name)
        assert checker.validate(document), (name, [str(e) for e in checker.error_log])
        assert schematron_errors(document, QTI) == [], name


def test_items_have_valid_unique_idents_exact_titles_and_numbers() -> None:
    from coursepack.exporters.imscc.items import item_ident, losses, to_item
    from coursepack.exporters.qti12.names import fold
    from coursepack.model import (
        Choice,
        Essay,
        Feedback,
        MultipleResponse,
        Numeric,
        NumericAnswer,
        Tolerance,
    )

    ids = ["wq-multiple", "Wq.Multiple", "wq_multiple", "wq multiple", "9lives"]
    made = [item_ident(i) for i in ids]
    assert made[0] == "wq-multiple" and len({fold(m) for m in made}) == len(made)
    assert all(m[0].isalpha() or m[0] == "_" for m in made)
    big = Numeric(id="n", stem="How many?", title="A & <b> *c*",
                  answer=NumericAnswer(mode=Tolerance.EXACT, value=1e20))
    item = to_item(big, 1, False)
    assert item is not None and item.title == "A & <b> *c*"
    assert item.conditions[-1].selected == ("100000000000000000000",)
    tiny = Numeric(id="t", stem="Tiny?", answer=NumericAnswer(mode=Tolerance.RANGE,
                                                             low=1e-7, high=1e-7))
    assert to_item(tiny, 1, False).conditions[-1].selected == ("0.0000001",)  # type: ignore[union-attr]
    multiple = MultipleResponse(id="m", stem="Which?", hints=("Look.",),
                                feedback=Feedback(partial="Some."),
                                choices=(Choice(text="a", correct=True), Choice(text="b")))
    said = " | ".join(losses(multiple))
    assert "partial credit" in said and "partial-credit feedback" in said and "hints" in said
    essay = Essay(id="e", stem="Write.", grader_notes="Notes.", max_words=9)
    assert losses(essay) == ["a CC essay item has no grader notes, word limits; left out"]
