"""coursepack: YAML lesson and quiz specs -> course site, PDFs and LMS packages.

The pipeline is ``coursepack.build``; the model ``coursepack.model``. Importing the package
imports nothing else, not even ``typing`` (``program`` relies on it): the names below are
loaded when asked for.
"""

from __future__ import annotations

__all__ = ["CoursepackError", "Origin", "Problem"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from coursepack import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'coursepack' has no attribute {name!r}")
