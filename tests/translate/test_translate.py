"""A translator's story: extract the course, translate in PO or XLIFF, see what is left.

Files are read back as a translator's tool reads them: the PO file with Babel's own
reader, the XLIFF file with lxml, checked against the structure XLIFF 2.0 core asks for.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po, write_po
from lxml import etree

from coursepack.loader.course import load_course
from coursepack.model import FillBlanks
from coursepack.translate import translated
from tests.conftest import SCHEMAS, Run

X = "{urn:oasis:names:tc:xliff:document:2.0}"
QUIZ = "quizzes/writing-questions.yaml"
AWKWARD = 'Un "guillemet", un \\ et une\nnouvelle ligne; 100%s %d %(name)s <b>&amp;</b> ]]> عربي 🎓 é'


def po_of(course: Path, lang: str = "fr") -> dict[str, object]:
    with (course / "translations" / lang / "course.po").open("rb") as handle:
        catalog = read_po(handle)
    return {m.context: m for m in catalog if m.context}


def xliff_of(course: Path, lang: str = "fr") -> etree._Element:
    return etree.parse(str(course / "translations" / lang / "course.xlf")).getroot()


def edit_po(course: Path, texts: dict[str, str], lang: str = "fr") -> None:
    """Translate units as a translator's tool would: read, set msgstr, write."""
    path = course / "translations" / lang / "course.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.context in texts:
            message.string = texts[message.context]
    with path.open("wb") as handle:
        write_po(handle, catalog)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def make_awkward(course: Path) -> None:
    replace_in(course / QUIZ, "feedback: No. Length should give nothing away.",
               f"feedback: {yaml.safe_dump(AWKWARD, allow_unicode=True, width=1000).strip()}")
    replace_in(course / "course.yaml", "title: Writing Good Quiz Questions",
               "title: Écrire de bonnes questions — كتابة 🎓")


EXPECTED = [
    "course.yaml#starter-course/title",
    "course.yaml#starter-course/description",
    "modules/writing-questions/module.yaml#writing-questions/title",
    "modules/writing-questions/module.yaml#wq-stem/text",
    "modules/writing-questions/module.yaml#writing-questions/facilitator/scenarios/0/tasks/1",
    "modules/writing-questions/module.yaml#writing-questions/facilitator/notes",
    "modules/writing-questions/one-idea.yaml#one-idea/body",
    "modules/writing-questions/one-idea.yaml#one-idea/key_terms/1/term",
    "modules/writing-questions/one-idea.yaml#one-idea/key_terms/1/definition",
    "modules/writing-questions/feedback.yaml#feedback/further_reading/0",
    f"{QUIZ}#writing-questions/description",
    f"{QUIZ}#wq-intro/stem",
    f"{QUIZ}#wq-single/choices/1/feedback",
    f"{QUIZ}#wq-single/feedback/general",
    f"{QUIZ}#wq-single/hints/0",
    f"{QUIZ}#wq-multiple/feedback/partial",
    f"{QUIZ}#wq-true-false/feedback_false",
    f"{QUIZ}#wq-short/answers/1",
    f"{QUIZ}#wq-matching/pairs/2/prompt",
    f"{QUIZ}#wq-matching/pairs/2/match",
    f"{QUIZ}#wq-matching/distractors/0",
    f"{QUIZ}#wq-ordering/items/2",
    f"{QUIZ}#wq-blanks/text",
    f"{QUIZ}#wq-blanks/blanks/what/answers/0",
    f"{QUIZ}#wq-blanks/blanks/kind/options/2",
    f"{QUIZ}#wq-essay/grader_notes",
    f"{QUIZ}#wq-essay/response_template",
    "quizzes/final.yaml#final/description",
]


def test_extract_writes_every_text_once_in_po_and_xliff(course: Path, run: Run) -> None:
    make_awkward(course)
    result = run("translate", "extract", str(course), "--lang", "fr")
    assert result.exit_code == 0, result.output
    po = po_of(course)
    units = xliff_of(course).findall(f"{X}file/{X}unit")
    names = [u.get("name") for u in units]
    assert len(names) == len(set(names)) == len(po)
    assert set(names) == set(po)
    for unit_id in EXPECTED:
        assert unit_id in po, unit_id
    quiz = yaml.safe_load((course / QUIZ).read_text(encoding="utf-8"))
    essay = next(q for q in quiz["questions"] if q["id"] == "wq-essay")
    assert po[f"{QUIZ}#wq-essay/grader_notes"].id == essay["grader_notes"]
    # Quotes stay in the language they are verified in; ids and settings are no text.
    sources = {m.id for m in po.values()}
    assert "A good question tests one idea." not in sources
    assert not any(i.endswith(("/id", "/source", "/locator", "/quote")) for i in po)
    assert "60" not in sources and "wq-stem" not in sources


def test_awkward_text_survives_both_formats(course: Path, run: Run) -> None:
    make_awkward(course)
    run("translate", "extract", str(course), "--lang", "ar")
    unit_id = f"{QUIZ}#wq-single/choices/1/feedback"
    message = po_of(course, "ar")[unit_id]
    assert message.id == AWKWARD
    # Course text is no format string: no tool should check it as one (Babel's reader
    # guesses the flag again from the text, so look at the file itself).
    assert "python-format" not in (course / "translations/ar/course.po").read_text("utf-8")
    assert po_of(course, "ar")["course.yaml#starter-course/title"].id.startswith("Écrire")
    unit = next(u for u in xliff_of(course, "ar").iter(f"{X}unit") if u.get("name") == unit_id)
    assert unit.find(f"{X}segment/{X}source").text == AWKWARD
    # GNU gettext, the tools translators' editors build on, accepts the file as it is
    # (scripts/install-system-deps.sh installs it).
    checked = subprocess.run(["msgfmt", "--check", "-o", os.devnull, "translations/ar/course.po"],
                             cwd=course, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    assert "error" not in checked.stderr


NAME_TOKEN = re.compile(r"^[\w.:\-]+$")
XLIFF_SCHEMA = SCHEMAS / "xliff20" / "xliff_core_2.0.xsd"


def assert_valid_xliff(course: Path, lang: str = "fr") -> None:
    """Valid against OASIS's XLIFF 2.0 core schema (origin and notice in tests/schemas)."""
    schema = etree.XMLSchema(etree.parse(str(XLIFF_SCHEMA)))
    document = etree.parse(str(course / "translations" / lang / "course.xlf"))
    assert schema.validate(document), schema.error_log


def test_xliff_is_valid_xliff_2_core_with_our_notes(course: Path, run: Run) -> None:
    make_awkward(course)
    run("translate", "extract", str(course), "--lang", "fr")
    assert_valid_xliff(course)
    root = xliff_of(course)
    assert root.tag == f"{X}xliff"
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "en", "fr")
    files = root.findall(f"{X}file")
    assert files and all(NAME_TOKEN.match(f.get("id", "")) for f in files)
    ids: set[str] = set()
    for unit in root.iter(f"{X}unit"):
        assert NAME_TOKEN.match(unit.get("id")), unit.get("id")
        assert unit.get("id") not in ids
        ids.add(unit.get("id"))
        children = [etree.QName(c).localname for c in unit]
        assert children == ["notes", "segment"]
        categories = {n.get("category"): n.text for n in unit.find(f"{X}notes")}
        assert re.fullmatch(r"[0-9a-f]{12}", categories["source-hash"])
        assert re.fullmatch(r".+:\d+", categories["location"])
        segment = unit.find(f"{X}segment")
        assert segment.get("state") in {"initial", "translated", "reviewed", "final"}
        assert etree.QName(segment[0]).localname == "source"


def test_translations_made_in_po_are_counted_and_used(course: Path, run: Run) -> None:
    run("translate", "extract", str(course), "--lang", "fr")
    edit_po(course, {
        "course.yaml#starter-course/title": "Écrire de bonnes questions",
        f"{QUIZ}#wq-blanks/blanks/kind/options/0": "pas",
        f"{QUIZ}#wq-blanks/text": "Le retour est là où se fait l'essentiel de [[what]]; "
                                  "[[count]] objectifs; il n'est [[kind]] une note.",
    })
    result = run("translate", "status", str(course), "--lang", "fr")
    assert result.exit_code == 0
    assert "fr: 3 translated, 0 stale, " in result.output
    assert run("translate", "status", str(course), "--lang", "fr", "--strict").exit_code == 1
    loaded, _ = load_course(course)
    french, problems = translated(loaded, "fr")
    assert french.title == "Écrire de bonnes questions" and french.language == "fr"
    assert not [p for p in problems if p.is_error]
    blanks = next(q for _, q in french.questions() if isinstance(q, FillBlanks))
    kind = next(b for b in blanks.blanks if b.id == "kind")
    assert kind.options[0] == "pas" and kind.answers == ("pas",)  # the answer follows
    quotes = [q.text for _, lesson in french.lessons() for q in lesson.quotes]
    assert "A good question tests one idea." in quotes


def test_changed_source_is_stale_at_both_places_and_extract_keeps_it(course: Path,
                                                                     run: Run) -> None:
    run("translate", "extract", str(course), "--lang", "fr")
    unit_id = f"{QUIZ}#wq-single/hints/0"
    edit_po(course, {unit_id: "Cachez les options avec la main."})
    replace_in(course / QUIZ, "- Cover the options with your hand.",
               "- Cover the options with a sheet of paper.")
    result = run("translate", "status", str(course), "--lang", "fr")
    assert "1 stale" in result.output
    stale = next(line for line in result.output.splitlines() if "stale:" in line)
    assert re.match(r"translations/fr/course\.po:\d+:1: warning: stale", stale)
    assert f"(source at {QUIZ}:35:" in stale
    run("translate", "extract", str(course), "--lang", "fr")
    message = po_of(course)[unit_id]
    assert message.string == "Cachez les options avec la main."
    assert message.fuzzy
    # The old source, for the translator to compare (Babel's reader skips ``#|`` lines).
    assert (f'#| msgid "Cover the options with your hand."\nmsgctxt "{unit_id}"'
            in (course / "translations/fr/course.po").read_text("utf-8"))
    assert message.id == "Cover the options with a sheet of paper."
    assert "1 stale" in run("translate", "status", str(course), "--lang", "fr").output
    run("translate", "extract", str(course), "--lang", "fr")  # again: still stale, same old text
    assert "1 stale" in run("translate", "status", str(course), "--lang", "fr").output
    assert (f'#| msgid "Cover the options with your hand."\nmsgctxt "{unit_id}"'
            in (course / "translations/fr/course.po").read_text("utf-8"))
    assert_valid_xliff(course)
    unit = next(u for u in xliff_of(course).iter(f"{X}unit") if u.get("name") == unit_id)
    assert unit.find(f"{X}segment").get("state") == "initial"
    assert unit.find(f"{X}segment/{X}target").text == "Cachez les options avec la main."


def test_missing_and_obsolete_units_are_located(course: Path, run: Run) -> None:
    run("translate", "extract", str(course), "--lang", "fr")
    edit_po(course, {f"{QUIZ}#wq-essay/grader_notes": "Note maximale pour une question."})
    # The translator's file lacks a unit: the site falls back to the source text.
    po = course / "translations/fr/course.po"
    text = po.read_text(encoding="utf-8")
    block = re.search(r'#\. source-hash: \w+\n#: [^\n]+\nmsgctxt "course\.yaml#starter-course/'
                      r'title"\n(?:[^\n]+\n)+?\n', text)
    assert block is not None
    po.write_text(text.replace(block.group(), ""), encoding="utf-8")
    (course / "translations/fr/course.xlf").unlink()
    result = run("translate", "status", str(course), "--lang", "fr")
    assert re.search(r"course\.yaml:3:1: warning: no fr translation of starter-course/title: "
                     r"falls back to the source text", result.output)
    # The course loses a text: its translation is obsolete, and kept by the next extract.
    replace_in(course / QUIZ, "    grader_notes: Full marks for a complete question that can "
               "be answered without options.\n", "")
    result = run("translate", "status", str(course), "--lang", "fr")
    assert re.search(r"translations/fr/course\.po:\d+:1: warning: obsolete: unit "
                     rf"'{re.escape(QUIZ)}#wq-essay/grader_notes'", result.output)
    assert "1 obsolete" in result.output
    run("translate", "extract", str(course), "--lang", "fr")
    with po.open("rb") as handle:
        catalog = read_po(handle)
    kept = [m for m in catalog.obsolete.values() if m.context == f"{QUIZ}#wq-essay/grader_notes"]
    assert kept and kept[0].string == "Note maximale pour une question."
    assert_valid_xliff(course)
    obsolete = [u for u in xliff_of(course).iter(f"{X}unit")
                if u.get("name") == f"{QUIZ}#wq-essay/grader_notes"]
    assert obsolete[0].getparent().get("id") == "obsolete"


def test_translation_made_in_xliff_is_read_and_kept(course: Path, run: Run) -> None:
    run("translate", "extract", str(course), "--lang", "es")
    path = course / "translations/es/course.xlf"
    tree = etree.parse(str(path))
    unit = next(u for u in tree.iter(f"{X}unit") if u.get("name") == f"{QUIZ}#wq-short/answers/0")
    segment = unit.find(f"{X}segment")
    segment.set("state", "translated")
    etree.SubElement(segment, f"{X}target").text = "enunciado"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert "es: 1 translated" in run("translate", "status", str(course), "--lang", "es").output
    run("translate", "extract", str(course), "--lang", "es")
    assert po_of(course, "es")[f"{QUIZ}#wq-short/answers/0"].string == "enunciado"


def test_translated_markdown_images_are_vetted_like_the_source(course: Path, run: Run) -> None:
    run("translate", "extract", str(course), "--lang", "fr")
    body = "modules/writing-questions/one-idea.yaml#one-idea/body"
    edit_po(course, {body: "## Titre\n\n![Une question](images/stem-and-options.png)\n\n"
                           "![Manque](images/absente.png)\n\n![Dehors](../../../../etc/passwd)"})
    loaded, _ = load_course(course)
    french, problems = translated(loaded, "fr")
    errors = [str(p) for p in problems if p.is_error]
    assert len(errors) == 2, errors
    assert all(e.startswith("translations/fr/course.po:") for e in errors)
    assert any("absente.png" in e for e in errors)
    lesson = next(lesson for _, lesson in french.lessons() if lesson.id == "one-idea")
    assert [a.path.name for a in lesson.body.assets] == ["stem-and-options.png"]
    result = run("translate", "status", str(course), "--lang", "fr")
    assert result.exit_code == 1


def test_blanks_must_survive_translation(course: Path, run: Run) -> None:
    run("translate", "extract", str(course), "--lang", "fr")
    edit_po(course, {f"{QUIZ}#wq-blanks/text": "Le retour est là où [[quoi]] se fait."})
    result = run("translate", "status", str(course), "--lang", "fr")
    assert result.exit_code == 1
    assert "must keep the blanks count, kind, what" in result.output


def test_languages_are_checked_and_listed_for_status(course: Path, run: Run) -> None:
    replace_in(course / "course.yaml", "language: en\n", "language: en\nlanguages: [en, fr, xx-zz]\n")
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert re.search(r"course\.yaml:\d+:\d+: error: 'xx-zz' is not a language code", result.output)
    replace_in(course / "course.yaml", "[en, fr, xx-zz]", "[fr, en]")
    run("translate", "extract", str(course), "--lang", "fr")
    result = run("translate", "status", str(course))
    assert result.exit_code == 0 and "fr: 0 translated, 0 stale, " in result.output
    assert load_course(course)[0].languages == ("en", "fr")
    assert not [i for i in po_of(course) if "/languages" in i]  # settings are no text


@pytest.mark.parametrize("code", ["en", "nope!"])
def test_extract_refuses_the_source_language_and_unknown_codes(course: Path, run: Run,
                                                                code: str) -> None:
    result = run("translate", "extract", str(course), "--lang", code)
    assert result.exit_code == 1 and "error:" in result.output
    assert not (course / "translations").exists()


def test_build_makes_each_listed_language_in_its_own_folder(course: Path, run: Run) -> None:
    replace_in(course / "course.yaml", "language: en\n", "language: en\nlanguages: [en, fr]\n")
    run("translate", "extract", str(course), "--lang", "fr")
    edit_po(course, {"course.yaml#starter-course/title": "Écrire de bonnes questions"})
    result = run("build", str(course), "-f", "html", "-f", "gift")
    assert result.exit_code == 0, result.output
    assert "texts of the course have no fr translation" in result.output
    build = course / "build"
    french = (build / "fr" / "html" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in french and "Écrire de bonnes questions" in french
    assert "Écrire" not in (build / "html" / "index.html").read_text(encoding="utf-8")
    assert list((build / "fr" / "gift").glob("*.gift.txt"))
    # Missing translations fail a strict build, and the last build stays as it was.
    before = (build / "fr" / "html" / "index.html").stat().st_mtime_ns
    result = run("build", str(course), "-f", "html", "--strict")
    assert result.exit_code == 1 and "no fr translation" in result.output
    assert (build / "fr" / "html" / "index.html").stat().st_mtime_ns == before


def _holds_text(schema: object) -> bool:
    """Whether a JSON Schema fragment of a spec field has words in it (a string that is not
    an id or one of a fixed set of values)."""
    if isinstance(schema, dict):
        if schema.get("type") == "string":
            return "pattern" not in schema and "enum" not in schema
        return any(_holds_text(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_holds_text(v) for v in schema)
    return False


def test_every_text_field_of_every_question_type_is_extracted(course: Path, run: Run) -> None:
    """The fields each type's reader declares (TYPE_FIELDS), not a list kept here: a new
    text field of a question type is extracted, or this fails."""
    from coursepack.loader.questions import TYPE_FIELDS

    run("translate", "extract", str(course), "--lang", "fr")
    ids = list(po_of(course))
    quiz = yaml.safe_load((course / QUIZ).read_text(encoding="utf-8"))
    checked = 0
    for question in quiz["questions"]:
        _, fields = TYPE_FIELDS[question["type"]]
        for name, schema in fields.items():
            if name in question and _holds_text(schema):
                checked += 1
                prefix = f"{QUIZ}#{question['id']}/{name}"
                assert any(i.startswith(prefix) for i in ids), prefix
    assert checked >= 10


def test_a_broken_translation_file_is_an_error_at_its_line(course: Path, run: Run) -> None:
    run("translate", "extract", str(course), "--lang", "fr")
    po = course / "translations/fr/course.po"
    lines = po.read_text(encoding="utf-8").split("\n")
    lines[30] = 'this line is not PO'
    po.write_text("\n".join(lines), encoding="utf-8")
    result = run("translate", "status", str(course), "--lang", "fr")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(r"translations/fr/course\.po:31(:1)?: error: not a PO file", result.output)


def test_xliff_entities_are_not_expanded(course: Path, run: Run) -> None:
    run("translate", "extract", str(course), "--lang", "fr")
    secret = course.parent / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    (course / "translations/fr/course.po").unlink()
    (course / "translations/fr/course.xlf").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY s SYSTEM "file://{secret}">]>\n'
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en" '
        'trgLang="fr"><file id="f"><unit id="u" name="course.yaml#starter-course/title">'
        '<segment state="translated"><source>Writing Good Quiz Questions</source>'
        '<target>&s;</target></segment></unit></file></xliff>', encoding="utf-8")
    loaded, _ = load_course(course)
    french, _ = translated(loaded, "fr")
    assert "SECRET" not in french.title


def test_a_translation_file_linked_from_outside_is_refused(course: Path, run: Run,
                                                           tmp_path: Path) -> None:
    run("translate", "extract", str(course), "--lang", "fr")
    outside = tmp_path / "elsewhere.po"
    (course / "translations/fr/course.po").rename(outside)
    (course / "translations/fr/course.po").symlink_to(outside)
    result = run("translate", "status", str(course), "--lang", "fr")
    assert result.exit_code == 1
    assert "translations/fr/course.po is outside the course folder" in result.output


def test_extract_never_writes_through_a_translations_folder_linked_out(
        course: Path, run: Run, tmp_path: Path) -> None:
    """A course from elsewhere whose translations/ is a link to a folder of the user's."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (course / "translations").symlink_to(elsewhere)
    result = run("translate", "extract", str(course), "--lang", "fr")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"error: translations is a link to {elsewhere}, outside the course folder")
    assert list(elsewhere.iterdir()) == []
