"""Which documents need rendering: content hashes of their inputs, kept in a manifest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Manifest:
    """What a build recorded: each PDF's input hash, and the page count of each part."""

    documents: dict[str, str] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)


def read_manifest(folder: Path | None) -> Manifest:
    """What a previous build recorded, or nothing if there is no usable manifest."""
    if folder is None:
        return Manifest()
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Manifest()
    if not isinstance(data, dict):
        return Manifest()
    documents, pages = data.get("documents"), data.get("pages")
    return Manifest(
        {str(k): str(v) for k, v in documents.items()} if isinstance(documents, dict) else {},
        {str(k): v for k, v in pages.items() if isinstance(v, int)}
        if isinstance(pages, dict) else {},
    )


def reusable(previous: Path | None, old: Manifest, relpath: str, digest: str) -> Path | None:
    """The previous build's copy of ``relpath`` if it was made from exactly these inputs."""
    if previous is None or old.documents.get(relpath) != digest:
        return None
    candidate = previous / relpath
    return candidate if candidate.is_file() and _complete(candidate) else None


def _complete(pdf: Path) -> bool:
    """Whether a PDF ends as a PDF does: a file cut short is made again, not reused."""
    try:
        with pdf.open("rb") as file:
            file.seek(max(0, pdf.stat().st_size - 1024))
            return b"%%EOF" in file.read()
    except OSError:
        return False


def manifest_text(manifest: Manifest) -> str:
    """The manifest as JSON, keys sorted so that equal builds write equal files."""
    data = {"documents": dict(sorted(manifest.documents.items())),
            "pages": dict(sorted(manifest.pages.items()))}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
