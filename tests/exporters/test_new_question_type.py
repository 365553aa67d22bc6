"""A new question type needs code only where the question-type table says it is carried.

The test makes up a type no exporter knows, ``poll`` (options, no right answer), gives it
a row in the table and the model's ``QUESTION_TYPES``, and puts polls in the starter course:
one among a quiz's questions, one in a pool of other questions, one alone in a pool.

- Where the table says a format leaves polls out, the format exports without a line of code
  for them: its output is exactly that of the course without the polls, and pre-flight says
  once for each poll that it is left out, and nothing else about it.
- Where the table says a format carries polls but the format has no branch for them, the
  export stops with ``NoBranch``, which names the format and the type: never a half question,
  never a question silently dropped.
"""

from __future__ import annotations

import dataclasses
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from coursepack import model
from coursepack.errors import Origin
from coursepack.exporters.base import ExportContext, OutputDir
from coursepack.exporters.pdf.documents import Documents
from coursepack.exporters.question_types import (
    LEFT_OUT,
    TABLE,
    Carried,
    LeftOut,
    NoBranch,
    written,
)
from coursepack.formats import format_problems, get_exporter
from coursepack.loader import load_course
from coursepack.model import Course, Pool, QuestionBase, markdown

FORMATS = ["gift", "moodle-xml", "qti12", "qti21", "imscc", "pdf"]
"""The formats whose dispatch ends in ``no_branch`` (the site's ends in its own error)."""
LEAVING_OUT = [*FORMATS, "html", "scorm12", "scorm2004"]
"""Every format: each writes the course the table gives it."""

QUESTION_PDFS = ("quizzes/", "answer-key.pdf", "facilitator-guide.pdf")
WHY = "a poll has no right answer to export"
STEMS = {"poll-colour": "Which zanzibarine colour suits a workshop room best?",
         "poll-snack": "Which quokkalicious snack keeps a workshop awake?",
         "poll-pace": "Was the xylophonic pace of this course right for you?"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Poll(QuestionBase):
    """A question type no exporter has a branch for."""

    options: tuple[str, ...]


def poll(question_id: str, line: int) -> Poll:
    return Poll(id=question_id, stem=markdown(STEMS[question_id]), points=2.0,
                options=("Yes", "No"), origin=Origin("quizzes/polls.yaml", line, 1))


@pytest.fixture
def polls(monkeypatch: pytest.MonkeyPatch) -> dict[str, LeftOut | Carried]:
    """``poll`` registered in the model and in the table, left out of every format; the
    test may set a cell of the returned row to Carried."""
    row: dict[str, LeftOut | Carried] = {
        fmt: LeftOut(WHY, "ask it in the LMS") for fmt in TABLE["single"]}
    monkeypatch.setitem(model.QUESTION_TYPES, "poll", Poll)
    monkeypatch.setitem(TABLE, "poll", row)
    return row


def with_polls(plain: Course) -> Course:
    """The course with a poll among a quiz's questions, in a pool, and alone in a pool."""
    quizzes = []
    for quiz in plain.quizzes:
        if quiz.pools:
            first = quiz.pools[0]
            pools = (dataclasses.replace(first, questions=(*first.questions,
                                                           poll("poll-snack", 20))),
                     *quiz.pools[1:],
                     Pool(id="opinions", pick=1, questions=(poll("poll-pace", 30),)))
            quiz = dataclasses.replace(quiz, pools=pools)
        else:
            quiz = dataclasses.replace(quiz, questions=(*quiz.questions, poll("poll-colour", 10)))
        quizzes.append(quiz)
    found = dataclasses.replace(plain, quizzes=tuple(quizzes))
    assert {q.id for _, q in found.questions()} >= set(STEMS)
    return found


def export(fmt: str, course: Course, out: Path) -> dict[str, bytes]:
    """Export ``course`` to ``out``; every file written by name, zips unpacked, the PDFs
    that print questions as their text."""
    get_exporter(fmt).export(ExportContext(course, OutputDir(out)))
    files: dict[str, bytes] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = path.relative_to(out).as_posix()
        if path.suffix in (".zip", ".imscc"):
            with zipfile.ZipFile(path) as archive:
                files.update({f"{name}!{n}": archive.read(n) for n in archive.namelist()})
        elif path.suffix == ".pdf" and name.startswith(QUESTION_PDFS):
            pages = PdfReader(path).pages
            files[name] = "\n".join(page.extract_text() or "" for page in pages).encode()
        else:
            files[name] = path.read_bytes()
    return files


def printed(course: Course) -> dict[str, str]:
    """The HTML of the printed quizzes, answer key and guide (what the PDFs are made from)."""
    return {doc.relpath: doc.html for doc in Documents(course, "test").whole()}


def loaded(course_dir: Path) -> Course:
    found, _ = load_course(course_dir)
    return found


@pytest.mark.parametrize("fmt", LEAVING_OUT)
def test_preflight_says_once_for_each_poll_that_it_is_left_out(
        fmt: str, polls: dict[str, LeftOut | Carried], course: Path) -> None:
    problems = format_problems(fmt, with_polls(loaded(course)))
    for poll_id in STEMS:
        said = [p for p in problems if f"'{poll_id}'" in p.message]
        assert len(said) == 1, [str(p) for p in said]
        assert said[0].message == (f"question '{poll_id}' (poll): {WHY}; "
                                   f"{LEFT_OUT.format(fmt=fmt)}")
        assert said[0].origin is not None and said[0].origin.path == "quizzes/polls.yaml"
        assert said[0].hint == "ask it in the LMS"


@pytest.mark.parametrize("fmt", [pytest.param(f, marks=[pytest.mark.pdf]) if f == "pdf" else f
                                 for f in LEAVING_OUT])
def test_a_format_that_leaves_polls_out_writes_the_course_without_them(
        fmt: str, polls: dict[str, LeftOut | Carried], course: Path, tmp_path: Path) -> None:
    plain = loaded(course)
    polled = with_polls(plain)
    got = export(fmt, polled, tmp_path / "polled")
    text = b"\n".join(got.values()).decode("utf-8", "replace")
    for poll_id, stem in STEMS.items():
        assert poll_id not in text and max(stem.split(), key=len) not in text
    if fmt != "pdf":  # the PDFs' bytes are compared by what they print, below
        assert got == export(fmt, plain, tmp_path / "plain")


def test_the_printed_documents_are_those_of_the_course_without_polls(
        polls: dict[str, LeftOut | Carried], course: Path) -> None:
    """Printed quizzes, answer key and guide: no poll, and each quiz's points those of
    what is printed (each poll is worth 2 points)."""
    plain = loaded(course)
    assert printed(with_polls(plain)) == printed(plain)


def test_written_leaves_the_course_as_it_is_when_the_format_carries_everything(
        polls: dict[str, LeftOut | Carried], course: Path) -> None:
    plain = loaded(course)
    assert written("gift", plain) is not plain  # ordering is left out of GIFT
    assert written("moodle-xml", plain) is plain
    polled = with_polls(plain)
    assert written("qti21", polled) == plain
    pool = written("qti21", polled).quizzes[0].pools[0]
    assert pool.pick == plain.quizzes[0].pools[0].pick


@pytest.mark.parametrize("fmt", [pytest.param(f, marks=[pytest.mark.pdf]) if f == "pdf" else f
                                 for f in FORMATS])
def test_a_format_the_table_says_carries_polls_but_has_no_branch_stops(
        fmt: str, polls: dict[str, LeftOut | Carried], course: Path, tmp_path: Path) -> None:
    polls[fmt] = Carried("a choice with no right answer")
    polled = with_polls(loaded(course))
    assert not any("(poll)" in p.message and LEFT_OUT.format(fmt=fmt) in p.message
                   for p in format_problems(fmt, polled))
    with pytest.raises(NoBranch, match=f"says {fmt} carries 'poll' but {fmt} has no branch"
                       ) as raised:
        export(fmt, polled, tmp_path / "out")
    assert (raised.value.fmt, raised.value.type) == (fmt, "poll")
    origin = raised.value.problems[0].origin
    assert origin is not None and origin.path == "quizzes/polls.yaml"
