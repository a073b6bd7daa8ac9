"""Mail the site sends: what modules ask for (mail.requested) and what was sent (mail.queued)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from jetpy import Event


@dataclass(frozen=True)
class MailQueued(Event):
    """A message was sent (SMTP) or written as a file (the outbox backend, development)."""

    event_name: ClassVar[str] = "mail.queued"

    message_id: str
    to: str
    file: str  # the file's name in the outbox folder; empty when sent over SMTP
    cause: str  # the event that led to the message, e.g. `contact.submitted`


@dataclass(frozen=True)
class MailRequested(Event):
    """A module asks for a message made from its own mail templates; mail.outbox sends it.

    `template` is `module.name:template`: the module's views/mail/<template>.<locale>.txt
    (which sets the subject) and .html, rendered with `values` in `locale` (or the site's
    fallback locale). Example: `web.auth:sign_up` with {"name": …, "link": …}.
    """

    event_name: ClassVar[str] = "mail.requested"
    event_version: ClassVar[int] = 2  # 1 carried a finished subject and text

    to: str  # one address, checked by the module that asks
    template: str
    values: dict[str, str]
    locale: str
    cause: str  # what the message is about, e.g. `web.auth.sign_up`
