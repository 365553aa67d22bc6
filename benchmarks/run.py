"""coursepack benchmarks: `make bench` (or `.venv/bin/python benchmarks/run.py --help`).

Times coursepack against mkdocs (HTML) and against plain WeasyPrint (PDF) on a
deterministic synthetic course, each timed run in a fresh process, comparisons paired
A B A B. Prints medians with min and max and writes benchmarks/.work/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import Any

from measure import Stats, machine
from suites import (
    Tools,
    course_pack_memory,
    edit_floor,
    full_vs_weasyprint,
    html_vs_mkdocs,
    rebuilds,
    serve_reload,
    validate_large_source,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH_VENV = HERE / ".venv"


def mkdocs_binary() -> Path:
    """mkdocs in the benchmark's own venv, created on first use."""
    binary = BENCH_VENV / "bin" / "mkdocs"
    if not binary.exists():
        print(f"creating {BENCH_VENV.relative_to(ROOT)} with mkdocs", flush=True)
        venv.create(BENCH_VENV, with_pip=True)
        subprocess.run([BENCH_VENV / "bin" / "python", "-m", "pip", "install", "--quiet",
                        "mkdocs"], check=True)
    return binary


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and one or two runs (a smoke test, about a minute)")
    parser.add_argument("--sizes", default="10,100,1000",
                        help="lesson counts for HTML vs mkdocs (default 10,100,1000)")
    parser.add_argument("--pdf-sizes", default="10,100",
                        help="lesson counts for the full build vs raw WeasyPrint (default 10,100)")
    parser.add_argument("--runs", type=int, default=0,
                        help="pairs per comparison (default: 5, 3 at 1,000 lessons, 2 for PDF)")
    parser.add_argument("--rebuild-lessons", type=int, default=100)
    parser.add_argument("--serve-lessons", type=int, default=1000,
                        help="lessons of the course served for the reload benchmark")
    parser.add_argument("--skip", default="",
                        help="comma list of: html,pdf,rebuild,memory,serve,validate")
    parser.add_argument("--src", type=Path,
                        help="time the coursepack checkout in this folder instead (PYTHONPATH)")
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.pdf_sizes, args.rebuild_lessons = "10,100", "10", 10
        args.serve_lessons = 100
    return args


def runs_for(args: argparse.Namespace, kind: str, lessons: int) -> int:
    if args.runs:
        return int(args.runs)
    if args.quick:
        return 2 if kind == "html" else 1
    if kind == "html":
        return 3 if lessons >= 1000 else 5
    if kind == "rebuild":  # seconds each, and the ratio most at the mercy of a noisy machine
        return 5
    return 2 if lessons >= 100 else 3


def tools(args: argparse.Namespace) -> Tools:
    env = dict(os.environ, PYTHONHASHSEED="0", SOURCE_DATE_EPOCH="1700000000")
    # An installed coursepack, like mkdocs in its venv, runs from compiled modules: without
    # this a checkout whose environment forbids writing them compiles every module per run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.src is not None:
        env["PYTHONPATH"] = str((args.src / "src").resolve())
    args.work.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", "import compileall, coursepack, os; compileall."
                    "compile_dir(os.path.dirname(coursepack.__file__), quiet=1)"],
                   env=env, check=True)
    return Tools(python=Path(sys.executable), mkdocs=mkdocs_binary(), work=args.work.resolve(),
                 env=env)


def log(message: str) -> None:
    print(message, flush=True)


def jsonable(value: Any) -> Any:
    if isinstance(value, Stats):
        return value.as_dict()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def main() -> None:
    args = arguments()
    started = time.perf_counter()
    t = tools(args)
    skip = set(args.skip.split(","))
    results: dict[str, Any] = {"machine": machine(), "versions": versions(t),
                               "command": " ".join(sys.argv), "html": [], "pdf": []}
    log(f"machine: {results['machine']}\nversions: {results['versions']}")
    if "html" not in skip:
        for lessons in [int(n) for n in args.sizes.split(",") if n]:
            log(f"\nHTML build vs mkdocs build, {lessons} lessons (A = coursepack, B = mkdocs)")
            found = html_vs_mkdocs(t, lessons, runs_for(args, "html", lessons), log)
            results["html"].append(found)
            show_html(found)
    if "pdf" not in skip:
        for lessons in [int(n) for n in args.pdf_sizes.split(",") if n]:
            log(f"\nfull build vs raw WeasyPrint, {lessons} lessons (A = coursepack, B = raw)")
            found = full_vs_weasyprint(t, lessons, runs_for(args, "pdf", lessons), log)
            results["pdf"].append(found)
            show_pdf(found)
    report_rest(args, t, skip, results)
    results["total_seconds"] = time.perf_counter() - started
    show_scaling(results)
    out = t.work / "results.json"
    out.write_text(json.dumps(jsonable(results), indent=1), encoding="utf-8")
    log(f"\ntotal {results['total_seconds']:.0f} s; figures in {out}")


def report_rest(args: argparse.Namespace, t: Tools, skip: set[str],
                results: dict[str, Any]) -> None:
    lessons = args.rebuild_lessons
    if "rebuild" not in skip:
        log(f"\nrebuilds of {lessons} lessons (html + pdf) as a fraction of the cold build")
        results["rebuild"] = found = rebuilds(t, lessons, runs_for(args, "rebuild", lessons), log)
        show_rebuild(found)
        log(f"\nwhat a one-off rebuild of an edited lesson cannot skip, {lessons} lessons "
            "(fresh processes)")
        results["edit_floor"] = floor = edit_floor(
            t, lessons, 2 if args.quick else 5, t.work / f"rebuild-{lessons}-html-pdf", log)
        show_floor(floor, found["cold"]["seconds"].median)
        log(f"\nrebuilds of {lessons} lessons, every format, as a fraction of the cold build")
        results["rebuild_every_format"] = found = rebuilds(
            t, lessons, runs_for(args, "rebuild", lessons), log, formats=())
        show_rebuild(found)
    if "serve" not in skip:
        lessons = args.serve_lessons
        log(f"\ncoursepack serve, {lessons} lessons: one lesson saved, until the page reloads")
        results["serve"] = found = serve_reload(t, lessons, 3 if args.quick else 7, log)
        log(f"  reload message {found['reload'].show()}")
        log(f"  new page text served {found['page_served'].show()}")
        log(f"  whole site built again {found['whole_site'].show()}; reloads per save "
            f"{found['reloads_per_save']}")
    if "validate" not in skip:
        log("\nvalidate the bundled course (A = sources as shipped, B = one source of 5 MB, "
            "C = B with one quote misquoted)")
        results["validate"] = found = validate_large_source(t, 2 if args.quick else 5, log)
        log(f"  as shipped {found['shipped']['seconds'].show()}; 5 MB source "
            f"{found['five_mb']['seconds'].show()}; ratio B/A {found['ratio'].show('x')}")
        log(f"  5 MB source, one quote misquoted (C) {found['misquoted']['seconds'].show()}; "
            f"ratio C/A {found['misquoted_ratio'].show('x')}")
        log(f"  60 MB source: exit {found['sixty_mb_exit']} in "
            f"{found['sixty_mb_seconds']:.2f} s: {found['sixty_mb_said']}")
    lessons = args.rebuild_lessons
    if "memory" not in skip:
        log(f"\ncourse pack of {lessons} lessons rendered alone (A = idle WeasyPrint, B = pack)")
        results["memory"] = found = course_pack_memory(t, lessons, 2 if args.quick else 3, log)
        log(f"  raw WeasyPrint, whole: {found['pages']} pages, peak "
            f"{found['pack']['peak_mb'].show('MB', 0)}, idle {found['idle_mb']:.0f} MB: "
            f"{found['mb_per_page'] * 1024:.0f} KB per page above idle; "
            f"{found['raw_bytes'] / 1e6:.2f} MB file")
        ours = found["assembled"]
        log(f"  coursepack, assembled from its parts: {ours['runs']['seconds'].show()}, peak "
            f"{ours['runs']['peak_mb'].show('MB', 0)}; {ours['bytes'] / 1e6:.2f} MB file; "
            f"note {ours['notes']}")


def show_html(found: dict[str, Any]) -> None:
    ours, theirs = found["coursepack"], found["mkdocs"]
    log(f"  coursepack {ours['seconds'].show()}  peak {ours['peak_mb'].show('MB', 0)}")
    log(f"  mkdocs     {theirs['seconds'].show()}  peak {theirs['peak_mb'].show('MB', 0)}")
    log(f"  ratio coursepack/mkdocs: time {found['ratio'].show('x')}, "
        f"peak memory {found['memory_ratio'].show('x')}")


def show_pdf(found: dict[str, Any]) -> None:
    ours, theirs = found["coursepack"], found["weasyprint"]
    log(f"  {found['documents']} documents, {found['pages']} pages "
        f"(course pack {found['course_pack_pages']}); coursepack note: {found['notes']}")
    log(f"  coursepack html+pdf {ours['seconds'].show()}  peak {ours['peak_mb'].show('MB', 0)}")
    log(f"  raw WeasyPrint      {theirs['seconds'].show()}  peak {theirs['peak_mb'].show('MB', 0)}")
    log(f"  ratio coursepack/raw: {found['ratio'].show('x')}")
    pack, total = found["raw_course_pack_seconds"], found["raw_render_seconds"]
    log(f"  last raw run: rendering {total:.1f} s of which course pack {pack:.1f} s; on 2 cores "
        f"no schedule of whole documents beats {max(pack, total / 2):.1f} s = "
        f"{max(pack, total / 2) / found['weasyprint']['seconds'].median:.2f}x of raw")


def show_rebuild(found: dict[str, Any]) -> None:
    log(f"  cold {found['cold']['seconds'].show()}")
    cores = os.cpu_count() or 1
    for kind in ("unchanged", "edited"):
        log(f"  {kind:<9} {found[kind]['seconds'].show()} = "
            f"{found[kind + '_fraction'].show('x', 3)} of cold; note {found[kind + '_notes']}")
        cpu = found[kind]["cpu_seconds"].median
        log(f"  {'':<9} CPU {found[kind]['cpu_seconds'].show()}, of all its processes: on "
            f"{cores} cores no schedule beats {cpu / cores:.2f} s = "
            f"{cpu / cores / found['cold']['seconds'].median:.3f}x of cold")


def show_floor(found: dict[str, Any], cold: float) -> None:
    for step, said in (("interpreter_start", "Python started"),
                       ("weasyprint_ready", "WeasyPrint ready (imported, fonts set up)"),
                       ("first_render", f"first rendering of {found['lesson']}"),
                       ("second_render", "the same rendered again (for comparison)"),
                       ("pack_write", "course pack written")):
        log(f"  {said:<54} {found[step].show()}")
    log(f"  one after another, without the second rendering: {found['floor_seconds']:.2f} s = "
        f"{found['floor_seconds'] / cold:.3f}x of the cold build ({cold:.2f} s)")


def show_scaling(results: dict[str, Any]) -> None:
    rows = [(r["lessons"], r["coursepack"]["seconds"].median) for r in results["html"]]
    if rows:
        log("\ncost per lesson, HTML build (median total / lessons; marginal between sizes)")
    for k, (lessons, seconds) in enumerate(rows):
        marginal = ""
        if k:
            before, was = rows[k - 1]
            marginal = f", marginal {(seconds - was) / (lessons - before) * 1000:.1f} ms/lesson"
        log(f"  {lessons:>5} lessons: {seconds / lessons * 1000:.1f} ms/lesson{marginal}")
    for r in results["pdf"]:
        log(f"  full build {r['lessons']:>5} lessons: "
            f"{r['coursepack']['seconds'].median / r['lessons'] * 1000:.0f} ms/lesson")


def versions(t: Tools) -> dict[str, str]:
    """Python and the library versions the runs use."""
    probe = ("import sys, importlib.metadata as m; print(sys.version.split()[0]); "
             "[print(m.version(p)) for p in ('coursepack', 'weasyprint', 'pikepdf', 'jinja2', "
             "'markdown-it-py', 'pyyaml', 'nh3')]")
    ours = subprocess.run([t.python, "-c", probe], env=t.env, capture_output=True, text=True,
                          check=True).stdout.split()
    mkdocs = subprocess.run([BENCH_VENV / "bin" / "python", "-c", probe.replace(
        "('coursepack', 'weasyprint', 'pikepdf', 'jinja2', 'markdown-it-py', 'pyyaml', 'nh3')",
        "('mkdocs', 'markdown', 'jinja2')")], capture_output=True, text=True, check=True)
    names = ["python", "coursepack", "weasyprint", "pikepdf", "jinja2", "markdown-it-py", "pyyaml",
             "nh3"]
    found = dict(zip(names, ours, strict=False))
    mk = mkdocs.stdout.split()
    found.update({"mkdocs": mk[1], "mkdocs-markdown": mk[2], "mkdocs-jinja2": mk[3]})
    return found


if __name__ == "__main__":
    sys.exit(main())
