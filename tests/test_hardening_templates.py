"""A course shared between organisations carries templates its builder did not write.

Each test is an attack by such a course's ``templates/`` folder: escaping the sandbox,
hanging the build, reading a file outside the course, or simply a broken file. Every one
must end in one located error, exit 1, no traceback, and the last good build/ as it was.
"""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from coursepack import cache, render, stylesheets
from tests.conftest import Run

LESSON = "templates/html/lesson.html.j2"
SANDBOX_HINT = ("  hint: course templates run in a sandbox: they may use the course's fields, "
                "filters and macros, not Python's internals (see 'Templates' in "
                "docs/authoring.md)")
LIMIT_HINT = ("  hint: a loop or macro that never stops, or a value that grows without end; "
              "see the limits under 'Templates' in docs/authoring.md")


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def built(course: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The course built once, from inside its folder (as an author works); its build/."""
    monkeypatch.chdir(course)
    assert run("build", "-f", "html").exit_code == 0
    return snapshot(course / "build")


def lesson_template(course: Path, main: str) -> Path:
    """A course's own lesson page: the theme's layout, ``main`` as line 3 on."""
    path = course / LESSON
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{% extends "base.html.j2" %}\n{% block main %}\n' + main +
                    "\n{% endblock %}\n", encoding="utf-8")
    return path


def refused(run: Run, course: Path, before: dict[str, str]) -> list[str]:
    """Build again: exit 1, no traceback, build/ untouched; the lines printed."""
    result = run("build", "-f", "html")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert snapshot(course / "build") == before
    return result.stderr.splitlines()


ESCAPES = {
    "function globals": ("{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
                         "access to attribute '__init__' of 'type' object is unsafe."),
    "class hierarchy": ("{{ ''.__class__.__mro__[1].__subclasses__() }}",
                        "access to attribute '__class__' of 'str' object is unsafe."),
    "attr filter": ("{{ cycler | attr('__init__') }}",
                    "access to attribute '__init__' of 'type' object is unsafe."),
    "format string": ("{{ '{0.__class__}'.format(cycler) }}",
                      "access to attribute '__class__' of 'type' object is unsafe."),
    "format_map": ("{{ '{x.__init__}'.format_map({'x': joiner}) }}",
                   "access to attribute '__init__' of 'type' object is unsafe."),
    "a path's file": ("{{ course.root.joinpath('..', 'secret.txt').read_text() }}",
                      "access to attribute 'read_text' of 'PosixPath' object is unsafe."),
    # the environment's bytecode cache could be filled with any code, then run
    "the template machinery": ("{{ toc.env.bytecode_cache.directory }}",
                               "access to attribute 'env' of 'Contents' object is unsafe."),
    "changing a value": ("{% set seen = {} %}{{ seen.update(x=1) }}",
                         "access to attribute 'update' of 'dict' object is unsafe."),
}


@pytest.mark.parametrize("route", list(ESCAPES))
def test_a_template_cannot_leave_the_sandbox(route: str, course: Path, run: Run,
                                             built: dict[str, str]) -> None:
    attack, message = ESCAPES[route]
    lesson_template(course, attack)
    lines = refused(run, course, built)
    assert lines[:2] == [f"{LESSON}:3:1: error: template error: {message}", SANDBOX_HINT]
    assert not (course / "PWNED").exists()


def test_an_unsandboxed_compile_left_in_the_cache_is_never_run(course: Path, run: Run,
                                                               built: dict[str, str]) -> None:
    """Code compiled for the same template file without the sandbox, stored in the course's
    build cache (by another program with this user's key), must not be picked up."""
    attack = lesson_template(course, "{{ cycler.__init__.__globals__.os.getcwd() }}")
    store = cache.TemplateCache(cache.Cache.for_course(course))
    plain = jinja2.Environment(loader=jinja2.FileSystemLoader(str(attack.parent)),
                               bytecode_cache=store)
    plain.get_template("lesson.html.j2")  # compiled and stored, never rendered
    planted = sorted((cache.location(course)).rglob("*"))
    assert any(p.is_file() for p in planted)
    lines = refused(run, course, built)
    lines_again = refused(run, course, built)  # now from the sandbox's own cache entry
    expected = f"{LESSON}:3:1: error: template error: access to attribute '__init__' of 'type' object is unsafe."
    assert lines[0] == lines_again[0] == expected


LIMITS = {
    "huge range": ("{% for i in range(10**12) %}{{ i }}{% endfor %}",
                   "range() of 1,000,000,000,000 numbers: templates may count to 100,000 at most"),
    "loop that never ends": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "the page took more than 1,000,000 loop turns and calls: a loop or a macro that "
        "calls itself does not stop"),
    "loop whose filter skips everything": (
        "{% for i in range(100000) %}{% for j in range(100000) if j < 0 %}{% endfor %}"
        "{% endfor %}",
        "the page took more than 1,000,000 loop turns and calls: a loop or a macro that "
        "calls itself does not stop"),
    "macro calling itself twice": (
        "{% macro tree(n) %}{% if n %}{{ tree(n - 1) }}{{ tree(n - 1) }}{% endif %}"
        "{% endmacro %}{{ tree(60) }}",
        "the page took more than 1,000,000 loop turns and calls: a loop or a macro that "
        "calls itself does not stop"),
    "huge page": ("{% set s = 'x' * 1000000 %}{% for i in range(100000) %}{{ s }}{% endfor %}",
                  "the page grew past 100,000,000 characters"),
    "huge literal text repeated": (
        "{% for i in range(100000) %}{% for j in range(100) %}" + "x" * 10_000 +
        "{% endfor %}{% endfor %}",
        "the page grew past 100,000,000 characters"),
    "string repeated": ("{{ 'x' * 10**10 }}",
                        "repeating a value 10,000,000,000 times makes more than 10,000,000 "
                        "characters or items"),
    "string doubling": ("{% set ns = namespace(s='ab') %}{% for i in range(64) %}"
                        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
                        "a value of 16,777,216 characters or items: templates may hold "
                        "10,000,000 at most"),
    "list nested in itself, printed": (
        "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}"
        "{% endfor %}{{ ns.l }}",
        "a value that would make more than 10,000,000 characters as text"),
    "list nested in itself, joined": (
        "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}"
        "{% endfor %}{{ 'x' ~ ns.l }}",
        "a value that would make more than 10,000,000 characters as text"),
    "huge power": ("{{ 10 ** (10 ** 10) }}", "10 ** 10000000000 is more than 32,768 bits"),
    "huge width": ("{{ '{:>999999999}'.format(1) }}", "a format width of 999,999,999: at most 10,000"),
    "huge printf width": ("{{ '%0999999999d' % 1 }}",
                          "a format width of 999,999,999: at most 10,000"),
    "huge width filter": ("{{ 'x' | center(10**9) }}",
                          "center(1,000,000,000): sizes in templates stop at 10,000"),
    "replace filter": ("{{ ('a' * 100000) | replace('', 'b' * 10000) }}",
                       "replace() would make more than 10,000,000 characters"),
    "replace method": ("{{ ('a' * 100000).replace('', 'b' * 10000) }}",
                       "replace() would make more than 10,000,000 characters"),
    "huge str method": ("{{ 'x'.ljust(10**9) }}",
                        "ljust(1,000,000,000): sizes in templates stop at 10,000"),
}


@pytest.mark.parametrize("case", list(LIMITS))
def test_a_template_that_would_hang_or_fill_memory_is_stopped(case: str, course: Path, run: Run,
                                                              built: dict[str, str]) -> None:
    attack, message = LIMITS[case]
    lesson_template(course, attack)
    lines = refused(run, course, built)
    assert lines[:2] == [f"{LESSON}:3:1: error: template error: {message}", LIMIT_HINT]


MISTAKES = {
    "division by zero": ("<p>{{ 1 / 0 }}</p>", 3, "division by zero",
                         "check the number divided by on this line"),
    # located where the macro calls itself
    "macro calling itself": ("{% macro again() %}\n{{ again() }}\n{% endmacro %}\n{{ again() }}",
                             4, "a macro, include or loop calls itself without end",
                             "give the macro or loop a condition that stops it"),
    "recursive loop": ("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", 3,
                       "a macro, include or loop calls itself without end",
                       "give the macro or loop a condition that stops it"),
    "a type error": ("{{ 'a' + 1 }}", 3, "can only concatenate str (not \"int\") to str",
                     render._HINT),
}


@pytest.mark.parametrize("case", list(MISTAKES))
def test_a_template_mistake_is_located_not_an_internal_error(
        case: str, course: Path, run: Run, built: dict[str, str]) -> None:
    attack, line, message, hint = MISTAKES[case]
    lesson_template(course, attack)
    lines = refused(run, course, built)
    assert lines[:2] == [f"{LESSON}:{line}:1: error: template error: {message}", f"  hint: {hint}"]


def test_a_template_that_names_one_not_there_is_located_at_that_name(
        course: Path, run: Run, built: dict[str, str]) -> None:
    """The hint said "check the name on this line" and gave no line."""
    lesson_template(course, '<p>a</p>\n{% include "parts/misspelt.html.j2" %}')
    lines = refused(run, course, built)
    assert lines[:2] == [f"{LESSON}:4:1: error: template 'parts/misspelt.html.j2' not found",
                         f"  hint: {render._HINT}"]


def test_a_template_that_is_not_utf8_is_located(course: Path, run: Run,
                                                built: dict[str, str]) -> None:
    path = lesson_template(course, "")
    path.write_bytes(b'{% extends "base.html.j2" %}\n{# caf\xe9 #}\n')
    lines = refused(run, course, built)
    assert lines[:2] == [f"{LESSON}:2:7: error: this template is not UTF-8 text (byte 0xe9)",
                         "  hint: save the file as UTF-8 in your editor"]


def secret(course: Path) -> Path:
    """A file beside the course, which a course must never publish."""
    path = course.parent / "secret.txt"
    path.write_text("the builder's private notes\n", encoding="utf-8")
    return path


def test_a_template_linked_to_a_file_outside_the_course_is_refused(
        course: Path, run: Run, built: dict[str, str]) -> None:
    (course / "templates" / "html").mkdir(parents=True)
    (course / LESSON).symlink_to(secret(course))
    lines = refused(run, course, built)
    assert lines[:2] == [f"{LESSON}: error: this is a link to a file outside the course folder",
                         "  hint: copy the file into the course instead of linking to it"]


def test_a_templates_folder_linked_outside_the_course_is_refused(
        course: Path, run: Run, built: dict[str, str]) -> None:
    outside = course.parent / "elsewhere"
    (outside / "html").mkdir(parents=True)
    (outside / "html" / "lesson.html.j2").write_text("{{ course.title }}\n", encoding="utf-8")
    (course / "templates").symlink_to(outside, target_is_directory=True)
    lines = refused(run, course, built)
    assert lines[0] == "templates: error: this is a link to a folder outside the course folder"


def test_a_static_file_linked_outside_the_course_is_not_published(
        course: Path, run: Run, built: dict[str, str]) -> None:
    static = course / "templates" / "html" / "static"
    static.mkdir(parents=True)
    (static / "style.css").symlink_to(secret(course))
    lines = refused(run, course, built)
    assert lines[:2] == [
        "templates/html/static/style.css: error: this is a link to a file outside the course "
        "folder", "  hint: copy the file into the course instead of linking to it"]


def test_a_static_folder_linked_outside_the_course_is_not_published(
        course: Path, run: Run, built: dict[str, str]) -> None:
    static = course / "templates" / "html" / "static"
    static.mkdir(parents=True)
    secret(course)
    (static / "notes").symlink_to(course.parent, target_is_directory=True)
    lines = refused(run, course, built)
    assert lines[0] == ("templates/html/static/notes: error: this is a link to a folder "
                        "outside the course folder")


@pytest.mark.parametrize("hidden", [".extra.html.j2", ".parts/extra.html.j2"])
def test_a_hidden_template_is_refused_not_read(hidden: str, course: Path, run: Run,
                                               built: dict[str, str]) -> None:
    """Hidden files are not part of a course: a build does not look at them to see whether
    anything changed, so a hidden partial, read all the same, was shown as it was at the
    last build that changed something else."""
    lesson_template(course, f'{{% include "{hidden}" %}}')
    (course / "templates" / "html" / hidden).parent.mkdir(parents=True, exist_ok=True)
    (course / "templates" / "html" / hidden).write_text("<p>v1</p>\n", encoding="utf-8")
    lines = refused(run, course, built)
    assert lines[:2] == [
        f"{LESSON}:3:1: error: template '{hidden}' (templates/html/{hidden}) is "
        "hidden: its name or folder starts with a dot, and hidden files are not part of the "
        "course (a build would not see it change)",
        "  hint: rename the file without the dot, and the name on this line with it"]


def test_a_hidden_static_file_is_not_published(course: Path, run: Run,
                                               built: dict[str, str]) -> None:
    static = course / "templates" / "html" / "static"
    (static / ".drafts").mkdir(parents=True)
    (static / ".notes.css").write_text("body { color: red; }\n", encoding="utf-8")
    (static / ".drafts" / "old.css").write_text("p { color: red; }\n", encoding="utf-8")
    (static / "house.css").write_text("body { color: #000; }\n", encoding="utf-8")
    assert run("build", "-f", "html").exit_code == 0
    assets = course / "build" / "html" / "assets"
    assert (assets / "house.css").is_file()
    assert not list(assets.rglob(".*")) and not (assets / ".drafts").exists()


def test_links_inside_the_course_still_work(course: Path, run: Run,
                                            built: dict[str, str]) -> None:
    static = course / "templates" / "html" / "static"
    static.mkdir(parents=True)
    (static / "house.css").write_text("body { color: #000; }\n", encoding="utf-8")
    (static / "style.css").symlink_to("house.css")
    (course / "templates" / "html" / "lesson.html.j2").symlink_to(
        lesson_template(course, "<p>house</p>").rename(course / "templates" / "mine.j2"))
    result = run("build", "-f", "html")
    assert result.exit_code == 0, result.output
    site = course / "build" / "html"
    assert (site / "assets" / "style.css").read_text() == "body { color: #000; }\n"
    assert "<p>house</p>" in (site / "writing-questions" / "one-idea.html").read_text()


@pytest.mark.parametrize("kind", ["FIFO (named pipe)", "folder"])
def test_a_template_that_is_not_a_file_is_refused(kind: str, course: Path, run: Run,
                                                  built: dict[str, str]) -> None:
    """A FIFO would hang a build that opened it and waited; a folder is not silently skipped
    for the theme's template."""
    path = course / LESSON
    path.parent.mkdir(parents=True)
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    lines = refused(run, course, built)
    assert lines[:2] == [f"{LESSON}: error: this is a {kind}, where a file is expected",
                         "  hint: put a plain file here, or remove it"]


def test_a_static_fifo_is_refused(course: Path, run: Run, built: dict[str, str]) -> None:
    static = course / "templates" / "html" / "static"
    static.mkdir(parents=True)
    os.mkfifo(static / "extra.css")
    lines = refused(run, course, built)
    assert lines[0] == ("templates/html/static/extra.css: error: this is a FIFO (named pipe), "
                        "where a file is expected")


def test_a_template_link_loop_is_refused(course: Path, run: Run, built: dict[str, str]) -> None:
    path = course / LESSON
    path.parent.mkdir(parents=True)
    path.symlink_to(path.name)
    lines = refused(run, course, built)
    assert lines[0] == f"{LESSON}: error: this is a broken link or a link loop"


def test_the_print_stylesheet_check_reads_only_inside_the_course(course: Path, run: Run) -> None:
    """The PDF format's check of a course's print.css.j2 reads it as templates are read."""
    own = course / "templates" / "pdf" / "print.css.j2"
    own.parent.mkdir(parents=True)
    os.mkfifo(own)
    result = run("validate", str(course))
    assert result.exit_code == 1
    assert ("templates/pdf/print.css.j2: error: this is a FIFO (named pipe), where a file is "
            "expected") in result.output
    assert "Traceback" not in result.output


def test_a_pdf_template_cannot_attach_a_file_from_outside_the_course(course: Path,
                                                                     run: Run) -> None:
    """WeasyPrint attaches what ``<link rel=attachment>`` names: only course files may be."""
    import pikepdf

    outside = secret(course).as_uri()
    (course / "handout-notes.txt").write_text("notes for the room\n", encoding="utf-8")
    links = (f'<link rel="attachment" href="{outside}">\n'
             '<link rel="attachment" href="handout-notes.txt">\n</head>')
    _own_template(course, "_base.html.j2", lambda text: text.replace("</head>", links, 1))
    result = run("build", str(course), "-f", "pdf")
    assert result.exit_code == 0, result.output
    pdfs = sorted((course / "build" / "pdf").rglob("*.pdf"))
    assert pdfs
    for path in pdfs:
        assert b"private notes" not in path.read_bytes()
        with pikepdf.open(path) as pdf:
            attached = {name: pdf.attachments[name].get_file().read_bytes()
                        for name in pdf.attachments}
        assert attached in ({}, {"handout-notes.txt": b"notes for the room\n"}), path
    handout = next(p for p in pdfs if "handouts" in p.parts)
    with pikepdf.open(handout) as pdf:
        assert list(pdf.attachments) == ["handout-notes.txt"]  # the route itself works


def test_once_a_course_has_a_template_every_template_of_that_format_is_sandboxed(
        course: Path) -> None:
    """The shipped theme alone renders unsandboxed (it is ours); a course's own template,
    for one format or for all (_common), puts that format's whole set in the sandbox."""
    from jinja2.sandbox import SandboxedEnvironment

    assert not isinstance(render.environment("html", course), SandboxedEnvironment)
    (course / "templates" / "html").mkdir(parents=True)
    (course / "templates" / "html" / "lesson.html.j2").write_text("{{ 1 }}", encoding="utf-8")
    assert isinstance(render.environment("html", course), SandboxedEnvironment)
    assert not isinstance(render.environment("pdf", course), SandboxedEnvironment)
    (course / "templates" / "_common").mkdir()
    assert isinstance(render.environment("pdf", course), SandboxedEnvironment)


_TWO_MACROS = ("{% macro a() %}\n{{ b() }}\n{% endmacro %}\n"
               "{% macro b() %}\n{{ a() }}\n{% endmacro %}\n{{ a() }}")


@pytest.mark.parametrize("depth", range(8))
@pytest.mark.parametrize(("attack", "line"), [(MISTAKES["macro calling itself"][0], 4),
                                              (_TWO_MACROS, 4)], ids=["one macro", "two macros"])
def test_a_macro_calling_itself_is_located_at_its_call_however_deep_the_build_began(
        depth: int, attack: str, line: int, course: Path, run: Run,
        built: dict[str, str]) -> None:
    """Where the recursion limit falls in the macros' round depends on how many calls the
    build had made when the page began; the line reported does not."""
    lesson_template(course, attack)

    def deeper(levels: int) -> list[str]:
        return deeper(levels - 1) if levels else refused(run, course, built)

    assert deeper(depth)[0].startswith(f"{LESSON}:{line}:1: error: template error: a macro")


def _renamed_font(path: Path, name: str, units_per_em: int = 0) -> None:
    """A copy of a shipped font at ``path`` whose PostScript name is ``name``, to tell in a
    PDF which font was embedded (its glyphs bigger with a smaller ``units_per_em``)."""
    from fontTools.ttLib import TTFont

    from coursepack.exporters.pdf.pool import SHIPPED

    font = TTFont(SHIPPED / "NotoSans-Regular.ttf")
    font["name"].setName(name, 6, 3, 1, 0x409)
    if units_per_em:
        font["head"].unitsPerEm = units_per_em
    path.parent.mkdir(parents=True, exist_ok=True)
    font.save(path)


def _embedded_fonts(path: Path) -> set[str]:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return {str(item.BaseFont).split("+")[-1] for item in pdf.objects
                if isinstance(item, pikepdf.Dictionary) and "/BaseFont" in item}


def test_a_print_stylesheet_s_fonts_come_from_the_course_never_from_elsewhere(
        course: Path, run: Run) -> None:
    """A course's print.css.j2 was read without the documents' fetcher: its @font-face
    rules embedded a font from anywhere on the machine and asked web servers for one.
    Now they get what the course's documents get: the course's own files (a brand font,
    watched as an input), and coursepack's shipped fonts."""
    import http.server
    import threading

    asked: list[str] = []

    class Server(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    outside = course.parent / "elsewhere" / "outside.ttf"
    _renamed_font(outside, "OutsideFont-Regular")
    _renamed_font(course / "fonts" / "brand.ttf", "CourseBrand-Regular")
    fonts = f"""
@font-face {{ font-family: "Outside"; src: url("{outside.as_uri()}"); }}
@font-face {{ font-family: "Web"; src: url("http://127.0.0.1:{server.server_port}/web.ttf"); }}
@font-face {{ font-family: "Brand"; src: url("fonts/brand.ttf"); }}
h1 {{ font-family: "Outside", "Web", serif; }}
p {{ font-family: "Brand", serif; }}
"""
    _own_template(course, "print.css.j2", lambda text: text + fonts)
    try:
        result = run("build", str(course), "-f", "pdf")
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    assert asked == []
    assert f"'{outside.as_uri()}' is left out of" in result.output
    assert "web.ttf' is left out of" in result.output
    fonts = _embedded_fonts(course / "build" / "pdf" / "course-pack.pdf")
    assert "Brand" in fonts and not {f for f in fonts if f.startswith(("Outside", "Web"))}
    assert "Noto-Serif-Bold" in fonts  # the shipped fonts, where the course's is refused
    _renamed_font(course / "fonts" / "brand.ttf", "CourseBrand2-Regular")  # a new brand font
    again = run("build", str(course), "-f", "pdf")
    assert again.exit_code == 0 and "reused 0 unchanged" in again.output, again.output


def test_the_print_stylesheet_holds_no_path_of_the_machine(course: Path) -> None:
    """Its shipped fonts were named by their path, which then entered every document's
    digest and PDF identifier: two installations made PDFs differing in their /ID."""
    from coursepack.exporters.pdf.documents import Documents
    from coursepack.exporters.pdf.pool import SHIPPED
    from coursepack.loader import load_course

    css = Documents(load_course(course)[0], "1").stylesheet()
    assert "NotoSans-Regular.ttf" in css
    assert str(SHIPPED) not in css and str(Path.home()) not in css


def _cold_pdfs(course: Path, run: Run, tmp_path: Path, name: str) -> dict[str, bytes]:
    """Every PDF a build from nothing makes of a copy of ``course``."""
    import shutil

    copy = tmp_path / name
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns(".coursepack-cache", "build"))
    assert run("build", str(copy), "-f", "pdf").exit_code == 0
    return _built_pdfs(copy)


def _built_pdfs(course: Path) -> dict[str, bytes]:
    out = course / "build" / "pdf"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


def test_a_course_font_added_or_changed_since_the_last_build_makes_a_cold_build_s_pdfs(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three rebuilds that went wrong: a font added after a build that warned it was
    missing (the build said nothing had changed), the warning itself (it stayed once the
    font was there), and a font that lengthens the lessons (their page counts were kept
    from before: "page-number sheet has 2 pages, the document 3")."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _own_template(course, "print.css.j2", lambda text: text + """
@font-face { font-family: "Brand"; src: url("fonts/brand.ttf"); }
@font-face { font-family: "Red"; src: url("fonts/%1b[31mred%07.ttf"); }
p, li { font-family: "Brand", "Red", serif; }
""")
    first = run("build", str(course), "-f", "pdf")
    assert first.exit_code == 0, first.output
    assert "warning: pdf: 'fonts/brand.ttf' is left out of" in first.output
    assert "'fonts/\\x1b[31mred\\x07.ttf' is left out" in first.output  # no escape reaches a terminal
    _renamed_font(course / "fonts" / "brand.ttf", "CourseBrand-Regular")
    added = run("build", str(course), "-f", "pdf")
    assert added.exit_code == 0, added.output
    assert "brand.ttf" not in added.output
    assert _built_pdfs(course) == _cold_pdfs(course, run, tmp_path, "cold-added")
    _renamed_font(course / "fonts" / "brand.ttf", "CourseBrand-Large", units_per_em=150)
    larger = run("build", str(course), "-f", "pdf")
    assert larger.exit_code == 0, larger.output
    assert _built_pdfs(course) == _cold_pdfs(course, run, tmp_path, "cold-larger")


def _revisions(path: Path) -> set[float]:
    """The ``head`` revision of every font program embedded in a PDF."""
    import io

    import pikepdf
    from fontTools.ttLib import TTFont

    found = set()
    with pikepdf.open(path) as pdf:
        for item in pdf.objects:
            if isinstance(item, pikepdf.Dictionary) and "/FontFile2" in item:
                font = TTFont(io.BytesIO(item.FontFile2.read_bytes()), lazy=True)
                found.add(round(font["head"].fontRevision, 2))
    return found


def _newer_serif(path: Path, revision: float) -> None:
    """The shipped Noto Serif at ``path`` as a newer release would be: ``revision``."""
    from fontTools.ttLib import TTFont

    from coursepack.exporters.pdf.pool import SHIPPED

    font = TTFont(SHIPPED / "NotoSerif-Regular.ttf")
    font["head"].fontRevision = revision
    path.parent.mkdir(parents=True, exist_ok=True)
    font.save(path)


def _own_template(course: Path, name: str, edit: Callable[[str], str]) -> None:
    """The theme's PDF template ``name`` as the course's own, edited by ``edit``."""
    theme = Path(render.default_templates()) / "pdf" / name
    own = course / "templates" / "pdf" / name
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_text(edit(theme.read_text(encoding="utf-8")), encoding="utf-8")


def _lesson_showing(course: Path, markdown: str) -> None:
    """The lesson one-idea with ``markdown`` after its first image."""
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    image = "![A stem above four options of equal length](images/stem-and-options.png)"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        image, f"{image}\n\n  {markdown}", 1), encoding="utf-8")


def _font_only_in(out: Path, revision: float, having: list[str], lacking: list[str]) -> None:
    """The font of ``revision`` is embedded in the PDFs of ``having`` and in none of
    ``lacking`` (paths in the pdf folder ``out``)."""
    for name in having:
        assert revision in _revisions(out / name), name
    for name in lacking:
        assert revision not in _revisions(out / name), name


def test_a_font_one_template_declares_reaches_no_other_document(
        course: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quiz template declares a font whose file is a newer "Noto Serif": added to the
    one configuration a worker renders everything with, fontconfig then picked it for the
    documents rendered after the quiz that asked for the shipped Noto Serif (which ones
    depended on the order, so two builds of the same course differed)."""
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # one order: the quizzes, then the rest
    _newer_serif(course / "fonts" / "quiz.ttf", 9.5)
    _own_template(course, "quiz.html.j2", lambda text: text.replace(
        '<h1 class="section-title">',
        '<style>@font-face { font-family: "QZ"; src: url("fonts/quiz.ttf") }'
        ' h1 { font-family: "QZ" }</style>\n<h1 class="section-title">', 1))
    result = run("build", str(course), "-f", "pdf")
    assert result.exit_code == 0, result.output
    _font_only_in(course / "build" / "pdf", 9.5, ["quizzes/final.pdf"],
                  ["course-pack.pdf", "answer-key.pdf"])


def _drawing(path: Path, revision: float) -> None:
    """An SVG whose style sheet declares a font it carries: a newer "Noto Serif" (a subset:
    "Hello" is all it writes)."""
    import base64
    import io

    from fontTools import subset

    _newer_serif(path.with_suffix(".ttf"), revision)
    font = subset.load_font(path.with_suffix(".ttf"), subset.Options())
    cut = subset.Subsetter(subset.Options())
    cut.populate(text="Hello")
    cut.subset(font)
    data = io.BytesIO()
    font.save(data)
    path.with_suffix(".ttf").unlink()
    carried = base64.b64encode(data.getvalue()).decode("ascii")
    path.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><style>'
        f'@font-face {{ font-family: ZZ; src: url(data:font/ttf;base64,{carried}) }}'
        ' text { font-family: ZZ }</style><text x="5" y="30">Hello</text></svg>',
        encoding="utf-8")


def test_an_svg_image_s_font_reaches_no_other_document(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An SVG in a lesson whose style sheet declares a font: added to the one configuration
    of a worker, it reached documents without the image (which ones depended on the
    order). A new version of the drawing is a new font in the documents that show it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # one order, the same in every build
    module = course / "modules" / "writing-questions"
    _drawing(module / "images" / "drawing.svg", 9.5)
    _lesson_showing(course, "![A drawing that says hello](images/drawing.svg)")
    result = run("build", str(course), "-f", "pdf")
    assert result.exit_code == 0, result.output
    out = course / "build" / "pdf"
    _font_only_in(out, 9.5, ["handouts/writing-questions/one-idea.pdf"],
                  ["handouts/writing-questions/feedback.pdf", "answer-key.pdf",
                   "quizzes/final.pdf"])
    _drawing(module / "images" / "drawing.svg", 9.75)
    again = run("build", str(course), "-f", "pdf")
    assert again.exit_code == 0, again.output
    assert 9.75 in _revisions(out / "handouts" / "writing-questions" / "one-idea.pdf")
    assert _built_pdfs(course) == _cold_pdfs(course, run, tmp_path, "cold")


def test_an_svg_image_naming_a_file_in_a_way_only_css_reads_is_refused(
        course: Path, run: Run) -> None:
    """CSS reads ``u\\72l(`` as ``url(``: an SVG's style sheet that asks for a file so (a
    font, an image, written with escapes or as ``src()`` or ``image-set()``) is refused as
    any SVG that uses another file is, with the file it names."""
    module = course / "modules" / "writing-questions"
    written_so = ["u\\72l(../fonts/x.ttf)", "src('../fonts/x.ttf')",
                  "image-set('../fonts/x.ttf' 1x)", "U\\52L( ../fonts/x.ttf )"]
    for number, written in enumerate(written_so):
        (module / "images" / f"d{number}.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg"><style>@font-face { font-family: ZZ;'
            f' src: {written} }}</style><text>x</text></svg>', encoding="utf-8")
    _lesson_showing(course, "\n\n  ".join(f"![Drawing {n}](images/d{n}.svg)"
                                            for n in range(4)))
    result = run("validate", str(course))
    assert result.exit_code == 1
    for number in range(4):
        assert (f"error: SVG image 'images/d{number}.svg' uses another file ('../fonts/x.ttf')"
                in result.stderr), result.stderr


_SEAL = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><style>'
         '@font-face { font-family: ZZ; src: url(fonts/seal.ttf) } text { font-family: ZZ }'
         '</style><text x="5" y="30">Seal</text></svg>')


@pytest.mark.parametrize("named", ["seal.svg", "seal", "data:", "seal, unseen"])
def test_an_svg_a_course_style_sheet_shows_keeps_its_font_to_the_documents_that_show_it(
        course: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        named: str) -> None:
    """A course's own print.css.j2 puts an SVG behind the quizzes' answer sheets, named with
    or without .svg, or written in the style sheet itself. Its style sheet declares a font
    (a newer "Noto Serif"), which only the quizzes may get: every document of such a course
    shared one font configuration, and the answer key, rendered after the quizzes, got it.
    Should a style sheet's images go unseen, a document that asks for one is rendered
    again with a configuration of its own."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # one order: the quizzes, then the rest
    if named.endswith(", unseen"):
        monkeypatch.setattr(stylesheets, "shown_files", lambda css: [])
        named = named.removesuffix(", unseen")
    _newer_serif(course / "fonts" / "seal.ttf", 9.5)
    if named == "data:":
        address = "data:image/svg+xml," + urllib.parse.quote(_SEAL.replace(
            "url(fonts/seal.ttf)", f"url({(course / 'fonts' / 'seal.ttf').as_uri()})"))
    else:
        (course / "images").mkdir()
        (course / "images" / named).write_text(_SEAL.replace("fonts/", "../fonts/"),
                                               encoding="utf-8")
        address = f"images/{named}"
    _own_template(course, "print.css.j2", lambda text: text + '\n.answer-sheet { background: '
                  f'url("{address}") no-repeat }}\n')
    result = run("build", str(course), "-f", "pdf")
    assert result.exit_code == 0, result.output
    assert "left out" not in result.output
    _font_only_in(course / "build" / "pdf", 9.5, ["quizzes/final.pdf"],  # the seal's
                  ["answer-key.pdf", "course-pack.pdf"])
    if named != "data:":  # which names the font by where this course is
        assert _built_pdfs(course) == _cold_pdfs(course, run, tmp_path, "cold")


def test_an_svg_a_course_template_shows_that_shows_itself_is_left_out_at_once(
        course: Path, run: Run) -> None:
    """Two images of an SVG pointing at the SVG itself (``href="#a"``) made WeasyPrint draw
    it inside itself, the work doubling at every step: minutes of a build for a few lines.
    A lesson's SVG is refused when the course is checked; one a course's template shows is
    left out, and said."""
    (course / "images").mkdir()
    (course / "images" / "mirror.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><g id="a"/>'
        '<image href="#a" width="100" height="50"/><image href="#a" x="100" width="100" '
        'height="50"/></svg>', encoding="utf-8")
    _own_template(course, "handout.html.j2", lambda text: text.replace(
        '<h1 class="section-title">',
        '<img src="images/mirror.svg" alt="A mirror"><h1 class="section-title">', 1))
    result = run("build", str(course), "-f", "pdf")
    assert result.exit_code == 0, result.output
    assert ("'images/mirror.svg' is left out of course-pack.pdf, handouts/writing-questions/"
            "feedback.pdf") in result.output
    assert 'it shows itself (<image href="#a">)' in result.output
