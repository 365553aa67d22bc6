"""The interface's own words (buttons, labels, runtime messages) in the six UN languages.

The catalogues are read back with Babel, as a translator's tool would; the strings in the
templates, the runtime and the exporters are extracted with Babel's extractors and compared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from coursepack.locale import SHIPPED, catalogue_path, runtime_messages
from coursepack.locale.extract import extracted, updated
from tests.conftest import Run

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def shipped_catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def ids(catalog: Catalog) -> dict[object, Message]:
    return {m.id: m for m in catalog if m.id}


def test_every_string_in_the_templates_runtime_and_exporters_is_in_the_catalogues() -> None:
    source = ids(extracted())
    assert len(source) > 200  # templates, coursepack.js and the exporters' labels
    assert "Question %(n)s of %(total)s" in source  # the runtime's
    assert "Answer key" in source and "Search lessons" in source  # PDF and site
    for language in SHIPPED:
        assert set(ids(shipped_catalogue(language))) == set(source), language


def test_updating_the_catalogues_from_the_sources_changes_nothing() -> None:
    """The committed catalogues are what ``python -m coursepack.locale.extract`` writes."""
    template = extracted()
    for language in SHIPPED:
        assert entries(updated(language, template)) == entries(shipped_catalogue(language)), \
            f"run python -m coursepack.locale.extract and translate the new strings ({language})"


def entries(catalog: Catalog) -> list[tuple[object, ...]]:
    return sorted((str(m.id), str(m.string), sorted({p for p, _ in m.locations}))
                  for m in catalog if m.id)


@pytest.mark.parametrize("language", SHIPPED)
def test_every_string_is_translated_with_the_plural_forms_of_its_language(language: str) -> None:
    catalog = shipped_catalogue(language)
    expected = {"ar": 6, "ru": 3, "zh": 1, "en": 2, "fr": 3, "es": 3}[language]
    assert catalog.num_plurals == expected == get_plural(language).num_plurals
    for message in ids(catalog).values():
        forms = message.string if isinstance(message.id, tuple) else (message.string,)
        assert len(forms) == (expected if isinstance(message.id, tuple) else 1), message.id
        assert all(form.strip() for form in forms), f"{language}: {message.id!r} untranslated"


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_the_placeholders_and_format(language: str) -> None:
    for message in ids(shipped_catalogue(language)).values():
        if isinstance(message.id, tuple):
            wanted = set(PLACEHOLDER.findall(message.id[1]))
            for form in message.string:
                found = set(PLACEHOLDER.findall(form))
                # a form for one or two may say the number in words ("درسان"): num may go
                assert found <= wanted and wanted - {"num"} <= found, (language, message.id, form)
                assert form % dict.fromkeys(wanted, "1")
        else:
            wanted = set(PLACEHOLDER.findall(message.id))
            assert set(PLACEHOLDER.findall(message.string)) == wanted, (language, message.id)
            assert message.string % dict.fromkeys(wanted, "1")  # no stray %: '%%' for one


def test_the_runtime_gets_only_its_own_messages_and_a_plural_rule() -> None:
    arabic = runtime_messages("ar")
    assert arabic["lang"] == "ar" and "n % 100 >= 11" in arabic["plural"]
    assert len(arabic["messages"]["%(num)s attempt"]) == 6
    assert "Answer key" not in arabic["messages"]  # a PDF label: not sent to the browser
    assert runtime_messages("fr-CA")["messages"]["Continue"] == "Continuer"
    assert runtime_messages("sw") == {"lang": "en", "plural": "(n != 1)", "messages": {}}


def build(run: Run, course: Path, out: Path, language: str, *formats: str) -> Path:
    text = (course / "course.yaml").read_text()
    (course / "course.yaml").write_text(text.replace("language: en", f"language: {language}"))
    args = [a for f in formats for a in ("-f", f)]
    result = run("build", str(course), *args, "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


@pytest.mark.pdf
@pytest.mark.parametrize(("language", "words"), [
    ("fr", {"index": "Commencer le cours", "quiz": "Envoyer les réponses",
            "key": "Corrigé", "page": "Page 1 sur", "launch": "Ouvrir", "toc": "Sommaire"}),
    ("ar", {"index": "ابدأ الدورة", "quiz": "أرسل الإجابات", "key": "مفتاح الإجابات",
            "page": "الصفحة", "launch": "فتح", "toc": "المحتويات"}),
])
def test_a_course_in_french_or_arabic_speaks_its_language_in_every_format(
        run: Run, course: Path, tmp_path: Path, language: str, words: dict[str, str]) -> None:
    out = build(run, course, tmp_path / "out", language, "html", "pdf", "scorm12")
    site = out / "html"
    assert words["index"] in (site / "index.html").read_text()
    assert words["toc"] in (site / "index.html").read_text()
    quiz = (site / "quizzes" / "writing-questions.html").read_text()
    assert words["quiz"] in quiz and "Submit answers" not in quiz
    assert f'"lang": "{language}"' in (site / "assets" / "messages.js").read_text()
    key = pdf_text(out / "pdf" / "answer-key.pdf")
    assert words["key"] in key and "Answer key" not in key
    assert words["page"] in pdf_text(out / "pdf" / "quizzes" / "writing-questions.pdf")
    import zipfile
    with zipfile.ZipFile(next((out / "scorm12").glob("*.zip"))) as package:
        launch = [n for n in package.namelist() if n.endswith(".html") and "/" not in n]
        assert launch and all(words["launch"] in package.read(n).decode() for n in launch)


def test_each_language_of_languages_gets_its_own_interface(
        run: Run, course: Path, tmp_path: Path) -> None:
    text = (course / "course.yaml").read_text()
    (course / "course.yaml").write_text(text.replace("language: en",
                                                     "language: en\nlanguages: [en, fr, ar]"))
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    for language, words in (("", "Start the course"), ("fr", "Commencer le cours"),
                            ("ar", "ابدأ الدورة")):
        index = (tmp_path / "out" / language / "html" / "index.html").read_text()
        assert words in index, language


def test_a_language_without_a_catalogue_falls_back_to_english_with_a_located_warning(
        run: Run, course: Path, tmp_path: Path) -> None:
    text = (course / "course.yaml").read_text()
    (course / "course.yaml").write_text(text.replace("language: en", "language: sw"))
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    line = next(n for n, text in enumerate(text.splitlines(), 1) if text.startswith("language:"))
    assert f"course.yaml:{line}:" in result.output
    assert "no interface catalogue for 'sw'" in result.output
    assert "ar, en, es, fr, ru, zh" in result.output
    assert result.output.count("no interface catalogue") == 1
    assert "Start the course" in (tmp_path / "out" / "html" / "index.html").read_text()
    strict = run("validate", "--strict", str(course))
    assert strict.exit_code != 0 and "no interface catalogue for 'sw'" in strict.output


def test_a_course_template_uses_the_catalogue_and_cannot_abuse_it(
        run: Run, course: Path, tmp_path: Path) -> None:
    own = course / "templates" / "html"
    own.mkdir(parents=True)
    (own / "glossary.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block main %}<h1 id="own">{{ _("Glossary") }} '
        '{{ ngettext("%(num)s lesson", "%(num)s lessons", 3) }} {{ _("<b>%(x)s</b>", x="<i>") }}'
        '</h1>{% endblock %}')
    site = build(run, course, tmp_path / "out", "fr", "html") / "html"
    heading = (site / "glossary.html").read_text().split('<h1 id="own">')[1].split("</h1>")[0]
    assert heading == "Glossaire 3 leçons &lt;b&gt;&lt;i&gt;&lt;/b&gt;"
    (own / "glossary.html.j2").write_text('{{ _("%(x)999999999s", x=1) }}')
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out2"))
    assert result.exit_code != 0
    assert "templates/html/glossary.html.j2:1" in result.output and "format width" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("language", "title", "button"), [
    ("fr", "Rédiger de bonnes questions de quiz", "Commencer le cours"),
    ("ar", "كتابة أسئلة اختبار جيدة", "ابدأ الدورة"),
    ("es", "Redactar buenas preguntas de cuestionario", "Empezar el curso"),
])
def test_init_writes_the_starter_course_in_french_arabic_or_spanish(
        run: Run, tmp_path: Path, language: str, title: str, button: str) -> None:
    target = tmp_path / "mon cours"
    result = run("init", "--lang", language, str(target))
    assert result.exit_code == 0, result.output
    yaml = (target / "course.yaml").read_text()
    assert f"language: {language}\n" in yaml and f"title: {title}\n" in yaml
    strict = run("validate", "--strict", str(target))  # quotes found in the translated source
    assert strict.exit_code == 0 and "0 errors, 0 warnings" in strict.output, strict.output
    built = run("build", str(target), "-f", "html", "-f", "gift", "--out", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    index = (tmp_path / "out" / "html" / "index.html").read_text()
    assert title in index and button in index and f'lang="{language}"' in index
    english = ("Writing questions", "Feedback that teaches", "Select all that apply")
    pages = [p.read_text() for p in (tmp_path / "out" / "html").rglob("*.html")]
    assert not [w for w in english for page in pages if w in page]
    gift = next((tmp_path / "out" / "gift").glob("*.gift.txt")).read_text()
    assert "Writing" not in gift and "Feedback" not in gift


def test_init_names_the_starter_languages_for_any_other(run: Run, tmp_path: Path) -> None:
    result = run("init", "--lang", "de", str(tmp_path / "kurs"))
    assert result.exit_code != 0
    assert "no starter course in 'de'" in result.output
    assert "en, ar, es, fr" in result.output
    assert not (tmp_path / "kurs").exists()


OWN_FR = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Try again"
msgstr "Nouvel essai"

msgid "Continue"
msgstr "Poursuivre"

msgid "%(num)s lesson"
msgid_plural "%(num)s lessons"
msgstr[0] "%(num)s séquence"
msgstr[1] "%(num)s séquences"
msgstr[2] "%(num)s séquences"

msgid "A string coursepack never had"
msgstr "Rien"

msgid "Question %(n)s of %(total)s"
msgstr "Question %(n)s"
'''


def test_a_course_changes_interface_words_in_its_own_catalogue(
        run: Run, course: Path, tmp_path: Path) -> None:
    own = course / "translations" / "fr" / "interface.po"
    own.parent.mkdir(parents=True)
    own.write_text(OWN_FR)
    text = (course / "course.yaml").read_text()
    (course / "course.yaml").write_text(text.replace("language: en", "language: fr"))
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code != 0  # a translation that loses a placeholder
    assert "translations/fr/interface.po:20:" in result.output and "%(total)s" in result.output
    assert "translations/fr/interface.po:17:1: warning" in result.output  # unknown: not used
    own.write_text(OWN_FR.split('msgid "Question')[0])
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    site = tmp_path / "out" / "html"
    assert "Nouvel essai" in (site / "quizzes" / "writing-questions.html").read_text()
    assert "2 séquences" in (site / "index.html").read_text()
    assert "Commencer le cours" in (site / "index.html").read_text()  # the rest: shipped
    assert '"Continue":"Poursuivre"' in (site / "assets" / "messages.js").read_text()


def test_a_course_gives_interface_words_in_a_language_coursepack_does_not_ship(
        run: Run, course: Path, tmp_path: Path) -> None:
    own = course / "translations" / "sw" / "interface.po"
    own.parent.mkdir(parents=True)
    own.write_text('msgid "Try again"\nmsgstr "Jaribu tena"\n\nmsgid "Search lessons"\n'
                   'msgstr "<b>Tafuta</b> masomo"\n')
    text = (course / "course.yaml").read_text()
    (course / "course.yaml").write_text(text.replace("language: en", "language: sw"))
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "no interface catalogue" not in result.output
    assert "interface strings have no 'sw' translation in this file" in result.output
    site = tmp_path / "out" / "html"
    assert "Jaribu tena" in (site / "quizzes" / "writing-questions.html").read_text()
    index = (site / "index.html").read_text()
    assert "&lt;b&gt;Tafuta&lt;/b&gt; masomo" in index  # text, never markup
    assert "Start the course" in index  # untranslated: English


def test_a_link_out_of_the_course_is_not_read_as_its_interface_words(
        run: Run, course: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.po"
    outside.write_text('msgid "Try again"\nmsgstr "Volé"\n')
    (course / "translations" / "fr").mkdir(parents=True)
    (course / "translations" / "fr" / "interface.po").symlink_to(outside)
    text = (course / "course.yaml").read_text()
    (course / "course.yaml").write_text(text.replace("language: en", "language: fr"))
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "translations/fr/interface.po" in result.output and "Traceback" not in result.output
