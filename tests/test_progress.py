"""Build output: a bar on a terminal for long builds, plain lines in logs, -q and -v."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console

from coursepack import build as pipeline
from coursepack.progress import BuildProgress, Verbosity


def test_verbose_prints_each_step_with_its_time(course: Path, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"), "-v")
    assert result.exit_code == 0, result.output
    steps = re.findall(r"^ *\d+\.\d\d s  (html: .+)$", result.output, re.MULTILINE)
    assert any("one-idea" in step for step in steps), result.output
    assert any("feedback" in step for step in steps), result.output
    assert re.search(r"^html +\S+index\.html +\(\d+\.\d s\)$", result.output, re.MULTILINE)


def test_plain_output_in_a_log(course: Path, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output  # no colours, no cursor moves: not a terminal
    assert " s  html:" not in result.output  # no step lines without -v
    assert "open " in result.output and "index.html in a browser" in result.output


def test_quiet_prints_only_problems(course: Path, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    stray = course / "modules" / "writing-questions" / "draft.yaml"
    stray.write_text("title: Draft\nduration: 5\nbody: Not ready.\n", encoding="utf-8")
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if not line.startswith("  hint:")]
    assert lines == [
        "modules/writing-questions/draft.yaml: warning: lesson file is not listed in "
        "modules/writing-questions/module.yaml"
    ]


def test_the_build_itself_prints_nothing(course: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    steps: list[str] = []
    pipeline.build(course, ["html"], tmp_path / "out", progress=steps.append)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert steps and all(step.startswith("html: ") for step in steps)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bar_appears_on_a_terminal_only_once_a_build_runs_over_a_second() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    clock = Clock()
    with BuildProgress(["html", "pdf"], Verbosity.NORMAL, console, clock) as progress:
        clock.now = 0.3
        progress("html: module-1/welcome")
        assert screen.getvalue() == ""  # a short build shows no bar
        clock.now = 1.4
        progress("html: module-1/second")
        clock.now = 2.0
        progress("pdf: handout module-1")
    shown = screen.getvalue()
    assert "building" in shown and "1/2" in shown and "pdf: handout module-1" in shown


def test_no_bar_when_quiet_or_not_a_terminal() -> None:
    for console, verbosity in (
        (Console(file=io.StringIO(), force_terminal=True), Verbosity.QUIET),
        (Console(file=io.StringIO(), force_terminal=False), Verbosity.NORMAL),
    ):
        clock = Clock()
        with BuildProgress(["html"], verbosity, console, clock) as progress:
            clock.now = 5.0
            progress("html: module-1/welcome")
        assert console.file.getvalue() == ""  # type: ignore[attr-defined]
