"""The data a quiz page embeds for its runtime: grading keys, feedback and LMS interaction fields.

Quizzes in the HTML site are self-assessment: the answers travel inside the page as JSON and
are graded in the browser by ``grading.js``, under the rules of ``coursepack.grading``.
Every Markdown field is rendered here to sanitised HTML; the runtime never renders Markdown.
"""

from __future__ import annotations

import html
import json
from typing import Any, assert_never

from coursepack import markup
from coursepack.grading import choice_id, item_id, match_id, prompt_id
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
    Quiz,
    Scoring,
    ShortAnswer,
    SingleChoice,
    Source,
    Tolerance,
    TrueFalse,
    type_name,
)
from coursepack.numbers import number, numeric_bounds

INTERACTION_TYPES: dict[type, str] = {
    SingleChoice: "choice",
    MultipleResponse: "choice",
    TrueFalse: "true-false",
    ShortAnswer: "fill-in",
    Numeric: "numeric",
    Matching: "matching",
    Ordering: "sequencing",
    FillBlanks: "fill-in",
    Essay: "long-fill-in",
    Description: "other",
}


def _bounds(answer: NumericAnswer) -> dict[str, float]:
    low, high = numeric_bounds(answer)
    return {"lo": float(low), "hi": float(high)}


def _blank_key(blank: Blank) -> dict[str, Any]:
    key: dict[str, Any] = {"kind": blank.kind.value, "points": blank.points}
    if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
        return key | _bounds(blank.numeric)
    return key | {"answers": list(blank.answers), "caseSensitive": blank.case_sensitive}


def _correct_ids(q: SingleChoice | MultipleResponse) -> list[str]:
    return [choice_id(i) for i, c in enumerate(q.choices) if c.correct]


def grading_key(q: Question) -> dict[str, Any]:
    """What ``grading.js`` needs to score a response to ``q``."""
    key: dict[str, Any] = {"type": type_name(q), "points": q.points}
    match q:
        case SingleChoice():
            return key | {"correct": choice_id(q.correct_index)}
        case MultipleResponse():
            return key | {"correct": _correct_ids(q),
                          "ids": [choice_id(i) for i in range(len(q.choices))],
                          "allOrNothing": q.scoring is Scoring.ALL_OR_NOTHING,
                          "negative": q.negative_marking}
        case TrueFalse():
            return key | {"correct": "true" if q.answer else "false"}
        case ShortAnswer():
            return key | {"answers": list(q.answers), "caseSensitive": q.case_sensitive}
        case Numeric():
            return key | _bounds(q.answer)
        case Matching():
            answer_ids = {text: match_id(i) for i, text in enumerate(q.answers)}
            pairs = {prompt_id(i): answer_ids[p.match] for i, p in enumerate(q.pairs)}
            return key | {"pairs": pairs}
        case Ordering():
            return key | {"correct": [item_id(i) for i in range(len(q.items))]}
        case FillBlanks():
            return key | {"blanks": [_blank_key(b) for b in q.blanks]}
        case Essay() | Description():
            return key
        case _:
            assert_never(q)


def correct_response(q: Question) -> list[str]:
    """The right answer as LMS tokens (numeric: lowest and highest accepted value)."""
    key = grading_key(q)
    match q:
        case SingleChoice() | TrueFalse():
            return [key["correct"]]
        case MultipleResponse() | Ordering():
            return list(key["correct"])
        case ShortAnswer():
            return [q.answers[0]]
        case Numeric():
            return [number(bound) for bound in numeric_bounds(q.answer)]
        case Matching():
            return [f"{p}.{m}" for p, m in key["pairs"].items()]
        case FillBlanks():
            return [_blank_answer(b) for b in q.blanks]
        case Essay() | Description():
            return []
        case _:
            assert_never(q)


def _blank_answer(blank: Blank) -> str:
    if blank.numeric is not None:
        answer = blank.numeric
        return number(answer.low if answer.mode is Tolerance.RANGE else answer.value)
    return blank.answers[0]


def _numeric_text(answer: NumericAnswer, unit: str) -> str:
    """The accepted numbers as the review shows them (plain text, escaped by the caller)."""
    low, high = numeric_bounds(answer)
    suffix = f" {unit}" if unit else ""
    if low == high:
        return f"{number(low)}{suffix}"
    return f"between {number(low)} and {number(high)}{suffix}"


def _plain(text: str) -> str:
    """A plain-text field (an accepted answer, a match) as HTML: shown exactly as written."""
    return html.escape(text, quote=False)


def answer_html(q: Question) -> str:
    """The right answer as HTML, for the review after an attempt."""
    match q:
        case SingleChoice() | MultipleResponse():
            return _list([markup.to_inline_html(c.text) for c in q.choices if c.correct])
        case TrueFalse():
            return "True" if q.answer else "False"
        case ShortAnswer():
            return _list([_plain(a) for a in q.answers])
        case Numeric():
            return _plain(_numeric_text(q.answer, q.unit))
        case Matching():
            inline = markup.to_inline_html
            return _list([f"{inline(p.prompt)}: {_plain(p.match)}" for p in q.pairs])
        case Ordering():
            items = "".join(f"<li>{markup.to_inline_html(i)}</li>" for i in q.items)
            return f"<ol>{items}</ol>"
        case FillBlanks():
            return _list([_blank_text(i, b) for i, b in enumerate(q.blanks)])
        case Essay() | Description():
            return ""
        case _:
            assert_never(q)


def _blank_text(index: int, blank: Blank) -> str:
    if blank.numeric is not None:
        return f"Blank {index + 1}: {_plain(_numeric_text(blank.numeric, ''))}"
    return f"Blank {index + 1}: {_plain(' or '.join(blank.answers))}"


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def feedback(q: Question, source: Source | None) -> dict[str, Any]:
    """The author's feedback as HTML; empty fields left out to keep pages small."""
    fb: dict[str, Any] = {
        "general": markup.to_html(q.feedback.general),
        "correct": markup.to_html(q.feedback.correct),
        "partial": markup.to_html(q.feedback.partial),
        "incorrect": markup.to_html(q.feedback.incorrect),
        "answer": answer_html(q),
        "source": _source_html(q, source),
    }
    if isinstance(q, SingleChoice | MultipleResponse):
        fb["options"] = {choice_id(i): markup.to_inline_html(c.feedback)
                         for i, c in enumerate(q.choices) if c.feedback}
    if isinstance(q, TrueFalse):
        fb["options"] = {"true": markup.to_inline_html(q.feedback_true),
                         "false": markup.to_inline_html(q.feedback_false)}
    return {k: v for k, v in fb.items() if v}


def _source_html(q: Question, source: Source | None) -> str:
    if q.source is None or source is None:
        return ""
    quote = f"<q>{markup.to_inline_html(q.source.quote)}</q> " if q.source.quote else ""
    where = f", {markup.to_inline_html(q.source.locator)}" if q.source.locator else ""
    return markup.sanitise(f"{quote}({markup.to_inline_html(source.title)}{where})")


def question_data(q: Question, source: Source | None) -> dict[str, Any]:
    """Everything the runtime needs about one question."""
    return {
        "key": grading_key(q),
        "feedback": feedback(q, source),
        "interaction": {
            "type": INTERACTION_TYPES[type(q)],
            "correctResponse": correct_response(q),
            "objectives": list(q.objectives),
            "description": markup.as_line(q.title or q.stem)[:250],
        },
    }


def quiz_data(quiz: Quiz, sources: dict[str, Source]) -> dict[str, Any]:
    """The JSON a quiz page embeds (self-assessment: answers are visible to a curious learner)."""
    fixed = [q.id for q in quiz.questions]
    settings = quiz.settings
    questions = {q.id: question_data(q, sources.get(q.source.source) if q.source else None)
                 for q in quiz.all_questions()}
    return {
        "id": quiz.id, "module": quiz.module, "title": markup.as_line(quiz.title),
        "passMark": settings.pass_mark, "attempts": settings.attempts,
        "shuffleQuestions": settings.shuffle_questions, "shuffleOptions": settings.shuffle_options,
        "showFeedback": settings.show_feedback,
        "fixed": fixed,
        "pools": [{"id": p.id, "pick": p.pick, "points": p.points,
                   "questions": [q.id for q in p.questions if q.id not in fixed]}
                  for p in quiz.pools],
        "questions": questions,
    }


def to_script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no "</script>" or "<!--" can appear."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
