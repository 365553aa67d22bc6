"""A bank that is broken or hostile gets one located error, and nothing is written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from coursepack.importers import safe
from tests.conftest import Run

QUESTION = """<question type="truefalse"><name><text>T</text></name>
<questiontext format="html"><text>Water is wet.</text></questiontext>
<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text>
</answer></question>"""


def imported(run: Run, tmp_path: Path, name: str, data: bytes, *extra: str) -> tuple[int, str]:
    bank = tmp_path / name
    bank.write_bytes(data)
    result = run("import", str(bank), "--into", str(tmp_path / "course"), *extra)
    return result.exit_code, result.output


def nothing_written(tmp_path: Path) -> bool:
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".coursepack-import")]
    return not (tmp_path / "course").exists() and not leftovers


def test_malformed_xml_is_refused_at_its_line_and_column(run: Run, tmp_path: Path) -> None:
    data = b"<?xml version='1.0'?>\n<quiz>\n  <question type='truefalse'>\n  </quiz>\n"
    code, output = imported(run, tmp_path, "broken.xml", data, "--from", "moodle-xml")
    assert code == 1
    assert ("broken.xml:4:10: error: not well-formed XML: Opening and ending tag mismatch: "
            "question line 3 and quiz") in output
    assert nothing_written(tmp_path)


def test_billion_laughs_is_refused_without_expanding(run: Run, tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY l0 "ha">{laughs}]>\n'
            f"<quiz>{QUESTION.replace('Water is wet.', '&l9;')}</quiz>").encode()
    code, output = imported(run, tmp_path, "laughs.xml", data)
    assert code == 1
    assert ("laughs.xml:2:1: error: the XML declares a DTD (entities or an external file); "
            "an import never expands entities or fetches files") in output
    assert "haha" not in output
    assert nothing_written(tmp_path)


def test_an_external_entity_is_never_read(run: Run, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file://{secret}">]>\n'
            f"<quiz>{QUESTION.replace('Water is wet.', '&x;')}</quiz>").encode()
    code, output = imported(run, tmp_path, "xxe.xml", data, "--from", "moodle-xml")
    assert code == 1
    assert "xxe.xml:2:1: error: the XML declares a DTD" in output
    assert "TOP-SECRET" not in output
    assert nothing_written(tmp_path)


def test_a_file_over_the_size_limit_is_refused_unread(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe, "MAX_BYTES", 1000)
    data = f"<quiz>{QUESTION}</quiz>".encode() + b" " * 2000
    bank = tmp_path / "big.xml"
    bank.write_bytes(data)
    # read_bytes reads its default limit at call time through the module constant
    code, output = imported(run, tmp_path, "big.xml", data)
    assert code == 1
    assert "big.xml is 2.2 kB, over the import limit of 1.0 kB" in output
    assert nothing_written(tmp_path)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("entry", ["../escape.xml", "/etc/escape.xml", "a/../../escape.xml",
                                   "C:/escape.xml", "a\\..\\..\\escape.xml"])
def test_a_zip_whose_entry_leaves_its_root_is_refused(run: Run, tmp_path: Path,
                                                      entry: str) -> None:
    data = _zip({"imsmanifest.xml": b"<manifest/>", entry: b"<x/>"})
    code, output = imported(run, tmp_path, "slip.zip", data, "--from", "qti21")
    assert code == 1
    assert (f"slip.zip: error: slip.zip: the entry '{entry}' leaves the zip's root; the zip "
            "is refused and nothing is written") in output
    assert nothing_written(tmp_path)
    assert not (tmp_path.parent / "escape.xml").exists()


def test_a_zip_over_the_size_limit_once_unpacked_is_refused(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe, "MAX_BYTES", 5000)
    data = _zip({"imsmanifest.xml": b"<manifest/>", "items/big.xml": b" " * 20_000})
    assert len(data) < 5000  # small packed, big unpacked
    code, output = imported(run, tmp_path, "bomb.zip", data, "--from", "qti21")
    assert code == 1
    assert "bomb.zip (unpacked) is 20.0 kB, over the import limit of 5.0 kB" in output
    assert nothing_written(tmp_path)


def test_a_file_of_no_known_format_says_which_formats_are_read(run: Run, tmp_path: Path) -> None:
    code, output = imported(run, tmp_path, "notes.xml", b"<notes><n>hello</n></notes>")
    assert code == 1
    assert "notes.xml: error: cannot tell which question-bank format this file is" in output
    assert "name one with --from" in output
    assert nothing_written(tmp_path)


def test_a_missing_file_is_named(run: Run, tmp_path: Path) -> None:
    result = run("import", str(tmp_path / "nope.xml"), "--into", str(tmp_path / "course"))
    assert result.exit_code != 0
    assert "nope.xml" in result.output


def test_a_bad_file_among_good_ones_writes_nothing(run: Run, tmp_path: Path) -> None:
    good = tmp_path / "good.xml"
    good.write_text(f"<quiz>{QUESTION}</quiz>")
    bad = tmp_path / "bad.xml"
    bad.write_text("<quiz><question>")
    result = run("import", str(good), str(bad), "--into", str(tmp_path / "course"))
    assert result.exit_code == 1
    assert nothing_written(tmp_path)


def test_a_course_that_would_not_validate_is_put_back_as_it_was(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coursepack.errors import Origin, error
    from coursepack.importers import plan

    text = (course / "course.yaml").read_text()
    (course / "course.yaml").write_text(text + "quizzes: [writing-questions, final]\n")
    before = {p.relative_to(course): p.read_bytes() for p in course.rglob("*") if p.is_file()}
    monkeypatch.setattr(plan, "_validate", lambda root, files: [
        error(Origin("quizzes/good.yaml", 3), "something the loader refused")])
    good = tmp_path / "good.xml"
    good.write_text(f"<quiz>{QUESTION}</quiz>")
    result = run("import", str(good), "--into", str(course))
    assert result.exit_code == 1
    assert "the imported quiz files do not validate; nothing was kept" in result.output
    after = {p.relative_to(course): p.read_bytes() for p in course.rglob("*") if p.is_file()}
    assert after == before
