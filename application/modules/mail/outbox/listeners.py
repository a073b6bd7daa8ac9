"""Turn events into mail, sent by jetpy.mail through the backend config.yaml chooses.

The listeners run on the queue `mail` (manifest.yaml): a worker (`jetpy worker`) sends, and a
failure is retried with backoff, then kept in the queue's dead letters; with the example's
`queue: {broker: inline}` they run in the web process right after the request's commit.

The bodies come from templates, views/mail/<name>.<locale>.txt (which sets the subject) and
.html, in the event's locale or the fallback locale: this module's own for the contact form,
the asking module's for `mail.requested` (web.auth's sign-up and reset mails). HTML ones
extend `_layout.html`, the site's mail frame in this module's folder (a module's own wins).

With `mail: {backend: outbox}` (development) each message is a file in
application/data/outbox/; with `backend: smtp` it goes to the SMTP server: one that is down
or says "later" raises MailDeliveryError (retried), a refusal for good raises MailRefused
(dead letters at once).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from application.classes.contact import ContactSubmitted
from application.classes.mail import MailQueued, MailRequested
from jetpy.mail import Mail, MailError, OutboxBackend, backend_for, build, render

if TYPE_CHECKING:
    from jetpy import Application

TEMPLATES = Path(__file__).resolve().parent / "views" / "mail"
TEMPLATE_NAME = re.compile(
    r"(?P<module>[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*):(?P<name>[a-z0-9_]+)"
)


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


def templates_of(app: Application, template: str) -> tuple[Path, str]:
    """The views/mail folder and the template's name of `module.name:template`, else MailError."""
    found = TEMPLATE_NAME.fullmatch(template)
    module = app.modules.get(found["module"]) if found else None
    if found is None or module is None or not module.active:
        raise MailError(
            f"mail.requested: {template!r} names no template of an activated module; "
            "write `module.name:template` (e.g. `web.auth:sign_up`)"
        )
    return module.dir / "views" / "mail", found["name"]


def on_mail_requested(app: Application, event: MailRequested) -> None:
    """Mail what another module asked for, made from that module's own templates."""
    folder, name = templates_of(app, event.template)
    mail = render(
        [folder, TEMPLATES],  # the module's own first; the site's frame (_layout.html) here
        name,
        event.locale,
        event.values,
        fallback=app.config.mail_fallback_locale,
        to=event.to,
    )
    send(app, mail, event.cause)
