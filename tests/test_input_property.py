"""Property: junk in any form field or query parameter of the example site never answers 5xx,
and an answer that refuses it (4xx, or the form shown again with errors) changed nothing.

The forms and the query parameters are found on the pages themselves: an anonymous visitor
and the superuser `boss` walk the site's links (one page of each kind), and every `<form>`
and every query parameter a link carries is driven by hypothesis with junk: NUL and other
control characters, any Unicode but surrogates, whole numbers of thousands of digits, Unicode
digits, very long texts, empty and blank values. A new form or parameter is covered without
a change here. Forms that end the session (log out) or change a password are left out, and
file fields are left empty (uploads are checked by content, see tests of jetpy.media).

The site runs on a database of its own (SQLite, or `<database>_fuzz` next to
$JETPY_TEST_DATABASE_URL), seeded like `seeded_site`: the fuzz may add rows and must not
disturb the demo data other tests read. The examples are derandomized (reproducible).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
import sqlalchemy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client, TestResponse

from jetpy import Application
from tests.conftest import SITE_PASSWORD, SeededSite, log_in, seed_site, site_database_url

EXAMPLES = 3  # drawn per form and per query, besides the explicit examples of TYPICAL
MAX_PAGES = 150  # pages visited while looking for forms and parameters
SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same examples on every run
    database=None,  # no .hypothesis folder
    deadline=None,  # requests take what they take; what counts is the status
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# tables that every request may write (sessions, login throttle counts): not compared
VOLATILE = re.compile(r"session|failure|throttle")
SKIPPED_ACTIONS = re.compile(r"logout|sign-?out|password")
SIGNED_IN_AS = "boss"  # a form holding this value edits the signed-in user: left out
STATE_PARAMETERS = frozenset({"sort", "page", "per_page", "q"})  # a grid's state, not its form
# queries no page links to: the REST API answers JSON, e-mails carry the tokens
UNLINKED_QUERIES = {
    "/rest/articles/": ("page", "items_per_page", "sort", "other"),
    "/rest/cs/products/": ("page", "items_per_page", "sort", "other"),
    "/rest/products/1": ("other",),
    "/sign-up/": ("confirm",),
    "/password-reset/": ("token",),
}

JUNK_WORDS = [
    "",
    " ",
    "\t \n",
    "\r\n\r\n",
    "\x00",
    "a\x00b",
    "\x01\x08\x1b\x7f",
    "²",
    "\u0661\u0662",  # Arabic-Indic digits: int() takes them
    "\uff11\uff12",  # fullwidth digits
    "-1",
    "0",
    "01",
    "+1",
    "1e999",
    "NaN",
    "-Infinity",
    "2026-13-45",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "\u202e\ufeff",
    "😀" * 30,
]
TYPICAL = ["a\x00b", "\u00b2", "9" * 5000, "x" * 70_000, " "]  # NUL, a Unicode digit …
JUNK = st.one_of(
    st.sampled_from(JUNK_WORDS),
    st.sampled_from(JUNK_WORDS),  # twice: a word of the list is drawn half of the time
    st.text(st.characters(codec="utf-8"), max_size=40),  # any Unicode but surrogates
    st.text(st.characters(max_codepoint=0x1F), max_size=8),  # control characters
    st.integers(-(10**40), 10**40).map(str),
    st.integers(1, 6000).map(lambda digits: "9" * digits),
    st.integers(200, 70_000).map(lambda length: "ž" * length),
)


# the site ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededSite]:
    made = seed_site(site_database_url(tmp_path_factory.mktemp("fuzz"), "fuzz"))
    from application.classes.admin_users import create_administrator  # the example's (seed_site)

    with made.app.db.session() as session:  # listed before boss: its edit form is driven
        create_administrator(session, "ada", "ada@example.com", SITE_PASSWORD)
        session.commit()
    yield made
    made.app.db.dispose()


class Visitor(Client):
    """A client from an address of its own (the login throttle counts per address)."""

    def __init__(self, app: Application, address: str) -> None:
        super().__init__(app)
        self.address = address

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        kwargs.setdefault("environ_base", {"REMOTE_ADDR": self.address})
        return super().open(*args, **kwargs)


def signed_in(app: Application) -> Visitor:
    """The superuser `boss`, signed in to the admin."""
    client = Visitor(app, "10.77.0.2")
    assert log_in(client, "boss", SITE_PASSWORD).status_code == 303
    return client


# what the pages offer --------------------------------------------------------------------------
@dataclass
class FoundForm:
    """A `<form>`: where it goes, how, and its fields with the values the page gave them."""

    page: str
    action: str
    method: str
    values: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)  # of selects and radios


class PageParser(HTMLParser):
    """The links and the forms of an HTML page."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.links: list[str] = []
        self.forms: list[FoundForm] = []
        self.open: FoundForm | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "a" and found.get("href"):
            self.links.append(urljoin(self.url, found["href"]))
        elif tag == "form":
            action = urljoin(self.url, found.get("action") or self.url)
            self.open = FoundForm(self.url, action, (found.get("method") or "get").upper())
            self.forms.append(self.open)
        elif self.open is not None and "name" in found:
            name, kind = found["name"], found.get("type", "text").lower()
            if tag == "input" and kind == "file":
                return  # uploads: see the module docstring
            if tag == "input" and kind in ("checkbox", "radio"):
                self.open.choices.setdefault(name, []).append(found.get("value", "on"))
                if "checked" in found:
                    self.open.values[name] = found.get("value", "on")
            elif tag in ("input", "button"):
                if tag == "button" or kind == "submit":
                    self.open.values.setdefault(name, found.get("value", ""))
                else:
                    self.open.values[name] = found.get("value", "")
            elif tag == "select":
                self.select = name
                self.open.values.setdefault(name, "")
            elif tag == "textarea":
                self.textarea = name
                self.open.values[name] = ""
        elif tag == "option" and self.open is not None and self.select is not None:
            value = found.get("value", "")
            self.open.choices.setdefault(self.select, []).append(value)
            if "selected" in found or not self.open.values.get(self.select):
                self.open.values[self.select] = value

    def handle_data(self, data: str) -> None:
        if self.open is not None and self.textarea is not None:
            self.open.values[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.open = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_in(response: TestResponse, url: str) -> list[FoundForm]:
    parser = PageParser(url)
    parser.feed(response.get_data(as_text=True))
    return parser.forms


def kind_of(url: str) -> tuple[str, ...]:
    """Pages of one kind (each product, each category …) are visited once."""
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if segment]
    shape = [
        segments[0] if segments else "",
        *["*.html" if s.endswith(".html") else "*" for s in segments[1:]],
    ]
    if len(segments) > 1 and segments[0] in ("admin", "rest", "cs"):
        shape[1] = segments[1]  # the admin's and the API's pages are all different kinds
    keys = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return (*shape, "?", *keys)


def form_kind(form: FoundForm) -> tuple[str, ...]:
    """Forms of one kind (a grid's form on each of its pages …) are driven once."""
    parts = urlsplit(form.action)
    keys = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    return (parts.path, *sorted(keys - STATE_PARAMETERS), "|", *sorted(form.values))


@dataclass
class Offer:
    """Everything a walk found: forms, and the queries of links and search forms.

    A query is driven as a whole: the parameters a link carries together (`?edit=5`,
    `?sort=-title&page=2`) choose one action of the page, and junk in all of them reaches it.
    """

    forms: dict[tuple[str, ...], FoundForm] = field(default_factory=dict)
    queries: dict[tuple[str, ...], tuple[str, dict[str, str]]] = field(default_factory=dict)

    def add_query(self, url: str, values: dict[str, str]) -> None:
        """A query to drive (one of each kind: path and parameter names)."""
        if values:
            path = urlsplit(url).path
            self.queries.setdefault(kind_of(path + "?" + urlencode(values)), (path, values))

    def driven_queries(self) -> list[tuple[str, dict[str, str]]]:
        """The queries, but those whose parameters another query of the path has too."""
        every = list(self.queries.values())
        return [
            (path, query)
            for path, query in every
            if not any(other.keys() > query.keys() for same, other in every if same == path)
        ]


def walk(client: Client, starts: list[str], within: str, offer: Offer) -> None:
    """Visit one page of each kind below `within`, collecting forms and parameters."""
    waiting, seen = list(starts), set()
    visited = 0
    while waiting and visited < MAX_PAGES:
        url = waiting.pop(0)
        if kind_of(url) in seen:
            continue
        seen.add(kind_of(url))
        response = client.get(url)
        visited += 1
        assert response.status_code < 500, url
        if response.mimetype != "text/html":
            response.close()
            continue
        parser = PageParser(url)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            if form.method == "GET":  # a search or filter form: its fields are parameters
                offer.add_query(form.action, {**dict.fromkeys(form.choices, ""), **form.values})
                continue
            offer.forms.setdefault(form_kind(form), form)
        for link in parser.links:
            parts = urlsplit(link)
            if parts.netloc not in ("", "localhost") or not parts.path.startswith(within):
                continue
            if parts.path.startswith(("/public/", "/media/")) or SKIPPED_ACTIONS.search(link):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            offer.add_query(local, dict(parse_qsl(parts.query, keep_blank_values=True)))
            waiting.append(local)


@pytest.fixture(scope="module")
def offer(site: SeededSite) -> Offer:
    found = Offer()
    anonymous = Visitor(site.app, "10.77.0.3")
    walk(anonymous, ["/", "/cs/", "/contact/", "/account/", "/products/", "/articles/"], "/", found)
    walk(anonymous, ["/admin/"], "/admin/", found)  # the login form
    walk(signed_in(site.app), ["/admin/", "/admin/cs/"], "/admin/", found)
    for path, names in UNLINKED_QUERIES.items():
        found.add_query(path, dict.fromkeys(names, "1"))
    return found


# the database --------------------------------------------------------------------------------
class Fingerprint:
    """A hash of every stored row, table by table (but the volatile tables)."""

    def __init__(self, app: Application) -> None:
        self.engine = app.db.engine
        names = sqlalchemy.inspect(self.engine).get_table_names()
        self.tables = sorted(name for name in names if not VOLATILE.search(name))
        self.last = self.take()
        self.stale = False  # after a write that succeeded: taken again before the next one

    def take(self) -> dict[str, str]:
        found = {}
        with self.engine.connect() as connection:
            for table in self.tables:
                rows = connection.exec_driver_sql(f'SELECT * FROM "{table}"').all()
                text = "\n".join(sorted(repr(tuple(row)) for row in rows))
                found[table] = hashlib.sha256(text.encode()).hexdigest()
        return found

    def before(self) -> None:
        """Take the state before a request, unless it is known already."""
        if self.stale:
            self.last, self.stale = self.take(), False

    def check(self, response: TestResponse, what: str, method: str) -> None:
        """No 5xx; a refusal changed nothing; a POST that succeeded is the new state."""
        assert response.status_code < 500, what
        if refused(response):
            now = self.take()
            changed = [table for table in self.tables if now[table] != self.last[table]]
            assert not changed, f"{what} answered {response.status_code} but changed {changed}"
        elif method != "GET":
            self.stale = True


def refused(response: TestResponse) -> bool:
    """A 4xx, or a page showing field errors (a form sent back to be corrected)."""
    if response.status_code >= 400:
        return True
    if response.status_code != 200 or response.mimetype != "text/html":
        return False
    text = response.get_data(as_text=True)
    return 'aria-invalid="true"' in text or 'class="field-error"' in text


# the properties ------------------------------------------------------------------------------
Check = Callable[[dict[str, str]], None]


def run(fields: dict[str, Any], check: Check) -> None:
    """Drive `check` with values of `fields` drawn from their strategies under the shared
    settings (a fresh hypothesis test), after the explicit examples: every field the same
    word of TYPICAL, the junk that found 500s before."""
    test = given(st.fixed_dictionaries(fields))(check)
    for word in TYPICAL:
        test = example(dict.fromkeys(fields, word))(test)
    SETTINGS(test)()


def sending(client: Client, form: FoundForm, fingerprint: Fingerprint) -> Check:
    """Send `form` with some of its values replaced."""

    def check(values: dict[str, str]) -> None:
        data = {**form.values, **values}
        fingerprint.before()
        response = client.open(form.action, method=form.method, data=data)
        fingerprint.check(response, f"{form.method} {form.action} {sorted(values)}", form.method)
        response.close()

    return check


def asking(client: Client, path: str, fingerprint: Fingerprint) -> Check:
    """GET `path` with the query `values`."""

    def check(query: dict[str, str]) -> None:
        fingerprint.before()
        response = client.get(path, query_string=query)
        fingerprint.check(response, f"GET {path} {sorted(query)}", "GET")
        response.close()

    return check


def test_the_walk_finds_the_forms_and_parameters_of_every_area(offer: Offer) -> None:
    actions = {urlsplit(form.action).path for form in offer.forms.values()}
    for expected in ("/admin/", "/admin/articles/", "/admin/products/", "/contact/", "/account/"):
        assert expected in actions, sorted(actions)
    names = {name for _path, query in offer.queries.values() for name in query}
    for expected in ("sort", "page", "per_page", "q", "edit", "price_min", "items_per_page"):
        assert expected in names, sorted(names)


def test_no_form_answers_junk_with_a_5xx_or_a_change_on_refusal(
    site: SeededSite, offer: Offer
) -> None:
    boss = signed_in(site.app)
    anonymous = Visitor(site.app, "10.77.0.4")
    fingerprint = Fingerprint(site.app)
    for form in offer.forms.values():
        login = "_login" in form.values  # the login forms themselves are driven
        ends_session = (
            SKIPPED_ACTIONS.search(form.action)
            or "password" in " ".join(form.values)
            or SIGNED_IN_AS in form.values.values()
        )
        if ends_session and not login:
            continue
        client = boss if form.page.startswith("/admin/") and not login else anonymous
        page = client.get(form.page)
        fresh = next(
            (f for f in forms_in(page, form.page) if sorted(f.values) == sorted(form.values)),
            form,
        )  # the page's current values: its CSRF token among them
        fields = {
            name: st.one_of(st.just(value), st.sampled_from(form.choices.get(name) or [""]), JUNK)
            for name, value in fresh.values.items()
            if name != "csrf_token"
        }
        run(fields, sending(client, fresh, fingerprint))


def test_no_query_parameter_answers_junk_with_a_5xx_or_a_change_on_refusal(
    site: SeededSite, offer: Offer
) -> None:
    boss = signed_in(site.app)
    anonymous = Visitor(site.app, "10.77.0.5")
    fingerprint = Fingerprint(site.app)
    for path, query in offer.driven_queries():
        client = boss if path.startswith("/admin/") else anonymous
        run(dict.fromkeys(query, JUNK), asking(client, path, fingerprint))
