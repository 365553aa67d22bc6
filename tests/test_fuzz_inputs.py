"""Whatever an author's editor leaves in a file, the answer is a message, never a traceback.

Seeded random damage to the starter course's spec files: lines deleted, duplicated or
truncated, values replaced by other YAML types, stray bytes. Every run must end in exit
code 0 or 1 with located messages, and no internal error.
"""

from __future__ import annotations

import os
import random
import shutil
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
    shutil.copytree(STARTER, course)
    for _ in range(rng.randrange(1, 4)):
        path = course / rng.choice(SPEC_FILES)
        path.write_text(damage(path.read_text(encoding="utf-8"), rng), encoding="utf-8")
    result = run("validate", str(course))
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output
    if result.exit_code == 1:
        problems = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert problems, result.stderr
