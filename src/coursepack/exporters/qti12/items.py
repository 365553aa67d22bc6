"""Each question as a QTI 1.2 item in Canvas's flavour (question_type, points_possible)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, assert_never

from lxml import etree
from lxml.builder import ElementMaker

from coursepack import markup
from coursepack.exporters._quizbank import blanks_html, ident, number, percent
from coursepack.model import (
    BlankKind,
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

NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
E = ElementMaker(namespace=NS, nsmap={None: NS})
Html = Callable[[str], str]
Element = Any


def mat(html: str) -> Element:
    return E.material(E.mattext(html, texttype="text/html"))


def _field(label: str, entry: str) -> Element:
    return E.qtimetadatafield(E.fieldlabel(label), E.fieldentry(entry))


def _score(test: list[Element], value: str = "100", action: str = "Set") -> Element:
    more = "Yes" if action == "Add" else "No"  # added shares must let later rules run
    return E.respcondition(E.conditionvar(*test), E.setvar(value, action=action,
                                                          varname="SCORE"), **{"continue": more})


def _show(test: list[Element], feedback: str) -> Element:
    return E.respcondition(E.conditionvar(*test), E.displayfeedback(
        feedbacktype="Response", linkrefid=feedback), **{"continue": "Yes"})


def _eq(resp: str, value: str) -> Element:
    return E.varequal(value, respident=resp)


def _choices(html: Html, texts: list[str], prefix: str = "c") -> Element:
    labels = [E.response_label(mat(html(t)), ident=f"{prefix}{i}") for i, t in enumerate(texts)]
    return E.render_choice(*labels)


def _fib(fibtype: str = "String") -> Element:
    return E.render_fib(E.response_label(ident="answer1", rshuffle="No"), fibtype=fibtype)


Built = tuple[str, list[Element], list[Element], dict[str, str]]
"""question_type, presentation parts, scoring conditions, extra feedback (ident -> html)."""


def build(q: Question, html: Html, inline: Html) -> Built:
    match q:
        case SingleChoice() | MultipleResponse() | TrueFalse():
            return _choice(q, html, inline)
        case ShortAnswer():
            tests = [_score([_eq("response1", a)]) for a in q.answers]
            return ("short_answer_question", [_response_str()], tests, {})
        case Numeric():
            low, high = q.answer.bounds
            test = [E.vargte(number(low), respident="response1"),
                    E.varlte(number(high), respident="response1")]
            return ("numerical_question", [_response_str("Decimal")], [_score(test)], {})
        case Matching():
            pairs = [(p.prompt, p.match) for p in q.pairs]
            return ("matching_question", *_matching(pairs, list(q.answers), inline), {})
        case Ordering():
            places = [f"Position {n}" for n in range(1, len(q.items) + 1)]
            return ("matching_question", *_matching(list(zip(q.items, places, strict=True)),
                                                    places, inline), {})
        case FillBlanks():
            return _blanks(q, html)
        case Essay():
            part = E.response_str(E.render_fib(E.response_label(ident="answer1", rshuffle="No"),
                                               rows="12"), ident="response1", rcardinality="Single")
            return ("essay_question", [part], [], {})
        case Description():
            return ("text_only_question", [], [], {})
        case _:
            assert_never(q)


def _response_str(fibtype: str = "String") -> Element:
    return E.response_str(_fib(fibtype), ident="response1", rcardinality="Single")


def _choice(q: SingleChoice | MultipleResponse | TrueFalse, html: Html, inline: Html) -> Built:
    if isinstance(q, TrueFalse):
        texts, right = ["True", "False"], [q.answer, not q.answer]
        feedback = {"c0_fb": html(q.feedback_true), "c1_fb": html(q.feedback_false)}
        kind, cardinality = "true_false_question", "Single"
    else:
        texts, right = [c.text for c in q.choices], [c.correct for c in q.choices]
        feedback = {f"c{i}_fb": html(c.feedback) for i, c in enumerate(q.choices)}
        multiple = isinstance(q, MultipleResponse)
        kind = "multiple_answers_question" if multiple else "multiple_choice_question"
        cardinality = "Multiple" if multiple else "Single"
    part = E.response_lid(_choices(inline, texts), ident="response1", rcardinality=cardinality)
    tests = [_eq("response1", f"c{i}") if ok else E("not", _eq("response1", f"c{i}"))
             for i, ok in enumerate(right)]
    if cardinality == "Single":
        tests = [t for t, ok in zip(tests, right, strict=True) if ok]
    shows = [_show([_eq("response1", f"c{i}")], key)
             for i, key in enumerate(feedback) if feedback[key]]
    return (kind, [part], [*shows, _score([E("and", *tests)] if len(tests) > 1 else tests)],
            {k: v for k, v in feedback.items() if v})


def _matching(pairs: list[tuple[str, str]], answers: list[str], inline: Html
              ) -> tuple[list[Element], list[Element]]:
    parts, tests = [], []
    share = percent(1 / len(pairs))
    for n, (prompt, match) in enumerate(pairs):
        resp = f"response_{n}"
        parts.append(E.response_lid(mat(inline(prompt)), _choices(inline, answers, "m"),
                                    ident=resp))
        tests.append(_score([_eq(resp, f"m{answers.index(match)}")], share, "Add"))
    return parts, tests


def blank_name(blank_id: str) -> str:
    return re.sub(r"\W", "_", blank_id)


def _blanks(q: FillBlanks, html: Html) -> Built:
    body, markers = blanks_html(q)
    parts, tests = [], []
    share = percent(1 / len(markers))
    dropdowns_only = all(b.kind is BlankKind.DROPDOWN for _, b in markers)
    for marker, blank in markers:
        name = blank_name(blank.id)
        body = body.replace(marker, f"[{name}]")
        if blank.kind is BlankKind.NUMERIC and blank.numeric is not None:
            accepted = [number(blank.numeric.centre)]
        elif dropdowns_only:
            accepted = list(blank.options)
        else:
            accepted = list(blank.answers)
        labels = [E.response_label(mat(markup.to_inline_html(a)), ident=f"{name}_{i}")
                  for i, a in enumerate(accepted)]
        resp = f"response_{name}"
        parts.append(E.response_lid(E.material(E.mattext(name)), E.render_choice(*labels),
                                    ident=resp))
        right = [i for i, a in enumerate(accepted) if a in blank.answers]
        tests += [_score([_eq(resp, f"{name}_{i}")], share, "Add") for i in right]
    kind = "multiple_dropdowns_question" if dropdowns_only else "fill_in_multiple_blanks_question"
    return (kind, [mat(html(q.stem) + body), *parts], tests, {})


def item(q: Question, item_ident: str, points: float, html: Html, inline: Html) -> Element:
    """The whole <item>: metadata, presentation, scoring and feedback."""
    kind, parts, tests, extra = build(q, html, inline)
    stem = [] if isinstance(q, FillBlanks) else [mat(html(q.stem))]
    meta = E.itemmetadata(E.qtimetadata(_field("question_type", kind),
                                        _field("points_possible", number(points)),
                                        _field("original_answer_ids", ""),
                                        _field("assessment_question_identifierref", ident(q.id))))
    node = E.item(meta, E.presentation(*stem, *parts), ident=item_ident,
                  title=markup.to_line(q.title) or q.id)
    feedback = {"general_fb": html(q.feedback.general), "correct_fb": html(q.feedback.correct),
                "general_incorrect_fb": html(q.feedback.incorrect)} | extra
    if kind not in ("text_only_question",):
        node.append(_processing(tests, feedback, kind == "essay_question"))
    for key, text in feedback.items():
        if text:
            node.append(E.itemfeedback(E.flow_mat(mat(text)), ident=key))
    return node


def _processing(tests: list[Element], feedback: dict[str, str], essay: bool) -> Element:
    decvar = E.decvar(maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    rules = []
    if feedback["general_fb"]:
        rules.append(_show([E.other()], "general_fb"))
    if feedback["correct_fb"] and not essay:
        for test in tests:
            shown = etree.SubElement(test, f"{{{NS}}}displayfeedback", feedbacktype="Response")
            shown.set("linkrefid", "correct_fb")
    rules += tests
    if feedback["general_incorrect_fb"] and not essay:
        rules.append(_show([E.other()], "general_incorrect_fb"))
    if essay and not rules:
        rules.append(E.respcondition(E.conditionvar(E.other()), **{"continue": "No"}))
    return E.resprocessing(E.outcomes(decvar), *rules) if rules else E.resprocessing(
        E.outcomes(decvar), E.respcondition(E.conditionvar(E.other()), **{"continue": "No"}))


__all__ = ["NS", "blank_name", "item"]
