"""Questions as they print: lettered options, two columns, gaps, ruled lines, and their key."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import assert_never

from coursepack.exporters.question_types import no_branch
from coursepack.locale import gettext as _
from coursepack.locale import ngettext
from coursepack.model import (
    Blank,
    BlankKind,
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    Tolerance,
    TrueFalse,
    type_name,
)
from coursepack.numbers import number, numeric_bounds

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Option:
    """A labelled line a learner picks or numbers; the key adds whether and why it is right."""

    label: str
    text: str
    correct: bool = False
    rationale: str = ""


@dataclass(frozen=True)
class Gap:
    """A numbered gap in a fill-in-the-blanks text."""

    number: int
    options: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class Printed:
    """One question laid out for paper, with what the answer key says about it."""

    question: Question
    kind: str
    number: int | None
    points: float
    options: tuple[Option, ...] = ()
    prompts: tuple[Option, ...] = ()
    segments: tuple[str | Gap, ...] = ()
    lines: int = 0
    answer: tuple[str, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return tuple(s for s in self.segments if isinstance(s, Gap))


def lay_out(question: Question, number: int | None, points: float) -> Printed:
    """The printed form of ``question``: dispatch on its type (a type the question-type table
    leaves out of the PDFs never comes here: ``Documents`` prints the course as written).
    Its words are in the interface language of the document being rendered."""
    base = Printed(question, type_name(question), number, points, notes=_feedback_notes(question))
    match question:
        case SingleChoice() | MultipleResponse():
            return _choices(base, question)
        case TrueFalse():
            return _true_false(base, question)
        case ShortAnswer():
            accepted = " / ".join(question.answers)
            case = " " + _("(case matters)") if question.case_sensitive else ""
            return replace(base, lines=1, answer=(_("Accept: %(answers)s") % {"answers": accepted}
                                                  + case,))
        case Numeric():
            return replace(base, lines=1, answer=(number_answer(question.answer, question.unit),))
        case Matching():
            return _matching(base, question)
        case Ordering():
            return _ordering(base, question)
        case FillBlanks():
            return _fill_blanks(base, question)
        case Essay():
            return _essay(base, question)
        case Description():
            return replace(base, number=None, points=0.0)
        case _:
            no_branch("pdf", question)


def _choices(base: Printed, question: SingleChoice | MultipleResponse) -> Printed:
    options = tuple(
        Option(LETTERS[i], c.text, c.correct, c.feedback) for i, c in enumerate(question.choices)
    )
    right = ", ".join(o.label for o in options if o.correct)
    return replace(base, options=options, answer=(right,))


def _true_false(base: Printed, question: TrueFalse) -> Printed:
    options = (
        Option(_("True"), _("True"), question.answer, question.feedback_true),
        Option(_("False"), _("False"), not question.answer, question.feedback_false),
    )
    return replace(base, options=options, answer=(_("True") if question.answer else _("False"),))


def _matching(base: Printed, question: Matching) -> Printed:
    answers = shuffled(question.id, question.answers)
    letter = {text: LETTERS[i] for i, text in enumerate(answers)}
    options = tuple(Option(letter[a], a) for a in answers)
    prompts = tuple(Option(str(i + 1), pair.prompt, rationale=letter[pair.match])
                    for i, pair in enumerate(question.pairs))
    key = tuple(f"{p.label} → {p.rationale}" for p in prompts)
    unused = ", ".join(letter[d] for d in question.distractors)
    extra = ((_("Not used: %(letters)s") % {"letters": unused},)
             if question.distractors else ())
    return replace(base, options=options, prompts=prompts, answer=key + extra)


def _ordering(base: Printed, question: Ordering) -> Printed:
    items = shuffled(question.id, question.items)
    letter = {text: LETTERS[i] for i, text in enumerate(items)}
    options = tuple(Option(letter[t], t) for t in items)
    in_order = tuple(Option(letter[t], t, rationale=str(n))
                     for n, t in enumerate(question.items, start=1))
    order = ", ".join(o.label for o in in_order)
    answer = _("Order: %(letters)s") % {"letters": order}
    return replace(base, options=options, prompts=in_order, answer=(answer,))


def _fill_blanks(base: Printed, question: FillBlanks) -> Printed:
    segments: list[str | Gap] = []
    for part in question.segments():
        if isinstance(part, Blank):
            number = sum(isinstance(s, Gap) for s in segments) + 1
            segments.append(Gap(number, part.options, _blank_answer(part)))
        else:
            segments.append(part)
    gaps = [s for s in segments if isinstance(s, Gap)]
    return replace(base, segments=tuple(segments),
                   answer=tuple(f"({g.number}) {g.answer}" for g in gaps))


def _blank_answer(blank: Blank) -> str:
    if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
        return number_answer(blank.numeric)
    if blank.kind is BlankKind.DROPDOWN:
        return blank.answers[0] if blank.answers else ""
    case = " " + _("(case matters)") if blank.case_sensitive else ""
    return " / ".join(blank.answers) + case


def _essay(base: Printed, question: Essay) -> Printed:
    lines = max(6, min(24, (question.max_words or 120) // 10))
    limits = []
    if question.min_words:
        limits.append(ngettext("at least %(num)s word", "at least %(num)s words",
                               question.min_words) % {"num": question.min_words})
    if question.max_words:
        limits.append(ngettext("at most %(num)s word", "at most %(num)s words",
                               question.max_words) % {"num": question.max_words})
    answer = (_("Marked by hand (%(limits)s).") % {"limits": ", ".join(limits)} if limits
              else _("Marked by hand."),)
    notes = ((_("Grader notes"), question.grader_notes),) if question.grader_notes else ()
    return replace(base, lines=lines, answer=answer, notes=notes + base.notes)


def _feedback_notes(question: Question) -> tuple[tuple[str, str], ...]:
    feedback = question.feedback
    pairs = ((_("Feedback"), feedback.general), (_("If right"), feedback.correct),
             (_("If partly right"), feedback.partial), (_("If wrong"), feedback.incorrect))
    hints = tuple((_("Hint %(n)s") % {"n": n} if len(question.hints) > 1 else _("Hint"), hint)
                  for n, hint in enumerate(question.hints, start=1))
    return tuple((label, text) for label, text in pairs if text) + hints


def number_answer(answer: NumericAnswer, unit: str = "") -> str:
    """A numeric answer as a grader reads it: ``4``, ``4 ± 0.5``, ``3 to 5``, exactly."""
    suffix = f" {unit}" if unit else ""
    low, high = (number(bound) for bound in numeric_bounds(answer))
    value, tolerance = number(answer.value), number(answer.tolerance)
    match answer.mode:
        case Tolerance.EXACT:
            return f"{value}{suffix}"
        case Tolerance.ABSOLUTE if not answer.tolerance:
            return f"{value}{suffix}"
        case Tolerance.ABSOLUTE:
            return f"{value} ± {tolerance}{suffix}"
        case Tolerance.PERCENT:
            return f"{value} ± {tolerance}% ({low} to {high}){suffix}"
        case Tolerance.RANGE:
            return f"{low} to {high}{suffix}"
        case _:
            assert_never(answer.mode)


def shuffled(seed: str, items: tuple[str, ...]) -> tuple[str, ...]:
    """A fixed shuffle of ``items`` that never leaves them in their answer order."""
    order = list(items)
    random.Random(seed).shuffle(order)
    if len(order) > 1 and tuple(order) == items:
        order = order[1:] + order[:1]
    return tuple(order)
