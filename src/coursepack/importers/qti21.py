"""QTI 2.1: a content package (zip with imsmanifest.xml, tests and items) or one item file.

Each ``assessmentSection`` of a test becomes a quiz (its rubric the description, a
hidden section with ``selection`` a pool); items no test lists form one more quiz. An
item becomes the type its interactions hold: ``choiceInteraction`` single, multiple or
true/false; ``textEntryInteraction`` alone a short answer or, for a number, numeric;
``matchInteraction`` matching; ``orderInteraction`` ordering; text and inline-choice
gaps in the text fill-blanks; ``extendedTextInteraction`` an essay; no interaction a
description. Feedback comes from ``modalFeedback`` (CORRECT, PARTIAL, INCORRECT,
GENERAL and one per choice), hints from ``infoControl``, grader notes from the scorer's
``rubricBlock``. Any other interaction (hotspot, gap match, upload, drawing...) is kept
as a commented-out block.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

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
from coursepack.importers.package import ZIP, Package, inner_html, local
from coursepack.importers.text import as_markdown, plain

name = "qti21"
label = "QTI 2.1"
NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"

_INLINE = {"textEntryInteraction", "inlineChoiceInteraction"}
_KNOWN = _INLINE | {"choiceInteraction", "matchInteraction", "orderInteraction",
                    "extendedTextInteraction"}


def detect(data: bytes) -> bool:
    if data.startswith(ZIP):
        manifest = _zip_manifest(data)
        return manifest is not None and re.search(rb"imsqti_(?:item|test)_xmlv2p[12]|v2p1",
                                                  manifest) is not None
    head = data[:8192]
    return b"imsqti_v2p" in head and (b"<assessmentItem" in head or b"<assessmentTest" in head)


def _zip_manifest(data: bytes) -> bytes | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = next((i for i in archive.infolist()
                         if i.filename.lower().endswith("imsmanifest.xml")), None)
            if info is None or info.file_size > 10_000_000:
                return None
            return archive.read(info)
    except (zipfile.BadZipFile, OSError):
        return None


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def read(data: bytes, source: str) -> Bank:
    package = Package(data, source)
    bank = Bank(source, name)
    reader = _Reader(package, bank)
    if not package.is_zip:
        root = package.xml(source)
        if local(root) != "assessmentItem":
            raise CoursepackError.single(
                f"a QTI 2.1 <{local(root)}> alone cannot be imported: its items are other "
                "files", Origin(source, 1), hint="import the whole package (the zip)")
        group = bank.group(_title(source))
        group.items.append(reader.item(source))
        return bank
    tests, items = _manifest(package)
    placed: set[str] = set()
    reader.direct = {path for test in tests for path in reader.direct_items(test)}
    for test in tests:
        reader.test(test, placed)
    rest = [path for path in items if path not in placed]
    if rest:
        group = bank.group(_title(source))
        group.items += [reader.item(path) for path in rest]
    bank.groups = [g for g in bank.groups if g.items or g.pools]
    return bank


def _title(source: str) -> str:
    stem = re.sub(r"\.(zip|xml)$", "", source.rsplit("/", 1)[-1], flags=re.I)
    return re.sub(r"[-_]+", " ", stem).strip() or "Imported questions"


def _manifest(package: Package) -> tuple[list[str], list[str]]:
    path = next((p for p in package.files if p.lower().endswith("imsmanifest.xml")), None)
    if path is None:
        items = [p for p in package.files if p.endswith(".xml")]
        return [], items
    root = package.xml(path)
    tests, items = [], []
    for resource in root.iter():
        if local(resource) != "resource":
            continue
        kind, href = resource.get("type", ""), resource.get("href", "")
        target = package.resolve(path, href) if href else None
        if target is None:
            continue
        if kind.startswith("imsqti_test"):
            tests.append(target)
        elif kind.startswith("imsqti_item"):
            items.append(target)
    return tests, items


class _Reader:
    def __init__(self, package: Package, bank: Bank) -> None:
        self.package = package
        self.bank = bank
        self.read: dict[str, Item] = {}
        self.direct: set[str] = set()  # items a section lists itself (not only a pool)

    def html(self, node: Any, path: str) -> str:
        return self.package.html(node, path, self.bank.media)

    def md(self, node: Any, path: str, inline: bool = False) -> str:
        return as_markdown(self.html(node, path), inline) if node is not None else ""

    # --- tests -------------------------------------------------------------------------

    def direct_items(self, path: str) -> list[str]:
        root = self.package.xml(path)
        found = []
        for part in root.iter(q("testPart")):
            for section in part.iterchildren(q("assessmentSection")):
                for ref in section.iterchildren(q("assessmentItemRef")):
                    target = self.package.resolve(path, ref.get("href", ""))
                    if target:
                        found.append(target)
        return found

    def test(self, path: str, placed: set[str]) -> None:
        root = self.package.xml(path)
        sections = [s for part in root.iter(q("testPart"))
                    for s in part.iterchildren(q("assessmentSection"))]
        for section in sections:
            group = self.bank.group(section.get("title") or section.get("identifier") or
                                    _title(path))
            rubric = section.find(q("rubricBlock"))
            if rubric is not None and not group.description:
                group.description = self.md(rubric, path)
            for child in section:
                if local(child) == "assessmentItemRef":
                    item_path = self.package.resolve(path, child.get("href", ""))
                    if item_path and not self._in(group, item_path):
                        group.items.append(self.item(item_path))
                        placed.add(item_path)
                elif local(child) == "assessmentSection":
                    self.pool(child, path, group, placed, section.get("identifier", ""))

    def _in(self, group: Group, path: str) -> bool:
        return any(i is self.read.get(path) for i in group.items)

    def pool(self, section: Any, path: str, group: Group, placed: set[str],
             group_id: str) -> None:
        selection = section.find(q("selection"))
        refs = [self.package.resolve(path, r.get("href", ""))
                for r in section.iter(q("assessmentItemRef"))]
        paths = [r for r in refs if r]
        if selection is None:
            group.items += [self.item(p) for p in paths if p not in placed]
            placed.update(paths)
            return
        quiz = re.sub(r"^quiz-", "", group_id)
        identifier = re.sub(rf"^pool-{re.escape(quiz)}-", "", section.get("identifier", "pool"))
        pool: dict[str, Any] = {"id": identifier,
                                "title": section.get("title", ""),
                                "pick": int(number(selection.get("select"), 1)),
                                "include": [], "questions": []}
        for item_path in paths:
            if item_path in placed or item_path in self.direct:
                pool["include"].append(self.item(item_path))
            else:
                pool["questions"].append(self.item(item_path))
                placed.add(item_path)
        group.pools.append(pool)

    # --- items -------------------------------------------------------------------------

    def item(self, path: str) -> Item:
        if path in self.read:
            return self.read[path]
        root = self.package.xml(path)
        origin = Origin(self.package.where(path), root.sourceline or 1)
        found = self._item(root, path, origin)
        self.read[path] = found
        return found

    def _item(self, root: Any, path: str, origin: Origin) -> Item:
        if local(root) != "assessmentItem":
            return self.keep(root, path, origin, f"a <{local(root)}>, not a QTI 2.1 item")
        body = root.find(q("itemBody"))
        if body is None:
            return self.keep(root, path, origin, "an item with no body")
        interactions = [e for e in body.iter() if local(e).endswith("Interaction")]
        kinds = [local(e) for e in interactions]
        unknown = sorted({k for k in kinds if k not in _KNOWN})
        if unknown:
            return self.keep(root, path, origin, f"an item with {', '.join(unknown)}, which "
                             "the model has no question for")
        identifier = root.get("identifier", "")
        title = " ".join(root.get("title", "").split())
        spec: Spec = {"id": "", "type": "", "title": "" if title == identifier else title,
                      "stem": "", "feedback": {}}
        notes: list[str] = []
        item = _Item(self, root, path, body, spec, notes)
        before = len(self.bank.media.dropped)
        try:
            item.fill(interactions, kinds)
        except Unmappable as exc:
            del self.bank.media.dropped[before:]
            return self.keep(root, path, origin, str(exc))
        self.bank.warn_dropped(origin, before)
        for note in notes:
            self.bank.warn(origin, f"question '{title or identifier}': {note}")
        return Item(tidy(spec), origin, notes=notes, id_hint=identifier)

    def keep(self, root: Any, path: str, origin: Origin, why: str) -> Item:
        self.bank.warn(origin, f"item '{root.get('identifier', path)}': {why}; kept as a "
                       "comment in the quiz file")
        source = self.package.files[path].decode("utf-8", "replace")
        lines = source.splitlines()
        shown = "\n".join(lines[:200] + (["..."] if len(lines) > 200 else []))
        return Item(None, origin, kept=Kept(why, shown, origin))


class _Item:
    """One item being read: its parts, and the spec filled in from them."""

    def __init__(self, reader: _Reader, root: Any, path: str, body: Any, spec: Spec,
                 notes: list[str]) -> None:
        self.reader = reader
        self.root = root
        self.path = path
        self.body = body
        self.spec = spec
        self.notes = notes
        self.declarations = {d.get("identifier"): d for d in root.iter(q("responseDeclaration"))}
        self.processing = root.find(q("responseProcessing"))
        self.feedback = {f.get("identifier", ""): f for f in root.iter(q("modalFeedback"))}

    def md(self, node: Any, inline: bool = False) -> str:
        return self.reader.md(node, self.path, inline)

    def fill(self, interactions: list[Any], kinds: list[str]) -> None:
        spec = self.spec
        spec["points"] = self.points()
        self.hints_and_notes()
        if not interactions:
            spec["type"] = "description"
            spec["points"] = 0
            spec["stem"] = self.stem(())
        elif kinds == ["choiceInteraction"]:
            self.choice(interactions[0])
        elif kinds == ["matchInteraction"]:
            self.matching(interactions[0])
        elif kinds == ["orderInteraction"]:
            self.ordering(interactions[0])
        elif kinds == ["extendedTextInteraction"]:
            self.essay(interactions[0])
        elif set(kinds) <= _INLINE:
            if kinds == ["textEntryInteraction"] and self.alone(interactions[0]):
                self.text_entry(interactions[0])
            else:
                self.gaps(interactions)
        else:
            raise Unmappable(f"an item with {len(kinds)} interactions ({', '.join(kinds)}), "
                              "which no question of the model holds together")
        self.combined()

    # --- common parts ------------------------------------------------------------------

    def points(self) -> float:
        for outcome in self.root.iter(q("outcomeDeclaration")):
            if outcome.get("identifier") == "MAXSCORE":
                value = outcome.findtext(f"{q('defaultValue')}/{q('value')}")
                return float(number(value, 1.0))
        bounds = [number(m.get("upperBound"), None) for m in self.root.iter(q("mapping"))]
        known = [b for b in bounds if b is not None]
        return float(sum(known)) if known else 1.0

    def hints_and_notes(self) -> None:
        hints = [self.md(h) for h in self.body.iter(q("infoControl"))]
        self.spec["hints"] = [h for h in hints if h]
        for rubric in self.body.iter(q("rubricBlock")):
            if rubric.get("view", "") in ("scorer", "tutor", "author"):
                self.spec["grader_notes"] = self.md(rubric)

    def combined(self) -> None:
        names = {"CORRECT": "correct", "PARTIAL": "partial", "INCORRECT": "incorrect",
                 "GENERAL": "general"}
        for identifier, node in self.feedback.items():
            kind = names.get(identifier.upper())
            if kind:
                self.spec["feedback"][kind] = self.md(node)

    def stem(self, skip: tuple[Any, ...]) -> str:
        """The body without its interactions, hints and rubrics (nor ``skip``), as Markdown."""
        copy = etree.fromstring(etree.tostring(self.body))
        wanted = {etree.tostring(s) for s in skip}
        for node in list(copy.iter()):
            name = local(node)
            if name.endswith("Interaction") or name in ("infoControl", "rubricBlock") or \
                    etree.tostring(node) in wanted:
                _remove(node)
        for node in list(copy.iter()):
            if local(node) == "p" and not len(node) and not (node.text or "").strip():
                _remove(node)
        return as_markdown(self.reader.package.html(copy, self.path, self.reader.bank.media))

    def correct(self, identifier: str) -> list[str]:
        decl = self.declarations.get(identifier)
        if decl is None:
            return []
        return [v.text or "" for v in decl.iter(q("value"))
                if v.getparent() is not None and local(v.getparent()) == "correctResponse"]

    def mapping(self, identifier: str) -> dict[str, tuple[float, bool]]:
        decl = self.declarations.get(identifier)
        found: dict[str, tuple[float, bool]] = {}
        if decl is None:
            return found
        for entry in decl.iter(q("mapEntry")):
            found[entry.get("mapKey", "")] = (float(number(entry.get("mappedValue"), 0.0)),
                                               entry.get("caseSensitive", "true") == "true")
        return found

    def shuffle(self, interaction: Any) -> None:
        if interaction.get("shuffle") is not None and "_shuffle" not in self.spec:
            self.spec["_shuffle"] = interaction.get("shuffle") == "true"

    # --- types -------------------------------------------------------------------------

    def choice(self, interaction: Any) -> None:
        spec = self.spec
        self.shuffle(interaction)
        spec["stem"] = _joined(self.stem(()), self.md(interaction.find(q("prompt"))))
        response = interaction.get("responseIdentifier", "RESPONSE")
        right = set(self.correct(response))
        values = self.mapping(response)
        choices = []
        for choice in interaction.iter(q("simpleChoice")):
            identifier = choice.get("identifier", "")
            choices.append({"text": self.md(choice, inline=True), "_id": identifier,
                            "correct": identifier in right or values.get(identifier,
                                                                         (0, True))[0] > 0,
                            "feedback": self.md(self.feedback.get(identifier))})
        if not choices:
            raise Unmappable("a choice interaction with no choices")
        single = interaction.get("maxChoices", "1") == "1"
        if single and true_false(spec, choices):
            return
        for c in choices:
            c.pop("_id")
        spec["choices"] = choices
        if single:
            spec["type"] = "single"
            if sum(c["correct"] for c in choices) != 1:
                raise Unmappable("a one-answer choice with no single correct choice")
            return
        spec["type"] = "multiple"
        if not any(c["correct"] for c in choices):
            raise Unmappable("a choice interaction with no correct choice")
        maps = self.processing is not None and (any(
            m.get("identifier") == response for m in self.processing.iter(q("mapResponse")))
            or "map_response" in self.processing.get("template", ""))
        if not maps:
            spec["scoring"] = "all-or-nothing"
        if any(v < 0 for v, _ in values.values()):
            spec["negative_marking"] = True

    def text_entry(self, interaction: Any) -> None:
        spec = self.spec
        response = interaction.get("responseIdentifier", "RESPONSE")
        decl = self.declarations.get(response)
        base = decl.get("baseType", "string") if decl is not None else "string"
        holder = interaction.getparent()
        unit = plain("".join(holder.itertext())) if holder is not None else ""
        spec["stem"] = self.stem((holder,) if holder is not None and local(holder) == "p"
                                 else ())
        if base in ("float", "integer"):
            spec["type"] = "numeric"
            spec.update(self.bounds(response))
            if unit:
                spec["unit"] = unit
            return
        spec["type"] = "short-answer"
        answers, case = self.accepted(response)
        if not answers:
            raise Unmappable("a text entry with no accepted answer")
        spec["answers"] = answers
        spec["case_sensitive"] = case

    def alone(self, interaction: Any) -> bool:
        """Whether a text entry stands in its own paragraph (a unit after it at most)."""
        holder = interaction.getparent()
        if holder is None or local(holder) != "p":
            return False
        before = (holder.text or "").strip()
        return not before and len(holder) == 1

    def accepted(self, response: str) -> tuple[list[str], bool]:
        """The accepted answers of a text response, and whether case matters."""
        found: dict[str, bool] = {}
        for key, (value, case) in self.mapping(response).items():
            if value > 0:
                found[key] = case
        if self.processing is not None:
            for match in self.processing.iter(q("stringMatch")):
                variable = match.find(q("variable"))
                value = match.find(q("baseValue"))
                if variable is not None and variable.get("identifier") == response and \
                        value is not None:
                    found.setdefault(value.text or "", match.get("caseSensitive") == "true")
        if not found:
            found = {v: True for v in self.correct(response)}
        return list(found), bool(found) and all(found.values())

    def bounds(self, response: str) -> Spec:
        low: Decimal | None = None
        high: Decimal | None = None
        if self.processing is not None:
            for test in self.processing.iter(q("gte"), q("lte"), q("equal")):
                variable = test.find(q("variable"))
                value = test.find(q("baseValue"))
                if variable is None or variable.get("identifier") != response or value is None:
                    continue
                figure = _decimal(value.text)
                if local(test) == "gte":
                    low = figure if low is None else low
                elif local(test) == "lte":
                    high = figure if high is None else high
                else:
                    low, high = _tolerance(test, figure)
        if low is None or high is None:
            right = self.correct(response)
            if not right or number(right[0], None) is None:
                raise Unmappable("a number entry with no correct number")
            low = high = _decimal(right[0])
        found: Spec = {"answer": float((low + high) / 2)}
        if high > low:
            found["tolerance"] = float((high - low) / 2)
        return found

    def matching(self, interaction: Any) -> None:
        spec = self.spec
        spec["type"] = "matching"
        self.shuffle(interaction)
        spec["stem"] = _joined(self.stem(()), self.md(interaction.find(q("prompt"))))
        sets = list(interaction.iter(q("simpleMatchSet")))
        if len(sets) != 2:
            raise Unmappable("a match interaction without two sets")
        sources = {c.get("identifier"): self.md(c, inline=True)
                   for c in sets[0].iter(q("simpleAssociableChoice"))}
        targets = {c.get("identifier"): plain(inner_html(c))
                   for c in sets[1].iter(q("simpleAssociableChoice"))}
        response = interaction.get("responseIdentifier", "RESPONSE")
        pairs = {}
        for value in self.correct(response):
            source, _, target = value.partition(" ")
            if source in sources and target in targets:
                pairs[source] = targets[target]
        if len(pairs) != len(sources):
            raise Unmappable("a match interaction whose prompts do not each have one match")
        spec["pairs"] = [{"prompt": sources[s], "match": pairs[s]} for s in sources]
        used = set(pairs.values())
        spec["distractors"] = [t for t in targets.values() if t not in used]

    def ordering(self, interaction: Any) -> None:
        spec = self.spec
        spec["type"] = "ordering"
        self.shuffle(interaction)
        spec["stem"] = _joined(self.stem(()), self.md(interaction.find(q("prompt"))))
        items = {c.get("identifier"): self.md(c, inline=True)
                 for c in interaction.iter(q("simpleChoice"))}
        order = self.correct(interaction.get("responseIdentifier", "RESPONSE"))
        if sorted(order) != sorted(items):
            raise Unmappable("an order interaction without a full correct order")
        spec["items"] = [items[i] for i in order]

    def essay(self, interaction: Any) -> None:
        spec = self.spec
        spec["type"] = "essay"
        spec["stem"] = _joined(self.stem(()), "")
        pattern = interaction.get("patternMask", "")
        limits = re.search(r"\{(\d+),(\d*)\}", pattern)
        if limits:
            optional = "(" + r"\S+" in pattern and ")?" in pattern
            spec["min_words"] = 0 if optional else int(limits.group(1)) + 1
            spec["max_words"] = int(limits.group(2)) + 1 if limits.group(2) else 0
        template = interaction.get("placeholderText") or ""
        decl = self.declarations.get(interaction.get("responseIdentifier", "RESPONSE"))
        if not template and decl is not None:
            template = decl.findtext(f"{q('defaultValue')}/{q('value')}") or ""
        spec["response_template"] = "\n".join(line.rstrip() for line in
                                               template.strip("\n").splitlines())

    def gaps(self, interactions: list[Any]) -> None:
        spec = self.spec
        spec["type"] = "fill-blanks"
        copy = etree.fromstring(etree.tostring(self.body))
        blanks: list[Spec] = []
        weights = self.gap_weights()
        for n, node in enumerate(e for e in copy.iter() if local(e) in _INLINE):
            response = node.get("responseIdentifier", f"RESPONSE_{n + 1}")
            blank_id = re.sub(r"^RESPONSE_?", "", response) or f"b{n + 1}"
            if not re.fullmatch(r"[A-Za-z0-9_-]+", blank_id):
                blank_id = f"b{n + 1}"
            blank = self.blank(node, response, blank_id)
            blank["points"] = weights.get(response, 1.0)
            blanks.append(blank)
            marker = f"CPIMPORTGAP{n:03d}X"
            node.tail = marker + (node.tail or "")
        for node in [e for e in copy.iter() if local(e) in _INLINE or local(e) in (
                "infoControl", "rubricBlock")]:
            _remove(node)
        html = self.reader.package.html(copy, self.path, self.reader.bank.media)
        split_gap_text(spec, as_markdown(html), blanks)

    def gap_weights(self) -> dict[str, float]:
        """Each gap's share of the marks: the score a condition on it alone adds."""
        found: dict[str, float] = {}
        if self.processing is None:
            return found
        for condition in self.processing.iter(q("responseIf")):
            test = condition[0] if len(condition) else None
            adds = condition.find(f"{q('setOutcomeValue')}/{q('sum')}/{q('baseValue')}")
            if test is None or adds is None:
                continue
            names = {v.get("identifier") for v in test.iter(q("variable"), q("correct"))}
            if len(names) == 1:
                found.setdefault(str(names.pop()), float(number(adds.text, 1.0)))
        return found

    def blank(self, node: Any, response: str, blank_id: str) -> Spec:
        decl = self.declarations.get(response)
        base = decl.get("baseType", "string") if decl is not None else "string"
        if local(node) == "inlineChoiceInteraction":
            self.shuffle(node)
            options = {c.get("identifier"): plain(inner_html(c))
                       for c in node.iter(q("inlineChoice"))}
            right = [options[r] for r in self.correct(response) if r in options]
            if not right:
                raise Unmappable(f"the drop-down '{blank_id}' has no correct option")
            return {"id": blank_id, "type": "dropdown", "answer": right[0],
                    "options": list(dict.fromkeys(options.values()))}
        if base in ("float", "integer"):
            return {"id": blank_id, "type": "numeric", **self.bounds(response)}
        answers, case = self.accepted(response)
        if not answers:
            raise Unmappable(f"the gap '{blank_id}' has no accepted answer")
        blank: Spec = {"id": blank_id, "answers": answers}
        if case:
            blank["case_sensitive"] = True
        return blank


def _decimal(text: str | None) -> Decimal:
    """A number as written, exactly (bounds halved and added stay as written)."""
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return Decimal(0)
    return value if value.is_finite() else Decimal(0)


def _tolerance(test: Any, figure: Decimal) -> tuple[Decimal, Decimal]:
    mode = test.get("toleranceMode", "exact")
    margins = [_decimal(t) for t in (test.get("tolerance") or "0").split()]
    low_margin, high_margin = margins[0], margins[-1]
    if mode == "relative":
        return figure - abs(figure) * low_margin / 100, figure + abs(figure) * high_margin / 100
    if mode == "absolute":
        return figure - low_margin, figure + high_margin
    return figure, figure


def _remove(node: Any) -> None:
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail or ""
    previous = node.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)


def _joined(*texts: str) -> str:
    return "\n\n".join(t for t in texts if t.strip())


__all__ = ["detect", "label", "name", "read"]
