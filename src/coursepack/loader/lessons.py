"""Module and lesson mappings -> ``Module`` and ``Lesson`` values."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from yaml.nodes import Node

from coursepack.errors import Origin, Problem, error
from coursepack.loader.fields import Fields
from coursepack.markup import image_refs
from coursepack.model import (
    Asset,
    FacilitatorNotes,
    KeyTerm,
    Lesson,
    Module,
    Objective,
    Quote,
    Scenario,
    Timing,
)

if TYPE_CHECKING:
    from coursepack.loader.course import Loader

_REMOTE = ("http://", "https://", "//", "data:", "mailto:")


def read_module(f: Fields, module_id: str, read_lesson_at: Callable[[Node], object]) -> Module:
    objectives = []
    for g in f.records("objectives", "objective", required=True):
        objectives.append(
            Objective(
                id=g.text("id", required=True), text=g.text("text", required=True), origin=g.origin
            )
        )
        g.finish()
    lessons = [read_lesson_at(n) for n in f.sequence("lessons", required=True)]
    module = Module(
        id=module_id,
        title=f.text("title", required=True),
        description=f.text("description"),
        objectives=tuple(objectives),
        lessons=tuple(lesson for lesson in lessons if isinstance(lesson, Lesson)),
        facilitator=_facilitator(f.mapping("facilitator", "facilitator notes")),
        origin=f.origin,
    )
    f.finish()
    return module


def _facilitator(f: Fields | None) -> FacilitatorNotes:
    if f is None:
        return FacilitatorNotes()
    timings = []
    for g in f.records("timings", "timing"):
        timings.append(
            Timing(
                activity=g.text("activity", required=True),
                minutes=g.integer("minutes", required=True),
                origin=g.origin,
            )
        )
        g.finish()
    scenarios = []
    for g in f.records("scenarios", "scenario"):
        scenarios.append(
            Scenario(
                title=g.text("title", required=True),
                situation=g.text("situation", required=True),
                tasks=g.strings("tasks"),
                debrief=g.text("debrief"),
                minutes=g.integer("minutes"),
                origin=g.origin,
            )
        )
        g.finish()
    notes = FacilitatorNotes(
        timings=tuple(timings),
        discussion_prompts=f.strings("discussion_prompts"),
        scenarios=tuple(scenarios),
        notes=f.text("notes"),
        background=f.text("background"),
    )
    f.finish()
    return notes


def read_lesson(f: Fields, lesson_id: str, loader: Loader) -> Lesson:
    quotes = []
    for g in f.records("quotes", "quote"):
        quotes.append(read_quote(g))
        g.finish()
    terms = []
    for g in f.records("key_terms", "key term"):
        terms.append(
            KeyTerm(
                term=g.text("term", required=True),
                definition=g.text("definition", required=True),
                origin=g.origin,
            )
        )
        g.finish()
    body = f.text("body", required=True)
    lesson = Lesson(
        id=lesson_id,
        title=f.text("title", required=True),
        duration=f.integer("duration", required=True, minimum=1),
        objectives=f.strings("objectives"),
        summary=f.text("summary"),
        body=body,
        quotes=tuple(quotes),
        key_terms=tuple(terms),
        assets=_assets(f, body, loader),
        further_reading=f.strings("further_reading"),
        origin=f.origin,
    )
    f.finish()
    return lesson


def read_quote(g: Fields) -> Quote:
    return Quote(
        text=g.text("text", required=True),
        source=g.text("source", required=True),
        locator=g.text("locator"),
        note=g.text("note"),
        origin=g.at(g.items["text"][1]) if "text" in g.items else g.origin,
    )


def _assets(f: Fields, body: str, loader: Loader) -> tuple[Asset, ...]:
    """Images the body uses, each resolved inside the course folder (else reported)."""
    if "body" not in f.items:
        return ()
    node = f.items["body"][1]
    first_line = node.start_mark.line + (1 if getattr(node, "style", None) in ("|", ">") else 0)
    base = (loader.root / f.relpath).parent
    assets = []
    for ref, line in image_refs(body):
        origin = Origin(f.relpath, first_line + line + 1, 1)
        if ref.startswith(_REMOTE):
            if not ref.startswith("data:"):
                loader.sink.add(_remote_image(origin, ref))
            continue
        # The parser percent-encodes what is not ASCII; the file has the name as written.
        path = loader.inside(origin, unquote(ref), base, what="image")
        if path is not None:
            assets.append(Asset(ref=ref, path=path, origin=origin))
    return tuple(assets)


def _remote_image(origin: Origin, ref: str) -> Problem:
    return error(
        origin,
        f"image '{ref}' is on the web; the course must work offline",
        hint="download the image into the course folder and refer to it by a relative path",
    )
