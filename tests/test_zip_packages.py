"""Zip packages (SCORM, cmi5, Common Cartridge, QTI, the field pack) made again after an
edit: their large files come deflated from the build cache, and the zip is the same, byte
for byte, as one made from nothing; a file that changed, or a damaged entry, is deflated
afresh."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from coursepack.cache import Cache
from coursepack.exporters import _package
from coursepack.exporters._package import KEPT_DEFLATED_FROM, zip_files


@pytest.fixture(autouse=True)
def own_user_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def awkward_files() -> dict[str, bytes]:
    """Large and small, compressible and not, empty, names with spaces and other scripts."""
    noise = random.Random(7).randbytes(3 * KEPT_DEFLATED_FROM)
    prose = ("Café «déjà vu», ملف عربي, ünïcödé\n" * 4000).encode("utf-8")
    return {
        "imsmanifest.xml": b"<manifest/>",
        "pdf/course pack.pdf": b"%PDF-1.7\n" + noise,
        "modules/01-ملف.html": prose,
        "media/empty.txt": b"",
        "media/just under.bin": bytes(KEPT_DEFLATED_FROM - 1),
        "media/just at.bin": bytes(KEPT_DEFLATED_FROM),
    }


def deflations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the files the packaging deflates itself from now on."""
    made: list[int] = []
    original = _package.deflate

    def counted(data: bytes) -> bytes:
        made.append(len(data))
        return original(data)

    monkeypatch.setattr(_package, "deflate", counted)
    return made


def test_a_package_made_again_takes_its_large_files_from_the_cache_and_is_the_same_zip(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = awkward_files()
    plain = zip_files(files, tmp_path / "plain.zip").read_bytes()  # no cache: zipfile alone
    cache = Cache(tmp_path / "cache")
    made = deflations(monkeypatch)
    first = zip_files(files, tmp_path / "first.zip", cache).read_bytes()
    assert sorted(made) == sorted(len(d) for d in files.values() if len(d) >= KEPT_DEFLATED_FROM)
    made.clear()
    again = zip_files(files, tmp_path / "again.zip", Cache(tmp_path / "cache")).read_bytes()
    assert made == []  # every large file came deflated from the cache
    assert plain == first == again
    with zipfile.ZipFile(tmp_path / "again.zip") as archive:
        assert archive.testzip() is None
        assert {i.filename: archive.read(i) for i in archive.infolist()} == files
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}


def test_a_changed_file_or_a_damaged_entry_is_deflated_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = awkward_files()
    cache = Cache(tmp_path / "cache")
    zip_files(files, tmp_path / "first.zip", cache)
    made = deflations(monkeypatch)

    edited = dict(files)
    prose = bytearray(files["modules/01-ملف.html"])
    prose[len(prose) // 2] ^= 1  # one bit, same length
    edited["modules/01-ملف.html"] = bytes(prose)
    rebuilt = zip_files(edited, tmp_path / "edited.zip", cache).read_bytes()
    assert made == [len(prose)]
    assert rebuilt == zip_files(edited, tmp_path / "plain.zip").read_bytes()

    for entry in (tmp_path / "cache" / "entries").rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:-1])  # cut short, as a full disk would
    made.clear()
    damaged = zip_files(edited, tmp_path / "damaged.zip", cache).read_bytes()
    assert sorted(made) == sorted(len(d) for d in edited.values()
                                  if len(d) >= KEPT_DEFLATED_FROM)
    assert damaged == rebuilt
