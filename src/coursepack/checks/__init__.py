"""Course-level rules on the model: each a small function yielding located problems.

``check_course`` runs them all. Rules never read files or know output formats;
warnings become errors only when the caller asks (``--strict``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from coursepack.checks.questions import QUESTION_RULES, questions_valid
from coursepack.checks.quotes import inline_quotes
from coursepack.checks.references import REFERENCE_RULES, quotes_in_sources, unique_ids
from coursepack.errors import Problem
from coursepack.model import Course

Rule = Callable[[Course], Iterator[Problem]]
RULES: tuple[Rule, ...] = REFERENCE_RULES + QUESTION_RULES + (inline_quotes,)
# Rules that stay meaningful when some files could not be read: they look at one
# question or quote at a time, not at what the missing parts would have declared. Not the
# passages in quotation marks: one may name a lesson whose file did not load by its title.
SELF_CONTAINED: tuple[Rule, ...] = (questions_valid, quotes_in_sources, unique_ids)


def check_course(course: Course, rules: Iterable[Rule] = RULES) -> list[Problem]:
    """Every problem every rule finds, in file order."""
    return [problem for rule in rules for problem in rule(course)]


def check_partial_course(course: Course) -> list[Problem]:
    """The checks worth running on a course some of whose files failed to load.

    Cross-references are skipped: an objective declared in a module.yaml with a syntax
    error would otherwise be reported missing by every question that names it.
    """
    return check_course(course, SELF_CONTAINED)


__all__ = ["RULES", "check_course", "check_partial_course"]
