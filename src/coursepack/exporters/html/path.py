"""The learner's path through the course, computed once for every page and package.

A *part* is what a learner moves through on its own: on the site the whole course; in a
SCORM package with one SCO per module, one module (its overview, lessons and quizzes) or one
standalone quiz. Inside a part the steps follow the reading order: a module's overview, its
lessons, its quizzes, then the next module; standalone quizzes (a final assessment) come last.
Every template asks this module where a page sits (breadcrumb, "step N of M") and where
"Previous" and "Next" lead, so the site and both SCORM packages agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from coursepack.exporters.html.paths import lesson_key, lesson_path, module_path, quiz_path
from coursepack.locale import N_, translator
from coursepack.model import Course, Lesson, Module, Quiz

HOME = "index.html"
LABELS = {
    ("Next", "module"): N_("Next module"), ("Next", "quiz"): N_("Next: quiz"),
    ("Next", "lesson"): N_("Next"), ("Previous", "module"): N_("Previous module"),
    ("Previous", "quiz"): N_("Previous: quiz"), ("Previous", "lesson"): N_("Previous"),
}
"""The pager's label for a step, by direction and the step's kind (in the course's language)."""


@dataclass(frozen=True)
class Step:
    """One page of the path: a module's overview, a lesson or a quiz."""

    kind: str  # "module" | "lesson" | "quiz"
    path: str
    title: str
    module: Module | None = None
    lesson: Lesson | None = None
    quiz: Quiz | None = None

    @property
    def key(self) -> str:
        """What the runtime records this step under: the lesson key, or the quiz id."""
        if self.lesson is not None and self.module is not None:
            return lesson_key(self.module, self.lesson)
        return self.quiz.id if self.quiz is not None else ""

    def script(self, root: str) -> dict[str, str]:
        """The step as the runtime reads it from a page (``data-steps``): kind, key, link, title."""
        return {"kind": self.kind, "key": self.key, "href": root + self.path, "title": self.title}


@dataclass(frozen=True)
class Link:
    """Where "Previous" or "Next" leads: a step, the course home, or a part's start."""

    path: str
    title: str
    label: str
    forward: bool = False  # the next step of the part: the result screen says "Continue"


@dataclass(frozen=True)
class Part:
    """What a learner moves through on its own: the whole course, or one SCO's module or quiz."""

    id: str
    title: str
    steps: tuple[Step, ...]
    whole: bool  # the whole course: home, glossary, sources and search belong to it

    @property
    def start(self) -> Step:
        return self.steps[0]

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(step.path for step in self.steps)


def module_steps(course: Course, module: Module) -> tuple[Step, ...]:
    """A module's overview, then its lessons, then its quizzes."""
    overview = Step("module", module_path(module), module.title, module)
    lessons = tuple(Step("lesson", lesson_path(module, lesson), lesson.title, module, lesson)
                    for lesson in module.lessons)
    quizzes = tuple(Step("quiz", quiz_path(quiz), quiz.title, module, quiz=quiz)
                    for quiz in course.module_quizzes(module))
    return (overview, *lessons, *quizzes)


def quiz_step(quiz: Quiz) -> Step:
    """A quiz of no module (a final assessment) as a step of its own."""
    return Step("quiz", quiz_path(quiz), quiz.title, quiz=quiz)


class CoursePath:
    """The parts of a course, their steps, and every page's place and neighbours.

    ``split`` makes each module and each standalone quiz a part of its own (one SCO each);
    ``in_lms`` says the pages run inside an LMS, which keeps the record: no "reset" there.
    """

    def __init__(self, course: Course, *, split: bool = False, in_lms: bool = False) -> None:
        self.course = course
        self.in_lms = in_lms
        self._ = translator(course.language, course.root)
        modules = [(m, module_steps(course, m)) for m in course.modules]
        finals = [quiz_step(q) for q in course.standalone_quizzes()]
        if split:
            self.parts = tuple(Part(m.id, m.title, steps, False) for m, steps in modules) + \
                tuple(Part(s.key, s.title, (s,), False) for s in finals)
        else:
            steps = tuple(s for _, group in modules for s in group) + tuple(finals)
            self.parts = (Part(course.id, course.title, steps, True),) if steps else ()
        self.has_home = not split
        self.where = {step.path: (part, n) for part in self.parts
                      for n, step in enumerate(part.steps)}

    def steps(self) -> Iterator[Step]:
        for part in self.parts:
            yield from part.steps

    def part_of(self, path: str) -> Part | None:
        found = self.where.get(path)
        return found[0] if found else None

    def step(self, path: str) -> Step | None:
        found = self.where.get(path)
        return found[0].steps[found[1]] if found else None

    def next(self, path: str) -> Link | None:
        """The next step in the page's part; after the last, the course home or the part's start."""
        found = self.where.get(path)
        if found is None:
            return None
        part, n = found
        if n + 1 < len(part.steps):
            return self.link(part.steps[n + 1], "Next")
        if part.whole:
            return Link(HOME, self._("Back to the course home"), self._("End of the course"))
        if len(part.steps) > 1:
            return Link(part.start.path, part.start.title, self._("Back to the module overview"))
        return None

    def onward(self, path: str) -> Link | None:
        """Where a quiz's result screen leads: the page's "Next" link, named as an action.

        The label is the button's text: "Continue" to the next step, or back to the course
        home or to the SCO's own overview after the last step. None for a quiz that is a SCO
        of its own: nothing else is in its scope, and the LMS leads on.
        """
        link = self.next(path)
        if link is None:
            return None
        if link.path == HOME:
            return Link(HOME, link.title, link.title)
        if link.forward:
            return Link(link.path, link.title,
                        self._("Continue: %(title)s") % {"title": link.title})
        return Link(link.path, link.title, link.label)

    def previous(self, path: str) -> Link | None:
        """The step before the page in its part; the course home before the first."""
        found = self.where.get(path)
        if found is None:
            return None
        part, n = found
        if n > 0:
            return self.link(part.steps[n - 1], "Previous")
        return Link(HOME, self.course.title, self._("Course home")) if part.whole else None

    def link(self, step: Step, direction: str) -> Link:
        label = self._(LABELS[direction, step.kind if step.kind in ("module", "quiz")
                              else "lesson"])
        return Link(step.path, step.title, label, forward=direction == "Next")

    def numbered(self, path: str) -> tuple[int, int] | None:
        """A lesson's or quiz's number among its module's lessons and quizzes, and their count."""
        step = self.step(path)
        if step is None or step.module is None or step.kind == "module":
            return None
        inner = module_steps(self.course, step.module)[1:]
        return [s.path for s in inner].index(path) + 1, len(inner)

    def crumbs(self, path: str) -> list[Link]:
        """The pages above this one: the course home (on the site), then its module."""
        step = self.step(path)
        part = self.part_of(path)
        crumbs = ([Link(HOME, self.course.title, self._("Course"))]
                  if part is None or part.whole else [])
        if step is not None and step.module is not None and step.kind != "module":
            crumbs.append(Link(module_path(step.module), step.module.title, self._("Module")))
        return crumbs

    def inner_steps(self, module: Module) -> tuple[Step, ...]:
        """A module's lessons and quizzes: the numbered steps of its overview page."""
        return module_steps(self.course, module)[1:]

    def after(self, module: Module) -> Link | None:
        """Where a learner goes once a module's last step is done."""
        return self.next(module_steps(self.course, module)[-1].path)

    @staticmethod
    def script(steps: Iterable[Step], root: str) -> list[dict[str, str]]:
        """Steps as the runtime reads them from a page's ``data-steps`` (lessons and quizzes)."""
        return [step.script(root) for step in steps if step.kind != "module"]

    def contents(self, path: str) -> tuple[tuple[Module, ...], tuple[Quiz, ...]]:
        """What the contents beside a page list: the whole course, or only the page's part."""
        part = self.part_of(path)
        if self.has_home or part is None:
            return self.course.modules, self.course.standalone_quizzes()
        step = part.start
        if step.kind == "module" and step.module is not None:
            return (step.module,), ()
        return (), tuple(s.quiz for s in part.steps if s.quiz is not None)
