"""Each module (and each quiz of no module) as one self-contained HTML file, alone.

The same files as the field pack's ``modules/`` (exporters/field_pack/single_file.py makes
them), byte for byte, for sending one module by email or a messaging app; images and the
size budget follow course.yaml's ``field_pack:`` settings. Templates: templates/single-file/.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import ClassVar

from coursepack.errors import Problem
from coursepack.exporters.base import ExportContext
from coursepack.exporters.field_pack import FieldPackExporter, Packer
from coursepack.exporters.html import essay_problems
from coursepack.exporters.question_types import written
from coursepack.model import Course


class SingleFileExporter:
    """The field pack's single-file modules alone, for sending one module by email or a
    messaging app; images and the size budget follow course.yaml's ``field_pack:``."""

    name: ClassVar[str] = "single-file"
    summary: ClassVar[str] = ("each module (and final quiz) as one self-contained HTML file "
                              "that works alone, offline, from email or a phone")

    def check(self, course: Course) -> list[Problem]:
        return [p for _, q in course.questions() for p in essay_problems(q, self.name)]

    def export(self, ctx: ExportContext) -> Path:
        course = written(self.name, ctx.course)
        ctx = dataclasses.replace(ctx, course=course)
        packer = Packer(ctx, FieldPackExporter().settings(course)[0])
        modules = packer.single_files()
        for module in modules:
            ctx.out.write_bytes(module.name, module.data)
        ctx.notes.extend(packer.module_notes())
        return ctx.out.root / modules[0].name if modules else ctx.out.root
