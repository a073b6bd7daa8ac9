"""Turn events into mail: one RFC 822 message file per mail in application/data/outbox/.

A mailer (cron, a queue worker) sends the files and removes them; writing a file is atomic,
so it never picks up half a message.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from application.classes.contact import ContactSubmitted
from application.classes.mail import MailQueued, MailRequested

if TYPE_CHECKING:
    from jetpy import Application

SENDER = Address("Jetpy Example website", "website", "example.com")


def outbox_dir(app: Application) -> Path:
    """Where queued messages go: the project's data folder, never a path from input."""
    return app.project.app_dir / "data" / "outbox"


def on_contact_submitted(app: Application, event: ContactSubmitted) -> None:
    """Queue the visitor's message for the site's owner, with Reply-To set to the visitor."""
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = event.to
    message["Reply-To"] = Address(display_name=event.name, addr_spec=event.email)
    message["Subject"] = f"Contact form: {event.name}"
    message["Date"] = format_datetime(event.sent_at)
    message["Message-ID"] = make_msgid(domain=SENDER.domain)
    message["X-Jetpy-Locale"] = event.locale
    message.set_content(event.message + "\n")
    name = f"{event.sent_at:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.eml"
    write_atomically(outbox_dir(app) / name, bytes(message))
    app.events.emit(
        MailQueued(
            message_id=str(message["Message-ID"]),
            to=event.to,
            file=name,
            cause=event.event_name,
        )
    )


def on_mail_requested(app: Application, event: MailRequested) -> None:
    """Queue a message another module asked for (sign-up confirmation, password reset …)."""
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = event.to
    message["Subject"] = event.subject
    now = datetime.now(UTC)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=SENDER.domain)
    message["X-Jetpy-Locale"] = event.locale
    message.set_content(event.text + "\n")
    name = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}.eml"
    write_atomically(outbox_dir(app) / name, bytes(message))
    app.events.emit(
        MailQueued(message_id=str(message["Message-ID"]), to=event.to, file=name, cause=event.cause)
    )


def write_atomically(target: Path, data: bytes) -> None:
    """Write a new file: complete, or not at all (a mailer never sees half a message)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
