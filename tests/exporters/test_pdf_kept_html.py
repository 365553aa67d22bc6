"""A trainer edits a course and builds again: the print HTML kept from the last build is
taken over only where nothing it shows changed, so every PDF says what the course says.

Each edit below is made to a course whose print HTML is in its cache; every document is
then made with that cache and without one, and the two must be the same, character for
character. No WeasyPrint here: the HTML is what the PDFs are rendered from.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from coursepack.cache import Cache
from coursepack.exporters.pdf import pack
from coursepack.exporters.pdf.documents import Documents, PaperSize
from coursepack.loader import load_course
from coursepack.starter import STARTER
from tests.conftest import own_template

MODULE = Path("modules/writing-questions")


def printed(root: Path, cache: Cache | None, paper: PaperSize = PaperSize.A4) -> dict[str, str]:
    """Every printed document's HTML (the course pack as its parts), by where it goes."""
    course, problems = load_course(root)
    assert not [p for p in problems if p.is_error], problems
    docs = Documents(course, "test", paper, cache)
    made = [*docs.whole(), *(part.document for part in pack.sections(docs))]
    return {doc.relpath: doc.html for doc in made}


def replace(relpath: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        file = root / relpath
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relpath}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def own_words(root: Path) -> None:
    po = root / "translations" / "en" / "interface.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "Key terms"\nmsgstr "Words to know"\n', encoding="utf-8")


def own_handout_template(root: Path) -> None:
    folder = root / "templates" / "pdf"
    folder.mkdir(parents=True)
    shutil.copy(Path(__file__).parents[2] / "templates" / "pdf" / "handout.html.j2", folder)
    (folder / "handout.html.j2").write_text(
        (folder / "handout.html.j2").read_text(encoding="utf-8").replace(
            "{{ lesson.title }}</h1>",
            "{{ lesson.title }}</h1><p>{{ course.modules | length }} modules · "
            "{{ course.lessons() | list | length }} lessons</p>"), encoding="utf-8")


def new_image_content(root: Path) -> None:
    image = root / MODULE / "images" / "stem-and-options.png"
    image.write_bytes(image.read_bytes() + b"\0")  # a PNG with trailing bytes still loads


EDITS: dict[str, Callable[[Path], None]] = {
    "lesson body": replace(f"{MODULE}/feedback.yaml", "Feedback is not a grade.",
                           "Feedback is never just a grade."),
    "lesson title": replace(f"{MODULE}/feedback.yaml", "title: Feedback that teaches",
                            "title: Feedback that teaches — and how"),
    "lesson duration": replace(f"{MODULE}/feedback.yaml", "duration: 10", "duration: 25"),
    "objective text": replace(f"{MODULE}/module.yaml", "Write feedback that explains",
                              "Write feedback that shows"),
    "module description": replace(f"{MODULE}/module.yaml", "How to write quiz items",
                                  "How to write « quiz items »"),
    "facilitator notes": replace(f"{MODULE}/module.yaml", "Bring printed copies",
                                 "Bring enough printed copies"),
    "key term": replace(f"{MODULE}/feedback.yaml", "What a learner reads after answering",
                        "What a learner sees after answering"),
    "source title": replace("course.yaml", "title: A short guide to writing quiz items",
                            "title: A short guide to writing quiz items (2nd ed.)"),
    "course title": replace("course.yaml", "title: Writing Good Quiz Questions",
                            "title: Writing Good Quiz Questions, again"),
    "course version": replace("course.yaml", 'version: "1.0"', 'version: "1.1"'),
    "question": replace("quizzes/writing-questions.yaml",
                        "What should a learner who knows the answer be able to do?",
                        "What can a learner who knows the answer do?"),
    "interface words": own_words,
    "own template": own_handout_template,
    "image content": new_image_content,
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_every_document_says_what_the_edited_course_says(tmp_path: Path, edit: str) -> None:
    root = tmp_path / "my course"
    shutil.copytree(STARTER, root)
    cache = Cache(tmp_path / "cache")
    printed(root, cache)  # the last build
    EDITS[edit](root)
    assert printed(root, cache) == printed(root, None)


def test_an_edited_lesson_body_makes_only_its_own_handout_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "course"
    shutil.copytree(STARTER, root)
    cache = Cache(tmp_path / "cache")
    made: list[str] = []
    make = Documents._made

    def counted(self: Documents, template: str, relpath: str, title: str, **extra: object):  # type: ignore[no-untyped-def]
        made.append(relpath)
        return make(self, template, relpath, title, **extra)

    monkeypatch.setattr(Documents, "_made", counted)
    first = printed(root, cache)
    assert sorted(made) == sorted(first)
    made.clear()
    assert printed(root, cache) == first
    assert made == []
    EDITS["lesson body"](root)
    printed(root, cache)
    assert made == ["handouts/writing-questions/feedback.pdf"]


def test_paper_and_build_date_are_part_of_what_is_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "course"
    shutil.copytree(STARTER, root)
    cache = Cache(tmp_path / "cache")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    printed(root, cache)
    assert printed(root, cache, PaperSize.LETTER) == printed(root, None, PaperSize.LETTER)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert printed(root, cache) == printed(root, None)
    assert "2027-01-15" in printed(root, cache)["answer-key.pdf"]


def test_a_damaged_entry_is_made_again(tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(STARTER, root)
    cache = Cache(tmp_path / "cache")
    first = printed(root, cache)
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file():
            entry.write_bytes(entry.read_bytes()[:40] + b"{not json")
    assert printed(root, cache) == first


def test_with_its_own_templates_any_edit_makes_every_document_again(tmp_path: Path) -> None:
    """A course's own handout template shows the start of every lesson in each handout."""
    root = tmp_path / "course"
    shutil.copytree(STARTER, root)
    own_template(root, "pdf", "handout.html.j2",
                 '{% extends "_base.html.j2" %}{% block body %}<h1>{{ lesson.title }}</h1>'
                 "{% for m in course.modules %}{% for l in m.lessons %}<p>{{ l.body[:40] }}</p>"
                 "{% endfor %}{% endfor %}{% endblock %}")
    cache = Cache(tmp_path / "cache")
    printed(root, cache)
    EDITS["lesson body"](root)
    after = printed(root, cache)
    assert after == printed(root, None)
    assert "Feedback is never just" in after["handouts/writing-questions/one-idea.pdf"]
