"""Ids that differ but would give the same file name, zip entry or page anchor.

Every format derives names from ids (``modules/<module>/<lesson>.html``, ``q-<question>``
anchors, ``quizzes/<quiz>.pdf``, LMS identifiers); two ids with the same ``name_key``
would overwrite each other's files on a disk that ignores letter case, or give two
elements one id (a label then toggles the wrong question's input). Each clash is
reported at the second id, naming where the first is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from coursepack.errors import Origin, Problem, error
from coursepack.model import Course, Question
from coursepack.model.ids import name_key

Named = tuple[str, Origin | None]
SITE_FOLDERS = ("assets", "media", "quizzes", "handouts")
"""Folders the formats keep their own files in, beside one folder per module (the site's
``quizzes/<quiz>.html``, the PDFs' ``handouts/``): no module may take their names."""


def clashes(course: Course) -> list[Problem]:
    """Every pair of distinct ids, in one scope, whose derived names are the same."""
    found: list[Problem] = []
    found += _clashes("module", ((m.id, m.origin) for m in course.modules))
    found += [_site_folder(m.id, m.origin) for m in course.modules
              if name_key(m.id) in SITE_FOLDERS]
    found += _clashes("quiz", ((q.id, q.origin) for q in course.quizzes))
    found += _clashes("source", ((s.id, s.origin) for s in course.sources))
    found += _clashes("objective", ((o.id, o.origin) for o in course.objectives()))
    for module in course.modules:
        found += _clashes("lesson", ((le.id, le.origin) for le in module.lessons))
        found += [_module_page(module.id, lesson.origin) for lesson in module.lessons
                  if name_key(lesson.id) == "index"]
    questions = list(_questions(course))
    found += _clashes("question", ((q.id, q.origin) for q in questions))
    for quiz in course.quizzes:
        found += _clashes("pool", ((p.id, p.origin) for p in quiz.pools))
    for question in questions:
        blanks = getattr(question, "blanks", ())
        found += _clashes("blank", ((b.id, b.origin) for b in blanks))
    return found


def _clashes(kind: str, items: Iterable[Named]) -> Iterator[Problem]:
    first: dict[str, Named] = {}
    for item_id, origin in items:
        key = name_key(item_id)
        if not key:
            continue
        if key not in first:
            first[key] = (item_id, origin)
            continue
        other, where = first[key]
        if other != item_id:  # the very same id twice is reported as a duplicate
            yield error(
                origin,
                f"{kind} id '{item_id}' gives the same file name and page anchor ('{key}') as "
                f"{kind} id '{other}' (at {where or 'course.yaml'})",
                hint="rename one of them: ids must differ by more than '-', '_' or letter case",
            )


def _site_folder(module_id: str, origin: Origin | None) -> Problem:
    return error(origin, f"a module may not be called '{module_id}': the site and the PDFs "
                 "keep their own files in a folder of that name",
                 hint="rename the module folder (and its entry under 'modules:' in course.yaml)")


def _module_page(module_id: str, origin: Origin | None) -> Problem:
    return error(origin, f"a lesson may not be called 'index': that is the file name of the "
                 f"page of module '{module_id}'", hint="rename the lesson file")


def _questions(course: Course) -> Iterator[Question]:
    """Every question written in the course, once (a pool may draw the same one again)."""
    seen: set[int] = set()
    for quiz in course.quizzes:
        for question in quiz.all_questions():
            if id(question) not in seen:
                seen.add(id(question))
                yield question
