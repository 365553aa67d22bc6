"""Run an item's response processing as a QTI player would: QTI 1.2 (Canvas zip, Common
Cartridge) and QTI 2.1. Only what the specifications say, no reader's quirks.

QTI 1.2: each ``respcondition`` in order; its ``conditionvar`` tests the response
(``varequal`` is case-insensitive unless ``case="Yes"``, the spec's default), its ``setvar``
acts on SCORE, its ``displayfeedback`` shows an ``itemfeedback``; ``continue="No"`` stops
processing. SCORE is kept within its ``decvar`` bounds.

QTI 2.1: ``responseProcessing`` rules over the response and outcome variables; the
``modalFeedback`` whose identifier FEEDBACK holds is shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tests.fidelity.expected import local

Element = Any


# --- QTI 1.2 -----------------------------------------------------------------------------


def children(node: Element) -> list[Element]:
    return [c for c in node if isinstance(c.tag, str)]


def child(node: Element, name: str) -> Element | None:
    return next((c for c in children(node) if local(c) == name), None)


def descendants(node: Element, name: str) -> list[Element]:
    return [e for e in node.iter() if local(e) == name]


def _number(text: str) -> float | None:
    cleaned = (text or "").strip()
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _test12(node: Element, response: dict[str, list[str]]) -> bool:
    name = local(node)
    if name == "conditionvar":
        return all(_test12(c, response) for c in children(node))
    if name == "other":
        return True
    if name == "and":
        return all(_test12(c, response) for c in children(node))
    if name == "or":
        return any(_test12(c, response) for c in children(node))
    if name == "not":
        return not all(_test12(c, response) for c in children(node))
    given = response.get(node.get("respident", ""), [])
    wanted = (node.text or "").strip()
    if name == "varequal":
        if node.get("case", "No") == "Yes":
            return any(v.strip() == wanted for v in given)
        return any(v.strip().casefold() == wanted.casefold() for v in given)
    if name in ("vargte", "varlte", "vargt", "varlt"):
        bound = _number(wanted)
        for v in given:
            value = _number(v)
            if value is None or bound is None:
                continue
            if {"vargte": value >= bound, "varlte": value <= bound, "vargt": value > bound,
                    "varlt": value < bound}[name]:
                return True
        return False
    raise AssertionError(f"QTI 1.2 condition not understood: {name}")


def run12(item: Element, response: dict[str, list[str]]) -> tuple[float | None, list[str],
                                                                     list[str]]:
    """(SCORE as a fraction of its maximum, the feedback idents shown, the hint idents shown)."""
    processing = child(item, "resprocessing")
    if processing is None:
        return None, [], []
    decvar = descendants(processing, "decvar")
    low = float(decvar[0].get("minvalue", "0")) if decvar else 0.0
    high = float(decvar[0].get("maxvalue", "100")) if decvar else 100.0
    score = float(decvar[0].get("defaultval", "0") or 0) if decvar else 0.0
    shown: list[str] = []
    hints: list[str] = []
    for condition in [c for c in children(processing) if local(c) == "respcondition"]:
        test = child(condition, "conditionvar")
        if test is None or not _test12(test, response):
            continue
        for action in children(condition):
            if local(action) == "setvar" and action.get("varname", "SCORE") == "SCORE":
                value = float((action.text or "0").strip())
                kind = action.get("action", "Set")
                score = {"Set": value, "Add": score + value, "Subtract": score - value,
                         "Multiply": score * value, "Divide": score / value if value else score
                         }[kind]
            if local(action) == "displayfeedback":
                target = hints if action.get("feedbacktype") == "Hint" else shown
                target.append(action.get("linkrefid", ""))
        if condition.get("continue", "No") == "No":
            break
    score = min(high, max(low, score))
    return (score / high if high else 0.0), shown, hints


# --- QTI 2.1 -----------------------------------------------------------------------------

Value = Any  # None, a scalar, a list (multiple/ordered), or a tuple (directedPair)


class Item21:
    """One assessmentItem: its declarations, and a run of its response processing."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self.responses = {d.get("identifier"): d for d in children(root)
                          if local(d) == "responseDeclaration"}
        self.outcomes = {d.get("identifier"): d for d in children(root)
                         if local(d) == "outcomeDeclaration"}

    def _typed(self, decl: Element, text: str) -> Value:
        base = decl.get("baseType")
        text = (text or "").strip()
        if base in ("float", "integer"):
            return _number(text)
        if base in ("directedPair", "pair"):
            return tuple(text.split())
        return text

    def _declared(self, decl: Element, node: Element | None) -> Value:
        if node is None:
            return [] if decl.get("cardinality") in ("multiple", "ordered") else None
        values = [self._typed(decl, v.text or "") for v in children(node) if local(v) == "value"]
        if decl.get("cardinality") in ("multiple", "ordered"):
            return values
        return values[0] if values else None

    def run(self, given: dict[str, Value]) -> tuple[float | None, set[str]]:
        """(SCORE / MAXSCORE, the FEEDBACK identifiers set) for one response."""
        self.vars: dict[str, Value] = {}
        for name, decl in self.outcomes.items():
            self.vars[name] = self._declared(decl, child(decl, "defaultValue"))
        for name, decl in self.responses.items():
            self.vars[name] = given.get(name, self._declared(decl, None))
        processing = child(self.root, "responseProcessing")
        if processing is not None:
            self._rules(children(processing))
        score, top = self.vars.get("SCORE"), self.vars.get("MAXSCORE")
        feedback = self.vars.get("FEEDBACK") or []
        fraction = None if score is None or not top else float(score) / float(top)
        return fraction, {str(f) for f in feedback}

    def _rules(self, rules: Sequence[Element]) -> None:
        for rule in rules:
            name = local(rule)
            if name == "setOutcomeValue":
                self.vars[rule.get("identifier")] = self._expr(children(rule)[0])
            elif name == "responseCondition":
                for branch in children(rule):
                    kind = local(branch)
                    parts = children(branch)
                    if kind == "responseElse":
                        self._rules(parts)
                        break
                    if self._expr(parts[0]) is True:
                        self._rules(parts[1:])
                        break
            elif name == "exitResponse":
                return
            else:
                raise AssertionError(f"QTI 2.1 rule not understood: {name}")

    def _expr(self, node: Element) -> Value:
        name = local(node)
        args = children(node)
        if name == "baseValue":
            text = (node.text or "").strip()
            if node.get("baseType") in ("float", "integer"):
                return float(text)
            if node.get("baseType") in ("directedPair", "pair"):
                return tuple(text.split())
            return text
        if name == "variable":
            return self.vars.get(node.get("identifier"))
        if name == "correct":
            decl = self.responses[node.get("identifier")]
            return self._declared(decl, child(decl, "correctResponse"))
        if name == "mapResponse":
            return self._map(node.get("identifier"))
        values = [self._expr(a) for a in args]
        if name == "isNull":
            return values[0] is None or values[0] == [] or values[0] == ""
        if name == "match":
            a, b = values
            if a is None or b is None:
                return False
            if isinstance(a, list) and isinstance(b, list):
                ordered = self._cardinality(args[0]) == "ordered"
                return a == b if ordered else sorted(map(str, a)) == sorted(map(str, b))
            return a == b
        if name == "stringMatch":
            a, b = values
            if a is None or b is None:
                return False
            if node.get("caseSensitive", "true") == "true":
                return str(a) == str(b)
            return str(a).casefold() == str(b).casefold()
        if name in ("gte", "lte", "gt", "lt", "equal"):
            a, b = values
            if a is None or b is None:
                return False
            return {"gte": a >= b, "lte": a <= b, "gt": a > b, "lt": a < b, "equal": a == b}[name]
        if name == "and":
            return all(v is True for v in values)
        if name == "or":
            return any(v is True for v in values)
        if name == "not":
            return values[0] is not True
        if name == "sum":
            return sum(float(v or 0) for v in values)
        if name == "multiple":
            found: list[Value] = []
            for v in values:
                found += v if isinstance(v, list) else ([] if v is None else [v])
            return found
        if name == "index":
            container = values[0] or []
            n = int(node.get("n"))
            return container[n - 1] if 0 < n <= len(container) else None
        if name == "member":
            return values[0] in (values[1] or [])
        raise AssertionError(f"QTI 2.1 expression not understood: {name}")

    def _cardinality(self, node: Element) -> str:
        if local(node) in ("variable", "correct"):
            decl = self.responses.get(node.get("identifier"))
            return decl.get("cardinality", "single") if decl is not None else "single"
        return "single"

    def _map(self, name: str) -> float:
        decl = self.responses[name]
        mapping = child(decl, "mapping")
        value = self.vars.get(name)
        if mapping is None:
            return 0.0
        default = float(mapping.get("defaultValue", "0"))
        entries = [(e.get("mapKey"), float(e.get("mappedValue")),
                    e.get("caseSensitive", "true") == "true")
                   for e in children(mapping) if local(e) == "mapEntry"]

        def mapped(v: Value) -> float:
            key = " ".join(v) if isinstance(v, tuple) else str(v)
            for entry, amount, case in entries:
                if (entry == key) if case else (entry.casefold() == key.casefold()):
                    return amount
            return default

        if value is None or value == []:
            total = 0.0
        elif isinstance(value, list):
            seen: list[Value] = []
            for v in value:
                if v not in seen:
                    seen.append(v)
            total = sum(mapped(v) for v in seen)
        else:
            total = mapped(value)
        if mapping.get("lowerBound") is not None:
            total = max(float(mapping.get("lowerBound")), total)
        if mapping.get("upperBound") is not None:
            total = min(float(mapping.get("upperBound")), total)
        return total


__all__ = ["Item21", "child", "children", "descendants", "run12"]
