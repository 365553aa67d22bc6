"""Whatever an author's editor leaves in a file, the answer is a message, never a traceback.

Seeded random damage to the starter course's spec files: lines deleted, duplicated or
truncated, values replaced by other YAML types, stray bytes. Then hostile mutations: ids
with line breaks or that clash, names that climb out of the course, unknown tags, deep
nesting, links that loop, pipes and folders where a file belongs, dangerous link schemes,
control characters, lone surrogates, NaN. Every run must end in exit code 0 or 1 with
located messages: no traceback, no internal error, no hang.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
from pathlib import Path

import pytest

from coursepack.starter import STARTER
from tests.conftest import Run

REPLACEMENTS = ["[]", "{}", "~", "123", "-1", "true", '"x"', "[[1, 2]]", "{a: b}", "1e999", "!!binary aGk=",
                "&x 1", "*missing", "'", "|", ">-", "- - -", "? a", "=", "0x1F", ".nan"]


def damage(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True) or ["\n"]
    at = rng.randrange(len(lines))
    how = rng.randrange(6)
    if how == 0:
        del lines[at]
    elif how == 1:
        lines.insert(at, lines[at])
    elif how == 2 and ":" in lines[at]:
        key = lines[at].split(":", 1)[0]
        lines[at] = f"{key}: {rng.choice(REPLACEMENTS)}\n"
    elif how == 3:
        return "".join(lines)[: rng.randrange(len(text) + 1)]
    elif how == 4:
        lines[at] = " " * rng.randrange(1, 6) + lines[at]
    else:
        lines.insert(at, rng.choice(["\x00\n", "\ufeff\n", "\u2028\n", "key: \x1b[0m\n", "%YAML 9.9\n"]))
    return "".join(lines)


RUNS = int(os.environ.get("FUZZ_RUNS", "120"))  # more locally: FUZZ_RUNS=2000
SPEC_FILES = sorted(p.relative_to(STARTER).as_posix() for p in STARTER.rglob("*.yaml"))


@pytest.mark.parametrize("seed", range(RUNS))
def test_damaged_spec_files_never_crash(seed: int, tmp_path: Path, run: Run) -> None:
    rng = random.Random(seed)
    course = tmp_path / "course"
    shutil.copytree(STARTER, course, ignore=shutil.ignore_patterns(".coursepack-cache"))
    for _ in range(rng.randrange(1, 4)):
        path = course / rng.choice(SPEC_FILES)
        path.write_text(damage(path.read_text(encoding="utf-8"), rng), encoding="utf-8")
    result = run("validate", str(course))
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output
    if result.exit_code == 1:
        problems = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert problems, result.stderr


# --- hostile mutations: what an attacker, not a clumsy editor, writes ----------------------

QUIZ = "quizzes/writing-questions.yaml"
LESSON = "modules/writing-questions/one-idea.yaml"
HOSTILE_VALUES = ['"x\\n"', '"X\\r"', "Wq.Multiple", '""', '" "', "../../x", '"..\\\\..\\\\x"',
                  '"a\\"<>b"', "con", ".nan", "-.inf", "1e400", "10000000000000000000000",
                  '"\\x1b[31m"', '"\\ud800"', '"\\u202e"', '"\\x00"', "!include x.yaml",
                  "!!python/object/apply:os.system [ls]", "!!set {a}", "javascript:alert(1)",
                  '"[x](javascript:alert(1))"', '"<a href=\\"jav&#x61;script:x\\">x</a>"',
                  '"![i](data:text/html,x)"', "[" * 400 + "]" * 400, "wq-single", "wq_single"]


def _ordinary(path: Path) -> bool:
    """Whether an earlier mutation left ``path`` a file this test can read (not a pipe)."""
    return path.is_file() and not path.is_symlink()


def _replace_value(course: Path, rng: random.Random) -> None:
    path = course / rng.choice(SPEC_FILES)
    if not _ordinary(path):
        return
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    keyed = [n for n, line in enumerate(lines) if ":" in line and not line.lstrip().startswith("#")]
    if keyed:
        at = rng.choice(keyed)
        key = lines[at].split(":", 1)[0]
        lines[at] = f"{key}: {rng.choice(HOSTILE_VALUES)}\n"
    path.write_text("".join(lines), encoding="utf-8")


def _hostile_name(course: Path, rng: random.Random) -> None:
    name = rng.choice(["..\\..\\x", 'a"<>b', "a\nb", "Final", "con", "x" * 300,
                       os.fsdecode(b"caf\xe9"), "wq_single", ".hidden", "\x1b[31m"])[:200]
    with contextlib.suppress(OSError):  # a name this file system refuses: nothing to test
        if _ordinary(course / "quizzes" / "final.yaml"):
            shutil.copy(course / "quizzes" / "final.yaml", course / "quizzes" / f"{name}.yaml")


def _listed_path(course: Path, rng: random.Random) -> None:
    entry = rng.choice(["../../x", "/etc/passwd", "..", "x/../../y", "'a\nb'", "[a]", "{a: b}"])
    key = rng.choice(["quizzes", "modules"])
    (course.parent / "x.yaml").write_text("title: outside\n", encoding="utf-8")
    path = course / "course.yaml"
    text = path.read_text(encoding="utf-8")
    if key == "quizzes":
        text += f"quizzes: [{entry}]\n"
    else:
        text = text.replace("  - writing-questions", f"  - writing-questions\n  - {entry}")
    path.write_text(text, encoding="utf-8")


def _not_a_file(course: Path, rng: random.Random) -> None:
    target = course / rng.choice(["quizzes/extra.yaml", QUIZ, LESSON,
                                  "sources/item-writing-guide.txt",
                                  "modules/writing-questions/images/stem-and-options.png"])
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    elif target.is_symlink() or target.exists():
        target.unlink()
    how = rng.randrange(4)
    if how == 0:
        os.mkfifo(target)
    elif how == 1:
        target.mkdir()
    elif how == 2:
        target.symlink_to(target.name)
    else:
        (course.parent / "secret.txt").write_text("secret\n", encoding="utf-8")
        target.symlink_to(course.parent / "secret.txt")


def _deep(course: Path, rng: random.Random) -> None:
    depth = rng.choice([199, 201, 5_000, 100_000])
    text = rng.choice(["[" * depth + "]" * depth, "{a: " * depth + "}" * depth])
    path = course / rng.choice(SPEC_FILES)
    if _ordinary(path):
        with path.open("a", encoding="utf-8") as file:
            file.write(f"deep: {text}\n")


def _dangerous_link(course: Path, rng: random.Random) -> None:
    link = rng.choice(["[x](javascript:alert(1))", "<vbscript:x>", "[x](JAVA\tSCRIPT:x)",
                       '<a href="&#106;avascript:x">x</a>', "[x]: file:///etc/passwd",
                       "![x](data:image/png;base64,AAAA)", "[ok](https://example.org)"])
    path = course / LESSON
    if not _ordinary(path):
        return
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  ## Start from the stem\n",
                                 f"  ## Start from the stem\n\n  {link}\n"), encoding="utf-8")


MUTATIONS = [_replace_value, _hostile_name, _listed_path, _not_a_file, _deep, _dangerous_link]
HOSTILE_RUNS = int(os.environ.get("FUZZ_HOSTILE_RUNS", "120"))


class _Hang(Exception):
    pass


def _no_hang(signum: int, frame: object) -> None:
    raise _Hang("the command did not finish: something blocked (a pipe read?)")


@pytest.mark.parametrize("seed", range(HOSTILE_RUNS))
def test_hostile_courses_get_located_errors(seed: int, tmp_path: Path, run: Run) -> None:
    rng = random.Random(seed)
    course = tmp_path / "course"
    shutil.copytree(STARTER, course, ignore=shutil.ignore_patterns(".coursepack-cache"))
    mutations = [rng.choice(MUTATIONS) for _ in range(rng.randrange(1, 4))]
    for mutate in mutations:
        mutate(course, rng)
    previous = signal.signal(signal.SIGALRM, _no_hang)
    signal.alarm(120)  # a bound on a hang, not on speed
    try:
        result = run("validate", str(course))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert "\x1b" not in result.output, "an escape sequence reached the terminal"
    if result.exit_code == 1:
        errors = [line for line in result.stderr.splitlines() if ": error: " in line
                  or line.startswith("error:")]
        assert errors, result.stderr
        unlocated = [line for line in errors if line.startswith("error:")]
        assert not unlocated, result.stderr
