"""The course files a printed document asks for, found as WeasyPrint would fetch them."""

from __future__ import annotations

from pathlib import Path

from coursepack.exporters.pdf.references import referenced


def test_files_named_by_the_html_its_css_and_the_style_sheets_and_svgs_they_name(
        tmp_path: Path) -> None:
    root = (tmp_path / "cours é").resolve()
    (root / "images").mkdir(parents=True)
    (root / "styles").mkdir()
    (root / "styles" / "main.css").write_text(
        '@import "more.css"; h1 { background: url(\'../images/fond.svg\') }', encoding="utf-8")
    (root / "styles" / "more.css").write_text(  # imports the first again: a loop
        '@import url("main.css"); p { background: url(pattern.png) }', encoding="utf-8")
    (root / "images" / "fond.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="inner.png"/></svg>',
        encoding="utf-8")
    page = ('<link rel="stylesheet" href="styles/main.css">'
            '<img src="images/logo%20du%20cours.png" alt="">'
            '<img src="https://example.org/remote.png"><img src="data:image/png;base64,AAAA">'
            '<a href="#top">top</a><img src="../../etc/passwd"><img src="/etc/hostname">'
            '<p style="background: url(&quot;images/a&amp;b.png&quot;)">x</p>')
    found = {path.relative_to(root).as_posix()
             for path in referenced(page, 'body { background: url("images/page.png") }', root)}
    assert found == {"styles/main.css", "styles/more.css", "styles/pattern.png",
                     "images/fond.svg", "images/inner.png", "images/logo du cours.png",
                     "images/a&b.png", "images/page.png"}


def test_a_link_out_of_the_course_names_nothing(tmp_path: Path) -> None:
    root = (tmp_path / "course").resolve()
    root.mkdir()
    (tmp_path / "secret.css").write_text("p { color: red }", encoding="utf-8")
    (root / "linked.css").symlink_to(tmp_path / "secret.css")
    assert list(referenced('<link rel="stylesheet" href="linked.css">', "", root)) == []
