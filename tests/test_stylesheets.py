"""What a style sheet asks for, read as a browser reads it: the files an SVG may not use,
and whether a course's print style sheet shows images (its PDFs then may show an SVG)."""

from __future__ import annotations

import pytest

from coursepack.stylesheets import IMPORT, asked_for, shows_files


def test_every_way_of_writing_an_address_is_read_in_order() -> None:
    css = ("a { background: u\\72l(one.png), URL( 'two.png' ) } b { src: src(\"three.ttf\") }"
           " @import 'four.css'; c { background: image-set('five.png' 1x, \"six.png\" 2x) }"
           " d { background: url(a space.png) } e { color: red }")  # d: invalid, not read
    assert list(asked_for(css)) == ["one.png", "two.png", "three.ttf", IMPORT, "five.png",
                                    "six.png"]


def test_a_style_attribute_and_deep_or_broken_css_are_read_without_failing() -> None:
    assert list(asked_for("fill: url(#grad); stroke: u\\rl(x.svg)")) == ["#grad", "x.svg"]
    deep = "a { b: " + "(" * 50_000 + "url(deep.png)" + ")" * 50_000 + " }"
    assert list(asked_for(deep)) == ["deep.png"]
    assert list(asked_for("a { background: url(unclosed.png")) == ["unclosed.png"]
    assert list(asked_for("}}}{{{ url(")) == [""]


@pytest.mark.parametrize(("css", "shows"), [
    ('@font-face { font-family: B; src: url("fonts/b.ttf") } h1 { font-family: B }', False),
    ("h1 { color: navy } @media print { p { margin: 0 } }", False),
    ("@page { @top-right { content: url(logo) } }", True),
    ("@media print { .seal { background: u\\72l(seal) } }", True),
    ("@import 'more.css';", True),
    ("li { list-style-image: image-set('dot.png' 1x) }", True),
])
def test_a_style_sheet_shows_files_when_anything_but_its_fonts_asks_for_one(
        css: str, shows: bool) -> None:
    assert shows_files(css) is shows
