"""QTI 2.1: items, test and manifest validate against the official XSDs; interactions per type.

Each item's responseProcessing is run by a small reader of the QTI 2.1 expressions
coursepack writes (``Run``) and must score sample responses exactly as ``coursepack.grading``
does, tolerances and weights included.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from quizbank_helpers import AWKWARD, assert_valid, awkward_course, check_golden, schema, unzip
from test_qti12 import CASES, PLAIN, loaded, scoring_course

from coursepack import grading
from coursepack.exporters.qti12.names import fold
from coursepack.exporters.qti21 import Qti21Exporter, item_idents
from coursepack.loader import load_course
from coursepack.model import Question

Q = {"q": "http://www.imsglobal.org/xsd/imsqti_v2p1"}


def build(run, course: Path, tmp_path: Path) -> dict[str, bytes]:
    result = run("build", str(course), "-f", "qti21", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    return unzip(next((tmp_path / "out" / "qti21").glob("*.zip")))


def validated(files: dict[str, bytes]) -> dict[str, etree._Element]:
    qti = schema("qti21", "qtiv2p1", "imsqti_v2p1.xsd")
    cp = schema("qti21", "imscp_v1p1.xsd")
    manifest = assert_valid(cp, files["imsmanifest.xml"], "imsmanifest.xml")
    hrefs = manifest.xpath("//*[local-name()='file']/@href")
    assert sorted(hrefs) == sorted(set(hrefs)) and set(hrefs) <= set(files)
    return {n: assert_valid(qti, d, n) for n, d in files.items()
            if n.endswith(".xml") and n != "imsmanifest.xml"}


def by_question(course: Path, docs: dict[str, etree._Element]) -> dict[str, etree._Element]:
    model, _ = load_course(course)
    names = item_idents(model)
    return {q.id: docs[f"items/{names[q.id]}.xml"] for _, q in model.questions()}


def local(node: etree._Element) -> str:
    return etree.QName(node).localname


# --- a reader of the QTI 2.1 response processing coursepack writes -------------------------


class Run:
    """One attempt at an item: its variables, and the rules of its responseProcessing."""

    def __init__(self, item: etree._Element, responses: dict[str, Any]) -> None:
        self.item = item
        self.decls = {d.get("identifier"): d for d in item.iterfind("q:responseDeclaration", Q)}
        self.vars: dict[str, Any] = {name: responses.get(name) for name in self.decls}
        for out in item.iterfind("q:outcomeDeclaration", Q):
            default = out.findtext("q:defaultValue/q:value", namespaces=Q)
            self.vars[out.get("identifier")] = float(default) if default is not None else None
        for rule in item.iterfind("q:responseProcessing/*", Q):
            self.rule(rule)

    @property
    def score(self) -> float:
        return float(self.vars["SCORE"])

    @property
    def feedback(self) -> set[str]:
        return set(self.vars["FEEDBACK"] or ())

    def rule(self, node: etree._Element) -> None:
        if local(node) == "setOutcomeValue":
            self.vars[node.get("identifier")] = self.value(node[0])
            return
        assert local(node) == "responseCondition"
        for branch in node:
            if local(branch) == "responseElse" or self.value(branch[0]) is True:
                rules = branch if local(branch) == "responseElse" else branch[1:]
                for rule in rules:
                    self.rule(rule)
                return

    def correct(self, name: str) -> Any:
        decl = self.decls[name]
        values = [self.typed(v.text, decl.get("baseType")) for v in
                  decl.iterfind("q:correctResponse/q:value", Q)]
        cardinality = decl.get("cardinality")
        return values[0] if cardinality == "single" else (
            values if cardinality == "ordered" else set(values))

    @staticmethod
    def typed(text: str, base: str) -> Any:
        return float(text) if base == "float" else text

    def value(self, node: etree._Element) -> Any:
        tag, args = local(node), [self.value(c) for c in node]
        if tag == "variable":
            return self.vars.get(node.get("identifier"))
        if tag == "baseValue":
            return self.typed(node.text, node.get("baseType"))
        if tag == "correct":
            return self.correct(node.get("identifier"))
        if tag == "mapResponse":
            return self.mapped(node.get("identifier"))
        if tag in ("and", "or"):
            if (tag == "or") in args:  # a False decides an and, a True an or
                return tag == "or"
            return None if None in args else tag == "and"
        if tag == "not":
            return None if args[0] is None else not args[0]
        if None in args and tag != "multiple":
            return None
        if tag == "match":
            return args[0] == args[1]
        if tag == "stringMatch":
            same = node.get("caseSensitive") == "true"
            return args[0] == args[1] if same else args[0].casefold() == args[1].casefold()
        if tag in ("gte", "lte", "gt"):
            return {"gte": args[0] >= args[1], "lte": args[0] <= args[1],
                    "gt": args[0] > args[1]}[tag]
        if tag == "sum":
            return sum(args)
        if tag == "index":
            n = int(node.get("n"))
            return args[0][n - 1] if len(args[0]) >= n else None
        if tag == "multiple":
            found: set[Any] = set()
            for arg in args:
                found |= arg if isinstance(arg, set) else ({arg} if arg is not None else set())
            return found or None
        raise AssertionError(f"unexpected operator {tag}")

    def mapped(self, name: str) -> float:
        mapping = self.decls[name].find("q:mapping", Q)
        given = self.vars[name]
        values = given if isinstance(given, set) else ({given} if given is not None else set())
        total = 0.0
        for value in values:
            worth = float(mapping.get("defaultValue"))
            for entry in mapping.iterfind("q:mapEntry", Q):
                key, case = entry.get("mapKey"), entry.get("caseSensitive") != "false"
                if key == value or (not case and key.casefold() == value.casefold()):
                    worth = float(entry.get("mappedValue"))
                    break
            total += worth
        low, high = mapping.get("lowerBound"), mapping.get("upperBound")
        total = max(float(low), total) if low is not None else total
        return min(float(high), total) if high is not None else total


def response_of(q: Question, item: etree._Element, tokens: list[str]) -> dict[str, Any]:
    """grading.py's tokens as the values of this item's response variables."""
    letters = {"true": 1, "false": 2, **{c: i + 1 for i, c in enumerate("abcdefghij")}}
    interaction = item.find(".//q:itemBody//*[@responseIdentifier]", Q)
    kind = local(interaction)
    if kind == "choiceInteraction" and interaction.get("maxChoices") == "1":
        return {"RESPONSE": f"C{letters[tokens[0]]}"} if tokens else {}
    if kind == "choiceInteraction":
        return {"RESPONSE": {f"C{letters[t]}" for t in tokens} or None}
    if kind == "matchInteraction":
        return {"RESPONSE": {f"S{p[1:]} T{m[1:]}" for p, m in (t.split(".") for t in tokens)}}
    if kind == "orderInteraction":
        return {"RESPONSE": [f"I{t[1:]}" for t in tokens]}
    return blank_values(item, tokens)


def blank_values(item: etree._Element, texts: list[str]) -> dict[str, Any]:
    """Each blank's response: typed text, a number as the engine reads it, a chosen option."""
    found: dict[str, Any] = {}
    decls = item.findall("q:responseDeclaration", Q)
    for decl, text in zip(decls, texts + [""] * len(decls), strict=False):
        name, base = decl.get("identifier"), decl.get("baseType")
        if base == "float":
            found[name] = grading.parse_number(text)
        elif base == "identifier":
            choices = item.xpath(f".//q:inlineChoiceInteraction[@responseIdentifier='{name}']"
                                 "/q:inlineChoice", namespaces=Q)
            found[name] = next((c.get("identifier") for c in choices if c.text == text), None)
        else:
            found[name] = text or None
    return found


# --- tests ---------------------------------------------------------------------------------


def test_one_valid_item_per_question_with_its_interaction(run, course, tmp_path):
    docs = validated(build(run, course, tmp_path))
    interaction = {
        "wq-single": "choiceInteraction", "wq-multiple": "choiceInteraction",
        "wq-true-false": "choiceInteraction", "wq-short": "textEntryInteraction",
        "wq-numeric": "textEntryInteraction", "wq-matching": "matchInteraction",
        "wq-ordering": "orderInteraction", "wq-essay": "extendedTextInteraction",
        "wq-blanks": "inlineChoiceInteraction",
    }
    for qid, tag in interaction.items():
        assert docs[f"items/{qid}.xml"].find(f".//q:{tag}", Q) is not None, qid
    assert docs["items/wq-intro.xml"].find(".//q:responseProcessing", Q) is None
    multiple = docs["items/wq-multiple.xml"]
    assert multiple.xpath(".//q:mapEntry/@mappedValue", namespaces=Q) == ["1", "1", "-1", "-1"]
    assert docs["items/wq-essay.xml"].find(".//q:rubricBlock", Q) is not None


def test_test_has_a_section_per_quiz_and_a_pool_selection(run, course, tmp_path):
    docs = validated(build(run, course, tmp_path))
    test = docs["tests/test.xml"]
    sections = test.xpath("//q:testPart/q:assessmentSection/@title", namespaces=Q)
    assert sections == ["Final check", "Quiz: writing questions"]
    assert test.xpath("//q:selection/@select", namespaces=Q) == ["4"]


def test_identifiers_are_valid_and_awkward_text_survives(run, course, tmp_path):
    docs = validated(build(run, awkward_course(course), tmp_path))
    assert "items/id-2-gap.xml" in docs  # an id starting with a digit is prefixed
    text = "".join(docs["items/aw-single.xml"].find(".//q:itemBody", Q).itertext())
    assert AWKWARD in text
    entries = docs["items/aw-short.xml"].xpath(".//q:mapEntry/@mapKey", namespaces=Q)
    assert entries == ['x{y}~z=#1:2 \\ "q"']


def test_every_scoring_rule_scores_as_grading_does(run, course, tmp_path):
    found = by_question(scoring_course(course), validated(build(run, course, tmp_path)))
    questions = loaded(course)
    cases = {**CASES, "sc-blanks": [*CASES["sc-blanks"],
                                    ["Paris", "3.2", "190", "1.5", "0.1", "&amp;"],
                                    ["Paris", "4.01", "210.5", "2.51", "0.10", "<p>"]]}
    for qid, responses in cases.items():
        q, item = questions[qid], found[qid]
        for tokens in responses:
            expected, result = grading.grade(q, tokens)
            run_ = Run(item, response_of(q, item, tokens))
            assert run_.score == pytest.approx(expected, abs=1e-9), (qid, tokens)
            shown = {"correct": "CORRECT", "partial": "PARTIAL", "incorrect": "INCORRECT"}
            assert shown[result] in run_.feedback, (qid, tokens)


def test_numeric_blanks_score_within_their_tolerance(run, course, tmp_path):
    found = by_question(scoring_course(course), validated(build(run, course, tmp_path)))
    item = found["sc-blanks"]

    def bounds(name: str) -> list[str]:
        return item.xpath(f"(.//q:responseCondition[.//q:variable/@identifier='{name}'])[1]"
                          "//*[self::q:gte or self::q:lte]/q:baseValue/text()", namespaces=Q)

    assert bounds("RESPONSE_near") == ["3", "4"] and bounds("RESPONSE_pct") == ["190", "210"]
    assert bounds("RESPONSE_span") == ["1.5", "2.5"] and bounds("RESPONSE_exact") == ["0.1", "0.1"]
    share = 6 / 6.5  # each numeric blank weighs 1 of 6.5
    for name, right, wrong in (("RESPONSE_near", 3.0, 4.01), ("RESPONSE_pct", 209.9, 189.9),
                               ("RESPONSE_span", 2.5, 1.49), ("RESPONSE_exact", 0.1, 0.11)):
        assert Run(item, {name: right}).score == pytest.approx(share), name
        assert Run(item, {name: wrong}).score == 0, name
    assert Run(item, {}).score == 0


def test_shuffle_follows_the_quiz(run, course, tmp_path):
    found = by_question(scoring_course(course), validated(build(run, course, tmp_path)))
    assert found["sc-partial"].find(".//q:choiceInteraction", Q).get("shuffle") == "false"
    assert found["sc-match"].find(".//q:matchInteraction", Q).get("shuffle") == "false"
    assert found["sc-order"].find(".//q:orderInteraction", Q).get("shuffle") == "false"
    assert found["sc-drops"].xpath(".//q:inlineChoiceInteraction/@shuffle",
                                   namespaces=Q) == ["false", "false"]
    assert found["wq-single"].find(".//q:choiceInteraction", Q).get("shuffle") == "true"
    assert found["wq-matching"].find(".//q:matchInteraction", Q).get("shuffle") == "true"
    assert found["wq-ordering"].find(".//q:orderInteraction", Q).get("shuffle") == "true"
    assert found["wq-blanks"].find(".//q:inlineChoiceInteraction", Q).get("shuffle") == "true"
    assert found["wq-true-false"].find(".//q:choiceInteraction", Q).get("shuffle") == "false"
    order = found["sc-order"].xpath(".//q:simpleChoice/@identifier", namespaces=Q)
    assert sorted(order) == ["I1", "I2", "I3", "I4"] and order != sorted(order)


def test_every_feedback_kind_is_carried(run, course, tmp_path):
    found = by_question(scoring_course(course), validated(build(run, course, tmp_path)))
    partial = found["sc-partial"]
    keys = partial.xpath("q:modalFeedback/@identifier", namespaces=Q)
    assert keys == ["CORRECT", "PARTIAL", "INCORRECT", "GENERAL", "C1", "C4"]
    assert Run(partial, {"RESPONSE": {"C1"}}).feedback == {"C1", "PARTIAL", "GENERAL"}
    assert Run(partial, {"RESPONSE": {"C4"}}).feedback == {"C4", "INCORRECT", "GENERAL"}
    assert Run(partial, {"RESPONSE": {"C1", "C2", "C3"}}).feedback == {
        "C1", "C2", "C3", "CORRECT", "GENERAL"}
    hints = partial.xpath(".//q:itemBody/q:infoControl", namespaces=Q)
    assert [(h.get("title"), h.text) for h in hints] == [("Hint 1", "First hint."),
                                                        ("Hint 2", "Second hint.")]
    tf = found["sc-tf"]
    assert tf.xpath("q:modalFeedback/@identifier", namespaces=Q) == ["C1", "C2"]
    assert Run(tf, {"RESPONSE": "C2"}).feedback == {"C2", "INCORRECT"}
    essay = found["sc-essay"]
    assert essay.xpath("q:modalFeedback/@identifier", namespaces=Q) == ["GENERAL"]
    assert "Look for one idea." in "".join(essay.find(".//q:rubricBlock", Q).itertext())
    assert essay.find(".//q:rubricBlock", Q).get("view") == "scorer"


def test_essay_carries_template_and_word_limits(run, course, tmp_path):
    found = by_question(scoring_course(course), validated(build(run, course, tmp_path)))
    essay = found["sc-essay"]
    assert essay.findtext("q:responseDeclaration/q:defaultValue/q:value", namespaces=Q) == PLAIN
    inter = essay.find(".//q:extendedTextInteraction", Q)
    assert inter.get("placeholderText") == PLAIN and inter.get("minStrings") == "1"
    assert inter.findtext("q:prompt", namespaces=Q) == "Write between 5 and 60 words."
    mask = re.compile(inter.get("patternMask"))  # XML Schema regexes match the whole text
    assert mask.fullmatch(" one two  three\nfour five ") and not mask.fullmatch("one two")
    assert mask.fullmatch(" ".join(["w"] * 60)) and not mask.fullmatch(" ".join(["w"] * 61))


def test_plain_texts_survive_exactly(run, course, tmp_path):
    found = by_question(scoring_course(course), validated(build(run, course, tmp_path)))
    targets = found["sc-match"].xpath(".//q:simpleMatchSet[2]/q:simpleAssociableChoice",
                                      namespaces=Q)
    assert [(len(t), t.text) for t in targets] == [(0, PLAIN), (0, "2 & 2"), (0, "*three*"),
                                                   (0, "{spare}")]
    assert found["sc-short"].xpath(".//q:mapEntry/@mapKey", namespaces=Q) == ["NaCl", PLAIN]
    assert found["sc-short"].xpath(".//q:mapEntry/@caseSensitive",
                                   namespaces=Q) == ["true", "true"]
    blanks = found["sc-blanks"]
    assert blanks.xpath(".//q:stringMatch/q:baseValue/text()", namespaces=Q)[:2] == [
        "Paris", PLAIN]
    assert set(blanks.xpath(".//q:stringMatch/@caseSensitive", namespaces=Q)) == {"true"}
    assert blanks.xpath(".//q:inlineChoice/text()", namespaces=Q) == ["<p>", "&amp;", "a~b"]
    titled = [i for i in found.values() if i.get("title") == PLAIN]
    assert len(titled) == 1
    entry = found["sc-number"].xpath(".//q:p[q:textEntryInteraction]", namespaces=Q)[0]
    assert entry.xpath("string()").strip() == "kg"


def test_identifiers_are_unique_whatever_the_case(run, course, tmp_path):
    files = build(run, scoring_course(course), tmp_path)
    docs = validated(files)
    assert len({n.casefold() for n in files}) == len(files), "zip entries collide on Windows"
    items = [d for n, d in docs.items() if n.startswith("items/")]
    idents = [i.get("identifier") for i in items]
    assert len({fold(i) for i in idents}) == len(idents)
    assert all(re.fullmatch(r"[A-Za-z_][\w.-]*", i) for i in idents)
    test = docs["tests/test.xml"]
    refs = test.xpath("//q:assessmentItemRef/@identifier", namespaces=Q)
    assert set(refs) <= set(idents)
    sections = test.xpath("//q:assessmentSection/@identifier", namespaces=Q)
    assert len({fold(s) for s in sections}) == len(sections)
    found = by_question(course, docs)
    blanks = found["sc-blanks"].xpath("q:responseDeclaration/@identifier", namespaces=Q)
    assert blanks == ["RESPONSE_word", "RESPONSE_near", "RESPONSE_pct", "RESPONSE_span",
                      "RESPONSE_exact", "RESPONSE_pick"]


def test_numbers_are_shortest_exact_decimals(run, course, tmp_path):
    found = by_question(scoring_course(course), validated(build(run, course, tmp_path)))
    values = found["sc-number"].xpath(".//q:responseProcessing//q:baseValue[@baseType='float']"
                                      "/text()", namespaces=Q)
    assert values[:2] == ["18.9905", "20.9895"]
    assert found["sc-tiny"].xpath(".//q:gte[q:variable/@identifier='RESPONSE']/q:baseValue/text()",
                                  namespaces=Q) == ["0.00001"]
    for item in found.values():
        for text in item.xpath(".//q:baseValue[@baseType='float']/text() | .//@mappedValue | "
                               ".//@upperBound", namespaces=Q):
            assert re.fullmatch(r"-?\d+(\.\d{1,15})?", text), text


def test_what_the_package_loses_is_reported(course):
    model, _ = load_course(scoring_course(course))
    problems = Qti21Exporter().check(model)
    said = {p.message for p in problems}
    assert any("'sc-partial'" in m and "formatting and images are left out" in m for m in said)
    assert not any("'sc-single'" in m for m in said)
    assert all(p.rule == "qti21" for p in problems)


def test_golden_files_for_the_starter_course(run, course, tmp_path):
    check_golden("qti21", build(run, course, tmp_path))


def test_the_fidelity_course_builds_valid_items(run, tmp_path):
    """Every question type, feedback kind and image name of the fidelity course."""
    fidelity = Path(__file__).resolve().parents[1] / "fidelity" / "course"
    files = build(run, fidelity, tmp_path)
    docs = validated(files)
    assert any(name.startswith("media/") for name in files)
    for name, doc in docs.items():
        if name.startswith("items/"):
            keys = set(doc.xpath("q:modalFeedback/@identifier", namespaces=Q))
            assert len(keys) == len(doc.xpath("q:modalFeedback", namespaces=Q)), name
