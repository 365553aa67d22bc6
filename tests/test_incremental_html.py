"""The site is rebuilt page by page: an edit renders again the pages it changes and no
other, and a page kept from the last build is never stale (every rebuild below is
compared byte for byte with a cold build of the same course)."""

from __future__ import annotations

import filecmp
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coursepack.build import build
from coursepack.errors import CoursepackError
from coursepack.exporters.gift import GiftExporter

MODULE = Path("modules/writing-questions")
LESSONS = ("one-idea", "second", "third", "feedback")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own per-user folder and its course's cache beside it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("COURSEPACK_CACHE_DIR", raising=False)


@pytest.fixture
def long_course(course: Path) -> Path:
    """The starter course with four lessons in its module, so a lesson has two neighbours."""
    folder = course / MODULE
    text = (folder / "one-idea.yaml").read_text(encoding="utf-8")
    for name, title in (("second", "A second lesson"), ("third", "A third lesson")):
        (folder / f"{name}.yaml").write_text(
            text.replace("title: One idea per question", f"title: {title}"), encoding="utf-8")
    module = folder / "module.yaml"
    module.write_text(module.read_text(encoding="utf-8").replace(
        "  - one-idea\n  - feedback\n", "".join(f"  - {n}\n" for n in LESSONS)),
        encoding="utf-8")
    return course


def rebuild(course: Path, out: Path, caplog: pytest.LogCaptureFixture) -> set[str]:
    """Build the site into ``out``; the pages it rendered (not taken over)."""
    return set(rendered(course, out, ["html"], caplog))


def rendered(course: Path, out: Path, formats: list[str],
             caplog: pytest.LogCaptureFixture) -> list[str]:
    """Build ``formats`` into ``out``; each page rendered, as often as it was rendered (a
    Common Cartridge lesson page as ``imscc:<module>/<lesson>``)."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="coursepack.html"), \
            caplog.at_level(logging.DEBUG, logger="coursepack.imscc"):
        build(course, formats, out)
    return [("imscc:" if r.name == "coursepack.imscc" else "")
            + r.getMessage().removeprefix("rendered ") for r in caplog.records
            if r.getMessage().startswith("rendered ")]


def same_as_cold(course: Path, out: Path, tmp_path: Path, formats: tuple[str, ...] = ("html",),
                 ) -> None:
    """What the incremental build made equals, file for file and byte for byte, a cold
    build's."""
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    os.environ["COURSEPACK_CACHE_DIR"] = str(tmp_path / "cold-cache")
    try:
        build(course, list(formats), cold)
    finally:
        del os.environ["COURSEPACK_CACHE_DIR"]
        shutil.rmtree(tmp_path / "cold-cache", ignore_errors=True)
    for fmt in formats:
        assert _tree(out / fmt) == _tree(cold / fmt)
        for relpath in _tree(cold / fmt):
            assert filecmp.cmp(out / fmt / relpath, cold / fmt / relpath, shallow=False), \
                f"{fmt}/{relpath}"


def _tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


PAGES = {f"writing-questions/{name}.html" for name in LESSONS} | {
    "writing-questions/index.html", "quizzes/writing-questions.html", "quizzes/final.html",
    "index.html", "glossary.html", "sources.html", "search.html", "certificate.html"}


def test_a_body_edit_renders_its_own_page_and_nothing_else(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "build"
    assert rebuild(long_course, out, caplog) == PAGES
    edit(long_course / MODULE / "second.yaml", "Cover the options with your hand",
         "Hide the options with your hand")
    assert rebuild(long_course, out, caplog) == {"writing-questions/second.html"}
    index = (out / "html" / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "Hide the options with your hand" in index  # the search index follows the text
    same_as_cold(long_course, out, tmp_path)


def test_a_title_edit_renders_every_page_that_shows_it(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    edit(long_course / MODULE / "second.yaml", "title: A second lesson",
         "title: Options of equal weight")
    rendered = rebuild(long_course, out, caplog)
    # the contents beside every page list it; its neighbours' "Previous" and "Next" name it
    assert {"writing-questions/one-idea.html", "writing-questions/third.html",
            "writing-questions/second.html", "writing-questions/index.html"} <= rendered
    assert rendered == PAGES
    third = (out / "html" / "writing-questions" / "third.html").read_text(encoding="utf-8")
    assert "Options of equal weight" in third
    same_as_cold(long_course, out, tmp_path)


def test_a_key_term_edit_renders_its_lesson_and_the_glossary(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    edit(long_course / MODULE / "one-idea.yaml",
         "The part of a question that asks it", "The part of an item that asks it")
    assert rebuild(long_course, out, caplog) == {"writing-questions/one-idea.html",
                                                 "glossary.html"}
    glossary = (out / "html" / "glossary.html").read_text(encoding="utf-8")
    assert "The part of an item that asks it" in glossary
    same_as_cold(long_course, out, tmp_path)


def test_a_template_of_the_course_renders_every_page_again(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    own = long_course / "templates" / "html"
    own.mkdir(parents=True)
    base = Path(__file__).resolve().parents[1] / "templates" / "html" / "base.html.j2"
    text = base.read_text(encoding="utf-8")
    (own / "base.html.j2").write_text(text.replace("<footer", "<p>Draft</p><footer"),
                                      encoding="utf-8")
    assert rebuild(long_course, out, caplog) == PAGES
    edit(own / "base.html.j2", "<p>Draft</p>", "<p>Final</p>")
    assert rebuild(long_course, out, caplog) == PAGES
    # with its own templates, a page may show anything of the course: a body edit renders all
    edit(long_course / MODULE / "second.yaml", "Cover the options", "Hide the options")
    assert rebuild(long_course, out, caplog) == PAGES
    same_as_cold(long_course, out, tmp_path)


def test_a_course_setting_renders_every_page_again(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    edit(long_course / "course.yaml", "licence: CC-BY-4.0", "licence: CC BY 4.0")
    assert rebuild(long_course, out, caplog) == PAGES
    assert "CC BY 4.0" in (out / "html" / "writing-questions" / "third.html").read_text(
        encoding="utf-8")
    same_as_cold(long_course, out, tmp_path)


def test_a_deleted_lesson_leaves_no_page_behind(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    edit(long_course / MODULE / "module.yaml", "  - third\n", "")
    (long_course / MODULE / "third.yaml").unlink()
    rebuild(long_course, out, caplog)
    assert not (out / "html" / "writing-questions" / "third.html").exists()
    same_as_cold(long_course, out, tmp_path)


def test_an_image_changed_in_place_renders_the_pages_showing_it(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    image = long_course / MODULE / "images" / "stem-and-options.png"
    image.write_bytes(image.read_bytes() + b"\0")  # same name, other content
    rendered = rebuild(long_course, out, caplog)
    assert {f"writing-questions/{n}.html" for n in ("one-idea", "second", "third")} <= rendered
    same_as_cold(long_course, out, tmp_path)


def test_a_page_changed_in_the_output_is_rendered_again(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    page = out / "html" / "writing-questions" / "third.html"
    page.write_text("tampered", encoding="utf-8")
    edit(long_course / MODULE / "second.yaml", "Cover the options", "Hide the options")
    assert rebuild(long_course, out, caplog) == {"writing-questions/second.html",
                                                 "writing-questions/third.html"}
    same_as_cold(long_course, out, tmp_path)


def test_a_page_locked_or_a_folder_linked_elsewhere_in_the_output_is_not_taken_over(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A page taken over is a link to the last build's file: it would keep a mode changed
    since (the new build's page unreadable), and a folder of the output that now leads
    elsewhere would make the new output share files with a folder outside it."""
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    locked = out / "html" / "writing-questions" / "third.html"
    locked.chmod(0o000)
    media = out / "html" / "media"
    elsewhere = tmp_path / "elsewhere"
    shutil.move(media, elsewhere)
    media.symlink_to(elsewhere, target_is_directory=True)
    outside = {p.stat().st_ino for p in elsewhere.iterdir()}
    edit(long_course / MODULE / "second.yaml", "Cover the options", "Hide the options")
    assert rebuild(long_course, out, caplog) == {"writing-questions/second.html",
                                                 "writing-questions/third.html"}
    assert locked.stat().st_mode & 0o777 != 0
    assert not outside & {p.stat().st_ino for p in (out / "html").rglob("*") if p.is_file()}
    same_as_cold(long_course, out, tmp_path)


def test_a_failed_build_leaves_no_record_of_pages_it_did_not_deliver(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The site of a build that fails in a later format never reaches the output folder:
    the next build must not take the old pages there for the new ones."""
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    edit(long_course / MODULE / "second.yaml", "Cover the options", "Hide the options")

    def fails(self: object, ctx: object) -> Path:
        raise CoursepackError.single("this format failed")

    with monkeypatch.context() as patched:
        patched.setattr(GiftExporter, "export", fails)
        with pytest.raises(CoursepackError):
            build(long_course, ["html", "gift"], out)
    assert "Hide the options" not in (out / "html" / "writing-questions" / "second.html"
                                      ).read_text(encoding="utf-8")
    assert rebuild(long_course, out, caplog) == {"writing-questions/second.html"}
    same_as_cold(long_course, out, tmp_path)


def test_an_unchanged_rebuild_renders_nothing(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Even when the format as a whole is built again (another format's input changed
    nothing the site shows), every page is taken over."""
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    edit(long_course / MODULE / "module.yaml", "    Bring printed copies",
         "    Bring two printed copies")  # facilitator notes: not on the site
    assert rebuild(long_course, out, caplog) == set()
    same_as_cold(long_course, out, tmp_path)


def test_an_image_changed_in_the_output_is_copied_again(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "build"
    rebuild(long_course, out, caplog)
    (copy,) = (out / "html" / "media").glob("*stem-and-options.png")
    copy.write_bytes(bytes(len(copy.read_bytes())))  # same size, other bytes
    edit(long_course / MODULE / "second.yaml", "Cover the options", "Hide the options")
    rebuild(long_course, out, caplog)
    same_as_cold(long_course, out, tmp_path)


PACKAGES = ("scorm12", "scorm2004", "cmi5", "single-file", "field-pack", "imscc")
"""The formats that carry the site's pages in a package or a file."""


@pytest.mark.pdf  # the field pack carries the PDFs
def test_a_body_edit_renders_one_page_of_each_package(
        long_course: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The packages keep their pages in the cache: an edited lesson renders its page once
    for each site they carry (SCORM 1.2 and 2004 and cmi5 carry the same one; the field
    pack carries the site and the single files) and once for the Common Cartridge, and
    each package is a cold build's."""
    out = tmp_path / "build"
    cold = rendered(long_course, out, list(PACKAGES), caplog)
    lesson = "writing-questions/second.html"
    assert cold.count(lesson) == 3  # the LMS site, the field pack's site, the single files
    assert cold.count("index.html") == 1  # only the field pack's site has a home page
    assert cold.count("imscc:writing-questions/second") == 1

    edit(long_course / MODULE / "second.yaml", "Cover the options with your hand",
         "Hide the options with your hand")
    assert sorted(rendered(long_course, out, list(PACKAGES), caplog)) == \
        ["imscc:writing-questions/second"] + [lesson] * 3
    same_as_cold(long_course, out, tmp_path, PACKAGES)
    with zipfile.ZipFile(next((out / "scorm2004").glob("*.zip"))) as package:
        page = next(n for n in package.namelist() if n.endswith(lesson))
        assert "Hide the options with your hand" in package.read(page).decode("utf-8")

    assert rendered(long_course, out, list(PACKAGES), caplog) == []  # nothing changed


EVERY_FORMAT = ("html", "moodle-xml", "gift", "qti12", "qti21", "scorm12", "scorm2004", "cmi5",
                "imscc", "pdf", "field-pack", "single-file")


@pytest.mark.pdf
@pytest.mark.xdist_group("pdf")
def test_edits_that_move_things_around_leave_no_stale_file_in_any_format(
        long_course: Path, tmp_path: Path) -> None:
    """Each edit an author makes to a course's shape, one after another, then a rebuild of
    every format: file for file, byte for byte, what a cold build makes."""
    folder = long_course / MODULE
    out = tmp_path / "build"
    build(long_course, list(EVERY_FORMAT), out)

    def swap_lessons() -> None:
        edit(folder / "module.yaml", "  - second\n  - third\n", "  - third\n  - second\n")

    def grow_a_lesson_by_pages() -> None:  # every later page number in the pack moves
        more = "".join(f"  Paragraph {n}: café, ملف, «texte», enough words to fill a line "
                       "of print and then some more of them.\n\n" for n in range(80))
        edit(folder / "third.yaml", "body: |\n", "body: |\n" + more)

    def rename_a_lesson() -> None:
        (folder / "second.yaml").rename(folder / "second-renamed.yaml")
        edit(folder / "module.yaml", "  - second\n", "  - second-renamed\n")

    def add_an_image_with_an_awkward_name() -> None:
        shutil.copy(next(folder.glob("images/*.png")), folder / "images" / "café ملف.png")
        edit(folder / "feedback.yaml", "body: |\n",
             "body: |\n  ![Un schéma «rouge»](images/café%20ملف.png)\n\n")

    def change_the_paper() -> None:
        edit(long_course / "course.yaml", "paper: A4", "paper: Letter")

    for change in (swap_lessons, grow_a_lesson_by_pages, rename_a_lesson,
                   add_an_image_with_an_awkward_name, change_the_paper):
        change()
        build(long_course, list(EVERY_FORMAT), out)
        same_as_cold(long_course, out, tmp_path, EVERY_FORMAT)


def test_what_only_a_module_overview_shows_reaches_every_copy_of_it(
        course: Path, tmp_path: Path) -> None:
    """A module's page lists its objectives, its lessons' summaries and durations, and its
    quizzes' pass marks. The single files and the field pack carry that page too, and kept
    their old copy when nothing else on it changed."""
    out = tmp_path / "build"
    formats = ["html", "single-file", "field-pack"]
    build(course, formats, out)
    edit(course / MODULE / "module.yaml", "text: Write a stem that tests one idea",
         "text: Écrire une amorce «claire» that tests one idea")
    edit(course / MODULE / "feedback.yaml", "duration: 10", "duration: 47")
    edit(course / "quizzes" / "writing-questions.yaml", "pass_mark: 60", "pass_mark: 61")
    build(course, formats, out)
    same_as_cold(course, out, tmp_path, tuple(formats))
    single = next((out / "single-file").glob("01-*.html")).read_text(encoding="utf-8")
    assert "Écrire une amorce «claire»" in single


def test_a_lesson_saved_while_the_course_loads_is_built_by_the_next_build(
        course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor's autosave lands just after the build read the lesson: that build shows
    the text it read, and the next one sees the save (it kept the stale page for good)."""
    from coursepack import _yaml

    lesson = course / MODULE / "one-idea.yaml"
    real_read = _yaml.read_text

    def read_then_saved(path: Path, *args: object, **kwargs: object) -> str:
        text = real_read(path, *args, **kwargs)  # type: ignore[arg-type]
        if path.name == "one-idea.yaml" and "Hide the options" not in lesson.read_text():
            edit(lesson, "Cover the options with your hand", "Hide the options under a card")
        return text

    out = tmp_path / "build"
    monkeypatch.setattr(_yaml, "read_text", read_then_saved)
    build(course, ["html"], out)
    monkeypatch.setattr(_yaml, "read_text", real_read)
    page = out / "html" / "writing-questions" / "one-idea.html"
    assert "Cover the options with your hand" in page.read_text(encoding="utf-8")
    build(course, ["html"], out)
    assert "Hide the options under a card" in page.read_text(encoding="utf-8")
    same_as_cold(course, out, tmp_path)


@pytest.mark.pdf
@pytest.mark.xdist_group("pdf")
def test_a_logo_a_course_template_shows_is_an_input_of_every_pdf(
        course: Path, tmp_path: Path) -> None:
    """A course's own handout template shows a logo from the course's images/ folder, and
    links a style sheet that puts a picture behind the headings. A new logo, or a new
    picture, made no PDF again: the format was kept, and so were its parts."""
    from PIL import Image

    def picture(path: Path, colour: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (60, 20), colour).save(path, "PNG")

    theme = Path(__file__).resolve().parents[1] / "templates" / "pdf"
    own = course / "templates" / "pdf"
    own.mkdir(parents=True)
    heading = '<h1 class="section-title">'
    handout = (theme / "handout.html.j2").read_text(encoding="utf-8")
    assert heading in handout
    (own / "handout.html.j2").write_text(handout.replace(heading, (
        '<link rel="stylesheet" href="styles/extra.css">'
        '<img src="images/logo%20du%20cours.png" alt="Logo">') + heading), encoding="utf-8")
    (course / "styles").mkdir()
    (course / "styles" / "extra.css").write_text(
        'h1 { background: url("back ground.png"); }', encoding="utf-8")
    picture(course / "images" / "logo du cours.png", "red")
    picture(course / "styles" / "back ground.png", "yellow")
    out = tmp_path / "build"
    formats = ("pdf", "field-pack")
    build(course, list(formats), out)
    handout_pdf = next((out / "pdf" / "handouts").rglob("*.pdf"))
    first = handout_pdf.read_bytes()

    picture(course / "images" / "logo du cours.png", "blue")
    build(course, list(formats), out)
    second = handout_pdf.read_bytes()
    assert second != first
    same_as_cold(course, out, tmp_path, formats)

    picture(course / "styles" / "back ground.png", "green")  # named by a CSS file only
    build(course, list(formats), out)
    assert handout_pdf.read_bytes() != second
    same_as_cold(course, out, tmp_path, formats)


def _template_asking(course: Path, html: str) -> None:
    """A course handout template that shows ``html`` above each lesson's title."""
    theme = Path(__file__).resolve().parents[1] / "templates" / "pdf"
    heading = '<h1 class="section-title">'
    handout = (theme / "handout.html.j2").read_text(encoding="utf-8")
    own = course / "templates" / "pdf"
    own.mkdir(parents=True, exist_ok=True)
    (own / "handout.html.j2").write_text(handout.replace(heading, html + heading),
                                         encoding="utf-8")


def _png(path: Path, colour: str) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 20), colour).save(path, "PNG")


ASKED_FOR = {  # how a template asks: (its HTML, files as (path, CSS text or a colour))
    "an unquoted attribute": ("<img src=images/q.png alt=q>", [("images/q.png", "red")]),
    "an import without a space": ('<link rel="stylesheet" href="css/a.css">', [
        ("css/a.css", '@import"b.css";'), ("css/b.css", "h1 { background: url(t.png) }"),
        ("css/t.png", "red")]),
    "a CSS escape": ('<style>h1 { background: url("images/e\\73 c.png") }</style>',
                     [("images/esc.png", "red")]),
    "a base address": ('<base href="sub/"><img src="v.png" alt="v">', [("sub/v.png", "red")]),
    "a query": ('<img src="images/j.png?v=1" alt="j">', [("images/j.png", "red")]),
    "a style sheet through a linked folder": (
        '<link rel="stylesheet" href="styles/x.css">',
        [("shared/css/x.css", "h1 { background: url(../img/t.png) }"),
         ("img/t.png", "red")]),
}


@pytest.mark.pdf
@pytest.mark.xdist_group("pdf")
@pytest.mark.parametrize("case", list(ASKED_FOR))
def test_a_file_a_course_template_asks_for_in_any_way_is_an_input(
        case: str, course: Path, tmp_path: Path) -> None:
    """Whatever WeasyPrint fetches for a course's own template is what the PDF is made
    from: a file named in a way a scan of the HTML would miss is followed all the same."""
    html, files = ASKED_FOR[case]
    _template_asking(course, html)
    for relpath, content in files:
        if relpath.endswith(".png"):
            _png(course / relpath, content)
        else:
            (course / relpath).parent.mkdir(parents=True, exist_ok=True)
            (course / relpath).write_text(content, encoding="utf-8")
    if case == "a style sheet through a linked folder":
        (course / "styles").symlink_to("shared/css")
    out = tmp_path / "build"
    build(course, ["pdf"], out)
    handout = next((out / "pdf" / "handouts").rglob("*.pdf"))
    before = handout.read_bytes()
    _png(course / files[-1][0], "blue")
    build(course, ["pdf"], out)
    assert handout.read_bytes() != before, "the PDF was kept as it was"
    same_as_cold(course, out, tmp_path, ("pdf",))


@pytest.mark.pdf
@pytest.mark.xdist_group("pdf")
@pytest.mark.parametrize("case", ["a pipe", "a style sheet that imports itself"])
def test_a_file_a_course_template_asks_for_never_hangs_the_build(
        case: str, course: Path, tmp_path: Path) -> None:
    if case == "a pipe":
        _template_asking(course, '<img src="images/pipe.png" alt="p">')
        (course / "images").mkdir()
        os.mkfifo(course / "images" / "pipe.png")
        address = "images/pipe.png"
    else:
        _template_asking(course, '<link rel="stylesheet" href="loop.css">')
        (course / "loop.css").write_text('@import "loop.css"; h1 { color: red }',
                                         encoding="utf-8")
        address = "loop.css"
    result = subprocess.run(
        [sys.executable, "-m", "coursepack", "build", str(course), "-f", "pdf", "--out",
         str(tmp_path / "build")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"'{address}' is left out of" in result.stdout + result.stderr
