"""Which file changes call for a rebuild, and the threads that watch for them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from coursepack.layout import COURSE_FILE, COURSE_FOLDERS


class CourseFilter(DefaultFilter):
    """Course files only: no hidden files or folders, no build/ output, no editor backups."""

    def __init__(self, root: Path, top_level: bool) -> None:
        super().__init__()
        self.root = root
        self.top_level = top_level

    def __call__(self, change: Change, path: str) -> bool:
        return super().__call__(change, path) and relevant(self.root, Path(path), self.top_level)


def relevant(root: Path, path: Path, top_level: bool = False) -> bool:
    """Whether a change to ``path`` can change the built course."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True  # an asset folder watched outside the usual ones
    if not parts or any(p.startswith(".") for p in parts) or parts[0] == "build":
        return False
    if top_level:
        return parts == (COURSE_FILE,)
    return True


def watched_folders(root: Path, extra: Iterable[Path] = ()) -> list[Path]:
    """The course folders to watch recursively: the usual ones that exist, plus asset folders."""
    folders = [root / name for name in COURSE_FOLDERS if (root / name).is_dir()]
    for folder in extra:
        if folder.is_dir() and not any(folder.is_relative_to(f) for f in folders):
            folders.append(folder)
    return folders


def start_watching(
    root: Path, stop: threading.Event, changed: Callable[[set[Path]], None],
    extra: Iterable[Path] = (),
) -> list[threading.Thread]:
    """Threads that call ``changed`` with the paths of each batch of relevant changes, until
    ``stop`` is set."""
    jobs: list[tuple[list[Path], bool]] = [([root], True)]
    folders = watched_folders(root, extra)
    if folders:
        jobs.append((folders, False))
    threads = []
    for paths, top_level in jobs:
        thread = threading.Thread(
            target=_watch, args=(paths, root, top_level, stop, changed), daemon=True
        )
        thread.start()
        threads.append(thread)
    return threads


def _watch(
    paths: list[Path], root: Path, top_level: bool, stop: threading.Event,
    changed: Callable[[set[Path]], None],
) -> None:
    watch_filter = CourseFilter(root, top_level)
    for changes in watch(*paths, watch_filter=watch_filter, stop_event=stop,
                         recursive=not top_level, raise_interrupt=False, debounce=400):
        changed({Path(path) for _, path in changes})
