"""Each question type as the fields of its Moodle question type (qformat_xml).

Texts are written as Moodle reads them back: HTML for Markdown fields; plain fields
(names, matching answers) with ``<`` and ``>`` as entities, since Moodle shows them
through ``format_string``, which strips anything that looks like a tag; short answers
as patterns of Moodle's shortanswer matcher, where ``*`` is a wildcard unless escaped.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from fractions import Fraction
from math import gcd, lcm
from typing import Any

from coursepack import markup
from coursepack.exporters._quizbank import (
    Entry,
    blanks_html,
    choice_fractions,
    exact,
    number,
    numeric_target,
    percent,
)
from coursepack.exporters._quizbank import moodle_string as plain
from coursepack.exporters.media import Published
from coursepack.exporters.question_types import no_branch
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
    NumericAnswer,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from coursepack.model import joined as join_markdown

Fields = dict[str, Any]


# --- plain text as Moodle stores it ------------------------------------------------------

def as_html(text: str) -> str:
    """Plain text as HTML, for a field Moodle stores and shows as HTML."""
    return html.escape(text, quote=False)


def question_name(q: Question) -> str:
    """The question's name: its plain title on one line, or its id."""
    return " ".join(q.title.split()) or q.id


def wildcard_escape(answer: str) -> str:
    """A short answer as a pattern Moodle's shortanswer matches literally.

    qtype_shortanswer splits its pattern on ``*`` not preceded by a backslash and
    turns ``\\*`` back into ``*``; no other backslash is special. Escaping every star
    is therefore exact, even after a backslash (``\\*`` becomes ``\\\\*``, read ``\\*``).
    """
    return answer.replace("*", "\\*")


def joined(*texts: str) -> str:
    """Markdown texts as one, each its own paragraph, with their images; empty ones left out."""
    return join_markdown(texts)


def truefalse_feedback(q: TrueFalse) -> tuple[str, str]:
    """(feedback for answering true, for answering false), with the question's
    correct and incorrect feedback added to the right and the wrong answer's:
    a true/false question has only these two feedbacks in Moodle."""
    right, wrong = q.feedback.correct, q.feedback.incorrect
    if q.answer:
        return joined(q.feedback_true, right), joined(q.feedback_false, wrong)
    return joined(q.feedback_true, wrong), joined(q.feedback_false, right)


def template_html(template: str) -> str:
    """An essay's plain response template as the HTML the essay editor starts with."""
    return "<br>".join(as_html(line) for line in template.splitlines())


# --- HTML text ---------------------------------------------------------------------------

_PRE = re.compile(r"(<pre\b.*?</pre>)", re.S | re.I)


def one_line(fragment: str) -> str:
    """HTML without raw line breaks, which an expat-based PHP hands to Moodle's
    XML parser alone, to be dropped as blank: a space outside ``<pre>``, ``&#10;`` inside."""
    parts = _PRE.split(fragment)
    return "".join(p.replace("\n", "&#10;") if i % 2 else p.replace("\n", " ")
                   for i, p in enumerate(parts)).strip()


def html_text(course: Course, question: Question, text: str, inline: bool = False) -> Fields:
    """Markdown as Moodle HTML text, its images embedded behind @@PLUGINFILE@@."""
    return embed(lambda: markup.to_inline_html(text) if inline else markup.to_html(text))


def embed(render: Callable[[], str]) -> Fields:
    """HTML from ``render`` with every image it shows embedded as a file of the field."""
    published = Published()
    with published.serving(lambda name: f"@@PLUGINFILE@@/{name}"):
        rendered = render()
    files = [{"name": name, "data": base64.b64encode(path.read_bytes()).decode()}
             for name, path in published.files.items()]
    return {"text": one_line(rendered.strip()), "files": files}


# --- question fields ---------------------------------------------------------------------

def fields(course: Course, entry: Entry, core_only: bool = False) -> Fields:
    """The Moodle fields of one question: common ones, then its type's (``core_only``: only
    Moodle's core question types, so ordering as matching)."""
    q = entry.question
    shuffle = entry.quiz.settings.shuffle_options
    common: Fields = {
        "name": plain(question_name(q)),
        "idnumber": q.id,
        "text": html_text(course, q, q.stem),
        "general": html_text(course, q, q.feedback.general),
        "grade": number(exact(q.points)),
        "tags": list(q.objectives),
        "hints": [html_text(course, q, h) for h in q.hints],
        "combined": [
            (tag, html_text(course, q, text))
            for tag, text in (("correctfeedback", q.feedback.correct),
                              ("partiallycorrectfeedback", q.feedback.partial),
                              ("incorrectfeedback", q.feedback.incorrect))
        ],
        "shuffle": int(shuffle),
    }
    return common | specific(course, q, shuffle, core_only)


def specific(course: Course, q: Question, shuffle: bool = False,
             core_only: bool = False) -> Fields:
    match q:
        case SingleChoice():
            return _choices(course, q, [1.0 if c.correct else 0.0 for c in q.choices], True)
        case MultipleResponse():
            return _choices(course, q, choice_fractions(q), False)
        case TrueFalse():
            on_true, on_false = truefalse_feedback(q)
            return {"type": "truefalse", "answers": [
                _answer("true", 1.0 if q.answer else 0.0, html_text(course, q, on_true)),
                _answer("false", 0.0 if q.answer else 1.0, html_text(course, q, on_false)),
            ]}
        case ShortAnswer():
            right = html_text(course, q, q.feedback.correct)
            answers = [_answer(wildcard_escape(a), 1.0, right) for a in q.answers]
            return {"type": "shortanswer", "usecase": int(q.case_sensitive),
                    "answers": answers + _anything_else(course, q)}
        case Numeric():
            return _numerical(course, q)
        case Matching():
            subs = [{"text": html_text(course, q, p.prompt), "answer": plain(p.match)}
                    for p in q.pairs]
            spare = [{"text": {"text": "", "files": []}, "answer": plain(d)} for d in q.distractors]
            return {"type": "matching", "subquestions": subs + spare}
        case Ordering() if core_only:
            return _ordering_as_matching(course, q)
        case Ordering():
            return {"type": "ordering", "items": [html_text(course, q, i, True) for i in q.items]}
        case FillBlanks():
            weights = cloze_weights(q)
            return {"type": "multianswer", "text": cloze_text(course, q, weights, shuffle),
                    "grade": str(sum(weights))}
        case Essay():
            return {"type": "essay", "graderinfo": html_text(course, q, q.grader_notes),
                    "template": template_html(q.response_template), "minwords": q.min_words,
                    "maxwords": q.max_words}
        case Description():
            return {"type": "description", "grade": "0"}
        case _:
            no_branch("moodle-xml", q)


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
    centre, margin = numeric_target(q.answer)
    answer = _answer(number(centre), 1.0, html_text(course, q, q.feedback.correct))
    answer["tolerance"] = number(margin)
    wrong = [a | {"tolerance": "0"} for a in _anything_else(course, q)]
    return {"type": "numerical", "answers": [answer, *wrong], "unit": q.unit}


# --- cloze -------------------------------------------------------------------------------

# qtype_multianswer reads a sub-question in this order: it splits the alternatives on
# every ``~``, ``#`` and ``}`` not after a backslash (so even the ``#`` of ``&#126;``
# splits), reads a leading ``=`` or ``%n%`` as the grade, decodes HTML entities, then
# turns ``\}`` and ``\#`` into ``}`` and ``#``. Moodle itself writes ``&\#126;`` for an
# entity, which comes out as ``&#126;``: right for a drop-down option (stored as HTML),
# but a short answer is compared with what the learner typed, as it is.

_OPTION_ESCAPES = {ch: f"&\\#{ord(ch)};" for ch in "\\}#~{=%"}
_PATTERN_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "}": "\\}", "#": "\\#"}


def cloze_option(option: str) -> str:
    """A MULTICHOICE option, decoding to its HTML (``< > &`` as entities) in Moodle."""
    once = as_html(option).replace("&", "&amp;")  # Moodle decodes entities once
    return "".join(_OPTION_ESCAPES.get(ch, ch) for ch in once)


def cloze_answer(answer: str) -> str:
    """A SHORTANSWER alternative, with its grade mark: ``=answer`` or ``%100%answer``.

    Its stars are literal (``\\*``); a tilde cannot be written, so it is a wildcard
    (``cloze_tilde`` says which answers have one). A trailing backslash would escape
    the closing brace: a space follows it, which Moodle trims when it saves the answer.
    """
    pattern = re.sub(r"\\?~", "*", wildcard_escape(answer.strip()))
    text = "".join(_PATTERN_ESCAPES.get(ch, ch) for ch in pattern)
    if text.endswith("\\"):
        text += " "
    return ("%100%" if text.startswith(("=", "%")) else "=") + text


def cloze_tilde(blank: Blank) -> bool:
    """Whether a text blank has an answer with a tilde, which a cloze gap cannot hold."""
    return blank.kind is BlankKind.TEXT and any("~" in a for a in blank.answers)


def gaps(q: FillBlanks) -> list[Blank]:
    """The blanks in the order the text uses them, once per use."""
    return [b for b in q.segments() if isinstance(b, Blank)]


def cloze_weights(q: FillBlanks) -> list[int]:
    """Whole-number weights of the gaps (in text order), in proportion to their points.

    Moodle makes a cloze question worth the sum of its weights (the file's
    defaultgrade is ignored), so the weights share the question's points when
    they can; otherwise they are the smallest whole numbers in the same proportions.
    """
    shares = [exact(b.points) for b in gaps(q)]
    if not shares or any(s <= 0 for s in shares):
        return [max(1, round(s)) for s in shares]
    points, total = exact(q.points), sum(shares, Fraction(0))
    scaled = [points * s / total for s in shares]
    if all(w.denominator == 1 and w >= 1 for w in scaled):
        return [int(w) for w in scaled]
    common = lcm(*(s.denominator for s in shares))
    whole = [int(s * common) for s in shares]
    divisor = gcd(*whole)
    return [w // divisor for w in whole]


def cloze_code(blank: Blank, weight: int = 1, shuffle: bool = False) -> str:
    """One sub-question: ``{weight:TYPE:=answer~...}``."""
    if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
        return f"{{{weight}:NUMERICAL:={_numeric_alternative(blank.numeric)}}}"
    if blank.kind is BlankKind.DROPDOWN:
        right = blank.answers[0]
        choices = blank.options if right in blank.options else (right, *blank.options)
        options = [("=" if o == right else "") + cloze_option(o) for o in choices]
        kind = "MULTICHOICE_S" if shuffle else "MULTICHOICE"
        return f"{{{weight}:{kind}:{'~'.join(options)}}}"
    kind = "SHORTANSWER_C" if blank.case_sensitive else "SHORTANSWER"
    return f"{{{weight}:{kind}:{'~'.join(cloze_answer(a) for a in blank.answers)}}}"


def _numeric_alternative(answer: NumericAnswer) -> str:
    centre, margin = numeric_target(answer)
    return f"{number(centre)}:{number(margin)}"


def cloze_text(course: Course, q: FillBlanks, weights: list[int] | None = None,
               shuffle: bool = False) -> Fields:
    """Stem and gap text as one HTML text with a sub-question in each gap."""
    return embed(lambda: _cloze_html(q, weights or cloze_weights(q), shuffle))


def _cloze_html(q: FillBlanks, weights: list[int], shuffle: bool) -> str:
    body, markers = blanks_html(q)
    # A literal brace, in the stem or the text, never starts a sub-question.
    rendered = (markup.to_html(q.stem) + body).replace("{", "&#123;")
    for (marker, blank), weight in zip(markers, weights, strict=True):
        rendered = rendered.replace(marker, cloze_code(blank, weight, shuffle))
    return rendered


__all__ = ["as_html", "cloze_answer", "cloze_option", "cloze_tilde", "cloze_weights", "fields",
           "gaps", "plain", "question_name", "truefalse_feedback", "wildcard_escape"]
