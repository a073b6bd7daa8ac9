"""Image renditions: an original scaled to one of a few widths, as WebP, made once.

A rendition is named after its original and width (`<key>.<width>w.webp`) and made the first
time it is asked for; from then on it is read from the storage. Only the widths of `WIDTHS`
exist (so nobody can make the server render thousands of sizes), and an image is never
enlarged: asking a width wider than the original gives the original's width.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Protocol

from PIL import Image, ImageOps

from jetpy.media.storage import Storage, check_key

WIDTHS = (160, 320, 640, 960, 1280, 1920)
QUALITY = 80


class StoredImage(Protocol):
    """What the srcset helpers need of an image: its key and size (a model row has them)."""

    @property
    def key(self) -> str: ...

    @property
    def width(self) -> int | None: ...

    @property
    def height(self) -> int | None: ...


def rendition_key(key: str, width: int) -> str:
    """The key of `key`'s rendition `width` pixels wide (a width of WIDTHS)."""
    if width not in WIDTHS:
        raise ValueError(f"{width} is not a rendition width; use one of {WIDTHS}")
    return check_key(f"{key}.{width}w.webp")


def widths_for(original_width: int | None) -> list[tuple[int, int]]:
    """(rendition width named in the URL, pixels it really has) for an image this wide.

    Every width of WIDTHS narrower than the original, then the first one that is not (made
    at the original's width, since images are never enlarged).
    """
    if not original_width:
        return [(WIDTHS[0], WIDTHS[0])]
    found = [(width, width) for width in WIDTHS if width < original_width]
    wider = next((width for width in WIDTHS if width >= original_width), None)
    if wider is not None:
        found.append((wider, original_width))
    return found


def make_rendition(original: bytes, width: int) -> bytes:
    """`original` scaled down to at most `width` pixels wide, as WebP (first frame only)."""
    with Image.open(io.BytesIO(original)) as image:
        image.seek(0)
        picture = ImageOps.exif_transpose(image)  # a photo taken upright stays upright
        if picture.mode not in ("RGB", "RGBA"):
            has_alpha = picture.mode in ("LA", "PA") or "transparency" in picture.info
            picture = picture.convert("RGBA" if has_alpha else "RGB")
        if picture.width > width:
            height = max(1, round(picture.height * width / picture.width))
            picture = picture.resize((width, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        picture.save(out, "WEBP", quality=QUALITY, method=4)
        return out.getvalue()


class DamagedOriginal(Exception):
    """The stored original of a rendition cannot be decoded (damaged on disk, cut short)."""


def rendition(storage: Storage, key: str, width: int) -> bytes:
    """The rendition's bytes: read from the storage, or made from the original and stored.

    FileNotFoundError when the original is missing, DamagedOriginal when it does not decode.
    """
    made = rendition_key(key, width)
    try:
        return storage.load(made)
    except FileNotFoundError:
        pass
    original = storage.load(key)
    try:
        data = make_rendition(original, width)
    except Exception as error:  # Pillow raises many kinds for a damaged file
        raise DamagedOriginal(f"{key}: {type(error).__name__}: {error}") from error
    storage.save(made, data)
    return data


def rendition_keys(key: str) -> Iterable[str]:
    """Every rendition key an original may have (to delete them with it)."""
    return (rendition_key(key, width) for width in WIDTHS)
