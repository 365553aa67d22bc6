"""Lesson pages rendered by the build's workers while this process writes the rest of the site.

The workers are forked processes: they know what this process knew when they started. So
when the site is the first to start the build's workers (an HTML build of a large course),
it puts what renders a lesson page here first, and each worker renders, writes and indexes
lesson pages as this process would, while this process renders the module, quiz and other
pages. When another format started the workers earlier, the site renders its lesson pages
itself, the workers parsing their Markdown ahead (``markup.parsed_ahead``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursepack.errors import CoursepackError, Problem


@dataclass(frozen=True)
class Made:
    """What a worker made of one lesson: the page's key (pages.KeptPages), the file it
    wrote (device, inode, size and modification time), the images the page shows, the
    lesson's digest and search entry."""

    key: str
    info: list[int]
    images: dict[str, str]
    digest: str
    entry: dict[str, Any] | None
    problems: tuple[Problem, ...] = field(default=())
    """Why the page could not be made (a template error), raised again in the build."""

    @property
    def image_paths(self) -> dict[str, Path]:
        return {name: Path(path) for name, path in self.images.items()}


Maker = Callable[[int, str], Made]
"""Renders lesson number ``i`` of the site into the file ``target``."""
Work = list[tuple[int, str]]
"""Lessons to make: each one's number and the file to write."""

_MAKERS: dict[int, Maker] = {}
_TOKENS = itertools.count()
BATCH = 16
"""Lessons per task: the first pages are collected soon, the queue stays short."""


def _make(token: int, work: Sequence[tuple[int, str]]) -> list[Made]:
    """In a worker (or here): render each lesson of ``work`` (its number, the file to write)."""
    maker = _MAKERS[token]
    made = []
    for index, target in work:
        try:
            made.append(maker(index, target))
        except CoursepackError as exc:  # sent back as its problems: they pickle, it does not
            made.append(Made("", [], {}, "", None, exc.problems))
    return made


class Ahead:
    """Lesson pages being made by workers: ``collect`` waits for them in order."""

    def __init__(self, token: int, sent: list[tuple[Future[list[Made]], Work]]) -> None:
        self.token = token
        self.sent = sent

    def collect(self) -> Iterator[tuple[int, Made]]:
        """Each lesson made (its number, what was made), in the order sent; a template
        error is raised as it would be had the page been rendered here.

        While the next batch in order is not done, this process (which has nothing else
        left to do) makes the last batch no worker has started yet.
        """
        here: dict[int, list[Made]] = {}
        front, back = 0, len(self.sent)
        while front < back:
            future, work = self.sent[front]
            if not future.done() and front < back - 1 and self.sent[back - 1][0].cancel():
                back -= 1
                here[back] = _make(self.token, self.sent[back][1])
                continue
            yield from self._checked(work, future.result())
            front += 1
        for number in range(back, len(self.sent)):
            yield from self._checked(self.sent[number][1], here[number])

    @staticmethod
    def _checked(work: Work, made: list[Made]) -> Iterator[tuple[int, Made]]:
        for (index, _), one in zip(work, made, strict=True):
            if one.problems:
                raise CoursepackError(one.problems)
            yield index, one


@contextmanager
def in_workers(maker: Maker, start: Callable[[], Executor | None]) -> Iterator[
        Callable[[Work], Ahead]]:
    """Within this block, a function that sends lessons to the workers ``start`` starts
    when it is first called (they learn ``maker`` and all this process knows then); with
    no workers, the lessons are made at once, here."""
    token = next(_TOKENS)
    _MAKERS[token] = maker

    def send(work: Work) -> Ahead:
        pool = start()
        if pool is None:  # no workers after all (one core): made here, now
            done: Future[list[Made]] = Future()
            done.set_result(_make(token, work))
            return Ahead(token, [(done, work)])
        batches = [work[at:at + BATCH] for at in range(0, len(work), BATCH)]
        return Ahead(token, [(pool.submit(_make, token, batch), batch) for batch in batches])

    try:
        yield send
    finally:
        del _MAKERS[token]
