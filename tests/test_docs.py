"""The spec documentation shows one complete example per question type, and each one loads."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from coursepack._yaml import read_yaml
from coursepack.build import spec_schema as schema
from coursepack.fields import Fields, Sink
from coursepack.loader.questions import read_question
from coursepack.model import QUESTION_TYPES, type_name
from tests.conftest import REPO

SPEC = (REPO / "docs" / "spec.md").read_text(encoding="utf-8")


def examples() -> dict[str, str]:
    """The YAML block under each '### <type>' heading of docs/spec.md."""
    found = {}
    for heading, block in re.findall(r"^### ([a-z-]+)[^\n]*\n+```yaml\n(.*?)```", SPEC, re.M | re.S):
        found[heading] = block
    return found


def test_every_question_type_has_an_example() -> None:
    assert set(examples()) >= set(QUESTION_TYPES)


@pytest.mark.parametrize("kind", list(QUESTION_TYPES))
def test_each_example_loads_as_its_type(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(examples()[kind], encoding="utf-8")
    sink = Sink()
    node = read_yaml(path, "q.yaml")
    question = read_question(Fields(node.value[0], "q.yaml", sink, "question"))
    assert sink.problems == []
    assert question is not None and type_name(question) == kind
    quiz = {"title": "t", "questions": yaml.safe_load(examples()[kind])}
    assert list(jsonschema.Draft202012Validator(schema("quiz")).iter_errors(quiz)) == []


def test_the_spec_names_every_markdown_field_of_the_model() -> None:
    """docs/spec.md lists the Markdown fields; the model's annotations are the truth."""
    import dataclasses
    import typing

    import coursepack.model as model
    from coursepack.model import Markdown

    listed = SPEC.split("**Markdown or plain text.**")[1].split("- *Plain text*")[0]
    for name in model.__all__:
        cls = getattr(model, name)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            continue
        for field, kind in typing.get_type_hints(cls).items():
            if kind in (Markdown, tuple[Markdown, ...]):
                assert f"`{field}`" in listed, f"{name}.{field} is Markdown: say so in docs/spec.md"
