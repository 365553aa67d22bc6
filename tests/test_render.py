"""A course's own templates: a mistake in one is reported at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run

BROKEN = {
    "undefined field": ("<p>x</p>\n<h1>{{ lesson.titel }}</h1>", 4,
                        "has no attribute 'titel'"),
    "syntax": ("{% if %}", 3, "Expected an expression"),
    "unknown filter": ("<p>{{ lesson.title | shout }}</p>", 3, "No filter named 'shout'"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_override_is_located(case: str, course: Path, run: Run,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    body, line, message = BROKEN[case]
    override = course / "templates" / "html" / "lesson.html.j2"
    override.parent.mkdir(parents=True)
    override.write_text('{% extends "base.html.j2" %}\n{% block main %}\n' + body +
                        "\n{% endblock %}\n")
    monkeypatch.chdir(course)
    result = run("build", "-f", "html")
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"templates/html/lesson.html.j2:{line}:1: error: template error: ")
    assert message in first
    assert "Traceback" not in result.output
    assert not (course / "build").exists()


def test_where_a_courses_own_template_writes_an_address(tmp_path: Path) -> None:
    """How a left-out file's warning finds the template line that asks for it: the first
    place in the course's own templates for the format, by path, line and column, as the
    address was written or %-encoded; never in a file a link leads out of the course to,
    nor one that is not UTF-8."""
    from coursepack.render import first_written, own_template_texts

    def written_in_own_templates(fmt: str, root: Path, forms: list[str]) -> object:
        return first_written(own_template_texts(fmt, root), forms)

    root = tmp_path / "cours à Genève"
    pdf, common = root / "templates" / "pdf", root / "templates" / "_common"
    pdf.mkdir(parents=True)
    common.mkdir()
    (pdf / "handout.html.j2").write_text(
        "{% block body %}\n<p>أهلا</p>  <img src='images/logo%20final.png'>\n", encoding="utf-8")
    (common / "footer.html.j2").write_text('<img src="images/seal.png">\n', encoding="utf-8")
    (pdf / "latin1.css.j2").write_bytes('url("images/é.png")'.encode("latin-1"))
    outside = tmp_path / "elsewhere.html.j2"
    outside.write_text('<img src="images/away.png">\n', encoding="utf-8")
    (pdf / "linked.html.j2").symlink_to(outside)

    def where(*forms: str) -> str | None:
        found = written_in_own_templates("pdf", root, list(forms))
        return None if found is None else str(found)

    assert where("images/logo final.png", "images/logo%20final.png") == \
        "templates/pdf/handout.html.j2:2:24"  # counted in characters, as YAML marks are
    assert where("images/seal.png") == "templates/_common/footer.html.j2:1:11"
    assert where("images/away.png") is None  # only through a link out of the course
    assert where("images/é.png") is None  # not UTF-8: not read as a template either
    assert where("images/nowhere.png", "") is None
    (pdf / ".draft.html.j2").write_text('<img src="images/draft.png">\n', encoding="utf-8")
    assert where("images/draft.png") is None  # hidden: not part of the course
    (pdf / "zlinks.html.j2").write_text('<a href="x">x</a> <img src="/a">\n', encoding="utf-8")
    assert where("file:///a", "/a") == "templates/pdf/zlinks.html.j2:1:29"  # not in "</a>"
    assert written_in_own_templates("html", root, ["images/seal.png"]) is not None
    assert written_in_own_templates("pdf", tmp_path / "no templates", ["x"]) is None
    away = tmp_path / "away"
    away.mkdir()
    (away / "page.html.j2").write_text('<img src="images/away.png">\n', encoding="utf-8")
    (root / "templates" / "html").symlink_to(away, target_is_directory=True)
    assert written_in_own_templates("html", root, ["images/away.png"]) is None
