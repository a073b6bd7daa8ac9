"""Uploads checked by their content, never trusted for their name.

`check_upload(name, data, limits)` answers a `CheckedFile` (what the bytes really are) or
raises `UploadError` whose message names the file and says what to do. In this order:
1. the name: a plain file name (no folder, no `..`, no control character, at most 255
   characters); it is kept only as the item's label, never as a file name on disk;
2. the size: not empty, at most `limits.max_bytes`;
3. SVG is refused whatever its name (an SVG may carry scripts that run on the site's origin);
4. a PDF is recognised by its magic bytes `%PDF-`;
5. an image is opened by Pillow (which reads the format from the bytes), must be JPEG, PNG,
   WebP or GIF, within `limits.max_pixels` and `limits.max_side` (checked from the header,
   before decoding: a decompression bomb is refused before it takes memory), and must decode
   completely (a truncated or corrupt file is refused);
6. anything else is refused; so is a name whose extension promises another format than the
   content holds (a PNG named `.pdf`), since browsers and people trust extensions.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from jetpy.errors import JetpyError

# Pillow's format name → (extension on disk, MIME type, extensions a name may carry)
IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg", ("jpg", "jpeg", "jpe", "jfif")),
    "PNG": ("png", "image/png", ("png",)),
    "WEBP": ("webp", "image/webp", ("webp",)),
    "GIF": ("gif", "image/gif", ("gif",)),
}
PDF = ("pdf", "application/pdf", ("pdf",))
MIMETYPES = {ext: mime for ext, mime, _names in (*IMAGE_FORMATS.values(), PDF)}
ACCEPTED = "JPEG, PNG, WebP or GIF images and PDF documents"
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_SVG = re.compile(rb"<svg[\s>]", re.IGNORECASE)


class UploadError(JetpyError):
    """An uploaded file that is refused; the message is for the person who uploaded it.

    `phrase` with `%(name)s` placeholders and its `values` are what a controller translates
    (`self._(error.phrase, **error.values)`); `str(error)` is the English text. `status` is
    the HTTP status that fits: 413 for a file too large, else 400.
    """

    def __init__(self, phrase: str, status: int = 400, **values: object) -> None:
        super().__init__(phrase % values if values else phrase)
        self.phrase = phrase
        self.values = values
        self.status = status


@dataclass(frozen=True)
class Limits:
    """How big an upload may be: bytes, pixels (width x height) and the longer side."""

    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_side: int = 12_000
    max_frames: int = 500  # of an animated GIF or WebP


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed: what it is, its extension on disk and its MIME type."""

    name: str  # the uploaded name, for labels only
    data: bytes
    kind: str  # "image" or "document"
    extension: str
    mimetype: str
    width: int | None = None
    height: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_upload(name: str, data: bytes, limits: Limits | None = None) -> CheckedFile:
    """What `data` (uploaded as `name`) is; UploadError when it is refused, and why."""
    limits = limits or Limits()
    name = check_name(name)
    shown = repr(name)
    if not data:
        raise UploadError("%(file)s is empty; choose the file again.", file=shown)
    if len(data) > limits.max_bytes:
        raise UploadError(
            "%(file)s has %(size)s; files of at most %(limit)s are accepted.",
            413,
            file=shown,
            size=_megabytes(len(data)),
            limit=_megabytes(limits.max_bytes),
        )
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    if suffix in ("svg", "svgz") or _looks_like_svg(data):
        raise UploadError(
            "%(file)s is an SVG image; SVG is not accepted because it can carry scripts. "
            "Export it as PNG or WebP and upload that.",
            file=shown,
        )
    if data.startswith(b"%PDF-"):
        found = CheckedFile(name, data, "document", PDF[0], PDF[1])
        _check_suffix(shown, suffix, PDF[2], "", PDF[0])
        return found
    return _check_image(name, shown, suffix, data, limits)


def check_name(name: str) -> str:
    """The uploaded file name when it is a plain one; UploadError otherwise."""
    name = (name or "").strip()
    if not name:
        raise UploadError("A file came without a name; choose it again.")
    if len(name) > 255:
        raise UploadError(
            "The file name %(file)s… is longer than 255 characters.", file=repr(name[:40])
        )
    if _BAD_NAME.search(name) or name in (".", ".."):
        raise UploadError(
            "The file name %(file)s holds a folder, '..' or a control character; "
            "rename the file to a plain name such as photo.jpg.",
            file=repr(name),
        )
    if name.startswith(".."):
        raise UploadError(
            "The file name %(file)s starts with '..'; rename the file.", file=repr(name)
        )
    return name


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and _SVG.search(head) is not None


def _check_image(name: str, shown: str, suffix: str, data: bytes, limits: Limits) -> CheckedFile:
    not_accepted = UploadError(
        "%(file)s is not an image or document that is accepted here: upload " + ACCEPTED + ".",
        file=shown,
    )
    try:
        with warnings.catch_warnings():
            # the pixel limits below are stricter than Pillow's bomb check; its warning for
            # big images must not end the upload (or the test run) before they are applied
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                format = image.format or ""
                width, height = image.size
                frames = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise UploadError(
            "%(file)s claims more pixels than any photo has (a decompression bomb); images of "
            "at most %(megapixels)s megapixels are accepted.",
            file=shown,
            megapixels=limits.max_pixels // 1_000_000,
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise not_accepted from None
    if format not in IMAGE_FORMATS:
        raise UploadError(
            "%(file)s is a %(format)s image; upload " + ACCEPTED + " (convert it to PNG or JPEG "
            "first).",
            file=shown,
            format=format,
        )
    if width * height > limits.max_pixels or max(width, height) > limits.max_side:
        raise UploadError(
            "%(file)s is %(width)s x %(height)s pixels; images of at most %(megapixels)s "
            "megapixels and %(side)s pixels a side are accepted. Make it smaller and upload it "
            "again.",
            file=shown,
            width=width,
            height=height,
            megapixels=limits.max_pixels // 1_000_000,
            side=limits.max_side,
        )
    if frames > limits.max_frames:
        raise UploadError(
            "%(file)s has %(frames)s frames; at most %(limit)s are accepted.",
            file=shown,
            frames=frames,
            limit=limits.max_frames,
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # the file's structure (checksums of PNG chunks …)
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # every pixel of the first frame decodes
    except Exception:  # Pillow raises many kinds for a damaged file
        raise UploadError(
            "%(file)s looks like a %(format)s image but is damaged or cut short; "
            "save it again and upload the new file.",
            file=shown,
            format=format,
        ) from None
    extension, mimetype, names = IMAGE_FORMATS[format]
    _check_suffix(shown, suffix, names, format, extension)
    data, width, height = without_metadata(data)
    return CheckedFile(name, data, "image", extension, mimetype, width, height)


def without_metadata(data: bytes) -> tuple[bytes, int, int]:
    """The image re-encoded without its metadata (EXIF, XMP, comments); its new size.

    A photo's EXIF may hold where it was taken (GPS), the camera's serial number, the owner's
    name: nothing of that is published. The EXIF orientation is applied to the pixels first,
    so the picture stays upright without it. The colour profile (ICC) is kept. An animated GIF
    or WebP keeps its frames, their durations and its loop count.
    """
    with Image.open(io.BytesIO(data)) as image:
        format = image.format or ""
        options: dict[str, object] = {}
        if format == "GIF":
            options["comment"] = b""  # Pillow would copy the original's comment
        if image.info.get("icc_profile"):
            options["icc_profile"] = image.info["icc_profile"]
        out = io.BytesIO()
        if getattr(image, "n_frames", 1) > 1:
            for name in ("duration", "loop", "background", "transparency"):
                if name in image.info:
                    options[name] = image.info[name]
            if format == "WEBP":
                options["lossless"] = True  # the frames were encoded once already
            image.save(out, format, save_all=True, **options)
            return out.getvalue(), image.width, image.height
        picture = ImageOps.exif_transpose(image)
        if format == "JPEG":
            options["quality"] = 92
            if picture.mode not in ("RGB", "L", "CMYK"):
                picture = picture.convert("RGB")
        elif format == "WEBP":
            options["lossless"] = image.info.get("lossless", False)
            options["quality"] = 100 if options["lossless"] else 90
        elif format in ("PNG", "GIF") and "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
        picture.save(out, format, **options)
        return out.getvalue(), picture.width, picture.height


def _check_suffix(
    shown: str, suffix: str, names: tuple[str, ...], image_format: str, right: str
) -> None:
    """Refuse a name whose extension promises something else than the content is.

    Only a word of letters counts as an extension (`photo.2024` has none); `image_format`
    is Pillow's name of the image's format, empty for a PDF document.
    """
    if suffix.isalpha() and len(suffix) <= 5 and suffix not in names:
        holds = "a %(format)s image" if image_format else "a PDF document"
        raise UploadError(
            "%(file)s is named .%(suffix)s but holds " + holds + "; rename it to .%(right)s "
            "(the content decides what a file is).",
            file=shown,
            suffix=suffix,
            right=right,
            format=image_format,
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
