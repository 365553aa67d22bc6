"""Module and lesson mappings -> ``Module`` and ``Lesson`` values."""

from __future__ import annotations

from collections.abc import Callable

from yaml.nodes import Node

from coursepack.fields import Fields
from coursepack.model import (
    FacilitatorNotes,
    KeyTerm,
    Lesson,
    Module,
    Objective,
    Quote,
    Scenario,
    Timing,
)


def read_module(f: Fields, module_id: str, read_lesson_at: Callable[[Node], object]) -> Module:
    objectives = []
    for g in f.records("objectives", "objective", required=True):
        objectives.append(
            Objective(
                id=g.ident(), text=g.markdown("text", required=True),
                origin=g.origin,
            )
        )
        g.finish()
    lessons = [read_lesson_at(n) for n in f.sequence("lessons", required=True)]
    module = Module(
        id=module_id,
        title=f.text("title", required=True),
        description=f.markdown("description"),
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
                activity=g.markdown("activity", required=True),
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
                situation=g.markdown("situation", required=True),
                tasks=g.markdowns("tasks"),
                debrief=g.markdown("debrief"),
                minutes=g.integer("minutes"),
                origin=g.origin,
            )
        )
        g.finish()
    notes = FacilitatorNotes(
        timings=tuple(timings),
        discussion_prompts=f.markdowns("discussion_prompts"),
        scenarios=tuple(scenarios),
        notes=f.markdown("notes"),
        background=f.markdown("background"),
    )
    f.finish()
    return notes


def read_lesson(f: Fields, lesson_id: str) -> Lesson:
    quotes = []
    for g in f.records("quotes", "quote"):
        quotes.append(read_quote(g))
        g.finish()
    terms = []
    for g in f.records("key_terms", "key term"):
        terms.append(
            KeyTerm(
                term=g.text("term", required=True),
                definition=g.markdown("definition", required=True),
                origin=g.origin,
            )
        )
        g.finish()
    lesson = Lesson(
        id=lesson_id,
        title=f.text("title", required=True),
        duration=f.integer("duration", required=True, minimum=1),
        objectives=f.strings("objectives"),
        summary=f.markdown("summary"),
        body=f.markdown("body", required=True),
        quotes=tuple(quotes),
        key_terms=tuple(terms),
        further_reading=f.markdowns("further_reading"),
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
