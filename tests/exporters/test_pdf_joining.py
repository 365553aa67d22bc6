"""The course pack joined while its parts arrive: the same PDF whatever order they come in."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from coursepack.cache import Cache
from coursepack.cli import main
from coursepack.exporters.pdf import assemble, fonts, pack, pdf_bytes
from coursepack.exporters.pdf.cache import PdfStore
from coursepack.exporters.pdf.joining import PackJoining
from coursepack.exporters.pdf.pool import Job
from coursepack.starter import STARTER

pytestmark = [pytest.mark.pdf, pytest.mark.xdist_group("pdf")]

Given = list[tuple[int, bytes, int]]


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> Given:
    """Every part of the starter course's pack as a build gives it: (index, PDF, shift)."""
    root = tmp_path_factory.mktemp("joining") / "course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".coursepack-cache"))
    given: Given = []
    give = assemble.Joiner.give

    def recorded(self: assemble.Joiner, index: int, data: bytes, shift: int = 0) -> None:
        given.append((index, data, shift))
        give(self, index, data, shift)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assemble.Joiner, "give", recorded)
        result = CliRunner().invoke(main, ["build", str(root), "-f", "pdf", "--out",
                                           str(root.parent / "out")])
    assert result.exit_code == 0, result.output
    by_index = {index: (index, data, shift) for index, data, shift in given}
    assert sorted(by_index) == list(range(len(by_index)))
    return [by_index[index] for index in sorted(by_index)]


def joined(parts: Given, order: list[int]) -> bytes:
    joiner = assemble.Joiner(len(parts), last=pack.CONTENTS_AT)
    for index in order:
        joiner.give(*parts[index])
    pdf, _ = joiner.done()
    with pdf:
        return pdf_bytes.save(pdf)


def test_each_part_holds_only_what_its_pages_and_tags_lead_to(parts: Given) -> None:
    """WeasyPrint leaves the structure elements taken out of its tree among its objects; a
    part is written again without them as it comes from its renderer (``pool._as_kept``),
    so that no join reads them: written again once more, each part is the same bytes."""
    for _, data, _ in parts:
        with pdf_bytes.open_pdf(data) as part:
            assert pdf_bytes.save(part) == data


def test_parts_in_any_order_make_the_same_pack(parts: Given,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    in_order = joined(parts, list(range(len(parts))))
    last_first = joined(parts, list(reversed(range(len(parts)))))
    shuffled = joined(parts, random.Random(7).sample(range(len(parts)), len(parts)))
    monkeypatch.setattr(assemble.Joiner, "READY_AHEAD", 1)  # the others wait as bytes
    few_open = joined(parts, list(reversed(range(len(parts)))))
    assert in_order == last_first == shuffled == few_open

    # the contents are copied last, yet printed after the cover
    pages = [len(PdfReader(io.BytesIO(data)).pages) for _, data, _ in parts]
    reader = PdfReader(io.BytesIO(in_order))
    assert len(reader.pages) == sum(pages)
    assert reader.pages[pages[0]].extract_text().splitlines()[1] == "Contents"


class _Kept:
    """What joining each part read of it, kept as the build's cache keeps it."""

    def __init__(self) -> None:
        self.entries: dict[str, Any] = {}

    def part_notes(self, digest: str) -> object:
        return self.entries.get(digest)

    def keep_part_notes(self, digest: str, notes: object) -> None:
        self.entries[digest] = json.loads(json.dumps(notes))  # as it comes back from disk


def _merged(parts: Given, kept: _Kept | None) -> bytes:
    """The parts joined, their fonts merged with what was read of each as it came."""
    joiner = assemble.Joiner(len(parts), last=pack.CONTENTS_AT, kept=kept)
    for index in reversed(range(len(parts))):
        joiner.give(*parts[index])
    pdf, _ = joiner.done()
    with pdf:
        fonts.merge_subsets(pdf, None, joiner.survey.known)
        return pdf_bytes.save(pdf)


def _merged_at_the_end(parts: Given) -> bytes:
    """The parts joined, then every font read to merge them."""
    joiner = assemble.Joiner(len(parts), last=pack.CONTENTS_AT)
    for index in range(len(parts)):
        joiner.give(*parts[index])
    pdf, _ = joiner.done()
    with pdf:
        fonts.merge_subsets(pdf)
        return pdf_bytes.save(pdf)


def test_what_joining_reads_of_a_part_is_read_once_and_kept(
        parts: Given, monkeypatch: pytest.MonkeyPatch) -> None:
    """What merging needs of each font, and where the headings are, are read as a part is
    joined (before the edited lesson is back from the renderer), and kept for the next
    build: the same pack as reading every font once the join is done, whether read, kept,
    or kept and damaged (read again and kept anew)."""
    at_the_end = _merged_at_the_end(parts)
    kept = _Kept()
    read = _merged(parts, kept)
    assert len(kept.entries) == len(parts)
    lessons = [notes for notes in kept.entries.values() if "headings" in notes]
    assert lessons and all(notes["headings"] for notes in lessons)  # a lesson's title, at least
    reads: list[str] = []
    subset_of, walk = fonts.subset_of, assemble._headings
    monkeypatch.setattr(fonts, "subset_of",
                        lambda font: reads.append(str(font.BaseFont)) or subset_of(font))
    monkeypatch.setattr(assemble, "_headings", lambda tree: reads.append("walk") or walk(tree))
    from_kept = _merged(parts, kept)
    assert reads == []  # every font and heading taken from what was kept
    as_read = {digest: dict(notes) for digest, notes in kept.entries.items()}
    first, second = [d for d in kept.entries if "headings" in kept.entries[d]][:2]
    with_fonts = next(d for d in kept.entries if d not in (first, second)
                      and kept.entries[d]["fonts"])
    kept.entries[first] = "damaged"
    kept.entries[second]["fonts"] = [["Another Face", fonts.TRUETYPE, [], [], [], []]]
    kept.entries[second]["headings"] = [[1, 0]]  # the catalog, no heading
    twice = as_read[first]["headings"][:1] * 2  # one heading named twice: shifted once
    others_with_headings = [d for d in kept.entries if d not in (first, second)
                            and kept.entries[d].get("headings")]
    for digest, damage in zip(others_with_headings, (twice, [[1 << 40, 0]]), strict=False):
        kept.entries[digest]["headings"] = damage
    kept.entries[with_fonts]["fonts"] = [[face, kind, [1], ["wide"], [], []]  # no number
                                         for face, kind, *_ in as_read[with_fonts]["fonts"]]
    for digest, (cids, widths) in zip(
            [d for d in kept.entries if d not in (first, second, with_fonts)
             and isinstance(kept.entries[d], dict) and kept.entries[d].get("fonts")],
            [([1], [1e400]), ([-1], [500.0]), ([1 << 40], [500.0]), ([10**400], [1.0])],
            strict=False):  # not finite, not a two-byte code, too large for a float
        kept.entries[digest]["fonts"] = [[face, kind, cids, widths, [], []]
                                         for face, kind, *_ in as_read[digest]["fonts"]]
    read_again = _merged(parts, kept)
    assert reads.count("walk") == 2 + min(2, len(others_with_headings))
    assert at_the_end == read == from_kept == read_again
    assert kept.entries == as_read


def test_the_small_facts_of_an_export_are_read_at_once_from_its_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page counts, what was left out and the part notes an export into an output
    folder used come back from one record; a fact the record lacks, or has damaged, from
    its own entry; a record that is no record is left aside. What was left out, kept
    nowhere, is not taken for nothing: the PDF is made again."""
    store = Cache(tmp_path / "cache")
    out = tmp_path / "build" / "pdf"
    first = PdfStore(store, out)
    first.keep_part_notes("a" * 64, {"fonts": [], "headings": [[3, 0]]})
    first.keep_pages("a" * 64, 4)
    first.keep_left_out("a" * 64, (("logo.png", "not in the course"),))
    first.keep_left_out("b" * 64, ())
    first.keep_record()
    reads: list[str] = []
    get = Cache.get
    monkeypatch.setattr(Cache, "get", lambda self, key: reads.append(key) or get(self, key))
    again = PdfStore(store, out)
    assert again.part_notes("a" * 64) == {"fonts": [], "headings": [[3, 0]]}
    assert again.pages("a" * 64) == 4
    assert again.left_out("a" * 64) == [("logo.png", "not in the course")]
    assert again.left_out("b" * 64) == []
    assert reads == [again.record]  # one read for all
    again.keep_record()  # the same facts: not written again
    assert reads == [again.record]
    elsewhere = PdfStore(store, tmp_path / "other")  # no record there: each fact's own entry
    assert elsewhere.part_notes("a" * 64) == {"fonts": [], "headings": [[3, 0]]}
    assert elsewhere.pages("a" * 64) == 4
    assert elsewhere.left_out("c" * 64) is None
    assert elsewhere.pages("c" * 64) is None and elsewhere.part_notes("c" * 64) is None
    assert again.record is not None
    store.put_json(again.record, {"pdf-part-notes": {"a" * 64: "{not json"},
                                  "pdf-pages": {"a" * 64: 7}, "pdf-left-out": []})
    damaged = PdfStore(store, out)
    assert damaged.part_notes("a" * 64) == {"fonts": [], "headings": [[3, 0]]}
    assert damaged.pages("a" * 64) == 4
    assert damaged.left_out("b" * 64) == []
    store.put_json(again.record, ["not", "a", "record"])
    assert PdfStore(store, out).pages("a" * 64) == 4


def test_a_pdf_whose_left_out_files_are_not_known_is_made_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached PDF is taken only with what its HTML left out, which a build says again:
    kept nowhere (its entry and the record gone), the PDF is rendered anew."""
    root = tmp_path / "course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".coursepack-cache"))
    rendered, total = _built(root, tmp_path / "out")
    assert rendered == total
    assert _built(root, tmp_path / "elsewhere") == (0, total)
    monkeypatch.setattr(PdfStore, "left_out", lambda self, digest: None)
    assert _built(root, tmp_path / "third") == (total, total)


def test_a_join_with_a_part_missing_says_which(parts: Given) -> None:
    joiner = assemble.Joiner(len(parts), last=pack.CONTENTS_AT)
    for index, data, shift in parts:
        if index != 3:
            joiner.give(index, data, shift)
    with pytest.raises(ValueError, match=r"parts \[3\]"):
        joiner.done()
    joiner.close()


def test_a_damaged_part_given_early_leaves_the_join_to_its_turn(parts: Given) -> None:
    """The early join gives up quietly; the pack is then joined from the cache at its turn,
    where a part still damaged is reported as the assembly's error."""
    sections = [pack.Part(f"part-{n}", f"Part {n}", None, 1)  # type: ignore[arg-type]
                for n in range(3)]
    files = {part.key: Job("", part.key, "", "", "", f"id-{part.key}") for part in sections}
    joining = PackJoining(sections, files)
    joining.give(files["part-0"], parts[0][1])  # held: nothing is joined before begin
    assert joining.joiner is None and len(joining.held) == 1
    joining.begin()
    joining.give(files["part-1"], b"%PDF-1.7 not really")
    assert joining.take() is None
    joining.close()


def _built(root: Path, out: Path, cache: Path | None = None) -> tuple[int, int]:
    """Build the PDFs (with their cache in ``cache``, if given); how many parts and
    documents were rendered, of how many."""
    env = {"COURSEPACK_CACHE_DIR": str(cache)} if cache else {}
    result = CliRunner(env=env).invoke(main, ["build", str(root), "-f", "pdf", "--out",
                                              str(out)])
    assert result.exit_code == 0, result.output
    found = re.search(r"rendered (\d+) of (\d+) PDF parts", result.output)
    assert found, result.output
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize(("relpath", "old", "new"), [
    # the cover (the base every other part is copied into)
    ("course.yaml", "A short example course", "A short sample course"),
    # the module's opening page, early in the pack
    ("modules/writing-questions/module.yaml", "Writing questions that teach",
     "Writing questions that really teach"),
    # the last lesson, and the glossary after it
    ("modules/writing-questions/feedback.yaml",
     "What a learner reads after answering", "What learners read after answering"),
])
def test_a_pack_joined_as_its_parts_arrive_is_the_pack_of_a_cold_build(
        tmp_path: Path, relpath: str, old: str, new: str) -> None:
    """Whichever part is rendered again (the others coming from the cache at once), the
    course pack is byte for byte the one a build from nothing makes."""
    root = tmp_path / "course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".coursepack-cache"))
    _built(root, tmp_path / "out")
    edited = root / relpath
    assert old in edited.read_text(encoding="utf-8")
    edited.write_text(edited.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    rendered, total = _built(root, tmp_path / "out")
    assert 0 < rendered < total  # the rest came from the cache, ready before it
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(root, elsewhere, ignore=shutil.ignore_patterns(".coursepack-cache"))
    _built(elsewhere, tmp_path / "cold")
    assert _pdfs(tmp_path / "out") == _pdfs(tmp_path / "cold")


def _pdfs(out: Path) -> dict[str, bytes]:
    """Every PDF of a build (course pack, handouts, quizzes...), by its path in ``out``."""
    found = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.pdf")}
    assert "pdf/course-pack.pdf" in found and any("handouts/" in name for name in found)
    return found


def test_pdfs_an_edit_leaves_as_they_were_are_the_last_build_s_files(tmp_path: Path) -> None:
    """A rebuild after one lesson is edited links the PDFs it leaves as they were (the
    other handouts, the quizzes...) from the last build rather than write them again; a
    file changed in the output since is written anew, and the whole is what a build from
    nothing makes."""
    root = tmp_path / "course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".coursepack-cache"))
    out = tmp_path / "out"
    _built(root, out)

    def files() -> dict[str, tuple[int, bytes]]:
        return {p.relative_to(out / "pdf").as_posix(): (p.stat().st_ino, p.read_bytes())
                for p in (out / "pdf").rglob("*.pdf")}

    before = files()
    tampered = out / "pdf" / "quizzes" / sorted(before)[-1].rsplit("/", 1)[-1]
    assert tampered.relative_to(out / "pdf").as_posix() in before
    tampered.write_bytes(b"%PDF-1.7 changed by hand")
    locked = out / "pdf" / "answer-key.pdf"
    locked.chmod(0o000)  # a link would keep its mode: the new build's file could not be read
    moved = out / "pdf" / "handouts" / "writing-questions"  # a folder that leads elsewhere
    elsewhere = tmp_path / "elsewhere"
    shutil.move(moved, elsewhere)
    moved.symlink_to(elsewhere, target_is_directory=True)
    outside = {p.stat().st_ino for p in elsewhere.rglob("*.pdf")}
    assert outside
    lesson = root / "modules" / "writing-questions" / "one-idea.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "the stem is too vague.", "the stem is still too vague."), encoding="utf-8")
    _built(root, out)
    after = files()
    assert after.keys() == before.keys()
    edited = {name for name in before if after[name][1] != before[name][1]}
    assert "handouts/writing-questions/one-idea.pdf" in edited and "course-pack.pdf" in edited
    relinked = {name for name in before if after[name][0] == before[name][0]}
    rewritten = {tampered.relative_to(out / "pdf").as_posix(), "answer-key.pdf",
                 *(name for name in before if name.startswith("handouts/writing-questions/"))}
    assert relinked == set(before) - edited - rewritten
    for name in rewritten - edited:  # written anew, not kept
        assert after[name][1] == before[name][1]
    assert locked.stat().st_mode & 0o777 != 0
    assert not outside & {p.stat().st_ino for p in (out / "pdf").rglob("*.pdf")}
    _built(root, tmp_path / "cold", cache=tmp_path / "cold-cache")
    assert {name: data for name, (_, data) in after.items()} == {
        p.relative_to(tmp_path / "cold" / "pdf").as_posix(): p.read_bytes()
        for p in (tmp_path / "cold" / "pdf").rglob("*.pdf")}


def test_the_pdfs_made_by_workers_are_those_made_in_the_build_s_own_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts rendered by the workers, or all of it in the build's own process (on one
    core): the same bytes."""
    root = tmp_path / "course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".coursepack-cache"))
    monkeypatch.setenv("COURSEPACK_CACHE_DIR", str(tmp_path / "cache-workers"))
    _built(root, tmp_path / "workers")
    monkeypatch.setenv("COURSEPACK_CACHE_DIR", str(tmp_path / "cache-one-core"))
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    _built(root, tmp_path / "one-core")
    assert _pdfs(tmp_path / "workers") == _pdfs(tmp_path / "one-core")


def test_coursepack_installed_elsewhere_makes_the_same_pdfs(tmp_path: Path) -> None:
    """The print CSS named the shipped fonts by their path, which entered every document's
    digest, and so its PDF identifier: two installations made PDFs that differed."""
    import subprocess

    from coursepack import render

    code = Path(render.__file__).resolve().parent
    elsewhere = tmp_path / "another machine" / "site-packages"
    shutil.copytree(code, elsewhere / "coursepack", ignore=shutil.ignore_patterns(
        "__pycache__", ".coursepack-cache"))
    shutil.copytree(render.default_templates(), elsewhere / "coursepack" / "templates")
    root = tmp_path / "course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".coursepack-cache"))
    built = {}
    for name, path in (("here", code.parent), ("elsewhere", elsewhere)):
        env = {**os.environ, "PYTHONPATH": str(path), "SOURCE_DATE_EPOCH": "1700000000",
               "COURSEPACK_CACHE_DIR": str(tmp_path / f"cache-{name}")}
        done = subprocess.run(
            [sys.executable, "-c", "import coursepack, sys; print(coursepack.__file__); "
             "from coursepack.cli import run; run()", "build", str(root), "-f", "pdf",
             "--out", str(tmp_path / name)], env=env, capture_output=True, text=True,
            timeout=600)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(str(path / "coursepack")), done.stdout
        built[name] = _pdfs(tmp_path / name)
    assert built["here"] == built["elsewhere"]


def test_a_joined_pack_is_freed_unless_the_process_leaves_without_freeing(
        parts: Given, monkeypatch: pytest.MonkeyPatch) -> None:
    """The program keeps its one pack for ``os._exit`` to drop; the preview, a test or a
    program that builds again and again frees each pack, or every join after it slows."""
    from coursepack import leaving

    monkeypatch.setattr(assemble, "_KEPT", [])
    monkeypatch.setattr(leaving, "_without_freeing", False)

    def pack_let_go() -> assemble.Pdf:
        joiner = assemble.Joiner(1)
        joiner.give(*parts[0])
        pdf, _ = joiner.done()
        assemble.let_go(pdf)
        return pdf

    first = pack_let_go()
    assert assemble._KEPT == []
    assert sys.getrefcount(first) == 2  # this name and the call's argument: nothing else

    leaving.without_freeing()
    kept = pack_let_go()
    pack_let_go()  # another language's pack: freed, one is kept at most
    assert len(assemble._KEPT) == 1
    assert assemble._KEPT[0] is kept
