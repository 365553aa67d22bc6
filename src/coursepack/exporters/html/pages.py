"""Pages kept from the last build: the site is incremental page by page.

Each page gets a key made of exactly what it shows: its own lesson, module or quiz (with
the digests of the images it shows), the course's own fields and sources, the course path
around it (breadcrumb, step number, previous and next), the contents beside it, the
templates and the code. When a page's key is the one recorded for the same page of the last
build, and that file is still the one the last build wrote (same device, inode, size and
modification time), the page is hard-linked from there instead of rendered again.

What this gives: a lesson whose body changes re-renders its own page and its search entry
only; a changed title also changes the contents and neighbours of other pages, so those are
rendered again. A course with its own HTML templates can show anything on any page, so
there every page's key holds the whole course: any edit renders every page again.

The record of the last build (keys, files, published images, search entries) lives in the
build's cache (coursepack.cache), under a key naming the output folder.

A site that goes into a package (SCORM, cmi5, the field pack, single files) has no folder of
its own that outlives the build. Its pages are kept in the cache instead (``in_cache``): each
page is an entry named by its key, holding its HTML and the images it shows (by their place
in the course folder). So an edited lesson renders one page of each package too, and the
packages that carry the same site (SCORM 1.2 and 2004, cmi5) render each page once.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import jinja2

from coursepack.exporters.base import ExportContext
from coursepack.exporters.digests import digest, lesson_digests, shown_everywhere
from coursepack.exporters.html import search
from coursepack.exporters.html.path import CoursePath
from coursepack.exporters.html.paths import Page, lesson_path
from coursepack.exporters.kept_html import KeptHtml
from coursepack.exporters.linked import LastBuild, facts_of
from coursepack.model import Course, Lesson, Module

log = logging.getLogger("coursepack.html")
"""Each page rendered again is logged here at DEBUG level ("rendered <path>")."""

_RECORD_VERSION = "4"  # 4: the mode among the facts
_SEARCH_FIELDS = ("title", "module", "url", "text")


def navigation(path: CoursePath) -> str:
    """The order and titles of every step: what the contents and the pagers show."""
    return digest([(part.id, part.title, part.whole,
                    [(step.kind, step.path, step.title, step.key) for step in part.steps])
                   for part in path.parts], path.has_home, path.in_lms)


def site_inputs(env: jinja2.Environment, course: Course, path: CoursePath) -> str:
    """What every page of the site is made from: what every page shows, and the course
    path (the contents, breadcrumbs and pagers)."""
    return shown_everywhere(env, course, navigation(path))


class KeptPages:
    """Which pages of the last build can be taken over, and the record of this build's."""

    def __init__(self, ctx: ExportContext, variant: str, base: str, path: CoursePath,
                 in_cache: bool = False) -> None:
        self.ctx = ctx
        self.base = base
        self.path = path
        #: Where the pages are kept when the site has no folder of its own between builds.
        self.cached = KeptHtml(ctx.cache, "html-page", digest(_RECORD_VERSION, variant),
                               ctx.course.root) if in_cache else None
        self.previous = None if in_cache else ctx.previous
        self.last = LastBuild(self.previous) if self.previous is not None else None
        where = ctx.destination  # the record still keeps the search entries
        self.record_key = (ctx.cache.key("html-pages", _RECORD_VERSION, variant, str(where))
                           if where is not None else None)
        before = ctx.cache.get_json(self.record_key) if self.record_key else None
        before = before if isinstance(before, dict) else {}
        pages, search, media = before.get("pages"), before.get("search"), before.get("media")
        self.before_media: dict[str, Any] = media if isinstance(media, dict) else {}
        self.media: dict[str, Any] = {}
        self.before_pages: dict[str, Any] = pages if isinstance(pages, dict) else {}
        self.before_search: dict[str, Any] = search if isinstance(search, dict) else {}
        self.pages: dict[str, list[Any]] = {}
        self.search: dict[str, Any] = {}
        self.rendered: list[str] = []
        self.kept = 0
        self.keys: dict[str, tuple[str, str]] = {}
        self.lessons = lesson_digests(ctx)

    def key(self, template: str, here: Page, shown: object) -> str:
        known = self.keys.get(here.path)
        if known is None or known[0] != template:
            # where the page sits (breadcrumb, step number, previous and next) follows from
            # its path and the navigation, which ``base`` holds
            known = template, digest(self.base, template, here, self.shown(shown))
            self.keys[here.path] = known
        return known[1]

    def shown(self, value: object) -> object:
        """A lesson by its digest, made once per build (its page, its search entry)."""
        if isinstance(value, tuple) and len(value) == 1 and isinstance(value[0], Lesson):
            return self.lesson_digest(value[0])
        return value

    def lesson_digest(self, lesson: Lesson) -> str:
        return self.lessons(lesson)

    def known(self, template: str, here: Page, shown: object) -> bool:
        """Whether the page can be taken over from the last build (or the cache)."""
        if self.cached is not None:
            return self.ctx.cache.has(self.cached.key(self.key(template, here, shown)))
        return self.recorded_before(here) and \
            self._linkable(here, self.key(template, here, shown)) is not None

    def recorded_before(self, here: Page) -> bool:
        """Whether the last build recorded the page ``here``, or the cache may hold it (if
        not, no need for its key to know that it is rendered)."""
        return self.cached is not None or (self.previous is not None
                                             and here.path in self.before_pages)

    def lesson_digested(self, lesson: Lesson, found: str) -> None:
        """The digest of ``lesson``, made elsewhere (by a worker)."""
        self.lessons.digested(lesson, found)

    def _linkable(self, here: Page, key: str) -> list[Any] | None:
        was = self.before_pages.get(here.path)
        if self.last is None or not isinstance(was, list) or len(was) != 3 \
                or was[0] != key or not isinstance(was[2], dict) \
                or not self.last.as_left(here.path, was[1]):
            return None
        return was

    def take_over(self, here: Page, key: str) -> dict[str, Path] | None:
        """The images of the page ``here`` if the last build's copy is linked in (or the
        cache's is written); else None."""
        if self.cached is not None:
            return self._from_cache(self.cached, here, key)
        was = self._linkable(here, key)
        if was is None or self.previous is None:
            return None
        self.ctx.out.reuse(self.previous / here.path, here.path)  # checked: _linkable
        self.pages[here.path] = was
        self.kept += 1
        return {str(name): Path(str(path)) for name, path in was[2].items()}

    def written(self, here: Page, key: str, target: Path, images: dict[str, Path],
                html: str) -> None:
        """Record the page ``here``, rendered to ``html`` and written to ``target``."""
        self.recorded(here, key, facts_of(target), images, html)

    def recorded(self, here: Page, key: str, info: list[int], images: dict[str, Path],
                 html: str | None = None) -> None:
        """Record the page ``here`` as rendered into a file with ``info`` (``facts_of``);
        ``html``, its text, if at hand (a worker wrote it)."""
        self.pages[here.path] = [key, info, {name: str(path) for name, path in images.items()}]
        self.rendered.append(here.path)
        log.debug("rendered %s", here.path)
        if self.cached is not None:
            if html is None:
                html = self.ctx.out.root.joinpath(here.path).read_text(encoding="utf-8")
            self.cached.keep(self.cached.key(key), html, images.values())

    def _from_cache(self, kept: KeptHtml, here: Page, key: str) -> dict[str, Path] | None:
        """Write the page from the cache; the images it shows (by published name), or None
        if the cache does not have it."""
        found = kept.get_published(kept.key(key))
        if found is None:
            return None
        html, shown = found
        target = self.ctx.out.write_text(here.path, html)
        self.pages[here.path] = [key, facts_of(target),
                                 {name: str(image) for name, image in shown.items()}]
        self.kept += 1
        return shown

    def publish(self, source: Path, relpath: str) -> None:
        """Copy an image the site shows to ``relpath``, or link the last build's copy in
        when it is still the one that build wrote (its name holds a digest of its content,
        and it is as large as the file now). An image published already is left as it is."""
        if relpath in self.media:
            return
        was = self.before_media.get(relpath)
        if self.last is not None and isinstance(was, list) and len(was) == 5 \
                and was[3] == _size(source) and self.last.as_left(relpath, was):
            self.ctx.out.reuse(self.last.folder / relpath, relpath)
            self.media[relpath] = was
            return
        self.media[relpath] = facts_of(self.ctx.out.copy(source, relpath))

    def _search_key(self, module: Module, lesson: Lesson) -> str:
        return digest(module.id, module.title, self.lesson_digest(lesson))

    def has_search_entry(self, module: Module, lesson: Lesson) -> bool:
        return self._search_key(module, lesson) in self.before_search

    def search_entry(self, module: Module, lesson: Lesson,
                     made: dict[str, Any] | None = None) -> Any:
        """The lesson's entry of the search index: the last build's if the lesson and its
        module's title are as they were, else ``made`` (by a worker), else made here."""
        key = self._search_key(module, lesson)
        was = self.before_search.get(key)
        entry = made
        if isinstance(was, list) and len(was) == len(_SEARCH_FIELDS):
            entry = dict(zip(_SEARCH_FIELDS, was, strict=True))  # in the order it was made
        if entry is None:
            entry = search.search_entry(module, lesson)
            log.debug("indexed %s", lesson_path(module, lesson))
        self.search[key] = [entry[name] for name in _SEARCH_FIELDS]
        return entry

    def finish(self) -> None:
        """Record this build's pages for the next one, and say what was rendered."""
        if self.record_key is not None:
            record = {"pages": self.pages, "search": self.search,  # a large course: megabytes
                      "media": self.media}
            self.ctx.cache.put(self.record_key, json.dumps(record, separators=(",", ":"),
                                                           ensure_ascii=False).encode())
        if self.kept:
            shown = ", ".join(self.rendered[:8]) + (" ..." if len(self.rendered) > 8 else "")
            self.ctx.notes.append(
                f"rendered {len(self.rendered)} of {len(self.pages)} pages, the rest kept "
                f"from the last build" + (f": {shown}" if self.rendered else ""))


def _size(path: Path) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None
