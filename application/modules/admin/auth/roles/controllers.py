"""Roles of the admin base: a grid, and add/edit forms with the privileges as checkboxes.

The page (`/admin/roles/`) is a `jetpy.web.crud.CrudController`: `?add`, `?view=ID`, `?edit=ID`,
`?delete=ID`. A role's privileges are picked from what exists: the pages of the admin base
(`visit_page` + page id) and the ACL actions of the active modules (`module_action` +
`module:acl_action`). A value that is not offered is refused by the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, delete, func, select
from wtforms import Field, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from application.classes.admin_users import MODULE_ACTION, VISIT_PAGE, AdministratorRole, Role
from jetpy.auth import SessionAuth
from jetpy.rest import RestController
from jetpy.web.crud import CrudController
from jetpy.web.forms import Form
from jetpy.web.grid import Column, Grid

if TYPE_CHECKING:
    from jetpy.modules.discovery import Module


HOMEPAGE = "_homepage_"  # the dashboard: first among the pages


def is_rest_module(module: Module) -> bool:
    """Whether the module answers the REST API (its ACL actions are API privileges)."""
    return any(issubclass(controller, RestController) for controller in module.controllers.values())


@dataclass(frozen=True)
class Group:
    """Privileges shown together: the admin pages, or one module's ACL actions."""

    index: int
    label: str
    choices: list[tuple[str, str]]  # (`kind:value`, label)


class RoleForm(Form):
    """A role's name, description and privileges (`kind:value` strings)."""

    class Meta:
        id_prefix = "role-"

    name = StringField("Name", [InputRequired("Enter the name."), Length(max=100)])
    description = StringField("Description", [Length(max=500)])
    privileges = SelectMultipleField("Privileges", choices=[])

    name_taken: Any = None  # set by the controller: name → whether another role has it
    # set by the controller for a non-superuser: the privileges they may give (None: any)
    grantable: set[str] | None = None

    def validate_name(self, field: Field) -> None:
        if self.name_taken is not None and self.name_taken((field.data or "").strip()):
            raise ValidationError(self._("Another role has this name."))

    def validate_privileges(self, field: Field) -> None:
        if self.grantable is not None and set(field.data or []) - self.grantable:
            # else anyone who may edit roles could give their own role any privilege
            raise ValidationError(self._("You may only give privileges you have yourself."))


class Main(CrudController):
    """The roles grid and forms."""

    model = Role
    add_title = "Add role"
    edit_title = "Edit role “%(item)s”"
    form_template = "admin.auth.roles/form.html"

    # the grid --------------------------------------------------------------------------
    def get_grid(self) -> Grid:
        _ = self._
        statement: Select[Any] = select(Role)
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
                    value=lambda role: len(role.privileges),
                ),
            ],
            sort="name",
            export_filename="roles",
            empty=_("No roles yet."),
        )

    def title_of(self, item: Any) -> str:
        return str(item.name) if item.name else self._("Role")

    def view_fields(self, item: Any) -> list[tuple[str, Any]]:
        labels = {value: label for group in self.groups() for value, label in group.choices}
        granted = sorted(f"{p.kind}:{p.value}" for p in item.privileges)
        return [
            (self._("Name"), item.name),
            (self._("Description"), item.description),
            (self._("Privileges"), ", ".join(labels.get(value, value) for value in granted)),
        ]

    # the privileges on offer -------------------------------------------------------------
    def groups(self) -> list[Group]:
        """The admin base's pages by title, then each module's ACL actions under its label.

        The ACL actions of REST modules are left out: they are privileges of API roles
        (/admin/api-roles/), which an administrator's role cannot use.
        """
        pages: dict[str, str] = {}
        for (base, locale), tree in self.app.trees.items():
            if base != self.base.id:
                continue
            for page_id, page in tree.by_id.items():
                # this locale's title wins; another locale's names a page this one lacks
                if locale == self.locale.name or page_id not in pages:
                    pages[page_id] = page.title or page_id
        by_title = sorted(pages.items(), key=lambda item: (item[0] != HOMEPAGE, item[1].lower()))
        groups = [
            Group(
                1,
                self._("Pages of the administration"),
                [(f"{VISIT_PAGE}:{id}", title) for id, title in by_title],
            )
        ]
        modules = self.app.modules
        for name, actions in sorted(self.app.acl_actions.items()):
            module = modules.get(name)
            if module is not None and is_rest_module(module):
                continue
            choices = [
                (f"{MODULE_ACTION}:{name}:{action}", self._(text))
                for action, text in actions.items()
            ]
            label = (module.label if module is not None else "") or name
            groups.append(Group(len(groups) + 1, self._(label), choices))
        return groups

    # forms -----------------------------------------------------------------------------
    def make_form(self, item: Any) -> RoleForm:
        data: dict[str, Any] | None = None
        if self.request.method != "POST":  # not obj=item: its `privileges` are objects
            data = {
                "name": item.name,
                "description": item.description,
                "privileges": [f"{p.kind}:{p.value}" for p in item.privileges],
            }
        form = RoleForm(self, data=data)
        form.privileges.choices = [c for group in self.groups() for c in group.choices]
        auth = self.ctx.auth
        me = auth.current_user(self.ctx) if isinstance(auth, SessionAuth) else None
        if me is None or not me.is_superuser:
            # what the role has may stay; new privileges only those the user has
            form.grantable = {f"{p.kind}:{p.value}" for p in item.privileges} | {
                value
                for value, _ in form.privileges.choices
                if me is not None and me.has_privilege(*value.split(":", 1))
            }

        def name_taken(name: str) -> bool:
            same = func.lower(Role.name) == name.lower()
            query = select(func.count()).select_from(Role).where(same)
            if item.id is not None:
                query = query.where(Role.id != item.id)
            return bool(self.db.scalar(query))

        form.name_taken = name_taken
        return form

    def render_crud(self, template: str, **values: Any) -> None:
        super().render_crud(template, groups=self.groups(), **values)

    def save(self, item: Any, form: Any) -> None:
        item.name = form.name.data.strip()
        item.description = (form.description.data or "").strip()
        chosen = {tuple(value.split(":", 1)) for value in form.privileges.data or []}
        for privilege in list(item.privileges):
            if (privilege.kind, privilege.value) not in chosen:
                item.privileges.remove(privilege)
        for kind, value in sorted(chosen):
            item.grant(kind, value)
        self.db.add(item)
        self.db.flush()

    def remove(self, item: Any) -> None:
        # the administrators lose the role (the foreign key cascades too; this is explicit)
        self.db.execute(delete(AdministratorRole).where(AdministratorRole.role_id == item.id))
        self.db.delete(item)
        self.db.flush()
