"""How many SQL statements the product page, the featured products and a category page run.

Prices, availabilities and set items of every product a page shows, and of the items of its
sets however deep they nest, take at most three statements (`load_offer_details`), and the
total of a page does not grow with the number of products. Counted with a SQLAlchemy event
on the engine, on whichever database the suite runs on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy.orm import Session
from werkzeug.test import Client

from application.classes.catalog import Category, Price, Pricelist, Product, ProductKind, SetItem
from jetpy import Application
from tests.test_catalog_browser import ROOT, get, names, product, seed

DETAIL_TABLES = ("catalog_prices", "catalog_availabilities", "catalog_set_items")


@pytest.fixture
def app(db_engine: sqlalchemy.Engine) -> Iterator[Application]:
    """The example application on the small catalog of tests/test_catalog_browser.py."""
    with Session(db_engine) as session:
        seed(session)
    application = Application(ROOT, use_cache=False)
    yield application
    application.db.dispose()


@pytest.fixture
def site(app: Application) -> Client:
    return Client(app)


@contextmanager
def statements(app: Application) -> Iterator[list[str]]:
    """The SQL statements run inside the block, in order."""
    run: list[str] = []

    def record(*args: Any) -> None:
        run.append(args[2])

    sqlalchemy.event.listen(app.db.engine, "before_cursor_execute", record)
    try:
        yield run
    finally:
        sqlalchemy.event.remove(app.db.engine, "before_cursor_execute", record)


def details(run: list[str]) -> list[str]:
    """The statements that read prices, availabilities or set items."""
    return [sql for sql in run if any(f"FROM {table}" in sql for table in DETAIL_TABLES)]


def add_products(app: Application, count: int, *, nested_set: bool = False) -> None:
    """`count` more discounted products in stock; with `nested_set`, a set of sets of them."""
    with app.db.session() as session:
        czk, eur = session.query(Pricelist).order_by(Pricelist.code).all()
        session.info["pricelists"] = (czk, eur)
        where = session.query(Category).order_by(Category.id).first()
        assert where is not None
        made = [
            product(session, f"X{n}", (f"Extra {n}", f"Navic {n}"), where, ("100", "4"))
            for n in range(count)
        ]
        for item in made:
            item.prices[0].amount_before = Decimal(200)
            item.prices[1].amount_before = Decimal(8)
        if nested_set:
            inner = [set_of(session, f"INNER{n}", made[n::3], (czk, eur), where) for n in range(3)]
            set_of(session, "OUTER", inner, (czk, eur), where, name=("Big set", "Velka sada"))
        session.commit()


def set_of(
    session: Session,
    code: str,
    items: list[Product],
    pricelists: tuple[Pricelist, Pricelist],
    where: Category,
    name: tuple[str, str] | None = None,
) -> Product:
    names = name or (f"Set {code}", f"Sada {code}")
    made = product(session, code, names, where, None, kind=ProductKind.SET)
    made.set_items = [SetItem(item=item, quantity=1, position=n) for n, item in enumerate(items)]
    made.prices = [Price(pricelist=p, set_discount_percent=Decimal(5)) for p in pricelists]
    return made


def test_a_product_page_reads_prices_stock_and_set_items_in_three_statements(
    app: Application, site: Client
) -> None:
    with statements(app) as before:
        get(site, "/products/phone-kit.html")  # a set of two products
    assert len(details(before)) <= 3
    add_products(app, 12, nested_set=True)  # a set of three sets of four products each
    with statements(app) as run:
        html = get(site, "/products/big-set.html")
    assert "Set INNER0" in html and "Set INNER2" in html
    assert len(details(run)) <= 3, details(run)
    assert len(run) == len(before)  # a set of sets costs what a set of two products does


def test_a_plain_product_page_runs_few_statements(app: Application, site: Client) -> None:
    with statements(app) as run:
        get(site, "/products/alpha-phone.html")
    assert len(details(run)) == 2  # prices and stock; a product that is no set has no items
    assert len(run) <= 9


def test_featured_products_cost_the_same_statements_for_more_products(app: Application) -> None:
    with app.db.session() as session:
        assert session.query(Product).count() == 5  # one of them discounted and in stock
    visitor = Client(app)
    with statements(app) as before:
        html = get(visitor, "/")
    assert len(names(html.split('<section class="featured">')[1])) >= 1
    assert len(details(before)) <= 3
    add_products(app, 10)
    with statements(app) as run:
        html = get(visitor, "/")
    featured = html.split('<section class="featured">')[1].split("</section>")[0]
    assert len(names(featured)) == 4  # the widget's count
    assert len(details(run)) <= 3
    assert len(run) == len(before)


def test_a_category_page_reads_details_in_three_statements(app: Application, site: Client) -> None:
    add_products(app, 30, nested_set=True)
    with statements(app) as run:
        html = get(site, "/products/electronics?sort=price")
    assert len(names(html.split('<main id="main">')[1])) == 24  # a full page
    assert len(details(run)) <= 3


def test_a_category_sorted_by_name_is_paged_in_sql(app: Application, site: Client) -> None:
    """The default sort: a count and one page of products, whatever the category holds."""
    with statements(app) as before:
        get(site, "/products/electronics")
    add_products(app, 60, nested_set=True)
    with statements(app) as run:
        html = get(site, "/products/electronics/page-2")
    assert len(names(html.split('<main id="main">')[1])) == 24
    assert len(run) <= len(before)  # 66 products more, not one statement more
    assert len(details(run)) <= 3
    products = [sql for sql in run if "FROM catalog_products" in sql and "JOIN" in sql]
    counted = [sql for sql in products if "count(" in sql.lower()]
    paged = [sql for sql in products if "LIMIT" in sql and "OFFSET" in sql]
    assert len(counted) == 1 and len(paged) == 1, products
    texts = [sql for sql in run if "FROM catalog_product_texts" in sql]
    assert len(texts) == 1  # the page's texts (and their set items'), one statement


def test_a_category_sorted_by_price_is_paged_in_python(app: Application, site: Client) -> None:
    """A computed price cannot be ordered in SQL: every product of the category is read."""
    add_products(app, 30)
    with statements(app) as run:
        get(site, "/products/electronics?sort=price")
    assert not any("LIMIT" in sql for sql in run if "FROM catalog_products" in sql)
