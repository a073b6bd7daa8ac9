"""Module web.redirects: the admin's redirects list (/admin/redirects/) and the web base
answering it for requests that would otherwise be a 404."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from application.classes.redirects import (
    Redirect,
    RedirectError,
    check_target,
    location,
    normal_source,
    target_path,
)
from jetpy import Application
from tests.conftest import PASSWORD, REPO, example_with_admins, signed_in
from tests.conftest import csrf_token_in as token_of

URL = "/admin/redirects/"


@pytest.fixture
def app(db_url: str, example_model: type) -> Iterator[Application]:
    """`boss` (superuser), `clerk` (may only view redirects) and `nobody` (no privilege)."""
    from application.classes.admin_users import Role, create_administrator

    def people(db: Session) -> None:
        clerk = create_administrator(db, "clerk", "clerk@example.com", PASSWORD)
        role = Role(name="Clerks")
        role.grant("visit_page", "redirects")
        role.grant("module_action", "web.redirects:view")
        clerk.roles.append(role)
        nobody = create_administrator(db, "nobody", "nobody@example.com", PASSWORD)
        other = Role(name="Others")
        other.grant("visit_page", "redirects")  # the page, but no action of the module
        nobody.roles.append(other)

    with example_with_admins(db_url, example_model, people) as app:
        yield app


@pytest.fixture
def boss(app: Application) -> Client:
    return signed_in(app, "boss", URL)


def data(token: str, **values: str) -> dict[str, str]:
    return {"csrf_token": token, "status": "301", "enabled": "y", "note": ""} | values


def add(client: Client, **values: str) -> TestResponse:
    token = token_of(client.get(URL + "?add"))
    return client.post(URL + "?add", data=data(token, **values))


def stored(app: Application) -> list[Redirect]:
    with app.db.session() as db:
        return list(db.scalars(select(Redirect).order_by(Redirect.source)))


# the rules ----------------------------------------------------------------------------------
def test_sources_are_normalised_and_bad_ones_refused() -> None:
    assert normal_source(" /old/page/ ") == "/old/page"
    assert normal_source("/star%C3%A1//str%C3%A1nka") == "/stará/stránka"
    for bad in ("old", "http://example.com/old", "//evil.com/x", "/a b", "/a\\b", "/old?x=1",
                "/old#top", "/", "/a\r\nSet-Cookie: x=1", "/%ff"):  # fmt: skip
        with pytest.raises(RedirectError):
            normal_source(bad)


def test_targets_are_site_paths_or_http_addresses() -> None:
    assert check_target(" /new?x=1#top ") == "/new?x=1#top"
    assert check_target("https://example.com/new") == "https://example.com/new"
    for bad in ("javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "//evil.com",
                "/\\evil.com", "new-page", "https://", "https://a b.com", "ftp://example.com/",
                "/new\r\nSet-Cookie: x=1", "https://user@evil.com", "mailto:a@example.com"):  # fmt: skip
        with pytest.raises(RedirectError):
            check_target(bad)


def test_the_query_string_is_passed_on() -> None:
    made = Redirect(source="/old", target="/new#top")
    assert location(made, "a=1") == "/new?a=1#top"
    made.target = "https://example.com/new?x=2"
    assert location(made, "a=1") == "https://example.com/new?x=2&a=1"
    assert location(made, "") == "https://example.com/new?x=2"


# the admin ----------------------------------------------------------------------------------
def test_add_edit_view_and_delete(app: Application, boss: Client) -> None:
    response = add(boss, source="/old-news/", target="/articles/", note="moved in 2026")
    assert response.status_code == 303, response.get_data(as_text=True)
    (made,) = stored(app)
    assert (made.source, made.target, made.status, made.enabled) == (
        "/old-news",
        "/articles/",
        301,
        True,
    )
    grid = boss.get(URL).get_data(as_text=True)
    assert "/old-news" in grid and "/articles/" in grid
    assert "/old-news" in boss.get(URL, query_string={"q": "old-news"}).get_data(as_text=True)
    assert "/old-news" not in boss.get(URL, query_string={"q": "zzz"}).get_data(as_text=True)
    assert boss.get(URL, query_string={"sort": "-hits"}).status_code == 200
    form = boss.get(f"{URL}?edit={made.id}")
    assert 'value="/old-news"' in form.get_data(as_text=True)
    values = data(token_of(form), source="/old-news", target="/articles/", status="308")
    values["note"] = "moved in 2026"
    values.pop("enabled")  # unchecked
    assert boss.post(f"{URL}?edit={made.id}", data=values).status_code == 303
    (edited,) = stored(app)
    assert (edited.status, edited.enabled) == (308, False)
    view = boss.get(f"{URL}?view={made.id}").get_data(as_text=True)
    assert "308 Permanent, the same method" in view and "moved in 2026" in view
    confirm = boss.get(f"{URL}?delete={made.id}")
    assert (
        boss.post(f"{URL}?delete={made.id}", data={"csrf_token": token_of(confirm)}).status_code
        == 303
    )
    assert stored(app) == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"source": "old", "target": "/new"}, "starting with /"),
        ({"source": "https://example.com/old", "target": "/new"}, "starting with /"),
        ({"source": "/old", "target": "javascript:alert(1)"}, "http:// or https://"),
        ({"source": "/old", "target": "//evil.com/"}, "single /"),
        ({"source": "/old", "target": "/\\evil.com"}, "backslashes"),
        ({"source": "/old", "target": "/new\r\nSet-Cookie: a=1"}, "line breaks"),
        ({"source": "/old", "target": "/old"}, "leads back"),
        ({"source": "/old/", "target": "http://localhost/old?x=1"}, "leads back"),
        ({"source": "/old", "target": "/new", "status": "307"}, "Not a valid choice"),
        ({"source": "/articles/", "target": "/new"}, "is a page of the site"),
        ({"source": "/cs", "target": "/new"}, "is a page of the site"),
        ({"source": "", "target": ""}, "Enter the old address."),
    ],
)
def test_bad_input_is_a_form_message(
    app: Application, boss: Client, values: dict[str, str], message: str
) -> None:
    response = add(boss, **values)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert stored(app) == []


def test_a_duplicate_source_and_a_loop_through_another_redirect_are_refused(
    app: Application, boss: Client
) -> None:
    assert add(boss, source="/a", target="/b").status_code == 303
    duplicate = add(boss, source="/a/", target="/c")
    assert "Another redirect has this old address." in duplicate.get_data(as_text=True)
    loop = add(boss, source="/b", target="/a")
    assert "leads back to the old one" in loop.get_data(as_text=True)
    assert [r.source for r in stored(app)] == ["/a"]


def test_a_full_address_of_the_site_is_a_path_of_it() -> None:
    assert target_path("https://shop.example.com/a/?x=1", (".example.com",)) == "/a"
    assert target_path("https://example.com:8443/a", ("example.com",)) == "/a"  # any port
    assert target_path("https://example.com.evil.net/a", (".example.com",)) is None
    assert target_path("https://other.net/a", ("example.com",)) is None
    assert target_path("https://example.com/a", ()) is None  # no names: only paths


def test_a_loop_through_a_full_address_of_a_trusted_host_is_refused(
    app: Application, boss: Client
) -> None:
    """The admin may run on a host of its own: the web site's names come from config.yaml's
    `trusted_hosts` (and the bases' URLs), not only from the admin's own Host header."""
    app.config = dataclasses.replace(app.config, trusted_hosts=("localhost", ".example.com"))
    assert add(boss, source="/a", target="https://www.example.com/b").status_code == 303
    loop = add(boss, source="/b", target="https://example.com/a")
    assert "leads back to the old one" in loop.get_data(as_text=True)
    assert add(boss, source="/c", target="https://example.org/a").status_code == 303


def test_the_czech_admin_speaks_czech(app: Application, boss: Client) -> None:
    page = boss.get("/admin/cs/redirects/?add").get_data(as_text=True)
    assert "Přidat přesměrování" in page and "Stará adresa" in page
    token = token_of(boss.get("/admin/cs/redirects/?add"))
    answer = boss.post(
        "/admin/cs/redirects/?add", data=data(token, source="stara", target="javascript:x")
    )
    text = answer.get_data(as_text=True)
    assert "Napište cestu staré adresy" in text and "nebo celou adresu" in text


def test_a_user_without_the_privileges_gets_403_on_every_action(app: Application) -> None:
    with app.db.session() as db:
        db.add(Redirect(source="/x", target="/y"))
        db.commit()
        id = db.scalar(select(Redirect.id))
    clerk, nobody = signed_in(app, "clerk", URL), signed_in(app, "nobody", URL)
    assert clerk.get(URL).status_code == 200 and clerk.get(f"{URL}?view={id}").status_code == 200
    token = token_of(clerk.get(URL))
    for action in ("add", f"edit={id}", f"delete={id}"):
        assert clerk.get(f"{URL}?{action}").status_code == 403, action
        sent = clerk.post(f"{URL}?{action}", data=data(token, source="/z", target="/y"))
        assert sent.status_code == 403, action
    for action in ("", "add", f"view={id}", f"edit={id}", f"delete={id}"):
        assert nobody.get(f"{URL}?{action}").status_code == 403, action
    assert [r.source for r in stored(app)] == ["/x"]


def test_the_form_needs_its_csrf_token(app: Application, boss: Client) -> None:
    boss.get(URL + "?add")
    response = boss.post(URL + "?add", data=data("forged", source="/old", target="/new"))
    assert response.status_code == 400
    assert stored(app) == []


# the web base -------------------------------------------------------------------------------
def visit(client: Client, url: str, method: str = "GET") -> TestResponse:
    return client.open(url, method=method)


@pytest.mark.parametrize("status", ["301", "302", "308"])
def test_a_missing_path_answers_its_redirect_with_the_query_string(
    app: Application, boss: Client, status: str
) -> None:
    public = Client(app)
    assert visit(public, "/old-news?page=2").status_code == 404
    assert add(boss, source="/old-news", target="/articles/", status=status).status_code == 303
    response = visit(public, "/old-news?page=2")  # at once: a 404 is never cached
    assert response.status_code == int(status)
    assert response.headers["Location"] == "/articles/?page=2"
    assert visit(public, "/old-news/").headers["Location"] == "/articles/"
    (made,) = stored(app)
    assert made.hits == 2 and made.last_hit is not None


def test_only_what_would_be_a_404_is_redirected(app: Application, boss: Client) -> None:
    public = Client(app)
    with app.db.session() as db:  # kept from before the page existed (the form refuses it)
        db.add(Redirect(source="/articles", target="/elsewhere"))
        db.commit()
    add(boss, source="/cs/stara-stranka", target="https://example.com/nová")
    add(boss, source="/off", target="/articles/", enabled="")
    assert visit(public, "/articles/").status_code == 200
    czech = visit(public, "/cs/stara-stranka")
    assert czech.status_code == 301
    assert czech.headers["Location"] == "https://example.com/nov%C3%A1"  # an URI, not an IRI
    assert visit(public, "/off").status_code == 404  # disabled
    assert visit(public, "/cs/stara-stranka", "POST").status_code in (400, 404)  # never sent on
    assert visit(public, "/admin/cs/stara-stranka").status_code != 301  # the admin base: no


def test_an_inactive_module_redirects_nothing(app: Application, boss: Client) -> None:
    add(boss, source="/gone", target="/articles/")
    app.modules["web.redirects"].state = "installed"
    try:
        assert visit(Client(app), "/gone").status_code == 404
    finally:
        app.modules["web.redirects"].state = "activated"


def test_redirects_take_effect_at_once_with_the_output_cache_on(
    app: Application, boss: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JETPY_CACHE_BACKEND", "memory")
    cached = Application(REPO, use_cache=False)
    try:
        public = Client(cached)
        for _ in range(2):
            assert visit(public, "/moved-away").status_code == 404
        assert add(boss, source="/moved-away", target="/articles/").status_code == 303
        assert visit(public, "/moved-away").status_code == 301
    finally:
        cached.db.dispose()
