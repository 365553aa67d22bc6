"""Every reference in a package resolves to a file of that package, and every image it ships
is, byte for byte, an image of the course.

- html, scorm (under ``course/``), imscc pages: each ``<img src>``, relative ``<a href>``,
  ``<link href>``, ``<script src>``, ``<iframe src>``, and each ``<img>`` inside the HTML the
  quiz pages carry in their grading JSON (the feedback the runtime inserts);
- manifests (SCORM, IMS CC, QTI 1.2 and 2.1 packages): each ``<file href>`` and resource
  ``href``; QTI 2.1 tests: each ``assessmentItemRef href``;
- QTI texts (``mattext``, QTI 2.1 XHTML): each ``<img src>`` and ``<object data>``, with
  ``$IMS-CC-FILEBASE$/`` standing for the package's ``web_resources/`` folder (Canvas's
  convention, which both QTI 1.2 exporters follow);
- Moodle XML: each ``@@PLUGINFILE@@/name`` names a ``<file name>`` of the same field; an
  image with any other source points at nothing once imported;
- GIFT: carries no image at all (no ``<img``, no ``@@PLUGINFILE@@``).
"""

from __future__ import annotations

import base64
import json
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from tests.fidelity.expected import fragment, local
from tests.fidelity.qti import descendants
from tests.fidelity.readback import Package

_HTML_REFS = (("img", "src"), ("a", "href"), ("link", "href"), ("script", "src"),
              ("iframe", "src"), ("source", "src"))


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


class Checker:
    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.problems: list[str] = []

    def ref(self, where: str, base: str, ref: str, image: bool) -> None:
        if ref.startswith("#") or not ref.strip():
            return
        path = self.pkg.locate(base, ref)
        if path is None:
            if image:
                self.problems.append(f"{where}: image {ref!r} is not a file of the package")
            return
        data = self.pkg.files.get(path)
        if data is None and path + "/index.html" not in self.pkg.files:
            self.problems.append(f"{where}: {ref!r} -> {path} is not in the package")
        elif image and data is not None and data not in self.pkg.images:
            self.problems.append(f"{where}: image {ref!r} -> {path} is not a course image")

    def html(self, where: str, base: str, root: Any) -> None:
        for tag, attr in _HTML_REFS:
            for node in root.iter(tag):
                if node.get(attr) is not None:
                    self.ref(where, base, node.get(attr), tag == "img")

    def fragment(self, where: str, base: str, markup: str) -> None:
        if "<" in markup:
            self.html(where, base, fragment(markup))

    def page(self, name: str) -> None:
        root = lxml.html.fromstring(self.pkg.files[name])
        base = posixpath.dirname(name)
        self.html(name, base, root)
        for script in root.xpath("//script[@type='application/json']"):
            for text in _strings(json.loads(script.text or "null")):
                self.fragment(f"{name} (quiz data)", base, text)

    def manifest(self, name: str = "imsmanifest.xml") -> None:
        doc = self.pkg.xml(name)
        base = posixpath.dirname(name)
        for node in doc.iter():
            if local(node) == "file" and node.get("href") is not None:
                self.ref(name, base, node.get("href"), False)
            if local(node) == "resource" and node.get("href") is not None:
                self.ref(name, base, node.get("href"), False)

    def qti(self, name: str) -> None:
        doc = self.pkg.xml(name)
        base = posixpath.dirname(name)
        for node in doc.iter():
            kind = local(node)
            if kind == "mattext" and node.get("texttype") == "text/html":
                self.fragment(name, base, node.text or "")
            elif kind in ("description",) and node.text and "<" in node.text:
                self.fragment(name, base, node.text)
            elif kind == "img" and node.get("src") is not None:
                self.ref(name, base, node.get("src"), True)
            elif kind == "object" and node.get("data") is not None:
                self.ref(name, base, node.get("data"), False)
            elif kind == "assessmentItemRef" and node.get("href") is not None:
                self.ref(name, base, node.get("href"), False)


def site_problems(pkg: Package, prefix: str = "") -> list[str]:
    check = Checker(pkg)
    for name in pkg.files:
        if name.endswith(".html") and name.startswith(prefix):
            check.page(name)
    return check.problems


def broken_references(fmt: str, out: Path, images: dict[bytes, str]) -> list[str]:
    """Every reference of the ``fmt`` build under ``out`` that points at nothing, or at a
    file that is not the course's image."""
    if fmt == "html":
        return site_problems(Package.of(out, images))
    if fmt in ("scorm12", "scorm2004", "cmi5"):
        pkg = Package.of(next(out.glob("*.zip")), images)
        check = Checker(pkg)
        if fmt != "cmi5":  # cmi5.xml names only the launch pages, checked with the pages
            check.manifest()
        for name in pkg.files:
            if name.endswith(".html"):
                check.page(name)
        return check.problems
    if fmt in ("imscc", "qti12", "qti21"):
        pkg = Package.of(next(out.glob("*.imscc" if fmt == "imscc" else "*.zip")), images)
        check = Checker(pkg)
        check.manifest()
        for name, _data in pkg.files.items():
            if name.endswith(".xml") and name != "imsmanifest.xml":
                check.qti(name)
            elif name.endswith(".html"):
                check.page(name)
        return check.problems
    if fmt == "moodle-xml":
        return moodle_problems(next(out.glob("*.xml")), images)
    if fmt == "gift":
        text = next(out.glob("*.gift.txt")).read_text(encoding="utf-8")
        return [f"GIFT holds {m.group(0)!r}" for m in re.finditer(
            r"<img\b[^>]*>|@@PLUGINFILE@@[^\s\"'<>]*", text)]
    return []


def moodle_problems(path: Path, images: dict[bytes, str]) -> list[str]:
    problems = []
    root = etree.parse(str(path)).getroot()
    for text in root.iter("text"):
        field = text.getparent()
        question = next((a for a in field.iterancestors("question")), None)
        qid = question.findtext("idnumber") if question is not None else "?"
        files = {f.get("name"): f for f in field.findall("file")}
        for src in fragment(text.text or "").xpath("//img/@src"):
            where = f"question {qid} <{field.tag}>"
            if not src.startswith("@@PLUGINFILE@@/"):
                problems.append(f"{where}: image {src!r} is not a file of the question")
                continue
            name = src[len("@@PLUGINFILE@@/"):]
            file = files.get(name)
            if file is None:
                problems.append(f"{where}: {src!r} has no <file name={name!r}> in the field")
            elif base64.b64decode(file.text or "") not in images:
                problems.append(f"{where}: <file name={name!r}> is not a course image")
    for file in root.iter("file"):
        if base64.b64decode(file.text or "") not in images:
            problems.append(f"<file name={file.get('name')!r}> is not a course image")
    return problems


__all__ = ["broken_references", "descendants"]
