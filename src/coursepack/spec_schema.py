"""JSON Schemas of the spec files, for editors with a YAML language server.

One schema per file kind (course, module, lesson, quiz). They mirror what the loader
accepts; a test keeps the two in step on the example courses and on unknown keys.
The settings of the formats and the lint in course.yaml are not the course's: each
owner declares its field's schema, and the caller passes them in (``build.settings_schemas``).
"""

from __future__ import annotations

from typing import Any

from coursepack.model import QUESTION_TYPES
from coursepack.model.ids import ID_RULE, MAX_ID_LENGTH

Schema = dict[str, Any]
DRAFT = "https://json-schema.org/draft/2020-12/schema"
KINDS = ("course", "module", "lesson", "quiz")

TEXT: Schema = {"type": "string"}
MARKDOWN: Schema = {"type": "string", "description": "Markdown"}
ID: Schema = {"type": "string", "pattern": f"^{ID_RULE.pattern}$", "maxLength": MAX_ID_LENGTH}
NUMBER: Schema = {"type": "number"}
COUNT: Schema = {"type": "integer", "minimum": 0}
FLAG: Schema = {"type": "boolean"}
TEXTS: Schema = {"type": "array", "items": TEXT}


def record(required: list[str], **properties: Schema) -> Schema:
    """A mapping with exactly these fields, ``required`` among them."""
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


def many(item: Schema) -> Schema:
    return {"type": "array", "items": item}


SETTINGS = record(
    [],
    pass_mark={"type": "number", "minimum": 0, "maximum": 100, "description": "percent"},
    attempts={**COUNT, "description": "0 = unlimited"},
    shuffle_questions=FLAG,
    shuffle_options=FLAG,
    show_feedback=FLAG,
)
FEEDBACK = record([], general=MARKDOWN, correct=MARKDOWN, partial=MARKDOWN, incorrect=MARKDOWN)
SOURCE_REF = record(["id"], id=ID, quote=TEXT, locator=TEXT)
COMMON: dict[str, Schema] = {
    "id": ID,
    "stem": MARKDOWN,
    "title": TEXT,
    "points": {"type": "number", "minimum": 0},
    "objectives": TEXTS,
    "feedback": FEEDBACK,
    "hints": many(MARKDOWN),
    "source": SOURCE_REF,
}
CHOICES = many(record(["text"], text=MARKDOWN, correct=FLAG, feedback=MARKDOWN))
NUMERIC_FIELDS: dict[str, Schema] = {
    "answer": NUMBER,
    "tolerance": {"type": "number", "minimum": 0},
    "tolerance_percent": {"type": "number", "minimum": 0},
    "range": {"type": "array", "items": NUMBER, "minItems": 2, "maxItems": 2},
}
BLANK = record(
    ["id"],
    id=ID,
    type={"enum": ["text", "numeric", "dropdown"]},
    points=NUMBER,
    answers=TEXTS,
    case_sensitive=FLAG,
    options=TEXTS,
    **{**NUMERIC_FIELDS, "answer": {"type": ["number", "string"]}},
)

TypeFields = tuple[list[str], dict[str, Schema]]
"""A question type's own fields: the required ones, and the schema of each."""


def question_schema(types: dict[str, TypeFields]) -> Schema:
    """One branch per ``type:`` (each type's fields come with its reader in the loader), each
    closed to the fields that type has."""
    branches = []
    for name in QUESTION_TYPES:
        required, own = types[name]
        props = {**COMMON, "type": {"const": name}, **own}
        branches.append(record(["type", "id", "stem", *required], **props))
    return {"type": "object", "required": ["type"], "oneOf": branches}


def quiz_schema() -> Schema:
    question = {"$ref": "#/$defs/question"}
    pool = record(
        ["id", "pick"],
        id=ID,
        title=TEXT,
        pick={"type": "integer", "minimum": 1},
        points=NUMBER,
        questions=many(question),
        include={"oneOf": [ID, TEXTS]},
        **{"from": {"oneOf": [ID, many(ID)]}},
    )
    return record(
        ["title"],
        title=TEXT,
        module=ID,
        description=MARKDOWN,
        settings=SETTINGS,
        questions=many(question),
        pools=many(pool),
    )


def lesson_schema() -> Schema:
    return record(
        ["title", "duration", "body"],
        title=TEXT,
        duration={"type": "integer", "minimum": 1, "description": "minutes"},
        objectives=TEXTS,
        summary=MARKDOWN,
        body=MARKDOWN,
        quotes=many(record(["text", "source"], text=TEXT, source=ID, locator=TEXT, note=TEXT)),
        key_terms=many(record(["term", "definition"], term=TEXT, definition=MARKDOWN)),
        further_reading=many(MARKDOWN),
    )


def module_schema() -> Schema:
    scenario = record(
        ["title", "situation"],
        title=TEXT, situation=MARKDOWN, tasks=many(MARKDOWN), debrief=MARKDOWN, minutes=COUNT,
    )
    facilitator = record(
        [],
        timings=many(record(["activity", "minutes"], activity=TEXT, minutes=COUNT)),
        discussion_prompts=many(MARKDOWN),
        scenarios=many(scenario),
        notes=MARKDOWN,
        background=MARKDOWN,
    )
    return record(
        ["title", "objectives", "lessons"],
        title=TEXT,
        description=MARKDOWN,
        objectives=many(record(["id", "text"], id=ID, text=MARKDOWN)),
        lessons=many(ID),
        facilitator=facilitator,
    )


def course_schema(settings: dict[str, Schema]) -> Schema:
    source = record(
        ["id", "file", "title"],
        id=ID, file=TEXT, title=TEXT, author=TEXT, published=TEXT, publisher=TEXT,
        url=TEXT, note=TEXT,
    )
    return record(
        ["id", "title", "modules"],
        id=ID,
        title=TEXT,
        language=TEXT,
        languages=TEXTS,
        version=TEXT,
        authors=TEXTS,
        licence=TEXT,
        description=MARKDOWN,
        modules=many(ID),
        quizzes=many(ID),
        sources=many(source),
        quiz_defaults=SETTINGS,
        **settings,
    )


BUILDERS = {
    "module": module_schema,
    "lesson": lesson_schema,
    "quiz": quiz_schema,
}


def schema(kind: str, settings: dict[str, Schema] | None = None,
           types: dict[str, TypeFields] | None = None) -> Schema:
    """The schema of one kind of spec file; ``settings``: the schema of each top-level
    field of course.yaml that a format or the lint owns, by its name; ``types``: each
    question type's own fields (``build.spec_schema`` passes both)."""
    body = course_schema(settings or {}) if kind == "course" else BUILDERS[kind]()
    out: Schema = {"$schema": DRAFT, "title": f"coursepack {kind} file", **body}
    if kind == "quiz":
        out["$defs"] = {"question": question_schema(types or {})}
    return out
