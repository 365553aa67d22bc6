"""The field pack: one zip per course and language for a field office on a poor link.

It holds the offline site (``site/``), the learner PDFs (``pdf/``), each module as one
self-contained HTML file (``modules/``, see single_file.py), a plain-language
``READ-ME-FIRST.html`` and ``.txt``, and two manifests (manifest.py) that ``coursepack
verify-pack`` and ``sha256sum -c`` check. The answer key and facilitator guide are left out
(a pack travels on to learners) unless ``facilitator_files: true`` puts them in
``facilitator/``. Images are scaled down and re-encoded for the pack (images.py); a file
over the size budget fails the build with what makes it big (budget.py).

The zip is reproducible: sorted entries, fixed dates (SOURCE_DATE_EPOCH when set), and a
build date in the manifest taken from SOURCE_DATE_EPOCH, else today's date (UTC).
"""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path
from typing import ClassVar

from coursepack import render, scratch
from coursepack.errors import CoursepackError, Problem
from coursepack.exporters._package import source_date_epoch, zip_files
from coursepack.exporters.base import (
    ExportContext,
    Exporter,
    OutputDir,
    made_once,
    output_of,
)
from coursepack.exporters.field_pack.budget import Share, module_over, pack_over, size_text
from coursepack.exporters.field_pack.images import Shrunk, kept_shrink
from coursepack.exporters.field_pack.manifest import MANIFEST, SUMS, manifests
from coursepack.exporters.field_pack.settings import SCHEMA, FieldPackSettings
from coursepack.exporters.field_pack.single_file import (
    LAZY,
    SingleFile,
    assets_of,
    single_files,
)
from coursepack.exporters.html import HtmlExporter, essay_problems
from coursepack.exporters.media import media_name
from coursepack.exporters.pdf.exporter import PdfExporter
from coursepack.exporters.question_types import written
from coursepack.fields import settings_mapping
from coursepack.model import Course
from coursepack.spec_schema import Schema

FACILITATOR = ("answer-key.pdf", "facilitator-guide.pdf")
READ_ME = "READ-ME-FIRST"
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}


class FieldPackExporter:
    name: ClassVar[str] = "field-pack"
    summary: ClassVar[str] = ("one zip for a field office: offline site, PDFs, single-file "
                              "modules, read-me and a SHA-256 manifest (coursepack verify-pack)")
    settings_key: ClassVar[str] = "field_pack"
    settings_schema: ClassVar[Schema] = SCHEMA

    def settings(self, course: Course) -> tuple[FieldPackSettings, list[Problem]]:
        return settings_mapping(course, self.settings_key, "field_pack settings",
                                FieldPackSettings.read, FieldPackSettings())

    def check(self, course: Course) -> list[Problem]:
        pdf = [p for p in PdfExporter().check(course) if p.is_error]
        return pdf + [p for _, q in course.questions() for p in essay_problems(q, self.name)]

    def export(self, ctx: ExportContext) -> Path:
        course = written(self.name, ctx.course)
        ctx = dataclasses.replace(ctx, course=course)
        settings = self.settings(course)[0]
        packer = Packer(ctx, settings)
        files = packer.contents()
        target = ctx.out.path(pack_name(course))
        zip_files(files, target, ctx.cache)
        problem = pack_over(course, settings, target.stat().st_size, packer.pack_shares(files))
        if problem is not None:
            raise CoursepackError([problem])
        ctx.notes.extend(packer.notes(target.stat().st_size))
        return target


def pack_name(course: Course) -> str:
    """``<course id>-<version>-<language>-field-pack.zip``, safe on any file system."""
    version = re.sub(r"[^A-Za-z0-9.]+", "-", course.version).strip("-.") or "0"
    return f"{course.id}-{version}-{course.language}-field-pack.zip"


def unsafe_names(names: list[str]) -> list[str]:
    """The pack paths a Windows PC or a phone could not store as they are: odd characters,
    reserved device names, names that differ only by case, paths too long."""
    found = []
    seen: dict[str, str] = {}
    for name in names:
        parts = name.split("/")
        if len(name) > 180 or not all(_SAFE_PART.fullmatch(p) and not p.endswith(".")
                                      and p.split(".")[0].lower() not in _RESERVED for p in parts):
            found.append(name)
        folded = name.casefold()
        if folded in seen:
            found.append(f"{name} (and {seen[folded]}: the same name but for case)")
        seen[folded] = name
    return found


class Packer:
    """Gathers what goes into one pack (or the single-file modules alone), keeping what the
    budget report needs."""

    def __init__(self, ctx: ExportContext, settings: FieldPackSettings) -> None:
        self.ctx = ctx
        self.course = ctx.course
        self.settings = settings
        self.origins = {a.path: a.origin for a in assets_of(ctx.course)}
        self.shrunk: dict[Path, Shrunk] = {}
        self.modules: list[SingleFile] = []
        self.media_source = {media_name(a.path): a.path for a in assets_of(ctx.course)}

    def carried(self, name: str, path: Path) -> bytes:
        """A course file as the pack carries it: images scaled and re-encoded once."""
        self.media_source.setdefault(name, path)
        if path not in self.shrunk:
            try:
                shown = path.relative_to(self.course.root.resolve()).as_posix()
            except ValueError:
                shown = path.name
            self.shrunk[path] = kept_shrink(self.ctx.cache, path, self.settings.image_max_width,
                                            self.settings.image_quality,
                                            self.origins.get(path), shown)
        return self.shrunk[path].data

    def single_files(self) -> list[SingleFile]:
        """Every module as one file, each within the budget (else a located error); made
        once in a build that has both the field pack and the single-file format."""
        def make() -> tuple[list[SingleFile], dict[Path, Shrunk], dict[str, Path]]:
            modules = single_files(self.ctx, self.course, self.carried)
            return modules, dict(self.shrunk), dict(self.media_source)

        self.modules, shrunk, media_source = made_once(
            self.ctx, "field-pack:single-files", (self.course, self.settings), make)
        self.shrunk.update(shrunk)  # the images they carry, for the notes and the pack
        self.media_source.update(media_source)
        problems = [p for m in self.modules
                    if (p := module_over(self.course, self.settings, m.name, len(m.data),
                                         self.module_shares(m))) is not None]
        if problems:
            raise CoursepackError(problems)
        return self.modules

    def contents(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for module in self.single_files():
            files[f"modules/{module.name}"] = module.data
        with scratch.folder("coursepack-package-") as tmp:
            files.update(self.site(Path(tmp)))
            files.update(self.pdfs(Path(tmp)))
        files.update(self.read_me(files))
        bad = unsafe_names(sorted(files))
        if bad:
            raise CoursepackError.single(
                f"field-pack: these names would not survive a copy to Windows or a phone: "
                f"{', '.join(bad[:5])}", hint="give modules, lessons and quizzes ids of "
                "lower-case letters, digits and hyphens")
        files.update(manifests(files, self.about()))
        first = [f"{READ_ME}.html", f"{READ_ME}.txt", MANIFEST, SUMS]
        return {name: files[name] for name in first + sorted(set(files) - set(first))}

    def built(self, exporter: Exporter, tmp: Path) -> Path:
        """The folder ``exporter``'s format wrote in this build for this course (made or kept
        from the last build); or, when there is none, one it writes under ``tmp`` now."""
        root = output_of(self.ctx, exporter.name, self.course)
        if root is None:
            out = OutputDir(tmp / exporter.name)
            exporter.export(dataclasses.replace(self.ctx, out=out, notes=[], previous=None))
            root = out.root
        return root

    def site(self, tmp: Path) -> dict[str, bytes]:
        root = self.built(HtmlExporter(pages_in_cache=True), tmp)
        files: dict[str, bytes] = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root).as_posix()
            source = self._source_of(rel)
            files[f"site/{rel}"] = self.carried(rel[6:], source) if source else path.read_bytes()
        return files

    def _source_of(self, rel: str) -> Path | None:
        return self.media_source.get(rel[6:]) if rel.startswith("media/") else None

    def pdfs(self, tmp: Path) -> dict[str, bytes]:
        root = self.built(PdfExporter(), tmp)
        files: dict[str, bytes] = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root).as_posix()
            if rel in FACILITATOR:
                if self.settings.facilitator_files:
                    files[f"facilitator/{rel}"] = path.read_bytes()
                continue
            files[f"pdf/{rel}"] = path.read_bytes()
        return files

    def about(self) -> dict[str, object]:
        course = self.course
        return {"course": {"id": course.id, "title": course.title, "version": course.version,
                           "language": course.language}, "built": build_date()}

    def read_me(self, files: dict[str, bytes]) -> dict[str, bytes]:
        env = render.environment(FieldPackExporter.name, self.course.root)
        sizes = {name: size_text(len(data)) for name, data in files.items()}
        context = dict(course=self.course, settings=self.settings, built=build_date(),
                       modules=[(f"modules/{m.name}", m.part.title, sizes[f"modules/{m.name}"])
                                for m in self.modules],
                       pdfs=sorted(n for n in files if n.startswith("pdf/")),
                       facilitator=sorted(n for n in files if n.startswith("facilitator/")),
                       pack=pack_name(self.course), manifest=MANIFEST, sums=SUMS)
        page = render.render(env, "read-me-first.html.j2", **context)
        text = render.render(env, "read-me-first.txt.j2", **context)
        return {f"{READ_ME}.html": page.encode("utf-8"),
                f"{READ_ME}.txt": text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")}

    def module_shares(self, module: SingleFile) -> list[Share]:
        shares = [Share(self._shown(name), size * 4 // 3, self._image_detail(name))
                  for name, size in module.media.items()]
        shares += [Share(name, size, "the results panel: file, code and QR" if name in LAZY
                         else "the runtime every page needs")
                   for name, size in module.theme.items()]
        shares.append(Share("lesson, overview and quiz pages", max(0, module.pages_bytes),
                            "the text and the quiz"))
        return shares

    def pack_shares(self, files: dict[str, bytes]) -> list[Share]:
        groups: dict[str, int] = {}
        for name, data in files.items():
            top = name.split("/")[0] if "/" in name else name
            key = top + "/" if "/" in name else top
            if name.startswith("pdf/") and name.count("/") > 1:
                key = "/".join(name.split("/")[:2]) + "/"
            groups[key] = groups.get(key, 0) + len(data)
        return [Share(name, size) for name, size in groups.items()]

    def _shown(self, name: str) -> str:
        path = self.media_source.get(name)
        if path is None:
            return name
        try:
            return path.relative_to(self.course.root.resolve()).as_posix()
        except ValueError:
            return path.name

    def _image_detail(self, name: str) -> str:
        path = self.media_source.get(name)
        found = self.shrunk.get(path) if path else None
        if found is None or found.width_before is None:
            return "file, in the page as base64"
        if found.changed:
            return (f"image, {found.width_before} px wide scaled to {found.width_after} px: "
                    f"{size_text(found.before)} -> {size_text(found.after)}, a third more "
                    "as text in the page")
        return f"image, {found.width_before} px wide, kept as it is: {found.why_kept}"

    def notes(self, pack_size: int) -> list[str]:
        return [f"field-pack: {pack_name(self.course)}, {size_text(pack_size)}",
                *self.module_notes()]

    def module_notes(self) -> list[str]:
        """The images re-encoded (sizes before and after) and each module file's size."""
        changed = [s for s in self.shrunk.values() if s.changed]
        kept = len(self.shrunk) - len(changed)
        lines = []
        if changed:
            before = sum(s.before for s in changed)
            after = sum(s.after for s in changed)
            lines.append(f"images: {len(changed)} scaled to {self.settings.image_max_width} px "
                         f"and re-encoded, {size_text(before)} -> {size_text(after)}; "
                         f"{kept} kept as they are")
        elif self.shrunk:
            lines.append(f"images: {kept} kept as they are (none wider than "
                         f"{self.settings.image_max_width} px)")
        left_out = sorted({ref for m in self.modules for ref in m.left_out})
        if left_out:
            lines.append("single-file modules: left out what the pages' <head> loads from "
                         f"outside the theme's static/ (a file must not fetch): "
                         f"{', '.join(left_out[:5])}")
        lines.append("single-file modules: " + ", ".join(
            f"{m.name} {size_text(len(m.data))}" for m in self.modules))
        return lines


def build_date() -> str:
    """The day the pack was built: SOURCE_DATE_EPOCH's when set (reproducible), else today."""
    epoch = source_date_epoch()
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() if epoch is None else epoch))
