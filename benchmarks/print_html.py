"""Write the print HTML the PDF exporter renders, one file per document, for the raw baseline.

Usage: python benchmarks/print_html.py COURSE_DIR OUT_DIR
Writes OUT_DIR/print.css, OUT_DIR/<n>.html and OUT_DIR/documents.json (relpath, file, base URL).
The HTML comes from coursepack's own templates and filters (``Documents`` and ``pack``).
coursepack renders the course pack in parts; the baseline gets it the plain way, as one
document: every part's body, each starting on a new page, with the contents' page numbers
written in as coursepack writes them.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata
from pathlib import Path

from coursepack.build import validate
from coursepack.exporters.pdf import pack
from coursepack.exporters.pdf.documents import Document, Documents

BODY = re.compile(r'<body class="([^"]*)">(.*)</body>', re.DOTALL)


def whole_course_pack(parts: list[pack.Part]) -> Document:
    """One HTML document of every part, in order: the head of the first, each body in turn."""
    first = parts[0].document.html
    head = first[: first.index("<body")]
    bodies = []
    for part in parts:
        found = BODY.search(part.document.html)
        assert found, f"no body in {part.key}"
        bodies.append(f'<div class="{found.group(1)}" style="break-before: page">'
                      f"{found.group(2)}</div>")
    html = head + "<body>" + "\n".join(bodies) + "</body></html>"
    images = tuple(dict.fromkeys(i for part in parts for i in part.document.images))
    return Document("course-pack.pdf", parts[0].document.title, html, images)


def main(course_dir: Path, out: Path) -> None:
    course = validate(course_dir).course
    docs = Documents(course, metadata.version("coursepack"))
    parts = pack.sections(docs)
    contents = pack.contents(docs, parts, {part.key: 1 for part in parts}, 1)
    documents = [*(part.document for part in parts if part.level == 1),
                 whole_course_pack(pack.in_order(parts, contents)), *docs.whole()]
    out.mkdir(parents=True, exist_ok=True)
    css = docs.stylesheet() + "\n" + docs.page_numbers()
    (out / "print.css").write_text(css, encoding="utf-8")
    base_url = course.root.resolve().as_uri() + "/"
    listed = []
    for n, doc in enumerate(documents):
        name = f"{n:05d}.html"
        (out / name).write_text(doc.html, encoding="utf-8")
        listed.append({"relpath": doc.relpath, "file": name, "base_url": base_url})
    (out / "documents.json").write_text(json.dumps(listed, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
