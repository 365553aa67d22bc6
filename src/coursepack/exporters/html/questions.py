"""Questions as template data: ids, pre-rendered HTML, and what each type's form needs.

What a type's form needs comes from its home in ``coursepack.exporters.html.types``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from markupsafe import Markup

from coursepack import markup
from coursepack.exporters.html.types import home
from coursepack.model import Question, Quiz, type_name
from coursepack.model.ids import name_key


def stem_parts(stem: str) -> tuple[Markup, Markup]:
    """(legend, stem block): a one-paragraph stem goes in the legend whole, else a block below."""
    html = markup.to_html(stem).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return Markup(html[3:-4]), Markup("")
    return Markup(""), Markup(html)


def question_view(q: Question, points: float | None = None) -> dict[str, Any]:
    """One question as a template sees it; ``points`` overrides the question's (a pool's)."""
    site = home(q)
    legend, stem = stem_parts(q.stem)
    return {
        "id": q.id,
        "dom_id": f"q-{name_key(q.id)}",  # the loader refuses two ids with one name_key
        "type": type_name(q),
        "points": q.points if points is None else points,
        "scored": q.scored,
        "legend": legend,
        "stem": stem,
        "hints": [Markup(markup.to_html(h)) for h in q.hints],
        **site.view(q),
    }


def quiz_views(quiz: Quiz) -> Iterator[dict[str, Any]]:
    """Every question a quiz can show, once each: fixed questions, then each pool's."""
    seen: set[str] = set()
    for q in quiz.questions:
        seen.add(q.id)
        yield question_view(q) | {"pool": ""}
    for pool in quiz.pools:
        for q in pool.questions:
            if q.id not in seen:
                seen.add(q.id)
                yield question_view(q, pool.points) | {"pool": pool.id}
