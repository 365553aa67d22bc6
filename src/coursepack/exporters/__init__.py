"""The registry of output formats: a format's name is its CLI value and its build/ folder."""

from __future__ import annotations

from coursepack.errors import CoursepackError, Problem
from coursepack.exporters.base import (
    ExportContext,
    Exporter,
    OutputDir,
    SetsUpWorkers,
    ShowsNoLessons,
    StartsEarly,
)
from coursepack.exporters.cmi5 import Cmi5Exporter
from coursepack.exporters.field_pack import FieldPackExporter
from coursepack.exporters.gift import GiftExporter
from coursepack.exporters.html import HtmlExporter
from coursepack.exporters.imscc import ImsccExporter
from coursepack.exporters.moodle_xml import MoodleXmlExporter
from coursepack.exporters.pdf import PdfExporter
from coursepack.exporters.qti12 import Qti12Exporter
from coursepack.exporters.qti21 import Qti21Exporter
from coursepack.exporters.question_types import left_out
from coursepack.exporters.scorm12 import Scorm12Exporter
from coursepack.exporters.scorm2004 import Scorm2004Exporter
from coursepack.exporters.single_file import SingleFileExporter
from coursepack.fields import HasSettings
from coursepack.model import Course

EXPORTERS: dict[str, type[Exporter]] = {
    "html": HtmlExporter,
    "moodle-xml": MoodleXmlExporter,
    "gift": GiftExporter,
    "qti12": Qti12Exporter,
    "qti21": Qti21Exporter,
    "scorm12": Scorm12Exporter,
    "scorm2004": Scorm2004Exporter,
    "cmi5": Cmi5Exporter,
    "imscc": ImsccExporter,
    "pdf": PdfExporter,
    "field-pack": FieldPackExporter,
    "single-file": SingleFileExporter,
}


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


__all__ = ["EXPORTERS", "ExportContext", "Exporter", "OutputDir", "SetsUpWorkers",
           "ShowsNoLessons", "StartsEarly", "format_problems", "get_exporter", "settings_owners"]
