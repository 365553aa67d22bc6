"""A large site's lesson pages are rendered by the build's workers while the build writes
the other pages: the site is the one the build alone writes, byte for byte, the next build
takes those pages over, and a template error on a page a worker rendered is reported like
any other."""

from __future__ import annotations

import filecmp
import logging
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from coursepack import markup, workers
from coursepack.build import build
from tests.conftest import Run, own_template

MODULE = "modules/writing-questions"
LESSONS = ("one-idea", "second", "third", "fourth", "feedback")
_INIT = workers.Workers.__init__  # as it is, before a test makes the build's pool two or one


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.delenv("COURSEPACK_CACHE_DIR", raising=False)


@pytest.fixture
def tasks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every task the build's workers are given; two workers even on one core, and every
    site large enough to use them."""
    given: list[str] = []

    class Counted(workers._Pool):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            given.append(getattr(fn, "__name__", str(fn)))
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(workers, "_Pool", Counted)
    # two workers, as on the smallest machine with workers
    monkeypatch.setattr(workers.Workers, "__init__", lambda self, count=None: _INIT(self, 2))
    monkeypatch.setattr(markup, "PARALLEL_FROM", 1)
    return given


@pytest.fixture
def five_lessons(course: Path) -> Path:
    folder = course / MODULE
    text = (folder / "one-idea.yaml").read_text(encoding="utf-8")
    for name in LESSONS[1:-1]:
        (folder / f"{name}.yaml").write_text(text.replace(
            "title: One idea per question", f"title: The {name} lesson, ç'est écrit <ici>"),
            encoding="utf-8")
    module = folder / "module.yaml"
    module.write_text(module.read_text(encoding="utf-8").replace(
        "  - one-idea\n  - feedback\n", "".join(f"  - {n}\n" for n in LESSONS)),
        encoding="utf-8")
    return course


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_pages_rendered_by_workers_are_those_the_build_writes_alone(
        five_lessons: Path, tmp_path: Path, tasks: list[str],
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="coursepack.html"):
        build(five_lessons, ["html"], tmp_path / "workers")
    assert "_make" in tasks, "no lesson page was rendered by a worker"
    rendered = {r.getMessage() for r in caplog.records}
    assert {f"rendered writing-questions/{name}.html" for name in LESSONS} <= rendered

    monkeypatch.setattr(workers.Workers, "__init__",  # one core: no workers
                        lambda self, count=None: _INIT(self, 1))
    build(five_lessons, ["html"], tmp_path / "alone", force=True)
    site, alone = tmp_path / "workers" / "html", tmp_path / "alone" / "html"
    assert _files(site) == _files(alone)
    for relpath in _files(alone):
        assert filecmp.cmp(site / relpath, alone / relpath, shallow=False), relpath
    index = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert "The third lesson, ç'est écrit \\u003cici>" in index

    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="coursepack.html"):
        build(five_lessons, ["html"], tmp_path / "workers")
    assert not [r for r in caplog.records if r.getMessage().startswith("rendered ")]


def test_a_template_error_on_a_page_a_worker_renders_names_the_template_line(
        five_lessons: Path, tmp_path: Path, tasks: list[str], run: Run) -> None:
    own_template(five_lessons, "html", "lesson.html.j2",
                 '{% extends "base.html.j2" %}\n{% block main %}\n'
                 '{% if lesson.id == "fourth" %}{{ lesson.no_such_field }}{% endif %}\n'
                 "{% endblock %}\n")
    result = run("build", str(five_lessons), "-f", "html", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "_make" in tasks
    assert "templates/html/lesson.html.j2:3" in result.stderr
    assert "no_such_field" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o" / "html").exists()
