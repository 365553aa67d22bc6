"""Item-writing lint: warnings about questions that test guessing, and a safeguarding scan.

Each rule is a function ``(course) -> Iterator[Problem]`` named in ``RULES``; every
problem it yields is a located warning whose ``rule`` is that name. A course switches
rules off in course.yaml::

    lint:
      disable: [answer-position, uneven-options]
      words_per_minute: 150     # optional: judge lesson durations at this reading speed

Rules never change the course and never stop a build; ``coursepack check`` reports them.
The ``lint:`` settings are the lint's own (``Lint``): the pipeline reports a rule name
that does not exist, once, as a warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from yaml.nodes import SequenceNode

from coursepack.errors import Problem, did_you_mean, sort_key, warning
from coursepack.fields import Fields, settings_mapping
from coursepack.lint.assessment import ASSESSMENT_RULES, SUGGESTED_WORDS_PER_MINUTE
from coursepack.lint.lengths import LENGTH_RULES
from coursepack.lint.options import OPTION_RULES
from coursepack.lint.personal import PERSONAL_RULES
from coursepack.lint.position import POSITION_RULES
from coursepack.lint.stems import STEM_RULES
from coursepack.model import Course
from coursepack.spec_schema import NUMBER, TEXTS, Schema, record

LintRule = Callable[[Course], Iterator[Problem]]
RULES: dict[str, LintRule] = {
    **OPTION_RULES,
    **LENGTH_RULES,
    **POSITION_RULES,
    **STEM_RULES,
    **PERSONAL_RULES,
    **ASSESSMENT_RULES,
}
"""Every lint rule by the name course.yaml's ``lint: {disable: [...]}`` uses."""


@dataclass(frozen=True)
class LintSettings:
    """course.yaml's ``lint:``."""

    disable: tuple[str, ...] = ()
    words_per_minute: float | None = None
    """The reading speed a lesson's declared duration is judged by (rule lesson-duration);
    unset, durations are not judged."""


class Lint:
    """The lint as the owner of course.yaml's ``lint:`` settings."""

    settings_key: ClassVar[str] = "lint"
    settings_schema: ClassVar[Schema] = record([], disable=TEXTS, words_per_minute=NUMBER)

    def settings(self, course: Course) -> tuple[LintSettings, list[Problem]]:
        return settings_mapping(course, self.settings_key, "lint settings", _read,
                                LintSettings())


def _read(g: Fields) -> LintSettings:
    disable = g.strings("disable")
    listed = g.items["disable"][1] if "disable" in g.items else g.node
    items = listed.value if isinstance(listed, SequenceNode) else []
    for name in disable:
        if name not in RULES:
            guess = did_you_mean(name, RULES)
            guess = f"{guess} " if guess else ""
            where = next((n for n in items if n.value == name), listed)
            g.sink.add(warning(g.at(where), f"lint: disable names an unknown rule '{name}'",
                               hint=f"{guess}rules: {', '.join(RULES)}"))
    speed = g.optional_number("words_per_minute")
    if speed is not None and speed <= 0:
        g.fail(g.items["words_per_minute"][1],
               f"lint: words_per_minute must be more than 0 (got {speed:g})",
               hint=f"a careful reading speed is about {SUGGESTED_WORDS_PER_MINUTE} words a "
               "minute")
        speed = None
    return LintSettings(disable, speed)


def lint_course(course: Course, disabled: Iterable[str] = ()) -> list[Problem]:
    """Every lint warning of the rules not disabled (by the course or the caller), in file order."""
    off = set(Lint().settings(course)[0].disable) | set(disabled)
    found: list[Problem] = []
    for name, rule in RULES.items():
        if name not in off:
            found.extend(rule(course))
    return sorted(found, key=sort_key)


__all__ = ["RULES", "Lint", "LintRule", "LintSettings", "lint_course"]
