"""Which file changes call for a rebuild, and the threads that watch for them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from coursepack.layout import COURSE_FILE, COURSE_FOLDERS

Changed = Callable[[set[Path]], None]
"""Called with the paths of each batch of relevant changes."""


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


class Watcher:
    """Watches a course: its own folder for ``course.yaml`` and for course folders that come
    and go, and the folders its files are in, recursively.

    The folders to watch change as the course does (a ``quizzes/`` made, an image taken from
    a new folder, ``modules/`` removed and put back by a checkout, which a watch on the old
    folder would not see), so ``follow`` is called after every build with the asset
    folders it found.
    """

    def __init__(self, root: Path, changed: Changed) -> None:
        self.root = root
        self.changed = changed
        self.folders: list[Path] = []
        self._everything = threading.Event()
        self._folders_stop = threading.Event()
        self._folders_thread: threading.Thread | None = None
        self._failed: list[Path] | None = None  # folders whose watch could not start
        self._start([root], True, self._everything)

    def follow(self, extra: Iterable[Path] = ()) -> bool:
        """Watch the course folders that exist now, and ``extra``. True if a folder is watched
        that was not before: a change made in it until now went unseen, so build again."""
        folders = watched_folders(self.root, extra)
        alive = self._folders_thread is not None and self._folders_thread.is_alive()
        if folders == self.folders and (alive or not folders or folders == self._failed):
            return False
        gained = not alive or bool(set(folders) - set(self.folders))
        self._folders_stop.set()
        self._folders_stop = threading.Event()
        self.folders = folders
        self._folders_thread = (self._start(folders, False, self._folders_stop)
                                if folders else None)
        return gained and bool(folders)

    def stop(self) -> None:
        self._everything.set()
        self._folders_stop.set()

    def _top_folders(self) -> set[str]:
        """Names in the course's own folder whose coming and going calls for a build."""
        return {*COURSE_FOLDERS, *(folder.relative_to(self.root).parts[0]
                                   for folder in self.folders
                                   if folder.is_relative_to(self.root))}

    def _start(self, paths: list[Path], top_level: bool,
               stop: threading.Event) -> threading.Thread:
        thread = threading.Thread(target=self._watch, args=(paths, top_level, stop),
                                  daemon=True)
        thread.start()
        return thread

    def _watch(self, paths: list[Path], top_level: bool, stop: threading.Event) -> None:
        watch_filter = CourseFilter(self.root, top_level, self._top_folders)
        try:
            for changes in watch(*paths, watch_filter=watch_filter, stop_event=stop,
                                 recursive=not top_level, raise_interrupt=False,
                                 debounce=400):
                self.changed({Path(path) for _, path in changes})
        except (OSError, RuntimeError):
            # a folder went between finding it and watching it: build, and follow again
            if not stop.is_set():
                self._failed = paths
                self.changed(set(paths))
