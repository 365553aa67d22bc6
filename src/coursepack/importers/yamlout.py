"""Quiz files as a person would write them: block scalars for Markdown over several lines,
plain scalars where YAML allows them, comments for what the model cannot hold.

PyYAML (already a dependency) writes each scalar, so quoting is always right; the layout
around the scalars is ours. Every file written is read back with ``yaml.safe_load`` and
compared with what it should hold before it is kept.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from coursepack.importers.base import Item, Kept

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NOT_BLOCK = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029\r]")


def scalar(value: Any) -> str:
    """One scalar on one line, quoted only when YAML needs it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = yaml.dump(value, Dumper=_DUMPER, allow_unicode=True, width=1 << 30,
                     default_flow_style=True)
    return text.removesuffix("\n...\n").rstrip("\n")


def _block(text: str, indent: int) -> list[str] | None:
    """A literal block scalar for a text of several lines, when YAML can hold it as one."""
    if "\n" not in text.strip("\n") or _NOT_BLOCK.search(text) or "\t" in text:
        return None
    lines = text.split("\n")
    if any(line != line.rstrip(" ") and not line.strip() for line in lines):
        return None  # a line of spaces only does not survive a block scalar
    chomp = "-" if not text.endswith("\n") else ("" if not text.endswith("\n\n") else "+")
    head = "|" + ("2" if text[:1] == " " else "") + chomp
    pad = " " * indent
    return [head] + [pad + line if line else "" for line in text.rstrip("\n").split("\n")] + (
        [""] * (len(text) - len(text.rstrip("\n")) - 1) if chomp == "+" else [])


def _value_lines(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        return [f"{pad}{key}:", *mapping_lines(value, indent + 2)]
    if isinstance(value, list | tuple):
        if not value:
            return [f"{pad}{key}: []"]
        if all(not isinstance(v, dict | list | tuple) and not _multiline(v) for v in value):
            return [f"{pad}{key}:", *(f"{pad}  - {scalar(v)}" for v in value)]
        return [f"{pad}{key}:", *sequence_lines(list(value), indent + 2)]
    if isinstance(value, str):
        block = _block(value, indent + 2)
        if block is not None:
            return [f"{pad}{key}: {block[0]}", *block[1:]]
    return [f"{pad}{key}: {scalar(value)}"]


def _multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value


def mapping_lines(mapping: dict[str, Any], indent: int) -> list[str]:
    lines: list[str] = []
    for key, value in mapping.items():
        lines += _value_lines(key, value, indent)
    return lines


def sequence_lines(items: list[Any], indent: int) -> list[str]:
    """Items of a list, each ``- `` at ``indent``; a mapping's first key on the dash line."""
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, dict) and item:
            inner = mapping_lines(item, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines += inner[1:]
        elif isinstance(item, str) and _block(item, indent + 2) is not None:
            block = _block(item, indent + 2) or []
            lines += [f"{pad}- {block[0]}", *block[1:]]
        else:
            lines.append(f"{pad}- {scalar(item)}")
    return lines


def comment(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return [f"{pad}# {line}".rstrip() for line in text.splitlines() or [""]]


def kept_lines(kept: Kept, indent: int) -> list[str]:
    """A block the model cannot hold: why, where from, then the source itself, commented."""
    lines = comment(f"NOT IMPORTED ({kept.origin}): {kept.why}", indent)
    lines += comment("The source, kept so that nothing is lost:", indent)
    lines += [f"{' ' * indent}#   {line}".rstrip() for line in kept.source.splitlines()]
    return lines


def quiz_text(header: list[str], fields: dict[str, Any], items: list[Item]) -> str:
    """A quiz file: header comments, its fields, then each question (or kept block)."""
    lines = [f"# {line}".rstrip() for line in header]
    lines += mapping_lines(fields, 0)
    if items:
        lines.append("questions:")
    for item in items:
        lines.append("")
        for note in item.notes:
            lines += comment(note, 2)
        if item.kept is not None:
            lines += kept_lines(item.kept, 2)
        elif item.spec is not None:
            lines += sequence_lines([item.spec], 2)
    text = "\n".join(lines) + "\n"
    expected = dict(fields)
    if items:
        expected["questions"] = [i.spec for i in items if i.spec is not None] or None
    _same(yaml.load(text, Loader=_LOADER), expected)
    return text


def _same(got: Any, expected: Any) -> None:
    if _plain(got) != _plain(expected):
        raise AssertionError("the YAML writer changed a value")  # a bug of ours


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


__all__ = ["quiz_text", "scalar"]
