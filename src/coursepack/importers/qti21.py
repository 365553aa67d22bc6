"""placeholder"""

from __future__ import annotations

from coursepack.importers.base import Bank

name = "qti21"
label = "qti21"


def detect(data: bytes) -> bool:
    return False


def read(data: bytes, source: str) -> Bank:
    raise NotImplementedError
