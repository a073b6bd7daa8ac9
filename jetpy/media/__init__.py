"""The media library: storage (`storage`), uploads checked by content (`uploads`), image
renditions with srcset (`renditions`), and the application's library that stores, serves and
names them in templates (`library`)."""

from __future__ import annotations

from jetpy.media.library import MEDIA_URL, MediaLibrary, media_location
from jetpy.media.renditions import WIDTHS, StoredImage, make_rendition, rendition_key
from jetpy.media.storage import LocalStorage, Storage, StorageError, check_key, new_key
from jetpy.media.uploads import CheckedFile, Limits, UploadError, check_upload

__all__ = [
    "MEDIA_URL",
    "WIDTHS",
    "CheckedFile",
    "Limits",
    "LocalStorage",
    "MediaLibrary",
    "Storage",
    "StorageError",
    "StoredImage",
    "UploadError",
    "check_key",
    "check_upload",
    "make_rendition",
    "media_location",
    "new_key",
    "rendition_key",
]
