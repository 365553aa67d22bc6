"""``coursepack serve``: build the HTML site, serve it on 127.0.0.1, rebuild and reload on change.

The site is built into a temporary folder (the course's own build/ is left alone). A
failed rebuild keeps the last good site in place (``build`` swaps folders only on
success); its problems go to the terminal and, through the script that the server adds
to every page it serves, into an overlay on the open page. That script asks the server
for news and gets its answer as soon as there is some (a long poll).

When one lesson file is saved, its page is written into the site and the open pages told
to reload first; then the whole site is built again (the same engine as ``build``, which
renders only the pages the edit changed). The open pages reload again only if that build
changed more than the page already shown (its search index aside, which a page reads only
when searched). If that build fails, the lesson's page goes back to the last good build's.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from coursepack import leaving, scratch
from coursepack.atomic import replace_whole
from coursepack.build import build, edited_lesson_page
from coursepack.errors import CoursepackError, Problem
from coursepack.model import Course
from coursepack.serve.site import PreviewServer, Status
from coursepack.serve.watch import Watcher

Echo = Callable[[str, bool], None]
"""Where the preview reports: ``echo(text, is_error)``."""


class Preview:
    """One course's preview: rebuilds on demand and remembers the last build's outcome."""

    def __init__(self, root: Path, out: Path, echo: Echo) -> None:
        self.root = root.resolve()
        self.out = out
        self.echo = echo
        self.lock = threading.Lock()
        self.current = Status(version=0, error="", run=secrets.token_hex(4))
        self.changed = threading.Condition(self.lock)
        self.asset_folders: set[Path] = set()
        self.course: Course | None = None  # of the last good build
        self._warnings: list[str] = []

    @property
    def site(self) -> Path:
        return self.out / "html"

    def status(self) -> Status:
        with self.lock:
            return self.current

    def news(self, seen: Status, timeout: float) -> Status:
        """The status once it differs from ``seen``, or after ``timeout`` seconds."""
        with self.changed:
            self.changed.wait_for(lambda: self.current != seen, timeout)
            return self.current

    def _publish(self, status: Status) -> None:
        with self.changed:
            self.current = status
            self.changed.notify_all()

    def update(self, paths: set[Path]) -> bool:
        """Show the change of ``paths``: an edited lesson's page first, then the whole site."""
        shown = self.show_edited_lesson(paths)
        if shown is None:
            return self.rebuild()
        target, before, written = shown
        served = _files(self.site)
        if self.rebuild(lambda: _changed(served, self.site, target, written)):
            return True
        replace_whole(target, before)  # the whole build failed: the last good page goes back
        self._publish(replace(self.current, version=self.current.version + 1))
        return False

    def show_edited_lesson(self, paths: set[Path]) -> tuple[Path, bytes, bytes] | None:
        """Write the page of the one lesson file in ``paths`` into the site and tell the
        open pages, when the lesson loads and checks cleanly on its own. Returns the page,
        its last good version (to put back if the whole build fails) and what was written;
        None if nothing was shown."""
        # one file seen through a link and not is one file
        specs = list({path.resolve(): path for path in paths
                      if path.suffix == ".yaml" and path.is_file()}.values())
        if len(specs) != 1 or self.course is None or self.current.error:
            return None  # an editor's scratch files go with the save; the whole build checks
        started = time.perf_counter()
        try:
            found = edited_lesson_page(self.course, specs[0])
        except Exception:  # the whole build that follows reports whatever this was
            return None
        if found is None:
            return None
        _, relpath, html, images = found
        target = self.site / relpath
        written = html.encode("utf-8")
        try:
            before = target.read_bytes()
            if before == written:  # the same save seen twice (through a link and not)
                return None
            for name, source in images.items():
                if not (self.site / "media" / name).is_file():
                    replace_whole(self.site / "media" / name, source.read_bytes())
            replace_whole(target, written)
        except OSError:
            return None
        self._publish(replace(self.current, version=self.current.version + 1, error=""))
        self.echo(f"{relpath} shown in {time.perf_counter() - started:.2f} s; "
                  "building the rest", False)
        return target, before, written

    def rebuild(self, changed: Callable[[], bool] = lambda: True) -> bool:
        """Build the HTML site; on failure keep the last good one and record the problems.

        The open pages are told to reload if ``changed()`` says the new site differs from
        the one they show (always, unless told otherwise)."""
        started = time.perf_counter()
        try:
            report = build(self.root, ["html"], self.out)
        except CoursepackError as exc:
            return self._failed(exc.problems)
        except Exception as exc:  # a bug of ours: say so, keep serving the last good site
            return self._failed([], f"internal error: {type(exc).__name__}: {exc}")
        self.asset_folders = {a.path.parent for a in report.course.assets()}
        self.course = report.course
        self._show_warnings([str(p) for p in report.warnings] + report.notes)
        reload = changed()
        if reload:
            self._publish(replace(self.current, version=self.current.version + 1, error=""))
        seconds = time.perf_counter() - started
        self.echo(f"built in {seconds:.1f} s ({len(report.warnings)} warnings)"
                  + ("" if reload else "; nothing else changed"), False)
        return True

    def _failed(self, problems: tuple[Problem, ...] | list[Problem], text: str = "") -> bool:
        text = text or "\n".join(str(p) for p in problems)
        self._publish(replace(self.current, error=text))
        self.echo(text, True)
        kept = ("still serving the last good build" if self.course is not None
                else "the preview shows these problems until a build succeeds")
        self.echo(f"build failed; {kept}", True)
        return False

    def _show_warnings(self, lines: list[str]) -> None:
        """The build's warnings and notes, when they differ from the last build's."""
        if lines != self._warnings:
            for line in lines:
                self.echo(line, False)
        self._warnings = lines


#: Read by a page only when the learner searches: a change to it alone reloads nothing.
_SEARCH_INDEX = "assets/search-index.js"

Files = dict[str, tuple[int, int, str]]
"""Each file of a site: its inode and size, and its digest if every build writes it anew."""


def _files(site: Path) -> Files:
    """The site's files as served now. Pages and images kept from the last build are hard
    links (same inode); what every build writes anew is the assets folder, a few small
    files, compared by content."""
    found: Files = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder, name)
            relpath = path.relative_to(site).as_posix()
            try:
                info = path.lstat()
                content = (hashlib.sha256(path.read_bytes()).hexdigest()
                           if relpath.startswith("assets/") else "")
            except OSError:
                content = os.urandom(8).hex()  # unreadable now: never the same
                info = os.stat_result((0,) * 10)
            found[relpath] = (info.st_ino, info.st_size, content)
    return found


def _changed(served: Files, site: Path, shown: Path, written: bytes) -> bool:
    """Whether the site just built differs from ``served`` (with ``written`` at ``shown``)
    in anything an open page shows."""
    now = _files(site)
    page = shown.relative_to(site).as_posix()
    if now.keys() != served.keys():
        return True
    for relpath, (inode, size, content) in now.items():
        if relpath == _SEARCH_INDEX or (inode, size, content) == served[relpath]:
            continue
        if content and content == served[relpath][2]:
            continue  # written anew, the same
        if relpath.startswith("media/") and size == served[relpath][1]:
            continue  # an image is named by a digest of its content
        if relpath == page and (site / relpath).read_bytes() == written:
            continue
        return True
    return False


def serve(root: Path, port: int, echo: Echo) -> None:
    """Build, serve and watch the course in ``root`` until stopped: Ctrl+C, or the SIGTERM
    or SIGHUP (a closed terminal) that the command turns into it (``leaving``), first build
    included."""
    leaving.stays()
    with leaving.held() as stopped:  # Python's first look at the temporary folder leaves
        out = scratch.made("coursepack-serve-") / "build"  # a file if Ctrl+C cuts it short
    if stopped():
        scratch.removed(out.parent)
        echo("stopped", False)
        return
    try:
        _run(Preview(root, out, echo), port, echo)
    except KeyboardInterrupt:
        echo("stopped", False)
    finally:
        scratch.removed(out.parent)


def _run(preview: Preview, port: int, echo: Echo) -> None:
    """Bind the port (a busy one is said before a long first build), watch, build, serve:
    the address answers from the start, with a page that waits for the first build."""
    try:
        server = PreviewServer(preview.site, port, preview.status, preview.news)
    except OSError as exc:
        raise CoursepackError.single(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror}",
            hint="another program uses this port; pick one with --port (0: any free port)",
        ) from None
    dirty = threading.Event()
    pending: set[Path] = set()
    guard = threading.Lock()

    def note(paths: set[Path]) -> None:
        with guard:
            pending.update(paths)
        dirty.set()

    watcher = Watcher(preview.root, note)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        serving.start()  # before anything Ctrl+C can stop: shutdown() waits for it to run
        watcher.follow()  # changes made during the first build make a second one
        preview.rebuild()
        if watcher.follow(preview.asset_folders):
            dirty.set()
        echo(f"serving {server.url}  (watching {preview.root}; Ctrl+C to stop)", False)
        while True:
            if dirty.wait(0.5):
                dirty.clear()
                with guard:
                    paths = set(pending)
                    pending.clear()
                preview.update(paths)
                if watcher.follow(preview.asset_folders):
                    dirty.set()
    finally:
        watcher.stop()
        if serving.ident is not None:  # started, so serve_forever() runs or ran
            server.shutdown()
        server.server_close()


__all__ = ["Preview", "serve"]
