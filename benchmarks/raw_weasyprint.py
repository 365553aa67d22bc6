"""The baseline: plain WeasyPrint rendering print HTML files one after another in one process.

Usage: python benchmarks/raw_weasyprint.py HTML_DIR OUT_DIR [--only RELPATH]
Reads HTML_DIR/documents.json from print_html.py; writes each PDF to OUT_DIR and
OUT_DIR/pages.json and seconds.json (pages and render time per document). ``--only``
renders one document; ``--only -`` renders none (the cost of starting Python and importing
WeasyPrint).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration


def main(html_dir: Path, out: Path, only: str | None) -> None:
    listed = json.loads((html_dir / "documents.json").read_text(encoding="utf-8"))
    fonts = FontConfiguration()
    css = CSS(string=(html_dir / "print.css").read_text(encoding="utf-8"), font_config=fonts)
    pages: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for entry in listed:
        if only is not None and entry["relpath"] != only:
            continue
        html = (html_dir / entry["file"]).read_text(encoding="utf-8")
        started = time.perf_counter()
        document = HTML(string=html, base_url=entry["base_url"]).render(
            stylesheets=[css], font_config=fonts)
        target = out / entry["relpath"]
        target.parent.mkdir(parents=True, exist_ok=True)
        document.write_pdf(target)
        pages[entry["relpath"]] = len(document.pages)
        seconds[entry["relpath"]] = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    (out / "pages.json").write_text(json.dumps(pages, indent=1), encoding="utf-8")
    (out / "seconds.json").write_text(json.dumps(seconds, indent=1), encoding="utf-8")


if __name__ == "__main__":
    args = sys.argv[1:]
    chosen = args[args.index("--only") + 1] if "--only" in args else None
    main(Path(args[0]), Path(args[1]), chosen)
