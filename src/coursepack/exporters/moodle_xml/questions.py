"""Each question type as the fields of its Moodle question type (qformat_xml)."""

from __future__ import annotations

import base64
from typing import Any, assert_never

from coursepack import markup
from coursepack.exporters._quizbank import (
    Entry,
    blanks_html,
    choice_fractions,
    image_name,
    images,
    number,
    percent,
)
from coursepack.model import (
    Blank,
    BlankKind,
    Course,
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)

Fields = dict[str, Any]


def html_text(course: Course, question: Question, text: str, inline: bool = False) -> Fields:
    """Markdown as Moodle HTML text, its images embedded behind @@PLUGINFILE@@."""
    rendered = markup.to_inline_html(text) if inline else markup.to_html(text)
    return embed(course, question, text, rendered.strip())


def embed(course: Course, question: Question, source: str, rendered: str) -> Fields:
    files, mapping = [], {}
    for ref, path in images(course, question, source):
        name = image_name(path)
        mapping[ref] = f"@@PLUGINFILE@@/{name}"
        files.append({"name": name, "data": base64.b64encode(path.read_bytes()).decode()})
    return {"text": markup.rewrite_images(rendered, mapping), "files": files}


def fields(course: Course, entry: Entry) -> Fields:
    """The Moodle fields of one question: common ones, then its type's."""
    q = entry.question
    common: Fields = {
        "name": markup.to_line(q.title) or q.id,
        "idnumber": q.id,
        "text": html_text(course, q, q.stem),
        "general": html_text(course, q, q.feedback.general),
        "grade": number(q.points),
        "tags": list(q.objectives),
        "hints": [html_text(course, q, h) for h in q.hints],
        "combined": [
            (tag, html_text(course, q, text))
            for tag, text in (("correctfeedback", q.feedback.correct),
                              ("partiallycorrectfeedback", q.feedback.partial),
                              ("incorrectfeedback", q.feedback.incorrect))
        ],
        "shuffle": int(entry.quiz.settings.shuffle_options),
    }
    return common | specific(course, q)


def specific(course: Course, q: Question) -> Fields:
    match q:
        case SingleChoice():
            return _choices(course, q, [1.0 if c.correct else 0.0 for c in q.choices], True)
        case MultipleResponse():
            return _choices(course, q, choice_fractions(q), False)
        case TrueFalse():
            return {"type": "truefalse", "answers": [
                _answer("true", 1.0 if q.answer else 0.0, html_text(course, q, q.feedback_true)),
                _answer("false", 0.0 if q.answer else 1.0, html_text(course, q, q.feedback_false)),
            ]}
        case ShortAnswer():
            right = html_text(course, q, q.feedback.correct)
            answers = [_answer(a, 1.0, right) for a in q.answers]
            return {"type": "shortanswer", "usecase": int(q.case_sensitive),
                    "answers": answers + _anything_else(course, q)}
        case Numeric():
            return _numerical(course, q)
        case Matching():
            subs = [{"text": html_text(course, q, p.prompt), "answer": p.match} for p in q.pairs]
            spare = [{"text": {"text": "", "files": []}, "answer": d} for d in q.distractors]
            return {"type": "matching", "subquestions": subs + spare}
        case Ordering() if course.moodle_core_types_only:
            return _ordering_as_matching(course, q)
        case Ordering():
            return {"type": "ordering", "items": [html_text(course, q, i, True) for i in q.items]}
        case FillBlanks():
            return {"type": "multianswer", "text": cloze_text(course, q)}
        case Essay():
            return {"type": "essay", "graderinfo": html_text(course, q, q.grader_notes),
                    "template": q.response_template, "minwords": q.min_words,
                    "maxwords": q.max_words}
        case Description():
            return {"type": "description", "grade": "0"}
        case _:
            assert_never(q)


def _ordering_as_matching(course: Course, q: Ordering) -> Fields:
    """For sites without the ordering type: match each item to its place in the order."""
    subs = [{"text": html_text(course, q, item), "answer": str(place)}
            for place, item in enumerate(q.items, start=1)]
    return {"type": "matching", "subquestions": subs}


def _answer(text: str, fraction: float, feedback: Fields, html_format: bool = False) -> Fields:
    return {"text": text, "fraction": percent(fraction), "feedback": feedback,
            "format": "html" if html_format else "moodle_auto_format"}


def _choices(course: Course, q: SingleChoice | MultipleResponse, fractions: list[float],
             single: bool) -> Fields:
    answers = []
    for choice, fraction in zip(q.choices, fractions, strict=True):
        text = html_text(course, q, choice.text, inline=True)
        answer = _answer(text["text"], fraction, html_text(course, q, choice.feedback), True)
        answers.append(answer | {"files": text["files"]})
    return {"type": "multichoice", "single": "true" if single else "false", "answers": answers}


def _anything_else(course: Course, q: Question) -> list[Fields]:
    """A catch-all ``*`` answer worth nothing, to carry the feedback for wrong answers."""
    if not q.feedback.incorrect:
        return []
    return [_answer("*", 0.0, html_text(course, q, q.feedback.incorrect))]


def _numerical(course: Course, q: Numeric) -> Fields:
    answer = _answer(number(q.answer.centre), 1.0, html_text(course, q, q.feedback.correct))
    answer["tolerance"] = number(q.answer.margin)
    wrong = [a | {"tolerance": "0"} for a in _anything_else(course, q)]
    return {"type": "numerical", "answers": [answer, *wrong], "unit": q.unit}


# --- cloze -----------------------------------------------------------------------------

_CLOZE_ESCAPES = {"\\": "&#92;", "}": "&#125;", "#": "&#35;", "~": "&#126;", "/": "&#47;",
                  '"': "&#34;", "{": "&#123;", "&": "&#38;", "<": "&#60;", ">": "&#62;"}
_HTML_ANSWER = {"&": "&amp;amp;", "<": "&amp;lt;", ">": "&amp;gt;"}


def cloze_escape(text: str, html_answer: bool = False) -> str:
    """Plain text safe inside a cloze sub-question: each special character as an entity.

    Moodle splits a sub-question on ``~ # }`` first and decodes HTML entities in
    each answer afterwards, so an entity never splits it. A MULTICHOICE option is
    stored as HTML, so its ``& < >`` are encoded twice.
    """
    table = _CLOZE_ESCAPES | _HTML_ANSWER if html_answer else _CLOZE_ESCAPES
    return "".join(table.get(ch, ch) for ch in text)


def cloze_code(blank: Blank) -> str:
    """One sub-question: ``{weight:TYPE:=answer~...}``."""
    weight = max(1, round(blank.points))
    if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
        body = f"={number(blank.numeric.centre)}:{number(blank.numeric.margin)}"
        return f"{{{weight}:NUMERICAL:{body}}}"
    if blank.kind is BlankKind.DROPDOWN:
        right = blank.answers[0]
        choices = blank.options if right in blank.options else (right, *blank.options)
        options = [("=" if o == right else "") + cloze_escape(o, True) for o in choices]
        return f"{{{weight}:MULTICHOICE:{'~'.join(options)}}}"
    kind = "SHORTANSWER_C" if blank.case_sensitive else "SHORTANSWER"
    return f"{{{weight}:{kind}:{'~'.join('=' + cloze_escape(a) for a in blank.answers)}}}"


def cloze_text(course: Course, q: FillBlanks) -> Fields:
    """Stem and gap text as one HTML text with a sub-question in each gap."""
    body, markers = blanks_html(q)
    body = body.replace("{", "&#123;")  # literal braces never start a sub-question
    for marker, blank in markers:
        body = body.replace(marker, cloze_code(blank))
    rendered = markup.to_html(q.stem) + body
    return embed(course, q, q.stem + "\n\n" + q.text, rendered)


__all__ = ["cloze_escape", "fields"]
