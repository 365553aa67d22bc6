"""course.yaml's ``field_pack:`` settings: the size budget, image re-encoding, what goes in.

::

    field_pack:
      max_module_kb: 2048      # each single-file module at most this size (unset: no limit)
      max_pack_mb: 50          # the whole zip at most this size (unset: no limit)
      image_max_width: 1280    # wider images are scaled down to this width, in pixels
      image_quality: 75        # JPEG and WebP quality when an image is re-encoded (1-95)
      facilitator_files: false # true: answer key and facilitator guide in facilitator/
      contact: "Training unit, training@example.org"   # who the field office asks
"""

from __future__ import annotations

from dataclasses import dataclass

from coursepack.fields import Fields
from coursepack.spec_schema import Schema, record

WIDTH_RANGE = (200, 8000)
QUALITY_RANGE = (1, 95)


@dataclass(frozen=True)
class FieldPackSettings:
    max_module_kb: int | None = None
    max_pack_mb: int | None = None
    image_max_width: int = 1280
    image_quality: int = 75
    facilitator_files: bool = False
    contact: str = ""

    @staticmethod
    def read(f: Fields) -> FieldPackSettings:
        return FieldPackSettings(
            max_module_kb=_limit(f, "max_module_kb"),
            max_pack_mb=_limit(f, "max_pack_mb"),
            image_max_width=_ranged(f, "image_max_width", 1280, WIDTH_RANGE, "pixels"),
            image_quality=_ranged(f, "image_quality", 75, QUALITY_RANGE, ""),
            facilitator_files=f.boolean("facilitator_files"),
            contact=f.text("contact"),
        )


def _limit(f: Fields, key: str) -> int | None:
    """A size limit: a whole number from 1, or None (no limit) when unset or wrong."""
    if not f.has(key):
        f.value_node(key, False)  # asked for: not an unknown field
        return None
    value = f.integer(key, minimum=1, default=0)
    return value or None


def _ranged(f: Fields, key: str, default: int, bounds: tuple[int, int], unit: str) -> int:
    low, high = bounds
    value = f.integer(key, default=default, minimum=low)
    if value > high:
        f.fail(f.items[key][1], f"'{key}' must be at most {high}{' ' + unit if unit else ''} "
               f"(got {value})", hint=f"write a number from {low} to {high}")
        return default
    return value


SCHEMA: Schema = record(
    [],
    max_module_kb={"type": "integer", "minimum": 1,
                   "description": "largest single-file module, in KB (1024 bytes)"},
    max_pack_mb={"type": "integer", "minimum": 1,
                 "description": "largest field pack zip, in MB (1024 x 1024 bytes)"},
    image_max_width={"type": "integer", "minimum": WIDTH_RANGE[0], "maximum": WIDTH_RANGE[1],
                     "description": "wider images are scaled down to this width (pixels)"},
    image_quality={"type": "integer", "minimum": QUALITY_RANGE[0], "maximum": QUALITY_RANGE[1],
                   "description": "JPEG/WebP quality of re-encoded images"},
    facilitator_files={"type": "boolean",
                       "description": "put the answer key and facilitator guide in "
                                      "facilitator/ (left out by default)"},
    contact={"type": "string", "description": "who the field office contacts"},
)
