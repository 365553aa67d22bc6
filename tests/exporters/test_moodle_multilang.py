"""A course in English and French goes to Moodle as one bank whose every question holds both
languages, in the spans Moodle's multi-language content filter shows one of
(``moodle: {multilang: true}``); the Moodle XML import reads it back in its first language."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import yaml
from babel.messages.pofile import read_po, write_po
from lxml import etree

UNIT = "quizzes/writing-questions.yaml#"
FRENCH = {
    "wq-single/stem": "Que doit pouvoir faire un apprenant qui connaît la réponse ?",
    "wq-single/choices/0/text": "Donner la réponse avant de lire les options.",
    "wq-single/choices/0/feedback": "Exact. Un énoncé clair se suffit à lui-même.",
    "wq-single/feedback/general": "Le test « cacher les options » vérifie un énoncé.",
    "wq-single/hints/0": "Cachez les options avec la main.",
    "wq-short/stem": "Comment s'appelle la partie d'une question qui la pose ?",
    "wq-short/answers/0": "énoncé",
    "wq-matching/pairs/0/prompt": "Énoncé",
    "wq-matching/pairs/0/match": "La partie qui pose la question",
    "wq-blanks/text": "Le retour est là où se fait l'essentiel de l'[[what]] ; "
                      "un module a [[count]] objectifs ; le retour n'est [[kind]] une note.",
}


def bilingual(run, course: Path, multilang: bool = True) -> Path:  # type: ignore[no-untyped-def]
    """The starter course in English and French, some of it translated into French."""
    spec = course / "course.yaml"
    extra = "languages: [en, fr]\n" + ("moodle:\n  multilang: true\n" if multilang else "")
    spec.write_text(spec.read_text(encoding="utf-8") + extra, encoding="utf-8")
    result = run("translate", "extract", str(course), "--lang", "fr")
    assert result.exit_code == 0, result.output
    po = course / "translations" / "fr" / "course.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        key = (message.context or "").removeprefix(UNIT)
        if key in FRENCH:
            message.string = FRENCH[key]
    with po.open("wb") as f:
        write_po(f, catalog)
    return course


def build(run, course: Path, out: Path) -> etree._Element:  # type: ignore[no-untyped-def]
    result = run("build", str(course), "-f", "moodle-xml", "--out", str(out))
    assert result.exit_code == 0, result.output
    return etree.parse(str(next((out / "moodle-xml").glob("*.xml")))).getroot()


def question(root: etree._Element, qid: str) -> etree._Element:
    found = root.xpath(f"question[idnumber='{qid}']")
    assert len(found) == 1, f"{qid}: {len(found)} questions"
    return found[0]


def languages_of(text: str) -> dict[str, str]:
    """The multilang spans of an HTML text: language -> its text."""
    spans = lxml.html.fragment_fromstring(text, create_parent="div").xpath(
        "span[@class='multilang']")
    return {span.get("lang"): span.text_content() for span in spans}


def test_each_question_holds_english_and_french_in_multilang_spans(run, course, tmp_path):  # type: ignore[no-untyped-def]
    root = build(run, bilingual(run, course), tmp_path / "out")
    spec = course / "course.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("multilang: true", "multilang: false"),
                    encoding="utf-8")
    english = build(run, course, tmp_path / "en")
    ids = root.xpath("question[idnumber]/idnumber/text()")
    assert ids == english.xpath("question[idnumber]/idnumber/text()")  # one per question
    single = question(root, "wq-single")
    assert languages_of(single.findtext("questiontext/text")) == {
        "en": "What should a learner who knows the answer be able to do?",
        "fr": FRENCH["wq-single/stem"]}
    right = single.xpath("answer[@fraction='100']")[0]
    assert languages_of(right.findtext("text")) == {
        "en": "Give the answer before reading the options.",
        "fr": FRENCH["wq-single/choices/0/text"]}
    assert languages_of(right.findtext("feedback/text"))["fr"] == FRENCH[
        "wq-single/choices/0/feedback"]
    assert languages_of(single.findtext("generalfeedback/text"))["fr"] == FRENCH[
        "wq-single/feedback/general"]
    assert languages_of(single.findtext("hint/text"))["fr"] == FRENCH["wq-single/hints/0"]
    matching = question(root, "wq-matching")
    first = matching.find("subquestion")
    assert languages_of(first.findtext("text")) == {"en": "Stem", "fr": "Énoncé"}
    assert languages_of(first.findtext("answer/text"))["fr"] == FRENCH[
        "wq-matching/pairs/0/match"]
    # an option not translated yet is one text, shown whatever the learner's language
    other = single.xpath("answer[@fraction='0']")[0].findtext("text")
    assert "multilang" not in other and other == english.xpath(
        "question[idnumber='wq-single']/answer[@fraction='0']")[0].findtext("text")


def test_a_short_answer_accepts_either_language_and_a_cloze_stays_english(run, course, tmp_path):  # type: ignore[no-untyped-def]
    bilingual(run, course)
    root = build(run, course, tmp_path / "out")
    accepted = question(root, "wq-short").xpath("answer[@fraction='100']/text/text()")
    assert "stem" in accepted and "énoncé" in accepted
    assert not any("multilang" in a for a in accepted)
    cloze = question(root, "wq-blanks").findtext("questiontext/text")
    assert "multilang" not in cloze and "learning" in cloze and "objectifs" not in cloze
    check = run("check", str(course), "--target", "moodle")
    assert "wq-blanks" in check.output and "course's own language only" in check.output


def test_without_the_option_each_language_has_its_own_bank(run, course, tmp_path):  # type: ignore[no-untyped-def]
    bilingual(run, course, multilang=False)
    english = build(run, course, tmp_path / "out")
    assert b"multilang" not in etree.tostring(english)
    french = etree.parse(str(next((tmp_path / "out" / "fr" / "moodle-xml").glob("*.xml"))))
    stem = french.xpath("question[idnumber='wq-single']/questiontext/text/text()")[0]
    assert FRENCH["wq-single/stem"] in stem and "multilang" not in stem


def test_the_moodle_xml_import_reads_a_multilang_bank_in_its_first_language(run, course, tmp_path):  # type: ignore[no-untyped-def]
    bilingual(run, course)
    build(run, course, tmp_path / "out")
    bank = next((tmp_path / "out" / "moodle-xml").glob("*.xml"))
    result = run("import", str(bank), "--into", str(tmp_path / "imported"))
    assert result.exit_code == 0, result.output
    quiz = next((tmp_path / "imported" / "quizzes").glob("*.yaml"))
    questions = {q["id"]: q for q in yaml.safe_load(quiz.read_text(encoding="utf-8"))["questions"]}
    single = questions["wq-single"]
    assert single["stem"] == "What should a learner who knows the answer be able to do?"
    assert single["choices"][0]["text"] == "Give the answer before reading the options."
    assert questions["wq-matching"]["pairs"][0] == {
        "prompt": "Stem", "match": "The part that asks the question"}
    assert "multilang" not in quiz.read_text(encoding="utf-8")
