"""Moodle XML question bank: one category per module, every question type mapped to Moodle's.

Ordering questions use Moodle's ordering question type (qtype_ordering, part of
Moodle since 4.4 and a plugin before), and the pre-flight report names each one.
A course that sets ``moodle: {core_types_only: true}`` gets them as matching
questions instead (each item matched to its place), with a warning naming each.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from coursepack import render
from coursepack.errors import Problem
from coursepack.exporters._quizbank import (
    categories,
    category_path,
    choice_fractions,
    entries,
    images,
    markdown_fields,
    moodle_grade_ok,
    warn,
)
from coursepack.exporters.base import ExportContext
from coursepack.exporters.moodle_xml.questions import fields
from coursepack.markup import image_refs
from coursepack.model import Course, FillBlanks, MultipleResponse, Ordering, Question, Scoring

RULE = "moodle-xml"


def filename(course: Course) -> str:
    return f"{course.id}-questions.xml"


class MoodleXmlExporter:
    name: ClassVar[str] = "moodle-xml"
    summary: ClassVar[str] = "Moodle XML question bank (categories per module, all types)"

    def check(self, course: Course) -> list[Problem]:
        return [p for _, q in course.questions() for p in question_problems(course, q)]

    def export(self, ctx: ExportContext) -> Path:
        course = ctx.course
        env = render.environment(self.name, course.root)
        groups = [
            (category_path(category), [fields(course, e) for e in group])
            for category, group in categories(entries(course))
        ]
        xml = render.render(env, "questions.xml.j2", course=course, categories=groups)
        target = ctx.out.write_text(filename(course), xml)
        return target


def question_problems(course: Course, question: Question) -> list[Problem]:
    """What Moodle XML drops or changes in one question."""
    found = [
        warn(question, f"image '{ref}' was not found next to the question; it is left out",
             RULE)
        for text in markdown_fields(question)
        for ref, _ in image_refs(text)
        if not ref.startswith(("http:", "https:", "data:"))
        and ref not in dict(images(course, question, text))
    ]
    if isinstance(question, MultipleResponse):
        found += _multiple(question)
    if isinstance(question, FillBlanks):
        found += _cloze(question)
    if isinstance(question, Ordering) and course.moodle_core_types_only:
        found.append(warn(question, "exported as a matching question (each item matched to "
                          "its place), as course.yaml asks for Moodle core types only", RULE))
    return found


def _multiple(question: MultipleResponse) -> list[Problem]:
    found = []
    if question.scoring is Scoring.ALL_OR_NOTHING:
        found.append(warn(question, "Moodle gives partial credit for some of the right options; "
                          "each wrong option is set to -100% so that it cancels the marks", RULE))
    if not all(moodle_grade_ok(f) for f in choice_fractions(question)):
        found.append(warn(question, "Moodle accepts only its own grade steps (1/2, 1/3 ... 1/10); "
                          "this many correct options cannot be weighted equally", RULE,
                          hint="use at most 10 correct options, or split the question"))
    return found


def _cloze(question: FillBlanks) -> list[Problem]:
    found = []
    if any(b.points != round(b.points) or b.points < 1 for b in question.blanks):
        found.append(warn(question, "Moodle cloze weights are whole numbers; blank points "
                          "are rounded", RULE))
    fb = question.feedback
    if fb.correct or fb.partial or fb.incorrect:
        found.append(warn(question, "an embedded-answers (cloze) question keeps only general "
                          "feedback; correct/partial/incorrect feedback is left out", RULE))
    return found


__all__ = ["MoodleXmlExporter", "question_problems"]
