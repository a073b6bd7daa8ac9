"""The products of the example's REST API (module catalog.products.rest, base rest)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application

ROOT = Path(__file__).resolve().parents[1]
WRITER = {"X-Test-User": "writer"}


class Writers:
    """A test-only auth provider: the request's `X-Test-User: writer` may write."""

    def page_access(self, ctx: Any, page: Any) -> bool:
        return True

    def module_action_allowed(self, ctx: Any, module: str, acl_action: str) -> bool:
        return bool(ctx.request.headers.get("X-Test-User") == "writer")

    def can_see_page(self, ctx: Any, page: Any) -> bool:
        return True


@pytest.fixture
def app(db_engine: sqlalchemy.Engine) -> Iterator[Application]:
    """The example application on the test database with the demo catalog."""
    from application.classes.demo_catalog import seed_catalog

    with Session(db_engine) as session:
        seed_catalog(session)
        session.commit()
    application = Application(ROOT, use_cache=False)
    application.bases["rest"].auth = Writers()  # reads stay public; writes need WRITER
    yield application
    application.bases["rest"].auth = None
    application.db.dispose()


@pytest.fixture
def client(app: Application) -> Client:
    return Client(app)


def json_of(response: TestResponse, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json; charset=utf-8"
    return json.loads(response.get_data(as_text=True))


def error_of(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    error: dict[str, Any] = json_of(response, status)["error"]
    assert (error["status"], error["code"]) == (status, code)
    return error


def send(client: Client, method: str, path: str, data: Any) -> TestResponse:
    return client.open(
        path, method=method, data=json.dumps(data), content_type="application/json", headers=WRITER
    )


def product_id(app: Application, code: str) -> int:
    from application.classes.catalog import Product

    with app.db.session() as session:
        found = session.scalar(select(Product.id).where(Product.code == code))
        assert found is not None, code
        return found


def codes(app: Application) -> list[str]:
    from application.classes.catalog import Product

    with app.db.session() as session:
        return sorted(session.scalars(select(Product.code)))


NEW: dict[str, Any] = {
    "code": "TEA-900",
    "ean": "4006381333931",
    "texts": {
        "en_US": {"name": "Green tea, 100 g", "description": "Leaves."},
        "cs_CZ": {"name": "Zelený čaj, 100 g", "slug": "zeleny-caj-100-g"},
    },
    "prices": {
        "CZK": {"amount": "129.00", "amount_before": "149.00", "vat_rate": "12"},
        "EUR": {"amount": 4.61, "vat_rate": 12},
    },
}


# reading --------------------------------------------------------------------------------
def test_the_list_is_sorted_by_code_and_paged(app: Application, client: Client) -> None:
    all_codes = codes(app)
    body = json_of(client.get("/rest/products/"))
    assert [item["code"] for item in body["items"]] == all_codes[:20]
    assert (body["page"], body["items_per_page"], body["total"]) == (1, 20, len(all_codes))
    assert body["pages"] == -(-len(all_codes) // 20)
    last = json_of(client.get(f"/rest/products/?page={body['pages']}&sort=-code&items_per_page=20"))
    assert [item["code"] for item in last["items"]] == all_codes[::-1][20 * (body["pages"] - 1) :]


def test_a_list_item_has_the_price_and_stock_of_the_locales_market(
    app: Application, client: Client
) -> None:
    from application.classes.catalog import Pricelist, Product, load_products

    body = json_of(client.get("/rest/cs/products/?items_per_page=1"))
    item = body["items"][0]
    with app.db.session() as session:
        product = load_products(session, select(Product).where(Product.id == item["id"]))[0]
        czk = session.scalars(select(Pricelist).where(Pricelist.code == "CZK")).one()
        price = product.price_in(czk)
        status = product.status("CZ", dt.date.today())
        text = product.text("cs_CZ")
        assert price is not None and text is not None
        assert item == {
            "id": product.id,
            "code": product.code,
            "ean": product.ean,
            "kind": "regular",
            "category_id": product.category_id,
            "name": text.name,
            "slug": text.slug,
            "price": {
                "pricelist": "CZK",
                "currency": "CZK",
                "includes_vat": True,
                "price": str(price.gross),
                "net": str(price.net),
                "gross": str(price.gross),
                "vat": str(price.vat),
                "vat_rate": str(price.vat_rate),
                "price_before": None if price.price_before is None else str(price.price_before),
                "discount_percent": str(price.discount_percent),
            },
            "availability": {
                "code": "CZ",
                "status": status.kind.value,
                "available_from": status.date.isoformat() if status.date else None,
                "delivery_days": status.days,
                "orderable": status.orderable,
            },
            "url": f"/rest/cs/products/{product.id}",
        }
    # money is text holding a decimal, never a JSON number
    assert isinstance(item["price"]["net"], str) and Decimal(item["price"]["net"]) > 0


@pytest.mark.parametrize("sort, descending", [("price", False), ("-price", True)])
def test_sort_by_price_across_pages_with_sets_priced_from_their_items(
    client: Client, sort: str, descending: bool
) -> None:
    prices: list[Decimal] = []
    kinds = set()
    for page in (1, 2, 3, 4, 5):
        body = json_of(client.get(f"/rest/products/?sort={sort}&items_per_page=50&page={page}"))
        for item in body["items"]:
            assert item["price"] is not None
            prices.append(Decimal(item["price"]["price"]))
            kinds.add(item["kind"])
        if page == body["pages"]:
            break
    assert len(prices) == body["total"] and kinds == {"regular", "set"}
    assert prices == sorted(prices, reverse=descending)


@pytest.mark.parametrize("locale, prefix", [("en_US", "/rest/"), ("cs_CZ", "/rest/cs/")])
def test_sort_by_name(client: Client, locale: str, prefix: str) -> None:
    names = [
        item["name"]
        for page in (1, 2)
        for item in json_of(
            client.get(f"{prefix}products/?sort=name&items_per_page=100&page={page}")
        )["items"]
    ]
    assert names == sorted(names)
    descending = json_of(client.get(f"{prefix}products/?sort=-name,%2Bcode&items_per_page=5"))
    assert [item["name"] for item in descending["items"]] == sorted(names, reverse=True)[:5]
    mixed = json_of(client.get(f"{prefix}products/?sort=-name,price&items_per_page=5"))
    assert [item["name"] for item in mixed["items"]] == sorted(names, reverse=True)[:5]


BAD_QUERIES = [
    ("page=0", "page"),
    ("page=x", "page"),
    ("page=-1", "page"),
    ("items_per_page=0", "items_per_page"),
    ("items_per_page=101", "items_per_page"),
    ("sort=ean", "sort"),
    ("sort=price,-price", "sort"),
    ("in_stock=1", "in_stock"),
]


def test_bad_list_parameters_are_a_400(client: Client) -> None:
    for query, parameter in BAD_QUERIES:
        error = error_of(client.get(f"/rest/products/?{query}"), 400, "invalid_parameters")
        assert list(error["parameters"]) == [parameter], query
    error = error_of(client.get("/rest/products/?sort=ean"), 400, "invalid_parameters")
    assert "allowed: +code, -code, +name, -name, +price, -price" in error["message"]


def test_a_page_past_the_last_is_a_404(client: Client) -> None:
    for sort in ("code", "price"):
        error_of(client.get(f"/rest/products/?page=99&sort={sort}"), 404, "not_found")


def test_one_product_has_prices_in_every_pricelist_and_stock_under_every_code(
    app: Application, client: Client
) -> None:
    body = json_of(client.get(f"/rest/products/{product_id(app, 'PHO-202')}"))
    assert body["code"] == "PHO-202" and body["kind"] == "regular"
    assert body["name"] == "Kalio Lite smartphone, 128 GB"
    assert body["texts"]["cs_CZ"]["name"] == "Chytrý telefon Kalio Lite, 128 GB"
    assert body["category"] == {"id": body["category"]["id"], "name": "Phones", "slug": "phones"}
    assert body["set_items"] == []
    czk, eur = body["prices"]
    assert (czk["pricelist"], czk["currency"], czk["includes_vat"]) == ("CZK", "CZK", True)
    assert (eur["pricelist"], eur["currency"], eur["includes_vat"]) == ("EUR", "EUR", False)
    for price in (czk, eur):
        net, gross, vat = Decimal(price["net"]), Decimal(price["gross"]), Decimal(price["vat"])
        assert net + vat == gross
        assert price["vat_rate"] == "21.00"
        assert len(price["net"].split(".")[1]) == 2  # rounded to the pricelist's precision
    assert czk["price"] == czk["gross"] and eur["price"] == eur["net"]
    assert [row["code"] for row in body["availability"]] == ["CZ", "EU"]
    assert {row["status"] for row in body["availability"]} <= {
        "in_stock",
        "delivery",
        "available_from",
        "not_available",
    }


def test_a_set_is_priced_from_its_items(app: Application, client: Client) -> None:
    body = json_of(client.get(f"/rest/cs/products/{product_id(app, 'SET-OUTDOOR')}"))
    assert body["kind"] == "set"
    assert [item["code"] for item in body["set_items"]] == ["SET-CYCLIST", "SET-HIKE"]
    parts = [
        json_of(client.get(f"/rest/cs/products/{item['product_id']}")) for item in body["set_items"]
    ]
    for index, pricelist in enumerate(("CZK", "EUR")):
        own = "gross" if pricelist == "CZK" else "net"
        total = sum(Decimal(part["prices"][index][own]) for part in parts)
        assert Decimal(body["prices"][index][own]) == total  # no discount on this set


def test_unknown_ids_are_a_404_envelope(client: Client) -> None:
    for path in ["99999", "2147483648", "abc", "0", "PHO-202", "1/2"]:
        error_of(client.get(f"/rest/products/{path}"), 404, "not_found")


def test_a_product_without_texts_in_the_locale_is_a_404_there(
    app: Application, client: Client
) -> None:
    from application.classes.catalog import ProductText

    target = product_id(app, "PHO-202")
    with app.db.session() as session:
        session.execute(
            sqlalchemy.delete(ProductText).where(
                ProductText.product_id == target, ProductText.locale == "cs_CZ"
            )
        )
        session.commit()
    error_of(client.get(f"/rest/cs/products/{target}"), 404, "not_found")
    assert json_of(client.get(f"/rest/products/{target}"))["code"] == "PHO-202"


def count_statements(app: Application, client: Client, url: str) -> int:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    sqlalchemy.event.listen(app.db.engine, "before_cursor_execute", record)
    try:
        json_of(client.get(url))
    finally:
        sqlalchemy.event.remove(app.db.engine, "before_cursor_execute", record)
    return len(statements)


def test_lists_cost_the_same_statements_whatever_their_length(
    app: Application, client: Client
) -> None:
    by_code = [
        count_statements(app, client, f"/rest/products/?items_per_page={n}") for n in (1, 20, 100)
    ]
    assert by_code[0] == by_code[1] == by_code[2] <= 8
    by_price = [
        count_statements(app, client, f"/rest/products/?sort=price&items_per_page={n}")
        for n in (1, 20, 100)
    ]
    assert by_price[0] == by_price[1] == by_price[2] <= 20
    # the sets' items come one query (and their loads) per nesting level, not per set
    sets = count_statements(app, client, "/rest/products/?sort=-code&items_per_page=10")
    assert sets <= by_code[0] + 10


# writing --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "method, path",
    [("POST", "/rest/products/"), ("PUT", "/rest/products/1"), ("DELETE", "/rest/products/1")],
)
def test_writes_answer_401_without_an_api_user(
    app: Application, client: Client, method: str, path: str
) -> None:
    response = client.open(
        path, method=method, data=json.dumps(NEW), content_type="application/json"
    )
    error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="rest"'
    assert "TEA-900" not in codes(app)


def test_post_creates_a_product_with_prices(app: Application, client: Client) -> None:
    response = send(client, "POST", "/rest/products/", NEW)
    body = json_of(response, 201)
    assert response.headers["Location"] == f"/rest/products/{body['id']}"
    assert body["code"] == "TEA-900" and body["ean"] == "4006381333931"
    assert body["texts"] == {
        "cs_CZ": {"name": "Zelený čaj, 100 g", "slug": "zeleny-caj-100-g", "description": ""},
        # plain text is stored as HTML paragraphs (application/classes/rich_text.py)
        "en_US": {
            "name": "Green tea, 100 g",
            "slug": "green-tea-100-g",
            "description": "<p>Leaves.</p>",
        },
    }
    czk, eur = body["prices"]
    assert czk == {
        "pricelist": "CZK",
        "currency": "CZK",
        "includes_vat": True,
        "price": "129.00",
        "net": "115.18",
        "gross": "129.00",
        "vat": "13.82",
        "vat_rate": "12.00",
        "price_before": "149.00",
        "discount_percent": "13",
    }
    assert (eur["net"], eur["gross"], eur["vat"]) == ("4.61", "5.16", "0.55")
    assert [row["status"] for row in body["availability"]] == ["not_available", "not_available"]
    assert json_of(client.get(f"/rest/products/{body['id']}")) == body


def test_put_replaces_and_delete_removes(app: Application, client: Client) -> None:
    created = json_of(send(client, "POST", "/rest/products/", NEW), 201)
    path = f"/rest/products/{created['id']}"
    changed = {
        "code": "TEA-901",
        "texts": {"en_US": {"name": "Green tea, 200 g"}},
        "prices": {"EUR": {"amount": "8.00"}},
    }
    body = json_of(send(client, "PUT", path, changed))
    assert (body["code"], body["ean"]) == ("TEA-901", None)
    assert body["texts"] == {
        "en_US": {"name": "Green tea, 200 g", "slug": "green-tea-200-g", "description": ""}
    }
    assert [(p["pricelist"], p["net"], p["vat_rate"]) for p in body["prices"]] == [
        ("EUR", "8.00", "21.00")  # the pricelist's default rate
    ]
    error_of(client.get(f"/rest/cs/products/{created['id']}"), 404, "not_found")  # no cs text
    response = client.delete(path, headers=WRITER)
    assert response.status_code == 204 and response.data == b""
    error_of(client.get(path), 404, "not_found")
    error_of(client.delete(path, headers=WRITER), 404, "not_found")
    error_of(send(client, "PUT", path, changed), 404, "not_found")


def test_put_keeps_what_it_is_sent_back(app: Application, client: Client) -> None:
    path = f"/rest/products/{product_id(app, 'PHO-202')}"
    before = json_of(client.get(path))
    body = {
        "id": before["id"],
        "code": before["code"],
        "ean": before["ean"],
        "category_id": before["category"]["id"],
        "texts": before["texts"],
        "prices": {
            p["pricelist"]: {"amount": p["price"], "vat_rate": p["vat_rate"]}
            for p in before["prices"]
        },
    }
    assert json_of(send(client, "PUT", path, body)) == before


def test_a_set_is_written_with_its_items(app: Application, client: Client) -> None:
    items = [product_id(app, "PHO-202"), product_id(app, "AUD-101")]
    data = {
        "code": "SET-NEW",
        "kind": "set",
        "texts": {"en_US": {"name": "New set"}},
        "set_items": [{"product_id": items[0], "quantity": 2}, {"product_id": items[1]}],
        "prices": {"CZK": {"set_discount_percent": "10"}, "EUR": {"set_discount_amount": "5"}},
    }
    body = json_of(send(client, "POST", "/rest/products/", data), 201)
    assert [(i["product_id"], i["quantity"]) for i in body["set_items"]] == [
        (items[0], 2),
        (items[1], 1),
    ]
    parts = [json_of(client.get(f"/rest/products/{i}"))["prices"] for i in items]
    czk = Decimal(parts[0][0]["gross"]) * 2 + Decimal(parts[1][0]["gross"])
    assert Decimal(body["prices"][0]["price_before"]) == czk
    assert Decimal(body["prices"][0]["gross"]) == (czk * Decimal("0.9")).quantize(Decimal("0.01"))
    eur = Decimal(parts[0][1]["net"]) * 2 + Decimal(parts[1][1]["net"])
    assert Decimal(body["prices"][1]["net"]) == eur - 5
    # a set cannot come to contain itself, directly or through another set
    outer = json_of(
        send(
            client,
            "POST",
            "/rest/products/",
            {
                **data,
                "code": "SET-OUTER",
                "texts": {"en_US": {"name": "Outer"}},
                "set_items": [{"product_id": body["id"]}],
            },
        ),
        201,
    )
    for item in (body["id"], outer["id"]):
        error = error_of(
            send(
                client,
                "PUT",
                f"/rest/products/{body['id']}",
                {**data, "set_items": [{"product_id": item}]},
            ),
            400,
            "invalid_fields",
        )
        assert list(error["fields"]) == ["set_items[0].product_id"]
    # an item of a set cannot be deleted while the set holds it
    error = error_of(client.delete(f"/rest/products/{items[1]}", headers=WRITER), 409, "conflict")
    assert "SET-NEW" in error["message"]
    assert client.delete(f"/rest/products/{outer['id']}", headers=WRITER).status_code == 204
    assert client.delete(f"/rest/products/{body['id']}", headers=WRITER).status_code == 204
    after = client.delete(f"/rest/products/{items[1]}", headers=WRITER)  # in demo sets too
    assert after.status_code == 204 or "SET-NEW" not in error_of(after, 409, "conflict")["message"]


def category_count(app: Application) -> int:
    from application.classes.catalog import Category

    with app.db.session() as session:
        return session.scalar(select(func.count()).select_from(Category)) or 0


CODE_PROBLEM = (
    "must be 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit"
)


def with_(**changes: Any) -> dict[str, Any]:
    return {**NEW, **changes}


BAD_BODIES: list[tuple[dict[str, Any], dict[str, list[str]]]] = [
    ({}, {"code": ["required"], "texts": ["required"]}),
    (with_(code="PHO-202"), {"code": ["already used by product {PHO-202}"]}),
    (with_(code="a b"), {"code": [CODE_PROBLEM]}),
    (with_(code="x" * 65), {"code": [CODE_PROBLEM]}),
    (with_(code="   "), {"code": ["required: give a text that is not blank"]}),
    (with_(code="-PHO"), {"code": [CODE_PROBLEM]}),
    (with_(code="PHO\u00b2"), {"code": [CODE_PROBLEM]}),
    (
        with_(ean="123"),
        {"ean": ["must be 8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14)"]},
    ),
    (
        with_(ean="400638133393x"),
        {"ean": ["must be 8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, GTIN-14)"]},
    ),
    (
        with_(ean="4006381333932"),
        {"ean": ["the check digit is wrong: 4006381333931 would be right"]},
    ),
    (with_(ean=4006381333931), {"ean": ["must be text, not a number"]}),
    (with_(kind="bundle"), {"kind": ["must be regular or set, not 'bundle'"]}),
    (with_(category_id=99999), {"category_id": ["there is no category 99999"]}),
    (with_(category_id="1"), {"category_id": ["must be a whole number, not text"]}),
    (with_(texts={}), {"texts": ["give the texts of one locale or more: en_US, cs_CZ"]}),
    (with_(texts={"en_US": {}}), {"texts.en_US.name": ["required"]}),
    (
        with_(texts={"en": {"name": "X"}}),
        {"texts.en": ["not a locale of this API; use en_US, cs_CZ"]},
    ),
    (
        with_(texts={"en_US": {"name": "X", "slug": "X"}}),
        {
            "texts.en_US.slug": [
                "'X' is not a slug: use lowercase ASCII letters and digits joined by single dashes; did you mean 'x'?"
            ]
        },
    ),
    (
        with_(texts={"en_US": {"name": "X", "slug": "{PHO-202 slug}"}}),
        {"texts.en_US.slug": ["already used by product {PHO-202} in en_US"]},
    ),
    (
        with_(prices={"USD": {"amount": "1"}}),
        {"prices.USD": ["there is no pricelist USD; pricelists: CZK, EUR"]},
    ),
    (with_(prices={"CZK": {}}), {"prices.CZK.amount": ["required"]}),
    (
        with_(prices={"CZK": {"amount": "-1"}}),
        {"prices.CZK.amount": ["must be 0 to 9999999999, not -1"]},
    ),
    (
        with_(prices={"CZK": {"amount": "1.001"}}),
        {"prices.CZK.amount": ["at most 2 decimal places, not 1.001"]},
    ),
    (
        with_(prices={"CZK": {"amount": "1e12"}}),
        {"prices.CZK.amount": ["must be 0 to 9999999999, not 1000000000000"]},
    ),
    (
        with_(prices={"CZK": {"amount": "ten"}}),
        {"prices.CZK.amount": ["must be a decimal number such as \"12.50\", not 'ten'"]},
    ),
    (
        with_(prices={"CZK": {"amount": "10", "vat_rate": "15"}}),
        {"prices.CZK.vat_rate": ["pricelist CZK has the rates 21, 12, 0"]},
    ),
    (
        with_(prices={"CZK": {"amount": "10", "set_discount_percent": "5"}}),
        {
            "prices.CZK.set_discount_percent": [
                "unknown field; known: amount, amount_before, vat_rate"
            ]
        },
    ),
    (
        with_(set_items=[{"product_id": 1}]),
        {"set_items": ["only a set has items; give `kind: set`"]},
    ),
    (with_(kind="set", prices={}), {"set_items": ["a set needs one item or more"]}),
    (
        with_(kind="set", prices={}, set_items=[{"product_id": 99999}]),
        {"set_items[0].product_id": ["there is no product 99999"]},
    ),
    (
        with_(kind="set", prices={}, set_items=[{"product_id": 1}, {"product_id": 1}]),
        {"set_items[1].product_id": ["product 1 is listed twice"]},
    ),
    (
        with_(kind="set", prices={}, set_items=[{"product_id": 1, "quantity": 0}]),
        {"set_items[0].quantity": ["must be 1 to 10000, not 0"]},
    ),
    (
        with_(
            kind="set",
            prices={"CZK": {"set_discount_percent": "101"}},
            set_items=[{"product_id": 1}],
        ),
        {"prices.CZK.set_discount_percent": ["must be 0 to 100, not 101"]},
    ),
    (
        with_(
            kind="set",
            prices={"CZK": {"set_discount_percent": "1", "set_discount_amount": "1"}},
            set_items=[{"product_id": 1}],
        ),
        {"prices.CZK.set_discount_amount": ["a set has a percentage or an amount off, not both"]},
    ),
    (
        with_(stock=5),
        {
            "stock": [
                "unknown field; known: category_id, code, ean, id, kind, prices, set_items, texts, url"
            ]
        },
    ),
]


def test_validation_errors_are_a_400_listing_each_field(app: Application, client: Client) -> None:
    """Every case in one application: building the example and its catalog takes a while."""
    from application.classes.catalog import ProductText

    phone = product_id(app, "PHO-202")
    with app.db.session() as session:
        slug = session.scalars(
            select(ProductText.slug).where(
                ProductText.product_id == phone, ProductText.locale == "en_US"
            )
        ).one()
    before = codes(app)
    for data, fields in BAD_BODIES:
        text = json.dumps(data).replace("{PHO-202 slug}", slug)
        expected = json.loads(json.dumps(fields).replace("{PHO-202}", str(phone)))
        response = client.post(
            "/rest/products/", data=text, content_type="application/json", headers=WRITER
        )
        error = error_of(response, 400, "invalid_fields")
        assert error["fields"] == expected, data
    assert codes(app) == before
