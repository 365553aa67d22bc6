"""QTI 1.2 in Canvas's flavour: one assessment per quiz, pools as question groups, one zip.

Canvas has no ordering question: an ordering question becomes a matching question
that pairs each item (shown in a fixed scrambled order) with its position. The zip holds
``imsmanifest.xml`` and, per quiz, the assessment and Canvas's ``assessment_meta.xml``.

What Canvas's importer does with each shape was read from its source (the QTI 1.2 to 2.1
converter it runs, then its ``Qti::*Interaction`` readers and its quiz-question scorers);
``question_problems`` says, per question, what Canvas drops or scores differently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from lxml import etree

from coursepack import markup, render, scratch
from coursepack.errors import Problem, warning
from coursepack.exporters._package import zip_files
from coursepack.exporters._quizbank import (
    Media,
    has_images,
    ident,
    number,
    numeric_bounds,
    warn,
)
from coursepack.exporters.base import ExportContext
from coursepack.exporters.qti12.items import NS, Context, E, item, number_texts, word_limits
from coursepack.exporters.qti12.names import Idents, clean, has_illegal
from coursepack.exporters.question_types import written
from coursepack.model import (
    Blank,
    BlankKind,
    Course,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    NumericAnswer,
    Ordering,
    Pool,
    Question,
    Quiz,
    Scoring,
    ShortAnswer,
    markdown_texts,
)

RULE = "qti12"
FILEBASE = "$IMS-CC-FILEBASE$/"


def bounds(answer: NumericAnswer) -> tuple[str, str]:
    """The lowest and highest accepted values as exact decimals."""
    low, high = numeric_bounds(answer)
    return number(low), number(high)


class Names:
    """Every ``ident`` of one package: assessments, sections, items and bank questions."""

    def __init__(self, course: Course) -> None:
        keys = [("root", "root_section")]
        for quiz in course.quizzes:
            keys.append((f"quiz\0{quiz.id}", quiz.id))
            keys += [(f"item\0{quiz.id}\0{q.id}", f"{quiz.id}-{q.id}")
                     for q in quiz.all_questions()]
            keys += [(f"pool\0{quiz.id}\0{p.id}", f"{quiz.id}-{p.id}") for p in quiz.pools]
        self.idents = Idents(keys)
        self.bank = Idents.of(q.id for _, q in course.questions())

    def quiz(self, quiz: Quiz) -> str:
        return self.idents[f"quiz\0{quiz.id}"]

    def item(self, quiz: Quiz, question: Question) -> str:
        return self.idents[f"item\0{quiz.id}\0{question.id}"]

    def pool(self, quiz: Quiz, pool_id: str) -> str:
        return self.idents[f"pool\0{quiz.id}\0{pool_id}"]


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def assessment(quiz: Quiz, media: Media, names: Names, language: str) -> bytes:
    """The quiz as one <questestinterop>: fixed items, then a section per pool."""

    def node(q: Question, points: float) -> etree._Element:
        ctx = Context(html=lambda t: _html(media, q, t), inline=lambda t: _html(media, q, t, True),
                      shuffle=quiz.settings.shuffle_options, bounds=bounds)
        return item(q, names.item(quiz, q), names.bank[q.id], points, ctx)

    section = E.section(*[node(q, q.points) for q in quiz.questions], ident="root_section")
    for pool in quiz.pools:
        pick = E.selection(E.selection_number(str(pool.pick)), E.selection_extension(
            E.points_per_item(number(group_points(pool)))))
        section.append(E.section(E.selection_ordering(pick),
                                 *[node(q, pool.points_of(q)) for q in pool.questions],
                                 ident=names.pool(quiz, pool.id),
                                 title=clean(pool.title or pool.id)))
    root = E.questestinterop(E.assessment(section, ident=names.quiz(quiz),
                                          title=clean(quiz.title)))
    for element in root.iter(f"{{{NS}}}assessment", f"{{{NS}}}item"):  # where QTI 1.2 takes it
        element.set(XML_LANG, markup.language_tag(language))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def group_points(pool: Pool) -> float:
    """Canvas gives every question a pool draws the same points: the pool's, or its questions'
    largest (a loss :func:`pool_losses` declares when they differ)."""
    if pool.points is not None:
        return pool.points
    return max((q.points for q in pool.questions if q.scored), default=1.0)


def pool_losses(course: Course) -> list[Problem]:
    """Pools whose questions are worth different points and that set no points of their own."""
    found = []
    for quiz in course.quizzes:
        for pool in quiz.pools:
            worth = sorted({q.points for q in pool.questions if q.scored})
            if pool.points is None and len(worth) > 1:
                found.append(warning(
                    pool.origin or quiz.origin,
                    f"quiz '{quiz.id}': pool '{pool.id}' draws questions worth different points "
                    f"({', '.join(number(p) for p in worth)}); Canvas gives every question a pool "
                    f"draws the same points, {number(group_points(pool))} each",
                    hint="give the pool its own 'points:' to choose the value", rule=RULE))
    return found


def _html(media: Media, question: Question, text: str, inline: bool = False) -> str:
    return clean(media.html(question, text, inline)) if text else ""


def resource_idents(names: Names, quizzes: tuple[Quiz, ...], media: list[str]) -> Idents:
    """Manifest resource identifiers: per quiz its assessment and its meta file, per image."""
    keys = [(f"res\0{q.id}", names.quiz(q)) for q in quizzes]
    keys += [(f"meta\0{q.id}", f"{names.quiz(q)}-meta") for q in quizzes]
    keys += [(f"media\0{name}", f"media-{name}") for name in media]
    return Idents(keys)


class Qti12Exporter:
    name: ClassVar[str] = "qti12"
    shows_no_lessons: ClassVar[bool] = True  # a bank of questions
    summary: ClassVar[str] = "QTI 1.2 zip in Canvas's flavour (Classic and New Quizzes)"

    def check(self, course: Course) -> list[Problem]:
        course = written(self.name, course)  # the question-type table speaks for the rest
        return [*(p for _, q in course.questions() for p in question_problems(q)),
                *pool_losses(course)]

    def export(self, ctx: ExportContext) -> Path:
        course = written(self.name, ctx.course)
        env = render.environment(self.name, course.root)
        media = Media(course, FILEBASE)
        names = Names(course)
        files: dict[str, bytes] = {}
        for quiz in course.quizzes:
            ctx.progress(f"qti12: {quiz.id}")
            folder = names.quiz(quiz)
            files[f"{folder}/{folder}.xml"] = assessment(quiz, media, names, course.language)
            with media.published.serving(lambda name: FILEBASE + name):
                description = clean(markup.to_html(quiz.description).strip())
            meta = render.render(env, "assessment_meta.xml.j2", quiz=quiz, ident=folder,
                                 title=clean(quiz.title), description=description,
                                 points=number(quiz.max_points))
            files[f"{folder}/assessment_meta.xml"] = meta.encode()
        for name, path in sorted(media.files.items()):
            files[f"web_resources/{name}"] = path.read_bytes()
        resources = resource_idents(names, course.quizzes, sorted(media.files))
        manifest = render.render(env, "imsmanifest.xml.j2", course=course, ident=ident,
                                 quizzes=course.quizzes, media=sorted(media.files),
                                 folder=names.quiz, resource=lambda kind, key: resources[
                                     f"{kind}\0{key}"])
        files = {"imsmanifest.xml": manifest.encode(), **dict(sorted(files.items()))}
        with scratch.folder("coursepack-package-") as tmp:
            built = zip_files(files, Path(tmp) / "package.zip", ctx.cache)
            target = ctx.out.write_bytes(f"{course.id}-qti12.zip", built.read_bytes())
        return target


def question_problems(q: Question) -> list[Problem]:
    """What Canvas's QTI 1.2 import drops or scores differently in one question."""
    found = [warn(q, message, RULE, hint) for message, hint in _losses(q)]
    if has_images(q):
        found.append(warn(q, "images travel in the zip's web_resources folder; check them "
                          "after import", RULE))
    return found


Loss = tuple[str, str]
"""A message and a hint."""


def _losses(q: Question) -> Iterator[Loss]:
    if isinstance(q, Ordering):
        yield ("Canvas has no ordering question; it becomes a matching question that pairs "
               "each item with its position (partial credit per item in its place)", "")
    if isinstance(q, MultipleResponse):
        yield from _multiple_losses(q)
    if isinstance(q, ShortAnswer) and q.case_sensitive:
        yield ("Canvas compares short answers ignoring letter case; the answer is "
               "case-sensitive only in other QTI 1.2 readers", "")
    if isinstance(q, FillBlanks):
        yield from _blank_losses(q)
    if isinstance(q, Essay):
        yield from _essay_losses(q)
    yield from _feedback_losses(q)
    if any(has_illegal(text) for text in question_texts(q)):
        yield ("some text holds control characters XML cannot carry; they are left out", "")


def question_texts(q: Question) -> Iterator[str]:
    """Every text of a question: its Markdown and its plain texts."""
    yield from markdown_texts(q)
    yield q.title
    if isinstance(q, ShortAnswer):
        yield from q.answers
    if isinstance(q, Matching):
        yield from (*q.distractors, *(p.match for p in q.pairs))
    if isinstance(q, Essay):
        yield q.response_template
    if isinstance(q, FillBlanks):
        yield from (text for b in q.blanks for text in (*b.answers, *b.options))


def _multiple_losses(q: MultipleResponse) -> Iterator[Loss]:
    k = sum(c.correct for c in q.choices)
    w = len(q.choices) - k
    canvas = (f"Canvas scores a multiple-answer question by parts: each right option chosen "
              f"earns 1/{k} of the points and each wrong one chosen costs 1/{k}")
    if q.scoring is Scoring.ALL_OR_NOTHING and w:
        yield f"{canvas}; all-or-nothing scoring is kept only by other QTI 1.2 readers", ""
    elif q.scoring is Scoring.PARTIAL and w and not q.negative_marking:
        yield f"{canvas}; this question has no negative marking", ""
    elif q.scoring is Scoring.PARTIAL and q.negative_marking and w and w != k:
        yield (f"{canvas}, where the spec's negative marking costs 1/{w} per wrong option",
               "")


def _blank_losses(q: FillBlanks) -> Iterator[Loss]:
    kinds = {b.kind for b in q.blanks}
    for blank in q.blanks:
        if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
            yield _numeric_blank_loss(blank)
        if blank.kind is BlankKind.TEXT and blank.case_sensitive:
            yield (f"Canvas compares blank answers ignoring letter case; blank '{blank.id}' is "
                   "case-sensitive only in other QTI 1.2 readers", "")
    if BlankKind.DROPDOWN in kinds and kinds != {BlankKind.DROPDOWN}:
        yield ("Canvas cannot mix drop-downs with typed blanks: the drop-down blanks become "
               "typed blanks that accept the right option's text", "")
    if len({b.points for b in q.blanks}) > 1:
        yield ("Canvas gives every blank the same share of the points; the blanks' weights "
               "(points) are kept only by other QTI 1.2 readers", "")


def _numeric_blank_loss(blank: Blank) -> Loss:
    assert blank.numeric is not None
    low, high = bounds(blank.numeric)
    texts = " or ".join(f"'{t}'" for t in number_texts(low, high))
    if low == high:
        return (f"Canvas blanks take text: numeric blank '{blank.id}' accepts {texts} typed "
                "as written, not other ways of writing the number", "")
    return (f"Canvas blanks take text: numeric blank '{blank.id}' accepts only its middle "
            f"value, {texts}, typed as written; the range {low} to {high} is lost (a blank read "
            "as a number would make Canvas lose every answer of the question)",
            "make it a numeric question of its own where the range matters")


def _essay_losses(q: Essay) -> Iterator[Loss]:
    if q.grader_notes:
        yield ("Canvas ignores the scorer's rubric that carries the grader notes", "")
    if q.response_template:
        yield "QTI 1.2 has no response template for an essay; it is left out", ""
    if word_limits(q):
        yield ("Canvas does not count words; the word limits are stated in the question "
               "text only", "")


def _feedback_losses(q: Question) -> Iterator[Loss]:
    if q.hints:
        yield ("Canvas has no hints: they travel as QTI hint feedback (other readers show "
               "them after a wrong answer), which Canvas ignores", "")
    if q.feedback.partial and not partial_credit(q):
        yield ("the partial feedback is never shown: this question is scored right or wrong",
               "")
    elif q.feedback.partial:
        yield ("Canvas has no partial-credit feedback: it travels as QTI feedback other "
               "readers show, which Canvas ignores", "")
    if isinstance(q, Essay) and (q.feedback.correct or q.feedback.incorrect):
        yield "an essay is marked by a person: its correct and incorrect feedback is left out", ""


def partial_credit(q: Question) -> bool:
    """Whether a response to ``q`` can earn some but not all of its points."""
    if isinstance(q, MultipleResponse):
        return q.scoring is Scoring.PARTIAL
    return isinstance(q, FillBlanks | Matching | Ordering)


__all__ = ["NS", "Qti12Exporter", "assessment", "bounds", "partial_credit", "question_problems",
           "question_texts"]
