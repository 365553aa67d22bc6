"""A deterministic synthetic course of N lessons, as coursepack YAML and as an mkdocs project.

Text comes from a fixed word list and a seeded random generator, so the same N and seed
always give byte-identical files. Each lesson has about 1,200 words with headings, lists,
a table, an image and two key terms; each module of ten lessons has a ten-question quiz
that uses nine question types.
"""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import yaml

_WORD_TEXT = """
able access action activity advice agency answer area assessment assistance attention
balance basic behaviour benefit board budget building camp capacity care case change
check child choice clear clinic cluster community compare condition contact context
coordination cost country course crisis data decision delivery design detail distance
district document donor early effect emergency energy equipment evidence example family
field file focus follow food form framework fund future goal group guidance health
household idea impact information input issue item kit knowledge language leader
learning level list local location logistics manager map market measure meeting member
method model money monitor month need network note number office open option order
organisation outcome partner pattern people period person place plan point policy
practice priority problem process programme progress project protection purpose quality
question range rate record region report request resource response result review risk
role route rule safety sample scale schedule school season sector service session shelter
site skill source space staff stage standard step stock storage structure supply support
system table target task team test time tool topic training transport trust unit update
value village visit volunteer water week work worker workshop year zone careful direct
early final general large likely local main major mobile new practical public quick
regular safe short simple small strong useful weekly written clean daily shared
"""

_VERB_TEXT = """
builds checks collects compares covers describes explains gathers guides helps improves
includes keeps links lists makes marks measures moves needs notes plans prepares records
reduces reports reviews sets shows starts supports tests tracks uses writes
"""
WORDS = _WORD_TEXT.split()
VERBS = _VERB_TEXT.split()

LESSONS_PER_MODULE = 10


@dataclass(frozen=True)
class LessonText:
    """One lesson's content, shared by the coursepack and the mkdocs version."""

    id: str
    title: str
    summary: str
    body: str
    image: bytes
    terms: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ModuleText:
    id: str
    title: str
    lessons: tuple[LessonText, ...]


class Writer:
    """Seeded text: sentences, paragraphs, lists and tables from the word list."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def words(self, low: int, high: int) -> list[str]:
        return [self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high))]

    def sentence(self) -> str:
        first, *rest = self.words(3, 7)
        tail = self.words(3, 8)
        return f"{first.capitalize()} {' '.join(rest)} {self.rng.choice(VERBS)} {' '.join(tail)}."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(4, 6)))

    def title(self, low: int = 2, high: int = 4) -> str:
        return " ".join(self.words(low, high)).capitalize()

    def bullets(self, numbered: bool = False) -> str:
        items = [" ".join(self.words(5, 10)).capitalize() + "." for _ in range(5)]
        marks = [f"{n}." if numbered else "-" for n in range(1, 6)]
        return "\n".join(f"{m} {i}" for m, i in zip(marks, items, strict=True))

    def table(self) -> str:
        head = [self.title(1, 2) for _ in range(3)]
        rows = [[" ".join(self.words(1, 3)) for _ in range(3)] for _ in range(4)]
        lines = ["| " + " | ".join(head) + " |", "| --- | --- | --- |"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)

    def body(self, image_ref: str, target: int = 1200) -> str:
        """About ``target`` words of Markdown: sections, lists, a table, an image, a quote."""
        blocks = [self.paragraph()]
        blocks += [f"## {self.title()}", self.paragraph(), self.bullets()]
        blocks += [f"## {self.title()}", self.paragraph(), self.table()]
        blocks += [f"![{self.title(3, 5)}]({image_ref})", self.paragraph()]
        blocks += [f"### {self.title()}", self.bullets(numbered=True), f"> {self.sentence()}"]
        while _count(blocks) < target - 60:
            if self.rng.random() < 0.25:
                blocks.append(f"## {self.title()}")
            blocks.append(self.paragraph())
        return "\n\n".join(blocks) + "\n"


def _count(blocks: list[str]) -> int:
    return sum(len(b.split()) for b in blocks)


def png(seed: int, width: int = 320, height: int = 180) -> bytes:
    """A small deterministic RGB PNG: coloured bands with a light texture."""
    rng = random.Random(seed)
    bands = [(rng.randrange(40, 230), rng.randrange(40, 230), rng.randrange(40, 230))
             for _ in range(6)]
    rows = bytearray()
    for y in range(height):
        r, g, b = bands[y * len(bands) // height]
        rows.append(0)
        for x in range(width):
            shade = (x * 7 + y * 3) % 24
            rows += bytes((min(255, r + shade), min(255, g + shade), min(255, b + shade)))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def plan(lessons: int, seed: int = 1) -> tuple[ModuleText, ...]:
    """The course's content: ``lessons`` lessons in modules of ten."""
    modules = []
    for m in range(0, lessons, LESSONS_PER_MODULE):
        writer = Writer(seed * 1_000_003 + m)
        module_id = f"m{m // LESSONS_PER_MODULE + 1:03d}"
        items = []
        for n in range(m, min(lessons, m + LESSONS_PER_MODULE)):
            lesson_id = f"lesson-{n + 1:04d}"
            terms = tuple((f"{writer.title(1, 2)} {n + 1}-{k}", writer.sentence()) for k in (1, 2))
            items.append(LessonText(
                id=lesson_id, title=writer.title(3, 6), summary=writer.sentence(),
                body=writer.body(f"images/{lesson_id}.png"), image=png(seed * 7919 + n),
                terms=terms,
            ))
        modules.append(ModuleText(module_id, writer.title(2, 4), tuple(items)))
    return tuple(modules)


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings as literal blocks (``body: |``), as course authors do."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def _dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")


def write_course(root: Path, lessons: int, seed: int = 1) -> Path:
    """Write the coursepack course of ``lessons`` lessons into ``root``; returns ``root``."""
    modules = plan(lessons, seed)
    _dump(root / "course.yaml", {
        "id": f"bench-{lessons}", "title": f"Benchmark course of {lessons} lessons",
        "language": "en", "version": "1.0", "authors": ["Benchmark Generator"],
        "licence": "CC-BY-4.0", "description": "A synthetic course for timing builds.",
        "paper": "A4", "modules": [m.id for m in modules],
    })
    for module in modules:
        _write_module(root / "modules" / module.id, module)
        _dump(root / "quizzes" / f"quiz-{module.id}.yaml", quiz(module, seed))
    return root


def _write_module(folder: Path, module: ModuleText) -> None:
    objectives = [{"id": f"{module.id}-o{k}", "text": f"Explain the {module.title.lower()} "
                   f"step {k} in your own words."} for k in (1, 2, 3)]
    _dump(folder / "module.yaml", {
        "title": module.title, "description": f"Module {module.id} of the benchmark course.",
        "objectives": objectives, "lessons": [lesson.id for lesson in module.lessons],
    })
    for k, lesson in enumerate(module.lessons):
        (folder / "images").mkdir(parents=True, exist_ok=True)
        (folder / "images" / f"{lesson.id}.png").write_bytes(lesson.image)
        _dump(folder / f"{lesson.id}.yaml", {
            "title": lesson.title, "duration": 20, "objectives": [objectives[k % 3]["id"]],
            "summary": lesson.summary, "body": lesson.body,
            "key_terms": [{"term": t, "definition": d} for t, d in lesson.terms],
        })


def quiz(module: ModuleText, seed: int) -> dict[str, object]:
    """Ten scored questions of nine types about the module."""
    w = Writer(seed * 104_729 + int(module.id[1:]))
    o = [f"{module.id}-o{k}" for k in (1, 2, 3)]
    q = f"{module.id}-q"

    def choices(count: int, correct: set[int]) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for k in range(count):
            item: dict[str, object] = {"text": f"Option {k + 1}: {' '.join(w.words(4, 4))}",
                                       "feedback": w.sentence()}
            if k in correct:
                item["correct"] = True
            out.append(item)
        return out

    def ask() -> str:
        return f"Which {' '.join(w.words(3, 6))} best {w.rng.choice(VERBS)} the plan?"

    questions: list[dict[str, object]] = [
        {"id": f"{q}1", "type": "single", "stem": ask(), "objectives": [o[0]],
         "choices": choices(4, {1}), "feedback": {"general": w.sentence()}},
        {"id": f"{q}2", "type": "multiple", "stem": ask() + " Select all that apply.",
         "objectives": [o[1]], "scoring": "partial", "points": 2, "choices": choices(4, {0, 2})},
        {"id": f"{q}3", "type": "true-false", "stem": w.sentence(), "objectives": [o[2]],
         "answer": True, "feedback_true": w.sentence(), "feedback_false": w.sentence()},
        {"id": f"{q}4", "type": "short-answer", "stem": f"Which word names {w.title()}?",
         "objectives": [o[0]], "answers": [w.words(1, 1)[0]], "case_sensitive": False},
        {"id": f"{q}5", "type": "numeric", "stem": "How many steps does the module describe?",
         "objectives": [o[1]], "answer": 3, "tolerance": 0},
        {"id": f"{q}6", "type": "matching", "stem": "Match each term to its meaning.",
         "objectives": [o[2]], "pairs": [{"prompt": f"{w.title(1, 2)} {k}",
                                           "match": " ".join(w.words(4, 6))} for k in (1, 2, 3)],
         "distractors": [" ".join(w.words(4, 6))]},
        {"id": f"{q}7", "type": "ordering", "stem": "Put the steps in order.",
         "objectives": [o[0]],
         "items": [f"Step {k}: {' '.join(w.words(3, 5))}" for k in (1, 2, 3, 4)]},
        {"id": f"{q}8", "type": "fill-blanks", "stem": "Complete the sentence.",
         "objectives": [o[1]],
         "text": "The team [[what]] the plan in [[count]] steps.",
         "blanks": [{"id": "what", "type": "dropdown", "options": ["checks", "moves", "opens"],
                     "answer": "checks"},
                    {"id": "count", "type": "numeric", "answer": 3}]},
        {"id": f"{q}9", "type": "essay", "stem": f"Describe how {' '.join(w.words(3, 5))} works.",
         "objectives": [o[2]], "points": 3, "grader_notes": w.sentence(), "min_words": 20,
         "max_words": 200},
        {"id": f"{q}10", "type": "single", "stem": ask(), "objectives": [o[1]],
         "choices": choices(4, {2})},
    ]
    return {"title": f"Quiz: {module.title}", "module": module.id,
            "description": "Ten questions on the module.",
            "settings": {"pass_mark": 70, "attempts": 2}, "questions": questions}


def write_mkdocs(root: Path, lessons: int, seed: int = 1) -> Path:
    """The same lessons as an mkdocs project (default theme and search); returns ``root``."""
    modules = plan(lessons, seed)
    nav: list[dict[str, object]] = [{"Home": "index.md"}]
    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(f"# Benchmark course of {lessons} lessons\n", encoding="utf-8")
    for module in modules:
        folder = docs / module.id
        (folder / "images").mkdir(parents=True, exist_ok=True)
        pages = []
        for lesson in module.lessons:
            (folder / "images" / f"{lesson.id}.png").write_bytes(lesson.image)
            terms = "\n".join(f"- **{t}**: {d}" for t, d in lesson.terms)
            text = (f"# {lesson.title}\n\n{lesson.summary}\n\n{lesson.body}\n"
                    f"## Key terms\n\n{terms}\n")
            (folder / f"{lesson.id}.md").write_text(text, encoding="utf-8")
            pages.append({lesson.title: f"{module.id}/{lesson.id}.md"})
        nav.append({module.title: pages})
    _dump(root / "mkdocs.yml", {"site_name": f"Benchmark course of {lessons} lessons",
                                "docs_dir": "docs", "site_dir": "site", "nav": nav})
    return root


if __name__ == "__main__":
    import sys

    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    print(write_course(Path(sys.argv[1]), count))
