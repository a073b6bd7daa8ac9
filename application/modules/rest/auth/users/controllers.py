"""API users and API roles in the admin base: grids, add/edit forms, and new tokens.

Both pages are `jetpy.web.crud.CrudController`s (`?add`, `?view=ID`, `?edit=ID`, `?delete=ID`):
`/admin/api-users/` (Main: users pick roles; a new bearer token, asked for in the form, is
shown once, on the page answering the POST, and never again: only its hash is stored) and
`/admin/api-roles/` (Roles: roles pick privileges, the REST modules' ACL actions).
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from sqlalchemy import Select, delete, select
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from application.modules.rest.auth.users.models import ApiRole, ApiUser, ApiUserRole
from application.modules.rest.auth.users.users import (
    ApiUserError,
    check_name,
    check_password,
    check_role_name,
    rest_privileges,
)
from jetpy.auth import hash_password
from jetpy.web.crud import CrudController
from jetpy.web.forms import Form
from jetpy.web.grid import Column, Filter, Grid


class ApiUserForm(Form):
    """The fields of an API user; the controller adds the checks that need the database."""

    class Meta:
        id_prefix = "api-user-"

    name = StringField("Name", [InputRequired("Enter the API user's name."), Length(max=100)])
    description = TextAreaField("Description", [Optional(), Length(max=500)])
    is_active = BooleanField("Active", default=True)
    roles = SelectMultipleField(
        "Roles",
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="What the API user may write: what any of its roles grants.",
    )
    new_token = BooleanField(
        "Issue a new bearer token (shown once; the old one stops working)", default=False
    )
    password = PasswordField(
        "New password for HTTP Basic",
        [Optional(), Length(max=1024)],
        description="Empty: the password stays as it is.",
    )
    no_password = BooleanField("Turn HTTP Basic off (remove the password)", default=False)
    check: Callable[[], bool] | None = None  # the controller's checks (name taken …)

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own validators, then the controller's checks."""
        valid = super().validate(extra_validators)
        return (self.check() if self.check is not None else True) and valid


class Main(CrudController):
    """The API users grid and forms."""

    model = ApiUser
    add_title = "Add API user"
    edit_title = "Edit API user “%(item)s”"
    form_class = ApiUserForm

    issued: str | None = None  # a token made by this request: shown once
    saved: ApiUser | None = None

    # the grid --------------------------------------------------------------------------
    def get_grid(self) -> Grid:
        _ = self._
        statement: Select[Any] = select(ApiUser)
        return Grid(
            statement,
            [
                Column("id", "ID"),
                Column("name", _("Name"), searchable=True),
                Column(
                    "is_active",
                    _("Active"),
                    value=lambda user: _("yes") if user.is_active else _("no"),
                ),
                Column(
                    "roles",
                    _("Roles"),
                    sortable=False,
                    value=lambda user: ", ".join(user.role_names),
                ),
                Column(
                    "token_hash",
                    _("Token"),
                    sortable=False,
                    value=lambda user: _("yes") if user.token_hash else _("no"),
                    export=False,
                ),
                Column(
                    "password_hash",
                    _("HTTP Basic"),
                    sortable=False,
                    value=lambda user: _("yes") if user.password_hash else _("no"),
                    export=False,
                ),
            ],
            filters=[
                Filter(
                    "active",
                    _("Active"),
                    [("yes", _("yes")), ("no", _("no"))],
                    where=lambda value: ApiUser.is_active.is_(value == "yes"),
                )
            ],
            sort="name",
            export_filename="api-users",
            empty=_("No API users yet."),
        )

    def title_of(self, item: Any) -> str:
        return str(item.name) if item.name else self._("New API user")

    def view_fields(self, item: Any) -> list[tuple[str, Any]]:
        _ = self._
        known = rest_privileges(self.app.modules)
        return [
            (_("Name"), item.name),
            (_("Description"), item.description),
            (_("Active"), _("yes") if item.is_active else _("no")),
            (_("Roles"), ", ".join(item.role_names)),
            (_("Privileges"), ", ".join(known.get(v, v) for v in item.privilege_values)),
            (_("Token"), _("yes") if item.token_hash else _("no")),
            (_("HTTP Basic"), _("yes") if item.password_hash else _("no")),
        ]

    # the form --------------------------------------------------------------------------
    def new_item(self) -> ApiUser:
        return ApiUser(name="", description="", is_active=True)

    def make_form(self, item: Any) -> ApiUserForm:
        adding = item.id is None
        form = ApiUserForm(self, obj=None if adding else item)
        roles = self.db.scalars(select(ApiRole).order_by(ApiRole.name)).all()
        form.roles.choices = [(str(role.id), role.name) for role in roles]
        if not form.is_submitted:
            form.roles.data = [] if adding else [str(role.id) for role in item.roles]
            form.new_token.data = adding  # a new user gets a token unless unticked
        if adding:
            form.new_token.label.text = form._("Issue a bearer token (shown once)")
            del form.no_password

        def check() -> bool:
            name = (form.name.data or "").strip()
            form.name.data = name
            good = True
            try:
                check_name(self.db, name, item if not adding else None)
            except ApiUserError as error:
                form.name.errors = [*form.name.errors, str(error)]
                good = False
            if form.password.data:
                try:
                    check_password(name, form.password.data)
                except ApiUserError as error:
                    form.password.errors = [*form.password.errors, str(error)]
                    good = False
            return good

        form.check = check
        return form

    def save(self, item: Any, form: Any) -> None:
        item.name = form.name.data
        item.description = form.description.data or ""
        item.is_active = bool(form.is_active.data)
        chosen = {int(value) for value in form.roles.data or []}  # offered choices only
        item.roles = [role for role in self.db.scalars(select(ApiRole)) if role.id in chosen]
        if form.password.data:
            item.password_hash = hash_password(form.password.data)
        elif "no_password" in form and form.no_password.data:
            item.password_hash = None
        if form.new_token.data:
            self.issued = item.issue_token()
        self.db.add(item)
        self.db.flush()
        self.saved = item

    # showing a new token once ------------------------------------------------------------
    def add_action(self) -> Response | None:
        return self.show_token(super().add_action())

    def edit_action(self) -> Response | None:
        return self.show_token(super().edit_action())

    def show_token(self, response: Response | None) -> Response | None:
        """After a save that made a token: a page with it (instead of the redirect)."""
        if self.issued is None or self.saved is None:
            return response
        self.breadcrumb.add(self.saved.name)
        self.render("token.html", user=self.saved, token=self.issued, list_url=self.list_url())
        return None


class ApiRoleForm(Form):
    """The fields of an API role; the controller adds the name check."""

    class Meta:
        id_prefix = "api-role-"

    name = StringField("Name", [InputRequired("Enter the role's name."), Length(max=100)])
    description = TextAreaField("Description", [Optional(), Length(max=500)])
    privileges = SelectMultipleField(
        "Privileges",
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        description="What API users with this role may write: the REST modules' ACL actions.",
    )
    check: Callable[[], bool] | None = None  # the controller's check (name taken)

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own validators, then the controller's check."""
        valid = super().validate(extra_validators)
        return (self.check() if self.check is not None else True) and valid


class Roles(CrudController):
    """The API roles grid and forms (ACL actions `roles_*` of the module)."""

    model = ApiRole
    add_title = "Add API role"
    edit_title = "Edit API role “%(item)s”"
    form_class = ApiRoleForm
    acl_actions = MappingProxyType(
        {
            "list": "roles_view",
            "view": "roles_view",
            "add": "roles_add",
            "edit": "roles_edit",
            "delete": "roles_delete",
        }
    )

    def get_grid(self) -> Grid:
        _ = self._
        statement: Select[Any] = select(ApiRole)
        return Grid(
            statement,
            [
                Column("id", "ID"),
                Column("name", _("Name"), searchable=True),
                Column("description", _("Description"), searchable=True),
                Column(
                    "privileges",
                    _("Privileges"),
                    sortable=False,
                    value=lambda role: ", ".join(role.privilege_values),
                ),
            ],
            sort="name",
            export_filename="api-roles",
            empty=_("No API roles yet."),
        )

    def title_of(self, item: Any) -> str:
        return str(item.name) if item.name else self._("New API role")

    def view_fields(self, item: Any) -> list[tuple[str, Any]]:
        _ = self._
        known = rest_privileges(self.app.modules)
        return [
            (_("Name"), item.name),
            (_("Description"), item.description),
            (_("Privileges"), ", ".join(known.get(v, v) for v in item.privilege_values)),
        ]

    def new_item(self) -> ApiRole:
        return ApiRole(name="", description="")

    def make_form(self, item: Any) -> ApiRoleForm:
        adding = item.id is None
        form = ApiRoleForm(self, obj=None if adding else item)
        known = rest_privileges(self.app.modules)
        form.privileges.choices = [(value, label) for value, label in known.items()]
        if not form.is_submitted:
            form.privileges.data = [] if adding else item.privilege_values

        def check() -> bool:
            name = (form.name.data or "").strip()
            form.name.data = name
            try:
                check_role_name(self.db, name, item if not adding else None)
            except ApiUserError as error:
                form.name.errors = [*form.name.errors, str(error)]
                return False
            return True

        form.check = check
        return form

    def save(self, item: Any, form: Any) -> None:
        item.name = form.name.data
        item.description = form.description.data or ""
        item.set_privileges(list(form.privileges.data or []))
        self.db.add(item)
        self.db.flush()

    def remove(self, item: Any) -> None:
        # its users lose the role (the ORM does not know this side of the link table)
        self.db.execute(delete(ApiUserRole).where(ApiUserRole.api_role_id == item.id))
        super().remove(item)
