"""Extracting the interface's strings and keeping the catalogues in step (for maintainers).

Run ``python -m coursepack.locale.extract`` from the repository after changing a string in
a template, the runtime or an exporter: every shipped catalogue gets the new strings (to be
translated: a build falls back to English for them) and loses the ones no longer used.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from coursepack.locale import DOMAIN, SHIPPED, SOURCE, catalogue_path

TEMPLATE_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                    "lstrip_blocks": "true", "newstyle_gettext": "true"}
METHODS = {
    "templates": [("**.j2", "jinja2"), ("**.js", "javascript")],
    "src/coursepack": [("**.py", "python")],
}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "t": None,
            "nt": (1, 2)}
"""``t``/``nt`` are the runtime's (coursepack.js), the rest Python's and the templates'."""


def repository() -> Path:
    return Path(__file__).resolve().parents[3]


def extracted(root: Path | None = None) -> Catalog:
    """Every interface string of the theme, its scripts and the exporters, with where it is."""
    root = root or repository()
    found = Catalog(domain=DOMAIN, project="coursepack", locale=SOURCE, fuzzy=False)
    for folder, methods in METHODS.items():
        for path, line, message, comments, context in _messages(root / folder, methods):
            where = f"{folder}/{path}".replace("\\", "/")
            found.add(message, None, [(where, line)], auto_comments=comments, context=context)
    return found


def _messages(folder: Path, methods: list[tuple[str, str]]) -> Iterator[tuple[
        str, int, str | tuple[str, ...], list[str], str | None]]:
    options = {"**.j2": TEMPLATE_OPTIONS, "**.js": {"jsx": "false"}}
    for path, line, message, comments, context in extract_from_dir(
            folder, methods, options_map=options, keywords=KEYWORDS, strip_comment_tags=True):
        if path.endswith(".py") and "locale" in Path(path).parts:
            continue  # the catalogue machinery's own names
        yield path, line, message, comments, context


def updated(language: str, template: Catalog) -> Catalog:
    """The shipped catalogue of ``language`` with the strings of ``template``."""
    path = catalogue_path(language)
    if path.is_file():
        with path.open("rb") as handle:
            current = read_po(handle, locale=language, domain=DOMAIN)
    else:
        current = Catalog(locale=language, domain=DOMAIN, project="coursepack")
    current.update(template, no_fuzzy_matching=True)
    current.obsolete.clear()
    current.fuzzy = False  # a fuzzy header would be left out of the compiled catalogue
    current.project, current.version = "coursepack", ""
    current.copyright_holder = "coursepack developers"
    current.msgid_bugs_address = ""
    current.last_translator = current.language_team = "coursepack developers"
    return current


def written(catalog: Catalog) -> bytes:
    out = BytesIO()
    write_po(out, catalog, width=100, sort_output=True, include_lineno=False,
             omit_header=False, ignore_obsolete=True)
    return out.getvalue()


def main() -> int:
    template = extracted()
    for language in SHIPPED:
        path = catalogue_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(written(updated(language, template)))
        print(f"{path}: {sum(1 for m in template if m.id)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
