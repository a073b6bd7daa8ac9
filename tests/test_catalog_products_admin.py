"""Module catalog.products.admin: the products grid, forms and price preview at /admin/products/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from application.classes.catalog.pricing import price_breakdown
from jetpy import Application
from tests.conftest import PASSWORD, REPO, log_in, signed_in
from tests.conftest import csrf_token_in as token_of

URL = "/admin/products/"
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
EAN = "4006381333931"


@pytest.fixture
def app(db_url: str, example_model: type) -> Iterator[Application]:
    """Two pricelists, a category, `boss` (superuser) and `clerk` (may not delete)."""
    from application.classes.admin_users import Role, create_administrator
    from application.classes.catalog.models import Category, CategoryText, Pricelist

    engine = sqlalchemy.create_engine(db_url)
    example_model.metadata.create_all(engine)  # type: ignore[attr-defined]
    with Session(engine) as db:
        for code, includes in [("CZK", True), ("EUR", False)]:
            db.add(
                Pricelist(
                    code=code,
                    currency=code,
                    prices_include_vat=includes,
                    vat_rates=["21", "12", "0"],
                    default_vat_rate=Decimal(21),
                    precision=2,
                )
            )
        db.add(
            Category(
                texts=[
                    CategoryText(locale="en_US", name="Tools", slug="tools"),
                    CategoryText(locale="cs_CZ", name="Nářadí", slug="naradi"),
                ]
            )
        )
        create_administrator(db, "boss", "boss@example.com", PASSWORD, superuser=True)
        clerk = create_administrator(db, "clerk", "clerk@example.com", PASSWORD)
        role = Role(name="Clerks")
        role.grant("visit_page", "products")
        for action in ("view", "add", "edit"):
            role.grant("module_action", f"catalog.products.admin:{action}")
        clerk.roles.append(role)
        db.commit()
    engine.dispose()
    app = Application(REPO, use_cache=False)
    yield app
    app.db.dispose()


@pytest.fixture
def boss(app: Application) -> Client:
    return signed_in(app, "boss", URL)


def category_id(app: Application) -> str:
    from application.classes.catalog.models import Category

    with app.db.session() as db:
        return str(db.scalar(select(Category.id)))


def product_data(token: str, **values: str) -> dict[str, str]:
    data = {"csrf_token": token, "code": "HAM-1", "kind": "regular", "category": ""}
    for locale in ("en_US", "cs_CZ"):
        data |= {f"name_{locale}": "", f"slug_{locale}": "", f"description_{locale}": ""}
    for code in ("CZK", "EUR"):
        data |= {f"price_{code}": "", f"before_{code}": "", f"rate_{code}": "21"}
    for code in ("CZ", "EU"):
        data |= {f"units_{code}": "0", f"days_{code}": "0"}
    return data | values


def add(client: Client, **values: str) -> TestResponse:
    token = token_of(client.get(URL + "?add"))
    return client.post(URL + "?add", data=product_data(token, **values))


def product_id(app: Application, code: str) -> int:
    from application.classes.catalog.models import Product

    with app.db.session() as db:
        found = db.scalar(select(Product.id).where(Product.code == code))
        assert found is not None
        return found


def count_products(app: Application) -> int:
    from application.classes.catalog.models import Product

    with app.db.session() as db:
        return len(db.scalars(select(Product.id)).all())


def a_hammer(client: Client, app: Application, **values: str) -> TestResponse:
    defaults = {
        "name_en_US": "Claw hammer",
        "name_cs_CZ": "Kladivo",
        "description_en_US": "Heavy.",
        "category": category_id(app),
        "ean": EAN,
        "price_CZK": "121",
        "before_CZK": "150",
        "price_EUR": "10.00",
        "rate_EUR": "12",
        "units_CZ": "5",
        "units_EU": "0",
        "days_EU": "7",
    }
    return add(client, **(defaults | values))


def test_add_then_edit_a_price_shows_on_the_public_page_at_once(
    app: Application, boss: Client
) -> None:
    response = a_hammer(boss, app)
    assert response.status_code == 303, response.get_data(as_text=True)
    grid = boss.get(URL).get_data(as_text=True)
    assert "Claw hammer" in grid and "HAM-1" in grid and "Tools" in grid and "CZ: 5" in grid
    public = Client(app)
    page = public.get("/cs/produkty/kladivo.html")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "121,00" in text and "19" in text
    en = public.get("/products/claw-hammer.html").get_data(as_text=True)
    assert "11.20" in en  # EUR: 10.00 net at 12 % is 11.20 gross
    id = product_id(app, "HAM-1")
    form = boss.get(f"{URL}?edit={id}")
    assert 'value="121.00"' in form.get_data(as_text=True)
    # the stored rate (21.00 in the database) is the pricelist's 21: chosen, no error shown
    assert "has no VAT rate" not in form.get_data(as_text=True)
    assert re.search(
        r'<option[^>]*selected[^>]*value="21"|<option[^>]*value="21"[^>]*selected',
        form.get_data(as_text=True),
    )
    changed = boss.post(
        f"{URL}?edit={id}",
        data=product_data(
            token_of(form),
            name_en_US="Claw hammer",
            name_cs_CZ="Kladivo",
            slug_en_US="claw-hammer",
            slug_cs_CZ="kladivo",
            price_CZK="99.50",
            before_CZK="199",
            price_EUR="10.00",
            rate_EUR="12",
        ),
    )
    assert changed.status_code == 303, changed.get_data(as_text=True)
    text = public.get("/cs/produkty/kladivo.html").get_data(as_text=True)
    assert "99,50" in text and "121,00" not in text and "50" in text  # -50 %
    from application.classes.catalog.models import Product

    with app.db.session() as db:
        product = db.get(Product, id)
        assert product is not None and product.ean == EAN
        czk = next(p for p in product.prices if p.pricelist.code == "CZK")
        assert czk.amount == Decimal("99.50") and czk.amount_before == Decimal("199")
        eur = next(p for p in product.prices if p.pricelist.code == "EUR")
        assert eur.vat_rate == Decimal(12)


def test_the_preview_answers_the_shared_rules(app: Application, boss: Client) -> None:
    def preview(**query: str) -> TestResponse:
        return boss.get(URL, query_string={"preview": "1", **query})

    # 0.50 net at 21 % is 0.605: half up gives 0.61 (half even would give 0.60)
    answer = preview(pricelist="EUR", amount="0.50", rate="21")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert json.loads(answer.get_data()) == {
        "net": "0.50",
        "gross": "0.61",
        "vat": "0.11",
        "discount": "",
        "currency": "EUR",
    }
    for amount, before, rate in [("1.01", "", "21"), ("100", "150", "12"), ("0,605", "", "0")]:
        data = json.loads(preview(pricelist="CZK", amount=amount, before=before, rate=rate).data)
        rules = price_breakdown(
            Decimal(amount.replace(",", ".")),
            Decimal(rate),
            includes_vat=True,
            precision=2,
            stored_before=Decimal(before) if before else None,
        )
        assert (data["net"], data["gross"], data["vat"]) == tuple(
            str(v) for v in (rules.net, rules.gross, rules.vat)
        )
        assert data["discount"] == (str(rules.discount_percent) if before else "")
    assert json.loads(preview(pricelist="CZK", amount="1.01").data)["net"] == "0.83"
    for bad in [
        {"pricelist": "XXX", "amount": "1"},
        {"pricelist": "CZK", "amount": "abc"},
        {"pricelist": "CZK", "amount": "1e999999"},
        {"pricelist": "CZK", "amount": "NaN"},
        {"pricelist": "CZK", "amount": "-1"},
        {"pricelist": "CZK", "amount": "1", "rate": "7"},
    ]:
        answer = preview(**bad)
        assert answer.status_code == 400 and "error" in json.loads(answer.data), bad
    # the rendered form shows the same figures as the JSON
    shown = add(boss, code="X-1", name_en_US="X", price_EUR="0.50", ean="123")
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'id="product-ean-error"' in text
    assert re.search(r'id="product-preview-EUR-gross"[^>]*>0\.61<', text)
    assert re.search(r'id="product-preview-EUR-vat"[^>]*>0\.11<', text)
    # the script (a file: no inline script under the Content-Security-Policy) asks the
    # module, it computes nothing
    assert '<script src="/public/js/price-preview.js' in text
    assert "fetch(url" in (REPO / "public" / "js" / "price-preview.js").read_text()


def test_field_errors_instead_of_saving(app: Application, boss: Client) -> None:
    assert a_hammer(boss, app).status_code == 303
    cases = [
        ({"code": "HAM-1", "name_en_US": "Other"}, "product-code-error"),
        ({"code": "B", "name_en_US": "Claw hammer", "slug_en_US": "claw-hammer"}, "slug_en_US"),
        ({"code": "C", "name_en_US": "C", "ean": "4006381333932"}, "product-ean-error"),
        ({"code": "D", "name_en_US": "D", "price_CZK": "abc"}, "product-price_CZK-error"),
        ({"code": "E", "name_en_US": "E", "price_CZK": "10", "before_CZK": "9"}, "before_CZK"),
        ({"code": "F", "name_en_US": "F", "rate_CZK": "7"}, "product-rate_CZK-error"),
        ({"code": "G", "name_en_US": "G", "units_CZ": "-1"}, "product-units_CZ-error"),
        ({"code": "H"}, "product-name_en_US-error"),
        ({"code": "I", "name_en_US": "I", "kind": "set", "set_items": "NOPE 1"}, "set_items"),
        ({"code": "J", "name_en_US": "J", "kind": "set", "set_items": "J 1"}, "set_items"),
        ({"code": "K", "name_en_US": "K", "category": "999"}, "product-category-error"),
        ({"code": "   ", "name_en_US": "Spaces"}, "product-code-error"),  # was stored as ''
        ({"code": "a b", "name_en_US": "Space"}, "product-code-error"),  # the API refuses it
        ({"code": "x" * 65, "name_en_US": "Long"}, "product-code-error"),
        ({"code": "S", "name_en_US": "S", "kind": "set", "set_items": "HAM-1 ²"}, "set_items"),
        (
            {"code": "S", "name_en_US": "S", "kind": "set", "set_items": "P " + 5000 * "9"},
            "set_items",
        ),
    ]
    for values, error in cases:
        response = add(boss, **values)
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and error in text and "field-error" in text, values
    assert count_products(app) == 1
    generated = add(boss, code="HAM-2", name_en_US="Claw hammer")
    assert generated.status_code == 303
    from application.classes.catalog.models import ProductText

    with app.db.session() as db:
        slugs = set(db.scalars(select(ProductText.slug).where(ProductText.locale == "en_US")))
    assert slugs == {"claw-hammer", "claw-hammer-2"}


def test_a_set_costs_its_items(app: Application, boss: Client) -> None:
    a_hammer(boss, app, before_CZK="")
    add(boss, code="NAIL", name_en_US="Nails", price_CZK="10", price_EUR="1")
    response = add(boss, code="KIT", name_en_US="Kit", kind="set", set_items="HAM-1 1\nNAIL 3")
    assert response.status_code == 303, response.get_data(as_text=True)
    grid = boss.get(URL + "?kind=set").get_data(as_text=True)
    assert "Kit" in grid and "151.00" in grid and "Nails" not in grid
    view = boss.get(f"{URL}?view={product_id(app, 'KIT')}").get_data(as_text=True)
    assert "HAM-1 x 1" in view and "NAIL x 3" in view
    id = product_id(app, "KIT")
    form = boss.get(f"{URL}?edit={id}")
    assert "HAM-1 1\nNAIL 3" in form.get_data(as_text=True)
    values = {"code": "KIT", "name_en_US": "Kit", "slug_en_US": "kit", "kind": "set"}
    edited = boss.post(
        f"{URL}?edit={id}",
        data=product_data(token_of(form), **values, set_items="NAIL 2\nHAM-1 1"),
    )
    assert edited.status_code == 303, edited.get_data(as_text=True)
    view = boss.get(f"{URL}?view={id}").get_data(as_text=True)
    assert "NAIL x 2, HAM-1 x 1" in view and "141.00" in view
    # an item of a set is not deleted (the set would lose its price)
    nail = product_id(app, "NAIL")
    token = token_of(boss.get(f"{URL}?edit={nail}"))
    refused = boss.post(f"{URL}?delete={nail}", data={"csrf_token": token})
    assert refused.status_code == 303
    assert "take it out of them first" in boss.get(URL).get_data(as_text=True)
    assert count_products(app) == 3


def test_script_in_every_text_field_is_escaped_everywhere(app: Application, boss: Client) -> None:
    values = {"code": "XSS-1", "price_CZK": "100", "price_EUR": "5", "category": category_id(app)}
    for locale in ("en_US", "cs_CZ"):
        values |= {f"name_{locale}": XSS, f"description_{locale}": XSS}
    refused = add(boss, **(values | {"code": XSS}))  # a code is letters, digits and .-_
    assert refused.status_code == 200 and ESCAPED in refused.get_data(as_text=True)
    assert add(boss, **values).status_code == 303
    id = product_id(app, "XSS-1")
    public = Client(app)
    pages = [
        boss.get(URL),
        boss.get(URL, query_string={"q": XSS}),
        boss.get(f"{URL}?view={id}"),
        boss.get(f"{URL}?edit={id}"),
        boss.get(f"{URL}?delete={id}"),
        public.get("/products/script-alert-1-script.html"),
        public.get("/cs/produkty/script-alert-1-script.html"),
        public.get("/products/tools/"),
    ]
    for response in pages:
        text = response.get_data(as_text=True)
        assert response.status_code == 200, response.request.url
        assert XSS not in text and ESCAPED in text, response.request.url


def test_delete_and_csrf(app: Application, boss: Client) -> None:
    a_hammer(boss, app)
    id = product_id(app, "HAM-1")
    data = product_data("", code="NEW", name_en_US="New")
    del data["csrf_token"]
    assert boss.post(URL + "?add", data=data).status_code == 400
    assert boss.post(f"{URL}?delete={id}", data={"csrf_token": "x"}).status_code == 400
    assert count_products(app) == 1
    confirm = boss.get(f"{URL}?delete={id}")
    done = boss.post(f"{URL}?delete={id}", data={"csrf_token": token_of(confirm)})
    assert done.status_code == 303 and count_products(app) == 0
    assert Client(app).get("/products/claw-hammer.html").status_code == 404


def test_a_clerk_without_delete_sees_no_delete_button_and_gets_403(
    app: Application, boss: Client
) -> None:
    a_hammer(boss, app)
    id = product_id(app, "HAM-1")
    clerk = Client(app)
    assert log_in(clerk, "clerk", url=URL).status_code == 303
    grid = clerk.get(URL)
    text = grid.get_data(as_text=True)
    assert grid.status_code == 200 and "Claw hammer" in text and f"?edit={id}" in text
    assert f"?delete={id}" not in text
    assert clerk.get(f"{URL}?delete={id}").status_code == 403
    token = token_of(clerk.get(f"{URL}?edit={id}"))
    forged = clerk.post(f"{URL}?delete={id}", data={"csrf_token": token})
    assert forged.status_code == 403 and count_products(app) == 1
    assert "?delete=" in boss.get(URL).get_data(as_text=True)


def test_the_grid_runs_the_same_statements_for_any_number_of_rows(
    app: Application, boss: Client
) -> None:
    def statements(query: str = "") -> int:
        counted: list[str] = []

        def count(*args: object) -> None:
            counted.append(str(args[2]))

        sqlalchemy.event.listen(app.db.engine, "before_cursor_execute", count)
        try:
            assert boss.get(URL + query).status_code == 200
        finally:
            sqlalchemy.event.remove(app.db.engine, "before_cursor_execute", count)
        return len(counted)

    a_hammer(boss, app)
    add(boss, code="KIT-0", name_en_US="Kit 0", kind="set", set_items="HAM-1 2")
    one = statements()
    for number in range(5):
        add(boss, code=f"P-{number}", name_en_US=f"P {number}", price_CZK="10", price_EUR="1")
        add(
            boss,
            code=f"KIT-{number + 1}",
            name_en_US=f"Kit {number + 1}",
            kind="set",
            set_items=f"P-{number} 1\nKIT-{number} 1",
        )
    assert statements() == one
    for query in ["?q=%27%22%3B--", "?kind=%27%20OR%201%3D1", "?category=x", "?sort=price"]:
        assert boss.get(URL + query).status_code == 200
    csv = boss.get(URL + "?export=csv")
    assert csv.status_code == 200 and "HAM-1" in csv.get_data(as_text=True)


def test_the_admin_menu_shows_the_pages_the_administrator_may_open(
    app: Application, boss: Client
) -> None:
    menu = boss.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/products/"' in menu and 'href="/admin/articles/"' in menu
    clerk = Client(app)
    log_in(clerk, "clerk", url=URL)
    menu = clerk.get(URL).get_data(as_text=True)
    assert 'href="/admin/products/"' in menu and 'href="/admin/articles/"' not in menu
    czech = boss.get("/admin/cs/products/").get_data(as_text=True)
    assert 'href="/admin/cs/articles/"' in czech and "Produkty" in czech


def test_the_grid_stacks_kind_category_discount_and_stock_and_the_csv_keeps_their_columns(
    app: Application, boss: Client
) -> None:
    assert a_hammer(boss, app).status_code == 303
    kit = {"code": "KIT-1", "name_en_US": "Kit", "kind": "set", "set_items": "HAM-1 2"}
    assert add(boss, **kit).status_code == 303
    page = boss.get(URL).get_data(as_text=True)
    rows = page[page.index("<tbody") : page.index("</tbody>")]
    # one column fewer each for kind and category: at 1280 px the row actions need no scrolling
    assert '<span class="badge badge-neutral">Tools</span>' in rows
    assert 'KIT-1<br><span class="badge badge-info">Set</span>' in rows
    assert 'CZK\xa0121.00<br><span class="badge badge-danger">-19 %</span>' in rows  # was 150
    assert "CZ: 5<br>EU: 0" in rows
    head = page[page.index("<thead") : page.index("</thead>")]
    assert ">Kind<" not in head and ">Category<" not in head
    csv = boss.get(URL + "?export=csv").get_data(as_text=True).splitlines()
    assert csv[0] == "\ufeffID,Image,Code,Name,Category,Kind,Price (CZK),Stock"
    assert any(line.startswith(("1,", "2,")) and ",Tools,Regular," in line for line in csv)
