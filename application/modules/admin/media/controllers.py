"""The media library in the admin base (`/admin/media/`): upload, browse, describe, delete, pick.

The action is chosen by the query string, as in the CRUD pages:

    /admin/media/?q=red&kind=image&page=2   the library: a grid of thumbnails, search, paging
    POST /admin/media/?upload                 one or more files (field `files`); with
                                              `Accept: application/json` (media.js) it answers
                                              JSON, else it redirects back with messages
    /admin/media/?edit=5                      alt text per locale, where the item is used
    /admin/media/?delete=5                    a confirmation, then a POST; refused when in use
    /admin/media/?picker&q=…&page=…           JSON for the picker (media.js, `JetpyMedia.pick`)

Every upload is checked by its content (jetpy.media.check_upload) before anything is stored;
a refused file stores nothing and its message names the file and the reason.
"""

from __future__ import annotations

import json
from typing import Any

from babel import Locale, UnknownLocaleError
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from application.classes.media import DOCUMENT, IMAGE, MAX_ALT, MediaItem, add_file, search
from application.classes.media_usages import usages
from application.classes.paging import page_of
from jetpy import Controller, ControllerRouter
from jetpy.media import UploadError, check_upload
from jetpy.web.grid import parse_id

PUBLIC_BASE = "web"  # whose locales alt texts are written in
PER_PAGE = 30  # six rows of five on a wide screen
PICKER_PER_PAGE = 24
MAX_FILES = 20  # in one request (media.js sends one file a request)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def page_numbers(page: int, pages: int) -> list[int]:
    """The pages a pager links: the first, the last and two either side of `page`."""
    return sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})


class Main(Controller):
    """The media library page."""

    item: MediaItem | None = None

    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        args = self.request.args
        router.add_action("upload", resolver=lambda: "upload" in args, acl_action="upload")
        router.add_action("picker", resolver=lambda: "picker" in args, acl_action="view")
        router.add_action("edit", resolver=lambda: "edit" in args, acl_action="edit")
        router.add_action("delete", resolver=lambda: "delete" in args, acl_action="delete")
        router.add_action("list", acl_action="view")
        router.set_default_action("list")
        return router

    def resolve(self) -> bool | str:
        # before the kernel reads the form (its CSRF check): a body larger than the files
        # allowed in one request is refused (413) without being read
        limit = self.app.media.limits.max_bytes
        self.request.max_content_length = MAX_FILES * limit + 1024 * 1024
        return super().resolve()

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self.app.bases[PUBLIC_BASE].locales)

    def wants_json(self) -> bool:
        return self.request.accept_mimetypes.best == "application/json"

    def describe(self, item: MediaItem) -> dict[str, Any]:
        """An item as media.js sees it."""
        media = self.app.media
        is_image = item.is_image
        return {
            "id": item.id,
            "kind": item.kind,
            "name": item.name,
            "url": media.url(item),
            "thumbnail": media.rendition_url(item, 320) if is_image else None,
            "srcset": media.srcset(item) if is_image else None,
            "width": item.width,
            "height": item.height,
            "alt": item.alt(self.locale.name),
            "alts": {locale: item.alt(locale) for locale in self.locales},
            "edit": self.page.url(edit=str(item.id)),
        }

    # the library --------------------------------------------------------------------------
    def query(self, per_page: int) -> tuple[str, str, Any]:
        args = self.request.args
        text = (args.get("q") or "").strip()[:100]
        kind = args.get("kind", "")
        kind = kind if kind in (IMAGE, DOCUMENT) else ""
        page = parse_id(args.get("page", "1")) or 1
        found = page_of(self.db, search(text, kind), page, per_page, lambda row: row[0])
        return text, kind, found

    def list_action(self) -> None:
        text, kind, found = self.query(PER_PAGE)
        if found.out_of_range:
            raise NotFound(
                self._("There is no page %(page)s of the media library.", page=found.page)
            )
        self.head.title = self._("Media library")
        self.head.add_js(self.app.templates.static_url("js/media.js"))
        self.head.add_css(self.app.templates.static_url("css/media.css"))

        def page_url(number: int) -> str:
            return self.page.url(
                **{k: v for k, v in (("q", text), ("kind", kind)) if v}, page=str(number)
            )

        router = self.router
        assert router is not None
        self.render(
            "library.html",
            found=found,
            search_text=text,
            kind=kind,
            numbers=page_numbers(found.page, found.pages),
            page_url=page_url,
            may_upload=router.action("upload").authorized(),
            may_edit=router.action("edit").authorized(),
            upload_url=self.page.url() + "?upload",
            max_mb=self.app.media.limits.max_bytes // (1024 * 1024),
        )

    def picker_action(self) -> Response:
        """A page of images (or documents with `kind=document`) for the picker, as JSON."""
        _text, _kind, found = self.query(PICKER_PER_PAGE)
        return json_response(
            {
                "items": [self.describe(item) for item in found.items],
                "page": found.page,
                "pages": found.pages,
                "total": found.total,
            }
        )

    # uploading ------------------------------------------------------------------------------
    def upload_action(self) -> Response:
        if self.request.method != "POST":
            return redirect(self.page.url(), 303)
        files = self.request.files.getlist("files")
        stored: list[MediaItem] = []
        errors: list[str] = []
        status = 400  # when nothing is stored: 413 if a file was too large
        if not files or all(not (file.filename or "") for file in files):
            errors.append(self._("Choose one or more files to upload."))
        elif len(files) > MAX_FILES:
            errors.append(self._("Upload at most %(count)s files at once.", count=MAX_FILES))
        else:
            for file in files:
                try:
                    checked = check_upload(file.filename or "", file.read(), self.app.media.limits)
                except UploadError as error:
                    errors.append(self._(error.phrase, **error.values))
                    status = max(status, error.status)
                    continue
                stored.append(add_file(self.db, self.app.media, checked))
        if self.wants_json():
            return json_response(
                {"items": [self.describe(item) for item in stored], "errors": errors},
                201 if stored else status,
            )
        for item in stored:
            self.flash(self._("Uploaded %(name)s.", name=item.name))
        for error in errors:
            self.flash(error, "error")
        return redirect(self.page.url(), 303)

    # one item ----------------------------------------------------------------------------------
    def require_item(self, action: str) -> MediaItem:
        text = self.request.args.get(action, "")
        id = parse_id(text)
        item = self.db.get(MediaItem, id) if id is not None else None
        if item is None:
            raise NotFound(
                self._(
                    "There is no item %(id)s in the media library; it may have been deleted.",
                    id=repr(text),
                )
            )
        self.item = item
        return item

    def edit_action(self) -> Response | None:
        item = self.require_item("edit")
        errors: dict[str, str] = {}
        if self.request.method == "POST":
            self.check_csrf()
            form = self.request.form
            for locale in self.locales:
                alt = form.get(f"alt_{locale}", "")
                if len(alt) > MAX_ALT:
                    errors[locale] = self._("At most %(count)s characters.", count=MAX_ALT)
            if not errors:
                for locale in self.locales:
                    item.set_alt(locale, form.get(f"alt_{locale}", ""))
                self.db.flush()
                self.flash(self._("Saved %(item)s.", item=item.name))
                return redirect(self.page.url(), 303)
        self.head.title = item.name
        self.breadcrumb.add(item.name)
        values = {
            locale: self.request.form.get(f"alt_{locale}", "")
            if self.request.method == "POST"
            else item.alt(locale)
            for locale in self.locales
        }
        self.render(
            "edit.html",
            item=item,
            values=values,
            errors=errors,
            usages=self.usages_of(item),
            locale_names=self.locale_names(),
        )
        return None

    def delete_action(self) -> Response | None:
        item = self.require_item("delete")
        used = self.usages_of(item)
        if self.request.method == "POST":
            self.check_csrf()
            if used:
                self.flash(
                    self._(
                        "%(item)s is used by %(places)s; choose another image there first.",
                        item=item.name,
                        places=", ".join(used),
                    ),
                    "error",
                )
                return redirect(self.page.url(edit=str(item.id)), 303)
            key, name = item.key, item.name
            self.db.delete(item)
            self.db.flush()
            self.app.media.delete(key)  # after the row: a failed flush keeps the file
            self.flash(self._("Deleted %(item)s.", item=name))
            return redirect(self.page.url(), 303)
        self.head.title = item.name
        self.breadcrumb.add(item.name)
        self.render("delete.html", item=item, usages=used)
        return None

    def usages_of(self, item: MediaItem) -> list[str]:
        """Where the item is used, one phrase a place: `Product P-1 Lamp (main image)`."""
        _ = self._
        whats = {"product": _("Product"), "article": _("Article")}
        roles = {
            "main image": _("main image"),
            "gallery": _("gallery"),
            "cover": _("cover"),
            "text": _("in the text"),
        }
        session: Session = self.db
        return [
            f"{whats[usage.what]} {usage.label} ({roles[usage.role]})"
            for usage in usages(session, item, self.locale.name)
        ]

    def locale_names(self) -> dict[str, str]:
        """Each locale as people name it, in its own language (Babel): English, Čeština."""
        names = {}
        for locale in self.locales:
            try:
                name = Locale.parse(locale).get_language_name(locale) or locale
            except (UnknownLocaleError, ValueError):
                name = locale
            names[locale] = name[:1].upper() + name[1:]
        return names
