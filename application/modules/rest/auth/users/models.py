"""API users of the rest base and their roles (with privileges)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from application.classes.model import Model

TOKEN_PREFIX = "jpy_"  # tells a jetpy token from other secrets (e.g. in a secret scanner)


def token_hash(token: str) -> str:
    """What is stored of a bearer token: its SHA-256 (a random token needs no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random bearer token (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiRolePrivilege(Model):
    """One privilege of an API role: `module:acl_action` of a REST module."""

    __tablename__ = "rest_api_role_privileges"
    __table_args__ = (UniqueConstraint("api_role_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_role_id: Mapped[int] = mapped_column(ForeignKey("rest_api_roles.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(200))


class ApiRole(Model):
    """A named set of REST privileges that API users are given."""

    __tablename__ = "rest_api_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    privileges: Mapped[list[ApiRolePrivilege]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=ApiRolePrivilege.value
    )

    @property
    def privilege_values(self) -> list[str]:
        """The role's privileges as `module:acl_action` texts."""
        return [privilege.value for privilege in self.privileges]

    def set_privileges(self, values: list[str]) -> None:
        """Exactly these `module:acl_action` privileges (kept rows stay, others go)."""
        wanted = set(values)
        self.privileges[:] = [p for p in self.privileges if p.value in wanted]
        have = {p.value for p in self.privileges}
        for value in sorted(wanted - have):
            self.privileges.append(ApiRolePrivilege(value=value))

    def __repr__(self) -> str:
        return f"<ApiRole {self.id} {self.name}>"


class ApiUserRole(Model):
    """An API user has a role (the many-to-many table)."""

    __tablename__ = "rest_api_user_roles"

    api_user_id: Mapped[int] = mapped_column(
        ForeignKey("rest_api_users.id", ondelete="CASCADE"), primary_key=True
    )
    api_role_id: Mapped[int] = mapped_column(
        ForeignKey("rest_api_roles.id", ondelete="CASCADE"), primary_key=True
    )


class ApiUser(Model):
    """A program (or person) using the REST API: by a bearer token or by HTTP Basic."""

    __tablename__ = "rest_api_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # SHA-256 of the bearer token (the token itself is shown once and never stored)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # scrypt hash of the HTTP Basic password; None: HTTP Basic is off for this user
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    roles: Mapped[list[ApiRole]] = relationship(
        secondary="rest_api_user_roles", lazy="selectin", order_by=ApiRole.name
    )

    @property
    def role_names(self) -> list[str]:
        """The names of the user's roles."""
        return [role.name for role in self.roles]

    @property
    def privilege_values(self) -> list[str]:
        """Every `module:acl_action` that any of the user's roles grants."""
        return sorted({value for role in self.roles for value in role.privilege_values})

    def issue_token(self) -> str:
        """A new bearer token for this user (the old one stops working); show it once."""
        token = new_token()
        self.token_hash = token_hash(token)
        return token

    def __repr__(self) -> str:
        return f"<ApiUser {self.id} {self.name}>"  # never a hash
