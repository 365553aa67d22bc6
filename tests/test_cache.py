"""The build cache as a user meets it: outside what they distribute, never stale, bounded,
removable with one command, and never trusting a cache someone else made."""

from __future__ import annotations

import errno
import itertools
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment
from PIL import Image

from coursepack import cache, fingerprint
from coursepack.cache import CACHE_DIR, Cache, TemplateCache
from coursepack.errors import Origin, warning
from coursepack.output_folder import MARKER
from tests.conftest import Run

FAST = "moodle-xml"  # a format that builds in a blink: enough to see what is kept


@pytest.fixture(autouse=True)
def own_user_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test has its own per-user folder (and so its own secret)."""
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("COURSEPACK_CACHE_DIR", raising=False)
    monkeypatch.delenv("COURSEPACK_CACHE_LIMIT_MB", raising=False)
    return folder


def kept(run: Run, course: Path, out: Path, fmt: str = FAST) -> bool:
    """Build one format; whether it was taken over from the last build unchanged."""
    result = run("build", str(course), "-f", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    return "the last build's output is kept" in result.output


def test_every_kind_of_input_makes_a_rebuild_miss(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    assert not kept(run, course, out)
    assert kept(run, course, out)

    def changed(what: str) -> None:
        assert not kept(run, course, out), f"{what} changed, yet the output was kept"
        assert kept(run, course, out), f"after {what} changed, the next build was not kept"

    quiz = course / "quizzes" / "writing-questions.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed("a quiz file")

    image = next((course / "modules").rglob("*.png"))
    image.write_bytes(image.read_bytes() + b"\0")
    assert not kept(run, course, out, "html"), "an image changed, yet the site was kept"

    course_yaml = course / "course.yaml"
    course_yaml.write_text(course_yaml.read_text(encoding="utf-8").replace(
        "paper: A4", "paper: Letter"), encoding="utf-8")
    changed("a setting")

    own = course / "templates" / "pdf" / "print.css.j2"
    own.parent.mkdir(parents=True)
    own.write_text("/* house style */\n", encoding="utf-8")
    changed("a template of the course")

    theme = tmp_path / "theme"
    shutil.copytree(fingerprint.default_templates(), theme)
    monkeypatch.setattr(fingerprint, "default_templates", lambda: theme)
    assert kept(run, course, out), "the theme moved, its bytes the same: kept"
    next(theme.rglob("*.j2")).write_text("{# edited #}\n", encoding="utf-8")
    changed("a file of the default theme")

    monkeypatch.setattr(cache, "environment", lambda: "another coursepack or library")
    changed("the code or a library")

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    changed("SOURCE_DATE_EPOCH")


BANKS = ("moodle-xml", "gift", "qti12", "qti21")


def kept_formats(run: Run, course: Path, out: Path, formats: tuple[str, ...] = BANKS,
                 ) -> set[str]:
    """Build ``formats``; those taken over from the last build unchanged."""
    result = run("build", str(course), *(a for f in formats for a in ("-f", f)),
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    return {line.split()[0] for line, after in itertools.pairwise(lines)
            if "the last build's output is kept" in after}


def same_as_a_cold_build(run: Run, course: Path, out: Path, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    with monkeypatch.context() as patch:
        patch.setenv("COURSEPACK_CACHE_DIR", str(tmp_path / "cold-cache"))
        assert not kept_formats(run, course, cold)
    shutil.rmtree(tmp_path / "cold-cache")
    for fmt in BANKS:
        made = {p.relative_to(out).as_posix(): p.read_bytes()
                for p in (out / fmt).rglob("*") if p.is_file()}
        assert made == {p.relative_to(cold).as_posix(): p.read_bytes()
                        for p in (cold / fmt).rglob("*") if p.is_file()}, fmt


def test_an_edit_to_lessons_alone_keeps_the_question_banks(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moodle XML, GIFT and QTI show no lesson: a lesson's text, title or image edited
    keeps them (and they are a cold build's); what they show, edited, does not."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "out"
    assert not kept_formats(run, course, out)
    folder = course / "modules" / "writing-questions"
    lesson = folder / "one-idea.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "title: One idea per question", "title: Une idée par question «»").replace(
        "Cover the options", "Hide the options"), encoding="utf-8")
    image = folder / "images" / "stem-and-options.png"
    image.write_bytes(image.read_bytes() + b"\0")  # shown by that lesson only
    assert kept_formats(run, course, out) == set(BANKS)
    same_as_a_cold_build(run, course, out, tmp_path, monkeypatch)

    quiz = course / "quizzes" / "writing-questions.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace(
        "    stem: What should a learner who knows the answer be able to do?",
        "    stem: |\n      ![Options](../modules/writing-questions/images/stem-and-options.png)"
        "\n\n      What should a learner who knows the answer be able to do?"),
        encoding="utf-8")
    assert kept_formats(run, course, out) == set()  # a quiz edited
    image.write_bytes(image.read_bytes() + b"\0")  # now a question shows it too
    assert kept_formats(run, course, out) == set()
    module = folder / "module.yaml"
    module.write_text(module.read_text(encoding="utf-8").replace(
        "title: Writing questions that teach", "title: Questions that teach"), encoding="utf-8")
    assert kept_formats(run, course, out) == set()  # a category's name
    same_as_a_cold_build(run, course, out, tmp_path, monkeypatch)

    own = course / "templates" / "gift" / "questions.gift.j2"
    own.parent.mkdir(parents=True)
    shutil.copy(fingerprint.default_templates() / "gift" / "questions.gift.j2", own)
    assert kept_formats(run, course, out) == set()  # a file of the course's templates
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    # a course's own template can show a lesson: that format is made again
    assert kept_formats(run, course, out) == set(BANKS) - {"gift"}
    same_as_a_cold_build(run, course, out, tmp_path, monkeypatch)


def test_the_files_a_rebuild_watches_are_the_course_s_own_and_nothing_beyond(
        tmp_path: Path) -> None:
    """What the fingerprint reads: every visible file of the course folders, however deep,
    a link only when it leads inside the course, never a pipe, nothing outside."""
    root = tmp_path / "course"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.yaml").write_text("secret\n", encoding="utf-8")
    for relpath in ("course.yaml", "modules/m1/module.yaml", "modules/m1/a lesson é.yaml",
                    "modules/m1/images/deep/photo 1.png", "modules/m1/.draft.yaml",
                    "modules/.hidden/x.yaml", "quizzes/q.yaml", "sources/text.txt",
                    "templates/html/base.html.j2", "translations/fr/course.po",
                    "notes/not-a-course-folder.txt"):
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(relpath, encoding="utf-8")
    (root / "modules" / "m1" / "inside-link.yaml").symlink_to(root / "quizzes" / "q.yaml")
    (root / "modules" / "m1" / "outside-link.yaml").symlink_to(outside / "secret.yaml")
    (root / "modules" / "m1" / "linked-folder").symlink_to(outside)
    (root / "sources" / "loop").symlink_to(root / "sources" / "loop")
    os.mkfifo(root / "sources" / "pipe")
    (root / "templates" / "pdf").symlink_to(outside)

    found = [path.relative_to(root).as_posix() for path in fingerprint.course_files(root)]

    assert found == ["course.yaml", "modules/m1/a lesson é.yaml",
                     "modules/m1/images/deep/photo 1.png", "modules/m1/inside-link.yaml",
                     "modules/m1/module.yaml", "quizzes/q.yaml", "sources/text.txt",
                     "templates/html/base.html.j2", "translations/fr/course.po"]
    (root / "modules").rename(root / "elsewhere-modules")
    (root / "modules").symlink_to(outside)
    assert "modules" not in {path.relative_to(root).parts[0]
                             for path in fingerprint.course_files(root)}


def test_code_python_and_library_versions_enter_every_key(tmp_path: Path) -> None:
    code = tmp_path / "coursepack"
    shutil.copytree(Path(cache.__file__).parent, code,
                    ignore=shutil.ignore_patterns("__pycache__"))
    versions = cache.library_versions()
    assert set(versions) >= {"jinja2", "markdown-it-py", "weasyprint", "pikepdf", "lxml"}
    before = cache.code_and_libraries(code, versions)
    assert cache.code_and_libraries(code, versions) == before
    assert cache.code_and_libraries(code, {**versions, "weasyprint": "0.1"}) != before
    (code / "render.py").write_text((code / "render.py").read_text() + "# edited\n")
    assert cache.code_and_libraries(code, versions) != before
    edited = cache.code_and_libraries(code, versions)
    french = code / "locale" / "fr" / "LC_MESSAGES" / "coursepack.po"  # a better translation
    french.write_text(french.read_text().replace("Réessayer", "Essayer encore"))
    assert cache.code_and_libraries(code, versions) != edited
    translated = cache.code_and_libraries(code, versions)
    font = code / "exporters" / "pdf" / "typefaces" / "NotoSans-Regular.ttf"  # a newer Noto
    font.write_bytes(font.read_bytes() + b"\0")
    assert cache.code_and_libraries(code, versions) != translated


def test_a_copied_course_reuses_its_cache_but_a_stranger_cache_is_never_read(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A course zipped with its cache (and its build) by someone else is built afresh."""
    out = tmp_path / "out"
    assert not kept(run, course, out)
    copy, copied_out = tmp_path / "copy", tmp_path / "copy-out"
    shutil.copytree(course, copy)
    shutil.copytree(out, copied_out)
    assert kept(run, copy, copied_out)  # same user: the same inputs, the same output
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    assert not kept(run, copy, copied_out)


def test_built_folders_hold_only_what_a_user_distributes(bundled_build: Path) -> None:
    """Every format's folder: no hidden file or folder, no record of inputs, no PDF parts.
    Beside them only the marker that says the folder is a coursepack build (and its lock)."""
    folders = [p for p in bundled_build.iterdir() if p.is_dir()]
    assert len(folders) >= 9
    hidden = [p.relative_to(bundled_build).as_posix() for p in bundled_build.rglob("*")
              if p.name.startswith(".") or "cache" in p.name.lower()]
    assert hidden == [MARKER]


def test_a_read_only_course_keeps_its_cache_in_the_user_folder(
        run: Run, course: Path, tmp_path: Path, own_user_folder: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "_writable", lambda folder: False)
    assert cache.location(course) == own_user_folder / "coursepack" / "store"
    out = tmp_path / "out"
    assert not kept(run, course, out)
    assert kept(run, course, out)
    assert not (course / CACHE_DIR).exists()
    assert list((own_user_folder / "coursepack" / "store" / "entries").rglob("*"))


def test_clean_leaves_the_cache_other_courses_share_unless_told(
        run: Run, course: Path, tmp_path: Path, own_user_folder: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only course's builds keep their cache in the per-user folder, with every
    other course that cannot keep its own: cleaning one course emptied it for them all."""
    store = own_user_folder / "coursepack" / "store"
    other = tmp_path / "other-course"
    shutil.copytree(course, other)
    (other / CACHE_DIR).write_text("not a folder")  # so it uses the per-user folder too
    with monkeypatch.context() as read_only:
        read_only.setattr(cache, "_writable", lambda folder: False)
        assert not kept(run, course, tmp_path / "out")
    assert not kept(run, other, tmp_path / "other-out")
    entries = sorted(store.rglob("*"))

    monkeypatch.setattr(cache, "_writable", lambda folder: False)
    result = run("clean", str(course))
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())
    assert (f"error: {course} keeps no cache of its own ({course} cannot be written): its "
            f"builds use {store}, which every course that cannot keep one shares; removing "
            "it would remove theirs too") in said
    assert "hint: run 'coursepack clean --shared' to remove it all the same" in said
    assert sorted(store.rglob("*")) == entries
    assert kept(run, other, tmp_path / "other-out")

    result = run("clean", "--shared", str(course))
    assert result.exit_code == 0, result.output
    assert f"removed {store}: " in result.output and not store.exists()


def test_a_cache_that_cannot_be_written_leaves_the_build_whole_and_says_so(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk, or a cache folder someone broke: the build is delivered, and the user
    learns why the next one will not be faster."""
    broken = tmp_path / "broken-cache"
    broken.mkdir()
    (broken / "entries").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("COURSEPACK_CACHE_DIR", str(broken))
    result = run("build", str(course), "-f", FAST, "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "html" / "index.html").is_file()
    assert result.output.count("cache: could not keep") == 1
    assert f"in {broken} (" in result.output
    assert "COURSEPACK_CACHE_DIR" in result.output
    assert "Traceback" not in result.output

    monkeypatch.delenv("COURSEPACK_CACHE_DIR")  # a cache that works says nothing
    result = run("build", str(course), "-f", FAST, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "cache:" not in result.output


def test_a_file_where_the_cache_folder_goes_is_left_and_the_user_folder_used(
        run: Run, course: Path, tmp_path: Path, own_user_folder: Path) -> None:
    (course / CACHE_DIR).write_text("someone's notes", encoding="utf-8")
    result = run("build", str(course), "-f", FAST, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0 and "cache:" not in result.output, result.output
    assert kept(run, course, tmp_path / "out")
    assert (course / CACHE_DIR).read_text(encoding="utf-8") == "someone's notes"
    assert list((own_user_folder / "coursepack" / "store" / "entries").rglob("*"))


@pytest.mark.parametrize(("code", "remedy"), [
    (errno.ENOSPC, "Free some space there"), (errno.EDQUOT, "Free some space there"),
    (errno.EACCES, "Set COURSEPACK_CACHE_DIR to a folder you may write"),
    (errno.EROFS, "Set COURSEPACK_CACHE_DIR to a folder you may write")])
def test_the_note_on_an_unwritten_cache_says_what_helps(
        tmp_path: Path, code: int, remedy: str) -> None:
    store = Cache(tmp_path / "c")
    store.unwritten = OSError(code, os.strerror(code))
    note = store.unwritten_note()
    assert note is not None
    assert f"in {tmp_path / 'c'} ({os.strerror(code)}); " in note and remedy in note


def test_links_in_a_course_cache_never_lead_writes_out_of_it(
        run: Run, course: Path, tmp_path: Path, own_user_folder: Path) -> None:
    """A course that arrives with its cache folder, or the folders in it, linked elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (course / CACHE_DIR).symlink_to(elsewhere)
    assert not kept(run, course, tmp_path / "out")
    assert list(elsewhere.iterdir()) == []
    assert list((own_user_folder / "coursepack" / "store" / "entries").rglob("*"))

    (course / CACHE_DIR).unlink()
    entries = course / CACHE_DIR / "entries"
    entries.mkdir(parents=True)
    for prefix in range(256):
        (entries / f"{prefix:02x}").symlink_to(elsewhere)
    assert not kept(run, course, tmp_path / "out2")
    assert list(elsewhere.iterdir()) == []


def _linked_module(course: Path) -> Path:
    (course / "shared").mkdir()
    module = course / "modules" / "writing-questions"
    module.rename(course / "shared" / "writing-questions")
    module.symlink_to(Path("..", "shared", "writing-questions"), target_is_directory=True)
    return course / "shared" / "writing-questions" / "one-idea.yaml"


def _linked_static(course: Path) -> Path:
    (course / "pictures").mkdir()
    (course / "pictures" / "note.txt").write_text("ORIGINAL", encoding="utf-8")
    static = course / "templates" / "html" / "static"
    static.mkdir(parents=True)
    (static / "img").symlink_to(Path("..", "..", "..", "pictures"), target_is_directory=True)
    return course / "pictures" / "note.txt"


def _linked_templates(course: Path) -> Path:
    (course / "house" / "static").mkdir(parents=True)
    (course / "house" / "static" / "note.txt").write_text("ORIGINAL", encoding="utf-8")
    (course / "templates").mkdir()
    (course / "templates" / "html").symlink_to(Path("..", "house"), target_is_directory=True)
    return course / "house" / "static" / "note.txt"


@pytest.mark.parametrize(("linked", "shown"), [
    (_linked_module, "writing-questions/one-idea.html"),
    (_linked_static, "assets/img/note.txt"),
    (_linked_templates, "assets/note.txt"),
], ids=["a module folder", "a static folder", "a format's templates folder"])
def test_a_file_in_a_folder_linked_inside_the_course_is_an_input(
        run: Run, course: Path, tmp_path: Path, linked: Callable[[Path], Path],
        shown: str) -> None:
    """A course may link a folder to another inside it, which a build reads through the
    link: editing a file there was not seen, and the last build's output was kept."""
    edited = linked(course)
    out = tmp_path / "out"
    assert not kept(run, course, out, "html")
    edited.write_text(edited.read_text(encoding="utf-8").replace(
        "ORIGINAL", "EDITED").replace("the stem is too vague", "the stem is EDITED"),
        encoding="utf-8")
    assert not kept(run, course, out, "html")
    assert "EDITED" in (out / "html" / shown).read_text(encoding="utf-8")


def test_an_image_only_a_translation_shows_is_an_input_of_its_edition(
        run: Run, course: Path, tmp_path: Path) -> None:
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "language: en\n", "language: en\nlanguages: [en, fr]\n", 1), encoding="utf-8")
    assert run("translate", "extract", str(course), "--lang", "fr").exit_code == 0
    (course / "art").mkdir()
    Image.new("RGB", (40, 30), (9, 9, 9)).save(course / "art" / "carte.png")
    po = course / "translations" / "fr" / "course.po"
    said = 'msgid "A good question tests one idea and can be answered before reading the options."\nmsgstr ""'
    text = po.read_text(encoding="utf-8")
    assert said in text
    po.write_text(text.replace(said, said[:-2] + '"Une bonne question. ![carte](../../art/carte.png)"'),
                  encoding="utf-8")
    out = tmp_path / "out"
    assert not kept(run, course, out, "html")
    Image.new("RGB", (40, 30), (200, 7, 7)).save(course / "art" / "carte.png")
    result = run("build", str(course), "-f", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    published = [p for p in (out / "fr" / "html" / "media").iterdir() if "carte" in p.name]
    assert [Image.open(p).getpixel((0, 0)) for p in published] == [(200, 7, 7)]


def test_clean_removes_the_cache_and_says_how_much_it_freed(
        run: Run, course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert not kept(run, course, out)
    size = sum(p.stat().st_size for p in (course / CACHE_DIR).rglob("*") if p.is_file())
    assert size > 0
    result = run("clean", str(course))
    assert result.exit_code == 0, result.output
    assert f": {size / 1e6:.1f} MB freed" in result.output and CACHE_DIR in result.output
    assert not (course / CACHE_DIR).exists()
    assert (out / FAST).is_dir(), "clean leaves the build alone"
    assert "no cache to remove" in run("clean", str(course)).output
    assert not kept(run, course, out), "nothing is kept without the cache's record"


def _files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_of_the_user_s_named_as_the_cache_is_never_taken_over(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """COURSEPACK_CACHE_DIR set to a home or project folder by mistake: the build keeps
    nothing there (its ignore file would hide the folder from git, and clean would then
    empty it), says so and how to fix it; clean refuses it."""
    mine = tmp_path / "home"
    (mine / "Documents").mkdir(parents=True)
    (mine / "Documents" / "report.txt").write_text("a year of work")
    (mine / ".gitignore").write_text("*.log\n")
    before = _files_in(mine)
    monkeypatch.setenv("COURSEPACK_CACHE_DIR", str(mine))
    result = run("build", str(course), "-f", FAST, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (f"cache: could not keep what this build made in {mine} (it holds other files: a "
            "cache needs a folder of its own); the next build will not be as fast. Set "
            "COURSEPACK_CACHE_DIR to a new or empty folder") in result.output
    assert run("clean", str(course)).exit_code == 1
    assert _files_in(mine) == before and sorted(p.name for p in mine.iterdir()) == [
        ".gitignore", "Documents"]


def test_a_file_named_as_the_cache_is_reported_as_a_file(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    named = tmp_path / "cache.txt"
    named.write_text("a file")
    monkeypatch.setenv("COURSEPACK_CACHE_DIR", str(named))
    result = run("build", str(course), "-f", FAST, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert f"in {named} (it is a file, not a folder); " in result.output
    assert named.read_text() == "a file"


def test_clean_removes_only_what_the_cache_holds(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty folder becomes the cache; a file put there later is left by clean."""
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    monkeypatch.setenv("COURSEPACK_CACHE_DIR", str(chosen))
    assert not kept(run, course, tmp_path / "out")
    (chosen / "notes.txt").write_text("mine")
    assert kept(run, course, tmp_path / "out")  # still its cache
    result = run("clean", str(course))
    assert result.exit_code == 0, result.output
    assert f"removed the cache from {chosen}, leaving the other files there: " in result.output
    assert _files_in(chosen) == {"notes.txt": b"mine"}


def test_a_course_s_cache_folder_holding_other_things_is_left_alone(
        run: Run, course: Path, tmp_path: Path, own_user_folder: Path) -> None:
    """A course can arrive with a .coursepack-cache/ that is not a cache of ours: its
    builds use the per-user folder, and leave that one as it is."""
    planted = course / CACHE_DIR
    (planted / "entries").mkdir(parents=True)
    (planted / "readme.txt").write_text("not a cache")
    before = _files_in(planted)
    assert not kept(run, course, tmp_path / "out")
    assert kept(run, course, tmp_path / "out")
    assert _files_in(planted) == before and not (planted / "CACHEDIR.TAG").exists()
    assert list((own_user_folder / "coursepack" / "store" / "entries").rglob("*"))


def test_clean_refuses_a_folder_that_is_not_a_cache(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "my-documents"
    mine.mkdir()
    (mine / "letter.txt").write_text("keep me")
    monkeypatch.setenv("COURSEPACK_CACHE_DIR", str(mine))
    result = run("clean", str(course))
    assert result.exit_code == 1
    assert "is not a coursepack cache" in result.stderr
    assert (mine / "letter.txt").read_text() == "keep me"


def test_init_git_ignores_the_build_and_its_cache(run: Run, tmp_path: Path) -> None:
    assert run("init", str(tmp_path / "new")).exit_code == 0
    ignored = (tmp_path / "new" / ".gitignore").read_text().split()
    assert "/build/" in ignored and f"/{CACHE_DIR}/" in ignored
    assert run("build", str(tmp_path / "new"), "-f", FAST).exit_code == 0
    assert (tmp_path / "new" / CACHE_DIR / ".gitignore").read_text().split()[-1] == "*"


def test_a_damaged_entry_is_a_miss_and_is_removed(tmp_path: Path) -> None:
    store = Cache(tmp_path / "c")
    key = store.key("test", "input")
    store.put(key, b"x" * 5000)
    assert store.get(key) == b"x" * 5000
    entry = next(p for p in (tmp_path / "c" / "entries").rglob("*") if p.is_file())
    entry.write_bytes(entry.read_bytes()[:3000])  # cut short
    assert store.get(key) is None
    assert not entry.exists()
    assert store.key("test", "input") != store.key("test", "inputs")
    assert store.key("test", "ab", "c") != store.key("test", "a", "bc")


def test_a_format_s_warnings_are_kept_with_its_record_and_a_damaged_one_is_no_record(
        tmp_path: Path) -> None:
    """What an export warned of comes back with the output it kept, word for word (an
    escape sequence stays text to escape when printed); a record whose warnings cannot be
    read is no record: the format is made again."""
    store, folder = Cache(tmp_path / "c"), tmp_path / "out"
    folder.mkdir()
    (folder / "a.txt").write_text("a", encoding="utf-8")
    said = [warning(None, "'logo \x1b[31m.png' is left out", "look", "pdf"),
            warning(Origin("templates/pdf/x.html.j2", 3, 7), "ünïcode ‮", "", "")]
    fingerprint.remember(store, "d", folder, "a.txt", {}, said)
    record = fingerprint.recorded(store, "d")
    assert record is not None and list(record.warnings) == said
    assert "\\x1b[31m" in str(record.warnings[0])

    key = store.key("format-output", "d")
    for damaged in ([{"origin": None}], [{"origin": ["x", "one", 1], "message": "m",
                                          "hint": "", "rule": ""}], "not a list of warnings",
                    [{"origin": None, "message": "m", "hint": None, "rule": ""}]):
        store.put_json(key, {**store.get_json(key), "warnings": damaged})
        assert fingerprint.recorded(store, "d") is None
        fingerprint.remember(store, "d", folder, "a.txt", {}, said)


def test_a_format_s_output_with_a_file_s_mode_changed_since_is_not_kept(
        tmp_path: Path) -> None:
    """A format's output is kept by linking its files into the new build: a file made
    unreadable in the output since would stay so in every build after it."""
    store, folder = Cache(tmp_path / "c"), tmp_path / "out"
    folder.mkdir()
    (folder / "a.txt").write_text("a", encoding="utf-8")
    fingerprint.remember(store, "d", folder, "a.txt", {})
    record = fingerprint.recorded(store, "d")
    assert record is not None and record.intact(folder)
    (folder / "a.txt").chmod(0o000)
    assert not record.intact(folder)


def test_eviction_removes_what_was_used_longest_ago(tmp_path: Path) -> None:
    first = Cache(tmp_path / "c")
    keys = {name: first.key("test", name) for name in ("old", "older", "recent")}
    for key in keys.values():
        first.put(key, b"." * 1000)
    long_ago = time.time() - 3600
    for offset, name in enumerate(("older", "old", "recent")):
        path = tmp_path / "c" / "entries" / keys[name][:2] / keys[name]
        os.utime(path, (long_ago + offset, long_ago + offset))
    later = Cache(tmp_path / "c", limit=TWO_ENTRIES)
    assert later.get(keys["older"]) is not None  # used now: kept, however old it was
    assert later.evict() > 0
    assert later.get(keys["old"]) is None
    assert later.get(keys["older"]) is not None and later.get(keys["recent"]) is not None


TWO_ENTRIES = 2300
"""A limit two entries of 1,000 bytes (1,032 with their digest) fit in with room to spare:
eviction goes down to nine tenths of the limit."""


def _filled(folder: Path, names: tuple[str, ...], size: int = 1000) -> Cache:
    store = Cache(folder)
    for name in names:
        store.put(store.key("test", name), b"." * size)
    return store


def _not_looked_at(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(root: Path) -> list[object]:
        raise AssertionError("every entry looked at")

    monkeypatch.setattr(cache, "_entries", refuse)


def test_a_build_within_the_limit_adds_to_the_size_noted_without_looking_at_entries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _filled(tmp_path / "c", ("a", "b")).evict() == 0  # looked, and noted: 2064 bytes
    _not_looked_at(monkeypatch)
    second = _filled(tmp_path / "c", ("c",))
    assert second.evict() == 0
    assert json.loads((tmp_path / "c" / "size.json").read_text())["bytes"] == 3 * 1032


def test_a_build_that_takes_the_noted_size_past_the_limit_evicts(tmp_path: Path) -> None:
    first = _filled(tmp_path / "c", ("old", "older"))
    assert first.evict() == 0
    long_ago = time.time() - 600
    for path in (tmp_path / "c" / "entries").glob("*/*"):
        os.utime(path, (long_ago, long_ago))
    later = Cache(tmp_path / "c", limit=TWO_ENTRIES)
    later.put(later.key("test", "new"), b"." * 1000)
    assert later.evict() == 1032  # one old entry
    assert len(list((tmp_path / "c" / "entries").glob("*/*"))) == 2
    assert json.loads((tmp_path / "c" / "size.json").read_text())["bytes"] == 2 * 1032


def test_a_full_cache_is_not_looked_at_again_by_every_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eviction leaves room below the limit: the builds after it add to the size noted
    instead of each finding the cache past its limit and looking at every entry."""
    first = _filled(tmp_path / "c", tuple(f"old {n}" for n in range(10)))
    first.evict()
    long_ago = time.time() - 600
    for path in (tmp_path / "c" / "entries").glob("*/*"):
        os.utime(path, (long_ago, long_ago))
    limit = 10 * 1032  # the ten entries fill it
    full = Cache(tmp_path / "c", limit=limit)
    full.put(full.key("test", "new"), b"." * 1000)
    assert full.evict() == 2 * 1032  # down to nine tenths: two old entries, not one
    _not_looked_at(monkeypatch)
    for build in range(2):
        later = Cache(tmp_path / "c", limit=limit)
        later.put(later.key("test", f"later {build}"), b"." * 300)
        assert later.evict() == 0


@pytest.mark.parametrize("noted", [
    "not json", "[]", '{"bytes": 10}', '{"bytes": -5, "looked": %(now)s}',
    '{"bytes": 1e400, "looked": %(now)s}', '{"bytes": 10, "looked": NaN}',
    '{"bytes": 10, "looked": %(future)s}', '{"bytes": 10, "looked": %(long_ago)s}',
    '{"bytes": "10", "looked": "soon"}'])
def test_a_size_noted_wrongly_or_long_ago_is_not_trusted(
        tmp_path: Path, noted: str) -> None:
    """A hand-edited, damaged or stale note makes the build look at the entries again."""
    _filled(tmp_path / "c", ("a", "b", "c"))
    now = time.time()
    (tmp_path / "c" / "size.json").write_text(noted % {
        "now": now, "future": now + 86_400, "long_ago": now - 2 * cache.SIZE_TRUSTED_FOR})
    later = Cache(tmp_path / "c", limit=TWO_ENTRIES)
    assert later.evict() == 1032
    assert json.loads((tmp_path / "c" / "size.json").read_text())["bytes"] == 2 * 1032


def test_a_size_note_that_is_a_link_is_not_followed(tmp_path: Path) -> None:
    """A cache that came with a course could hold a link named size.json to any file."""
    _filled(tmp_path / "c", ("a", "b", "c"))
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"bytes": 0, "looked": time.time()}))
    (tmp_path / "c" / "size.json").symlink_to(elsewhere)
    later = Cache(tmp_path / "c", limit=TWO_ENTRIES)
    assert later.evict() == 1032  # not trusted: the entries were looked at
    assert not (tmp_path / "c" / "size.json").is_symlink()  # the note replaced the link
    assert json.loads(elsewhere.read_text())["bytes"] == 0  # and the file it led to is intact


def test_a_cache_that_came_with_a_course_writes_nothing_through_its_links(
        run: Run, course: Path, tmp_path: Path) -> None:
    """A course zip can hold a cache folder of links: its ignore file leading to a file of
    the user's, its tag to a file that is not there yet. Building writes neither."""
    precious = tmp_path / "precious.txt"
    precious.write_text("the user's own notes\n")
    nowhere = tmp_path / "would-be-created"
    planted = course / CACHE_DIR
    planted.mkdir()
    (planted / ".gitignore").symlink_to(precious)
    (planted / "CACHEDIR.TAG").symlink_to(nowhere)
    assert not kept(run, course, tmp_path / "out")
    assert precious.read_text() == "the user's own notes\n"
    assert not nowhere.exists()
    for name in (".gitignore", "CACHEDIR.TAG"):
        assert (planted / name).is_file() and not (planted / name).is_symlink()
    assert kept(run, course, tmp_path / "out")  # and the cache works


@pytest.mark.parametrize("linked", ["entries", "entries/first"])
def test_eviction_never_removes_files_a_planted_link_leads_to(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        linked: str) -> None:
    """Entries found through a link (the entries' folder, or one of its folders) are not
    the cache's: not read, not written, never evicted, even with no room at all."""
    documents = tmp_path / "documents"
    (documents / "first").mkdir(parents=True)
    (documents / "first" / "report.pdf").write_bytes(b"%PDF- a user's report")
    old = time.time() - 10 * 86_400
    os.utime(documents / "first" / "report.pdf", (old, old))
    planted = course / CACHE_DIR / linked
    planted.parent.mkdir(parents=True)
    planted.symlink_to(documents if linked == "entries" else documents / "first")
    monkeypatch.setenv("COURSEPACK_CACHE_LIMIT_MB", "0")
    assert not kept(run, course, tmp_path / "out")
    # through a link to the entries' folder nothing is kept; a link beside the cache's
    # own folders is left alone
    assert kept(run, course, tmp_path / "out") is (linked != "entries")
    assert sorted(p.relative_to(documents).as_posix() for p in documents.rglob("*")) == [
        "first", "first/report.pdf"]
    assert (documents / "first" / "report.pdf").read_bytes() == b"%PDF- a user's report"


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "1e308", "-3", "a lot", "12 MB"])
def test_a_size_limit_that_is_not_a_size_stops_the_build_and_says_so(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        value: str) -> None:
    monkeypatch.setenv("COURSEPACK_CACHE_LIMIT_MB", value)
    result = run("build", str(course), "-f", FAST, "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"error: COURSEPACK_CACHE_LIMIT_MB is {value!r}, not a number of megabytes (0 or more)",
        "  hint: set it to the most the build cache may hold, for example "
        "COURSEPACK_CACHE_LIMIT_MB=2048, or unset it for 1024"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("value", "limit"), [
    ("", 1024 << 20), (" 12 ", 12 << 20), ("0", 0), ("0.5", 512 << 10), ("1e3", 1000 << 20)])
def test_a_size_limit_in_megabytes(monkeypatch: pytest.MonkeyPatch, value: str,
                                   limit: int) -> None:
    monkeypatch.setenv("COURSEPACK_CACHE_LIMIT_MB", value)
    cache.check_limit()
    assert Cache(None).limit == limit


def test_the_cache_never_grows_past_its_limit_across_builds(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no room at all, a build keeps only what it used itself."""
    monkeypatch.setenv("COURSEPACK_CACHE_LIMIT_MB", "0")

    def entries() -> set[str]:
        return {p.name for p in (course / CACHE_DIR / "entries").rglob("*") if p.is_file()}

    assert not kept(run, course, tmp_path / "out")
    first = entries()
    quiz = course / "quizzes" / "writing-questions.yaml"
    quiz.write_text(quiz.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not kept(run, course, tmp_path / "out")
    second = entries()
    assert second and len(second) <= len(first) and first - second  # the old record is gone


def test_a_build_that_alone_needs_more_than_the_limit_says_so_and_the_next_does_not_look(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eviction never removes what the build used; with a limit below that, every build
    after it found the cache past its limit and looked at every entry, for nothing."""
    store = _filled(tmp_path / "c", ("a", "b", "c"))
    big = Cache(tmp_path / "c", limit=1032)  # one entry's room; the build uses three
    for name in ("a", "b", "c"):
        assert big.get(big.key("test", name)) is not None
    assert big.evict() == 0
    note = big.past_limit_note()
    assert note is not None and note.startswith(
        f"cache: this build uses 1 MB of the cache in {tmp_path / 'c'}, more than its limit "
        "of 1 MB (COURSEPACK_CACHE_LIMIT_MB)"), note
    assert store.past_limit_note() is None
    _not_looked_at(monkeypatch)
    again = Cache(tmp_path / "c", limit=1032)
    assert again.evict() == 0 and again.past_limit_note() is None


def test_a_build_with_no_room_in_its_cache_says_how_much_it_needs(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSEPACK_CACHE_LIMIT_MB", "0")
    result = run("build", str(course), "-f", FAST, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    [note] = [line for line in result.output.splitlines() if line.startswith("cache: ")]
    assert "of the cache in" in note and "more than its limit of 0 MB" in note
    assert "Set COURSEPACK_CACHE_LIMIT_MB=1 or more" in note


@pytest.mark.parametrize("damage", ["empty", "cut short", "a folder", "a pipe", "a link"])
def test_a_damaged_key_is_made_anew_or_worked_around(
        run: Run, course: Path, tmp_path: Path, own_user_folder: Path, damage: str) -> None:
    """A key file left empty or cut short by a crash as it was written, or a folder in its
    place, made every build fail with an internal error (RecursionError)."""
    key = own_user_folder / "coursepack" / "key"
    key.parent.mkdir(parents=True)
    if damage == "a folder":
        key.mkdir()
    elif damage == "a pipe":  # reading it would wait for a writer forever
        os.mkfifo(key)
    elif damage == "a link":  # to what never ends: read whole, it filled the memory
        key.symlink_to("/dev/zero")
    else:
        key.write_bytes(b"" if damage == "empty" else b"k" * 31)
    assert not kept(run, course, tmp_path / "out")
    if damage in ("a folder", "a pipe", "a link"):  # not replaced: a key per process
        assert key.is_dir() or key.is_fifo() or key.is_symlink()
    else:
        assert len(key.read_bytes()) == 32 and kept(run, course, tmp_path / "out")


def test_an_entry_put_in_another_s_place_is_not_taken_for_it(tmp_path: Path) -> None:
    """A backup or a sync mixing up two whole entries: each held valid data, and a build
    took one for the other (a course pack that was the answer key)."""
    store = Cache(tmp_path / "c")
    pack, key = store.key("pdf", "course pack"), store.key("pdf", "answer key")
    store.put(pack, b"the course pack")
    store.put(key, b"the answer key")
    first, second = (tmp_path / "c" / "entries" / name[:2] / name for name in (pack, key))
    swapped = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(swapped)
    assert store.get(pack) is None and store.get(key) is None
    assert not first.exists() and not second.exists()  # removed, to be made again


def test_compiled_templates_come_from_the_cache_until_a_template_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t").mkdir()
    template = tmp_path / "t" / "page.j2"
    template.write_text("Hello {{ name }}")

    def environment() -> jinja2.Environment:
        return jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path / "t")),
                                  bytecode_cache=TemplateCache(Cache(tmp_path / "c")))

    assert environment().get_template("page.j2").render(name="Amina") == "Hello Amina"
    again = environment()

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(again, "compile", no_compiling)
    assert again.get_template("page.j2").render(name="Ravi") == "Hello Ravi"
    template.write_text("Bonjour {{ name }}")
    assert environment().get_template("page.j2").render(name="Zoé") == "Bonjour Zoé"

    sandboxed = SandboxedEnvironment(loader=jinja2.FileSystemLoader(str(tmp_path / "t")),
                                     bytecode_cache=TemplateCache(Cache(tmp_path / "c")))
    compiled: list[str] = []
    real = sandboxed.compile
    monkeypatch.setattr(sandboxed, "compile", lambda *a, **k: compiled.append("!") or real(*a, **k))
    assert sandboxed.get_template("page.j2").render(name="Zoé") == "Bonjour Zoé"
    assert compiled, "a sandboxed environment never runs what a plain one compiled"


def test_library_versions_are_those_python_would_import() -> None:
    """Read from the import path's folder names in one pass, they agree with asking
    importlib.metadata library by library (which the cache's keys used to do)."""
    from importlib import metadata

    def asked(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "none"

    assert cache.library_versions() == {name: asked(name) for name in cache.LIBRARIES}
    # coursepack's own, which names every PDF it renders, and one that is not installed
    assert cache.version_of("coursepack") == metadata.version("coursepack")
    assert cache.version_of("no-such-distribution-of-coursepack") is None


@pytest.mark.parametrize("planted", ["a pipe", "a link to /dev/zero", "a link out of it"])
def test_an_entry_that_is_not_a_file_is_never_read(tmp_path: Path, planted: str) -> None:
    """A cache that came with a course can hold anything where an entry goes: a pipe
    (reading it waited for ever), a link to /dev/zero (read until the memory ran out), a
    link to a file of the user's. Each is a miss, and goes; what a link led to stays."""
    store = Cache(tmp_path / "c")
    key = store.key("test", "input")
    store.put(key, b"x" * 5000)
    entry = next(p for p in (tmp_path / "c" / "entries").rglob("*") if p.is_file())
    entry.unlink()
    mine = tmp_path / "mine.txt"
    mine.write_bytes(b"the user's own")
    if planted == "a pipe":
        os.mkfifo(entry)
    else:
        entry.symlink_to("/dev/zero" if planted == "a link to /dev/zero" else mine)
    assert not store.has(key)
    found: list[bytes | None] = []
    reader = threading.Thread(target=lambda: found.append(store.get(key)), daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert found == [None], "the entry was read, or the read never ended"
    assert not os.path.lexists(entry)
    assert mine.read_bytes() == b"the user's own"


def test_clean_says_what_it_could_not_remove(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files the user may not remove (another user's, or made immutable): clean said it had
    removed the cache, and exited 0."""
    assert not kept(run, course, tmp_path / "out")
    stuck = next(p for p in (course / CACHE_DIR / "entries").rglob("*") if p.is_file())
    real_unlink = Path.unlink

    def refuse(path: Path, missing_ok: bool = False) -> None:
        if path == stuck:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(path))
        real_unlink(path, missing_ok)

    monkeypatch.setattr(Path, "unlink", refuse)
    result = run("clean", str(course))
    assert result.exit_code == 1
    assert f"could not remove {stuck}" in result.stderr
    assert "Operation not permitted" in result.stderr and "MB freed" in result.stderr
    assert "hint: check the permissions" in result.stderr
    assert [p for p in (course / CACHE_DIR).rglob("*") if p.is_file()] == [stuck]
