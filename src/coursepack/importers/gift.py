"""GIFT, Moodle's text format, read as Moodle's importer (qformat_gift) reads it.

Questions are separated by blank lines; ``//`` lines are comments, where ``[id:...]`` and
``[tag:...]`` name the question and its tags; ``$CATEGORY:`` starts a category (a quiz).
A question is ``::title::`` (optional), ``[format]`` (optional), its text and, in braces,
its answers: ``{}`` an essay, ``{T}``/``{FALSE#wrong#right}`` true/false, ``{#...}``
numerical (``value:tolerance``, ``low..high``, several ``=`` answers), ``=a -> b``
matching, ``~`` multiple choice (one ``=`` answer: single; ``~%50%`` weights: several),
otherwise short answer; text after the braces makes it a missing-word question (a one-gap
fill-blanks). No braces: a description. ``#`` feedback, ``####`` general feedback,
``%n%`` weights; ``\\`` escapes ``~ = # { } :`` and ``\\n`` is a line break.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from coursepack import markup
from coursepack.errors import CoursepackError, Origin
from coursepack.importers.base import (
    Bank,
    Item,
    Kept,
    Spec,
    Unmappable,
    accept_answers,
    fill,
    split_gap_text,
    tidy,
)
from coursepack.importers.text import as_markdown, plain, with_images

name = "gift"
label = "GIFT"

_ESCAPED = {"\\\\": "\x01", "\\~": "\x02", "\\=": "\x03", "\\#": "\x04", "\\{": "\x05",
            "\\}": "\x06", "\\:": "\x07", "\\n": "\x08"}
_RESTORE = {"\x01": "\\", "\x02": "~", "\x03": "=", "\x04": "#", "\x05": "{", "\x06": "}",
            "\x07": ":", "\x08": "\n"}


def detect(data: bytes) -> bool:
    try:
        text = data[:65536].decode("utf-8")
    except UnicodeDecodeError:
        return False
    if text.lstrip("\ufeff \t\r\n").startswith("<"):
        return False
    return bool(re.search(r"\{[^{}]*\}|^\s*::.+?::|^\$CATEGORY:", text, re.M))


def _syntax(source: str, line: int, column: int, message: str, hint: str) -> CoursepackError:
    return CoursepackError.single(f"GIFT syntax error: {message}", Origin(source, line, column),
                                  hint=hint)


@dataclass
class _Block:
    text: str  # escapes replaced by placeholders; comment lines blanked
    line: int  # file line of its first character
    comments: str
    raw: str


def _protect(text: str) -> str:
    return re.sub(r"\\[\\~=#{}:n]", lambda m: _ESCAPED[m.group(0)], text)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


def read(data: bytes, source: str) -> Bank:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CoursepackError.single("the GIFT file is not UTF-8 text", Origin(source, line),
                                     hint="save it as UTF-8 and import it again") from None
    bank = Bank(source, name)
    title = re.sub(r"\.(txt|gift)$", "", source, flags=re.I).replace("-", " ").replace("_", " ")
    reader = _Reader(bank, source)
    for block in _blocks(text.replace("\r\n", "\n").replace("\r", "\n")):
        category = re.match(r"\s*\$CATEGORY:\s*(.+)", block.raw)
        if category:
            title = _category_title(category.group(1)) or title
            bank.group(title)
            continue
        if not block.text.strip():
            continue
        item = reader.question(block)
        if item is not None:
            bank.group(title).items.append(item)
    bank.groups = [g for g in bank.groups if g.items]
    return bank


def _category_title(path: str) -> str:
    names = [n.replace("\x00", "/") for n in path.strip().replace("//", "\x00").split("/")]
    names = [n for n in names if n and n not in ("$course$", "$system$", "$module$", "top")]
    return html.unescape(" ".join(names[-1].split())) if names else ""


def _blocks(text: str) -> list[_Block]:
    """The file cut at blank lines, as Moodle cuts it; comment lines kept apart."""
    found: list[_Block] = []
    lines = text.split("\n")
    start = 0
    current: list[str] = []
    comments: list[str] = []
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            if not current or (not start and not line.strip().startswith("//")):
                start = 0 if line.strip().startswith("//") else number
            current.append(line)
            continue
        if current:
            body = []
            for piece in current:
                if piece.strip().startswith("//"):
                    comments.append(piece.strip())
                    body.append("")
                else:
                    body.append(piece)
            first = start or number - len(current)
            at = first - (number - len(current))  # comment lines before the question
            found.append(_Block(_protect("\n".join(body[at:])), first, "\n".join(comments),
                                "\n".join(current)))
        current, comments = [], []
    return found


class _Reader:
    def __init__(self, bank: Bank, source: str) -> None:
        self.bank = bank
        self.source = source

    def where(self, block: _Block, offset: int) -> tuple[int, int]:
        before = block.text[:offset]
        line = block.line + before.count("\n")
        column = offset - (before.rfind("\n") + 1) + 1
        return line, column

    def fail(self, block: _Block, offset: int, message: str, hint: str) -> CoursepackError:
        line, column = self.where(block, offset)
        return _syntax(self.source, line, column, message, hint)

    def question(self, block: _Block) -> Item | None:
        text = block.text
        origin = Origin(self.source, block.line)
        body_at = len(text) - len(text.lstrip())
        title = ""
        if text[body_at:].startswith("::"):
            end = text.find("::", body_at + 2)
            if end < 0:
                raise self.fail(block, body_at, "the title opened with '::' is never closed",
                                "close it with '::', or escape a colon in it as '\\:'")
            title = plain(_restore(text[body_at + 2:end]))
            body_at = end + 2
        fmt = "moodle"
        head = re.match(r"\s*\[(html|moodle|plain|markdown)\]", text[body_at:])
        if head:
            fmt, body_at = head.group(1), body_at + head.end()
        opening = text.find("{", body_at)
        closing_stray = text.find("}", body_at)
        if opening < 0:
            if closing_stray >= 0:
                raise self.fail(block, closing_stray, "'}' closes answers that were never "
                                "opened", "open them with '{', or escape the brace as '\\}'")
            spec = self.start(title, self.markdown(text[body_at:], fmt), block)
            spec["type"] = "description"
            spec["points"] = 0
            return self.done(spec, block, origin, [])
        closing = text.find("}", opening)
        if closing < 0:
            raise self.fail(block, opening, "the answers opened with '{' are never closed",
                            "close them with '}', or escape a brace in the text as '\\{'")
        nested = text.find("{", opening + 1)
        if 0 <= nested < closing:
            raise self.fail(block, nested, "'{' inside answers", "escape it as '\\{'")
        after = text[closing + 1:]
        extra = after.find("{")
        if extra >= 0:
            raise self.fail(block, closing + 1 + extra, "a second set of answers in one "
                            "question", "leave a blank line between questions")
        stem_raw, answers_raw = text[body_at:opening], text[opening + 1:closing]
        notes: list[str] = []
        try:
            if after.strip():
                spec = self.missing_word(block, title, fmt, stem_raw, answers_raw, after,
                                         opening + 1, notes)
            else:
                spec = self.start(title, self.markdown(stem_raw, fmt), block)
                self.answers(block, spec, answers_raw, opening + 1, fmt, notes)
        except Unmappable as exc:
            self.bank.warn(origin, f"question '{title}': {exc}; kept as a comment in the quiz "
                           "file")
            return Item(None, origin, kept=Kept(str(exc), block.raw, origin))
        return self.done(spec, block, origin, notes)

    def start(self, title: str, stem: str, block: _Block) -> Spec:
        return {"id": "", "type": "", "title": title, "stem": stem, "feedback": {},
                "_tags": re.findall(r"\[tag:([^\]]+)\]", block.comments)}

    def done(self, spec: Spec, block: _Block, origin: Origin, notes: list[str]) -> Item:
        self.bank.warn_dropped(origin, 0)
        found = re.search(r"\[id:([^\]]+)\]", block.comments)
        idnumber = found.group(1).strip() if found else ""
        if spec.get("title") == idnumber:
            spec["title"] = ""
        for note in notes:
            self.bank.warn(origin, f"question '{spec.get('title') or idnumber}': {note}")
        return Item(tidy(spec), origin, notes=notes, id_hint=idnumber or spec.get("title", ""))

    # --- texts -------------------------------------------------------------------------

    def markdown(self, raw: str, fmt: str, inline: bool = False) -> str:
        """A text in its GIFT format as Markdown; GIFT carries no files, so an image (or a
        link to a file) it names is replaced by its description (``with_images``)."""
        text = _restore(raw).strip()
        if fmt == "markdown" and not re.search(r"\]\(|<img|<a\b", text):
            return text
        if fmt == "markdown":
            text = markup.to_inline_html(text) if inline else markup.to_html(text)
        if fmt in ("html", "markdown"):
            return as_markdown(with_images(text, self.bank.media, lambda _: None), inline)
        escaped = html.escape(text, quote=False)
        return as_markdown(escaped if inline else escaped.replace("\n", "<br>"), inline)

    # --- answers -----------------------------------------------------------------------

    def answers(self, block: _Block, spec: Spec, raw: str, at: int, fmt: str,
                notes: list[str]) -> None:
        body, general = _general(raw)
        if general is not None:
            spec["feedback"]["general"] = self.markdown(general, fmt)
        stripped = body.strip()
        if not stripped:
            spec["type"] = "essay"
            return
        if stripped.startswith("#"):
            self.numerical(block, spec, body, at, notes)
            return
        tf = re.fullmatch(r"(T|TRUE|F|FALSE)\s*(?:#(.*?))?\s*(?:#(.*))?", stripped, re.S)
        if tf:
            spec["type"] = "true-false"
            spec["answer"] = tf.group(1).startswith("T")
            wrong, right = (self.markdown(g or "", fmt) for g in tf.group(2, 3))
            yes, no = (right, wrong) if spec["answer"] else (wrong, right)
            spec["feedback_true"], spec["feedback_false"] = yes, no
            return
        alternatives = self.alternatives(block, body, at)
        if "->" in body:
            self.matching(block, spec, alternatives, fmt)
        elif "~" in body:
            self.multichoice(spec, alternatives, "=" in body, fmt, notes)
        else:
            self.shortanswer(spec, alternatives, fmt, notes)

    def alternatives(self, block: _Block, body: str, at: int) -> list[_Alternative]:
        found = []
        for match in re.finditer(r"([=~])([^=~]*)", body):
            raw = match.group(2)
            weight = re.match(r"\s*%(-?\d+(?:\.\d+)?)%", raw)
            fraction = (float(weight.group(1)) / 100 if weight else
                        (1.0 if match.group(1) == "=" else 0.0))
            if weight:
                raw = raw[weight.end():]
            text, _, feedback = raw.partition("#")
            found.append(_Alternative(match.group(1) == "=", fraction, text, feedback,
                                      at + match.start()))
        if not found:
            raise self.fail(block, at, "the answers have no '=' or '~'", "start each answer "
                            "with '=' (right) or '~' (wrong), e.g. {=Paris ~London}")
        return found

    def multichoice(self, spec: Spec, alternatives: list[_Alternative], single: bool,
                    fmt: str, notes: list[str]) -> None:
        choices = [{"text": self.markdown(a.text, fmt, inline=True), "correct": a.fraction > 0,
                    "feedback": self.markdown(a.feedback, fmt)} for a in alternatives]
        fractions = [a.fraction for a in alternatives]
        if single:
            spec["type"] = "single"
            best = max(range(len(fractions)), key=lambda i: fractions[i])
            for i, choice in enumerate(choices):
                choice["correct"] = i == best
            if sum(f >= 0.99999 for f in fractions) != 1 or any(0 < f < 0.99999
                                                                for f in fractions):
                notes.append("answers worth part of the marks become wrong answers: a "
                             "single-choice question has one correct option")
        else:
            spec["type"] = "multiple"
            _scoring(spec, fractions, notes)
        spec["choices"] = choices

    def shortanswer(self, spec: Spec, alternatives: list[_Alternative], fmt: str,
                    notes: list[str]) -> None:
        accept_answers(spec, ((_restore(a.text).strip(), a.fraction, self.markdown(a.feedback, fmt))
                              for a in alternatives), notes)

    def matching(self, block: _Block, spec: Spec, alternatives: list[_Alternative],
                 fmt: str) -> None:
        spec["type"] = "matching"
        pairs, spare = [], []
        for a in alternatives:
            if "->" not in a.text:
                raise self.fail(block, a.offset, "a matching answer without '->'",
                                "write each pair as '=prompt -> answer'")
            prompt, _, answer = a.text.partition("->")
            shown = self.markdown(prompt, fmt, inline=True)
            if shown:
                pairs.append({"prompt": shown, "match": plain(_restore(answer))})
            else:
                spare.append(plain(_restore(answer)))
        spec["pairs"], spec["distractors"] = pairs, spare
        if not pairs:
            raise Unmappable("a matching question with no prompts")

    def numerical(self, block: _Block, spec: Spec, body: str, at: int,
                  notes: list[str]) -> None:
        spec["type"] = "numeric"
        rest = body.strip()[1:]
        if "=" in rest or "~" in rest:
            alternatives = self.alternatives(block, rest, at)
        else:
            value, _, feedback = rest.partition("#")
            alternatives = [_Alternative(True, 1.0, value, feedback, at)]
        right = None
        for a in alternatives:
            if not a.text.strip() and a.fraction <= 0:
                fill(spec["feedback"], "incorrect", self.markdown(a.feedback, "html"))
                continue
            if a.fraction < 0.99999:
                notes.append(f"the answer {_restore(a.text).strip()} (worth "
                             f"{round(a.fraction * 100, 5):g}%) is left out: a numeric question "
                             "has one right answer")
                continue
            if right is None:
                right = self.number(block, a)
                fill(spec["feedback"], "correct", self.markdown(a.feedback, "html"))
        if right is None:
            raise Unmappable("a numerical question with no fully correct number")
        spec.update(right)

    def number(self, block: _Block, a: _Alternative) -> Spec:
        text = _restore(a.text).strip()
        try:
            if ".." in text:
                low, high = (float(v) for v in text.split("..", 1))
                return {"answer": (low + high) / 2, "tolerance": abs(high - low) / 2}
            value, _, tolerance = text.partition(":")
            found: Spec = {"answer": float(value)}
            if tolerance and float(tolerance):
                found["tolerance"] = abs(float(tolerance))
            return found
        except ValueError:
            raise self.fail(block, a.offset, f"'{text}' is not a number", "write "
                            "'value', 'value:tolerance' or 'lowest..highest'") from None

    def missing_word(self, block: _Block, title: str, fmt: str, before: str, answers: str,
                     after: str, at: int, notes: list[str]) -> Spec:
        """Text {answers} text: a fill-blanks question with one gap."""
        body, general = _general(answers)
        spec = self.start(title, "", block)
        if general is not None:
            spec["feedback"]["general"] = self.markdown(general, fmt)
        stripped = body.strip()
        blank: Spec = {"id": "b1"}
        if stripped.startswith("#"):
            probe: Spec = {"feedback": spec["feedback"]}
            self.numerical(block, probe, body, at, notes)
            blank |= {"type": "numeric", "answer": probe["answer"]}
            if "tolerance" in probe:
                blank["tolerance"] = probe["tolerance"]
        elif not stripped or re.fullmatch(r"(T|TRUE|F|FALSE)\b.*", stripped, re.S) or \
                "->" in body:
            raise Unmappable("a missing-word question whose gap is not a word, a number or "
                              "a choice")
        else:
            alternatives = self.alternatives(block, body, at)
            right = [a for a in alternatives if a.fraction >= 0.99999]
            if not right:
                raise Unmappable("a missing-word question with no right answer")
            for a in alternatives:
                kind = "correct" if a.fraction >= 0.99999 else "incorrect"
                fill(spec["feedback"], kind, self.markdown(a.feedback, fmt))
            if "~" in body:
                blank |= {"type": "dropdown", "answer": plain(_restore(right[0].text)),
                          "options": list(dict.fromkeys(plain(_restore(a.text))
                                                        for a in alternatives))}
            else:
                probe = {"feedback": {}}
                self.shortanswer(probe, alternatives, fmt, notes)
                blank["answers"] = probe["answers"]
                fill(spec["feedback"], "incorrect", probe["feedback"].get("incorrect", ""))
        spec["type"] = "fill-blanks"
        split_gap_text(spec, self.markdown(before + "CPIMPORTGAP000X" + after, fmt), [blank])
        return spec


@dataclass
class _Alternative:
    right: bool
    fraction: float
    text: str
    feedback: str
    offset: int


def _general(raw: str) -> tuple[str, str | None]:
    """The answers and the general feedback after ``####``."""
    if "####" in raw:
        body, _, general = raw.partition("####")
        return body, general
    return raw, None


def _scoring(spec: Spec, fractions: list[float], notes: list[str]) -> None:
    right = [f for f in fractions if f > 0]
    wrong = [f for f in fractions if f <= 0]
    if not right:
        raise Unmappable("a multiple-answer question with no answer worth marks")
    if max(right) - min(right) > 0.001:
        notes.append("its correct answers carry different weights; the model shares the marks "
                     "equally between them")
    negative = [f for f in wrong if f < 0]
    if negative and len(wrong) > 1 and all(abs(f + 1) < 0.001 for f in wrong):
        spec["scoring"] = "all-or-nothing"
        notes.append("every wrong answer costs 100%, read as all-or-nothing scoring: Moodle "
                     "gave partial credit for some of the right answers")
    elif negative:
        spec["negative_marking"] = True
        if any(abs(f + 1 / len(wrong)) > 0.001 for f in wrong):
            notes.append("with negative marking each wrong answer costs an equal share")



__all__ = ["detect", "label", "name", "read"]
