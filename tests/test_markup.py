"""Author Markdown becomes safe HTML: formatting kept, scripts and handlers gone."""

from __future__ import annotations

from pathlib import Path

from coursepack.markup import image_refs, slugify, to_html, to_inline_html, to_text
from tests.conftest import Run


def test_markdown_features_authors_use() -> None:
    html = to_html("## Aims\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n\n**bold** *it*")
    for tag in ("<h2>", "<li>one</li>", "<table>", "<td>1</td>", "<blockquote>", "<strong>bold</strong>", "<em>it</em>"):
        assert tag in html


def test_author_html_cannot_run_script() -> None:
    html = to_html(
        '<script>alert(1)</script>\n\n<img src="x.png" onerror="alert(2)">\n\n'
        '[link](javascript:alert(3)) <a href="#" onclick="alert(4)">a</a>\n\n<iframe src="x"></iframe>'
    )
    for bad in ("<script", "onerror", 'href="javascript:', "onclick", "<iframe", "alert(1)"):
        assert bad not in html
    assert '<img src="x.png">' in html


def test_inline_has_no_paragraph_and_text_has_no_tags() -> None:
    assert to_inline_html("a *b* & c") == "a <em>b</em> &amp; c"
    assert to_text("## Title\n\nSome **bold** & <b>more</b>") == "Title\n\nSome bold & more"


def test_image_refs_give_the_line_of_each_image() -> None:
    text = "para\n\n![a](img/a.png)\n\n<img src='b.png'>\n\ntext ![c](c.png)"
    assert list(image_refs(text)) == [("img/a.png", 2), ("b.png", 4), ("c.png", 6)]


def test_slugs_are_ascii() -> None:
    assert slugify("Réfugiés & déplacés: 2008") == "refugies-deplaces-2008"
    assert slugify("!!!") == "section"


def test_a_script_in_a_lesson_never_reaches_the_site(course: Path, run: Run) -> None:
    lesson = course / "modules" / "writing-questions" / "feedback.yaml"
    text = lesson.read_text()
    lesson.write_text(text.replace("Feedback is not a grade.", "Feedback is not a grade. <script>steal()</script>"))
    assert run("build", str(course), "-f", "html").exit_code == 0
    page = (course / "build" / "html" / "writing-questions" / "feedback.html").read_text()
    assert "Feedback is not a grade." in page
    assert "steal()" not in page
