"""Spec files -> validated model, with every problem located at file:line:col."""

from coursepack.loader.course import load_course

__all__ = ["load_course"]
