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
