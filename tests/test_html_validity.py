"""The course site as the Nu HTML checker (the W3C validator, run locally) sees it: every page
of the starter course and of the bundled course is valid HTML with valid CSS, and no section
lacks a heading, so a screen-reader user can jump between sections and questions. The pages
inside the bundled course's SCORM and Common Cartridge packages are checked too, as an LMS
shows them.

The checker runs once per course over all its pages and style sheets (one Java start each)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

from tests.conftest import NODE_MODULES, Run

VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LACKS_HEADING = "Section lacks heading."


def nu_messages(*sites: Path) -> list[dict[str, Any]]:
    """Every message the Nu checker gives for the sites' HTML pages and CSS files."""
    java = shutil.which("java")
    assert java, "no `java` on PATH: run scripts/install-system-deps.sh (it installs a Java runtime)"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run `npm ci` in tests/"
    files = [f for site in sites for pattern in ("*.html", "*.css") for f in sorted(site.rglob(pattern))]
    assert any(f.suffix == ".html" for f in files) and any(f.suffix == ".css" for f in files)
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--also-check-css",
         *map(str, files)],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.stdout.strip(), f"the Nu checker printed no report:\n{result.stderr}"
    messages: list[dict[str, Any]] = json.loads(result.stdout)["messages"]
    return messages


def kinds(messages: list[dict[str, Any]]) -> str:
    """The messages by kind, with a count and the first page each was found on."""
    counts = Counter(m["message"] for m in messages)
    first = {m["message"]: m.get("url", "").removeprefix("file:") for m in reversed(messages)}
    return "\n".join(f"{n} x {text} (first: {first[text]})" for text, n in counts.most_common())


def assert_nu_clean(*sites: Path) -> None:
    """No error and no warning of any kind (plain information messages are not counted).

    Every warning kind is listed when one appears: the site has none today, so a new one is
    a change to look at, not noise to accept."""
    messages = nu_messages(*sites)
    errors = [m for m in messages if m["type"] in {"error", "non-document-error"}]
    warnings = [m for m in messages if m["type"] == "info" and m.get("subType") == "warning"]
    lacking = [m for m in warnings if m["message"].startswith(LACKS_HEADING)]
    assert lacking == [], f"sections without a heading:\n{kinds(lacking)}"
    assert errors == [], f"Nu checker errors:\n{kinds(errors)}"
    assert warnings == [], f"Nu checker warnings:\n{kinds(warnings)}"


def test_the_starter_course_site_passes_the_nu_checker(course: Path, run: Run, tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = run("build", str(course), "-f", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    pages = list((out / "html").rglob("*.html"))
    assert any(p.parent.name == "quizzes" for p in pages), "the quiz pages are checked too"
    assert_nu_clean(out / "html")


def test_the_bundled_course_site_and_packages_pass_the_nu_checker(
        bundled_build: Path, tmp_path: Path) -> None:
    pages = list((bundled_build / "html").rglob("*.html"))
    assert len([p for p in pages if p.parent.name == "quizzes"]) >= 3, "every module quiz is checked"
    packages = []
    for fmt in ("scorm12", "scorm2004", "imscc"):
        (package,) = (bundled_build / fmt).iterdir()
        zipfile.ZipFile(package).extractall(tmp_path / fmt)
        assert any((tmp_path / fmt).rglob("*.html")), f"the {fmt} package's pages are checked"
        packages.append(tmp_path / fmt)
    assert_nu_clean(bundled_build / "html", *packages)


def test_the_nu_checker_reports_a_section_without_heading_and_broken_markup(tmp_path: Path) -> None:
    """The check above can fail: on a page with a bare section and a stray end tag, and a style
    sheet with an unknown property, it reports each one."""
    (tmp_path / "bad.html").write_text(
        "<!doctype html><html lang=fr><title>Été</title>"
        "<section><p>Réfugiés</section><p><b>x</i>", encoding="utf-8")
    (tmp_path / "bad.css").write_text("p { colr: red }", encoding="utf-8")
    messages = nu_messages(tmp_path)
    text = [m["message"] for m in messages]
    assert any(t.startswith(LACKS_HEADING) for t in text)
    assert "Stray end tag “i”." in text
    assert any("colr" in t and m["url"].endswith("bad.css") for t, m in zip(text, messages, strict=True))
