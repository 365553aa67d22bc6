"""QTI 1.2 in Canvas's flavour: one assessment per quiz, pools as question groups, one zip.

Canvas has no ordering question: an ordering question becomes a matching question
that pairs each item with its position. The zip holds ``imsmanifest.xml`` and,
per quiz, the assessment and Canvas's ``assessment_meta.xml``.
"""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path
from typing import ClassVar

from lxml import etree

from coursepack import markup, render
from coursepack.errors import Problem
from coursepack.exporters._package import zip_files
from coursepack.exporters._quizbank import Media, has_images, ident, number, warn
from coursepack.exporters.base import ExportContext
from coursepack.exporters.qti12.items import NS, E, item
from coursepack.model import BlankKind, Course, Essay, FillBlanks, Ordering, Question, Quiz

RULE = "qti12"
FILEBASE = "$IMS-CC-FILEBASE$/"


def assessment(quiz: Quiz, media: Media) -> bytes:
    """The quiz as one <questestinterop>: fixed items, then a section per pool."""
    html = partial(_html, media)
    inline = partial(_html, media, inline=True)
    quiz_id = ident(quiz.id)

    def node(q: Question, points: float) -> etree._Element:
        return item(q, ident(f"{quiz_id}-{q.id}"), points, lambda t: html(q, t),
                    lambda t: inline(q, t))

    section = E.section(*[node(q, q.points) for q in quiz.questions], ident="root_section")
    for pool in quiz.pools:
        pick = E.selection(E.selection_number(str(pool.pick)), E.selection_extension(
            E.points_per_item(number(pool.points if pool.points is not None else 1))))
        section.append(E.section(E.selection_ordering(pick),
                                 *[node(q, pool.points_of(q)) for q in pool.questions],
                                 ident=ident(f"{quiz_id}-{pool.id}"), title=pool.title or pool.id))
    root = E.questestinterop(E.assessment(section, ident=quiz_id, title=quiz.title))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _html(media: Media, question: Question, text: str, inline: bool = False) -> str:
    return media.html(question, text, inline) if text else ""


class Qti12Exporter:
    name: ClassVar[str] = "qti12"
    summary: ClassVar[str] = "QTI 1.2 zip in Canvas's flavour (Classic and New Quizzes)"

    def check(self, course: Course) -> list[Problem]:
        return [p for _, q in course.questions() for p in question_problems(q)]

    def export(self, ctx: ExportContext) -> Path:
        course = ctx.course
        env = render.environment(self.name, course.root)
        media = Media(course, FILEBASE)
        files: dict[str, bytes] = {}
        for quiz in course.quizzes:
            ctx.progress(f"qti12: {quiz.id}")
            folder = ident(quiz.id)
            files[f"{folder}/{folder}.xml"] = assessment(quiz, media)
            meta = render.render(env, "assessment_meta.xml.j2", quiz=quiz, ident=folder,
                                 description=markup.to_html(quiz.description).strip(),
                                 points=number(quiz.max_points))
            files[f"{folder}/assessment_meta.xml"] = meta.encode()
        for name, path in sorted(media.files.items()):
            files[f"web_resources/{name}"] = path.read_bytes()
        manifest = render.render(env, "imsmanifest.xml.j2", course=course, ident=ident,
                                 quizzes=course.quizzes, media=sorted(media.files))
        files = {"imsmanifest.xml": manifest.encode(), **dict(sorted(files.items()))}
        with tempfile.TemporaryDirectory() as tmp:
            built = zip_files(files, Path(tmp) / "package.zip")
            target = ctx.out.write_bytes(f"{course.id}-qti12.zip", built.read_bytes())
        return target


def question_problems(q: Question) -> list[Problem]:
    """What Canvas's QTI 1.2 drops or changes in one question."""
    found = []
    if isinstance(q, Ordering):
        found.append(warn(q, "Canvas has no ordering question; it becomes a matching question "
                          "that pairs each item with its position", RULE))
    if isinstance(q, FillBlanks):
        kinds = {b.kind for b in q.blanks}
        if BlankKind.NUMERIC in kinds:
            found.append(warn(q, "Canvas blanks take text only: a numeric blank accepts its "
                              "exact value typed, without tolerance", RULE))
        if BlankKind.DROPDOWN in kinds and kinds != {BlankKind.DROPDOWN}:
            found.append(warn(q, "Canvas cannot mix drop-downs with typed blanks: the "
                              "drop-down blanks become typed blanks", RULE))
    if isinstance(q, Essay) and (q.grader_notes or q.response_template):
        found.append(warn(q, "Canvas QTI has no grader notes or response template; "
                          "they are left out", RULE))
    if q.hints or q.feedback.partial:
        found.append(warn(q, "Canvas has no hints and no partial-credit feedback; "
                          "they are left out", RULE))
    if has_images(q):
        found.append(warn(q, "images travel in the zip's web_resources folder; check them "
                          "after import", RULE))
    return found


__all__ = ["NS", "Qti12Exporter", "assessment", "question_problems"]
