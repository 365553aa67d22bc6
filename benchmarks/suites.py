"""The benchmarks: each prepares its inputs, times paired runs (A B A B ...) and returns figures."""

from __future__ import annotations

import json
import queue
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from generator import Writer, write_course, write_mkdocs
from measure import Sample, Stats, ratios, summary, timed

HERE = Path(__file__).resolve().parent
NOTE = re.compile(r"rendered (\d+) of (\d+) PDF parts and documents.*; assembled (\d+) PDFs")
RENDERED = re.compile(r"rendered: (.*)")
ASSEMBLED = re.compile(r"assembled: (.*)")


@dataclass(frozen=True)
class Tools:
    """The interpreters and programs the benchmarks run."""

    python: Path  # the project's venv (coursepack, WeasyPrint)
    mkdocs: Path  # the benchmark venv's mkdocs
    work: Path  # scratch folder for courses and outputs
    env: dict[str, str]  # environment for coursepack runs (PYTHONPATH for --src)

    def coursepack(self, *args: str | Path) -> list[str | Path]:
        return [self.python, "-m", "coursepack", *args]


def course(tools: Tools, lessons: int) -> Path:
    """The synthetic course of ``lessons`` lessons (generated once per run of the script)."""
    root = tools.work / f"course-{lessons}"
    if not root.is_dir():
        write_course(root, lessons)
    return root


def from_nothing(out: Path, root: Path) -> None:
    """Remove a build and the course's build cache, so that the next build is cold."""
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(root / ".coursepack-cache", ignore_errors=True)


def paired(runs: int, a: Callable[[], Sample], b: Callable[[], Sample],
           log: Callable[[str], None]) -> tuple[list[Sample], list[Sample]]:
    """Run A then B, ``runs`` times, alternating."""
    first: list[Sample] = []
    second: list[Sample] = []
    for n in range(runs):
        first.append(a())
        second.append(b())
        log(f"    pair {n + 1}/{runs}: A {first[-1].seconds:.2f} s, B {second[-1].seconds:.2f} s")
    return first, second


def html_vs_mkdocs(tools: Tools, lessons: int, runs: int,
                   log: Callable[[str], None]) -> dict[str, Any]:
    """``coursepack build -f html`` (A) against ``mkdocs build`` (B) on the same lessons."""
    root = course(tools, lessons)
    site = write_mkdocs(tools.work / f"mkdocs-{lessons}", lessons)
    out = tools.work / f"html-{lessons}"

    def ours() -> Sample:
        from_nothing(out, root)
        return timed(tools.coursepack("build", root, "-f", "html", "--out", out, "-q"),
                     env=tools.env)

    def theirs() -> Sample:
        shutil.rmtree(site / "site", ignore_errors=True)
        return timed([tools.mkdocs, "build", "-q"], cwd=site)

    a, b = paired(runs, ours, theirs, log)
    return {"lessons": lessons, "coursepack": summary(a), "mkdocs": summary(b),
            "ratio": ratios(a, b), "memory_ratio": Stats.of(
                [x.peak_mb / y.peak_mb for x, y in zip(a, b, strict=True)])}


def print_html(tools: Tools, root: Path, lessons: int) -> Path:
    """The print HTML of every PDF document, written by coursepack's own Documents."""
    folder = tools.work / f"print-html-{lessons}"
    shutil.rmtree(folder, ignore_errors=True)
    timed([tools.python, HERE / "print_html.py", root, folder], env=tools.env)
    return folder


def full_vs_weasyprint(tools: Tools, lessons: int, runs: int,
                       log: Callable[[str], None]) -> dict[str, Any]:
    """A cold ``-f html -f pdf`` build (A) against raw WeasyPrint in one process (B)."""
    root = course(tools, lessons)
    html = print_html(tools, root, lessons)
    out = tools.work / f"full-{lessons}"
    raw = tools.work / f"raw-{lessons}"

    def ours() -> Sample:
        from_nothing(out, root)
        return timed(tools.coursepack("build", root, "-f", "html", "-f", "pdf", "--out", out),
                     env=tools.env)

    def theirs() -> Sample:
        shutil.rmtree(raw, ignore_errors=True)
        return timed([tools.python, HERE / "raw_weasyprint.py", html, raw], env=tools.env)

    a, b = paired(runs, ours, theirs, log)
    pages = json.loads((raw / "pages.json").read_text(encoding="utf-8"))
    seconds = json.loads((raw / "seconds.json").read_text(encoding="utf-8"))
    return {"lessons": lessons, "coursepack": summary(a), "weasyprint": summary(b),
            "ratio": ratios(a, b), "documents": len(pages), "pages": sum(pages.values()),
            "course_pack_pages": pages.get("course-pack.pdf", 0), "notes": _notes(a[-1]),
            "raw_render_seconds": sum(seconds.values()),
            "raw_course_pack_seconds": seconds.get("course-pack.pdf", 0.0)}


def _notes(sample: Sample) -> dict[str, Any]:
    """The PDF exporter's note: how many parts and documents it rendered, of how many, and
    which; how many PDFs it assembled from parts, and which."""
    found = NOTE.search(sample.stdout)
    if found is None:
        return {"rendered": None, "total": None, "which": [], "assembled": None,
                "assembled_which": []}

    def listed(pattern: re.Pattern[str]) -> list[str]:
        names = pattern.search(sample.stdout)
        return [n.strip() for n in names.group(1).split(",")] if names else []

    return {"rendered": int(found.group(1)), "total": int(found.group(2)),
            "which": listed(RENDERED), "assembled": int(found.group(3)),
            "assembled_which": listed(ASSEMBLED)}


def edit_lesson(root: Path, mark: int) -> Path:
    """Change one sentence at the end of the middle lesson's body; returns its file."""
    lessons = sorted(root.glob("modules/*/lesson-*.yaml"))
    target = lessons[len(lessons) // 2]
    text = re.sub(r"\n*  Edited for rebuild \d+\.\n", "\n", target.read_text(encoding="utf-8"))
    marker = f"  Edited for rebuild {mark}.\n"
    text = text.replace("\nkey_terms:", f"\n{marker}key_terms:", 1)
    target.write_text(text, encoding="utf-8")
    return target


def rebuilds(tools: Tools, lessons: int, runs: int, log: Callable[[str], None],
             formats: tuple[str, ...] = ("html", "pdf")) -> dict[str, Any]:
    """A cold build of ``formats`` (every format when empty), then rebuilds with nothing
    changed and with one lesson edited."""
    root = course(tools, lessons)
    out = tools.work / f"rebuild-{lessons}-{'-'.join(formats) or 'all'}"
    from_nothing(out, root)
    chosen = [arg for fmt in formats for arg in ("-f", fmt)]
    build = tools.coursepack("build", root, *chosen, "--out", out)
    cold = timed(build, env=tools.env)
    log(f"    cold build {cold.seconds:.2f} s")
    unchanged: list[Sample] = []
    edited: list[Sample] = []
    for n in range(runs):
        unchanged.append(timed(build, env=tools.env))
        edit_lesson(root, n + 1)
        edited.append(timed(build, env=tools.env))
        log(f"    run {n + 1}/{runs}: unchanged {unchanged[-1].seconds:.2f} s, "
            f"one lesson edited {edited[-1].seconds:.2f} s")
    edit_lesson(root, 0)  # leave the course as generated (apart from this marker)
    return {"lessons": lessons, "cold": summary([cold]), "unchanged": summary(unchanged),
            "edited": summary(edited),
            "unchanged_fraction": Stats.of([s.seconds / cold.seconds for s in unchanged]),
            "edited_fraction": Stats.of([s.seconds / cold.seconds for s in edited]),
            "unchanged_notes": _notes(unchanged[-1]), "edited_notes": _notes(edited[-1])}


def edit_floor(tools: Tools, lessons: int, runs: int, built: Path,
               log: Callable[[str], None]) -> dict[str, Any]:
    """The steps no one-off rebuild of an edited lesson can skip (``edit_floor.py``), each
    the median of ``runs`` fresh processes, with an interpreter's start; ``built`` is the
    rebuild benchmark's output, whose course pack is written again."""
    root = course(tools, lessons)
    starts = [timed([tools.python, "-c", "pass"], env=tools.env).seconds for _ in range(5)]
    found: list[dict[str, Any]] = []
    for n in range(runs):
        done = subprocess.run([tools.python, HERE / "edit_floor.py", root,
                               built / "pdf" / "course-pack.pdf"], env=tools.env,
                              capture_output=True, text=True, check=True)
        found.append(json.loads(done.stdout))
        log(f"    run {n + 1}/{runs}: {found[-1]}")
    steps = ("weasyprint_ready", "first_render", "second_render", "pack_write")
    medians = {step: Stats.of([f[step] for f in found]) for step in steps}
    medians["interpreter_start"] = Stats.of(starts)
    floor = sum(medians[step].median for step in (
        "interpreter_start", "weasyprint_ready", "first_render", "pack_write"))
    return {"lesson": found[-1]["lesson"], **medians, "floor_seconds": floor}


def course_pack_memory(tools: Tools, lessons: int, runs: int,
                       log: Callable[[str], None]) -> dict[str, Any]:
    """Peak RSS of rendering the course pack alone, less Python + WeasyPrint at rest, per page."""
    html = tools.work / f"print-html-{lessons}"
    if not (html / "documents.json").is_file():
        html = print_html(tools, course(tools, lessons), lessons)
    raw = tools.work / f"pack-{lessons}"
    script = [tools.python, HERE / "raw_weasyprint.py", html, raw, "--only"]
    idle, pack = paired(runs, lambda: timed([*script, "-"], env=tools.env),
                        lambda: timed([*script, "course-pack.pdf"], env=tools.env), log)
    pages = json.loads((raw / "pages.json").read_text(encoding="utf-8"))["course-pack.pdf"]
    idle_mb = summary(idle)["peak_mb"].median
    pack_mb = summary(pack)["peak_mb"]
    return {"lessons": lessons, "pages": pages, "idle_mb": idle_mb, "pack": summary(pack),
            "mb_per_page": (pack_mb.median - idle_mb) / pages,
            "kb_per_page_total": pack_mb.median * 1024 / pages,
            "raw_bytes": (raw / "course-pack.pdf").stat().st_size,
            "assembled": assembled_pack_memory(tools, lessons, runs, log)}


def assembled_pack_memory(tools: Tools, lessons: int, runs: int,
                          log: Callable[[str], None]) -> dict[str, Any]:
    """coursepack's own course pack: a ``-f pdf`` build that finds every part kept from the
    last build but no course pack, so it only assembles the pack (peak RSS, time, size)."""
    root = course(tools, lessons)
    out = tools.work / f"assembled-{lessons}"
    build = tools.coursepack("build", root, "-f", "pdf", "--out", out, "-v")
    if not (out / "pdf" / "course-pack.pdf").is_file():
        timed(build, env=tools.env)
    samples = []
    for n in range(runs):
        made = out / "pdf" / "course-pack.pdf"
        _forget(root, made.read_bytes())
        made.unlink()
        samples.append(timed(build, env=tools.env))
        log(f"    assembling run {n + 1}/{runs}: {samples[-1].seconds:.2f} s, "
            f"peak {samples[-1].peak_mb:.0f} MB")
    made = out / "pdf" / "course-pack.pdf"
    with pikepdf.open(made) as pdf:
        pages = len(pdf.pages)
    return {"runs": summary(samples), "bytes": made.stat().st_size, "pages": pages,
            "notes": _notes(samples[-1])}


def _forget(root: Path, data: bytes) -> None:
    """Remove the course's cache entries that hold ``data`` (an entry is a 32-byte digest,
    then the data), so that the next build makes it again (older checkouts keep no cache
    there: nothing to remove)."""
    for entry in (root / ".coursepack-cache" / "entries").glob("*/*"):
        if entry.stat().st_size == len(data) + 32 and entry.read_bytes()[32:] == data:
            entry.unlink()


def bundled_course(tools: Tools, name: str, grown_to: int = 0) -> Path:
    """A copy of the bundled course (this checkout's), one source text grown with seeded
    prose to ``grown_to`` bytes (0: as shipped)."""
    root = tools.work / name
    if not root.is_dir():
        repo = HERE.parent
        root.mkdir(parents=True)
        shutil.copy(repo / "course.yaml", root)
        for folder in ("modules", "quizzes", "sources"):
            shutil.copytree(repo / folder, root / folder)
        if grown_to:
            source = root / "sources" / "tennant-2009.txt"
            writer, chunks = Writer(7), [source.read_text(encoding="utf-8")]
            size = len(chunks[0].encode("utf-8"))
            while size < grown_to:
                chunks.append("\n\n" + writer.paragraph())
                size += len(chunks[-1])
            source.write_text("".join(chunks), encoding="utf-8")
    return root


def validate_large_source(tools: Tools, runs: int,
                          log: Callable[[str], None]) -> dict[str, Any]:
    """``coursepack validate`` of the bundled course as shipped (A) and with a source text of
    5 MB (B), then with one quote of that source misquoted (C: the nearest passage found in
    5 MB); then once with a 60 MB source, which is refused with its size limit."""
    shipped = bundled_course(tools, "bundled")
    five = bundled_course(tools, "bundled-5mb", 5 * 1024 * 1024)
    misquoted = tools.work / "bundled-5mb-misquoted"
    if not misquoted.is_dir():
        shutil.copytree(five, misquoted)
        lesson = misquoted / "modules" / "humanitarian-space" / "risks.yaml"
        lesson.write_text(lesson.read_text(encoding="utf-8").replace(
            "may undermine the perceived", "might undermine the perceived"), encoding="utf-8")
    sixty = bundled_course(tools, "bundled-60mb", 60 * 1024 * 1024)
    a, b, c = list[Sample](), list[Sample](), list[Sample]()
    for n in range(runs):  # A, B and C in turn
        a.append(timed(tools.coursepack("validate", shipped), env=tools.env))
        b.append(timed(tools.coursepack("validate", five), env=tools.env))
        c.append(timed(tools.coursepack("validate", misquoted), env=tools.env, expect=1))
        log(f"    run {n + 1}/{runs}: A {a[-1].seconds:.2f} s, B {b[-1].seconds:.2f} s, "
            f"C {c[-1].seconds:.2f} s")
    started = time.perf_counter()
    refused = subprocess.run([*map(str, tools.coursepack("validate", sixty))], env=tools.env,
                             capture_output=True, text=True, timeout=600)
    said = [line for line in refused.stderr.splitlines() if "error" in line]
    return {"shipped": summary(a), "five_mb": summary(b), "ratio": ratios(b, a),
            "misquoted": summary(c), "misquoted_ratio": ratios(c, a),
            "sixty_mb_seconds": time.perf_counter() - started,
            "sixty_mb_exit": refused.returncode, "sixty_mb_said": said[:2]}


def serve_reload(tools: Tools, lessons: int, runs: int,
                 log: Callable[[str], None]) -> dict[str, Any]:
    """``coursepack serve`` on the course: from saving one lesson to the open page's reload
    message (its long poll answered), then to the new text served, then to the whole site
    built again (the terminal's "built in" line)."""
    root = course(tools, lessons)
    shutil.rmtree(root / ".coursepack-cache", ignore_errors=True)
    served = subprocess.Popen([*map(str, tools.coursepack("serve", root, "--port", "0"))],
                              env=tools.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, bufsize=1)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert served.stdout is not None
        for line in served.stdout:
            lines.put(line.rstrip("\n"))

    def wait_for(pattern: str) -> re.Match[str]:
        while True:
            found = re.search(pattern, lines.get(timeout=300))
            if found:
                return found

    threading.Thread(target=read, daemon=True).start()
    reload, shown, whole, reloads = [], [], [], []
    try:
        url = wait_for(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
        for n in range(runs):
            version = _status(url)["version"]
            answer: queue.Queue[float] = queue.Queue()
            threading.Thread(target=_answered, args=(url, version, answer), daemon=True).start()
            time.sleep(0.3)  # the page's long poll is waiting
            saved = time.perf_counter()
            path = edit_lesson(root, n + 1)
            reload.append(answer.get(timeout=300) - saved)
            page = f"{url}{path.parent.name}/{path.stem}.html"
            while f"Edited for rebuild {n + 1}." not in _get(page):
                time.sleep(0.005)
            shown.append(time.perf_counter() - saved)
            wait_for(r"^built in ")
            whole.append(time.perf_counter() - saved)
            reloads.append(_status(url)["version"] - version)
            log(f"    run {n + 1}/{runs}: reload message {reload[-1]:.3f} s, new page served "
                f"{shown[-1]:.3f} s, whole site built {whole[-1]:.2f} s, "
                f"{reloads[-1]} reload(s)")
    finally:
        served.terminate()
        served.wait(timeout=30)
        edit_lesson(root, 0)
    return {"lessons": lessons, "reload": Stats.of(reload), "page_served": Stats.of(shown),
            "whole_site": Stats.of(whole), "reloads_per_save": reloads}


def _answered(url: str, version: int, answer: queue.Queue[float]) -> None:
    """Ask as an open page does for news after ``version``; put the time of the answer."""
    _status(url, f"?after={version}&shown=0")
    answer.put(time.perf_counter())


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=300) as response:
        return str(response.read().decode("utf-8"))


def _status(url: str, query: str = "") -> dict[str, Any]:
    found: dict[str, Any] = json.loads(_get(f"{url}__coursepack__/status{query}"))
    return found
