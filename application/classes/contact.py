"""Messages sent through the site's contact form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from jetpy import Event


@dataclass(frozen=True)
class ContactSubmitted(Event):
    """A visitor sent the contact form; the values are validated, not yet escaped."""

    event_name: ClassVar[str] = "contact.submitted"

    name: str
    email: str
    message: str
    to: str  # where the site wants such messages: a page parameter, never visitor input
    locale: str
    sent_at: datetime
