"""Turn events into mail, sent by jetpy.mail through the backend config.yaml chooses.

The bodies come from this module's templates, views/mail/<name>.<locale>.txt and .html (the
fallback locale when a locale has none). With `mail: {backend: outbox}` (the default, for
development) each message is a file in application/data/outbox/; with `backend: smtp` it goes
to the SMTP server, and a server that refuses or is down raises, so the queue retries it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from application.classes.contact import ContactSubmitted
from application.classes.mail import MailQueued, MailRequested
from jetpy.mail import Mail, OutboxBackend, backend_for, build, render

if TYPE_CHECKING:
    from jetpy import Application

TEMPLATES = Path(__file__).resolve().parent / "views" / "mail"


def outbox_dir(app: Application) -> Path:
    """Where the outbox backend writes messages: the project's data folder, never input."""
    return app.project.app_dir / "data" / "outbox"


def send(app: Application, mail: Mail, cause: str) -> None:
    """Build `mail` (addresses and headers checked), send it, and say so (mail.queued)."""
    message = build(mail, app.config.mail_from)
    backend = backend_for(app.config, app.project.app_dir)
    written = backend.send(message)
    file = written.name if isinstance(backend, OutboxBackend) and written else ""
    app.events.emit(
        MailQueued(message_id=str(message["Message-ID"]), to=mail.to, file=file, cause=cause)
    )


def on_contact_submitted(app: Application, event: ContactSubmitted) -> None:
    """Mail the visitor's message to the site's owner, with Reply-To set to the visitor."""
    context = {
        "name": event.name,
        "email": event.email,
        "message": event.message,
        "sent_at": f"{event.sent_at:%Y-%m-%d %H:%M} UTC",
    }
    mail = render(
        [TEMPLATES],
        "contact",
        event.locale,
        context,
        fallback=app.config.mail_fallback_locale,
        to=event.to,
        reply_to=event.email,
        reply_name=event.name,
    )
    send(app, mail, event.event_name)


def on_mail_requested(app: Application, event: MailRequested) -> None:
    """Mail what another module composed (sign-up confirmation, password reset …)."""
    context = {
        "requested_subject": event.subject,
        "text": event.text,
        "language": event.locale.split("_")[0],
    }
    mail = render([TEMPLATES], "requested", event.locale, context, fallback="en_US", to=event.to)
    send(app, Mail(**{**mail.__dict__, "locale": event.locale}), event.cause)
