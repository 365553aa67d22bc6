"""Every course we ship, built into each bank format and imported back, is the course it
was: every difference is one the format's pre-flight report declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from coursepack.exporters.question_types import carries
from coursepack.model import type_name
from coursepack.starter import STARTER
from tests.importers.roundtrip import round_trip

REPO = Path(__file__).resolve().parents[2]
COURSES = {
    "fidelity": REPO / "tests" / "fidelity" / "course",
    "starter": STARTER,
    "bundled": REPO,
}
FORMATS = ["moodle-xml", "gift", "qti21", "qti12"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", list(COURSES))
def test_a_course_comes_back_from_its_export(name: str, fmt: str, tmp_path: Path) -> None:
    trip = round_trip(COURSES[name], fmt, tmp_path)
    assert not trip.undeclared, trip.report()  # a question missing is a difference too
    came_back = {q.id for _, q in trip.imported.questions()}
    carried = {q.id for _, q in trip.original.questions() if carries(fmt, q)}
    assert came_back and came_back <= carried


def test_the_fidelity_course_has_every_type_to_bring_back(tmp_path: Path) -> None:
    trip = round_trip(COURSES["fidelity"], "moodle-xml", tmp_path)
    assert {type_name(q) for _, q in trip.imported.questions()} == {
        "single", "multiple", "true-false", "short-answer", "numeric", "matching", "ordering",
        "fill-blanks", "essay", "description"}
    assert "imported 17 questions" in trip.output
