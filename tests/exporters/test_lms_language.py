"""An Arabic course tells every LMS its language, where each format has a place for it, and
every page it carries reads right to left; checked against the official schemas."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from lxml import etree
from quizbank_helpers import schema

from coursepack.cli import main
from tests.arabic_course import write_arabic_course
from tests.lms.xmlcheck import QTI_CC, errors

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FORMATS = ("scorm12", "scorm2004", "qti12", "qti21", "imscc", "moodle-xml", "gift")


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("arabic-lms")
    course = write_arabic_course(root / "course")
    args = ["build", str(course), "--out", str(root / "build")]
    for fmt in FORMATS:
        args += ["-f", fmt]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return root / "build"


def package(build: Path, fmt: str) -> dict[str, bytes]:
    path = next(p for p in (build / fmt).iterdir() if p.suffix in (".zip", ".imscc"))
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def local(doc: etree._Element, path: str) -> list[etree._Element]:
    steps = "/".join(f"*[local-name()='{s}']" if s else s for s in path.split("/"))
    return doc.xpath(steps)  # type: ignore[no-any-return]


def pages_read_right_to_left(files: dict[str, bytes]) -> int:
    """Check every HTML page: <html lang="ar" dir="rtl">; returns how many there are."""
    pages = [name for name in files if name.endswith(".html")]
    for name in pages:
        root = lxml.html.document_fromstring(files[name])
        assert (root.get("lang"), root.get("dir")) == ("ar", "rtl"), name
    return len(pages)


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_scorm_manifests_name_the_language_and_every_page_reads_right_to_left(
        build: Path, fmt: str) -> None:
    files = package(build, fmt)
    manifest = etree.ElementTree(etree.fromstring(files["imsmanifest.xml"]))
    assert errors(manifest, fmt) == []
    assert [e.text for e in local(manifest.getroot(), "//lom/general/language")] == ["ar"]
    assert pages_read_right_to_left(files) >= 3  # launch pages and the course pages


def test_the_scorm_2004_metadata_is_checked_against_the_lom_schema(build: Path) -> None:
    """The validator is not lax about the LOM: a misspelt element in it fails."""
    doc = etree.fromstring(package(build, "scorm2004")["imsmanifest.xml"])
    language = local(doc, "//lom/general/language")[0]
    language.tag = language.tag.replace("language", "langauge")
    assert any("langauge" in e for e in errors(etree.ElementTree(doc), "scorm2004"))


def test_qti12_assessments_and_items_carry_xml_lang(build: Path) -> None:
    files = package(build, "qti12")
    qti = schema("qti12", "domainProfile_4", "ims_qtiasiv1p2.xsd")
    assessment = next(n for n in files if n.endswith(".xml") and "/" in n
                      and not n.endswith("assessment_meta.xml"))
    doc = etree.fromstring(files[assessment])
    assert qti.validate(doc), qti.error_log
    nodes = local(doc, "//assessment") + local(doc, "//item")
    assert len(nodes) == 4 and {n.get(XML_LANG) for n in nodes} == {"ar"}
    manifest_language(files["imsmanifest.xml"])


def manifest_language(data: bytes) -> None:
    """The package manifest's IMS metadata says the language, valid as IMS MD 1.2."""
    lom = local(etree.fromstring(data), "//metadata/lom")
    assert len(lom) == 1
    md = schema("qti21", "imsmd_v1p2p4.xsd")
    assert md.validate(copy.deepcopy(lom[0])), md.error_log
    assert [e.text for e in local(lom[0], "general/language")] == ["ar"]
    assert local(lom[0], "general/title/langstring")[0].get(XML_LANG) == "ar"


def test_qti21_items_carry_xml_lang(build: Path) -> None:
    files = package(build, "qti21")
    qti = schema("qti21", "qtiv2p1", "imsqti_v2p1.xsd")
    items = [n for n in files if n.startswith("items/")]
    assert len(items) == 3
    for name in items:
        doc = etree.fromstring(files[name])
        assert qti.validate(doc), (name, qti.error_log)
        assert doc.get(XML_LANG) == "ar"
    manifest_language(files["imsmanifest.xml"])


def test_the_cartridge_names_its_language_in_lom_qti_and_pages(build: Path) -> None:
    files = package(build, "imscc")
    manifest = etree.ElementTree(etree.fromstring(files["imsmanifest.xml"]))
    assert errors(manifest, "cc11") == []
    assert [e.text for e in local(manifest.getroot(), "//lom/general/language")] == ["ar"]
    checker = etree.XMLSchema(etree.parse(str(QTI_CC)))
    assessments = [n for n in files if n.startswith("assessments/")]
    assert assessments
    for name in assessments:
        doc = etree.fromstring(files[name])
        assert checker.validate(doc), (name, checker.error_log)
        assert {n.get(XML_LANG) for n in local(doc, "//assessment") + local(doc, "//item")} \
            == {"ar"}
    assert pages_read_right_to_left(files) >= 2  # lesson pages


def test_question_banks_without_a_language_field_keep_the_arabic_text(build: Path) -> None:
    """Moodle XML and GIFT have no place for a language (docs/formats.md says so): the
    questions come out in Arabic, which the LMS shows in the page's direction."""
    moodle = etree.parse(str(next((build / "moodle-xml").glob("*.xml"))))
    assert "بماذا يبدأ التفاوض الجيد؟" in "".join(moodle.xpath("//questiontext/text/text()"))
    gift = next((build / "gift").glob("*")).read_text(encoding="utf-8")
    assert "بماذا يبدأ التفاوض الجيد؟" in gift


def test_each_language_of_a_bilingual_course_has_its_own_direction(run, course, tmp_path):  # type: ignore[no-untyped-def]
    spec = course / "course.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "languages: [en, ar]\n", encoding="utf-8")
    result = run("build", str(course), "-f", "html", "-f", "scorm2004", "--out",
                 str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    for folder, expected in ((tmp_path / "out", ("en", "ltr")),
                             (tmp_path / "out" / "ar", ("ar", "rtl"))):
        pages = list((folder / "html").rglob("*.html"))
        assert len(pages) >= 7
        for page in pages:
            root = lxml.html.parse(str(page)).getroot()
            assert (root.get("lang"), root.get("dir")) == expected, page
        files = package(folder, "scorm2004")
        assert [e.text for e in local(etree.fromstring(files["imsmanifest.xml"]),
                                      "//lom/general/language")] == [expected[0]]
