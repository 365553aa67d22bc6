"""Printable PDFs with WeasyPrint: lesson handouts, course pack, quizzes, answer key, guide.

Quizzes, the answer key and the facilitator guide are rendered whole. The course pack is
rendered in parts (cover, contents, module openings, lessons, glossary, sources) that
``assemble`` joins with pikepdf; a lesson's part, with page numbers drawn on, is also its
handout. So an edited lesson renders one part, not the whole pack.

Every rendering is keyed by a hash of what it is made from (HTML, CSS, images, tool
versions) and kept in the build's cache (``coursepack.cache``): what an earlier build made
from the same inputs is taken from there, not made again. The build's pdf folder holds
only the documents a user gets.

The paper size is course.yaml's top-level ``paper:`` (A4 or Letter), a setting of this
format that the course itself does not know.

The exporter is ``exporter.PdfExporter``. This package's own module imports nothing: a
worker that renders imports ``pool`` and what it needs, not the exporter.
"""
