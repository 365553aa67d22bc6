"""The quote verifier: forgiving of typography and line breaks, strict about words."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from coursepack._yaml import LINE_END
from coursepack.checks.quotes import _LINE_END_HYPHEN, found, index, nearest, normalise
from tests.conftest import REPO, Run

# The bundled course's own source texts, verbatim as received (typos and hyphenation kept).
CLEMENTS = (REPO / "sources" / "clements-2016.txt").read_text(encoding="utf-8")
TENNANT = (REPO / "sources" / "tennant-2009.txt").read_text(encoding="utf-8")


def test_normalisation_steps() -> None:
    assert normalise("\u201cA\u00a0b\u201d \u2018c\u2019\n\n d") == "\"A b\" 'c' d"
    assert normalise("ﬁne") == "fine"  # NFKC folds the ligature
    assert normalise("inter-\n\nnational", join_hyphens=True) == "international"
    assert normalise("inter-\n\nnational") == "inter- national"


@pytest.mark.parametrize(
    "quote",
    [
        "Humanitarian diplomacy does not have a clear definition in international law",
        "To address both the root causes of refugee movements and immediate threats to their safety, UNHCR",
        "humanitarian diplomacy was embraced, trained and practiced by the bureau's",
        "humanitarian diplomacy was embraced, trained and practiced by the bureau\u2019s",
    ],
)
def test_clements_quotes_are_found_across_line_end_hyphens(quote: str) -> None:
    assert found(quote, CLEMENTS)


@pytest.mark.parametrize(
    "quote",
    [
        # joined across the running header: not one passage of the source
        "To address both the root causes of refugee movements and immediate threats to their "
        "safety, UNHCR engages with political actors",
        # a silently corrected typo
        "where conflict is still ongoing",
        # a changed word
        "Humanitarian diplomacy has a clear definition in international law",
    ],
)
def test_quotes_the_source_does_not_contain_are_not_found(quote: str) -> None:
    assert not found(quote, CLEMENTS + TENNANT)


@pytest.mark.parametrize(("source", "quote"), [
    ("a \ufb01ne line-\nend \u201cquote\u201d", 'a fine lineend "quote"'),
    ("no\u00a0break and \uff21\uff22 wide", "no break and AB wide"),
    ("a small\ufe63\n  hyphen, folded first", "a smallhyphen, folded first"),
    ("\u0627\u0644\u0633\u0644\u0627\u0645-\n\u0639\u0644\u064a\u0643\u0645 \u0648",
     "\u0627\u0644\u0633\u0644\u0627\u0645\u0639\u0644\u064a\u0643\u0645 \u0648"),
])
def test_a_source_is_normalised_as_documented_before_a_quote_is_looked_for(
        source: str, quote: str) -> None:
    """NFKC, straight quotes, line-end hyphens joined, whitespace collapsed: in that order,
    over the whole source at once."""
    assert found(quote, "Before. " + source + " After.")


def test_a_large_source_is_searched_whole() -> None:
    """A handbook-sized source (about 1 MB here): the quote near its end is found, a
    changed word is not, and the nearest passage still names the right line."""
    filler = "Plain words of a long handbook, line after line.\n" * 20_000
    source = filler + "The last chapter ends with this sen-\ntence about access.\n"
    assert found("ends with this sentence about access", source)
    assert not found("ends with this sentence about entry", source)
    passage = nearest("ends with this sentence about entry", source)
    assert passage is not None and passage.line == 20_001


def test_the_typo_in_the_source_is_kept() -> None:
    assert found("where confict is still ongoing", TENNANT)


def test_nearest_passage_points_at_the_line() -> None:
    passage = nearest("the aim of humanitarian diplomacy is to protect and assist", CLEMENTS)
    assert passage is not None
    assert passage.text.startswith("the aim of humanitarian diplomacy is to protect")
    from_that_line = normalise("\n".join(CLEMENTS.splitlines()[passage.line - 1 :]))
    before_it = normalise("\n".join(CLEMENTS.splitlines()[passage.line :]))
    assert passage.text in from_that_line
    assert passage.text not in before_it


def test_empty_quote_is_never_found(tmp_path: Path) -> None:
    assert not found("   ", CLEMENTS)


def test_a_source_that_cannot_be_read_is_one_error_not_one_per_quote(
        course: Path, run: Run) -> None:
    """A trainer saves the guide from a word processor in the wrong encoding."""
    (course / "sources" / "item-writing-guide.txt").write_bytes("Caf\xe9 guide".encode("latin-1"))

    result = run("validate", str(course))

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("sources/item-writing-guide.txt:1:"), errors
    assert "inline-quote" not in result.stderr and "quote not found" not in result.stderr


WATER = "Unsafe water kills. Never drink river water. Boiled water is safe for children.\n"


@pytest.mark.parametrize("quote", ["safe water kills", "ater kills", "Unsafe wat", ".", "…",
                                   "U", "ever drink river water"])
def test_a_quote_is_found_as_whole_words_only(quote: str) -> None:
    """Part of a word changes it: "safe water kills" reverses what the source says."""
    assert not found(quote, WATER)


def test_whole_words_are_found_wherever_they_stand() -> None:
    assert found("Unsafe water kills.", WATER)
    assert found("water kills. Never", WATER)
    assert found("safe for children", WATER)  # the second "safe" is a word of its own
    assert found("élan vital", "Un élan vital, dit-il.")
    assert not found("lan vital", "Un élan vital, dit-il.")
    assert found("للاجئين", "حماية للاجئين في كل مكان")
    assert not found("لاجئين", "حماية للاجئين في كل مكان")


@pytest.mark.parametrize("line_end", ["\r\n", "\r", "\u2028", "\f"])
def test_a_word_split_at_the_end_of_any_kind_of_line_is_joined(line_end: str) -> None:
    source = f"Cholera and other water-{line_end}borne illness spreads fast.{line_end}Next."
    assert found("waterborne illness spreads fast", source)


@pytest.mark.parametrize("line_end", ["\r\n", "\r", "\n"])
def test_the_nearest_passage_is_on_the_line_an_editor_shows(line_end: str) -> None:
    source = line_end.join(["Line one here.", "Line two here.",
                            "Chlorine needs thirty minutes to work.", "Last line."])
    passage = nearest("Chlorine needs ten minutes to work", source)
    assert passage is not None and passage.line == 3


def test_a_form_feed_between_pages_is_a_line_end_not_an_error(course: Path, run: Run) -> None:
    """Text copied from a PDF (pdftotext) has a form feed between pages."""
    guide = course / "sources" / "item-writing-guide.txt"
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace("\n", "\n\f", 1), encoding="utf-8")
    result = run("validate", str(course))
    assert result.exit_code == 0, result.output


def test_a_quote_of_a_source_that_cannot_be_used_is_not_said_to_name_an_unlisted_one(
        course: Path, run: Run) -> None:
    (course / "sources" / "item-writing-guide.txt").unlink()
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert "item-writing-guide.txt" in result.stderr
    assert "which course.yaml does not list" not in result.stderr, result.stderr


def test_an_empty_quote_is_said_to_be_empty(course: Path, run: Run) -> None:
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("  - text: A good question tests one idea.",
                                   '  - text: "  "', 1), encoding="utf-8")
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert "one-idea.yaml:" in result.stderr and "error: the quote is empty" in result.stderr
    assert "the quote has ''" not in result.stderr


def test_a_question_s_misquote_is_placed_at_its_quote(course: Path, run: Run) -> None:
    quiz = course / "quizzes" / "writing-questions.yaml"
    text = quiz.read_text(encoding="utf-8")
    line = text[:text.index("      quote: Write the stem")].count("\n") + 1
    quiz.write_text(text.replace("quote: Write the stem so that", "quote: Write a stem so that"),
                    encoding="utf-8")
    result = run("validate", str(course))
    assert f"quizzes/writing-questions.yaml:{line}:14: error: quote not found" in result.stderr, \
        result.stderr


def test_a_question_naming_an_unlisted_source_without_a_quote_is_said_so(
        course: Path, run: Run) -> None:
    quiz = course / "quizzes" / "writing-questions.yaml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace("      id: item-guide\n      quote: Write the stem so that a "
                                 "learner who knows the answer could give it without reading the "
                                 "options.\n", "      id: no-such-guide\n"), encoding="utf-8")
    result = run("validate", str(course))
    assert "quote names source 'no-such-guide', which course.yaml does not list" \
        in result.stderr, result.stderr
    assert "the quote is empty" not in result.stderr


@pytest.mark.parametrize(("quote", "source"), [
    ("non-refoulement applies", "The principle of non-\nrefoulement applies to all."),
    ("c'est-à-dire", "la protection, c'est-à-\ndire le droit"),
    ("waterborne illness", "water-\nborne illness"),
    ("refugees - those", "refugees -\nthose who fled"),     # a dash, not a split word
    ("water-borne", "water\u2011borne"),                    # a non-breaking hyphen
    ("l'eau potable", "l\u02bceau potable"),                  # a modifier apostrophe
    ("l'eau potable", "l\u00b4eau potable"),                  # an acute accent for one
    ('"protection"', "\u201eprotection\u201c"),               # German quotation marks
    ("water supply", "wa\u00adter sup\u00ad\nply"),           # soft hyphens
    ("الحماية الدولية", "الحمـــاية الدولية"),                # a stretched Arabic word
    ("الحماية الدولية", "تقدم وَالحماية الدولية"),             # و "and" with its vowel mark
    ("حماية الدولية", "تقدم والحماية الدولية"),               # و and ال "and the"
    ("الحوار مع السلطات", "ثم وبالحوار مع السلطات"),          # و and ب "and with"
    ("مفوضية السامية", "الدعم للمفوضية السامية"),             # ل and ال, written لل
    ("获得保护和援助", "难民有权获得保护和援助。"),
    ("保護を受ける権利を有する", "難民は保護を受ける権利を有する。"),
    ("ได้รับความคุ้มครอง", "ผู้ลี้ภัยได้รับความคุ้มครองตามกฎหมาย"),
    ("받을 권리", "보호를 받을 권리가 있다"),
])
def test_what_a_source_writes_otherwise_is_still_found(quote: str, source: str) -> None:
    assert found(quote, source)


@pytest.mark.parametrize(("quote", "source"), [
    ("ماية الدولية", "تقدم والحماية الدولية"),               # the rest of a word
    ("الحماية الدولية", "تقدم تالحماية الدولية"),             # ت is not written before a word
    ("الحماية الدولية", "تقدم مووالحماية الدولية"),           # a longer word
    ("ان اللاجئين في خطر", "كان اللاجئين في خطر"),           # كان "was" is not ك "like"
    ("امل في العودة", "كامل في العودة"),                     # كامل "complete": not ك and امل
    ("تقول إن الحماية", "وتقول إن الحماية"),                 # no article: و is not told apart
    ("סוכן של הממשלה", "מסוכן של הממשלה"),                   # Hebrew: nothing tells them apart
    ("rotection of refugees", "the protection of refugees"),
])
def test_only_arabic_conjunctions_prepositions_and_articles_before_the_article_are_left_out(
        quote: str, source: str) -> None:
    assert not found(quote, source)


def test_a_dash_at_a_line_end_is_not_joined() -> None:
    assert not found("refugeesthose", "refugees -\nthose who fled")
    assert not found("protection-not", "protection--\nnot")


def test_a_quote_sharing_no_word_with_its_source_gets_no_made_up_nearest_passage() -> None:
    source = "Line one of the guide.\n" * 5 + "Safe water saves lives.\n"
    assert nearest("Zebras graze quietly nearby", source) is None
    passage = nearest("Safe water saves many lives", source)
    assert passage is not None and "Safe water saves lives." in passage.text


def test_a_source_over_the_size_limit_is_said_where_course_yaml_names_it(
        course: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from coursepack.loader import course as loader

    monkeypatch.setattr(loader, "MAX_SOURCE_BYTES", 100)
    text = (course / "course.yaml").read_text(encoding="utf-8")
    line = text[:text.index("file: sources/item-writing-guide.txt")].count("\n") + 1
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert (f"course.yaml:{line}:11: error: source 'sources/item-writing-guide.txt': file is "
            in result.stderr), result.stderr
    assert "may be at most 100 bytes" in result.stderr


def _word_by_word(text: str) -> tuple[list[str], list[int]]:
    """The source's words and lines as the index defines them, one word at a time: each
    word with its line-end hyphen joined to what follows, normalised, on the line it
    starts on."""
    line_starts = [m.end() for m in LINE_END.finditer(text)]
    words: list[str] = []
    lines: list[int] = []
    held: tuple[int, str] | None = None
    joined: list[tuple[int, str]] = []
    for match in re.finditer(r"\S+", text):
        word, offset = match.group(), match.start()
        if held is not None:
            (offset, start), held = held, None
            word = start + word
        if word.endswith("-") and _LINE_END_HYPHEN.match(text, match.end() - 1):
            held = (offset, word[:-1])
        else:
            joined.append((offset, word))
    for offset, word in joined + ([held] if held else []):
        for normalised in normalise(word).split(" "):
            if normalised:
                words.append(normalised)
                lines.append(1 + sum(start <= offset for start in line_starts))
    return words, lines


_AWKWARD = ["non-", "refoulement", "water-", "—", "-", "--", "_-", "a-", "1-", "'s", "’", "é",
            "e\u0301", "ﬁ", "½", "\u00a8", "\u00ad", "\u0640", "كتاب", "the", "Word", "ß",
            " ", " ", "  ", "\t", "\u00a0", "\n", "\n\n", "\r\n", "\r", "\x0c", "\x0b",
            "\x85", "\u2028", "\x1c"]
_PLAIN = [token for token in _AWKWARD if token.isascii()]  # lines taken at once


def test_the_index_takes_whole_lines_and_loses_nothing_of_word_by_word_reading() -> None:
    """The index of a 5 MB source takes a line of plain words at once (7 times faster):
    split words, page breaks inside a line, accents, ligatures and blank lines still give
    the words and lines a reading word by word gives."""
    for seed in range(3000):
        draw = random.Random(seed)
        tokens = _PLAIN if seed % 2 else _AWKWARD
        text = "".join(draw.choice(tokens) for _ in range(draw.randint(0, 40)))
        indexed = index(text)
        assert (list(indexed.words), list(indexed.lines)) == _word_by_word(text), repr(text)
