"""jetpy.mail against a real SMTP server (aiosmtpd, started by each test on a free port).

Plain SMTP, STARTTLS with a login and TLS from the start (a self-signed certificate made with
the openssl command), a server that refuses (5xx: MailRefused, dead-lettered at once; 4xx:
retried) or is not there (MailDeliveryError), header injection refused, per-locale templates
with their fallback, the outbox backend, a queued listener sending through a worker on Redis
(retried while the server is down, dead-lettered in the end, delivered once it is back), and
the example's mail end to end: `jetpy worker` as a process on Redis and on RabbitMQ, the
contact form in both locales, a sign-up and a password reset, their links followed.
"""

from __future__ import annotations

import email
import email.policy
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
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
    MailRefused,
    OutboxBackend,
    SmtpBackend,
    build,
    check_address,
    render,
)
from jetpy.queue.worker import handle
from tests.conftest import REDIS_URL, ProjectFactory, copy_example

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
    with pytest.raises(MailRefused, match="no thanks") as refused:  # 5xx: for good
        SmtpBackend("127.0.0.1", port, timeout=60).send(build(contact("en_US"), SENDER))
    assert isinstance(refused.value, MailDeliveryError) and refused.value.retry is False
    inbox.refuse = "451 try again later"
    with pytest.raises(MailDeliveryError, match="try again later") as later:  # 4xx: retried
        SmtpBackend("127.0.0.1", port, timeout=60).send(build(contact("en_US"), SENDER))
    assert not isinstance(later.value, MailRefused) and later.value.retry is True
    with pytest.raises(MailDeliveryError, match="not sent") as down:  # nobody listens
        SmtpBackend("127.0.0.1", free_port(), timeout=60).send(build(contact("en_US"), SENDER))
    assert down.value.retry is True
    assert MailError("a bad address").retry is False


class RefuseRecipient(Inbox):
    """Refuses one recipient at RCPT TO (550), as a server does for an unknown mailbox."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_an_unknown_mailbox_is_a_refusal_for_good() -> None:
    inbox, port = RefuseRecipient(), free_port()
    server = aiosmtpd_controller.Controller(
        inbox, hostname="127.0.0.1", port=port, ready_timeout=60
    )
    server.start()
    try:
        with pytest.raises(MailRefused, match="no such mailbox"):
            SmtpBackend("127.0.0.1", port, timeout=60).send(
                build(contact("en_US", to="nobody@example.com"), SENDER)
            )
        SmtpBackend("127.0.0.1", port, timeout=60).send(build(contact("en_US"), SENDER))
        assert len(inbox.messages) == 1
    finally:
        server.stop()


def test_bodies_travel_as_8bit_unless_a_line_is_too_long() -> None:
    link = "https://example.com/cs/registrace/?confirm=" + "a" * 150
    mail = Mail(
        to="a@example.com", subject="Hi", text=f"Dobrý den,\n{link}\n", html=f"<p>{link}</p>"
    )
    message = build(mail, SENDER)
    raw = bytes(message)
    assert f"Dobrý den,\n{link}\n".encode() in raw.replace(b"\r\n", b"\n")  # as written
    assert [part["Content-Transfer-Encoding"] for part in message.iter_parts()] == ["8bit"] * 2
    long = build(Mail(to="a@example.com", subject="Hi", text="y" * 2000), SENDER)
    assert long["Content-Transfer-Encoding"] == "quoted-printable"  # SMTP's 998-octet lines
    assert long.get_content() == "y" * 2000 + "\n"


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


def test_a_refused_mail_goes_to_the_dead_letters_at_once(
    make_project: ProjectFactory, redis_url: str, smtp: tuple[Inbox, int]
) -> None:
    """A 5xx is not tried again (it would be refused again); a 4xx is, with backoff."""
    import importlib

    import redis

    inbox, port = smtp
    queue = f"m{uuid.uuid4().hex[:10]}"
    app = Application(mail_project(make_project, queue, port), use_cache=False)
    broker = app.outbox.broker
    welcome = importlib.import_module("application.classes.notify").Welcome
    try:
        inbox.refuse = "550 5.7.1 not from you"
        app.events.emit(welcome(to="new@example.com", name="Ann", locale="en_US"))
        delivery = None
        deadline = time.monotonic() + 60
        while delivery is None and time.monotonic() < deadline:
            delivery = broker.receive(queue, "test", 0.5)
        assert delivery is not None
        assert handle(app, queue, delivery) == "dead"  # first attempt, max_attempts is 3
        assert broker.stats(queue).failed == 1

        inbox.refuse = "451 4.3.0 busy"
        app.events.emit(welcome(to="new@example.com", name="Ann", locale="en_US"))
        delivery = None
        while delivery is None and time.monotonic() < deadline + 60:
            delivery = broker.receive(queue, "test", 0.5)
        assert delivery is not None
        assert handle(app, queue, delivery) == "retry"
        assert broker.stats(queue).failed == 1
    finally:
        broker.close()
        app.db.dispose()
        with redis.Redis.from_url(REDIS_URL) as client:
            key = f"jetpy:queue:{queue}"
            client.delete(key, f"{key}:delayed", f"{key}:dead")


# the example's mail, end to end: a worker on a real broker, SMTP --------------------------
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([A-Za-z0-9_-]+)"')
LINK = re.compile(r"http://localhost/\S+")
PASSWORD = "Correct-Horse-42"


def csrf_of(client: Any, url: str) -> str:
    found = CSRF.search(client.get(url).get_data(as_text=True))
    assert found is not None, f"no CSRF field on {url}"
    return found[1]


def wait_for(inbox: Inbox, count: int, worker: subprocess.Popen[bytes], log: Path) -> None:
    """Until `count` messages arrived (the worker handles them in another process)."""
    deadline = time.monotonic() + 180  # a loaded machine: the worker starts in seconds
    while len(inbox.messages) < count and time.monotonic() < deadline:
        assert worker.poll() is None, f"jetpy worker ended: {log.read_text()[-3000:]}"
        time.sleep(0.1)
    assert len(inbox.messages) >= count, (
        f"{len(inbox.messages)} of {count}: {log.read_text()[-3000:]}"
    )


def link_of(message: EmailMessage) -> str:
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    found = LINK.search(text.get_content())
    assert found is not None, text.get_content()
    html = message.get_body(preferencelist=("html",))
    assert html is not None and f'href="{found[0]}"' in html.get_content()  # the same link
    return found[0]


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_url(request: pytest.FixtureRequest) -> tuple[str, str]:
    """Each end-to-end test on both brokers (skipped, or failed under CI=true, when down)."""
    name = str(request.param)
    return name, str(request.getfixturevalue(f"{name}_url"))


def forget_queue(broker: str, url: str, queue: str) -> None:
    if broker == "redis":
        import redis

        with redis.Redis.from_url(url) as client:
            key = f"jetpy:queue:{queue}"
            client.delete(key, f"{key}:delayed", f"{key}:dead")
        return
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        for name in (f"jetpy.{queue}", f"jetpy.{queue}.dead"):
            channel.queue_delete(name)
    finally:
        connection.close()


def test_the_example_s_mail_leaves_through_jetpy_worker_on_a_real_broker(
    tmp_path: Path, db_url: str, broker_url: tuple[str, str], smtp: tuple[Inbox, int]
) -> None:
    """The example as a new user deploys it: `queue.broker` redis or rabbitmq, `mail.backend`
    smtp, `jetpy worker` in a process of its own. The contact form in both locales, a sign-up
    (Czech) and a password reset (English) arrive over SMTP in their locale, with links that
    work: the confirmation confirms, the reset link sets a password that signs in."""
    from werkzeug.test import Client

    from jetpy.data.db import application_tables

    broker, url = broker_url
    inbox, port = smtp
    queue = f"mail{uuid.uuid4().hex[:10]}"  # the example's `mail`, renamed for this test
    root = copy_example(
        tmp_path / "site",
        config={
            "queue": {"broker": broker, "url": url, "retry_delay": 0.2},
            "mail": {"backend": "smtp", "host": "127.0.0.1", "port": port, "timeout": 30},
        },
        mail_queue=queue,
    )
    app = Application(root, use_cache=False)
    states = {name: module.state for name, module in app.modules.items()}
    app.db.create_tables(application_tables(app.modules, states))
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-c", "from jetpy.cli.main import main; main()", "worker",
             "--project", str(root)],
            stdout=output, stderr=subprocess.STDOUT, cwd=root,
        )  # fmt: skip
    try:
        client = Client(app)
        for url_, name in (("/contact/", "Jana Nováková"), ("/cs/kontakt/", "Petr Novák")):
            data = {"csrf_token": csrf_of(client, url_), "name": name,
                    "email": "visitor@example.com", "message": "Dobrý den, <b>jetpy</b>!"}  # fmt: skip
            assert client.post(url_, data=data).status_code == 303
        assert app.outbox.unsent() == 0  # published after the commit, not sent by the web
        wait_for(inbox, 2, worker, log)
        by_subject = {message["Subject"]: message for message in inbox.messages}
        english = by_subject["Contact form: Jana Nováková"]
        czech = by_subject["Kontaktní formulář: Petr Novák"]
        assert (english["X-Jetpy-Locale"], czech["X-Jetpy-Locale"]) == ("en_US", "cs_CZ")
        assert czech["Reply-To"].addresses[0].addr_spec == "visitor@example.com"
        html = czech.get_body(preferencelist=("html",))
        assert html is not None and "Dobrý den, &lt;b&gt;jetpy&lt;/b&gt;!" in html.get_content()

        # sign up in Czech: the confirmation in Czech, its link confirms the address
        form = {"csrf_token": csrf_of(client, "/cs/registrace/"), "name": "Eva",
                "email": "eva@example.com", "password": PASSWORD, "password_again": PASSWORD}  # fmt: skip
        assert client.post("/cs/registrace/", data=form).status_code == 303
        wait_for(inbox, 3, worker, log)
        confirmation = inbox.messages[2]
        assert confirmation["To"] == "eva@example.com"
        assert confirmation["Subject"] == "Potvrďte svou e-mailovou adresu"
        assert confirmation["X-Jetpy-Locale"] == "cs_CZ"
        link = link_of(confirmation)
        assert link.startswith("http://localhost/cs/registrace/?confirm=")
        assert client.get(link).headers["Location"] == "/cs/ucet/"

        # a password reset in English: its link sets a new password, which signs in
        data = {"csrf_token": csrf_of(client, "/password-reset/"), "email": "eva@example.com"}
        assert client.post("/password-reset/", data=data).status_code == 303
        wait_for(inbox, 4, worker, log)
        reset = inbox.messages[3]
        assert (reset["Subject"], reset["X-Jetpy-Locale"]) == ("Choose a new password", "en_US")
        link = link_of(reset)
        assert link.startswith("http://localhost/password-reset/?token=")
        new = "Brand-New-Secret-5"
        data = {"csrf_token": csrf_of(client, link), "password": new, "password_again": new}
        assert client.post(link, data=data).headers["Location"] == "/account/"
        page = client.get("/account/").get_data(as_text=True)
        login = {"_login": "1", "csrf_token": CSRF.search(page)[1], "next": "/account/",  # type: ignore[index]
                 "login": "eva@example.com", "password": new}  # fmt: skip
        assert client.post("/account/", data=login).status_code == 303
        assert "eva@example.com" in client.get("/account/").get_data(as_text=True)
        assert len(inbox.messages) == 4  # each mail once
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        app.outbox.broker.close()
        app.db.dispose()
        forget_queue(broker, url, queue)
    assert worker.returncode == 0, log.read_text()[-3000:]
