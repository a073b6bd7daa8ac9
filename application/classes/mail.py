"""Mail the site sends: messages written to the outbox for a mailer to pick up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from jetpy import Event


@dataclass(frozen=True)
class MailQueued(Event):
    """A message was written to the outbox."""

    event_name: ClassVar[str] = "mail.queued"

    message_id: str
    to: str
    file: str  # the file's name in the outbox folder
    cause: str  # the event that led to the message, e.g. `contact.submitted`


@dataclass(frozen=True)
class MailRequested(Event):
    """A module asks for a message to be sent (plain text); mail.outbox queues it."""

    event_name: ClassVar[str] = "mail.requested"

    to: str  # one address, checked by the module that asks
    subject: str
    text: str
    locale: str
    cause: str  # what the message is about, e.g. `web.auth.sign_up`
