"""One pool of worker processes per build, shared by Markdown parsing and PDF rendering,
and stopped however the build ends."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from coursepack import markup, workers
from coursepack.errors import CoursepackError
from coursepack.exporters import ExportContext
from coursepack.exporters.html import HtmlExporter
from tests.conftest import Run

pytestmark = [pytest.mark.pdf, pytest.mark.xdist_group("pdf")]


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every pool a build starts, each with the names of the tasks it was given."""
    made: list[Any] = []

    class Counted(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.tasks: list[str] = []
            made.append(self)

        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            self.tasks.append(str(fn))
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(workers.Workers, "__init__",
                        lambda self, count=None: _two_workers(self))
    return made


def _two_workers(self: workers.Workers) -> None:
    self.count, self._executor = 2, None  # as on the smallest machine with workers


def stopped(pool: ProcessPoolExecutor) -> bool:
    try:
        pool.submit(print).cancel()
    except RuntimeError:  # cannot schedule new futures after shutdown
        return True
    return False


def test_markdown_and_pdf_share_one_pool_that_stops_with_the_build(
        run: Run, course: Path, tmp_path: Path, pools: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markup, "PARALLEL_FROM", 1)  # parse even a small course in workers
    monkeypatch.setattr(markup, "_PARSED", {})  # nothing parsed by an earlier test
    result = run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert len(pools) == 1
    tasks = " ".join(pools[0].tasks)
    # the site's Markdown (parsed while its pages are written), the PDFs, their set-up
    assert "_make_batch" in tasks and "render" in tasks and "start_worker" in tasks
    assert stopped(pools[0])


def test_a_failing_build_stops_its_workers(
        run: Run, course: Path, tmp_path: Path, pools: list[Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(self: HtmlExporter, ctx: ExportContext) -> Path:
        raise CoursepackError.single("disk full, say")

    monkeypatch.setattr(HtmlExporter, "export", fails)
    result = run("build", str(course), "-f", "html", "-f", "pdf", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1 and "disk full, say" in result.stderr
    assert len(pools) == 1, "the PDF format's set-up started the workers before the site"
    assert stopped(pools[0])
