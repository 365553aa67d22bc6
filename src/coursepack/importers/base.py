"""What every bank reader gives back: quizzes of question mappings in the spec's shape,
blocks the model cannot hold (kept as comments), images and located warnings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from coursepack.errors import Origin, Problem, warning
from coursepack.importers.text import Media, plain
from coursepack.locale import everywhere

Spec = dict[str, Any]
"""A question as its quiz file writes it (``type``, ``stem``, ``choices``...)."""


@dataclass
class Kept:
    """Something the model cannot hold, kept in the quiz file as a commented-out block."""

    why: str
    source: str
    origin: Origin


@dataclass
class Item:
    """One question of a bank, or a block kept as a comment; ``notes`` become comments above
    the question (what the source had that the question does not keep)."""

    spec: Spec | None
    origin: Origin
    kept: Kept | None = None
    notes: list[str] = field(default_factory=list)
    id_hint: str = ""  # the source's own id (Moodle idnumber, QTI identifier...)


@dataclass
class Group:
    """The questions of one category (Moodle, GIFT) or assessment (QTI): one quiz."""

    title: str
    items: list[Item] = field(default_factory=list)
    description: str = ""
    shuffle: bool | None = None
    pools: list[dict[str, Any]] = field(default_factory=list)
    """Random draws: ``id``, ``title``, ``pick``, ``include`` (items placed elsewhere) and
    ``questions`` (items only the pool holds)."""


@dataclass
class Bank:
    """Everything read from one file."""

    name: str
    format: str
    groups: list[Group] = field(default_factory=list)
    media: Media = field(default_factory=Media)
    problems: list[Problem] = field(default_factory=list)

    def warn(self, origin: Origin, message: str, hint: str = "") -> None:
        self.problems.append(warning(origin, message, hint=hint, rule=f"import-{self.format}"))

    def warn_dropped(self, origin: Origin, before: int) -> None:
        """A warning at ``origin`` for each file the texts read since ``before`` left out."""
        for why in self.media.dropped[before:]:
            self.warn(origin, why)
        del self.media.dropped[before:]

    def group(self, title: str) -> Group:
        """The group titled ``title``, new at the end when there is none."""
        for group in self.groups:
            if group.title == title:
                return group
        self.groups.append(Group(title))
        return self.groups[-1]


class Reader(Protocol):
    """One bank format: ``detect`` looks at the content (never the file name), ``read``
    turns it into a ``Bank`` or raises a located ``CoursepackError``."""

    name: str
    label: str

    def detect(self, data: bytes) -> bool: ...

    def read(self, data: bytes, name: str) -> Bank: ...


def split_gap_text(spec: Spec, markdown: str, blanks: list[Spec]) -> None:
    """A fill-blanks question from Markdown with a marker (CPIMPORTGAPnnnX) in each gap:
    ``[[id]]`` in each gap, and the paragraphs before the first gap as the stem (the model
    needs one: a text whose first paragraph has a gap gets a short instruction instead)."""
    for n, blank in enumerate(blanks):
        markdown = markdown.replace(f"CPIMPORTGAP{n:03d}X", f"[[{blank['id']}]]")
    blocks = markdown.split("\n\n")
    first = next((i for i, b in enumerate(blocks) if "[[" in b), 0)
    if first > 0 and not markdown.lstrip().startswith("<"):
        spec["stem"] = "\n\n".join(blocks[:first])
        spec["text"] = "\n\n".join(blocks[first:])
    else:
        spec["stem"] = "Fill in the blanks." if len(blanks) > 1 else "Fill in the blank."
        spec["text"] = markdown
        spec["_notes_stem"] = True
    spec["blanks"] = blanks


class Unmappable(Exception):
    """A question of a type the model has whose content the model cannot hold: it is kept
    as a commented block giving this reason."""


def accept_answers(spec: Spec, answers: Iterable[tuple[str, float, str]],
                   notes: list[str]) -> None:
    """A short-answer question from Moodle's answers (pattern, fraction, feedback), as
    Moodle XML and GIFT write them: an answer is right or wrong, a star is kept literal."""
    spec["type"] = "short-answer"
    accepted = []
    for pattern, fraction, feedback in answers:
        if pattern == "*" and fraction <= 0:
            fill(spec["feedback"], "incorrect", feedback)
            continue
        if fraction <= 0:  # wrong already: only its own feedback can be lost
            if feedback:
                notes.append(f"the feedback of the wrong answer '{pattern}' is left out: a "
                             "short answer has one incorrect feedback")
            continue
        if fraction < 0.99999:
            notes.append(f"the answer '{pattern}' (worth {round(fraction * 100, 5):g}%) is left "
                         "out: a short answer is right or wrong")
            continue
        if re.search(r"(?<!\\)\*", pattern):
            notes.append(f"the answer '{pattern}' uses Moodle's wildcard '*'; it is kept "
                         "as a literal star, so only that exact text is accepted")
        accepted.append(pattern.replace("\\*", "*"))
        fill(spec["feedback"], "correct", feedback)
    if not accepted:
        raise Unmappable("a short-answer question with no fully correct answer")
    spec["answers"] = accepted


def true_false(spec: Spec, choices: list[Spec]) -> bool:
    """Whether ``choices`` are True and False (in any of coursepack's interface languages: its
    exports write them in the course's); if so, ``spec`` becomes a true-false question."""
    texts = [plain(c["text"]).casefold() for c in choices]
    if (len(texts) != 2 or texts[0] not in {t.casefold() for t in everywhere("True")}
            or texts[1] not in {t.casefold() for t in everywhere("False")}):
        return False
    spec["type"] = "true-false"
    spec["answer"] = choices[0]["correct"]
    spec["feedback_true"], spec["feedback_false"] = (c["feedback"] for c in choices)
    return True


def fill(feedback: dict[str, str], kind: str, text: str) -> None:
    if text and not feedback.get(kind):
        feedback[kind] = text


def number(text: str | None, default: Any) -> Any:
    try:
        value = float((text or "").strip().replace(",", "."))
    except ValueError:
        return default
    return value if value == value and abs(value) != float("inf") else default


def tidy(spec: Spec) -> Spec:
    """The spec without empty optional fields, in the order an author writes them."""
    order = ["id", "type", "title", "stem", "text", "points", "choices", "scoring",
             "negative_marking", "answer", "tolerance", "unit", "answers", "case_sensitive",
             "pairs", "distractors", "items", "blanks", "feedback_true", "feedback_false",
             "grader_notes", "response_template", "min_words", "max_words", "feedback",
             "hints", "_tags", "_shuffle", "_notes_stem"]
    spec["feedback"] = {k: v for k, v in spec.get("feedback", {}).items() if v}
    for choice in spec.get("choices", []):
        if not choice.get("feedback"):
            choice.pop("feedback", None)
        if not choice.get("correct"):
            choice.pop("correct", None)
    default_points = 0 if spec["type"] == "description" else 1
    tidy: Spec = {}
    for key in order:
        if key not in spec:
            continue
        value = spec[key]
        if key == "points" and value == default_points:
            continue
        if key in ("case_sensitive", "negative_marking") and not value:
            continue
        if key == "scoring" and value == "partial":
            continue
        if value in ("", [], {}, None) or (key in ("min_words", "max_words") and not value):
            continue
        tidy[key] = value
    return tidy


__all__ = ["Bank", "Group", "Item", "Kept", "Reader", "Spec", "fill", "number", "split_gap_text",
           "tidy"]
