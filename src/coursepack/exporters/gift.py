"""GIFT question bank: Moodle's one-line text format, with $CATEGORY lines and [html] text.

GIFT has no ordering question, no several-gap text and no files: such questions
are left out (or their images replaced by their description), each with a warning
that names it, never silently.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, assert_never

from coursepack import markup, render
from coursepack.errors import Problem
from coursepack.exporters._quizbank import (
    blanks_html,
    categories,
    category_path,
    choice_fractions,
    entries,
    has_images,
    number,
    percent,
    warn,
)
from coursepack.exporters.base import ExportContext
from coursepack.model import (
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

RULE = "gift"
_SPECIAL = re.compile(r"([\\~=#{}:])")


def escape(text: str) -> str:
    """Text safe anywhere in GIFT: ``\\ ~ = # { } :`` escaped, line breaks as ``\\n``."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\r\n", "\n").replace("\n", r"\n")


def html(text: str, inline: bool = False) -> str:
    """Markdown as escaped one-line HTML; images become their description."""
    rendered = (markup.to_inline_html(text) if inline else markup.to_html(text)).strip()
    rendered = re.sub(r'<img\b[^>]*?alt="([^"]*)"[^>]*>', r"[\1]", rendered)
    rendered = re.sub(r"<img\b[^>]*>", "", rendered)
    if rendered.startswith("%"):
        rendered = "&#37;" + rendered[1:]  # a leading % would read as a weight
    return escape(rendered)


def _feedback(text: str) -> str:
    return f"#{html(text)}" if text else ""


def _general(q: Question) -> str:
    return f"\n\t####{html(q.feedback.general)}" if q.feedback.general else ""


def _answers(q: Question) -> str | None:
    """What goes between the braces, or None when GIFT cannot carry the question."""
    match q:
        case SingleChoice():
            return "".join(f"\n\t{'=' if c.correct else '~'}{html(c.text, True)}"
                           f"{_feedback(c.feedback)}" for c in q.choices)
        case MultipleResponse():
            return "".join(f"\n\t~%{percent(f)}%{html(c.text, True)}{_feedback(c.feedback)}"
                           for c, f in zip(q.choices, choice_fractions(q), strict=True))
        case TrueFalse():
            right, wrong = (q.feedback_true, q.feedback_false)
            if not q.answer:
                right, wrong = wrong, right
            return f"{'TRUE' if q.answer else 'FALSE'}#{html(wrong)}#{html(right)}"
        case ShortAnswer():
            return "".join(f"\n\t={escape(a)}{_feedback(q.feedback.correct)}" for a in q.answers)
        case Numeric():
            return (f"#\n\t={number(q.answer.centre)}:{number(q.answer.margin)}"
                    f"{_feedback(q.feedback.correct)}")
        case Matching():
            pairs = [f"\n\t={html(p.prompt, True)} -> {escape(p.match)}" for p in q.pairs]
            return "".join(pairs + [f"\n\t= -> {escape(d)}" for d in q.distractors])
        case FillBlanks():
            return None if len(q.blanks) != 1 else ""
        case Essay():
            return ""
        case Ordering() | Description():
            return None
        case _:
            assert_never(q)


def _gap(q: FillBlanks) -> str:
    """A one-gap text as GIFT's missing-word question: text {answers} text."""
    body, markers = blanks_html(q)
    marker, blank = markers[0]
    if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
        inner = f"#{number(blank.numeric.centre)}:{number(blank.numeric.margin)}"
    elif blank.kind is BlankKind.DROPDOWN:
        inner = " ".join(("=" if o == blank.answers[0] else "~") + escape(o) for o in blank.options)
    else:
        inner = " ".join("=" + escape(a) for a in blank.answers)
    before, _, after = body.strip().partition(marker)
    head = escape(markup.to_html(q.stem).strip() + before)
    return f"{head}{{{inner}{_general(q)}}}{escape(after)}"


def question_text(q: Question) -> str | None:
    """One question in GIFT, or None when GIFT cannot carry it."""
    title = f"::{escape(markup.to_line(q.title) or q.id)}::[html]"
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
    summary: ClassVar[str] = "GIFT question bank for Moodle (text; no images or ordering)"

    def check(self, course: Course) -> list[Problem]:
        return [p for _, q in course.questions() for p in question_problems(q)]

    def export(self, ctx: ExportContext) -> Path:
        course = ctx.course
        groups = []
        for category, group in categories(entries(course)):
            blocks = [(e.question, question_text(e.question)) for e in group]
            kept = [{"id": q.id, "tags": q.objectives, "text": text} for q, text in blocks if text]
            if kept:
                groups.append((category_path(category), kept))
        env = render.environment(self.name, course.root)
        text = render.render(env, "questions.gift.j2", course=course, categories=groups)
        target = ctx.out.write_text(f"{course.id}-questions.gift.txt", text)
        return target


def question_problems(q: Question) -> list[Problem]:
    """What GIFT drops or changes in one question."""
    found = []
    if isinstance(q, Ordering):
        found.append(warn(q, "GIFT has no ordering question; it is left out of the GIFT file",
                          RULE, hint="use the Moodle XML export for this question"))
    if isinstance(q, FillBlanks) and len(q.blanks) != 1:
        found.append(warn(q, f"GIFT carries one gap per question, not {len(q.blanks)}; "
                          "it is left out of the GIFT file", RULE,
                          hint="use the Moodle XML export (a cloze question) or split it"))
    if has_images(q):
        found.append(warn(q, "GIFT cannot carry images; each is replaced by its description",
                          RULE))
    if isinstance(q, Essay) and (q.grader_notes or q.response_template):
        found.append(warn(q, "GIFT has no grader information or response template; "
                          "they are left out", RULE))
    fb = q.feedback
    correct = fb.correct and not isinstance(q, ShortAnswer | Numeric)
    if q.hints or fb.partial or fb.incorrect or correct:
        found.append(warn(q, "GIFT has no hints and no correct/partial/incorrect feedback for "
                          "the whole question; they are left out", RULE))
    return found


__all__ = ["GiftExporter", "escape", "question_text"]
