"""GIFT: the pinned gift-pegjs parses the file into the same questions; awkward text survives."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from quizbank_helpers import AWKWARD, REPO, awkward_course, check_golden

NODE = "/usr/bin/node"
SCRIPT = REPO / "tests" / "gift_parse.js"


def build(run, course: Path, tmp_path: Path) -> tuple[Path, str]:
    result = run("build", str(course), "-f", "gift", "-v", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    return next((tmp_path / "out" / "gift").glob("*.gift.txt")), result.output


def parse(path: Path) -> list[dict]:
    done = subprocess.run([NODE, str(SCRIPT), str(path)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_gift_parser_reads_every_question_gift_can_carry(run, course, tmp_path):
    path, output = build(run, course, tmp_path)
    parsed = parse(path)
    kinds = {q["title"]: q["type"] for q in parsed if q["type"] != "Category"}
    assert kinds == {"wq-intro": "Description", "wq-single": "MC", "wq-multiple": "MC",
                     "wq-true-false": "TF", "wq-short": "Short", "wq-numeric": "Numerical",
                     "wq-matching": "Matching", "wq-essay": "Essay"}
    assert [q["title"] for q in parsed if q["type"] == "Category"] == [
        "$course$/top/Writing Good Quiz Questions/Writing questions that teach"]
    # never silently: the two it cannot carry are named
    assert "'wq-ordering' (ordering): GIFT has no ordering question" in output
    assert "'wq-blanks' (fill-blanks): GIFT carries one gap per question" in output


def test_weights_feedback_and_ids(run, course, tmp_path):
    path, _ = build(run, course, tmp_path)
    parsed = {q["title"]: q for q in parse(path) if q["type"] != "Category"}
    assert [c["weight"] for c in parsed["wq-multiple"]["choices"]] == [50, 50, -50, -50]
    assert parsed["wq-true-false"]["isTrue"] is False
    assert parsed["wq-single"]["id"] == "wq-single"
    assert parsed["wq-matching"]["matchPairs"][-1]["subquestion"]["text"] == ""
    assert "[html]" in path.read_text(encoding="utf-8")


def test_awkward_text_survives(run, course, tmp_path):
    path, _ = build(run, awkward_course(course), tmp_path)
    parsed = {q["title"]: q for q in parse(path) if q["type"] != "Category"}
    import html

    assert AWKWARD in html.unescape(parsed["aw-single"]["stem"]["text"])
    assert AWKWARD in html.unescape(parsed["aw-single"]["choices"][0]["text"]["text"])
    assert parsed["aw-short"]["choices"][0]["text"]["text"] == 'x{y}~z=#1:2 \\ "q"'
    gap = parsed["2-gap"]
    assert gap["type"] == "Short" and gap["choices"][0]["text"]["text"] == 'a}b#c~d\\e"f/g'
    assert parsed["aw-matching"]["matchPairs"][1]["subanswer"] == "مرحبا 🎉"
    assert "aw-gaps" not in parsed and "aw-essay" in parsed


def test_golden_file_for_the_starter_course(run, course, tmp_path):
    path, _ = build(run, course, tmp_path)
    check_golden("gift", {path.name: path.read_bytes()})
