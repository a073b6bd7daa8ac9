"""jetpy.mail against a real SMTP server (aiosmtpd, started by each test on a free port).

Plain SMTP, STARTTLS with a login and TLS from the start (a self-signed certificate made with
the openssl command), a server that refuses or is not there (MailDeliveryError), header
injection refused, per-locale templates with their fallback, the outbox backend, and a queued
listener sending through a worker on Redis: retried while the server is down, dead-lettered
in the end, delivered once it is back.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from jetpy import Application
from jetpy.mail import (
    Mail,
    MailDeliveryError,
    MailError,
    OutboxBackend,
    SmtpBackend,
    build,
    check_address,
    render,
)
from jetpy.queue.worker import handle
from tests.conftest import REDIS_URL, ProjectFactory

aiosmtpd_controller = pytest.importorskip(
    "aiosmtpd.controller", reason="aiosmtpd is in the test extra: pip install -e '.[test]'"
)
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

EXAMPLE_TEMPLATES = (
    Path(__file__).resolve().parents[1] / "application/modules/mail/outbox/views/mail"
)
SENDER = "Jetpy tests <site@example.com>"


class Inbox:
    """aiosmtpd handler: keeps what arrives, or refuses every message when `refuse` is set."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []
        self.refuse = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse
        self.envelopes.append(envelope)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A plain SMTP server on 127.0.0.1; stopped after the test."""
    inbox, port = Inbox(), free_port()
    server = aiosmtpd_controller.Controller(
        inbox, hostname="127.0.0.1", port=port, ready_timeout=60
    )
    server.start()
    yield inbox, port
    server.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed for the TLS tests: apt-get install openssl")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def only_tester(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (b"tester", b"s3cret")
    return AuthResult(success=good)


def contact(locale: str, to: str = "owner@example.com") -> Mail:
    return render(
        [EXAMPLE_TEMPLATES],
        "contact",
        locale,
        {"name": "Jana <Nováková>", "email": "jana@example.com", "message": "Hi <b>x</b> & y",
         "sent_at": "2026-12-02 04:00 UTC"},
        to=to,
        reply_to="jana@example.com",
        reply_name="Jana <Nováková>",
    )  # fmt: skip


# templates and headers --------------------------------------------------------------------
def test_the_locale_of_the_templates_or_the_fallback() -> None:
    czech, german = contact("cs_CZ"), contact("de_DE")
    assert (czech.locale, czech.subject) == ("cs_CZ", "Kontaktní formulář: Jana <Nováková>")
    assert german.locale == "en_US"  # no German templates: the fallback locale
    assert german.subject == "Contact form: Jana <Nováková>"
    assert "Hi <b>x</b> & y" in german.text  # plain text stays as written
    assert "Hi &lt;b&gt;x&lt;/b&gt; &amp; y" in german.html and "<b>x" not in german.html
    with pytest.raises(MailError, match=r"no mail template nothing\.en_US\.txt"):
        render([EXAMPLE_TEMPLATES], "nothing", "en_US", {}, to="a@example.com")


@pytest.mark.parametrize(
    "change",
    [
        {"subject": "Hi\r\nBcc: victim@example.com"},
        {"subject": "Hi\nX-Evil: 1"},
        {"to": "a@example.com\r\nBcc: victim@example.com"},
        {"to": "a@example.com, b@example.com"},
        {"to": "not an address"},
        {"to": "a@@example.com"},
        {"to": "a@-example.com"},
        {"reply_to": "x@example.com\nBcc: victim@example.com"},
        {"reply_to": "x@example.com", "reply_name": "Evil\r\nBcc: v@example.com"},
        {"headers": {"X-Tag": "a\r\nBcc: victim@example.com"}},
    ],
    ids=lambda change: repr(change)[:40],
)
def test_line_breaks_in_headers_and_bad_addresses_are_refused(change: dict[str, Any]) -> None:
    mail = Mail(**{"to": "a@example.com", "subject": "Hi", "text": "body", **change})
    with pytest.raises(MailError):
        build(mail, SENDER)


def test_an_address_with_a_name_keeps_the_name() -> None:
    address = check_address("Jana Nováková <jana@example.com>")
    assert (address.display_name, address.addr_spec) == ("Jana Nováková", "jana@example.com")


# SMTP --------------------------------------------------------------------------------------
def test_a_message_arrives_over_smtp_with_both_bodies_locale_and_headers(
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    SmtpBackend("127.0.0.1", port, timeout=60).send(build(contact("cs_CZ"), SENDER))
    [message] = inbox.messages
    assert inbox.envelopes[0].rcpt_tos == ["owner@example.com"]
    assert message["To"] == "owner@example.com"
    assert message["From"] == SENDER
    assert message["Reply-To"] == '"Jana <Nováková>" <jana@example.com>'
    assert message["Subject"] == "Kontaktní formulář: Jana <Nováková>"
    assert (message["Content-Language"], message["X-Jetpy-Locale"]) == ("cs-CZ", "cs_CZ")
    assert message["Message-ID"] and message["Date"]
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "napsal(a) přes kontaktní formulář" in text.get_content()
    assert "Hi &lt;b&gt;x&lt;/b&gt;" in html.get_content()


def test_starttls_with_a_login(certificate: tuple[Path, Path]) -> None:
    inbox, port = Inbox(), free_port()
    server = aiosmtpd_controller.Controller(
        inbox, hostname="127.0.0.1", port=port, ready_timeout=60,
        tls_context=server_context(certificate), require_starttls=True,
        authenticator=only_tester, auth_require_tls=True,
    )  # fmt: skip
    server.start()
    try:
        message = build(contact("en_US"), SENDER)
        backend = SmtpBackend(
            "127.0.0.1", port, tls="starttls", username="tester", password="s3cret",
            timeout=60, context=client_context(certificate),
        )  # fmt: skip
        backend.send(message)
        assert [each["Subject"] for each in inbox.messages] == ["Contact form: Jana <Nováková>"]
        wrong = SmtpBackend(
            "127.0.0.1", port, tls="starttls", username="tester", password="wrong",
            timeout=60, context=client_context(certificate),
        )  # fmt: skip
        with pytest.raises(MailDeliveryError, match="not sent"):
            wrong.send(message)
        plain = SmtpBackend("127.0.0.1", port, timeout=60)  # the server requires STARTTLS
        with pytest.raises(MailDeliveryError):
            plain.send(message)
        assert len(inbox.messages) == 1
    finally:
        server.stop()


def test_tls_from_the_start(certificate: tuple[Path, Path]) -> None:
    inbox, port = Inbox(), free_port()
    server = aiosmtpd_controller.Controller(
        inbox, hostname="127.0.0.1", port=port, ready_timeout=60,
        ssl_context=server_context(certificate),
    )  # fmt: skip
    server.start()
    try:
        backend = SmtpBackend(
            "127.0.0.1", port, tls="ssl", timeout=60, context=client_context(certificate)
        )
        backend.send(build(contact("en_US"), SENDER))
        assert len(inbox.messages) == 1
        with pytest.raises(MailDeliveryError):  # a certificate the client does not trust
            SmtpBackend("127.0.0.1", port, tls="ssl", timeout=60).send(
                build(contact("en_US"), SENDER)
            )
    finally:
        server.stop()


def test_a_refusing_or_missing_server_raises_delivery_error(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    inbox.refuse = "554 no thanks"
    with pytest.raises(MailDeliveryError, match="no thanks"):
        SmtpBackend("127.0.0.1", port, timeout=60).send(build(contact("en_US"), SENDER))
    with pytest.raises(MailDeliveryError, match="not sent"):
        SmtpBackend("127.0.0.1", free_port(), timeout=60).send(build(contact("en_US"), SENDER))


def test_the_outbox_backend_writes_whole_files(tmp_path: Path) -> None:
    written = OutboxBackend(tmp_path / "outbox").send(build(contact("en_US"), SENDER))
    assert [path.name for path in (tmp_path / "outbox").iterdir()] == [written.name]
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Contact form: Jana <Nováková>"
    assert message.get_body(preferencelist=("html",)) is not None


# through a queue and a worker ------------------------------------------------------------
NOTIFY_CLASSES = """
from dataclasses import dataclass
from typing import ClassVar

from jetpy import Event


@dataclass(frozen=True)
class Welcome(Event):
    event_name: ClassVar[str] = "test.welcome"

    to: str
    name: str
    locale: str
"""

NOTIFY_LISTENERS = """
from pathlib import Path

from jetpy.mail import backend_for, build, render

TEMPLATES = Path(__file__).resolve().parent / "views" / "mail"


def on_welcome(app, event):
    mail = render([TEMPLATES], "welcome", event.locale, {"name": event.name}, to=event.to)
    backend_for(app.config, app.project.app_dir).send(build(mail, app.config.mail_from))
"""


def mail_project(make_project: ProjectFactory, queue: str, port: int) -> Path:
    return make_project(
        {
            "application/config.yaml": (
                f"queue: {{broker: redis, url: '{REDIS_URL}', retry_delay: 0.1,"
                " max_attempts: 3}\n"
                f"mail: {{backend: smtp, host: 127.0.0.1, port: {port}, timeout: 60,"
                " from: 'Shop <shop@example.com>'}\n"
            ),
            "application/classes/__init__.py": "",
            "application/classes/notify.py": NOTIFY_CLASSES,
            "application/modules/notify/mailer/manifest.yaml": (
                "label: Mailer\nservice: true\nlistens:\n"
                f"  test.welcome: {{handler: on_welcome, queue: {queue}}}\n"
            ),
            "application/modules/notify/mailer/listeners.py": NOTIFY_LISTENERS,
            "application/modules/notify/mailer/views/mail/welcome.en_US.txt": (
                '{% set subject = "Welcome, " ~ name %}Hello {{ name }}!\n'
            ),
            "application/modules/notify/mailer/views/mail/welcome.en_US.html": (
                "<p>Hello {{ name }}!</p>\n"
            ),
            "application/data/modules.yaml": "notify.mailer: activated\n",
        }
    )


def test_a_queued_mail_is_retried_dead_lettered_and_sent_once_the_server_is_back(
    make_project: ProjectFactory, redis_url: str
) -> None:
    import importlib

    import redis

    queue = f"m{uuid.uuid4().hex[:10]}"
    inbox, port = Inbox(), free_port()  # nothing listens on the port yet
    app = Application(mail_project(make_project, queue, port), use_cache=False)
    broker = app.outbox.broker
    welcome = importlib.import_module("application.classes.notify").Welcome
    server = aiosmtpd_controller.Controller(
        inbox, hostname="127.0.0.1", port=port, ready_timeout=60
    )
    try:
        app.events.emit(welcome(to="new@example.com", name="<Ann>", locale="en_US"))
        results: list[str] = []
        deadline = time.monotonic() + 120
        while len(results) < 3 and time.monotonic() < deadline:  # server down: 3 attempts
            delivery = broker.receive(queue, "test", 0.5)
            if delivery is not None:
                results.append(handle(app, queue, delivery))
        assert results == ["retry", "retry", "dead"]
        assert inbox.messages == []
        assert broker.stats(queue).failed == 1  # not lost: in the dead letters

        server.start()
        assert broker.requeue_failed(queue) == 1  # `jetpy queues retry QUEUE`
        delivery = None
        while delivery is None and time.monotonic() < deadline + 60:
            delivery = broker.receive(queue, "test", 0.5)
        assert delivery is not None
        assert handle(app, queue, delivery) == "handled"
        [message] = inbox.messages
        assert (message["Subject"], message["From"]) == (
            "Welcome, <Ann>",
            "Shop <shop@example.com>",
        )
        html = message.get_body(preferencelist=("html",))
        assert html is not None and "<p>Hello &lt;Ann&gt;!</p>" in html.get_content()
        assert broker.stats(queue).failed == 0
    finally:
        server.stop() if server.loop.is_running() else None
        broker.close()
        app.db.dispose()
        with redis.Redis.from_url(REDIS_URL) as client:
            key = f"jetpy:queue:{queue}"
            client.delete(key, f"{key}:delayed", f"{key}:dead")


# the example's contact form, end to end --------------------------------------------------
def test_the_example_contact_form_mails_through_a_queue_and_smtp(
    tmp_path: Path, redis_url: str, smtp: tuple[Inbox, int]
) -> None:
    """A copy of the example with mail.outbox's listeners queued (a queue of this test's own
    name), Redis as the broker and SMTP as the backend: the form's message leaves by SMTP."""
    import re

    import redis
    from werkzeug.test import Client

    inbox, port = smtp
    root, queue = tmp_path / "site", f"mail{uuid.uuid4().hex[:10]}"
    example = Path(__file__).resolve().parents[1]
    shutil.copytree(
        example / "application",
        root / "application",
        ignore=lambda folder, names: [  # runtime files of application/data, caches
            name
            for name in names
            if name == "__pycache__"
            or (Path(folder).name == "data" and name in {"cache", "outbox", "audit.log"})
        ],
    )
    shutil.copytree(example / "public", root / "public")
    manifest = root / "application/modules/mail/outbox/manifest.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8")
        .replace("contact.submitted: on_contact_submitted", "contact.submitted: {handler:"
                 f" on_contact_submitted, queue: {queue}}}")
        .replace("mail.requested: on_mail_requested", "mail.requested: {handler:"
                 f" on_mail_requested, queue: {queue}}}"),
        encoding="utf-8",
    )  # fmt: skip
    config = root / "application/config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f"\nqueue: {{broker: redis, url: '{REDIS_URL}'}}\n"
        + f"mail: {{backend: smtp, host: 127.0.0.1, port: {port}, timeout: 60}}\n",
        encoding="utf-8",
    )
    app = Application(root, use_cache=False)
    try:
        client = Client(app)
        page = client.get("/cs/kontakt/").get_data(as_text=True)
        found = re.search(r'name="csrf_token" type="hidden" value="([A-Za-z0-9_-]+)"', page)
        assert found is not None
        data = {"csrf_token": found[1], "name": "Jana <Nováková>", "email": "jana@example.com",
                "message": "Dobrý den, <b>jetpy</b>!"}  # fmt: skip
        assert client.post("/cs/kontakt/", data=data).status_code == 303
        assert inbox.messages == []  # the request only wrote the outbox row and published it
        assert app.outbox.unsent() == 0
        broker, delivery = app.outbox.broker, None
        deadline = time.monotonic() + 60
        while delivery is None and time.monotonic() < deadline:
            delivery = broker.receive(queue, "worker", 0.5)
        assert delivery is not None
        assert handle(app, queue, delivery) == "handled"
        [message] = inbox.messages
        assert message["Subject"] == "Kontaktní formulář: Jana <Nováková>"
        assert message["X-Jetpy-Locale"] == "cs_CZ"
        assert message["Reply-To"].addresses[0].addr_spec == "jana@example.com"
        html = message.get_body(preferencelist=("html",))
        assert html is not None and "Dobrý den, &lt;b&gt;jetpy&lt;/b&gt;!" in html.get_content()
    finally:
        app.outbox.broker.close()
        app.db.dispose()
        with redis.Redis.from_url(REDIS_URL) as client_:
            key = f"jetpy:queue:{queue}"
            client_.delete(key, f"{key}:delayed", f"{key}:dead")
