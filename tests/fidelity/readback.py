"""Read each format's output back as its consumer sees it, one record per question.

- html, scorm12, scorm2004: the quiz page's DOM (lxml.html) and its embedded grading JSON;
  responses are scored by the package's own ``assets/grading.js`` (Node), and the feedback
  is what ``coursepack.js`` shows for that result;
- moodle-xml: lxml, with Moodle's own rules for each question type (fractions, the first
  matching short-answer pattern with ``*`` as wildcard, numerical tolerance, cloze codes);
- gift: gift-pegjs (``tests/gift_parse.js``), then Moodle's rules as for Moodle XML;
- qti12, imscc: the items' response processing run by ``qti.run12``;
- qti21: the items' response processing run by ``qti.Item21``;
- pdf: the text of the PDFs (pypdf), for presence checks only.

Each reader returns, per id, a ``Got`` (fields and outcomes, shaped as ``expected``
shapes them) or ``None`` when the output does not hold that question at all.
"""

from __future__ import annotations

import base64
import html
import json
import posixpath
import re
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import lxml.html
from lxml import etree

from coursepack.exporters.question_types import carries
from coursepack.locale import everywhere, patterns
from coursepack.model import (
    Course,
    Description,
    Essay,
    FillBlanks,
    Matching,
    MultipleResponse,
    Numeric,
    Ordering,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from tests.fidelity.expected import (
    GAP,
    NO_TEXT,
    Expected,
    Outcome,
    Text,
    fragment,
    keyed,
    latin,
    local,
    md,
    owner_quizzes,
    plain,
    squash,
    text_of,
)
from tests.fidelity.qti import Item21, child, children, descendants, run12

REPO = Path(__file__).resolve().parents[2]
NODE = "/usr/bin/node"
GIFT_PARSE = REPO / "tests" / "gift_parse.js"
FILEBASE = "$IMS-CC-FILEBASE$/"
MISSING = "(not in the output)"

Element = Any


@dataclass
class Got:
    """What one output holds of a question (or quiz, pool, page)."""

    fields: dict[str, Any] = field(default_factory=dict)
    outcomes: dict[str, tuple[float | None, Text]] = field(default_factory=dict)
    page: Text | None = None  # pages: the whole text the fields must be found in
    where: str = ""


# --- packages ----------------------------------------------------------------------------


class Package:
    """The files of one output (a folder or a zip), and where its images come from."""

    def __init__(self, files: dict[str, bytes], images: dict[bytes, str], name: str) -> None:
        self.files = files
        self.images = images
        self.name = name

    @classmethod
    def of(cls, path: Path, images: dict[bytes, str]) -> Package:
        if path.is_dir():
            files = {p.relative_to(path).as_posix(): p.read_bytes()
                     for p in sorted(path.rglob("*")) if p.is_file()}
        else:
            with zipfile.ZipFile(path) as archive:
                files = {n: archive.read(n) for n in archive.namelist() if not n.endswith("/")}
        return cls(files, images, path.name)

    def locate(self, base: str, src: str) -> str | None:
        """The package path an ``src`` (or href) of a document in folder ``base`` names."""
        target = unquote(src.split("#", 1)[0].split("?", 1)[0])
        if target.startswith(FILEBASE):
            return posixpath.normpath("web_resources/" + target[len(FILEBASE):])
        if not target or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("/"):
            return None
        return posixpath.normpath(posixpath.join(base, target))

    def resolver(self, base: str) -> Callable[[str], str]:
        def resolve(src: str) -> str:
            path = self.locate(base, src)
            if path is None:
                return f"not-in-package:{src}"
            data = self.files.get(path)
            if data is None:
                return f"missing:{src}"
            return self.images.get(data, f"not-a-course-image:{path}")

        return resolve

    def xml(self, name: str) -> Element:
        return etree.fromstring(self.files[name])


def number_or_none(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def words(text: str) -> tuple[int, int]:
    """Word limits stated as 'Write between 5 and 50 words.' (or at least / at most), in any
    of coursepack's interface languages (an export writes them in the course's)."""
    found = _stated(text, "Write between %(min)s and %(max)s words.")
    if found and "min" in found and "max" in found:
        return int(found["min"]), int(found["max"])
    least = _stated(text, "Write at least %(num)s word.")
    most = _stated(text, "Write at most %(num)s word.")
    return (int(least["num"]) if least and "num" in least else 0,
            int(most["num"]) if most and "num" in most else 0)


def _stated(text: str, msgid: str) -> dict[str, str] | None:
    for pattern in patterns(msgid):
        found = pattern.search(text)
        if found:
            return found.groupdict()
    return None


def is_true(text: str, value: bool) -> bool:
    """Whether ``text`` is the True (``value``) or False label in any interface language."""
    return text.casefold() in {t.casefold() for t in everywhere("True" if value else "False")}


def joined(texts: list[Text]) -> Text:
    found = NO_TEXT
    for t in texts:
        if t:
            found = found + t
    return found


# --- the site (html, scorm12, scorm2004) -----------------------------------------------


def read_site(pkg: Package, prefix: str, course: Course, expected: dict[str, Expected]
              ) -> dict[str, Got | None]:
    found: dict[str, Got | None] = {}
    owners = owner_quizzes(course)
    grading_js = pkg.files.get(prefix + "assets/grading.js")
    for quiz in course.quizzes:
        path = f"{prefix}quizzes/{quiz.id}.html"
        if path not in pkg.files:
            continue
        page = lxml.html.fromstring(pkg.files[path])
        resolve = pkg.resolver(posixpath.dirname(path))
        data = json.loads(page.get_element_by_id("quiz-data").text)
        found[f"quiz:{quiz.id}"] = Got(page=Text(text_of(page.find("body"), resolve)),
                                       where=path)
        pending: list[tuple[Got, str, dict[str, Any], list[str], Outcome]] = []
        for q in quiz.all_questions():
            if owners[q.id] is not quiz or q.id not in data["questions"]:
                continue
            got, jobs = _site_question(page, data, q, expected[q.id], resolve)
            found[q.id] = got
            pending += [(got, *job) for job in jobs]
        _grade_in_node(grading_js, pending, data["questions"], resolve,
                       data.get("showFeedback", True))
        fixed = set(data["fixed"])
        for pool in data["pools"]:
            found[f"pool:{quiz.id}/{pool['id']}"] = Got({
                "pick": pool["pick"], "points": pool["points"],
                "questions": tuple(sorted(set(pool["questions"]) - fixed))})
    for relpath, key in _site_pages(course):
        path = prefix + relpath
        if key == "course" and path not in pkg.files and course.modules:
            # one SCORM SCO per module: each module's overview says what the course is about
            path = prefix + f"{course.modules[0].id}/index.html"
        if path in pkg.files:
            page = lxml.html.fromstring(pkg.files[path])
            main = page.find(".//main")
            text = text_of(main if main is not None else page, pkg.resolver(
                posixpath.dirname(path)))
            found[key] = Got(page=Text(text), where=path)
    return found


def _site_pages(course: Course) -> Iterator[tuple[str, str]]:
    yield "index.html", "course"
    for module in course.modules:
        yield f"{module.id}/index.html", f"module:{module.id}"
        for lesson in module.lessons:
            yield f"{module.id}/{lesson.id}.html", f"lesson:{module.id}/{lesson.id}"


def _classes(node: Element) -> set[str]:
    return set((node.get("class") or "").split())


def _site_question(page: Element, data: dict[str, Any], q: Question, exp: Expected,
                   resolve: Callable[[str], str]
                   ) -> tuple[Got, list[tuple[str, dict[str, Any], list[str], Outcome]]]:
    section = page.xpath(f'//*[@data-question="{q.id}"]')[0]
    item = data["questions"][q.id]
    key = item["key"]

    def shown(node: Element | None, special: Any = None) -> Text:
        return Text(text_of(node, resolve, special)) if node is not None else NO_TEXT

    def legend_parts(node: Element) -> str | None:
        return "" if _classes(node) & {"q-number", "q-points"} else None

    def gap(node: Element) -> str | None:
        if local(node) in ("input", "select"):
            return GAP
        if local(node) == "label" and "visually-hidden" in _classes(node):
            return ""
        return None

    got = Got(where=f"quiz page {q.id}")
    f = got.fields
    if isinstance(q, Description):
        f["stem"] = shown(section.find(".//div[@class='description']"))
    else:
        legend = shown(section.find(".//legend"), legend_parts)
        if legend.shown == "Read the question below.":
            legend = NO_TEXT
        stem = legend + shown(section.find(".//div[@class='stem']"))
        if isinstance(q, FillBlanks):
            stem = stem + shown(section.find(".//p[@class='blanks-text']"), gap)
        f["stem"] = stem
        f["points"] = float(key.get("points", 0))
        f["hints"] = tuple(shown(d, lambda n: "" if local(n) == "summary" else None)
                           for d in section.xpath(".//details[contains(@class, 'hint')]"))
    options = section.xpath(".//div[@data-option]")
    ids = [o.get("data-option") for o in options]
    match q:
        case SingleChoice() | MultipleResponse():
            f["choices"] = tuple(shown(o.find("label")) for o in options)
            right = key["correct"] if isinstance(key["correct"], list) else [key["correct"]]
            f["correct"] = tuple(i in right for i in ids)
            f["shuffle"] = bool(data.get("shuffleOptions"))
        case ShortAnswer():
            f["answers"] = tuple(plain(a) for a in key["answers"])
            f["case_sensitive"] = bool(key["caseSensitive"])
        case Numeric():
            f["bounds"] = (key["lo"], key["hi"])
            unit = section.find(".//span[@class='unit']")
            f["unit"] = plain(unit.text_content()) if unit is not None else ""
        case Matching():
            rows = section.xpath(".//div[@class='match-row']")
            f["prompts"] = tuple(shown(r.find("label")) for r in rows)
            answers = {o.get("value"): plain(o.text_content())
                       for o in rows[0].xpath(".//option") if o.get("value")} if rows else {}
            f["matches"] = tuple(answers.get(key["pairs"].get(r.find("select").get(
                "data-prompt")), MISSING) for r in rows)
            used = set(key["pairs"].values())
            f["distractors"] = tuple(sorted(t for i, t in answers.items() if i not in used))
            f["shuffle"] = bool(data.get("shuffleOptions"))
        case Ordering():
            texts = {li.get("data-item"): shown(li.find(".//span[@class='order-text']"))
                     for li in section.xpath(".//li[@data-item]")}
            f["items"] = tuple(texts.get(i, Text(MISSING)) for i in key["correct"])
        case FillBlanks():
            total = sum(b["points"] for b in key["blanks"])
            for n, (blank, kb) in enumerate(zip(q.blanks, key["blanks"], strict=False)):
                name = f"blank[{blank.id}]"
                f[f"{name}.kind"] = kb["kind"]
                f[f"{name}.weight"] = kb["points"] / total if total else 0.0
                if kb["kind"] == "numeric":
                    f[f"{name}.bounds"] = (kb["lo"], kb["hi"])
                    continue
                f[f"{name}.answers"] = tuple(plain(a) for a in kb["answers"])
                if kb["kind"] == "dropdown":
                    select = section.xpath(f".//select[@data-blank='{n + 1}']")
                    f[f"{name}.options"] = tuple(plain(o.text_content()) for o in (
                        select[0].xpath("option[@value!='']") if select else []))
                    f[f"{name}.answers"] = tuple(plain(a) for a in kb["answers"])
                else:
                    f[f"{name}.case_sensitive"] = bool(kb["caseSensitive"])
        case Essay():
            area = section.find(".//textarea")
            f["response_template"] = plain(area.text or "") if area is not None else ""
            meta = section.xpath(".//p[@class='meta']")
            f["min_words"], f["max_words"] = words(meta[0].text_content() if meta else "")
        case TrueFalse() | Description():
            pass
    jobs = []
    for outcome in exp.outcomes:
        jobs.append((outcome.name, key, _site_tokens(section, q, ids, outcome), outcome))
    return got, jobs


def _site_tokens(section: Element, q: Question, ids: list[str], outcome: Outcome) -> list[str]:
    kind, value = outcome.action
    if kind == "choose":
        return [ids[i] for i in value if i < len(ids)]
    if kind == "tf":
        labels = {plain(o.find("label").text_content()): o.get("data-option")
                  for o in section.xpath(".//div[@data-option]")}
        return [next((ident for label, ident in labels.items() if is_true(label, value)), "")]
    if kind == "type":
        return [value]
    if kind == "match":
        tokens = []
        for row, answer in zip(section.xpath(".//div[@class='match-row']"), value, strict=False):
            select = row.find("select")
            chosen = next((o.get("value") for o in select.xpath("option")
                           if o.get("value") and plain(o.text_content()) == plain(answer)), "")
            tokens.append(f"{select.get('data-prompt')}.{chosen}")
        return tokens
    if kind == "order":
        items = [li.get("data-item") for li in section.xpath(".//li[@data-item]")]
        return [items[i] for i in value if i < len(items)]
    if kind == "fill":
        assert isinstance(q, FillBlanks)
        tokens = []
        for n, blank in enumerate(q.blanks):
            typed = value[blank.id]
            select = section.xpath(f".//select[@data-blank='{n + 1}']")
            if select:
                typed = next((o.get("value") for o in select[0].xpath("option")
                              if o.get("value") and plain(o.text_content()) == plain(typed)),
                             "")
            tokens.append(typed)
        return tokens
    return []


def _grade_in_node(grading_js: bytes | None, pending: list[tuple[Got, str, dict[str, Any],
                   list[str], Outcome]], items: dict[str, Any], resolve: Callable[[str], str],
                   show: bool) -> None:
    if not pending:
        return
    if grading_js is None:
        results: list[dict[str, Any] | None] = [None] * len(pending)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "grading.js"
            script.write_bytes(grading_js)
            runner = ("const g = require(process.argv[1]); let s = '';"
                      "process.stdin.on('data', d => s += d).on('end', () => {"
                      " const jobs = JSON.parse(s);"
                      " console.log(JSON.stringify(jobs.map(j => g.grade(j.key, j.response))));"
                      "});")
            payload = json.dumps([{"key": key, "response": tokens}
                                  for _, _, key, tokens, _ in pending])
            done = subprocess.run([NODE, "-e", runner, str(script)], input=payload, text=True,
                                  capture_output=True, check=True)
            results = json.loads(done.stdout)
    for (got, name, key, tokens, outcome), result in zip(pending, results, strict=True):
        if result is None:
            got.outcomes[name] = (None, NO_TEXT)
            continue
        qid = next(i for i, v in items.items() if v["key"] is key)
        fb = items[qid]["feedback"]
        pieces = []
        if show:
            if key["type"] in ("single", "multiple", "true-false"):
                pieces += [fb.get("options", {}).get(t, "") for t in tokens]
            pieces.append({"correct": fb.get("correct"), "partial": fb.get("partial"),
                           "incorrect": fb.get("incorrect")}.get(result["result"]) or "")
            pieces.append(fb.get("general", ""))
        text = joined([Text(text_of(fragment(p), resolve)) for p in pieces if p])
        points = key.get("points") or 0
        score = None if outcome.score is None else (result["score"] / points if points else 0.0)
        got.outcomes[name] = (score, text)


# --- Moodle XML --------------------------------------------------------------------------


def moodle_field(node: Element | None, images: dict[bytes, str]) -> Text:
    """A Moodle text field (questiontext, feedback...) as shown: HTML, @@PLUGINFILE@@ images
    resolved to the <file> of the same field."""
    if node is None:
        return NO_TEXT
    files = {f.get("name"): base64.b64decode(f.text or "") for f in node.findall("file")}

    def resolve(src: str) -> str:
        if not src.startswith("@@PLUGINFILE@@/"):
            return f"not-in-package:{src}"
        name = unquote(src[len("@@PLUGINFILE@@/"):])
        data = files.get(name)
        if data is None:
            return f"missing:{src}"
        return images.get(data, f"not-a-course-image:{name}")

    return Text(text_of(fragment(node.findtext("text") or ""), resolve))


def moodle_plain(text: str | None) -> str:
    """A plain field Moodle shows through format_string: entities decoded."""
    return plain(html.unescape(text or ""))


def wildcard_pattern(pattern: str) -> str:
    """A Moodle short-answer pattern as text: ``\\*`` a star, a lone ``*`` a wildcard {*}."""
    parts = re.split(r"(?<!\\)\*+", pattern)
    return "{*}".join(p.replace("\\*", "*") for p in parts)


def wildcard_match(pattern: str, typed: str, ignore_case: bool) -> bool:
    """qtype_shortanswer::compare_string_with_wildcard."""
    if pattern == "*":
        return True
    pattern = unicodedata.normalize("NFC", pattern)
    typed = unicodedata.normalize("NFC", typed)
    bits = re.split(r"(?<!\\)\*+", pattern)
    regexp = "^" + ".*".join(re.escape(b.replace("\\*", "*")) for b in bits) + "$"
    return re.search(regexp, typed.strip(), re.I | re.S if ignore_case else re.S) is not None


def _state(fraction: float) -> str:
    if fraction >= 0.999999:
        return "correct"
    return "partial" if fraction > 1e-7 else "incorrect"


_COMBINED = {"correct": "correctfeedback", "partial": "partiallycorrectfeedback",
             "incorrect": "incorrectfeedback"}
_CLOZE = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")


@dataclass
class Alternative:
    fraction: float
    answer: str
    feedback: str


def cloze_alternatives(body: str) -> list[Alternative]:
    """The alternatives of one cloze sub-question, as qtype_multianswer reads them."""
    found = []
    for raw in re.split(r"(?<!\\)~", body):
        answer, _, feedback = _split_feedback(raw)
        grade = re.match(r"^(=|%(-?\d+(?:\.\d+)?)%)", answer)
        fraction = 0.0
        if grade:
            fraction = 1.0 if grade.group(1) == "=" else float(grade.group(2)) / 100
            answer = answer[grade.end():]
        decoded = html.unescape(answer).replace("\\}", "}").replace("\\#", "#")
        found.append(Alternative(fraction, decoded, feedback))
    return found


def _split_feedback(raw: str) -> tuple[str, str, str]:
    parts = re.split(r"(?<!\\)#", raw, maxsplit=1)
    return (parts[0], "#", parts[1]) if len(parts) > 1 else (parts[0], "", "")


def read_moodle(path: Path, course: Course, expected: dict[str, Expected],
                images: dict[bytes, str]) -> dict[str, Got | None]:
    root = etree.parse(str(path)).getroot()
    nodes = {q.findtext("idnumber"): q for q in root.findall("question")
             if q.findtext("idnumber")}
    found: dict[str, Got | None] = {}
    for _quiz, q in _questions(course):
        node = nodes.get(q.id)
        found[q.id] = None if node is None else _moodle_question(node, q, expected[q.id],
                                                                 images)
    return found


def _questions(course: Course) -> Iterator[tuple[Any, Question]]:
    owners = owner_quizzes(course)
    for _, q in course.questions():
        yield owners[q.id], q


def _moodle_question(node: Element, q: Question, exp: Expected, images: dict[bytes, str]
                     ) -> Got:
    kind = node.get("type")
    got = Got(where=f"question {q.id}")
    f = got.fields

    def fld(name: str, base: Element = node) -> Text:
        return moodle_field(base.find(name), images)

    f["title"] = moodle_plain(node.findtext("name/text"))
    f["points"] = number_or_none(node.findtext("defaultgrade") or "")
    f["hints"] = tuple(moodle_field(h, images) for h in node.findall("hint"))
    general = fld("generalfeedback")
    answers = node.findall("answer")
    stem_html = node.findtext("questiontext/text") or ""
    codes = list(_CLOZE.finditer(stem_html)) if kind == "multianswer" else []
    if codes:
        questiontext = node.find("questiontext")
        swapped = _CLOZE.sub("CPFIDELITYGAPX", stem_html)
        clone = etree.Element("questiontext")
        etree.SubElement(clone, "text").text = swapped
        for file in questiontext.findall("file"):
            clone.append(file)
        f["stem"] = Text(moodle_field(clone, images).shown.replace("CPFIDELITYGAPX", GAP))
        weights = [int(c.group(1) or 1) for c in codes]
        f["points"] = float(sum(weights))
    else:
        f["stem"] = fld("questiontext")
    if isinstance(q, Description):
        f.pop("points", None)

    def combined(state: str) -> list[Text]:
        return [fld(_COMBINED[state])] if node.find(_COMBINED[state]) is not None else []

    def outcome(o: Outcome) -> tuple[float | None, Text]:
        _act, value = o.action
        if kind == "multichoice":
            fractions = [float(a.get("fraction")) / 100 for a in answers]
            chosen = [i for i in value if i < len(answers)]
            texts = [moodle_field(answers[i].find("feedback"), images) for i in chosen]
            single = node.findtext("single") == "true"
            score = (fractions[chosen[0]] if len(chosen) == 1 else 0.0) if single else \
                min(1.0, max(0.0, sum(fractions[i] for i in chosen)))
            return score, joined(texts + combined(_state(score)) + [general])
        if kind == "truefalse":
            wanted = "true" if value else "false"
            answer = next((a for a in answers if a.findtext("text") == wanted), None)
            if answer is None:
                return 0.0, general
            return (float(answer.get("fraction")) / 100,
                    joined([moodle_field(answer.find("feedback"), images), general]))
        if kind == "shortanswer":
            ignore = node.findtext("usecase") != "1"
            for answer in answers:
                if wildcard_match(answer.findtext("text") or "", value, ignore):
                    return (float(answer.get("fraction")) / 100,
                            joined([moodle_field(answer.find("feedback"), images), general]))
            return 0.0, general
        if kind == "numerical":
            typed = number_or_none(value.replace(",", ".") if "." not in value else value)
            for answer in answers:
                text = (answer.findtext("text") or "").strip()
                centre = number_or_none(text)
                tolerance = number_or_none(answer.findtext("tolerance") or "0") or 0.0
                if text == "*" or (typed is not None and centre is not None and
                                   abs(typed - centre) <= tolerance + 1e-9 * max(1, abs(centre))):
                    return (float(answer.get("fraction")) / 100,
                            joined([moodle_field(answer.find("feedback"), images), general]))
            return 0.0, general
        if kind == "matching":
            subs = [s for s in node.findall("subquestion") if (s.findtext("text") or "").strip()]
            hits = sum(moodle_plain(s.findtext("answer/text")) == plain(a)
                       for s, a in zip(subs, value, strict=False))
            score = hits / len(subs) if subs else 0.0
            return score, joined([*combined(_state(score)), general])
        if kind == "ordering":
            places = [int(float(a.get("fraction"))) for a in answers]  # correct place of each
            hits = sum(places[item] == place for place, item in enumerate(value, 1)
                       if item < len(places))
            score = hits / len(places) if places else 0.0
            return score, joined([*combined(_state(score)), general])
        if kind == "multianswer":
            assert isinstance(q, FillBlanks)
            gaps = [s for s in q.segments() if not isinstance(s, str)]
            earned = total = 0.0
            texts: list[Text] = []
            for code, blank in zip(codes, gaps, strict=False):
                weight = int(code.group(1) or 1)
                total += weight
                fraction, feedback = _cloze_score(code.group(2), code.group(3), value[blank.id])
                earned += weight * fraction
                if feedback:
                    texts.append(Text(text_of(fragment(feedback), lambda s: f"missing:{s}")))
            score = earned / total if total else 0.0
            return score, joined([*texts, general])
        if kind == "essay":
            return None, general
        return None, NO_TEXT

    match q:
        case SingleChoice() | MultipleResponse():
            f["choices"] = tuple(moodle_field(a, images) for a in answers)
            fractions = [float(a.get("fraction")) for a in answers]
            f["correct"] = tuple((fr >= 100) if isinstance(q, SingleChoice) else fr > 0
                                 for fr in fractions)
            f["shuffle"] = node.findtext("shuffleanswers") in ("1", "true")
        case ShortAnswer():
            f["answers"] = tuple(plain(wildcard_pattern(a.findtext("text") or ""))
                                 for a in answers if float(a.get("fraction")) >= 100)
            f["case_sensitive"] = node.findtext("usecase") == "1"
        case Numeric():
            right = next((a for a in answers if float(a.get("fraction")) >= 100), None)
            if right is not None:
                centre = Fraction(right.findtext("text").strip())
                margin = Fraction((right.findtext("tolerance") or "0").strip())
                f["bounds"] = (centre - margin, centre + margin)
            else:
                f["bounds"] = MISSING
            f["unit"] = plain(node.findtext("units/unit/unit_name") or "")
        case Matching():
            subs = node.findall("subquestion")
            asked = [s for s in subs if (s.findtext("text") or "").strip()]
            f["prompts"] = tuple(moodle_field(s, images) for s in asked)
            f["matches"] = tuple(moodle_plain(s.findtext("answer/text")) for s in asked)
            f["distractors"] = tuple(sorted(moodle_plain(s.findtext("answer/text"))
                                            for s in subs if s not in asked))
            f["shuffle"] = node.findtext("shuffleanswers") in ("1", "true")
        case Ordering():
            if kind == "ordering":
                ranked = sorted(answers, key=lambda a: float(a.get("fraction")))
                f["items"] = tuple(moodle_field(a, images) for a in ranked)
            else:  # core types only: matching each item to its place
                subs = sorted(node.findall("subquestion"),
                              key=lambda s: int(s.findtext("answer/text") or 0))
                f["items"] = tuple(moodle_field(s, images) for s in subs)
        case FillBlanks():
            gaps = [s for s in q.segments() if not isinstance(s, str)]
            total = sum(int(c.group(1) or 1) for c in codes)
            for code, blank in zip(codes, gaps, strict=False):
                f.update(_cloze_fields(blank.id, code, total))
        case Essay():
            f["grader_notes"] = fld("graderinfo")
            template = node.findtext("responsetemplate/text") or ""
            f["response_template"] = plain(html.unescape(re.sub(r"<br\s*/?>", "\n", template)))
            f["min_words"] = int(node.findtext("minwordlimit") or 0)
            f["max_words"] = int(node.findtext("maxwordlimit") or 0)
        case TrueFalse() | Description():
            pass
    for o in exp.outcomes:
        got.outcomes[o.name] = outcome(o)
    return got


def _cloze_fields(blank_id: str, code: re.Match[str], total: int) -> dict[str, Any]:
    name = f"blank[{blank_id}]"
    kind, body = code.group(2), code.group(3)
    alternatives = cloze_alternatives(body)
    found: dict[str, Any] = {f"{name}.weight": int(code.group(1) or 1) / total if total else 0}
    if kind.startswith("NUMERICAL"):
        found[f"{name}.kind"] = "numeric"
        right = next((a for a in alternatives if a.fraction >= 1), None)
        if right is not None:
            value, _, margin = right.answer.partition(":")
            centre, tol = Fraction(value.strip()), Fraction((margin or "0").strip())
            found[f"{name}.bounds"] = (centre - tol, centre + tol)
    elif kind.startswith("MULTICHOICE"):
        found[f"{name}.kind"] = "dropdown"
        found[f"{name}.options"] = tuple(plain(html.unescape(a.answer)) for a in alternatives)
        found[f"{name}.answers"] = tuple(plain(html.unescape(a.answer)) for a in alternatives
                                         if a.fraction >= 1)
    else:
        found[f"{name}.kind"] = "text"
        found[f"{name}.answers"] = tuple(plain(wildcard_pattern(a.answer))
                                         for a in alternatives if a.fraction >= 1)
        found[f"{name}.case_sensitive"] = kind.endswith("_C")
    return found


def _cloze_score(kind: str, body: str, typed: str) -> tuple[float, str]:
    for alternative in cloze_alternatives(body):
        if kind.startswith("NUMERICAL"):
            value, _, margin = alternative.answer.partition(":")
            centre, number = number_or_none(value), number_or_none(typed.replace(",", "."))
            tol = number_or_none(margin or "0") or 0.0
            if alternative.answer.strip() == "*" or (
                    centre is not None and number is not None
                    and abs(number - centre) <= tol + 1e-9 * max(1, abs(centre))):
                return alternative.fraction, alternative.feedback
        elif kind.startswith("MULTICHOICE"):
            if plain(html.unescape(alternative.answer)) == plain(typed):
                return alternative.fraction, alternative.feedback
        elif wildcard_match(alternative.answer, typed, not kind.endswith("_C")):
            return alternative.fraction, alternative.feedback
    return 0.0, ""


# --- GIFT --------------------------------------------------------------------------------

_GIFT_PLACEHOLDERS = {"&&092;": "\\", "&&058;": ":", "&&035;": "#", "&&061;": "=",
                      "&&123;": "{", "&&125;": "}", "&&126;": "~", "&&010": "\n"}


def gift_parse(path: Path) -> list[dict[str, Any]]:
    done = subprocess.run([NODE, str(GIFT_PARSE), str(path)], capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise AssertionError(f"gift-pegjs cannot parse {path.name}: {done.stderr}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _gift_html(value: Any) -> Text:
    text = value.get("text", "") if isinstance(value, dict) else (value or "")
    return Text(text_of(fragment(text), lambda s: f"missing:{s}"))


def _gift_plain(text: str) -> str:
    for placeholder, char in _GIFT_PLACEHOLDERS.items():
        text = text.replace(placeholder, char)
    return moodle_plain(text)


def read_gift(path: Path, course: Course, expected: dict[str, Expected]
              ) -> dict[str, Got | None]:
    parsed = {q.get("id"): q for q in gift_parse(path) if q.get("type") != "Category"}
    return {q.id: (_gift_question(parsed[q.id], q, expected[q.id]) if q.id in parsed else None)
            for _, q in _questions(course)}


def _gift_fraction(choice: dict[str, Any]) -> float:
    if choice.get("weight") is not None:
        return float(choice["weight"]) / 100
    return 1.0 if choice.get("isCorrect") else 0.0


def _gift_question(node: dict[str, Any], q: Question, exp: Expected) -> Got:
    got = Got(where=f"question {q.id}")
    f = got.fields
    kind = node["type"]
    f["title"] = moodle_plain(node.get("title"))
    f["points"] = 1.0  # Moodle's default mark: GIFT has no syntax for marks
    f["hints"] = ()
    general = _gift_html(node.get("globalFeedback"))
    stem = _gift_html(node.get("stem"))
    if node.get("hasEmbeddedAnswers"):
        stem = Text(stem.shown.replace("_____", GAP))
    f["stem"] = stem
    choices = node.get("choices") or []
    if isinstance(q, Description):
        f.pop("points")

    def answer_feedback(choice: dict[str, Any] | None) -> Text:
        return _gift_html(choice.get("feedback")) if choice and choice.get("feedback") else NO_TEXT

    single = kind == "MC" and sum(_gift_fraction(c) > 0 for c in choices) <= 1

    def outcome(o: Outcome) -> tuple[float | None, Text]:
        act, value = o.action
        if kind == "MC" and act == "choose":
            chosen = [choices[i] for i in value if i < len(choices)]
            fractions = [_gift_fraction(c) for c in chosen]
            score = (fractions[0] if len(fractions) == 1 else 0.0) if single else \
                min(1.0, max(0.0, sum(fractions)))
            return score, joined([answer_feedback(c) for c in chosen] + [general])
        if kind == "MC" and act == "fill":  # a drop-down gap
            typed = next(iter(value.values()))
            chosen = next((c for c in choices if _gift_plain(c["text"]["text"]) == plain(typed)),
                          None)
            return ((_gift_fraction(chosen) if chosen else 0.0),
                    joined([answer_feedback(chosen), general]))
        if kind == "TF":
            right = value == node["isTrue"]
            shown = node.get("falseFeedback") if right else node.get("trueFeedback")
            return float(right), joined([_gift_html(shown), general])
        if kind == "Short":
            typed = next(iter(value.values())) if act == "fill" else value
            for choice in choices:
                if wildcard_match(choice["text"]["text"], typed, True):
                    return _gift_fraction(choice), joined([answer_feedback(choice), general])
            return 0.0, general
        if kind == "Numerical":
            typed = number_or_none(value)
            for choice in choices:
                bounds = _gift_bounds(choice)
                if bounds is None or (typed is not None and
                                      bounds[0] - 1e-9 <= typed <= bounds[1] + 1e-9):
                    return _gift_fraction(choice), joined([answer_feedback(choice), general])
            return 0.0, general
        if kind == "Matching":
            pairs = [p for p in node["matchPairs"] if p["subquestion"]["text"].strip()]
            hits = sum(_gift_plain(p["subanswer"]) == plain(a)
                       for p, a in zip(pairs, value, strict=False))
            return (hits / len(pairs) if pairs else 0.0), general
        if kind == "Essay":
            return None, general
        return 0.0, general

    match q:
        case SingleChoice() | MultipleResponse():
            f["choices"] = tuple(_gift_html(c["text"]) for c in choices)
            f["correct"] = tuple(_gift_fraction(c) >= (1 if single else 1e-9) for c in choices)
            f["shuffle"] = MISSING  # GIFT has no syntax for it; Moodle's default applies
        case ShortAnswer():
            f["answers"] = tuple(plain(wildcard_pattern(c["text"]["text"])) for c in choices
                                 if _gift_fraction(c) >= 1)
            f["case_sensitive"] = False  # Moodle's GIFT import: usecase 0
        case Numeric():
            right = next((c for c in choices if _gift_fraction(c) >= 1), None)
            f["bounds"] = _gift_bounds(right) if right else MISSING
            f["unit"] = ""
        case Matching():
            pairs = node.get("matchPairs") or []
            asked = [p for p in pairs if p["subquestion"]["text"].strip()]
            f["prompts"] = tuple(_gift_html(p["subquestion"]) for p in asked)
            f["matches"] = tuple(_gift_plain(p["subanswer"]) for p in asked)
            f["distractors"] = tuple(sorted(_gift_plain(p["subanswer"]) for p in pairs
                                            if p not in asked))
            f["shuffle"] = MISSING
        case FillBlanks():
            (blank,) = q.blanks if len(q.blanks) == 1 else (q.blanks[0],)
            name = f"blank[{blank.id}]"
            f[f"{name}.weight"] = 1.0
            if kind == "MC":
                f[f"{name}.kind"] = "dropdown"
                f[f"{name}.options"] = tuple(_gift_plain(c["text"]["text"]) for c in choices)
                f[f"{name}.answers"] = tuple(_gift_plain(c["text"]["text"]) for c in choices
                                             if _gift_fraction(c) >= 1)
            elif kind == "Numerical":
                f[f"{name}.kind"] = "numeric"
                right = next((c for c in choices if _gift_fraction(c) >= 1), None)
                f[f"{name}.bounds"] = _gift_bounds(right) if right else MISSING
            else:
                f[f"{name}.kind"] = "text"
                f[f"{name}.answers"] = tuple(plain(wildcard_pattern(c["text"]["text"]))
                                             for c in choices if _gift_fraction(c) >= 1)
                f[f"{name}.case_sensitive"] = False
        case Essay():
            f["grader_notes"] = NO_TEXT
            f["response_template"] = ""
            f["min_words"] = f["max_words"] = 0
        case Ordering() | TrueFalse() | Description():
            pass
    for o in exp.outcomes:
        got.outcomes[o.name] = outcome(o)
    return got


def _gift_bounds(choice: dict[str, Any] | None) -> tuple[float, float] | None:
    text = (choice or {}).get("text")
    if not isinstance(text, dict) or "type" not in text:
        return None
    if text["type"] == "range":
        return (text["number"] - text["range"], text["number"] + text["range"])
    if text["type"] == "high-low":
        return (text["numberLow"], text["numberHigh"])
    return (text["number"], text["number"])


# --- QTI 1.2 (Canvas zip) and IMS Common Cartridge ------------------------------------------


def _mattext(node: Element | None, resolve: Callable[[str], str]) -> Text:
    """The text of a <material> (or anything holding mattext): HTML read as HTML."""
    if node is None:
        return NO_TEXT
    texts = []
    for mattext in descendants(node, "mattext"):
        if mattext.get("texttype", "text/plain") == "text/html":
            texts.append(Text(text_of(fragment(mattext.text or ""), resolve)))
        else:
            texts.append(Text(squash(mattext.text or "")))
    return joined(texts)


def _mat_plain(node: Element | None) -> str:
    if node is None:
        return ""
    return plain("".join(m.text or "" for m in descendants(node, "mattext")))


def _meta(item: Element) -> dict[str, str]:
    return {f.findtext("{*}fieldlabel"): (f.findtext("{*}fieldentry") or "")
            for f in descendants(item, "qtimetadatafield")}


def _full_conditions(item: Element) -> list[Element]:
    """The respconditions that set SCORE to its maximum: the item's answer key."""
    processing = child(item, "resprocessing")
    if processing is None:
        return []
    found = []
    for condition in descendants(processing, "respcondition"):
        for setvar in descendants(condition, "setvar"):
            if setvar.get("action", "Set") == "Set" and float(setvar.text or 0) >= 100:
                found.append(condition)
    return found


def _positive(node: Element, name: str = "varequal") -> list[Element]:
    """Tests of ``node`` not under a <not>."""
    found = []
    for element in descendants(node, name):
        parent, negated = element.getparent(), False
        while parent is not None and parent is not node:
            negated |= local(parent) == "not"
            parent = parent.getparent()
        if not negated:
            found.append(element)
    return found


class QtiReader:
    """Items of the QTI 1.2 family (Canvas's flavour, or the CC profile) read as a player."""

    def __init__(self, pkg: Package, base: str, cc: bool) -> None:
        self.pkg = pkg
        self.resolve = pkg.resolver(base)
        self.cc = cc

    def feedback(self, item: Element, idents: list[str]) -> Text:
        by_id = {f.get("ident"): f for f in children(item) if local(f) == "itemfeedback"}
        return joined([_mattext(by_id[i], self.resolve) for i in idents if i in by_id])

    def question(self, item: Element, q: Question, exp: Expected) -> Got:
        got = Got(where=f"item {item.get('ident')}")
        f = got.fields
        meta = _meta(item)
        presentation = child(item, "presentation")
        materials = [c for c in children(presentation) if local(c) == "material"] \
            if presentation is not None else []
        lids = descendants(presentation, "response_lid") if presentation is not None else []
        f["title"] = plain(item.get("title", ""))
        points = meta.get("cc_weighting") if self.cc else meta.get("points_possible")
        f["points"] = number_or_none(points or "")
        if isinstance(q, Description):
            f.pop("points")
        f["hints"] = tuple(_mattext(h, self.resolve) for h in descendants(item, "hintmaterial"))
        stem_html = ""
        stem_node = materials[0] if materials else None
        if isinstance(q, FillBlanks) and stem_node is not None:
            mattext = descendants(stem_node, "mattext")[0]
            stem_html = mattext.text or ""
            for lid in lids:
                name = lid.get("ident", "").removeprefix("response_")
                stem_html = stem_html.replace(f"[{name}]", "CPFIDELITYGAPX")
            stem_html = stem_html.replace("____", "CPFIDELITYGAPX")
            f["stem"] = Text(text_of(fragment(stem_html), self.resolve).replace(
                "CPFIDELITYGAPX", GAP))
        else:
            f["stem"] = _mattext(stem_node, self.resolve)
        full = _full_conditions(item)
        labels = {lid.get("ident"): [(lab.get("ident"), lab) for lab in descendants(
            lid, "response_label")] for lid in lids}
        match q:
            case SingleChoice() | MultipleResponse():
                options = next(iter(labels.values()), [])
                right = {v.text.strip() for c in full for v in _positive(c)}
                f["choices"] = tuple(_mattext(lab, self.resolve) for _, lab in options)
                f["correct"] = tuple(i in right for i, _ in options)
                choice = descendants(presentation, "render_choice")
                f["shuffle"] = bool(choice) and choice[0].get("shuffle") == "Yes"
            case ShortAnswer():
                tests = [v for c in full for v in _positive(c)]
                f["answers"] = tuple(dict.fromkeys(plain(v.text or "") for v in tests))
                f["case_sensitive"] = any(v.get("case") == "Yes" for v in tests)
            case Numeric():
                low = [number_or_none(v.text) for c in full for v in _positive(c, "vargte")]
                high = [number_or_none(v.text) for c in full for v in _positive(c, "varlte")]
                exact = [number_or_none(v.text) for c in full for v in _positive(c)]
                if low and high:
                    f["bounds"] = (low[0], high[0])
                elif exact and exact[0] is not None:
                    f["bounds"] = (exact[0], exact[0])
                else:
                    f["bounds"] = MISSING
                unit = descendants(child(presentation, "response_str"), "material") \
                    if child(presentation, "response_str") is not None else []
                f["unit"] = _mat_plain(unit[0]) if unit else ""
            case Matching() | Ordering():
                self._pairs(q, f, lids, labels, full)
            case FillBlanks():
                total = 0.0
                shares: dict[str, float] = {}
                processing = child(item, "resprocessing")
                for condition in descendants(processing, "respcondition") if \
                        processing is not None else []:
                    adds = [s for s in descendants(condition, "setvar")
                            if s.get("action") == "Add"]
                    refs = {v.get("respident") for v in descendants(condition, "varequal")}
                    if adds and len(refs) == 1:
                        shares[refs.pop()] = float(adds[0].text or 0)
                total = sum(shares.values())
                kind = "dropdown" if meta.get("question_type") == \
                    "multiple_dropdowns_question" else "text"
                for blank in q.blanks:
                    ident = f"response_{blank.id}"
                    name = f"blank[{blank.id}]"
                    right = {v.text.strip() for c in full for v in _positive(c)
                             if v.get("respident") == ident}
                    if self.cc:
                        tests = [v for c in full for v in _positive(c)]
                        f[f"{name}.kind"] = "text"
                        f[f"{name}.answers"] = tuple(dict.fromkeys(plain(v.text or "")
                                                                   for v in tests))
                        f[f"{name}.case_sensitive"] = any(v.get("case") == "Yes" for v in tests)
                        f[f"{name}.weight"] = 1.0
                        continue
                    options = labels.get(ident, [])
                    texts = [_mat_plain(lab) for _, lab in options]
                    f[f"{name}.kind"] = kind
                    f[f"{name}.answers"] = tuple(t for (i, _), t in zip(options, texts,
                                                                          strict=True)
                                                 if i in right)
                    if kind == "dropdown":
                        f[f"{name}.options"] = tuple(texts)
                    else:
                        f[f"{name}.case_sensitive"] = False  # labels are what Canvas accepts
                    f[f"{name}.weight"] = shares.get(ident, 0.0) / total if total else MISSING
            case Essay():
                rubric = [r for r in descendants(item, "rubric")]
                f["grader_notes"] = _mattext(rubric[0], self.resolve) if rubric else NO_TEXT
                f["response_template"] = ""
                limits = next((_mat_plain(m) for m in materials[1:] if "words" in _mat_plain(m)),
                              "")
                f["min_words"], f["max_words"] = words(limits)
            case TrueFalse() | Description():
                pass
        for o in exp.outcomes:
            got.outcomes[o.name] = self.outcome(item, q, o, lids, labels)
        return got

    def _pairs(self, q: Matching | Ordering, f: dict[str, Any], lids: list[Element],
               labels: dict[str, list[tuple[str, Element]]], full: list[Element]) -> None:
        right = {v.get("respident"): v.text.strip() for c in full for v in _positive(c)}
        prompts = [(lid, _mattext(child(lid, "material"), self.resolve)) for lid in lids]
        answer_of = {lid.get("ident"): {i: _mat_plain(lab) for i, lab in labels[lid.get("ident")]}
                     for lid in lids}
        matched = [answer_of[lid.get("ident")].get(right.get(lid.get("ident"), ""), MISSING)
                   for lid, _ in prompts]
        if isinstance(q, Ordering):
            ranked = sorted(zip(matched, prompts, strict=True),
                            key=lambda pair: int(re.sub(r"\D", "", pair[0]) or 0))
            f["items"] = tuple(text for _, (_, text) in ranked)
            return
        f["prompts"] = tuple(text for _, text in prompts)
        f["matches"] = tuple(matched)
        every = next(iter(answer_of.values()), {})
        f["distractors"] = tuple(sorted(t for t in every.values() if t not in matched))
        choice = [descendants(lid, "render_choice")[0] for lid in lids]
        f["shuffle"] = bool(choice) and all(c.get("shuffle") == "Yes" for c in choice)

    def outcome(self, item: Element, q: Question, o: Outcome, lids: list[Element],
                labels: dict[str, list[tuple[str, Element]]]) -> tuple[float | None, Text]:
        act, value = o.action
        response: dict[str, list[str]] = {}
        first = lids[0].get("ident") if lids else "response1"
        if act == "choose":
            options = labels.get(first, [])
            response[first] = [options[i][0] for i in value if i < len(options)]
        elif act == "tf":
            response[first] = [i for i, lab in labels.get(first, [])
                               if is_true(_mattext(lab, self.resolve).key, value)]
        elif act == "type":
            response["response1"] = [value]
        elif act in ("match", "order"):
            assert isinstance(q, Matching | Ordering)
            prompts = [p.prompt for p in q.pairs] if isinstance(q, Matching) else list(q.items)
            for n, prompt in enumerate(prompts):
                lid = self._prompt(lids, md(prompt, inline=True), n)
                if lid is None:
                    continue
                if act == "match":
                    wanted = plain(value[n])
                else:
                    wanted = f"Position {list(value).index(n) + 1}"
                response[lid.get("ident")] = [i for i, lab in labels[lid.get("ident")]
                                              if _mat_plain(lab) == wanted]
        elif act == "fill":
            for blank_id, typed in value.items():
                ident = f"response_{blank_id}"
                if ident in labels:  # Canvas: a typed blank accepts its labels, any case
                    response[ident] = [i for i, lab in labels[ident]
                                       if _mat_plain(lab).casefold() == plain(typed).casefold()]
                else:
                    response["response1"] = [typed]
        elif act == "mark":
            response["response1"] = ["Une réponse écrite."]
        score, shown, _hints = run12(item, response)
        return (None if o.score is None else score), self.feedback(item, shown)

    def _prompt(self, lids: list[Element], prompt: Text, n: int) -> Element | None:
        for lid in lids:
            if _mattext(child(lid, "material"), self.resolve).key == prompt.key:
                return lid
        wanted = f"response_{n + 1}"
        return next((lid for lid in lids if lid.get("ident") == wanted), None)


def read_qti12(path: Path, course: Course, expected: dict[str, Expected],
               images: dict[bytes, str]) -> dict[str, Got | None]:
    pkg = Package.of(path, images)
    reader = QtiReader(pkg, "", cc=False)
    found: dict[str, Got | None] = {}
    owners = owner_quizzes(course)
    documents = {}
    for name, data in pkg.files.items():
        if name.endswith(".xml") and name != "imsmanifest.xml" and b"questestinterop" in data:
            root = etree.fromstring(data)
            for assessment in descendants(root, "assessment"):
                documents[assessment.get("ident")] = assessment
    for quiz in course.quizzes:
        assessment = documents.get(quiz.id)
        if assessment is None:
            continue
        items = {}
        for item in descendants(assessment, "item"):
            qid = _meta(item).get("assessment_question_identifierref") or item.get("ident")
            items.setdefault(qid, item)
        for q in quiz.all_questions():
            if owners[q.id] is quiz:
                item = items.get(q.id)
                found[q.id] = None if item is None else reader.question(item, q, expected[q.id])
        for section in descendants(assessment, "section"):
            number = descendants(section, "selection_number")
            if not number:
                continue
            pool_id = section.get("ident", "").removeprefix(f"{quiz.id}-")
            points = descendants(section, "points_per_item")
            found[f"pool:{quiz.id}/{pool_id}"] = Got({
                "pick": int(number[0].text), "points": float(points[0].text) if points else None,
                "questions": tuple(sorted(_meta(i).get("assessment_question_identifierref", "")
                                          for i in descendants(section, "item")))})
        meta_name = next((n for n in pkg.files if n.endswith("assessment_meta.xml")
                          and etree.fromstring(pkg.files[n]).get("identifier") == quiz.id), None)
        if meta_name:
            description = etree.fromstring(pkg.files[meta_name]).findtext("{*}description")
            found[f"quiz:{quiz.id}"] = Got(page=Text(text_of(fragment(description or ""),
                                                            reader.resolve)), where=meta_name)
    _absent_pools(found, course)
    return found


def _absent_pools(found: dict[str, Got | None], course: Course) -> None:
    for quiz in course.quizzes:
        for pool in quiz.pools:
            found.setdefault(f"pool:{quiz.id}/{pool.id}", None)


def read_imscc(path: Path, course: Course, expected: dict[str, Expected],
               images: dict[bytes, str]) -> dict[str, Got | None]:
    pkg = Package.of(path, images)
    reader = QtiReader(pkg, "", cc=True)
    found: dict[str, Got | None] = {}
    owners = owner_quizzes(course)
    for quiz in course.quizzes:
        name = f"assessments/{quiz.id}.xml"
        if name not in pkg.files:
            continue
        assessment = pkg.xml(name)
        rubric = descendants(assessment, "rubric")
        rubric_text = _mattext(rubric[0], reader.resolve) if rubric else NO_TEXT
        found[f"quiz:{quiz.id}"] = Got(page=rubric_text, where=name)
        items = {i.get("ident"): i for i in descendants(assessment, "item")}
        for q in quiz.all_questions():
            if owners[q.id] is not quiz:
                continue
            if isinstance(q, Description):  # part of the assessment's instructions
                stem = md(q.stem)
                found[q.id] = Got({"stem": stem if stem.key in rubric_text.key else
                                   Text(f"(not in the instructions: {rubric_text.shown})")})
                continue
            item = items.get(q.id)
            found[q.id] = None if item is None else reader.question(item, q, expected[q.id])
    _absent_pools(found, course)
    found["course"] = _cc_page(pkg, "_course/index.html", "")
    for module in course.modules:
        found[f"module:{module.id}"] = _cc_page(pkg, f"{module.id}/index.html", module.id)
        for lesson in module.lessons:
            page_name = f"{module.id}/{lesson.id}.html"
            if page_name in pkg.files:
                page = lxml.html.fromstring(pkg.files[page_name])
                found[f"lesson:{module.id}/{lesson.id}"] = Got(page=Text(text_of(
                    page.find("body"), pkg.resolver(module.id))), where=page_name)
    return found


def _cc_page(pkg: Package, name: str, folder: str) -> Got:
    """The text of an overview page of the cartridge (a course's or a module's description)."""
    if name not in pkg.files:
        return Got(page=Text(f"(no page {name})"), where=name)
    page = lxml.html.fromstring(pkg.files[name])
    return Got(page=Text(text_of(page.find("body"), pkg.resolver(folder or "_course"))),
               where=name)


# --- QTI 2.1 -------------------------------------------------------------------------------

_INTERACTIONS = {"choiceInteraction", "matchInteraction", "orderInteraction",
                 "extendedTextInteraction", "rubricBlock", "infoControl"}


def read_qti21(path: Path, course: Course, expected: dict[str, Expected],
               images: dict[bytes, str]) -> dict[str, Got | None]:
    pkg = Package.of(path, images)
    items: dict[str, tuple[str, Element]] = {}
    for name, data in pkg.files.items():
        if name.endswith(".xml") and b"assessmentItem " in data[:400]:
            root = etree.fromstring(data)
            items[root.get("identifier")] = (name, root)
    found: dict[str, Got | None] = {}
    for _, q in _questions(course):
        entry = items.get(q.id)
        found[q.id] = None if entry is None else _qti21_question(
            pkg, entry[0], entry[1], q, expected[q.id])
    tests = [n for n, d in pkg.files.items() if n.endswith(".xml") and b"assessmentTest" in d[:400]]
    for name in tests:
        test = pkg.xml(name)
        for quiz in course.quizzes:
            section = next((s for s in descendants(test, "assessmentSection")
                            if s.get("title") == squash(quiz.title)), None)
            if section is None:
                continue
            found[f"quiz:{quiz.id}"] = Got(page=Text(text_of(section, pkg.resolver(
                posixpath.dirname(name)), lambda n, top=section: "" if local(n) == "assessmentSection"
                and n is not top else None)), where=name)
            for pool in quiz.pools:
                pooled = next((s for s in descendants(section, "assessmentSection")
                               if s is not section and s.get("title") == squash(
                                   pool.title or pool.id)), None)
                if pooled is None:
                    continue
                selection = child(pooled, "selection")
                found[f"pool:{quiz.id}/{pool.id}"] = Got({
                    "pick": int(selection.get("select")) if selection is not None else None,
                    "points": None,
                    "questions": tuple(sorted(r.get("identifier") for r in descendants(
                        pooled, "assessmentItemRef")))})
    _absent_pools(found, course)
    return found


def _qti21_question(pkg: Package, name: str, root: Element, q: Question, exp: Expected) -> Got:
    resolve = pkg.resolver(posixpath.dirname(name))
    item = Item21(root)
    got = Got(where=name)
    f = got.fields
    body = child(root, "itemBody")
    blanks = isinstance(q, FillBlanks)

    def special(node: Element) -> str | None:
        tag = local(node)
        if tag in _INTERACTIONS:
            return ""
        if tag in ("textEntryInteraction", "inlineChoiceInteraction"):
            return GAP if blanks else ""
        if not blanks and tag == "p" and any(local(c) == "textEntryInteraction"
                                             for c in node.iter() if c is not node):
            return ""
        return None

    f["title"] = plain(root.get("title", ""))
    f["stem"] = Text(text_of(body, resolve, special)) if body is not None else NO_TEXT
    top = item.outcomes.get("MAXSCORE")
    f["points"] = number_or_none(top.findtext(".//{*}value")) if top is not None else MISSING
    if isinstance(q, Description):
        f.pop("points")
    f["hints"] = tuple(Text(squash("".join(c.itertext()))) for c in descendants(body, "infoControl"))
    correct = {n: item._declared(d, child(d, "correctResponse"))
               for n, d in item.responses.items()}
    processing = child(root, "responseProcessing")

    def bounds_of(var: str) -> tuple[float, float] | str:
        for test in descendants(processing, "and") if processing is not None else []:
            parts = children(test)
            kinds = [local(p) for p in parts]
            if kinds == ["gte", "lte"] and all(
                    child(p, "variable") is not None and child(p, "variable").get(
                        "identifier") == var for p in parts):
                return (float(child(parts[0], "baseValue").text),
                        float(child(parts[1], "baseValue").text))
        return MISSING

    match q:
        case SingleChoice() | MultipleResponse():
            inter = descendants(body, "choiceInteraction")[0]
            choices = [c for c in children(inter) if local(c) == "simpleChoice"]
            right = correct.get(inter.get("responseIdentifier"))
            right = right if isinstance(right, list) else [right]
            f["choices"] = tuple(Text(text_of(c, resolve)) for c in choices)
            f["correct"] = tuple(c.get("identifier") in right for c in choices)
            f["shuffle"] = inter.get("shuffle") == "true"
        case ShortAnswer():
            decl = item.responses.get("RESPONSE")
            entries = descendants(decl, "mapEntry")
            f["answers"] = tuple(plain(e.get("mapKey")) for e in entries
                                 if float(e.get("mappedValue")) > 0)
            f["case_sensitive"] = bool(entries) and all(
                e.get("caseSensitive", "true") == "true" for e in entries)
        case Numeric():
            f["bounds"] = bounds_of("RESPONSE")
            entry = descendants(body, "textEntryInteraction")
            f["unit"] = plain(entry[0].tail or "") if entry else ""
        case Matching():
            inter = descendants(body, "matchInteraction")[0]
            sources, targets = [children(s) for s in children(inter)
                                if local(s) == "simpleMatchSet"][:2]
            texts = {t.get("identifier"): plain("".join(t.itertext())) for t in targets}
            pairs = dict(correct.get(inter.get("responseIdentifier")) or [])
            f["prompts"] = tuple(Text(text_of(s, resolve)) for s in sources)
            f["matches"] = tuple(texts.get(pairs.get(s.get("identifier"), ""), MISSING)
                                 for s in sources)
            f["distractors"] = tuple(sorted(t for i, t in texts.items()
                                            if i not in pairs.values()))
            f["shuffle"] = inter.get("shuffle") == "true"
        case Ordering():
            inter = descendants(body, "orderInteraction")[0]
            texts = {c.get("identifier"): Text(text_of(c, resolve)) for c in children(inter)
                     if local(c) == "simpleChoice"}
            f["items"] = tuple(texts.get(i, Text(MISSING)) for i in
                               correct.get(inter.get("responseIdentifier")) or [])
        case FillBlanks():
            shares: dict[str, float] = {}
            for condition in descendants(processing, "responseCondition") \
                    if processing is not None else []:
                branch = children(condition)[0]
                setter = child(branch, "setOutcomeValue")
                total_sum = child(setter, "sum") if setter is not None else None
                refs = {v.get("identifier") for v in descendants(children(branch)[0],
                                                                 "variable")}
                refs |= {v.get("identifier") for v in descendants(children(branch)[0],
                                                                  "correct")}
                if total_sum is not None and len(refs) == 1:
                    shares[refs.pop()] = float(child(total_sum, "baseValue").text)
            points = item.outcomes.get("MAXSCORE")
            top_points = float(points.findtext(".//{*}value")) if points is not None else 0
            for blank in q.blanks:
                var = f"RESPONSE_{blank.id}"
                name = f"blank[{blank.id}]"
                decl = item.responses.get(var)
                if decl is None:
                    f[f"{name}.kind"] = MISSING
                    continue
                f[f"{name}.weight"] = shares.get(var, 0.0) / top_points if top_points else 0
                base = decl.get("baseType")
                if base == "identifier":
                    inter = next(i for i in descendants(body, "inlineChoiceInteraction")
                                 if i.get("responseIdentifier") == var)
                    options = {c.get("identifier"): plain("".join(c.itertext()))
                               for c in children(inter)}
                    f[f"{name}.kind"] = "dropdown"
                    f[f"{name}.options"] = tuple(options.values())
                    f[f"{name}.answers"] = (options.get(correct.get(var), MISSING),)
                elif base == "float":
                    f[f"{name}.kind"] = "numeric"
                    f[f"{name}.bounds"] = bounds_of(var)
                else:
                    matches = [m for m in descendants(processing, "stringMatch")
                               if child(m, "variable").get("identifier") == var]
                    f[f"{name}.kind"] = "text"
                    f[f"{name}.answers"] = tuple(dict.fromkeys(
                        plain(child(m, "baseValue").text or "") for m in matches))
                    f[f"{name}.case_sensitive"] = bool(matches) and all(
                        m.get("caseSensitive") == "true" for m in matches)
        case Essay():
            rubric = descendants(body, "rubricBlock")
            f["grader_notes"] = Text(text_of(rubric[0], resolve)) if rubric else NO_TEXT
            decl = item.responses.get("RESPONSE")
            default = decl.findtext("{*}defaultValue/{*}value") if decl is not None else None
            f["response_template"] = plain(default or "")
            prompt = descendants(body, "prompt")
            f["min_words"], f["max_words"] = words("".join(prompt[0].itertext()) if prompt
                                                   else "")
        case TrueFalse() | Description():
            pass
    for o in exp.outcomes:
        got.outcomes[o.name] = _qti21_outcome(item, root, body, q, o, resolve)
    return got


def _qti21_outcome(item: Item21, root: Element, body: Element, q: Question, o: Outcome,
                   resolve: Callable[[str], str]) -> tuple[float | None, Text]:
    act, value = o.action
    given: dict[str, Any] = {}

    def choice_ids(name: str) -> list[Element]:
        inters = [i for i in descendants(body, name)]
        return [c for c in children(inters[0]) if local(c) in ("simpleChoice",)] if inters else []

    if act == "choose":
        choices = choice_ids("choiceInteraction")
        chosen = [choices[i].get("identifier") for i in value if i < len(choices)]
        multiple = item.responses["RESPONSE"].get("cardinality") == "multiple"
        given["RESPONSE"] = chosen if multiple else (chosen[0] if chosen else None)
    elif act == "tf":
        given["RESPONSE"] = next((c.get("identifier") for c in choice_ids("choiceInteraction")
                                  if is_true(squash("".join(c.itertext())), value)), None)
    elif act == "type":
        decl = item.responses["RESPONSE"]
        given["RESPONSE"] = item._typed(decl, value)
    elif act == "match":
        assert isinstance(q, Matching)
        inter = descendants(body, "matchInteraction")[0]
        sources, targets = [children(s) for s in children(inter)
                            if local(s) == "simpleMatchSet"][:2]
        pairs = []
        for n, (pair, answer) in enumerate(zip(q.pairs, value, strict=True)):
            prompt = md(pair.prompt, inline=True)
            source = next((s for s in sources if Text(text_of(s, resolve)).key == prompt.key),
                          sources[n] if n < len(sources) else None)
            target = next((t for t in targets if plain("".join(t.itertext())) == plain(answer)),
                          None)
            if source is not None and target is not None:
                pairs.append((source.get("identifier"), target.get("identifier")))
        given["RESPONSE"] = pairs
    elif act == "order":
        assert isinstance(q, Ordering)
        inter = descendants(body, "orderInteraction")[0]
        choices = [c for c in children(inter) if local(c) == "simpleChoice"]
        ids = []
        for n in value:
            wanted = md(q.items[n], inline=True)
            match_ = next((c for c in choices if Text(text_of(c, resolve)).key == wanted.key),
                          None)
            ids.append(match_.get("identifier") if match_ is not None else f"I{n + 1}")
        given["RESPONSE"] = ids
    elif act == "fill":
        for blank_id, typed in value.items():
            var = f"RESPONSE_{blank_id}"
            decl = item.responses.get(var)
            if decl is None:
                continue
            if decl.get("baseType") == "identifier":
                inter = next((i for i in descendants(body, "inlineChoiceInteraction")
                              if i.get("responseIdentifier") == var), None)
                options = children(inter) if inter is not None else []
                given[var] = next((c.get("identifier") for c in options
                                   if plain("".join(c.itertext())) == plain(typed)), None)
            else:
                given[var] = item._typed(decl, typed)
    score, feedback = item.run(given)
    shown = [m for m in children(root) if local(m) == "modalFeedback"
             and (m.get("identifier") in feedback) == (m.get("showHide", "show") == "show")]
    text = joined([Text(text_of(m, resolve)) for m in shown])
    return (None if o.score is None else score), text


# --- PDF -----------------------------------------------------------------------------------


def pdf_raw(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def pdf_text(path: Path) -> str:
    return latin(pdf_raw(path))


def read_pdf(folder: Path, course: Course, expected: dict[str, Expected]
             ) -> dict[str, Got | None]:
    """The PDFs' text (Latin letters and digits only) for presence checks."""
    raws = {p.relative_to(folder).as_posix(): re.sub(r"(?<=\S) (?=\S)", "", pdf_raw(p))
            for p in sorted(folder.rglob("*.pdf")) if ".parts" not in p.parts}
    texts = {name: latin(raw) for name, raw in raws.items()}
    found: dict[str, Got | None] = {}
    key = texts.get("answer-key.pdf")
    for quiz, q in _questions(course):
        name = f"quizzes/{quiz.id}.pdf"
        # The PDF's text is searched for each question's texts, so a question is absent
        # only when the table leaves its type out (or the PDFs are missing).
        if key is None or name not in texts or not carries("pdf", q):
            found[q.id] = None
            continue
        found[q.id] = Got({"quiz": texts[name]}, page=Text(key), where=name)
    pack = texts.get("course-pack.pdf", "")
    found["course"] = Got(page=Text(pack), where="course-pack.pdf")
    for module in course.modules:
        found[f"module:{module.id}"] = Got(page=Text(pack), where="course-pack.pdf")
        found[f"facilitator:{module.id}"] = Got(page=Text(texts.get("facilitator-guide.pdf", "")),
                                                where="facilitator-guide.pdf")
        for lesson in module.lessons:
            handout = texts.get(f"handouts/{module.id}/{lesson.id}.pdf", "")
            found[f"lesson:{module.id}/{lesson.id}"] = Got(
                {"raw": raws.get(f"handouts/{module.id}/{lesson.id}.pdf", "")},
                page=Text(pack + " " + handout), where="course-pack.pdf")
    return found


def read_format(fmt: str, out: Path, course: Course, expected: dict[str, Expected],
                images: dict[bytes, str]) -> dict[str, Got | None]:
    """Read the build of ``fmt`` under ``out`` (the folder ``coursepack build -f fmt`` wrote)."""
    if fmt == "html":
        return read_site(Package.of(out, images), "", course, expected)
    if fmt in ("scorm12", "scorm2004", "cmi5"):
        return read_site(Package.of(next(out.glob("*.zip")), images), "course/", course,
                         expected)
    if fmt == "moodle-xml":
        return read_moodle(next(out.glob("*.xml")), course, expected, images)
    if fmt == "gift":
        return read_gift(next(out.glob("*.gift.txt")), course, expected)
    if fmt == "qti12":
        return read_qti12(next(out.glob("*.zip")), course, expected, images)
    if fmt == "qti21":
        return read_qti21(next(out.glob("*.zip")), course, expected, images)
    if fmt == "imscc":
        return read_imscc(next(out.glob("*.imscc")), course, expected, images)
    if fmt == "pdf":
        return read_pdf(out, course, expected)
    raise AssertionError(f"no reader for {fmt}")


__all__ = ["MISSING", "Got", "Package", "QtiReader", "gift_parse", "keyed", "pdf_text",
           "read_gift", "read_imscc", "read_moodle", "read_qti12", "read_qti21", "read_site"]
