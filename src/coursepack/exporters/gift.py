"""GIFT question bank: Moodle's one-line text format, with $CATEGORY lines and [html] text.

GIFT has no ordering question, no several-gap text and no files: such questions
are left out (or their images replaced by their description), each with a warning
that names it, never silently. What a question keeps is written as Moodle's GIFT
importer (qformat_gift) reads it: the wrong-answer feedback of a short answer as a
``=%0%*`` answer, of a numerical one as ``~#``; what it cannot keep (marks other
than 1, case sensitivity, units, word limits, hints) is named by ``check``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from coursepack import markup, render
from coursepack.errors import Problem
from coursepack.exporters._quizbank import (
    blanks_html,
    categories,
    category_path,
    choice_fractions,
    entries,
    exact,
    has_images,
    number,
    numeric_target,
    percent,
    pool_problems,
    warn,
)
from coursepack.exporters.base import ExportContext
from coursepack.exporters.moodle_xml import grade_step_problems
from coursepack.exporters.moodle_xml.questions import (
    as_html,
    joined,
    question_name,
    truefalse_feedback,
    wildcard_escape,
)
from coursepack.exporters.moodle_xml.questions import plain as moodle_plain
from coursepack.exporters.question_types import carries, left_out_warning, no_branch
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
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)

RULE = "gift"
_SPECIAL = re.compile(r"([\\~=#{}:])")


def escape(text: str) -> str:
    """Text safe anywhere in GIFT: ``\\ ~ = # { } :`` escaped, line breaks as ``\\n``."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", r"\n")


_NO_FILE = "coursepack-no-file:"
"""Where GIFT "publishes" a course file: nowhere. Such images and links are unwrapped."""


def html(text: str, inline: bool = False) -> str:
    """Markdown as escaped one-line HTML; images become their description, and links to
    course files their text (GIFT has no files)."""
    rendered = (markup.to_inline_html(text) if inline else markup.to_html(text)).strip()
    rendered = re.sub(r'<img\b[^>]*?alt="([^"]*)"[^>]*>', r"[\1]", rendered)
    rendered = re.sub(r"<img\b[^>]*>", "", rendered)
    rendered = re.sub(rf'<a\b[^>]*\bhref="{_NO_FILE}[^"]*"[^>]*>(.*?)</a>', r"\1", rendered,
                      flags=re.S)
    return escape(_no_weight(rendered))


def _no_weight(fragment: str) -> str:
    """HTML that cannot be read as a ``%50%`` weight: a leading % as its entity."""
    return "&#37;" + fragment[1:] if fragment.startswith("%") else fragment


def plain(text: str) -> str:
    """Plain text Moodle shows through ``format_string`` (a name, a matching answer), escaped."""
    return escape(moodle_plain(text))


def option(text: str) -> str:
    """A drop-down option, which Moodle stores as HTML: ``< > &`` as entities, escaped;
    a leading ``%`` as its entity, so that it is never read as a weight."""
    return escape(_no_weight(as_html(text)))


def short_answer(answer: str) -> str:
    """A short answer, its ``*`` literal in Moodle's matcher (``\\*``), escaped for GIFT.

    An answer that starts with ``%`` gets an explicit full weight first, so that
    its own text is never read as one.
    """
    weight = "%100%" if answer.lstrip().startswith("%") else ""
    return weight + escape(wildcard_escape(answer))


def _feedback(text: str) -> str:
    return f"#{html(text)}" if text.strip() else ""


def _general(q: Question) -> str:
    return f"\n\t####{html(q.feedback.general)}" if q.feedback.general.strip() else ""


def _anything_else(q: Question) -> str:
    """A ``*`` answer worth 0% (``*`` stays a wildcard): the feedback for wrong answers."""
    return f"\n\t=%0%*{_feedback(q.feedback.incorrect)}" if q.feedback.incorrect.strip() else ""


def _numeric(answer: NumericAnswer) -> str:
    centre, margin = numeric_target(answer)
    return f"{number(centre)}:{number(margin)}"


def _answers(q: Question) -> str | None:
    """What goes between the braces, or None when GIFT cannot carry the question (a type
    the question-type table leaves out of GIFT never comes here)."""
    match q:
        case SingleChoice():
            fb = q.feedback
            return "".join(
                f"\n\t{'=' if c.correct else '~'}{html(c.text, True)}"
                f"{_feedback(joined(c.feedback, fb.correct if c.correct else fb.incorrect))}"
                for c in q.choices)
        case MultipleResponse():
            return "".join(f"\n\t~%{percent(f)}%{html(c.text, True)}{_feedback(c.feedback)}"
                           for c, f in zip(q.choices, choice_fractions(q), strict=True))
        case TrueFalse():
            on_true, on_false = truefalse_feedback(q)
            right, wrong = (on_true, on_false) if q.answer else (on_false, on_true)
            return f"{'TRUE' if q.answer else 'FALSE'}#{html(wrong)}#{html(right)}"
        case ShortAnswer():
            return "".join(f"\n\t={short_answer(a)}{_feedback(q.feedback.correct)}"
                           for a in q.answers) + _anything_else(q)
        case Numeric():
            wrong = _feedback(q.feedback.incorrect)
            return (f"#\n\t={_numeric(q.answer)}{_feedback(q.feedback.correct)}"
                    + (f"\n\t~{wrong}" if wrong else ""))
        case Matching():
            pairs = [f"\n\t={html(p.prompt, True)} -> {plain(p.match)}" for p in q.pairs]
            return "".join(pairs + [f"\n\t= -> {plain(d)}" for d in q.distractors])
        case FillBlanks():
            return None if len(q.blanks) != 1 else ""
        case Essay():
            return ""
        case Description():
            return None
        case _:
            no_branch(RULE, q)


def _gap_answers(q: FillBlanks, blank: Blank) -> str:
    """The one gap of a missing-word question, with the question's feedback on its answers."""
    right, wrong = _feedback(q.feedback.correct), _feedback(q.feedback.incorrect)
    if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
        return f"#={_numeric(blank.numeric)}{right}" + (f" ~{wrong}" if wrong else "")
    if blank.kind is BlankKind.DROPDOWN:
        answer = blank.answers[0]
        options = blank.options if answer in blank.options else (answer, *blank.options)
        return " ".join(f"={option(o)}{right}" if o == answer else f"~{option(o)}{wrong}"
                        for o in options)
    return " ".join(f"={short_answer(a)}{right}" for a in blank.answers) + _anything_else(q)


def _gap(q: FillBlanks) -> str:
    """A one-gap text as GIFT's missing-word question: text {answers} text."""
    body, markers = blanks_html(q)
    marker, blank = markers[0]
    before, _, after = body.strip().partition(marker)
    head = escape(markup.to_html(q.stem).strip() + before)
    return f"{head}{{{_gap_answers(q, blank)}{_general(q)}}}{escape(after)}"


def question_text(q: Question) -> str | None:
    """One question in GIFT, or None when GIFT cannot carry it."""
    if not carries(RULE, q):
        return None  # the question-type table says so
    title = f"::{plain(question_name(q))}::[html]"
    if isinstance(q, Description):
        return title + html(q.stem)
    if isinstance(q, FillBlanks) and len(q.blanks) == 1:
        return title + _gap(q)
    answers = _answers(q)
    if answers is None:
        return None
    closing = "\n" if answers.startswith("\n") else ""
    return f"{title}{html(q.stem)}{{{answers}{_general(q)}{closing}}}"


class GiftExporter:
    name: ClassVar[str] = "gift"
    shows_no_lessons: ClassVar[bool] = True  # a bank of questions
    summary: ClassVar[str] = "GIFT question bank for Moodle (text; no images or ordering)"

    def check(self, course: Course) -> list[Problem]:
        return ([p for _, q in course.questions() for p in question_problems(q)]
                + pool_problems(course, RULE))

    def export(self, ctx: ExportContext) -> Path:
        course = ctx.course
        groups = []
        # GIFT carries no files: an image is rendered only to be replaced by its description.
        with markup.publishing(lambda asset: _NO_FILE + asset.ref):
            for category, group in categories(entries(course, self.name)):
                blocks = [(e.question, question_text(e.question)) for e in group]
                kept = [{"id": q.id, "tags": q.objectives, "text": text}
                        for q, text in blocks if text]
                if kept:
                    groups.append((category_path(category), kept))
        env = render.environment(self.name, course.root)
        text = render.render(env, "questions.gift.j2", course=course, categories=groups)
        target = ctx.out.write_text(f"{course.id}-questions.gift.txt", text)
        return target


def question_problems(q: Question) -> list[Problem]:
    """What GIFT drops or changes in one question."""
    if not carries(RULE, q):
        return []  # the question-type table says so, once
    if isinstance(q, FillBlanks) and len(q.blanks) != 1:
        return [left_out_warning(RULE, q, f"GIFT carries one gap per question, not "
                                 f"{len(q.blanks)}",
                                 "use the Moodle XML export (a cloze question) or split it")]
    found = []
    if has_images(q):
        found.append(warn(q, "GIFT cannot carry images or files; each image is replaced by its "
                          "description and each link to a course file by its text",
                          RULE))
    if isinstance(q, SingleChoice | MultipleResponse | Matching):
        found.append(warn(q, "GIFT has no shuffle setting: the importing Moodle site, not the "
                          "quiz's shuffle_options, decides whether the options are shuffled",
                          RULE, hint="set 'Shuffle the choices' on the question in Moodle"))
    if q.scored and exact(q.points) != 1:
        found.append(warn(q, f"GIFT has no way to give a question's marks; Moodle imports it "
                          f"worth 1 mark, not {number(exact(q.points))}", RULE,
                          hint="set its mark in the Moodle quiz, or use the Moodle XML export"))
    if isinstance(q, MultipleResponse):
        found += grade_step_problems(q, RULE, "GIFT")
    found += _settings(q)
    found += _feedback_problems(q)
    return found


def _settings(q: Question) -> list[Problem]:
    """Question settings GIFT has no syntax for."""
    found = []
    blanks = q.blanks if isinstance(q, FillBlanks) else ()
    if (isinstance(q, ShortAnswer) and q.case_sensitive) or any(
            b.kind is BlankKind.TEXT and b.case_sensitive for b in blanks):
        found.append(warn(q, "GIFT cannot make a short answer case-sensitive; Moodle imports "
                          "it ignoring case", RULE, hint="use the Moodle XML export"))
    if isinstance(q, Numeric) and q.unit:
        found.append(warn(q, f"GIFT has no units; the unit '{q.unit}' is left out and the "
                          "answer is a bare number", RULE, hint="use the Moodle XML export"))
    if isinstance(q, Essay) and (q.min_words or q.max_words):
        found.append(warn(q, "GIFT has no word limits; min_words and max_words are left out",
                          RULE, hint="use the Moodle XML export"))
    if isinstance(q, Essay) and (q.grader_notes or q.response_template):
        found.append(warn(q, "GIFT has no grader information or response template; "
                          "they are left out", RULE))
    return found


_LOST_FEEDBACK: dict[type, tuple[str, ...]] = {
    SingleChoice: ("partial",),  # correct and incorrect join the choices' own feedback
    MultipleResponse: ("correct", "partial", "incorrect"),
    TrueFalse: ("partial",),
    ShortAnswer: ("partial",),
    Numeric: ("partial",),
    Matching: ("correct", "partial", "incorrect"),
    FillBlanks: ("partial",),
    Essay: ("correct", "partial", "incorrect"),
    Description: ("general", "correct", "partial", "incorrect"),
}


def _feedback_problems(q: Question) -> list[Problem]:
    """Feedback GIFT has no place for in this question."""
    kinds = _LOST_FEEDBACK.get(type(q), ())
    lost = [f"{kind} feedback" for kind in kinds if getattr(q.feedback, kind).strip()]
    if q.hints:
        lost.append("hints")
    if not lost:
        return []
    return [warn(q, f"GIFT has no place for this question's {' and '.join(lost)}; left out",
                 RULE, hint="use the Moodle XML export")]


__all__ = ["GiftExporter", "escape", "question_text"]
