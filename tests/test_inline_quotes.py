"""Words in quotation marks inside lessons, notes and questions: a trainer who writes
"the guide says ..." must quote the guide, or say that the words are not a quote."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.checks.quotes import (
    NOT_A_QUOTE,
    claims_words,
    fragments,
    index,
    passage_found,
    quoted_passages,
)
from tests.conftest import Run

LESSON = "modules/writing-questions/one-idea.yaml"
# Line 5: right. Line 6: wrong (col 3). Line 7: marked. Line 8: right across "know-\nledge".
# Line 9: quotation marks in code are not prose.
LESSON_TEXT = """\
title: One idea per question
duration: 15
objectives: [wq-stem, wq-options]
body: |
  The guide says "A good question tests one idea" and warns that
  "the longest option is always the correct one", which it does not say.
  Our own rule is "cover the options before you answer"<!-- not a source quote -->.
  Over a line-end hyphen: "They reward partial knowledge and tell the learner little."
  In code, `"this is not prose at all"` is skipped.
quotes:
  - text: A good question tests one idea.
    source: item-guide
    locator: paragraph 1
"""


def write_lesson(course: Path) -> None:
    (course / LESSON).write_text(LESSON_TEXT, encoding="utf-8")


def test_a_wrong_quotation_is_a_warning_at_its_opening_mark(course: Path, run: Run) -> None:
    write_lesson(course)
    result = run("validate", str(course))
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "[inline-quote]" in line]
    assert lines == [
        f'{LESSON}:6:3: warning: quoted passage "the longest option is always the correct one" '
        "is not in the sources [inline-quote]"
    ]
    assert "0 errors, 1 warning" in result.output
    assert 'nearest passage (sources/item-writing-guide.txt, line 5): "the longest option is' \
        in result.output
    assert "the quote has 'always' where the source has 'too often'" in result.output
    assert NOT_A_QUOTE in result.output  # the hint shows how to mark words that are not a quote


def test_strict_validation_makes_it_an_error(course: Path, run: Run) -> None:
    write_lesson(course)
    result = run("validate", "--strict", str(course))
    assert result.exit_code == 1
    assert f"{LESSON}:6:3: error: quoted passage" in result.output


def test_the_build_stops_under_strict_and_passes_once_fixed(course: Path, run: Run,
                                                             tmp_path: Path) -> None:
    write_lesson(course)
    out = tmp_path / "out"
    assert run("build", "--strict", str(course), "-f", "html", "--out", str(out)).exit_code == 1
    lesson = course / LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "always the correct one", "too often the correct one"), encoding="utf-8")
    result = run("validate", "--strict", str(course))
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output


def test_a_folded_question_stem_is_located_on_its_own_line(course: Path, run: Run) -> None:
    quiz = course / "quizzes" / "writing-questions.yaml"
    text = quiz.read_text(encoding="utf-8")
    first = text.index("    stem:")
    end = text.index("\n", first)
    stem = (
        "    stem: >-\n"
        "      A colleague's handout says, in\n"
        "      quotation marks, «every option should be the same length exactly». What is wrong?"
    )
    quiz.write_text(text[:first] + stem + text[end:], encoding="utf-8")
    line = text[:first].count("\n") + 3
    result = run("validate", str(course))
    expected = (f"quizzes/writing-questions.yaml:{line}:24: warning: quoted passage "
                '"every option should be the same length exactly" is not in the sources')
    assert expected in result.output, result.output


def test_titles_of_the_course_and_its_sources_are_references_not_quotes(
        course: Path, run: Run) -> None:
    lesson = course / LESSON
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace(
        "## Start from the stem",
        '## Start from the stem\n\n  Read "A short guide to writing quiz items" and the lesson'
        ' "Feedback that teaches".'), encoding="utf-8")
    result = run("validate", "--strict", str(course))
    assert result.exit_code == 0, result.output


def test_a_lesson_that_does_not_load_leaves_its_title_a_reference(course: Path, run: Run) -> None:
    """The starter's quiz names the lesson "One idea per question" in its feedback. With
    that lesson's file broken, the only problem is the broken file, not a false warning
    that the title is not in the sources."""
    lesson = course / LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "duration: 15", "duration: [15"), encoding="utf-8")
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert "One idea per question" in (course / "quizzes" / "writing-questions.yaml").read_text()
    assert "[inline-quote]" not in result.output, result.output
    assert f"{LESSON}:3:11: error: YAML syntax error" in result.output
    assert "1 error, 0 warnings" in result.output


def test_passages_are_found_outside_code_tags_and_link_targets() -> None:
    text = (
        'He said “one two three four” and "five six seven eight"<!-- not a source quote -->.\n'
        '`"code is not prose here"` <img alt="an image described in words"> '
        '[a link](file.pdf "a link title in quotes")\n\n'
        '"an unclosed mark\n\nstops at the paragraph" «le texte entre guillemets ici»'
    )
    found = [(p.text, p.marked) for p in quoted_passages(text)]
    assert found == [
        ("one two three four", False),
        ("five six seven eight", True),
        ("le texte entre guillemets ici", False),
    ]
    assert text[quoted_passages(text)[0].offset] == "“"


def test_short_passages_and_editorial_marks() -> None:
    assert not claims_words("two feet in")
    assert claims_words("Minimal, if at all")
    assert fragments("where confict [sic] is still ongoing ... not yet taken root.") == [
        "where confict", "is still ongoing", "not yet taken root"]
    guide = "Avoid \"all of the above\". They reward partial know-\nledge and tell the learner."
    assert passage_found("They reward partial knowledge", [guide])
    assert passage_found("All of the above", [guide])  # a sentence's capital is allowed
    assert not passage_found("all of THE above", [guide])
    assert not passage_found("Avoid all of the above", [guide])


def test_source_lines_are_indexed_in_one_pass() -> None:
    text = "".join(f"line {n} has words\n\n" for n in range(1, 2001))
    indexed = index(text)
    assert indexed.lines[indexed.words.index("1999")] == 2 * 1999 - 1
    assert indexed.lines[0] == 1


WATER = ("Never drink river water. Boiled water is safe for children. "
         "Untreated wells are dangerous.")


@pytest.mark.parametrize("passage", [
    "Treated wells are dangerous",          # inside "Untreated", first letter raised
    "ever drink river water",               # part of a word
    "rink river water. Boil",
    "Children ... drink ... river water ... is safe",  # found, but not in this order
    "wells are dangerous ... Never drink",  # the order reversed
    "Never ... water ... safe ... children",  # single words prove nothing
])
def test_a_passage_that_changes_the_source_is_not_found(passage: str) -> None:
    assert not passage_found(passage, [WATER])


@pytest.mark.parametrize("passage", [
    "never drink river water",  # its first letter lowered as it runs on in a sentence
    "Never drink river water ... Boiled water is safe",
    "Boiled water is safe [for young] children",
])
def test_a_true_passage_is_found(passage: str) -> None:
    assert passage_found(passage, [WATER])


def test_the_fragments_of_a_passage_come_from_one_source() -> None:
    assert not passage_found("Never drink river water ... the refugees were protected",
                             [WATER, "In 1951 the refugees were protected by law."])


def test_an_insertion_may_stand_beside_one_word() -> None:
    assert passage_found("They [the refugees] were protected by the law",
                         ["They were protected by the law of 1951."])


def test_a_wrong_quotation_in_an_escaped_field_is_not_placed_in_the_next(
        course: Path, run: Run) -> None:
    """The summary writes its quotation marks as YAML escapes; the body below quotes the
    same words rightly. The warning is the summary's, at the summary."""
    write_lesson(course)
    lesson = course / LESSON
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace(
        "objectives: [wq-stem, wq-options]\n",
        'objectives: [wq-stem, wq-options]\n'
        'summary: "Intro \\u201cA good question tests two ideas at once\\u201d here."\n', 1)
        .replace("The guide says", "The guide says \u201cA good question tests one idea\u201d;"),
        encoding="utf-8")
    result = run("validate", str(course))
    lines = [line for line in result.output.splitlines()
             if "[inline-quote]" in line and "two ideas" in line]
    assert len(lines) == 1 and lines[0].startswith(f"{LESSON}:4:10: warning:"), result.output


LAW = ("the State shall not expel the refugees unlawfully. Les réfugiés, dit le texte, sont "
       "protégés par la loi. İstanbul'da yaşayan mülteciler koruma altındadır.")


@pytest.mark.parametrize("passage", [
    "[T]he State shall not expel",         # a capital changed in brackets
    "the State shall not expel the refugee[s] unlawfully",
    "Les réfugiés (...) sont protégés par la loi",
    "Les réfugiés (…) sont protégés par la loi.\u201d",
    "istanbul'da yaşayan mülteciler koruma",  # Turkish: İ lowered is i
])
def test_editorial_marks_of_careful_quoting_are_read(passage: str) -> None:
    assert passage_found(passage, [LAW])


def test_an_ellipsis_in_brackets_does_not_get_round_the_two_word_rule() -> None:
    assert not passage_found("Refugees [...] shall [...] never [...] returned home",
                             ["Refugees shall be heard. Never were they returned home."])


def test_a_passage_in_a_script_without_spaces_is_checked_by_its_characters() -> None:
    source = "难民有权获得保护和援助。各国应当尊重这一权利。"
    assert passage_found("获得保护和援助", [source])
    assert claims_words("任何缔约国不得将难民驱逐出境")
    assert not passage_found("任何缔约国不得将难民驱逐出境", [source])


def test_a_compound_split_at_a_line_end_is_quoted_whole() -> None:
    assert passage_found("the principle of non-refoulement applies to everyone",
                         ["As the principle of non-\nrefoulement applies to everyone, ..."])


ARABIC_SOURCE = """\
تعمل المفوضية منذ عام 1950 على حماية اللاجئين.
وتقول إن الحماية الدولية حق لكل من فر من الاضطهاد، وبالحوار مع السلطات يبدأ الوصول،
والتفاوض يحتاج إلى صبر. كان اللاجئون في خطر دائم، وقدمت الدول الدعم للمفوضية السامية
لشؤون اللاجئين في العام الماضي.
"""


@pytest.mark.parametrize(("quoted", "found"), [
    # what is written joined before the article, left out as English leaves out "and the"
    ("«التفاوض يحتاج إلى صبر»", True),               # the source: والتفاوض
    ("«تفاوض يحتاج إلى صبر»", True),                 # و and ال
    ("«بالحوار مع السلطات يبدأ الوصول»", True),      # the source: وبالحوار
    ("«الحوار مع السلطات يبدأ الوصول»", True),       # و and ب
    ("«مفوضية السامية لشؤون اللاجئين»", True),      # ل and ال, written لل
    ("«مفوضية السامية لشؤون الأمم»", False),        # a word the source does not have
    ("«ان اللاجئون في خطر دائم»", False),           # كان "was" is not ك "like" and ان
    ("«تقول إن الحماية الدولية حق»", False),        # no article: و not told from a letter
    ("«الحماية الدولية حق لكل من هرب»", False),    # a word the source does not have
], ids=["and", "and-the", "and-before-with-the", "and-with", "for-the", "for-the-misquoted",
        "was", "no-article", "misquoted"])
def test_an_arabic_quote_may_leave_out_what_is_written_joined_before_its_first_word(
        tmp_path: Path, run: Run, quoted: str, found: bool) -> None:
    """و (and), ب (with), ال (the) are written joined to the word after them; a quotation
    that starts after them (as an English one starts after "and the") was not found."""
    from tests.arabic_course import write_arabic_course

    course = write_arabic_course(tmp_path / "course")
    (course / "sources").mkdir()
    (course / "sources" / "unhcr.txt").write_text(ARABIC_SOURCE, encoding="utf-8")
    with (course / "course.yaml").open("a", encoding="utf-8") as yaml_file:
        yaml_file.write("sources:\n  - id: unhcr\n    file: sources/unhcr.txt\n"
                        "    title: المفوضية\n")
    lesson = course / "modules" / "access" / "asking.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8") + f"  تقول المفوضية {quoted}.\n",
                      encoding="utf-8")
    result = run("validate", "--strict", str(course))
    assert (result.exit_code == 0) is found, result.output
    if not found:
        assert "is not in the sources" in result.output
