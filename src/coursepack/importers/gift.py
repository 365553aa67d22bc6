"""placeholder"""

from __future__ import annotations

from coursepack.importers.base import Bank

name = "gift"
label = "gift"


def detect(data: bytes) -> bool:
    return False


def read(data: bytes, source: str) -> Bank:
    raise NotImplementedError
