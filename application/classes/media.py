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
from jetpy.errors import JetpyError

if TYPE_CHECKING:
    from jetpy.media import CheckedFile, MediaLibrary

IMAGE = "image"
DOCUMENT = "document"
MAX_ALT = 300
MAX_GALLERY = 30  # images of one gallery
PICKER_PAGE = "media"  # the admin page of module admin.media


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
    session: Session,
    library: MediaLibrary,
    file: CheckedFile,
    alts: dict[str, str] | None = None,
    *,
    flush: bool = True,
) -> MediaItem:
    """Store a checked upload in the library's storage and add its row (flushed, unless a
    caller adding many flushes them together)."""
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
    if not flush:
        return item
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


def chosen_images(
    session: Session, text: str | None, many: bool
) -> tuple[list[MediaItem], str, dict[str, str]]:
    """The images an image field names (`12`, or `12,14` with `many`), in that order.

    Then '' or a phrase (for the form's dictionary) saying what is wrong, and its values.
    """
    parts = [part for part in (text or "").replace(",", " ").split() if part]
    if not parts:
        return [], "", {}
    if (len(parts) > 1 and not many) or len(parts) > MAX_GALLERY:
        return [], "Choose at most %(count)s images.", {"count": str(MAX_GALLERY if many else 1)}
    if not all(part.isascii() and part.isdigit() and len(part) <= 9 for part in parts):
        return [], "Choose images of the media library (their ids, e.g. 12, 14).", {}
    ids = list(dict.fromkeys(int(part) for part in parts))
    found = images_by_id(session, ids)
    missing = [str(id) for id in ids if id not in found]
    if missing:
        return [], "There is no image %(ids)s in the media library.", {"ids": ", ".join(missing)}
    return [found[id] for id in ids], "", {}


def picker_urls(app: Any, locale: str) -> tuple[str, str]:
    """The media library's picker and upload URLs in the admin base ('' when it has none)."""
    try:
        page = app.page(PICKER_PAGE, base="admin", locale=locale)
    except JetpyError:
        return "", ""
    return page.url(picker="1"), page.url() + "?upload"


def check_image_fields(session: Session, form: Any, fields: list[tuple[Any, bool]]) -> bool:
    """Check image fields (field, whether it takes several) of a jetpy form; the images
    found go to `form.chosen_media` by field name, problems to the fields' errors."""
    form.chosen_media = {}
    valid = True
    for field, many in fields:
        images, problem, values = chosen_images(session, field.data, many)
        if problem:
            field.errors = [*field.errors, form._(problem, **values)]
            valid = False
        form.chosen_media[field.name] = images
    return valid


def image_field_values(
    controller: Any, form: Any, fields: list[tuple[Any, bool]]
) -> dict[str, Any]:
    """What media_field.html needs: the images of each field and the picker's URLs; puts
    media.js and media.css on the page."""
    static = controller.app.templates.static_url
    controller.head.add_js(static("js/media.js"))
    controller.head.add_css(static("css/media.css"))
    picker, upload = picker_urls(controller.app, controller.locale.name)
    chosen = getattr(form, "chosen_media", None)
    if chosen is None:  # not checked yet (the first GET): what the fields hold
        chosen = {
            field.name: chosen_images(controller.db, field.data, many)[0] for field, many in fields
        }
    return {"picker_url": picker, "upload_url": upload, **chosen}
