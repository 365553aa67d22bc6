"""How each question type appears in each format, or why a format leaves it out.

This table is the one declaration of question-type support. Exporters ask it before
writing a question (``carries``), pre-flight warns from it for every question a format
leaves out (``left_out``), ``coursepack formats --types`` prints it, docs/formats.md
shows it, and the tests check that every format does what its column says. Adding a
question type means adding a row here: a format with no cell for a type fails a test.

What a format loses *inside* a question it carries (a hint, a tolerance, a setting) is
the format's own check, in its package.

An exporter never sees a question its column leaves out: it writes ``written(fmt, course)``
(or the bank's ``entries(course, fmt)``), so a type declared ``LeftOut`` for a format needs
no code there. Its dispatch on the question's class ends in ``no_branch``: a type the table
says it carries but it has no branch for stops the build, naming the format and the type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn, TypeVar

from coursepack.errors import CoursepackError, Problem, error, warning
from coursepack.model import (
    QUESTION_TYPES,
    Course,
    Pool,
    Question,
    QuestionBase,
    Quiz,
    type_name,
)


@dataclass(frozen=True)
class Carried:
    """The format writes the type, as ``how`` says."""

    how: str


@dataclass(frozen=True)
class LeftOut:
    """The format cannot write the type: ``why``, and what to do instead."""

    why: str
    instead: str = ""


Support = Carried | LeftOut

_SITE = {"html", "scorm12", "scorm2004", "cmi5"}
_SITE.add("field-pack")  # the field pack carries the site and single-file modules
_SITE.add("single-file")  # each module as one file, rendered as the site renders it


def _site(how: str) -> dict[str, Support]:
    """The site and the SCORM and cmi5 packages (which carry the site) show a type the same way."""
    return {name: Carried(how) for name in _SITE}


TABLE: dict[str, dict[str, Support]] = {
    "single": {
        **_site("radio buttons, marked in the browser"),
        "pdf": Carried("lettered options with a circle to tick"),
        "moodle-xml": Carried("multichoice, one answer"),
        "gift": Carried("multiple choice (= right, ~ wrong)"),
        "qti12": Carried("multiple_choice_question"),
        "qti21": Carried("choiceInteraction, maxChoices 1"),
        "imscc": Carried("cc.multiple_choice.v0p1"),
    },
    "multiple": {
        **_site("check boxes, partial or all-or-nothing, optional negative marking"),
        "pdf": Carried("lettered options with a box to tick"),
        "moodle-xml": Carried("multichoice, several answers, weighted fractions"),
        "gift": Carried("multiple answers with ~%weight% fractions"),
        "qti12": Carried("multiple_answers_question"),
        "qti21": Carried("choiceInteraction, several choices, mapped score"),
        "imscc": Carried("cc.multiple_response.v0p1"),
    },
    "true-false": {
        **_site("two radio buttons"),
        "pdf": Carried("True / False boxes"),
        "moodle-xml": Carried("truefalse"),
        "gift": Carried("{TRUE} / {FALSE}"),
        "qti12": Carried("true_false_question"),
        "qti21": Carried("choiceInteraction with True and False"),
        "imscc": Carried("cc.true_false.v0p1"),
    },
    "short-answer": {
        **_site("a text field"),
        "pdf": Carried("a line to write on"),
        "moodle-xml": Carried("shortanswer"),
        "gift": Carried("short answer (= each accepted answer)"),
        "qti12": Carried("short_answer_question"),
        "qti21": Carried("textEntryInteraction"),
        "imscc": Carried("cc.fib.v0p1"),
    },
    "numeric": {
        **_site("a number field, with the unit after it"),
        "pdf": Carried("a box for the number"),
        "moodle-xml": Carried("numerical, with tolerance and unit"),
        "gift": Carried("numerical {#value:tolerance}"),
        "qti12": Carried("numerical_question"),
        "qti21": Carried("textEntryInteraction, float, scored within the bounds"),
        "imscc": Carried("cc.fib.v0p1, exact answers only"),
    },
    "matching": {
        **_site("a drop-down list per prompt"),
        "pdf": Carried("numbered prompts beside lettered answers"),
        "moodle-xml": Carried("matching"),
        "gift": Carried("matching (prompt -> answer)"),
        "qti12": Carried("matching_question"),
        "qti21": Carried("matchInteraction"),
        "imscc": LeftOut("the Common Cartridge 1.1 profile of QTI has no matching items",
                         "use the QTI 1.2 or Moodle XML export for this quiz"),
    },
    "ordering": {
        **_site("a list the learner reorders with buttons or the keyboard"),
        "pdf": Carried("items with a box for each one's place"),
        "moodle-xml": Carried("ordering (Moodle 4.4 and later), or matching to places"),
        "gift": LeftOut("GIFT has no ordering question",
                        "use the Moodle XML export for this question"),
        "qti12": Carried("matching_question: each item to its place"),
        "qti21": Carried("orderInteraction"),
        "imscc": LeftOut("the Common Cartridge 1.1 profile of QTI has no ordering items",
                         "use the QTI 1.2 or Moodle XML export for this quiz"),
    },
    "fill-blanks": {
        **_site("text fields and drop-down lists inside the text"),
        "pdf": Carried("numbered gaps in the text"),
        "moodle-xml": Carried("multianswer (cloze)"),
        "gift": Carried("missing word, one gap per question"),
        "qti12": Carried("fill_in_multiple_blanks_question or multiple_dropdowns_question"),
        "qti21": Carried("textEntryInteraction and inlineChoiceInteraction in the text"),
        "imscc": Carried("cc.fib.v0p1, one text gap per question"),
    },
    "essay": {
        **_site("a text area, marked by a trainer"),
        "pdf": Carried("lines to write on"),
        "moodle-xml": Carried("essay, with grader information and response template"),
        "gift": Carried("essay {}"),
        "qti12": Carried("essay_question"),
        "qti21": Carried("extendedTextInteraction"),
        "imscc": Carried("cc.essay.v0p1"),
    },
    "description": {
        **_site("text between questions"),
        "pdf": Carried("text between questions"),
        "moodle-xml": Carried("description"),
        "gift": Carried("description (text with no answers)"),
        "qti12": Carried("text_only_question"),
        "qti21": Carried("an item with no interaction"),
        "imscc": Carried("part of the assessment's instructions"),
    },
}

_XAPI = {"single": "choice", "multiple": "choice", "true-false": "true-false",
         "short-answer": "fill-in", "numeric": "numeric", "matching": "matching",
         "ordering": "sequencing", "fill-blanks": "fill-in", "essay": "long-fill-in"}
"""cmi5 shows what the site shows and reports each answer as an xAPI interaction (xapi.js)."""

for _type, _row in TABLE.items():
    _shown = _row["cmi5"]
    if isinstance(_shown, Carried):
        _row["cmi5"] = Carried(f"{_shown.how}; an xAPI {_XAPI[_type]} interaction"
                               if _type in _XAPI else f"{_shown.how}; no statement")


def support(fmt: str, type_: str) -> Support:
    """What ``fmt`` does with questions of type ``type_``; a missing cell is a bug."""
    return TABLE[type_][fmt]


def carries(fmt: str, question: Question) -> bool:
    """Whether ``fmt`` writes ``question`` at all."""
    return isinstance(support(fmt, type_name(question)), Carried)


Q = TypeVar("Q", bound=QuestionBase)


def carried(fmt: str, questions: Iterable[Q]) -> tuple[Q, ...]:
    """The questions ``fmt`` writes, in order: those of a type its column leaves out go."""
    return tuple(q for q in questions if isinstance(support(fmt, type_name(q)), Carried))


def written(fmt: str, course: Course) -> Course:
    """The course as ``fmt`` writes it: each quiz and pool without the questions of a type
    ``fmt`` leaves out (pre-flight says so once for each, from ``left_out``).

    A pool draws at most the questions it keeps, and a pool that keeps none goes; quizzes
    stay, so that every quiz is where it was. A course that loses nothing is returned as is.
    """
    quizzes = tuple(_written_quiz(fmt, quiz) for quiz in course.quizzes)
    if all(new is old for new, old in zip(quizzes, course.quizzes, strict=True)):
        return course
    return dataclasses.replace(course, quizzes=quizzes)


def _written_quiz(fmt: str, quiz: Quiz) -> Quiz:
    questions = carried(fmt, quiz.questions)
    pools = tuple(p for p in (_written_pool(fmt, pool) for pool in quiz.pools) if p.questions)
    if questions == quiz.questions and pools == quiz.pools:  # nothing went
        return quiz
    return dataclasses.replace(quiz, questions=questions, pools=pools)


def _written_pool(fmt: str, pool: Pool) -> Pool:
    questions = carried(fmt, pool.questions)
    if len(questions) == len(pool.questions):
        return pool
    return dataclasses.replace(pool, questions=questions, pick=min(pool.pick, len(questions)))


class NoBranch(CoursepackError):
    """The table says a format carries a question type its exporter has no branch for: a bug
    in coursepack, found where the question is."""

    def __init__(self, fmt: str, question: QuestionBase) -> None:
        self.fmt = fmt
        self.type = _type_of(question)
        super().__init__([error(
            question.origin,
            f"the question-type table says {fmt} carries '{self.type}' but {fmt} has no "
            f"branch for it (question '{question.id}')",
            hint=f"write the {fmt} exporter's branch for '{self.type}', or declare the type "
                 "LeftOut for it in coursepack/exporters/question_types.py")])


def no_branch(fmt: str, question: QuestionBase) -> NoReturn:
    """The last case of an exporter's dispatch on the question's type."""
    raise NoBranch(fmt, question)


def _type_of(question: QuestionBase) -> str:
    """The question's ``type:`` value, or its class's name for a class with none."""
    return next((k for k, v in QUESTION_TYPES.items() if type(question) is v),
                type(question).__name__)


def left_out(fmt: str, course: Course) -> list[Problem]:
    """A warning, at each question's spec, for every question ``fmt`` leaves out by type."""
    found = []
    for _, question in course.questions():
        cell = support(fmt, type_name(question))
        if isinstance(cell, LeftOut):
            found.append(left_out_warning(fmt, question, cell.why, cell.instead))
    return found


def left_out_warning(fmt: str, question: Question, why: str, instead: str = "") -> Problem:
    """The one wording of "this whole question is not in this format", for the table and for
    a format's own checks (a question its type allows but its content does not)."""
    return warning(question.origin,
                   f"question '{question.id}' ({type_name(question)}): {why}; "
                   f"{LEFT_OUT.format(fmt=fmt)}", hint=instead, rule=fmt)


LEFT_OUT = "it is left out of the {fmt} export"


def markdown_sections(formats: dict[str, str]) -> str:
    """The table as Markdown, a section per format (name -> summary): docs/formats.md."""
    lines: list[str] = []
    for name, summary in formats.items():
        lines += [f"### {name}", "", summary, "", "| question type | in this format |",
                  "|---|---|"]
        for type_, cells in TABLE.items():
            cell = cells[name]
            shown = cell.how if isinstance(cell, Carried) else f"**left out**: {cell.why}"
            lines.append(f"| {type_} | {shown} |")
        lines.append("")
    return "\n".join(lines)


def missing_cells(formats: list[str]) -> list[tuple[str, str]]:
    """(type, format) pairs the table does not declare: each one is a bug."""
    return [(t, f) for t in QUESTION_TYPES for f in formats if f not in TABLE.get(t, {})]


__all__ = ["LEFT_OUT", "TABLE", "Carried", "LeftOut", "NoBranch", "Support", "carried",
           "carries", "left_out", "left_out_warning", "markdown_sections", "missing_cells",
           "no_branch", "support", "written"]
