"""One name per format: the CLI value, the registry key, the module, templates/ and build/."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from coursepack.errors import CoursepackError
from coursepack.formats import EXPORTERS, get_exporter
from tests.conftest import REPO, Run


@pytest.mark.parametrize("name", list(EXPORTERS))
def test_a_format_has_one_name_everywhere(name: str) -> None:
    exporter = EXPORTERS[name]
    assert exporter.name == name
    module = importlib.import_module(f"coursepack.exporters.{name.replace('-', '_')}")
    assert module.__name__.split(".")[-1] == name.replace("-", "_")
    assert exporter.__module__.startswith(module.__name__)
    assert (REPO / "templates" / name).is_dir()
    assert exporter.summary


def test_an_unknown_format_lists_the_ones_there_are() -> None:
    with pytest.raises(CoursepackError) as caught:
        get_exporter("docx")
    assert "unknown format 'docx'" in str(caught.value)
    assert "html" in str(caught.value)


def test_each_quick_format_builds_into_its_own_folder(course: Path, tmp_path: Path, run: Run) -> None:
    quick = [name for name in EXPORTERS if name != "pdf"]
    result = run("build", str(course), "--out", str(tmp_path / "out"), *[a for n in quick for a in ("-f", n)])
    assert result.exit_code == 0, result.output
    built = [p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")]
    assert sorted(built) == sorted(quick)
