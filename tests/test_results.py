"""A trainer collects the results learners bring home: files and short codes, some damaged,
some from another course, some twice; the good ones land in one CSV table and one xAPI
statements file, each refused one is named with its place and reason.

The results files here are made as the quiz page makes them (same fields, same checksum);
tests/browser/test_results_browser.py makes them in Chromium.
"""

from __future__ import annotations

import csv
import json
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from coursepack.errors import Origin
from coursepack.results import CodeFields, CourseRef, checksum, code_entry, decode, encode
from coursepack.results.code import CodeError, learner_tag
from coursepack.results.collect import whole
from tests.conftest import REPO, Run

COURSE = CourseRef("starter-course", "1.0", "Writing Good Quiz Questions")


def a_result(name: str = "Amina Yusuf", quiz: str = "writing-questions", attempt: int = 1,
             score: float = 7, max_score: float = 10, course: CourseRef = COURSE,
             finished: str = "2026-11-29T10:15:00.000Z", quiz_number: int = 1) -> dict[str, Any]:
    """A results file's content as results.js writes it, sealed with the course's key."""
    percent = score / max_score * 100
    day = (date.fromisoformat(finished[:10]) - date(2025, 1, 1)).days
    fields = CodeFields(course.tag, quiz_number, whole(percent), percent >= 60, day, attempt,
                        learner_tag(name))
    code = encode(fields, course.key) if day >= 0 else ""
    data: dict[str, Any] = {
        "format": "coursepack-results", "formatVersion": 1,
        "course": {"id": course.id, "version": course.version, "title": course.title,
                   "language": "en"},
        "quiz": {"id": quiz, "title": "Quiz", "passMark": 60},
        "learner": {"name": name}, "attempt": attempt,
        "result": {"score": score, "maxScore": max_score, "percent": percent,
                   "passed": percent >= 60},
        "finished": finished, "code": code,
        "statements": [{"id": f"00000000-0000-4000-8000-{abs(hash((name, attempt))) % 10**12:012d}",
                        "actor": {"objectType": "Agent", "name": name,
                                  "account": {"homePage": course.iri, "name": name.lower()}},
                        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed",
                                 "display": {"en": "passed"}},
                        "object": {"objectType": "Activity",
                                   "id": f"{course.iri}/quiz/{quiz}"},
                        "timestamp": finished}],
    }
    data["checksum"] = checksum(data, course.key)
    return data


def save(folder: Path, name: str, data: dict[str, Any] | str | bytes) -> Path:
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1,
                                                                        ensure_ascii=False),
                        encoding="utf-8")
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def starter_course(course: Path) -> Path:
    """The starter course: quizzes 'final' (number 0) and 'writing-questions' (number 1)."""
    return course


# --- the short code ------------------------------------------------------------------------


def test_a_code_reads_back_and_is_forgiving_about_how_it_was_typed() -> None:
    fields = CodeFields(COURSE.tag, 3, 85, True, 700, 2, learner_tag("Zoë  Ndiaye"))
    code = encode(fields, COURSE.key)
    assert len(code.replace("-", "")) == 13 and code.count("-") == 3
    assert decode(code, COURSE.key) == fields
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert decode(typed, COURSE.key) == fields
    assert fields.learner == learner_tag("zoë ndiaye"), "case and spaces do not matter"


def test_every_single_mistyped_symbol_is_caught() -> None:
    code = encode(CodeFields(COURSE.tag, 0, 100, True, 697, 1, 5), COURSE.key).replace("-", "")
    for at in range(len(code)):
        for symbol in "0123456789ABCDEFGHJKMNPQRSTVWXYZ":
            if symbol != code[at]:
                with pytest.raises(CodeError):
                    decode(code[:at] + symbol + code[at + 1:], COURSE.key)


def test_a_code_with_another_courses_seal_is_refused() -> None:
    other = CourseRef("starter-course", "2.0")
    code = encode(CodeFields(COURSE.tag, 0, 100, True, 697, 1, 5), other.key)
    with pytest.raises(CodeError, match="seal"):
        decode(code, COURSE.key)


def test_a_code_list_line_is_the_code_then_the_name() -> None:
    entry = code_entry("d10c j2q4 9rq1 *   Amina  Yusuf ", Origin("codes.txt", 3))
    assert (entry.text, entry.name) == ("d10c j2q4 9rq1 *", "Amina Yusuf")


# --- collecting ---------------------------------------------------------------------------


def test_results_files_and_codes_make_one_table(run: Run, starter_course: Path,
                                                tmp_path: Path) -> None:
    ref = CourseRef.of(_load(starter_course))
    amina = save(tmp_path, "amina.json", a_result(course=ref))
    rafael = save(tmp_path, "rafael é.json", a_result("Rafael Núñez", score=4, course=ref))
    code = encode(CodeFields(ref.tag, 0, 80, True, 697, 1, learner_tag("Li Wei")), ref.key)
    (tmp_path / "codes.txt").write_text(f"# from the trainer's phone\n\n{code} Li Wei\n",
                                        encoding="utf-8")
    out, xapi = tmp_path / "results.csv", tmp_path / "statements.json"
    result = run("results", "collect", str(amina), str(rafael), "--codes",
                 str(tmp_path / "codes.txt"), "--course", str(starter_course), "--out", str(out),
                 "--xapi", str(xapi))
    assert result.exit_code == 0, result.output
    table = rows(out)
    assert [(r["learner"], r["quiz"], r["score_percent"], r["passed"]) for r in table] == [
        ("Amina Yusuf", "writing-questions", "70", "yes"),
        ("Rafael Núñez", "writing-questions", "40", "no"),
        ("Li Wei", "final", "80", "yes")]
    assert table[2]["date"] == "2026-11-29" and table[2]["source"].endswith("codes.txt:3")
    statements = json.loads(xapi.read_text(encoding="utf-8"))
    assert len({s["id"] for s in statements}) == len(statements) == 3
    assert statements[2]["verb"]["id"].endswith("/passed")
    assert statements[2]["object"]["id"] == "urn:coursepack:starter-course/quiz/final"


@pytest.mark.node
def test_the_statements_file_passes_an_independent_xapi_validator(
        run: Run, starter_course: Path, tmp_path: Path) -> None:
    ref = CourseRef.of(_load(starter_course))
    codes = [encode(CodeFields(ref.tag, q, p, p >= 75, 697, 1, learner_tag(n)), ref.key) + " " + n
             for q, p, n in ((0, 80, "Li Wei"), (1, 30, "Ana"), (0, 100, "=1+2"))]
    out, xapi = tmp_path / "r.csv", tmp_path / "s.json"
    result = run("results", "collect", "--course", str(starter_course), "--out", str(out),
                 "--xapi", str(xapi), *[a for c in codes for a in ("--code", c)])
    assert result.exit_code == 0, result.output
    assert json.loads(check_statements(xapi)) == []


def check_statements(path: Path) -> str:
    return subprocess.run(["node", str(REPO / "tests" / "xapi_check_statements.js")],
                          input=path.read_text(encoding="utf-8"), capture_output=True,
                          text=True, check=True, timeout=60).stdout


def test_names_that_look_like_formulas_stay_text_in_a_spreadsheet(
        run: Run, tmp_path: Path) -> None:
    names = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@SUM(A1)", "Ordinary"]
    files = [save(tmp_path, f"{i}.json", a_result(n)) for i, n in enumerate(names)]
    out = tmp_path / "r.csv"
    assert run("results", "collect", *map(str, files), "--out", str(out)).exit_code == 0
    assert [r["learner"] for r in rows(out)] == ["'" + n for n in names[:4]] + ["Ordinary"]


BAD = {
    "bad-json.json": (b'{\n "format": "coursepack-results",\n "attempt": 1,,\n}', ":3:1",
                      "not valid JSON"),
    "not-utf8.json": (b'{"format": "\xff"}', ":1:1", "not UTF-8"),
    "nan.json": (b'{"format": "coursepack-results", "formatVersion": 1, "x": NaN}', "",
                 "'NaN' is not a number JSON allows"),
    "twice.json": (b'{"format": "coursepack-results", "format": "x"}', "", "given twice"),
    "other-thing.json": (b'{"name": "a shopping list"}', "", "not a coursepack results file"),
    "array.json": (b'[1, 2]', "", "not a coursepack results file"),
}


@pytest.mark.parametrize("name", BAD)
def test_a_damaged_file_is_refused_with_its_place_and_the_good_ones_kept(
        run: Run, tmp_path: Path, name: str) -> None:
    content, where, reason = BAD[name]
    bad = save(tmp_path, name, content)
    good = save(tmp_path, "good.json", a_result())
    out = tmp_path / "r.csv"
    result = run("results", "collect", str(bad), str(good), "--out", str(out))
    assert result.exit_code == 1
    assert f"{bad}{where}: error: refused: " in result.output and reason in result.output
    assert [r["learner"] for r in rows(out)] == ["Amina Yusuf"], "the good file is kept"


def edited(change: Any) -> dict[str, Any]:
    data = a_result()
    change(data)
    return data


SEALED_BUT_WRONG = {
    "forged score, stale checksum": (edited(lambda d: d["result"].update(score=10, percent=100)),
                                     "checksum does not match"),
    "checksum cut": (edited(lambda d: d.update(checksum=d["checksum"][:-2])),
                     "64 hexadecimal digits"),
    "no checksum": (edited(lambda d: d.pop("checksum")), "'checksum' is missing"),
    "control character": (edited(lambda d: d["learner"].update(name="Amina\x1b[2J")),
                          "control character"),
}


@pytest.mark.parametrize("case", SEALED_BUT_WRONG)
def test_an_edited_file_is_refused(run: Run, tmp_path: Path, case: str) -> None:
    data, reason = SEALED_BUT_WRONG[case]
    bad = save(tmp_path, "edited.json", data)
    result = run("results", "collect", str(bad), "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 1 and f"{bad}: error: refused: " in result.output
    assert reason in result.output


def test_a_file_resealed_after_an_edit_is_caught_by_its_code(run: Run, starter_course: Path,
                                                               tmp_path: Path) -> None:
    ref = CourseRef.of(_load(starter_course))
    data = a_result(course=ref)
    data["result"].update(score=10, percent=100)
    data["checksum"] = checksum(data, ref.key)
    bad = save(tmp_path, "resealed.json", data)
    result = run("results", "collect", str(bad), "--course", str(starter_course),
                 "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 1 and "result code does not match" in result.output


def test_schema_problems_name_the_field(run: Run, tmp_path: Path) -> None:
    cases = {"score.json": (lambda d: d["result"].update(score="7"), "'result.score'"),
             "attempt.json": (lambda d: d.update(attempt=0), "'attempt' must be 1 or more"),
             "over.json": (lambda d: d["result"].update(score=12, percent=120), "cannot be"),
             "when.json": (lambda d: d.update(finished="yesterday"), "'finished'")}
    for name, (change, reason) in cases.items():
        data = edited(change)
        data["checksum"] = checksum(data, COURSE.key)
        path = save(tmp_path, name, data)
        result = run("results", "collect", str(path), "--out", str(tmp_path / "r.csv"))
        assert f"{path}: error: refused: " in result.output and reason in result.output, name


def test_a_huge_file_is_refused_unread(run: Run, tmp_path: Path) -> None:
    huge = save(tmp_path, "huge.json", b" " * 3_000_000)
    result = run("results", "collect", str(huge), "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 1 and "far more than a results file" in result.output


def test_results_of_another_course_or_version_are_refused(run: Run, starter_course: Path,
                                                          tmp_path: Path) -> None:
    ref = CourseRef.of(_load(starter_course))
    other = save(tmp_path, "other.json", a_result(course=CourseRef("first-aid", "1.0")))
    older = save(tmp_path, "older.json", a_result(course=CourseRef(ref.id, "0.9")))
    code = encode(CodeFields(CourseRef(ref.id, "0.9").tag, 0, 80, True, 697, 1,
                             learner_tag("Li")), CourseRef(ref.id, "0.9").key)
    result = run("results", "collect", str(other), str(older), "--code", f"{code} Li",
                 "--course", str(starter_course), "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 1
    assert f"{other}: error: refused: it is from another course ('first-aid'" in result.output
    assert f"{older}: error: refused: it is from version 0.9 of the course" in result.output
    assert "--code 1: error: refused: code" in result.output
    assert "another course or version" in result.output


def test_the_same_attempt_twice_names_both_places(run: Run, starter_course: Path,
                                                  tmp_path: Path) -> None:
    ref = CourseRef.of(_load(starter_course))
    first = save(tmp_path, "a.json", a_result(course=ref))
    again = save(tmp_path, "copy of a.json", a_result("  amina   YUSUF", course=ref))
    code = a_result(course=ref)["code"]
    (tmp_path / "codes.txt").write_text(f"{code} Amina Yusuf\n{code}\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    result = run("results", "collect", str(first), str(again), "--codes",
                 str(tmp_path / "codes.txt"), "--course", str(starter_course), "--out", str(out))
    assert result.exit_code == 1
    for place in (str(again), f"{tmp_path / 'codes.txt'}:1:1", f"{tmp_path / 'codes.txt'}:2:1"):
        assert f"{place}: error: refused: the same attempt twice" in result.output
        assert f"also in {first} (kept)" in result.output
    assert len(rows(out)) == 1


def test_a_code_list_names_each_bad_line(run: Run, starter_course: Path, tmp_path: Path) -> None:
    ref = CourseRef.of(_load(starter_course))
    good = encode(CodeFields(ref.tag, 0, 80, True, 697, 1, learner_tag("Li Wei")), ref.key)
    typo = good[:3] + ("X" if good[3] != "X" else "Y") + good[4:]
    listed = tmp_path / "codes.txt"
    listed.write_text(f"{good} Li Wei\n{typo} Ana\n{good} Someone Else\nABC\nx\x07y\n",
                      encoding="utf-8")
    result = run("results", "collect", "--codes", str(listed), "--course", str(starter_course),
                 "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 1
    assert f"{listed}:2:1: error: refused: code" in result.output
    assert f"{listed}:3:1: error: refused: code {good} was not made for the name 'Someone Else'" \
        in result.output
    assert f"{listed}:4:1: error: refused: code ABC: a result code has 13 symbols" in result.output
    assert f"{listed}:5:1: error: refused: the line holds a control character" in result.output
    assert [r["learner"] for r in rows(tmp_path / "r.csv")] == ["Li Wei"]


def test_strict_writes_nothing_when_anything_is_refused(run: Run, tmp_path: Path) -> None:
    good = save(tmp_path, "good.json", a_result())
    bad = save(tmp_path, "bad.json", "{")
    out = tmp_path / "r.csv"
    result = run("results", "collect", str(good), str(bad), "--out", str(out), "--strict")
    assert result.exit_code == 1 and "nothing written (--strict)" in result.output
    assert not out.exists()


def test_codes_need_the_course(run: Run, tmp_path: Path) -> None:
    result = run("results", "collect", "--code", "D10C-J2Q4-9RQ1-* Amina",
                 "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 1 and "give the course folder with --course" in result.output


# --- verifying a certificate's code -------------------------------------------------------


def test_a_certificate_code_is_verified_against_the_table(run: Run, starter_course: Path,
                                                          tmp_path: Path) -> None:
    ref = CourseRef.of(_load(starter_course))
    data = a_result(quiz="final", quiz_number=0, course=ref, score=9)
    path = save(tmp_path, "a.json", data)
    table = tmp_path / "r.csv"
    assert run("results", "collect", str(path), "--out", str(table)).exit_code == 0
    typed = data["code"].lower().replace("-", "")
    found = run("results", "verify", typed, "--results", str(table), "--course",
                str(starter_course))
    assert found.exit_code == 0
    assert f"VERIFIED: {data['code']} is Amina Yusuf, quiz 'final', 90%" in found.output
    assert run("results", "verify", typed, str(path)).exit_code == 0, "or against the files"

    other = encode(CodeFields(ref.tag, 0, 95, True, 697, 1, learner_tag("Amina Yusuf")), ref.key)
    missing = run("results", "verify", other, "--results", str(table))
    assert missing.exit_code == 1 and "NOT FOUND" in missing.output
    broken = run("results", "verify", typed[:-1] + ("0" if typed[-1] != "0" else "1"),
                 "--results", str(table))
    assert broken.exit_code == 1 and "NOT VALID" in broken.output


def _load(folder: Path) -> Any:
    from coursepack.build import validate

    return validate(folder).course


def test_results_name_the_activities_a_cmi5_package_names(run: Run, starter_course: Path,
                                                          tmp_path: Path) -> None:
    base = "https://training.example.org/courses/starter"
    with (starter_course / "course.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"cmi5:\n  activity_base: {base}/\n")
    ref = CourseRef.of(_load(starter_course))
    assert ref.iri == base
    code = encode(CodeFields(ref.tag, 0, 80, True, 697, 1, learner_tag("Li Wei")), ref.key)
    xapi = tmp_path / "s.json"
    result = run("results", "collect", "--code", f"{code} Li Wei", "--course",
                 str(starter_course), "--out", str(tmp_path / "r.csv"), "--xapi", str(xapi))
    assert result.exit_code == 0, result.output
    [statement] = json.loads(xapi.read_text(encoding="utf-8"))
    assert statement["object"]["id"] == f"{base}/quiz/final"
    assert statement["actor"]["account"] == {"homePage": base, "name": "li wei"}


def test_the_certificate_takes_the_courses_paper_size(course: Path, tmp_path: Path) -> None:
    from coursepack.results import site_settings

    assert site_settings(_load(course))["paper"] == "A4"
    text = (course / "course.yaml").read_text(encoding="utf-8")
    (course / "course.yaml").write_text(text.replace("paper: A4", "paper: Letter"),
                                        encoding="utf-8")
    assert site_settings(_load(course))["paper"] == "Letter"


def test_a_laptop_with_its_clock_in_the_past_still_brings_its_result(
        run: Run, starter_course: Path, tmp_path: Path) -> None:
    """Before 2025 a code cannot say the day: the page gives none, and the file is taken."""
    ref = CourseRef.of(_load(starter_course))
    data = a_result(course=ref, finished="2021-03-01T08:00:00+00:00")
    assert data["code"] == ""
    path = save(tmp_path, "old-clock.json", data)
    out = tmp_path / "r.csv"
    result = run("results", "collect", str(path), "--course", str(starter_course), "--out",
                 str(out))
    assert result.exit_code == 0, result.output
    assert [(r["date"], r["code"]) for r in rows(out)] == [("2021-03-01", "")]


def test_crafted_files_are_refused_not_crashed_on(run: Run, tmp_path: Path) -> None:
    deep = save(tmp_path, "deep.json", b'{"format": "coursepack-results", "x": ' + b"[" * 100_000
                + b"]" * 100_000 + b"}")
    odd = edited(lambda d: d["statements"][0].update(id=["not", "a", "string"]))
    odd["checksum"] = checksum(odd, COURSE.key)
    odd_id = save(tmp_path, "odd-id.json", odd)
    result = run("results", "collect", str(deep), str(odd_id), "--out", str(tmp_path / "r.csv"))
    assert result.exit_code == 1, result.output
    assert f"{deep}: error: refused: its JSON is nested far too deeply" in result.output
    assert f"{odd_id}: error: refused: statements[0] is not an xAPI statement" in result.output


def test_verify_refuses_a_table_it_did_not_write(run: Run, tmp_path: Path) -> None:
    table = save(tmp_path, "other.csv", b"\xff\xfe\x00junk")
    result = run("results", "verify", "D10C-J2Q4-9RQ1-*", "--results", str(table))
    assert result.exit_code == 1 and "is not a table 'coursepack results collect' wrote" \
        in result.output


@pytest.mark.node
def test_numbers_are_written_for_the_checksum_as_javascript_writes_them() -> None:
    from coursepack.results.files import js_number

    values = [0.1, 1 / 3 * 100, 0.5, -2.25, 1e-7, 5e-5, 0.0001, 1.5e21, 1e21, 123456789.125,
              1e16 + 2.0, 2.5e-300, 1.7976931348623157e308, 70.00000000000001, 28.999999999999996]
    script = f"process.stdout.write(JSON.stringify({json.dumps(values)}.map(String)))"
    written = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True,
                             timeout=60).stdout
    assert [js_number(v) for v in values] == json.loads(written)


def test_a_folder_stands_for_the_results_files_in_it(run: Run, tmp_path: Path) -> None:
    inbox = tmp_path / "from the field"
    inbox.mkdir()
    save(inbox, "b.json", a_result("Rafael Núñez"))
    save(inbox, "a.json", a_result())
    (inbox / "notes.txt").write_text("not a result", encoding="utf-8")
    out = tmp_path / "r.csv"
    result = run("results", "collect", str(inbox), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert [r["learner"] for r in rows(out)] == ["Amina Yusuf", "Rafael Núñez"]
