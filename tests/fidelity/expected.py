"""The model's side of the fidelity comparison: what every format should carry.

Texts are compared as a learner reads them: Markdown is rendered with the exporters' own
renderer (``coursepack.markup``), then the HTML is read back as text in which each image is
a token naming the course file it shows (``⟦img:carte du camp.png⟧``). The formats' HTML is
read the same way (``text_of``), each ``<img src>`` resolved inside its package, so a text
and its images are compared in one go. Whitespace never counts (``Text.key``).

Per question the model gives static fields (stem, options, answers, tolerances, blanks...)
and *outcomes*: a learner's response, the fraction of the points ``coursepack.grading``
gives it, and the feedback a learner should then read (the chosen options' feedback, the
correct/partial/incorrect feedback of the result, the general feedback). Every format's
reader answers the same responses as that format's consumer would score and show them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import lxml.html
from lxml import etree

from coursepack import markup
from coursepack.exporters._quizbank import exact, number, numeric_bounds
from coursepack.grading import choice_id, grade, item_id, match_id, prompt_id
from coursepack.model import (
    Blank,
    BlankKind,
    Course,
    Description,
    Essay,
    FillBlanks,
    Matching,
    Module,
    MultipleResponse,
    Numeric,
    NumericAnswer,
    Ordering,
    Question,
    Quiz,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    markdown,
    type_name,
)

GAP = "⟦gap⟧"
_TOKEN = re.compile(r"⟦img:[^⟧]*⟧")
_MARK = "CPFIDELITYGAPX"  # survives Markdown rendering, swapped for GAP afterwards


def token(name: str) -> str:
    return f"⟦img:{name}⟧"


# --- text --------------------------------------------------------------------------------


def squash(text: str) -> str:
    """Whitespace collapsed, NFC: how a page shows plain text."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def keyed(text: str) -> str:
    """The comparison key of a text: NFC, no whitespace at all."""
    return "".join(unicodedata.normalize("NFC", text).split())


@dataclass(frozen=True)
class Text:
    """A text as read: ``shown`` holds image tokens; ``alt`` (model only) the same text with
    each image as ``[its alt text]``, which is how a format without images writes one."""

    shown: str
    alt: str = ""

    @property
    def key(self) -> str:
        return keyed(self.shown)

    @property
    def bare(self) -> str:
        """The key without images."""
        return keyed(_TOKEN.sub("", self.shown))

    @property
    def alt_key(self) -> str:
        return keyed(self.alt or self.shown)

    def __add__(self, other: Text) -> Text:
        return Text(f"{self.shown} {other.shown}".strip(),
                    f"{self.alt or self.shown} {other.alt or other.shown}".strip())

    def __str__(self) -> str:
        return self.shown

    def __bool__(self) -> bool:
        return bool(self.key)


NO_TEXT = Text("")

Resolve = Callable[[str], str]
Special = Callable[[Any], "str | None"]
_BLOCKS = {"p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "thead", "tbody", "h1", "h2",
           "h3", "h4", "h5", "h6", "blockquote", "pre", "dl", "dt", "dd", "br", "section",
           "fieldset", "legend", "figure", "figcaption", "details", "summary", "caption"}


def local(node: Any) -> str:
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def text_of(node: Any, resolve: Resolve, special: Special | None = None,
            alt: bool = False) -> str:
    """The text of an element (its own tail excluded) with images as tokens (``resolve``
    maps an ``src`` to the course file it shows) or, with ``alt``, as ``[alt]``.
    ``special`` may replace an element by a text (a gap) or by '' (left out)."""
    out: list[str] = []
    _walk(node, out, resolve, special, alt, top=True)
    return squash("".join(out))


def _walk(node: Any, out: list[str], resolve: Resolve, special: Special | None, alt: bool,
          top: bool = False) -> None:
    name = local(node).lower()
    replaced = special(node) if special and name and not top else None
    if replaced is not None:
        out.append(replaced)
    elif name == "img":
        out.append(f"[{node.get('alt', '')}]" if alt else token(resolve(node.get("src", ""))))
    elif name:  # an element (comments and processing instructions have no text of their own)
        block = name in _BLOCKS
        if block:
            out.append(" ")
        out.append(node.text or "")
        for child in node:
            _walk(child, out, resolve, special, alt)
        if block:
            out.append(" ")
    if not top:
        out.append(node.tail or "")


def fragment(html: str) -> Any:
    """An HTML fragment as one element (a div around it)."""
    return lxml.html.fragment_fromstring(html or "", create_parent="div")


def html_text(html: str, resolve: Resolve, special: Special | None = None) -> Text:
    root = fragment(html)
    return Text(text_of(root, resolve, special))


# --- the model's texts -------------------------------------------------------------------

_SRC = "cpfidelity-src:"


def _render(text: str, inline: bool = False) -> str:
    with markup.publishing(lambda asset: _SRC + asset.path.name):
        return markup.to_inline_html(text) if inline else markup.to_html(text)


def _from_src(src: str) -> str:
    return src[len(_SRC):] if src.startswith(_SRC) else f"unpublished:{src}"


def md(text: str, inline: bool = False) -> Text:
    """A Markdown field as a learner reads it, images as tokens (and as [alt])."""
    if not text.strip():
        return NO_TEXT
    root = fragment(_render(text, inline))
    return Text(text_of(root, _from_src), text_of(root, _from_src, alt=True))


def gap_text(q: FillBlanks) -> Text:
    """The text of a fill-blanks question with each blank as ``GAP``."""
    parts = [s if isinstance(s, str) else _MARK for s in q.segments()]
    rendered = md(markdown(q.text).part("".join(parts)))
    return Text(rendered.shown.replace(_MARK, GAP), rendered.alt.replace(_MARK, GAP))


def plain(text: str) -> str:
    return squash(text)


_LATIN = r"0-9A-Za-zÀ-ÖØ-öø-ÿŒœ"


def latin(text: str) -> str:
    """Only the Latin letters and digits of a text: what PDF text extraction reads reliably
    (it spaces letters out and scrambles right-to-left script and emoji)."""
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(f"[^{_LATIN}]", "", folded)


def latin_runs(text: str) -> list[str]:
    """The stretches of Latin text between other scripts, emoji and symbols, each as
    ``latin`` gives it: extraction garbles what lies between them, not the runs."""
    folded = unicodedata.normalize("NFKC", text)
    runs = re.split(f"[^{_LATIN}\\s.,;:!?'\"«»()\\-–—/&<>=#{{}}~*%\\\\]+", folded)
    return [r for r in (latin(run) for run in runs) if len(r) > 1]


# --- outcomes ----------------------------------------------------------------------------

Action = tuple[str, Any]
"""What a learner does, format-neutral: ("choose", (indices...)), ("tf", bool),
("type", text), ("match", (answer text per prompt...)), ("order", (item indices...)),
("fill", {blank id: text}), ("mark", result) for a person marking an essay."""


@dataclass(frozen=True)
class Outcome:
    name: str
    action: Action
    score: float | None  # fraction of the points; None: not marked automatically
    feedback: tuple[tuple[str, Text], ...]  # (kind, text): choice, true, false, correct...
    topic: str  # the words a warning uses when it declares a different score here


@dataclass
class Expected:
    """What one question (or quiz, pool, page) should read as, field by field."""

    id: str
    kind: str
    fields: dict[str, Any] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    question: Question | None = None


def owner_quizzes(course: Course) -> dict[str, Quiz]:
    """The quiz that defines each question: the first quiz listing it, else the first
    quiz whose pool holds it."""
    found: dict[str, Quiz] = {}
    for quiz in course.quizzes:
        for q in quiz.questions:
            found.setdefault(q.id, quiz)
    for quiz in course.quizzes:
        for q in quiz.all_questions():
            found.setdefault(q.id, quiz)
    return found


def questions(course: Course) -> Iterator[tuple[Quiz, Question]]:
    owners = owner_quizzes(course)
    for _, q in course.questions():
        yield owners[q.id], q


def decimal_text(value: Fraction) -> str:
    return number(value)


def bounds(answer: NumericAnswer) -> tuple[Fraction, Fraction]:
    return numeric_bounds(answer)


def expected_question(quiz: Quiz, q: Question) -> Expected:
    fields: dict[str, Any] = {
        "title": plain(q.title) or q.id,
        "stem": md(q.stem) + gap_text(q) if isinstance(q, FillBlanks) else md(q.stem),
        "points": float(q.points),
        "hints": tuple(md(h) for h in q.hints),
    }
    match q:
        case SingleChoice() | MultipleResponse():
            fields["choices"] = tuple(md(c.text, inline=True) for c in q.choices)
            fields["correct"] = tuple(c.correct for c in q.choices)
            fields["shuffle"] = quiz.settings.shuffle_options
        case ShortAnswer():
            fields["answers"] = tuple(plain(a) for a in q.answers)
            fields["case_sensitive"] = q.case_sensitive
        case Numeric():
            fields["bounds"] = bounds(q.answer)
            fields["unit"] = plain(q.unit)
        case Matching():
            fields["prompts"] = tuple(md(p.prompt, inline=True) for p in q.pairs)
            fields["matches"] = tuple(plain(p.match) for p in q.pairs)
            fields["distractors"] = tuple(sorted(plain(d) for d in q.distractors))
            fields["shuffle"] = quiz.settings.shuffle_options
        case Ordering():
            fields["items"] = tuple(md(i, inline=True) for i in q.items)
        case FillBlanks():
            total = sum(exact(b.points) for b in q.blanks)
            for b in q.blanks:
                fields.update(blank_fields(b, total))
        case Essay():
            fields["grader_notes"] = md(q.grader_notes)
            fields["response_template"] = plain(q.response_template)
            fields["min_words"] = q.min_words
            fields["max_words"] = q.max_words
        case TrueFalse() | Description():
            pass
    if isinstance(q, Description):
        fields.pop("points")
    return Expected(q.id, type_name(q), fields, list(outcomes(q)), q)


def blank_fields(b: Blank, total: Fraction) -> dict[str, Any]:
    name = f"blank[{b.id}]"
    found: dict[str, Any] = {f"{name}.kind": b.kind.value,
                             f"{name}.weight": float(exact(b.points) / total) if total else 0.0}
    if b.kind is BlankKind.NUMERIC and b.numeric is not None:
        found[f"{name}.bounds"] = bounds(b.numeric)
    elif b.kind is BlankKind.DROPDOWN:
        found[f"{name}.options"] = tuple(plain(o) for o in b.options)
        found[f"{name}.answers"] = (plain(b.answers[0]),)
    else:
        found[f"{name}.answers"] = tuple(plain(a) for a in b.answers)
        found[f"{name}.case_sensitive"] = b.case_sensitive
    return found


# Words a warning uses when it declares a different score for such a response.
SCORE_TOPIC = {
    "single": r"scor|correct option|right option",
    "multiple": r"partial credit|negative|all-or-nothing|scor|grade|share|costs|earns",
    "true-false": r"scor|true|false",
    "short-answer": r"case|wildcard|\*|answer",
    "numeric": r"range|tolerance|number|unit|bound|middle",
    "matching": r"match|partial credit|prompt|scor",
    "ordering": r"order|position|place|partial credit",
    "fill-blanks": r"blank|weight|drop-?down|case|range|middle|typed|share|wildcard|gap",
    "essay": r"essay|marked by a person",
}


def outcomes(q: Question) -> Iterator[Outcome]:
    general = SCORE_TOPIC.get(type_name(q), r"scor")
    for name, action, tokens, topic in _responses(q):
        if action[0] == "mark":
            result, score = action[1], None
        else:
            points, result = grade(q, tokens)
            score = points / q.points if q.points else 0.0
        yield Outcome(name, action, score, tuple(_feedback(q, action, result)),
                      topic or general)


def _feedback(q: Question, action: Action, result: str) -> Iterator[tuple[str, Text]]:
    if isinstance(q, SingleChoice | MultipleResponse):
        for i in action[1]:
            if q.choices[i].feedback:
                yield "choice", md(q.choices[i].feedback)
    if isinstance(q, TrueFalse):
        chosen = q.feedback_true if action[1] else q.feedback_false
        if chosen:
            yield ("true" if action[1] else "false"), md(chosen)
    by_result = {"correct": q.feedback.correct, "partial": q.feedback.partial,
                 "incorrect": q.feedback.incorrect}.get(result, "")
    if by_result:
        yield result, md(by_result)
    if q.feedback.general:
        yield "general", md(q.feedback.general)


Response = tuple[str, Action, list[str], str]
"""(name, action, grading tokens, the words declaring a different score: '' the type's)."""

CASE, WILDCARD, BOUND = r"\bcase", r"wildcard|\*|star", r"range|tolerance|bound|middle value"


def _responses(q: Question) -> Iterator[Response]:
    """Each response the comparison tries."""
    match q:
        case SingleChoice():
            for i in range(len(q.choices)):
                yield f"choose {choice_id(i)}", ("choose", (i,)), [choice_id(i)], ""
        case MultipleResponse():
            for name, action, tokens in _multiple(q):
                yield name, action, tokens, ""
        case TrueFalse():
            for value in (True, False):
                yield (f"answer {str(value).lower()}", ("tf", value), [str(value).lower()], "")
        case ShortAnswer():
            for typed, topic in _typed_variants(q.answers):
                yield f"type {typed!r}", ("type", typed), [typed], topic
        case Numeric():
            for n, typed in enumerate(_number_variants(q.answer)):
                yield f"type {typed}", ("type", typed), [typed], BOUND if n else ""
        case Matching():
            for name, action, tokens in _matching(q):
                yield name, action, tokens, ""
        case Ordering():
            for name, action, tokens in _ordering(q):
                yield name, action, tokens, ""
        case FillBlanks():
            yield from _blanks(q)
        case Essay():
            for result in ("correct", "partial", "incorrect"):
                yield f"marked {result}", ("mark", result), [], ""
        case Description():
            return
        case _:
            raise AssertionError(type(q))


def _multiple(q: MultipleResponse) -> Iterator[tuple[str, Action, list[str]]]:
    right = tuple(i for i, c in enumerate(q.choices) if c.correct)
    wrong = tuple(i for i, c in enumerate(q.choices) if not c.correct)
    for i in range(len(q.choices)):
        yield f"choose {choice_id(i)}", ("choose", (i,)), [choice_id(i)]
    sets = [right]
    if wrong:
        sets.append(right + wrong[:1])
    if len(right) > 1 and wrong:
        sets.append(right[:1] + wrong[:1])
    for chosen in sets:
        ids = [choice_id(i) for i in chosen]
        yield f"choose {','.join(ids)}", ("choose", tuple(sorted(chosen))), ids


def _typed_variants(answers: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each answer as written, one with its letter case swapped (right only when case
    does not matter), one with its star replaced (a literal star is no wildcard), a wrong
    one; each with the words that would declare a different score for it."""
    found = {a: "" for a in answers}
    cased = next((a for a in answers if a.swapcase() != a), None)
    if cased:
        found.setdefault(cased.swapcase(), CASE)
    starred = next((a for a in answers if "*" in a), None)
    if starred:
        found.setdefault(starred.replace("*", "x"), WILDCARD)
    found.setdefault("zzz", "")
    return list(found.items())


def _number_variants(answer: NumericAnswer) -> list[str]:
    low, high = bounds(answer)
    step = max((high - low) / 10, Fraction(1, 100))
    values = [(low + high) / 2, low, high, low - step, high + step]
    return list(dict.fromkeys(decimal_text(v) for v in values))


def _matching(q: Matching) -> Iterator[tuple[str, Action, list[str]]]:
    answers = list(q.answers)
    right = [p.match for p in q.pairs]

    def wrong_for(i: int) -> str:
        return next(a for a in answers[::-1] if a != right[i])

    plans = {"all right": right,
             "first right": [right[0]] + [wrong_for(i) for i in range(1, len(right))],
             "none right": [wrong_for(i) for i in range(len(right))]}
    for name, chosen in plans.items():
        tokens = [f"{prompt_id(i)}.{match_id(answers.index(a))}" for i, a in enumerate(chosen)]
        yield name, ("match", tuple(chosen)), tokens


def _ordering(q: Ordering) -> Iterator[tuple[str, Action, list[str]]]:
    n = len(q.items)
    plans = {"right order": list(range(n)), "first two swapped": [1, 0, *range(2, n)],
             "rotated": [*range(1, n), 0]}
    for name, order in plans.items():
        yield name, ("order", tuple(order)), [item_id(i) for i in order]


def _blank_right(b: Blank) -> str:
    if b.kind is BlankKind.NUMERIC and b.numeric is not None:
        low, high = bounds(b.numeric)
        return decimal_text((low + high) / 2)
    return b.answers[0]


def _blank_wrong(b: Blank) -> str:
    if b.kind is BlankKind.NUMERIC and b.numeric is not None:
        return _number_variants(b.numeric)[-1]
    if b.kind is BlankKind.DROPDOWN:
        return next(o for o in b.options if o != b.answers[0])
    return "zzz"


def _blanks(q: FillBlanks) -> Iterator[Response]:
    right = {b.id: _blank_right(b) for b in q.blanks}
    wrong = {b.id: _blank_wrong(b) for b in q.blanks}
    plans: dict[str, tuple[dict[str, str], str]] = {"all right": (right, ""),
                                                     "none right": (wrong, "")}
    for b in q.blanks:
        named = f"'{re.escape(b.id)}'"
        plans[f"only {b.id} right"] = (wrong | {b.id: right[b.id]},
                                       rf"weight|share|{named}|drop-?down")
        if b.kind is BlankKind.NUMERIC and b.numeric is not None:
            for typed in _number_variants(b.numeric)[1:]:
                plans[f"{b.id} = {typed}"] = (right | {b.id: typed}, BOUND)
        if b.kind is BlankKind.TEXT:
            for typed, topic in _typed_variants(b.answers):
                if topic:
                    plans[f"{b.id} = {typed!r}"] = (right | {b.id: typed}, topic)
    for name, (texts, topic) in plans.items():
        yield name, ("fill", texts), [texts[b.id] for b in q.blanks], topic


# --- quizzes, pools and pages ----------------------------------------------------------


def expected_quiz(quiz: Quiz) -> Expected:
    return Expected(f"quiz:{quiz.id}", "quiz", {"description": md(quiz.description)})


def expected_pools(quiz: Quiz) -> Iterator[Expected]:
    for pool in quiz.pools:
        own = {float(q.points) for q in pool.questions}
        points = pool.points if pool.points is not None else (
            own.pop() if len(own) == 1 else None)  # each question its own points
        yield Expected(f"pool:{quiz.id}/{pool.id}", "pool", {
            "pick": pool.pick,
            "points": None if points is None else float(points),
            "_own_points": pool.points is None,
            "questions": tuple(sorted(q.id for q in pool.questions)),
        })


def expected_pages(course: Course) -> Iterator[Expected]:
    """The course's own texts, each to be found on the page (or in the PDF) that shows it."""
    yield Expected("course", "page", {"description": md(course.description)})
    for module in course.modules:
        yield Expected(f"module:{module.id}", "page", {"description": md(module.description)})
        for lesson in module.lessons:
            fields: dict[str, Any] = {"title": Text(plain(lesson.title)),
                                      "summary": md(lesson.summary), "body": md(lesson.body)}
            for n, term in enumerate(lesson.key_terms):
                fields[f"key_terms[{n}]"] = Text(plain(term.term)) + md(term.definition)
            for n, quote in enumerate(lesson.quotes):
                fields[f"quotes[{n}]"] = Text(plain(quote.text))  # plain: as the source has it
            for n, reading in enumerate(lesson.further_reading):
                fields[f"further_reading[{n}]"] = md(reading)
            yield Expected(f"lesson:{module.id}/{lesson.id}", "page", fields)
        yield Expected(f"facilitator:{module.id}", "facilitator", facilitator_fields(module))


def facilitator_fields(module: Module) -> dict[str, Any]:
    notes = module.facilitator
    fields: dict[str, Any] = {"notes": md(notes.notes), "background": md(notes.background)}
    for n, prompt in enumerate(notes.discussion_prompts):
        fields[f"discussion_prompts[{n}]"] = md(prompt)
    for n, scenario in enumerate(notes.scenarios):
        fields[f"scenarios[{n}].situation"] = md(scenario.situation)
        fields[f"scenarios[{n}].debrief"] = md(scenario.debrief)
    for n, timing in enumerate(notes.timings):
        fields[f"timings[{n}]"] = md(timing.activity)
    return {k: v for k, v in fields.items() if v}


def expected_all(course: Course) -> dict[str, Expected]:
    found = {q.id: expected_question(quiz, q) for quiz, q in questions(course)}
    for quiz in course.quizzes:
        found[f"quiz:{quiz.id}"] = expected_quiz(quiz)
        found.update((e.id, e) for e in expected_pools(quiz))
    found.update((e.id, e) for e in expected_pages(course))
    return found


def source_images(course: Course) -> dict[bytes, str]:
    """The bytes of every image the course uses -> its file name (the image token)."""
    return {a.path.read_bytes(): a.path.name for a in course.assets()}


def lessons_assets(course: Course) -> set[str]:
    return {a.path.name for a in course.assets()}


__all__ = ["GAP", "NO_TEXT", "Expected", "Outcome", "Text", "expected_all", "fragment",
           "html_text", "keyed", "latin", "latin_runs", "local", "md", "plain", "questions", "squash",
           "text_of", "token"]

_ = etree  # lxml.etree elements are walked by text_of as well
