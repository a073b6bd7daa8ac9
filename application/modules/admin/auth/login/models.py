"""Administrators, roles and their privileges, and failed logins (for the throttle)."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from application.classes.model import Model

VISIT_PAGE = "visit_page"  # value: a page id of the admin base
MODULE_ACTION = "module_action"  # value: `module:acl_action`
PRIVILEGE_KINDS = (VISIT_PAGE, MODULE_ACTION)


class AdministratorRole(Model):
    """An administrator has a role (a model, not a bare Table, so the module owns the table)."""

    __tablename__ = "admin_administrator_roles"

    administrator_id: Mapped[int] = mapped_column(
        ForeignKey("admin_administrators.id", ondelete="CASCADE"), primary_key=True
    )
    role_id: Mapped[int] = mapped_column(
        ForeignKey("admin_roles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Role(Model):
    """A named set of privileges given to administrators."""

    __tablename__ = "admin_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    privileges: Mapped[list[RolePrivilege]] = relationship(
        back_populates="role", cascade="all, delete-orphan", lazy="selectin"
    )

    def grant(self, kind: str, value: str) -> None:
        """Add a privilege (`visit_page` + page id, `module_action` + `module:acl_action`)."""
        if kind not in PRIVILEGE_KINDS:
            raise ValueError(f"unknown privilege kind {kind!r}; use one of {PRIVILEGE_KINDS}")
        if not any(p.kind == kind and p.value == value for p in self.privileges):
            self.privileges.append(RolePrivilege(kind=kind, value=value))


class RolePrivilege(Model):
    """One privilege of a role."""

    __tablename__ = "admin_role_privileges"
    __table_args__ = (UniqueConstraint("role_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("admin_roles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = relationship(back_populates="privileges")


class Administrator(Model):
    """Someone who signs in to the admin base."""

    __tablename__ = "admin_administrators"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # raised by a password change: every session signed in before it ends
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    roles: Mapped[list[Role]] = relationship(secondary="admin_administrator_roles", lazy="selectin")

    def has_privilege(self, kind: str, value: str) -> bool:
        """Whether one of the administrator's roles grants the privilege."""
        granted: set[tuple[str, str]] | None = self.__dict__.get("_granted")
        if granted is None:  # once per loaded object: menus ask for many pages
            granted = {(p.kind, p.value) for role in self.roles for p in role.privileges}
            self.__dict__["_granted"] = granted
        return (kind, value) in granted

    def __repr__(self) -> str:
        return f"<Administrator {self.id} {self.username}>"  # never the hash


class LoginFailure(Model):
    """A failed login, counted by the throttle (keys are hashes of the name and address)."""

    __tablename__ = "admin_login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[float] = mapped_column(Float)
