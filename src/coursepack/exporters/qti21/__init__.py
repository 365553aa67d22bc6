"""QTI 2.1 content package: one item per question, one test with a section per quiz and pool.

Items score in points (SCORE, with MAXSCORE beside it) and show feedback through a
FEEDBACK outcome: per chosen option, then CORRECT, PARTIAL or INCORRECT, then GENERAL.
Hints are ``infoControl`` blocks (the spec's control that reveals extra information, "a
hint" among them) at the end of the item body, as text (the XSD allows no QTI element
there); an essay's grader notes are a rubric block
for scorers, its response template the response's default value, its word limits a prompt
and a ``patternMask``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree

from coursepack import markup, render, scratch
from coursepack.errors import Problem, warning
from coursepack.exporters._package import zip_files
from coursepack.exporters._quizbank import Entry, Media, entries, ident, warn
from coursepack.exporters.base import ExportContext
from coursepack.exporters.qti12 import bounds, partial_credit, question_texts
from coursepack.exporters.qti12.names import Idents, amount, clean, has_illegal
from coursepack.exporters.qti21.items import XSI, Context, E, build
from coursepack.exporters.qti21.xhtml import NS, append
from coursepack.exporters.question_types import written
from coursepack.model import (
    Course,
    Essay,
    MultipleResponse,
    Question,
    Quiz,
    SingleChoice,
    TrueFalse,
)

RULE = "qti21"
SCHEMA = f"{NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
Element = Any


def _add(name: str) -> Element:
    return E.setOutcomeValue(E.multiple(E.variable(identifier="FEEDBACK"),
                                        E.baseValue(name, baseType="identifier")),
                             identifier="FEEDBACK")


def _feedback_rules(q: Question, points: float) -> list[Element]:
    rules = []
    if isinstance(q, SingleChoice | MultipleResponse | TrueFalse):
        rules.append(E.setOutcomeValue(E.multiple(E.variable(identifier="RESPONSE")),
                                       identifier="FEEDBACK"))
    if q.scored and not isinstance(q, Essay):
        rules.append(E.responseCondition(
            E.responseIf(E.gte(E.variable(identifier="SCORE"), E.baseValue(
                amount(points), baseType="float")), _add("CORRECT")),
            E.responseElseIf(E.gt(E.variable(identifier="SCORE"), E.baseValue(
                "0", baseType="float")), _add("PARTIAL")),
            E.responseElse(_add("INCORRECT"))))
    if q.feedback.general:
        rules.append(_add("GENERAL"))
    return rules


def _messages(q: Question) -> list[tuple[str, str]]:
    fb = q.feedback
    found = [("CORRECT", fb.correct), ("PARTIAL", fb.partial), ("INCORRECT", fb.incorrect),
             ("GENERAL", fb.general)]
    if isinstance(q, Essay):
        found = [("GENERAL", fb.general)]
    if isinstance(q, SingleChoice | MultipleResponse):
        found += [(f"C{n}", c.feedback) for n, c in enumerate(q.choices, 1)]
    if isinstance(q, TrueFalse):
        found += [("C1", q.feedback_true), ("C2", q.feedback_false)]
    return [(key, text) for key, text in found if text]


def item_xml(q: Question, media: Media, identifier: str, shuffle: bool,
             language: str = "en") -> bytes:
    """One question as a complete assessmentItem document."""
    def html(text: str, inline: bool = False) -> str:
        return clean(media.html(q, text, inline)) if text else ""

    ctx = Context(html=html, shuffle=shuffle, bounds=bounds)
    decls, interactions, scoring = build(q, q.points, ctx)
    root = E.assessmentItem(*decls, identifier=identifier, title=clean(q.title) or q.id,
                            adaptive="false", timeDependent="false")
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", markup.language_tag(language))
    for name, value in (("SCORE", "0"), ("MAXSCORE", amount(q.points))):
        root.append(E.outcomeDeclaration(E.defaultValue(E.value(value)), identifier=name,
                                         cardinality="single", baseType="float"))
    root.append(E.outcomeDeclaration(identifier="FEEDBACK", cardinality="multiple",
                                     baseType="identifier"))
    body = append(E.itemBody(), html(q.stem))
    body.extend(interactions)
    if isinstance(q, Essay) and q.grader_notes:
        body.append(append(E.rubricBlock(view="scorer"), html(q.grader_notes)))
    for n, hint in enumerate(q.hints, 1):
        control = E.infoControl(title="Hint" if len(q.hints) == 1 else f"Hint {n}")
        control.text = clean(markup.to_text(hint))  # the XSD allows text, no QTI elements
        body.append(control)
    root.append(body)
    rules = scoring + _feedback_rules(q, q.points)
    if rules:
        root.append(E.responseProcessing(*rules))
    for key, text in _messages(q):
        root.append(append(E.modalFeedback(outcomeIdentifier="FEEDBACK", identifier=key,
                                           showHide="show"), html(text)))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def item_idents(course: Course) -> Idents:
    """Each question's item identifier (and file name), unique whatever the ids' case."""
    return Idents.of(q.id for _, q in course.questions())


def test_xml(course: Course, items: Idents, media: Media) -> bytes:
    """One assessmentTest: a section per quiz (its description a rubric block the learner
    sees first), a nested section with selection per pool."""
    sections = Idents([(f"quiz\0{quiz.id}", f"quiz-{quiz.id}") for quiz in course.quizzes]
                      + [(f"pool\0{quiz.id}\0{p.id}", f"pool-{quiz.id}-{p.id}")
                         for quiz in course.quizzes for p in quiz.pools])

    def ref(q: Question) -> Element:
        return E.assessmentItemRef(identifier=items[q.id], href=f"../items/{items[q.id]}.xml")

    part = E.testPart(identifier="main", navigationMode="nonlinear", submissionMode="individual")
    for quiz in course.quizzes:
        section = E.assessmentSection(identifier=sections[f"quiz\0{quiz.id}"],
                                      title=clean(quiz.title), visible="true")
        if quiz.description:
            with media.published.serving(lambda name: media.prefix + name):
                rendered = markup.to_html(quiz.description)
            section.append(append(E.rubricBlock(view="candidate"), clean(rendered)))
        section.extend(ref(q) for q in quiz.questions)
        for pool in quiz.pools:
            pooled = E.assessmentSection(E.selection(select=str(pool.pick)),
                                         identifier=sections[f"pool\0{quiz.id}\0{pool.id}"],
                                         title=clean(pool.title or pool.id), visible="false")
            pooled.extend(ref(q) for q in pool.questions)
            section.append(pooled)
        part.append(section)
    root = E.assessmentTest(part, identifier=ident(course.id), title=clean(course.title))
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


class Qti21Exporter:
    name: ClassVar[str] = "qti21"
    shows_no_lessons: ClassVar[bool] = True  # a bank of questions
    summary: ClassVar[str] = "QTI 2.1 content package (items, test with pools, manifest)"

    def check(self, course: Course) -> list[Problem]:
        found = [warn(e.question, message, RULE) for e in entries(course, self.name)
                 for message in question_losses(course, e)]
        course = written(self.name, course)  # the question-type table speaks for the rest
        return found + [p for quiz in course.quizzes for p in pool_points(quiz)]

    def export(self, ctx: ExportContext) -> Path:
        course = written(self.name, ctx.course)
        media = Media(course, "../media/")
        idents = item_idents(course)
        files: dict[str, bytes] = {}
        items = []
        for entry in entries(ctx.course, self.name):
            q = entry.question
            before = set(media.files)
            name = idents[q.id]
            files[f"items/{name}.xml"] = item_xml(q, media, name,
                                                  entry.quiz.settings.shuffle_options,
                                                  course.language)
            items.append((name, sorted(set(media.files) - before)))
        before = set(media.files)
        files["tests/test.xml"] = test_xml(course, idents, media)
        test_media = sorted(set(media.files) - before)
        files.update({f"media/{n}": p.read_bytes() for n, p in sorted(media.files.items())})
        env = render.environment(self.name, course.root)
        manifest = render.render(env, "imsmanifest.xml.j2", course=course, items=items,
                                 ident=ident, media=sorted(media.files), test_media=test_media)
        files = {"imsmanifest.xml": manifest.encode(), **dict(sorted(files.items()))}
        with scratch.folder("coursepack-package-") as tmp:
            built = zip_files(files, Path(tmp) / "package.zip", ctx.cache)
            target = ctx.out.write_bytes(f"{course.id}-qti21.zip", built.read_bytes())
        return target


def pool_points(quiz: Quiz) -> Iterator[Problem]:
    """A pool that sets its questions' points: the items keep their own points here."""
    for pool in quiz.pools:
        if pool.points is not None and any(q.points != pool.points for q in pool.questions):
            unit = "point" if pool.points == 1 else "points"
            yield warning(pool.origin or quiz.origin,
                          f"quiz '{quiz.id}': pool '{pool.id}' scores each question "
                          f"{amount(pool.points)} {unit}; a QTI 2.1 item keeps its own points "
                          "(MAXSCORE), so set the pool's weighting in the LMS", rule=RULE)


def question_losses(course: Course, entry: Entry) -> Iterator[str]:
    """What this package cannot carry, or carries differently, of one question."""
    q = entry.question
    if any(markup.to_text(h) != h.strip() for h in q.hints):
        yield ("a hint is an infoControl, which holds text only: the hint's formatting and "
               "images are left out")
    if q.feedback.partial and not partial_credit(q):
        yield "the partial feedback is never shown: this question is scored right or wrong"
    if isinstance(q, Essay) and (q.feedback.correct or q.feedback.incorrect):
        yield "an essay is marked by a person: its correct and incorrect feedback is left out"
    other = _other_shuffle(course, entry)
    if other is not None:
        yield (f"quizzes '{entry.quiz.id}' and '{other.id}' differ on shuffle_options; the one "
               f"item this question becomes follows quiz '{entry.quiz.id}'")
    if any(has_illegal(text) for text in question_texts(q)):
        yield "some text holds control characters XML cannot carry; they are left out"


def _other_shuffle(course: Course, entry: Entry) -> Quiz | None:
    """A quiz using the question whose shuffle_options differs from its owner's, if any."""
    for quiz in course.quizzes:
        uses = any(q.id == entry.question.id for q in quiz.all_questions())
        if uses and quiz.settings.shuffle_options != entry.quiz.settings.shuffle_options:
            return quiz
    return None


__all__ = ["Qti21Exporter", "item_idents", "item_xml", "question_losses", "test_xml"]
