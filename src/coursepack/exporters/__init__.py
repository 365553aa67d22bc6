"""The registry of output formats: a format's name is its CLI value and its build/ folder."""

from __future__ import annotations

from coursepack.errors import CoursepackError
from coursepack.exporters.base import ExportContext, Exporter, OutputDir
from coursepack.exporters.html import HtmlExporter

EXPORTERS: dict[str, type[Exporter]] = {
    "html": HtmlExporter,
}


def get_exporter(name: str) -> Exporter:
    """The exporter called ``name``, or an error listing the formats there are."""
    try:
        return EXPORTERS[name]()
    except KeyError:
        raise CoursepackError.single(
            f"unknown format '{name}'", hint=f"formats: {', '.join(EXPORTERS)}"
        ) from None


__all__ = ["EXPORTERS", "ExportContext", "Exporter", "OutputDir", "get_exporter"]
