"""Spec files -> validated model, with every problem located at file:line:col."""

from coursepack.loader.course import COURSE_FIELDS, load_course

__all__ = ["COURSE_FIELDS", "load_course"]
