"""What a style sheet asks for, read as a browser reads it: the files an SVG may not use,
and whether a course's print style sheet shows images (its PDFs then may show an SVG)."""

from __future__ import annotations

import pytest

from coursepack.stylesheets import (
    IMPORT,
    Family,
    asked_for,
    font_families,
    shown_files,
    too_deep,
)


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
    assert bool(shown_files(css)) is shows


def test_the_font_families_a_style_sheet_declares_and_names_are_read_where_they_are() -> None:
    css = ('@font-face { font-family: "Brand"; src: url(b.ttf) }\n'
           '@media print { h1 { font-family: Brand, "Noto Serif", Times   New Roman, serif } }\n'
           "@page { @top-center { font: bold 9pt/1.2 Arial, sans-serif } }\n"
           "p { font: caption } .x { font: 700 12pt 'Gill Sans' } .y { font: small Verdana }\n"
           ".z { font: oblique 10deg calc(9pt + 1pt)/1.2 Georgia } .w { font: 12pt/1 var(--f) }\n"
           "q { font-family: var(--face), 'Fira' 'Sans', inherit }")
    declared, named = font_families(css)
    assert declared == [Family("Brand", 1, 27)]
    assert [(f.name, f.line) for f in named] == [
        ("Brand", 2), ("Noto Serif", 2), ("Times New Roman", 2), ("serif", 2), ("Arial", 3),
        ("sans-serif", 3), ("Gill Sans", 4), ("Verdana", 4), ("Georgia", 5), ("inherit", 6)]
    assert named[2].column == 55


def test_a_style_sheet_nested_past_reason_is_not_read() -> None:
    """A few megabytes of ``((((`` took tinycss2 seconds and hundreds of megabytes."""
    assert too_deep("a { b: " + "(" * 200 + " }") and not too_deep("a { b: c(d(e)) }")
    assert not too_deep(")" * 500 + "a { b: (c) }")  # a closing one too many is skipped
    assert font_families("a { font-family: X; b: " + "[" * 2_000_000 + " }") == ([], [])
