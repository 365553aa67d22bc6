"""Each question as a QTI 2.1 assessmentItem with scoring in points and feedback.

Scoring follows ``coursepack.grading`` in points (SCORE, 0..MAXSCORE): partial credit by
``mapping`` (choices, matches) or by a share added per right part (an ordering item in
its place, a filled blank, by the blank's weight), and always exactly the question's
points when the whole response is right, so rounded shares never fall short of it.
``shuffle`` follows the owning quiz's ``shuffle_options``; an ordering question's items
are written in a fixed scrambled order, never the answer order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from lxml import etree
from lxml.builder import ElementMaker

from coursepack.exporters.qti12.items import gap_text, word_limits
from coursepack.exporters.qti12.names import Idents, amount, clean, scrambled
from coursepack.exporters.qti21.xhtml import NS, append, append_inline
from coursepack.exporters.question_types import no_branch
from coursepack.locale import gettext as _
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
)

E = ElementMaker(namespace=NS, nsmap={None: NS})
Html = Callable[[str, bool], str]
Element = Any
XSI = "http://www.w3.org/2001/XMLSchema-instance"
Bounds = Callable[[NumericAnswer], tuple[str, str]]


@dataclass(frozen=True)
class Context:
    """What rendering an item needs beside the question."""

    html: Html
    shuffle: bool
    bounds: Bounds


def points_of(value: float | Fraction) -> str:
    return amount(value)


def _float(value: float | Fraction) -> Element:
    return E.baseValue(points_of(value), baseType="float")


def _set(name: str, expr: Element) -> Element:
    return E.setOutcomeValue(expr, identifier=name)


def _if(test: Element, *then: Element) -> Element:
    return E.responseCondition(E.responseIf(test, *then))


def _if_else(test: Element, then: Element, otherwise: Element) -> Element:
    return E.responseCondition(E.responseIf(test, then), E.responseElse(otherwise))


def _var(name: str) -> Element:
    return E.variable(identifier=name)


def _true(name: str) -> Element:
    return E.match(_var(name), E.correct(identifier=name))


def _declare(name: str, cardinality: str, base: str, correct: Sequence[str],
             mapping: Element | None = None) -> Element:
    node = E.responseDeclaration(identifier=name, cardinality=cardinality, baseType=base)
    if correct:
        node.append(E.correctResponse(*[E.value(clean(v)) for v in correct]))
    if mapping is not None:
        node.append(mapping)
    return node


def _mapping(entries: Sequence[tuple[str, Fraction]], points: float,
             case: bool | None = None) -> Element:
    node = E.mapping(defaultValue="0", lowerBound="0", upperBound=points_of(points))
    for key, value in entries:
        entry = E.mapEntry(mapKey=clean(key), mappedValue=points_of(value))
        if case is not None:
            entry.set("caseSensitive", str(case).lower())
        node.append(entry)
    return node


def _choices(texts: Sequence[str], ids: Sequence[str], html: Html | None,
             name: str = "simpleChoice") -> list[Element]:
    """Choices with Markdown (``html``) or plain text (``html`` None) content."""
    found = []
    for ident, text in zip(ids, texts, strict=True):
        choice = E(name, identifier=ident, fixed="false")
        if html is None:
            choice.text = clean(text)
        else:
            append_inline(choice, clean(html(text, True)))
        found.append(choice)
    return found


def _bool(flag: bool) -> str:
    return str(flag).lower()


Parts = tuple[list[Element], list[Element], list[Element]]
"""Response declarations, interactions (block or a rebuilt body), scoring rules."""


def build(q: Question, pts: float, ctx: Context) -> Parts:
    match q:
        case SingleChoice() | TrueFalse():
            return _single(q, pts, ctx)
        case MultipleResponse():
            return _multiple(q, pts, ctx)
        case ShortAnswer():
            answers = list(dict.fromkeys(q.answers))
            decl = _declare("RESPONSE", "single", "string", answers[:1], _mapping(
                [(a, Fraction(repr(float(pts)))) for a in answers], pts, q.case_sensitive))
            return [decl], [E.p(E.textEntryInteraction(responseIdentifier="RESPONSE"))], [
                _set("SCORE", E.mapResponse(identifier="RESPONSE"))]
        case Numeric():
            low, high = ctx.bounds(q.answer)
            decl = _declare("RESPONSE", "single", "float", [_middle(low, high)])
            entry = E.p(E.textEntryInteraction(responseIdentifier="RESPONSE"))
            if q.unit:
                entry[-1].tail = " " + clean(q.unit)
            return [decl], [entry], [_if(_within("RESPONSE", low, high),
                                         _set("SCORE", _float(pts)))]
        case Matching():
            return _matching(q, pts, ctx)
        case Ordering():
            return _ordering(q, pts, ctx)
        case FillBlanks():
            return _blanks(q, pts, ctx)
        case Essay():
            return _essay(q, ctx)
        case Description():
            return [], [], []
        case _:
            no_branch("qti21", q)


def _middle(low: str, high: str) -> str:
    return amount((Fraction(low) + Fraction(high)) / 2)


def _single(q: SingleChoice | TrueFalse, pts: float, ctx: Context) -> Parts:
    if isinstance(q, TrueFalse):
        texts, ok, shuffle = [_("True"), _("False")], [q.answer, not q.answer], False
    else:
        texts, ok = [c.text for c in q.choices], [c.correct for c in q.choices]
        shuffle = ctx.shuffle
    ids = [f"C{n}" for n in range(1, len(texts) + 1)]
    right = [i for i, good in zip(ids, ok, strict=True) if good]
    decl = _declare("RESPONSE", "single", "identifier", right,
                    _mapping([(r, Fraction(repr(float(pts)))) for r in right], pts))
    inter = E.choiceInteraction(*_choices(texts, ids, ctx.html), responseIdentifier="RESPONSE",
                                shuffle=_bool(shuffle), maxChoices="1")
    return [decl], [inter], [_set("SCORE", E.mapResponse(identifier="RESPONSE"))]


def _within(name: str, low: str, high: str) -> Element:
    return E("and", E.gte(_var(name), E.baseValue(low, baseType="float")),
             E.lte(_var(name), E.baseValue(high, baseType="float")))


def _full_or(name: str, pts: float, otherwise: Element) -> Element:
    """SCORE is the points when the response is the correct one, else ``otherwise``."""
    return _if_else(_true(name), _set("SCORE", _float(pts)), _set("SCORE", otherwise))


def _multiple(q: MultipleResponse, pts: float, ctx: Context) -> Parts:
    ids = [f"C{n}" for n in range(1, len(q.choices) + 1)]
    right = [i for i, c in zip(ids, q.choices, strict=True) if c.correct]
    inter = E.choiceInteraction(*_choices([c.text for c in q.choices], ids, ctx.html),
                                responseIdentifier="RESPONSE", shuffle=_bool(ctx.shuffle),
                                maxChoices="0")
    if q.scoring is Scoring.ALL_OR_NOTHING:
        decl = _declare("RESPONSE", "multiple", "identifier", right)
        return [decl], [inter], [_if(_true("RESPONSE"), _set("SCORE", _float(pts)))]
    decl = _declare("RESPONSE", "multiple", "identifier", right,
                    _mapping(option_values(q, ids, pts), pts))
    return [decl], [inter], [_full_or("RESPONSE", pts, E.mapResponse(identifier="RESPONSE"))]


def option_values(q: MultipleResponse, ids: Sequence[str], pts: float
                  ) -> list[tuple[str, Fraction]]:
    """Per option its points: right ones points/k; wrong ones -points/w with negative marking."""
    total = Fraction(repr(float(pts)))
    k = sum(c.correct for c in q.choices)
    w = len(q.choices) - k
    found = []
    for ident, choice in zip(ids, q.choices, strict=True):
        if choice.correct:
            found.append((ident, total / k))
        elif q.negative_marking:
            found.append((ident, -total / w))
    return found


def _matching(q: Matching, pts: float, ctx: Context) -> Parts:
    sources = [f"S{n}" for n in range(1, len(q.pairs) + 1)]
    answers = list(q.answers)
    targets = [f"T{n}" for n in range(1, len(answers) + 1)]
    pairs = [f"{s} {targets[answers.index(p.match)]}" for s, p in zip(sources, q.pairs,
                                                                     strict=True)]
    each = Fraction(repr(float(pts))) / len(pairs)
    decl = _declare("RESPONSE", "multiple", "directedPair", pairs,
                    _mapping([(p, each) for p in pairs], pts))
    left = _choices([p.prompt for p in q.pairs], sources, ctx.html, "simpleAssociableChoice")
    right = _choices(answers, targets, None, "simpleAssociableChoice")
    for choice in left:
        choice.set("matchMax", "1")
    for choice, answer in zip(right, answers, strict=True):
        choice.set("matchMax", str(sum(p.match == answer for p in q.pairs) or 1))
    inter = E.matchInteraction(E.simpleMatchSet(*left), E.simpleMatchSet(*right),
                               responseIdentifier="RESPONSE", shuffle=_bool(ctx.shuffle),
                               maxAssociations=str(len(q.pairs)))
    return [decl], [inter], [_full_or("RESPONSE", pts, E.mapResponse(identifier="RESPONSE"))]


def _ordering(q: Ordering, pts: float, ctx: Context) -> Parts:
    """Partial credit by position: points x (items in their correct place) / items."""
    ids = [f"I{n}" for n in range(1, len(q.items) + 1)]
    order = scrambled(q.id, len(ids))
    decl = _declare("RESPONSE", "ordered", "identifier", ids)
    inter = E.orderInteraction(*_choices([q.items[i] for i in order], [ids[i] for i in order],
                                         ctx.html),
                               responseIdentifier="RESPONSE", shuffle=_bool(ctx.shuffle))
    each = Fraction(repr(float(pts))) / len(ids)
    rules = [_if(E.match(E.index(_var("RESPONSE"), n=str(n)),
                         E.baseValue(ident, baseType="identifier")),
                 _set("SCORE", E.sum(_var("SCORE"), _float(each))))
             for n, ident in enumerate(ids, 1)]
    rules.append(_if(_true("RESPONSE"), _set("SCORE", _float(pts))))
    return [decl], [inter], rules


def _blanks(q: FillBlanks, pts: float, ctx: Context) -> Parts:
    """Each blank right adds points x its weight / all weights; all right gives the points."""
    body, markers = gap_text(q, lambda text: ctx.html(text, False))
    names = Idents(((b.id, f"RESPONSE_{b.id}") for _, b in markers))
    total = sum(Fraction(repr(float(b.points))) for _, b in markers)
    decls, rules, tests, swaps = [], [], [], {}
    for marker, blank in markers:
        name = names[blank.id]
        decl, inter, test = _gap(blank, name, ctx)
        decls.append(decl)
        swaps[marker] = inter
        tests.append(test)
        weight = Fraction(repr(float(blank.points)))
        if total and weight:
            share = Fraction(repr(float(pts))) * weight / total
            rules.append(_if(test, _set("SCORE", E.sum(_var("SCORE"), _float(share)))))
    rules.append(_if(E("and", *map(deepcopy, tests)) if len(tests) > 1 else deepcopy(tests[0]),
                     _set("SCORE", _float(pts))))
    holder = append(E.div(), clean(body))
    for text_node in list(holder.iter()):
        _swap_markers(text_node, swaps)
    return decls, list(holder), rules


def _gap(blank: Blank, name: str, ctx: Context) -> tuple[Element, Element, Element]:
    if blank.kind is BlankKind.DROPDOWN:
        right = f"O{blank.options.index(blank.answers[0]) + 1}"
        choices = _choices(list(blank.options), [f"O{n}" for n in
                                                 range(1, len(blank.options) + 1)],
                           None, "inlineChoice")
        return (_declare(name, "single", "identifier", [right]),
                E.inlineChoiceInteraction(*choices, responseIdentifier=name,
                                          shuffle=_bool(ctx.shuffle)),
                _true(name))
    if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
        low, high = ctx.bounds(blank.numeric)
        return (_declare(name, "single", "float", [_middle(low, high)]),
                E.textEntryInteraction(responseIdentifier=name), _within(name, low, high))
    answers = list(dict.fromkeys(blank.answers))
    tests = [E.stringMatch(_var(name), E.baseValue(clean(a), baseType="string"),
                           caseSensitive=_bool(blank.case_sensitive)) for a in answers]
    return (_declare(name, "single", "string", answers[:1]),
            E.textEntryInteraction(responseIdentifier=name),
            E("or", *tests) if len(tests) > 1 else tests[0])


def _swap_markers(node: Element, swaps: dict[str, Element]) -> None:
    """Replace each marker in ``node``'s text and its children's tails by its interaction."""
    for marker, inter in swaps.items():
        if node.text and marker in node.text:
            before, after = node.text.split(marker, 1)
            node.text = before
            node.insert(0, inter)
            inter.tail = after
        for child in list(node):
            if child.tail and marker in child.tail:
                before, after = child.tail.split(marker, 1)
                child.tail = before
                child.addnext(inter)
                inter.tail = after


def word_pattern(q: Essay) -> str:
    """An XML Schema pattern (``patternMask``) that holds only between the word limits."""
    most = str(q.max_words - 1) if q.max_words else ""
    words = rf"\S+(\s+\S+){{{max(q.min_words, 1) - 1},{most}}}"
    return rf"\s*{words}\s*" if q.min_words else rf"\s*({words})?\s*"


def _essay(q: Essay, ctx: Context) -> Parts:
    decl = _declare("RESPONSE", "single", "string", [])
    inter = E.extendedTextInteraction(responseIdentifier="RESPONSE", expectedLines="10")
    if word_limits(q):
        inter.append(E.prompt(word_limits(q)))
        inter.set("patternMask", word_pattern(q))
    if q.min_words:
        inter.set("minStrings", "1")
    if q.response_template:
        template = clean(q.response_template)
        decl.append(E.defaultValue(E.value(template)))
        inter.set("placeholderText", template)
    return [decl], [inter], []


__all__ = ["XSI", "Context", "E", "build", "etree", "option_values", "word_pattern"]
