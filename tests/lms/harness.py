"""Serve an LMS test page and a SCORM package on 127.0.0.1, and drive a learner through it."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import NODE_MODULES

HERE = Path(__file__).resolve().parent
SCORM_AGAIN = NODE_MODULES / "scorm-again" / "dist"
VERSIONS = {"scorm12": "1.2", "scorm2004": "2004"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on a free local port; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def site(root: Path, package: Path) -> Path:
    """Lay out what the server shows: lms/ (test page + scorm-again builds) and pkg/ (unzipped)."""
    lms = root / "lms"
    lms.mkdir(parents=True)
    shutil.copy(HERE / "lms.html", lms / "lms.html")
    for name in ("scorm12.js", "scorm2004.js"):
        shutil.copy(SCORM_AGAIN / name, lms / name)
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root / "pkg")
    return root


def content_frame(page: Any) -> Any:
    """The frame showing a course page (inside the SCO launch page, inside the LMS)."""
    for frame in page.frames:
        if "/pkg/course/" in frame.url:
            return frame
    raise AssertionError(f"no course page is shown; frames: {[f.url for f in page.frames]}")


def wait_for_course_page(page: Any, ending: str) -> Any:
    """Wait until the course frame shows a page whose path ends with ``ending``."""
    page.wait_for_function(
        """(ending) => {
             const outer = document.getElementById('sco');
             const inner = outer && outer.contentDocument &&
                           outer.contentDocument.getElementById('coursepack-content');
             const win = inner && inner.contentWindow;
             return !!win && win.location.pathname.endsWith(ending) &&
                    win.document.readyState === 'complete';
           }""",
        arg=ending,
    )
    return content_frame(page)


def calls(page: Any) -> list[dict[str, str]]:
    return page.evaluate("lms.log")  # type: ignore[no-any-return]
