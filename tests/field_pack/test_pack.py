"""A field office gets one zip, checks it, and learns exactly what a bad copy lost."""

from __future__ import annotations

import json
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest

from coursepack.exporters.field_pack import unsafe_names
from tests.conftest import Run, own_template
from tests.field_pack.helpers import add_image, build_pack, entries, noise_jpeg, set_field_pack


@pytest.fixture(scope="module")
def bundled_pack(bundled_build: Path) -> Path:
    packs = sorted((bundled_build / "field-pack").glob("*.zip"))
    assert [p.name for p in packs] == ["humanitarian-diplomacy-1.0-en-field-pack.zip"]
    return packs[0]


def unzip(pack: Path, into: Path) -> Path:
    with zipfile.ZipFile(pack) as archive:
        archive.extractall(into)
    return into


def test_the_bundled_pack_holds_site_learner_pdfs_modules_read_me_and_manifests(
        bundled_pack: Path) -> None:
    files = entries(bundled_pack)
    names = list(files)
    assert names[:4] == ["READ-ME-FIRST.html", "READ-ME-FIRST.txt", "MANIFEST.json",
                         "manifest.sha256"]
    assert names[4:] == sorted(names[4:])
    assert "site/index.html" in files and "pdf/course-pack.pdf" in files
    assert [n for n in names if n.startswith("modules/")] == [
        "modules/01-humanitarian-diplomacy.html", "modules/02-integrated-missions.html",
        "modules/03-humanitarian-space.html", "modules/04-final-assessment.html"]
    # a learner pack: no answer key or facilitator guide anywhere in it
    assert not [n for n in names if "answer-key" in n or "facilitator" in n]
    manifest = json.loads(files["MANIFEST.json"])
    assert manifest["course"] == {"id": "humanitarian-diplomacy", "language": "en",
                                  "title": manifest["course"]["title"], "version": "1.0"}
    assert {f["path"] for f in manifest["files"]} == set(names) - {"MANIFEST.json",
                                                                    "manifest.sha256"}
    read_me = files["READ-ME-FIRST.txt"].decode("utf-8")
    assert "verify-pack humanitarian-diplomacy-1.0-en-field-pack.zip" in read_me
    assert "\r\n" in read_me  # Notepad on an old Windows shows it as lines
    assert not unsafe_names(names)


def test_an_intact_pack_and_its_unzipped_folder_verify(run: Run, bundled_pack: Path,
                                                       tmp_path: Path) -> None:
    with zipfile.ZipFile(bundled_pack) as pack:  # every file but the two manifests
        listed = len([n for n in pack.namelist() if not n.endswith("/")]) - 2
    for target in (bundled_pack, unzip(bundled_pack, tmp_path / "copy")):
        result = run("verify-pack", str(target))
        assert result.exit_code == 0, result.output
        assert f"intact: all {listed} files match the manifest (humanitarian-diplomacy " \
               "version 1.0, en, built" in result.output


def test_a_changed_a_removed_and_an_added_file_are_each_named(run: Run, bundled_pack: Path,
                                                               tmp_path: Path) -> None:
    folder = unzip(bundled_pack, tmp_path / "copy of a copy")
    (folder / "site" / "glossary.html").write_text("edited", encoding="utf-8")
    (folder / "pdf" / "course-pack.pdf").unlink()
    (folder / "modules" / "notes é.txt").write_text("mine", encoding="utf-8")
    result = run("verify-pack", str(folder))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "missing  pdf/course-pack.pdf" in lines
    assert "extra    modules/notes é.txt" in lines
    assert any(line.startswith("changed  site/glossary.html (") for line in lines)
    assert "NOT intact: 3 file(s) missing, extra or changed" in result.output
    assert "Traceback" not in result.output


def test_a_changed_entry_inside_the_zip_is_named(run: Run, bundled_pack: Path,
                                                 tmp_path: Path) -> None:
    files = entries(bundled_pack)
    files["site/index.html"] = files["site/index.html"].replace(b"<h1", b"<h1 class=x", 1)
    copy = tmp_path / "pack.zip"
    with zipfile.ZipFile(copy, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    result = run("verify-pack", str(copy))
    assert result.exit_code == 1
    assert "changed  site/index.html" in result.output


def test_a_truncated_zip_is_a_located_error(run: Run, bundled_pack: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut short.zip"
    data = bundled_pack.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    result = run("verify-pack", str(cut))
    assert result.exit_code == 1
    assert f"{cut}: not a complete zip archive" in result.output
    assert "copy the pack again" in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_a_damaged_entry_is_named(run: Run, bundled_pack: Path, tmp_path: Path) -> None:
    data = bytearray(bundled_pack.read_bytes())
    with zipfile.ZipFile(bundled_pack) as archive:
        info = archive.getinfo("site/index.html")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + 60):  # scramble compressed bytes: CRC or inflate fails
        data[i] ^= 0x5A
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(data))
    result = run("verify-pack", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:site/index.html" in result.output
    assert "damaged" in result.output


def test_entries_that_escape_the_folder_or_are_links_are_refused(run: Run, bundled_pack: Path,
                                                                  tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.zip"
    shutil.copy(bundled_pack, hostile)
    with zipfile.ZipFile(hostile, "a") as archive:
        archive.writestr("../../evil.sh", "rm -rf ~")
        archive.writestr("/etc/passwd", "root")
        archive.writestr("site\\..\\..\\win.txt", "x")
        link = zipfile.ZipInfo("site/link")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/shadow")
    result = run("verify-pack", str(hostile))
    assert result.exit_code == 1
    out = result.output
    assert f"{hostile}:../../evil.sh: error: unsafe entry: its name climbs out" in out
    assert f"{hostile}:/etc/passwd: error: unsafe entry: its name is an absolute path" in out
    assert "win.txt: error: unsafe entry: its name holds a backslash" in out
    assert f"{hostile}:site/link: error: unsafe entry: a symbolic link" in out
    assert not (tmp_path.parent / "evil.sh").exists()


def test_a_missing_or_edited_manifest_is_reported(run: Run, bundled_pack: Path,
                                                  tmp_path: Path) -> None:
    folder = unzip(bundled_pack, tmp_path / "a")
    manifest = folder / "MANIFEST.json"
    document = json.loads(manifest.read_text(encoding="utf-8"))
    document["files"] = document["files"][1:]  # someone hides a file from the list
    manifest.write_text(json.dumps(document), encoding="utf-8")
    result = run("verify-pack", str(folder))
    assert result.exit_code == 1
    assert "MANIFEST.json was changed after the pack was made" in result.output
    assert "list different files or hashes" in result.output

    manifest.unlink()
    result = run("verify-pack", str(folder))
    assert result.exit_code == 1
    assert "MANIFEST.json is missing, so nothing can be checked" in result.output

    manifest.write_text("{not json", encoding="utf-8")
    result = run("verify-pack", str(folder))
    assert result.exit_code == 1
    assert "MANIFEST.json: error: this is not a manifest coursepack wrote" in result.output


def test_sha256sum_checks_an_unzipped_pack(bundled_pack: Path, tmp_path: Path) -> None:
    import subprocess

    folder = unzip(bundled_pack, tmp_path / "copy")
    done = subprocess.run(["sha256sum", "--strict", "-c", "manifest.sha256"], cwd=folder,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MANIFEST.json: OK" in done.stdout


def test_nothing_to_verify_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    result = run("verify-pack", str(tmp_path / "nowhere.zip"))
    assert result.exit_code == 1
    assert "no such file or folder" in result.output


def test_the_same_course_gives_the_same_bytes_and_facilitator_files_are_opt_in(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build_pack(run, course, tmp_path / "one")
    second = build_pack(run, course, tmp_path / "two")
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(entries(first)["MANIFEST.json"])["built"] == "2023-11-14"

    set_field_pack(course, "  facilitator_files: true\n  contact: Training unit, "
                           "training@example.org\n")
    files = entries(build_pack(run, course, tmp_path / "three"))
    assert "facilitator/answer-key.pdf" in files and "facilitator/facilitator-guide.pdf" in files
    assert not [n for n in files if n.startswith("pdf/") and "answer-key" in n]
    read_me = files["READ-ME-FIRST.html"].decode("utf-8")
    assert "Training unit, training@example.org" in read_me
    assert "For trainers only" in read_me


@pytest.mark.parametrize("name", ["modules/con.html", "modules/NUL.txt", "a b/x.html",
                                  "modules/é.html", "modules/x."])
def test_names_a_phone_or_windows_cannot_store_are_caught(name: str) -> None:
    assert unsafe_names([name]) == [name]


def test_names_that_differ_only_by_case_clash() -> None:
    assert unsafe_names(["site/a.html", "site/A.html"]) == [
        "site/A.html (and site/a.html: the same name but for case)"]


def test_bad_settings_are_located_errors(run: Run, course: Path) -> None:
    set_field_pack(course, "  image_quality: 200\n  max_module_kb: -5\n  image_max_width: wide\n"
                           "  colour: red\n")
    result = run("validate", str(course))
    assert result.exit_code == 1
    out = result.output
    assert "course.yaml:" in out
    assert "'image_quality' must be at most 95 (got 200)" in out
    assert "'max_module_kb' must be at least 1 (got -5)" in out
    assert "'image_max_width' must be a whole number, got 'wide'" in out
    assert "unknown field 'colour' in field_pack settings" in out


def test_each_language_gets_its_own_pack(run: Run, course: Path, tmp_path: Path) -> None:
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "language: en\n", "language: en\nlanguages: [en, fr]\n", 1), encoding="utf-8")
    assert run("translate", "extract", str(course), "--lang", "fr").exit_code == 0
    out = tmp_path / "out"
    result = run("build", str(course), "-f", "field-pack", "--out", str(out))
    assert result.exit_code == 0, result.output
    english = out / "field-pack" / "starter-course-1.0-en-field-pack.zip"
    french = out / "fr" / "field-pack" / "starter-course-1.0-fr-field-pack.zip"
    for pack, language in ((english, "en"), (french, "fr")):
        files = entries(pack)
        assert json.loads(files["MANIFEST.json"])["course"]["language"] == language
        assert f'<html lang="{language}"'.encode() in files["modules/01-writing-questions.html"]
        assert run("verify-pack", str(pack)).exit_code == 0


def test_single_file_alone_gives_the_packs_module_files(run: Run, course: Path,
                                                        tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", str(course), "-f", "field-pack", "-f", "single-file", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "single-file modules: 01-writing-questions.html" in result.output
    alone = {p.name: p.read_bytes() for p in (out / "single-file").iterdir()}
    packed = {name[len("modules/"):]: data for name, data in
              entries(next((out / "field-pack").glob("*.zip"))).items()
              if name.startswith("modules/")}
    assert alone == packed and sorted(alone) == ["01-writing-questions.html", "02-final.html"]


def test_a_build_of_both_makes_each_languages_single_files_once_as_they_are_alone(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The field pack and the single-file format carry the same modules: a build of both
    makes them once per language, and they are what a build of the single-file format
    alone makes, and what the pack holds."""
    from coursepack.exporters import field_pack

    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "language: en\n", "language: en\nlanguages: [en, fr]\n", 1), encoding="utf-8")
    assert run("translate", "extract", str(course), "--lang", "fr").exit_code == 0
    made: list[str] = []
    original = field_pack.single_files

    def counted(*args: Any) -> Any:
        made.append(args[1].language)
        return original(*args)

    monkeypatch.setattr(field_pack, "single_files", counted)
    both, alone = tmp_path / "both", tmp_path / "alone"
    result = run("build", str(course), "-f", "field-pack", "-f", "single-file", "--out", str(both))
    assert result.exit_code == 0, result.output
    assert sorted(made) == ["en", "fr"]
    assert run("build", str(course), "-f", "single-file", "--out", str(alone)).exit_code == 0
    for language in ("", "fr/"):
        together = {p.name: p.read_bytes() for p in (both / language / "single-file").iterdir()}
        by_itself = {p.name: p.read_bytes() for p in (alone / language / "single-file").iterdir()}
        packed = {name[len("modules/"):]: data for name, data in
                  entries(next((both / language / "field-pack").glob("*.zip"))).items()
                  if name.startswith("modules/")}
        assert together == by_itself == packed and len(packed) == 2
    assert b'<html lang="fr"' in (both / "fr" / "single-file" / "01-writing-questions.html"
                                  ).read_bytes()


def test_a_build_with_the_site_and_pdfs_packs_them_as_built_not_made_twice(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The field pack carries the site and the PDFs. Built beside the html and pdf formats,
    it takes what they wrote (made, or kept from the last build) instead of making them
    again, and is byte for byte the pack built alone."""
    from coursepack.exporters.html import HtmlExporter
    from coursepack.exporters.pdf.exporter import PdfExporter

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    add_image(course, "photo du camp é.jpg", noise_jpeg(2600, 400))  # the pack shrinks it
    made: list[str] = []
    monkeypatch.setattr(HtmlExporter, "export", _counted(HtmlExporter.export, "html", made))
    monkeypatch.setattr(PdfExporter, "export_started",  # export or started early: counted
                        _counted(PdfExporter.export_started, "pdf", made))
    together, alone = tmp_path / "together", tmp_path / "alone"
    formats = ["-f", "html", "-f", "pdf", "-f", "field-pack"]
    result = run("build", str(course), *formats, "--out", str(together), "-q")
    assert result.exit_code == 0, result.output
    assert sorted(made) == ["html", "pdf"]
    pack = next((together / "field-pack").glob("*.zip"))
    first = pack.read_bytes()
    assert first == build_pack(run, course, alone).read_bytes()
    files = entries(pack)
    assert files["site/index.html"] == (together / "html" / "index.html").read_bytes()
    [photo] = [n for n in files if n.startswith("site/media/") and n.endswith(".jpg")
               and "photo" in n]
    assert len(files[photo]) < (together / "html" / photo[len("site/"):]).stat().st_size
    assert files["pdf/course-pack.pdf"] == (together / "pdf" / "course-pack.pdf").read_bytes()

    # the pack deleted, the site and PDFs kept from the last build: the pack is made again
    # from the files kept
    shutil.rmtree(together / "field-pack")
    made.clear()
    result = run("build", str(course), *formats, "--out", str(together))
    assert result.exit_code == 0, result.output
    assert made == [] and result.output.count("the last build's output is kept") == 2
    assert next((together / "field-pack").glob("*.zip")).read_bytes() == first


def _counted(export: Any, name: str, made: list[str]) -> Any:
    def counted(self: Any, ctx: Any) -> Any:
        made.append(name)
        return export(self, ctx)
    return counted


def test_an_encrypted_entry_is_reported_not_a_traceback(run: Run, tmp_path: Path) -> None:
    pack = tmp_path / "locked.zip"
    with zipfile.ZipFile(pack, "w") as archive:
        archive.writestr("READ-ME-FIRST.txt", "hello")
    data = bytearray(pack.read_bytes())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + flags_at
        data[at] |= 0x01  # "encrypted": a password would be needed
    pack.write_bytes(bytes(data))
    result = run("verify-pack", str(pack))
    assert result.exit_code == 1
    assert f"{pack}:READ-ME-FIRST.txt: error: this entry is damaged and cannot be read" in \
        result.output
    assert "MANIFEST.json is missing" in result.output


def test_the_read_me_and_single_file_modules_are_valid_html(bundled_pack: Path,
                                                            tmp_path: Path) -> None:
    from tests.test_html_validity import assert_nu_clean

    folder = unzip(bundled_pack, tmp_path / "copy")
    shutil.rmtree(folder / "site")  # the site is checked as the html format
    shutil.rmtree(folder / "pdf")
    (folder / "style.css").write_text("p { margin: 0 }\n", encoding="utf-8")  # the checker wants one
    assert_nu_clean(folder)


def test_a_single_file_inlines_the_courses_own_theme_files(run: Run, course: Path,
                                                           tmp_path: Path) -> None:
    static = course / "templates" / "html" / "static"
    static.mkdir(parents=True)
    (static / "style.css").write_text("body { background: #fdf6e3 } /* our colours */\n",
                                      encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", str(course), "-f", "single-file", "--out", str(out))
    assert result.exit_code == 0, result.output
    module = (out / "single-file" / "01-writing-questions.html").read_text(encoding="utf-8")
    assert "/* our colours */" in module
    assert "<link" not in module and "<script src" not in module  # nothing left to fetch


def test_what_a_course_template_loads_from_the_web_is_left_out_and_said(
        run: Run, course: Path, tmp_path: Path) -> None:
    own_template(course, "html", "lesson.html.j2",
                 '{% extends "base.html.j2" %}\n{% block scripts %}<script src="https://cdn.'
                 'example.org/track.js"></script>{% endblock %}\n{% block main %}<h1>'
                 '{{ lesson.title }}</h1>{% endblock %}\n')
    out = tmp_path / "out"
    result = run("build", str(course), "-f", "single-file", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "left out what the pages' <head> loads from outside the theme's static/ (a file " \
           "must not fetch): https://cdn.example.org/track.js" in result.output
    module = (out / "single-file" / "01-writing-questions.html").read_text(encoding="utf-8")
    assert "cdn.example.org" not in module
