"""`coursepack serve`: an author edits a lesson and watches the open page follow."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from coursepack.serve import Preview
from coursepack.serve.site import PreviewServer
from coursepack.serve.watch import relevant, watched_folders

LESSON = "modules/writing-questions/one-idea.yaml"


class Served:
    """A ``coursepack serve`` process and the lines it has printed."""

    def __init__(self, course: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coursepack", "serve", str(course), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        seen = []
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r}; printed: {seen}") from None
            seen.append(line)
            if found := re.search(pattern, line):
                return found

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


@pytest.fixture
def served(course: Path) -> Iterator[Served]:
    running = Served(course)
    yield running
    running.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.browser
def test_page_follows_edits_and_shows_build_errors(course: Path, served: Served, page: Page) -> None:
    url = served.wait_for(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
    page.goto(url + "writing-questions/one-idea.html")
    expect(page.locator("main h1")).to_have_text("One idea per question")

    lesson = course / LESSON
    edit(lesson, "title: One idea per question", "title: One idea, one question")
    expect(page.locator("main h1")).to_have_text("One idea, one question", timeout=30_000)

    edit(lesson, "duration: 15", "duration: [15")
    overlay = page.locator("#coursepack-overlay")
    expect(overlay).to_be_visible(timeout=30_000)
    expect(overlay).to_contain_text(re.compile(r"one-idea\.yaml:\d+:\d+: error: YAML syntax"))
    expect(page.locator("main h1")).to_have_text("One idea, one question")  # last good build
    served.wait_for(r"one-idea\.yaml:\d+:\d+: error")  # the terminal says so too

    edit(lesson, "duration: [15", "duration: 15")
    expect(overlay).to_have_count(0, timeout=30_000)
    expect(page.locator("main h1")).to_have_text("One idea, one question")


def test_served_pages_get_the_reload_script_but_built_files_do_not(course: Path,
                                                                   tmp_path: Path) -> None:
    printed: list[str] = []
    preview = Preview(course, tmp_path / "out", lambda text, is_error: printed.append(text))
    assert preview.rebuild()
    server = PreviewServer(preview.site, 0, preview.status)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(server.url + "writing-questions/one-idea.html") as response:
            served = response.read().decode()
        with urllib.request.urlopen(server.url + "__coursepack__/status") as response:
            status = response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert '<script src="/__coursepack__/live.js" data-version="1"></script></body>' in served
    built = (preview.site / "writing-questions" / "one-idea.html").read_text()
    assert "__coursepack__" not in built
    assert status == '{"version": 1, "error": ""}'
    assert printed and printed[0].startswith("built in")


def test_a_busy_port_is_a_clear_error(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    preview = Preview(course, course / "build", lambda text, is_error: None)
    server = PreviewServer(preview.site, 0, preview.status)
    try:
        result = run("serve", str(course), "--port", str(server.server_address[1]))
    finally:
        server.server_close()
    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{server.server_address[1]}" in result.output
    assert "--port" in result.output


def test_only_course_files_trigger_a_rebuild(course: Path) -> None:
    root = course.resolve()
    assert relevant(root, root / LESSON)
    assert relevant(root, root / "quizzes" / "final.yaml")
    assert relevant(root, root / "course.yaml", top_level=True)
    assert not relevant(root, root / "README.md", top_level=True)
    assert not relevant(root, root / "build" / "html" / "index.html")
    assert not relevant(root, root / "modules" / ".one-idea.yaml.swp")
    assert not relevant(root, root / ".build.staging-12" / "html" / "index.html")
    assert watched_folders(root) == [root / "modules", root / "quizzes", root / "sources"]
