"""Making administrators: the checks shared by the CLI and (later) the admin modules."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from application.modules.admin.auth.login.models import Administrator
from jetpy.auth import hash_password, weak_password

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,99}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")


class AdministratorError(ValueError):
    """What is wrong with the data of a new administrator, told to the person typing it."""


def check_new_administrator(db: Session, username: str, email: str, password: str) -> None:
    """Raise AdministratorError naming the first thing wrong with a new administrator."""
    if not USERNAME.fullmatch(username):
        raise AdministratorError(
            "the username must be 2 to 100 letters, digits, `.`, `_` or `-` "
            "(starting with a letter or digit)"
        )
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise AdministratorError(f"`{email}` is not an e-mail address")
    taken = db.scalars(
        select(Administrator).where(
            (func.lower(Administrator.username) == username.lower())
            | (func.lower(Administrator.email) == email.lower())
        )
    ).first()
    if taken is not None:
        which = "username" if taken.username.lower() == username.lower() else "e-mail address"
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
