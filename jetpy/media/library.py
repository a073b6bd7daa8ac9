"""The media library of an application: its storage, limits, URLs, serving and template helpers.

Files are served at `/media/<key>` (originals) and `/media/<key>.<width>w.webp` (renditions,
made on the first request). A key never changes its content, so every answer carries
`Cache-Control: public, max-age=31536000, immutable` and the key as its ETag; all carry
`X-Content-Type-Options: nosniff` and a CSP that lets nothing run, and documents are sent as
attachments (a PDF is opened by the visitor's viewer, not inside the site).

Settings (config.yaml): `media.location`, the folder (relative to the project; default
`application/data/media`, overridden by `$JETPY_MEDIA_DIR`), and `media.max_upload_mb`.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.wrappers import Response

from jetpy.media.renditions import (
    WIDTHS,
    DamagedOriginal,
    StoredImage,
    rendition,
    rendition_keys,
    widths_for,
)
from jetpy.media.storage import LocalStorage, Storage, StorageError, check_key, new_key
from jetpy.media.uploads import MIMETYPES, CheckedFile, Limits

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from jetpy.definitions.config import Config

log = logging.getLogger("jetpy.media")
MEDIA_URL = "/media/"
ENVIRONMENT = "JETPY_MEDIA_DIR"
DEFAULT_LOCATION = "application/data/media"
CACHE_FOREVER = "public, max-age=31536000, immutable"
_RENDITION = re.compile(r"(?P<key>[0-9a-f]{32}\.(?:jpg|png|webp|gif))\.(?P<width>[0-9]+)w\.webp")


def media_location(config: Config, root: Path) -> Path:
    """The media folder: $JETPY_MEDIA_DIR, else config.yaml's media.location, else the default."""
    chosen = os.environ.get(ENVIRONMENT) or config.media_location or DEFAULT_LOCATION
    return (root / chosen).resolve()


class MediaLibrary:
    """Stores checked uploads, answers their URLs and serves them (see the module's text)."""

    def __init__(self, storage: Storage, limits: Limits | None = None) -> None:
        self.storage = storage
        self.limits = limits or Limits()

    @classmethod
    def for_project(cls, config: Config, root: Path) -> MediaLibrary:
        """The library of a project: a local folder and the limits of config.yaml."""
        limits = Limits(max_bytes=config.media_max_upload_mb * 1024 * 1024)
        return cls(LocalStorage(media_location(config, root)), limits)

    # storing ---------------------------------------------------------------------------
    def store(self, file: CheckedFile) -> str:
        """Save a checked upload under a new random key; the key."""
        key = new_key(file.extension)
        self.storage.save(key, file.data)
        return key

    def delete(self, key: str) -> None:
        """Delete an original and every rendition made of it."""
        self.storage.delete(check_key(key))
        for made in rendition_keys(key) if not key.endswith(".pdf") else ():
            self.storage.delete(made)

    # URLs and template helpers ---------------------------------------------------------
    def url(self, item: StoredImage | str) -> str:
        """The URL of an original (an item with a `key`, or the key)."""
        key = item if isinstance(item, str) else item.key
        return MEDIA_URL + key

    def rendition_url(self, item: StoredImage | str, width: int) -> str:
        key = item if isinstance(item, str) else item.key
        return f"{MEDIA_URL}{key}.{width}w.webp"

    def srcset(self, item: StoredImage) -> str:
        """`srcset` of an image: its renditions narrower than it, with their real widths."""
        return ", ".join(
            f"{self.rendition_url(item, named)} {real}w" for named, real in widths_for(item.width)
        )

    def img(
        self,
        item: StoredImage | None,
        alt: str = "",
        *,
        width: int = 640,
        sizes: str = "100vw",
        loading: str = "lazy",
        **attributes: Any,
    ) -> Markup:
        """An `<img>` with src (the rendition nearest `width`), srcset, sizes, its width and
        height (no layout shift) and alt; empty for no item. `class_="x"` sets `class`."""
        if item is None:
            return Markup("")
        choices = widths_for(item.width)
        named, real = next(
            ((n, r) for n, r in choices if n >= width), choices[-1] if choices else (width, width)
        )
        height = round(item.height * real / item.width) if item.width and item.height else None
        parts = {
            "src": self.rendition_url(item, named),
            "srcset": self.srcset(item),
            "sizes": sizes,
            "width": real,
            "height": height,
            "alt": alt,
            "loading": loading,
            "decoding": "async",
            **{name.rstrip("_").replace("_", "-"): value for name, value in attributes.items()},
        }
        text = " ".join(
            f'{name}="{escape(value)}"' for name, value in parts.items() if value is not None
        )
        return Markup(f"<img {text}>")

    def template_globals(self) -> dict[str, Any]:
        """The helpers templates get: media_url, media_rendition, media_srcset, media_img."""
        return {
            "media_url": self.url,
            "media_rendition": self.rendition_url,
            "media_srcset": self.srcset,
            "media_img": self.img,
        }

    # serving -----------------------------------------------------------------------------
    def serve(self, request: Request) -> Response:
        """Answer a GET or HEAD of `/media/…`: an original or a rendition (made when missing)."""
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(["GET", "HEAD"])
        name = request.path[len(MEDIA_URL) :]
        try:
            check_key(name)
        except StorageError:
            raise NotFound(f"There is no media file {name!r}.") from None
        etag = f'"{name}"'
        if etag in request.headers.get("If-None-Match", ""):
            return self._headers(Response(status=304), name)
        found = _RENDITION.fullmatch(name)
        try:
            if found is None:
                data = self.storage.load(name)
            else:
                width = int(found["width"])
                if width not in WIDTHS:
                    raise NotFound(f"Renditions are {', '.join(map(str, WIDTHS))} pixels wide.")
                data = rendition(self.storage, found["key"], width)
        except FileNotFoundError:
            raise NotFound(f"There is no media file {name!r}; it may have been deleted.") from None
        except DamagedOriginal as error:
            log.error("media: the original of %s cannot be decoded (%s)", name, error)
            raise NotFound(
                f"The media file {name!r} cannot be shown: its original is damaged."
            ) from None
        extension = name.rpartition(".")[2]
        response = Response(data, mimetype=MIMETYPES[extension])
        if extension == "pdf":
            response.headers["Content-Disposition"] = "attachment"
        return self._headers(response, name)

    @staticmethod
    def _headers(response: Response, name: str) -> Response:
        response.headers["Cache-Control"] = CACHE_FOREVER
        response.headers["ETag"] = f'"{name}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
