"""Item-writing lint: an author adds a flawed and a clean item; only the flawed one is named."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from coursepack.errors import Problem
from coursepack.lint import RULES, Lint, lint_course
from coursepack.loader import load_course


def add_quiz(course: Path, name: str, questions: str) -> Path:
    """Write quizzes/<name>.yaml with the given questions (YAML list items)."""
    path = course / "quizzes" / f"{name}.yaml"
    body = textwrap.indent(textwrap.dedent(questions).strip("\n"), "  ")
    path.write_text(f"title: {name}\nquestions:\n{body}\n", encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def lint(course: Path, rule: str) -> list[Problem]:
    loaded, _ = load_course(course)
    return [p for p in lint_course(loaded) if p.rule == rule]


def where(problems: list[Problem]) -> list[tuple[str, int]]:
    return [(p.origin.path, p.origin.line) for p in problems if p.origin]


def test_all_of_the_above_is_flagged_at_the_option(course: Path) -> None:
    quiz = add_quiz(course, "items", """
        - id: flawed
          type: single
          stem: Which document proves refugee status?
          choices:
            - text: A UNHCR certificate
            - text: A government refugee ID
            - text: All of the above
              correct: true
        - id: clean
          type: single
          stem: Which document proves refugee status?
          choices:
            - text: A UNHCR certificate
              correct: true
            - text: A library card
            - text: A bus ticket
    """)
    found = lint(course, "all-of-the-above")
    assert where(found) == [("quizzes/items.yaml", line_of(quiz, "All of the above"))]
    assert "All of the above" in found[0].message


def test_none_of_the_above_in_a_dropdown_is_flagged(course: Path) -> None:
    quiz = add_quiz(course, "items", """
        - id: flawed
          type: fill-blanks
          stem: Complete.
          text: The first step is [[step]].
          blanks:
            - id: step
              type: dropdown
              options: [registration, none of these]
              answer: registration
    """)
    assert where(lint(course, "all-of-the-above")) == [
        ("quizzes/items.yaml", line_of(quiz, "- id: step"))
    ]


def test_longest_correct_option_is_flagged(course: Path) -> None:
    quiz = add_quiz(course, "items", """
        - id: flawed
          type: single
          stem: What should a registration officer do first?
          choices:
            - text: Explain, in the person's language, why data is collected and who sees it
              correct: true
            - text: Take a photo
            - text: Ask for a fee
        - id: clean
          type: single
          stem: What should a registration officer do first?
          choices:
            - text: Explain why data is collected
              correct: true
            - text: Take a photo of the family
            - text: Ask for the household fee
    """)
    found = lint(course, "longest-correct")
    assert where(found) == [("quizzes/items.yaml", line_of(quiz, "- id: flawed"))]


def test_answers_piling_up_in_one_position(course: Path) -> None:
    def single(n: int, correct_at: int) -> str:
        options = "".join(
            f"\n    - text: Option {chr(65 + i)} of {n}" + ("\n      correct: true" if i == correct_at else "")
            for i in range(3)
        )
        return f"- id: q{n}-{correct_at}\n  type: single\n  stem: Question {n}?\n  choices:{options}\n"

    add_quiz(course, "piled", "".join(single(n, 0) for n in range(4)) + single(9, 1))
    add_quiz(course, "spread", "".join(single(n + 10, n % 3) for n in range(5)))
    found = lint(course, "answer-position")
    assert where(found) == [("quizzes/piled.yaml", 1)]
    assert "4 of 5 single-choice answers are option A" in found[0].message


def test_duplicate_options_after_normalising(course: Path) -> None:
    quiz = add_quiz(course, "items", """
        - id: flawed
          type: multiple
          stem: Which of these protect data?
          choices:
            - text: Lock the files away.
              correct: true
            - text: "lock the  **files** away"
            - text: Share the list by e-mail
        - id: clean
          type: multiple
          stem: Which of these protect data?
          choices:
            - text: Lock the files away
              correct: true
            - text: Lock the office
            - text: Share the list by e-mail
    """)
    found = lint(course, "duplicate-options")
    assert where(found) == [("quizzes/items.yaml", line_of(quiz, "lock the  **files**"))]


def test_unemphasised_negative_in_the_stem(course: Path) -> None:
    quiz = add_quiz(course, "items", """
        - id: flawed
          type: single
          stem: A family arrives at night. Which of these is not a protection risk?
          choices: [{text: Crowded shelter}, {text: Lit latrines, correct: true}, {text: No locks}]
        - id: clean-caps
          type: single
          stem: A family does not speak French. Which of these is NOT a protection risk?
          choices: [{text: Crowded shelter}, {text: Lit latrines, correct: true}, {text: No locks}]
        - id: clean-bold
          type: single
          stem: Which of these is **not** a protection risk?
          choices: [{text: Crowded shelter}, {text: Lit latrines, correct: true}, {text: No locks}]
        - id: clean-at-least
          type: single
          stem: How many days at least should the record be kept?
          choices: [{text: "1"}, {text: "7", correct: true}, {text: "30"}]
    """)
    found = lint(course, "unemphasised-negative")
    assert where(found) == [("quizzes/items.yaml", line_of(quiz, "- id: flawed"))]
    assert "'not'" in found[0].message and "**NOT**" in found[0].hint


def test_uneven_options(course: Path) -> None:
    quiz = add_quiz(course, "items", """
        - id: flawed
          type: single
          stem: Who may see a survivor's case file?
          choices:
            - text: The caseworker
              correct: true
            - text: Everyone
            - text: Any staff member of any partner agency working in the camp, on request
        - id: clean
          type: single
          stem: Who may see a survivor's case file?
          choices:
            - text: The assigned caseworker
              correct: true
            - text: Every staff member
            - text: Any partner agency
    """)
    found = lint(course, "uneven-options")
    assert where(found) == [("quizzes/items.yaml", line_of(quiz, "- id: flawed"))]


LESSON_FLAWED = """\
title: Referral
duration: 5
body: |
  ## A referral

  Refer the case to the protection desk.
  Write to amina.k@unhcr-field.org for help.
  The survivor can be called on +254 712 345 678.
  Her file number is 123-45C67890; the group is KEN-12C34567.
  Case no. 4567891 was closed.
"""

LESSON_CLEAN = """\
title: Dates and pages
duration: 5
body: |
  The 1951 Convention and its 1967 Protocol (pp. 123-145) apply since 22 April 1954.
  Between 2019-2021, 1,234,567 people registered; see page 12345 and ISBN 978-92-1-101234-5.
  Write to name@example.org; call +00 000 000 000; a case number looks like ABC-00C00000.
  Resolution 46/182 was adopted on 19/12/1991 at 10:30.
"""


def test_personal_data_is_found_on_its_line_and_masked(course: Path) -> None:
    folder = course / "modules" / "writing-questions"
    (folder / "referral.yaml").write_text(LESSON_FLAWED, encoding="utf-8")
    (folder / "dates.yaml").write_text(LESSON_CLEAN, encoding="utf-8")
    module = folder / "module.yaml"
    module.write_text(
        module.read_text().replace("  - feedback\n", "  - feedback\n  - referral\n  - dates\n")
    )
    found = lint(course, "personal-data")
    path = "modules/writing-questions/referral.yaml"
    assert sorted(where(found)) == [(path, 7), (path, 8), (path, 9), (path, 9), (path, 10)]
    messages = " ".join(p.message for p in found)
    for kind in ("e-mail address", "phone number", "case or registration number"):
        assert kind in messages
    assert "amina.k@unhcr-field.org" not in messages  # masked, not copied into logs


def test_personal_data_in_feedback_and_facilitator_notes(course: Path) -> None:
    quiz = add_quiz(course, "items", """
        - id: flawed
          type: true-false
          stem: Data may be shared.
          answer: false
          feedback_false: Right. Ask jo@ngo-field.org first.
    """)
    module = course / "modules" / "writing-questions" / "module.yaml"
    module.write_text(module.read_text().replace(
        "Bring printed copies", "Call the trainer on WhatsApp: 0712 345 678. Bring printed copies"
    ))
    found = lint(course, "personal-data")
    assert sorted(where(found)) == sorted([
        ("quizzes/items.yaml", line_of(quiz, "jo@ngo-field.org")),
        ("modules/writing-questions/module.yaml", line_of(module, "WhatsApp")),
    ])


def test_rules_can_be_switched_off_in_course_yaml(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    add_quiz(course, "items", """
        - id: flawed
          type: single
          stem: Which of these is not allowed?
          choices: [{text: A}, {text: B, correct: true}, {text: All of the above}]
    """)
    loaded, _ = load_course(course)
    assert {"all-of-the-above", "unemphasised-negative"} <= {p.rule for p in lint_course(loaded)}
    yaml = course / "course.yaml"
    yaml.write_text(
        yaml.read_text()
        + "lint:\n  disable: [all-of-the-above, unemphasised-negatives]  # keep the rest\n"
    )
    loaded, _ = load_course(course)
    problems = lint_course(loaded)
    rules = {p.rule for p in problems}
    assert "all-of-the-above" not in rules and "unemphasised-negative" in rules
    # A rule name that does not exist is the lint settings' problem, said once per run,
    # at the name, by validation (so by every command), not by the lint itself.
    assert not [p for p in problems if "unknown rule" in p.message]
    _, unknown = Lint().settings(loaded)
    line = line_of(yaml, "unemphasised-negatives")
    column = yaml.read_text().splitlines()[line - 1].index("unemphasised-negatives") + 1
    assert [str(p.origin) for p in unknown] == [f"course.yaml:{line}:{column}"]
    assert "did you mean 'unemphasised-negative'" in unknown[0].hint and not unknown[0].is_error
    result = run("check", str(course), "-t", "moodle")
    assert result.exit_code == 0, result.output
    assert result.output.count("names an unknown rule 'unemphasised-negatives'") == 1


@pytest.mark.parametrize("rule", sorted(RULES))
def test_starter_course_is_clean(course: Path, rule: str) -> None:
    """The example every author starts from must not teach a flaw the lint warns about."""
    assert lint(course, rule) == []


def test_check_reports_lint_with_file_line_and_rule(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    quiz = add_quiz(course, "items", """
        - id: flawed
          type: single
          stem: Which of these is never shared?
          choices: [{text: A name}, {text: A case file, correct: true}, {text: None of the above}]
    """)
    result = run("check", str(course), "-t", "moodle")
    assert result.exit_code == 0, result.output  # lint warns, it never fails a course
    at = line_of(quiz, "- id: flawed")
    assert f"quizzes/items.yaml:{at}:5: warning: question 'flawed': the stem asks with " \
           "'never'" in result.output
    assert "[unemphasised-negative]" in result.output
    catch_all = line_of(quiz, "None of the above")
    assert f"quizzes/items.yaml:{catch_all}:" in result.output and "[all-of-the-above]" in result.output

    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text() + "lint:\n  disable: [unemphasised-negative]\n")
    result = run("check", str(course), "-t", "moodle")
    assert "[unemphasised-negative]" not in result.output and "[all-of-the-above]" in result.output


# --- the texts the rules read: one walk over a question's fields -------------------------------


def texts_by_type(q):  # type: ignore[no-untyped-def]
    """The texts of a question as they were listed type by type, before the generic walk."""
    from coursepack.model import (
        Essay,
        FillBlanks,
        Matching,
        MultipleResponse,
        Ordering,
        ShortAnswer,
        SingleChoice,
        TrueFalse,
    )

    fb = q.feedback
    yield from ((t, q.origin) for t in (q.title, q.stem, fb.general, fb.correct, fb.partial))
    yield from ((t, q.origin) for t in (fb.incorrect, *q.hints))
    if isinstance(q, SingleChoice | MultipleResponse):
        for c in q.choices:
            yield from ((t, c.origin or q.origin) for t in (c.text, c.feedback))
    elif isinstance(q, TrueFalse):
        yield from ((t, q.origin) for t in (q.feedback_true, q.feedback_false))
    elif isinstance(q, ShortAnswer):
        yield from ((t, q.origin) for t in q.answers)
    elif isinstance(q, Matching):
        yield from ((t, p.origin or q.origin) for p in q.pairs for t in (p.prompt, p.match))
        yield from ((t, q.origin) for t in q.distractors)
    elif isinstance(q, Ordering):
        yield from ((t, q.origin) for t in q.items)
    elif isinstance(q, FillBlanks):
        yield q.text, q.origin
        for b in q.blanks:
            yield from ((t, b.origin or q.origin) for t in (*b.answers, *b.options))
    elif isinstance(q, Essay):
        yield from ((t, q.origin) for t in (q.grader_notes, q.response_template))


@pytest.mark.parametrize("which", ["starter", "fidelity"])
def test_the_walk_over_fields_finds_every_text_each_type_listed(which: str) -> None:
    from collections import Counter

    from coursepack.lint._content import question_texts
    from coursepack.model import QUESTION_TYPES, type_name
    from coursepack.starter import STARTER

    root = STARTER if which == "starter" else Path(__file__).parent / "fidelity" / "course"
    loaded, _ = load_course(root)
    seen = set()
    for _, q in loaded.questions():
        seen.add(type_name(q))
        walked = list(question_texts(q))
        assert Counter(walked) == Counter(texts_by_type(q)), q.id
        assert all(origin is not None for _, origin in walked), q.id
    if which == "fidelity":
        assert seen == set(QUESTION_TYPES)


def test_a_new_type_needs_no_change_to_be_read() -> None:
    """Its texts are found field by field, its parts at their own origin; it offers no options."""
    from dataclasses import dataclass, field

    from coursepack.errors import Origin
    from coursepack.lint._content import option_sets, question_texts
    from coursepack.model import Markdown, QuestionBase

    @dataclass(frozen=True, slots=True, kw_only=True)
    class Scale:
        low: str
        high: Markdown
        steps: int = 5
        origin: Origin | None = field(default=None, compare=False)

    @dataclass(frozen=True, slots=True, kw_only=True)
    class Rating(QuestionBase):
        scales: tuple[Scale, ...]
        labels: tuple[str, ...] = ()

    at, scale_at = Origin("quizzes/q.yaml", 3), Origin("quizzes/q.yaml", 9)
    question: Any = Rating(id="r1", stem=Markdown("Rate it."), objectives=("obj-1",), origin=at,
                           scales=(Scale(low="poor", high=Markdown("*great*"), origin=scale_at),),
                           labels=("call 555-0100",))
    texts = [(t, o) for t, o in question_texts(question) if t]
    assert texts == [("Rate it.", at), ("poor", scale_at), ("*great*", scale_at),
                     ("call 555-0100", at)]
    assert option_sets(question) == []


# --- what a quiz measures and what a lesson promises -------------------------------------------


def test_partial_credit_without_negative_marking_is_flagged(course: Path) -> None:
    quiz = add_quiz(course, "items", """
        - id: tick-all-wins
          type: multiple
          stem: Which of these are named in the guide? Select all that apply.
          scoring: partial
          choices: [{text: A, correct: true}, {text: B, correct: true}, {text: C}]
        - id: tick-all-costs
          type: multiple
          stem: Which of these are named in the guide? Select all that apply.
          negative_marking: true
          choices: [{text: A, correct: true}, {text: B, correct: true}, {text: C}]
        - id: exact-set
          type: multiple
          stem: Which of these are named in the guide? Select all that apply.
          scoring: all-or-nothing
          choices: [{text: A, correct: true}, {text: B, correct: true}, {text: C}]
    """)
    found = lint(course, "tick-everything")
    assert where(found) == [("quizzes/items.yaml", line_of(quiz, "- id: tick-all-wins"))]
    assert "ticks every option" in found[0].message and "negative_marking: true" in found[0].hint


def test_an_answer_printed_before_it_is_typed_is_flagged(course: Path) -> None:
    quiz = add_quiz(course, "items", """
        - id: shows
          type: ordering
          stem: Put the steps in order.
          items: [Boil the water, Let it cool, Store it covered]
        - id: given-away
          type: short-answer
          stem: After boiling, what do you let the water do before storing it?
          answers: [cool, cool down]
        - id: own-stem
          type: short-answer
          stem: The guide says chlorine needs contact time. What does chlorine need?
          answers: [contact time]
        - id: only-in-feedback
          type: short-answer
          stem: How long must treated water stand?
          answers: [thirty minutes]
          feedback: {general: Thirty minutes of contact time.}
        - id: year
          type: numeric
          stem: In which year was the guide published?
          answer: 2024
        - id: later
          type: single
          stem: When was the guide published?
          choices: [{text: "2024", correct: true}, {text: "1990"}]
    """)
    found = lint(course, "answer-given-away")
    assert where(found) == [
        ("quizzes/items.yaml", line_of(quiz, "- id: given-away")),
        ("quizzes/items.yaml", line_of(quiz, "- id: own-stem")),
    ]
    assert "'cool'" in found[0].message


def test_near_duplicate_questions_in_one_pool_are_flagged(course: Path) -> None:
    path = course / "quizzes" / "bank.yaml"
    path.write_text(textwrap.dedent("""\
        title: Bank
        pools:
          - id: drawn
            pick: 2
            questions:
              - id: first
                type: single
                stem: Which option should a clear stem let a learner answer without?
                choices: [{text: Reading the options, correct: true}, {text: A pencil}]
              - id: twin
                type: single
                stem: Which option should a clear stem let the learner answer without?
                choices: [{text: Reading the options, correct: true}, {text: A pencil}]
              - id: other
                type: true-false
                stem: Feedback is where most of the learning happens.
                answer: true
        """), encoding="utf-8")
    found = lint(course, "near-duplicate")
    assert where(found) == [("quizzes/bank.yaml", line_of(path, "- id: twin"))]
    assert "'twin' asks nearly the same as 'first'" in found[0].message


def test_lesson_durations_are_judged_at_the_stated_reading_speed(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    assert lint(course, "lesson-duration") == []  # no speed stated: nothing to judge by
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text() + "lint:\n  words_per_minute: 150\n")
    found = lint(course, "lesson-duration")
    assert where(found) == [("modules/writing-questions/one-idea.yaml", 1)]
    assert "declares 15 minutes" in found[0].message and "at 150 words a minute" in found[0].message
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    lesson.write_text(lesson.read_text().replace("duration: 15", "duration: 3"))
    assert lint(course, "lesson-duration") == []
    yaml.write_text(yaml.read_text().replace("words_per_minute: 150", "words_per_minute: 0"))
    result = run("validate", str(course))
    assert "lint: words_per_minute must be more than 0 (got 0)" in result.output
