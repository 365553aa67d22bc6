"""The registry of output formats: a format's name is its CLI value and its build/ folder.

Each format is imported when it is first asked for: importing all twelve takes a tenth of
a second, and a build starts the PDF renderer's slow set-up (``SetsUpWorkers``) before it
loads the rest, so the fewer modules before that, the sooner the PDFs are done.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import cast

from coursepack.errors import CoursepackError, Problem
from coursepack.exporters.base import Exporter
from coursepack.exporters.question_types import left_out
from coursepack.fields import HasSettings
from coursepack.model import Course

#: name -> (module, class) of its exporter
_PLACES = {
    "html": ("coursepack.exporters.html", "HtmlExporter"),
    "moodle-xml": ("coursepack.exporters.moodle_xml", "MoodleXmlExporter"),
    "gift": ("coursepack.exporters.gift", "GiftExporter"),
    "qti12": ("coursepack.exporters.qti12", "Qti12Exporter"),
    "qti21": ("coursepack.exporters.qti21", "Qti21Exporter"),
    "scorm12": ("coursepack.exporters.scorm12", "Scorm12Exporter"),
    "scorm2004": ("coursepack.exporters.scorm2004", "Scorm2004Exporter"),
    "cmi5": ("coursepack.exporters.cmi5", "Cmi5Exporter"),
    "imscc": ("coursepack.exporters.imscc", "ImsccExporter"),
    "pdf": ("coursepack.exporters.pdf.exporter", "PdfExporter"),
    "field-pack": ("coursepack.exporters.field_pack", "FieldPackExporter"),
    "single-file": ("coursepack.exporters.single_file", "SingleFileExporter"),
}


class _Registry(Mapping[str, type[Exporter]]):
    """Every format's exporter by name, each imported when first looked up."""

    def __getitem__(self, name: str) -> type[Exporter]:
        module, attribute = _PLACES[name]
        return cast("type[Exporter]", getattr(importlib.import_module(module), attribute))

    def __iter__(self) -> Iterator[str]:
        return iter(_PLACES)

    def __len__(self) -> int:
        return len(_PLACES)


EXPORTERS: Mapping[str, type[Exporter]] = _Registry()


def get_exporter(name: str) -> Exporter:
    """The exporter called ``name``, or an error listing the formats there are."""
    try:
        return EXPORTERS[name]()
    except KeyError:
        raise CoursepackError.single(
            f"unknown format '{name}'", hint=f"formats: {', '.join(EXPORTERS)}"
        ) from None


def settings_owners() -> list[HasSettings]:
    """The formats that read settings of their own from course.yaml, one per field (SCORM
    1.2 and 2004 share ``scorm:``)."""
    owners: dict[str, HasSettings] = {}
    for exporter in EXPORTERS.values():
        found = exporter()
        if isinstance(found, HasSettings):
            owners.setdefault(found.settings_key, found)
    return list(owners.values())


def format_problems(name: str, course: Course) -> list[Problem]:
    """What format ``name`` leaves out or changes: questions of a type it cannot write (from
    the question-type table), then the format's own checks of what it does write."""
    return left_out(name, course) + get_exporter(name).check(course)
