"""The example's event chain: web.contact → contact.submitted → mail.outbox → mail.queued → audit.log.

Runs on a copy of the example project (tests.conftest.copy_example), so the real
application/data/ is never written. mail.outbox's listeners are on the queue `mail`, and the
example's `queue: {broker: inline}` handles them right after the request's commit: the message
is in the outbox folder when the response is back (Redis and RabbitMQ: tests/test_mail.py).
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.test import Client, TestResponse

from jetpy import Application
from tests.conftest import copy_example

TOKEN = re.compile(r'<input name="csrf_token" type="hidden" value="([A-Za-z0-9_-]+)">')
VALID = {"name": "Jana Nováková", "email": "jana@example.com", "message": "Hello, <b>jetpy</b>!"}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Client, Path]]:
    """A client for a copy of the example project (retries 0.2 s apart), and its data folder."""
    root = copy_example(tmp_path / "site", config={"queue": {"retry_delay": 0.2}})
    app = Application(root, use_cache=False)
    assert app.project.app_dir == root / "application"
    yield Client(app), root / "application" / "data"
    app.outbox.broker.close()  # retries still waiting
    app.db.dispose()


def outbox(data: Path) -> list[Path]:
    folder = data / "outbox"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def token_of(response: TestResponse) -> str:
    found = TOKEN.search(response.get_data(as_text=True))
    assert found is not None, "the form has no CSRF field"
    return found.group(1)


@pytest.mark.parametrize(
    ("url", "heading"), [("/contact/", "Contact"), ("/cs/kontakt/", "Kontakt")]
)
def test_the_contact_page_shows_the_form_in_both_locales(
    site: tuple[Client, Path], url: str, heading: str
) -> None:
    client, _ = site
    response = client.get(url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in text
    assert f'<form class="form" method="post" action="{url}"' in text
    assert token_of(response)
    assert f'href="{url}" aria-current="page">{heading}</a>' in text  # in the main menu


def test_the_menu_lists_contact_last(site: tuple[Client, Path]) -> None:
    client, _ = site
    # not the homepage: its latest articles would need the database's tables
    menu = client.get("/about/").get_data(as_text=True).split('class="main-menu"')[1]
    menu = menu.split("</nav>")[0]
    assert menu.index("Articles") < menu.index("Services") < menu.index("About")
    assert menu.index("About") < menu.index("Contact")


def test_a_post_without_the_token_is_refused_and_nothing_is_written(
    site: tuple[Client, Path],
) -> None:
    client, data = site
    client.get("/contact/")
    response = client.post("/contact/", data=VALID)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert outbox(data) == []
    assert not (data / "audit.log").exists()


def test_invalid_fields_are_explained_and_what_was_typed_is_kept(
    site: tuple[Client, Path],
) -> None:
    client, data = site
    token = token_of(client.get("/contact/"))
    typed = {"name": "", "email": "jana@", "message": '"><script>x()</script>', "csrf_token": token}
    response = client.post("/contact/", data=typed)
    assert response.status_code == 200  # an ordinary page: the visitor corrects the form
    text = response.get_data(as_text=True)
    assert "<title>Please correct the form | Contact" in text
    assert "The message was not sent. Please correct the marked fields:" in text
    named = '<span class="form-errors-field">Your name:</span> Please enter your name.'
    assert f'<li><a href="#contact-name">{named}</a></li>' in text
    assert '<p class="field-error" id="contact-name-error">Please enter your name.</p>' in text
    assert "This does not look like an e-mail address" in text
    assert "at least 10 characters" not in text  # the message is long enough
    assert 'value="jana@"' in text
    assert "&#34;&gt;&lt;script&gt;x()&lt;/script&gt;</textarea>" in text
    assert "<script>x()" not in text
    assert 'aria-describedby="contact-name-error" aria-invalid="true"' in text
    assert token_of(response) == token  # the form again, with the same session's token
    assert outbox(data) == []


def test_errors_are_in_the_visitors_language(site: tuple[Client, Path]) -> None:
    client, _ = site
    token = token_of(client.get("/cs/kontakt/"))
    response = client.post("/cs/kontakt/", data={"csrf_token": token, "message": "krátká"})
    text = response.get_data(as_text=True)
    assert "Vyplňte prosím své jméno." in text
    assert "alespoň 10 znaků" in text
    assert '<label for="contact-email">Váš e-mail <span class="required"' in text
    assert "Použijeme ho jen k odpovědi." in text  # the field's description, translated
    assert 'maxlength="254" name="email" required type="email" value=""' in text


def test_a_valid_message_runs_the_whole_chain(site: tuple[Client, Path]) -> None:
    client, data = site
    token = token_of(client.get("/contact/"))
    response = client.post("/contact/", data={**VALID, "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/contact/"

    # mail.outbox wrote one complete message (and no temporary file is left)
    [file] = outbox(data)
    assert file.suffix == ".eml"
    assert not [p for p in (data / "outbox").iterdir() if p.name.startswith(".")]
    message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    assert message["To"] == "hello@example.com"
    assert message["Reply-To"] == "Jana Nováková <jana@example.com>"
    assert message["Subject"] == "Contact form: Jana Nováková"
    assert message["X-Jetpy-Locale"] == "en_US"
    # the text body as written, the HTML body (mail.outbox's template) escaped
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "\nHello, <b>jetpy</b>!\n" in text
    assert "Hello, &lt;b&gt;jetpy&lt;/b&gt;!" in html and "<b>jetpy" not in html

    # audit.log recorded the mail.queued event that mail.outbox emitted
    [line] = (data / "audit.log").read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["event"] == "mail.queued"
    assert record["cause"] == "contact.submitted"
    assert record["file"] == file.name
    assert record["message_id"] == message["Message-ID"]

    # the flash waits in the session for the page after the redirect, and only for it
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        '<p class="flash flash-success" role="status">Thank you, your message has been sent.</p>'
        in thanks
    )
    assert "flash-success" not in client.get("/contact/").get_data(as_text=True)


def test_a_failing_listener_does_not_undo_the_sending_and_is_retried(
    site: tuple[Client, Path], caplog: pytest.LogCaptureFixture
) -> None:
    client, data = site
    (data / "outbox").write_text("a file where the folder should be")
    token = token_of(client.get("/cs/kontakt/"))
    with caplog.at_level(logging.WARNING, logger="jetpy"):
        response = client.post("/cs/kontakt/", data={**VALID, "csrf_token": token})
        assert response.status_code == 303  # the visitor's message was taken
        assert response.headers["Location"] == "/cs/kontakt/"
        assert "Děkujeme, vaše zpráva byla odeslána." in client.get("/cs/kontakt/").get_data(
            as_text=True
        )
        assert "mail.outbox:on_contact_submitted failed" in caplog.text
        assert not (data / "audit.log").exists()  # mail.queued was not emitted

        # the cause goes away: a retry (0.2 s later, then 0.4 s …) sends the message
        (data / "outbox").unlink()
        # the retry runs in the broker's timer thread: the mail file, then the audit line
        # (the listener of mail.queued) come a moment apart
        audit = data / "audit.log"
        deadline = time.monotonic() + 30
        while not (outbox(data) and audit.exists() and audit.read_text(encoding="utf-8")):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
    [file] = outbox(data)
    message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Kontaktní formulář: Jana Nováková"
    assert "failed (attempt 1), tried again" in caplog.text
    [line] = (data / "audit.log").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["file"] == file.name
