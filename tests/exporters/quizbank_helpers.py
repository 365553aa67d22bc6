"""Shared by the question-bank exporter tests: an awkward course, XSD validation, golden files."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "tests" / "schemas"
GOLDEN = REPO / "tests" / "golden"

AWKWARD = "Quotes \"double\" 'single', a < b & c > d, {braces}, colon: tilde ~ equals = hash # back\\slash, مرحبا بالعالم 🎉"
"""Text every format must carry unchanged (as it reads, after the format's own decoding)."""

AWKWARD_YAML = r"""
title: "Awkward: quiz"
module: writing-questions
settings:
  pass_mark: 50
questions:
  - id: aw-single
    type: single
    stem: 'STEM1 {text}'
    choices:
      - text: 'CHOICE {text}'
        correct: true
        feedback: 'FEEDBACK {text}'
      - text: Plain wrong
  - id: aw-multiple
    type: multiple
    stem: 'Three right answers. ![a diagram](../modules/writing-questions/images/stem-and-options.png)'
    choices:
      - {text: One, correct: true}
      - {text: Two, correct: true}
      - {text: Three, correct: true}
      - {text: Four}
  - id: aw-short
    type: short-answer
    stem: 'STEM2 {text}'
    answers: ['x{y}~z=#1:2 \ "q"']
  - id: aw-numeric
    type: numeric
    stem: How many?
    answer: 200
    tolerance_percent: 5
  - id: aw-matching
    type: matching
    stem: Match.
    pairs:
      - {prompt: 'A: {1}', match: 'x ~ y'}
      - {prompt: 'B = 2', match: 'مرحبا 🎉'}
    distractors: ['# spare']
  - id: 2-gap
    type: fill-blanks
    stem: One gap.
    text: 'Before {x} [[g]] after # ~ = :'
    blanks:
      - id: g
        answers: ['a}b#c~d\e"f/g']
  - id: aw-gaps
    type: fill-blanks
    stem: Gaps.
    text: 'A [[one]] B [[two]] C [[three]]'
    blanks:
      - {id: one, answers: ['x}#~y']}
      - {id: two, type: numeric, answer: 3.5, tolerance: 0.5}
      - {id: three, type: dropdown, options: ['<p>', '&amp;', 'a~b'], answer: 'a~b'}
  - id: aw-essay
    type: essay
    stem: 'STEM3 {text}'
    grader_notes: 'NOTES {text}'
    response_template: 'TEMPLATE {text}'
""".replace("{text}", AWKWARD.replace("'", "''"))


def awkward_course(course: Path) -> Path:
    """The starter course plus a quiz whose every text is awkward."""
    (course / "quizzes" / "awkward.yaml").write_text(AWKWARD_YAML, encoding="utf-8")
    return course


def schema(*parts: str) -> etree.XMLSchema:
    """An official XSD from tests/schemas; a missing file fails the test, never skips it."""
    path = SCHEMAS.joinpath(*parts)
    assert path.is_file(), f"schema missing: {path}"
    return etree.XMLSchema(etree.parse(str(path)))


def assert_valid(xsd: etree.XMLSchema, data: bytes, name: str) -> etree._Element:
    document = etree.fromstring(data)
    assert xsd.validate(document), f"{name}: {xsd.error_log}"
    return document


def unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def check_golden(fmt: str, files: dict[str, bytes]) -> None:
    """Compare with tests/golden/<fmt>/; COURSEPACK_REGENERATE_GOLDEN=1 rewrites them deliberately."""
    folder = GOLDEN / fmt
    if os.environ.get("COURSEPACK_REGENERATE_GOLDEN"):
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
    stored = {p.relative_to(folder).as_posix(): p.read_bytes()
              for p in folder.rglob("*") if p.is_file()}
    assert sorted(stored) == sorted(files), "golden file list differs"
    for name, data in files.items():
        assert data == stored[name], f"{fmt}/{name} differs from its golden file"
