"""What a PDF's HTML and style sheets may read as they are rendered: the course's files and
the fonts coursepack ships, read at the very path checked, and recorded as inputs."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from coursepack.confinement import NOT_A_FILE
from coursepack.exporters.pdf.images import COURSE_URL, MAX_BYTES, PrintFetcher, RecordedFonts
from coursepack.exporters.pdf.jobs import _may_be_svg
from coursepack.exporters.pdf.pool import SHIPPED, TYPEFACES_URL
from coursepack.stylesheets import IMPORT

pytestmark = pytest.mark.pdf


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "fonts").mkdir(parents=True)
    shutil.copy(SHIPPED / "NotoSans-Regular.ttf", root / "fonts" / "q.ttf")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.txt").write_text("the builder's private notes\n")
    return root


def refused(fetcher: PrintFetcher, url: str) -> str:
    """Why ``fetcher`` refuses ``url`` (it must)."""
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    return fetcher.left_out[-1][1]


def test_a_second_hash_in_a_file_address_reads_the_file_checked_not_another(
        course: Path, tmp_path: Path) -> None:
    """urllib ends a file's path at the last ``#``, the check at the first: through a link
    named ``f.ttf#`` to a folder outside, a template read any file of the machine."""
    (course / "f.ttf").write_bytes(b"the course's own file")
    (course / "f.ttf#").symlink_to(tmp_path / "elsewhere")
    fetcher = PrintFetcher(str(course))
    for url in (f"{(course / 'f.ttf').as_uri()}#/secret.txt#",
                f"file://{course}/f.ttf#/secret.txt#", f"{COURSE_URL}f.ttf#/secret.txt#"):
        assert fetcher.fetch(url).read() == b"the course's own file", url


@pytest.mark.parametrize(("url", "why"), [
    ("file://leak.example.invalid/{course}/fonts/q.ttf", "a file address on another machine"),
    ("file://localhost/{course}/fonts/q.ttf", "a file address on another machine"),
    ("file:fonts/q.ttf", "a file: address without its folder"),
    ("file:///{elsewhere}/secret.txt", "it is outside the course folder"),
    (f"{TYPEFACES_URL}../../../../../../../../etc/passwd", "outside the course folder"),
    (f"{TYPEFACES_URL}%2e%2e/%2e%2e/%2e%2e%2f%2e%2e/../../../../../../../etc/passwd", "outside"),
    ("https://example.invalid/font.ttf", "a web address"),
    ("data:font/ttf", "it is not a valid data: address"),
])
def test_what_a_document_may_not_read_is_refused_without_asking_anyone(
        course: Path, tmp_path: Path, url: str, why: str) -> None:
    """A host in a file: address had urllib look it up (a DNS query of the course's
    choosing); a relative one was read from wherever the build was started."""
    url = url.format(course=course, elsewhere=tmp_path / "elsewhere")
    assert why in refused(PrintFetcher(str(course)), url)


def test_a_folder_a_pipe_and_a_huge_file_are_said_to_be_what_they_are(course: Path) -> None:
    os.mkfifo(course / "fonts" / "pipe.ttf")
    with (course / "fonts" / "huge.ttf").open("wb") as huge:
        huge.truncate(MAX_BYTES + 1)  # sparse: no disk used
    fetcher = PrintFetcher(str(course))
    assert refused(fetcher, f"{COURSE_URL}fonts/") == "it is not a file (a folder, or a pipe)"
    assert refused(fetcher, f"{COURSE_URL}fonts/pipe.ttf") == \
        "it is not a file (a folder, or a pipe)"
    assert refused(fetcher, f"{COURSE_URL}fonts/huge.ttf") == "it is larger than 50 MB"


def test_the_shipped_fonts_are_read_and_are_no_input_of_the_course(course: Path) -> None:
    fetcher = PrintFetcher(str(course), records=True)
    response = fetcher.fetch(f"{TYPEFACES_URL}NotoSans-Regular.ttf")
    assert response.read() == (SHIPPED / "NotoSans-Regular.ttf").read_bytes()
    assert fetcher.fetched == {} and fetcher.left_out == []


def test_a_course_file_that_is_not_there_yet_is_an_input(course: Path) -> None:
    """Left out, then added: the documents that asked for it must be made again."""
    fetcher = PrintFetcher(str(course), records=True)
    refused(fetcher, f"{COURSE_URL}fonts/brand%20new.ttf")
    assert fetcher.fetched == {"fonts/brand new.ttf": NOT_A_FILE.hex()}


def _style_sheet(css: str, fetcher: PrintFetcher, fonts: RecordedFonts) -> None:
    from weasyprint import CSS

    CSS(string=css, base_url=COURSE_URL, url_fetcher=fetcher, font_config=fonts)


def test_every_style_sheet_naming_a_font_learns_the_file_it_was_read_from(
        course: Path) -> None:
    """WeasyPrint reads a font once per configuration: a second style sheet (another
    document's) naming it reads nothing, and did not know it depended on the file. Nor did
    the second of two rules naming the same file: the first had recorded it."""
    fonts = RecordedFonts()
    regular = '@font-face { font-family: Q; src: url("fonts/q.ttf") }'
    bold = '@font-face { font-family: Q; font-weight: bold; src: url("fonts/q.ttf") }'
    first = PrintFetcher(str(course), records=True)
    _style_sheet(regular + bold, first, fonts)
    second = PrintFetcher(str(course), records=True)
    _style_sheet(bold, second, fonts)
    digest = hashlib.sha256((course / "fonts" / "q.ttf").read_bytes()).hexdigest()
    assert first.fetched == second.fetched == {"fonts/q.ttf": digest}


def test_a_font_named_by_a_rule_per_weight_is_not_taken_for_a_loop(course: Path) -> None:
    """A variable font is named by one @font-face per weight and style: 18 rules asked for
    the same file more than the 16 times a style sheet importing itself would."""
    rules = "".join(
        f'@font-face {{ font-family: V; font-weight: {weight}; font-style: {style}; '
        f'src: url("fonts/q.ttf") }}'
        for weight in range(100, 1000, 100) for style in ("normal", "italic"))
    fetcher = PrintFetcher(str(course), records=True)
    _style_sheet(rules, fetcher, RecordedFonts())
    assert fetcher.left_out == [] and list(fetcher.fetched) == ["fonts/q.ttf"]


def test_hidden_files_invalid_addresses_and_disguised_images_are_refused(
        course: Path) -> None:
    """A template attached the build's own cache; an address urllib cannot parse was
    dropped without a word; an SVG named .png was read as an SVG, fonts and all."""
    (course / ".coursepack-cache").mkdir()
    (course / ".coursepack-cache" / "size.json").write_text("{}")
    (course / "images").mkdir()
    (course / "images" / "photo.png").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    fetcher = PrintFetcher(str(course), records=True)
    assert refused(fetcher, f"{COURSE_URL}.coursepack-cache/size.json").startswith(
        "it is hidden")
    assert refused(fetcher, "file://[::1/x.ttf") == "it is not a valid address"
    assert refused(fetcher, f"{COURSE_URL}images/photo.png").startswith(
        "it is not the image its name says")


def test_a_file_reached_through_a_link_is_recorded_by_the_link(course: Path) -> None:
    """Recorded by where the link led, pointing the link at another file went unseen."""
    (course / "assets").mkdir()
    shutil.copy(course / "fonts" / "q.ttf", course / "assets" / "one.ttf")
    (course / "fonts" / "brand.ttf").symlink_to("../assets/one.ttf")
    fetcher = PrintFetcher(str(course), records=True)
    fetcher.fetch(f"{COURSE_URL}fonts/brand.ttf")
    assert list(fetcher.fetched) == ["fonts/brand.ttf"]


@pytest.mark.parametrize("data", [
    b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"\xef\xbb\xbf\n  <?xml version='1.0'?><svg/>",
    "<svg/>".encode("utf-16"), "<svg/>".encode("utf-16-le"), b"<!-- a style sheet -->"])
def test_what_could_be_an_svg_goes_only_to_a_document_with_fonts_of_its_own(
        course: Path, data: bytes) -> None:
    """An SVG's style sheet can declare fonts: to a document that shares its worker's font
    configuration, what WeasyPrint could read as one is refused, whatever its name, without
    a warning (the document is rendered again with a configuration of its own), and given
    to that one."""
    (course / "drawing").write_bytes(data)
    written = "data:image/svg+xml;base64," + base64.b64encode(data).decode()
    for url in (f"{COURSE_URL}drawing", written):
        shared = PrintFetcher(str(course), own_fonts=False)
        with pytest.raises(ValueError):
            shared.fetch(url)
        assert shared.needs_own_fonts and not shared.left_out
        assert PrintFetcher(str(course), own_fonts=True).fetch(url).read() == data
    shared = PrintFetcher(str(course), own_fonts=False)
    assert shared.fetch(f"{COURSE_URL}fonts/q.ttf").read()[:4] == b"\x00\x01\x00\x00"
    assert not shared.needs_own_fonts


@pytest.mark.parametrize(("address", "may"), [
    ("images/logo.png", False), ("images/LOGO.JPEG", False), ("data:image/png;base64,AA", False),
    ("images/logo.svg", True), ("images/logo", True), ("images/logo.png?v=2", True),
    ("data:image/svg+xml,%3Csvg/%3E", True), ("data:;base64,AA", True), (IMPORT, True)])
def test_only_an_image_a_style_sheet_names_as_no_raster_may_be_an_svg(
        address: str, may: bool) -> None:
    """A course's print style sheet that shows only raster images (a PNG logo on every page)
    keeps one font configuration per worker: a file named so that is none is refused. Any
    other address may be an SVG, whose fonts would reach other documents."""
    assert _may_be_svg(address) is may
