"""The benchmark's synthetic course is a valid course, the same every time, and mkdocs-ready."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_generator", BENCHMARKS / "generator.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_generated_course_validates_cleanly(run, tmp_path: Path) -> None:
    course = _generator().write_course(tmp_path / "course", 12)
    result = run("validate", str(course))
    assert result.exit_code == 0, result.output
    assert "2 modules, 12 lessons, 20 questions; 0 errors, 0 warnings" in result.output


def test_lessons_look_like_real_lessons(tmp_path: Path) -> None:
    course = _generator().write_course(tmp_path / "course", 3)
    lesson = yaml.safe_load((course / "modules/m001/lesson-0002.yaml").read_text("utf-8"))
    body = lesson["body"]
    assert 1100 <= len(body.split()) <= 1400
    assert "\n## " in body and "\n### " in body
    assert "\n- " in body and "\n1. " in body
    assert "| --- | --- | --- |" in body
    assert "![" in body and "(images/lesson-0002.png)" in body
    assert (course / "modules/m001/images/lesson-0002.png").read_bytes().startswith(b"\x89PNG")
    quiz = yaml.safe_load((course / "quizzes/quiz-m001.yaml").read_text("utf-8"))
    types = [q["type"] for q in quiz["questions"]]
    assert len(types) == 10 and len(set(types)) == 9


def test_same_size_and_seed_give_identical_files(tmp_path: Path) -> None:
    generator = _generator()
    first = _files(generator.write_course(tmp_path / "a", 11))
    second = _files(generator.write_course(tmp_path / "b", 11))
    assert first == second
    other_seed = _files(generator.write_course(tmp_path / "c", 11, seed=2))
    assert other_seed.keys() == first.keys() and other_seed != first


def test_mkdocs_project_has_the_same_lessons(tmp_path: Path) -> None:
    generator = _generator()
    site = generator.write_mkdocs(tmp_path / "site", 12)
    config = yaml.safe_load((site / "mkdocs.yml").read_text("utf-8"))
    pages = [p for section in config["nav"][1:] for m in section.values() for p in m]
    assert len(pages) == 12
    course = generator.write_course(tmp_path / "course", 12)
    lesson = yaml.safe_load((course / "modules/m002/lesson-0011.yaml").read_text("utf-8"))
    markdown = (site / "docs/m002/lesson-0011.md").read_text("utf-8")
    assert markdown.startswith(f"# {lesson['title']}\n") and lesson["body"] in markdown
    assert (site / "docs/m002/images/lesson-0011.png").is_file()


@pytest.mark.pdf
@pytest.mark.xdist_group("pdf")
def test_the_edit_floor_benchmark_times_each_step_of_a_small_course(run, tmp_path: Path) -> None:
    """``edit_floor.py`` on a three-lesson course, as ``make bench`` runs it at 100."""
    course = _generator().write_course(tmp_path / "course", 3)
    out = tmp_path / "out"
    assert run("build", str(course), "-f", "pdf", "--out", str(out)).exit_code == 0
    done = subprocess.run([sys.executable, BENCHMARKS / "edit_floor.py", course,
                           out / "pdf" / "course-pack.pdf"], capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["lesson"] == "lesson/m001/lesson-0002"  # the middle one, as suites edits
    for step in ("weasyprint_ready", "first_render", "second_render", "pack_write"):
        assert 0 < found[step] < 120, (step, found[step])
