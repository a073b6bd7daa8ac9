"""Administrators in the admin base: a grid, add, edit, a new password, delete.

The page (`/admin/users/`) is a `jetpy.web.crud.CrudController`: `?add`, `?view=ID`, `?edit=ID`,
`?delete=ID`, `?password=ID` and `?sign_out=ID` (both ACL action `password`). A new password
signs the administrator out of every other session, "sign out everywhere" out of all of them;
nobody deletes or deactivates themselves; only a superuser makes superusers or edits, sets the
password of, signs out or deletes one.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Select, select
from werkzeug.exceptions import Forbidden
from werkzeug.wrappers import Response
from wtforms import BooleanField, Field, PasswordField, SelectMultipleField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from application.classes.admin_users import (
    EMAIL,
    USERNAME,
    Administrator,
    Role,
    taken_by_another,
)
from jetpy.auth import SessionAuth, hash_password, weak_password
from jetpy.data.changes import UPDATE, snapshot
from jetpy.kernel.controller import ControllerRouter
from jetpy.web.crud import CrudController
from jetpy.web.forms import Form
from jetpy.web.grid import Column, Filter, Grid


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EditForm(Form):
    """Who the administrator is and what they may do."""

    class Meta:
        id_prefix = "user-"

    username = StringField("Username", [InputRequired("Enter the username."), Length(max=100)])
    email = StringField("E-mail", [InputRequired("Enter the e-mail address."), Length(max=254)])
    is_active = BooleanField("Active", default=True)
    is_superuser = BooleanField("Superuser")
    role_ids = CheckboxesField("Roles", coerce=int, choices=[])

    is_me: bool = False  # the signed-in administrator edits themselves
    # set by the controller for a non-superuser: the roles they may give (None: any)
    grantable_role_ids: set[int] | None = None
    check_unique: Any = None  # set by the controller: (username, email) → "username" … or None

    def validate_username(self, field: Field) -> None:
        if not USERNAME.fullmatch(field.data or ""):
            raise ValidationError(
                self._("2 to 100 letters, digits, ., _ or - (starting with a letter or digit).")
            )
        if self.check_unique is not None and self.check_unique() == "username":
            raise ValidationError(self._("Another administrator has this username."))

    def validate_email(self, field: Field) -> None:
        if not EMAIL.fullmatch((field.data or "").strip()):
            raise ValidationError(self._("This is not an e-mail address."))
        if self.check_unique is not None and self.check_unique() == "e-mail address":
            raise ValidationError(self._("Another administrator has this e-mail address."))

    def validate_role_ids(self, field: Field) -> None:
        allowed = self.grantable_role_ids
        if allowed is not None and set(field.data or []) - allowed:
            # else anyone who may edit administrators could give themselves any privilege
            raise ValidationError(
                self._("You may only give roles whose privileges you have yourself.")
            )

    def validate_is_active(self, field: Field) -> None:
        if self.is_me and not field.data:  # they would be signed out, perhaps the last one
            raise ValidationError(self._("You cannot deactivate yourself."))


class PasswordForm(Form):
    """A new password, typed twice; weak ones are refused."""

    class Meta:
        id_prefix = "user-"

    password = PasswordField("Password", [InputRequired("Enter the password.")])
    password_again = PasswordField(
        "Repeat the password", [EqualTo("password", "The passwords differ.")]
    )
    personal: tuple[str, ...] = ()  # the username and e-mail: not in the password

    def validate_password(self, field: Field) -> None:
        reason = weak_password(field.data or "", personal=self.personal)
        if reason is not None:
            raise ValidationError(reason[0].upper() + reason[1:] + ".")


class AddForm(EditForm, PasswordForm):
    """A new administrator: the edit fields and a password."""

    class Meta:
        id_prefix = "user-"

    def validate_password(self, field: Field) -> None:
        email = (self.email.data or "").strip()
        self.personal = (self.username.data or "", email, email.split("@")[0])
        super().validate_password(field)


class Main(CrudController):
    """The administrators grid and forms."""

    model = Administrator
    add_title = "Add administrator"
    edit_title = "Edit administrator “%(item)s”"
    acl_actions: ClassVar[dict[str, str | None]] = {
        **CrudController.acl_actions,
        "password": "password",
        "sign_out": "password",  # ending someone's sessions: as sensitive as their password
    }

    # the grid --------------------------------------------------------------------------
    def get_grid(self) -> Grid:
        _ = self._
        statement: Select[Any] = select(Administrator)
        yes_no = [(True, _("yes")), (False, _("no"))]
        return Grid(
            statement,
            [
                Column("id", "ID"),
                Column("username", _("Username"), searchable=True),
                Column("email", _("E-mail"), searchable=True),
                Column(
                    "is_active",
                    _("Active"),
                    value=lambda user: _("yes") if user.is_active else _("no"),
                ),
                Column(
                    "is_superuser",
                    _("Superuser"),
                    value=lambda user: _("yes") if user.is_superuser else _("no"),
                ),
                Column(
                    "roles",
                    _("Roles"),
                    sortable=False,
                    value=lambda user: ", ".join(sorted(role.name for role in user.roles)),
                ),
            ],
            filters=[
                Filter("is_active", _("Active"), yes_no),
                Filter("is_superuser", _("Superuser"), yes_no),
            ],
            sort="username",
            export_filename="administrators",
            empty=_("No administrators yet."),
        )

    def title_of(self, item: Any) -> str:
        return str(item.username) if item.username else self._("Administrator")

    # routing: the CRUD actions and `?password=ID` ----------------------------------------
    def get_router(self) -> ControllerRouter:
        router = super().get_router()
        args = self.request.args
        router.add_action(
            "password",
            resolver=lambda: "password" in args,
            url_creator=lambda item: self.item_url("password", item),
            acl_action=self.acl_actions["password"],
        )
        router.add_action(
            "sign_out",
            resolver=lambda: "sign_out" in args,
            url_creator=lambda item: self.item_url("sign_out", item),
            acl_action=self.acl_actions["sign_out"],
        )
        return router

    def row_links(self) -> Any:
        links = super().row_links()
        action = self.crud_router.action("password")
        if not action.authorized():
            return links
        label = self._("Set the password")
        sign_out = self._("Sign out everywhere")

        def with_password(item: Any) -> list[tuple[str, str | None]]:
            return [
                *links(item),
                (label, self.item_url("password", item)),
                (sign_out, self.item_url("sign_out", item)),
            ]

        return with_password

    # forms -----------------------------------------------------------------------------
    @property
    def me(self) -> Any:
        auth = self.ctx.auth
        return auth.current_user(self.ctx) if isinstance(auth, SessionAuth) else None

    def make_form(self, item: Any) -> EditForm:
        adding = item.id is None
        data: dict[str, Any] | None = None
        if self.request.method != "POST":
            data = {"role_ids": [role.id for role in item.roles]}
            if adding:
                data.update(is_active=True)
        form_class = AddForm if adding else EditForm
        form = form_class(self, obj=None if adding else item, data=data)
        roles = self.db.scalars(select(Role).order_by(Role.name)).all()
        form.role_ids.choices = [(role.id, role.name) for role in roles]
        me = self.me
        form.is_me = me is not None and item.id is not None and item.id == me.id
        if me is None or not me.is_superuser:
            del form.is_superuser  # only a superuser makes superusers
            # the roles the item has may stay; new ones only when they grant nothing more
            form.grantable_role_ids = {role.id for role in item.roles} | {
                role.id
                for role in roles
                if me is not None
                and all(me.has_privilege(p.kind, p.value) for p in role.privileges)
            }

        def check_unique() -> str | None:
            return taken_by_another(
                self.db, form.username.data or "", (form.email.data or "").strip(), item.id
            )

        form.check_unique = check_unique
        return form

    def save(self, item: Any, form: Any) -> None:
        item.username = form.username.data.strip()
        item.email = form.email.data.strip().lower()
        item.is_active = bool(form.is_active.data)
        if "is_superuser" in form:
            item.is_superuser = bool(form.is_superuser.data)
        elif item.is_superuser is None:
            item.is_superuser = False
        chosen = set(form.role_ids.data or [])
        item.roles = list(self.db.scalars(select(Role).where(Role.id.in_(chosen))).all())
        if item.id is None:
            item.password_hash = hash_password(form.password.data)
            item.session_version = 1
            self.db.add(item)
        self.db.flush()

    def require_item(self, action: str) -> Any:
        """The item; a superuser is edited, given a password or deleted by superusers only."""
        item = super().require_item(action)
        me = self.me
        if action != "view" and item.is_superuser and (me is None or not me.is_superuser):
            raise Forbidden()
        return item

    # the password ----------------------------------------------------------------------
    def password_action(self) -> Response | None:
        item = self.require_item("password")
        form = PasswordForm(self)
        form.personal = (item.username, item.email, item.email.split("@")[0])
        title = self._("New password of %(item)s", item=item.username)
        if self.request.method == "POST":
            self.check_csrf()
            if form.validate():
                auth = self.ctx.auth
                if not isinstance(auth, SessionAuth):
                    raise Forbidden()
                # a new hash, the session version raised: every other session of theirs ends
                before = snapshot(item)
                auth.set_password(self.ctx, item, form.password.data or "")
                self.db.flush()
                self.record_change(UPDATE, item, before)  # the hash recorded as "(secret)"
                return self.done(
                    self._(
                        "The password of %(item)s was changed; their other sessions have ended.",
                        item=item.username,
                    )
                )
        self.breadcrumb.add(title)
        url = self.item_url("password", item)
        self.render_crud(self.form_template, form=form, item=item, title=title, action_url=url)
        return None

    # sign out everywhere: every session of the administrator ends ------------------------
    def sign_out_action(self) -> Response | None:
        item = self.require_item("sign_out")
        if self.request.method == "POST":
            self.check_csrf()
            auth = self.ctx.auth
            if not isinstance(auth, SessionAuth):
                raise Forbidden()
            auth.sign_out_everywhere(self.ctx, item)  # yours too when it is you
            self.db.flush()
            return self.done(self._("Every session of %(item)s has ended.", item=item.username))
        title = self._("Sign %(item)s out everywhere?", item=item.username)
        self.breadcrumb.add(title)
        self.head.title = title
        url = self.item_url("sign_out", item)
        self.render("sign_out.html", item=item, title=title, action_url=url, back=self.list_url())
        return None

    # delete: never yourself --------------------------------------------------------------
    def delete_action(self) -> Response | None:
        item = self.require_item("delete")
        me = self.me
        if me is not None and item.id == me.id:
            self.flash(self._("You cannot delete yourself."), "error")
            return Response(status=303, headers={"Location": self.list_url()})
        return super().delete_action()
