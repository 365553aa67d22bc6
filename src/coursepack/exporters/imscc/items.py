"""Questions as items of the Common Cartridge 1.1 profile of QTI 1.2.1.

The profile knows six item types: multiple choice, multiple response, true/false, fill in
the blank, pattern match and essay. Each question maps to one of them or is left out with a
reason (``unsupported``) that ``ImsccExporter.check`` turns into a warning; ``losses`` says
what an item it carries leaves out (partial credit, hints, an essay's notes...).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from coursepack import markup
from coursepack.exporters.qti12.names import clean, name_of
from coursepack.exporters.question_types import carries, no_branch
from coursepack.locale import gettext as _
from coursepack.model import (
    BlankKind,
    Choice,
    Description,
    Essay,
    FillBlanks,
    MultipleResponse,
    Numeric,
    Question,
    Scoring,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    markdown,
)
from coursepack.numbers import number, numeric_bounds

RESPONSE = "response1"


@dataclass(frozen=True)
class Label:
    ident: str
    html: str


@dataclass(frozen=True)
class Condition:
    """One respcondition: which answers match, the score it sets, the feedback it shows."""

    selected: tuple[str, ...] = ()
    unselected: tuple[str, ...] = ()
    otherwise: bool = False
    score: str | None = None
    feedback: str = ""
    case: bool = False


@dataclass(frozen=True)
class Item:
    """What the assessment template needs to write one item."""

    ident: str
    title: str
    profile: str
    weighting: int
    stem: str
    cardinality: str = "Single"
    labels: tuple[Label, ...] = ()
    conditions: tuple[Condition, ...] = ()
    feedback: tuple[Label, ...] = ()
    shuffle: bool = False

    @property
    def choice(self) -> bool:
        return bool(self.labels)

    @property
    def scored(self) -> bool:
        return self.profile != "cc.essay.v0p1"


@dataclass(frozen=True)
class Head:
    """What every item has, whatever its type."""

    ident: str
    title: str
    weighting: int
    stem: str

    def item(self, profile: str, **rest: Any) -> Item:
        return Item(ident=self.ident, title=self.title, weighting=self.weighting,
                    stem=self.stem, profile=profile, **rest)


def letter(index: int) -> str:
    return chr(ord("a") + index) if index < 26 else f"c{index + 1}"


def weighting(points: float) -> int:
    """Points as the profile's integer weighting, 1 to 99."""
    return min(99, max(1, round(points)))


def unsupported(question: Question) -> str:
    """Why a question of a type the cartridge carries cannot become a CC item, or '' when it
    can (the question-type table says which types it leaves out)."""
    match question:
        case Numeric() if question.answer.margin:
            return "the Common Cartridge 1.1 profile of QTI cannot accept a range of numbers"
        case FillBlanks() if [b.kind for b in question.blanks] != [BlankKind.TEXT]:
            return "the Common Cartridge 1.1 profile of QTI has a single text blank per item"
        case _:
            return ""


def item_ident(question_id: str) -> str:
    """The item's ident: the id itself when it is a plain lower-case name (a-z, 0-9, -);
    any other id is made a valid name and given a suffix from its hash, so ids that differ
    only by case or punctuation (``Wq.Multiple``, ``wq-multiple``) never share an ident."""
    if _PLAIN_ID.fullmatch(question_id):
        return question_id
    name = name_of(question_id)
    digest = hashlib.sha256(question_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{name}-{digest}"


_PLAIN_ID = re.compile(r"[a-z][a-z0-9-]*")


def title_of(question: Question) -> str:
    """The item title: the question's title as written, else the start of its stem."""
    return clean(question.title) or clean(markup.to_line(question.stem))[:80]


def html(text: str) -> str:
    """Block Markdown as CC item HTML (the exporter says where its images are published)."""
    return clean(markup.to_html(text))


def inline_html(text: str) -> str:
    return clean(markup.to_inline_html(text))


def losses(question: Question) -> list[str]:
    """What the CC item of a question it can carry leaves out or scores differently."""
    if unsupported(question) or isinstance(question, Description):
        return []
    found = []
    if isinstance(question, MultipleResponse) and question.scoring is Scoring.PARTIAL:
        found.append("a CC multiple-response item is right or wrong: partial credit "
                     "(and negative marking) is left out")
    if question.feedback.partial:
        found.append("the CC profile has no partial-credit feedback; it is left out")
    if question.hints:
        found.append("the CC profile has no hints; they are left out")
    if isinstance(question, Essay) and (question.feedback.correct or question.feedback.incorrect):
        found.append("a trainer marks a CC essay item: its correct and incorrect feedback is "
                     "left out")
    if isinstance(question, Essay):
        kept = [name for name, value in (("grader notes", question.grader_notes),
                                         ("response template", question.response_template),
                                         ("word limits", question.min_words
                                          or question.max_words)) if value]
        if kept:
            found.append(f"a CC essay item has no {', '.join(kept)}; left out")
    if isinstance(question, Numeric) and question.unit:
        found.append("a CC fill-in item has no unit; it is left out")
    return found


def to_item(question: Question, points: float, shuffle: bool) -> Item | None:
    """The CC item for a question, or None when the profile cannot carry it."""
    if (not carries("imscc", question) or unsupported(question)
            or isinstance(question, Description)):
        return None
    base = Head(item_ident(question.id), title_of(question), weighting(points),
                html(question.stem))
    match question:
        case SingleChoice():
            return _choices(base, question.choices, single=True, shuffle=shuffle, q=question)
        case MultipleResponse():
            return _choices(base, question.choices, single=False, shuffle=shuffle, q=question)
        case TrueFalse():
            return _true_false(base, question)
        case ShortAnswer():
            return _fib(base, question.answers, question.case_sensitive, question)
        case Numeric():
            return _fib(base, (number(numeric_bounds(question.answer)[0]),), False, question)
        case FillBlanks():
            blank = question.blanks[0]
            text = "".join(s if isinstance(s, str) else "____" for s in question.segments())
            gap = html(markdown(question.text).part(text))
            base = Head(base.ident, base.title, base.weighting, base.stem + gap)
            return _fib(base, blank.answers, blank.case_sensitive, question)
        case Essay():
            return _essay(base, question)
        case _:
            no_branch("imscc", question)


def _feedback(question: Question) -> tuple[list[Label], list[Condition]]:
    """General feedback first (shown whatever the answer), as labels and conditions."""
    labels: list[Label] = []
    conditions: list[Condition] = []
    if question.feedback.general:
        labels.append(Label("general_fb", html(question.feedback.general)))
        conditions.append(Condition(otherwise=True, feedback="general_fb"))
    return labels, conditions


def _closing(question: Question, labels: list[Label]) -> list[Condition]:
    """The condition reached when no correct answer matched: incorrect feedback."""
    if not question.feedback.incorrect:
        return []
    labels.append(Label("incorrect_fb", html(question.feedback.incorrect)))
    return [Condition(otherwise=True, feedback="incorrect_fb")]


def _correct(question: Question, labels: list[Label]) -> str:
    if not question.feedback.correct:
        return ""
    labels.append(Label("correct_fb", html(question.feedback.correct)))
    return "correct_fb"


def _choices(base: Head, choices: tuple[Choice, ...], single: bool, shuffle: bool,
             q: Question) -> Item:
    feedback, conditions = _feedback(q)
    options = tuple(Label(letter(i), inline_html(c.text)) for i, c in enumerate(choices))
    for option, choice in zip(options, choices, strict=True):
        if choice.feedback:
            feedback.append(Label(f"{option.ident}_fb", html(choice.feedback)))
            conditions.append(Condition(selected=(option.ident,), feedback=f"{option.ident}_fb"))
    right = tuple(o.ident for o, c in zip(options, choices, strict=True) if c.correct)
    wrong = tuple(o.ident for o, c in zip(options, choices, strict=True) if not c.correct)
    correct = _correct(q, feedback)
    conditions.append(Condition(selected=right, unselected=() if single else wrong,
                                score="100", feedback=correct))
    profile = "cc.multiple_response.v0p1"
    if single:
        profile = "cc.multiple_choice.v0p1" if len(options) > 2 else "cc.true_false.v0p1"
    return base.item(profile, cardinality="Single" if single else "Multiple", labels=options,
                     conditions=(*conditions, *_closing(q, feedback)),
                     feedback=tuple(feedback), shuffle=shuffle)


def _true_false(base: Head, q: TrueFalse) -> Item:
    feedback, conditions = _feedback(q)
    options = (Label("true", _("True")), Label("false", _("False")))
    for ident, text in (("true", q.feedback_true), ("false", q.feedback_false)):
        if text:
            feedback.append(Label(f"{ident}_fb", html(text)))
            conditions.append(Condition(selected=(ident,), feedback=f"{ident}_fb"))
    answer = "true" if q.answer else "false"
    conditions.append(Condition(selected=(answer,), score="100", feedback=_correct(q, feedback)))
    return base.item("cc.true_false.v0p1", labels=options,
                     conditions=(*conditions, *_closing(q, feedback)), feedback=tuple(feedback))


def _fib(base: Head, answers: tuple[str, ...], case: bool, q: Question) -> Item:
    feedback, conditions = _feedback(q)
    correct = _correct(q, feedback)
    for answer in dict.fromkeys(answers):
        conditions.append(Condition(selected=(clean(answer),), score="100", feedback=correct,
                                    case=case))
    return base.item("cc.fib.v0p1", conditions=(*conditions, *_closing(q, feedback)),
                     feedback=tuple(feedback))


def _essay(base: Head, q: Essay) -> Item:
    feedback, conditions = _feedback(q)
    if not conditions:
        conditions.append(Condition(otherwise=True))
    return base.item("cc.essay.v0p1", conditions=tuple(conditions), feedback=tuple(feedback))
