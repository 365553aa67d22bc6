"""Each question as a QTI 2.1 assessmentItem with scoring in points and feedback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, assert_never

from lxml import etree
from lxml.builder import ElementMaker

from coursepack.exporters._quizbank import blanks_html, choice_fractions, ident, number
from coursepack.exporters.qti21.xhtml import NS, append, append_inline
from coursepack.model import (
    Blank,
    BlankKind,
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
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


def _value(text: str) -> Element:
    return E.value(text)


def _float(value: float) -> Element:
    return E.baseValue(number(value), baseType="float")


def _set(name: str, expr: Element) -> Element:
    return E.setOutcomeValue(expr, identifier=name)


def _if(test: Element, *then: Element) -> Element:
    return E.responseCondition(E.responseIf(test, *then))


def _var(name: str) -> Element:
    return E.variable(identifier=name)


def _declare(name: str, cardinality: str, base: str, correct: list[str],
             mapping: Element | None = None) -> Element:
    node = E.responseDeclaration(identifier=name, cardinality=cardinality, baseType=base)
    if correct:
        node.append(E.correctResponse(*[_value(v) for v in correct]))
    if mapping is not None:
        node.append(mapping)
    return node


def _mapping(entries: list[tuple[str, float]], points: float, case: bool | None = None) -> Element:
    node = E.mapping(defaultValue="0", lowerBound="0", upperBound=number(points))
    for key, value in entries:
        entry = E.mapEntry(mapKey=key, mappedValue=number(value))
        if case is not None:
            entry.set("caseSensitive", str(case).lower())
        node.append(entry)
    return node


def _choice_list(texts: list[str], html: Html, name: str = "simpleChoice",
                 ids: list[str] | None = None) -> list[Element]:
    ids = ids or [f"C{n}" for n in range(1, len(texts) + 1)]
    return [append_inline(E(name, identifier=i, fixed="false"), html(t, True))
            for i, t in zip(ids, texts, strict=True)]


Parts = tuple[list[Element], list[Element], list[Element]]
"""Response declarations, interactions (block or a rebuilt body), scoring rules."""


def build(q: Question, pts: float, html: Html) -> Parts:
    match q:
        case SingleChoice() | TrueFalse():
            texts = ["True", "False"] if isinstance(q, TrueFalse) else [c.text for c in q.choices]
            ok = [q.answer, not q.answer] if isinstance(q, TrueFalse) else [
                c.correct for c in q.choices]
            right = [f"C{n + 1}" for n, c in enumerate(ok) if c]
            decl = _declare("RESPONSE", "single", "identifier", right,
                            _mapping([(r, pts) for r in right], pts))
            inter = E.choiceInteraction(*_choice_list(texts, html), responseIdentifier="RESPONSE",
                                        shuffle="false", maxChoices="1")
            return [decl], [inter], [_set("SCORE", E.mapResponse(identifier="RESPONSE"))]
        case MultipleResponse():
            return _multiple(q, pts, html)
        case ShortAnswer():
            decl = _declare("RESPONSE", "single", "string", [q.answers[0]], _mapping(
                [(a, pts) for a in q.answers], pts, q.case_sensitive))
            return [decl], [E.p(E.textEntryInteraction(responseIdentifier="RESPONSE"))], [
                _set("SCORE", E.mapResponse(identifier="RESPONSE"))]
        case Numeric():
            decl = _declare("RESPONSE", "single", "float", [number(q.answer.centre)])
            inter = E.p(E.textEntryInteraction(responseIdentifier="RESPONSE"))
            return [decl], [inter], [_if(_within("RESPONSE", *q.answer.bounds),
                                         _set("SCORE", _float(pts)))]
        case Matching():
            return _matching(q, pts, html)
        case Ordering():
            ids = [f"I{n}" for n in range(1, len(q.items) + 1)]
            decl = _declare("RESPONSE", "ordered", "identifier", ids)
            inter = E.orderInteraction(*_choice_list(list(q.items), html, ids=ids),
                                       responseIdentifier="RESPONSE", shuffle="true")
            return [decl], [inter], [_if(E.match(_var("RESPONSE"), E.correct(
                identifier="RESPONSE")), _set("SCORE", _float(pts)))]
        case FillBlanks():
            return _blanks(q, pts, html)
        case Essay():
            decl = _declare("RESPONSE", "single", "string", [])
            inter = E.extendedTextInteraction(responseIdentifier="RESPONSE", expectedLines="10")
            if q.response_template:
                inter.set("placeholderText", q.response_template)
            return [decl], [inter], []
        case Description():
            return [], [], []
        case _:
            assert_never(q)


def _within(name: str, low: float, high: float) -> Element:
    return E("and", E.gte(_var(name), _float(low)), E.lte(_var(name), _float(high)))


def _multiple(q: MultipleResponse, pts: float, html: Html) -> Parts:
    ids = [f"C{n}" for n in range(1, len(q.choices) + 1)]
    right = [i for i, c in zip(ids, q.choices, strict=True) if c.correct]
    inter = E.choiceInteraction(*_choice_list([c.text for c in q.choices], html),
                                responseIdentifier="RESPONSE", shuffle="false", maxChoices="0")
    if q.scoring is Scoring.ALL_OR_NOTHING:
        decl = _declare("RESPONSE", "multiple", "identifier", right)
        rule = _if(E.match(_var("RESPONSE"), E.correct(identifier="RESPONSE")),
                   _set("SCORE", _float(pts)))
        return [decl], [inter], [rule]
    shares = [(i, pts * f) for i, f in zip(ids, choice_fractions(q), strict=True)]
    decl = _declare("RESPONSE", "multiple", "identifier", right, _mapping(shares, pts))
    return [decl], [inter], [_set("SCORE", E.mapResponse(identifier="RESPONSE"))]


def _matching(q: Matching, pts: float, html: Html) -> Parts:
    sources = [f"S{n}" for n in range(1, len(q.pairs) + 1)]
    answers = list(q.answers)
    targets = [f"T{n}" for n in range(1, len(answers) + 1)]
    pairs = [f"{s} {targets[answers.index(p.match)]}" for s, p in zip(sources, q.pairs,
                                                                     strict=True)]
    decl = _declare("RESPONSE", "multiple", "directedPair", pairs,
                    _mapping([(p, pts / len(pairs)) for p in pairs], pts))
    left = _choice_list([p.prompt for p in q.pairs], html, "simpleAssociableChoice", sources)
    right = _choice_list(answers, html, "simpleAssociableChoice", targets)
    for choice in left:
        choice.set("matchMax", "1")
    for choice, answer in zip(right, answers, strict=True):
        choice.set("matchMax", str(sum(p.match == answer for p in q.pairs) or 1))
    inter = E.matchInteraction(E.simpleMatchSet(*left), E.simpleMatchSet(*right),
                               responseIdentifier="RESPONSE", shuffle="true",
                               maxAssociations=str(len(q.pairs)))
    return [decl], [inter], [_set("SCORE", E.mapResponse(identifier="RESPONSE"))]


def _blanks(q: FillBlanks, pts: float, html: Html) -> Parts:
    body, markers = blanks_html(q)
    share = pts / len(markers)
    decls, rules, swaps = [], [], {}
    for marker, blank in markers:
        name = ident(f"RESPONSE_{blank.id}")
        decl, inter, test = _gap(blank, name)
        decls.append(decl)
        swaps[marker] = inter
        rules.append(_if(test, _set("SCORE", E.sum(_var("SCORE"), _float(share)))))
    holder = append(E.div(), body)
    for text_node in list(holder.iter()):
        _swap_markers(text_node, swaps)
    return decls, list(holder), rules


def _gap(blank: Blank, name: str) -> tuple[Element, Element, Element]:
    if blank.kind is BlankKind.DROPDOWN:
        right = f"O{blank.options.index(blank.answers[0]) + 1}" if (
            blank.answers[0] in blank.options) else "O1"
        choices = [E.inlineChoice(o, identifier=f"O{n}") for n, o in enumerate(blank.options, 1)]
        return (_declare(name, "single", "identifier", [right]),
                E.inlineChoiceInteraction(*choices, responseIdentifier=name, shuffle="false"),
                E.match(_var(name), E.correct(identifier=name)))
    if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
        return (_declare(name, "single", "float", [number(blank.numeric.centre)]),
                E.textEntryInteraction(responseIdentifier=name),
                _within(name, *blank.numeric.bounds))
    tests = [E.stringMatch(_var(name), E.baseValue(a, baseType="string"),
                           caseSensitive=str(blank.case_sensitive).lower()) for a in blank.answers]
    return (_declare(name, "single", "string", [blank.answers[0]]),
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


__all__ = ["XSI", "E", "build", "etree"]
