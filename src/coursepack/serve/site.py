"""The preview's web server: the last good build, plus a live-reload script on every page."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any

PREFIX = "/__coursepack__/"
LIVE_JS = files("coursepack.serve").joinpath("live.js").read_bytes()
WAITING = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>coursepack preview</title></head>
<body><main><h1>Waiting for a good build</h1>
<p>Fix the problems shown below (and in the terminal); this page reloads by itself.</p>
</main></body></html>
"""


@dataclass(frozen=True)
class Status:
    """What the open pages poll: the build number they should show and the last error."""

    version: int
    error: str

    def to_json(self) -> bytes:
        return json.dumps({"version": self.version, "error": self.error}).encode()


def inject(html: bytes, version: int) -> bytes:
    """The page with the live-reload script added just before ``</body>``."""
    tag = f'<script src="{PREFIX}live.js" data-version="{version}"></script>'.encode()
    at = html.lower().rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


class PreviewHandler(SimpleHTTPRequestHandler):
    """Serves files of the site folder; HTML gets the live-reload script, nothing is cached."""

    status: Callable[[], Status]

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == PREFIX + "status":
            self._send(self.status().to_json(), "application/json")
        elif path == PREFIX + "live.js":
            self._send(LIVE_JS, "text/javascript; charset=utf-8")
        elif (page := self._page(path)) is not None:
            self._send(inject(page, self.status().version), "text/html; charset=utf-8")
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        super().do_HEAD()

    def _page(self, path: str) -> bytes | None:
        """The HTML file a request names, or the waiting page when nothing is built yet."""
        target = Path(self.translate_path(path))
        if target.is_dir() and path.endswith("/"):
            target = target / "index.html"
        if target.suffix.lower() in (".html", ".htm") and target.is_file():
            return target.read_bytes()
        if path in ("/", "/index.html") and not target.exists():
            return WAITING.encode()
        return None

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal is for build results."""


class PreviewServer(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 only; port 0 picks any free port."""

    daemon_threads = True

    def __init__(self, site: Path, port: int, status: Callable[[], Status]) -> None:
        handler = type("Handler", (PreviewHandler,), {"status": staticmethod(status)})
        super().__init__(("127.0.0.1", port), partial(handler, directory=str(site)))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"
