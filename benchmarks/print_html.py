"""Write the print HTML the PDF exporter renders, one file per document, for the raw baseline.

Usage: python benchmarks/print_html.py COURSE_DIR OUT_DIR
Writes OUT_DIR/print.css, OUT_DIR/<n>.html and OUT_DIR/documents.json (relpath, file, base URL).
The HTML comes from coursepack's own ``Documents`` (the same templates and filters).
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

from coursepack.build import validate
from coursepack.exporters.pdf.documents import Documents


def main(course_dir: Path, out: Path) -> None:
    course = validate(course_dir).course
    documents = Documents(course, metadata.version("coursepack"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "print.css").write_text(documents.stylesheet(), encoding="utf-8")
    base_url = course.root.resolve().as_uri() + "/"
    listed = []
    for n, doc in enumerate(documents.all()):
        name = f"{n:05d}.html"
        (out / name).write_text(doc.html, encoding="utf-8")
        listed.append({"relpath": doc.relpath, "file": name, "base_url": base_url})
    (out / "documents.json").write_text(json.dumps(listed, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
