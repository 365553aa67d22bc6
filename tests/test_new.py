"""`coursepack new`: an author adds a lesson, a module and a quiz, and the course still validates."""

from __future__ import annotations

from pathlib import Path

from coursepack.lint import lint_course
from coursepack.loader import load_course

MODULE = "modules/writing-questions/module.yaml"


def validates(run, course: Path, warnings: str = "0 warnings") -> str:  # type: ignore[no-untyped-def]
    result = run("validate", str(course))
    assert result.exit_code == 0, result.output
    assert f"0 errors, {warnings}" in result.output, result.output
    return str(result.output)


def test_new_lesson_goes_into_the_only_module_keeping_comments(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    module = course / MODULE
    before = module.read_text().replace("  - feedback\n", "  - feedback   # then the quiz\n"
                                        "  # - drafts go here when they are ready\n")
    module.write_text(before)
    result = run("new", "lesson", "water-safety", str(course))
    assert result.exit_code == 0, result.output
    assert "modules/writing-questions/water-safety.yaml" in result.output
    after = module.read_text()
    assert after == before.replace(
        "  - feedback   # then the quiz\n",
        "  - feedback   # then the quiz\n  - water-safety\n",
    )
    validates(run, course)
    loaded, _ = load_course(course)
    lessons = [lesson.id for lesson in loaded.modules[0].lessons]
    assert lessons == ["one-idea", "feedback", "water-safety"]
    assert loaded.modules[0].lessons[-1].title == "Water safety"


def test_new_module_then_its_lesson_and_quiz(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    assert run("new", "module", "field-work", str(course)).exit_code == 0
    assert (course / "course.yaml").read_text().count("  - field-work\n") == 1

    unsure = run("new", "lesson", "site-visit", str(course))
    assert unsure.exit_code == 1
    assert "which module?" in unsure.output and "writing-questions, field-work" in unsure.output

    assert run("new", "lesson", "site-visit", str(course), "--module", "field-work").exit_code == 0
    assert run("new", "quiz", "field-check", str(course), "-m", "field-work").exit_code == 0
    validates(run, course)
    loaded, _ = load_course(course)
    field = loaded.modules[1]
    assert [lesson.id for lesson in field.lessons] == ["introduction", "site-visit"]
    quiz = next(q for q in loaded.quizzes if q.id == "field-check")
    assert quiz.module == "field-work" and quiz.questions[0].objectives == (field.objectives[0].id,)
    assert lint_course(loaded) == []  # the scaffold must not teach a flaw the lint warns about


def test_flow_lists_and_a_listed_quizzes_key_are_extended_in_place(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    course_yaml = course / "course.yaml"
    text = course_yaml.read_text().replace(
        "modules:\n  - writing-questions\n",
        "modules: [writing-questions]  # the order learners follow\n"
        "quizzes:\n  - writing-questions\n  - final\n",
    )
    course_yaml.write_text(text)
    assert run("new", "module", "field-work", str(course)).exit_code == 0
    assert run("new", "quiz", "recap", str(course)).exit_code == 0
    assert course_yaml.read_text() == text.replace(
        "[writing-questions]", "[writing-questions, field-work]"
    ).replace("  - final\n", "  - final\n  - recap\n")
    output = validates(run, course, warnings="1 warning")  # a reminder, not a fault:
    assert "objective 'field-work-1' is not assessed by any question" in output


def test_windows_line_endings_are_kept(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    module = course / MODULE
    crlf = module.read_text().replace("\n", "\r\n").encode()
    module.write_bytes(crlf)
    assert run("new", "lesson", "water-safety", str(course)).exit_code == 0
    assert module.read_bytes() == crlf.replace(
        b"  - feedback\r\n", b"  - feedback\r\n  - water-safety\r\n"
    )


def test_clear_errors_and_nothing_written(course: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def files() -> dict[str, bytes]:
        return {p.relative_to(course).as_posix(): p.read_bytes()
                for p in sorted(course.rglob("*")) if p.is_file()}

    before = files()
    cases = [
        (("lesson", "Water Safety"), "'Water Safety' is not a valid id"),
        (("lesson", "one-idea"), "modules/writing-questions/one-idea.yaml already exists"),
        (("lesson", "x", "--module", "nope"), "there is no module 'nope'"),
        (("quiz", "final"), "quizzes/final.yaml already exists"),
        (("module", "writing-questions"), "modules/writing-questions already exists"),
    ]
    for args, message in cases:
        result = run("new", *args[:2], str(course), *args[2:])
        assert result.exit_code == 1, result.output
        assert message in result.output
    assert files() == before

    outside = run("new", "lesson", "intro", str(tmp_path / "empty"))
    assert outside.exit_code == 1 and "no course.yaml" in outside.output


# A course that came from elsewhere, with links out of its folder ------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_new_never_writes_through_a_folder_linked_out_of_the_course(
        course: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The module's folder and quizzes/ are links to folders elsewhere: nothing is read
    or written there, and the message names the link."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("modules/writing-questions", "quizzes"):
        moved = elsewhere / Path(name).name
        (course / name).rename(moved)
        (course / name).symlink_to(moved)
    before = _snapshot(elsewhere)

    lesson = run("new", "lesson", "planted", str(course))
    quiz = run("new", "quiz", "planted-quiz", str(course))

    assert lesson.exit_code == 1 and quiz.exit_code == 1
    assert lesson.stderr.splitlines()[0] == (
        f"error: modules/writing-questions is a link to {elsewhere / 'writing-questions'}, "
        "outside the course folder")
    assert quiz.stderr.splitlines()[0] == (
        f"error: quizzes is a link to {elsewhere / 'quizzes'}, outside the course folder")
    assert "replace the link with the file or folder itself" in quiz.stderr
    assert _snapshot(elsewhere) == before


def test_new_never_writes_through_a_file_linked_out_of_the_course(
        course: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """course.yaml a link to a file elsewhere; a lesson file that is a link to nowhere yet."""
    precious = tmp_path / "precious.yaml"
    precious.write_text((course / "course.yaml").read_text())
    (course / "course.yaml").unlink()
    (course / "course.yaml").symlink_to(precious)
    before = precious.read_bytes()
    result = run("new", "module", "planted", str(course))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: course.yaml is a link to {precious}, outside")
    assert precious.read_bytes() == before and not (course / "modules" / "planted").exists()

    (course / "course.yaml").unlink()
    (course / "course.yaml").write_bytes(before)
    nowhere = tmp_path / "would-be-created.yaml"
    (course / "modules" / "writing-questions" / "planted.yaml").symlink_to(nowhere)
    result = run("new", "lesson", "planted", str(course))
    assert result.exit_code == 1
    assert "modules/writing-questions/planted.yaml already exists" in result.stderr
    assert not nowhere.exists()
