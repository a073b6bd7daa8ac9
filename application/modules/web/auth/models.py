"""Visitors of the web base: their accounts (failed logins are counted by jetpy.auth.throttle)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from application.classes.model import Model


def utcnow() -> datetime:
    return datetime.now(UTC)


class Visitor(Model):
    """A visitor's account: it signs in once its e-mail address is confirmed."""

    __tablename__ = "web_visitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored in lower case
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False: blocked by the site
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # raised by a password change: every session and reset link made before it ends
    session_version: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def is_active(self) -> bool:
        """May sign in: not blocked, and the e-mail address is confirmed."""
        return self.active and self.confirmed_at is not None

    @property
    def is_superuser(self) -> bool:
        return False

    def has_privilege(self, kind: str, value: str) -> bool:
        """Visitors have no privileges: every signed-in visitor sees the secret pages."""
        return False

    def __repr__(self) -> str:
        return f"<Visitor {self.id}>"  # neither the address nor the hash
