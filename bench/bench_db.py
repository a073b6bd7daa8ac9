"""Requests per second for an article and a product page from the database: jetpy and Flask.

Run from the repository root:

    python bench/bench_db.py                   # 20 rounds of 150 requests per page and app
    python bench/bench_db.py --quick           # a smoke run
    python bench/bench_db.py --profile 2000    # cProfile of jetpy, top self-times in jetpy/

All serve the example application (the repository's `application/`) from one SQLite file
seeded with its demo data, made in a temporary folder (`--database-url` names another, e.g. an
empty PostgreSQL database):

- **jetpy**: `Application(<repository>)` as it ships: the layout with the main menu, the locale
  switch, the breadcrumb, the submenu and the footer menu; the article page with the detail in
  `main` and the latest articles in `side`; the product page with the catalog's detail.
- **Flask**: two routes answering the same URLs with the same queries (the functions of
  `application/classes/content.py` and `application/classes/catalog/` that the controllers
  call, on a session opened per request, committed and closed after it) and the same template
  files (the example layout and the module views, found by the same names through a
  PrefixLoader). The page tree, menus and locale switch are written out by hand, as a Flask
  site would have them; `_`, `static()`, the format filters, `module()`, `position()`,
  `menu()` and `head()` are small functions giving the same HTML.
- **queries**: the Flask routes' database work alone, in a bare WSGI callable: how much of
  a page the database takes.

The script first checks that jetpy and Flask answer 200 with the same HTML and that all three
run the same number of SQL statements per page, then measures in interleaved rounds (every
other round in reverse order) and prints the median and best round of each in requests per
second, the process's CPU time per request, and jetpy / Flask for each page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import functools
import gc
import importlib
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, NamedTuple
from urllib.parse import quote

from babel import Locale as BabelLocale
from babel.dates import format_date
from babel.numbers import format_percent
from bench_request import (
    Environ,
    StartResponse,
    WsgiApp,
    answer,
    profile,
    serve,
)
from flask import Flask, abort, render_template
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from markupsafe import Markup, escape
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder

from jetpy import Application
from jetpy.data.db import ENVIRONMENT, application_tables

ROOT = Path(__file__).resolve().parents[1]  # the example application's project folder
APPLICATION = ROOT / "application"
ARTICLE = "/articles/micro-routers.html"
PRODUCT = "/products/auris-studio-headphones-ocean.html"  # discounted, three categories deep
PAGES = {"article": ARTICLE, "product": PRODUCT}
APPS = ("jetpy", "flask", "queries")
LOCALE = "en_US"
ORIGIN = "http://localhost"  # what the requests of the check are addressed to
LATEST_COUNT = 3  # `count` of the latest articles on the articles page (its page.yaml)
DESCRIPTION_LENGTH = 160  # of a product's meta description, as the catalog module cuts it
JINJA_OPTIONS: dict[str, Any] = {"trim_blocks": True, "lstrip_blocks": True}  # as jetpy's

# the module views by the names jetpy gives them: `<module>/<file>`
VIEWS = {
    "content.articles.browser": APPLICATION / "modules/content/articles/browser/views",
    "catalog.products.browser": APPLICATION / "modules/catalog/products/browser/views",
    "web.ui": APPLICATION / "modules/web/ui/views",
    "layouts": APPLICATION / "bases/web/layouts",
}


# the database ------------------------------------------------------------------------------
def build_database(app: Application) -> str:
    """Create the example's tables and seed its demo data (`jetpy db create` + `jetpy db seed`)."""
    states = {name: module.state for name, module in app.modules.items()}
    app.db.create_tables(application_tables(app.modules, states))
    seed = importlib.import_module("application.seed")
    with app.db.session() as session:
        summary: str = seed.seed(session)
        session.commit()
    return summary


class StatementCounter:
    """Counts the SQL statements an engine runs (its `before_cursor_execute` events)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


# the Flask site: its page tree, menus and template helpers, written out by hand ---------------
@dataclass(eq=False)
class SitePage:
    """A page of the Flask site's map: what the layout and the menu views read of a page."""

    id: str
    title: str
    path: str  # its URL
    parent: SitePage | None = None
    in_main_menu: bool = True
    menu_title: str = ""
    children: list[SitePage] = field(default_factory=list)
    ancestors: tuple[SitePage, ...] = ()

    def __post_init__(self) -> None:
        self.menu_title = self.menu_title or self.title
        self.ancestors = (*(self.parent.ancestors if self.parent else ()), self)
        if self.parent is not None:
            self.parent.children.append(self)

    @property
    def is_homepage(self) -> bool:
        return self.parent is None

    def url(self, *fragments: str) -> str:
        return self.path + "/".join(quote(fragment, safe="") for fragment in fragments)

    def is_in_path_of(self, other: SitePage) -> bool:
        return self in other.ancestors


class SiteLocale(NamedTuple):
    name: str
    language: str
    title: str


class Crumb(NamedTuple):
    title: str
    url: str | None


class MenuItem(NamedTuple):
    label: str
    url: str | None
    page: str | None = None  # the id of the page it links
    separator: bool = False
    is_current: bool = False


@dataclass(frozen=True)
class FooterMenu:
    label: str
    items: tuple[MenuItem, ...]

    def __iter__(self) -> Iterator[MenuItem]:
        return iter(self.items)


@dataclass
class Site:
    """The example site's web base in en_US, as the Flask app knows it."""

    pages: dict[str, SitePage]
    locales: tuple[SiteLocale, ...]
    urls: dict[str, dict[str, str]]  # locale → page id → URL, for the locale switch
    footer: FooterMenu

    @property
    def locale(self) -> SiteLocale:
        return self.locales[0]


def example_site() -> Site:
    """The example's page tree, locales and footer menu as plain data."""
    home = SitePage("_homepage_", "Home", "/")
    articles = SitePage("articles", "Articles", "/articles/", home)
    products = SitePage("products", "Products", "/products/", home)
    services = SitePage("services", "Services", "/services/", home)
    consulting = SitePage("consulting", "Consulting", "/services/consulting/", services)
    audits = SitePage(
        "audits", "Security audits", "/services/consulting/audits/", consulting, menu_title="Audits"
    )
    about = SitePage("about", "About", "/about/", home)
    contact = SitePage("contact", "Contact", "/contact/", home)
    # linked from the footer, kept out of the main menu (`main_menu: false` in their page.yaml)
    sitemap = SitePage("sitemap", "Sitemap", "/sitemap/", home, in_main_menu=False)
    feed = SitePage("google-shopping", "Google Shopping feed", "/google-shopping/", home, False)
    sign_up = SitePage("sign-up", "Sign up", "/sign-up/", home, in_main_menu=False)  # web.auth
    search = SitePage("search", "Search", "/search/", home, in_main_menu=False)  # web.search
    pages = [home, articles, products, services, consulting, audits, about, contact, sitemap, feed]
    pages += [sign_up, search]
    footer = FooterMenu(
        "More on this site",
        (
            MenuItem("About", "/about/", "about"),
            MenuItem("Contact", "/contact/", "contact"),
            # web.auth also adds "My account", shown to signed-in visitors only
            MenuItem("Sign up", "/sign-up/", "sign-up"),
            MenuItem("", None, separator=True),
            MenuItem("Sitemap", "/sitemap/", "sitemap"),
            MenuItem("Back to top", "#top"),
        ),
    )
    return Site(
        {page.id: page for page in pages},
        (SiteLocale("en_US", "en", "Jetpy Example"), SiteLocale("cs_CZ", "cs", "Jetpy Ukázka")),
        {"cs_CZ": {"_homepage_": "/cs/", "articles": "/cs/clanky/", "products": "/cs/produkty/"}},
        footer,
    )


ENGLISH = BabelLocale.parse(LOCALE)
PHRASES: dict[str, str] = {}  # en_US has no dictionary: phrases are shown as written


def translate(phrase: str, /, **values: Any) -> str:
    text = PHRASES.get(phrase, phrase)
    return text % values if values else text


def date_text(value: dt.date | None, format: str = "medium") -> str:
    return "" if value is None else format_date(value, format, locale=ENGLISH)


def percent_text(value: Decimal | None) -> str:
    return "" if value is None else format_percent(value, locale=ENGLISH)


@functools.cache
def static_url(path: str) -> str:
    """A file in public/ versioned by its modification time, as jetpy's `static()`."""
    name = path.lstrip("/")
    stamp = (ROOT / "public" / name).stat().st_mtime_ns // 1_000_000
    return f"/public/{name}?v={stamp:x}"


def head_html(
    title: str, description: str, alternates: dict[str, str], locale: str = LOCALE
) -> Markup:
    """Title, description and, as jetpy's head, the canonical URL and the page in each locale."""
    html = f"<title>{escape(title)}</title>\n"
    html += f'<meta name="description" content="{escape(description)}">'
    if locale in alternates:
        html += f'\n<link rel="canonical" href="{ORIGIN}{escape(alternates[locale])}">'
    if len(alternates) > 1:
        links = [(name.replace("_", "-"), url) for name, url in alternates.items()]
        links.append(("x-default", alternates[LOCALE]))
        for hreflang, url in links:
            html += f'\n<link rel="alternate" hreflang="{hreflang}" href="{ORIGIN}{escape(url)}">'
    return Markup(html)


def shorten(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """A product's meta description, cut as the catalog module cuts it."""
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0] + "…"


@dataclass
class Loaded:
    """What a page read from the database: its views' values, breadcrumb and head."""

    page: SitePage
    main: dict[str, Any]
    side: dict[str, Any] | None
    crumbs: list[Crumb]
    title: str
    description: str
    alternates: dict[str, str]  # locale → the URL of the same article or product there


class Loaders:
    """The database work of the two pages: the calls their controllers make, in that order."""

    def __init__(self, site: Site) -> None:
        self.content: ModuleType = importlib.import_module("application.classes.content")
        self.catalog: ModuleType = importlib.import_module("application.classes.catalog")
        self.rich_text: ModuleType = importlib.import_module("application.classes.rich_text")
        # the catalog module's plain presentation helpers (no controller in them)
        self.browser: ModuleType = importlib.import_module(
            "application.modules.catalog.products.browser.controllers"
        )
        self.locale = site.locale.name
        self.locales = [locale.name for locale in site.locales]
        self.site = site
        self.articles_page = site.pages["articles"]
        self.products_page = site.pages["products"]

    def page_url(self, locale: str, page_id: str) -> str:
        if locale == self.locale:
            return self.site.pages[page_id].path
        return self.site.urls[locale][page_id]

    def article(self, session: Session, slug: str) -> Loaded | None:
        page = self.articles_page
        found = self.content.by_slug(session, self.locale, slug)
        if found is None:
            return None
        others = found.article.localizations  # as the controller's set_alternates()
        alternates = {
            name: self.page_url(name, "articles") + other.slug + ".html"
            for name in self.locales
            if (other := others.get(name)) is not None
        }
        latest = self.content.latest(session, self.locale, LATEST_COUNT)
        return Loaded(
            page,
            {"page": page, "article": found},
            {"articles": latest, "articles_page": page},
            [*page_crumbs(page), Crumb(found.title, None)],
            found.title,
            found.annotation,
            alternates,
        )

    def product(self, session: Session, slug: str) -> Loaded | None:
        catalog, locale, page = self.catalog, self.locale, self.products_page
        found = catalog.product_by_slug(session, slug, locale)
        if found is None:
            return None
        text = found.text(locale)
        market = catalog.market_for(locale)
        pricelist = catalog.pricelist_by_code(session, market.pricelist)
        shop = self.browser.Shop(locale, pricelist, market.availability, dt.date.today())
        trail = catalog.category_trail(session, found.category) if found.category else []
        crumbs = page_crumbs(page)
        for depth in range(1, len(trail) + 1):
            path = catalog.category_path(trail[:depth], locale)
            category_text = trail[depth - 1].text(locale)
            if path is None or category_text is None:
                break
            crumbs.append(Crumb(category_text.name, page.url(*path.split("/"))))
        crumbs.append(Crumb(text.name, None))
        alternates = {
            name: self.page_url(name, "products") + other.slug + ".html"
            for name in self.locales
            if (other := found.text(name)) is not None
        }
        items = [
            (item.quantity, item_text.name, page.url(item_text.slug + ".html"))
            for item in found.set_items
            if (item_text := item.item.text(locale)) is not None
        ]
        status_text = self.browser.status_text
        main = {
            "page": page,
            "offer": shop.offers([found])[0],
            "items": items,
            "back": crumbs[-2],
            "shop": shop,
            "money": shop.money,
            "status_text": lambda status: status_text(status, translate, date_text),
            "product_url": lambda offer: page.url(offer.slug + ".html"),
        }
        description = shorten(self.rich_text.to_plain(text.description) or text.name)
        return Loaded(page, main, None, crumbs, text.name, description, alternates)


def page_crumbs(page: SitePage) -> list[Crumb]:
    return [Crumb(ancestor.title, ancestor.url()) for ancestor in page.ancestors]


@contextmanager
def request_session(engine: Engine) -> Iterator[Session]:
    """A session for one request: committed when it succeeded, always closed (as jetpy's)."""
    with Session(engine) as session:
        yield session
        session.commit()


def flask_app(engine: Engine, site: Site, loaders: Loaders, media: dict[str, Any]) -> Flask:
    """Flask routes for the two pages: the same queries and template files as jetpy's."""
    app = Flask(__name__, template_folder=None)
    app.jinja_options = {**app.jinja_options, **JINJA_OPTIONS}
    app.jinja_loader = ChoiceLoader(
        [
            PrefixLoader({prefix: FileSystemLoader(path) for prefix, path in VIEWS.items()}),
            FileSystemLoader(APPLICATION / "bases/web/views"),
        ]
    )
    # flashes(): the layout's flash messages, none in a benchmark without sessions
    app.jinja_env.globals.update(_=translate, static=static_url, flashes=tuple)
    # the views show covers and product pictures with the media library's helpers (jetpy.media)
    app.jinja_env.globals.update(locale=site.locale, **media)
    app.jinja_env.filters.update(format_date=date_text, format_percent=percent_text)
    locale = site.locale

    SEARCHING = SimpleNamespace(modules={"web.search": SimpleNamespace(active=True)})

    def embedded(loaded: Loaded) -> Callable[..., Markup]:
        """The layout's `module()`: the navigation blocks of web.ui."""

        page, crumbs = loaded.page, loaded.crumbs

        def main_menu() -> str:
            home = page.ancestors[0]
            shown = [child for child in home.children if child.in_main_menu]
            return render_template("web.ui/main_menu.html", items=[home, *shown], current=page)

        def locale_switch() -> str:
            links = [
                (
                    other,
                    loaded.alternates.get(other.name) or site.urls[other.name][page.id],
                    other is locale,
                )
                for other in site.locales
            ]
            return render_template("web.ui/locale_switch.html", links=links)

        def submenu() -> str:
            section = page.ancestors[1] if len(page.ancestors) > 1 else None
            if section is None or not section.children:
                return ""
            return render_template("web.ui/submenu.html", section=section, current=page)

        actions: dict[str, Callable[[], str]] = {
            "main_menu": main_menu,
            "locale_switch": locale_switch,
            "breadcrumb": lambda: render_template("web.ui/breadcrumb.html", crumbs=crumbs),
            "submenu": submenu,
        }
        return lambda name, action: Markup(actions[action]())

    def footer_menus(page: SitePage) -> list[FooterMenu]:
        items = tuple(item._replace(is_current=item.page == page.id) for item in site.footer)
        return [FooterMenu(site.footer.label, items)]

    def layout(loaded: Loaded, parts: dict[str, str]) -> str:
        page = loaded.page
        head = head_html(
            f"{loaded.title} | {locale.title}", loaded.description, loaded.alternates, locale.name
        )
        return render_template(
            "layouts/default.html",
            page=page,
            locale=locale,
            head=lambda: head,
            position=lambda name: Markup(parts.get(name, "")),
            module=embedded(loaded),
            menu=lambda set_name: footer_menus(page),
            # the header's search box: shown while web.search is activated, as in the example
            app=SEARCHING,
            page_url=lambda id: site.pages[id].path,
        )

    @app.get("/articles/<slug>.html")
    def article(slug: str) -> str:
        with request_session(engine) as session:
            loaded = loaders.article(session, slug)
            if loaded is None:
                abort(404)
            assert loaded.side is not None
            main = render_template("content.articles.browser/detail.html", **loaded.main)
            side = render_template("content.articles.browser/latest.html", **loaded.side)
            return layout(loaded, {"main": main, "side": side})

    @app.get("/products/<slug>.html")
    def product(slug: str) -> str:
        with request_session(engine) as session:
            loaded = loaders.product(session, slug)
            if loaded is None:
                abort(404)
            main = render_template("catalog.products.browser/detail.html", **loaded.main)
            return layout(loaded, {"main": main})

    return app


def queries_app(engine: Engine, loaders: Loaders) -> WsgiApp:
    """The database work of the Flask views alone, as a bare WSGI callable: no templates."""
    load = {ARTICLE: loaders.article, PRODUCT: loaders.product}

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        loader = load.get(path)
        with request_session(engine) as session:
            slug = path.rsplit("/", 1)[-1].removesuffix(".html")
            loaded = loader(session, slug) if loader is not None else None
        if loaded is None:
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Not found"]
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        return [loaded.title.encode()]

    return app


Runs = dict[tuple[str, str], tuple[WsgiApp, Environ]]  # (page, app) → what to call


# the two implementations --------------------------------------------------------------------
@dataclass
class Bench:
    """The two apps and the queries alone on one database, counting each one's statements."""

    apps: dict[str, WsgiApp]  # jetpy and flask: the same pages
    queries: WsgiApp  # the database work of the pages, without templates or framework
    counters: dict[str, StatementCounter]  # jetpy, flask, queries
    engines: list[Engine]
    seeded: str

    def runs(self) -> Runs:
        """What `measure()` calls: each page by jetpy, Flask and the queries alone."""
        apps = {**self.apps, APPS[2]: self.queries}
        return {
            (page, name): (app, environ_for(path))
            for page, path in PAGES.items()
            for name, app in apps.items()
        }

    def close(self) -> None:
        """Close the pooled connections."""
        for engine in self.engines:
            engine.dispose()


def implementations() -> Bench:
    """jetpy on $JETPY_DATABASE_URL (tables made and seeded), Flask on the same database."""
    jetpy = Application(ROOT, use_cache=False)  # first: it makes `application.…` this project's
    seeded = build_database(jetpy)
    site = example_site()
    loaders = Loaders(site)
    media = jetpy.media.template_globals()
    engines = {"jetpy": jetpy.db.engine, "flask": create_engine(jetpy.db.url)}
    engines["queries"] = create_engine(jetpy.db.url)
    return Bench(
        {"jetpy": jetpy, "flask": flask_app(engines["flask"], site, loaders, media)},
        queries_app(engines["queries"], loaders),
        {name: StatementCounter(engine) for name, engine in engines.items()},
        list(engines.values()),
        seeded,
    )


def environ_for(path: str) -> Environ:
    return EnvironBuilder(path=path, base_url=ORIGIN + "/").get_environ()


# checking and measuring -----------------------------------------------------------------------
@dataclass
class PageCheck:
    """One page as both apps answer it (and how many statements the queries alone run)."""

    page: str
    statuses: dict[str, str]
    bodies: dict[str, str]
    statements: dict[str, int]

    def problems(self) -> list[str]:
        """What differs between the two answers; empty when they agree."""
        found = [
            f"{name} answered {status} for {PAGES[self.page]}"
            for name, status in self.statuses.items()
            if not status.startswith("200")
        ]
        jetpy, flask = self.bodies["jetpy"], self.bodies["flask"]
        if jetpy.split() != flask.split():
            diff = difflib.unified_diff(
                jetpy.splitlines(), flask.splitlines(), "jetpy", "flask", lineterm=""
            )
            found.append(f"the {self.page} pages differ:\n" + "\n".join(diff))
        if len(set(self.statements.values())) > 1:
            shown = ", ".join(f"{name} {count}" for name, count in self.statements.items())
            found.append(f"the {self.page} pages run different numbers of SQL statements: {shown}")
        return found

    @property
    def sameness(self) -> str:
        return "byte for byte" if len(set(self.bodies.values())) == 1 else "up to whitespace"


def check_page(bench: Bench, page: str) -> PageCheck:
    """Ask both apps and the queries alone for `page` once, counting their SQL statements."""
    statuses, bodies, statements = {}, {}, {}
    for name, app in [*bench.apps.items(), ("queries", bench.queries)]:
        counter = bench.counters[name]
        before = counter.count
        statuses[name], bodies[name] = answer(app, environ_for(PAGES[page]))
        statements[name] = counter.count - before
    del bodies["queries"]  # the page's title only
    return PageCheck(page, statuses, bodies, statements)


def check_pages(bench: Bench) -> None:
    """Both apps answer 200 with the same HTML and the same number of statements, or exit."""
    checks = [check_page(bench, page) for page in PAGES]  # the first request warms them up
    checks = [check_page(bench, page) for page in PAGES]
    problems = [problem for check in checks for problem in check.problems()]
    if problems:
        sys.exit("\n".join(problems))
    for check in checks:
        shown = ", ".join(f"{name} {count}" for name, count in check.statements.items())
        print(
            f"{check.page}: both answer 200 with the same HTML, {check.sameness} "
            f"({len(check.bodies['jetpy']):,} chars); SQL statements per request: {shown}"
        )


class Sample(NamedTuple):
    """One round of one page and app."""

    per_second: float  # requests per second of wall-clock time
    cpu: float  # microseconds of the process's CPU time (user + system) per request


def sample(app: WsgiApp, environ: Environ, count: int) -> Sample:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        serve(app, environ)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Sample(count / wall, cpu * 1e6 / count)


def measure(runs: Runs, rounds: int, count: int) -> dict[tuple[str, str], list[Sample]]:
    """Rounds of every page and app in turn, so that a shared machine's drifts hit all alike.

    Every other round runs them in reverse order, so that neither app of a page always comes
    right after the other.
    """
    figures: dict[tuple[str, str], list[Sample]] = {key: [] for key in runs}
    for app, environ in runs.values():
        sample(app, environ, count // 10 or 1)  # warm-up: templates, compiled statements
    for number in range(1, rounds + 1):
        order = list(runs.items())
        for key, (app, environ) in order if number % 2 else reversed(order):
            figures[key].append(sample(app, environ, count))
        shown = "  ".join(
            f"{page} {name} {values[-1].per_second:,.0f}"
            for (page, name), values in figures.items()
        )
        print(f"round {number:2}/{rounds}: {shown} req/s", flush=True)
    return figures


def report(figures: dict[tuple[str, str], list[Sample]]) -> None:
    """Median and best round of each, CPU time per request, and jetpy / Flask per page.

    On a shared machine the wall-clock figures move with the neighbours' load; the median of
    the rounds' own ratios moves less (a busy round slows both apps of the round), and the
    process's CPU time per request least.
    """
    print(f"\n{'':16}{'median req/s':>14}{'best req/s':>12}{'CPU µs/request':>16}")
    for (page, name), values in figures.items():
        rates = [value.per_second for value in values]
        median, cpu = statistics.median(rates), statistics.median(value.cpu for value in values)
        print(f"{page + ' ' + name:16}{median:14,.0f}{max(rates):12,.0f}{cpu:16,.0f}")
    print()
    for page in PAGES:
        jetpy = [value.per_second for value in figures[(page, "jetpy")]]
        flask = [value.per_second for value in figures[(page, "flask")]]
        medians = statistics.median(jetpy) / statistics.median(flask)
        paired = statistics.median(j / f for j, f in zip(jetpy, flask, strict=True))
        best = max(jetpy) / max(flask)
        times = {name: statistics.median(v.cpu for v in figures[(page, name)]) for name in APPS}
        print(
            f"{page}: jetpy / flask = {times['flask'] / times['jetpy']:.2f} by CPU time; by "
            f"requests per second {medians:.2f} (medians), {paired:.2f} (median of the rounds' "
            f"ratios), {best:.2f} (best rounds)"
        )
        print(
            f"{'':{len(page)}}  the queries alone take {times['queries'] / times['jetpy']:.0%} "
            f"of jetpy's CPU time, {times['queries'] / times['flask']:.0%} of Flask's"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--requests", type=int, default=150, help="per round, page and app")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 50 requests")
    parser.add_argument("--profile", type=int, metavar="N", help="profile N jetpy requests a page")
    parser.add_argument(
        "--database-url", help="an empty database to seed (default: SQLite in a temporary folder)"
    )
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.requests = 3, 50
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory(prefix="jetpy-bench-db-") as folder:
        os.environ[ENVIRONMENT] = options.database_url or f"sqlite:///{folder}/bench.sqlite3"
        bench = implementations()
        try:
            print(bench.seeded)
            check_pages(bench)
            if options.profile:
                for path in PAGES.values():
                    print(f"\n--- jetpy {path}")
                    profile(bench.apps["jetpy"], environ_for(path), options.profile)
                return
            print(f"{options.rounds} rounds of {options.requests:,} requests per page and app")
            report(measure(bench.runs(), options.rounds, options.requests))
        finally:
            bench.close()


if __name__ == "__main__":
    main()
