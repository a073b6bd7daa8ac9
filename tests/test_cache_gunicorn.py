"""The example site under gunicorn, 2 workers, Redis output cache: admin changes show at once.

One server for the whole test (`jetpy serve --workers 2` on a copy of the example project,
a seeded database of its own, the Redis cache under a key prefix of this run). Every check
sends its pages many times over a few connections at once, with and without a cookie (the
whole-page cache answers only cookie-less requests; a request with a cookie is made from the
cached contents), and reads gunicorn's access log, whose lines name the worker's pid, to make
sure both workers answered.
"""

from __future__ import annotations

import html
import http.client
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
import sqlalchemy

from jetpy.cache import RedisBackend
from jetpy.project.live import INTERVAL
from jetpy.project.loader import load_project
from jetpy.studio.menus import MenuEditor
from tests.conftest import REPO, SITE_PASSWORD, seed_site, site_database_url
from tests.test_serve import free_port

ARTICLE = "/articles/micro-routers.html"
PRODUCT = "/products/auris-studio-headphones-ocean.html"  # discounted, in Headphones
REQUESTS = 24  # of each URL after a change: enough that both workers answer some
COOKIE = "consent=yes"  # any cookie: the page is then made from the cached contents


# a visitor and an administrator over HTTP ---------------------------------------------------
@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str


@dataclass
class Browser:
    """HTTP/1.1 to the server, keeping the cookies it sets (an administrator's session)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, body: str | None = None, cookie: str | None = None
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "localhost"}
        jar = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if cookie or jar:
            headers["Cookie"] = cookie or jar
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read().decode())
        finally:
            connection.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return answer

    def get(self, path: str, cookie: str | None = None) -> Answer:
        return self.request("GET", path, cookie=cookie)

    def submit(self, path: str, form: dict[str, str], **changes: str | None) -> Answer:
        """Post the form back as a browser would, with `changes` typed into it (None: a box
        unticked)."""
        unknown = set(changes) - set(form)
        assert not unknown, f"the form at {path} has no fields {unknown}: {sorted(form)}"
        sent = {name: value for name, value in {**form, **changes}.items() if value is not None}
        return self.request("POST", path, urlencode(sent))


class FormReader(HTMLParser):
    """The fields of every form on a page, with the values a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attributes}
        if tag == "form":
            self.forms.append({})
            return
        if not self.forms:
            return
        form, name = self.forms[-1], given.get("name", "")
        if tag == "input" and name:
            kind = given.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in given:
                return
            form[name] = given.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select is not None:
            value = given.get("value", "")
            if self._first_option is None:
                self._first_option = value
                form.setdefault(self._select, value)
            if "selected" in given:
                form[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            form[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self.forms:
            self.forms[-1][self._textarea] += data


def form_with(page: str, field_name: str) -> dict[str, str]:
    """The fields of the page's form that has `field_name`."""
    reader = FormReader()
    reader.feed(page)
    for form in reader.forms:
        if field_name in form:
            return form
    raise AssertionError(f"no form with a field {field_name!r} on the page: {page[:800]}")


def test_the_form_reader_sends_what_a_browser_sends() -> None:
    page = """<form><input name=csrf_token value=t><input type=checkbox name=a checked>
    <input type=checkbox name=b><select name=s><option value=1>One<option value=2 selected>Two
    </select><select name=f><option value=x>X</select><textarea name=t>Tom &amp; Jerry</textarea>
    <input type=submit name=go value=Go></form>"""
    assert form_with(page, "csrf_token") == {
        "csrf_token": "t", "a": "on", "s": "2", "f": "x", "t": "Tom & Jerry"
    }  # fmt: skip


# the server ------------------------------------------------------------------------------
@dataclass
class Site:
    root: Path  # the project copy
    port: int
    url: str  # of its database
    cache: RedisBackend  # the workers' output cache backend (its Redis, its key prefix)
    database: sqlalchemy.Engine
    access_log: Path
    boss: Browser
    workers: set[str] = field(default_factory=set)  # pids seen so far

    def pages(self, paths: list[str]) -> dict[str, list[str]]:
        """Every path REQUESTS times with a cookie and without, on 4 connections at once.

        Both workers must have answered some of them (gunicorn's access log says which).
        """
        seen = self.access_log.stat().st_size
        visitor = Browser(self.port)
        calls = [(path, cookie) for path in paths for cookie in (None, COOKIE)] * REQUESTS
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda call: visitor.get(*call), calls))
        found: dict[str, list[str]] = {path: [] for path in paths}
        for (path, _), answer in zip(calls, answers, strict=True):
            assert answer.status == 200, (path, answer.status, answer.text[:500])
            found[path].append(answer.text)
        pids = self.pids_since(seen)
        assert len(pids) == 2, f"only worker {pids} answered {len(calls)} requests"
        self.workers |= pids
        return found

    def pids_since(self, offset: int) -> set[str]:
        deadline = time.monotonic() + 5
        while True:  # the access log line is written right after the answer
            with self.access_log.open() as log:
                log.seek(offset)
                pids = set(re.findall(r"^<(\d+)>", log.read(), re.MULTILINE))
            if len(pids) >= 2 or time.monotonic() > deadline:
                return pids
            time.sleep(0.1)

    def every_page_shows(self, paths: list[str], present: str, *absent: str) -> None:
        for path, texts in self.pages(paths).items():
            for text in texts:
                assert present in text, f"{path}: {present!r} missing"
                for old in absent:
                    assert old not in text, f"{path}: {old!r} still shown"

    def cards_show(self, paths: list[str], product: str, present: str, *absent: str) -> None:
        """The card of the product (its URL) on every list page shows `present`, not `absent`."""
        for path, texts in self.pages(paths).items():
            for text in texts:
                card = card_of(text, product)
                assert card is not None, f"{path}: no card of {product}"
                assert present in card, f"{path}: {present!r} missing in {card}"
                for old in absent:
                    assert old not in card, f"{path}: {old!r} still shown in {card}"

    def execute(self, statement: str, **values: object) -> None:
        """Change the database behind jetpy's back: no event, so no purge."""
        with self.database.begin() as connection:
            connection.execute(sqlalchemy.text(statement), values)

    def scalar(self, statement: str, **values: object) -> object:
        with self.database.connect() as connection:
            return connection.execute(sqlalchemy.text(statement), values).scalar_one()

    def edit(self, admin_path: str, id: object, field_name: str, **changes: str | None) -> None:
        """Open the item's edit form in the admin, change fields, save: a 303 back."""
        url = f"{admin_path}?edit={id}"
        page = self.boss.get(url)
        assert page.status == 200, page.text[:500]
        answer = self.boss.submit(url, form_with(page.text, field_name), **changes)
        assert answer.status == 303, answer.text[:2000]


def card_of(page: str, product: str) -> str | None:
    """The product card on a list page that links `product`."""
    for card in page.split('<li class="card product-card">')[1:]:
        card = card.split("</li>", 1)[0]
        if f'href="{product}"' in card:
            return card
    return None


def copy_example(root: Path, redis_url: str, prefix: str) -> Path:
    def ignore(folder: str, names: list[str]) -> set[str]:
        runtime = Path(folder) == REPO / "application" / "data"
        return {n for n in names if n == "__pycache__" or (runtime and n != "modules.yaml")}

    shutil.copytree(REPO / "application", root / "application", ignore=ignore)
    shutil.copytree(REPO / "public", root / "public")
    config = root / "application" / "config.yaml"
    # this run's own keys in the test Redis (cache.prefix), so that parallel runs do not meet
    cache = f'cache: {{backend: redis, url: "{redis_url}", prefix: "{prefix}"}}\n'
    config.write_text(config.read_text() + cache)
    return root


@pytest.fixture
def site(tmp_path: Path, redis_url: str) -> Iterator[Site]:
    if importlib.util.find_spec("gunicorn") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("gunicorn is missing (CI=true): pip install -e '.[test]' installs it")
        pytest.skip("gunicorn is missing: pip install 'jetpy[serve]'")
    url = site_database_url(tmp_path, "gunicorn")  # PostgreSQL when JETPY_TEST_DATABASE_URL
    seed_site(url).app.db.dispose()
    prefix = f"jetpy:test-gunicorn:{uuid.uuid4().hex}:"
    root = copy_example(tmp_path / "project", redis_url, prefix)
    access_log = tmp_path / "access.log"
    access_log.touch()
    port = free_port()
    env = {
        **os.environ,
        "JETPY_DATABASE_URL": url,
        "JETPY_CACHE_BACKEND": "redis",
        "JETPY_SECRET_KEY": os.urandom(32).hex(),
        "JETPY_MEDIA_DIR": str(tmp_path / "media"),
        "GUNICORN_CMD_ARGS": f"--access-logfile {access_log} "
        "--access-logformat '%(p)s %(s)s %(U)s'",
    }
    command = [sys.executable, "-c", "from jetpy.cli.main import main; main()", "serve"]
    command += ["--project", str(root), "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    output = tmp_path / "server.log"
    with output.open("wb") as log:
        server = subprocess.Popen(command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    database = sqlalchemy.create_engine(url)
    try:
        boss = Browser(port)
        deadline = time.monotonic() + 60
        while True:
            try:
                if boss.get("/_health").status == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, output.read_text()
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.2)
        login = boss.get("/admin/")
        form = form_with(login.text, "csrf_token") | {"login": "boss", "password": SITE_PASSWORD}
        assert boss.submit("/admin/", form).status == 303
        cache = RedisBackend(redis_url, prefix=prefix)
        yield Site(root, port, url, cache, database, access_log, boss)
    finally:
        server.terminate()
        server.wait(timeout=30)
        database.dispose()
        with redis.Redis.from_url(redis_url) as client:
            names = list(client.scan_iter(match=prefix + "*"))
            if names:
                client.delete(*names)
    assert "Booting worker" in output.read_text()


@pytest.mark.slow
def test_admin_changes_show_at_once_on_both_workers(site: Site) -> None:
    def title(text: str) -> str:  # as a text node (a cover's alt text keeps the old title)
        return f">{html.escape(text)}<"

    # an article: its page, the list and the homepage's latest articles -------------------
    pages = [ARTICLE, "/articles/", "/"]
    article = site.scalar(
        "SELECT article_id FROM article_localization WHERE locale = 'en_US' AND slug = :slug",
        slug="micro-routers",
    )
    old = "Micro-routers instead of a route table"
    site.every_page_shows(pages, title(old))
    # behind jetpy's back: both workers still answer from the cache (the title is cached)
    site.execute(
        "UPDATE article_localization SET title = 'Sneaked in' WHERE article_id = :id", id=article
    )
    site.every_page_shows(pages, title(old), "Sneaked in")
    site.edit(
        "/admin/articles/", article, "title_en_US",
        title_en_US="Routers & more", text_en_US="<p>Rewritten in the admin.</p>",
    )  # fmt: skip
    site.every_page_shows(pages, title("Routers & more"), title(old), "Sneaked in")
    site.every_page_shows([ARTICLE], "Rewritten in the admin.")

    # a product: price, discount, stock and availability, category -------------------------
    product = site.scalar(
        "SELECT product_id FROM catalog_product_texts WHERE locale = 'en_US' AND slug = :slug",
        slug="auris-studio-headphones-ocean",
    )
    form = form_with(site.boss.get(f"/admin/products/?edit={product}").text, "code")
    prices = {name: value for name, value in form.items() if name.startswith("price_")}
    headphones = "/products/electronics/audio/headphones"
    site.every_page_shows([PRODUCT], "Auris Studio headphones (ocean)")
    site.cards_show([headphones], PRODUCT, "Auris Studio headphones (ocean)")
    before = site.pages([PRODUCT])[PRODUCT][0]
    assert "<del>" in before  # discounted
    site.execute("UPDATE catalog_prices SET amount = 1 WHERE product_id = :id", id=product)
    assert set(site.pages([PRODUCT])[PRODUCT]) == {before}  # the cached page, not €1.21

    new_prices = {name: "77.70" for name in prices}
    site.edit("/admin/products/", product, "code", **new_prices)
    site.every_page_shows([PRODUCT], "77.70")
    site.cards_show([headphones], PRODUCT, "77.70")
    befores = {name.replace("price_", "before_"): "" for name in prices}
    site.edit("/admin/products/", product, "code", **befores)  # the discount ends
    for text in site.pages([PRODUCT])[PRODUCT]:
        assert "77.70" in text and "<del>" not in text
    stock: dict[str, str | None] = {name: "0" for name in form if name.startswith("units_")}
    stock |= {name: "" for name in form if name.startswith("from_")}
    stock |= {name: None for name in form if name.startswith("soldout_")}  # no orders
    site.edit("/admin/products/", product, "code", **stock)
    site.every_page_shows([PRODUCT], "Not available", "In stock")
    site.cards_show([headphones], PRODUCT, "Not available", "In stock")
    stock |= {name: "9" for name in form if name.startswith("units_")}
    site.edit("/admin/products/", product, "code", **stock)
    site.every_page_shows([PRODUCT], "In stock", "Not available")
    site.cards_show([headphones], PRODUCT, "In stock", "Not available")

    # moved to another category: gone from its list, in the other one's, breadcrumb too
    other = site.scalar(
        "SELECT category_id FROM catalog_category_texts WHERE locale = 'en_US' AND slug = 'books'"
    )
    site.edit("/admin/products/", product, "code", category=str(other))
    for text in site.pages([headphones])[headphones]:
        assert card_of(text, PRODUCT) is None
    site.cards_show(["/products/books"], PRODUCT, "Auris Studio headphones (ocean)")
    site.every_page_shows([PRODUCT], '<a href="/products/books">')

    # a category renamed in the admin (catalog.categories.admin) purges through Redis: its
    # heading, the product's breadcrumb, the top list
    books = [PRODUCT, "/products/books", "/products/"]
    site.every_page_shows(books, title("Books"))
    site.edit("/admin/categories/", other, "name_en_US", name_en_US="Books & comics")
    site.every_page_shows(books, title("Books & comics"), title("Books"))
    # a new slug: the links follow on both workers and the old path answers 301
    site.edit("/admin/categories/", other, "name_en_US", slug_en_US="books-and-comics")
    site.every_page_shows([PRODUCT, "/products/"], 'href="/products/books-and-comics"')
    site.every_page_shows(["/products/books-and-comics"], title("Books & comics"))
    seen = site.access_log.stat().st_size
    with ThreadPoolExecutor(4) as pool:
        olds = list(
            pool.map(
                lambda _: Browser(site.port).get("/products/books?sort=price"), range(REQUESTS)
            )
        )
    for moved in olds:
        assert moved.status == 301, (moved.status, moved.text[:300])
        assert moved.headers["Location"].endswith("/products/books-and-comics?sort=price")
    assert len(site.pids_since(seen)) == 2  # both workers answered it

    # a menu item, written by the studio's menu editor (live definitions) ------------------
    editor = MenuEditor(load_project(site.root, use_cache=False))
    site.every_page_shows([ARTICLE, "/", headphones], "More on this site", "Gunicorn news")
    editor.save_item(
        "footer", "links", {"label": {"en_US": "Gunicorn news"}, "url": "/articles/"}, new=True
    )
    time.sleep(INTERVAL + 0.2)  # each worker looks at the definitions' stamp once a second
    site.every_page_shows([ARTICLE, "/", headphones, "/products/books-and-comics"], "Gunicorn news")
    assert len(site.workers) == 2
