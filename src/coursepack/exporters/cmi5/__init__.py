"""cmi5 course package: the HTML course inside, one assignable unit (AU) per module.

A cmi5 LMS imports the zip's ``cmi5.xml`` (the course structure) and launches each AU's page
with the cmi5 launch parameters; ``cmi5/cmi5-adapter.js`` then fetches the session's token,
reads the LMS's launch data and reports through xAPI: the cmi5-defined statements
(initialized, completed, passed or failed, terminated) and an "answered" statement per
question (built by the site's ``assets/xapi.js``). AUs are planned as SCORM plans its SCOs
(``scorm12.plan_scos``): one per part of the course path (each module with its lessons and
quiz, each quiz of no module such as a final assessment), or one for the whole course.

course.yaml's ``cmi5:`` settings::

    cmi5:
      au_per: module              # module (one AU per module and standalone quiz) or course
      move_on: auto               # auto (passed where a unit has marked questions, else
                                  # completed), passed, completed, completed-and-passed,
                                  # completed-or-passed or not-applicable
      launch_method: any-window   # any-window or own-window
      activity_base: https://training.example.org/courses/diplomacy   # IRI; optional

Activity ids derive from ``activity_base`` (default ``urn:coursepack:<course id>``): the
course is the base itself, each AU ``<base>/au/<unit id>``, each quiz and question as
``xapi.js`` names them. They never change between builds of the same course.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from coursepack import markup, render
from coursepack.errors import Problem, error, warning
from coursepack.exporters._package import UNIT_PAGES, lms_site, zip_files
from coursepack.exporters._quizbank import warn
from coursepack.exporters.base import ExportContext
from coursepack.exporters.html import essay_problems
from coursepack.exporters.question_types import written
from coursepack.exporters.scorm12 import Sco, ScoPer, ScormSettings, plan_scos, scaled
from coursepack.fields import Fields, settings_mapping
from coursepack.model import BlankKind, Course, Essay, FillBlanks, Question, ShortAnswer
from coursepack.spec_schema import Schema, record

CONTENT = "course"
ADAPTER = "cmi5/cmi5-adapter.js"
XAPI = f"{CONTENT}/assets/xapi.js"
MESSAGES = f"{CONTENT}/assets/messages.js"  # the interface words, for the adapter
DELIMITER = "[,]"
MAX_PATTERNS = 32  # xapi.js: at most this many fill-in patterns per question
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


class MoveOn(Enum):
    AUTO = "auto"
    PASSED = "passed"
    COMPLETED = "completed"
    COMPLETED_AND_PASSED = "completed-and-passed"
    COMPLETED_OR_PASSED = "completed-or-passed"
    NOT_APPLICABLE = "not-applicable"


class LaunchMethod(Enum):
    ANY_WINDOW = "any-window"
    OWN_WINDOW = "own-window"


_MOVE_ON_XML = {MoveOn.PASSED: "Passed", MoveOn.COMPLETED: "Completed",
                MoveOn.COMPLETED_AND_PASSED: "CompletedAndPassed",
                MoveOn.COMPLETED_OR_PASSED: "CompletedOrPassed",
                MoveOn.NOT_APPLICABLE: "NotApplicable"}
_LAUNCH_XML = {LaunchMethod.ANY_WINDOW: "AnyWindow", LaunchMethod.OWN_WINDOW: "OwnWindow"}


@dataclass(frozen=True)
class Cmi5Settings:
    """course.yaml's ``cmi5:``."""

    au_per: ScoPer = ScoPer.MODULE
    move_on: MoveOn = MoveOn.AUTO
    launch_method: LaunchMethod = LaunchMethod.ANY_WINDOW
    activity_base: str = ""

    @staticmethod
    def read(g: Fields) -> Cmi5Settings:
        return Cmi5Settings(
            g.choice("au_per", ScoPer, ScoPer.MODULE),
            g.choice("move_on", MoveOn, MoveOn.AUTO),
            g.choice("launch_method", LaunchMethod, LaunchMethod.ANY_WINDOW),
            _activity_base(g),
        )


def _activity_base(g: Fields) -> str:
    """``activity_base``: an absolute IRI (scheme first, no spaces), kept without a final /."""
    text = g.text("activity_base").strip()
    if text and (not _IRI.fullmatch(text) or "#" in text):
        g.fail(g.items["activity_base"][1],
               f"'activity_base' must be an absolute IRI such as "
               f"https://training.example.org/courses/my-course (got '{text[:80]}')",
               hint="start it with https:// and a domain your organisation controls; no "
                    "spaces, no '#'; or leave it out for urn:coursepack:<course id>")
        return ""
    return text.rstrip("/")


def activity_base(course: Course, settings: Cmi5Settings) -> str:
    """The base IRI of the course's activities (as ``xapi.js``'s ``activityBase``)."""
    return settings.activity_base or f"urn:coursepack:{quote(course.id, safe='')}"


@dataclass(frozen=True)
class Au:
    """One assignable unit: the SCO-like part of the course it shows, and its cmi5 terms."""

    part: Sco
    iri: str
    move_on: str
    mastery_score: float | None
    launch_method: str

    @property
    def launch(self) -> str:
        return f"au-{self.part.id}.html"

    @property
    def marked(self) -> bool:
        return marked(self.part)

    def config(self, course: Course, base: str) -> dict[str, Any]:
        """What the adapter needs to know, embedded as JSON in the launch page."""
        sco = self.part
        return {
            "courseId": course.id, "au": sco.id, "auIri": self.iri, "activityBase": base,
            "lang": course.language, "title": markup.as_line(sco.title),
            "content": CONTENT + "/", "start": sco.start, "lessons": list(sco.lessons),
            "pages": list(sco.pages),
            "quizzes": {q.id: {"max": q.max_points, "passMark": q.settings.pass_mark}
                        for q in sco.quizzes},
            "masteryScore": self.mastery_score, "moveOn": self.move_on,
        }


def marked(part: Sco) -> bool:
    """Whether a unit holds a question the site marks (an essay waits for a trainer)."""
    return any(q.scored and not isinstance(q, Essay) and q.points > 0
               for quiz in part.quizzes for q in quiz.all_questions())


def plan_aus(course: Course, settings: Cmi5Settings) -> list[Au]:
    """The AUs of a course, in the order of its path."""
    base = activity_base(course, settings)
    aus = []
    for sco in plan_scos(course, ScormSettings(settings.au_per)):
        mark = sco.pass_mark if marked(sco) else None
        move_on = settings.move_on
        if move_on is MoveOn.AUTO:
            move_on = MoveOn.PASSED if mark is not None else MoveOn.COMPLETED
        aus.append(Au(sco, f"{base}/au/{quote(sco.id, safe='')}", _MOVE_ON_XML[move_on],
                      None if mark is None else float(scaled(mark)),
                      _LAUNCH_XML[settings.launch_method]))
    return aus


class Cmi5Exporter:
    name: ClassVar[str] = "cmi5"
    summary: ClassVar[str] = "cmi5 course package (zip): every answer reaches the LMS via xAPI"
    settings_key: ClassVar[str] = "cmi5"
    settings_schema: ClassVar[Schema] = record(
        [], au_per={"enum": [s.value for s in ScoPer]},
        move_on={"enum": [m.value for m in MoveOn]},
        launch_method={"enum": [m.value for m in LaunchMethod]},
        activity_base={"type": "string"})

    def settings(self, course: Course) -> tuple[Cmi5Settings, list[Problem]]:
        return settings_mapping(course, self.settings_key, "cmi5 settings", Cmi5Settings.read,
                                Cmi5Settings())

    def check(self, course: Course) -> list[Problem]:
        """What a cmi5 LMS will not see as the course has it."""
        settings, problems = self.settings(course)
        found = [p for _, q in course.questions() for p in essay_problems(q, self.name)]
        found += [p for p in problems if p.is_error]
        for au in plan_aus(course, settings):
            found += self.unit_problems(course, au)
        for _, q in course.questions():
            found += statement_losses(q)
        return found

    def unit_problems(self, course: Course, au: Au) -> list[Problem]:
        marks = {q.settings.pass_mark for q in au.part.quizzes}
        problems: list[Problem] = []
        if len(marks) > 1 and au.mastery_score is not None:
            problems.append(warning(
                course.origin,
                f"cmi5: the unit '{au.part.id}' holds quizzes with different pass marks; its "
                f"masteryScore is their points-weighted mean, {au.mastery_score:g}",
                hint="give the quizzes of this unit one pass mark"))
        if au.move_on in ("Passed", "CompletedAndPassed") and not au.marked:
            problems.append(error(
                course.origin,
                f"cmi5: the unit '{au.part.id}' has no marked question, so it can never be "
                f"passed, but its moveOn is {au.move_on}",
                hint="set cmi5: {move_on: auto} (or completed) for this course"))
        return problems

    def export(self, ctx: ExportContext) -> Path:
        ctx = dataclasses.replace(ctx, course=written(self.name, ctx.course))
        course = ctx.course
        settings = self.settings(course)[0]
        aus = plan_aus(course, settings)
        files = lms_site(ctx, CONTENT, [ADAPTER], split=settings.au_per is ScoPer.MODULE)
        base = activity_base(course, settings)
        for au in aus:
            files[au.launch] = self.launch_page(course, au, base).encode()
        structure = self.course_structure(course, aus, base)
        files = {"cmi5.xml": structure.encode(), **dict(sorted(files.items()))}
        target = ctx.out.path(f"{course.id}-{self.name}.zip")
        zip_files(files, target, ctx.cache)
        ctx.notes.append(f"{self.name}: {len(aus)} assignable unit(s) in {target.name}; "
                         "import the zip into a cmi5 LMS")
        return target

    def launch_page(self, course: Course, au: Au, base: str) -> str:
        env = render.environment(self.name, course.root)
        text = json.dumps(au.config(course, base), sort_keys=True, ensure_ascii=False)
        text = text.replace("</", "<\\/").replace("<!--", "<\\!--")
        return render.render(env, "launch.html.j2", course=course, au=au, config=text,
                             scripts=[MESSAGES, XAPI, UNIT_PAGES, ADAPTER])

    def course_structure(self, course: Course, aus: list[Au], base: str) -> str:
        env = render.environment(self.name, course.root)
        return render.render(env, "cmi5.xml.j2", course=course, aus=aus, course_iri=base,
                             description=_description,
                             unit_description=lambda au: unit_description(course, au))


def _description(text: str, fallback: str) -> str:
    """A one-line description for cmi5.xml (the structure needs one for every element)."""
    line = markup.as_line(text) if text else ""
    return line or markup.as_line(fallback)


def unit_description(course: Course, au: Au) -> str:
    """An AU's description: its module's or its quiz's, else its title."""
    texts = [m.description for m in course.modules if m.id == au.part.id]
    texts += [q.description for q in course.quizzes if q.id == au.part.id]
    if au.part.id == course.id:
        texts.append(course.description)
    return _description(next((t for t in texts if t), ""), au.part.title)


def statement_losses(q: Question) -> list[Problem]:
    """What an "answered" statement cannot say exactly as the course does (xapi.js's rules)."""
    found: list[Problem] = []
    texts: list[str] = list(q.answers) if isinstance(q, ShortAnswer) else []
    if isinstance(q, FillBlanks):
        texts = [a for b in q.blanks for a in b.answers]
        typed = [b for b in q.blanks if b.kind is BlankKind.TEXT]
        if len({b.case_sensitive for b in typed}) > 1:
            found.append(warn(q, "it mixes case-sensitive and case-insensitive blanks; the "
                              "xAPI correct-response pattern says case matters for none",
                              "cmi5"))
        if any(b.numeric is not None and b.numeric.bounds[0] != b.numeric.bounds[1]
               for b in q.blanks):
            found.append(warn(q, "a numeric blank accepts a range; the xAPI fill-in pattern "
                              "gives one value for it (the LMS still gets the site's verdict)",
                              "cmi5"))
        combinations = 1
        for b in q.blanks:
            combinations *= max(1, len(b.answers)) if b.kind is BlankKind.TEXT else 1
        if combinations > MAX_PATTERNS:
            found.append(warn(q, f"its blanks' accepted answers combine in {combinations} ways; "
                              f"the xAPI statement lists the first {MAX_PATTERNS}", "cmi5"))
    if any(DELIMITER in t for t in texts):
        found.append(warn(q, f"an accepted answer contains '{DELIMITER}', xAPI's list "
                          "delimiter; statements write it '[ ,]'", "cmi5",
                          hint="rephrase the answer without '[,]'"))
    return found


__all__ = ["Au", "Cmi5Exporter", "Cmi5Settings", "activity_base", "plan_aus"]
