"""The fidelity course, built into every format and read back field by field.

tests/fidelity/course holds every question type with every kind of feedback, images in every
Markdown field (file names with spaces and accents, an SVG, a JPEG), French, Arabic and emoji,
and the characters special to each format. Each format's output is read back as its consumer
reads it (``readback``) and compared with the model (``expected``); a difference passes only
when the format's pre-flight report declares it (``compare``). Every reference of every
package must resolve inside it to the course's own image bytes (``integrity``), and each
package must pass the official schemas, gift-pegjs or the SCORM run-time.
"""

from __future__ import annotations

import shutil
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from coursepack.cli import main
from coursepack.exporters.question_types import carries
from coursepack.loader import load_course
from coursepack.model import Course
from tests.fidelity.compare import Diff, compare, is_declared
from tests.fidelity.expected import Expected, expected_all, source_images
from tests.fidelity.integrity import broken_references
from tests.fidelity.readback import Package, gift_parse, read_format

COURSE = Path(__file__).resolve().parent / "course"
SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"

NODE = pytest.mark.node
PDF = [pytest.mark.pdf, pytest.mark.xdist_group("pdf")]
# Node runs the site's own grading.js (html, SCORM) and gift-pegjs (GIFT).
FORMATS = [
    pytest.param("html", marks=NODE),
    pytest.param("scorm12", marks=NODE),
    pytest.param("scorm2004", marks=NODE),
    pytest.param("cmi5", marks=NODE),
    pytest.param("imscc"),
    pytest.param("pdf", marks=PDF),
    pytest.param("moodle-xml"),
    pytest.param("gift", marks=NODE),
    pytest.param("qti12"),
    pytest.param("qti21"),
]
PACKAGES = [p for p in FORMATS if p.values[0] != "pdf"]


class Fidelity:
    """The course, what the model says of it, and each format built once per session."""

    def __init__(self, root: Path) -> None:
        self.root = root
        course, problems = load_course(COURSE)
        assert course is not None, problems
        self.course: Course = course
        self.problems = problems
        self.expected: dict[str, Expected] = expected_all(course)
        self.images = source_images(course)
        self.built: dict[str, Path | str] = {}

    def build(self, fmt: str) -> Path:
        """The folder ``coursepack build -f fmt`` wrote; a failed build fails the test."""
        if fmt not in self.built:
            out = self.root / fmt
            shutil.rmtree(out, ignore_errors=True)
            result = CliRunner().invoke(main, ["build", str(COURSE), "-f", fmt, "--out",
                                               str(out)], catch_exceptions=True)
            if result.exit_code == 0:
                self.built[fmt] = out / fmt
            else:
                trace = "".join(traceback.format_exception(*result.exc_info)) \
                    if result.exc_info and result.exception else ""
                self.built[fmt] = f"{result.output}\n{trace}"
        built = self.built[fmt]
        if isinstance(built, str):
            pytest.fail(f"coursepack build -f {fmt} failed on the fidelity course:\n{built}")
        return built


@pytest.fixture(scope="session")
def fidelity(tmp_path_factory: pytest.TempPathFactory) -> Fidelity:
    return Fidelity(tmp_path_factory.mktemp("fidelity"))


def report(fmt: str, undeclared: list[Diff], declared: list[Diff]) -> str:
    lines = [f"{len(undeclared)} difference(s) between the fidelity course and its {fmt} "
             f"output that the pre-flight report does not declare "
             f"({len(declared)} declared ones pass):"]
    lines += [f"  {d}" for d in undeclared]
    return "\n".join(lines)


def test_the_fidelity_course_is_valid(fidelity: Fidelity) -> None:
    errors = [str(p) for p in fidelity.problems if p.is_error]
    assert errors == []
    result = CliRunner().invoke(main, ["validate", str(COURSE)])
    assert result.exit_code == 0, result.output
    kinds = {e.kind for e in fidelity.expected.values()}
    assert {"single", "multiple", "true-false", "short-answer", "numeric", "matching",
            "ordering", "fill-blanks", "essay", "description"} <= kinds
    assert {p.name for p in (COURSE / "modules" / "accueil" / "images").iterdir()} == set(
        fidelity.images.values()), "every image of the course is used"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_field_reads_back_or_is_declared(fidelity: Fidelity, fmt: str) -> None:
    out = fidelity.build(fmt)
    found = read_format(fmt, out, fidelity.course, fidelity.expected, fidelity.images)
    undeclared, declared = compare(fmt, fidelity.expected, found, fidelity.course)
    assert not undeclared, report(fmt, undeclared, declared)


@pytest.mark.parametrize("fmt", PACKAGES)
def test_every_reference_resolves_to_a_course_image(fidelity: Fidelity, fmt: str) -> None:
    problems = broken_references(fmt, fidelity.build(fmt), fidelity.images)
    assert problems == [], f"{fmt}: {len(problems)} broken reference(s):\n" + "\n".join(
        f"  {p}" for p in problems)


@pytest.mark.parametrize("fmt", ["html", "scorm12", "imscc", "qti12", "qti21", "moodle-xml"])
def test_every_image_of_the_course_is_shipped(fidelity: Fidelity, fmt: str) -> None:
    """Each format that carries images ships all four (each is used in its questions)."""
    out = fidelity.build(fmt)
    if fmt == "moodle-xml":
        import base64

        root = etree.parse(str(next(out.glob("*.xml")))).getroot()
        shipped = {base64.b64decode(f.text or "") for f in root.iter("file")}
    else:
        path = out if fmt == "html" else next(p for p in out.iterdir()
                                              if p.suffix in (".zip", ".imscc"))
        shipped = set(Package.of(path, fidelity.images).files.values())
    missing = sorted(name for data, name in fidelity.images.items() if data not in shipped)
    assert missing == []


# --- the official validators ---------------------------------------------------------------


def _xsd(*parts: str) -> etree.XMLSchema:
    path = SCHEMAS.joinpath(*parts)
    assert path.is_file(), f"schema missing: {path}"
    return etree.XMLSchema(etree.parse(str(path)))


def _invalid(schema: etree.XMLSchema, data: bytes, name: str) -> list[str]:
    return [] if schema.validate(etree.fromstring(data)) else [
        f"{name}: {e}" for e in schema.error_log]


def _scorm(fmt: str) -> Callable[[dict[str, bytes]], list[str]]:
    def check(files: dict[str, bytes]) -> list[str]:
        from tests.lms.xmlcheck import errors

        return errors(etree.ElementTree(etree.fromstring(files["imsmanifest.xml"])), fmt)

    return check


def _imscc(files: dict[str, bytes]) -> list[str]:
    from tests.lms.xmlcheck import QTI_CC, errors, schematron_errors

    manifest = etree.ElementTree(etree.fromstring(files["imsmanifest.xml"]))
    found = errors(manifest, "cc11")
    found += schematron_errors(manifest, "ccv1p1_imscp_v1p2_v1p0.xsd")
    qti = etree.XMLSchema(etree.parse(str(QTI_CC)))
    for name in (n for n in files if n.startswith("assessments/")):
        document = etree.ElementTree(etree.fromstring(files[name]))
        if not qti.validate(document):
            found += [f"{name}: {e}" for e in qti.error_log]
        found += [f"{name}: {e}" for e in schematron_errors(document,
                                                          "ccv1p1_qtiasiv1p2p1_v1p0.xsd")]
    return found


def _qti12(files: dict[str, bytes]) -> list[str]:
    qti = _xsd("qti12", "domainProfile_4", "ims_qtiasiv1p2.xsd")
    found = _invalid(_xsd("qti21", "imscp_v1p1.xsd"), files["imsmanifest.xml"],
                     "imsmanifest.xml")
    for name, data in files.items():
        if name.endswith(".xml") and name != "imsmanifest.xml" and "assessment_meta" not in name:
            found += _invalid(qti, data, name)
    return found


def _qti21(files: dict[str, bytes]) -> list[str]:
    qti = _xsd("qti21", "qtiv2p1", "imsqti_v2p1.xsd")
    found = _invalid(_xsd("qti21", "imscp_v1p1.xsd"), files["imsmanifest.xml"],
                     "imsmanifest.xml")
    for name, data in files.items():
        if name.endswith(".xml") and name != "imsmanifest.xml":
            found += _invalid(qti, data, name)
    return found


def _cmi5(files: dict[str, bytes]) -> list[str]:
    return _invalid(_xsd("cmi5", "CourseStructure.xsd"), files["cmi5.xml"], "cmi5.xml")


VALIDATORS = {"scorm12": _scorm("scorm12"), "scorm2004": _scorm("scorm2004"), "imscc": _imscc,
              "qti12": _qti12, "qti21": _qti21, "cmi5": _cmi5}


@pytest.mark.parametrize("fmt", sorted(VALIDATORS))
def test_packages_pass_the_official_schemas(fidelity: Fidelity, fmt: str) -> None:
    out = fidelity.build(fmt)
    path = next(p for p in out.iterdir() if p.suffix in (".zip", ".imscc"))
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    assert VALIDATORS[fmt](files) == []


@NODE
def test_gift_pegjs_parses_every_question_gift_carries(fidelity: Fidelity) -> None:
    parsed = gift_parse(next(fidelity.build("gift").glob("*.gift.txt")))
    ids = {q["id"] for q in parsed if q["type"] != "Category"}
    assert {"q-single", "q-court", "q-apparier", "q-trou-unique", "q-essai"} <= ids


def test_moodle_xml_is_one_well_formed_quiz(fidelity: Fidelity) -> None:
    root = etree.parse(str(next(fidelity.build("moodle-xml").glob("*.xml")))).getroot()
    assert root.tag == "quiz"
    ids = [q.findtext("idnumber") for q in root.findall("question") if q.findtext("idnumber")]
    assert sorted(ids) == sorted(q.id for _, q in fidelity.course.questions()
                                 if carries("moodle-xml", q))


# --- the comparison is no rubber stamp -------------------------------------------------------


def test_a_difference_needs_a_warning_naming_the_question_and_the_field() -> None:
    diff = Diff("gift", "q-single", "hints", (), (), r"\bhints?\b")
    assert is_declared(diff, ["question 'q-single' (single): GIFT has no place for this "
                              "question's partial feedback and hints; left out"])
    assert not is_declared(diff, ["question 'q-single' (single): GIFT cannot carry images or files"])
    assert not is_declared(diff, ["question 'q-court' (short-answer): no hints; left out"])
    typed = Diff("gift", "q-court", "score @ type 'x'", 0.0, 1.0, r"\bcase")
    assert not is_declared(typed, ["question 'q-court' (short-answer): images are dropped"]), \
        "the question's type in the warning's subject is not a word about the field"


def test_a_changed_output_is_caught(fidelity: Fidelity, tmp_path: Path) -> None:
    """Editing a built Moodle XML file (a stem, a fraction, an image) makes differences."""
    out = fidelity.build("moodle-xml")
    copy = tmp_path / "moodle-xml"
    shutil.copytree(out, copy)
    path = next(copy.glob("*.xml"))
    text = path.read_text(encoding="utf-8")
    text = text.replace("Où se trouve l'eau ?", "Où est l'eau ?", 1)
    text = text.replace('<answer fraction="100" format="html">', '<answer fraction="50" '
                        'format="html">', 1)
    path.write_text(text.replace("@@PLUGINFILE@@/", "@@PLUGINFILE@@/x", 1), encoding="utf-8")
    found = read_format("moodle-xml", copy, fidelity.course, fidelity.expected,
                        fidelity.images)
    undeclared, _ = compare("moodle-xml", fidelity.expected, found, fidelity.course)
    fields = {(d.record, d.field.split(" @ ")[0]) for d in undeclared}
    assert ("q-single", "stem") in fields
    assert ("q-single", "correct") in fields and ("q-single", "score") in fields
    assert broken_references("moodle-xml", copy, fidelity.images)


# --- the SCORM run-time ----------------------------------------------------------------------

BROKEN_IMAGES = ("() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
                 ".map(i => i.getAttribute('src'))")


def answer_right(frame: Any, data: dict[str, Any]) -> None:
    """Fill in the fidelity quiz page as a learner who knows every answer (ordering left as
    shown), typing the awkward answers (<ouvert>, a & "b", 2*3) into the fields."""
    from coursepack.markup import slugify

    for qid, item in data["questions"].items():
        key, dom = item["key"], f"#q-{slugify(qid)}"
        kind = key["type"]
        if kind in ("single", "true-false"):
            frame.check(f"{dom}-{key['correct']}")
        elif kind == "multiple":
            for option in key["correct"]:
                frame.check(f"{dom}-{option}")
        elif kind == "short-answer":
            frame.fill(f"{dom}-answer", key["answers"][1])
        elif kind == "numeric":
            frame.fill(f"{dom}-answer", f"{(key['lo'] + key['hi']) / 2:g}")
        elif kind == "matching":
            for prompt, answer in key["pairs"].items():
                frame.select_option(f"{dom}-match-{prompt}", answer)
        elif kind == "fill-blanks":
            for n, blank in enumerate(key["blanks"], 1):
                field = f"{dom}-blank-{n}"
                if blank["kind"] == "dropdown":
                    frame.select_option(field, blank["answers"][0])
                elif blank["kind"] == "numeric":
                    frame.fill(field, f"{(blank['lo'] + blank['hi']) / 2:g}")
                else:
                    frame.fill(field, blank["answers"][0])
        elif kind == "essay":
            frame.fill(f"{dom}-answer", "Écouter, puis montrer l'eau : <ouvert> & \"b\" 🎉.")
    frame.click("[data-submit]")
    if frame.locator("dialog[open]").count():  # the quiz asks before it uses an attempt
        frame.click("dialog[open] [data-confirm]")


@pytest.mark.browser
@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_the_scorm_runtime_shows_every_image_and_records_the_quiz(
        fidelity: Fidelity, fmt: str, tmp_path: Path, browser: Any) -> None:
    import json

    from tests.lms.harness import VERSIONS, calls, serve, site, wait_for_course_page

    package = next(fidelity.build(fmt).glob("*.zip"))
    root = site(tmp_path / "www", package)
    context = browser.new_context()
    page = context.new_page()
    try:
        with serve(root) as base:
            page.goto(f"{base}/lms/lms.html")
            page.evaluate("([v, href]) => lms.launch(v, href, null, {})",
                          [VERSIONS[fmt], "../pkg/sco-accueil.html"])
            start = wait_for_course_page(page, "accueil/index.html")
            assert start.evaluate(BROKEN_IMAGES) == []
            start.evaluate("() => { location.href = 'arrivee.html'; }")
            lesson = wait_for_course_page(page, "accueil/arrivee.html")
            assert lesson.evaluate(BROKEN_IMAGES) == []
            lesson.evaluate("() => { location.href = '../quizzes/accueil-quiz.html'; }")
            quiz = wait_for_course_page(page, "quizzes/accueil-quiz.html")
            quiz.wait_for_selector("form[data-quiz-form]:not([hidden])")
            data = json.loads(quiz.evaluate(
                "() => document.getElementById('quiz-data').textContent"))
            before = sum(1 for e in calls(page) if e["call"] == "commit")
            answer_right(quiz, data)
            page.wait_for_function(
                "(n) => lms.log.filter(e => e.call === 'commit').length > n", arg=before)
            quiz.wait_for_function("() => [...document.images].every(i => i.complete)")
            assert quiz.evaluate(BROKEN_IMAGES) == [], "feedback images load too"
            cmi = page.evaluate("lms.data()")
            status = cmi["core"]["lesson_status"] if fmt == "scorm12" else cmi["success_status"]
            assert status == "passed"
            found = cmi["interactions"]
            items = found.get("childArray", found) if isinstance(found, dict) else found
            scored = [q for q, v in data["questions"].items() if v["key"]["type"] != "description"]
            assert len(items) == len(scored)
            launcher = next(f for f in page.frames if f.url.endswith("sco-accueil.html"))
            assert launcher.evaluate("window.coursepackScorm.session.errors") == []
    finally:
        context.close()


# --- the PDFs' images ------------------------------------------------------------------------


def _colours(images: list[bytes]) -> set[tuple[int, ...]]:
    import io

    from PIL import Image

    return {Image.open(io.BytesIO(data)).convert("RGB").getpixel((0, 0)) for data in images}


def _near(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """The same colour, give or take JPEG decoding."""
    return all(abs(x - y) <= 8 for x, y in zip(a, b, strict=True))


@pytest.mark.pdf
@pytest.mark.xdist_group("pdf")
def test_every_pdf_shows_the_raster_images_of_what_it_prints(fidelity: Fidelity) -> None:
    """A PDF holds drawings, not files, so each tiny image is known by its colour; SVG
    images become vector drawings and cannot be told apart this way."""
    from pypdf import PdfReader

    from coursepack.model import assets_of

    course = fidelity.course
    module = course.modules[0]
    quizzes = {q.id: q for q in course.quizzes}
    wanted = {
        "answer-key.pdf": assets_of(course.quizzes),
        "quizzes/accueil-quiz.pdf": assets_of(quizzes["accueil-quiz"].questions),
        "course-pack.pdf": assets_of((course.description, module.description, module.lessons)),
        "facilitator-guide.pdf": assets_of(module.facilitator),
    }
    out = fidelity.build("pdf")
    missing = {}
    for name, assets in wanted.items():
        raster = [a.path.read_bytes() for a in assets if a.path.suffix != ".svg"]
        shown = [im.data for page in PdfReader(str(out / name)).pages for im in page.images]
        seen = _colours(shown)
        lost = sorted({fidelity.images[data] for data in raster
                       if not any(_near(c, s) for c in _colours([data]) for s in seen)})
        if lost:
            missing[name] = lost
    assert missing == {}


def test_a_missing_or_swapped_image_is_caught(fidelity: Fidelity, tmp_path: Path) -> None:
    """The reference check is no rubber stamp: a deleted image and a swapped one are found."""
    site = tmp_path / "html"
    shutil.copytree(fidelity.build("html"), site)
    media = sorted((site / "media").iterdir())
    media[0].unlink()
    media[1].write_bytes(b"\x89PNG\r\n\x1a\nnot the course's image")
    problems = broken_references("html", site, fidelity.images)
    assert any("is not in the package" in p for p in problems)
    assert any("is not a course image" in p for p in problems)
