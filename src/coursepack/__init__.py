"""coursepack: YAML lesson and quiz specs -> course site, PDFs and LMS packages.

The pipeline is ``coursepack.build``; the model ``coursepack.model``.
"""

from coursepack.errors import CoursepackError, Origin, Problem

__all__ = ["CoursepackError", "Origin", "Problem"]
