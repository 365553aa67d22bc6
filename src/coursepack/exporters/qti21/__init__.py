"""QTI 2.1 content package: one item per question, one test with a section per quiz and pool.

Items score in points (SCORE, with MAXSCORE beside it) and show feedback through a
FEEDBACK outcome: per chosen option, then CORRECT, PARTIAL or INCORRECT, then GENERAL.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree

from coursepack import markup, render
from coursepack.errors import Problem
from coursepack.exporters._package import zip_files
from coursepack.exporters._quizbank import Media, entries, ident, number, warn
from coursepack.exporters.base import ExportContext
from coursepack.exporters.qti21.items import XSI, E, build
from coursepack.exporters.qti21.xhtml import NS, append
from coursepack.model import Course, Essay, MultipleResponse, Question, SingleChoice, TrueFalse

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
                number(points), baseType="float")), _add("CORRECT")),
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
    if isinstance(q, SingleChoice | MultipleResponse):
        found += [(f"C{n}", c.feedback) for n, c in enumerate(q.choices, 1)]
    if isinstance(q, TrueFalse):
        found += [("C1", q.feedback_true), ("C2", q.feedback_false)]
    return [(key, text) for key, text in found if text]


def item_xml(q: Question, media: Media) -> bytes:
    """One question as a complete assessmentItem document."""
    def html(text: str, inline: bool = False) -> str:
        return media.html(q, text, inline) if text else ""

    decls, interactions, scoring = build(q, q.points, html)
    root = E.assessmentItem(*decls, identifier=ident(q.id), title=markup.to_line(q.title) or q.id,
                            adaptive="false", timeDependent="false")
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    for name, value in (("SCORE", "0"), ("MAXSCORE", number(q.points))):
        root.append(E.outcomeDeclaration(E.defaultValue(E.value(value)), identifier=name,
                                         cardinality="single", baseType="float"))
    root.append(E.outcomeDeclaration(identifier="FEEDBACK", cardinality="multiple",
                                     baseType="identifier"))
    body = append(E.itemBody(), html(q.stem))
    body.extend(interactions)
    if isinstance(q, Essay) and q.grader_notes:
        body.append(append(E.rubricBlock(view="scorer"), html(q.grader_notes)))
    root.append(body)
    rules = scoring + _feedback_rules(q, q.points)
    if rules:
        root.append(E.responseProcessing(*rules))
    for key, text in _messages(q):
        root.append(append(E.modalFeedback(outcomeIdentifier="FEEDBACK", identifier=key,
                                           showHide="show"), html(text)))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def test_xml(course: Course) -> bytes:
    """One assessmentTest: a section per quiz, a nested section with selection per pool."""
    def ref(q: Question) -> Element:
        return E.assessmentItemRef(identifier=ident(q.id), href=f"../items/{ident(q.id)}.xml")

    part = E.testPart(identifier="main", navigationMode="nonlinear", submissionMode="individual")
    for quiz in course.quizzes:
        section = E.assessmentSection(identifier=ident(f"quiz-{quiz.id}"), title=quiz.title,
                                      visible="true")
        section.extend(ref(q) for q in quiz.questions)
        for pool in quiz.pools:
            pooled = E.assessmentSection(E.selection(select=str(pool.pick)),
                                         identifier=ident(f"pool-{quiz.id}-{pool.id}"),
                                         title=pool.title or pool.id, visible="false")
            pooled.extend(ref(q) for q in pool.questions)
            section.append(pooled)
        part.append(section)
    root = E.assessmentTest(part, identifier=ident(course.id), title=course.title)
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


class Qti21Exporter:
    name: ClassVar[str] = "qti21"
    summary: ClassVar[str] = "QTI 2.1 content package (items, test with pools, manifest)"

    def check(self, course: Course) -> list[Problem]:
        return [warn(q, "QTI 2.1 items here have no hints; they are left out", RULE)
                for _, q in course.questions() if q.hints]

    def export(self, ctx: ExportContext) -> Path:
        course = ctx.course
        media = Media(course, "../media/")
        files: dict[str, bytes] = {}
        items = []
        for entry in entries(course):
            q = entry.question
            before = set(media.files)
            files[f"items/{ident(q.id)}.xml"] = item_xml(q, media)
            items.append((ident(q.id), sorted(set(media.files) - before)))
        files["tests/test.xml"] = test_xml(course)
        files.update({f"media/{n}": p.read_bytes() for n, p in sorted(media.files.items())})
        env = render.environment(self.name, course.root)
        manifest = render.render(env, "imsmanifest.xml.j2", course=course, items=items,
                                 ident=ident, media=sorted(media.files))
        files = {"imsmanifest.xml": manifest.encode(), **dict(sorted(files.items()))}
        with tempfile.TemporaryDirectory() as tmp:
            built = zip_files(files, Path(tmp) / "package.zip")
            target = ctx.out.write_bytes(f"{course.id}-qti21.zip", built.read_bytes())
        return target


__all__ = ["Qti21Exporter", "item_xml", "test_xml"]
