"""Mail that leaves: messages from per-locale templates, sent over SMTP or written to a folder.

- **Templates** are Jinja2 files of a module, `views/mail/<name>.<locale>.txt` (required) and
  `.html` (optional), with the site's fallback locale (`mail.fallback_locale`) for a locale
  that has none. The text template sets the subject: `{% set subject = "..." %}`. The HTML
  template is autoescaped; the text one is not (it is plain text, never HTML).
- **Headers cannot be injected**: a subject, name or address with CR, LF or NUL is refused
  (MailError), and every address is checked (one `local@domain`, with an optional name).
- **Backends** (config.yaml `mail: {backend: ...}`): `outbox` (the default, for development)
  writes one RFC 822 file per message into application/data/outbox/; `smtp` sends to the
  configured server (`tls: starttls | ssl | none`, `username`, the password from the
  environment variable JETPY_MAIL_PASSWORD or `password`).
- **Failures say whether to try again** (their `retry` attribute, which jetpy.queue.worker
  reads): a server that cannot be reached or answers 4xx (busy, greylisting) raises
  MailDeliveryError, and the queue retries the message with backoff; a 5xx refusal (no such
  mailbox, a bad address, a rejected login) raises MailRefused, and a message that cannot be
  built (MailError: a bad address, a missing template) fails the same way every time: both go
  to the queue's dead letters at once, from where `jetpy queues retry` sends them again once
  the cause is fixed.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from jetpy.errors import JetpyError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from jetpy.definitions.config import Config

__all__ = [
    "Mail",
    "MailDeliveryError",
    "MailError",
    "MailRefused",
    "OutboxBackend",
    "SmtpBackend",
    "backend_for",
    "build",
    "check_address",
    "check_header",
    "destination",
    "render",
]

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"({_LOCAL})@({_LABEL}(?:\.{_LABEL})*)")
_NAMED = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<address>[^<>]+)>")
_FORBIDDEN = re.compile(r"[\r\n\x00]")
_DEFAULT_PORT = {"none": 25, "starttls": 587, "ssl": 465}


class MailError(JetpyError):
    """A message that must not be sent as it is: a bad address, CR/LF in a header, no template."""

    retry = False  # it would fail the same way again


class MailDeliveryError(JetpyError):
    """The message did not leave: the server could not be reached or said "later" (4xx)."""

    retry = True  # worth trying again later


class MailRefused(MailDeliveryError):
    """The server refused the message for good (a 5xx answer): trying again will not help."""

    retry = False


def check_header(name: str, value: str) -> str:
    """`value` for header `name`, refused when it could start another header (CR, LF, NUL)."""
    if _FORBIDDEN.search(value):
        raise MailError(f"mail header {name}: line breaks are not allowed in {value!r}")
    return value


def check_address(value: str, header: str = "To") -> Address:
    """One address, `local@domain.tld` or `Name <local@domain.tld>`, else MailError."""
    check_header(header, value)
    named = _NAMED.fullmatch(value.strip())
    name, address = (named["name"].strip('" '), named["address"]) if named else ("", value)
    found = _ADDRESS.fullmatch(address.strip())
    if not found or len(address.strip()) > 254:
        raise MailError(f"mail header {header}: {value!r} is not an e-mail address")
    return Address(display_name=name, username=found[1], domain=found[2])


@dataclass(frozen=True)
class Mail:
    """One message: who to, subject, the text body and (optionally) the HTML body."""

    to: str
    subject: str
    text: str
    html: str = ""
    locale: str = ""
    reply_to: str = ""
    reply_name: str = ""  # shown with reply_to (any text but line breaks)
    headers: Mapping[str, str] = field(default_factory=dict)


def _environment(folders: tuple[str, ...]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render(
    folders: Iterable[Path],
    name: str,
    locale: str,
    context: Mapping[str, Any],
    *,
    fallback: str = "en_US",
    to: str,
    reply_to: str = "",
    reply_name: str = "",
) -> Mail:
    """The message `name` in `locale` (or `fallback`) from the `views/mail` folders given."""
    environment = _environment(tuple(str(folder) for folder in folders))
    for candidate in dict.fromkeys((locale, fallback)):
        try:
            text_template = environment.get_template(f"{name}.{candidate}.txt")
        except jinja2.TemplateNotFound:
            continue
        text = text_template.render(context)
        subject = str(getattr(text_template.make_module(dict(context)), "subject", "")).strip()
        if not subject:
            raise MailError(f"mail template {name}.{candidate}.txt sets no subject")
        try:
            html = environment.get_template(f"{name}.{candidate}.html").render(context)
        except jinja2.TemplateNotFound:
            html = ""
        return Mail(
            to=to,
            subject=subject,
            text=text,
            html=html,
            locale=candidate,
            reply_to=reply_to,
            reply_name=reply_name,
        )
    raise MailError(f"no mail template {name}.{locale}.txt nor {name}.{fallback}.txt")


def build(mail: Mail, sender: str) -> EmailMessage:
    """The RFC 822 message of `mail`: text, and HTML as the alternative; headers checked."""
    message = EmailMessage()
    origin = check_address(sender, "From")
    message["From"] = origin
    message["To"] = check_address(mail.to)
    if mail.reply_to:
        address = check_address(mail.reply_to, "Reply-To")
        name = check_header("Reply-To", mail.reply_name) or address.display_name
        message["Reply-To"] = Address(name, address.username, address.domain)
    message["Subject"] = check_header("Subject", mail.subject)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=origin.domain)
    for header, value in mail.headers.items():
        message[check_header("header name", header)] = check_header(header, value)
    text = mail.text if mail.text.endswith("\n") else mail.text + "\n"
    message.set_content(text, cte=_transfer_encoding(text))
    if mail.html:
        message.add_alternative(mail.html, subtype="html", cte=_transfer_encoding(mail.html))
    if mail.locale:  # after the bodies: setting a body drops the Content-* headers
        message["Content-Language"] = check_header("Locale", mail.locale.replace("_", "-"))
        message["X-Jetpy-Locale"] = mail.locale  # the locale the bodies were written in
    return message


def _transfer_encoding(body: str) -> str:
    """8bit when every line fits SMTP's limit (RFC 5321: 998 octets), else quoted-printable.

    8bit (RFC 6152, offered by every server in use) keeps the bodies readable as they travel
    and in a development catcher's terminal: links whole, accents as typed.
    """
    fits = all(len(line.encode()) <= 998 for line in body.splitlines())
    return "8bit" if fits else "quoted-printable"


class OutboxBackend:
    """Development: each message becomes a file in a folder (written whole or not at all)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        target = self.folder / f"{stamp}-{Path(temporary).stem.lstrip('.')}.eml"
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(bytes(message))
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target


class SmtpBackend:
    """An SMTP server: plain, STARTTLS or TLS from the start; login when a user is given."""

    def __init__(
        self,
        host: str,
        port: int = 0,
        *,
        tls: str = "none",
        username: str = "",
        password: str = "",
        timeout: float = 30.0,
        context: ssl.SSLContext | None = None,
    ) -> None:
        if tls not in _DEFAULT_PORT:
            raise MailError(f"mail.tls: {tls!r} is not one of none, starttls, ssl")
        self.host, self.port, self.tls = host, port or _DEFAULT_PORT[tls], tls
        self.username, self.password, self.timeout = username, password, timeout
        self.context = context or ssl.create_default_context()

    def send(self, message: EmailMessage) -> None:
        try:
            if self.tls == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self.context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.tls == "starttls":
                    client.starttls(context=self.context)
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            problem = f"mail to {message['To']} not sent through {self.host}:{self.port}: {exc}"
            if _permanent(exc):
                raise MailRefused(problem) from exc
            raise MailDeliveryError(problem) from exc


def _permanent(error: Exception) -> bool:
    """Whether the server's answer was a permanent refusal (5xx for every recipient)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    # the server lacks what config.yaml asks for (STARTTLS, AUTH): a setting to change
    return isinstance(error, smtplib.SMTPNotSupportedError)


def destination(config: Config, app_dir: Path) -> str:
    """Where the site's mail goes, in words (`jetpy run` and `jetpy check` print it)."""
    if config.mail_backend == "smtp":
        login = f", login {config.mail_username}" if config.mail_username else ""
        port = config.mail_port or _DEFAULT_PORT.get(config.mail_tls, 25)
        return f"sent to the SMTP server {config.mail_host}:{port} (tls: {config.mail_tls}{login})"
    return (
        f"written as .eml files into {app_dir / 'data' / 'outbox'} (mail.backend: outbox, "
        "for development: nothing leaves the machine)"
    )


def backend_for(config: Config, app_dir: Path) -> OutboxBackend | SmtpBackend:
    """The backend config.yaml chooses; the SMTP password from JETPY_MAIL_PASSWORD first."""
    if config.mail_backend == "smtp":
        return SmtpBackend(
            config.mail_host,
            config.mail_port,
            tls=config.mail_tls,
            username=config.mail_username,
            password=os.environ.get("JETPY_MAIL_PASSWORD", config.mail_password),
            timeout=config.mail_timeout,
        )
    return OutboxBackend(app_dir / "data" / "outbox")
