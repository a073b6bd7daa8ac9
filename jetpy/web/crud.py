"""CRUD controllers: list, add, edit, view and delete one model's items on one page.

The action is chosen by the query string, the way PHP Jet's admin modules do it:

    /admin/articles/              list (a jetpy.web.grid.Grid: sort, search, filters, CSV, bulk)
    /admin/articles/?add          add
    /admin/articles/?view=5       view item 5
    /admin/articles/?edit=5       edit item 5
    /admin/articles/?delete=5     delete item 5 (a confirmation page, then a POST)

When a query string names several actions, the first of add, edit, view, delete wins. Each
action needs an ACL action of the module (`acl_actions`, declared in its manifest.yaml), so
`self.router.action("delete").url(item)` is None for a user who may not delete (views hide the
link) and the delete URL answers 403. An unknown or malformed id answers 404.

Forms are WTForms forms: a `jetpy.web.forms.Form` class is built with the controller, any other
class as `form_class(formdata, obj=item)`; both need `validate()` and `populate_obj(item)`.
Every POST passes the CSRF check; after a successful one the browser is redirected to the
list with a flash message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from types import MappingProxyType
from typing import Any, ClassVar

from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from jetpy.data.changes import CREATE, DELETE, UPDATE, Snapshot, item_changed, snapshot
from jetpy.errors import JetpyError
from jetpy.kernel.controller import Controller, ControllerRouter
from jetpy.web.grid import MAX_ID, Grid, parse_id
from jetpy.web.grid_page import render_view

log = logging.getLogger("jetpy")
# the query parameters that choose an action, tried in this order; none of them: the list
ACTIONS = ("add", "edit", "view", "delete")


class CrudController(Controller):
    """A controller that lists, adds, edits, shows and deletes items of `model`.

    A module subclasses it, sets `model` and `form_class`, and defines `get_grid()`; the
    other hooks (`load`, `new_item`, `make_form`, `save`, `remove`, `title_of`,
    `view_fields`) have defaults for a mapped class with an integer primary key `id`.
    """

    model: ClassVar[type[Any]]
    form_class: ClassVar[Any] = None  # a WTForms Form class (or anything built alike)
    key: ClassVar[str] = "id"  # the attribute the URLs carry
    max_id: ClassVar[int] = MAX_ID
    # router action → the module's ACL action a user needs for it (None: no check)
    acl_actions: ClassVar[Mapping[str, str | None]] = MappingProxyType(
        {"list": "view", "view": "view", "add": "add", "edit": "edit", "delete": "delete"}
    )
    # headings and page titles, phrases of the module's dictionary; a module names its items:
    # add_title = "Add product", edit_title = "Edit product “%(item)s”"
    add_title: ClassVar[str] = "Add"
    edit_title: ClassVar[str] = "Edit “%(item)s”"
    view_title: ClassVar[str] = "%(item)s"
    delete_title: ClassVar[str] = "Delete %(item)s?"
    form_template: ClassVar[str] = "crud_form.html"
    view_template: ClassVar[str] = "crud_view.html"
    delete_template: ClassVar[str] = "crud_delete.html"

    item: Any = None  # the item of view, edit and delete

    # hooks ----------------------------------------------------------------------------
    def get_grid(self) -> Grid:
        """The list's grid; its `row_actions` default to view, edit and delete links."""
        raise JetpyError(
            f"{type(self).__name__} of module {self.module.name} has no get_grid(); "
            "define it to return a jetpy.web.grid.Grid of the items"
        )

    def load(self, text: str) -> Any | None:
        """The item whose id is `text` (from the URL), or None when there is none."""
        id = parse_id(text, self.max_id)
        return None if id is None else self.db.get(self.model, id)

    def new_item(self) -> Any:
        """A new item for the add form (added to the session by `save`)."""
        return self.model()

    def make_form(self, item: Any) -> Any:
        """The add/edit form: the POSTed values, or the item's on the first GET.

        A `jetpy.web.forms.Form` gets the controller; any other class (a plain WTForms Form) gets
        the POSTed form data and `obj=item`.
        """
        if self.form_class is None:
            raise JetpyError(
                f"{type(self).__name__} of module {self.module.name} has no form_class; "
                "set it to a WTForms Form class (or override make_form())"
            )
        from jetpy.web.forms import Form

        if issubclass(self.form_class, Form):  # it reads the request itself
            return self.form_class(self, obj=item)
        formdata = self.request.form if self.request.method == "POST" else None
        return self.form_class(formdata, obj=item)

    def save(self, item: Any, form: Any) -> None:
        """Copy the valid form into the item and store it."""
        form.populate_obj(item)
        self.db.add(item)
        self.db.flush()  # an error shows here, inside the action, not at commit

    def remove(self, item: Any) -> None:
        """Delete the item."""
        self.db.delete(item)
        self.db.flush()

    def title_of(self, item: Any) -> str:
        """How messages and headings name the item."""
        return str(item)

    def saved_message(self, item: Any, adding: bool) -> str:
        """The message after a save; a module says more (e.g. whether it is published)."""
        name = self.title_of(item)
        # literal phrases, so `jetpy dictionaries collect` finds both
        if adding:
            return self._("Added %(item)s.", item=name)
        return self._("Saved %(item)s.", item=name)

    def view_fields(self, item: Any) -> list[tuple[str, Any]]:
        """(label, value) pairs the view page shows: the grid's columns by default."""
        return [(column.label, column.cell(item)) for column in self.get_grid().columns]

    # routing ----------------------------------------------------------------------------
    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        declared = self.module.acl_actions
        missing = sorted(
            {acl for acl in self.acl_actions.values() if acl is not None} - set(declared)
        )
        if missing:
            raise JetpyError(
                f"{type(self).__name__} of module {self.module.name} needs the ACL actions "
                f"{', '.join(missing)}; declare them under acl_actions in its manifest.yaml"
            )
        args = self.request.args
        router.add_action(
            "add",
            resolver=lambda: "add" in args,
            url_creator=lambda: self.page.url() + "?add",
            acl_action=self.acl_actions.get("add"),
        )
        for name in ACTIONS[1:]:
            router.add_action(
                name,
                resolver=partial(args.__contains__, name),
                url_creator=partial(self.item_url, name),
                acl_action=self.acl_actions.get(name),
            )
        router.add_action(
            "list", url_creator=lambda: self.page.url(), acl_action=self.acl_actions.get("list")
        )
        router.set_default_action("list")
        return router

    def item_url(self, action: str, item: Any) -> str:
        """The URL of `action` (view, edit, delete) for an item (or its id)."""
        return self.page.url(**{action: self.id_of(item)})

    def id_of(self, item: Any) -> Any:
        """The id in an item's URLs; `item` may be the id itself."""
        return item if isinstance(item, int | str) else getattr(item, self.key)

    def require_item(self, action: str) -> Any:
        """The item the action's parameter names; 404 when there is none."""
        text = self.request.args.get(action, "")
        item = self.load(text)
        if item is None:
            raise NotFound(
                self._("There is no item %(id)s here; it may have been deleted.", id=repr(text))
            )
        self.item = item
        return item

    def stored(self, write: Callable[[], None]) -> bool:
        """Run `write` (save, remove) in a savepoint; False when the database refuses it.

        The form checks what it can (a code in use is a field error); a constraint still
        refused here (another request took the same value a moment ago, a row others refer
        to) undoes only this write and is told to the editor, never a 500.
        """
        try:
            with self.db.begin_nested():
                write()
        except IntegrityError as exc:
            log.warning("module %s: the database refused a write: %s", self.module.name, exc.orig)
            message = self._(
                "Not saved: the change conflicts with data stored meanwhile (a value that "
                "must be unique, or a row that others refer to). Check it and try again."
            )
            self.flash(message, "error")
            return False
        return True

    def list_url(self) -> str:
        return self.page.url()

    def record_change(
        self, action: str, item: Any, before: Snapshot | None, label: str | None = None
    ) -> None:
        """Tell the listeners of `data.changed` (an audit log) what a write did to `item`.

        `before` is `jetpy.data.changes.snapshot(item)` taken before the write (None for a new
        item). Called by the add, edit and delete actions; a module's own writing action (a
        password form) calls it too.
        """
        event = item_changed(
            self.ctx, self.module.name, action, item, before, label or self.title_of
        )
        if event is not None:
            self.app.events.emit(event)

    def done(self, message: str) -> Response:
        """After a successful POST: the message on the next page, back to the list."""
        self.flash(message, "success")
        return redirect(self.list_url(), 303)

    def render_crud(self, template: str, **values: Any) -> None:
        """Render a CRUD view of the base (jetpy's default when it has none)."""
        self.output.append(render_view(self, template, {"crud": self, **values}))

    # actions ------------------------------------------------------------------------------
    def list_action(self) -> Response | None:
        grid = self.get_grid()
        if grid.row_actions is None:
            grid.row_actions = self.row_links()
        # None when the user may not add: neither the header nor an empty grid offers it
        add = (self._(self.add_title), self.crud_router.action("add").url())
        return grid.serve(self, toolbar=[add], add=add, title=self.page.title)

    @property
    def crud_router(self) -> ControllerRouter:
        router = self.router
        assert router is not None  # get_router() always gives one
        return router

    def row_links(self) -> Callable[[Any], list[tuple[str, str | None]]]:
        """The view, edit and delete links of a row (only those the user may follow)."""
        labels = {"view": self._("View"), "edit": self._("Edit"), "delete": self._("Delete")}
        # authorized once per list, not once per row
        usable: list[tuple[str, Callable[..., str]]] = []
        for name, label in labels.items():
            action = self.crud_router.action(name)
            if action.url_creator is not None and action.authorized():
                usable.append((label, action.url_creator))

        def links(item: Any) -> list[tuple[str, str | None]]:
            return [(label, url(item)) for label, url in usable]

        return links

    def add_action(self) -> Response | None:
        return self.form_step(self.new_item(), adding=True)

    def edit_action(self) -> Response | None:
        return self.form_step(self.require_item("edit"), adding=False)

    def form_step(self, item: Any, adding: bool) -> Response | None:
        """Show the form; a valid POST saves the item and goes back to the list."""
        form = self.make_form(item)
        if self.request.method == "POST":
            self.check_csrf()
            if form.validate():
                before = None if adding else snapshot(item)
                if self.stored(lambda: self.save(item, form)):
                    self.record_change(CREATE if adding else UPDATE, item, before)
                    return self.done(self.saved_message(item, adding))
        if adding:
            crumb, url = self._(self.add_title), self.page.url() + "?add"
            title = crumb
        else:
            crumb, url = self.title_of(item), self.item_url("edit", item)
            title = self._(self.edit_title, item=crumb)
        self.breadcrumb.add(crumb)
        self.head.title = title
        self.render_crud(self.form_template, form=form, item=item, title=title, action_url=url)
        return None

    def view_action(self) -> None:
        item = self.require_item("view")
        name = self.title_of(item)
        title = self._(self.view_title, item=name)
        self.breadcrumb.add(name)
        self.head.title = title
        self.render_crud(self.view_template, item=item, title=title, fields=self.view_fields(item))

    def delete_action(self) -> Response | None:
        item = self.require_item("delete")
        title = self.title_of(item)
        if self.request.method == "POST":
            self.check_csrf()
            before = snapshot(item)
            if not self.stored(lambda: self.remove(item)):
                return redirect(self.list_url(), 303)
            self.record_change(DELETE, item, before, title)
            return self.done(self._("Deleted %(item)s.", item=title))
        self.breadcrumb.add(title)
        self.head.title = heading = self._(self.delete_title, item=title)
        self.render_crud(self.delete_template, item=item, title=title, heading=heading)
        return None
