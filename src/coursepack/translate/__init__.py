"""Course translation: extract the texts for a translator, read the translation back.

    extract(course, "fr")       writes translations/fr/course.po and course.xlf
    translated(course, "fr")    the course with the French texts, and located warnings
    status(course, "fr")        counts of translated / stale / missing / obsolete units

A translation is read from the PO file, and for a unit the PO file lacks (or leaves
untranslated) from the XLIFF file: a translator returns either. Quotes are never
translated: they stay verified against their source, in its language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from yaml.error import Mark
from yaml.nodes import ScalarNode

from coursepack.confinement import confined, refuse_link_out
from coursepack.errors import CoursepackError, Origin, Problem, error, quoted, warning
from coursepack.fields import UNWRITABLE
from coursepack.loader import assets
from coursepack.loader.course import language_problem
from coursepack.model import Course
from coursepack.model.text import Markdown
from coursepack.translate.files import (
    Entry,
    Planned,
    read_catalog,
    read_xliff,
    write_catalog,
    write_xliff,
)
from coursepack.translate.units import Unit, rewritten, units

FOLDER = "translations"
PO_NAME = "course.po"
XLIFF_NAME = "course.xlf"
_BLANK = re.compile(r"\[\[\s*([^\]]*?)\s*\]\]")


def folder_of(language: str) -> str:
    return f"{FOLDER}/{language}"


@dataclass
class Status:
    """How complete one language is, and every warning with its place."""

    language: str
    translated: int = 0
    stale: int = 0
    missing: int = 0
    obsolete: int = 0
    problems: list[Problem] = field(default_factory=list)


def extract(course: Course, language: str) -> tuple[Path, Path, Status]:
    """Write (or update) the PO and XLIFF files of ``language``, keeping every translation."""
    _check_language(course, language)
    known = _entries(course.root, language)
    current = _sorted_units(course)
    planned = [_planned(unit, known.get(unit.id)) for unit in current]
    ids = {unit.id for unit in current}
    obsolete = [e for e in known.values() if e.id not in ids and e.target]
    folder = course.root / folder_of(language)
    po, xlf = folder / PO_NAME, folder / XLIFF_NAME
    root = course.root.resolve()
    for path in (po, xlf):
        refuse_link_out(root, root / path.relative_to(course.root))
    write_catalog(po, language, course.language, course.title, planned, obsolete,
                  course.version)
    write_xliff(xlf, language, course.language, planned, obsolete)
    return po, xlf, status(course, language)


def _planned(unit: Unit, entry: Entry | None) -> Planned:
    if entry is None or not entry.target:
        return Planned(unit)
    if entry.hash == unit.hash and not entry.stale:
        return Planned(unit, entry.target)
    # Extracted again while still stale: the file's source is already the current one.
    previous = entry.source if entry.source != unit.text else entry.previous
    return Planned(unit, entry.target, previous=previous, stale=True)


def _sorted_units(course: Course) -> list[Unit]:
    found = units(course)
    return sorted(found, key=lambda u: (u.origin.path, u.origin.line, u.origin.column))


def status(course: Course, language: str) -> Status:
    """Counts and located warnings of one language's translation."""
    result = Status(language)
    translated_course(course, language, result)
    return result


def translated(course: Course, language: str) -> tuple[Course, list[Problem]]:
    """``course`` in ``language``: every translated text in place of its source (a missing
    one falls back to the source), with the warnings and errors found on the way."""
    result = Status(language)
    return translated_course(course, language, result), result.problems


def translated_course(course: Course, language: str, result: Status) -> Course:
    _check_language(course, language)
    known = _entries(course.root, language)
    files = f"{folder_of(language)}/{PO_NAME} or {XLIFF_NAME}"
    root = course.root.resolve()
    seen: set[str] = set()

    def replace_text(unit: Unit) -> str:
        first = unit.id not in seen
        seen.add(unit.id)
        entry = known.get(unit.id)
        if entry is None or not entry.target:
            if first:
                result.missing += 1
                result.problems.append(warning(
                    unit.origin, f"no {language} translation of {_what(unit)}: falls back to "
                    "the source text", hint=f"translate unit '{unit.id}' in {files}"))
            return unit.text
        if first:
            _count(result, unit, entry)
        return _vetted(root, unit, entry, result.problems if first else [])

    new = replace(rewritten(course, replace_text), language=language,
                  written_in=course.quotes_language())
    ids = {u.id for u in units(course)}
    for entry in known.values():
        if entry.id not in ids and (entry.target or not entry.obsolete):
            result.obsolete += 1
            hint = ("kept at the end of the file in case the text comes back; delete it when "
                    "it is no longer wanted") if entry.obsolete else (
                    "extract again to move it to the end of the file, or delete it")
            result.problems.append(warning(
                entry.origin, f"obsolete: unit '{entry.id}' is no longer in the course",
                hint=hint))
    return new


def _count(result: Status, unit: Unit, entry: Entry) -> None:
    if entry.hash == unit.hash and not entry.stale:
        result.translated += 1
        return
    result.stale += 1
    result.problems.append(warning(
        entry.origin, f"stale: the source of unit '{unit.id}' changed since it was "
        f"translated (source at {unit.origin})",
        hint="check the translation against the new source, then extract again and clear "
        "the fuzzy mark (PO) or set state=\"translated\" (XLIFF)"))


def _what(unit: Unit) -> str:
    return unit.id.split("#", 1)[-1]


def _vetted(root: Path, unit: Unit, entry: Entry, problems: list[Problem]) -> str:
    """The translation of ``unit``, checked as its source is: writable characters, the same
    blanks, and in Markdown the files it references vetted by the loader's own rules."""
    text = entry.target
    bad = UNWRITABLE.search(text)
    if bad is not None:
        problems.append(error(entry.origin, f"the translation of '{unit.id}' contains the "
                              f"control character U+{ord(bad.group()):04X}",
                              hint="delete it"))
        text = UNWRITABLE.sub("", text)
    wanted, got = _blanks(unit.text), _blanks(text)
    if wanted != got:
        problems.append(error(entry.origin, f"the translation of '{unit.id}' must keep the "
                              f"blanks {', '.join(sorted(wanted)) or '(none)'} written as "
                              f"[[id]] (it has {', '.join(sorted(got)) or 'none'})",
                              hint="copy each [[id]] of the source unchanged"))
    if not unit.markdown:
        return text
    node = ScalarNode("tag:yaml.org,2002:str", text, _START, _START, style=None)
    found, vetting = assets.resolve(root, unit.origin.path, node, text)
    problems.extend(replace(p, origin=entry.origin) for p in vetting)
    kept = [replace(a, origin=entry.origin) for a in found]
    return Markdown(text, kept, entry.origin)


_START = Mark("translation", 0, 0, 0, "", 0)


def _blanks(text: str) -> set[str]:
    return set(_BLANK.findall(text)) if "[[" in text else set()


def _entries(root: Path, language: str) -> dict[str, Entry]:
    """The units of both translation files by id: the PO file's first, then the XLIFF's
    for what the PO file lacks or leaves untranslated."""
    folder = root / folder_of(language)
    found: dict[str, Entry] = {}
    for name, read in ((PO_NAME, read_catalog), (XLIFF_NAME, read_xliff)):
        relpath = f"{folder_of(language)}/{name}"
        if not (folder / name).exists():
            continue
        path, why = confined(root.resolve(), folder / name)
        if why is not None:
            raise CoursepackError([error(Origin(relpath), f"{relpath} {why.value}")])
        for entry in read(path, relpath):
            have = found.get(entry.id)
            if have is None or (not have.target and entry.target):
                found[entry.id] = entry
            elif entry.previous and not have.previous:  # PO readers drop the old source
                found[entry.id] = replace(have, previous=entry.previous)
    return found


def editions(course: Course, strict: bool = False) -> tuple[list[tuple[str, Course]],
                                                            list[Problem]]:
    """The course in each language of ``languages:`` but its own, and what a build reports:
    stale and wrong translations at their lines, missing ones counted per language (the
    list: ``coursepack translate status``). Errors (warnings too, when ``strict``) raise."""
    built: list[tuple[str, Course]] = []
    problems: list[Problem] = []
    for language in course.languages:
        if language == course.language:
            continue
        result = Status(language)
        built.append((language, translated_course(course, language, result)))
        problems += [p for p in result.problems if not p.message.startswith("no ")]
        if result.missing:
            problems.append(warning(
                Origin(folder_of(language)), f"{result.missing} text{'s' * (result.missing != 1)}"
                f" of the course {'have' if result.missing != 1 else 'has'} no {language} "
                "translation: the source text is used", hint=f"coursepack translate extract "
                f"--lang {language} adds them to the files; coursepack translate status lists "
                "them"))
    if strict:
        problems = [p.promoted() for p in problems]
    if any(p.is_error for p in problems):
        raise CoursepackError(problems)
    return built, problems


def _check_language(course: Course, language: str) -> None:
    why = language_problem(language)
    if why:
        raise CoursepackError([error(None, f"unknown language code '{quoted(language)}': {why}",
                                     hint="use a code such as fr, ar, es, pt_BR")])
    if language == course.language:
        raise CoursepackError([error(course.origin, f"'{language}' is the course's own "
                                     "language: there is nothing to translate into it",
                                     hint="name another language with --lang")])


__all__ = ["Status", "editions", "extract", "status", "translated"]
