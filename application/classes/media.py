"""The media library's items: an uploaded image or document with its alt text per locale.

The file itself lives in the application's media storage (`app.media`, jetpy.media) under a
random `key`; the row keeps what the upload was (kind, MIME type, size, pixels), the name it
was uploaded under (a label, searchable, never a path) and its SHA-256 (to point out that
the same file is in the library already). Products and articles refer to items by id; an
item in use is not deleted (see `usages()` in application/classes/media_usages.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, ForeignKey, Select, String, or_, select
from sqlalchemy.orm import Mapped, Session, attribute_keyed_dict, mapped_column, relationship

from application.classes.model import Model

if TYPE_CHECKING:
    from jetpy.media import CheckedFile, MediaLibrary

IMAGE = "image"
DOCUMENT = "document"
MAX_ALT = 300


class MediaItem(Model):
    """An image or a document of the media library."""

    __tablename__ = "media_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # its name in the storage
    kind: Mapped[str] = mapped_column(String(16), index=True)  # image or document
    mimetype: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))  # as uploaded: a label, never a path
    size: Mapped[int] = mapped_column(default=0)  # bytes
    width: Mapped[int | None] = mapped_column()
    height: Mapped[int | None] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: datetime.now(UTC)
    )
    texts: Mapped[dict[str, MediaText]] = relationship(
        collection_class=attribute_keyed_dict("locale"),
        back_populates="item",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_image(self) -> bool:
        return self.kind == IMAGE

    def alt(self, locale: str) -> str:
        """The alt text in `locale` ('' when it has none: another language would mislead)."""
        text = self.texts.get(locale)
        return text.alt if text is not None else ""

    def set_alt(self, locale: str, alt: str) -> None:
        """Set (or with an empty text, remove) the alt text of `locale`."""
        alt = " ".join(alt.split())[:MAX_ALT]
        if not alt:
            self.texts.pop(locale, None)
        elif locale in self.texts:
            self.texts[locale].alt = alt
        else:
            self.texts[locale] = MediaText(locale=locale, alt=alt)

    def __repr__(self) -> str:
        return f"<MediaItem {self.id} {self.key}>"


class MediaText(Model):
    """An item's alt text in one locale."""

    __tablename__ = "media_texts"

    media_id: Mapped[int] = mapped_column(
        ForeignKey("media_items.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    alt: Mapped[str] = mapped_column(String(MAX_ALT), default="")
    item: Mapped[MediaItem] = relationship(back_populates="texts")

    def __init__(self, **values: Any) -> None:
        # the locale first: it is the key under which the item files this row
        if "locale" in values:
            self.locale = values.pop("locale")
        super().__init__(**values)


def add_file(
    session: Session, library: MediaLibrary, file: CheckedFile, alts: dict[str, str] | None = None
) -> MediaItem:
    """Store a checked upload in the library's storage and add its row (flushed)."""
    key = library.store(file)
    item = MediaItem(
        key=key,
        kind=file.kind,
        mimetype=file.mimetype,
        name=file.name,
        size=len(file.data),
        width=file.width,
        height=file.height,
        sha256=file.sha256,
    )
    for locale, alt in (alts or {}).items():
        item.set_alt(locale, alt)
    session.add(item)
    try:
        session.flush()
    except Exception:
        library.delete(key)  # no row, no file
        raise
    return item


def search(search_text: str = "", kind: str = "") -> Select[tuple[MediaItem]]:
    """Items whose name or alt text holds every word of `search_text`, newest first."""
    statement = select(MediaItem)
    if kind:
        statement = statement.where(MediaItem.kind == kind)
    for word in search_text.split()[:8]:
        pattern = "%" + word.replace("%", "").replace("_", "") + "%"  # no wildcards typed in
        statement = statement.where(
            or_(
                MediaItem.name.ilike(pattern),
                MediaItem.id.in_(select(MediaText.media_id).where(MediaText.alt.ilike(pattern))),
            )
        )
    return statement.order_by(MediaItem.created_at.desc(), MediaItem.id.desc())


def images_by_id(session: Session, ids: list[int]) -> dict[int, MediaItem]:
    """The images among `ids` (documents and unknown ids left out), by id."""
    if not ids:
        return {}
    found = session.scalars(select(MediaItem).where(MediaItem.id.in_(ids), MediaItem.kind == IMAGE))
    return {item.id: item for item in found}
