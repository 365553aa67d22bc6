"""QTI 1.2 as Canvas exports it and text2qti writes it (a zip with imsmanifest.xml, one QTI
file per quiz, ``assessment_meta.xml`` beside it), or one QTI XML file.

Canvas names each item's type in its metadata (``question_type``): multiple choice, true
/false, multiple answers, short answer, numerical, matching, fill in multiple blanks,
multiple drop-downs, essay and text only become the model's types; an item without that
field is read from its response (one or several choices, a number, a text). Scores come
from the response conditions (``setvar``), feedback from ``itemfeedback`` (general,
correct, incorrect, partial, per answer; ``hint_fb`` the hints), images from
``$IMS-CC-FILEBASE$`` or paths in the package. A section with ``selection_ordering`` is
a pool. Calculated, file-upload, formula and any other type are kept as commented blocks.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from typing import Any

from coursepack.errors import CoursepackError, Origin
from coursepack.importers.base import (
    Bank,
    Group,
    Item,
    Kept,
    Spec,
    Unmappable,
    number,
    split_gap_text,
    tidy,
    true_false,
)
from coursepack.importers.package import ZIP, Package, local
from coursepack.importers.text import as_markdown, plain
from coursepack.locale import patterns

name = "qti12"
label = "QTI 1.2"
FILEBASE = ("$IMS-CC-FILEBASE$/", "%24IMS-CC-FILEBASE%24/", "$IMS_CC_FILEBASE$/")

_TYPES = {
    "multiple_choice_question": "single", "true_false_question": "true-false",
    "multiple_answers_question": "multiple", "short_answer_question": "short-answer",
    "numerical_question": "numeric", "matching_question": "matching",
    "fill_in_multiple_blanks_question": "fill-blanks",
    "multiple_dropdowns_question": "dropdowns", "essay_question": "essay",
    "text_only_question": "description",
}
_KEPT = {
    "calculated_question": "a calculated (formula) question",
    "file_upload_question": "a file-upload question",
}


def detect(data: bytes) -> bool:
    if data.startswith(ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    if info.filename.endswith((".xml", ".qti")) and info.file_size < 50_000_000:
                        head = archive.open(info).read(4096)
                        if b"questestinterop" in head or b"imsqti_xmlv1p2" in head:
                            return True
        except (zipfile.BadZipFile, OSError):
            return False
        return False
    return b"<questestinterop" in data[:8192]


def read(data: bytes, source: str) -> Bank:
    package = Package(data, source)
    bank = Bank(source, name)
    reader = _Reader(package, bank)
    # Canvas quiz exports name them <id>/<id>.xml, course exports <id>.xml.qti: the content
    # says which files are QTI, whatever their names.
    files = [p for p, d in package.files.items() if b"<questestinterop" in d[:4096]]
    if not files:
        raise CoursepackError.single("no QTI 1.2 file (<questestinterop>) in the package",
                                     Origin(source), hint="use --from to name the format")
    for path in sorted(files, key=_manifest_order(package)):
        reader.file(path)
    for section, path, group in reader.later:  # pools, once every quiz's own items are read
        reader.pool(section, path, group)
    bank.groups = [g for g in bank.groups if g.items or g.pools]
    return bank


def _manifest_order(package: Package) -> Any:
    manifest = package.files.get("imsmanifest.xml", b"")
    def key(path: str) -> tuple[int, str]:
        at = manifest.find(path.encode())
        return (at if at >= 0 else len(manifest), path)
    return key


class _Reader:
    def __init__(self, package: Package, bank: Bank) -> None:
        self.package = package
        self.bank = bank
        self.seen: dict[str, Item] = {}  # question id -> item, for pools that repeat it
        self.later: list[tuple[Any, str, Group]] = []

    def md(self, node: Any, path: str, inline: bool = False) -> str:
        return as_markdown(self.html(node, path), inline)

    def html(self, node: Any, path: str) -> str:
        """The text of a ``material`` (its mattext, HTML or plain), images copied."""
        if node is None:
            return ""
        parts = []
        for text in node.iter():
            if local(text) not in ("mattext", "mat_extension"):
                continue
            value = text.text or ""
            if text.get("texttype", "text/plain") != "text/html":
                value = html.escape(value, quote=False).replace("\n", "<br>")
            parts.append(value)
        from coursepack.importers.text import with_images

        return with_images("".join(parts), self.bank.media,
                           self.package.finder(path, FILEBASE))

    def file(self, path: str) -> None:
        root = self.package.xml(path)
        meta = self._meta(path)
        for assessment in root.iter():
            if local(assessment) == "assessment":
                self.assessment(assessment, path, meta)
        items_alone = [i for i in root.iterchildren() if local(i) in ("item", "section")]
        if items_alone:
            group = self.bank.group(_title(self.package.name))
            self.section_items(root, path, group)

    def _meta(self, path: str) -> Any:
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        meta = f"{folder}/assessment_meta.xml" if folder else "assessment_meta.xml"
        return self.package.xml(meta) if meta in self.package.files else None

    def assessment(self, node: Any, path: str, meta: Any) -> None:
        title = node.get("title") or _title(path)
        group = self.bank.group(title)
        if meta is not None:
            description = _child_text(meta, "description")
            if description:
                group.description = as_markdown(self._images(description, path))
            shuffle = _child_text(meta, "shuffle_answers")
            if shuffle in ("true", "false"):
                group.shuffle = shuffle == "true"
        for section in node.iterchildren():
            if local(section) == "section":
                self.section_items(section, path, group)

    def _images(self, fragment: str, path: str) -> str:
        from coursepack.importers.text import with_images

        return with_images(fragment, self.bank.media, self.package.finder(path, FILEBASE))

    def section_items(self, section: Any, path: str, group: Group) -> None:
        for child in section.iterchildren():
            kind = local(child)
            if kind == "item":
                group.items.append(self.item(child, path))
            elif kind == "section" and _selection(child) is not None:
                self.later.append((child, path, group))
            elif kind == "section":
                self.section_items(child, path, group)

    def pool(self, section: Any, path: str, group: Group) -> None:
        pick, points = _selection(section) or (1, None)
        pool: dict[str, Any] = {"id": section.get("ident", "pool"),
                                "title": section.get("title", ""), "pick": pick,
                                "include": [], "questions": []}
        if points is not None:
            pool["points"] = points
        for item in section.iter():
            if local(item) != "item":
                continue
            key = _question_id(item)
            if key and key in self.seen:
                pool["include"].append(self.seen[key])
            else:
                pool["questions"].append(self.item(item, path))
        if any(local(n) == "sourcebank_ref" for n in section.iter()):
            self.bank.warn(Origin(self.package.where(path), section.sourceline or 0),
                           f"pool '{pool['title'] or pool['id']}' draws from a Canvas question "
                           "bank that is not in the file; only its own questions come along")
        group.pools.append(pool)

    def item(self, node: Any, path: str) -> Item:
        origin = Origin(self.package.where(path), node.sourceline or 0)
        found = _ItemReader(self, node, path, origin).read()
        key = _question_id(node)
        if key:
            self.seen.setdefault(key, found)
        return found


def _selection(section: Any) -> tuple[int, float | None] | None:
    for node in section.iterchildren():
        if local(node) == "selection_ordering":
            count = next((n.text for n in node.iter() if local(n) == "selection_number"), "1")
            points = next((n.text for n in node.iter() if local(n) == "points_per_item"), None)
            return int(number(count, 1)), (float(number(points, 1.0)) if points else None)
    return None


def _question_id(item: Any) -> str:
    ref = _metadata(item).get("assessment_question_identifierref", "")
    return ref or item.get("ident", "")


def _metadata(item: Any) -> dict[str, str]:
    found = {}
    for field in item.iter():
        if local(field) == "qtimetadatafield":
            label_text = next((n.text for n in field if local(n) == "fieldlabel"), "") or ""
            entry = next((n.text for n in field if local(n) == "fieldentry"), "") or ""
            found[label_text.strip()] = entry.strip()
    return found


def _child_text(node: Any, tag: str) -> str:
    return next(((n.text or "").strip() for n in node.iter() if local(n) == tag), "")


def _title(source: str) -> str:
    stem = re.sub(r"\.(zip|xml)$", "", source.rsplit("/", 1)[-1], flags=re.I)
    return re.sub(r"[-_]+", " ", stem).strip() or "Imported questions"


_GENERATED = re.compile(r"[0-9a-f]{24,}")


class _ItemReader:
    def __init__(self, reader: _Reader, node: Any, path: str, origin: Origin) -> None:
        self.reader = reader
        self.node = node
        self.path = path
        self.origin = origin
        self.meta = _metadata(node)
        self.conditions = [c for c in node.iter() if local(c) == "respcondition"]
        self.feedback = {f.get("ident", ""): f for f in node.iter() if local(f) == "itemfeedback"}
        self.presentation = next((n for n in node.iter() if local(n) == "presentation"), None)

    def md(self, node: Any, inline: bool = False) -> str:
        return self.reader.md(node, self.path, inline)

    def read(self) -> Item:
        kind = self.meta.get("question_type", "") or self.guess()
        title = " ".join((self.node.get("title") or "").split())
        identifier = self.meta.get("assessment_question_identifierref") or \
            self.node.get("ident", "")
        if _GENERATED.search(identifier):
            identifier = ""
        if title in ("Question", identifier):
            title = ""
        if kind not in _TYPES:
            why = _KEPT.get(kind) or f"a question of type '{kind}'"
            return self.keep(f"{why}, which the model has no question for")
        spec: Spec = {"id": "", "type": _TYPES[kind], "title": title, "stem": "",
                      "feedback": {}}
        spec["points"] = float(number(self.meta.get("points_possible"), 1.0))
        notes: list[str] = []
        before = len(self.reader.bank.media.dropped)
        try:
            getattr(self, "read_" + _TYPES[kind].replace("-", "_"))(spec, notes)
        except Unmappable as exc:
            del self.reader.bank.media.dropped[before:]
            return self.keep(str(exc))
        self.common(spec)
        self.reader.bank.warn_dropped(self.origin, before)
        for note in notes:
            self.reader.bank.warn(self.origin, f"question '{title or identifier}': {note}")
        return Item(tidy(spec), self.origin, notes=notes, id_hint=identifier or title)

    def guess(self) -> str:
        """The Canvas type an item without metadata would have, from its response."""
        if self.presentation is None:
            return "text_only_question"
        responses = [r for r in self.presentation.iter() if local(r).startswith("response_")]
        if not responses:
            return "text_only_question"
        first = responses[0]
        if local(first) == "response_lid" and len(responses) == 1:
            return "multiple_answers_question" if first.get("rcardinality") == "Multiple" \
                else "multiple_choice_question"
        if local(first) in ("response_str", "response_num"):
            fib = next((n for n in first.iter() if local(n) == "render_fib"), None)
            if fib is not None and fib.get("fibtype") in ("Decimal", "Integer"):
                return "numerical_question"
            return "short_answer_question" if self.right_values("") else "essay_question"
        return "matching_question" if local(first) == "response_lid" else "unknown"

    def keep(self, why: str) -> Item:
        from lxml import etree

        named = self.node.get("title") or self.node.get("ident")
        self.reader.bank.warn(self.origin, f"item '{named}': {why}; kept as a comment in the "
                              "quiz file")
        source = etree.tostring(self.node, encoding="unicode", with_tail=False)
        lines = source.splitlines()
        shown = "\n".join(lines[:200] + (["..."] if len(lines) > 200 else []))
        return Item(None, self.origin, kept=Kept(why, shown, self.origin))

    # --- parts -------------------------------------------------------------------------

    def stem_node(self) -> Any:
        if self.presentation is None:
            return None
        return next((m for m in self.presentation.iterchildren() if local(m) == "material"),
                    None)

    def stem(self) -> str:
        return self.md(self.stem_node())

    def common(self, spec: Spec) -> None:
        names = {"general_fb": "general", "correct_fb": "correct",
                 "general_incorrect_fb": "incorrect", "partial_fb": "partial"}
        for ident, node in self.feedback.items():
            if ident in names:
                spec["feedback"][names[ident]] = self.md(node)
        hint = self.feedback.get("hint_fb")
        if hint is not None:
            spec["hints"] = [self.md(h) for h in hint.iter() if local(h) == "hintmaterial"]
        rubric = next((r for r in self.node.iter() if local(r) == "rubric"), None)
        if rubric is not None and spec["type"] == "essay":
            spec["grader_notes"] = self.md(rubric)

    def labels(self, response: Any) -> list[tuple[str, Any]]:
        return [(lab.get("ident", ""), lab) for lab in response.iter()
                if local(lab) == "response_label"]

    def responses(self, tag: str = "response_lid") -> list[Any]:
        if self.presentation is None:
            return []
        return [r for r in self.presentation.iter() if local(r) == tag]

    def full_marks(self) -> list[Any]:
        """The conditions that give full marks (``Set`` 100, or the item's maximum)."""
        found = []
        for condition in self.conditions:
            for setvar in (n for n in condition.iter() if local(n) == "setvar"):
                value = float(number(setvar.text, 0.0))
                if setvar.get("action", "Set") == "Set" and value >= 100 - 1e-6:
                    found.append(condition)
        return found

    def additions(self) -> list[tuple[Any, float]]:
        return [(c, float(number(s.text, 0.0))) for c in self.conditions for s in c.iter()
                if local(s) == "setvar" and s.get("action") == "Add"]

    def right_values(self, respident: str) -> list[str]:
        """Values a full-marks condition requires (not negated) for ``respident``."""
        found: list[str] = []
        for condition in self.full_marks():
            for test in condition.iter():
                if local(test) != "varequal" or _negated(test):
                    continue
                if respident and test.get("respident") != respident:
                    continue
                value = test.text or ""
                if value not in found:
                    found.append(value)
        return found

    def choice_feedback(self, ident: str) -> str:
        """The feedback shown for choosing one answer (``<ident>_fb`` or linked)."""
        node = self.feedback.get(f"{ident}_fb")
        if node is None:
            for condition in self.conditions:
                tests = [t for t in condition.iter() if local(t) == "varequal"]
                sets = [s for s in condition.iter() if local(s) == "setvar"]
                if len(tests) == 1 and not sets and (tests[0].text or "") == ident:
                    link = next((d.get("linkrefid") for d in condition.iter()
                                 if local(d) == "displayfeedback"), None)
                    node = self.feedback.get(link or "")
        return self.md(node) if node is not None else ""

    # --- types -------------------------------------------------------------------------

    def read_single(self, spec: Spec, notes: list[str]) -> None:
        self.choices(spec, notes, single=True)

    def read_multiple(self, spec: Spec, notes: list[str]) -> None:
        self.choices(spec, notes, single=False)

    def choices(self, spec: Spec, notes: list[str], single: bool) -> None:
        spec["stem"] = self.stem()
        responses = self.responses()
        if len(responses) != 1:
            raise Unmappable("a choice question without one list of choices")
        response = responses[0]
        right = set(self.right_values(response.get("ident", "")))
        added = {(_tests(c) or [""])[0]: v for c, v in self.additions()}
        choices: list[Spec] = []
        for ident, node in self.labels(response):
            choices.append({"text": self.md(node, inline=True),
                            "correct": ident in right or added.get(ident, 0) > 0,
                            "feedback": self.choice_feedback(ident)})
        if not choices or not any(c["correct"] for c in choices):
            raise Unmappable("a choice question with no correct choice")
        if single and true_false(spec, choices):
            return
        spec["choices"] = choices
        if single:
            if sum(c["correct"] for c in choices) != 1:
                raise Unmappable("a one-answer question with several correct choices")
            return
        if any(v < 0 for v in added.values()):
            spec["negative_marking"] = True
        if not any(v > 0 for v in added.values()):
            spec["scoring"] = "all-or-nothing"

    def read_true_false(self, spec: Spec, notes: list[str]) -> None:
        self.choices(spec, notes, single=True)
        if spec["type"] != "true-false":
            raise Unmappable("a true/false question whose choices are not True and False")

    def read_short_answer(self, spec: Spec, notes: list[str]) -> None:
        spec["stem"] = self.stem()
        tests = [t for c in self.full_marks() for t in c.iter()
                 if local(t) == "varequal" and not _negated(t)]
        answers = list(dict.fromkeys(t.text or "" for t in tests))
        if not answers:
            raise Unmappable("a short-answer question with no accepted answer")
        spec["answers"] = answers
        spec["case_sensitive"] = all(t.get("case", "No") == "Yes" for t in tests)

    def read_numeric(self, spec: Spec, notes: list[str]) -> None:
        spec["stem"] = self.stem()
        response = (self.responses("response_str") or self.responses("response_num") or [None])[0]
        if response is not None:
            unit = next((m for m in response.iterchildren() if local(m) == "material"), None)
            if unit is not None:
                spec["unit"] = plain(self.reader.html(unit, self.path))
        spec.update(self.bounds(self.full_marks(), ""))

    def bounds(self, conditions: list[Any], respident: str) -> Spec:
        for condition in conditions:
            low = high = None
            exact = None
            for test in condition.iter():
                if respident and test.get("respident") not in (None, respident):
                    continue
                if local(test) in ("vargte", "vargt"):
                    low = _decimal(test.text)
                elif local(test) in ("varlte", "varlt"):
                    high = _decimal(test.text)
                elif local(test) == "varequal" and exact is None:
                    exact = _decimal(test.text)
            if low is not None and high is not None:
                found: Spec = {"answer": float((low + high) / 2)}
                if high > low:
                    found["tolerance"] = float((high - low) / 2)
                return found
            if exact is not None:
                return {"answer": float(exact)}
        raise Unmappable("a numerical question with no correct number")

    def read_matching(self, spec: Spec, notes: list[str]) -> None:
        spec["stem"] = self.stem()
        prompts, answers_seen = [], {}
        for response in self.responses():
            prompt_node = next((m for m in response.iterchildren() if local(m) == "material"),
                               None)
            labels = {ident: plain(self.reader.html(node, self.path))
                      for ident, node in self.labels(response)}
            answers_seen.update(labels)
            right = self.right_values(response.get("ident", "")) or [
                (_tests(c) or [""])[0] for c, v in self.additions()
                if v > 0 and any(t.get("respident") == response.get("ident")
                                 for t in c.iter() if local(t) == "varequal")]
            if not right or right[0] not in labels:
                raise Unmappable("a matching prompt with no right answer")
            prompts.append((self.md(prompt_node, inline=True), labels[right[0]]))
        if not prompts:
            raise Unmappable("a matching question with no prompts")
        positions = [f"Position {n}" for n in range(1, len(prompts) + 1)]
        if sorted(a for _, a in prompts) == sorted(positions) and \
                set(answers_seen.values()) == set(positions):
            spec["type"] = "ordering"
            spec["items"] = [p for p, _ in sorted(prompts, key=lambda pa: int(pa[1].split()[1]))]
            return
        spec["pairs"] = [{"prompt": p, "match": a} for p, a in prompts]
        used = {a for _, a in prompts}
        spec["distractors"] = list(dict.fromkeys(a for a in answers_seen.values()
                                                 if a not in used))

    def read_fill_blanks(self, spec: Spec, notes: list[str]) -> None:
        self.blanks(spec, notes, dropdown=False)

    def read_dropdowns(self, spec: Spec, notes: list[str]) -> None:
        spec["type"] = "fill-blanks"
        self.blanks(spec, notes, dropdown=True)

    def blanks(self, spec: Spec, notes: list[str], dropdown: bool) -> None:
        text = self.reader.html(self.stem_node(), self.path)
        weights: dict[str, float] = {}
        for condition, value in self.additions():
            names = {t.get("respident") for t in condition.iter() if local(t) == "varequal"}
            if len(names) == 1:
                weights.setdefault(str(names.pop()), value)
        blanks: list[Spec] = []
        for response in self.responses():
            ident = response.get("ident", "")
            blank_name = plain(self.reader.html(
                next((m for m in response.iterchildren() if local(m) == "material"), None),
                self.path)) or re.sub(r"^response_", "", ident)
            labels = {i: plain(self.reader.html(n, self.path)) for i, n in self.labels(response)}
            right = [labels[v] for v in self.right_values(ident) if v in labels]
            if not right:
                right = [labels[v] for c, w in self.additions() if w > 0 for v in _tests(c)
                         if v in labels and any(t.get("respident") == ident for t in c.iter()
                                                if local(t) == "varequal")]
            if not right:
                raise Unmappable(f"the blank '{blank_name}' has no right answer")
            blank_id = blank_name if re.fullmatch(r"[A-Za-z0-9_-]+", blank_name) \
                else f"b{len(blanks) + 1}"
            blank: Spec = {"id": blank_id}
            if dropdown:
                blank |= {"type": "dropdown", "answer": right[0],
                          "options": list(dict.fromkeys(labels.values()))}
            else:
                blank["answers"] = list(dict.fromkeys(right))
            blank["points"] = weights.get(ident, 1.0)
            marker = f"CPIMPORTGAP{len(blanks):03d}X"
            if f"[{blank_name}]" not in text:
                raise Unmappable(f"the blank '{blank_name}' is not in the text")
            text = text.replace(f"[{blank_name}]", marker, 1)
            blanks.append(blank)
        if not blanks:
            raise Unmappable("a fill-in-the-blanks question with no blanks")
        split_gap_text(spec, as_markdown(text), blanks)

    def read_essay(self, spec: Spec, notes: list[str]) -> None:
        spec["stem"] = self.stem()
        if self.presentation is None:
            return
        materials = [m for m in self.presentation.iterchildren() if local(m) == "material"]
        for material in materials[1:]:
            said = plain(self.reader.html(material, self.path))
            between = _said(said, "Write between %(min)s and %(max)s words.")
            least = _said(said, "Write at least %(num)s word.")
            most = _said(said, "Write at most %(num)s word.")
            if between and "min" in between and "max" in between:
                spec["min_words"], spec["max_words"] = int(between["min"]), int(between["max"])
            elif least and "num" in least:
                spec["min_words"] = int(least["num"])
            elif most and "num" in most:
                spec["max_words"] = int(most["num"])
            else:
                spec["stem"] = "\n\n".join([spec["stem"], self.md(material)])

    def read_description(self, spec: Spec, notes: list[str]) -> None:
        spec["stem"] = self.stem()
        spec["points"] = 0
        if not spec["stem"]:
            raise Unmappable("a text-only item with no text")


def _tests(condition: Any) -> list[str]:
    return [t.text or "" for t in condition.iter() if local(t) == "varequal"]


def _negated(node: Any) -> bool:
    parent = node.getparent()
    while parent is not None:
        if local(parent) == "not":
            return True
        parent = parent.getparent()
    return False


def _decimal(text: str | None) -> Decimal:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        raise Unmappable(f"'{text}' is not a number") from None
    if not value.is_finite():
        raise Unmappable(f"'{text}' is not a number")
    return value


__all__ = ["detect", "label", "name", "read"]


def _said(text: str, msgid: str) -> dict[str, str] | None:
    """The numbers in ``text`` when it is ``msgid`` in any interface language (the word
    limits coursepack's export states), else None."""
    for pattern in patterns(msgid):
        found = pattern.fullmatch(text)
        if found:
            return found.groupdict()
    return None

