"""Banks written to trip an importer: texts special to YAML, Markdown and HTML, scripts,
right-to-left text, names with spaces, clashing images, links in zips, no --into."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml

from coursepack.loader import load_course
from coursepack.model import FillBlanks, ShortAnswer, SingleChoice
from tests.conftest import Run

PNG_RED = ("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4IScHRAwQCgAfJgQRoo8irwAAAABJ"
           "RU5ErkJggg==")


def moodle(*questions: str) -> str:
    return "<?xml version='1.0' encoding='UTF-8'?>\n<quiz>\n" + "\n".join(questions) + "\n</quiz>\n"


def shortanswer(name: str, stem: str, *answers: str) -> str:
    given = "".join(f'<answer fraction="100"><text><![CDATA[{a}]]></text></answer>'
                    for a in answers)
    return (f'<question type="shortanswer"><name><text><![CDATA[{name}]]></text></name>'
            f'<questiontext format="html"><text><![CDATA[{stem}]]></text></questiontext>'
            f"<usecase>0</usecase>{given}</question>")


TRICKY = ["yes", "null", "- a list?", "# not a heading", "@at", "%50% off", "a: b", "[x]",
          "{y}", "*star*", "  leading", "trailing  ", "'quoted'", '"double"', "1.5", "~",
          "عربى right-to-left", "emoji 🏕", "tab\there", "back\\slash", "NaN", "--- ", "&amp;"]


def test_texts_special_to_yaml_and_markdown_come_back_as_written(run: Run,
                                                                  tmp_path: Path) -> None:
    bank = tmp_path / "tricky bank é.xml"
    bank.write_text(moodle(*(shortanswer(f"q{n}", f"<p>Type it: {t}</p>", t.strip())
                             for n, t in enumerate(TRICKY))), encoding="utf-8")
    result = run("import", str(bank), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert run("validate", str(tmp_path / "c")).exit_code == 0
    course, _ = load_course(tmp_path / "c")
    got = [q.answers[0] for q in course.quizzes[0].questions if isinstance(q, ShortAnswer)]
    assert got == [t.strip() for t in TRICKY]
    for question in course.quizzes[0].questions:
        assert question.title.startswith("q")


def test_script_and_event_handlers_never_reach_the_course(run: Run, tmp_path: Path) -> None:
    stem = ('<p onclick="steal()">Hello<script>alert(1)</script> <a href="javascript:x()">'
            'link</a> <span style="color:red">red</span></p><table><tr><td colspan="2">'
            "cell</td></tr></table>")
    bank = tmp_path / "evil.xml"
    bank.write_text(moodle(shortanswer("Evil", stem, "ok")))
    result = run("import", str(bank), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "c" / "quizzes" / "evil.yaml").read_text()
    for bad in ("script", "alert", "onclick", "javascript", "color:red"):
        assert bad not in text
    course, _ = load_course(tmp_path / "c")
    stem_md = course.quizzes[0].questions[0].stem
    assert 'colspan="2"' in stem_md  # kept as (sanitised) HTML: Markdown has no colspan


def test_an_image_clashing_with_one_in_the_course_gets_another_name(run: Run,
                                                                    tmp_path: Path) -> None:
    course = tmp_path / "c"
    (course / "quizzes" / "images").mkdir(parents=True)
    (course / "course.yaml").write_text("id: c\ntitle: C\nmodules: []\n")
    (course / "quizzes" / "images" / "map.png").write_bytes(b"\x89PNG\r\n\x1a\nother")
    question = (
        '<question type="description"><name><text>Map</text></name><questiontext format="html">'
        '<text><![CDATA[<p><img src="@@PLUGINFILE@@/map.png" alt="Map"></p>]]></text>'
        f'<file name="map.png" path="/" encoding="base64">{PNG_RED}</file></questiontext>'
        "</question>")
    bank = tmp_path / "maps.xml"
    bank.write_text(moodle(question, shortanswer("Q", "<p>Where?</p>", "here")))
    result = run("import", str(bank), "--into", str(course))
    assert result.exit_code == 0, result.output
    assert (course / "quizzes" / "images" / "map.png").read_bytes().endswith(b"other")
    assert (course / "quizzes" / "images" / "map-2.png").is_file()
    assert "![Map](images/map-2.png)" in (course / "quizzes" / "maps.yaml").read_text()
    assert run("validate", str(course)).exit_code == 0


def test_a_zip_holding_a_link_is_refused(run: Run, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", "<manifest/>")
        link = zipfile.ZipInfo("media/passwd")
        link.external_attr = (0o120777 << 16)
        archive.writestr(link, "/etc/passwd")
    bank = tmp_path / "link.zip"
    bank.write_bytes(buffer.getvalue())
    result = run("import", str(bank), "--into", str(tmp_path / "c"), "--from", "qti12")
    assert result.exit_code == 1
    assert "the entry 'media/passwd' leaves the zip's root" in result.output
    assert not (tmp_path / "c").exists()


def test_without_into_a_new_course_is_made_around_the_bank(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bank = tmp_path / "Week 3 Bank.gift"
    bank.write_text("::Q1::Aid is given according to {=need ~nationality} alone.\n\n"
                    "::Q2::Which principle means taking no sides?{=neutrality ~humanity}\n")
    result = run("import", str(bank))
    assert result.exit_code == 0, result.output
    assert "created course week-3-bank" in result.output
    course_yaml = yaml.safe_load((tmp_path / "week-3-bank" / "course.yaml").read_text())
    assert course_yaml["quizzes"] == ["week-3-bank"]
    course, _ = load_course(tmp_path / "week-3-bank")
    first, second = course.quizzes[0].questions
    assert isinstance(first, FillBlanks) and isinstance(second, SingleChoice)
    built = run("build", "week-3-bank", "-f", "html", "-f", "moodle-xml", "--out", "out", "-q")
    assert built.exit_code == 0, built.output


def test_an_invalid_quiz_name_and_an_existing_quiz_are_refused(run: Run, tmp_path: Path) -> None:
    bank = tmp_path / "b.gift"
    bank.write_text("::Q::Water is wet.{T}\n")
    bad = run("import", str(bank), "--into", str(tmp_path / "c"), "--quiz", "Week 1")
    assert bad.exit_code == 1
    assert "'Week 1' is not a valid quiz name" in bad.output
    assert run("import", str(bank), "--into", str(tmp_path / "c"), "--quiz", "w1").exit_code == 0
    again = run("import", str(bank), "--into", str(tmp_path / "c"), "--quiz", "w1")
    assert again.exit_code == 1
    assert "the course already has a quiz 'w1' (quizzes/w1.yaml)" in again.output


def test_a_cloze_gap_with_several_answers_to_tick_is_kept_as_a_comment(run: Run,
                                                                       tmp_path: Path) -> None:
    question = ('<question type="multianswer"><name><text>Cloze MR</text></name>'
                '<questiontext format="html"><text><![CDATA[<p>Pick: {1:MULTIRESPONSE:%50%a~'
                "%50%b~%-100%c}</p>]]></text></questiontext></question>")
    bank = tmp_path / "cloze.xml"
    bank.write_text(moodle(question, shortanswer("Q", "<p>Where?</p>", "here")))
    result = run("import", str(bank), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert ("question 'Cloze MR': an embedded-answers (cloze) question: a gap with several "
            "answers to tick (MULTIRESPONSE), which a fill-blanks question has no place for; "
            "kept as a comment in the quiz file") in result.output
    assert "#   <question type=\"multianswer\">" in (
        tmp_path / "c" / "quizzes" / "cloze.yaml").read_text()


def test_images_and_links_a_course_cannot_hold_are_replaced_and_warned(
        run: Run, tmp_path: Path) -> None:
    stem = ('<p>A <img src="https://example.org/map.png" alt="web map"> B '
            '<img src="@@PLUGINFILE@@/gone.png" alt="gone"> C '
            '<img src="@@PLUGINFILE@@/fake.png" alt="fake"> D '
            f'<img src="data:image/png;base64,{PNG_RED}" alt="inline"> E '
            '<a href="@@PLUGINFILE@@/missing.pdf">handout</a> '
            '<a href="https://example.org">site</a></p>')
    question = ('<question type="description"><name><text>Files</text></name>'
                f'<questiontext format="html"><text><![CDATA[{stem}]]></text>'
                '<file name="fake.png" path="/" encoding="base64">bm90IGEgcG5n</file>'
                "</questiontext></question>")
    bank = tmp_path / "files.xml"
    bank.write_text(moodle(question))
    result = run("import", str(bank), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert ("files.xml:3:1: warning: the image 'https://example.org/map.png' is left out (it is "
            "on the web and a course must work offline); its description stands in its place"
            ) in result.output
    assert "the image '@@PLUGINFILE@@/gone.png' is left out (the bank does not hold it)" \
        in result.output
    assert "the image '@@PLUGINFILE@@/fake.png' is left out (image 'images/fake.png' is not " \
        "a PNG file)" in result.output
    assert "the link to '@@PLUGINFILE@@/missing.pdf' is left out" in result.output
    course, _ = load_course(tmp_path / "c")
    stem_md = course.quizzes[0].questions[0].stem
    assert stem_md.startswith("A [web map] B [gone] C [fake] D ![inline](images/inline-")
    assert "E handout [site](https://example.org)" in stem_md
    assert [a.path.read_bytes()[:4] for a in course.quizzes[0].questions[0].assets] == [
        b"\x89PNG"]


def test_a_question_the_course_would_refuse_is_kept_as_a_comment(run: Run,
                                                                 tmp_path: Path) -> None:
    lonely = ('<question type="multichoice"><name><text>Lonely</text></name>'
              '<questiontext format="html"><text>Only one option?</text></questiontext>'
              '<single>true</single><answer fraction="100"><text>yes</text></answer></question>')
    pair = ('<question type="matching"><name><text>One pair</text></name>'
            '<questiontext format="html"><text>Match it.</text></questiontext>'
            "<subquestion><text>a</text><answer><text>b</text></answer></subquestion>"
            "</question>")
    bank = tmp_path / "odd.xml"
    bank.write_text(moodle(lonely, pair, shortanswer("Fine", "<p>Where?</p>", "here")))
    result = run("import", str(bank), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert "imported 1 question, 2 kept as comments (NOT IMPORTED)" in result.output
    assert ("odd.xml:3:1: warning: question 'lonely' needs at least two choices; kept as a "
            "comment in the quiz file") in result.output
    assert "matching question 'one-pair' needs at least two pairs" in result.output
    text = (tmp_path / "c" / "quizzes" / "odd.yaml").read_text()
    assert "# NOT IMPORTED (odd.xml:3:1): as read, question 'lonely' needs at least two " \
        "choices" in text
    assert "#   - id: lonely" in text
    assert run("validate", str(tmp_path / "c")).exit_code == 0


def test_a_very_large_category_is_split_into_quizzes(run: Run, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from coursepack.importers import plan

    monkeypatch.setattr(plan, "QUIZ_SIZE", 3)
    bank = tmp_path / "many.gift"
    bank.write_text("$CATEGORY: $course$/top/Many\n\n" + "\n\n".join(
        f"::Q{n}::Statement number {n} is true.{{T}}" for n in range(7)) + "\n")
    result = run("import", str(bank), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert "many.gift: warning: 'Many' holds 7 questions; it is split into 3 quizzes of at " \
        "most 3" in result.output
    course, _ = load_course(tmp_path / "c")
    assert [(q.title, len(q.questions)) for q in course.quizzes] == [
        ("Many", 3), ("Many (part 2)", 3), ("Many (part 3)", 1)]


@pytest.mark.parametrize("linked", ["quizzes", "course.yaml"])
def test_an_import_never_writes_through_a_link_out_of_the_course(
        run: Run, tmp_path: Path, linked: str) -> None:
    """The course's quizzes/ or course.yaml is a link to a folder or file of the user's:
    nothing is written, moved or put back there."""
    bank = tmp_path / "b.gift"
    bank.write_text("::Q::Water is wet.{T}\n")
    course = tmp_path / "c"
    assert run("import", str(bank), "--into", str(course), "--quiz", "w1").exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (course / linked).rename(elsewhere / linked)
    (course / linked).symlink_to(elsewhere / linked)
    before = {p.relative_to(elsewhere).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
              for p in elsewhere.rglob("*") if p.is_file()}

    result = run("import", str(bank), "--into", str(course), "--quiz", "w2")

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"error: {linked} is a link to {elsewhere / linked}, outside the course folder")
    assert {p.relative_to(elsewhere).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in elsewhere.rglob("*") if p.is_file()} == before
