"""The quote verifier: forgiving of typography and line breaks, strict about words."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.checks.quotes import found, nearest, normalise
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
