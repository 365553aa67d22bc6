"""The quick look for unsafe link schemes finds, from each colon backwards, exactly what
the reference pattern finds at every word start (it is only faster)."""

from __future__ import annotations

import random

import pytest

from coursepack.loader.links import _CANDIDATE, _candidates, unsafe_links

AWKWARD = [
    "", ":", "a:", "a::", "a:b:", " javascript :alert(1)", "1abc:", "x1+.-y :", "é:à",
    "[x](JaVaScRiPt:alert(1))", "[x](data\n:text/html,hi)", "see https://example.org: ok",
    "\u00a0vbscript\u2003:x", "](file:///etc/passwd)", "a-b.c+d:e", "-x:", ".y:", "+z:",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_the_colon_scan_finds_what_the_pattern_finds(text: str) -> None:
    assert list(_candidates(text)) == [m.group(1) for m in _CANDIDATE.finditer(text)]


def test_the_colon_scan_agrees_on_random_texts() -> None:
    pick = random.Random(18)
    letters = "ab1+.-: \n\tZ\u00a0\u2003é:](&<"
    for _ in range(20_000):
        text = "".join(pick.choice(letters) for _ in range(pick.randint(0, 30)))
        assert list(_candidates(text)) == [m.group(1) for m in _CANDIDATE.finditer(text)]


def test_an_unsafe_link_in_a_long_lesson_is_still_found() -> None:
    body = "Plain words: " * 2_000 + "\n\n[click](javascript:alert(1))\n"
    assert unsafe_links(body) == ((2, "javascript:alert(1)"),)  # 0-based line
