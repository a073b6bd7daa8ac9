"""Module web.auth: visitors' sign-up with e-mail confirmation (through mail.outbox), login,
logout, password reset, and the secret "My account" page of the base web.

Runs on a copy of the example project (tests.conftest.copy_example), so the real
application/data/ (outbox) is never written. The copy keeps the example's `queue: {broker:
inline}`: mail.outbox's queued listeners run right after each request's commit, so the message
is in the outbox folder when the response is back (the real brokers: tests/test_mail.py).
"""

from __future__ import annotations

import email
import email.policy
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application
from tests import conftest
from tests.conftest import copy_example

PASSWORD = "Correct-Horse-42"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([A-Za-z0-9_-]+)"')
NEXT = re.compile(r'name="next" value="([^"]*)"')
LINK = re.compile(r"(http://localhost/\S+)")
COOKIE = "jetpy_session_web"


@pytest.fixture
def site(tmp_path: Path, db_url: str, example_model: type) -> Iterator[tuple[Application, Path]]:
    """A copy of the example project on the test database, and the copy's outbox folder."""
    from application.modules.web.auth import models  # noqa: F401  (its tables)

    engine = sqlalchemy.create_engine(db_url)
    example_model.metadata.create_all(engine)  # type: ignore[attr-defined]
    engine.dispose()
    root = copy_example(tmp_path / "site")
    app = Application(root, use_cache=False)
    yield app, root / "application" / "data" / "outbox"
    app.outbox.broker.close()
    app.db.dispose()


@pytest.fixture
def client(site: tuple[Application, Path]) -> Client:
    return Client(site[0])


def outbox(folder: Path) -> list[email.message.EmailMessage]:
    # in the order written (names start with the second, then a random part)
    files = sorted(folder.iterdir(), key=lambda f: f.stat().st_mtime_ns) if folder.is_dir() else []
    return [
        email.message_from_bytes(file.read_bytes(), policy=email.policy.default) for file in files
    ]


def body_of(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def html_of(message: Any) -> str:
    return str(message.get_body(("html",)).get_content())


def csrf_of(response: TestResponse) -> str:
    found = CSRF.search(response.get_data(as_text=True))
    assert found is not None, response.get_data(as_text=True)[:800]
    return found.group(1)


def sign_up(
    client: Client,
    address: str = "jana@example.com",
    password: str = PASSWORD,
    url: str = "/sign-up/",
) -> TestResponse:
    token = csrf_of(client.get(url))
    data = {"csrf_token": token, "name": "Jana", "email": address}
    return client.post(url, data={**data, "password": password, "password_again": password})


def link_in(message: Any) -> str:
    found = LINK.search(body_of(message))
    assert found is not None, body_of(message)
    return found.group(1)


# the web base's login form, at /account/ (every other argument as tests/conftest.py has it)
log_in = functools.partial(conftest.log_in, url="/account/")


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def confirmed_visitor(
    client: Client, site: tuple[Application, Path], address: str = "jana@example.com"
) -> None:
    assert sign_up(client, address).status_code == 303
    link = link_in(outbox(site[1])[-1])
    assert client.get(link).status_code == 303


# sign-up, confirmation, login ------------------------------------------------------------
def test_sign_up_mails_a_link_that_confirms_and_then_login_works(
    client: Client, site: tuple[Application, Path]
) -> None:
    response = sign_up(client, "Jana@Example.com")
    assert response.status_code == 303 and response.headers["Location"] == "/sign-up/"
    page = text_of(client.get("/sign-up/"))
    assert "we sent a link to jana@example.com" in page
    [message] = outbox(site[1])
    assert message["To"] == "jana@example.com"
    assert message["Subject"] == "Confirm your e-mail address"
    assert message["X-Jetpy-Locale"] == "en_US"
    link = link_in(message)
    assert link.startswith("http://localhost/sign-up/?confirm=")
    assert PASSWORD not in str(message)
    html = html_of(message)  # web.auth's template: the same link, its name escaped
    assert '<html lang="en">' in html and f'href="{link}"' in html
    assert "Hello Jana," in html and "Confirm my address" in html

    # not confirmed yet: the right password does not sign in
    refused = log_in(client, "jana@example.com")
    assert refused.status_code == 200 and 'id="login-error"' in text_of(refused)

    confirmed = client.get(link)
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/account/"
    shown = text_of(client.get("/account/"))
    assert "Your e-mail address is confirmed" in shown and 'type="password"' in shown

    before = client.get_cookie(COOKIE)
    response = log_in(client, "JANA@example.com")
    assert response.status_code == 303 and response.headers["Location"] == "/account/"
    after = client.get_cookie(COOKIE)
    assert after is not None and (before is None or before.value != after.value)
    account = text_of(client.get("/account/"))
    assert '<dd id="account-email">jana@example.com</dd>' in account
    assert "Sign out" in account

    # a second visit of the link changes nothing
    client.get(link)
    assert "was confirmed already" in text_of(client.get("/account/"))


def test_the_secret_page_answers_the_login_form_at_its_url(client: Client) -> None:
    response = client.get("/account/")
    assert response.status_code == 200
    text = text_of(response)
    assert 'name="login"' in text and 'type="password"' in text
    assert NEXT.search(text).group(1) == "/account/"  # type: ignore[union-attr]
    assert 'href="/sign-up/"' in text and 'href="/password-reset/"' in text
    cs = text_of(client.get("/cs/ucet/"))
    assert "Přihlásit se" in cs and "Zapomněli jste heslo?" in cs


def test_sign_up_checks_the_form(client: Client, site: tuple[Application, Path]) -> None:
    token = csrf_of(client.get("/sign-up/"))
    data = {
        "csrf_token": token,
        "name": "Jana",
        "email": "not-an-address",
        "password": "short",
        "password_again": "other",
    }
    text = text_of(client.post("/sign-up/", data=data))
    assert "This does not look like an e-mail address" in text
    assert "Choose a longer, less guessable password" in text
    assert "The passwords differ." in text
    assert outbox(site[1]) == []


def test_signing_up_again_tells_nobody_but_the_owner(
    client: Client, site: tuple[Application, Path]
) -> None:
    confirmed_visitor(client, site)
    again = sign_up(Client(site[0]), "jana@example.com", "Another-Password-7")
    assert again.status_code == 303  # the same answer as for a new address
    message = outbox(site[1])[-1]
    assert message["Subject"] == "Your account" and "has an account already" in body_of(message)
    assert "Sign in: http://localhost/account/" in body_of(message)
    assert 'href="http://localhost/password-reset/"' in html_of(message)
    # the old password still works, the new one does not
    assert log_in(Client(site[0]), "jana@example.com").status_code == 303
    assert log_in(Client(site[0]), "jana@example.com", "Another-Password-7").status_code == 200


def test_two_sign_ups_of_one_address_at_once_answer_alike_without_a_500(
    client: Client, site: tuple[Application, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # found by bench/robustness: the parallel request inserted the address between this
    # request's look-up and its insert, and the unique constraint answered 500
    from application.modules.web.auth import controllers
    from application.modules.web.auth.models import Visitor

    hash_password = controllers.hash_password

    def the_other_request_commits_first(password: str) -> str:
        with site[0].db.session() as other:
            other.add(Visitor(email="jana@example.com", name="Jana", password_hash="x"))
            other.commit()
        return hash_password(password)

    monkeypatch.setattr(controllers, "hash_password", the_other_request_commits_first)
    response = sign_up(client)
    assert response.status_code == 303  # the answer of any sign-up
    message = outbox(site[1])[-1]
    assert message["Subject"] == "Your account" and "has an account already" in body_of(message)
    with site[0].db.session() as db:
        assert db.scalars(select(Visitor.email)).all() == ["jana@example.com"]


@pytest.mark.parametrize("change", ["tamper", "truncate", "other-kind", "garbage"])
def test_a_tampered_confirmation_link_gets_a_clear_message(
    client: Client, site: tuple[Application, Path], change: str
) -> None:
    sign_up(client)
    token = parse_qs(urlsplit(link_in(outbox(site[1])[0])).query)["confirm"][0]
    if change == "tamper":
        token = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    elif change == "truncate":
        token = token[:20]
    elif change == "other-kind":  # a reset token is not a confirmation
        from application.modules.web.auth.tokens import RESET, make_token

        token = make_token(site[0].secret_keys, RESET, {"v": 1, "e": "jana@example.com"})
    else:
        token = "<script>" + "x" * 600
    response = client.get("/sign-up/", query_string={"confirm": token})
    assert response.status_code == 200
    text = text_of(response)
    assert 'id="link-problem"' in text and "The link is not valid" in text
    assert "<script>" not in text
    assert log_in(client, "jana@example.com").status_code == 200  # still unconfirmed


def test_an_expired_confirmation_link_says_so(
    client: Client, site: tuple[Application, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from application.modules.web.auth import tokens

    sign_up(client)
    link = link_in(outbox(site[1])[0])
    monkeypatch.setitem(tokens.MAX_AGE, tokens.CONFIRM, -1)
    text = text_of(client.get(link))
    assert "The link has expired" in text


# login and logout -------------------------------------------------------------------------
def test_open_redirects_in_next_are_refused(client: Client, site: tuple[Application, Path]) -> None:
    confirmed_visitor(client, site)
    for target in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ]:
        fresh = Client(site[0])
        response = log_in(fresh, "jana@example.com", next=target)
        assert response.status_code == 303
        assert response.headers["Location"] == "/account/", target
    fresh = Client(site[0])
    response = log_in(fresh, "jana@example.com", next="/articles/?page=2")
    assert response.headers["Location"] == "/articles/?page=2"


def test_logout_ends_the_session(client: Client, site: tuple[Application, Path]) -> None:
    confirmed_visitor(client, site)
    log_in(client, "jana@example.com")
    page = client.get("/account/")
    response = client.post("/account/", data={"csrf_token": csrf_of(page), "logout": "1"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert 'type="password"' in text_of(client.get("/account/"))


def test_failed_logins_are_throttled(client: Client, site: tuple[Application, Path]) -> None:
    confirmed_visitor(client, site)
    for _ in range(5):
        assert 'id="login-error"' in text_of(log_in(client, "jana@example.com", "Wrong-password-1"))
    response = log_in(client, "jana@example.com")  # even the right password waits now
    assert response.status_code == 429 and 'id="login-wait"' in text_of(response)
    assert int(response.headers["Retry-After"]) > 0


# CSRF -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "data"),
    [
        (
            "/sign-up/",
            {
                "name": "Eve",
                "email": "eve@example.com",
                "password": PASSWORD,
                "password_again": PASSWORD,
            },
        ),
        ("/password-reset/", {"email": "jana@example.com"}),
        ("/account/", {"_login": "1", "login": "jana@example.com", "password": PASSWORD}),
    ],
)
@pytest.mark.parametrize("token", [None, "forged"])
def test_every_post_needs_the_csrf_token(
    client: Client,
    site: tuple[Application, Path],
    url: str,
    data: dict[str, str],
    token: str | None,
) -> None:
    client.get(url)  # a session exists, with its own token
    sent = dict(data) if token is None else {**data, "csrf_token": token}
    assert client.post(url, data=sent).status_code == 400
    assert outbox(site[1]) == []
    assert client.get_cookie(COOKIE) is None or "account-email" not in text_of(
        client.get("/account/")
    )


def test_logout_needs_the_csrf_token(client: Client, site: tuple[Application, Path]) -> None:
    confirmed_visitor(client, site)
    log_in(client, "jana@example.com")
    for sent in [{"logout": "1"}, {"logout": "1", "csrf_token": "forged"}]:
        assert client.post("/account/", data=sent).status_code == 400
    assert "account-email" in text_of(client.get("/account/"))  # still signed in


# password reset -----------------------------------------------------------------------------
def test_a_reset_link_works_once_and_ends_other_sessions(
    client: Client, site: tuple[Application, Path]
) -> None:
    confirmed_visitor(client, site)
    other = Client(site[0])
    assert log_in(other, "jana@example.com").status_code == 303  # signed in elsewhere
    token = csrf_of(client.get("/password-reset/"))
    response = client.post(
        "/password-reset/", data={"csrf_token": token, "email": "JANA@example.com"}
    )
    assert response.status_code == 303
    assert "we sent it a link" in text_of(client.get("/password-reset/"))
    message = outbox(site[1])[-1]
    assert message["Subject"] == "Choose a new password"
    link = link_in(message)
    assert link.startswith("http://localhost/password-reset/?token=")
    assert f'href="{link}"' in html_of(message)

    form = client.get(link)
    assert 'name="password_again"' in text_of(form)
    new = "Brand-New-Secret-5"
    data = {"csrf_token": csrf_of(form), "password": new, "password_again": new}
    response = client.post(link, data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/account/"
    assert "Your password is changed" in text_of(client.get("/account/"))

    # the link is used up, the old password is gone, the other session ended
    again = text_of(client.get(link))
    assert 'id="link-problem"' in again and "has been used already" in again
    assert 'type="password"' in text_of(other.get("/account/"))
    assert log_in(Client(site[0]), "jana@example.com").status_code == 200
    assert log_in(Client(site[0]), "jana@example.com", new).status_code == 303


def test_reset_requests_tell_nothing_and_are_limited(
    client: Client, site: tuple[Application, Path]
) -> None:
    token = csrf_of(client.get("/password-reset/"))
    response = client.post(
        "/password-reset/", data={"csrf_token": token, "email": "nobody@example.com"}
    )
    assert response.status_code == 303
    assert "If nobody@example.com has an account here" in text_of(client.get("/password-reset/"))
    assert outbox(site[1]) == []  # nothing to send to
    for _ in range(2):
        client.post("/password-reset/", data={"csrf_token": token, "email": "nobody@example.com"})
    client.post("/password-reset/", data={"csrf_token": token, "email": "nobody@example.com"})
    assert "Too many reset links" in text_of(client.get("/password-reset/"))


def test_an_expired_or_tampered_reset_link_says_so(
    client: Client, site: tuple[Application, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from application.modules.web.auth import tokens

    confirmed_visitor(client, site)
    token = csrf_of(client.get("/password-reset/"))
    client.post("/password-reset/", data={"csrf_token": token, "email": "jana@example.com"})
    link = link_in(outbox(site[1])[-1])
    assert "The link is not valid" in text_of(client.get(link[:-4]))
    monkeypatch.setitem(tokens.MAX_AGE, tokens.RESET, -1)
    assert "The link has expired" in text_of(client.get(link))


def test_czech_pages(client: Client, site: tuple[Application, Path]) -> None:
    response = sign_up(client, "petr@example.com", url="/cs/registrace/")
    assert response.status_code == 303 and response.headers["Location"] == "/cs/registrace/"
    message = outbox(site[1])[-1]
    assert message["Subject"] == "Potvrďte svou e-mailovou adresu"
    assert message["X-Jetpy-Locale"] == "cs_CZ"
    link = link_in(message)
    assert link.startswith("http://localhost/cs/registrace/?confirm=")
    assert "Dobrý den, Jana," in body_of(message) and "platí 3 dny" in body_of(message)
    html = html_of(message)
    assert '<html lang="cs">' in html and f'href="{link}"' in html and "Potvrdit adresu" in html
    assert "Téměř hotovo" in text_of(client.get("/cs/registrace/"))
    assert client.get(link).headers["Location"] == "/cs/ucet/"  # confirmed, in Czech

    # the reset link too: a Czech subject, text and page
    token = csrf_of(client.get("/cs/obnova-hesla/"))
    client.post("/cs/obnova-hesla/", data={"csrf_token": token, "email": "petr@example.com"})
    reset = outbox(site[1])[-1]
    assert (reset["Subject"], reset["X-Jetpy-Locale"]) == ("Zvolte nové heslo", "cs_CZ")
    assert link_in(reset).startswith("http://localhost/cs/obnova-hesla/?token=")
    assert "Zvolit nové heslo" in html_of(reset)
    assert "Zvolte nové heslo" in text_of(client.get(link_in(reset)))


def test_the_footer_offers_sign_up_and_my_account_only_when_signed_in(
    client: Client, site: tuple[Application, Path]
) -> None:
    page = text_of(client.get("/about/"))
    assert 'href="/sign-up/"' in page and 'href="/account/"' not in page
    confirmed_visitor(client, site)
    log_in(client, "jana@example.com")
    assert 'href="/account/"' in text_of(client.get("/about/"))


def test_passwords_are_stored_hashed(client: Client, site: tuple[Application, Path]) -> None:
    sign_up(client)
    with Session(site[0].db.engine) as db:
        stored = db.execute(sqlalchemy.text("SELECT password_hash FROM web_visitors")).scalar()
    assert isinstance(stored, str) and stored.startswith("scrypt$") and PASSWORD not in stored


def test_signing_up_again_takes_as_long_as_a_new_sign_up(
    client: Client, site: tuple[Application, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from application.modules.web.auth import controllers

    confirmed_visitor(client, site)
    hashed: list[str] = []
    real = controllers.hash_password

    def counting(password: str) -> str:
        hashed.append(password)
        return real(password)

    monkeypatch.setattr(controllers, "hash_password", counting)
    # the slow part of a new sign-up (hashing the password) is done for a known address too
    assert sign_up(Client(site[0]), "jana@example.com", "Another-Password-7").status_code == 303
    assert hashed == ["Another-Password-7"]
    assert sign_up(Client(site[0]), "eva@example.com", "Another-Password-8").status_code == 303
    assert hashed == ["Another-Password-7", "Another-Password-8"]


def test_a_forged_host_never_gets_a_reset_link(
    client: Client, site: tuple[Application, Path]
) -> None:
    confirmed_visitor(client, site)
    before = len(outbox(site[1]))
    evil = Client(site[0])
    token = csrf_of(evil.get("/password-reset/", base_url="http://evil.example/"))
    response = evil.post(
        "/password-reset/",
        data={"csrf_token": token, "email": "jana@example.com"},
        base_url="http://evil.example/",
    )
    assert response.status_code == 500  # the page lacks `site_url`: the log names the fix
    assert "Traceback" not in response.get_data(as_text=True)
    assert all("evil.example" not in str(m) for m in outbox(site[1])[before:])
    assert len(outbox(site[1])) == before


# revocable sessions ----------------------------------------------------------------------
def copy_of(client: Client, site: tuple[Application, Path]) -> Client:
    """Another browser holding a copy of `client`'s cookie (a stolen cookie)."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = Client(site[0])
    thief.set_cookie(COOKIE, cookie.value, path="/")
    return thief


def signed_in(client: Client) -> bool:
    return 'id="account-email"' in text_of(client.get("/account/"))


def test_a_cookie_copied_before_logout_is_refused_after_it(
    client: Client, site: tuple[Application, Path]
) -> None:
    confirmed_visitor(client, site)
    log_in(client, "jana@example.com")
    thief = copy_of(client, site)
    assert signed_in(thief)
    page = client.get("/account/")
    client.post("/account/", data={"csrf_token": csrf_of(page), "logout": "1"})
    assert not signed_in(thief) and not signed_in(client)


def test_a_reset_password_ends_a_copied_cookie(
    client: Client, site: tuple[Application, Path]
) -> None:
    confirmed_visitor(client, site)
    other = Client(site[0])
    log_in(other, "jana@example.com")
    thief = copy_of(other, site)
    token = csrf_of(client.get("/password-reset/"))
    client.post("/password-reset/", data={"csrf_token": token, "email": "jana@example.com"})
    link = link_in(outbox(site[1])[-1])
    new = "Brand-New-Secret-5"
    form = client.get(link)
    data = {"csrf_token": csrf_of(form), "password": new, "password_again": new}
    assert client.post(link, data=data).status_code == 303
    assert not signed_in(other) and not signed_in(thief)


def test_sign_out_everywhere_ends_every_browser_of_the_visitor(
    client: Client, site: tuple[Application, Path]
) -> None:
    confirmed_visitor(client, site)
    log_in(client, "jana@example.com")
    there = Client(site[0])
    log_in(there, "jana@example.com")
    thief = copy_of(there, site)
    page = client.get("/account/")
    assert 'value="everywhere"' in text_of(page)
    response = client.post("/account/", data={"csrf_token": csrf_of(page), "logout": "everywhere"})
    assert response.status_code == 303
    assert "You have signed out everywhere." in text_of(client.get("/"))
    assert not any(signed_in(browser) for browser in (client, there, thief))
    assert log_in(there, "jana@example.com").status_code == 303  # the password still works
