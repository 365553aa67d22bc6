"""Every language of a course in one Moodle question, for Moodle's multi-language content
filter (``moodle: {multilang: true}``).

The filter shows, of a run of ``<span lang="xx" class="multilang">`` elements, the one in
the learner's language (else the site's, else the first). So each text that differs between
the languages becomes such a run, the course's own language first; a text the same in every
language (a translation not made yet, a number) stays as it is.

What a learner's answer is compared with cannot hold markup. A short-answer question accepts
the answers of every language; a numeric one's number is the same in all. A
fill-in-the-blanks (cloze) question's text is one string of gap codes: it stays in the
course's own language, with a warning.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from coursepack.errors import Problem
from coursepack.exporters._quizbank import Entry, warn
from coursepack.model import FillBlanks, Question

Fields = dict[str, Any]

TEXT_KEYS = frozenset({"name", "text", "answer"})
"""The keys of the fields a learner reads: question name, HTML texts, matching answers."""
GRADED_FORMAT = "moodle_auto_format"
"""The format of an answer compared with what the learner gives (true/false, short answer,
numeric): kept as it is."""
SOURCE_ONLY_TYPES = frozenset({"multianswer"})
"""Question types whose text is compared with answers: kept in the course's own language."""
SOURCE_ONLY_KEYS = frozenset({"template"})
"""An essay's response template is put in the learner's editor, where no filter runs."""


def span(language: str, text: str) -> str:
    """One language's text as the filter reads it (its codes are like pt_br)."""
    code = html.escape(language.replace("-", "_").lower(), quote=True)
    return f'<span lang="{code}" class="multilang">{text}</span>'


def merged(by_language: Sequence[tuple[str, Fields]]) -> Fields:
    """One question's fields in every language: ``by_language`` is (language, fields), the
    course's own language first, each made by ``questions.fields`` from that language's course."""
    source = by_language[0][1]
    if source.get("type") in SOURCE_ONLY_TYPES:
        return source
    result = _merge([fields for _, fields in by_language], [lang for lang, _ in by_language], "")
    assert isinstance(result, dict)
    if result.get("type") == "shortanswer":
        answers = [fields["answers"] for _, fields in by_language]
        result["answers"] = _every_accepted(result["answers"], answers)
    return result


def _every_accepted(answers: list[Fields], by_language: list[list[Fields]]) -> list[Fields]:
    """A short answer accepts the answers of every language (its catch-all ``*`` last)."""
    texts = {a["text"] for a in answers}
    extra = []
    for each in by_language[1:]:
        for index, answer in enumerate(each):
            if answer["text"] not in texts and answer["text"] != "*":
                texts.add(answer["text"])
                extra.append(answers[min(index, len(answers) - 1)] | {"text": answer["text"]})
    rest = [a for a in answers if a["text"] == "*"]
    return [a for a in answers if a["text"] != "*"] + extra + rest


def _merge(values: list[Any], languages: list[str], key: str) -> Any:
    first = values[0]
    if isinstance(first, dict):
        if first.get("format") == GRADED_FORMAT:
            return {k: (first[k] if k == "text" else _merge([v[k] for v in values], languages, k))
                    for k in first}
        return {k: first[k] if k in SOURCE_ONLY_KEYS else
                _merge([v[k] for v in values], languages, k) for k in first}
    if isinstance(first, list | tuple):
        if key == "files":
            return _files(values)
        merged_items = [_merge([v[i] for v in values], languages, key) for i in range(len(first))]
        return type(first)(merged_items) if isinstance(first, tuple) else merged_items
    if key in TEXT_KEYS and isinstance(first, str) and len(set(values)) > 1:
        return "".join(span(lang, text) for lang, text in zip(languages, values, strict=True)
                       if text)
    return first


def _files(values: list[list[Fields]]) -> list[Fields]:
    """Every embedded file of the field in any language, once by name."""
    found: dict[str, Fields] = {}
    for files in values:
        for file in files:
            found.setdefault(file["name"], file)
    return list(found.values())


def aligned(source: list[Entry], other: list[Entry]) -> list[Entry]:
    """``other``'s entries in the order of ``source`` (a translation changes only texts)."""
    by_id = {(e.quiz.id, e.question.id): e for e in other}
    return [by_id.get((e.quiz.id, e.question.id), e) for e in source]


def losses(question: Question, rule: str) -> list[Problem]:
    """What a multi-language question keeps in the course's own language only."""
    if isinstance(question, FillBlanks):
        return [warn(question, "a fill-in-the-blanks (cloze) question is exported in the "
                     "course's own language only: its text holds the gaps, which Moodle's "
                     "multi-language filter cannot split", rule)]
    return []
