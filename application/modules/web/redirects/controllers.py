"""The redirects list of the admin: a grid, and add/edit forms that refuse what cannot work.

The page (`/admin/redirects/`) is a `jetpy.web.crud.CrudController`: `?add`, `?view=ID`,
`?edit=ID`, `?delete=ID`, each behind the module's ACL action. The rules of a source and a
target are `application/classes/redirects.py`'s; the web base answers the redirects
(`hooks.py`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from wtforms import BooleanField, Field, SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from application.classes.redirects import (
    MAX_URL,
    STATUSES,
    Redirect,
    RedirectError,
    check_target,
    loops,
    normal_source,
)
from jetpy.web.crud import CrudController
from jetpy.web.forms import Form
from jetpy.web.grid import Column, Filter, Grid

STATUS_LABELS = {
    301: "301 Moved permanently",
    302: "302 Found (temporary)",
    308: "308 Permanent, the same method",
}


class RedirectForm(Form):
    """Old address, new address, status, whether it is on, and a note."""

    class Meta:
        id_prefix = "redirect-"

    source = StringField(
        "Old address",
        [InputRequired("Enter the old address."), Length(max=MAX_URL)],
        description="A path of this site, e.g. /old-page (the query string is passed on).",
    )
    target = StringField(
        "New address",
        [InputRequired("Enter the new address."), Length(max=MAX_URL)],
        description="A path of this site (/new-page) or a full address (https://…).",
    )
    status = SelectField("Status", choices=[], default="301")
    enabled = BooleanField("Enabled", default=True)
    note = StringField("Note", [Length(max=500)])

    # set by the controller
    source_taken: Any = None  # normal source → whether another redirect has it
    is_page: Any = None  # normal source → whether a page of the site answers it
    leads_back: Any = None  # (source, target) → whether it would loop

    def validate_source(self, field: Field) -> None:
        try:
            source = normal_source(field.data or "")
        except RedirectError as error:
            raise ValidationError(self._(str(error))) from None
        if self.source_taken is not None and self.source_taken(source):
            raise ValidationError(self._("Another redirect has this old address."))
        if self.is_page is not None and self.is_page(source):
            raise ValidationError(
                self._(
                    "This address is a page of the site; only an address that would answer "
                    "404 is redirected. Deactivate or move the page first."
                )
            )

    def validate_target(self, field: Field) -> None:
        try:
            target = check_target(field.data or "")
        except RedirectError as error:
            raise ValidationError(self._(str(error))) from None
        try:
            source = normal_source(self.source.data or "")
        except RedirectError:
            return  # the old address has its own message
        if self.leads_back is not None and self.leads_back(source, target):
            raise ValidationError(
                self._("The new address leads back to the old one; the browser would loop.")
            )


class Main(CrudController):
    """The redirects grid and forms."""

    model = Redirect
    add_title = "Add redirect"
    edit_title = "Edit redirect “%(item)s”"

    def site_hosts(self) -> tuple[str, ...]:
        """The names this site answers to: the admin's own host, those the bases' URLs name
        and config.yaml's `trusted_hosts` (`.example.com`: and its subdomains)."""
        named = (
            url.host
            for base in self.app.bases.values()
            for locale in base.locales.values()
            for url in locale.urls
            if url.host
        )
        own = self.request.host.lower()
        return tuple(dict.fromkeys([own, *named, *self.app.config.trusted_hosts]))

    def get_grid(self) -> Grid:
        _ = self._
        statement: Select[Any] = select(Redirect)
        yes, no = _("Yes"), _("No")
        return Grid(
            statement,
            [
                Column("source", _("Old address"), searchable=True),
                Column("target", _("New address"), searchable=True),
                Column("status", _("Status")),
                Column("enabled", _("Enabled"), value=lambda r: yes if r.enabled else no),
                Column("hits", _("Hits")),
                Column("last_hit", _("Last hit"), value=self.last_hit),
            ],  # the note shows on the item's page: the row keeps room for its actions
            filters=[
                Filter("status", _("Status"), [(code, str(code)) for code in STATUSES]),
                Filter("enabled", _("Enabled"), [(True, yes), (False, no)]),
            ],
            sort="source",
            export_filename="redirects",
            empty=_("No redirects yet."),
        )

    def last_hit(self, item: Redirect) -> str:
        if item.last_hit is None:
            return ""
        return self.formats.datetime(item.last_hit, "short")

    def title_of(self, item: Any) -> str:
        return str(item.source) if item.source else self._("Redirect")

    def view_fields(self, item: Any) -> list[tuple[str, Any]]:
        _ = self._
        return [
            (_("Old address"), item.source),
            (_("New address"), item.target),
            (_("Status"), _(STATUS_LABELS.get(item.status, str(item.status)))),
            (_("Enabled"), _("Yes") if item.enabled else _("No")),
            (_("Note"), item.note),
            (_("Hits"), item.hits),
            (_("Last hit"), self.last_hit(item)),
        ]

    def make_form(self, item: Any) -> RedirectForm:
        data: dict[str, Any] | None = None
        if self.request.method != "POST" and item.id is not None:
            data = {
                "source": item.source,
                "target": item.target,
                "status": str(item.status),
                "enabled": item.enabled,
                "note": item.note,
            }
        form = RedirectForm(self, data=data)
        form.status.choices = [(str(code), self._(STATUS_LABELS[code])) for code in STATUSES]

        def source_taken(source: str) -> bool:
            query = select(func.count()).select_from(Redirect).where(Redirect.source == source)
            if item.id is not None:
                query = query.where(Redirect.id != item.id)
            return bool(self.db.scalar(query))

        hosts = self.site_hosts()  # a full address of this site is a path too

        def leads_back(source: str, target: str) -> bool:
            return loops(self.db, source, target, hosts)

        form.source_taken = source_taken
        form.is_page = self.is_page
        form.leads_back = leads_back
        return form

    def is_page(self, source: str) -> bool:
        """Whether `source` is an active page of a base (it never answers 404)."""
        found = self.app.url_map.match(lambda: self.request.host, source)
        if found is None:
            return False
        locale, _, rest = found
        tree = self.app.trees.get((locale.base.id, locale.name))
        if tree is None:
            return False
        page, leftover = tree.match(rest.strip("/"))
        return leftover == "" and page.is_active

    def save(self, item: Any, form: Any) -> None:
        item.source = normal_source(form.source.data)
        item.target = check_target(form.target.data)
        item.status = int(form.status.data)
        item.enabled = bool(form.enabled.data)
        item.note = (form.note.data or "").strip()
        self.db.add(item)
        self.db.flush()
