"""PDFs read back as a trainer, a grader and a screen reader would: text, outline, contents, key."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import Destination

from coursepack.cache import CACHE_DIR
from coursepack.cli import main
from coursepack.exporters.pdf import pool as rendering
from coursepack.exporters.pdf.exporter import PdfExporter
from coursepack.loader import load_course
from coursepack.model import (
    Blank,
    Course,
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from coursepack.starter import STARTER
from coursepack.workers import Workers

pytestmark = [pytest.mark.pdf, pytest.mark.xdist_group("pdf")]

HANDOUT_LIMIT = 300 * 1024


def build(course: Path, out: Path) -> list[str]:
    """Build the PDFs with the CLI; return the lines it printed."""
    result = CliRunner().invoke(main, ["build", str(course), "-f", "pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def text_of(pdf: Path) -> str:
    """The PDF's text on one line per page, whitespace collapsed (poppler's pdftotext)."""
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    return "\n".join(" ".join(page.split()) for page in pages)


def outline_titles(reader: PdfReader) -> list[str]:
    return [str(mark.title) for mark in _flat(reader.outline)]


def rendered_note(lines: list[str]) -> tuple[int, int, int]:
    """(rendered, total, assembled) from the build's note line."""
    pattern = r"rendered (\d+) of (\d+) PDF parts and documents.*; assembled (\d+) PDFs"
    match = next(m for line in lines if (m := re.search(pattern, line)))
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The starter course with a large photo in its first lesson, built once: (course, pdf folder)."""
    from PIL import Image, ImageDraw, ImageFilter

    root = tmp_path_factory.mktemp("pdf") / "course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".coursepack-cache"))
    lesson = root / "modules" / "writing-questions" / "one-idea.yaml"
    photo = Image.effect_noise((3000, 2000), 60).convert("RGB").filter(ImageFilter.GaussianBlur(2))
    ImageDraw.Draw(photo).ellipse((600, 400, 2400, 1600), fill=(200, 120, 40))
    photo.save(lesson.parent / "images" / "field-visit.png")  # a camera photo saved as PNG
    lesson.write_text(lesson.read_text().replace(
        "> Cover the options",
        "![A workshop in a field office](images/field-visit.png)\n\n  > Cover the options"))
    build(root, root.parent / "out")
    return root, root.parent / "out" / "pdf"


def test_course_pack_has_lessons_outline_contents_and_tags(starter: tuple[Path, Path]) -> None:
    root, pdf = starter
    course, _ = load_course(root)
    reader = PdfReader(pdf / "course-pack.pdf")
    pages = text_of(pdf / "course-pack.pdf").split("\n")
    whole = " ".join(pages)
    assert "Cover the options with your hand and read the stem" in whole
    assert f"Page 2 of {len(reader.pages)}" in whole and course.title in pages[2]  # footer, header

    assert_contents_give_real_pages(pdf / "course-pack.pdf", course)

    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == course.language and reader.metadata.title == course.title
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]  # A4
    fonts = subprocess.run(["pdffonts", str(pdf / "course-pack.pdf")], capture_output=True,
                           text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(re.search(r"\byes yes\b", line) for line in fonts)  # embedded, subset


def test_handouts_carry_lesson_and_stay_small_with_a_photo(starter: tuple[Path, Path]) -> None:
    root, pdf = starter
    course, _ = load_course(root)
    for module, lesson in course.lessons():
        handout = pdf / "handouts" / module.id / f"{lesson.id}.pdf"
        text = text_of(handout)
        assert lesson.title in text and lesson.key_terms[0].term in text
        assert all(q.text.split()[0] in text for q in lesson.quotes)
        assert handout.stat().st_size < HANDOUT_LIMIT
    with_photo = PdfReader(pdf / "handouts" / "writing-questions" / "one-idea.pdf")
    widths = [image.image.width for page in with_photo.pages for image in page.images]
    assert widths and max(widths) < 3000  # the 3000-pixel photo was downsampled


def test_answer_key_gives_every_correct_answer(starter: tuple[Path, Path]) -> None:
    root, pdf = starter
    course, _ = load_course(root)
    key = " ".join(text_of(pdf / "answer-key.pdf").split())
    guide = " ".join(text_of(pdf / "facilitator-guide.pdf").split())
    checked = 0
    for quiz, question in course.questions():
        for expected in expected_answers(question):
            assert re.search(expected, key), f"{question.id}: no {expected!r} in the answer key"
            if quiz.module:  # the guide keys each module's quiz
                assert re.search(expected, guide), f"{question.id}: no {expected!r} in the guide"
            checked += 1
        if isinstance(question, SingleChoice | MultipleResponse):
            assert all(c.feedback in key for c in question.choices if c.feedback)
    assert checked >= len(list(course.questions())) - 1
    module = course.modules[0]
    for item in (module.facilitator.discussion_prompts[0], module.facilitator.scenarios[0].title,
                 module.facilitator.timings[0].activity, module.objectives[0].text):
        assert item in guide


def assert_contents_give_real_pages(course_pack: Path, course: Course) -> None:
    """Each lesson's page in the contents is the page its title is on, and its bookmark's."""
    reader = PdfReader(course_pack)
    pages = text_of(course_pack).split("\n")
    titles = outline_titles(reader)
    for module in course.modules:
        assert module.title in titles
        assert all(lesson.title in titles for lesson in module.lessons)
    contents = next(p for p in pages if "Contents" in p)
    for _, lesson in course.lessons():
        found = re.search(re.escape(lesson.title) + r"[ .]*?(\d+)\b", contents)
        assert found, f"{lesson.title} missing from the contents"
        page = int(found.group(1))
        assert lesson.title in pages[page - 1], f"{lesson.title} is not on page {page}"
        mark = next(o for o in _flat(reader.outline) if o.title == lesson.title)
        assert reader.get_destination_page_number(mark) + 1 == page


def expected_answers(question: Question) -> list[str]:
    """Patterns the key must show for a question, worked out from the spec alone."""
    esc = re.escape
    match question:
        case SingleChoice() | MultipleResponse():
            letters = ", ".join(chr(65 + i) for i, c in enumerate(question.choices) if c.correct)
            return [f"Correct answer: {esc(letters)}"]
        case TrueFalse():
            return [f"Correct answer: {question.answer}"]
        case ShortAnswer():
            return [esc(" / ".join(question.answers))]
        case Numeric():
            return [f"Correct answer: {question.answer.value:g}"]
        case Matching():
            return [rf"{n}\. {esc(p.prompt)} [A-Z] {esc(p.match)}"
                    for n, p in enumerate(question.pairs, start=1)]
        case Ordering():
            return [rf"\b{n} [A-Z] {esc(item)}" for n, item in enumerate(question.items, start=1)]
        case FillBlanks():
            gaps = [s for s in question.segments() if isinstance(s, Blank)]
            return [rf"\({n}\) {esc(blank_answer(b))}" for n, b in enumerate(gaps, start=1)]
        case Essay():
            return ["Marked by hand"] + ([esc(question.grader_notes)] if question.grader_notes else [])
        case Description():
            return []


def blank_answer(blank: Blank) -> str:
    return f"{blank.numeric.value:g}" if blank.numeric else blank.answers[0]


def test_printed_quizzes_show_every_question_and_the_pool(starter: tuple[Path, Path]) -> None:
    root, pdf = starter
    course, _ = load_course(root)
    for quiz in course.quizzes:
        text = " ".join(text_of(pdf / "quizzes" / f"{quiz.id}.pdf").split())
        assert f"Answer sheet: {quiz.title}" in text
        for question in quiz.all_questions():
            assert " ".join(question.stem.split()[:4]) in text
            if isinstance(question, Matching):
                assert all(p.prompt in text and p.match in text for p in question.pairs)
            if isinstance(question, Ordering):  # every item printed, never in the answer order
                printed = sorted(question.items, key=text.index)
                assert printed != list(question.items)
        for pool in quiz.pools:
            scored = sum(q.scored for q in pool.questions)
            assert f"{pool.pick} of these {scored} questions are drawn" in text


@pytest.fixture
def own_copy(starter: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the built starter course and of its build, for a test that edits either:
    the module's course stays as every other test expects it, whatever runs first."""
    root, pdf = tmp_path / "course", tmp_path / "out" / "pdf"
    shutil.copytree(starter[0], root)
    shutil.copytree(starter[1].parent, pdf.parent)  # times kept: the build is intact
    return root, pdf


def test_rebuilds_reuse_unchanged_pdfs_and_are_byte_identical(
        own_copy: tuple[Path, Path]) -> None:
    root, first = own_copy
    out = root.parent / "again"
    shutil.copytree(first.parent, out)
    assert "the last build's output is kept" in "\n".join(build(root, out))

    # no previous build, no cache, the course in another folder: the same bytes
    elsewhere, cold = root.parent / "elsewhere", root.parent / "cold"
    shutil.copytree(root, elsewhere, ignore=shutil.ignore_patterns(CACHE_DIR))
    cold_rendered, units, _ = rendered_note(build(elsewhere, cold))
    assert cold_rendered == units
    for pdf in first.rglob("*.pdf"):
        assert (cold / "pdf" / pdf.relative_to(first)).read_bytes() == pdf.read_bytes()

    lesson = root / "modules" / "writing-questions" / "feedback.yaml"
    lesson.write_text(lesson.read_text().replace("Feedback is not a grade.",
                                                 "Feedback is never just a grade."))
    lines = "\n".join(build(root, out))
    rendered, total, assembled = rendered_note(lines.splitlines())
    assert (rendered, assembled) == (1, 2)
    assert total == units  # the course pack's parts and page-number sheets, whole documents
    assert "rendered: lesson/writing-questions/feedback" in lines
    assert "assembled: course-pack.pdf, handouts/writing-questions/feedback.pdf" in lines
    assert "never just a grade" in text_of(out / "pdf" / "course-pack.pdf")
    assert "never just a grade" in text_of(out / "pdf" / "handouts/writing-questions/feedback.pdf")

    # A lesson that grows by two pages moves every later page: the contents and the page
    # numbers are made again, no other lesson is rendered again.
    before = len(PdfReader(out / "pdf" / "course-pack.pdf").pages)
    longer = "\n\n".join(["  Feedback names the misconception and the way out of it."] * 60)
    lesson.write_text(lesson.read_text().replace("Feedback is never just a grade.",
                                                 "Feedback is never just a grade.\n\n" + longer))
    lines = "\n".join(build(root, out))
    rendered = next(line for line in lines.splitlines() if "rendered: " in line)
    assert "lesson/writing-questions/feedback" in rendered and "contents" in rendered
    assert rendered.count("lesson/") == 1
    assert len(PdfReader(out / "pdf" / "course-pack.pdf").pages) >= before + 2
    assert_contents_give_real_pages(out / "pdf" / "course-pack.pdf", load_course(root)[0])

    course_yaml = root / "course.yaml"
    course_yaml.write_text(course_yaml.read_text().replace("paper: A4", "paper: Letter"))
    rendered, total, _ = rendered_note(build(root, out))
    assert rendered == total
    for pdf in (out / "pdf").rglob("*.pdf"):
        assert [round(float(v)) for v in PdfReader(pdf).pages[0].mediabox[2:]] == [612, 792]


def test_paper_is_the_pdf_formats_setting(course_with_paper: Path) -> None:
    """course.yaml's top-level paper: is read by the PDF format, not by the course."""
    from coursepack.exporters.pdf.documents import Documents
    from coursepack.exporters.pdf.exporter import PaperSize, PdfExporter

    loaded, problems = load_course(course_with_paper)
    assert problems == []
    settings, said = PdfExporter().settings(loaded)
    assert settings.paper is PaperSize.LETTER and said == []
    assert "size: Letter;" in Documents(loaded, "test", settings.paper).stylesheet()


@pytest.fixture
def course_with_paper(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".coursepack-cache"))
    course_yaml = root / "course.yaml"
    course_yaml.write_text(course_yaml.read_text().replace("paper: A4", "paper: Letter"))
    return root


def test_bundled_course_has_every_document(bundled_build: Path) -> None:
    course, _ = load_course(Path(__file__).resolve().parents[2])
    pdf = bundled_build / "pdf"
    for module, lesson in course.lessons():
        handout = pdf / "handouts" / module.id / f"{lesson.id}.pdf"
        assert lesson.title in text_of(handout)
        assert handout.stat().st_size < HANDOUT_LIMIT
    for quiz in course.quizzes:
        assert (pdf / "quizzes" / f"{quiz.id}.pdf").is_file()
    assert_contents_give_real_pages(pdf / "course-pack.pdf", course)
    assert (pdf / "answer-key.pdf").is_file() and (pdf / "facilitator-guide.pdf").is_file()


def _flat(items: list[object]) -> list[Destination]:
    flat: list[Destination] = []
    for item in items:
        flat += _flat(item) if isinstance(item, list) else [item]  # type: ignore[list-item]
    return flat


# The course pack is joined from parts (one per lesson, module opening, cover, contents,
# back matter) with page numbers drawn on afterwards. What a screen reader, a printer and a
# reader clicking the contents rely on must come out as from one rendering.


def test_course_pack_is_one_tagged_document_a_screen_reader_can_follow(
        starter: tuple[Path, Path]) -> None:
    root, pdf = starter
    course, _ = load_course(root)
    with pikepdf.Pdf.open(pdf / "course-pack.pdf") as pack:
        tree = pack.Root.StructTreeRoot
        assert len(tree.K) == 1 and tree.K[0].S == "/Document"
        parents = dict(_number_tree(tree.ParentTree))
        keys = []
        for index, page in enumerate(pack.pages):
            key = int(page.obj.StructParents)
            keys.append(key)
            claimed = parents[key]
            for mcid in marked_content_ids(page):  # each tagged run of text has its element
                element = claimed[mcid]
                assert element.Pg.objgen == page.obj.objgen, f"page {index + 1}, MCID {mcid}"
            for annotation in page.obj.get("/Annots", []):
                link = parents[int(annotation.StructParent)]
                assert link.S == "/Link"
                assert any(k.get("/Obj") is not None and k.Obj.objgen == annotation.objgen
                           for k in link.K if isinstance(k, pikepdf.Dictionary))
                keys.append(int(annotation.StructParent))
        assert len(keys) == len(set(keys)) and int(tree.ParentTreeNextKey) > max(keys)
        tags = Counter(str(e.S) for e in struct_elements(tree.K[0]))
    lessons = len(list(course.lessons()))
    # H1: cover, contents, each module, glossary; every lesson title is an H2 in the pack
    assert tags["/H1"] == 2 + len(course.modules) + (1 if course.glossary() else 0) + (
        1 if course.sources else 0)
    assert tags["/H2"] >= lessons and tags["/Link"] >= lessons
    with pikepdf.Pdf.open(pdf / "handouts" / "writing-questions" / "feedback.pdf") as handout:
        assert Counter(str(e.S) for e in struct_elements(handout.Root.StructTreeRoot.K[0]))[
            "/H1"] == 1


def test_running_headers_are_pagination_artifacts_and_all_else_is_in_the_tree(
        starter: tuple[Path, Path]) -> None:
    """What the page margins show (the title, the section, the edition) is a pagination
    artifact, which a screen reader skips; every other run of text on every page belongs to
    an element of the one structure tree, found from its root. (WeasyPrint tags margin
    boxes as elements outside the tree, and a joined pack brought each part's root along.)"""
    margins_are_artifacts_and_the_rest_in_the_tree(starter[1])


def margins_are_artifacts_and_the_rest_in_the_tree(pdf: Path) -> None:
    """Every PDF under ``pdf``: one structure root; at least three pagination artifacts on
    each page but the pack's cover; each run of tagged text an element of the tree."""
    documents = sorted(pdf.rglob("*.pdf"))
    assert len(documents) >= 6
    for path in documents:
        with pikepdf.Pdf.open(path) as document:
            roots = [o for o in document.objects if isinstance(o, pikepdf.Dictionary)
                     and o.get("/Type") == "/StructTreeRoot"]
            assert len(roots) == 1, path.name
            tree = document.Root.StructTreeRoot
            in_tree = {e.objgen for e in struct_elements(tree.K[0])}
            parents = dict(_number_tree(tree.ParentTree))
            for number, page in enumerate(document.pages, start=1):
                content = page_content(page)
                margins = len(re.findall(rb"/Artifact\s*<<\s*/Type\s*/Pagination\s*>>\s*BDC",
                                         content))
                cover = path.name == "course-pack.pdf" and number == 1
                assert margins >= (0 if cover else 3), f"{path.name} page {number}"
                for mcid in marked_content_ids(page):
                    element = parents[int(page.obj.StructParents)][mcid]
                    assert element.objgen in in_tree, f"{path.name} page {number} MCID {mcid}"


def test_each_line_of_text_belongs_to_its_paragraph_not_to_a_span_of_its_own(
        starter: tuple[Path, Path]) -> None:
    """WeasyPrint wraps every line of text in a Span that holds nothing else: half the
    objects of a course pack. The line's run belongs to its paragraph, heading or cell, and
    no PDF keeps the Spans (nor the margin boxes' elements) as objects no one uses."""
    runs_belong_to_the_elements_that_hold_them(starter[1])


def runs_belong_to_the_elements_that_hold_them(pdf: Path) -> None:
    """Every PDF under ``pdf``: no Span holds a lone run of text and nothing more, and the
    element the parent tree names for each run holds it among its kids, on its page; no
    element (nor an emptied one) is left in the file outside the tree."""
    for path in sorted(pdf.rglob("*.pdf")):
        with pikepdf.Pdf.open(path) as document:
            tree = document.Root.StructTreeRoot
            elements = struct_elements(tree.K[0])
            in_tree = {e.objgen for e in elements}
            strays = [o for o in document.objects if isinstance(o, pikepdf.Dictionary) and (
                not o.keys() or (o.get("/Type") == "/StructElem" and o.objgen not in in_tree))]
            assert not strays, f"{path.name}: {len(strays)} objects outside the tree"
            lone = [e for e in elements if e.S == "/Span" and len(_kids(e)) == 1
                    and _runs_held(e) and set(e.keys()) <= {"/Type", "/S", "/K", "/Pg", "/P"}]
            assert not lone, f"{path.name}: {len(lone)} Spans of one run each"
            assert any(e.S == "/P" and _runs_held(e) for e in elements), path.name
            parents = dict(_number_tree(tree.ParentTree))
            for number, page in enumerate(document.pages, start=1):
                for mcid in marked_content_ids(page):
                    owner = parents[int(page.obj.StructParents)][mcid]
                    assert mcid in _runs_held(owner), f"{path.name} page {number} MCID {mcid}"
                    assert owner.Pg.objgen == page.obj.objgen, f"{path.name} page {number}"


def _runs_held(element: pikepdf.Object) -> list[int]:
    """The marked content ids among an element's kids."""
    return [int(kid) for kid in _kids(element) if isinstance(kid, int)]


def _kids(element: pikepdf.Object) -> list[object]:
    """An element's kids (a lone kid may stand for the array)."""
    kids = element.get("/K")
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def test_course_pack_pages_are_numbered_and_its_contents_jump_to_them(
        starter: tuple[Path, Path]) -> None:
    root, pdf = starter
    pages = text_of(pdf / "course-pack.pdf").split("\n")
    total = len(PdfReader(pdf / "course-pack.pdf").pages)
    assert "Page 1 of" not in pages[0]  # the cover
    for number in range(2, total + 1):
        assert f"Page {number} of {total}" in pages[number - 1]
    reader = PdfReader(pdf / "course-pack.pdf")
    starts = {reader.get_destination_page_number(mark) for mark in _flat(reader.outline)}
    contents = reader.pages[1]
    targets = {reader.get_page_number(link["/Dest"][0].get_object())
               for link in (a.get_object() for a in contents["/Annots"])}
    assert targets == starts - {1}  # every entry but the contents itself
    for module, lesson in load_course(root)[0].lessons():
        handout = pdf / "handouts" / module.id / f"{lesson.id}.pdf"
        count = len(PdfReader(handout).pages)
        texts = text_of(handout).split("\n")[:count]
        assert all(f"Page {n} of {count}" in text for n, text in enumerate(texts, start=1))


def _starter_with_own_pdf_template(root: Path, name: str, text: str) -> None:
    """The starter course copied to ``root``, with ``text`` as its own
    ``templates/pdf/<name>``."""
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(CACHE_DIR))
    (root / "templates" / "pdf").mkdir(parents=True)
    (root / "templates" / "pdf" / name).write_text(text, encoding="utf-8")


def test_a_link_to_a_part_in_a_courses_own_template_jumps_to_it(tmp_path: Path) -> None:
    """The contents are not the only part that may link to another: a course's own handout
    template can write ``coursepack-part:`` links too, and in the course pack they jump to
    the part they name."""
    root = tmp_path / "own links"
    _starter_with_own_pdf_template(
        root, "handout.html.j2",
        '{% extends "_base.html.j2" %}{% block body %}<h1>{{ lesson.title }}</h1>'
        '<p><a href="coursepack-part:lesson/{{ module.id }}/{{ lesson.id }}">Start of '
        "{{ lesson.title }}</a></p>{% endblock %}")
    result = CliRunner().invoke(main, ["build", str(root), "-f", "pdf", "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    reader = PdfReader(tmp_path / "out" / "pdf" / "course-pack.pdf")
    starts = {mark.title: reader.get_destination_page_number(mark)
              for mark in _flat(reader.outline)}
    jumps = {}
    for number, page in enumerate(reader.pages):
        for link in (a.get_object() for a in page.get("/Annots", [])):
            assert "/A" not in link or "coursepack-part:" not in str(link["/A"].get("/URI"))
            if "/Dest" in link and number > 1:  # not the contents'
                jumps[number] = reader.get_page_number(link["/Dest"][0].get_object())
    lessons = [lesson.title for _, lesson in load_course(root)[0].lessons()]
    assert sorted(jumps.values()) == sorted(starts[title] for title in lessons)
    assert all(page == target for page, target in jumps.items())  # each to its own start


def test_course_pack_pages_look_exactly_like_the_handout_pages(
        starter: tuple[Path, Path]) -> None:
    """Same rendering, one font per typeface: the lesson's pages are pixel-identical
    except for the page number, and its text reads the same."""
    _, pdf = starter
    handout = pdf / "handouts" / "writing-questions" / "one-idea.pdf"
    pack = pdf / "course-pack.pdf"
    reader = PdfReader(pack)
    mark = next(o for o in _flat(reader.outline) if o.title == "One idea per question")
    first = reader.get_destination_page_number(mark) + 1
    assert raster(pack, first) == raster(handout, 1)
    fonts = subprocess.run(["pdffonts", str(pack)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    typefaces = [line.split()[0].split("+", 1)[1] for line in fonts]
    assert len(typefaces) == len(set(typefaces)), typefaces
    size = (pack.stat().st_size, sum(p.stat().st_size for p in (pdf / "handouts").rglob("*.pdf")))
    assert size[0] < size[1]  # fonts are not repeated once per lesson


def raster(document: Path, page: int) -> bytes:
    """A page as grey pixels at 50 dpi, the footer (page numbers) cut off."""
    out = subprocess.run(["pdftoppm", "-r", "50", "-gray", "-f", str(page), "-l", str(page),
                          "-x", "0", "-y", "0", "-W", "413", "-H", "540", str(document)],
                         capture_output=True, check=True).stdout
    assert out
    return out


def page_content(page: pikepdf.Page) -> bytes:
    contents = page.obj.Contents
    return contents.read_bytes() if isinstance(contents, pikepdf.Stream) else b"".join(
        s.read_bytes() for s in contents)


def marked_content_ids(page: pikepdf.Page) -> set[int]:
    return {int(n) for n in re.findall(rb"/MCID (\d+)", page_content(page))}


def struct_elements(element: pikepdf.Object) -> list[pikepdf.Object]:
    found, stack = [], [element]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Dictionary) and "/S" in item:
            found.append(item)
            kids = item.get("/K")
            stack.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
    return found


def _number_tree(node: pikepdf.Object) -> list[tuple[int, pikepdf.Object]]:
    nums = list(node.get("/Nums", []))
    pairs = [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get("/Kids", []):
        pairs += _number_tree(kid)
    return pairs


def test_a_font_family_a_course_style_sheet_takes_from_the_machine_is_flagged(
        tmp_path: Path) -> None:
    """A trainer's print.css.j2 names Arial: the PDFs then depend on the machine that
    builds them (each has its own font under that name, or another in its place). Named
    where it is written, once; a family the course declares (in a style sheet another
    includes too), a shipped one, a generic one and one a template writes (``{{ sans }}``)
    are not."""
    root = tmp_path / "my course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(CACHE_DIR))
    own = root / "templates" / "pdf"
    own.mkdir(parents=True)
    theme = Path(__file__).resolve().parents[2] / "templates" / "pdf"
    (own / "print.css.j2").write_text(
        (theme / "print.css.j2").read_text(encoding="utf-8")
        + '@font-face { font-family: "Brand"; src: url("fonts/brand.ttf") }\n'
        + 'h1 { font-family: Brand, "Arial", "noto serif", sans-serif }\n'
        + "h2 { font: bold 12pt/1.1 arial }\n"
        + '{% include "faces.css.j2" %}\nh3 { font: italic 10pt "Included", "{{ serif }}" }\n',
        encoding="utf-8")
    (own / "faces.css.j2").write_text(
        '@font-face { font-family: Included; src: url("fonts/inc.ttf") }\n', encoding="utf-8")
    (own / "page-numbers.css.j2").write_text(
        "@page { @bottom-center { content: counter(page);\n"
        "  font-family: 'Gill Sans', {{ sans }}, Brand } }\n", encoding="utf-8")
    course, _ = load_course(root)
    found = [str(p) for p in PdfExporter().check(course) if "font family" in p.message]
    line = len((theme / "print.css.j2").read_text(encoding="utf-8").splitlines()) + 2
    assert [one.split(": warning: ")[0] for one in found] == [
        f"templates/pdf/print.css.j2:{line}:26", "templates/pdf/page-numbers.css.j2:2:16"]
    assert "names the font family 'Arial', which coursepack does not ship" in found[0]
    assert "'Gill Sans'" in found[1]
    assert 'hint: put the font\'s file in the course and declare it in print.css.j2 ' \
        '(@font-face { font-family: "Arial"; src: url("fonts/file.ttf") }), or name one of ' \
        "the shipped families: Noto Serif, Noto Sans, Noto Sans Mono" in found[0]


def test_a_file_left_out_of_each_edition_is_said_once_for_each_naming_it(
        tmp_path: Path) -> None:
    """A course in English and French whose quiz template shows a missing seal: said once
    for each edition's PDFs, by the folder they are in (it was said twice, word for word),
    at the line of the style sheet that asks for it."""
    root = tmp_path / "my course"
    theme = Path(__file__).resolve().parents[2] / "templates" / "pdf" / "print.css.j2"
    _starter_with_own_pdf_template(root, "print.css.j2", theme.read_text(encoding="utf-8")
                                   + '.answer-sheet { background: url("seal.png") }\n')
    (root / "course.yaml").write_text((root / "course.yaml").read_text(encoding="utf-8")
                                      .replace("language: en\n", "language: en\nlanguages: [en, fr]\n", 1),
                                      encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(root), "-f", "pdf", "-q",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    said = [line for line in result.stderr.splitlines() if "'seal.png' is left out" in line]
    asked = f"templates/pdf/print.css.j2:{len(theme.read_text().splitlines()) + 1}:34:"
    assert [line.split(" 'seal.png'")[0] for line in said] == [f"{asked} warning: pdf:",
                                                               f"{asked} warning: fr/pdf:"]


def test_page_numbers_in_a_course_print_css_are_flagged(tmp_path: Path) -> None:
    """An older theme numbering pages in print.css.j2 would restart at each lesson."""
    root = tmp_path / "course"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns(".coursepack-cache"))
    own = root / "templates" / "pdf" / "print.css.j2"
    own.parent.mkdir(parents=True)
    theme = (Path(__file__).resolve().parents[2] / "templates" / "pdf" / "print.css.j2")
    own.write_text(theme.read_text() + '@page { @bottom-center { content: counter(page); } }\n')
    result = CliRunner().invoke(main, ["build", str(root), "-f", "pdf", "-v",
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    line = len(theme.read_text().splitlines()) + 1
    printed = result.output + result.stderr
    assert f"print.css.j2:{line}:35: warning: print.css.j2 sets page numbers" in printed
    assert "move the rule to templates/pdf/page-numbers.css.j2" in printed


def test_an_edit_with_no_new_letters_reuses_the_merged_fonts_and_changes_nothing_else(
        own_copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The course pack is joined again after any edit; its fonts, merged from every part's
    subset, are taken from the last build when the edit uses no letter it did not have."""
    from coursepack.exporters.pdf import fonts

    root, first = own_copy
    out = root.parent / "edited"
    shutil.copytree(first.parent, out)
    merged: list[str] = []
    make = fonts._merged_program
    monkeypatch.setattr(fonts, "_merged_program",
                        lambda face: merged.append("made") or make(face))
    lesson = root / "modules" / "writing-questions" / "feedback.yaml"
    lesson.write_text(lesson.read_text().replace("Feedback is not a grade.",
                                                 "Feedback is a grade not."))
    rendered, _, assembled = rendered_note(build(root, out))
    assert (rendered, assembled, merged) == (1, 2, [])
    elsewhere, cold = root.parent / "elsewhere", root.parent / "cold"
    shutil.copytree(root, elsewhere, ignore=shutil.ignore_patterns(CACHE_DIR))
    build(elsewhere, cold)
    assert merged  # made anew there
    for pdf in (out / "pdf").rglob("*.pdf"):
        assert (cold / "pdf" / pdf.relative_to(out / "pdf")).read_bytes() == pdf.read_bytes()


def test_a_cache_damaged_since_the_last_build_is_not_trusted(
        own_copy: tuple[Path, Path]) -> None:
    """A disk or a copy that cut the cached PDFs short: they are made again, not used."""
    root, first = own_copy
    out = root.parent / "damaged"
    shutil.copytree(first.parent, out)
    for entry in (root / CACHE_DIR).rglob("*"):
        if entry.is_file() and entry.stat().st_size > 2000:
            entry.write_bytes(entry.read_bytes()[:2000])
    (root / "course.yaml").write_text((root / "course.yaml").read_text() + "\n")
    rendered, total, _ = rendered_note(build(root, out))
    assert rendered == total
    assert "Cover the options" in text_of(out / "pdf" / "course-pack.pdf")
    assert "Cover the options" in text_of(out / "pdf" / "handouts/writing-questions/one-idea.pdf")
    assert (out / "pdf" / "course-pack.pdf").read_bytes() == (first / "course-pack.pdf").read_bytes()


def test_the_pdf_folder_holds_only_what_a_user_gets(starter: tuple[Path, Path]) -> None:
    root, pdf = starter
    course, _ = load_course(root)
    expected = {"course-pack.pdf", "answer-key.pdf", "facilitator-guide.pdf",
                *(f"quizzes/{quiz.id}.pdf" for quiz in course.quizzes),
                *(f"handouts/{module.id}/{lesson.id}.pdf" for module, lesson in course.lessons())}
    found = {p.relative_to(pdf).as_posix() for p in pdf.rglob("*") if not p.is_dir()}
    assert found == expected


def test_what_a_course_pdf_template_asks_for_and_does_not_get_is_said(tmp_path: Path) -> None:
    """A trainer's own handout template with a logo: a wrong path, a file outside the
    course and a web address are each named in a warning, with the PDFs that lack them and
    where the template asks for them; a right path is printed. Said again by a later build
    that reuses those PDFs."""
    root = tmp_path / "my course"
    _starter_with_own_pdf_template(
        root, "handout.html.j2",
        '{% extends "_base.html.j2" %}{% block body %}\n'
        '  <img src="images/logo%20final.png" alt="Logo">\n'
        '  <img src="modules/writing-questions/images/stem-and-options.png" alt="Right path">\n'
        '  <img src="/etc/hostname" alt="x">\n'
        '  <img src="https://example.org/seal.png" alt="Seal">\n'
        "<h1>{{ lesson.title }}</h1>{% endblock %}\n")
    lines = "\n".join(build(root, tmp_path / "out"))
    handouts = ("handouts/writing-questions/feedback.pdf, "
                "handouts/writing-questions/one-idea.pdf")
    assert ("templates/pdf/handout.html.j2:2:13: warning: pdf: 'images/logo final.png' is "
            f"left out of course-pack.pdf, {handouts}: there is no such file in the course "
            "folder") in lines
    assert "templates/pdf/handout.html.j2:4:13: warning: pdf: 'file:///etc/hostname' is left " \
        "out of" in lines
    assert "it is outside the course folder" in lines
    assert "templates/pdf/handout.html.j2:5:13: warning: pdf: 'https://example.org/seal.png' " \
        "is left out of" in lines
    assert "a build never downloads anything" in lines
    assert "stem-and-options" not in lines
    with pikepdf.open(tmp_path / "out" / "pdf" / "handouts/writing-questions/one-idea.pdf") as pdf:
        shown = pdf.pages[0].Resources.get("/XObject", {}).values()
        assert sum(1 for x in shown if x.get("/Subtype") == "/Image") == 1  # the one found

    (root / "course.yaml").write_text((root / "course.yaml").read_text().replace(
        "version: \"1.0\"", "version: \"1.1\""))
    again = "\n".join(build(root, tmp_path / "out"))
    assert "'images/logo final.png' is left out of" in again


def test_a_file_left_out_is_said_on_every_build_and_fails_a_strict_one(tmp_path: Path) -> None:
    """The warning goes with the course's problems: printed with -q, said again by a build
    that keeps the whole format, and an error under --strict, which writes nothing."""
    root = tmp_path / "my course"
    _starter_with_own_pdf_template(
        root, "handout.html.j2",
        '{% extends "_base.html.j2" %}{% block body %}<img src="images/logo.png" alt="Logo">'
        "<h1>{{ lesson.title }}</h1>{% endblock %}")
    out = tmp_path / "out"
    said = "warning: pdf: 'images/logo.png' is left out of course-pack.pdf"

    def built(*options: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, ["build", str(root), "-f", "pdf", "--out", str(out),
                                           *options])
        return result.exit_code, result.stdout, result.stderr

    code, printed, problems = built("--strict")
    assert code == 1
    assert "error: pdf: 'images/logo.png' is left out of course-pack.pdf" in problems
    assert "--strict makes the warnings above errors: nothing this build made is written" in problems
    assert not out.exists()  # a first build that fails leaves nothing

    code, printed, problems = built("-q")
    assert (code, printed) == (0, "")
    assert said in problems
    pack = (out / "pdf" / "course-pack.pdf").read_bytes()

    code, printed, problems = built()
    assert code == 0
    assert "nothing it is made from changed" in printed
    assert said in problems and said not in printed

    code, printed, problems = built("--strict")
    assert code == 1 and said.replace("warning", "error") in problems
    assert (out / "pdf" / "course-pack.pdf").read_bytes() == pack

    (root / "images").mkdir(exist_ok=True)
    shutil.copy(root / "modules" / "writing-questions" / "images" / "stem-and-options.png",
                root / "images" / "logo.png")
    code, printed, problems = built("--strict")
    assert code == 0, problems
    assert "left out" not in problems + printed


def test_print_css_parsed_before_its_document_comes_is_the_one_it_is_rendered_with(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker parses the print CSS while the build finds out what to render
    (``Renderer.expect``): the document that comes next is rendered with it, parsed once,
    and comes out as it does when the worker parses the CSS for it."""
    css = "@page { size: A5; margin: 1cm } p { font-family: 'Noto Serif'; color: #234 }"
    html = "<html lang='fr'><body><p>Réfugiés : déjà là.</p></body></html>"
    job = rendering.Job("", "part", html, css, str(tmp_path), "0" * 64)
    with rendering.Renderer(Workers(1)):
        alone = rendering.render(job).pdf
    parsed: list[str] = []
    real = rendering._parsed

    def counted(job: rendering.Job, fonts: object) -> tuple[object, object]:
        parsed.append(job.css)
        return real(job, fonts)

    monkeypatch.setattr(rendering, "_parsed", counted)
    with rendering.Renderer(Workers(1)):
        rendering.set_up_styles(css, str(tmp_path), watched=False)
        assert parsed == [css]
        assert rendering.render(job).pdf == alone
    assert parsed == [css]
