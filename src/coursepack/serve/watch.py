"""Which file changes call for a rebuild, and the threads that watch for them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from coursepack.layout import COURSE_FILE, COURSE_FOLDERS, linked_places

Changed = Callable[[set[Path]], None]
"""Called with the paths of each batch of relevant changes."""
QUIET_MS = 100
"""A watch with nothing to tell says so after this long: then it has begun."""
READY_WITHIN = 5.0
"""Seconds a new watch is waited for at most."""


class CourseFilter(DefaultFilter):
    """Course files only: no hidden files or folders, no build/ output, no editor backups."""

    def __init__(self, root: Path, top_level: bool,
                 top_folders: Callable[[], Collection[str]] = lambda: COURSE_FOLDERS) -> None:
        super().__init__()
        self.root = root
        self.top_level = top_level
        self.top_folders = top_folders

    def __call__(self, change: Change, path: str) -> bool:
        return super().__call__(change, path) and relevant(
            self.root, Path(path), self.top_level, self.top_folders())


def relevant(root: Path, path: Path, top_level: bool = False,
             top_folders: Collection[str] = COURSE_FOLDERS) -> bool:
    """Whether a change to ``path`` can change the built course. In the course's own folder
    (``top_level``): ``course.yaml``, and a course folder made, removed or renamed."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True  # an asset folder watched outside the usual ones
    if not parts or any(p.startswith(".") for p in parts) or parts[0] == "build":
        return False
    if top_level:
        return parts == (COURSE_FILE,) or (len(parts) == 1 and parts[0] in top_folders)
    return True


def watched_folders(root: Path, extra: Iterable[Path] = ()) -> list[Path]:
    """The course folders to watch recursively: the usual ones that exist, plus asset folders."""
    folders = [root / name for name in COURSE_FOLDERS if (root / name).is_dir()]
    for folder in sorted(extra):
        if folder.is_dir() and not any(folder.is_relative_to(f) for f in folders):
            folders.append(folder)
    return folders


def linked_folders(root: Path, watched: list[Path]) -> list[Path]:
    """The folders inside the course, outside ``watched``, that links among the course
    folders lead to or hold the files of (``modules/x`` linked to ``drafts/x``)."""
    real = root.resolve()
    places = sorted({root / place.relative_to(real) for place in linked_places(root).values()})
    return [place for place in places
            if place.is_dir() and not any(place.is_relative_to(f) for f in watched)]


class _Watch:
    """One group of folders watched recursively in a thread of its own."""

    def __init__(self) -> None:
        self.folders: list[Path] = []
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.failed: list[Path] | None = None  # folders whose watch could not start

    def current(self, folders: list[Path]) -> bool:
        alive = self.thread is not None and self.thread.is_alive()
        return folders == self.folders and (alive or not folders or folders == self.failed)


class Watcher:
    """Watches a course: its own folder for ``course.yaml`` and for course folders that come
    and go, and the folders its files are in, recursively.

    The folders to watch change as the course does (a ``quizzes/`` made, an image taken from
    a new folder, ``modules/`` removed and put back by a checkout, which a watch on the old
    folder would not see), so ``follow`` is called after every build with the asset
    folders it found.

    The folders that links among the course folders lead to are a watch of their own. A
    watch of ``modules/`` goes through a link to ``drafts/x`` when it starts; the link
    moved away, it stops watching there, and in the same watch ``drafts/x`` with it (the
    system watches a folder once per watch, whatever the path).
    """

    def __init__(self, root: Path, changed: Changed) -> None:
        self.root = root
        self.changed = changed
        self._everything = threading.Event()
        self._course = _Watch()
        self._linked = _Watch()
        self._start([root], True, self._everything)

    @property
    def folders(self) -> list[Path]:
        return self._course.folders + self._linked.folders

    def follow(self, extra: Iterable[Path] = ()) -> bool:
        """Watch the course folders that exist now, the folders links lead to, and
        ``extra``. True if a group of them is watched anew (a folder came, went or moved):
        a change made until the new watch began went unseen, so build again."""
        course = watched_folders(self.root, extra)
        renewed = False
        for group, folders in ((self._course, course), (self._linked,
                                                        linked_folders(self.root, course))):
            if group.current(folders):
                continue
            group.stop.set()
            group.stop = threading.Event()
            group.folders = folders
            group.thread = self._start(folders, False, group.stop, group) if folders else None
            renewed = renewed or bool(folders)
        return renewed

    def stop(self) -> None:
        self._everything.set()
        self._course.stop.set()
        self._linked.stop.set()

    def _top_folders(self) -> set[str]:
        """Names in the course's own folder whose coming and going calls for a build."""
        return {*COURSE_FOLDERS, *(folder.relative_to(self.root).parts[0]
                                   for folder in self.folders
                                   if folder.is_relative_to(self.root))}

    def _start(self, paths: list[Path], top_level: bool, stop: threading.Event,
               group: _Watch | None = None) -> threading.Thread:
        """Watch ``paths`` in a thread; returns once the watch has begun (or could not)."""
        ready = threading.Event()
        thread = threading.Thread(target=self._watch,
                                  args=(paths, top_level, stop, ready, group), daemon=True)
        thread.start()
        ready.wait(READY_WITHIN)
        return thread

    def _watch(self, paths: list[Path], top_level: bool, stop: threading.Event,
               ready: threading.Event, group: _Watch | None) -> None:
        watch_filter = CourseFilter(self.root, top_level, self._top_folders)
        try:
            # the first answer, changes or none after a quiet moment, comes once it watches
            for changes in watch(*paths, watch_filter=watch_filter, stop_event=stop,
                                 recursive=not top_level, raise_interrupt=False,
                                 debounce=400, yield_on_timeout=True, rust_timeout=QUIET_MS):
                ready.set()
                if changes:
                    self.changed({Path(path) for _, path in changes})
        except (OSError, RuntimeError):
            # a folder went between finding it and watching it: build, and follow again
            if not stop.is_set():
                if group is not None:
                    group.failed = paths
                self.changed(set(paths))
        finally:
            ready.set()
