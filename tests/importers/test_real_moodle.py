"""Banks exported from real Moodle sites (Moodle's own test fixtures, tests/importers/real/moodle).

A training officer brings Moodle's exported questions in, all files at once: into a new
course, and into the starter course. The course builds into every format and passes
`coursepack check`. Each question is compared with what its XML says, and the bank sent
back out to Moodle XML is compared with the original: every difference must be one that
docs/import.md or the pre-flight report (`coursepack check`) declares.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from coursepack.loader import load_course
from coursepack.model import (
    BlankKind,
    Course,
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
    TrueFalse,
)
from tests.conftest import REPO, Run

REAL = Path(__file__).resolve().parent / "real" / "moodle"
BANKS = [REAL / name for name in (
    "multichoice.testquestion.moodle.xml",
    "truefalse.testquestion.moodle.xml",
    "shortanswer.testquestion.moodle.xml",
    "numerical.testquestion.moodle.xml",
    "match.testquestion.moodle.xml",
    "ordering.testquestion.moodle.xml",
    "gapselect.testquestion.moodle.xml",
    "ddwtos.testquestion.moodle.xml",
    "xmlformat.multianswer.xml",
    "essay.testquestion.moodle.xml",
    "description.testquestion.moodle.xml",
    "xmlformat.export_category.xml",
    "xmlformat.category_with_description.xml",
    "xmlformat.nested_categories_with_questions.xml",
    "xmlformat.html_chars_in_idnumbers.xml",
    "xmlformat.broken_cloze_questions.xml",
    "xmlformat.error_invalid_grades.xml",
    "xmlformat.sample_questions_with_old_image_tag.xml",
    "xmlformat.categories_reverse_order.xml",
)]
BROKEN = "xmlformat.broken_cloze_questions.xml"
KEPT = {  # Moodle's own broken cloze questions: line, name, why
    4: ("Multianswer question without subquestions", "it has no gaps"),
    20: ("Multichoice subquestion without choices", "it has no gaps"),
    52: ("Multichoice subquestion with no completely correct answer",
         "gap b1 has no fully correct answer"),
    68: ("Numerical subquestion with buggy answer", "gap b1: 'zero' is not a number"),
}
NEW_COURSE = "multichoice-testquestion-moodle"  # named after the first file
FORMATS = {"html", "pdf", "scorm12", "scorm2004", "cmi5", "imscc", "moodle-xml", "gift", "qti12",
           "qti21", "field-pack", "single-file"}


# --- the XML as Moodle wrote it (read here with lxml, not with the importer) ---------------

def questions_in(path: Path) -> dict[str, Any]:
    """Every non-category question of a Moodle XML file, by its name."""
    root = etree.parse(str(path)).getroot()
    return {text_of_html(q.findtext("name/text")): q for q in root.iter("question")
            if q.get("type") != "category"}


def xml_question(file: str, name: str) -> Any:
    return questions_in(REAL / file)[name]


def text_of(node: Any | None) -> str:
    """A text field as a reader sees it: tags out, images as [alt], spaces collapsed."""
    if node is None:
        return ""
    raw = node.findtext("text") or ""
    raw = re.sub(r"<img\b[^>]*\balt=\"([^\"]*)\"[^>]*>", r"[\1]", raw)
    raw = re.sub(r"<[^>]+>", " ", raw)
    return " ".join(html.unescape(raw).split())


def md_text(markdown: str) -> str:
    """A Markdown field as a reader sees it, in the same terms as ``text_of``."""
    shown = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"[\1]", markdown)
    shown = re.sub(r"\\([\\`*_{}\[\]()#+\-.!])", r"\1", shown)
    return " ".join(shown.split())


def hints_of(node: Any) -> list[str]:
    return [text_of(h) for h in node.iterchildren("hint")]


def answers_of(node: Any) -> list[tuple[str, float, str]]:
    return [(text_of(a), float(a.get("fraction")), text_of(a.find("feedback")))
            for a in node.iterchildren("answer")]


# --- the import ---------------------------------------------------------------------------

@pytest.fixture
def imported(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    monkeypatch.chdir(tmp_path)
    result = run("import", *[str(p) for p in BANKS])
    assert result.exit_code == 0, result.output
    return tmp_path / NEW_COURSE, result.output


def by_title(root: Path) -> dict[str, Question]:
    course, problems = load_course(root)
    assert not [p for p in problems if p.is_error], problems
    return {q.title: q for _, q in course.questions()}


def loaded(root: Path) -> Course:
    course, _ = load_course(root)
    return course


def test_every_file_imports_at_once_into_a_new_course(run: Run,
                                                      imported: tuple[Path, str]) -> None:
    root, output = imported
    assert f"created course {NEW_COURSE}" in output
    assert "imported 25 questions, 4 kept as comments (NOT IMPORTED)\n" in output
    assert f"next: coursepack build {NEW_COURSE}" in output
    assert run("validate", str(root)).exit_code == 0
    course = loaded(root)
    titles = [q.title for q in course.quizzes]
    # one quiz per category of each file; a title met again is the same name, a new quiz
    c1, tq = "Default for C1", "Test questions"
    assert titles == [c1, tq, tq, c1, tq, tq, c1, c1, "Default for Test images in backup", c1,
                      c1, "Alpha", "Alpha", "Iota", "Kappa", "Lambda", "Mu", "Alpha",
                      "xmlformat.broken cloze questions", "xmlformat.error invalid grades",
                      "Default for Test images in backup", "Tau", "Sigma"]
    assert len(list(course.questions())) == 25


@pytest.mark.pdf
def test_the_new_course_builds_into_every_format_and_passes_check(
        run: Run, imported: tuple[Path, str], tmp_path: Path) -> None:
    root, _ = imported
    result = run("build", str(root), "--out", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    built = {p.name for p in (tmp_path / "out").iterdir() if p.is_dir() and any(p.iterdir())}
    assert built == FORMATS
    checked = run("check", str(root))
    assert checked.exit_code == 0, checked.output
    assert "\n0 errors," in checked.output


@pytest.mark.pdf
def test_into_the_starter_course_it_builds_and_passes_check(run: Run, course: Path,
                                                            tmp_path: Path) -> None:
    before = (course / "course.yaml").read_text()
    result = run("import", *[str(p) for p in BANKS], "--into", str(course))
    assert result.exit_code == 0, result.output
    assert "imported 25 questions, 4 kept as comments" in result.output
    assert (course / "course.yaml").read_text().startswith(before.rstrip("\n"))
    assert (course / "quizzes" / "images" / "moodle.png").is_file()
    built = run("build", str(course), "--out", str(tmp_path / "out"), "-q")
    assert built.exit_code == 0, built.output
    assert {p.name for p in (tmp_path / "out").iterdir() if p.is_dir() and any(p.iterdir())} == FORMATS
    checked = run("check", str(course))
    assert checked.exit_code == 0, checked.output
    # the starter's own quizzes are still there, beside the bank's
    mine = loaded(course)
    assert len(mine.quizzes) > 23 and "water-litres" not in {q.id for _, q in mine.questions()}


# --- each type against its XML ------------------------------------------------------------

def common(question: Question, node: Any) -> None:
    """Stem, general and combined feedback, hints and marks, as the XML has them."""
    assert md_text(question.stem) == text_of(node.find("questiontext"))
    assert md_text(question.feedback.general) == text_of(node.find("generalfeedback"))
    if node.find("correctfeedback") is not None:  # a type with combined feedback
        assert md_text(question.feedback.correct) == text_of(node.find("correctfeedback"))
        assert md_text(question.feedback.partial) == \
            text_of(node.find("partiallycorrectfeedback"))
    assert [md_text(h) for h in question.hints] == hints_of(node)
    if node.findtext("defaultgrade") is not None:
        assert question.points == float(node.findtext("defaultgrade"))


def test_multichoice_several_answers(imported: tuple[Path, str]) -> None:
    root, _ = imported
    node = xml_question("multichoice.testquestion.moodle.xml", "Multi-choice-001")
    question = by_title(root)["Multi-choice-001"]
    assert isinstance(question, MultipleResponse)
    common(question, node)
    assert md_text(question.feedback.incorrect) == "Your answer is incorrect."
    answers = answers_of(node)
    assert [md_text(c.text) for c in question.choices] == [a for a, _, _ in answers]
    assert [c.correct for c in question.choices] == [f > 0 for _, f, _ in answers]
    assert [f for _, f, _ in answers] == [0, 0, 50, 0, 50]
    # two right answers at 50% and no negative fraction: partial credit, no negative marking
    assert question.scoring is Scoring.PARTIAL and not question.negative_marking
    quiz = next(q for q in loaded(root).quizzes if question in q.questions)
    assert quiz.settings.shuffle_options is True  # <shuffleanswers>true


def test_truefalse(imported: tuple[Path, str]) -> None:
    root, _ = imported
    node = xml_question("truefalse.testquestion.moodle.xml", "true-false-001")
    question = by_title(root)["true-false-001"]
    assert isinstance(question, TrueFalse)
    common(question, node)
    assert question.answer is True  # fraction 100 on "true"
    assert question.feedback_true == "This is the right answer."
    assert question.feedback_false == "This is the wrong answer."


def test_shortanswer_keeps_the_full_marks_answer_and_warns_of_the_partial_one(
        imported: tuple[Path, str]) -> None:
    root, output = imported
    node = xml_question("shortanswer.testquestion.moodle.xml", "shortanswer-001")
    question = by_title(root)["shortanswer-001"]
    assert isinstance(question, ShortAnswer)
    common(question, node)
    assert answers_of(node) == [("frog", 100, "Frog is a very good answer."),
                                ("toad", 80, "Toad is an OK good answer."),
                                ("*", 0, "That is a bad answer.")]
    assert question.answers == ("frog",) and not question.case_sensitive  # usecase 0
    assert question.feedback.correct == "Frog is a very good answer."
    assert question.feedback.incorrect == "That is a bad answer."
    assert ("shortanswer.testquestion.moodle.xml:12:1: warning: question 'shortanswer-001': "
            "the answer 'toad' (worth 80%) is left out: a short answer is right or wrong"
            ) in output
    quiz = next(p for p in (root / "quizzes").glob("*.yaml")
                if "shortanswer.testquestion" in p.read_text())
    assert ("  # the answer 'toad' (worth 80%) is left out: a short answer is right or wrong\n"
            "  - id: shortanswer-001\n") in quiz.read_text()


def test_numerical_answer_and_tolerance(imported: tuple[Path, str]) -> None:
    root, _ = imported
    node = xml_question("numerical.testquestion.moodle.xml", "Numerical-001")
    question = by_title(root)["Numerical-001"]
    assert isinstance(question, Numeric)
    common(question, node)
    answer = node.find("answer")
    assert (answer.findtext("text"), answer.findtext("tolerance")) == ("6.25", "0.05")
    assert question.answer.value == 6.25 and question.answer.tolerance == 0.05
    assert question.answer.bounds == pytest.approx((6.2, 6.3))
    assert question.unit == ""


def test_matching_pairs_and_the_answer_without_a_prompt(imported: tuple[Path, str]) -> None:
    root, _ = imported
    node = xml_question("match.testquestion.moodle.xml", "matching-001")
    question = by_title(root)["matching-001"]
    assert isinstance(question, Matching)
    common(question, node)
    subs = [(text_of(s), s.findtext("answer/text")) for s in node.iterchildren("subquestion")]
    assert [(p.prompt, p.match) for p in question.pairs] == [s for s in subs if s[0]]
    assert question.distractors == tuple(a for p, a in subs if not p) == ("insect",)


def test_ordering_items_in_their_order_and_its_id_number(imported: tuple[Path, str]) -> None:
    root, _ = imported
    node = xml_question("ordering.testquestion.moodle.xml", "dd-ordering 1")
    question = by_title(root)["dd-ordering 1"]
    assert isinstance(question, Ordering)
    common(question, node)
    ranked = sorted(answers_of(node), key=lambda a: a[1])
    assert question.items == tuple(a for a, _, _ in ranked) == (
        "Modular", "Object", "Oriented", "Dynamic", "Learning", "Environment")
    assert question.id == node.findtext("idnumber") == "dd1"


@pytest.mark.parametrize(("file", "name"), [
    ("gapselect.testquestion.moodle.xml", "Imported Select missing words 001"),
    ("ddwtos.testquestion.moodle.xml", "Imported Drag and drop into text 001"),
])
def test_select_missing_words_gaps_become_drop_downs(imported: tuple[Path, str], file: str,
                                                    name: str) -> None:
    root, _ = imported
    node = xml_question(file, name)
    question = by_title(root)[name]
    assert isinstance(question, FillBlanks)
    options = [o.findtext("text") for o in node.iterchildren("selectoption")]
    gaps = [int(n) for n in re.findall(r"\[\[(\d+)\]\]", node.findtext("questiontext/text"))]
    assert [(b.kind, b.answers, b.options) for b in question.blanks] == [
        (BlankKind.DROPDOWN, (options[n - 1],), tuple(options)) for n in gaps]
    assert question.text == "The [[b1]] [[b2]] on the [[b3]]."
    # the text starts with a gap: the model's stem is new, and the file says so
    assert question.stem == "Fill in the blanks."
    assert md_text(question.feedback.general) == text_of(node.find("generalfeedback"))
    assert md_text(question.feedback.correct) == text_of(node.find("correctfeedback"))
    assert md_text(question.feedback.incorrect) == text_of(node.find("incorrectfeedback"))
    assert [md_text(h) for h in question.hints] == hints_of(node)
    quiz = next(p for p in (root / "quizzes").glob("*.yaml") if file in p.read_text())
    assert "  # the source has no text before its first gap: the stem is new\n" \
        in quiz.read_text()


def test_cloze_with_images(imported: tuple[Path, str]) -> None:
    root, output = imported
    node = xml_question("xmlformat.multianswer.xml", "cloze with images")
    assert node.get("type") == "cloze"
    question = by_title(root)["cloze with images"]
    assert isinstance(question, FillBlanks)
    assert question.stem == "Match the following cities with the correct state,"
    assert [(b.kind, b.answers, b.options, b.points) for b in question.blanks] == [
        (BlankKind.DROPDOWN, ("California",), ("California", "Arizona"), 1),
        (BlankKind.DROPDOWN, ("Arizona",), ("California", "Arizona"), 1),
        (BlankKind.DROPDOWN, ("California",), ("California", "Arizona"), 1),
        (BlankKind.DROPDOWN, ("Arizona",), ("California", "Arizona"), 1),
        (BlankKind.TEXT, ("Paris",), (), 1),
    ]
    assert question.points == 5  # the sum of the gaps' weights, as Moodle counts it
    # the images travel byte for byte, under their own names
    files = {f.get("name"): base64.b64decode(f.text) for f in node.iter("file")}
    for name in ("california-state-flag.png", "arizona_2.png", "moodle.png"):
        assert (root / "quizzes" / "images" / name).read_bytes() == files[name]
    assert [a.path.name for a in question.text.assets] == ["california-state-flag.png",
                                                         "arizona_2.png"]
    assert question.feedback.general == \
        "This is a Moodle question ![Moodle logo](images/moodle.png)"
    where = "xmlformat.multianswer.xml:12:1: warning: question 'cloze with images': "
    for gap in range(1, 6):
        assert (f"{where}gap b{gap}: the feedback of its answers is left out (a blank has "
                "none of its own)") in output
    assert f"{where}gap b5: answers worth part of its marks (Marseille) are left out" in output


def test_essay_word_limit(imported: tuple[Path, str]) -> None:
    root, _ = imported
    node = xml_question("essay.testquestion.moodle.xml", "essay-001")
    question = by_title(root)["essay-001"]
    assert isinstance(question, Essay)
    common(question, node)
    assert (question.min_words, question.max_words) == (0, 20)  # <minwordlimit></minwordlimit>
    assert question.grader_notes == "" and question.response_template == ""


def test_description_keeps_its_general_feedback(imported: tuple[Path, str]) -> None:
    root, _ = imported
    node = xml_question("description.testquestion.moodle.xml", "description-001")
    question = by_title(root)["description-001"]
    assert isinstance(question, Description)
    assert question.stem == "Instructions about the following questions."
    assert question.points == 0
    assert md_text(question.feedback.general) == text_of(node.find("generalfeedback"))


def test_categories_become_quizzes_with_their_descriptions(imported: tuple[Path, str]) -> None:
    root, _ = imported
    course = loaded(root)
    quizzes = {q.title: q for q in course.quizzes}
    nested = etree.parse(str(REAL / "xmlformat.nested_categories_with_questions.xml"))
    infos = {c.findtext("category/text").rsplit("/", 1)[-1]: c.findtext("info/text")
             for c in nested.iter("question") if c.get("type") == "category"}
    assert infos == {"Iota": "This is Iota category for test",
                     "Kappa": "This is Kappa category for test",
                     "Lambda": "This is Lambda category for test",
                     "Mu": "This is Mu category for test"}
    for name, info in infos.items():  # plain_text, markdown and moodle_auto_format infos
        assert quizzes[name].description == info
    assert [q.title for q in quizzes["Kappa"].questions] == ["Kappa Essay Question",
                                                            "Kappa Question"]
    kappa_essay = quizzes["Kappa"].questions[0]
    assert isinstance(kappa_essay, Essay) and kappa_essay.stem == "Testing Kappa Essay Question"
    alphas = [q for q in course.quizzes if q.title == "Alpha"]
    assert [a.description for a in alphas] == ["This is Alpha category for test"] * 3
    assert all(isinstance(a.questions[0], TrueFalse) and a.questions[0].answer for a in alphas)


def test_moodles_broken_cloze_questions_are_kept_as_commented_blocks_at_their_line(
        imported: tuple[Path, str]) -> None:
    root, output = imported
    quiz = (root / "quizzes" / "xmlformat-broken-cloze-questions.yaml").read_text()
    lines = (REAL / BROKEN).read_text().splitlines()
    for line, (name, why) in KEPT.items():
        assert lines[line - 1] == '  <question type="cloze">'
        assert (f"{BROKEN}:{line}:1: warning: question '{name}': an embedded-answers (cloze) "
                f"question: {why}; kept as a comment in the quiz file") in output
        assert (f"  # NOT IMPORTED ({BROKEN}:{line}:1): an embedded-answers (cloze) "
                f"question: {why}\n  # The source, kept so that nothing is lost:\n"
                '  #   <question type="cloze">\n'
                f"  #     <name>\n  #       <text>{name}</text>\n") in quiz
    # the source of each kept question is in the file, line for line
    body = lines[68:81]
    assert "\n".join(f"  #   {t[2:]}".rstrip() for t in body) in quiz
    # a gap with one choice is a question the model holds; Moodle's pre-flight says Moodle
    # would refuse it again
    one = by_title(root)["Multichoice subquestion with only one choice"]
    assert isinstance(one, FillBlanks) and one.blanks[0].options == ("Apple",)


def test_an_id_number_with_html_characters_becomes_a_readable_id(
        imported: tuple[Path, str]) -> None:
    root, _ = imported
    node = xml_question("xmlformat.html_chars_in_idnumbers.xml", "Alpha Question")
    assert node.findtext("idnumber") == "T & F"
    ids = {q.id for _, q in loaded(root).questions() if q.title == "Alpha Question"}
    assert "t-f" in ids


def test_answers_written_in_moodles_editor_become_plain_text(imported: tuple[Path, str]
                                                             ) -> None:
    root, output = imported
    name = "Question with invalid grades : x > 1 & x < 2"
    node = xml_question("xmlformat.error_invalid_grades.xml", name)
    assert node.find("answer/text").text == '<p dir="ltr" style="text-align: left;">1<br></p>'
    question = by_title(root)[name]
    assert isinstance(question, MultipleResponse)
    assert question.stem == "Select all prime numbers :"
    assert [c.text for c in question.choices] == ["1", "2", "3", "4", "5"]
    assert [c.correct for c in question.choices] == [f > 0 for _, f, _ in answers_of(node)] \
        == [False, True, True, False, True]
    # two wrong answers at -50%: negative marking, each an equal share
    assert question.negative_marking and question.scoring is Scoring.PARTIAL
    assert (f"xmlformat.error_invalid_grades.xml:4:1: warning: question '{name}': its correct "
            "answers carry different weights (33%, 33.3333%, 33.3333%); the model shares the "
            "marks equally between them") in output


def test_the_image_of_moodle_19s_own_field_follows_the_question_text(
        imported: tuple[Path, str]) -> None:
    root, _ = imported
    file = "xmlformat.sample_questions_with_old_image_tag.xml"
    picture = base64.b64decode(xml_question(file, "mcq with image").findtext("image_base64"))
    assert (root / "quizzes" / "images" / "moodle.png").read_bytes() == picture
    questions = by_title(root)
    mcq = questions["mcq with image"]
    assert mcq.stem.endswith(" ![](images/moodle.png)")
    assert [c.text for c in mcq.choices] == ["wrong answer", "another wrong answer",
                                             "right answer"]
    cloze = questions["cloze question with image"]
    assert isinstance(cloze, FillBlanks) and len(cloze.blanks) == 5
    assert cloze.text.endswith("![](images/moodle.png)")
    assert [a.path.name for a in cloze.text.assets] == ["moodle.png"]


def test_wrong_answers_without_feedback_lose_nothing_and_say_nothing(
        imported: tuple[Path, str]) -> None:
    root, output = imported
    node = xml_question("xmlformat.categories_reverse_order.xml", "Sigma Question")
    assert answers_of(node) == [("yes", 100, ""), ("no", 0, ""), ("may be", 0, "")]
    question = by_title(root)["Sigma Question"]
    assert isinstance(question, ShortAnswer) and question.answers == ("yes",)
    assert "'no'" not in output and "'may be'" not in output
    course = loaded(root)
    tau, sigma = (next(q for q in course.quizzes if q.title == t) for t in ("Tau", "Sigma"))
    assert (tau.description, sigma.description) == ("This is Tau category for test",
                                                    "This is Sigma category for test")
    assert course.quizzes.index(tau) < course.quizzes.index(sigma)  # as the file has them


def test_a_single_question_without_its_quiz_is_refused_with_the_reason(run: Run,
                                                                       tmp_path: Path) -> None:
    fragment = REAL / "ordering.testexport.moodle.xml"
    result = run("import", str(fragment), "--into", str(tmp_path / "c"))
    assert result.exit_code == 1
    assert ("ordering.testexport.moodle.xml: error: cannot tell which question-bank format "
            "this file is") in result.output
    named = run("import", str(fragment), "--from", "moodle-xml", "--into", str(tmp_path / "c"))
    assert named.exit_code == 1
    assert ("ordering.testexport.moodle.xml:2:1: error: not a Moodle XML question bank: the "
            "document is <question>, not <quiz>") in named.output
    assert not (tmp_path / "c").exists()


# --- back out to Moodle XML ---------------------------------------------------------------

def moodle_reading(node: Any) -> dict[str, Any]:
    """What a Moodle site reads from one question, in comparable terms."""
    kind = node.get("type")
    read: dict[str, Any] = {"type": {"matching": "match", "cloze": "multianswer"}.get(kind, kind)}
    text = node.find("questiontext/text").text or ""
    gaps: list[Any] = []
    if kind == "gapselect":
        options = [o.findtext("text") for o in node.iterchildren("selectoption")]
        for n in re.findall(r"\[\[(\d+)\]\]", text):
            gaps.append(("MULTICHOICE", tuple((o, 100.0 if i == int(n) - 1 else 0.0, "")
                                              for i, o in enumerate(options))))
        text = re.sub(r"\[\[\d+\]\]", "{gap}", text)
    elif kind in ("cloze", "multianswer"):
        for _, sub, body in re.findall(r"\{(\d*):([A-Z_]+):((?:\\.|[^}\\])*)\}", text):
            alternatives = []
            for alt in re.split(r"(?<!\\)~", body):
                m = re.match(r"^(=|%-?\d+%)?([^#]*)(?:#(.*))?$", alt, re.S)
                assert m, alt
                grade = 100.0 if m.group(1) == "=" else float((m.group(1) or "%0%")[1:-1])
                alternatives.append((m.group(2), grade, text_of_html(m.group(3) or "")))
            gaps.append((sub, tuple(alternatives)))
        text = re.sub(r"\{(\d*):([A-Z_]+):((?:\\.|[^}\\])*)\}", "{gap}", text)
    old_image = node.findtext("image")  # Moodle 1.9's field: Moodle puts it after the text
    read["questiontext"] = text_of_html(text + (' <img alt="">' if old_image else ""))
    read["gaps"] = gaps
    for field in ("generalfeedback", "correctfeedback", "partiallycorrectfeedback",
                  "incorrectfeedback", "graderinfo", "responsetemplate"):
        read[field] = text_of(node.find(field))
    read["hints"] = hints_of(node)
    answers = answers_of(node)
    if kind == "ordering":
        read["answers"] = [a for a, _, _ in sorted(answers, key=lambda a: a[1])]
        read["answer feedback"] = [f for _, _, f in answers]
    else:
        read["answers"] = answers
    tolerances = [float(a.findtext("tolerance")) for a in node.iterchildren("answer")
                  if a.findtext("tolerance")]
    read["tolerance"] = tolerances or None
    read["subquestions"] = [(text_of(s), s.findtext("answer/text"))
                            for s in node.iterchildren("subquestion")]
    for field in ("defaultgrade", "penalty"):
        value = node.findtext(field)
        read[field] = float(value) if value else None
    for field in ("single", "usecase", "shuffleanswers"):
        value = (node.findtext(field) or "").strip().lower()
        read[field] = {"true": True, "1": True, "false": False, "0": False}.get(value)
    for field in ("minwordlimit", "maxwordlimit", "responseformat", "responsefieldlines",
                  "attachments", "layouttype", "selecttype", "gradingtype", "idnumber"):
        read[field] = (node.findtext(field) or "").strip() or None
    return read


def text_of_html(raw: str) -> str:
    raw = re.sub(r"<img\b[^>]*\balt=\"([^\"]*)\"[^>]*>", r"[\1]", raw)
    raw = re.sub(r"<[^>]+>", " ", raw)
    return " ".join(html.unescape(raw).split())


# What Moodle gets back that differs from what it exported. Each names the words of its
# declaration: in docs/import.md (the importer's losses) or in `coursepack check`'s output
# (the Moodle XML export's own pre-flight warnings).
DECLARED_EVERYWHERE = {
    "penalty": "penalty",
    "responsefieldlines": "size of the response box",
    "layouttype": "layout",
    "idnumber": "made into an id of letters, digits and hyphens",
}
DECLARED = {
    ("shortanswer-001", "answers"): "answers worth part of the marks are left out",
    ("cloze with images", "gaps"): "per-answer feedback in a gap and partial-credit answers "
                                   "are left out",
    ("cloze with images", "defaultgrade"): "Moodle makes an embedded-answers (cloze) question "
                                           "worth the sum of its gaps",
}
DECLARED.update({
    ("Sigma Question", "answers"): "other 0% answers are wrong as every answer not accepted "
                                   "is, so only their own feedback is lost",
    ("Question with invalid grades : x > 1 & x < 2", "answers"):
        "Unequal positive weights become equal shares",
    ("cloze question with image", "gaps"): "per-answer feedback in a gap and partial-credit "
                                           "answers are left out",
    ("cloze question with image", "questiontext"): "Fill in the blanks.",
    ("cloze question with image", "shuffleanswers"): "a quiz whose questions disagree does "
                                                     "not shuffle",
    ("mcq with image", "shuffleanswers"): "a quiz whose questions disagree does not shuffle",
    ("Multichoice subquestion with only one choice", "gaps"): "per-answer feedback in a gap",
    ("Multichoice subquestion with only one choice", "questiontext"): "Fill in the blank.",
})
for _name in ("Imported Select missing words 001", "Imported Drag and drop into text 001"):
    DECLARED.update({
        (_name, "type"): "gapselect, ddwtos",
        (_name, "questiontext"): "Fill in the blanks.",
        (_name, "correctfeedback"): "Moodle's embedded-answers (cloze) question keeps no "
                                    "correct feedback",
        (_name, "partiallycorrectfeedback"): "keeps no correct feedback and no partial "
                                             "feedback",
        (_name, "incorrectfeedback"): "and no incorrect feedback",
        (_name, "defaultgrade"): "Moodle makes an embedded-answers (cloze) question worth "
                                 "the sum of its gaps",
        (_name, "shuffleanswers"): "gapselect, ddwtos",
    })


@pytest.mark.parametrize("file", [p.name for p in BANKS])
def test_sent_back_to_moodle_each_question_differs_only_where_declared(
        run: Run, tmp_path: Path, file: str) -> None:
    root = tmp_path / "c"
    imported = run("import", str(REAL / file), "--into", str(root))
    assert imported.exit_code == 0, imported.output
    built = run("build", str(root), "-f", "moodle-xml", "--out", str(tmp_path / "out"))
    assert built.exit_code == 0, built.output
    check = run("check", str(root), "--target", "moodle").output
    declarations = (REPO / "docs" / "import.md").read_text() + check
    (exported_file,) = (tmp_path / "out" / "moodle-xml").glob("*.xml")
    exported = questions_in(exported_file)
    undeclared, unexplained = [], []
    originals = questions_in(REAL / file)
    kept = {name for name, _ in KEPT.values()} if file == BROKEN else set()
    assert set(exported) == set(originals) - kept
    for name, node in originals.items():
        if name in kept:
            continue
        before, after = moodle_reading(node), moodle_reading(exported[name])
        for field, value in before.items():
            if value is None or value in ("", []):
                continue  # nothing was said, nothing to keep
            if field == "idnumber" and value == after[field]:
                continue
            if after[field] == value:
                continue
            why = DECLARED.get((name, field)) or DECLARED_EVERYWHERE.get(field)
            if why is None:
                undeclared.append(f"{name}: {field}: {value!r} came back as {after[field]!r}")
            elif " ".join(why.split()) not in " ".join(declarations.split()):
                unexplained.append(f"{name}: {field}: '{why}' is declared nowhere")
    assert not undeclared, "\n".join(undeclared)
    assert not unexplained, "\n".join(unexplained)


def categories_in(path: Path) -> list[tuple[str, str]]:
    """Each category's last name and description, as Moodle shows them."""
    root = etree.parse(str(path)).getroot()
    return [(q.findtext("category/text").rsplit("/", 1)[-1], text_of(q.find("info")))
            for q in root.iter("question") if q.get("type") == "category"]


def test_sent_back_to_moodle_categories_keep_their_names_and_lose_what_is_declared(
        run: Run, tmp_path: Path) -> None:
    bank = REAL / "xmlformat.nested_categories_with_questions.xml"
    root = tmp_path / "c"
    assert run("import", str(bank), "--into", str(root)).exit_code == 0
    assert run("build", str(root), "-f", "moodle-xml", "--out", str(tmp_path / "o")).exit_code == 0
    (exported,) = (tmp_path / "o" / "moodle-xml").glob("*.xml")
    before, after = categories_in(bank), categories_in(exported)
    assert [n for n, _ in after] == [n for n, _ in before] == ["Iota", "Kappa", "Lambda", "Mu"]
    # the nesting and the descriptions do not go back: docs/import.md says so
    assert all(info == "" for _, info in after)
    declared = " ".join((REPO / "docs" / "import.md").read_text().split())
    assert "the nesting of categories (each category is a quiz of its own" in declared
    assert "which the Moodle XML export does not write back" in declared
