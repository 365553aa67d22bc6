"""Build output: a bar on a terminal for long builds, plain lines in logs, -q and -v."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
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


def test_a_build_in_a_log_does_not_load_the_terminal_display(course: Path, tmp_path: Path) -> None:
    """rich takes a tenth of a second to import: a build whose output goes to a log, a pipe
    or CI does without it."""
    code = ("import sys\nfrom click.testing import CliRunner\nfrom coursepack.cli import main\n"
            f"result = CliRunner().invoke(main, ['build', {str(course)!r}, '-f', 'gift', "
            f"'--out', {str(tmp_path / 'out')!r}])\n"
            "assert result.exit_code == 0, result.output\n"
            "print(sorted(name for name in sys.modules if name.split('.')[0] == 'rich'))\n")
    env = {k: v for k, v in os.environ.items()
           if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=False)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"


def test_output_said_to_be_a_terminal_is_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """FORCE_COLOR and TTY_COMPATIBLE=1 make rich treat a log as a terminal: the build
    then asks rich, as before."""
    from coursepack import progress

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert not progress._may_be_a_terminal()
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert progress._may_be_a_terminal()
    assert BuildProgress(["html"])._on_terminal()
    monkeypatch.delenv("TTY_COMPATIBLE")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert progress._may_be_a_terminal()
