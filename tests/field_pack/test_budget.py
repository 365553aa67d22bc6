"""Images made small for the pack, and a budget that names what makes a module too big."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from coursepack.errors import CoursepackError, Origin
from coursepack.exporters.field_pack.images import shrink
from tests.conftest import Run
from tests.field_pack.helpers import add_image, build_pack, entries, noise_jpeg, set_field_pack

WHERE = Origin("modules/m/lesson.yaml", 12, 3)


def saved(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_huge_photo_is_scaled_to_the_width_and_shrinks(tmp_path: Path) -> None:
    path = write(tmp_path, "photo.jpg", noise_jpeg(3000, 2000))
    found = shrink(path, 800, 70, WHERE, "photo.jpg")
    assert found.changed and found.width_before == 3000 and found.width_after == 800
    assert opened(found.data).size == (800, 533)
    assert found.after < found.before / 10


def test_a_small_image_is_kept_byte_for_byte(tmp_path: Path) -> None:
    data = saved(Image.new("RGB", (300, 200), "teal"), "PNG")
    found = shrink(write(tmp_path, "small.png", data), 800, 70, WHERE, "small.png")
    assert found.data == data and not found.changed
    assert "no wider than allowed" in found.why_kept


def test_a_transparent_png_keeps_its_transparency(tmp_path: Path) -> None:
    image = Image.new("RGBA", (2000, 1000), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 1000, 1000))
    data = saved(image, "PNG")
    found = shrink(write(tmp_path, "alpha.png", data), 500, 70, WHERE, "alpha.png")
    small = opened(found.data)
    assert small.format == "PNG" and small.size == (500, 250) and small.mode == "RGBA"
    assert small.getpixel((490, 10))[3] == 0 and small.getpixel((10, 10))[3] == 255


def test_a_cmyk_jpeg_becomes_an_rgb_jpeg_every_browser_shows(tmp_path: Path) -> None:
    path = write(tmp_path, "print.jpg", noise_jpeg(1600, 800, mode="CMYK"))
    assert opened(path.read_bytes()).mode == "CMYK"
    found = shrink(path, 400, 70, WHERE, "print.jpg")
    small = opened(found.data)
    assert (small.format, small.mode, small.size) == ("JPEG", "RGB", (400, 200))


def test_an_animated_gif_keeps_every_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (1500, 100), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    found = shrink(write(tmp_path, "anim.gif", out.getvalue()), 400, 70, WHERE, "anim.gif")
    assert found.data == out.getvalue()
    assert getattr(opened(found.data), "n_frames", 1) == 3
    assert "animated" in found.why_kept


def test_an_svg_is_never_rasterised(tmp_path: Path) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="5000" height="10"><rect width="5000" height="10"/></svg>'
    found = shrink(write(tmp_path, "wide.svg", svg), 400, 70, WHERE, "wide.svg")
    assert found.data == svg and not found.changed


def test_a_corrupt_image_is_a_located_error(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50)
    with pytest.raises(CoursepackError) as caught:
        shrink(path, 400, 70, WHERE, "images/broken.png")
    problem = caught.value.problems[0]
    assert problem.origin == WHERE
    assert "the image 'images/broken.png' cannot be made smaller: Pillow cannot read it" in \
        problem.message


def test_a_corrupt_image_in_a_course_fails_the_build_at_the_lesson(run: Run, course: Path,
                                                                    tmp_path: Path) -> None:
    add_image(course, "broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 50)
    result = run("build", str(course), "-f", "field-pack", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "modules/writing-questions/one-idea.yaml:" in result.output
    assert "the image 'modules/writing-questions/images/broken.png' cannot be made smaller" \
        in result.output
    assert "Traceback" not in result.output


def test_the_pack_carries_re_encoded_images_and_reports_before_and_after(
        run: Run, course: Path, tmp_path: Path) -> None:
    add_image(course, "photo.jpg", noise_jpeg(2400, 1600))
    set_field_pack(course, "  image_max_width: 640\n  image_quality: 60\n")
    result = run("build", str(course), "-f", "field-pack", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "images: 1 scaled to 640 px and re-encoded, " in result.output
    assert "; 1 kept as they are" in result.output  # the starter's small diagram
    files = entries(next((tmp_path / "out" / "field-pack").glob("*.zip")))
    media = {n: d for n, d in files.items() if n.startswith("site/media/") and "photo" in n}
    assert len(media) == 1
    assert opened(next(iter(media.values()))).size == (640, 427)
    # the course's own file is never touched
    assert (course / "modules/writing-questions/images/photo.jpg").stat().st_size > 1_000_000


def test_a_module_over_budget_fails_naming_its_largest_images(run: Run, course: Path,
                                                               tmp_path: Path) -> None:
    add_image(course, "big photo.jpg", noise_jpeg(2400, 1600))
    set_field_pack(course, "  max_module_kb: 300\n  image_max_width: 2000\n")
    out = tmp_path / "out"
    result = run("build", str(course), "-f", "field-pack", "--out", str(out))
    assert result.exit_code == 1
    text = result.output
    assert "course.yaml:" in text and "field-pack: the single-file module " \
        "01-writing-questions.html is" in text
    assert "over max_module_kb (300 KB)" in text
    lines = text.splitlines()
    largest = [line[len("  hint:   "):] for line in lines if line.startswith("  hint:   ")]
    assert largest[0].startswith("modules/writing-questions/images/big photo.jpg: ")
    assert "2400 px wide scaled to 2000 px" in largest[0]
    assert "lower image_max_width (now 2000) or image_quality (now 75)" in text
    assert "split the module into two modules" in text
    assert not out.exists()  # a failed first build leaves nothing behind

    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("image_max_width: 2000",
                                                             "image_max_width: 500"),
                    encoding="utf-8")
    assert build_pack(run, course, out).stat().st_size > 0  # scaled down, it fits


def test_a_pack_over_budget_names_its_largest_parts(run: Run, course: Path,
                                                     tmp_path: Path) -> None:
    add_image(course, "photo.jpg", noise_jpeg(1800, 1200))
    set_field_pack(course, "  max_pack_mb: 1\n")
    result = run("build", str(course), "-f", "field-pack", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    text = result.output
    assert "field-pack: the pack is" in text and "over max_pack_mb (1 MB)" in text
    assert "  hint:   pdf/" in text  # the PDFs carry the photo at full size
    assert "lower image_max_width (now 1280)" in text


def test_an_edit_elsewhere_does_not_re_encode_the_images_again(
        run: Run, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What each image became is kept in the build cache: a rebuild after an edit takes it
    from there, and the pack and the single files are those a build from nothing makes."""
    import shutil

    from coursepack.exporters.field_pack import images

    add_image(course, "photo ç.jpg", noise_jpeg(2400, 1600))
    add_image(course, "small.png", saved(Image.new("RGB", (40, 30), "teal"), "PNG"))
    set_field_pack(course, "  image_max_width: 640\n  image_quality: 60\n")
    out = tmp_path / "out"
    built = ["build", str(course), "-f", "field-pack", "-f", "single-file", "-q"]
    assert run(*built, "--out", str(out)).exit_code == 0
    lesson = course / "modules" / "writing-questions" / "one-idea.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace(
        "the stem is too vague.", "the stem is still too vague."), encoding="utf-8")

    def not_again(*args: object) -> None:
        raise AssertionError("an image was decoded and re-encoded again")

    with monkeypatch.context() as patch:
        patch.setattr(images, "_shrunk", not_again)
        result = run(*built[:-1], "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "images: 1 scaled to 640 px and re-encoded, " in result.output
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(course, elsewhere, ignore=shutil.ignore_patterns(".coursepack-cache"))
    assert run("build", str(elsewhere), "-f", "field-pack", "-f", "single-file", "-q",
               "--out", str(tmp_path / "cold")).exit_code == 0
    for made in ("field-pack", "single-file"):
        ours = sorted((out / made).rglob("*"))
        cold = sorted((tmp_path / "cold" / made).rglob("*"))
        assert [p.relative_to(out) for p in ours] == [p.relative_to(tmp_path / "cold")
                                                      for p in cold]
        assert all(a.read_bytes() == b.read_bytes() for a, b in zip(ours, cold, strict=True)
                   if a.is_file())


def test_a_damaged_kept_image_is_made_again(tmp_path: Path) -> None:
    from coursepack.cache import Cache
    from coursepack.exporters.field_pack.images import kept_shrink

    path = write(tmp_path, "photo.jpg", noise_jpeg(1200, 800))
    store = Cache(tmp_path / "cache")
    first = kept_shrink(store, path, 400, 70, WHERE, "photo.jpg")
    for entry in (tmp_path / "cache" / "entries").rglob("*"):
        if entry.is_file():  # a well-formed entry whose facts are not ours
            store_key = entry.name
            store.put(store_key, b'{"before": "x"}\nnot an image')
    again = kept_shrink(Cache(tmp_path / "cache"), path, 400, 70, WHERE, "photo.jpg")
    assert again == first and opened(again.data).size == (400, 267)
