"""From banks to files: quiz names and question ids free in the course, images placed
beside the quiz files, every file's text made before anything is written; ``commit``
stages, moves into place and validates."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from coursepack.checks.questions import QUESTION_CHECKS
from coursepack.confinement import refuse_link_out
from coursepack.errors import CoursepackError, Origin, Problem, Severity, error
from coursepack.fields import Fields, Sink
from coursepack.importers.base import Bank, Group, Item, Kept
from coursepack.importers.text import IMAGE_DIR
from coursepack.importers.yamlout import quiz_text, scalar
from coursepack.loader.questions import read_question
from coursepack.scaffold import append_item, listed

ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class QuizFile:
    name: str
    text: str
    questions: int
    kept: int


@dataclass
class Plan:
    course: Path
    new_course: bool
    quizzes: list[QuizFile] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)
    course_yaml: str | None = None  # the new text of course.yaml, None: unchanged
    problems: list[Problem] = field(default_factory=list)

    @property
    def question_count(self) -> int:
        return sum(q.questions for q in self.quizzes)

    @property
    def kept_count(self) -> int:
        return sum(q.kept for q in self.quizzes)


def slug(text: str, fallback: str = "imported") -> str:
    """An id from a title: ASCII lower-case words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    kept: list[str] = []
    for word in words:  # whole words, up to 40 characters
        if kept and len("-".join([*kept, word])) > 40:
            break
        kept.append(word[:40])
    return "-".join(kept) or fallback


def free(base: str, taken: set[str]) -> str:
    if base not in taken:
        taken.add(base)
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    taken.add(f"{base}-{n}")
    return f"{base}-{n}"


def _course_ids(root: Path) -> tuple[set[str], set[str], set[str]]:
    """(quiz names, question ids, objective ids) the course already has."""
    quizzes = {p.stem for p in (root / "quizzes").glob("*.yaml")}
    ids: set[str] = set()
    for path in (root / "quizzes").glob("*.yaml"):
        ids.update(re.findall(r"^\s*-?\s*id:\s*['\"]?([\w-]+)", path.read_text("utf-8"), re.M))
    objectives: set[str] = set()
    for path in root.glob("modules/*/module.yaml"):
        objectives.update(re.findall(r"^\s*-\s*id:\s*['\"]?([\w-]+)", path.read_text("utf-8"),
                                     re.M))
    return quizzes, ids, objectives


def _target(into: Path | None, first: str) -> tuple[Path, bool]:
    if into is None:
        into = Path(slug(re.sub(r"\.[^.]*$", "", first), "imported-course"))
    if (into / "course.yaml").is_file():
        return into.resolve(), False
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        raise CoursepackError.single(
            f"{into} is neither a course (no course.yaml) nor an empty folder",
            hint="give --into a course folder, or a new folder name for a new course")
    return into.resolve(), True


def plan_import(banks: list[Bank], into: Path | None, quiz: str | None, first: str) -> Plan:
    root, new = _target(into, first)
    if quiz is not None and not ID.match(quiz):
        raise CoursepackError.single(
            f"'{quiz}' is not a valid quiz name",
            hint="use lower-case letters, digits, '-' or '_', e.g. 'week-1'")
    plan = Plan(root, new)
    names, ids, objectives = _course_ids(root) if not new else (set(), set(), set())
    if quiz in names:
        raise CoursepackError.single(
            f"the course already has a quiz '{quiz}' (quizzes/{quiz}.yaml)",
            hint="give --quiz another name")
    given: dict[int, str] = {}  # id(Item) -> the id it was given, for pools that include it
    existing_images = _existing_images(root)
    todo: list[tuple[Bank, Group, str, dict[str, str]]] = []
    for bank in banks:
        renamed = _place_images(bank, existing_images, plan.images)
        groups = _merged(bank.groups, bank.name) if quiz else bank.groups
        groups = [part for group in groups for part in _parts(group, bank)]
        if quiz and todo:
            raise CoursepackError.single("--quiz names one quiz: import one file at a time, "
                                         "or leave --quiz out")
        for group in groups:
            base = quiz or slug(group.title, "imported")
            name = free(base, names)
            todo.append((bank, group, name, renamed))
            plan.quizzes.append(QuizFile(name, "", 0, 0))
    # Every question gets its id before any pool refers to it, whatever the order.
    taken = _Ids(ids, objectives, given)
    prepared = [_prepared(group, name, taken, renamed) for _, group, name, renamed in todo]

    plan.quizzes = [_quiz_file(bank, group, name, taken, renamed, ready)
                    for (bank, group, name, renamed), ready in zip(todo, prepared, strict=True)]
    plan.problems = [p for bank in banks for p in bank.problems] + taken.problems
    if not plan.quizzes:
        raise CoursepackError.single("the files hold no questions to import",
                                     Origin(banks[0].name if banks else ""))
    plan.course_yaml = _course_yaml(plan, root, new, banks)
    return plan


QUIZ_SIZE = 500
"""Questions per quiz file at most: a bigger category is split into parts, so that each file
stays well within the size and node limits every spec file is read with."""


def _parts(group: Group, bank: Bank) -> list[Group]:
    if len(group.items) <= QUIZ_SIZE:
        return [group]
    chunks = [group.items[i:i + QUIZ_SIZE] for i in range(0, len(group.items), QUIZ_SIZE)]
    parts = [Group(group.title if n == 0 else f"{group.title} (part {n + 1})", chunk,
                   group.description, group.shuffle, group.pools if n == 0 else [])
             for n, chunk in enumerate(chunks)]
    bank.warn(Origin(bank.name), f"'{group.title}' holds {len(group.items)} questions; it is "
              f"split into {len(parts)} quizzes of at most {QUIZ_SIZE}")
    return parts


def _merged(groups: list[Group], source: str) -> list[Group]:
    if len(groups) <= 1:
        return groups
    merged = Group(groups[0].title)
    for group in groups:
        merged.items += group.items
        if merged.shuffle is None:
            merged.shuffle = group.shuffle
    return [merged]


def _existing_images(root: Path) -> dict[str, bytes]:
    folder = root / "quizzes" / IMAGE_DIR
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} \
        if folder.is_dir() else {}


def _place_images(bank: Bank, existing: dict[str, bytes], planned: dict[str, bytes]
                  ) -> dict[str, str]:
    """Each image of ``bank`` under a name free in the course; old name -> new name."""
    renamed: dict[str, str] = {}
    taken = {k.lower(): v for k, v in {**existing, **planned}.items()}
    for name, data in bank.media.files.items():
        chosen, n = name, 2
        stem, dot, ext = name.rpartition(".")
        stem, ext = (stem, "." + ext) if dot else (name, "")
        while chosen.lower() in taken and taken[chosen.lower()] != data:
            chosen, n = f"{stem}-{n}{ext}", n + 1
        if chosen.lower() not in taken:
            planned[chosen] = data
            taken[chosen.lower()] = data
        if chosen != name:
            renamed[name] = chosen
    return renamed


def _renamed(value: Any, renamed: dict[str, str]) -> Any:
    if not renamed:
        return value
    if isinstance(value, str):
        for old, new in renamed.items():
            value = value.replace(quote(f"{IMAGE_DIR}/{old}", safe="/"),
                                  quote(f"{IMAGE_DIR}/{new}", safe="/"))
        return value
    if isinstance(value, dict):
        return {k: _renamed(v, renamed) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, renamed) for v in value]
    return value


@dataclass
class _Ids:
    taken: set[str]
    objectives: set[str]
    given: dict[int, str]
    problems: list[Problem] = field(default_factory=list)


def _question(item: Item, fallback: str, ids: _Ids, renamed: dict[str, str],
              shuffles: list[bool]) -> Item:
    """The item's spec with an id free in the course, its objectives, its notes."""
    assert item.spec is not None
    spec = _renamed(dict(item.spec), renamed)
    base = item.id_hint if ID.match(item.id_hint or "") else slug(
        item.id_hint or spec.get("title", ""), fallback)
    spec = {"id": free(base, ids.taken), **{k: v for k, v in spec.items() if k != "id"}}
    ids.given[id(item)] = spec["id"]
    notes = list(item.notes)
    tags = spec.pop("_tags", [])
    known = [t for t in tags if t in ids.objectives]
    if known:
        spec["objectives"] = known
    if len(known) < len(tags):
        notes.append("tags in the source: " + ", ".join(t for t in tags if t not in known))
    shuffle = spec.pop("_shuffle", None)
    if shuffle is not None:
        shuffles.append(shuffle)
    if spec.pop("_notes_stem", False):
        notes.append("the source has no text before its first gap: the stem is new")
    refused = refusals(spec)
    if refused:
        why = "; ".join(refused)
        warning = Problem(item.origin, f"{why}; kept as a comment in the quiz file",
                          Severity.WARNING, rule="import")
        ids.problems.append(warning)
        source = yaml.safe_dump([spec], allow_unicode=True, sort_keys=False, width=100)
        return Item(None, item.origin, kept=Kept(f"as read, {why}", source, item.origin))
    return Item(spec, item.origin, notes=notes)


def refusals(spec: dict[str, Any]) -> list[str]:
    """Why ``coursepack validate`` would refuse this question as it stands (a Moodle
    question with one choice, a matching question with one pair...), or nothing."""
    node = yaml.compose(yaml.dump(spec, Dumper=_DUMPER, allow_unicode=True), Loader=_LOADER)
    if node is None:
        return ["it is empty"]
    sink = Sink()
    question = read_question(Fields(node, "question", sink, "question"))
    found = [p.message for p in sink.problems if p.is_error]
    if question is not None:
        found += [p.message for check in QUESTION_CHECKS for p in check(question)
                  if p.is_error]
    return list(dict.fromkeys(found))


def _pools(group: Group, name: str, ids: _Ids, renamed: dict[str, str],
           shuffles: list[bool]) -> list[dict[str, Any]]:
    found = []
    pool_ids: set[str] = set()
    for pool in group.pools:
        inline = [_question(i, f"{name}-pool-{n}", ids, renamed, shuffles)
                  for n, i in enumerate(pool["questions"], start=1) if i.spec is not None]
        include = [ids.given[id(i)] for i in pool["include"] if id(i) in ids.given]
        if not inline and not include:
            continue
        spec: dict[str, Any] = {"id": free(slug(pool["id"], "pool"), pool_ids)}
        if pool.get("title"):
            spec["title"] = pool["title"]
        spec["pick"] = min(int(pool["pick"]), len(inline) + len(include))
        if pool.get("points") is not None:
            spec["points"] = pool["points"]
        if include:
            spec["include"] = include
        if inline:
            spec["questions"] = [i.spec for i in inline]
        found.append(spec)
    return found


def _prepared(group: Group, name: str, ids: _Ids, renamed: dict[str, str]
              ) -> tuple[list[Item], list[bool]]:
    shuffles: list[bool] = []
    items = [item if item.spec is None else _question(item, f"{name}-{n}", ids, renamed,
                                                      shuffles)
             for n, item in enumerate(group.items, start=1)]
    return items, shuffles


def _quiz_file(bank: Bank, group: Group, name: str, ids: _Ids, renamed: dict[str, str],
               ready: tuple[list[Item], list[bool]]) -> QuizFile:
    items, shuffles = ready
    pools = _pools(group, name, ids, renamed, shuffles)
    fields: dict[str, Any] = {"title": group.title}
    if group.description:
        fields["description"] = _renamed(group.description, renamed)
    shuffle = group.shuffle if group.shuffle is not None else (shuffles[0] if shuffles else None)
    if shuffle is not None:
        fields["settings"] = {"shuffle_options": shuffle}
    if pools:
        fields["pools"] = pools
    if len(set(shuffles)) > 1:
        bank.warn(Origin(bank.name), f"quiz '{name}': some questions shuffle their options "
                  "and some do not; the quiz shuffles them "
                  f"{'always' if shuffle else 'never'} (settings.shuffle_options)")
    header = [f"Imported by coursepack from {bank.name} ({_label(bank.format)}).",
              "Every field is described in docs/spec.md; what could not be imported is kept",
              "below as comments starting with NOT IMPORTED."]
    questions = [i for i in items if i.spec is not None]
    pooled = sum(len(p.get("questions", [])) for p in pools)
    if not questions and not pools:
        fields["description"] = fields.get("description") or (
            "Nothing in this quiz could be imported; see the comments below.")
    text = quiz_text(header, fields, items)
    if not questions and not pools:
        raise CoursepackError.single(
            f"nothing in '{group.title}' can be imported: every question is of a type the "
            "model has no place for", Origin(bank.name),
            hint="the warnings above name each question")
    return QuizFile(name, text, len(questions) + pooled, len(items) - len(questions))


def _label(fmt: str) -> str:
    from coursepack.importers import READERS

    return str(READERS[fmt].label) if fmt in READERS else fmt


_NEW_COURSE = """\
# A course made by 'coursepack import' around a question bank. Build it with:
#   coursepack build {folder}
# Every field is described in docs/spec.md; add modules and lessons as the course grows.
id: {id}
title: {title}
language: en
version: "1.0"
modules: []
quizzes:
{quizzes}"""


def _course_yaml(plan: Plan, root: Path, new: bool, banks: list[Bank]) -> str | None:
    if new:
        title = banks[0].groups[0].title if len(banks) == 1 and len(banks[0].groups) == 1 \
            else root.name.replace("-", " ").capitalize()
        return _NEW_COURSE.format(folder=root.name, id=slug(root.name, "imported-course"),
                                  title=scalar(title), quizzes="".join(
                                      f"  - {q.name}\n" for q in plan.quizzes))
    path = root / "course.yaml"
    raw = path.read_bytes().decode("utf-8")
    text = raw.replace("\r\n", "\n")
    if not listed(text, path, root, "quizzes"):
        return None  # the course finds every file in quizzes/ itself
    for quiz in plan.quizzes:
        text = append_item(text, path, root, "quizzes", quiz.name)
    return text.replace("\n", "\r\n") if "\r\n" in raw else text


@dataclass
class Done:
    written: list[Path] = field(default_factory=list)
    listed_in: list[Path] = field(default_factory=list)


def commit(plan: Plan) -> Done:
    """Write everything in a staging folder, move it into place, then validate the course;
    a course that does not validate afterwards is put back as it was."""
    root = plan.course
    if root.exists():  # before anything is read, written or moved in
        real = root.resolve()
        for rel, _ in _files(plan):
            refuse_link_out(real, real / rel)
    parent = root.parent if plan.new_course else root
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".coursepack-import-", dir=parent))
    done = Done()
    moved: list[Path] = []
    course_file = root / "course.yaml"
    old_course = course_file.read_bytes() if course_file.is_file() else None
    existed = root.exists()
    try:
        staged = _stage(plan, stage)
        if plan.new_course:
            root.mkdir(parents=True, exist_ok=True)
        for rel, path in staged:
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            moved.append(target)
        if plan.course_yaml is not None and not plan.new_course:
            done.listed_in.append(course_file)
        problems = _validate(root, None if plan.new_course else
                             {f"quizzes/{q.name}.yaml" for q in plan.quizzes})
        if problems:
            raise CoursepackError([*problems, error(None, "the imported quiz files do not "
                                   "validate; nothing was kept", hint="this is a bug in "
                                   "coursepack import: please report it with the bank file")])
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        if old_course is not None:
            course_file.write_bytes(old_course)
        if plan.new_course and not existed:
            shutil.rmtree(root, ignore_errors=True)
        elif plan.new_course:
            course_file.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    done.written = [m for m in moved if m != course_file]
    return done


def _files(plan: Plan) -> list[tuple[str, bytes]]:
    """Every file the import writes: its path in the course and its bytes."""
    files: list[tuple[str, bytes]] = [(f"quizzes/{q.name}.yaml", q.text.encode("utf-8"))
                                      for q in plan.quizzes]
    files += [(f"quizzes/{IMAGE_DIR}/{name}", data) for name, data in plan.images.items()]
    if plan.course_yaml is not None:
        files.append(("course.yaml", plan.course_yaml.encode("utf-8")))
    return files


def _stage(plan: Plan, stage: Path) -> list[tuple[str, Path]]:
    staged = []
    for rel, data in _files(plan):
        path = stage / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        staged.append((rel, path))
    return staged


def _validate(root: Path, files: set[str] | None) -> list[Problem]:
    """The errors the import caused: in the files it wrote (any, in a course it made)."""
    from coursepack.checks import check_course
    from coursepack.loader import load_course

    course, problems = load_course(root)
    problems += check_course(course)
    return [p for p in problems if p.is_error and (
        files is None or (p.origin is not None and p.origin.path in files))]


__all__ = ["Plan", "QuizFile", "commit", "plan_import", "slug"]
