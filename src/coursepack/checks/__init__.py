"""Course-level rules on the model: each a small function yielding located problems.

``check_course`` runs them all. Rules never read files or know output formats;
warnings become errors only when the caller asks (``--strict``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from coursepack.checks.questions import QUESTION_RULES
from coursepack.checks.references import REFERENCE_RULES
from coursepack.errors import Problem
from coursepack.model import Course

Rule = Callable[[Course], Iterator[Problem]]
RULES: tuple[Rule, ...] = REFERENCE_RULES + QUESTION_RULES


def check_course(course: Course, rules: Iterable[Rule] = RULES) -> list[Problem]:
    """Every problem every rule finds, in file order."""
    return [problem for rule in rules for problem in rule(course)]


__all__ = ["RULES", "check_course"]
