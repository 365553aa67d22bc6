"""One name per format: the CLI value, the registry key, the module, templates/ and build/."""

from __future__ import annotations

import dataclasses
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


@pytest.mark.parametrize("name", list(EXPORTERS))
def test_what_the_registry_says_of_a_format_is_what_the_format_says(name: str) -> None:
    """The registry names a format's settings field and its workers' set-up without
    importing it; the format, imported, agrees."""
    from coursepack.fields import HasSettings
    from coursepack.formats import SETTINGS_FIELDS, settings_owners, worker_setup
    from coursepack.loader import load_course
    from coursepack.starter import STARTER

    exporter = EXPORTERS[name]()
    owners = {owner.settings_key for owner in settings_owners()}
    if isinstance(exporter, HasSettings):
        assert exporter.settings_key in SETTINGS_FIELDS and exporter.settings_key in owners
        assert {o.settings_key for o in settings_owners([exporter.settings_key])} == {
            exporter.settings_key}
        # unset, its settings are its defaults: so a build need not ask (nor import) it
        course, _ = load_course(STARTER)
        course = dataclasses.replace(course, sections=())  # course.yaml sets none
        assert exporter.settings(course)[1] == []
    setup = worker_setup(name)
    assert (setup is not None) == (name in ("pdf", "field-pack"))
    if setup is not None:
        from coursepack.exporters.pdf import pool

        assert setup is pool.start_worker


def test_the_command_line_and_the_pdf_worker_s_set_up_load_no_format(tmp_path: Path) -> None:
    """A build starts the PDF renderer's set-up (WeasyPrint, half a second) as soon as its
    arguments are read, before the rest of the program loads: so the command line loads
    neither the pipeline nor the model, and the set-up's module no format."""
    import subprocess
    import sys

    listed = subprocess.run(
        [sys.executable, "-c", "import sys, coursepack.cli, coursepack.formats, "
         "coursepack.exporters.pdf.pool; print(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True).stdout.split()
    loaded = {name for name in listed if name.startswith("coursepack")}
    assert "coursepack.exporters.pdf.pool" in loaded
    for heavy in ("coursepack.build", "coursepack.model", "coursepack.markup",
                  "coursepack.loader", "coursepack.render", "coursepack.exporters.html",
                  "coursepack.exporters.pdf.exporter", "weasyprint", "jinja2"):
        assert heavy not in listed, heavy


def test_a_worker_numbering_a_handout_loads_pikepdf_and_not_the_join(tmp_path: Path) -> None:
    """A worker draws an edited lesson's page numbers onto its handout while the build's own
    process joins the course pack: it loads the numbering, not the join, its fonts or the
    site's modules (some 0.4 s, which an edited rebuild waited for)."""
    import subprocess
    import sys

    listed = subprocess.run(
        [sys.executable, "-c", "import sys, coursepack.exporters.pdf.page_numbers; "
         "print(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True).stdout.split()
    assert "pikepdf" in listed
    for heavy in ("coursepack.exporters.pdf.assemble", "coursepack.exporters.pdf.fonts",
                  "coursepack.exporters.pdf.pack", "coursepack.exporters.html",
                  "coursepack.render", "coursepack.model", "weasyprint", "fontTools"):
        assert heavy not in listed, heavy
