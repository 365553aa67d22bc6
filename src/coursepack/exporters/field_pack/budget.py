"""The size budget of course.yaml's ``field_pack:``: which file is over, what makes it big,
and what would bring it under."""

from __future__ import annotations

from dataclasses import dataclass

from yaml.nodes import MappingNode

from coursepack._yaml import origin_of
from coursepack.errors import Origin, Problem, error
from coursepack.exporters.field_pack.settings import FieldPackSettings
from coursepack.model import Course

KB = 1024
MB = 1024 * 1024
SHOWN = 5


@dataclass(frozen=True)
class Share:
    """Something that takes room in a file: an image, the runtime, the pages' text."""

    name: str
    size: int
    detail: str = ""


def size_text(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{max(1, round(size / KB)):,} KB"


def setting_origin(course: Course, key: str) -> Origin | None:
    """Where course.yaml sets ``field_pack: {key: ...}`` (else where field_pack is)."""
    section = course.section("field_pack")
    if section is None:
        return None
    node = section.node
    if isinstance(node, MappingNode) and node.value:
        inner = node.value[0][1]
        if isinstance(inner, MappingNode):
            for k, v in inner.value:
                if k.value == key:
                    return origin_of(section.origin.path, v)
    return section.origin


def _largest(parts: list[Share]) -> tuple[list[Share], list[str]]:
    """The largest parts, and a hint line for each: name, size and what it is."""
    largest = sorted(parts, key=lambda p: (-p.size, p.name))[:SHOWN]
    return largest, [f"  {p.name}: {size_text(p.size)}{f' ({p.detail})' if p.detail else ''}"
                     for p in largest]


def module_over(course: Course, settings: FieldPackSettings, name: str, size: int,
                parts: list[Share]) -> Problem | None:
    """The located error for a single-file module over ``max_module_kb``, or None."""
    limit = settings.max_module_kb
    if limit is None or size <= limit * KB:
        return None
    largest, lines = _largest(parts)
    advice = []
    if any(p.detail.startswith("image") for p in largest[:2]):
        advice.append(f"lower image_max_width (now {settings.image_max_width}) or image_quality "
                      f"(now {settings.image_quality}) under field_pack:, or make the largest "
                      "images smaller in the course")
    advice.append("split the module into two modules")
    advice.append(f"or raise max_module_kb (now {limit})")
    return error(setting_origin(course, "max_module_kb"),
                 f"field-pack: the single-file module {name} is {size_text(size)}, over "
                 f"max_module_kb ({limit:,} KB) by {size_text(size - limit * KB)}",
                 hint="\n".join(["its largest parts:", *lines,
                                  "to bring it under: " + "; ".join(advice)]))


def pack_over(course: Course, settings: FieldPackSettings, size: int,
              parts: list[Share]) -> Problem | None:
    """The located error for a pack over ``max_pack_mb``, or None."""
    limit = settings.max_pack_mb
    if limit is None or size <= limit * MB:
        return None
    _, lines = _largest(parts)
    return error(setting_origin(course, "max_pack_mb"),
                 f"field-pack: the pack is {size_text(size)} (zipped), over max_pack_mb "
                 f"({limit:,} MB) by {size_text(size - limit * MB)}",
                 hint="\n".join(["its largest parts (unzipped):", *lines]) + "\n"
                      f"to bring it under: lower image_max_width (now {settings.image_max_width}) "
                      f"or image_quality (now {settings.image_quality}); set facilitator_files: "
                      "false; make one pack per group of modules; or raise max_pack_mb "
                      f"(now {limit})")
