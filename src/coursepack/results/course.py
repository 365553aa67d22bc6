"""What a result is checked against: the course's id, version and quizzes, and its key."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import quote

from coursepack.model import Course

FORMAT = "coursepack-results"
FORMAT_VERSION = 1


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

    @staticmethod
    def of(course: Course) -> CourseRef:
        return CourseRef(course.id, course.version, course.title,
                         tuple(QuizRef(q.id, q.title, q.settings.pass_mark)
                               for q in course.quizzes), course.language)

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
        return course_iri(self.id)

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
    section = course.section("paper")
    value = str(getattr(section.node, "value", "")) if section else ""
    return "Letter" if value.lower() == "letter" else "A4"
