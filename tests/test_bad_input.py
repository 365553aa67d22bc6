"""Every bad input an author can write gives one clear, located message: never a traceback.

Each case edits one file of a fresh starter course, runs ``coursepack validate`` and
checks the exact ``path:line:col: error: message`` line and its hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import Run

LESSON = "modules/writing-questions/one-idea.yaml"
MODULE = "modules/writing-questions/module.yaml"
QUIZ = "quizzes/writing-questions.yaml"
FINAL = "quizzes/final.yaml"
COURSE = "course.yaml"

BOMB = (
    "".join(
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
        for prev, name in zip(["", "a", "b", "c", "d", "e"], "abcdef", strict=True)
    )
    + "g: ["
    + ", ".join(["*f"] * 9)
    + "]\n"
)


@dataclass(frozen=True)
class Case:
    """Replace ``old`` by ``new`` in ``file`` (or write ``content``); expect ``message``."""

    name: str
    file: str
    message: str
    old: str = ""
    new: str = ""
    content: str | bytes | None = None
    hint: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def apply(self, course: Path) -> None:
        path = course / self.file
        if isinstance(self.content, bytes):
            path.write_bytes(self.content)
        elif self.content is not None:
            path.write_text(self.content, encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
            assert self.old in text, f"case {self.name}: '{self.old}' not in {self.file}"
            path.write_text(text.replace(self.old, self.new, 1), encoding="utf-8")


CASES = [
    Case(
        "yaml-syntax",
        LESSON,
        f"{LESSON}:1:14: error: YAML syntax error: mapping values are not allowed here",
        "title: One idea per question",
        "title: Part 1: One idea",
        hint='title: "Part 1: Aims"',
    ),
    Case(
        "tab-indent",
        LESSON,
        f"{LESSON}:6:1: error: tab character in indentation",
        "  ## Start",
        "\t## Start",
        hint="replace the tab with spaces",
    ),
    Case(
        "duplicate-key",
        LESSON,
        f"{LESSON}:3:1: error: duplicate key 'title' (first given on line 1)",
        "duration: 15",
        "duration: 15\ntitle: again",
    ),
    Case("empty-file", LESSON, f"{LESSON}:1:1: error: file is empty", content=""),
    Case("comments-only", LESSON, f"{LESSON}:1:1: error: file is empty", content="# nothing yet\n"),
    Case(
        "not-utf8",
        LESSON,
        f"{LESSON}:1:12: error: file is not UTF-8 (byte 0xe9 cannot be decoded)",
        content=b"title: One \xe9dea\n",
        hint="save the file as UTF-8",
    ),
    Case(
        "wrong-type-int",
        LESSON,
        f"{LESSON}:2:11: error: 'duration' must be a whole number, got 'fifteen'",
        "duration: 15",
        "duration: fifteen",
    ),
    Case(
        "wrong-type-list",
        LESSON,
        f"{LESSON}:3:13: error: 'objectives' must be a list, got 'wq-stem'",
        "objectives: [wq-stem, wq-options]",
        "objectives: wq-stem",
    ),
    Case(
        "wrong-type-bool",
        QUIZ,
        f"{QUIZ}:42:23: error: 'negative_marking' must be true or false, got 'yes please'",
        "negative_marking: true",
        "negative_marking: yes please",
    ),
    Case(
        "wrong-type-text",
        LESSON,
        f"{LESSON}:1:8: error: 'title' must be text, got a list",
        "title: One idea per question",
        "title: [One, idea]",
    ),
    Case(
        "not-a-mapping",
        LESSON,
        f"{LESSON}:1:1: error: lesson must be a mapping of fields, got a list",
        content="- a\n- b\n",
    ),
    Case(
        "unknown-key",
        LESSON,
        f"{LESSON}:3:1: error: unknown field 'durration' in lesson",
        "duration: 15",
        "duration: 15\ndurration: 3",
        hint="did you mean 'duration'?",
    ),
    Case(
        "licence-spelling",
        COURSE,
        f"{COURSE}:9:1: error: unknown field 'license' in course.yaml",
        "licence: CC-BY-4.0",
        "license: CC-BY-4.0",
        hint="did you mean 'licence'?",
    ),
    Case(
        "missing-field",
        LESSON,
        f"{LESSON}:1:1: error: missing required field 'duration' in lesson",
        "duration: 15\n",
        "",
        hint="add a line 'duration: ...'",
    ),
    Case(
        "zero-duration",
        LESSON,
        f"{LESSON}:2:11: error: 'duration' must be at least 1 (got 0)",
        "duration: 15",
        "duration: 0",
    ),
    Case(
        "unknown-question-type",
        QUIZ,
        f"{QUIZ}:17:11: error: unknown question type 'singel'",
        "type: single",
        "type: singel",
        hint="did you mean 'single'?",
    ),
    Case(
        "duplicate-id-same-file",
        QUIZ,
        f"{QUIZ}:37:5: error: question id 'wq-single' is used twice (first at {QUIZ}:16:5)",
        "id: wq-multiple",
        "id: wq-single",
    ),
    Case(
        "duplicate-id-across-files",
        FINAL,
        f"{QUIZ}:16:5: error: question id 'wq-single' is used twice (first at {FINAL}:6:5)",
        content="title: Final\nquestions:\n  - id: wq-x\n    type: description\n    stem: s\n"
        "  - id: wq-single\n    type: description\n    stem: s\n",
    ),
    Case(
        "duplicate-objective",
        MODULE,
        f"{MODULE}:6:5: error: objective id 'wq-stem' is used twice (first at {MODULE}:4:5)",
        "id: wq-options",
        "id: wq-stem",
    ),
    Case(
        "dangling-objective",
        QUIZ,
        f"{QUIZ}:16:5: error: question 'wq-single' names objective 'wq-stme', which does not exist",
        "objectives: [wq-stem]\n    points: 1",
        "objectives: [wq-stme]\n    points: 1",
        hint="did you mean 'wq-stem'?",
    ),
    Case(
        "quote-not-in-source",
        LESSON,
        f"{LESSON}:27:11: error: quote not found in source 'item-guide' (sources/item-writing-guide.txt)",
        "A good question tests one idea.",
        "A good question tests two ideas.",
        hint='nearest passage (sources/item-writing-guide.txt, line 3): "A good question tests one idea."',
    ),
    Case(
        "quote-unknown-source",
        LESSON,
        f"{LESSON}:27:11: error: quote names source 'item-guid', which course.yaml does not list",
        "source: item-guide\n    locator",
        "source: item-guid\n    locator",
        hint="did you mean 'item-guide'?",
    ),
    Case(
        "image-leaves-course",
        LESSON,
        f"{LESSON}:23:48: error: image '../../../../etc/passwd' is outside the course folder",
        "images/stem-and-options.png",
        "../../../../etc/passwd",
    ),
    Case(
        "image-missing",
        LESSON,
        f"{LESSON}:23:48: error: image 'images/stem-and-option.png' does not exist",
        "images/stem-and-options.png",
        "images/stem-and-option.png",
        hint="did you mean 'stem-and-options.png'?",
    ),
    Case(
        "image-remote",
        LESSON,
        f"{LESSON}:23:48: error: image 'https://example.org/x.png' is on the web; the course must work offline",
        "images/stem-and-options.png",
        "https://example.org/x.png",
    ),
    Case(
        "alias-bomb",
        LESSON,
        f"{LESSON}:1:1: error: YAML aliases expand to more than 100,000 values",
        content=BOMB,
    ),
    Case(
        "two-correct-single",
        QUIZ,
        f"{QUIZ}:16:5: error: single-choice question 'wq-single' needs exactly one correct choice (found 2)",
        "      - text: Spot the longest option.\n",
        "      - text: Spot the longest option.\n        correct: true\n",
    ),
    Case(
        "no-correct-multiple",
        QUIZ,
        f"{QUIZ}:37:5: error: multiple-response question 'wq-multiple' has no correct choice",
        "        correct: true\n        feedback: Yes. It rewards",
        "        feedback: Yes. It rewards",
        extra={
            "        correct: true\n        feedback: Yes. Learners": "        feedback: Yes. Learners"
        },
    ),
    Case(
        "negative-tolerance",
        QUIZ,
        f"{QUIZ}:78:5: error: question 'wq-numeric': tolerance must not be negative (got -1)",
        "tolerance: 0",
        "tolerance: -1",
    ),
    Case(
        "reversed-range",
        QUIZ,
        f"{QUIZ}:78:5: error: question 'wq-numeric': range [9, 2] is reversed",
        "answer: 4\n    tolerance: 0",
        "range: [9, 2]",
    ),
    Case(
        "pool-too-small",
        FINAL,
        f"{FINAL}:8:5: error: pool 'from-module' picks 40 questions but holds 8",
        "pick: 4",
        "pick: 40",
    ),
    Case(
        "pool-unknown-quiz",
        FINAL,
        f"{FINAL}:10:11: error: pool draws from quiz 'writing-question', which does not exist",
        "from: writing-questions",
        "from: writing-question",
        hint="did you mean 'writing-questions'?",
    ),
    Case(
        "module-file-missing",
        COURSE,
        f"{COURSE}:16:5: error: module 'writing-question' has no file modules/writing-question/module.yaml",
        "  - writing-questions",
        "  - writing-question",
        hint="did you mean 'writing-questions'?",
    ),
    Case(
        "lesson-file-missing",
        MODULE,
        f"{MODULE}:12:5: error: lesson 'feedbak' has no file modules/writing-questions/feedbak.yaml",
        "  - feedback",
        "  - feedbak",
        hint="did you mean 'feedback'?",
    ),
    Case(
        "blank-not-declared",
        QUIZ,
        f"{QUIZ}:110:5: error: question 'wq-blanks' has [[kynd]] in its text but no blank 'kynd'",
        "[[kind]] a grade",
        "[[kynd]] a grade",
    ),
    Case(
        "dropdown-answer-not-option",
        QUIZ,
        f"{QUIZ}:121:9: error: blank 'kind': answer 'never' is not one of its options",
        "answer: not",
        "answer: never",
    ),
    Case(
        "pass-mark-range",
        COURSE,
        f"{COURSE}:24:14: error: 'pass_mark' is a percentage from 0 to 100 (got 170)",
        "pass_mark: 70",
        "pass_mark: 170",
    ),
    Case(
        "bad-enum",
        QUIZ,
        f"{QUIZ}:41:14: error: 'scoring' must be one of all-or-nothing, partial (got 'partly')",
        "scoring: partial",
        "scoring: partly",
        hint="did you mean 'partial'?",
    ),
    Case(
        "bad-id",
        COURSE,
        f"{COURSE}:3:5: error: 'id' must be lower-case letters, digits, '-' or '_', starting "
        "with a letter or digit (got 'Starter Course')",
        "id: starter-course",
        "id: Starter Course",
    ),
    Case(
        "id-trailing-newline",
        QUIZ,
        f"{QUIZ}:16:9: error: 'id' must be lower-case letters, digits, '-' or '_', starting "
        "with a letter or digit (got 'wq-single\\n')",
        "id: wq-single",
        'id: "wq-single\\n"',
        hint="ids become file names, web addresses and LMS identifiers; write e.g. 'wq-single'",
    ),
    Case(
        "lesson-listed-by-path",
        MODULE,
        f"{MODULE}:12:5: error: each item of 'lessons' must be lower-case letters, digits, '-' "
        "or '_', starting with a letter or digit (got '../../../course')",
        "  - feedback",
        "  - ../../../course",
    ),
    Case(
        "include-tag",
        LESSON,
        f"{LESSON}:4:10: error: YAML tag '!include' is not supported",
        "summary: A good",
        "summary: !include other.yaml",
        hint="coursepack reads plain YAML only: write the value itself without the tag (a course "
        "file cannot include another file)",
    ),
    Case(
        "javascript-link",
        LESSON,
        f"{LESSON}:4:18: error: link 'javascript:alert(1)' uses 'javascript:', which a course "
        "may not link to",
        "summary: A good",
        "summary: See [x](javascript:alert(1)). A good",
    ),
    Case(
        "negative-points",
        QUIZ,
        f"{QUIZ}:43:13: error: 'points' must not be negative (got -2)",
        "points: 2",
        "points: -2",
    ),
    Case(
        "quiz-unknown-module",
        QUIZ,
        f"{QUIZ}:3:9: error: quiz names module 'writing', which the course does not list",
        "module: writing-questions",
        "module: writing",
    ),
    # Format settings are read and checked by their format, reported by every validate.
    Case(
        "scorm-sco-per",
        COURSE,
        f"{COURSE}:16:12: error: 'sco_per' must be one of module, course (got 'modul')",
        "paper: A4",
        "paper: A4\nscorm:\n  sco_per: modul",
        hint="did you mean 'module'?",
    ),
    Case(
        "settings-section-typo",
        COURSE,
        f"{COURSE}:15:1: error: unknown field 'moodel' in course.yaml",
        "paper: A4",
        "paper: A4\nmoodel:\n  core_types_only: true",
        hint="did you mean 'moodle'? allowed fields: authors, cmi5, description, field_pack, id, language, "
             "languages, licence, lint, modules, moodle, paper, quiz_defaults, quizzes, scorm, sources, "
             "title, version",
    ),
    Case(
        "settings-not-a-mapping",
        COURSE,
        f"{COURSE}:15:9: error: moodle settings must be a mapping of fields, got 'yes'",
        "paper: A4",
        "paper: A4\nmoodle: yes",
    ),
    Case(
        "settings-unknown-field",
        COURSE,
        f"{COURSE}:16:3: error: unknown field 'core_type_only' in moodle settings",
        "paper: A4",
        "paper: A4\nmoodle:\n  core_type_only: true",
        hint="did you mean 'core_types_only'?",
    ),
    Case(
        "paper-size",
        COURSE,
        f"{COURSE}:14:8: error: 'paper' must be one of A4, Letter (got 'letter')",
        "paper: A4",
        "paper: letter",
        hint="did you mean 'Letter'?",
    ),
    Case(
        "number-not-a-number",
        QUIZ,
        f"{QUIZ}:43:13: error: 'points' must be a finite number no larger than 1e15, got '.nan'",
        "    points: 2\n",
        "    points: .nan\n",
        hint="write the number itself, e.g. 2.5",
    ),
    Case(
        "number-infinite",
        QUIZ,
        f"{QUIZ}:82:13: error: 'answer' must be a finite number no larger than 1e15, got '-.inf'",
        "    answer: 4\n",
        "    answer: -.inf\n",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_reported_with_its_position(case: Case, course: Path, run: Run) -> None:
    case.apply(course)
    for old, new in case.extra.items():
        Case("extra", case.file, "", old, new).apply(course)
    result = run("validate", str(course))
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert case.message in lines, "\n".join(lines)
    assert "Traceback" not in result.output
    if case.hint:
        assert case.hint in result.stderr


def test_there_are_at_least_thirty_distinct_bad_inputs() -> None:
    assert len({c.message.split(": error: ")[1] for c in CASES}) >= 30


def test_a_fifty_megabyte_file_is_refused_before_parsing(course: Path, run: Run) -> None:
    line = "  " + "x" * 98 + "\n"
    (course / LESSON).write_text("title: x\nbody: |\n" + line * 520_000, encoding="utf-8")
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert (f"{LESSON}: error: file is 52,520,017 bytes; a spec file may be at most "
            "5,242,880 bytes (5 MB)") in result.stderr


def test_every_problem_in_every_file_is_reported_in_one_run(course: Path, run: Run) -> None:
    for case in (CASES[1], CASES[6], CASES[15], CASES[27]):
        case.apply(course)
    result = run("validate", str(course))
    for case in (CASES[1], CASES[15]):
        assert case.message in result.stderr.splitlines()
    assert "failed: 2 errors" in result.stderr


def test_unassessed_objective_warns_and_fails_only_under_strict(course: Path, run: Run) -> None:
    Case("x", MODULE, "", "lessons:", "  - id: wq-extra\n    text: Extra.\nlessons:").apply(course)
    expected = f"{MODULE}:10:5: warning: objective 'wq-extra' is not assessed by any question"
    relaxed = run("validate", str(course))
    assert relaxed.exit_code == 0
    assert any(line.startswith(expected) for line in relaxed.stderr.splitlines())
    strict = run("validate", "--strict", str(course))
    assert strict.exit_code == 1
    assert f"{MODULE}:10:5: error: objective 'wq-extra' is not assessed" in strict.stderr


def test_a_broken_module_file_does_not_bury_its_error_under_cascades(course: Path, run: Run) -> None:
    Case("x", MODULE, "", "title: Writing questions that teach", "title: Writing: questions").apply(course)
    result = run("validate", str(course))
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [f"{MODULE}:1:15: error: YAML syntax error: mapping values are not allowed here"]


def test_format_settings_are_checked_when_that_format_is_not_built(course: Path, run: Run) -> None:
    CASES_BY_NAME["scorm-sco-per"].apply(course)
    result = run("build", str(course), "-f", "gift", "--out", str(course / "out"))
    assert result.exit_code == 1
    assert result.stderr.count("'sco_per' must be one of module, course (got 'modul')") == 1
    assert not (course / "out" / "gift").exists()


CASES_BY_NAME = {c.name: c for c in CASES}


def test_a_listed_lesson_that_does_not_parse_is_not_also_called_unlisted(
        course: Path, run: Run) -> None:
    """One problem for the file, where it is: not a second, false, 'not listed' warning."""
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "key_quotes:\n  - text: x\n   bad: 1\n",
                      encoding="utf-8")
    result = run("validate", str(course))
    assert result.exit_code == 1
    said = [line for line in result.output.splitlines()
            if line.startswith("modules/writing-questions/one-idea.yaml")]
    assert len(said) == 1 and "YAML syntax error" in said[0], result.output
    assert "is not listed" not in result.output


def test_a_byte_that_is_not_utf8_is_placed_at_its_character(course: Path, run: Run) -> None:
    """The column an editor shows: "été naïve café" is 14 characters and 17 bytes."""
    lesson = course / LESSON
    lesson.write_bytes(lesson.read_bytes().replace(
        b"duration: 15", "summary2: été naïve café ".encode() + b"\xe9\nduration: 15", 1))
    result = run("validate", str(course))
    assert f"{LESSON}:2:26: error: file is not UTF-8 (byte 0xe9 cannot be decoded)" \
        in result.stderr, result.stderr


def test_a_file_name_whose_accents_are_written_otherwise_is_said_so(
        course: Path, run: Run) -> None:
    """A Mac names the file with é as e and an accent; the spec, typed, has é."""
    images = course / "modules" / "writing-questions" / "images"
    (images / "stem-and-options.png").rename(images / "cafe\u0301.png")
    lesson = course / LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "images/stem-and-options.png", "images/caf\u00e9.png"), encoding="utf-8")
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert "with its accents written otherwise" in result.stderr, result.stderr


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_line_break_an_editor_does_not_show_is_said_where_it_is(
        separator: str, course: Path, run: Run) -> None:
    """Pasted from a word processor into a lesson's body: YAML took it for a line break,
    and the error it gave was about something else, on another line."""
    lesson = course / LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "  the options. Cover", f"  the options.{separator}pasted Cover", 1), encoding="utf-8")
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert f"{LESSON}:9:15: error: the " in result.stderr, result.stderr
    assert f"U+{ord(separator):04X}, which YAML reads as a line break" in result.stderr
