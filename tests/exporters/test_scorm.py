"""A training officer builds SCORM 1.2 and 2004 packages that an LMS imports.

The manifests must pass ADL's schemas (and the IDREF checks libxml2 leaves out), carry the
pass mark as the mastery score, and list every file; each course page must load the adapter.
"""

from __future__ import annotations

import json
import posixpath
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from coursepack.loader import load_course
from tests.lms.xmlcheck import errors

FORMATS = ("scorm12", "scorm2004")


def build(run, course: Path, out: Path, fmt: str) -> zipfile.ZipFile:  # type: ignore[no-untyped-def]
    result = run("build", str(course), "-f", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(next((out / fmt).glob("*.zip")))


def manifest(archive: zipfile.ZipFile) -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(archive.read("imsmanifest.xml")))


def local(doc: etree._ElementTree | etree._Element, path: str) -> list:  # type: ignore[type-arg]
    """XPath by local names, so one query serves both SCORM versions."""
    steps = "/".join(f"*[local-name()='{s}']" if s and not s.startswith("@") else s
                     for s in path.split("/"))
    return doc.xpath(steps)  # type: ignore[no-any-return]


@pytest.mark.parametrize("fmt", FORMATS)
def test_manifest_passes_the_adl_schemas(run, course, tmp_path, fmt) -> None:  # type: ignore[no-untyped-def]
    archive = build(run, course, tmp_path / "out", fmt)
    assert archive.namelist()[0] == "imsmanifest.xml", "the manifest is at the zip root"
    assert errors(manifest(archive), fmt) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_broken_manifest_is_caught(run, course, tmp_path, fmt) -> None:  # type: ignore[no-untyped-def]
    """The validator is not a rubber stamp: a dangling IDREF and a misplaced element fail."""
    doc = manifest(build(run, course, tmp_path / "out", fmt))
    local(doc, "//item")[0].set("identifierref", "nowhere")
    resources = local(doc, "//resources")[0]
    resources.getparent().insert(0, etree.Element(resources.tag))
    found = errors(doc, fmt)
    assert any("nowhere" in e for e in found) and len(found) >= 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_file_is_listed_and_every_listed_file_exists(run, course, tmp_path, fmt) -> None:  # type: ignore[no-untyped-def]
    archive = build(run, course, tmp_path / "out", fmt)
    listed = set(local(manifest(archive), "//file/@href"))
    assert listed == set(archive.namelist()) - {"imsmanifest.xml"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_sco_per_module_and_standalone_quiz(run, course, tmp_path, fmt) -> None:  # type: ignore[no-untyped-def]
    model, _ = load_course(course)
    doc = manifest(build(run, course, tmp_path / "out", fmt))
    titles = [t.text for t in local(doc, "//organization/item/title")]
    assert titles == [m.title for m in model.modules] + [q.title for q in model.standalone_quizzes()]
    scos = [r for r in local(doc, "//resource")
            if "sco" in {v.lower() for k, v in r.attrib.items() if k.endswith("scormtype")
                         or k.endswith("scormType")}]
    assert len(scos) == len(titles)


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_sco_for_the_whole_course(run, course, tmp_path, fmt) -> None:  # type: ignore[no-untyped-def]
    spec = course / "course.yaml"
    spec.write_text(spec.read_text() + "scorm:\n  sco_per: course\n")
    doc = manifest(build(run, course, tmp_path / "out", fmt))
    items = local(doc, "//organization/item")
    assert len(items) == 1
    assert errors(doc, fmt) == []


def test_mastery_score_is_the_pass_mark(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    model, _ = load_course(course)
    doc = manifest(build(run, course, tmp_path / "out", "scorm12"))
    marks = [float(m.text) for m in local(doc, "//item/masteryscore")]
    expected = [q.settings.pass_mark for m in model.modules for q in model.module_quizzes(m)]
    expected += [q.settings.pass_mark for q in model.standalone_quizzes()]
    assert marks == expected


def test_scaled_passing_score_is_the_pass_mark(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    model, _ = load_course(course)
    doc = manifest(build(run, course, tmp_path / "out", "scorm2004"))
    objectives = local(doc, "//item/sequencing/objectives/primaryObjective")
    assert all(o.get("satisfiedByMeasure") == "true" for o in objectives)
    measures = [float(local(o, "minNormalizedMeasure")[0].text) for o in objectives]
    expected = [q.settings.pass_mark / 100 for m in model.modules for q in model.module_quizzes(m)]
    expected += [q.settings.pass_mark / 100 for q in model.standalone_quizzes()]
    assert measures == pytest.approx(expected)


def test_mixed_pass_marks_in_one_sco_are_reported(run, course, tmp_path) -> None:  # type: ignore[no-untyped-def]
    spec = course / "course.yaml"
    spec.write_text(spec.read_text() + "scorm:\n  sco_per: course\n")
    result = run("build", str(course), "-f", "scorm12", "-v", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0 and "different pass marks" in result.output


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_course_page_loads_the_adapter(run, course, tmp_path, fmt) -> None:  # type: ignore[no-untyped-def]
    archive = build(run, course, tmp_path / "out", fmt)
    pages = [n for n in archive.namelist() if n.startswith("course/") and n.endswith(".html")]
    assert pages
    for name in pages:
        html = etree.HTML(archive.read(name))
        sources = html.xpath("//head/script/@src")
        adapter = [s for s in sources if s.endswith("scorm/scorm-adapter.js")]
        assert len(adapter) == 1, name
        depth = name.count("/")
        assert adapter[0] == "../" * depth + "scorm/scorm-adapter.js"
        # what knows the unit's own pages comes first, shared with the cmi5 adapter
        assert sources.index("../" * depth + "lms/unit-pages.js") < sources.index(adapter[0])
    for name in [n for n in archive.namelist() if n.endswith(".html") and "/" not in n]:
        launch = etree.HTML(archive.read(name)).xpath("//head/script/@src")
        assert launch == ["lms/unit-pages.js", "scorm/scorm-adapter.js"], name


@pytest.mark.parametrize("fmt", FORMATS)
def test_package_is_reproducible(run, course, tmp_path, fmt) -> None:  # type: ignore[no-untyped-def]
    first = Path(build(run, course, tmp_path / "one", fmt).filename or "")
    second = Path(build(run, course, tmp_path / "two", fmt).filename or "")
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_bundled_course_builds_a_valid_package(bundled_build: Path, fmt: str) -> None:
    archive = zipfile.ZipFile(next((bundled_build / fmt).glob("*.zip")))
    assert errors(manifest(archive), fmt) == []


def sco_configs(archive: zipfile.ZipFile) -> list[dict]:  # type: ignore[type-arg]
    """Each SCO launch page's settings, as the adapter reads them."""
    found = []
    for name in archive.namelist():
        if name.startswith("sco-"):
            node = etree.HTML(archive.read(name)).xpath("//script[@id='coursepack-sco']")[0]
            found.append(json.loads(node.text))
    return found


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_module_sco_links_only_its_own_pages(bundled_build: Path, fmt: str) -> None:
    """In the bundled course (several modules and a final assessment), no page of a SCO links
    another SCO's page, and every page but a lone quiz leads on with rel=next, its quiz's result
    screen too."""
    archive = zipfile.ZipFile(next((bundled_build / fmt).glob("*.zip")))
    scos = sco_configs(archive)
    assert len(scos) > 2
    for sco in scos:
        own = set(sco["pages"])
        assert sco["start"] in own and set(sco["lessons"]) <= own
        for page in sorted(own):
            html = etree.HTML(archive.read("course/" + page))
            here = posixpath.dirname(page)
            targets = {posixpath.normpath(posixpath.join(here, href.split("#")[0]))
                       for href in html.xpath("//a/@href")
                       if href.split("#")[0].endswith(".html") and "://" not in href}
            assert targets <= own, f"{sco['sco']}: {page} links {sorted(targets - own)}"
            assert not html.xpath("//*[@data-reset-progress]"), page
            nexts = html.xpath("//a[@rel='next']/@href")
            assert len(nexts) == (1 if len(own) > 1 else 0), page
            if page.startswith("quizzes/"):  # the result screen leads where Next does, or nowhere
                assert html.xpath("//*[@data-quiz-result]//a[@data-continue]/@href") == nexts, page
    assert not any(n in archive.namelist() for n in ("course/index.html", "course/glossary.html"))


@pytest.mark.parametrize("cmi5_units", ["module", "course"])
def test_packages_built_together_share_one_site_and_are_as_built_alone(
        run, course, tmp_path, monkeypatch, cmi5_units) -> None:  # type: ignore[no-untyped-def]
    """SCORM 1.2 and 2004 and cmi5 carry the same course pages, each with its own scripts:
    a build of all three renders those pages once (twice when cmi5 makes one unit of the
    course and SCORM one per module), and each package is byte for byte the one a build
    of it alone makes."""
    from coursepack.exporters.html import HtmlExporter

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    spec = course / "course.yaml"
    spec.write_text(spec.read_text() + f"cmi5:\n  au_per: {cmi5_units}\n")
    rendered: list[bool] = []  # each site rendered for an LMS: split by module or not
    original = HtmlExporter.export

    def counted(self, ctx):  # type: ignore[no-untyped-def]
        if self.in_lms:
            rendered.append(self.split)
        return original(self, ctx)

    monkeypatch.setattr(HtmlExporter, "export", counted)
    packages = ("scorm12", "scorm2004", "cmi5")
    together = tmp_path / "together"
    result = run("build", str(course), *(a for f in packages for a in ("-f", f)),
                 "--out", str(together))
    assert result.exit_code == 0, result.output
    assert rendered == ([True] if cmi5_units == "module" else [True, False])
    for fmt in packages:
        alone = tmp_path / f"alone-{fmt}"
        assert run("build", str(course), "-f", fmt, "--out", str(alone)).exit_code == 0
        made, = (together / fmt).glob("*.zip")
        assert made.read_bytes() == (alone / fmt / made.name).read_bytes(), fmt
