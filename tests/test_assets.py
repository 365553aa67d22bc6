"""Files a course's Markdown uses: every one checked where it is written, packaged where shown.

An author puts images (and links to handouts) in any Markdown field: a quiz stem, an
option, a hint, a key term, a course description. Each is resolved when the course loads
(names with spaces and accents included); anything that would break a package or read
outside the course is an error at the line and column where it is written.
"""

from __future__ import annotations

import base64
import os
import re
import urllib.parse
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from coursepack.loader import load_course
from tests.conftest import Run

QUIZ = "quizzes/writing-questions.yaml"
PNG = (Path(__file__).resolve().parents[1] / "src" / "coursepack" / "starter" / "course" /
       "modules" / "writing-questions" / "images" / "stem-and-options.png").read_bytes()


def _put(course: Path, relpath: str, data: bytes) -> None:
    path = course / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _replace(course: Path, relpath: str, old: str, new: str) -> None:
    path = course / relpath
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_col(course: Path, relpath: str, needle: str) -> str:
    lines = (course / relpath).read_text(encoding="utf-8").split("\n")
    number = next(n for n, line in enumerate(lines) if needle in line)
    return f"{relpath}:{number + 1}:{lines[number].index(needle) + 1}"


def _with_images_everywhere(course: Path) -> None:
    """Images named with spaces and accents in a stem, an option, feedback, a hint, a
    course description and a quiz description; a handout linked from a key term."""
    _put(course, "quizzes/images/carte du camp.png", PNG)
    _put(course, "quizzes/images/réfugiés.png", PNG)
    _put(course, "images/logo.png", PNG)
    _put(course, "modules/writing-questions/files/fiche d'exercice.pdf", b"%PDF-1.4\n%%EOF\n")
    _replace(course, QUIZ, "stem: What should a learner who knows the answer be able to do?",
             "stem: 'What should a learner do? ![Carte](<images/carte du camp.png>)'")
    _replace(course, QUIZ, "- text: Spot the longest option.",
             "- text: 'Spot the longest ![option](images/r%C3%A9fugi%C3%A9s.png)'")
    _replace(course, QUIZ, "- Cover the options with your hand.",
             "- 'Cover the options. <img src=\"images/réfugiés.png\" alt=\"réfugiés\">'")
    _replace(course, QUIZ, "description: Ten questions, one of each type.",
             "description: Ten questions ![camp](<images/carte du camp.png>), one of each type.")
    _replace(course, "course.yaml", "description: |\n", "description: |\n  ![logo](images/logo.png)\n")


def test_images_with_spaces_and_accents_anywhere_are_packaged_by_every_format(
        course: Path, run: Run, tmp_path: Path) -> None:
    _with_images_everywhere(course)
    assert run("validate", str(course)).exit_code == 0
    out = tmp_path / "out"
    for fmt in ("html", "scorm12", "imscc", "moodle-xml", "qti12", "qti21"):
        result = run("build", str(course), "-f", fmt, "--out", str(out))
        assert result.exit_code == 0, result.output
    site = out / "html"
    quiz_page = (site / "quizzes" / "writing-questions.html").read_text(encoding="utf-8")
    shown = re.findall(r'<img src="([^"]+)"', quiz_page)
    assert len(shown) >= 3
    for src in shown + re.findall(r'<img src="([^"]+)"', (site / "index.html").read_text()):
        target = (site / "quizzes" / src) if src.startswith("..") else site / src
        assert target.resolve().read_bytes() == PNG, src
    with zipfile.ZipFile(next((out / "scorm12").glob("*.zip"))) as archive:
        names = set(archive.namelist())
        page = archive.read("course/quizzes/writing-questions.html").decode()
        for src in re.findall(r'<img src="\.\./([^"]+)"', page):
            assert "course/" + src in names
    moodle = etree.parse(str(next((out / "moodle-xml").glob("*.xml"))))
    single = moodle.xpath("//question[idnumber='wq-single']")[0]
    assert "@@PLUGINFILE@@/" in single.findtext("questiontext/text")
    assert single.xpath("questiontext/file/@name"), "the stem's image travels with the stem"


def test_a_symlink_out_of_the_course_is_refused_where_it_is_written(course: Path,
                                                                   run: Run,
                                                                   tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    (course / "quizzes" / "images").mkdir()
    os.symlink(secret, course / "quizzes" / "images" / "innocent.png")
    _replace(course, QUIZ, "- Cover the options with your hand.",
             "- 'See ![x](images/innocent.png)'")
    result = run("validate", str(course))
    assert result.exit_code == 1
    where = _line_col(course, QUIZ, "images/innocent.png")
    assert f"{where}: error: image 'images/innocent.png' is outside the course folder" \
        in result.stderr


BAD = [
    ("missing", "images/nothing.png", None, "image 'images/nothing.png' does not exist"),
    ("bmp", "images/old.bmp", b"BM" + bytes(60), "has a type no format can show (.bmp)"),
    ("not-a-png", "images/fake.png", b"GIF89a" + bytes(20), "is not a PNG file"),
    ("svg-outside", "images/d.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     b'<image xlink:href="../../secret.png"/></svg>', "uses another file ('../../secret.png')"),
    ("svg-script", "images/s.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "contains a script"),
    ("svg-css", "images/c.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(x.css);</style></svg>',
     "uses another file"),
    ("svg-entity", "images/e.svg",
     b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY t SYSTEM "file:///etc/hostname">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&t;</text></svg>',
     "uses another file ('file:///etc/hostname')"),
    ("svg-css-escaped", "images/u.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><style>text { fill: u\\72l(pat.svg#p) }'
     b'</style></svg>', "uses another file ('pat.svg#p')"),
    ("svg-entity-in-style", "images/es.svg",
     b"<!DOCTYPE svg [<!ENTITY e \"@import 'evil.css';\">]>"
     b'<svg xmlns="http://www.w3.org/2000/svg"><style>&e;</style></svg>',
     "uses another file ('@import')"),
    ("svg-style-cut-by-comment", "images/cc.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:u<!-- -->rl(../../secret.svg#a)}'
     b"</style></svg>", "uses another file ('../../secret.svg#a')"),
    ("svg-style-cut-by-element", "images/ce.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><style><b/>@import "x.css";</style></svg>',
     "uses another file ('@import')"),
    ("svg-presentation-attribute", "images/pa.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><rect mask="url(other.svg#m)"/></svg>',
     "uses another file ('other.svg#m')"),
    ("svg-style-sheet-instruction", "images/pi.svg",
     b'<?xml-stylesheet href="look.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
     "uses another file ('look.css')"),
    ("svg-html-image", "images/fo.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><img '
     b'xmlns="http://www.w3.org/1999/xhtml" src="photo.png"/></foreignObject></svg>',
     "uses another file ('photo.png')"),
    ("svg-animated-link", "images/an.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><image href="#x"><set attributeName="href" '
     b'to="later.png"/></image></svg>', "uses another file ('later.png')"),
    ("svg-image-function", "images/if.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:image("i.png")}</style></svg>',
     "uses another file ('i.png')"),
    ("svg-event-handler", "images/on.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
     "contains a script"),
    ("svg-base", "images/xb.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><image xml:base="file:///course/secret.png" '
     b'href="#x"/></svg>', "uses another file ('file:///course/secret.png')"),
    ("svg-in-a-data-address", "images/dd.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/svg+xml,%3Csvg '
     b"xmlns='http://www.w3.org/2000/svg'%3E%3Cimage href='../hidden.png'/%3E%3C/svg%3E\"/>"
     b"</svg>", "uses another file ('../hidden.png')"),
    ("svg-page-of-its-own", "images/fr.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe '
     b'xmlns="http://www.w3.org/1999/xhtml" srcdoc="&lt;b&gt;hi&lt;/b&gt;"/></foreignObject>'
     b"</svg>", "contains a script or a page of its own (<iframe>)"),
    ("svg-javascript-link", "images/js.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><a href=" JavaScript:go()"><text>x</text></a>'
     b"</svg>", "contains a script or a page of its own (a javascript: address in href)"),
    ("svg-deep-style", "images/ds.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><style>a { fill: url(x' + b"(" * 300 + b")}"
     b"</style></svg>", "has style nested too deep to read"),
    ("svg-in-a-data-address-typed-otherwise", "images/dt.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:text/plain,'
     + urllib.parse.quote("<svg xmlns='http://www.w3.org/2000/svg'><image href='../hidden.png'/></svg>").encode() + b'"/></svg>',
     "uses another file ('../hidden.png')"),
    ("svg-in-a-data-address-typed-png", "images/dp.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,'
     + base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'><image href='../hidden.png'/></svg>") + b'"/></svg>', "uses another file ('../hidden.png')"),
    ("svg-in-a-data-address-escaped", "images/de.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/svg+xml;base64,'
     + b"".join(b"%%%02X" % c for c in base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'><image href='../hidden.png'/></svg>")) + b'"/></svg>',
     "uses another file ('../hidden.png')"),
    ("svg-unreadable-in-a-data-address", "images/du.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:,%3Csvg%3E%3Cbroken"/>'
     b"</svg>", "holds an image in a data: address that is no image and reads as markup"),
    ("svg-showing-itself", "images/si.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     b'<g id="a"/><image xlink:href="#a"/><image xlink:href="#a" x="9"/></svg>',
     "shows itself (<image href=\"#a\">): a PDF would draw it inside itself"),
    ("svg-use-upon-use", "images/uu.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a0"><rect width="1" height="1"/></g>'
     + b"".join(b'<g id="a%d">' % n + b'<use href="#a%d"/>' % (n - 1) * 10 + b"</g>"
                for n in range(1, 8)) + b"</svg>",
     "draws more than 100,000 shapes through <use>: a PDF would take minutes"),
    ("svg-use-inside-itself", "images/ui.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><g><use href="#a"/></g></g></svg>',
     'shows itself (<use href="#a"> inside itself)'),
    ("svg-link-set-by-a-style", "images/ls.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><style>image { href: pic.png }</style><image/>'
     b"</svg>", "uses another file ('href set by a style: pic.png')"),
    ("svg-endless-gradient", "images/eg.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><linearGradient id="g"'
     b' gradientUnits="userSpaceOnUse" x2="0.00000001" spreadMethod="repeat"/>'
     b'<rect width="100" height="100" fill="url(#g)"/></svg>',
     "draws a gradient that repeats (repeat) more than a thousand times"),
    ("svg-huge-style", "images/hs.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg"><style>' + b"url(" * 300_000 + b"</style></svg>",
     "holds more than 1 MB of style"),
    ("svg-too-large", "images/tl.svg",
     b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * 2_700_000 + b"</svg>",
     "is larger than 10 MB"),
    ("not-svg", "images/n.svg", b"<svg", "is not a valid SVG file"),
]


@pytest.mark.parametrize(("name", "relpath", "data", "message"), BAD, ids=[b[0] for b in BAD])
def test_an_image_no_format_can_package_is_an_error_at_its_place(
        name: str, relpath: str, data: bytes | None, message: str, course: Path,
        run: Run) -> None:
    if data is not None:
        _put(course, "quizzes/" + relpath, data)
    _replace(course, QUIZ, "feedback: No. Length should give nothing away.",
             f"feedback: 'No. ![it]({relpath})'")
    result = run("validate", str(course))
    assert result.exit_code == 1
    where = _line_col(course, QUIZ, relpath)
    line = next(line for line in result.stderr.splitlines() if message in line)
    assert line.startswith(f"{where}: error: "), line


def test_an_svg_as_drawing_programs_export_it_travels_alone(course: Path, run: Run) -> None:
    """What Illustrator, Inkscape and draw.io write: a DOCTYPE declaring namespaces as
    entities, a gradient filled by ``url(#id)``, a style sheet with an embedded font, a CDATA
    section, comments, a path effect's ``only_selected``, a link to a help page, a colour
    profile on the author's Mac, a 3 MB path. Nothing of that uses another file or runs a
    script."""
    font = "d09GRgABAAAAAA" * 20
    _put(course, "quizzes/images/drawn.svg", (
        '<?xml version="1.0" encoding="utf-8"?>\n<!-- Generator: a drawing program -->\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [\n'
        '  <!ENTITY ns_extend "http://ns.adobe.com/Extensibility/1.0/">\n]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="&ns_extend;" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
        "<defs><linearGradient id=\"g\"><stop offset='0' stop-color='#fff'/></linearGradient>"
        f"<style><![CDATA[@font-face {{ font-family: F; src: url(data:font/woff;base64,{font}) }}"
        " .a { fill: url(#g); font-family: F } /* url(nothing) */]]></style></defs>"
        '<rect class="a" width="10" height="10" transform="rotate(45)" fill="url(#g)"/>'
        '<use xlink:href="#g"/><text x="1" y="5">Été ← see url(x.png)</text>'
        '<path-effect xmlns="http://www.inkscape.org/namespaces/inkscape" effect="bspline" '
        'only_selected="false" onefile="1"/>'
        '<a xlink:href="https://www.drawio.com/doc/faq/svg-export-text-problems" '
        'target="_blank"><text>Text is not SVG - cannot display</text></a>'
        '<color-profile name="P3" xlink:href="file:///System/Library/ColorSync/Profiles/'
        'DCI(P3)%20RGB.icc"/><filter id="f"><feImage xlink:href="#g"/></filter>'
        '<linearGradient id="r" x2="0.2" spreadMethod="repeat"/>'
        '<path d="M0 0' + " L1 2" * 600_000 + '"/></svg>').encode())
    _replace(course, QUIZ, "feedback: No. Length should give nothing away.",
             "feedback: 'No. ![a drawing](images/drawn.svg)'")
    result = run("validate", str(course))
    assert result.exit_code == 0, result.stderr
    assert "drawn.svg" not in result.stderr


@pytest.mark.parametrize(("link", "message"), [
    ("files/gone.pdf", "link to 'files/gone.pdf', which does not exist"),
    ("../../../etc/passwd", "link to '../../../etc/passwd' leaves the course folder"),
    ("writing-questions.yaml", "link to 'writing-questions.yaml': a .yaml file is not something"),
])
def test_a_link_to_a_file_that_cannot_travel_is_an_error(link: str, message: str,
                                                         course: Path, run: Run) -> None:
    _replace(course, QUIZ, "- Cover the options with your hand.", f"- 'See [this]({link})'")
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert f"{_line_col(course, QUIZ, link)}: error: {message}" in result.stderr


def test_a_linked_handout_is_packaged_and_the_link_follows_it(course: Path, run: Run,
                                                              tmp_path: Path) -> None:
    _put(course, "quizzes/files/fiche d'exercice.pdf", b"%PDF-1.4\n%%EOF\n")
    _replace(course, QUIZ, "- Cover the options with your hand.",
             '- "Read [the exercise sheet](<files/fiche d\'exercice.pdf>) first."')
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    site = tmp_path / "out" / "html"
    page = (site / "quizzes" / "writing-questions.html").read_text(encoding="utf-8")
    (href,) = [h for h in re.findall(r'href="([^"]+\.pdf)"', page)]
    assert href.startswith("../media/") and (site / "quizzes" / href).resolve().is_file()


@pytest.mark.pdf
def test_each_bank_format_carries_a_linked_handout_or_says_it_cannot(course: Path, run: Run,
                                                                     tmp_path: Path) -> None:
    handout = b"%PDF-1.4\n%%EOF\n"
    _put(course, "quizzes/files/fiche.pdf", handout)
    _replace(course, QUIZ, "stem: What should a learner who knows the answer be able to do?",
             "stem: 'Read [the sheet](files/fiche.pdf), then answer.'")
    out = tmp_path / "out"
    result = run("build", str(course), "-f", "moodle-xml", "-f", "qti21", "-f", "gift",
                 "-f", "pdf", "-v", "--out", str(out))
    assert result.exit_code == 0, result.output
    moodle = etree.parse(str(next((out / "moodle-xml").glob("*.xml"))))
    stem = moodle.xpath("//question[idnumber='wq-single']/questiontext")[0]
    (name,) = re.findall(r'href="@@PLUGINFILE@@/([^"]+)"', stem.findtext("text"))
    assert stem.xpath(f"file[@name='{name}']")
    with zipfile.ZipFile(next((out / "qti21").glob("*.zip"))) as archive:
        item = next(n for n in archive.namelist() if n.startswith("items/") and "single" in n)
        (href,) = re.findall(r'href="\.\./(media/[^"]+)"', archive.read(item).decode())
        assert archive.read(href) == handout
    gift = next((out / "gift").glob("*.txt")).read_text(encoding="utf-8")
    assert "Read the sheet, then answer." in gift and "fiche.pdf" not in gift
    assert "GIFT cannot carry images or files" in result.stderr
    assert "pdf: the link to 'fiche.pdf' is printed as its text and the file's name" \
        in result.stderr


def test_control_characters_are_refused_with_their_place(course: Path, run: Run) -> None:
    _replace(course, QUIZ, "- text: Spot the longest option.", '- text: "Spot\\x01 the longest"')
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert "contains the control character U+0001" in result.stderr


def test_every_markdown_text_of_the_model_carries_its_files(course: Path) -> None:
    _with_images_everywhere(course)
    model, problems = load_course(course)
    assert not [p for p in problems if p.is_error]
    refs = {a.ref for a in model.assets()}
    assert {"images/carte%20du%20camp.png", "images/r%C3%A9fugi%C3%A9s.png", "images/réfugiés.png",
            "images/logo.png", "images/stem-and-options.png"} <= refs
