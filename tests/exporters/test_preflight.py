"""Pre-flight: `coursepack check` tells per target LMS what it will drop or change."""

from __future__ import annotations

from quizbank_helpers import awkward_course

from coursepack.loader import load_course
from coursepack.preflight import TARGETS, preflight


def test_check_groups_warnings_by_target_and_exits_zero(run, course):
    result = run("check", str(course))
    assert result.exit_code == 0, result.output
    for name in ("moodle", "canvas-classic", "canvas-new", "gift", "qti21"):
        assert f"\n{name}: " in result.output
    assert "ordering question type, part of Moodle from 4.4" in result.output
    assert "Canvas New Quizzes drops text-only items" in result.output
    assert "Canvas always gives partial credit" in result.output


def test_one_target_and_the_canvas_alias(run, course):
    result = run("check", str(course), "--target", "gift")
    assert "gift:" in result.output and "moodle:" not in result.output
    assert "'wq-ordering' (ordering): GIFT has no ordering question" in result.output
    both = run("check", str(course), "--target", "canvas")
    assert "canvas-classic:" in both.output and "canvas-new:" in both.output


def test_unknown_target_is_a_usage_error(run, course):
    assert run("check", str(course), "--target", "blackboard").exit_code == 2


def test_errors_in_the_course_fail_the_check(run, course):
    (course / "quizzes" / "final.yaml").write_text("title: [broken\n", encoding="utf-8")
    assert run("check", str(course)).exit_code == 1


def test_gift_warns_about_images_by_question(course):
    loaded, _ = load_course(awkward_course(course))
    problems = preflight(loaded, ["gift"])
    assert any("'aw-multiple'" in p.message and "images" in p.message for p in problems)
    assert all(not p.is_error for p in problems)
    assert set(TARGETS) >= {"moodle", "canvas-classic", "canvas-new", "gift", "qti21"}


def test_build_prints_a_preflight_line_per_quiz_bank_format(run, course, tmp_path):
    result = run("build", str(course), "-f", "gift", "-f", "qti12", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "pre-flight, 10 questions: gift" in result.output
    assert "canvas-classic" in result.output and "canvas-new" in result.output


def test_each_moodle_fact_is_said_once(run, course):
    """The Moodle XML exporter says what it does with ordering questions and pools; the
    pre-flight report adds nothing of its own for Moodle and GIFT."""
    result = run("check", str(course), "--target", "moodle", "--target", "gift")
    assert result.exit_code == 0, result.output
    moodle, gift = result.output.split("\ngift: ")
    assert moodle.count("'wq-ordering'") == 1
    assert moodle.count("ordering question type, part of Moodle from 4.4") == 1
    assert moodle.count("pool 'from-module' (pick 4) is not part of a question bank") == 1
    assert gift.count("pool 'from-module' (pick 4) is not part of a question bank") == 1

    settings = course / "course.yaml"
    settings.write_text(settings.read_text() + "moodle:\n  core_types_only: true\n")
    result = run("check", str(course), "--target", "moodle")
    assert result.output.count("'wq-ordering'") == 1
    assert "exported as a matching question" in result.output
    assert "qtype_ordering plugin" not in result.output


def test_a_build_runs_each_formats_checks_once(course, run, monkeypatch):  # type: ignore[no-untyped-def]
    """QTI 1.2 serves two targets (Canvas Classic and New Quizzes); its checks still run once
    per build, and what they find is counted in the summary line."""
    from coursepack.exporters.qti12 import Qti12Exporter

    calls = []
    original = Qti12Exporter.check

    def counted(self, model):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(self, model)

    monkeypatch.setattr(Qti12Exporter, "check", counted)
    result = run("build", str(course), "-f", "qti12", "--out", str(course / "out"))
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    assert "pre-flight, 10 questions: canvas-classic" in result.output
