"""SCORM 1.2 package: the HTML course inside, one SCO per module (or one for the course).

Each SCO is a small launch page at the package root that talks to the LMS and shows the
course pages in a frame; ``scorm/scorm-adapter.js`` turns the quiz runtime's events into
SCORM calls. SCORM 2004 (``scorm2004.py``) subclasses this and changes only the manifest.

A module SCO is one part of the course path (``exporters/html/path.py``): its pages show only
its module's overview, lessons and quizzes, lead from one to the next, and link nowhere else;
the adapter sends a page of another SCO back to the SCO's start. Status rules, the same in
both versions (docs/formats.md): completed once every lesson was opened and every quiz
submitted, or once the quizzes are passed; passed or failed by the best score against the
pass mark. SCORM 1.2 has one status: passed/failed once a quiz is submitted, else
completed/incomplete.

Both read course.yaml's ``scorm:`` settings::

    scorm:
      sco_per: module    # module (one SCO per module and standalone quiz) or course
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

from coursepack import render
from coursepack.errors import Problem, warning
from coursepack.exporters._package import UNIT_PAGES, lms_site, zip_files
from coursepack.exporters.base import ExportContext
from coursepack.exporters.html import essay_problems
from coursepack.exporters.html.path import CoursePath
from coursepack.exporters.html.paths import lesson_path
from coursepack.exporters.question_types import written
from coursepack.fields import Fields, settings_mapping
from coursepack.model import Course, Quiz
from coursepack.spec_schema import Schema, record

CONTENT = "course"
ADAPTER = "scorm/scorm-adapter.js"


class ScoPer(Enum):
    MODULE = "module"
    COURSE = "course"


@dataclass(frozen=True)
class ScormSettings:
    """course.yaml's ``scorm:``, shared by SCORM 1.2 and 2004."""

    sco_per: ScoPer = ScoPer.MODULE

    @staticmethod
    def read(g: Fields) -> ScormSettings:
        return ScormSettings(g.choice("sco_per", ScoPer, ScoPer.MODULE))


@dataclass(frozen=True)
class Sco:
    """One launchable unit: where it starts, which lessons and quizzes it tracks."""

    id: str
    title: str
    start: str
    lessons: tuple[str, ...]
    quizzes: tuple[Quiz, ...]
    pages: tuple[str, ...] = ()  # the course pages it may show; () for the whole course

    @property
    def pass_mark(self) -> float | None:
        """The points-weighted mean of its quizzes' pass marks, in percent."""
        total = sum(q.max_points for q in self.quizzes)
        if not self.quizzes:
            return None
        if not total:
            return sum(q.settings.pass_mark for q in self.quizzes) / len(self.quizzes)
        return sum(q.settings.pass_mark * q.max_points for q in self.quizzes) / total

    @property
    def launch(self) -> str:
        return f"sco-{self.id}.html"

    def config(self, version: str, course: Course) -> dict[str, Any]:
        """What the adapter needs to know, embedded as JSON in the launch page."""
        return {
            "version": version,
            "courseId": course.id,
            "sco": self.id,
            "content": CONTENT + "/",
            "start": self.start,
            "lessons": list(self.lessons),
            "pages": list(self.pages),
            "quizzes": {q.id: {"max": q.max_points, "passMark": q.settings.pass_mark}
                        for q in self.quizzes},
            "passMark": self.pass_mark,
        }


def plan_scos(course: Course, settings: ScormSettings) -> list[Sco]:
    """The SCOs of a course: one per part of its path (each module, each standalone quiz),
    or one for the whole course."""
    if settings.sco_per is ScoPer.COURSE:
        lessons = tuple(lesson_path(m, lesson) for m, lesson in course.lessons())
        return [Sco(course.id, course.title, "index.html", lessons, course.quizzes)]
    return [
        Sco(part.id, part.title, part.start.path,
            tuple(step.path for step in part.steps if step.kind == "lesson"),
            tuple(step.quiz for step in part.steps if step.quiz is not None),
            part.paths)
        for part in CoursePath(course, split=True).parts
    ]


class Scorm12Exporter:
    name: ClassVar[str] = "scorm12"
    summary: ClassVar[str] = "SCORM 1.2 package (zip) whose quiz scores reach the LMS"
    version: ClassVar[str] = "1.2"
    manifest_template: ClassVar[str] = "imsmanifest.xml.j2"
    suspend_limit: ClassVar[int] = 4096
    settings_key: ClassVar[str] = "scorm"
    settings_schema: ClassVar[Schema] = record([], sco_per={"enum": [s.value for s in ScoPer]})

    def settings(self, course: Course) -> tuple[ScormSettings, list[Problem]]:
        return settings_mapping(course, self.settings_key, "scorm settings", ScormSettings.read,
                                ScormSettings())

    def check(self, course: Course) -> list[Problem]:
        problems = [p for _, q in course.questions() for p in essay_problems(q, self.name)]
        for sco in plan_scos(course, self.settings(course)[0]):
            marks = {q.settings.pass_mark for q in sco.quizzes}
            if len(marks) > 1 and sco.pass_mark is not None:
                problems.append(warning(
                    course.origin,
                    f"{self.name}: the SCO '{sco.id}' holds quizzes with different pass marks; "
                    f"the LMS gets their points-weighted mean, {sco.pass_mark:g}%",
                    hint="set sco_per: module, or give the quizzes one pass mark",
                ))
        return problems

    def export(self, ctx: ExportContext) -> Path:
        ctx = dataclasses.replace(ctx, course=written(self.name, ctx.course))
        course = ctx.course
        settings = self.settings(course)[0]
        files = lms_site(ctx, CONTENT, [ADAPTER], split=settings.sco_per is ScoPer.MODULE)
        scos = plan_scos(course, settings)
        for sco in scos:
            files[sco.launch] = self.launch_page(course, sco).encode()
        manifest = self.manifest(course, scos, sorted(files))
        files = {"imsmanifest.xml": manifest.encode(), **dict(sorted(files.items()))}
        target = ctx.out.path(f"{course.id}-{self.name}.zip")
        zip_files(files, target, ctx.cache)
        ctx.notes.append(f"{self.name}: {len(scos)} SCO(s) in {target.name}; "
                         "import the zip as a SCORM package")
        return target

    def launch_page(self, course: Course, sco: Sco) -> str:
        env = render.environment("scorm", course.root)
        config = sco.config(self.version, course) | {"suspendLimit": self.suspend_limit}
        text = json.dumps(config, sort_keys=True).replace("</", "<\\/")
        return render.render(env, "launch.html.j2", course=course, sco=sco,
                             config=text, scripts=[UNIT_PAGES, ADAPTER])

    def manifest(self, course: Course, scos: list[Sco], files: list[str]) -> str:
        env = render.environment(self.name, course.root)
        return render.render(env, self.manifest_template, course=course, scos=scos,
                             files=files, identifier=xml_id(course.id),
                             xml_id=xml_id, mastery=mastery, scaled=scaled)


def xml_id(text: str) -> str:
    """An XML ID (NCName) made from a course id: letters first, no spaces or colons."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "-", text)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"id-{cleaned}"


def scaled(pass_mark: float) -> str:
    """A pass mark in percent as a 2004 normalized measure (0 to 1)."""
    return f"{round(pass_mark / 100, 4):g}"


def mastery(pass_mark: float) -> str:
    """A pass mark as the manifest writes it: at most two decimals, no trailing zeros."""
    return f"{round(pass_mark, 2):g}"
