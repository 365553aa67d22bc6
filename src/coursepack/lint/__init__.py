"""Item-writing lint: warnings about questions that test guessing, and a safeguarding scan.

Each rule is a function ``(course) -> Iterator[Problem]`` named in ``RULES``; every
problem it yields is a located warning whose ``rule`` is that name. A course switches
rules off in course.yaml::

    lint:
      disable: [answer-position, uneven-options]

Rules never change the course and never stop a build; ``coursepack check`` reports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from coursepack.errors import Problem, did_you_mean, sort_key, warning
from coursepack.lint.lengths import LENGTH_RULES
from coursepack.lint.options import OPTION_RULES
from coursepack.lint.personal import PERSONAL_RULES
from coursepack.lint.position import POSITION_RULES
from coursepack.lint.stems import STEM_RULES
from coursepack.model import Course

LintRule = Callable[[Course], Iterator[Problem]]
RULES: dict[str, LintRule] = {
    **OPTION_RULES,
    **LENGTH_RULES,
    **POSITION_RULES,
    **STEM_RULES,
    **PERSONAL_RULES,
}
"""Every lint rule by the name course.yaml's ``lint: {disable: [...]}`` uses."""


def lint_course(course: Course, disabled: Iterable[str] = ()) -> list[Problem]:
    """Every lint warning of the rules not disabled (by the course or the caller), in file order."""
    off = set(course.lint_off) | set(disabled)
    found = list(_unknown_rules(course))
    for name, rule in RULES.items():
        if name not in off:
            found.extend(rule(course))
    return sorted(found, key=sort_key)


def _unknown_rules(course: Course) -> Iterator[Problem]:
    for name in course.lint_off:
        if name not in RULES:
            guess = did_you_mean(name, RULES)
            guess = f"{guess} " if guess else ""
            yield warning(
                course.origin,
                f"lint: disable names an unknown rule '{name}'",
                hint=f"{guess}rules: {', '.join(RULES)}",
            )


__all__ = ["RULES", "LintRule", "lint_course"]
