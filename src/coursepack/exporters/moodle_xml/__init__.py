"""Moodle XML question bank: one category per module, every question type mapped to Moodle's.

Ordering questions use Moodle's ordering question type (qtype_ordering, part of
Moodle since 4.4 and a plugin before), with a warning naming each. A course that
sets ``moodle: {core_types_only: true}`` in course.yaml (this format's settings)
gets them as matching questions instead (each item matched to its place), with a
warning naming each. Pools are not part of a question bank: each one is named too.

Every text goes in a CDATA section, as in Moodle's own exports: Moodle's XML
parser (core\\xml_parser) drops any piece of character data that is only blank,
and the parser hands it the text between two entities as such a piece, so
``a &amp; &#34;b&#34;`` would come back as ``a &"b"``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from markupsafe import Markup

from coursepack import render
from coursepack.errors import Problem
from coursepack.exporters._quizbank import (
    categories,
    category_path,
    choice_fractions,
    entries,
    exact,
    moodle_grade_ok,
    number,
    percent,
    pool_problems,
    warn,
)
from coursepack.exporters.base import ExportContext
from coursepack.exporters.moodle_xml import multilang
from coursepack.exporters.moodle_xml.questions import cloze_tilde, cloze_weights, fields, gaps
from coursepack.exporters.question_types import written
from coursepack.fields import Fields, settings_mapping
from coursepack.model import (
    BlankKind,
    Course,
    Description,
    Essay,
    FillBlanks,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    Scoring,
    ShortAnswer,
    TrueFalse,
)
from coursepack.spec_schema import FLAG, Schema, record

RULE = "moodle-xml"

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters no XML 1.0 document may hold, even escaped."""


def xml_legal(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def cdata(text: str) -> Markup:
    """``text`` as one CDATA section (none when empty), without XML-illegal characters."""
    clean = xml_legal(text)
    if not clean:
        return Markup("")
    return Markup("<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>")


def filename(course: Course) -> str:
    return f"{course.id}-questions.xml"


@dataclass(frozen=True)
class MoodleSettings:
    """course.yaml's ``moodle:``."""

    core_types_only: bool = False
    """Ordering questions as matching questions, for sites without qtype_ordering."""
    multilang: bool = False
    """Every language of ``languages:`` in one question, in the multi-language filter's spans."""

    @staticmethod
    def read(g: Fields) -> MoodleSettings:
        return MoodleSettings(g.boolean("core_types_only"), g.boolean("multilang"))


class MoodleXmlExporter:
    name: ClassVar[str] = "moodle-xml"
    shows_no_lessons: ClassVar[bool] = True  # a bank of questions
    summary: ClassVar[str] = "Moodle XML question bank (categories per module, all types)"
    settings_key: ClassVar[str] = "moodle"
    settings_schema: ClassVar[Schema] = record([], core_types_only=FLAG, multilang=FLAG)

    def settings(self, course: Course) -> tuple[MoodleSettings, list[Problem]]:
        return settings_mapping(course, self.settings_key, "moodle settings", MoodleSettings.read,
                                MoodleSettings())

    def check(self, course: Course) -> list[Problem]:
        settings = self.settings(course)[0]
        course = written(self.name, course)  # the question-type table speaks for the rest
        return ([p for _, q in course.questions()
                 for p in question_problems(course, q, settings)] + pool_problems(course, RULE)
                + language_problems(course, settings))

    def export(self, ctx: ExportContext) -> Path:
        course = ctx.course
        settings = self.settings(course)[0]
        core_only = settings.core_types_only
        env = render.environment(self.name, course.root)
        found = entries(course, self.name)
        editions = [(course.language, course, found)]
        if settings.multilang:
            editions += [(language, edition, multilang.aligned(found, entries(edition, self.name)))
                         for language, edition in ctx.translations]
        texts = {id(e): multilang.merged([(language, fields(c, each[i], core_only))
                                          for language, c, each in editions])
                 for i, e in enumerate(found)}
        groups = [
            (category_path(category), [texts[id(e)] for e in group])
            for category, group in categories(found)
        ]
        xml = render.render(env, "questions.xml.j2", course=course, categories=groups,
                            cdata=cdata)
        target = ctx.out.write_text(filename(course), xml)
        return target


def question_problems(course: Course, question: Question,
                      settings: MoodleSettings = MoodleSettings()) -> list[Problem]:
    """What Moodle XML drops or changes in one question."""
    # Every file the question's Markdown uses was found when the course loaded, and each
    # field embeds the files it shows: nothing about images to say here.
    found: list[Problem] = []
    if isinstance(question, MultipleResponse):
        found += _multiple(question)
    if isinstance(question, FillBlanks):
        found += _cloze(question)
    if isinstance(question, Ordering) and settings.core_types_only:
        found.append(warn(question, "exported as a matching question (each item matched to "
                          "its place), as course.yaml asks for Moodle core types only", RULE))
    elif isinstance(question, Ordering):
        found.append(warn(question, "uses Moodle's ordering question type, part of Moodle from "
                          "4.4; older sites need the qtype_ordering plugin or the import stops "
                          "here", RULE, hint="set 'moodle: {core_types_only: true}' in "
                          "course.yaml to export it as a matching question instead"))
    found += _feedback(question)
    if _has_illegal(question):
        found.append(warn(question, "it contains control characters that XML cannot hold; "
                          "they are left out", RULE, hint="remove them from the spec"))
    return found


def language_problems(course: Course, settings: MoodleSettings) -> list[Problem]:
    """What a question of a course in several languages keeps in one language only, when
    they all go in one question (Moodle XML has no language field: without ``multilang``
    each language's build has its own bank)."""
    if len(course.languages) < 2 or not settings.multilang:
        return []
    return [p for _, q in course.questions() for p in multilang.losses(q, RULE)]


def grade_step_problems(question: MultipleResponse, rule: str, fmt: str) -> list[Problem]:
    """Options whose share of the marks is not one of Moodle's grade steps.

    Moodle's importer checks every answer's grade against its fixed list (100%,
    90%, 83.33333% ... 10%, 5% and their negatives) and, as it is set by default,
    stops the whole import at a question that has another one.
    """
    if question.scoring is Scoring.ALL_OR_NOTHING:
        found = [warn(question, "Moodle gives partial credit for some of the right options; "
                      "each wrong option is set to -100% so that it cancels the marks", rule)]
    else:
        found = []
    odd = sorted({percent(f) for f in choice_fractions(question) if not moodle_grade_ok(f)})
    if odd:
        correct = sum(c.correct for c in question.choices)
        found.append(warn(
            question, f"its {correct} correct options share the marks as {', '.join(odd)}%, "
            "which is not one of Moodle's grade steps (100%, 50%, 33.33333% ... 10%, 5%); "
            f"Moodle's {fmt} import stops at this question unless 'Match grades' is set to "
            "'Nearest grade if not in list'", rule,
            hint="use at most 10 correct options (or exactly 20), or split the question"))
    return found


def _multiple(question: MultipleResponse) -> list[Problem]:
    return grade_step_problems(question, RULE, "XML")


def _cloze(question: FillBlanks) -> list[Problem]:
    found = []
    weights = cloze_weights(question)
    if sum(weights) != exact(question.points):
        shown = ", ".join(str(w) for w in weights)
        found.append(warn(
            question, "Moodle makes an embedded-answers (cloze) question worth the sum of its "
            f"gaps' whole-number weights: the gaps are weighted {shown} in proportion to their "
            f"points, so Moodle gives the question {sum(weights)} marks, not "
            f"{number(exact(question.points))}", RULE,
            hint="give the blanks points that divide the question's points into whole "
                 "numbers, or set the question's mark in the Moodle quiz"))
    for blank in gaps(question):
        if cloze_tilde(blank):
            found.append(warn(question, f"blank '{blank.id}': a cloze short answer cannot hold "
                              "a tilde (~); Moodle gets a wildcard (*) in its place, which "
                              "also accepts other text there", RULE,
                              hint="use a drop-down blank, or an answer without a tilde"))
        if blank.kind is BlankKind.DROPDOWN and len(set(blank.options) | {blank.answers[0]}) < 2:
            found.append(warn(question, f"blank '{blank.id}' offers one option; Moodle's "
                              "import rejects a drop-down gap with fewer than two", RULE))
    return found


_COMBINED = ("correct", "partial", "incorrect")


def _feedback(q: Question) -> list[Problem]:
    """Feedback Moodle's question type for ``q`` has no place for."""
    fb = q.feedback
    match q:
        case TrueFalse() | ShortAnswer() | Numeric():
            kinds = ["partial"]  # correct and incorrect go with the answers
        case FillBlanks() | Essay() | Description():
            kinds = list(_COMBINED)
        case _:
            kinds = []
    lost = [f"{kind} feedback" for kind in kinds if getattr(fb, kind).strip()]
    if isinstance(q, Essay | Description) and q.hints:
        lost.append("hints")
    if not lost:
        return []
    return [warn(q, f"Moodle's {_MOODLE_TYPE.get(type(q), 'question')} keeps no "
                 f"{' and no '.join(lost)}; left out", RULE)]


_MOODLE_TYPE: dict[type, str] = {
    TrueFalse: "true/false question", ShortAnswer: "short-answer question",
    Numeric: "numerical question", FillBlanks: "embedded-answers (cloze) question",
    Essay: "essay question", Description: "description",
}


def _has_illegal(q: Question) -> bool:
    return any(_XML_ILLEGAL.search(text) for text in _strings(q))


def _strings(node: object) -> list[str]:
    """Every string in a question, its answers and blanks (not its origin)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, tuple | list):
        return [s for item in node for s in _strings(item)]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return [s for f in dataclasses.fields(node) if f.compare
                for s in _strings(getattr(node, f.name))]
    return []


__all__ = ["MoodleSettings", "MoodleXmlExporter", "cdata", "grade_step_problems",
           "question_problems"]
