"""Reproducible archives: sorted entries, fixed timestamps (SOURCE_DATE_EPOCH when set)."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

DEFAULT_EPOCH = 946684800  # 2000-01-01: any fixed date makes archives byte-identical


def build_time() -> tuple[int, int, int, int, int, int]:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    stamp = time.gmtime(max(epoch, 315532800))  # zip cannot store dates before 1980
    return (stamp.tm_year, stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min, stamp.tm_sec)


def zip_folder(folder: Path, target: Path, first: tuple[str, ...] = ()) -> Path:
    """Zip every file under ``folder``: names in ``first`` lead, the rest sorted."""
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    ordered = [n for n in first if n in names] + [n for n in names if n not in first]
    return zip_files({name: (folder / name).read_bytes() for name in ordered}, target)


def zip_files(files: dict[str, bytes], target: Path) -> Path:
    """Write ``files`` (name -> content) in the given order with fixed dates and modes."""
    stamp = build_time()
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data)
    return target
