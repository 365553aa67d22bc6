"""What a result is checked against: the course's id, version and quizzes, and its key."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote

from yaml.nodes import MappingNode, ScalarNode

from coursepack.model import Course

FORMAT = "coursepack-results"
FORMAT_VERSION = 1
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+")


@dataclass(frozen=True)
class QuizRef:
    id: str
    title: str
    pass_mark: float


@dataclass(frozen=True)
class CourseRef:
    """A built course as results name it. ``quizzes`` is empty when only results files were
    given (no course folder): then quiz numbers in codes cannot be read."""

    id: str
    version: str
    title: str = ""
    quizzes: tuple[QuizRef, ...] = ()
    language: str = "und"
    base: str = ""
    """course.yaml's ``cmi5: activity_base``, when set: the course's IRI in xAPI."""

    @staticmethod
    def of(course: Course) -> CourseRef:
        return CourseRef(course.id, course.version, course.title,
                         tuple(QuizRef(q.id, q.title, q.settings.pass_mark)
                               for q in course.quizzes), course.language, activity_base(course))

    @property
    def key(self) -> bytes:
        """The key of checksums and code seals. It is made from the course's id and version
        and ships in every quiz page: it catches damage and casual edits, not forgery."""
        return results_key(self.id, self.version)

    @property
    def tag(self) -> int:
        return self.key[0]

    @property
    def iri(self) -> str:
        return self.base or course_iri(self.id)

    def quiz(self, quiz_id: str) -> QuizRef | None:
        return next((q for q in self.quizzes if q.id == quiz_id), None)

    def quiz_number(self, quiz_id: str) -> int:
        return next((i for i, q in enumerate(self.quizzes) if q.id == quiz_id), -1)


def results_key(course_id: str, version: str) -> bytes:
    return hashlib.sha256(f"{FORMAT}\n{course_id}\n{version}".encode()).digest()


def course_iri(course_id: str) -> str:
    """The IRI that names the course in xAPI: the learner's account home page, and the base
    of each quiz's activity id (as ``xapi.js`` makes it when no base is configured)."""
    return "urn:coursepack:" + quote(course_id, safe="")


def activity_base(course: Course) -> str:
    """``cmi5: activity_base`` of course.yaml when it is an absolute IRI (the cmi5 format
    checks and reports it), so results name the same activities as a cmi5 package."""
    node = _top_level(course, "cmi5")
    if not isinstance(node, MappingNode):
        return ""
    for key, value in node.value:
        if getattr(key, "value", None) == "activity_base" and isinstance(value, ScalarNode):
            text = str(value.value).strip().rstrip("/")
            return text if _IRI.fullmatch(text) else ""
    return ""


def final_quiz(course: Course) -> str:
    """The quiz whose pass earns the certificate: the last quiz of no module (the final
    assessment), else the course's last quiz; '' when it has none."""
    finals = course.standalone_quizzes() or course.quizzes
    return finals[-1].id if finals else ""


def site_settings(course: Course) -> dict[str, object]:
    """What a quiz page needs to save a result and make its code (``results.js``)."""
    ref = CourseRef.of(course)
    return {"course": ref.id, "version": ref.version, "title": ref.title,
            "language": course.language, "key": ref.key.hex(), "iri": ref.iri,
            "quizzes": [q.id for q in ref.quizzes], "final": final_quiz(course),
            "paper": paper(course)}


def paper(course: Course) -> str:
    """The certificate's paper size: course.yaml's ``paper:`` (as the PDFs), else A4."""
    node = _top_level(course, "paper")
    value = str(node.value) if isinstance(node, ScalarNode) else ""
    return "Letter" if value.lower() == "letter" else "A4"


def _top_level(course: Course, name: str) -> object:
    """The YAML node of a top-level field of course.yaml the course itself does not know."""
    section = course.section(name)
    node = section.node if section else None
    pairs = node.value if isinstance(node, MappingNode) else []
    return next((value for key, value in pairs if getattr(key, "value", None) == name), None)
