"""Administrators of the admin base, their roles and privileges.

Shared by the modules admin.auth.login (sign-in, the auth provider, `jetpy admin create`),
admin.auth.users and admin.auth.roles (their administration): modules never import each
other, so the entities and the checks on them live here, once.
"""

from __future__ import annotations

import re

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from application.classes.model import Model
from jetpy.auth import hash_password, weak_password

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


# making and changing administrators ----------------------------------------------------
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,99}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")


class AdministratorError(ValueError):
    """What is wrong with the data of a new administrator, told to the person typing it."""


def taken_by_another(
    db: Session, username: str, email: str, exclude: int | None = None
) -> str | None:
    """Which of username / e-mail address another administrator has (any case), or None."""
    query = select(Administrator).where(
        (func.lower(Administrator.username) == username.lower())
        | (func.lower(Administrator.email) == email.lower())
    )
    if exclude is not None:
        query = query.where(Administrator.id != exclude)
    taken = db.scalars(query.limit(1)).first()
    if taken is None:
        return None
    return "username" if taken.username.lower() == username.lower() else "e-mail address"


def check_new_administrator(db: Session, username: str, email: str, password: str) -> None:
    """Raise AdministratorError naming the first thing wrong with a new administrator."""
    if not USERNAME.fullmatch(username):
        raise AdministratorError(
            "the username must be 2 to 100 letters, digits, `.`, `_` or `-` "
            "(starting with a letter or digit)"
        )
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise AdministratorError(f"`{email}` is not an e-mail address")
    which = taken_by_another(db, username, email)
    if which is not None:
        raise AdministratorError(f"an administrator with this {which} exists already")
    reason = weak_password(password, personal=(username, email, email.split("@")[0]))
    if reason is not None:
        raise AdministratorError(f"{reason}; choose a longer, less guessable one")


def create_administrator(
    db: Session, username: str, email: str, password: str, *, superuser: bool = False
) -> Administrator:
    """A new active administrator (checked first); the caller commits."""
    check_new_administrator(db, username, email, password)
    administrator = Administrator(
        username=username,
        email=email.lower(),
        password_hash=hash_password(password),
        is_superuser=superuser,
        is_active=True,
        session_version=1,
    )
    db.add(administrator)
    db.flush()
    return administrator


def change_password(db: Session, administrator: Administrator, password: str) -> None:
    """A new password (checked); every session signed in with the old one ends."""
    reason = weak_password(
        password, personal=(administrator.username, administrator.email.split("@")[0])
    )
    if reason is not None:
        raise AdministratorError(f"{reason}; choose a longer, less guessable one")
    administrator.password_hash = hash_password(password)
    administrator.session_version += 1
    db.flush()
