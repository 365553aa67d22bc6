"""Moodle XML (qformat_xml) as Moodle 4.x writes it: one quiz per category.

Each core type becomes the model's type that holds it: multichoice (one or several
answers, fractions as scoring and negative marking), truefalse, shortanswer, numerical,
matching, ordering, multianswer (cloze), gapselect and ddwtos (gaps as drop-downs), essay
and description. Combined feedback, per-answer feedback, general feedback and hints come
along. A text in several languages for Moodle's multi-language content filter (a run of
``<span lang=".." class="multilang">``) comes in the language of its first span. Any other
type (calculated, random short-answer matching, drag-and-drop onto an image...) is kept as
a commented-out block with a warning at its line.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import textwrap
from collections.abc import Callable
from typing import Any

from lxml import etree

from coursepack.errors import Origin
from coursepack.importers.base import (
    Bank,
    Item,
    Kept,
    Spec,
    Unmappable,
    accept_answers,
    fill,
    number,
    split_gap_text,
    tidy,
)
from coursepack.importers.cloze import ClozeError, read_cloze
from coursepack.importers.safe import parse_xml
from coursepack.importers.text import Media, as_markdown, plain, text_lines, with_images

name = "moodle-xml"
label = "Moodle XML"

_MULTILANG_SPAN = r'<span(?:\s+lang="[\w-]+"|\s+class="multilang"){2}\s*>(.*?)</span>'
_MULTILANG_RUN = re.compile(rf"{_MULTILANG_SPAN}(?:\s*{_MULTILANG_SPAN})+", re.S | re.I)


def first_language(text: str) -> str:
    """Each run of multi-language spans as the text of its first (the bank's own language,
    as coursepack and most authors write them first)."""
    return _MULTILANG_RUN.sub(lambda m: m.group(1), text)


_KEPT_TYPES = {
    "calculated": "a calculated question (its numbers are drawn from datasets)",
    "calculatedsimple": "a simple calculated question (its numbers are drawn from datasets)",
    "calculatedmulti": "a calculated multichoice question (its numbers are drawn from datasets)",
    "randomsamatch": "a random short-answer matching question (it draws other questions)",
    "random": "a random question (a draw from a category, set in the quiz)",
    "ddimageortext": "a drag-and-drop onto image question",
    "ddmarker": "a drag-and-drop markers question",
}


def detect(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and re.search(rb"<quiz\b", data[:65536]) is not None \
        and b"<question" in data


def read(data: bytes, source: str) -> Bank:
    root = parse_xml(data, source)
    bank = Bank(source, name)
    if root.tag != "quiz":
        raise _not_moodle(source, root)
    reader = _Reader(bank, source, data.decode("utf-8", "replace").splitlines())
    title = _file_title(source)
    for node in root.iterchildren("question"):
        kind = node.get("type", "")
        if kind == "category":
            title = _category_title(node) or title
            group = bank.group(title)
            info = node.find("info")
            if info is not None and not group.description:
                group.description = reader.md(info)
            continue
        item = reader.question(node)
        if item is not None:
            bank.group(title).items.append(item)
    bank.groups = [g for g in bank.groups if g.items]
    return bank


def _not_moodle(source: str, root: Any) -> Exception:
    from coursepack.errors import CoursepackError

    return CoursepackError.single(
        f"not a Moodle XML question bank: the document is <{root.tag}>, not <quiz>",
        Origin(source, root.sourceline or 1), hint="use --from to name the format")


def _file_title(source: str) -> str:
    stem = re.sub(r"\.(xml|txt|gift|zip)$", "", source.rsplit("/", 1)[-1], flags=re.I)
    return re.sub(r"[-_]+", " ", stem).strip() or "Imported questions"


def _category_title(node: Any) -> str:
    path = node.findtext("category/text") or ""
    names = [n.replace("\x00", "/") for n in path.replace("//", "\x00").split("/")]
    names = [n for n in names if n and n not in ("$course$", "$system$", "$module$",
                                                 "$cat1$", "top")]
    return html.unescape(" ".join(names[-1].split())) if names else ""


class _Reader:
    def __init__(self, bank: Bank, source: str, lines: list[str]) -> None:
        self.bank = bank
        self.source = source
        self.lines = lines

    @property
    def media(self) -> Media:
        return self.bank.media

    def origin(self, node: Any) -> Origin:
        return Origin(self.source, node.sourceline or 0)

    # --- texts -------------------------------------------------------------------------

    def files(self, node: Any) -> dict[str, bytes]:
        found = {}
        for f in node.iterchildren("file"):
            try:
                found[f.get("name", "")] = base64.b64decode(f.text or "", validate=False)
            except (binascii.Error, ValueError):
                self.bank.warn(self.origin(f), f"the file '{f.get('name')}' is not valid "
                               "base64; its image is left as a broken link")
        return found

    def html_of(self, node: Any | None, extra_files: dict[str, bytes] | None = None) -> str:
        """The HTML of a text field (``<x format=..><text/><file/></x>``), images copied."""
        if node is None:
            return ""
        text = first_language(node.findtext("text") or "")
        fmt = node.get("format", "html")
        if fmt in ("plain_text", "moodle_auto_format") and "<" not in text:
            text = "<br>".join(html.escape(line) for line in text.split("\n"))
        elif fmt == "markdown":
            from coursepack import markup

            text = markup.to_html(text)
        files = {**(extra_files or {}), **self.files(node)}

        def find(src: str) -> tuple[str, bytes] | None:
            prefix = "@@PLUGINFILE@@/"
            if not src.startswith(prefix):
                return None
            wanted = src[len(prefix):]
            from urllib.parse import unquote

            for key in (wanted, unquote(wanted)):
                if key in files:
                    return key, files[key]
                if key.rsplit("/", 1)[-1] in files:
                    leaf = key.rsplit("/", 1)[-1]
                    return leaf, files[leaf]
            return None

        before = len(self.media.dropped)
        rendered = with_images(text, self.media, find)
        self.bank.warn_dropped(self.origin(node), before)
        return rendered

    def question_html(self, node: Any) -> str:
        """The question text, with the image of Moodle 1.9's own field (``<image>`` and
        ``<image_base64>``) after it, as Moodle's importer still places it."""
        text = node.find("questiontext")
        name = (node.findtext("image") or "").strip()
        if not name:
            return self.html_of(text)
        try:
            extra = {name: base64.b64decode(node.findtext("image_base64") or "")}
        except (binascii.Error, ValueError):
            extra = {}
        image = f' <img src="@@PLUGINFILE@@/{html.escape(name)}" alt="">'
        if text is None:
            return self.html_of(_text_node(image), extra)
        own = self.html_of(text, extra)
        before = len(self.media.dropped)
        shown = with_images(image, self.media, lambda _: (name, extra[name]) if extra else None)
        self.bank.warn_dropped(self.origin(node), before)
        return own + shown

    def md(self, node: Any | None, inline: bool = False) -> str:
        return as_markdown(self.html_of(node), inline)

    # --- questions ---------------------------------------------------------------------

    def question(self, node: Any) -> Item | None:
        kind = node.get("type", "")
        origin = self.origin(node)
        if kind in _KEPT_TYPES or kind not in _SPECIFIC:
            why = _KEPT_TYPES.get(kind, f"the question type '{kind}', which coursepack does "
                                  "not know")
            return self.keep(node, f"{why}: the model has no such question", origin)
        notes: list[str] = []
        try:
            spec = self.common(node, notes)
            _SPECIFIC[kind](self, node, spec, notes)
        except Unmappable as exc:
            return self.keep(node, str(exc), origin)
        except ClozeError as exc:
            return self.keep(node, f"an embedded-answers (cloze) question: {exc}", origin)
        for note in notes:
            self.bank.warn(origin, f"question '{spec['title'] or spec['id']}': {note}")
        idnumber = (node.findtext("idnumber") or "").strip()
        if spec["title"] == idnumber:
            spec["title"] = ""  # a question without a title is named by its id
        return Item(tidy(spec), origin, notes=notes, id_hint=idnumber or spec["title"])

    def keep(self, node: Any, why: str, origin: Origin) -> Item:
        title = plain(node.findtext("name/text") or "")
        self.bank.warn(origin, f"question '{title}': {why}; kept as a comment in the quiz file")
        return Item(None, origin, kept=Kept(why, _short(self.source_of(node)), origin))

    def source_of(self, node: Any) -> str:
        """The question's lines as the file has them (CDATA and all), up to the next one."""
        start = (node.sourceline or 1) - 1
        following = node.getnext()
        while following is not None and not isinstance(following.tag, str):
            following = following.getnext()
        end = (following.sourceline or len(self.lines)) - 1 if following is not None \
            else len(self.lines)
        chosen = self.lines[start:end]
        while chosen and (not chosen[-1].strip() or chosen[-1].strip().startswith("<!--")
                          or chosen[-1].strip() == "</quiz>"):
            chosen.pop()
        return textwrap.dedent("\n".join(chosen)) or etree.tostring(
            node, encoding="unicode", with_tail=False)

    def common(self, node: Any, notes: list[str]) -> Spec:
        spec: Spec = {
            "id": "",
            "title": plain(first_language(node.findtext("name/text") or "")),
            "type": "",
            "stem": as_markdown(self.question_html(node)),
        }
        grade = number(node.findtext("defaultgrade"), 1.0)
        spec["points"] = grade
        feedback = {
            "general": self.md(node.find("generalfeedback")),
            "correct": self.md(node.find("correctfeedback")),
            "partial": self.md(node.find("partiallycorrectfeedback")),
            "incorrect": self.md(node.find("incorrectfeedback")),
        }
        spec["feedback"] = feedback
        spec["hints"] = [h for h in (self.md(n) for n in node.iterchildren("hint")) if h]
        tags = [plain(t.findtext("text") or "") for t in node.iterchildren("tags")
                for t in t.iterchildren("tag")]
        spec["_tags"] = [t for t in tags if t]
        shuffle = node.findtext("shuffleanswers")
        if shuffle is not None:
            spec["_shuffle"] = shuffle.strip().lower() in ("1", "true")
        return spec

    # per type ------------------------------------------------------------------------

    def answers(self, node: Any) -> list[tuple[Any, float]]:
        return [(a, number(a.get("fraction"), 0.0) / 100) for a in node.iterchildren("answer")]

    def multichoice(self, node: Any, spec: Spec, notes: list[str]) -> None:
        answers = self.answers(node)
        single = (node.findtext("single") or "true").strip().lower() in ("true", "1")
        choices = [{"text": as_markdown(self.html_of(a), inline=True),
                    "correct": f > 0, "feedback": self.md(a.find("feedback"))} for a, f in answers]
        if not choices:
            raise Unmappable("a multiple-choice question with no answers")
        fractions = [f for _, f in answers]
        if single:
            spec["type"] = "single"
            full = [i for i, f in enumerate(fractions) if f >= 0.99999]
            if len(full) != 1 or any(0 < f < 0.99999 for f in fractions):
                part = [f"{round(f * 100, 5):g}%" for f in fractions if 0 < f < 0.99999]
                best = max(range(len(fractions)), key=lambda i: fractions[i])
                for i, c in enumerate(choices):
                    c["correct"] = i == best
                if part or len(full) > 1:
                    worth = ", ".join(part) or "several full-mark answers"
                    notes.append(f"answers worth part of the marks ({worth}) become wrong "
                                 "answers: a single-choice question has one correct option")
            if any(f < 0 for f in fractions):
                notes.append("negative marks for wrong answers are left out: a wrong option "
                             "of a single-choice question scores 0")
        else:
            spec["type"] = "multiple"
            self._scoring(spec, fractions, notes)
        spec["choices"] = choices

    def _scoring(self, spec: Spec, fractions: list[float], notes: list[str]) -> None:
        right = [f for f in fractions if f > 0]
        wrong = [f for f in fractions if f <= 0]
        if not right:
            raise Unmappable("a multiple-answer question with no correct answer")
        if max(right) - min(right) > 0.001:
            notes.append("its correct answers carry different weights (" + ", ".join(
                f"{round(f * 100, 5):g}%" for f in right) + "); the model shares the marks "
                "equally between them")
        negative = [f for f in wrong if f < 0]
        if not negative:
            spec["scoring"] = "partial"
        elif len(wrong) > 1 and all(abs(f + 1) < 0.001 for f in wrong):
            spec["scoring"] = "all-or-nothing"
            notes.append("every wrong answer costs 100%, read as all-or-nothing scoring: "
                         "Moodle gave partial credit for some of the right answers")
        else:
            spec["scoring"] = "partial"
            spec["negative_marking"] = True
            share = -1 / len(wrong)
            if any(abs(f - share) > 0.001 for f in wrong):
                notes.append("its wrong answers cost " + ", ".join(
                    f"{round(f * 100, 5):g}%" for f in wrong) + "; with negative marking each "
                    f"costs an equal share ({round(share * 100, 5):g}%)")

    def truefalse(self, node: Any, spec: Spec, notes: list[str]) -> None:
        spec["type"] = "true-false"
        by = {plain(a.findtext("text") or "").lower(): (a, f) for a, f in self.answers(node)}
        if "true" not in by or "false" not in by:
            raise Unmappable("a true/false question without its 'true' and 'false' answers")
        spec["answer"] = by["true"][1] >= by["false"][1]
        spec["feedback_true"] = self.md(by["true"][0].find("feedback"))
        spec["feedback_false"] = self.md(by["false"][0].find("feedback"))

    def shortanswer(self, node: Any, spec: Spec, notes: list[str]) -> None:
        spec["case_sensitive"] = (node.findtext("usecase") or "0").strip() == "1"
        accept_answers(spec, (((a.findtext("text") or "").strip(),  # as typed, not as HTML
                               f, self.md(a.find("feedback"))) for a, f in self.answers(node)),
                       notes)

    def numerical(self, node: Any, spec: Spec, notes: list[str]) -> None:
        spec["type"] = "numeric"
        right = None
        for a, f in self.answers(node):
            value = (a.findtext("text") or "").strip()
            feedback = self.md(a.find("feedback"))
            if value == "*" and f <= 0:
                fill(spec["feedback"], "incorrect", feedback)
            elif f >= 0.99999 and right is None:
                right = (value, number(a.findtext("tolerance"), 0.0))
                fill(spec["feedback"], "correct", feedback)
            else:
                notes.append(f"the answer {value} (worth {round(f * 100, 5):g}%) is left out: "
                             "a numeric question has one right answer")
        if right is None or number(right[0], None) is None:
            raise Unmappable("a numerical question with no fully correct number")
        spec["answer"] = number(right[0], 0.0)
        if right[1]:
            spec["tolerance"] = abs(right[1])
        units = [(u.findtext("unit_name") or "", number(u.findtext("multiplier"), 1.0))
                 for u in node.iter("unit")]
        base = [u for u, m in units if m == 1.0]
        if base:
            spec["unit"] = plain(base[0])
        if len(units) > len(base[:1]):
            notes.append("units other than the first with multiplier 1 are left out")

    def matching(self, node: Any, spec: Spec, notes: list[str]) -> None:
        spec["type"] = "matching"
        pairs, spare = [], []
        for sub in node.iterchildren("subquestion"):
            prompt = as_markdown(self.html_of(sub), inline=True)
            answer = plain(first_language(sub.findtext("answer/text") or ""))
            if prompt:
                pairs.append({"prompt": prompt, "match": answer})
            elif answer:
                spare.append(answer)
        if not pairs:
            raise Unmappable("a matching question with no prompts")
        spec["pairs"] = pairs
        spec["distractors"] = spare

    def ordering(self, node: Any, spec: Spec, notes: list[str]) -> None:
        spec["type"] = "ordering"
        answers = sorted(self.answers(node), key=lambda pair: pair[1])
        spec["items"] = [as_markdown(self.html_of(a), inline=True) for a, _ in answers]
        grading = (node.findtext("gradingtype") or "ABSOLUTE_POSITION").strip()
        if grading not in ("ABSOLUTE_POSITION", "ALL_OR_NOTHING"):
            notes.append(f"Moodle's grading type {grading} is not kept: each item scores in "
                         "its right place")
        select = (node.findtext("selecttype") or "ALL").strip()
        if select != "ALL":
            notes.append("Moodle showed a subset of the items; all of them are kept")

    def multianswer(self, node: Any, spec: Spec, notes: list[str]) -> None:
        spec["type"] = "fill-blanks"
        whole = self.question_html(node)
        cloze = read_cloze(whole)
        notes += cloze.notes
        _split_gap_text(spec, cloze.html, cloze.blanks)
        spec["points"] = sum(b["points"] for b in cloze.blanks) or spec["points"]

    def gapselect(self, node: Any, spec: Spec, notes: list[str]) -> None:
        spec["type"] = "fill-blanks"
        options = [(plain(o.findtext("text") or ""), int(number(o.findtext("group"), 1.0)))
                   for o in node.iterchildren("selectoption", "dragbox")]
        if node.get("type") == "ddwtos":
            notes.append("its words to drag into the gaps become drop-down lists")
        blanks: list[Spec] = []
        text = self.question_html(node)

        def gap(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            if not 0 <= index < len(options):
                raise Unmappable(f"a gap [[{index + 1}]] names no option")
            answer, group = options[index]
            choices = list(dict.fromkeys(o for o, g in options if g == group))
            blanks.append({"id": f"b{len(blanks) + 1}", "type": "dropdown", "answer": answer,
                           "options": choices, "points": 1})
            return f"CPIMPORTGAP{len(blanks) - 1:03d}X"

        marked = re.sub(r"\[\[(\d+)\]\]", gap, text)
        if not blanks:
            raise Unmappable("a select-missing-words question with no gaps")
        _split_gap_text(spec, marked, blanks)

    def essay(self, node: Any, spec: Spec, notes: list[str]) -> None:
        spec["type"] = "essay"
        spec["grader_notes"] = self.md(node.find("graderinfo"))
        template = node.find("responsetemplate")
        spec["response_template"] = text_lines(self.html_of(template)) \
            if template is not None else ""
        spec["min_words"] = int(number(node.findtext("minwordlimit"), 0.0))
        spec["max_words"] = int(number(node.findtext("maxwordlimit"), 0.0))
        if int(number(node.findtext("attachments"), 0.0)):
            notes.append("the learner could attach files in Moodle; the essay keeps only the "
                         "typed answer")
        if (node.findtext("responseformat") or "editor") == "noinline":
            notes.append("Moodle asked for attachments only; the essay asks for typed text")

    def description(self, node: Any, spec: Spec, notes: list[str]) -> None:
        spec["type"] = "description"
        spec["points"] = 0


_SPECIFIC: dict[str, Callable[[_Reader, Any, Spec, list[str]], None]] = {
    "multichoice": _Reader.multichoice,
    "truefalse": _Reader.truefalse,
    "shortanswer": _Reader.shortanswer,
    "numerical": _Reader.numerical,
    "match": _Reader.matching,
    "matching": _Reader.matching,
    "ordering": _Reader.ordering,
    "multianswer": _Reader.multianswer,
    "cloze": _Reader.multianswer,  # the name Moodle's XML export gives a multianswer question
    "gapselect": _Reader.gapselect,
    "ddwtos": _Reader.gapselect,
    "essay": _Reader.essay,
    "description": _Reader.description,
}


def _text_node(fragment: str) -> Any:
    holder = etree.Element("questiontext", format="html")
    etree.SubElement(holder, "text").text = fragment
    return holder


def _split_gap_text(spec: Spec, marked_html: str, blanks: list[Spec]) -> None:
    split_gap_text(spec, as_markdown(marked_html), blanks)


def _short(source: str, limit: int = 200) -> str:
    """The source of a kept block, files shortened (their bytes are no use in a comment)."""
    shortened = re.sub(r"(<file\b[^>]*>)[^<]{80,}(</file>)", r"\1...\2", source)
    lines = shortened.splitlines()
    return "\n".join(lines[:limit] + (["..."] if len(lines) > limit else []))


__all__ = ["detect", "label", "name", "read"]
