"""Author Markdown becomes safe HTML: formatting kept, scripts and handlers gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack import markup
from coursepack.markup import file_refs, slugify, to_html, to_inline_html, to_text
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
    assert [(r.ref, r.line) for r in file_refs(text)] == [("img/a.png", 2), ("b.png", 4), ("c.png", 6)]


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


@pytest.mark.parametrize(
    "text",
    [
        "para\n\n![a](img/a.png)\n\n<img src='b.png'>\n\ntext ![c](c.png \"title\")",
        "`![not](code.png)` and ![yes](yes.png)",
        "<!-- ![hidden](x.png) -->\n\n![shown](y.png)",
        "    ![indented code](z.png)\n\n![real](r.png)",
        "![ref][logo]\n\n[logo]: logo.png",
        "![carte](carte-réfugiés.png)",
        "<div>\n![inside html](h.png)\n</div>\n\n![after](a.png)",
        "\\![escaped](e.png) ![a [nested] alt](n.png)",
        "![remote](https://example.org/x.png)",
    ],
)
def test_the_quick_image_scan_agrees_with_the_full_parse(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markup, "_PARSED", {})  # so that the scan is not a parse kept
    quick = list(file_refs(text))
    markup._PARSED.clear()
    parsed = list(markup._block(text)[1])
    assert quick == parsed


def test_an_image_named_in_another_alphabet_is_found_and_published(course: Path, run: Run) -> None:
    images = course / "modules" / "writing-questions" / "images"
    (images / "stem-and-options.png").rename(images / "schéma.png")
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    lesson.write_text(lesson.read_text().replace("images/stem-and-options.png", "images/schéma.png"))
    result = run("build", str(course), "-f", "html")
    assert result.exit_code == 0, result.output
    page = (course / "build" / "html" / "writing-questions" / "one-idea.html").read_text()
    assert 'src="../media/' in page and "schema.png" in page


def test_many_texts_are_parsed_in_worker_processes_with_the_same_result(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from coursepack.workers import Workers

    monkeypatch.setattr(markup, "_PARSED", {})  # room for them all, whatever ran before

    texts = [f"## Part {n}\n\n- item *{n}*\n\n![x](img/{n}.png)" for n in range(markup.PARALLEL_FROM)]
    with Workers(2) as workers:
        markup.prime(texts, workers.executor)
    primed = [markup._PARSED[t] for t in texts]
    for text in texts:
        markup._PARSED.pop(text)
    assert primed == [markup._block(t) for t in texts]


def _page_work(n: int) -> list[tuple[str, str]]:

    body = f"## Part {n}\n\n- item *{n}* &amp; <b>more</b>\n\n| a | b |\n|---|---|\n| {n} | x |"
    return [(markup.BLOCK, body), (markup.INLINE, f"a *summary* {n} <ouvert>"),
            (markup.LINE, body), (markup.LINE, f"term {n}: a `definition`")]


def _done_here(kind: str, text: str) -> str | tuple[str, tuple[object, ...]]:

    return (markup._parse_block(text) if kind == markup.BLOCK
            else markup._parse_inline(text) if kind == markup.INLINE
            else " ".join(markup._plain(text, " ", " ").split()))


def test_pages_made_while_workers_parse_ahead_are_those_made_without_them() -> None:
    from coursepack.workers import Workers

    work = [_page_work(n) for n in range(markup.PARALLEL_FROM)]
    expected = {job: _done_here(*job) for group in work for job in group}
    with Workers(2) as workers, markup.parsed_ahead(work, workers.executor):
        assert markup._AHEAD, "nothing was sent to the workers"
        made = {(kind, text): markup._block(text) if kind == markup.BLOCK
                else markup.to_inline_html(text) if kind == markup.INLINE
                else markup.to_line(text) for kind, text in reversed(expected)}
    assert made == expected
    assert not markup._AHEAD


def test_work_sent_to_workers_that_stopped_is_done_here() -> None:
    from coursepack.workers import Workers

    work = [_page_work(n + 1000) for n in range(markup.PARALLEL_FROM)]
    with Workers(2) as workers, markup.parsed_ahead(work, workers.executor):
        workers._terminate()  # as when a build is interrupted
        workers.close()
        body = work[-1][0][1]
        assert markup._block(body) == markup._parse_block(body)
        assert markup.to_line(body) == _done_here(markup.LINE, body)
    assert not markup._AHEAD


@pytest.mark.parametrize(("written", "line"), [
    ("a &amp; b", "a & b"),
    ("*em* and **strong**", "em and strong"),
    ("`code &amp;`", "code &amp;"),
    ("a \\* b", "a * b"),
    ("x <b>bold</b> y", "x bold y"),
    ("<ouvert> word", "<ouvert> word"),
    ("1) item", "item"),
    ("- item", "item"),
    ("# h", "h"),
    ("> q", "q"),
    ("    code &amp;", "code &amp;"),
    ("[ref]: /url", ""),
    ("[a](http://x.y) link", "a link"),
    ("![alt](img.png) pic", "pic"),
    ("Ünïcödé – “quotes” & <angle>", "Ünïcödé – “quotes” & <angle>"),
    ("a&#x41;b", "aAb"),
    ("\\# not heading", "# not heading"),
    ("x ~~strike~~ y", "x strike y"),
    ("مصطلح: تعريف **مهم**", "مصطلح: تعريف مهم"),
    ("__init__ file", "init file"),
    ("Term: a *definition*  \n  on two lines", "Term: a definition on two lines"),
])
def test_a_text_on_one_line_reads_as_its_whole_document_would(written: str, line: str) -> None:
    """The search index's plain text of a one-line Markdown text (a key term and its
    definition): the line's own Markdown, unless it starts a block of its own."""
    assert markup.to_line(written) == line
    assert markup.to_line(written) == " ".join(markup.to_text(written).split())


def test_what_is_kept_of_the_texts_parsed_stays_within_its_size(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A preview parses the lesson saved at every save, and kept each version of it with
    its HTML until 32,768 texts: 40 KB a save for a long lesson, a gigabyte at the end."""
    monkeypatch.setattr(markup, "_PARSED", {})
    monkeypatch.setattr(markup, "_characters", {})
    monkeypatch.setattr(markup, "_CHARACTERS_LIMIT", 200_000)
    lesson = "## Boiling water\n\n" + "Boil the water for one minute, then let it cool. " * 200
    for save in range(300):  # a long lesson saved 300 times, one word changed each time
        markup.to_html(f"{lesson}\n\nSaved {save} times.")
    kept = sum(len(text) + len(html) for text, (html, _) in markup._PARSED.items())
    assert 0 < kept <= 200_000 + 2 * 11_000
    assert f"{lesson}\n\nSaved 299 times." in markup._PARSED
