"""The HTML site as a user and a course author see it, without a browser; grading in Python and Node.

Browser tests (answering quizzes in Chromium, axe, network) are in tests/browser/.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from coursepack.grading import grade
from coursepack.loader import load_course
from tests.browser import grading_table
from tests.conftest import REPO, Run

GRADING_JS = REPO / "templates" / "html" / "static" / "grading.js"
NODE = "/usr/bin/node"
CASES = grading_table.table()["cases"]


def build(run: Run, course: Path, out: Path) -> Path:
    result = run("build", str(course), "-f", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out / "html"


def parse(path: Path) -> Any:
    return lxml_html.fromstring(path.read_bytes())


@pytest.fixture
def site(run: Run, course: Path, tmp_path: Path) -> Path:
    return build(run, course, tmp_path / "build")


# --- grading: one table, Python and JavaScript ----------------------------------------------


@pytest.fixture(scope="module")
def table_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from coursepack.starter import STARTER

    target = tmp_path_factory.mktemp("grading") / "course"
    shutil.copytree(STARTER, target, ignore=shutil.ignore_patterns(".coursepack-cache"))
    grading_table.add_quiz(target)
    return target


@pytest.mark.parametrize("case", CASES, ids=[f"{c['question']}-{c['why']}" for c in CASES])
def test_python_grading_follows_the_shared_table(table_course: Path, case: dict[str, Any]) -> None:
    question = grading_table.questions(table_course)[case["question"]]
    score, result = grade(question, case["response"])
    assert (score, result) == (pytest.approx(case["score"], abs=1e-9), case["result"]), case["why"]


@pytest.mark.node
def test_javascript_grading_in_node_agrees_with_the_table(table_course: Path) -> None:
    script = (
        "const g = require(process.argv[1]); let s = '';"
        "process.stdin.on('data', d => s += d).on('end', () => {"
        " const {keys, cases} = JSON.parse(s);"
        " console.log(JSON.stringify(cases.map(c => g.grade(keys[c.question], c.response))));});"
    )
    payload = json.dumps({"keys": grading_table.keys(table_course), "cases": CASES})
    done = subprocess.run([NODE, "-e", script, str(GRADING_JS)], input=payload, text=True,
                          capture_output=True, check=True)
    got = json.loads(done.stdout)
    assert len(got) == len(CASES) > 50
    assert grading_table.mismatches(CASES, got) == []


# --- the site ---------------------------------------------------------------------------------


def test_every_page_of_the_course_is_written(site: Path) -> None:
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert pages == [
        "certificate.html", "glossary.html", "index.html", "quizzes/final.html", "quizzes/writing-questions.html",
        "search.html", "sources.html", "writing-questions/feedback.html",
        "writing-questions/index.html", "writing-questions/one-idea.html",
    ]
    for asset in ("coursepack.js", "grading.js", "style.css", "search-index.js"):
        assert (site / "assets" / asset).stat().st_size > 0


def test_pages_tell_the_runtime_where_they_are(site: Path) -> None:
    kinds = {"index.html": ("home", ""), "writing-questions/index.html": ("module", "writing-questions"),
             "writing-questions/one-idea.html": ("lesson", "writing-questions"),
             "quizzes/writing-questions.html": ("quiz", "writing-questions"),
             "quizzes/final.html": ("quiz", ""), "glossary.html": ("other", "")}
    for relpath, (kind, module) in kinds.items():
        body = parse(site / relpath).find("body")
        assert body.get("data-course-id") == "starter-course"
        assert (body.get("data-page-kind"), body.get("data-module-id")) == (kind, module), relpath


def test_every_question_is_a_fieldset_with_a_legend_and_every_control_has_a_label(site: Path) -> None:
    doc = parse(site / "quizzes" / "writing-questions.html")
    questions = doc.xpath("//*[@data-question]")
    assert len(questions) == 10
    for section in questions:
        if section.get("data-type") == "description":
            continue
        fieldset = section.find(".//fieldset")
        assert fieldset is not None and fieldset.find("legend").text_content().strip()
    labelled = {label.get("for") for label in doc.xpath("//label[@for]")}
    for control in doc.xpath("//form//input | //form//select | //form//textarea"):
        assert control.get("id") in labelled, lxml_html.tostring(control)


def test_the_quiz_data_is_valid_json_and_grades_every_question(site: Path, course: Path) -> None:
    doc = parse(site / "quizzes" / "writing-questions.html")
    data = json.loads(doc.get_element_by_id("quiz-data").text)
    assert data["passMark"] == 60 and data["attempts"] == 2 and data["shuffleQuestions"] is True
    assert len(data["fixed"]) == 10
    multiple = data["questions"]["wq-multiple"]
    assert multiple["key"] == {"type": "multiple", "points": 2.0, "correct": ["a", "b"],
                               "ids": ["a", "b", "c", "d"], "allOrNothing": False, "negative": True}
    assert multiple["feedback"]["options"]["c"] == "No. Feedback is where most of the learning happens."
    assert multiple["interaction"]["type"] == "choice"
    final = json.loads(parse(site / "quizzes" / "final.html").get_element_by_id("quiz-data").text)
    assert final["fixed"] == [] and final["pools"][0]["pick"] == 4
    loaded, _ = load_course(course)
    pool = next(q for q in loaded.quizzes if q.id == "final").pools[0]
    assert final["pools"][0]["questions"] == [q.id for q in pool.questions]
    assert set(final["questions"]) == {q.id for q in pool.questions}


def test_markup_in_a_question_cannot_break_out_of_the_page(run: Run, course: Path,
                                                            tmp_path: Path) -> None:
    quiz = course / "quizzes" / "writing-questions.yaml"
    text = quiz.read_text().replace(
        "feedback: Right. A clear stem can be answered on its own.",
        "feedback: 'Right </script><script>alert(1)</script> <img src=x onerror=alert(2)>'")
    quiz.write_text(text)
    site = build(run, course, tmp_path / "out")
    page = (site / "quizzes" / "writing-questions.html").read_text()
    assert "<script>alert" not in page
    assert page.count("<script") == 6, ("grading.js, messages.js, the results loader, coursepack.js, "
                                        "the quiz's data and the results settings: nothing injected")
    assert "onerror" not in page
    data = json.loads(parse(site / "quizzes" / "writing-questions.html")
                      .get_element_by_id("quiz-data").text)
    assert "<script" not in data["questions"]["wq-single"]["feedback"]["options"]["a"]


def test_nothing_is_loaded_from_the_network(site: Path) -> None:
    remote = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//|@import|url\(\s*["']?(?:https?:)?//""")
    for path in site.rglob("*"):
        if path.suffix in {".html", ".css", ".js"}:
            text = path.read_text(encoding="utf-8")
            for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", text) or [text]:
                assert not remote.search(tag), f"{path.name}: {tag[:120]}"


def test_the_site_is_the_same_bytes_when_built_twice(run: Run, course: Path, tmp_path: Path) -> None:
    first = build(run, course, tmp_path / "one")
    second = build(run, course, tmp_path / "two")
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for relpath in files:
        assert (first / relpath).read_bytes() == (second / relpath).read_bytes(), relpath


def test_search_index_lists_every_lesson_with_its_words(site: Path) -> None:
    script = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    prefix = "window.coursepackSearchIndex = "
    assert script.startswith(prefix)
    index = json.loads(script[len(prefix):].rstrip().rstrip(";"))
    assert [e["url"] for e in index] == ["writing-questions/one-idea.html",
                                        "writing-questions/feedback.html"]
    assert "cover the options" in index[0]["text"].lower()
    assert "Distractor" in index[0]["text"], "key terms are searchable"


def test_each_quote_names_and_links_its_source(site: Path) -> None:
    lesson = parse(site / "writing-questions" / "one-idea.html")
    captions = lesson.xpath("//figure[@class='quote']/figcaption")
    assert len(captions) == 2
    for caption in captions:
        link = caption.find(".//a")
        assert link.get("href") == "../sources.html#source-item-guide"
        assert "A short guide to writing quiz items" in caption.text_content()
    sources = parse(site / "sources.html")
    entry = sources.get_element_by_id("source-item-guide")
    assert "Quoted in" in entry.text_content() and "One idea per question" in entry.text_content()


def pager(page: Path) -> list[tuple[str, str]]:
    return [(a.get("rel"), a.get("href")) for a in parse(page).xpath("//nav[@class='pager']/a")]


def test_every_step_links_the_previous_and_next_step_of_the_course_path(site: Path) -> None:
    """Overview, lessons, the module's quiz, then the final assessment, then the home page."""
    assert pager(site / "writing-questions" / "index.html") == [
        ("prev", "../index.html"), ("next", "../writing-questions/one-idea.html")]
    assert pager(site / "writing-questions" / "one-idea.html") == [
        ("prev", "../writing-questions/index.html"), ("next", "../writing-questions/feedback.html")]
    assert pager(site / "writing-questions" / "feedback.html") == [
        ("prev", "../writing-questions/one-idea.html"), ("next", "../quizzes/writing-questions.html")]
    assert pager(site / "quizzes" / "writing-questions.html") == [
        ("prev", "../writing-questions/feedback.html"), ("next", "../quizzes/final.html")]
    assert pager(site / "quizzes" / "final.html") == [
        ("prev", "../quizzes/writing-questions.html"), ("next", "../index.html")]
    crumbs = parse(site / "quizzes" / "writing-questions.html").xpath("//nav[@class='where']")[0]
    assert [a.text for a in crumbs.iter("a")] == ["Writing Good Quiz Questions",
                                                  "Writing questions that teach"]
    assert "Step 3 of 3 in this module" in crumbs.text_content()


def test_home_shows_objectives(site: Path) -> None:
    home = parse(site / "index.html").text_content()
    assert "Write a stem that tests one idea" in home and "about 25 minutes" in home


def test_a_course_overrides_one_template_and_one_static_file(run: Run, course: Path,
                                                              tmp_path: Path) -> None:
    theme = course / "templates" / "html"
    (theme / "static").mkdir(parents=True)
    (theme / "lesson.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block main %}<h1 class="house">{{ lesson.title }}</h1>'
        "{{ lesson.body | markdown }}{% endblock %}\n")
    (theme / "static" / "style.css").write_text("/* house style */ body { color: #000; }\n")
    site = build(run, course, tmp_path / "out")
    assert parse(site / "writing-questions" / "one-idea.html").xpath("//h1[@class='house']")
    assert not parse(site / "glossary.html").xpath("//h1[@class='house']"), "other pages keep the theme"
    assert (site / "assets" / "style.css").read_text().startswith("/* house style */")
    default_js = (REPO / "templates" / "html" / "static" / "coursepack.js").read_bytes()
    assert (site / "assets" / "coursepack.js").read_bytes() == default_js


def test_a_large_course_lists_only_the_open_modules_lessons(run: Run, course: Path,
                                                           tmp_path: Path) -> None:
    """Beyond 60 lessons the contents beside a page keep every module but fold the others."""
    folder = course / "modules" / "extra"
    folder.mkdir()
    names = [f"part-{n:02d}" for n in range(60)]
    (folder / "module.yaml").write_text(
        "title: Extra\nobjectives:\n  - id: ex-1\n    text: Read.\nlessons:\n"
        + "".join(f"  - {name}\n" for name in names))
    for name in names:
        (folder / f"{name}.yaml").write_text(f"title: Part {name}\nduration: 1\nbody: Text.\n")
    spec = course / "course.yaml"
    spec.write_text(spec.read_text().replace("  - writing-questions\n", "  - writing-questions\n  - extra\n"))
    result = run("build", str(course), "-f", "html", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    site = tmp_path / "out" / "html"

    def contents(relpath: str) -> str:
        page = (site / relpath).read_text()
        return page[page.index('<nav class="toc"'):page.index("</nav>", page.index('<nav class="toc"'))]

    own = contents("writing-questions/one-idea.html")
    assert 'href="../writing-questions/feedback.html"' in own
    assert 'href="../extra/index.html"' in own and "part-00.html" not in own
    other = contents("extra/part-07.html")
    assert 'href="../extra/part-59.html"' in other and 'aria-current="page">Part part-07' in other
    assert "one-idea.html" not in other and 'href="../writing-questions/index.html"' in other
    home = contents("index.html")
    assert "part-00.html" not in home and "one-idea.html" not in home


# --- each question type's home in the site ---------------------------------------------------


def test_every_question_type_the_site_carries_has_a_home_and_a_template() -> None:
    from coursepack.exporters.html.types import HOMES
    from coursepack.exporters.question_types import Carried, support
    from coursepack.model import QUESTION_TYPES

    carried = [name for name in QUESTION_TYPES if isinstance(support("html", name), Carried)]
    assert carried == list(HOMES)
    questions = REPO / "templates" / "html" / "questions"
    for name in carried:
        if name != "description":  # text between questions: question.html.j2 shows it
            assert (questions / f"{name}.html.j2").is_file(), name


def test_a_type_with_no_home_is_an_error_naming_it() -> None:
    from dataclasses import dataclass

    from coursepack.exporters.html.questions import question_view
    from coursepack.exporters.html.quizdata import question_data
    from coursepack.exporters.html.types import UnknownQuestionType
    from coursepack.model import Markdown, QuestionBase

    @dataclass(frozen=True, slots=True, kw_only=True)
    class Poll(QuestionBase):
        pass

    poll: Any = Poll(id="p1", stem=Markdown("Which?"))
    for make in (question_view, lambda q: question_data(q, None)):
        with pytest.raises(UnknownQuestionType, match=r"question 'p1'.*question type 'Poll'"):
            make(poll)
