"""Making API users, API roles and the privileges roles may grant: for the CLI and the admin."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from application.modules.rest.auth.users.models import ApiRole, ApiUser
from jetpy.auth import hash_password, weak_password
from jetpy.modules.discovery import Module
from jetpy.rest import RestController

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,99}")


class ApiUserError(ValueError):
    """What is wrong with the data of an API user or role, told to the person typing it."""


def rest_privileges(modules: Mapping[str, Module]) -> dict[str, str]:
    """`module:acl_action` → label for every ACL action of the active REST modules."""
    found: dict[str, str] = {}
    for module in sorted(modules.values(), key=lambda m: m.name):
        rest = any(issubclass(c, RestController) for c in module.controllers.values())
        if module.active and rest:
            for action, label in module.acl_actions.items():
                found[f"{module.name}:{action}"] = f"{module.label or module.name}: {label}"
    return found


def check_name(db: Session, name: str, user: ApiUser | None = None) -> None:
    """Raise ApiUserError when `name` is malformed or taken by another API user."""
    if not NAME.fullmatch(name):
        raise ApiUserError(
            "the name must be 2 to 100 letters, digits, `.`, `_` or `-` "
            "(starting with a letter or digit)"
        )
    query = select(ApiUser.id).where(func.lower(ApiUser.name) == name.lower())
    if user is not None and user.id is not None:
        query = query.where(ApiUser.id != user.id)
    if db.scalars(query).first() is not None:
        raise ApiUserError(f"an API user named {name} exists already")


def check_password(name: str, password: str) -> None:
    """Raise ApiUserError when `password` is too weak for HTTP Basic."""
    reason = weak_password(password, personal=(name,))
    if reason is not None:
        raise ApiUserError(f"{reason}; choose a longer, less guessable one")


def check_privileges(values: Iterable[str], known: Mapping[str, str]) -> list[str]:
    """The privileges, each checked against `known` (see `rest_privileges`)."""
    chosen = sorted(set(values))
    unknown = [value for value in chosen if value not in known]
    if unknown:
        raise ApiUserError(
            f"unknown privilege {', '.join(unknown)}; use `module:acl_action` of a REST module: "
            + ", ".join(known)
        )
    return chosen


def check_role_name(db: Session, name: str, role: ApiRole | None = None) -> None:
    """Raise ApiUserError when `name` is empty, too long or taken by another API role."""
    if not name or len(name) > 100:
        raise ApiUserError("the role name must be 1 to 100 characters")
    query = select(ApiRole.id).where(func.lower(ApiRole.name) == name.lower())
    if role is not None and role.id is not None:
        query = query.where(ApiRole.id != role.id)
    if db.scalars(query).first() is not None:
        raise ApiUserError(f"an API role named {name} exists already")


def find_roles(db: Session, names: Iterable[str]) -> list[ApiRole]:
    """The API roles of these names (not case-sensitive); ApiUserError names the missing ones."""
    wanted = sorted({name.strip() for name in names})
    found: list[ApiRole] = []
    missing: list[str] = []
    for name in wanted:
        role = db.scalars(select(ApiRole).where(func.lower(ApiRole.name) == name.lower())).first()
        if role is None:
            missing.append(name)
        else:
            found.append(role)
    if missing:
        there = ", ".join(db.scalars(select(ApiRole.name).order_by(ApiRole.name))) or "none yet"
        raise ApiUserError(
            f"there is no API role {', '.join(missing)} (roles: {there}; "
            "make one with `jetpy api-role create NAME --grant MODULE:ACTION`)"
        )
    return found


def create_api_role(
    db: Session,
    name: str,
    *,
    known: Mapping[str, str],
    privileges: Iterable[str] = (),
    description: str = "",
) -> ApiRole:
    """A new API role granting `privileges` (checked against `known`); the caller commits."""
    check_role_name(db, name)
    chosen = check_privileges(privileges, known)
    role = ApiRole(name=name, description=description)
    role.set_privileges(chosen)
    db.add(role)
    db.flush()
    return role


def create_api_user(
    db: Session,
    name: str,
    *,
    roles: Iterable[str] = (),
    password: str | None = None,
    token: bool = True,
) -> tuple[ApiUser, str | None]:
    """A new active API user with the named roles and its bearer token (None without `token`).

    The caller commits.
    """
    check_name(db, name)
    chosen = find_roles(db, roles)
    if password is not None:
        check_password(name, password)
    user = ApiUser(name=name, description="", is_active=True)
    user.password_hash = hash_password(password) if password is not None else None
    issued = user.issue_token() if token else None
    user.roles = chosen
    db.add(user)
    db.flush()
    return user, issued
