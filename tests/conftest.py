"""Shared fixtures: a CLI runner, a fresh starter course, and the bundled course built once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from coursepack.cli import main
from coursepack.starter import STARTER

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "tests" / "schemas"  # official XSDs, origin and licences in its README.md
NODE_MODULES = REPO / "tests" / "node_modules"

Run = Callable[..., Result]


def own_template(course: Path, fmt: str, name: str, text: str) -> Path:
    """Give ``course`` its own template ``name`` for ``fmt`` (templates/<fmt>/<name>)."""
    path = course / "templates" / fmt / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def run(runner: CliRunner) -> Run:
    """Run the CLI as a user would: ``run("build", str(course))``."""

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A fresh copy of the course ``coursepack init`` writes."""
    target = tmp_path / "course"
    shutil.copytree(STARTER, target, ignore=shutil.ignore_patterns(".coursepack-cache"))
    return target


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled course (repo root), every format built once per session."""
    from coursepack.build import build

    out = tmp_path_factory.mktemp("bundled") / "build"
    build(REPO, out=out)
    return out


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A fresh browser context and page per test (its own localStorage)."""
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()
