"""`coursepack serve`: an author edits a lesson and watches the open page follow."""

from __future__ import annotations

import io
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from coursepack.serve import Preview
from coursepack.serve.site import PreviewServer
from coursepack.serve.watch import relevant, watched_folders
from tests.conftest import Run

LESSON = "modules/writing-questions/one-idea.yaml"


class Served:
    """A ``coursepack serve`` process and the lines it has printed."""

    def __init__(self, course: Path, env: dict[str, str] | None = None, port: int = 0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coursepack", "serve", str(course), "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
            env=env, start_new_session=True,
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
    # readable on a course page, whose own style sheet styles <pre>
    assert overlay.locator("pre").evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]") == \
        ["rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"]
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
    run = preview.status().run
    assert len(run) == 8
    assert ('<script src="/__coursepack__/live.js" data-version="1" '
            f'data-run="{run}"></script></body>') in served
    built = (preview.site / "writing-questions" / "one-idea.html").read_text()
    assert "__coursepack__" not in built
    assert json.loads(status) == {"version": 1, "error": "", "run": run}
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
    assert "built in" not in result.output  # said at once, not after a first build


def test_only_course_files_trigger_a_rebuild(course: Path) -> None:
    root = course.resolve()
    assert relevant(root, root / LESSON)
    assert relevant(root, root / "quizzes" / "final.yaml")
    assert relevant(root, root / "course.yaml", top_level=True)
    assert not relevant(root, root / "README.md", top_level=True)
    assert relevant(root, root / "quizzes", top_level=True)  # made, removed, put back
    assert relevant(root, root / "pictures", top_level=True, top_folders={"pictures"})
    assert not relevant(root, root / "pictures", top_level=True)
    assert not relevant(root, root / "build" / "html" / "index.html")
    assert not relevant(root, root / "modules" / ".one-idea.yaml.swp")
    assert not relevant(root, root / ".build.staging-12" / "html" / "index.html")
    assert watched_folders(root) == [root / "modules", root / "quizzes", root / "sources"]


# The preview is a web server on the author's machine: any page the author opens elsewhere
# can make their browser send it requests, and a shared course can put links in its build.

@pytest.fixture
def preview_server(course: Path, tmp_path: Path) -> Iterator[PreviewServer]:
    preview = Preview(course, tmp_path / "out", lambda text, is_error: None)
    assert preview.rebuild()
    server = PreviewServer(preview.site, 0, preview.status)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def ask(server: PreviewServer, request_line: bytes, host: bytes | None = b"127.0.0.1") -> tuple[int, bytes]:
    """Send one raw request, as any program (or a rebinding page) could; the status and body."""
    port = server.server_address[1]
    headers = b"" if host is None else b"Host: " + host + b":" + str(port).encode() + b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(request_line + b"\r\n" + headers + b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


@pytest.mark.parametrize("host", [b"127.0.0.1", b"localhost", b"[::1]", b"LocalHost"])
def test_the_preview_answers_its_own_names(host: bytes, preview_server: PreviewServer) -> None:
    status, body = ask(preview_server, b"GET / HTTP/1.1", host)
    assert status == 200 and b"<h1" in body


@pytest.mark.parametrize("host", [b"rebound.example", b"127.0.0.1.nip.io", b"localhost.evil",
                                  b"[::2]", b"[::1].rebound.example", b"[::1]rebound"])
def test_another_host_name_gets_nothing_of_the_site(host: bytes, preview_server: PreviewServer,
                                                    course: Path) -> None:
    """DNS rebinding: a page on rebound.example points its name at 127.0.0.1 and reads on."""
    status, body = ask(preview_server, b"GET /index.html HTTP/1.1", host)
    assert status == 403
    assert b"answers only to its own address" in body
    assert b"Writing" not in body and b"__coursepack__" not in body
    status, body = ask(preview_server, b"GET /__coursepack__/status HTTP/1.1", host)
    assert status == 403 and b"version" not in body


def test_a_request_without_host_is_refused(preview_server: PreviewServer) -> None:
    status, body = ask(preview_server, b"GET / HTTP/1.0", host=None)
    assert status == 400 and b"one Host header needed" in body


def test_a_site_without_an_icon_answers_the_browser_s_request_for_one_with_nothing(
        preview_server: PreviewServer) -> None:
    status, body = ask(preview_server, b"GET /favicon.ico HTTP/1.1")
    assert status == 204 and body == b""


def test_a_request_naming_two_hosts_is_refused(preview_server: PreviewServer) -> None:
    """A proxy may read the second: the preview does not guess which one counts."""
    status, body = ask(preview_server, b"GET / HTTP/1.1\r\nHost: rebound.example")
    assert status == 400 and b"Writing" not in body


@pytest.mark.parametrize("folder", [b"/assets/", b"/media/", b"/quizzes/", b"/assets"])
def test_no_folder_is_listed(folder: bytes, preview_server: PreviewServer) -> None:
    status, body = ask(preview_server, b"GET " + folder + b" HTTP/1.1")
    assert status == 404
    assert b"style.css" not in body and b"Directory listing" not in body


MALFORMED = {
    "NUL byte": b"/index.html%00.css",
    "raw NUL byte": b"/index\x00.html",
    "8 KB path": b"/" + b"a" * 8192,
    "bad escape": b"/index%zz.html",
    "not UTF-8": b"/%ff%fe.html",
    "parent folder": b"/../../../etc/passwd",
    "encoded parent": b"/..%2f..%2f..%2fetc/passwd",
    "encoded dots": b"/%2e%2e/%2e%2e/etc/passwd",
    "backslash": b"/..%5c..%5cetc%5cpasswd",
    "control character": b"/index%0a.html",
    "absolute URL": b"http://127.0.0.1/index.html",
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_path_gets_400_and_no_traceback(case: str, preview_server: PreviewServer,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    status, body = ask(preview_server, b"GET " + MALFORMED[case] + b" HTTP/1.1")
    assert status == 400
    assert b"root:" not in body
    printed = capfd.readouterr()
    assert "Traceback" not in printed.err + printed.out


def test_a_link_out_of_the_site_is_not_followed(preview_server: PreviewServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the author's private notes\n")
    site = Path(preview_server.RequestHandlerClass.site)  # type: ignore[attr-defined]
    (site / "assets" / "notes.txt").symlink_to(secret)
    (site / "media" / "home").symlink_to(tmp_path, target_is_directory=True)
    for path in (b"/assets/notes.txt", b"/media/home/secret.txt"):
        status, body = ask(preview_server, b"GET " + path + b" HTTP/1.1")
        assert status == 404 and b"private" not in body
    status, body = ask(preview_server, b"GET /assets/style.css HTTP/1.1")
    assert status == 200 and body


def test_the_command_prints_no_traceback_for_odd_requests(course: Path) -> None:
    """The real command, its terminal read: odd requests leave no trace but their 400."""
    running = Served(course)
    try:
        url = running.wait_for(r"serving (http://127\.0\.0\.1:(\d+)/)")
        port = int(url.group(2))
        for raw in (b"GET /\x00 HTTP/1.1", b"GET /" + b"x" * 8192 + b" HTTP/1.1",
                    b"GET /..%2f..%2fetc/passwd HTTP/1.1", b"\x16\x03\x01 garbage"):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
                conn.sendall(raw + b"\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                answer = b""
                while chunk := conn.recv(65536):
                    answer += chunk
                assert b"400" in answer.split(b"\r\n")[0] or b"Error code: 400" in answer
    finally:
        running.stop()
    printed = []
    while not running.lines.empty():
        printed.append(running.lines.get())
    assert not [line for line in printed if "Traceback" in line or "Error" in line], printed


def test_a_saved_lesson_is_shown_before_the_whole_site_is_built(course: Path,
                                                                 tmp_path: Path) -> None:
    """The edited lesson's page is written first, exactly as the whole build then writes it."""
    preview = Preview(course, tmp_path / "out", lambda text, is_error: None)
    assert preview.rebuild()
    page = preview.site / "writing-questions" / "one-idea.html"
    edit(course / LESSON, "Cover the options with your hand", "Hide the options under a card")
    before = preview.status().version
    assert preview.show_edited_lesson({course / LESSON}) is not None
    assert preview.status().version == before + 1  # the open pages reload now
    first = page.read_bytes()
    assert b"Hide the options under a card" in first
    assert preview.rebuild()
    assert page.read_bytes() == first


def test_an_edit_the_whole_build_refuses_puts_the_last_good_page_back(course: Path,
                                                                      tmp_path: Path) -> None:
    preview = Preview(course, tmp_path / "out", lambda text, is_error: None)
    assert preview.rebuild()
    page = preview.site / "writing-questions" / "one-idea.html"
    good = page.read_bytes()
    # the lesson alone is fine, but it now quotes a source the course does not have
    edit(course / LESSON, "source: item-guide", "source: no-such-source")
    assert preview.show_edited_lesson({course / LESSON}) is None  # its own checks fail
    edit(course / LESSON, "source: no-such-source", "source: item-guide")
    edit(course / LESSON, "Cover the options with your hand", "Hide the options under a card")
    edit(course / "quizzes" / "final.yaml", "title:", "title: [")  # another file is broken
    assert not preview.update({course / LESSON})
    assert page.read_bytes() == good
    assert "final.yaml" in preview.status().error


def test_the_status_request_waits_for_news(course: Path, tmp_path: Path) -> None:
    """An open page asks "anything after build N?" and is answered when build N+1 is in."""
    preview = Preview(course, tmp_path / "out", lambda text, is_error: None)
    assert preview.rebuild()
    server = PreviewServer(preview.site, 0, preview.status, preview.news)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    answers: queue.Queue[str] = queue.Queue()

    def ask_after(version: int) -> None:
        with urllib.request.urlopen(
                f"{server.url}__coursepack__/status?after={version}&shown=0") as response:
            answers.put(response.read().decode())

    try:
        threading.Thread(target=ask_after, args=(1,), daemon=True).start()
        edit(course / LESSON, "Cover the options with your hand", "Hide the options")
        assert preview.update({course / LESSON})
        assert json.loads(answers.get(timeout=60)) in (
            {"version": 2, "error": "", "run": preview.status().run},
            {"version": 3, "error": "", "run": preview.status().run})
    finally:
        server.shutdown()
        server.server_close()


def test_a_saved_lesson_reloads_the_open_pages_once(course: Path, tmp_path: Path) -> None:
    """Its page is shown at once; the whole build that follows writes the same page and
    changes nothing else a page shows, so the open pages are not reloaded a second time."""
    said: list[str] = []
    preview = Preview(course, tmp_path / "out", lambda text, is_error: said.append(text))
    assert preview.rebuild()
    before = preview.status().version
    edit(course / LESSON, "Cover the options with your hand", "Hide the options under a card")
    assert preview.update({course / LESSON})
    assert preview.status().version == before + 1
    assert b"Hide the options under a card" in (
        preview.site / "writing-questions" / "one-idea.html").read_bytes()
    assert "Hide the options under a card" in (
        preview.site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert said[-1].endswith("; nothing else changed")


def test_a_new_lesson_title_reloads_the_open_pages_again(course: Path, tmp_path: Path) -> None:
    """A title is in every page's contents: the whole build changes other pages too."""
    preview = Preview(course, tmp_path / "out", lambda text, is_error: None)
    assert preview.rebuild()
    before = preview.status().version
    edit(course / LESSON, "title: One idea per question", "title: One idea, one question")
    assert preview.update({course / LESSON})
    assert preview.status().version == before + 2
    assert "One idea, one question" in (preview.site / "index.html").read_text(encoding="utf-8")


def test_the_preview_frees_what_each_build_made(course: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The program declares that it leaves without freeing anything, which is true of a
    build and false of the preview, which builds again on every save."""
    from coursepack import leaving
    from coursepack import serve as preview

    monkeypatch.setattr(leaving, "_without_freeing", True)  # as the program declares it
    monkeypatch.setattr(preview, "_run", lambda *args: None)  # neither built nor served
    preview.serve(course, 0, lambda text, is_error: None)
    assert not leaving.leaves_without_freeing()


def read(url: str) -> str:
    """The text of a served page, whatever its status."""
    try:
        with urllib.request.urlopen(url) as response:
            return str(response.read().decode())
    except urllib.error.HTTPError as answer:
        return str(answer.read().decode())


def wait_until(done: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.2)


def png(colour: str) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(data, "PNG")
    return data.getvalue()


def test_folders_that_come_and_go_while_serving_are_watched(course: Path, tmp_path: Path,
                                                             served: Served) -> None:
    """A checkout or a sync tool takes modules/ away and puts it back; an author keeps the
    pictures in a folder made after the preview started. Edits in both are followed."""
    url = served.wait_for(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
    page = url + "writing-questions/one-idea.html"
    shutil.move(course / "modules", tmp_path / "away")
    served.wait_for(r"error: .*modules/writing-questions")
    shutil.move(tmp_path / "away", course / "modules")
    served.wait_for(r"^built in")
    edit(course / LESSON, "Cover the options", "Hide the options")
    wait_until(lambda: "Hide the options" in read(page), "the edit made after modules/ came back")

    pictures = course / "pictures du camp"
    pictures.mkdir()
    (pictures / "tente é.png").write_bytes(png("red"))
    edit(course / LESSON, "  > Cover", "  ![A tent](<../../pictures du camp/tente é.png>)\n\n  > Cover")
    wait_until(lambda: "A tent" in read(page), "the picture shown")
    shown = re.findall(r'src="([^"]*)" alt="A tent"', read(page))
    (pictures / "tente é.png").write_bytes(png("blue"))
    wait_until(lambda: re.findall(r'src="([^"]*)" alt="A tent"', read(page)) not in ([], shown),
               "the picture changed in a folder made while serving")


@pytest.mark.browser
def test_a_course_broken_from_the_start_shows_its_problems_then_itself(course: Path,
                                                                       page: Page) -> None:
    edit(course / "course.yaml", "title:", "title: [")
    running = Served(course)
    try:
        running.wait_for("build failed; the preview shows these problems until a build succeeds")
        url = running.wait_for(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
        page.goto(url + "writing-questions/one-idea.html")
        expect(page.locator("main h1")).to_have_text("The course is not built yet")
        overlay = page.locator("#coursepack-overlay")
        expect(overlay).to_contain_text(re.compile(r"course\.yaml:\d+:\d+: error"))
        edit(course / "course.yaml", "title: [", "title:")
        expect(page.locator("main h1")).to_have_text("One idea per question", timeout=30_000)
        expect(overlay).to_have_count(0)
    finally:
        running.stop()


@pytest.mark.browser
def test_a_page_not_in_the_course_turns_into_it_once_built(course: Path, served: Served,
                                                          page: Page, run) -> None:  # type: ignore[no-untyped-def]
    url = served.wait_for(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
    page.goto(url + "writing-questions/peer-review.html")
    expect(page.locator("main h1")).to_have_text("Not in the course")
    expect(page.get_by_role("link", name="The course's home page")).to_have_attribute("href", "/")
    assert run("new", "lesson", "peer-review", str(course), "-m", "writing-questions").exit_code == 0
    title = re.search(r"^title: (.+)$", (course / "modules" / "writing-questions" /
                                         "peer-review.yaml").read_text(), re.M)
    assert title is not None
    expect(page.locator("main h1")).to_have_text(title.group(1), timeout=30_000)


@pytest.mark.browser
@pytest.mark.parametrize("locks", ["Web Locks", "no Web Locks"])
def test_many_open_tabs_share_one_request_for_news(course: Path, served: Served,
                                                    browser: Browser, locks: str) -> None:
    """A browser opens six connections to one address at most: with a long poll per tab, a
    seventh tab of the preview waited for one to end. A browser with Web Locks has one tab
    ask for all; one without (Safari before 15.4) has each ask briefly, once a second."""
    url = served.wait_for(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
    context = browser.new_context()
    if locks == "no Web Locks":
        context.add_init_script("Object.defineProperty(navigator, 'locks', {value: undefined})")
    try:
        tabs = [context.new_page() for _ in range(7)]  # one more than the connections
        for tab in tabs:
            tab.goto(url + "writing-questions/one-idea.html", timeout=15_000)
            expect(tab.locator("main h1")).to_have_text("One idea per question")
        tabs[-1].get_by_role("link", name="Feedback that teaches").first.click(timeout=15_000)
        expect(tabs[-1].locator("main h1")).to_have_text("Feedback that teaches")
        edit(course / LESSON, "title: One idea per question", "title: One idea, one question")
        for tab in tabs[:-1]:
            expect(tab.locator("main h1")).to_have_text("One idea, one question",
                                                        timeout=30_000)
        expect(tabs[-1].get_by_role("link", name="One idea, one question").first).to_be_attached(
            timeout=30_000)
    finally:
        context.close()


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_stopping_during_the_first_build_leaves_nothing(course: Path, tmp_path: Path,
                                                       stop: str) -> None:
    """A process manager's SIGTERM, or the terminal closed (SIGHUP), to the whole process
    group while the first build runs: the preview says it stopped, with no traceback, and
    its temporary site goes."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    running = Served(course, env={**os.environ, "TMPDIR": str(temporary)})
    try:
        wait_until(lambda: any(temporary.glob("coursepack-serve-*")), "the temporary site made")
        os.killpg(running.proc.pid, getattr(signal, stop))
        assert running.proc.wait(timeout=60) == 0
    finally:
        running.proc.kill()
    printed = []
    while not running.lines.empty():
        printed.append(running.lines.get())
    assert "stopped" in printed, printed
    assert not [line for line in printed if "Traceback" in line or "Error" in line], printed
    assert not list(temporary.iterdir())


def test_a_killed_preview_s_site_is_removed_by_the_next_preview(course: Path,
                                                               tmp_path: Path) -> None:
    """A preview killed outright (``kill -9``, a container stopped) cannot remove its
    temporary site; the next preview does."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary)}
    killed = Served(course, env=env)
    try:
        killed.wait_for(r"serving http://")
        [left] = temporary.glob("coursepack-serve-*")
        os.killpg(killed.proc.pid, signal.SIGKILL)
        killed.proc.wait(timeout=60)
        assert left.is_dir()
    finally:
        killed.proc.kill()
    again = Served(course, env=env)
    try:
        again.wait_for(r"serving http://")
        wait_until(lambda: not left.exists(), "the killed preview's site removed")
        assert len(list(temporary.glob("coursepack-serve-*"))) == 1
    finally:
        again.stop()


@pytest.mark.browser
def test_open_pages_follow_a_preview_started_again(course: Path, page: Page) -> None:
    """Stopped, the course edited, started again on the same port: the new preview counts
    its builds from 1 again, as the one the page was opened from did."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    first = Served(course, port=port)
    try:
        url = first.wait_for(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
        page.goto(url + "writing-questions/one-idea.html")
        expect(page.locator("main h1")).to_have_text("One idea per question")
    finally:
        first.stop()
    edit(course / LESSON, "title: One idea per question", "title: Edited while stopped")
    second = Served(course, port=port)
    try:
        second.wait_for(r"serving http")
        expect(page.locator("main h1")).to_have_text("Edited while stopped", timeout=30_000)
    finally:
        second.stop()


@pytest.mark.browser
def test_a_browser_without_web_locks_asks_for_news_from_each_page(
        course: Path, served: Served, browser: Browser) -> None:
    url = served.wait_for(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(navigator, 'locks', {value: undefined})")
    try:
        tab = context.new_page()
        tab.goto(url + "writing-questions/one-idea.html")
        assert tab.evaluate("navigator.locks") is None
        edit(course / LESSON, "title: One idea per question", "title: One idea, one question")
        expect(tab.locator("main h1")).to_have_text("One idea, one question", timeout=30_000)
    finally:
        context.close()


def _module_kept_in_drafts(course: Path) -> tuple[Path, Path]:
    """The module's files moved to drafts/ (a name with a space and an accent), and
    modules/<id> linked to them; returns the link and the folder."""
    module = course / "modules" / "writing-questions"
    drafts = course / "drafts" / "writing questions é"
    drafts.parent.mkdir()
    shutil.move(module, drafts)
    module.symlink_to(Path("..") / "drafts" / "writing questions é", target_is_directory=True)
    return module, drafts


def _lesson_page_served(running: Served) -> str:
    """The address of the edited lesson's page once the preview serves it, as built."""
    url = running.wait_for(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
    page = url + "writing-questions/one-idea.html"
    assert "Cover the options" in read(page)
    return page


def test_a_module_folder_linked_inside_the_course_is_followed(course: Path,
                                                             tmp_path: Path) -> None:
    """An author keeps a module's files in drafts/ and links modules/<id> to it. Edits saved
    in drafts/ and edits saved through the link both show in the page served."""
    module, drafts = _module_kept_in_drafts(course)
    running = Served(course)
    try:
        page = _lesson_page_served(running)
        edit(drafts / "one-idea.yaml", "Cover the options", "Hide the options")
        wait_until(lambda: "Hide the options" in read(page), "the edit saved in drafts/")
        edit(course / LESSON, "Hide the options", "Fold the options away")
        wait_until(lambda: "Fold the options away" in read(page), "the edit through the link")
        running.wait_for(r"^built in")

        # the link taken away and put back (a checkout, a sync tool): still followed
        module.rename(course / "modules" / "elsewhere")
        running.wait_for(r"error: .*writing-questions")
        (course / "modules" / "elsewhere").rename(module)
        running.wait_for(r"^built in")
        edit(drafts / "one-idea.yaml", "Fold the options away", "Put the options aside")
        try:
            wait_until(lambda: "Put the options aside" in read(page), "the edit after the link")
        except AssertionError as missed:
            printed = []
            while not running.lines.empty():
                printed.append(running.lines.get())
            raise AssertionError(f"{missed}; printed since: {printed}") from None
    finally:
        running.stop()


def test_a_lesson_saved_in_a_linked_module_folder_is_shown_first(course: Path,
                                                                 tmp_path: Path) -> None:
    """The preview shows an edited lesson before building the rest; for a module folder
    linked to drafts/, saved there or through the link, it only built the rest."""
    _, drafts = _module_kept_in_drafts(course)
    preview = Preview(course, tmp_path / "out", lambda text, is_error: None)
    assert preview.rebuild()
    page = preview.site / "writing-questions" / "one-idea.html"
    for saved, text in ((drafts / "one-idea.yaml", "Hide the options"),
                        (course / LESSON, "Fold the options away")):
        edit(saved, "Cover the options" if text == "Hide the options" else "Hide the options",
             text)
        assert preview.show_edited_lesson({saved}) is not None
        assert text in page.read_text(encoding="utf-8")
    # the same save seen by both watches, through the link and not: shown once
    assert preview.show_edited_lesson({drafts / "one-idea.yaml", course / LESSON}) is None


def test_a_lesson_file_linked_inside_the_course_is_followed(course: Path) -> None:
    """A lesson kept in shared/ and linked from its module: saving it there rebuilds."""
    shared = course / "shared"
    shared.mkdir()
    shutil.move(course / LESSON, shared / "one idea.yaml")
    (course / LESSON).symlink_to(Path("../..") / "shared" / "one idea.yaml")
    running = Served(course)
    try:
        page = _lesson_page_served(running)
        edit(shared / "one idea.yaml", "Cover the options", "Hide the options")
        wait_until(lambda: "Hide the options" in read(page), "the edit saved in shared/")
    finally:
        running.stop()


def test_ctrl_c_as_the_preview_makes_its_temporary_folder_leaves_nothing(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python's first look at the temporary folder writes a file and removes it: Ctrl+C in
    between left that file behind."""
    from coursepack import scratch

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    making = scratch.made

    def cut_short(prefix: str) -> Path:
        os.kill(os.getpid(), signal.SIGINT)  # as the file is written
        return making(prefix)

    monkeypatch.setattr(scratch, "made", cut_short)
    result = run("serve", str(course), "--port", "0")
    assert result.exit_code == 0, result.output
    assert result.output == "stopped\n"
    assert list(temporary.iterdir()) == []


def test_a_module_linked_to_a_folder_made_later_is_followed_once_it_is_there(
        course: Path) -> None:
    """modules/x linked to drafts/y before drafts/y is there: making it went unseen."""
    module = course / "modules" / "writing-questions"
    drafts = course / "drafts"
    drafts.mkdir()
    shutil.move(module, drafts / "now")
    module.symlink_to(Path("..") / "drafts" / "now", target_is_directory=True)
    running = Served(course)
    try:
        url = running.wait_for(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
        page = url + "writing-questions/one-idea.html"
        module.unlink()
        module.symlink_to(Path("..") / "drafts" / "later", target_is_directory=True)
        running.wait_for(r"error: .*writing-questions")
        shutil.move(drafts / "now", drafts / "later")
        running.wait_for(r"^built in")
        edit(drafts / "later" / "one-idea.yaml", "Cover the options", "Hide the options")
        wait_until(lambda: "Hide the options" in read(page), "the edit in the folder made later")
    finally:
        running.stop()
