"""Each question type's home in the site: everything the HTML site knows about one type.

A type's home says, in one class:

- ``view``: the template data its form needs (``templates/html/questions/<type>.html.j2``);
- ``key``: what ``grading.js`` needs to score a response, beyond ``type`` and ``points``;
- ``correct_response``: the right answer as LMS tokens (see ``coursepack.grading``);
- ``answer_html``: the right answer as HTML, for the review after an attempt;
- ``interaction``: the LMS interaction type (SCORM's ``cmi.interactions.n.type``);
- ``option_feedback``: feedback per option id, shown beside the options a learner chose;
- ``components``: the options, prompts or items by id as plain text, for xAPI statements
  (``xapi.js`` writes them as the interaction's choices, source and target).

``questions.py`` and ``quizdata.py`` only ask ``home(q)``. Adding a type to the site means a
class here, its entry in ``HOMES``, and its template; the template declares which kind of
response its inputs give (``data-response``) and ``coursepack.js`` reads and restores every
kind it knows, so a type reusing an existing kind needs no JavaScript. A question whose type
has no home here is an error naming the type, never a question silently left out.
"""

from __future__ import annotations

import html
from typing import Any, ClassVar, Generic, TypeVar

from markupsafe import Markup

from coursepack import markup
from coursepack.grading import choice_id, item_id, match_id, prompt_id
from coursepack.locale import gettext as _
from coursepack.model import (
    QUESTION_TYPES,
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
    QuestionBase,
    Scoring,
    ShortAnswer,
    SingleChoice,
    Tolerance,
    TrueFalse,
)
from coursepack.numbers import number, numeric_bounds

Q = TypeVar("Q", bound=QuestionBase)
C = TypeVar("C", bound=SingleChoice | MultipleResponse)


class UnknownQuestionType(LookupError):
    """A question whose type the site has no home for."""


class SiteType(Generic[Q]):
    """What the site knows about one question type; the defaults suit a type with no answer."""

    interaction: ClassVar[str] = "other"

    def view(self, q: Q) -> dict[str, Any]:
        """Template data for the type's form, beyond what every question has."""
        return {}

    def key(self, q: Q) -> dict[str, Any]:
        """Grading data for ``grading.js``, beyond ``type`` and ``points``."""
        return {}

    def correct_response(self, q: Q) -> list[str]:
        """The right answer as LMS tokens (empty when there is none)."""
        return []

    def answer_html(self, q: Q) -> str:
        """The right answer as HTML for the review ("" when there is none to show)."""
        return ""

    def option_feedback(self, q: Q) -> dict[str, str]:
        """Feedback per option id (HTML); empty when the type has none."""
        return {}

    def components(self, q: Q) -> dict[str, list[dict[str, str]]]:
        """xAPI interaction components ("choices", "source", "target"): [{id, text}] each,
        the text plain; empty when the type has none."""
        return {}


# ---- helpers shared by several types ----------------------------------------------------


def _inline(text: str) -> Markup:
    return Markup(markup.to_inline_html(text))


def _plain(text: str) -> str:
    """A plain-text field (an accepted answer, a match) as HTML: shown exactly as written."""
    return html.escape(text, quote=False)


def _parts(ids_and_texts: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Interaction components: each id with its text as one plain line."""
    return [{"id": id_, "text": markup.as_line(text)} for id_, text in ids_and_texts]


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _bounds(answer: NumericAnswer) -> dict[str, float]:
    low, high = numeric_bounds(answer)
    return {"lo": float(low), "hi": float(high)}


def _numeric_text(answer: NumericAnswer, unit: str) -> str:
    """The accepted numbers as the review shows them (plain text, escaped by the caller)."""
    low, high = numeric_bounds(answer)
    suffix = f" {unit}" if unit else ""
    if low == high:
        return f"{number(low)}{suffix}"
    return f"between {number(low)} and {number(high)}{suffix}"


# ---- the types ----------------------------------------------------------------------------


class _Choices(SiteType[C]):
    """Options with ids "a", "b"...: single and multiple choice."""

    interaction = "choice"

    def view(self, q: C) -> dict[str, Any]:
        return {"choices": [{"id": choice_id(i), "html": _inline(c.text)}
                            for i, c in enumerate(q.choices)]}

    def answer_html(self, q: C) -> str:
        return _list([markup.to_inline_html(c.text) for c in q.choices if c.correct])

    def option_feedback(self, q: C) -> dict[str, str]:
        return {choice_id(i): markup.to_inline_html(c.feedback)
                for i, c in enumerate(q.choices) if c.feedback}

    def components(self, q: C) -> dict[str, list[dict[str, str]]]:
        return {"choices": _parts([(choice_id(i), c.text) for i, c in enumerate(q.choices)])}


class SingleHome(_Choices[SingleChoice]):
    def key(self, q: SingleChoice) -> dict[str, Any]:
        return {"correct": choice_id(q.correct_index)}

    def correct_response(self, q: SingleChoice) -> list[str]:
        return [choice_id(q.correct_index)]


class MultipleHome(_Choices[MultipleResponse]):
    def key(self, q: MultipleResponse) -> dict[str, Any]:
        return {"correct": self.correct_response(q),
                "ids": [choice_id(i) for i in range(len(q.choices))],
                "allOrNothing": q.scoring is Scoring.ALL_OR_NOTHING,
                "negative": q.negative_marking}

    def correct_response(self, q: MultipleResponse) -> list[str]:
        return [choice_id(i) for i, c in enumerate(q.choices) if c.correct]


class TrueFalseHome(SiteType[TrueFalse]):
    interaction = "true-false"

    def view(self, q: TrueFalse) -> dict[str, Any]:
        return {"choices": [{"id": "true", "html": _("True")}, {"id": "false", "html": _("False")}]}

    def key(self, q: TrueFalse) -> dict[str, Any]:
        return {"correct": self.correct_response(q)[0]}

    def correct_response(self, q: TrueFalse) -> list[str]:
        return ["true" if q.answer else "false"]

    def answer_html(self, q: TrueFalse) -> str:
        return _("True") if q.answer else _("False")

    def option_feedback(self, q: TrueFalse) -> dict[str, str]:
        return {"true": markup.to_inline_html(q.feedback_true),
                "false": markup.to_inline_html(q.feedback_false)}


class ShortAnswerHome(SiteType[ShortAnswer]):
    interaction = "fill-in"

    def key(self, q: ShortAnswer) -> dict[str, Any]:
        return {"answers": list(q.answers), "caseSensitive": q.case_sensitive}

    def correct_response(self, q: ShortAnswer) -> list[str]:
        return [q.answers[0]]

    def answer_html(self, q: ShortAnswer) -> str:
        return _list([_plain(a) for a in q.answers])


class NumericHome(SiteType[Numeric]):
    interaction = "numeric"

    def view(self, q: Numeric) -> dict[str, Any]:
        return {"unit": q.unit}

    def key(self, q: Numeric) -> dict[str, Any]:
        return _bounds(q.answer)

    def correct_response(self, q: Numeric) -> list[str]:
        """The lowest and the highest accepted value."""
        return [number(bound) for bound in numeric_bounds(q.answer)]

    def answer_html(self, q: Numeric) -> str:
        return _plain(_numeric_text(q.answer, q.unit))


class MatchingHome(SiteType[Matching]):
    interaction = "matching"

    def view(self, q: Matching) -> dict[str, Any]:
        prompts = [{"id": prompt_id(i), "html": _inline(p.prompt)} for i, p in enumerate(q.pairs)]
        answers = [{"id": match_id(i), "text": a} for i, a in enumerate(q.answers)]
        return {"prompts": prompts, "answers": answers}

    def key(self, q: Matching) -> dict[str, Any]:
        return {"pairs": self._pairs(q)}

    def correct_response(self, q: Matching) -> list[str]:
        return [f"{p}.{m}" for p, m in self._pairs(q).items()]

    def answer_html(self, q: Matching) -> str:
        return _list([f"{markup.to_inline_html(p.prompt)}: {_plain(p.match)}" for p in q.pairs])

    def components(self, q: Matching) -> dict[str, list[dict[str, str]]]:
        return {"source": _parts([(prompt_id(i), p.prompt) for i, p in enumerate(q.pairs)]),
                "target": _parts([(match_id(i), a) for i, a in enumerate(q.answers)])}

    @staticmethod
    def _pairs(q: Matching) -> dict[str, str]:
        answer_ids = {text: match_id(i) for i, text in enumerate(q.answers)}
        return {prompt_id(i): answer_ids[p.match] for i, p in enumerate(q.pairs)}


class OrderingHome(SiteType[Ordering]):
    interaction = "sequencing"

    def view(self, q: Ordering) -> dict[str, Any]:
        return {"steps": [{"id": item_id(i), "html": _inline(t)} for i, t in enumerate(q.items)]}

    def key(self, q: Ordering) -> dict[str, Any]:
        return {"correct": self.correct_response(q)}

    def correct_response(self, q: Ordering) -> list[str]:
        return [item_id(i) for i in range(len(q.items))]

    def answer_html(self, q: Ordering) -> str:
        items = "".join(f"<li>{markup.to_inline_html(i)}</li>" for i in q.items)
        return f"<ol>{items}</ol>"

    def components(self, q: Ordering) -> dict[str, list[dict[str, str]]]:
        return {"choices": _parts([(item_id(i), t) for i, t in enumerate(q.items)])}


class FillBlanksHome(SiteType[FillBlanks]):
    interaction = "fill-in"

    def view(self, q: FillBlanks) -> dict[str, Any]:
        parts: list[dict[str, Any]] = []
        for segment in q.segments():
            if isinstance(segment, str):
                html_ = _inline(segment) if segment.strip() else Markup(segment)
                parts.append({"html": html_, "blank": None})
            else:
                parts.append({"html": "", "blank": self._blank(q.blanks.index(segment), segment)})
        return {"segments": parts}

    def key(self, q: FillBlanks) -> dict[str, Any]:
        return {"blanks": [self._blank_key(b) for b in q.blanks]}

    def correct_response(self, q: FillBlanks) -> list[str]:
        return [self._blank_answer(b) for b in q.blanks]

    def answer_html(self, q: FillBlanks) -> str:
        return _list([self._blank_text(i, b) for i, b in enumerate(q.blanks)])

    @staticmethod
    def _blank(index: int, blank: Blank) -> dict[str, Any]:
        return {"id": blank.id, "index": index + 1, "kind": blank.kind.value,
                "options": [{"value": o, "text": o} for o in blank.options]}

    @staticmethod
    def _blank_key(blank: Blank) -> dict[str, Any]:
        key: dict[str, Any] = {"kind": blank.kind.value, "points": blank.points}
        if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
            return key | _bounds(blank.numeric)
        return key | {"answers": list(blank.answers), "caseSensitive": blank.case_sensitive}

    @staticmethod
    def _blank_answer(blank: Blank) -> str:
        if blank.numeric is not None:
            answer = blank.numeric
            return number(answer.low if answer.mode is Tolerance.RANGE else answer.value)
        return blank.answers[0]

    @staticmethod
    def _blank_text(index: int, blank: Blank) -> str:
        if blank.numeric is not None:
            return f"Blank {index + 1}: {_plain(_numeric_text(blank.numeric, ''))}"
        return f"Blank {index + 1}: {_plain(' or '.join(blank.answers))}"


class EssayHome(SiteType[Essay]):
    interaction = "long-fill-in"

    def view(self, q: Essay) -> dict[str, Any]:
        return {"template": q.response_template, "min_words": q.min_words,
                "max_words": q.max_words}


class DescriptionHome(SiteType[Description]):
    interaction = "other"


HOMES: dict[str, SiteType[Any]] = {
    "single": SingleHome(),
    "multiple": MultipleHome(),
    "true-false": TrueFalseHome(),
    "short-answer": ShortAnswerHome(),
    "numeric": NumericHome(),
    "matching": MatchingHome(),
    "ordering": OrderingHome(),
    "fill-blanks": FillBlanksHome(),
    "essay": EssayHome(),
    "description": DescriptionHome(),
}
"""Every type the site shows, by its spec ``type:`` name."""


def home_name(q: QuestionBase) -> str:
    """The spec's ``type:`` name of ``q``, or its class name for a class no spec name has."""
    return next((k for k, v in QUESTION_TYPES.items() if type(q) is v), type(q).__name__)


def home(q: QuestionBase) -> SiteType[Any]:
    """The site's home for ``q``'s type; an error naming the type when it has none."""
    name = home_name(q)
    try:
        return HOMES[name]
    except KeyError:
        raise UnknownQuestionType(
            f"question '{q.id}': the HTML site has no home for question type '{name}'; "
            "add one to coursepack.exporters.html.types.HOMES with its template "
            f"templates/html/questions/{name}.html.j2") from None
