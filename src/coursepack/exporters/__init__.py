"""Each output format, one package (or module) each behind the interface of ``base``;
``coursepack.formats`` names them.

This package's own module imports nothing: a PDF worker imports the renderer's modules
from ``pdf`` without loading every format."""
