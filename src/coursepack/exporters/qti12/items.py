"""Each question as a QTI 1.2 item in Canvas's flavour (question_type, points_possible).

Scoring follows ``coursepack.grading``: SCORE is a percentage (0..100, floored and
capped by its ``decvar``). Response processing runs in this order, and every QTI 1.2
reader that honours ``continue`` scores it the same way:

1. general feedback (always), then the feedback of each chosen answer;
2. partial credit: ``Add`` one share per right part (a matched prompt, an item in its
   place, a filled blank, a chosen option; a wrong option costs its share with negative
   marking);
3. a fully right response: ``Set`` 100 and the correct feedback, then stop;
4. otherwise partial feedback when some part was right, else incorrect feedback; hints
   (``hint`` feedback) with either.

The shapes are those Canvas's importer reads (checked against its QTI converter): a
multiple-answer key is one ``and`` of chosen and not-chosen options; matching and drop-down
credit is one ``Add`` per prompt or blank; a typed blank's accepted answers are the labels
of its ``response_lid``; plain texts travel as ``text/plain`` so Canvas keeps them as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from copy import deepcopy as copy
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from lxml.builder import ElementMaker

from coursepack.exporters._quizbank import blank_marker
from coursepack.exporters.qti12.names import amount, blank_names, clean, scrambled
from coursepack.exporters.question_types import no_branch
from coursepack.locale import gettext as _
from coursepack.locale import ngettext
from coursepack.model import (
    Blank,
    BlankKind,
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    Question,
    Scoring,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    markdown,
)
from coursepack.numbers import number

NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
E = ElementMaker(namespace=NS, nsmap={None: NS})
Html = Callable[[str], str]
Element = Any
Bounds = Callable[[NumericAnswer], tuple[str, str]]


def mat(html: str) -> Element:
    """Material holding HTML (Markdown already rendered)."""
    return E.material(E.mattext(clean(html), texttype="text/html"))


def plain(text: str) -> Element:
    """Material holding plain text, shown exactly as written."""
    return E.material(E.mattext(clean(text), texttype="text/plain"))


def yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def share(part: float, whole: float) -> str:
    """``100 * part / whole``: a percentage of SCORE, exact when it has a short decimal form."""
    return amount(Fraction(100) * Fraction(repr(float(part))) / Fraction(repr(float(whole))))


def eq(resp: str, value: str, case: bool | None = None) -> Element:
    node = E.varequal(clean(value), respident=resp)
    if case is not None:
        node.set("case", yes(case))
    return node


def all_of(tests: list[Element]) -> Element:
    """Every test holds (copies: an element has one parent, and tests are reused)."""
    return copy(tests[0]) if len(tests) == 1 else E("and", *map(copy, tests))


def any_of(tests: list[Element]) -> Element:
    """Some test holds (copies of the tests)."""
    return copy(tests[0]) if len(tests) == 1 else E("or", *map(copy, tests))


@dataclass
class Rules:
    """What one item shows and how it scores (see the module docstring for the order)."""

    kind: str
    parts: list[Element]
    full: list[Element] = field(default_factory=list)
    """Tests that each make the response fully right (alternatives)."""
    shares: list[tuple[Element, str]] = field(default_factory=list)
    """(test, percentage) added per right part."""
    some_right: Element | None = None
    """Test for 'some credit' (partial feedback rather than incorrect)."""
    answers: list[tuple[Element, str, str]] = field(default_factory=list)
    """(test, feedback ident, feedback HTML) per answer with its own feedback."""
    stem: bool = True
    extra: list[Element] = field(default_factory=list)
    """Item children written before the presentation (a scorer's rubric)."""


@dataclass(frozen=True)
class Context:
    """What rendering an item needs beside the question."""

    html: Html
    inline: Html
    shuffle: bool
    bounds: Bounds


def build(q: Question, ctx: Context) -> Rules:
    match q:
        case SingleChoice() | MultipleResponse() | TrueFalse():
            return _choice(q, ctx)
        case ShortAnswer():
            answers = list(dict.fromkeys(q.answers))
            return Rules("short_answer_question", [_response_str()],
                         full=[eq("response1", a, True if q.case_sensitive else None)
                               for a in answers])
        case Numeric():
            return _numeric(q, ctx)
        case Matching():
            pairs = [(p.prompt, list(q.answers).index(p.match)) for p in q.pairs]
            return _matching(pairs, list(q.answers), ctx, list(range(len(pairs))), ctx.shuffle)
        case Ordering():
            places = [f"Position {n}" for n in range(1, len(q.items) + 1)]
            pairs = [(text, n) for n, text in enumerate(q.items)]
            return _matching(pairs, places, ctx, scrambled(q.id, len(pairs)), False)
        case FillBlanks():
            return _blanks(q, ctx)
        case Essay():
            return _essay(q, ctx)
        case Description():
            return Rules("text_only_question", [])
        case _:
            no_branch("qti12", q)


def _fib(fibtype: str = "String", rows: str | None = None) -> Element:
    node = E.render_fib(E.response_label(ident="answer1", rshuffle="No"), fibtype=fibtype)
    if rows:
        node.set("rows", rows)
    return node


def _response_str(fibtype: str = "String", unit: str = "") -> Element:
    node = E.response_str(_fib(fibtype), ident="response1", rcardinality="Single")
    if unit:
        node.append(plain(unit))
    return node


def _numeric(q: Numeric, ctx: Context) -> Rules:
    low, high = ctx.bounds(q.answer)
    test = [E.vargte(low, respident="response1"), E.varlte(high, respident="response1")]
    return Rules("numerical_question", [_response_str("Decimal", q.unit)], full=[all_of(test)])


def _choice(q: SingleChoice | MultipleResponse | TrueFalse, ctx: Context) -> Rules:
    if isinstance(q, TrueFalse):
        texts, right = [_("True"), _("False")], [q.answer, not q.answer]
        notes, shuffle = [q.feedback_true, q.feedback_false], False
    else:
        texts, right = [c.text for c in q.choices], [c.correct for c in q.choices]
        notes, shuffle = [c.feedback for c in q.choices], ctx.shuffle
    multiple = isinstance(q, MultipleResponse)
    labels = [E.response_label(mat(ctx.inline(t)), ident=f"c{i}") for i, t in enumerate(texts)]
    part = E.response_lid(E.render_choice(*labels, shuffle=yes(shuffle)), ident="response1",
                          rcardinality="Multiple" if multiple else "Single")
    kind = ("multiple_answers_question" if multiple else
            "true_false_question" if isinstance(q, TrueFalse) else "multiple_choice_question")
    rules = Rules(kind, [part])
    rules.answers = [(eq("response1", f"c{i}"), f"c{i}_fb", ctx.html(note))
                     for i, note in enumerate(notes) if note]
    if not isinstance(q, MultipleResponse):
        rules.full = [eq("response1", f"c{right.index(True)}")]
        return rules
    chosen = [eq("response1", f"c{i}") for i, ok in enumerate(right) if ok]
    avoided = [E("not", eq("response1", f"c{i}")) for i, ok in enumerate(right) if not ok]
    rules.full = [E("and", *map(copy, chosen), *avoided)]  # one 'and', as Canvas reads a key
    if q.scoring is Scoring.PARTIAL:
        rules.shares = _option_shares(right, q.negative_marking)
        rules.some_right = any_of(chosen)
    return rules


def _option_shares(right: list[bool], negative: bool) -> list[tuple[Element, str]]:
    """Each right option chosen earns 100/k; with negative marking a wrong one costs 100/w."""
    k, w = right.count(True), right.count(False)
    found = []
    for i, ok in enumerate(right):
        if ok:
            found.append((eq("response1", f"c{i}"), share(1, k)))
        elif negative:
            found.append((eq("response1", f"c{i}"), "-" + share(1, w)))
    return found


def _matching(pairs: Sequence[tuple[str, int]], answers: list[str], ctx: Context,
              order: list[int], shuffle: bool) -> Rules:
    """One response per prompt (written in ``order``), each choosing among ``answers``."""
    tests = [eq(f"response_{n + 1}", f"m{match + 1}") for n, (_, match) in enumerate(pairs)]
    parts = []
    for n in order:
        labels = [E.response_label(plain(a), ident=f"m{i + 1}") for i, a in enumerate(answers)]
        parts.append(E.response_lid(mat(ctx.inline(pairs[n][0])),
                                    E.render_choice(*labels, shuffle=yes(shuffle)),
                                    ident=f"response_{n + 1}", rcardinality="Single"))
    return Rules("matching_question", parts, full=[all_of(tests)],
                 shares=[(t, share(1, len(tests))) for t in tests], some_right=any_of(tests))


def gap_text(q: FillBlanks, html: Html) -> tuple[str, list[tuple[str, Blank]]]:
    """The gap text as HTML (rendered by ``html``, so its images are published) with a
    marker per blank, and (marker, blank) pairs in order."""
    parts: list[str] = []
    markers: list[tuple[str, Blank]] = []
    for segment in q.segments():
        if isinstance(segment, Blank):
            markers.append((blank_marker(len(markers)), segment))
            parts.append(markers[-1][0])
        else:
            parts.append(segment)
    return html(markdown(q.text).part("".join(parts))), markers


def _blanks(q: FillBlanks, ctx: Context) -> Rules:
    body, markers = gap_text(q, ctx.html)
    names = blank_names([b.id for _, b in markers])
    dropdowns = all(b.kind is BlankKind.DROPDOWN for _, b in markers)
    total = sum(b.points for _, b in markers)
    parts, tests, shares = [], [], []
    for (marker, blank), name in zip(markers, names, strict=True):
        body = body.replace(marker, f"[{name}]")
        part, test = _gap(blank, name, dropdowns, ctx)
        parts.append(part)
        tests.append(test)
        if total > 0 and blank.points > 0:
            shares.append((test, share(blank.points, total)))
    kind = "multiple_dropdowns_question" if dropdowns else "fill_in_multiple_blanks_question"
    return Rules(kind, [mat(ctx.html(q.stem) + body), *parts], full=[all_of(tests)],
                 shares=shares, some_right=any_of(tests), stem=False)


def number_texts(low: str, high: str) -> list[str]:
    """The texts a numeric blank accepts: its value (the middle of its range), and the same
    with a decimal comma, both of which ``coursepack.grading`` reads as that number."""
    middle = str((Decimal(low) + Decimal(high)) / 2)
    if "." in middle:
        middle = middle.rstrip("0").rstrip(".")
    return list(dict.fromkeys([middle, middle.replace(".", ",")]))


def _gap(blank: Blank, name: str, dropdowns: bool, ctx: Context) -> tuple[Element, Element]:
    """One blank's response and the test that it is filled right.

    Every blank is a ``response_lid`` whose labels are what it accepts, as Canvas reads a
    blank. A numeric blank accepts its value as typed text: a blank read as a number
    (``response_num``) becomes an extended text interaction in Canvas's converter, which
    sends the whole question down Canvas's D2L import path and loses every answer.
    """
    if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
        accepted = number_texts(*ctx.bounds(blank.numeric))
        right = list(range(len(accepted)))
    elif blank.kind is BlankKind.DROPDOWN and dropdowns:
        accepted = list(blank.options)
        right = [accepted.index(blank.answers[0])] if blank.answers[0] in accepted else []
    else:
        accepted = list(dict.fromkeys(blank.answers))
        right = list(range(len(accepted)))
    labels = [E.response_label(plain(a), ident=f"{name}_{i}") for i, a in enumerate(accepted)]
    shuffle = ctx.shuffle and blank.kind is BlankKind.DROPDOWN and dropdowns
    part = E.response_lid(plain(name), E.render_choice(*labels, shuffle=yes(shuffle)),
                          ident=f"response_{name}", rcardinality="Single")
    tests = [eq(f"response_{name}", f"{name}_{i}") for i in right]
    return part, any_of(tests or [E("not", E.other())])


def word_limits(q: Essay) -> str:
    """The essay's word limits as the instruction the other formats show, or ''."""
    if q.min_words and q.max_words:
        return _("Write between %(min)s and %(max)s words.") % {"min": q.min_words,
                                                                "max": q.max_words}
    if q.min_words:
        return ngettext("Write at least %(num)s word.", "Write at least %(num)s words.",
                        q.min_words) % {"num": q.min_words}
    if q.max_words:
        return ngettext("Write at most %(num)s word.", "Write at most %(num)s words.",
                        q.max_words) % {"num": q.max_words}
    return ""


def _essay(q: Essay, ctx: Context) -> Rules:
    part = E.response_str(_fib(rows="12"), ident="response1", rcardinality="Single")
    parts = [part]
    if word_limits(q):
        parts.insert(0, plain(word_limits(q)))
    extra = []
    if q.grader_notes:
        extra.append(E.rubric(E.flow_mat(mat(ctx.html(q.grader_notes))), view="Scorer"))
    return Rules("essay_question", parts, extra=extra)


def item(q: Question, item_ident: str, bank_ident: str, points: float, ctx: Context) -> Element:
    """The whole <item>: metadata, presentation, scoring and feedback."""
    rules = build(q, ctx)
    meta = E.itemmetadata(E.qtimetadata(_field("question_type", rules.kind),
                                        _field("points_possible", number(points)),
                                        _field("original_answer_ids", ""),
                                        _field("assessment_question_identifierref",
                                               bank_ident)))
    stem = [mat(ctx.html(q.stem))] if rules.stem else []
    node = E.item(meta, *rules.extra, E.presentation(*stem, *rules.parts), ident=item_ident,
                  title=clean(q.title) or q.id)
    feedback = _feedback(q, rules, ctx)
    if rules.kind != "text_only_question":
        node.append(_processing(rules, feedback))
    for key, text in feedback.items():
        if key == "hint_fb":
            node.append(E.itemfeedback(_hints(q, ctx), ident=key))
        elif text:
            node.append(E.itemfeedback(E.flow_mat(mat(text)), ident=key))
    return node


def _field(label: str, entry: str) -> Element:
    return E.qtimetadatafield(E.fieldlabel(label), E.fieldentry(entry))


def _feedback(q: Question, rules: Rules, ctx: Context) -> dict[str, str]:
    """Feedback ident -> HTML, in the order written: Canvas's idents where Canvas has one."""
    found = {"general_fb": ctx.html(q.feedback.general)}
    if rules.kind not in ("essay_question", "text_only_question"):
        found |= {"correct_fb": ctx.html(q.feedback.correct),
                  "partial_fb": ctx.html(q.feedback.partial) if rules.shares else "",
                  "general_incorrect_fb": ctx.html(q.feedback.incorrect),
                  "hint_fb": "hints" if q.hints else ""}
    found |= {key: text for _, key, text in rules.answers}
    return {key: text for key, text in found.items() if text}


def _hints(q: Question, ctx: Context) -> Element:
    return E.hint(*[E.hintmaterial(E.flow_mat(mat(ctx.html(h)))) for h in q.hints],
                  feedbackstyle="Complete")


def _condition(test: Element, *actions: Element, stop: bool = False) -> Element:
    return E.respcondition(E.conditionvar(copy(test)), *actions, **{"continue": yes(not stop)})


def _show(key: str, kind: str = "Response") -> Element:
    return E.displayfeedback(feedbacktype=kind, linkrefid=key)


def _processing(rules: Rules, feedback: dict[str, str]) -> Element:
    decvar = E.decvar(maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    found = []
    if "general_fb" in feedback:
        found.append(_condition(E.other(), _show("general_fb")))
    found += [_condition(test, _show(key)) for test, key, _ in rules.answers]
    found += [_condition(test, E.setvar(value, action="Add", varname="SCORE"))
              for test, value in rules.shares]
    # A new element for each condition: lxml moves an element appended twice.
    found += [_condition(test, E.setvar("100", action="Set", varname="SCORE"),
                         *([_show("correct_fb")] if "correct_fb" in feedback else []),
                         stop=True) for test in rules.full]
    found += _closing(rules, feedback)
    if not found:
        found.append(_condition(E.other(), stop=True))
    return E.resprocessing(E.outcomes(decvar), *found)


def _closing(rules: Rules, feedback: dict[str, str]) -> list[Element]:
    """Reached when the response is not fully right: partial or incorrect feedback, hints."""
    if not rules.full:
        return []

    def shows(*keys: str) -> list[Element]:
        return [_show(k, "Hint" if k == "hint_fb" else "Response") for k in keys
                if k in feedback]

    if not rules.shares or rules.some_right is None:
        wrong = shows("general_incorrect_fb", "hint_fb")
        return [_condition(E.other(), *wrong)] if wrong else []
    found = []
    if shows("partial_fb", "hint_fb"):
        found.append(_condition(rules.some_right, *shows("partial_fb", "hint_fb")))
    if shows("general_incorrect_fb", "hint_fb"):
        found.append(_condition(E("not", copy(rules.some_right)),
                                *shows("general_incorrect_fb", "hint_fb")))
    return found


__all__ = ["NS", "Context", "E", "Rules", "build", "gap_text", "item", "number_texts", "share",
           "word_limits"]
