"""Which documents need rendering: content hashes of their inputs, kept in a manifest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

MANIFEST = ".inputs.json"


def inputs_hash(html: str, css: str, images: Iterable[Path], versions: str) -> str:
    """A digest of all a PDF is made from: its HTML, the CSS, its images, the tool versions."""
    digest = hashlib.sha256()
    for part in (versions, css, html):
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big") + data)
    for image in images:
        data = image.read_bytes() if image.is_file() else b""
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def read_manifest(folder: Path | None) -> dict[str, str]:
    """The hashes a previous build recorded, or nothing if there is no usable manifest."""
    if folder is None:
        return {}
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, dict):
        return {}
    return {str(k): str(v) for k, v in documents.items()}


def reusable(previous: Path | None, old: dict[str, str], relpath: str, digest: str) -> Path | None:
    """The previous build's copy of ``relpath`` if it was made from exactly these inputs."""
    if previous is None or old.get(relpath) != digest:
        return None
    candidate = previous / relpath
    return candidate if candidate.is_file() else None


def manifest_text(hashes: dict[str, str]) -> str:
    """The manifest for this build: each document's input hash (deterministic, sorted)."""
    data = {"documents": dict(sorted(hashes.items()))}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
