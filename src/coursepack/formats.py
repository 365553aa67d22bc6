"""The registry of output formats: a format's name is its CLI value and its build/ folder.

A format is imported when it is first asked for, not with this module: a build of two
formats need not load the other ten. The registry also says, without importing a format,
which field of course.yaml it reads its settings from (``HasSettings``), and what its work
in the build's worker processes needs done first (``worker_setup``: importing WeasyPrint,
half a second), so that a build can start that before it loads anything else.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from coursepack.errors import Problem
    from coursepack.exporters.base import Exporter
    from coursepack.fields import HasSettings
    from coursepack.model import Course
    from coursepack.workers import Workers


@dataclass(frozen=True)
class _Place:
    module: str
    exporter: str  # its class in ``module``
    settings: str | None = None  # the field of course.yaml it reads (``settings_key``)
    setup: str | None = None  # "module:function" its workers run before its work


_PDF_WORKERS = "coursepack.exporters.pdf.pool:start_worker"
_PLACES = {
    "html": _Place("coursepack.exporters.html", "HtmlExporter"),
    "moodle-xml": _Place("coursepack.exporters.moodle_xml", "MoodleXmlExporter", "moodle"),
    "gift": _Place("coursepack.exporters.gift", "GiftExporter"),
    "qti12": _Place("coursepack.exporters.qti12", "Qti12Exporter"),
    "qti21": _Place("coursepack.exporters.qti21", "Qti21Exporter"),
    "scorm12": _Place("coursepack.exporters.scorm12", "Scorm12Exporter", "scorm"),
    "scorm2004": _Place("coursepack.exporters.scorm2004", "Scorm2004Exporter", "scorm"),
    "cmi5": _Place("coursepack.exporters.cmi5", "Cmi5Exporter", "cmi5"),
    "imscc": _Place("coursepack.exporters.imscc", "ImsccExporter"),
    "pdf": _Place("coursepack.exporters.pdf.exporter", "PdfExporter", "paper", _PDF_WORKERS),
    "field-pack": _Place("coursepack.exporters.field_pack", "FieldPackExporter", "field_pack",
                         _PDF_WORKERS),
    "single-file": _Place("coursepack.exporters.single_file", "SingleFileExporter"),
}

#: The fields of course.yaml the formats read their settings from.
SETTINGS_FIELDS = frozenset(p.settings for p in _PLACES.values() if p.settings is not None)


class _Registry(Mapping[str, "type[Exporter]"]):
    """Every format's exporter by name, each imported when first looked up."""

    def __getitem__(self, name: str) -> type[Exporter]:
        place = _PLACES[name]
        return cast("type[Exporter]", getattr(importlib.import_module(place.module),
                                              place.exporter))

    def __iter__(self) -> Iterator[str]:
        return iter(_PLACES)

    def __len__(self) -> int:
        return len(_PLACES)


EXPORTERS: Mapping[str, type[Exporter]] = _Registry()


def get_exporter(name: str) -> Exporter:
    """The exporter called ``name``, or an error listing the formats there are."""
    from coursepack.errors import CoursepackError

    try:
        return EXPORTERS[name]()
    except KeyError:
        raise CoursepackError.single(
            f"unknown format '{name}'", hint=f"formats: {', '.join(EXPORTERS)}"
        ) from None


def worker_setup(name: str) -> Callable[[], object] | None:
    """What the workers of a build of format ``name`` run before its work, imported
    without the format (None if its work needs nothing set up first)."""
    place = _PLACES.get(name)
    if place is None or place.setup is None:
        return None
    module, function = place.setup.split(":")
    return cast("Callable[[], object]", getattr(importlib.import_module(module), function))


def warm_early(workers: Workers, names: Iterable[str]) -> Callable[[], object] | None:
    """Have one worker set up (import WeasyPrint, say) while the course loads and is
    checked, for the first format of ``names`` that needs workers; returns that set-up.
    One: the build's own process keeps a core. The worker is stopped if that format turns
    out to have nothing to make. The others are forked only for more work than it can do
    (many documents to render, many texts to parse) and set up with their first job: forked
    sooner, they would take the one lesson an edit leaves to render, and import WeasyPrint
    for it, while the worker set up for it waits."""
    for name in names:
        setup = worker_setup(name)
        if setup is not None:
            workers.warm(setup, count=1)
            return setup
    return None


def settings_owners(fields: Iterable[str] | None = None) -> list[HasSettings]:
    """The formats that read settings of their own from course.yaml, one per field (SCORM
    1.2 and 2004 share ``scorm:``); only those of ``fields`` if given (the others are not
    imported)."""
    from coursepack.fields import HasSettings

    wanted = SETTINGS_FIELDS if fields is None else set(fields)
    owners: dict[str, HasSettings] = {}
    for name, place in _PLACES.items():
        if place.settings in wanted and place.settings not in owners:
            found = EXPORTERS[name]()
            if isinstance(found, HasSettings):
                owners[found.settings_key] = found
    return list(owners.values())


def format_problems(name: str, course: Course) -> list[Problem]:
    """What format ``name`` leaves out or changes: questions of a type it cannot write (from
    the question-type table), then the format's own checks of what it does write."""
    from coursepack.exporters.question_types import left_out

    return left_out(name, course) + get_exporter(name).check(course)
