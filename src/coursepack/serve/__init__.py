"""``coursepack serve``: build the HTML site, serve it on 127.0.0.1, rebuild and reload on change.

The site is built into a temporary folder (the course's own build/ is left alone). A
failed rebuild keeps the last good site in place (``build`` swaps folders only on
success); its problems go to the terminal and, through the polling script that the
server adds to every page it serves, into an overlay on the open page.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from coursepack.build import build
from coursepack.errors import CoursepackError, Problem
from coursepack.serve.site import PreviewServer, Status
from coursepack.serve.watch import start_watching

Echo = Callable[[str, bool], None]
"""Where the preview reports: ``echo(text, is_error)``."""


class Preview:
    """One course's preview: rebuilds on demand and remembers the last build's outcome."""

    def __init__(self, root: Path, out: Path, echo: Echo) -> None:
        self.root = root.resolve()
        self.out = out
        self.echo = echo
        self.lock = threading.Lock()
        self.current = Status(version=0, error="")
        self.asset_folders: set[Path] = set()
        self._warnings: list[str] = []

    @property
    def site(self) -> Path:
        return self.out / "html"

    def status(self) -> Status:
        with self.lock:
            return self.current

    def rebuild(self) -> bool:
        """Build the HTML site; on failure keep the last good one and record the problems."""
        started = time.perf_counter()
        try:
            report = build(self.root, ["html"], self.out)
        except CoursepackError as exc:
            return self._failed(exc.problems)
        except Exception as exc:  # a bug of ours: say so, keep serving the last good site
            return self._failed([], f"internal error: {type(exc).__name__}: {exc}")
        self.asset_folders = {a.path.parent for a in report.course.assets()}
        self._show_warnings(report.warnings)
        with self.lock:
            self.current = Status(self.current.version + 1, "")
        seconds = time.perf_counter() - started
        self.echo(f"built in {seconds:.1f} s ({len(report.warnings)} warnings)", False)
        return True

    def _failed(self, problems: tuple[Problem, ...] | list[Problem], text: str = "") -> bool:
        text = text or "\n".join(str(p) for p in problems)
        with self.lock:
            self.current = Status(self.current.version, text)
        self.echo(text, True)
        self.echo("build failed; still serving the last good build", True)
        return False

    def _show_warnings(self, warnings: list[Problem]) -> None:
        lines = [str(p) for p in warnings]
        if lines != self._warnings:
            for line in lines:
                self.echo(line, False)
        self._warnings = lines


def serve(root: Path, port: int, echo: Echo) -> None:
    """Build, serve and watch the course in ``root`` until interrupted (Ctrl+C or SIGTERM)."""
    out = Path(tempfile.mkdtemp(prefix="coursepack-serve-")) / "build"
    try:
        preview = Preview(root, out, echo)
        preview.rebuild()
        _run(preview, port, echo)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def _run(preview: Preview, port: int, echo: Echo) -> None:
    try:
        server = PreviewServer(preview.site, port, preview.status)
    except OSError as exc:
        raise CoursepackError.single(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror}",
            hint="another program uses this port; pick one with --port (0: any free port)",
        ) from None
    stop, dirty = threading.Event(), threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    start_watching(preview.root, stop, dirty.set, preview.asset_folders)
    _stop_on_sigterm()
    echo(f"serving {server.url}  (watching {preview.root}; Ctrl+C to stop)", False)
    try:
        while True:
            if dirty.wait(0.5):
                dirty.clear()
                preview.rebuild()
    except KeyboardInterrupt:
        echo("stopped", False)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def _stop_on_sigterm() -> None:
    """Let ``kill`` stop the preview as Ctrl+C does, so the temporary site is removed."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


__all__ = ["Preview", "serve"]
