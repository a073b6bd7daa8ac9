"""Where a login may send the browser next: only to a path of this site (no open redirects)."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2048


def safe_next(target: str | None) -> str | None:
    """`target` when it is a local path (`/admin/x?y`), else None.

    Refused: absolute URLs (`https://evil`), scheme-relative ones (`//evil`), `/\\evil`
    (browsers read a backslash as a slash), any scheme (`javascript:`), control characters
    and white space (browsers drop some of them, which can turn `/ /evil` into `//evil`).
    """
    if not target or len(target) > MAX_LENGTH or not target.startswith("/"):
        return None
    if "\\" in target or any(
        char.isspace() or ord(char) < 32 or ord(char) == 127 for char in target
    ):
        return None
    if target.startswith("//"):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return target
