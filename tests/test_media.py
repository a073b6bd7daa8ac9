"""jetpy.media: uploads checked by content, storage keys, renditions made once, serving headers."""

from __future__ import annotations

import ast
import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.exceptions import HTTPException
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from jetpy.media import (
    Limits,
    LocalStorage,
    MediaLibrary,
    StorageError,
    UploadError,
    check_key,
    check_upload,
    new_key,
    uploads,
)
from jetpy.media.renditions import rendition_key, widths_for
from jetpy.modules.i18n import jetpy_phrases


def image_bytes(
    format: str = "PNG", size: tuple[int, int] = (400, 300), mode: str = "RGB"
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 80, 40)).save(out, format)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# uploads ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("format", "name", "extension", "mimetype"),
    [
        ("PNG", "photo.png", "png", "image/png"),
        ("JPEG", "photo.JPEG", "jpg", "image/jpeg"),
        ("WEBP", "photo.webp", "webp", "image/webp"),
        ("GIF", "photo", "gif", "image/gif"),
    ],
)
def test_images_of_the_four_formats_pass(
    format: str, name: str, extension: str, mimetype: str
) -> None:
    checked = check_upload(name, image_bytes(format))
    assert (checked.kind, checked.extension, checked.mimetype) == ("image", extension, mimetype)
    assert (checked.width, checked.height) == (400, 300)
    assert checked.name == name
    assert len(checked.sha256) == 64


def test_a_pdf_is_known_by_its_magic_bytes() -> None:
    checked = check_upload("price list.pdf", PDF)
    assert (checked.kind, checked.extension, checked.mimetype) == (
        "document",
        "pdf",
        "application/pdf",
    )
    assert checked.width is None


def test_a_png_renamed_pdf_is_refused() -> None:
    with pytest.raises(UploadError, match=r"'photo.pdf' is named .pdf but holds a PNG image"):
        check_upload("photo.pdf", image_bytes("PNG"))


def test_a_jpg_that_is_really_html_is_refused() -> None:
    page = b"<!doctype html><html><script>alert(1)</script></html>"
    with pytest.raises(UploadError, match=r"'cat.jpg' is not an image or document that is"):
        check_upload("cat.jpg", page)


@pytest.mark.parametrize("name", ["logo.svg", "logo.png", "logo"])
def test_svg_is_refused_whatever_its_name(name: str) -> None:
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(UploadError, match="SVG is not accepted because it can carry scripts"):
        check_upload(name, svg)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels, with a tiny compressed body."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * 1024)  # far fewer rows than claimed
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = png_header_only(60_000, 60_000)  # 3.6 gigapixels in a few hundred bytes
    assert len(bomb) < 1000
    with pytest.raises(UploadError, match=r"'bomb.png' claims more pixels .* decompression bomb"):
        check_upload("bomb.png", bomb)
    # under Pillow's own limit, above ours: refused from the header, before decoding
    with pytest.raises(UploadError, match=r"is 9000 x 9000 pixels; images of at most 40 mega"):
        check_upload("big.png", png_header_only(9000, 9000))


def test_pixel_and_byte_limits_come_from_limits() -> None:
    with pytest.raises(UploadError, match=r"is 400 x 300 pixels"):
        check_upload("a.png", image_bytes(), Limits(max_pixels=100_000))
    with pytest.raises(UploadError, match=r"'a.png' has 0.0 MB; files of at most 0.0 MB"):
        check_upload("a.png", image_bytes(), Limits(max_bytes=10))


def test_an_oversized_file_is_refused() -> None:
    big = PDF + b"0" * (2 * 1024 * 1024)
    with pytest.raises(UploadError, match=r"has 2.0 MB; files of at most 1.0 MB are accepted") as e:
        check_upload("big.pdf", big, Limits(max_bytes=1024 * 1024))
    assert e.value.status == 413
    with pytest.raises(UploadError) as refused:
        check_upload("a.pdf", b"not a pdf")
    assert refused.value.status == 400


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.png", "a/b.png", "..\\x.png", "x\x00.png", "..", "..png"]
)
def test_names_with_folders_or_dots_are_refused(name: str) -> None:
    with pytest.raises(UploadError, match="rename the file"):
        check_upload(name, image_bytes())


def test_a_damaged_image_is_refused() -> None:
    data = image_bytes("JPEG", (800, 600))
    with pytest.raises(UploadError, match="is damaged or cut short"):
        check_upload("cut.jpg", data[: len(data) // 2])


def test_an_empty_file_and_other_formats_are_refused() -> None:
    with pytest.raises(UploadError, match="is empty"):
        check_upload("a.png", b"")
    with pytest.raises(UploadError, match=r"is a BMP image; upload JPEG, PNG, WebP or GIF"):
        check_upload("a.bmp", image_bytes("BMP"))


# storage ---------------------------------------------------------------------------------
def test_keys_are_random_and_checked() -> None:
    first, second = new_key("png"), new_key("png")
    assert first != second
    assert first.endswith(".png") and len(first) == 36
    for bad in ["../x.png", "a" * 32 + ".svg", "A" * 32 + ".png", "x/../" + first, first + "/"]:
        with pytest.raises(StorageError, match="is not a media key"):
            check_key(bad)


def test_local_storage_stays_in_its_folder(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")
    key = new_key("pdf")
    storage.save(key, PDF)
    assert storage.path(key) == tmp_path / "media" / key[:2] / key
    assert storage.load(key) == PDF and storage.exists(key)
    with pytest.raises(StorageError):
        storage.save("../../evil.png", b"x")
    with pytest.raises(StorageError):
        storage.load("../site.sqlite3")
    assert not (tmp_path / "evil.png").exists()
    storage.delete(key)
    assert not storage.exists(key)
    assert [p.name for p in (tmp_path / "media").rglob("*") if p.is_file()] == []


# renditions ------------------------------------------------------------------------------
def test_widths_never_enlarge() -> None:
    assert widths_for(400) == [(160, 160), (320, 320), (640, 400)]
    assert widths_for(160) == [(160, 160)]
    assert widths_for(5000)[-1] == (1920, 1920)
    with pytest.raises(ValueError, match="not a rendition width"):
        rendition_key(new_key("png"), 500)


class CountingStorage(LocalStorage):
    saved: list[str]

    def save(self, key: str, data: bytes) -> None:
        self.saved.append(key)
        super().save(key, data)


@pytest.fixture
def library(tmp_path: Path) -> MediaLibrary:
    storage = CountingStorage(tmp_path / "media")
    storage.saved = []
    return MediaLibrary(storage)


def serve(library: MediaLibrary, path: str, **headers: str) -> Response:
    def app(environ, start_response):  # type: ignore[no-untyped-def]
        try:
            response = library.serve(Request(environ))
        except HTTPException as error:  # as the application answers them
            response = error.get_response()
        return response(environ, start_response)

    response = Client(app).get(path, headers=headers)
    return response  # type: ignore[return-value]


def test_a_rendition_is_made_once_and_served_as_webp(library: MediaLibrary) -> None:
    key = library.store(check_upload("a.png", image_bytes(size=(1000, 500))))
    storage = library.storage
    assert isinstance(storage, CountingStorage)
    for _ in range(3):
        response = serve(library, f"/media/{key}.320w.webp")
        assert response.status_code == 200
        assert response.mimetype == "image/webp"
    assert storage.saved == [key, f"{key}.320w.webp"]
    with Image.open(io.BytesIO(response.get_data())) as made:
        assert (made.format, made.size) == ("WEBP", (320, 160))


def test_serving_headers(library: MediaLibrary) -> None:
    key = library.store(check_upload("a.png", image_bytes()))
    response = serve(library, f"/media/{key}")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert serve(library, f"/media/{key}", **{"If-None-Match": f'"{key}"'}).status_code == 304
    document = library.store(check_upload("a.pdf", PDF))
    response = serve(library, f"/media/{document}")
    assert response.headers["Content-Disposition"] == "attachment"
    assert response.mimetype == "application/pdf"


@pytest.mark.parametrize(
    "path",
    [
        "/media/../site.sqlite3",
        "/media/%2e%2e/x.png",
        "/media/" + "0" * 32 + ".png",
        "/media/" + "0" * 32 + ".png.500w.webp",
        "/media/" + "0" * 32 + ".pdf.320w.webp",
    ],
)
def test_unknown_or_bad_paths_are_404(library: MediaLibrary, path: str) -> None:
    assert serve(library, path).status_code == 404


def test_img_has_srcset_sizes_and_dimensions(library: MediaLibrary) -> None:
    class Item:
        key = "0" * 32 + ".png"
        width, height = 800, 400

    html = str(library.img(Item(), 'A "red" box', width=320, sizes="50vw", class_="cover"))
    assert html.startswith(f'<img src="/media/{Item.key}.320w.webp" srcset="')
    assert f"/media/{Item.key}.960w.webp 800w" in html
    assert 'width="320" height="160"' in html
    assert 'alt="A &#34;red&#34; box"' in html and 'class="cover"' in html
    assert str(library.img(None)) == ""


def test_a_stored_photo_loses_its_exif_but_stays_upright(library: MediaLibrary) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; the picture shows 90° rotated
    exif[0x010F] = "Camera maker"
    exif.get_ifd(0x8825)[2] = (50.0, 5.0, 0.0)  # GPS latitude: where the photo was taken
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 80, 40)).save(out, "JPEG", exif=exif)
    with Image.open(io.BytesIO(out.getvalue())) as sent:
        assert sent.getexif().get_ifd(0x8825)  # the upload carries the location

    checked = check_upload("photo.jpg", out.getvalue())
    key = library.store(checked)
    with Image.open(io.BytesIO(library.storage.load(key))) as stored:
        assert (stored.format, stored.size) == ("JPEG", (300, 400))  # turned upright
        assert "exif" not in stored.info
        assert dict(stored.getexif()) == {}
    assert (checked.width, checked.height) == (300, 400)


def test_an_animated_gif_keeps_its_frames_without_metadata() -> None:
    frames = [Image.new("RGB", (40, 30), (c, 0, 0)) for c in (0, 120, 240)]
    out = io.BytesIO()
    frames[0].save(
        out,
        "GIF",
        save_all=True,
        append_images=frames[1:],
        duration=120,
        loop=0,
        comment=b"made by someone",
    )
    checked = check_upload("moving.gif", out.getvalue())
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert (stored.format, stored.n_frames, stored.info["duration"]) == ("GIF", 3, 120)
        assert "comment" not in stored.info


def test_a_damaged_original_answers_404_and_is_logged(
    library: MediaLibrary, caplog: pytest.LogCaptureFixture
) -> None:
    key = library.store(check_upload("a.png", image_bytes(size=(1000, 500))))
    library.storage.save(key, image_bytes(size=(1000, 500))[:200])  # cut short on disk
    with caplog.at_level("ERROR", logger="jetpy.media"):
        response = serve(library, f"/media/{key}.320w.webp")
    assert response.status_code == 404
    assert "damaged" in response.get_data(as_text=True)
    assert any(key in record.getMessage() for record in caplog.records)


def _refusal_phrases() -> list[str]:
    """Every phrase jetpy.media.uploads refuses with, as the source writes it."""
    tree = ast.parse(Path(uploads.__file__).read_text(encoding="utf-8"))
    phrases: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "UploadError":
            text = ast.unparse(node.args[0])
            fills = {
                "ACCEPTED": [uploads.ACCEPTED],
                "holds": ["a PDF document", "a %(format)s image"],
            }
            variants = [text]
            for name, values in fills.items():
                variants = [
                    v.replace(f"' + {name} + '", value) for v in variants for value in values
                ]
            phrases += {ast.literal_eval(variant) for variant in variants}
    return phrases


def test_every_refusal_has_a_czech_translation() -> None:
    phrases = _refusal_phrases()
    assert len(phrases) >= 14
    czech = jetpy_phrases("cs_CZ")
    missing = [phrase for phrase in phrases if phrase not in czech]
    assert missing == []
    for phrase in phrases:  # the same placeholders in both languages
        assert sorted(re.findall(r"%\(\w+\)s", phrase)) == sorted(
            re.findall(r"%\(\w+\)s", czech[phrase])
        )
