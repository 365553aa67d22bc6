"""The data a quiz page embeds for its runtime: grading keys, feedback and LMS interaction fields.

Quizzes in the HTML site are self-assessment: the answers travel inside the page as JSON and
are graded in the browser by ``grading.js``, under the rules of ``coursepack.grading``.
Every Markdown field is rendered here to sanitised HTML; the runtime never renders Markdown.
What differs between question types comes from each type's home in
``coursepack.exporters.html.types``.
"""

from __future__ import annotations

import json
from typing import Any

from coursepack import markup
from coursepack.exporters.html.types import home
from coursepack.model import Question, Quiz, Source, type_name


def grading_key(q: Question) -> dict[str, Any]:
    """What ``grading.js`` needs to score a response to ``q``."""
    site = home(q)
    return {"type": type_name(q), "points": q.points, **site.key(q)}


def correct_response(q: Question) -> list[str]:
    """The right answer as LMS tokens (numeric: lowest and highest accepted value)."""
    return home(q).correct_response(q)


def answer_html(q: Question) -> str:
    """The right answer as HTML, for the review after an attempt."""
    return home(q).answer_html(q)


def feedback(q: Question, source: Source | None) -> dict[str, Any]:
    """The author's feedback as HTML; empty fields left out to keep pages small."""
    fb: dict[str, Any] = {
        "general": markup.to_html(q.feedback.general),
        "correct": markup.to_html(q.feedback.correct),
        "partial": markup.to_html(q.feedback.partial),
        "incorrect": markup.to_html(q.feedback.incorrect),
        "answer": answer_html(q),
        "source": _source_html(q, source),
        "options": home(q).option_feedback(q),
    }
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
            "type": home(q).interaction,
            "correctResponse": correct_response(q),
            "objectives": list(q.objectives),
            "description": markup.as_line(q.title or q.stem)[:250],
            "components": home(q).components(q),
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
