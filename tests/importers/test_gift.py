"""GIFT as Moodle reads it: every construct of Moodle's GIFT documentation, and syntax
errors pointed at their line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.loader import load_course
from coursepack.model import (
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    Scoring,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from tests.conftest import Run

BANK = Path(__file__).resolve().parent / "fixtures" / "every-construct.gift.txt"


@pytest.fixture
def questions(run: Run, tmp_path: Path) -> dict[str, object]:
    result = run("import", str(BANK), "--into", str(tmp_path / "shelter"))
    assert result.exit_code == 0, result.output
    assert "imported 22 questions" in result.output
    assert run("validate", str(tmp_path / "shelter")).exit_code == 0
    course, _ = load_course(tmp_path / "shelter")
    assert [q.title for q in course.quizzes] == ["Shelter basics", "Week 2 / water"]
    return {q.id: q for _, q in course.questions()}


def test_every_construct_of_the_gift_documentation(questions: dict[str, object]) -> None:
    area = questions["shelter-area"]
    assert isinstance(area, SingleChoice) and area.title == "Covered area"
    assert area.choices[1].feedback == "Far too little."
    assert area.feedback.general == "Sphere sets a minimum of 3.5 m² per person."

    untitled = questions["shelter-basics-2"]
    assert isinstance(untitled, SingleChoice) and untitled.title == ""

    kit = questions["winter-kit"]
    assert isinstance(kit, MultipleResponse) and kit.scoring is Scoring.ALL_OR_NOTHING
    assert [c.correct for c in kit.choices] == [True, True, False, False]

    assert isinstance(questions["tents-burn"], TrueFalse)
    roof = questions["roof-slope"]
    assert isinstance(roof, TrueFalse) and roof.answer is False
    assert roof.feedback_false == "Right: it needs a slope."
    assert roof.feedback_true == "No: snow piles up on it."

    knot = questions["knot"]
    assert isinstance(knot, ShortAnswer) and knot.answers == ("bowline", "bow line")
    assert knot.feedback.incorrect == "Ask a scout."

    tools = questions["tools"]
    assert isinstance(tools, Matching)
    assert [(p.prompt, p.match) for p in tools.pairs][-1] == ("rope", "tie the frame")

    face = questions["shelter-basics-9"]
    assert isinstance(face, FillBlanks) and face.text == "Shelters should face [[b1]] the wind."
    assert face.blanks[0].options == ("into", "away from", "across")
    assert face.blanks[0].answers == ("away from",)
    held = questions["shelter-basics-10"]
    assert isinstance(held, FillBlanks) and held.blanks[0].answers == ("pegs", "stakes")

    pegs, temperature, year = (questions[k] for k in ("pegs", "temperature", "year"))
    assert isinstance(pegs, Numeric) and pegs.answer.bounds == (10, 14)
    assert isinstance(temperature, Numeric) and temperature.answer.bounds == (0, 5)
    assert isinstance(year, Numeric) and year.answer.bounds == (1951, 1951)
    assert year.feedback.incorrect == "Look it up."

    assert isinstance(questions["shelter-plan"], Essay)
    site = questions["site-choice"]
    assert isinstance(site, Essay) and site.feedback.general.startswith("Think of water")
    assert isinstance(questions["read-this"], Description)

    escapes = questions["escapes"]
    assert isinstance(escapes, SingleChoice)
    assert escapes.stem == "What do the signs ~ = # { } and : mean in GIFT?\\\nPick one."

    html = questions["html"]
    assert isinstance(html, SingleChoice) and html.stem == "Which is **waterproof**?"
    assert html.choices[0].text == "**tarpaulin**"
    assert questions["markdown"].stem == "Which keeps **heat** in?"  # type: ignore[attr-defined]
    assert questions["plain"].stem == "Is 2 < 3 & 4 > 1?"  # type: ignore[attr-defined]
    assert questions["long"].stem == (  # type: ignore[attr-defined]
        "Water for a shelter\\\ncomes from\\\nwhich source?")


def test_what_a_question_loses_is_warned_at_its_line(run: Run, tmp_path: Path) -> None:
    result = run("import", str(BANK), "--into", str(tmp_path / "c"))
    assert ("every-construct.gift.txt:35:1: warning: question 'Knot': the answer 'loop knot' "
            "(worth 50%) is left out: a short answer is right or wrong [import-gift]"
            ) in result.output
    assert "every-construct.gift.txt:19:1: warning: question 'Winter kit'" in result.output


SYNTAX_ERRORS = [
    ("::Q::Where is it?{=here ~there\n\nNext{T}\n", "bank.gift:1:18: error: GIFT syntax error: "
     "the answers opened with '{' are never closed"),
    ("// note\n::Unclosed title{T}\n", "bank.gift:2:1: error: GIFT syntax error: the title "
     "opened with '::' is never closed"),
    ("::Q::A brace } alone\n", "bank.gift:1:14: error: GIFT syntax error: '}' closes answers "
     "that were never opened"),
    ("\n\n::Q::How many?{#twelve}\n", "bank.gift:3:16: error: GIFT syntax error: 'twelve' is "
     "not a number"),
    ("::Q::Match{=a -> b =c}\n", "bank.gift:1:20: error: GIFT syntax error: a matching answer "
     "without '->'"),
    ("::Q::Two{=a ~b} and {=c ~d}\n", "bank.gift:1:21: error: GIFT syntax error: a second set "
     "of answers in one question"),
    ("::Q::Nested{=a {b} ~c}\n", "bank.gift:1:16: error: GIFT syntax error: '{' inside "
     "answers"),
]


@pytest.mark.parametrize(("text", "message"), SYNTAX_ERRORS)
def test_a_syntax_error_names_its_line_and_column_and_writes_nothing(
        run: Run, tmp_path: Path, text: str, message: str) -> None:
    bank = tmp_path / "bank.gift"
    bank.write_text(text)
    result = run("import", str(bank), "--into", str(tmp_path / "c"), "--from", "gift")
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "c").exists()


def test_a_gift_file_is_found_by_its_content_whatever_its_name(run: Run, tmp_path: Path) -> None:
    bank = tmp_path / "questions.xml"
    bank.write_text("::Q::Water boils at 100 °C at sea level.{T}\n")
    result = run("import", str(bank), "--into", str(tmp_path / "c"))
    assert result.exit_code == 0, result.output
    course, _ = load_course(tmp_path / "c")
    assert isinstance(course.quizzes[0].questions[0], TrueFalse)
