"""Rules on the options themselves: catch-all options and options that say the same thing."""

from __future__ import annotations

import re
from collections.abc import Iterator

from coursepack.errors import Problem, warning
from coursepack.lint._content import Option, OptionSet, key, option_sets, plain
from coursepack.model import Course, MultipleResponse, SingleChoice

_CATCH_ALL = re.compile(
    r"\b(?:all|none|both|neither)\s+of\s+(?:the\s+)?(?:above|below|these|those|them|"
    r"the\s+(?:other\s+)?(?:options|answers|choices))\b",
    re.IGNORECASE,
)


def all_of_the_above(course: Course) -> Iterator[Problem]:
    """'All of the above' and 'none of the above' reward partial knowledge and guessing."""
    for _, q in course.questions():
        for group in option_sets(q):
            for option in group.options:
                found = _CATCH_ALL.search(plain(option.text))
                if found and not _quoted(plain(option.text), found.start()):
                    yield warning(
                        option.origin,
                        f"{group.what} offers '{found.group(0)}' as an option",
                        hint="a learner who spots two right options can answer without knowing "
                        "the rest; write a plausible option instead, or ask 'select all that "
                        "apply' (type: multiple)",
                        rule="all-of-the-above",
                    )


def _quoted(text: str, start: int) -> bool:
    """The phrase is talked about ('"All of the above" as an option'), not offered."""
    return start > 0 and text[start - 1] in "\"'“‘«"


def duplicate_options(course: Course) -> Iterator[Problem]:
    """Two options that read the same once case, spacing, punctuation and Markdown are ignored."""
    for _, q in course.questions():
        choices = isinstance(q, SingleChoice | MultipleResponse)
        for group in option_sets(q):
            yield from _duplicates(group, skip_plain_repeats=choices)


def _duplicates(group: OptionSet, skip_plain_repeats: bool) -> Iterator[Problem]:
    seen: dict[str, Option] = {}
    for option in group.options:
        first = seen.setdefault(key(option.text), option)
        if first is option:
            continue
        if skip_plain_repeats and _spaced(first.text) == _spaced(option.text):
            continue  # the same text twice is already an error of 'coursepack validate'
        yield warning(
            option.origin,
            f"{group.what}: option '{plain(option.text)}' says the same as "
            f"'{plain(first.text)}'",
            hint="learners see two answers that mean the same; reword or remove one",
            rule="duplicate-options",
        )


def _spaced(text: str) -> str:
    return " ".join(text.split()).casefold()


OPTION_RULES = {
    "all-of-the-above": all_of_the_above,
    "duplicate-options": duplicate_options,
}
