"""Attacks on the example site: CSRF, XSS, open redirects, session fixation, SQL, brute force.

Everything runs in process against the site seeded once per run (`seeded_site`); tests that
add rows use their own (marked by `<script>` or their own names), so they do not disturb the
demo data others read.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.test import Client, TestResponse

from application.classes.admin_users import Administrator, create_administrator
from application.classes.catalog import (
    Availability,
    Category,
    CategoryText,
    Price,
    Pricelist,
    Product,
    ProductText,
)
from application.classes.content import Article, ArticleLocalization
from application.modules.mail.outbox.listeners import outbox_dir
from jetpy import Application
from jetpy.kernel.pages import Page
from tests.conftest import SITE_PASSWORD, SeededSite, log_in
from tests.conftest import csrf_token_in as token_of

SIGNED_IN = 'id="signed-in"'
LOGIN_FORM = 'name="_login"'
COOKIE = "jetpy_session_admin"
_addresses = itertools.count(2)


class Visitor(Client):
    """A test client from an address of its own: the login throttle counts per address."""

    def __init__(self, app: Application) -> None:
        super().__init__(app)
        number = next(_addresses)
        self.address = f"10.66.{number // 250}.{number % 250 + 1}"

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        kwargs.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        return super().open(*args, **kwargs)


@pytest.fixture
def app(seeded_site: SeededSite) -> Application:
    return seeded_site.app


@pytest.fixture
def client(app: Application) -> Client:
    return Visitor(app)


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def pages_of(app: Application, base: str) -> Iterator[Page]:
    """Every page of `base` in every locale, the homepages included."""
    for (tree_base, _locale), tree in app.trees.items():
        if tree_base != base:
            continue
        waiting = [tree.homepage]
        while waiting:
            page = waiting.pop()
            yield page
            waiting.extend(page.children)


# CSRF -------------------------------------------------------------------------------------
def test_a_login_without_the_token_or_with_a_wrong_one_is_refused(client: Client) -> None:
    real = token_of(client.get("/admin/"))
    stranger = Visitor(client.application)  # type: ignore[arg-type]
    foreign = token_of(stranger.get("/admin/"))  # valid, but for another session
    for token in (None, "", "x" * 43, real[:-1] + ("A" if real[-1] != "A" else "B"), foreign):
        data = {"_login": "1", "login": "boss", "password": SITE_PASSWORD}
        if token is not None:
            data["csrf_token"] = token
        response = client.post("/admin/", data=data)
        assert response.status_code == 400, token
        assert SIGNED_IN not in text_of(client.get("/admin/"))
    assert log_in(client, "boss").status_code == 303  # the same client with the right token: in


def test_a_logout_without_the_token_keeps_the_user_signed_in(client: Client) -> None:
    log_in(client, "boss")
    for data in ({}, {"csrf_token": "forged-token-forged-token-forged-token-xxxx"}):
        assert client.post("/admin/logout/", data=data).status_code == 400
        assert SIGNED_IN in text_of(client.get("/admin/"))
    token = token_of(client.get("/admin/"))
    assert client.post("/admin/logout/", data={"csrf_token": token}).status_code == 303
    assert SIGNED_IN not in text_of(client.get("/admin/"))


def test_the_contact_form_without_the_token_sends_nothing(app: Application) -> None:
    client = Visitor(app)
    outbox = outbox_dir(app)  # where mail.outbox writes the message a contact sends
    before = sorted(outbox.iterdir()) if outbox.is_dir() else []
    token_of(client.get("/contact/"))  # the visitor has a session and a token
    data = {"name": "Mallory", "email": "mallory@example.com", "message": "Hello " * 5}
    for token in (None, "not-the-token"):
        sent = data if token is None else {**data, "csrf_token": token}
        response = client.post("/contact/", data=sent)
        assert response.status_code == 400
        assert "Mallory" not in text_of(response)
    after = sorted(outbox.iterdir()) if outbox.is_dir() else []
    assert after == before


def article_form(title: str) -> dict[str, str]:
    """A valid add/edit form of content.articles.admin (the token left out)."""
    return {"published_at": "2026-01-01T10:00", "title_en_US": title, "slug_en_US": ""}


def product_form(code: str) -> dict[str, str]:
    """A valid add/edit form of catalog.products.admin (the token left out)."""
    return {"code": code, "kind": "regular", "name_en_US": code, "rate_CZK": "21", "rate_EUR": "21"}


@pytest.mark.parametrize(
    ("url", "model", "form"),
    [("/admin/articles/", Article, article_form), ("/admin/products/", Product, product_form)],
    ids=["articles", "products"],
)
def test_crud_and_bulk_posts_without_the_token_change_nothing(
    app: Application, url: str, model: type, form: Any
) -> None:
    client = Visitor(app)
    log_in(client, "boss")
    with app.db.session() as db:
        target = db.scalars(select(model).order_by(model.id.desc())).first()
        assert target is not None
        target_id = target.id
        count = db.scalar(select(func.count()).select_from(model))
    token = token_of(client.get(url + "?add"))  # the form of the signed-in session has one
    assert token
    attempts = [
        ("?add", form("csrf-added")),
        (f"?edit={target_id}", form("csrf-changed")),
        (f"?delete={target_id}", {"confirm": "1"}),
        ("", {"bulk": "delete", "ids": str(target_id)}),
        ("", {"bulk": "delete", "ids": str(target_id), "confirm": "1"}),
    ]
    for query, data in attempts:
        for sent in (None, "", "forged-" + token[7:], token[::-1]):
            posted = data if sent is None else {**data, "csrf_token": sent}
            response = client.post(url + query, data=posted)
            assert response.status_code == 400, (query, sent, response.status_code)
    with app.db.session() as db:
        assert db.scalar(select(func.count()).select_from(model)) == count
        assert db.get(model, target_id) is not None
    listing = text_of(client.get(url, query_string={"q": "csrf"}))
    assert "csrf-added" not in listing and "csrf-changed" not in listing
    # the same form with the session's token is saved: it was only the token that was wrong
    saved = client.post(url + "?add", data={**form("csrf-control"), "csrf_token": token})
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', text_of(saved))
    assert saved.status_code == 303, errors
    with app.db.session() as db:
        assert db.scalar(select(func.count()).select_from(model)) == count + 1


class PostForms(HTMLParser):
    """The POST forms of a page: their action and the values a browser would send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._fields: dict[str, str] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            self._fields = {}
            self.forms.append((values.get("action", ""), self._fields))
        elif self._fields is None:
            return
        elif tag in ("input", "textarea", "button") and values.get("name"):
            kind = values.get("type", "text").lower()
            if kind not in ("checkbox", "radio", "submit", "button") or "checked" in values:
                self._fields[values["name"]] = values.get("value", "")
        elif tag == "select" and values.get("name"):
            self._select = values["name"]
        elif tag == "option" and self._select is not None:
            self._fields.setdefault(self._select, values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None


def post_forms(url: str, html: str) -> list[tuple[str, dict[str, str]]]:
    parser = PostForms()
    parser.feed(html)
    return [(urljoin(url, action), fields) for action, fields in parser.forms]


def test_every_post_form_of_the_site_without_its_token_is_refused(app: Application) -> None:
    client = Visitor(app)
    log_in(client, "boss")
    urls = [page.url() for page in pages_of(app, "web")]
    for page in pages_of(app, "admin"):
        url = page.url()
        listing = text_of(client.get(url))
        urls += [url, url + "?add"]
        for action in ("edit", "delete"):
            found = re.search(rf"\?{action}=(\d+)", listing)
            if found:
                urls.append(f"{url}?{action}={found.group(1)}")
    forms: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
    for url in urls:
        with client.get(url) as response:
            if response.mimetype == "text/html":
                for action, fields in post_forms(url, text_of(response)):
                    forms.setdefault((action, tuple(sorted(fields))), fields)
    assert len(forms) >= 10  # login-free web forms, the admin's CRUD, grids and logout
    tokens = 0
    for (action, _names), fields in forms.items():
        tokens += "csrf_token" in fields
        without = {name: value for name, value in fields.items() if name != "csrf_token"}
        for data in (without, {**without, "csrf_token": "forged-" + "x" * 36}):
            response = client.post(action, data=data)
            assert response.status_code == 400, (action, sorted(fields), response.status_code)
    assert tokens == len(forms)  # every POST form of the site carries a token
    assert SIGNED_IN in text_of(client.get("/admin/"))  # even the logout forms did nothing


# open redirects ---------------------------------------------------------------------------
HOSTILE_NEXT = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "evil.example",
    "@evil.example",
    "/" + "a" * 5000,  # too long to be kept
]


def test_a_nul_in_next_is_refused_before_the_login(client: Client) -> None:
    hostile = "\x00//evil.example"
    assert client.get("/admin/", query_string={"next": hostile}).status_code == 400
    response = log_in(client, "boss", next=hostile)
    assert response.status_code == 400 and "Location" not in response.headers
    assert SIGNED_IN not in text_of(client.get("/admin/"))


@pytest.mark.parametrize("url", ["/admin/", "/account/", "/cs/ucet/"])
@pytest.mark.parametrize("field", ["login", "password"])
def test_a_nul_in_a_login_form_is_a_400_naming_the_field(
    client: Client, url: str, field: str
) -> None:
    token = token_of(client.get(url))
    data = {"_login": "1", "csrf_token": token, "login": "boss", "password": SITE_PASSWORD}
    response = client.post(url, data={**data, field: data[field] + "\x00"})
    assert response.status_code == 400
    named = f"Pole formuláře `{field}`" if url.startswith("/cs/") else f"form field `{field}`"
    assert named in text_of(response)


@pytest.mark.parametrize("hostile", HOSTILE_NEXT, ids=lambda value: ascii(value)[:40])
def test_next_never_sends_the_browser_to_another_site(client: Client, hostile: str) -> None:
    form = client.get("/admin/", query_string={"next": hostile})
    assert form.status_code == 200
    kept = re.search(r'name="next" value="([^"]*)"', text_of(form))
    assert kept is not None, text_of(form)[:300]
    assert kept.group(1) == "/" or kept.group(1).startswith("/admin/?next=")  # this very page
    response = log_in(client, "boss", next=hostile)
    assert response.status_code == 303
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert location == "/admin/"  # the page that asked for the login


def test_a_local_next_is_followed(client: Client) -> None:
    response = log_in(client, "boss", next="/admin/cs/?x=1")
    assert response.headers["Location"] == "/admin/cs/?x=1"


# session fixation -------------------------------------------------------------------------
def session_id(app: Application, client: Client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    found = app.sessions.session_id("admin", cookie.value)
    assert found is not None
    return found


def test_a_session_planted_before_the_login_is_worthless_after_it(app: Application) -> None:
    # the attacker gets a session (and its cookie) from the site and plants it in the victim
    attacker = Visitor(app)
    token_of(attacker.get("/admin/"))
    planted = attacker.get_cookie(COOKIE)
    assert planted is not None
    victim = Visitor(app)
    victim.set_cookie(COOKIE, planted.value, path="/")
    planted_id = session_id(app, victim)
    assert log_in(victim, "boss").status_code == 303
    assert session_id(app, victim) != planted_id  # the victim's session got a new id
    assert SIGNED_IN in text_of(victim.get("/admin/"))
    # the attacker's copy of the planted cookie does not sign in
    response = attacker.get("/admin/")
    assert SIGNED_IN not in text_of(response) and LOGIN_FORM in text_of(response)


def test_a_forged_or_tampered_session_cookie_is_ignored(app: Application) -> None:
    signed_in = Visitor(app)
    log_in(signed_in, "boss")
    cookie = signed_in.get_cookie(COOKIE)
    assert cookie is not None
    payload, _, signature = cookie.value.rpartition(".")
    tampered = payload + "." + ("A" if signature[:1] != "A" else "B") + signature[1:]
    for value in (tampered, '{"_auth": {"user": 1, "version": 1}}', "x", "." * 50):
        client = Visitor(app)
        client.set_cookie(COOKIE, value, path="/")
        response = client.get("/admin/")
        assert response.status_code == 200
        assert SIGNED_IN not in text_of(response) and LOGIN_FORM in text_of(response)


# the login throttle -----------------------------------------------------------------------
def test_failed_logins_make_that_account_wait_from_that_address_even_with_the_right_password(
    app: Application,
) -> None:
    with app.db.session() as db:
        create_administrator(db, "throttled", "throttled@example.com", SITE_PASSWORD)
        db.commit()
    client = Visitor(app)
    for _ in range(5):
        response = log_in(client, "throttled", password="wrong-password-123")
        assert response.status_code == 200 and 'id="login-error"' in text_of(response)
    response = log_in(client, "throttled")  # the right password: refused all the same
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert 'id="login-wait"' in text_of(response)
    assert SIGNED_IN not in text_of(client.get("/admin/"))
    # from another address the user is not: one visitor cannot lock an account for everyone
    elsewhere = Visitor(app)
    assert log_in(elsewhere, "throttled").status_code == 303
    # nor another account from the same address (until the address's own, higher limit)
    assert log_in(client, "boss").status_code == 303


# pages behind the login ------------------------------------------------------------------
def admin_urls(app: Application) -> list[str]:
    """Every admin page's URL, with the CRUD and grid parameters and a made-up child path."""
    urls = []
    for page in pages_of(app, "admin"):
        url = page.url()
        urls += [url, url + "?add", url + "?view=1", url + "?edit=1", url + "?delete=1"]
        urls += [url + "?export=csv", url + "?page=2&sort=-id&q=a", url + "1", url + "x.html"]
    return sorted(set(urls))


def test_every_admin_url_without_login_answers_the_login_form_and_no_content(
    app: Application,
) -> None:
    client = Visitor(app)
    with app.db.session() as db:
        titles = list(db.scalars(select(ArticleLocalization.title).limit(20)))
        usernames = list(db.scalars(select(Administrator.username)))
    urls = admin_urls(app)
    assert len(urls) >= 2 * 9
    for url in urls:
        response = client.get(url)
        text = text_of(response)
        assert response.status_code == 200, url
        assert LOGIN_FORM in text and 'type="password"' in text, url
        assert SIGNED_IN not in text, url
        assert response.headers["Content-Type"].startswith("text/html"), url  # no CSV
        leaked = [value for value in titles + usernames if value in text]
        assert not leaked, (url, leaked)


def test_state_changing_requests_to_admin_urls_without_login_change_nothing(
    app: Application,
) -> None:
    client = Visitor(app)
    with app.db.session() as db:
        article = db.scalars(select(Article).order_by(Article.id)).first()
        assert article is not None
        articles = db.scalar(select(func.count()).select_from(Article))
        products = db.scalar(select(func.count()).select_from(Product))
    token = token_of(client.get("/admin/"))  # even a valid token does not sign anyone in
    for page in pages_of(app, "admin"):
        url = page.url()
        for query, data in [
            ("?add", {"title": "Added"}),
            (f"?edit={article.id}", {"title": "Changed"}),
            (f"?delete={article.id}", {"confirm": "1"}),
            ("", {"bulk": "delete", "ids": str(article.id), "confirm": "1"}),
        ]:
            response = client.post(url + query, data={**data, "csrf_token": token})
            assert response.status_code in (200, 400), (url + query, response.status_code)
            assert SIGNED_IN not in text_of(response)
    with app.db.session() as db:
        assert db.scalar(select(func.count()).select_from(Article)) == articles
        assert db.scalar(select(func.count()).select_from(Product)) == products


WRITES = {"POST": "", "PUT": "1", "PATCH": "1", "DELETE": "1"}  # method: path below the page


@pytest.mark.parametrize(
    "authorization", [None, "Basic Ym9zczpub3BlLW5vcGU=", "Bearer not-a-token"]
)
def test_every_rest_write_without_valid_credentials_answers_401(
    app: Application, authorization: str | None
) -> None:
    client = Visitor(app)
    headers = {"Authorization": authorization} if authorization else {}
    with app.db.session() as db:
        articles = db.scalar(select(func.count()).select_from(Article))
        products = db.scalar(select(func.count()).select_from(Product))
    refused = signed_out = 0
    for page in pages_of(app, "rest"):
        for method, path in WRITES.items():
            url = page.url(path) if path else page.url()
            body = {"title": "Hacked", "slug": "hacked", "code": "HACKED"}
            response = client.open(url, method=method, json=body, headers=headers)
            # 429: wrong credentials too often from this address (the API's login throttle)
            assert response.status_code in (401, 404, 405, 429), (method, url, response.status_code)
            assert response.mimetype == "application/json", url
            refused += response.status_code in (401, 429)
            signed_out += response.status_code == 401
    assert refused >= 2 * 2 * 3  # POST, PUT, DELETE of articles and products, both locales
    assert signed_out > 0
    with app.db.session() as db:
        assert db.scalar(select(func.count()).select_from(Article)) == articles
        assert db.scalar(select(func.count()).select_from(Product)) == products


# SQL meta-characters in every filter and search box ---------------------------------------
NASTY = [
    "'",
    '"',
    "' OR '1'='1",
    "1; DROP TABLE catalog_products; --",
    "1) OR (1=1",
    "%",
    "_",
    "\\",
    "%' --",
    "\x00",
    "a\x00b",
    "\u202e",
    "1e999",
    "NaN",
    "-Infinity",
    "99999999999999999999999999",
    "-1",
    "0",
    "<script>",
    "😀",
    "x" * 3000,
]


def assert_no_server_error(client: Client, url: str, params: dict[str, str]) -> TestResponse:
    response = client.get(url, query_string=params)
    assert response.status_code < 500, (url, params, response.status_code)
    return response


def test_sql_meta_characters_in_the_catalog_filters_never_give_a_500(
    client: Client, hostile: dict[str, str]
) -> None:
    # the hostile category holds one product: the queries are the same, the pages are short
    category = hostile["category"]
    names = ("in_stock", "price_min", "price_max", "sort")
    url = f"/products/{category}-en"
    assert client.get(url).status_code == 200
    for value, name in itertools.product(NASTY, names):
        expected = 400 if "\x00" in value else 200  # the input layer refuses NUL
        assert assert_no_server_error(client, url, {name: value}).status_code == expected
    for value in NASTY:  # the Czech shop (CZK prices with VAT): every filter at once
        url = f"/cs/produkty/{category}-cs"
        expected = 400 if "\x00" in value else 200
        response = assert_no_server_error(client, url, dict.fromkeys(names, value))
        assert response.status_code == expected


def test_sql_meta_characters_in_article_and_product_urls_never_give_a_500(
    client: Client,
) -> None:
    for value in NASTY:
        for url in ("/articles/", "/cs/clanky/", "/products/", "/cs/produkty/"):
            response = client.get(url + value.replace("\x00", "%00") + ".html")
            assert response.status_code < 500, (url, value)
            response = client.get(url + "page-" + value)
            assert response.status_code < 500, (url, value)
            assert_no_server_error(client, url, {"page": value})


def test_sql_meta_characters_in_rest_paging_and_sorting_answer_400_never_500(
    client: Client, app: Application
) -> None:
    for page in pages_of(app, "rest"):
        url = page.url()
        for value, name in itertools.product(NASTY, ("page", "items_per_page", "sort")):
            response = assert_no_server_error(client, url, {name: value})
            assert response.status_code in (200, 400), (url, name, value)
            assert response.headers["Content-Type"].startswith("application/"), url
        for value in NASTY:
            response = client.get(url + value.replace("\x00", "%00"))
            assert response.status_code < 500, (url, value)


ID_LIKE = ["'", "1 OR 1=1", "1;--", "%", "\x00", "-1", "1e999", "99999999999999999999"]


def test_sql_meta_characters_in_the_admin_grids_never_give_a_500(app: Application) -> None:
    client = Visitor(app)
    log_in(client, "boss")
    grids = 0
    for page in pages_of(app, "admin"):
        if page.locale.name != "en_US":  # the cs_CZ pages run the same controllers
            continue
        url = page.url()
        listing = text_of(client.get(url))
        # the grid's own parameters and its select filters, all at once: each falls back alone
        names = {
            "q",
            "sort",
            "page",
            "per_page",
            *re.findall(r'<select[^>]*name="([^"]+)"', listing),
        }
        grids += "<table" in listing
        for value in NASTY:
            assert_no_server_error(client, url, dict.fromkeys(names, value))
        for value in ID_LIKE:
            for name in ("view", "edit", "delete"):
                assert_no_server_error(client, url, {name: value})
    assert grids >= 2  # articles and products at least


# <script> in every text field -------------------------------------------------------------
def payload(field: str) -> str:
    return f'<script>alert("{field}")</script>'


RAW = '<script>alert("'  # what must never reach a page unescaped
ESCAPED = "&lt;script&gt;alert("


@pytest.fixture(scope="module")
def hostile(seeded_site: SeededSite) -> dict[str, str]:
    """An article, a category and a product with `<script>` in every text field; their slugs."""
    app = seeded_site.app
    with app.db.session() as db:
        article = Article(published_at=datetime.now(UTC) - timedelta(minutes=1))
        for locale, suffix in (("en_US", "en"), ("cs_CZ", "cs")):
            article.localize(
                locale,
                title=payload(f"title-{suffix}"),
                slug=f"hostile-article-{suffix}",
                annotation=payload(f"annotation-{suffix}"),
                text=payload(f"text-{suffix}") + "\n\n" + payload(f"paragraph-{suffix}"),
            )
        db.add(article)
        category = Category(position=999)
        product = Product(code='HOSTILE-<script>alert("code")</script>', ean="<b>1</b>")
        for locale, suffix in (("en_US", "en"), ("cs_CZ", "cs")):
            category.texts.append(
                CategoryText(
                    locale=locale,
                    name=payload(f"category-{suffix}"),
                    slug=f"hostile-category-{suffix}",
                    description=payload(f"category-description-{suffix}"),
                )
            )
            product.texts.append(
                ProductText(
                    locale=locale,
                    name=payload(f"product-{suffix}"),
                    slug=f"hostile-product-{suffix}",
                    description=payload(f"description-{suffix}"),
                )
            )
        product.category = category
        for pricelist in db.scalars(select(Pricelist)):
            product.prices.append(Price(pricelist=pricelist, amount=Decimal("100")))
        for code in ("CZ", "EU"):
            product.availabilities.append(Availability(code=code, units=3))
        db.add_all([category, product])
        db.commit()
    return {
        "article": "hostile-article",
        "category": "hostile-category",
        "product": "hostile-product",
    }


def assert_escaped(response: TestResponse, *shown: str) -> None:
    """No raw payload in the page; the `shown` fields are there, escaped."""
    text = text_of(response)
    assert response.status_code == 200
    assert RAW not in text, text[max(0, text.find(RAW) - 200) : text.find(RAW) + 200]
    for field in shown:
        assert ESCAPED + f"&#34;{field}&#34;)" in text or ESCAPED + f'"{field}")' in text, field


def assert_removed(response: TestResponse, *fields: str) -> None:
    """The `fields` are rich text: their script was taken out when stored, so not even escaped."""
    text = text_of(response)
    assert response.status_code == 200 and RAW not in text
    for field in fields:
        assert f"&#34;{field}&#34;" not in text and f'"{field}"' not in text, field


def test_script_in_articles_and_products_is_escaped_on_every_public_page(
    app: Application, hostile: dict[str, str]
) -> None:
    client = Visitor(app)
    for page in pages_of(app, "web"):
        with client.get(page.url()) as response:  # closed: a feed's file is closed then
            text = text_of(response)
            assert response.status_code == 200, page.url()
        assert RAW not in text, page.url()
    for locale, suffix, articles, products in (
        ("en_US", "en", "/articles/", "/products/"),
        ("cs_CZ", "cs", "/cs/clanky/", "/cs/produkty/"),
    ):
        listing = client.get(articles)
        assert_escaped(listing, f"title-{suffix}", f"annotation-{suffix}")
        detail = client.get(f"{articles}{hostile['article']}-{suffix}.html")
        assert_escaped(detail, f"title-{suffix}", f"annotation-{suffix}")
        assert_removed(detail, f"text-{suffix}", f"paragraph-{suffix}")  # rich text: cleaned
        assert "<title>" in text_of(detail)
        home = "/" if locale == "en_US" else "/cs/"
        assert_escaped(client.get(home))
        assert_escaped(client.get(products), f"category-{suffix}")
        category = client.get(f"{products}{hostile['category']}-{suffix}")
        assert_escaped(category, f"category-{suffix}", f"product-{suffix}")
        product = client.get(f"{products}{hostile['product']}-{suffix}.html")
        assert_escaped(product, f"product-{suffix}")
        assert_removed(product, f"description-{suffix}")
        assert "&lt;b&gt;1&lt;/b&gt;" in text_of(product) or "<b>1</b>" not in text_of(product)


def test_script_in_articles_and_products_is_escaped_in_the_admin(
    app: Application, hostile: dict[str, str]
) -> None:
    client = Visitor(app)
    log_in(client, "boss")
    with app.db.session() as db:
        article = db.scalar(
            select(ArticleLocalization.article_id).where(
                ArticleLocalization.slug == f"{hostile['article']}-en"
            )
        )
        product = db.scalar(
            select(ProductText.product_id).where(ProductText.slug == f"{hostile['product']}-en")
        )
    assert article is not None and product is not None
    for base in ("/admin/", "/admin/cs/"):
        suffix = "en" if base == "/admin/" else "cs"
        articles = base + "articles/"
        # the grid, found by a search for the payload itself, and its CSV
        assert_escaped(client.get(articles, query_string={"q": "script"}), f"title-{suffix}")
        assert_escaped(client.get(articles, query_string={"q": "<script>"}))
        for query in (f"?view={article}", f"?delete={article}"):
            assert_escaped(client.get(articles + query), f"title-{suffix}")
        edit = client.get(articles + f"?edit={article}")
        assert_escaped(edit, "title-en", "title-cs", "annotation-en")
        assert_removed(edit, "text-cs")
        products = base + "products/"
        assert_escaped(client.get(products, query_string={"q": "HOSTILE"}))
        assert ESCAPED in text_of(client.get(products, query_string={"q": "HOSTILE"}))
        for query in (f"?view={product}", f"?edit={product}", f"?delete={product}"):
            assert_escaped(client.get(products + query))
        assert_escaped(client.get(products + f"?edit={product}"), "product-en")
        assert_removed(client.get(products + f"?edit={product}"), "description-cs")
        # the dashboard and the grids without a search show them among the rest
        assert_escaped(client.get(base))
        assert_escaped(client.get(articles))
        assert_escaped(client.get(products))
