"""A Moodle 4.5 question bank with every core type, as a trainer would bring it in."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from coursepack.loader import load_course
from coursepack.model import (
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    ShortAnswer,
    SingleChoice,
    Tolerance,
    TrueFalse,
)
from tests.conftest import Run

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BANK = FIXTURES / "moodle45-every-type.xml"


@pytest.fixture
def imported(run: Run, tmp_path: Path) -> tuple[Path, str]:
    result = run("import", str(BANK), "--into", str(tmp_path / "wash"))
    assert result.exit_code == 0, result.output
    return tmp_path / "wash", result.output


def test_every_core_type_imports_into_a_course_that_validates(run: Run,
                                                               imported: tuple[Path, str]) -> None:
    root, output = imported
    assert "imported 12 questions, 2 kept as comments (NOT IMPORTED)" in output
    assert run("validate", str(root)).exit_code == 0
    course, _ = load_course(root)
    assert [q.title for q in course.quizzes] == ["Week 1: water", "Week 2: more types"]
    assert course.quizzes[0].description == "Questions on water supply."
    by_title = {q.title: q for _, q in course.questions()}

    single = by_title["Litres per person"]
    assert isinstance(single, SingleChoice) and single.id == "water-litres"
    assert single.points == 2 and single.correct_index == 0
    assert single.choices[1].feedback == "That is for drinking alone."
    assert single.feedback.general == "The Sphere minimum is **15 litres**."
    assert single.hints == ("Think of *all* daily uses.",)
    assert [a.path.name for a in single.assets] == ["jerrycan blue.png"]
    assert (root / "quizzes" / "images" / "jerrycan blue.png").read_bytes().startswith(
        b"\x89PNG")

    multiple = by_title["Safe sources"]
    assert isinstance(multiple, MultipleResponse) and multiple.negative_marking
    assert [c.correct for c in multiple.choices] == [True, True, False, False, False]

    tf = by_title["Boiling"]
    assert isinstance(tf, TrueFalse) and tf.answer is True
    assert tf.feedback_false == "It does."

    short = by_title["Chlorine"]
    assert isinstance(short, ShortAnswer)
    assert short.answers == ("chlorine", "chlor*")
    assert short.feedback.incorrect == "Think of swimming pools."

    numeric = by_title["Latrine distance"]
    assert isinstance(numeric, Numeric) and numeric.unit == "m"
    assert numeric.answer.mode is Tolerance.ABSOLUTE and numeric.answer.bounds == (28, 32)

    matching = by_title["Match the cluster"]
    assert isinstance(matching, Matching) and matching.distractors == ("Logistics",)
    assert (matching.pairs[0].prompt, matching.pairs[0].match) == ("Clean water", "WASH")

    ordering = by_title["Treatment steps"]
    assert isinstance(ordering, Ordering)
    assert ordering.items == ("Settle", "Filter", "Chlorinate")

    cloze = by_title["Cloze: a water point"]
    assert isinstance(cloze, FillBlanks) and cloze.points == 4
    kinds = [(b.kind.value, b.points) for b in cloze.blanks]
    assert kinds == [("numeric", 1), ("dropdown", 1), ("text", 2)]
    assert cloze.blanks[1].options == ("chlorinated", "boiled", "filtered")

    gaps = by_title["Select missing words"]
    assert isinstance(gaps, FillBlanks)
    assert [(b.answers, b.options) for b in gaps.blanks] == [
        (("filtered",), ("filtered", "spilled")), (("drunk",), ("drunk", "sold"))]

    essay = by_title["Plan a water point"]
    assert isinstance(essay, Essay) and (essay.min_words, essay.max_words) == (50, 300)
    assert essay.response_template == "Location:\nReasons:"
    assert essay.grader_notes.startswith("Look for: distance from latrines")

    about = by_title["About week 2"]
    assert isinstance(about, Description)
    assert "### Week 2" in about.stem and "[Sphere](https://example.org/sphere)" in about.stem


def test_what_the_model_cannot_hold_is_a_commented_block_with_a_located_warning(
        imported: tuple[Path, str]) -> None:
    root, output = imported
    assert ("moodle45-every-type.xml:499:1: warning: question 'Water for a family': a simple "
            "calculated question (its numbers are drawn from datasets): the model has no such "
            "question; kept as a comment in the quiz file") in output
    assert "moodle45-every-type.xml:542:1: warning: question 'Random matching'" in output
    text = (root / "quizzes" / "week-2-more-types.yaml").read_text()
    assert "# NOT IMPORTED (moodle45-every-type.xml:499:1): a simple calculated question" in text
    assert "  #       <text><![CDATA[<p>How many litres for a family of {n} for {d} days?</p>" \
        "]]></text>\n" in text
    assert "randomsamatch" in text
    assert "questions" in yaml.safe_load(text)


def test_losses_inside_a_question_are_warned_and_written_above_it(
        imported: tuple[Path, str]) -> None:
    root, output = imported
    assert ("moodle45-every-type.xml:154:1: warning: question 'Chlorine': the answer 'bleach' "
            "(worth 50%) is left out: a short answer is right or wrong") in output
    week1 = (root / "quizzes" / "week-1-water.yaml").read_text()
    assert "  # units other than the first with multiplier 1 are left out\n" \
        "  - id: latrine-distance" in week1
    assert "  # tags in the source: water\n  - id: water-litres" in week1


def test_markdown_comes_out_as_block_scalars(imported: tuple[Path, str]) -> None:
    root, _ = imported
    week1 = (root / "quizzes" / "week-1-water.yaml").read_text()
    assert ("    stem: |-\n      How many litres of water does a person need each day in an "
            "emergency?\n\n      ![A jerrycan](images/jerrycan%20blue.png)\n") in week1


def test_a_second_import_gets_fresh_quiz_names_and_ids(run: Run,
                                                       imported: tuple[Path, str]) -> None:
    root, _ = imported
    result = run("import", str(BANK), "--into", str(root))
    assert result.exit_code == 0, result.output
    assert (root / "quizzes" / "week-1-water-2.yaml").is_file()
    assert "id: water-litres-2" in (root / "quizzes" / "week-1-water-2.yaml").read_text()
    assert run("validate", str(root)).exit_code == 0


def test_quiz_puts_every_category_into_one_quiz(run: Run, tmp_path: Path) -> None:
    result = run("import", str(BANK), "--into", str(tmp_path / "c"), "--quiz", "wash-bank")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "c" / "quizzes").glob("*.yaml")] == ["wash-bank.yaml"]
    course, _ = load_course(tmp_path / "c")
    assert len(course.quizzes[0].questions) == 12


def test_an_existing_course_lists_the_new_quiz_and_keeps_its_comments(
        run: Run, course: Path) -> None:
    text = (course / "course.yaml").read_text()
    listed = text + "quizzes:  # the order learners see\n  - writing-questions\n  - final\n"
    (course / "course.yaml").write_text(listed)
    assert run("validate", str(course)).exit_code == 0
    result = run("import", str(BANK), "--into", str(course))
    assert result.exit_code == 0, result.output
    after = (course / "course.yaml").read_text()
    assert after.startswith(text)
    assert "quizzes:  # the order learners see\n  - writing-questions\n  - final\n" \
        "  - week-1-water\n  - week-2-more-types\n" in after
    assert run("validate", str(course)).exit_code == 0


@pytest.mark.pdf
def test_the_imported_bank_builds_into_every_format_and_passes_check(
        run: Run, imported: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = imported
    result = run("build", str(root), "--out", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    built = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"html", "pdf", "scorm12", "scorm2004", "imscc", "moodle-xml", "gift", "qti12",
            "qti21"} <= built
    assert run("check", str(root)).exit_code == 0


def test_a_wrong_short_answer_loses_only_its_feedback_and_says_so(run: Run,
                                                                 tmp_path: Path) -> None:
    bank = tmp_path / "bank.xml"
    bank.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n'
        '  <question type="shortanswer">\n'
        "    <name><text>Disinfect</text></name>\n"
        '    <questiontext format="html"><text>What disinfects water?</text></questiontext>\n'
        '    <answer fraction="100"><text>chlorine</text></answer>\n'
        '    <answer fraction="0"><text>bleach</text>\n'
        "      <feedback><text>Not household bleach.</text></feedback></answer>\n"
        '    <answer fraction="0"><text>salt</text><feedback><text></text></feedback></answer>\n'
        "  </question>\n</quiz>\n", encoding="utf-8")
    result = run("import", str(bank), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    assert ("bank.xml:3:1: warning: question 'Disinfect': the feedback of the wrong answer "
            "'bleach' is left out: a short answer has one incorrect feedback") in result.output
    assert "'salt'" not in result.output
    course, _ = load_course(tmp_path / "c")
    (question,) = [q for _, q in course.questions()]
    assert isinstance(question, ShortAnswer) and question.answers == ("chlorine",)
