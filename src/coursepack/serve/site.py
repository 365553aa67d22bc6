"""The preview's web server: the last good build, plus a live-reload script on every page."""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

PREFIX = "/__coursepack__/"
HOST = "127.0.0.1"
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
"""Host names the preview answers to (besides the address it is bound to)."""
MAX_PATH = 2048
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LIVE_JS = files("coursepack.serve").joinpath("live.js").read_bytes()
_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - coursepack preview</title>
<meta name="coursepack-preview-page" content=""></head>
<body><main><h1>{title}</h1>
<p>{text}</p>
<p><a href="/">The course's home page</a></p>
</main></body></html>
"""
WAITING = _PAGE.format(
    title="The course is not built yet",
    text="This page shows it as soon as a build succeeds; problems found appear below "
         "and in the terminal.").encode()
NOT_FOUND = _PAGE.format(
    title="Not in the course",
    text="The last good build has no such page. This page reloads by itself when the "
         "course is built again.").encode()
_PORT = re.compile(r"(:\d+)?")


@dataclass(frozen=True)
class Status:
    """What the open pages poll: the build number they should show, the last error, and
    which run of the preview counts the builds (started again, it counts from 1 again)."""

    version: int
    error: str
    run: str = ""

    def to_json(self) -> bytes:
        return json.dumps({"version": self.version, "error": self.error,
                           "run": self.run}).encode()


News = Callable[[Status, float], Status]
"""``news(seen, timeout)``: the status once it differs from ``seen``, or after ``timeout``."""
LONG_POLL = 20.0
"""Seconds a status request with ``?after=<version>`` waits for news before answering."""


def inject(html: bytes, status: Status) -> bytes:
    """The page with the live-reload script added just before ``</body>``, told which build
    it is of (``status``, had before the page was read: a page of a later build that says
    it is of an earlier one is only reloaded once more)."""
    tag = (f'<script src="{PREFIX}live.js" data-version="{status.version}" '
           f'data-run="{status.run}"></script>').encode()
    at = html.lower().rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves the files of the site folder, and nothing else; HTML gets the live-reload
    script, nothing is cached.

    A request for another host name is refused (a web page cannot reach the preview by
    pointing a name of its own at 127.0.0.1), folders are never listed, and a malformed
    path (a control character, a bad percent escape, ``..``, an encoded slash, over-long)
    gets 400. Links are followed only when they stay inside the site folder.
    """

    status: Callable[[], Status]
    news: News | None
    site: Path
    hosts: frozenset[str]
    server_version = "coursepack-preview"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, with_body: bool) -> None:
        named = self.headers.get_all("Host") or []
        if len(named) != 1:
            self.send_error(400, "one Host header needed")
            return
        host = named[0]
        if host_name(host) not in self.hosts:
            self.send_error(403, "this preview answers only to its own address")
            return
        parts = request_path(self.path)
        if parts is None:
            self.send_error(400, "malformed path")
            return
        path = "/" + "/".join(parts)
        if path == PREFIX + "status":
            self._send(self._status().to_json(), "application/json", with_body)
        elif path == PREFIX + "live.js":
            self._send(LIVE_JS, "text/javascript; charset=utf-8", with_body)
        else:
            self._serve_file(parts, self.path.split("?", 1)[0].endswith("/"), with_body)

    def _status(self) -> Status:
        """The status now; with ``?after=<version>&shown=<0|1>`` (the build the page shows,
        whether it shows problems), the status once there is news for the page: a new
        build, or problems that it does not show yet (or that are gone)."""
        now = self.status()
        query = parse_qs(urlsplit(self.path).query)
        after = query.get("after", [""])[0]
        shown = query.get("shown", ["0"])[0] == "1"
        run = query.get("run", [now.run])[0]
        if self.news is None or not after.isdigit() or int(after) != now.version \
                or shown != bool(now.error) or run != now.run:
            return now
        return self.news(now, LONG_POLL)

    def _serve_file(self, parts: tuple[str, ...], as_folder: bool, with_body: bool) -> None:
        site = self.site.resolve()
        target = inside(site, parts)
        if target is not None and target.is_dir():  # its index page, never a listing
            target = inside(site, (*parts, "index.html"))
            if target is not None and parts and not as_folder:  # /module -> /module/
                self._redirect("/" + "/".join(parts) + "/")
                return
        status = self.status()  # before the file: see inject
        if not site.is_dir():  # no good build yet
            self._send_page(503, WAITING, status, with_body)
            return
        if target is None or not target.is_file():
            if parts == ("favicon.ico",):  # asked by every browser: no icon, no error
                self.send_response(204)
                self.end_headers()
                return
            self._send_page(404, NOT_FOUND, status, with_body)
            return
        try:
            data = target.read_bytes()
        except OSError:  # replaced by a rebuild as we read it
            self._send_page(404, NOT_FOUND, status, with_body)
            return
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix.lower() in (".html", ".htm"):
            data, kind = inject(data, status), "text/html; charset=utf-8"
        elif kind.startswith("text/") or kind.endswith(("javascript", "json")):
            kind += "; charset=utf-8"
        self._send(data, kind, with_body)

    def _send_page(self, code: int, page: bytes, status: Status, with_body: bool) -> None:
        """A page of the preview's own, with the live-reload script: it turns into the
        page asked for once a build has it."""
        self._send(inject(page, status), "text/html; charset=utf-8", with_body, code)

    def _send(self, body: bytes, kind: str, with_body: bool = True, code: int = 200) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", quote(location))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for build results."""


def host_name(header: str) -> str:
    """The host name of a Host header, lower case, without its port: ``[::1]:8000`` -> ``[::1]``;
    empty when what follows an IPv6 address is not a port (``[::1].evil.example``)."""
    text = header.strip().lower()
    if text.startswith("["):
        end = text.find("]") + 1
        return text[:end] if end and _PORT.fullmatch(text[end:]) else ""
    name, _, port = text.rpartition(":")
    return name if name and port.isdigit() else text


def request_path(raw: str) -> tuple[str, ...] | None:
    """The folder and file names a request's path asks for, or None when it is malformed.

    Each segment is decoded on its own, so ``..%2f`` or ``%2e%2e`` cannot reach out of the
    site; a control character, a backslash, a bad escape or text that is not UTF-8 is refused.
    """
    path = raw.split("?", 1)[0].split("#", 1)[0]
    if len(raw) > MAX_PATH or not path.startswith("/") or _BAD_ESCAPE.search(path):
        return None
    parts = []
    for segment in path.split("/"):
        try:
            name = unquote(segment, errors="strict")
        except UnicodeDecodeError:
            return None
        if name in (".", "..") or "/" in name or "\\" in name or _CONTROL.search(name):
            return None
        if name:
            parts.append(name)
    return tuple(parts)


def inside(site: Path, parts: tuple[str, ...]) -> Path | None:
    """The real path ``parts`` names in ``site`` (links followed), if it exists there."""
    try:
        real = site.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    return real if real.is_relative_to(site) else None


class PreviewServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 only; port 0 picks any free port."""

    daemon_threads = True

    def __init__(self, site: Path, port: int, status: Callable[[], Status],
                 news: News | None = None) -> None:
        super().__init__((HOST, port), PreviewHandler)
        bound = str(self.server_address[0])
        self.RequestHandlerClass = type("Handler", (PreviewHandler,), {
            "status": staticmethod(status), "site": site,
            "news": staticmethod(news) if news is not None else None,
            "hosts": frozenset({*LOCAL_NAMES, bound, f"[{bound}]"}),
        })

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that drops a connection, or a request we cannot answer, is no news for
        the terminal (which is for build results); the client just gets no answer."""
