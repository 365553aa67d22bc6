"""SCORM 2004 4th Edition package: the SCORM 1.2 package with a 2004 manifest and API."""

from __future__ import annotations

from typing import ClassVar

from coursepack.exporters.scorm12 import Scorm12Exporter


class Scorm2004Exporter(Scorm12Exporter):
    name: ClassVar[str] = "scorm2004"
    summary: ClassVar[str] = "SCORM 2004 4th Edition package (zip) whose quiz scores reach the LMS"
    version: ClassVar[str] = "2004"
    suspend_limit: ClassVar[int] = 64000
