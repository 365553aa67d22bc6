"""The question-type table is the one word on what each format does with each type.

Every format has a cell for every type; each format writes exactly the types its column
says it carries (the starter course has one question of each type); pre-flight warns once
for each question a format leaves out; templates and the runtime refuse a type they have
no branch for; docs/formats.md shows the table as it is.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import jinja2
import pytest
from pypdf import PdfReader

from coursepack import render
from coursepack.errors import CoursepackError
from coursepack.exporters.question_types import (
    LEFT_OUT,
    TABLE,
    Carried,
    LeftOut,
    markdown_sections,
    missing_cells,
)
from coursepack.formats import EXPORTERS, format_problems
from coursepack.loader import load_course
from coursepack.markup import to_line
from coursepack.model import QUESTION_TYPES, Course, type_name
from tests.conftest import NODE_MODULES, REPO

FORMATS = list(EXPORTERS)


def test_every_format_declares_every_type() -> None:
    assert missing_cells(FORMATS) == []
    assert set(TABLE) == set(QUESTION_TYPES)


def test_the_courses_the_formats_are_tested_on_hold_every_type() -> None:
    """The fidelity course (read back field by field in every format) has every type; the
    starter course, built into every format below, has each of today's ten."""
    fidelity, _ = load_course(REPO / "tests" / "fidelity" / "course")
    assert {type_name(q) for _, q in fidelity.questions()} == set(QUESTION_TYPES)
    starter, _ = load_course(REPO / "src" / "coursepack" / "starter" / "course")
    assert len({type_name(q) for _, q in starter.questions()}) == 10


def test_docs_show_the_table_as_it_is() -> None:
    docs = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    region = re.search(r"<!-- question-types:[^\n]*-->\n(.*)<!-- /question-types -->", docs, re.S)
    assert region, "docs/formats.md has the generated region"
    expected = markdown_sections({name: e.summary for name, e in EXPORTERS.items()})
    assert region.group(1) == expected, "run: coursepack formats --types --markdown"


def _texts(folder: Path) -> str:
    """Every text file of a build folder, zips unpacked, as one string."""
    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix in (".zip", ".imscc"):
            with zipfile.ZipFile(path) as archive:
                parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                          if n.endswith((".xml", ".html", ".js"))]
        elif path.suffix == ".pdf":
            parts += [page.extract_text() or "" for page in PdfReader(path).pages]
        elif path.suffix in (".xml", ".html", ".txt", ".js"):
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def _written(fmt: str, text: str, course: Course) -> set[str]:
    """The questions whose marks a format's output carries (ids, or the stem where no id)."""
    found = set()
    for _, question in course.questions():
        marks = {
            "html": f'data-question="{question.id}"', "scorm12": f'data-question="{question.id}"',
            "scorm2004": f'data-question="{question.id}"',
            "cmi5": f'data-question="{question.id}"',
            "moodle-xml": f"<idnumber>{question.id}</idnumber>",
            "gift": f"[id:{question.id}]",
            "qti12": f'title="{question.id}"', "qti21": f'identifier="{question.id}"',
            "imscc": f'ident="{question.id}"',
            "field-pack": f'data-question="{question.id}"',
            "single-file": f'data-question="{question.id}"',
        }
        if fmt == "pdf" or (fmt == "imscc" and type_name(question) == "description"):
            mark = " ".join(to_line(question.stem).split()[:4])
            text = " ".join(text.split())
        else:
            mark = marks[fmt]
        if mark in text:
            found.add(question.id)
    return found


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_writes_what_its_column_says(fmt: str, run, course: Path,
                                                  tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("build", str(course), "-f", fmt, "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    model, _ = load_course(course)
    # Carried by type, unless the format's own check says this one is left out (one gap only...).
    gone = [p.message for p in format_problems(fmt, model) if LEFT_OUT.format(fmt=fmt) in p.message]
    expected = {q.id for _, q in model.questions()
                if isinstance(TABLE[type_name(q)][fmt], Carried)
                and not any(m.startswith(f"question '{q.id}' ") for m in gone)}
    assert _written(fmt, _texts(tmp_path / "out" / fmt), model) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_preflight_warns_once_for_each_question_left_out(fmt: str, course: Path) -> None:
    model, _ = load_course(course)
    problems = format_problems(fmt, model)
    for _, question in model.questions():
        cell = TABLE[type_name(question)][fmt]
        said = [p for p in problems if p.message.startswith(f"question '{question.id}' ")
                and LEFT_OUT.format(fmt=fmt) in p.message]
        if isinstance(cell, LeftOut):
            assert len(said) == 1, (question.id, [p.message for p in said])
            assert cell.why in said[0].message and said[0].origin == question.origin
        else:
            assert len(said) <= 1, (question.id, [p.message for p in said])


def test_a_template_with_no_branch_for_a_type_raises(tmp_path: Path) -> None:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.globals["unknown_type"] = render.unknown_type
    loader_env = render.environment("pdf")
    source = "{% if kind == 'single' %}ok{% else %}{{ unknown_type(kind) }}{% endif %}"
    with pytest.raises(jinja2.TemplateRuntimeError, match="question type 'poll'"):
        env.from_string(source).render(kind="poll")
    assert "unknown_type" in loader_env.globals


def test_the_printed_quiz_refuses_a_type_it_does_not_know(course: Path) -> None:
    from coursepack.exporters.pdf.documents import Documents

    model, _ = load_course(course)
    docs = Documents(model, "test")
    env = docs.env
    template = env.from_string('{% from "_question.html.j2" import ask %}{{ ask(p, 2) }}')
    printed = {"kind": "poll", "question": next(q for _, q in model.questions()), "number": 1, "points": 1,
               "options": [], "prompts": [], "segments": [], "gaps": [], "lines": 0, "notes": []}
    with pytest.raises((jinja2.TemplateRuntimeError, CoursepackError), match="poll"):
        template.render(p=printed)


@pytest.mark.node
def test_the_browser_grader_refuses_an_unknown_type() -> None:
    grading = REPO / "templates" / "html" / "static" / "grading.js"
    script = (f"const g = require({str(grading)!r});"
              "try { g.grade({type: 'poll', points: 1}, ['x']); process.exit(1); }"
              "catch (e) { console.log(e.message); }")
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True,
                            cwd=NODE_MODULES.parent, check=False)
    assert result.returncode == 0 and "poll" in result.stdout, result.stderr
