"""An installed coursepack carries its theme and starter course, and works outside the repo."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q",
         "-w", str(out), str(REPO)],
        check=True,
    )
    return next(out.glob("coursepack-*.whl"))


def test_wheel_ships_every_template_and_the_starter_course(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = [p.relative_to(REPO).as_posix() for p in (REPO / "templates").rglob("*") if p.is_file()]
    assert templates
    for path in templates:
        assert f"coursepack/{path}" in names
    assert "coursepack/starter/course/course.yaml" in names
    assert "coursepack/starter/course/.gitignore" in names  # the build and its cache
    for language in ("ar", "es", "fr"):  # coursepack init --lang
        assert f"coursepack/starter/course-{language}/sources/item-writing-guide.txt" in names
    for language in ("ar", "en", "es", "fr", "ru", "zh"):  # the interface's catalogues
        assert f"coursepack/locale/{language}/LC_MESSAGES/coursepack.po" in names
    assert "coursepack/py.typed" in names


def test_installed_wheel_builds_a_new_course_with_its_own_theme(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # Dependencies come from the test environment, but not its editable coursepack: a plain
    # path in a .pth file adds the folder without running the .pth files inside it.
    deps = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "test-deps.pth").write_text(f"{deps}\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True)
    course = tmp_path / "course"
    run = [str(env_dir / "bin" / "coursepack")]
    subprocess.run([*run, "init", str(course)], check=True, cwd=tmp_path)
    subprocess.run([*run, "build", str(course), "-f", "html"], check=True, cwd=tmp_path)
    where = subprocess.run(
        [str(python), "-c", "import coursepack.render as r; print(r.default_templates())"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    ).stdout.strip()
    assert str(env_dir) in where
    assert (course / "build" / "html" / "index.html").is_file()


def test_wheel_ships_the_pdf_fonts_with_their_licence(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = REPO / "src" / "coursepack" / "exporters" / "pdf" / "typefaces"
    files = sorted(p.name for p in shipped.iterdir())
    assert "OFL.txt" in files and "ORIGIN.md" in files and len(files) > 10
    for name in files:
        assert f"coursepack/exporters/pdf/typefaces/{name}" in names
