"""Files coursepack replaces whole (translators' catalogues, results tables, the cache's
files, the preview's pages): readable as any new file of the user's, a file's own
permissions kept, a link in the way replaced and never written through."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from coursepack.atomic import replace_whole
from tests.conftest import Run


def new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_translators_catalogue_is_readable_as_any_file_the_user_makes(
        run: Run, course: Path) -> None:
    result = run("translate", "extract", str(course), "--lang", "fr")
    assert result.exit_code == 0, result.output
    for written in ("course.po", "course.xlf"):
        assert mode(course / "translations" / "fr" / written) == new_file_mode(), written


def test_a_replaced_file_keeps_its_own_permissions(tmp_path: Path) -> None:
    table = tmp_path / "results table.csv"
    table.write_text("old\n", encoding="utf-8")
    table.chmod(0o600)  # the user keeps learners' results to themselves
    replace_whole(table, b"new\n")
    assert table.read_text(encoding="utf-8") == "new\n" and mode(table) == 0o600
    shared = tmp_path / "écoles" / "résultats.csv"
    replace_whole(shared, b"first\n")
    assert mode(shared) == new_file_mode()


def test_a_link_in_the_way_is_replaced_and_what_it_names_left_alone(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not coursepack's", encoding="utf-8")
    elsewhere.chmod(0o640)
    link = tmp_path / "course.po"
    link.symlink_to(elsewhere)
    replace_whole(link, b"msgid \"\"\n")
    assert not link.is_symlink() and link.read_bytes() == b"msgid \"\"\n"
    assert elsewhere.read_text(encoding="utf-8") == "not coursepack's"
    assert mode(elsewhere) == 0o640 and mode(link) == new_file_mode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.po", "elsewhere.txt"]
