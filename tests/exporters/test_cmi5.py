"""A training officer builds a cmi5 package that a cmi5 LMS imports.

cmi5.xml must pass the cmi5 CourseStructure schema (tests/schemas/cmi5), declare one unit per
module and standalone quiz with moveOn, masteryScore and launchMethod from the course's
settings, keep its IRIs from build to build, and carry awkward titles exactly; every course
page must load the adapter, and every unit's launch page the statement builder.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from coursepack.loader import load_course
from coursepack.preflight import preflight
from tests.exporters.quizbank_helpers import AWKWARD, awkward_course, schema

NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}


def build(run, course: Path, out: Path) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    result = run("build", str(course), "-f", "cmi5", "--out", str(out))
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(next((out / "cmi5").glob("*.zip")))


def structure(archive: zipfile.ZipFile) -> etree._Element:
    doc = etree.fromstring(archive.read("cmi5.xml"))
    xsd = schema("cmi5", "CourseStructure.xsd")
    assert xsd.validate(doc), xsd.error_log
    return doc


def settings(course: Path, text: str) -> None:
    path = course / "course.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def units(doc: etree._Element) -> list[dict[str, str]]:
    return [dict(au.attrib) | {"url": au.findtext("c:url", namespaces=NS),
                               "title": au.findtext("c:title/c:langstring", namespaces=NS)}
            for au in doc.findall("c:au", NS)]


def test_the_course_structure_passes_the_cmi5_schema(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    archive = build(run, course, tmp_path / "out")
    assert archive.namelist()[0] == "cmi5.xml"
    doc = structure(archive)
    assert doc.find("c:course", NS).get("id") == "urn:coursepack:starter-course"
    assert doc.find("c:course/c:title/c:langstring", NS).get("lang") == "en"
    assert units(doc) == [
        {"id": "urn:coursepack:starter-course/au/writing-questions", "moveOn": "Passed",
         "masteryScore": "0.6", "launchMethod": "AnyWindow", "url": "au-writing-questions.html",
         "title": "Writing questions that teach"},
        {"id": "urn:coursepack:starter-course/au/final", "moveOn": "Passed",
         "masteryScore": "0.75", "launchMethod": "AnyWindow", "url": "au-final.html",
         "title": "Final check"}]
    for unit in units(doc):
        assert unit["url"] in archive.namelist()


def test_a_broken_structure_is_caught(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The schema is not a rubber stamp: a unit with no url and a bad moveOn fail."""
    doc = etree.fromstring(build(run, course, tmp_path / "out").read("cmi5.xml"))
    au = doc.find("c:au", NS)
    au.remove(au.find("c:url", NS))
    au.set("moveOn", "Whenever")
    assert not schema("cmi5", "CourseStructure.xsd").validate(doc)


def test_settings_choose_units_move_on_launch_method_and_the_activity_base(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings(course, "cmi5:\n  au_per: course\n  move_on: completed-and-passed\n"
                     "  launch_method: own-window\n"
                     "  activity_base: https://training.example.org/courses/q/\n")
    doc = structure(build(run, course, tmp_path / "out"))
    assert doc.find("c:course", NS).get("id") == "https://training.example.org/courses/q"
    (unit,) = units(doc)
    assert unit["id"] == "https://training.example.org/courses/q/au/starter-course"
    assert (unit["moveOn"], unit["launchMethod"]) == ("CompletedAndPassed", "OwnWindow")
    # the whole course's pass mark: the points-weighted mean of its quizzes' (60% and 75%)
    assert 0.6 < float(unit["masteryScore"]) < 0.75


@pytest.mark.parametrize(("text", "message"), [
    ("cmi5:\n  activity_base: not an iri\n", "'activity_base' must be an absolute IRI"),
    ("cmi5:\n  activity_base: https://x.example.org/a#b\n", "'activity_base' must be an absolute IRI"),
    ("cmi5:\n  move_on: sometimes\n", "'move_on' must be one of"),
    ("cmi5:\n  au_per: lesson\n", "'au_per' must be one of module, course"),
    ("cmi5:\n  launch_methd: own-window\n", "launch_methd"),
])
def test_wrong_settings_are_errors_naming_the_field(run, course, tmp_path, text, message) -> None:  # type: ignore[no-untyped-def]
    settings(course, text)
    result = run("build", str(course), "-f", "cmi5", "--out", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert message in result.output and "course.yaml" in result.output
    assert not list((tmp_path / "out").glob("cmi5/*.zip"))


def test_a_unit_that_cannot_be_passed_cannot_ask_to_be_passed(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (course / "quizzes" / "final.yaml").unlink()
    text = (course / "course.yaml").read_text(encoding="utf-8")
    (course / "course.yaml").write_text(re.sub(r"  - final\n", "", text), encoding="utf-8")
    quiz = course / "quizzes" / "writing-questions.yaml"
    quiz.write_text(re.sub(r"(?m)^(  - id: wq-intro)", "  - id: only\n    type: essay\n    stem: Why?\n\\1",
                           re.sub(r"(?ms)^  - id: wq-single.*", "", quiz.read_text("utf-8"))),
                    encoding="utf-8")
    settings(course, "cmi5:\n  move_on: passed\n")
    result = run("build", str(course), "-f", "cmi5", "--out", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "has no marked question, so it can never be passed" in result.output


def test_awkward_titles_and_languages_are_carried_exactly(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = (course / "course.yaml").read_text(encoding="utf-8")
    title = AWKWARD
    text = re.sub(r"(?m)^title: .*$", lambda _: f"title: {json.dumps(title, ensure_ascii=False)}", text)
    text = re.sub(r"(?m)^language: .*$", "language: ar", text)
    (course / "course.yaml").write_text(text, encoding="utf-8")
    archive = build(run, awkward_course(course), tmp_path / "out")
    doc = structure(archive)
    course_title = doc.find("c:course/c:title/c:langstring", NS)
    assert course_title.text == title and course_title.get("lang") == "ar"
    launch = archive.read("au-writing-questions.html").decode()
    config = json.loads(re.search(r'id="coursepack-au">(.*?)</script>', launch, re.S).group(1))
    assert config["lang"] == "ar" and "awkward" in config["quizzes"]


def test_every_page_loads_the_adapter_and_every_launch_page_the_builder(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    archive = build(run, course, tmp_path / "out")
    names = archive.namelist()
    assert "cmi5/cmi5-adapter.js" in names and "course/assets/xapi.js" in names
    pages = [n for n in names if n.startswith("course/") and n.endswith(".html")]
    assert pages
    assert "lms/unit-pages.js" in names  # shared with the SCORM adapter
    for name in pages:
        depth = name.count("/")
        page = archive.read(name).decode()
        assert f'<script src="{"../" * depth}cmi5/cmi5-adapter.js"></script>' in page, name
        assert page.index(f'src="{"../" * depth}lms/unit-pages.js"') < page.index("cmi5-adapter.js")
    for launch in ("au-writing-questions.html", "au-final.html"):
        page = archive.read(launch).decode()
        assert page.index('src="course/assets/xapi.js"') < page.index('src="lms/unit-pages.js"') \
            < page.index('src="cmi5/cmi5-adapter.js"')
        config = json.loads(re.search(r'id="coursepack-au">(.*?)</script>', page, re.S).group(1))
        assert config["activityBase"] == "urn:coursepack:starter-course"
        assert config["start"] in [p[len("course/"):] for p in pages]


def test_the_package_is_the_same_bytes_when_built_twice(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = build(run, course, tmp_path / "one")
    second = build(run, course, tmp_path / "two")
    assert Path(first.filename).read_bytes() == Path(second.filename).read_bytes()


def test_bundled_course_builds_a_valid_package(bundled_build: Path) -> None:
    archive = zipfile.ZipFile(next((bundled_build / "cmi5").glob("*.zip")))
    doc = structure(archive)
    ids = [u["id"] for u in units(doc)]
    assert ids == [f"urn:coursepack:humanitarian-diplomacy/au/{name}" for name in (
        "humanitarian-diplomacy", "integrated-missions", "humanitarian-space", "final-assessment")]
    assert all(u["moveOn"] == "Passed" and u["masteryScore"] for u in units(doc))


def test_preflight_names_what_statements_cannot_say_exactly(course) -> None:  # type: ignore[no-untyped-def]
    (course / "quizzes" / "extra.yaml").write_text(
        "title: Extra\nmodule: writing-questions\nquestions:\n"
        "  - id: x-short\n    type: short-answer\n    stem: Say it.\n    answers: ['a [,] b']\n"
        "  - id: x-gaps\n    type: fill-blanks\n    stem: Fill.\n    text: 'A [[one]] B [[two]]'\n"
        "    blanks:\n      - {id: one, answers: [x], case_sensitive: true}\n"
        "      - {id: two, answers: [y]}\n"
        "  - id: x-range\n    type: fill-blanks\n    stem: Fill.\n    text: 'A [[n]]'\n"
        "    blanks:\n      - {id: n, type: numeric, answer: 3, tolerance: 1}\n", encoding="utf-8")
    text = (course / "course.yaml").read_text(encoding="utf-8")
    (course / "course.yaml").write_text(text.replace("quizzes:\n", "quizzes:\n  - extra\n", 1),
                                        encoding="utf-8")
    loaded, problems = load_course(course)
    assert not [p for p in problems if p.is_error], problems
    found = {p.message for p in preflight(loaded, ["cmi5"])}
    assert any("'x-short'" in m and "'[,]'" in m for m in found), found
    assert any("'x-gaps'" in m and "case-sensitive" in m for m in found), found
    assert any("'x-range'" in m and "range" in m for m in found), found
