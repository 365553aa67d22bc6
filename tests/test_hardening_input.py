"""Hostile courses, as an attacker (or an unlucky author) would write them.

Each test is one class of attack on the input: names that reach outside the course or
collide, numbers and characters no format can carry, files that are not files, tags that
would include others, links that would run script. Each must end in the exact located
message, exit code 1, and a previous build/ left exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import Run

ID_RULE = "lower-case letters, digits, '-' or '_', starting with a letter or digit"
OUTSIDE_HINT = ("copy the file into the course folder (not a link to a file elsewhere) and "
                "refer to it by a relative path")
SCHEME_HINT = ("link to a web page (https://...), an e-mail address (mailto:...) or a file of "
               "the course by its relative path")


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(course: Path, run: Run, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A good build of the starter course, and what it holds, before the attack."""
    out = tmp_path / "build"
    result = run("build", str(course), "--out", str(out), "--format", "html")
    assert result.exit_code == 0, result.output
    return out, snapshot(out)


def refused(run: Run, course: Path, built: tuple[Path, dict[str, str]]) -> list[str]:
    """Build the attacked course: it must fail with located errors and leave build/ alone."""
    out, before = built
    result = run("build", str(course), "--out", str(out), "--format", "html")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert snapshot(out) == before, "a refused build changed build/"
    return result.stderr.splitlines()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- ids and names ------------------------------------------------------------------------

def test_a_quiz_listed_by_a_path_cannot_read_a_file_outside_the_course(
        course: Path, run: Run, built: tuple[Path, dict[str, str]]) -> None:
    shutil.copy(course / "quizzes" / "final.yaml", course.parent / "x.yaml")
    edit(course / "course.yaml", "paper: A4\n", "paper: A4\nquizzes: [writing-questions, ../x]\n")
    lines = refused(run, course, built)
    assert (f"course.yaml:15:30: error: each item of 'quizzes' must be {ID_RULE} "
            "(got '../x')") in lines


@pytest.mark.parametrize(("name", "shown"), [
    ("..\\..\\x", "..\\..\\x"),
    ('a"<>b', 'a"<>b'),
    ("a\nb", "a\\nb"),
    ("Final", "Final"),
    ("con", "con"),
])
def test_a_quiz_file_name_that_is_no_id_is_refused(
        name: str, shown: str, course: Path, run: Run,
        built: tuple[Path, dict[str, str]]) -> None:
    shutil.copy(course / "quizzes" / "final.yaml", course / "quizzes" / f"{name}.yaml")
    lines = refused(run, course, built)
    why = ("'con' is a device name on Windows, where no file may be called so" if name == "con"
           else f"must be {ID_RULE}")
    assert f"quizzes/{shown}.yaml: error: the file name of a quiz {why} (got '{shown}')" in lines


def test_an_id_with_a_trailing_line_break_is_refused(
        course: Path, run: Run, built: tuple[Path, dict[str, str]]) -> None:
    edit(course / "course.yaml", "id: starter-course", 'id: "starter-course\\n"')
    lines = refused(run, course, built)
    assert f"course.yaml:3:5: error: 'id' must be {ID_RULE} (got 'starter-course\\n')" in lines
    assert "  hint: ids become file names, web addresses and LMS identifiers; write e.g. " \
           "'starter-course'" in lines


def test_new_refuses_a_name_with_a_line_break_and_leaves_the_course_valid(
        course: Path, run: Run) -> None:
    before = snapshot(course)
    result = run("new", "lesson", "x\n", str(course))
    assert result.exit_code == 1
    assert f"error: 'x\\n' is not a valid id: it must be {ID_RULE}" in result.stderr
    assert snapshot(course) == before
    assert run("validate", str(course)).exit_code == 0


@pytest.mark.parametrize(("first", "second"), [("wq_single", "wq-single"),
                                                ("wq--single", "wq-single")])
def test_ids_that_give_the_same_anchor_are_reported_at_both_places(
        first: str, second: str, course: Path, run: Run,
        built: tuple[Path, dict[str, str]]) -> None:
    with (course / "quizzes" / "final.yaml").open("a", encoding="utf-8") as file:
        file.write(f"questions:\n  - {{id: {first}, type: description, stem: s}}\n")
    lines = refused(run, course, built)
    assert (f"quizzes/writing-questions.yaml:16:5: error: question id '{second}' gives the same "
            f"file name and page anchor ('wq-single') as question id '{first}' (at "
            "quizzes/final.yaml:14:5)") in lines


@pytest.mark.parametrize("written", ["Wq.Multiple", '""', '" "'])
def test_ids_that_differ_only_by_case_or_spaces_are_no_ids(
        written: str, course: Path, run: Run, built: tuple[Path, dict[str, str]]) -> None:
    edit(course / "quizzes" / "writing-questions.yaml", "id: wq-intro", f"id: {written}")
    lines = refused(run, course, built)
    value = written.strip('"')
    assert (f"quizzes/writing-questions.yaml:10:9: error: 'id' must be {ID_RULE} "
            f"(got '{value}')") in lines


def test_a_lesson_called_index_would_overwrite_its_module_page(
        course: Path, run: Run, built: tuple[Path, dict[str, str]]) -> None:
    folder = course / "modules" / "writing-questions"
    (folder / "feedback.yaml").rename(folder / "index.yaml")
    edit(folder / "module.yaml", "  - feedback", "  - index")
    lines = refused(run, course, built)
    assert ("modules/writing-questions/index.yaml:1:1: error: a lesson may not be called "
            "'index': that is the file name of the page of module 'writing-questions'") in lines


# --- numbers and strings ------------------------------------------------------------------

FINITE = "must be a finite number no larger than 1e15, got"


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("course.yaml", "pass_mark: 70", "pass_mark: .nan",
     f"course.yaml:24:14: error: 'pass_mark' {FINITE} '.nan'"),
    ("course.yaml", "attempts: 3", "attempts: 1e400",
     "course.yaml:25:13: error: 'attempts' must be a whole number, got '1e400'"),
    ("quizzes/final.yaml", "points: 1", "points: -.inf",
     f"quizzes/final.yaml:12:13: error: 'points' {FINITE} '-.inf'"),
    ("quizzes/final.yaml", "pick: 4", "pick: 10000000000000000000000",
     f"quizzes/final.yaml:11:11: error: 'pick' {FINITE} '10000000000000000000000'"),
    ("course.yaml", "title: Writing Good Quiz Questions", 'title: "\\x1b[2JWriting"',
     "course.yaml:4:8: error: 'title' contains the control character U+001B, which no output "
     "format can carry"),
    ("course.yaml", "  - Your Name", '  - "Your \\ud800Name"',
     "course.yaml:8:5: error: 'authors' contains the control character U+D800, which no "
     "output format can carry"),
    ("course.yaml", "paper: A4", '"pa\\x1b[31mper": A4',
     "course.yaml:14:1: error: unknown field 'pa\\x1b[31mper' in course.yaml"),
])
def test_numbers_and_characters_no_format_can_carry_are_refused_where_written(
        file: str, old: str, new: str, message: str, course: Path, run: Run,
        built: tuple[Path, dict[str, str]]) -> None:
    edit(course / file, old, new)
    lines = refused(run, course, built)
    assert message in lines, "\n".join(lines)
    assert not any("\x1b" in line for line in lines), "an escape sequence reached the terminal"


@pytest.mark.parametrize(("text", "more"), [
    (b"First line.\nA \x07bell, \x07twice and \x1b[2J.\n", " (and 2 more)"),
    (b"First line.\rA \x07bell.\r", ""),  # lines ended by CR alone, an old Mac's: line 2
])
def test_a_control_character_in_a_source_text_is_located(
        text: bytes, more: str, course: Path, run: Run,
        built: tuple[Path, dict[str, str]]) -> None:
    source = course / "sources" / "item-writing-guide.txt"
    source.write_bytes(text)
    lines = refused(run, course, built)
    assert ("sources/item-writing-guide.txt:2:3: error: source text contains the control "
            f"character U+0007{more}, which is not text") in lines


def test_a_file_name_that_is_not_utf8_is_shown_escaped(
        course: Path, run: Run, built: tuple[Path, dict[str, str]]) -> None:
    name = os.fsdecode(b"caf\xe9")
    shutil.copy(course / "quizzes" / "final.yaml", course / "quizzes" / f"{name}.yaml")
    lines = refused(run, course, built)
    assert (f"quizzes/caf\\udce9.yaml: error: the file name of a quiz must be {ID_RULE} "
            "(got 'caf\\udce9')") in lines


# --- files --------------------------------------------------------------------------------

@pytest.mark.parametrize(("make", "message"), [
    (lambda q: (q / "loop.yaml").symlink_to("loop.yaml"),
     "quizzes/loop.yaml: error: this file is a symbolic link that leads back to itself"),
    (lambda q: (q / "folder.yaml").mkdir(),
     "quizzes/folder.yaml: error: this file is a folder, not a file"),
    (lambda q: os.mkfifo(q / "pipe.yaml"),
     "quizzes/pipe.yaml: error: this file is not an ordinary file (a pipe, socket or device)"),
    (lambda q: (q / "out.yaml").symlink_to(q.parent.parent / "outside.yaml"),
     "quizzes/out.yaml: error: this file is outside the course folder"),
])
def test_files_that_are_not_course_files_are_refused_without_reading_them(
        make, message: str, course: Path, run: Run,  # type: ignore[no-untyped-def]
        built: tuple[Path, dict[str, str]]) -> None:
    (course.parent / "outside.yaml").write_text("title: secret\n", encoding="utf-8")
    make(course / "quizzes")
    lines = refused(run, course, built)
    assert message in lines
    assert "secret" not in "\n".join(lines)


def test_a_source_linked_outside_the_course_is_refused(
        course: Path, run: Run, built: tuple[Path, dict[str, str]]) -> None:
    source = course / "sources" / "item-writing-guide.txt"
    outside = course.parent / "secret.txt"
    shutil.move(source, outside)
    source.symlink_to(outside)
    lines = refused(run, course, built)
    assert ("course.yaml:19:11: error: source 'sources/item-writing-guide.txt' is outside the "
            "course folder") in lines
    assert f"  hint: {OUTSIDE_HINT}" in lines


def test_course_yaml_linked_outside_the_course_is_refused(
        course: Path, run: Run, built: tuple[Path, dict[str, str]]) -> None:
    outside = course.parent / "elsewhere.yaml"
    shutil.move(course / "course.yaml", outside)
    (course / "course.yaml").symlink_to(outside)
    lines = refused(run, course, built)
    assert "course.yaml: error: this file is outside the course folder" in lines


@pytest.mark.parametrize(("text", "message"), [
    ("x: " + "[" * 100_000 + "]" * 100_000 + "\n",
     "course.yaml:28:204: error: YAML is nested more than 200 levels deep"),
    ("x: !include ../../etc/passwd\n",
     "course.yaml:28:4: error: YAML tag '!include' is not supported"),
    ("x: !!python/object/apply:os.system [ls]\n",
     "course.yaml:28:4: error: YAML tag '!!python/object/apply:os.system' is not supported"),
    ("x: !!binary aGk=\n", "course.yaml:28:4: error: YAML tag '!!binary' is not supported"),
])
def test_nesting_and_tags_plain_yaml_has_not_are_refused(
        text: str, message: str, course: Path, run: Run,
        built: tuple[Path, dict[str, str]]) -> None:
    with (course / "course.yaml").open("a", encoding="utf-8") as file:
        file.write(text)
    lines = refused(run, course, built)
    assert message in lines


def test_a_message_never_prints_a_whole_file(
        course: Path, run: Run, built: tuple[Path, dict[str, str]]) -> None:
    edit(course / "course.yaml", "  - writing-questions", "  - " + "x" * 100_000)
    lines = refused(run, course, built)
    assert max(len(line) for line in lines) < 400
    assert any("... (100,000 characters)" in line for line in lines)


# --- links --------------------------------------------------------------------------------

def test_a_source_url_that_would_run_script_is_refused(
        course: Path, run: Run, built: tuple[Path, dict[str, str]]) -> None:
    edit(course / "course.yaml", '    published: "2026"',
         '    published: "2026"\n    url: "javascript:alert(1)"')
    lines = refused(run, course, built)
    assert ("course.yaml:23:10: error: url 'javascript:alert(1)' uses 'javascript:', which a "
            "course may not link to") in lines
    assert f"  hint: {SCHEME_HINT}" in lines


@pytest.mark.parametrize(("written", "href", "scheme", "column"), [
    ("[x](javascript:alert(1))", "javascript:alert(1)", "javascript", 7),
    ("[x](JaVaScRiPt:alert(1))", "JaVaScRiPt:alert(1)", "javascript", 7),
    ('<a href="jav&#x61;script:alert(1)">x</a>', "jav&#x61;script:alert(1)", "javascript", 12),
    ("<vbscript:msgbox(1)>", "vbscript:msgbox(1)", "vbscript", 4),
    ("[x](data:text/html,hi)", "data:text/html,hi", "data", 7),
    ("[x](file:///etc/passwd)", "file:///etc/passwd", "file", 7),
    ("![x](javascript:alert(1))", "javascript:alert(1)", "javascript", 8),
])
def test_a_markdown_link_that_would_run_script_is_refused_where_written(
        written: str, href: str, scheme: str, column: int, course: Path, run: Run,
        built: tuple[Path, dict[str, str]]) -> None:
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    edit(lesson, "  ## Start from the stem\n", f"  ## Start from the stem\n\n  {written}\n")
    lines = refused(run, course, built)
    assert (f"modules/writing-questions/one-idea.yaml:8:{column}: error: link '{href}' uses "
            f"'{scheme}:', which a course may not link to") in lines, "\n".join(lines)


def test_web_mail_and_relative_links_are_kept(course: Path, run: Run, tmp_path: Path) -> None:
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    edit(lesson, "  ## Start from the stem\n", "  ## Start from the stem\n\n  [w](https://"
         "example.org/a?b=c) [m](mailto:a@example.org) [h](#x)\n")
    out = tmp_path / "good"
    result = run("build", str(course), "--out", str(out), "--format", "html")
    assert result.exit_code == 0, result.output
    page = (out / "html" / "writing-questions" / "one-idea.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/a?b=c"' in page and 'href="mailto:a@example.org"' in page


def test_a_module_named_like_a_folder_of_the_site_is_refused(
        course: Path, run: Run, built: tuple[Path, dict[str, str]]) -> None:
    (course / "modules" / "writing-questions").rename(course / "modules" / "quizzes")
    edit(course / "course.yaml", "  - writing-questions", "  - quizzes")
    edit(course / "quizzes" / "writing-questions.yaml", "module: writing-questions",
         "module: quizzes")
    lines = refused(run, course, built)
    assert ("modules/quizzes/module.yaml:1:1: error: a module may not be called 'quizzes': the "
            "site and the PDFs keep their own files in a folder of that name") in lines


@pytest.mark.parametrize(("make", "message"), [
    (lambda q: q.symlink_to("quizzes"),
     "quizzes: error: 'quizzes' is a symbolic link that leads back to itself"),
    (lambda q: os.mkfifo(q), "quizzes: error: 'quizzes' is not a folder"),
])
def test_a_quizzes_folder_that_is_no_folder_is_not_silently_empty(
        make, message: str, course: Path, run: Run,  # type: ignore[no-untyped-def]
        built: tuple[Path, dict[str, str]]) -> None:
    shutil.rmtree(course / "quizzes")
    make(course / "quizzes")
    lines = refused(run, course, built)
    assert message in lines


def test_a_file_name_that_is_not_utf8_is_watched_like_any_other(course: Path, run: Run,
                                                                  tmp_path: Path) -> None:
    """A file copied from an old disk, its name in Latin-1, sits among the lesson images:
    the build neither fails nor misses that it changed."""
    odd = os.fsdecode(bytes(course / "modules" / "writing-questions" / "images") + b"/caf\xe9.png")
    Path(odd).write_bytes(b"first")
    out = tmp_path / "out"

    def kept() -> bool:
        result = run("build", str(course), "-f", "gift", "--out", str(out))
        assert result.exit_code == 0, result.output
        return "the last build's output is kept" in result.output

    assert not kept()
    assert kept()
    Path(odd).write_bytes(b"second")
    assert not kept()


def test_folders_nested_deeper_than_python_recurses_are_watched(course: Path, run: Run,
                                                                 tmp_path: Path) -> None:
    """1,500 folders one inside the other under sources/ (an unzipped archive gone wrong):
    the build goes through them without running out of stack, and sees the file at the
    bottom change."""
    chain = [course / "sources" / "d"]
    for _ in range(1499):  # about 3,000 characters: within what a path may have
        chain.append(chain[-1] / "d")
    for folder in chain:
        folder.mkdir()
    bottom = chain[-1] / "notes.txt"
    bottom.write_text("first", encoding="utf-8")
    out = tmp_path / "out"

    def kept() -> bool:
        result = run("build", str(course), "-f", "gift", "--out", str(out))
        assert result.exit_code == 0, result.output
        return "the last build's output is kept" in result.output

    try:
        assert not kept()
        assert kept()
        bottom.write_text("second", encoding="utf-8")
        assert not kept()
    finally:  # pytest removes its folders by recursion, which this chain would exhaust
        bottom.unlink()
        for folder in reversed(chain):
            folder.rmdir()
