"""Module catalog.pricelists.admin: the pricelists grid and forms at /admin/pricelists/."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, select
from werkzeug.test import Client, TestResponse

from application.classes.catalog import Price, Pricelist
from jetpy import Application
from tests.conftest import csrf_token_in as token_of
from tests.conftest import log_in
from tests.test_catalog_products_admin import a_hammer, app, boss

__all__ = ["app", "boss"]  # fixtures

URL = "/admin/pricelists/"


def form_data(token: str, **values: str) -> dict[str, str]:
    data = {
        "csrf_token": token,
        "code": "USD",
        "name": "Dollars",
        "currency": "usd",
        "vat_rates": "20, 10,5, 0",  # a decimal comma is read as a separator here
        "default_vat_rate": "20",
        "precision": "2",
    }
    return data | values


def add(client: Client, **values: str) -> TestResponse:
    token = token_of(client.get(URL + "?add"))
    return client.post(URL + "?add", data=form_data(token, **values))


def edit(client: Client, id: int, **values: str) -> TestResponse:
    token = token_of(client.get(f"{URL}?edit={id}"))
    return client.post(f"{URL}?edit={id}", data=form_data(token, **values))


def pricelist(app: Application, code: str) -> Pricelist:
    with app.db.session() as db:
        found = db.scalar(select(Pricelist).where(Pricelist.code == code))
        assert found is not None, code
        db.expunge(found)
        return found


def test_add_edit_and_the_grid(app: Application, boss: Client) -> None:
    answer = add(boss, vat_rates="20; 10.5; 0", prices_include_vat="y")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    usd = pricelist(app, "USD")
    assert usd.currency == "USD" and usd.prices_include_vat and usd.precision == 2
    assert usd.rates == [Decimal(20), Decimal("10.5"), Decimal(0)]
    assert usd.default_vat_rate == 20
    grid = boss.get(URL).get_data(as_text=True)
    assert "USD" in grid and "10.5 %<br>0 %" in grid and "cs_CZ" in grid  # CZK's market
    csv = boss.get(URL + "?export=csv").get_data(as_text=True)
    assert 'USD,Dollars,USD,Yes,"20 %, 10.5 %, 0 %",20 %,2,,0' in csv
    assert "USD" not in boss.get(URL + "?prices_include_vat=no").get_data(as_text=True)
    answer = edit(boss, usd.id, vat_rates="20, 0", default_vat_rate="0", precision="0")
    assert answer.status_code == 303
    usd = pricelist(app, "USD")
    assert usd.rates == [20, 0] and usd.default_vat_rate == 0 and usd.precision == 0
    assert not usd.prices_include_vat  # the box unticked
    form = boss.get(f"{URL}?edit={usd.id}").get_data(as_text=True)
    assert 'value="20, 0"' in form
    # a new pricelist is a price field of the products form at once
    assert 'name="price_USD"' in boss.get("/admin/products/?add").get_data(as_text=True)
    czech = boss.get("/admin/cs/pricelists/").get_data(as_text=True)
    assert "Sazby DPH" in czech and "s DPH" in czech and "výchozí" in czech


def test_the_form_has_save_and_cancel_like_the_other_admin_forms(
    app: Application, boss: Client
) -> None:
    eur = pricelist(app, "EUR")
    for url in (URL + "?add", f"{URL}?edit={eur.id}"):
        form = boss.get(url).get_data(as_text=True)
        actions = form.split('<div class="form-actions">')[1].split("</div>")[0]
        assert '<button class="button primary" type="submit" id="pricelist-save">Save' in actions
        assert f'<a class="button quiet" href="{URL}" id="pricelist-cancel">Cancel</a>' in actions
        assert f'<a class="button quiet" href="{URL}">Back to the list</a>' in form  # the header
        for field in ("code", "name", "currency", "vat_rates", "default_vat_rate", "precision"):
            assert f'id="pricelist-{field}"' in form, field
    edit_form = boss.get(f"{URL}?edit={eur.id}").get_data(as_text=True)
    assert f'href="{URL}?history={eur.id}" id="pricelist-history"' in edit_form
    assert 'id="pricelist-history"' not in boss.get(URL + "?add").get_data(as_text=True)
    # Cancel is a link to the grid: it sends nothing, the pricelist stays as it was
    assert boss.get(URL).status_code == 200
    assert pricelist(app, "EUR").rates == eur.rates
    czech = boss.get("/admin/cs/pricelists/?add").get_data(as_text=True)
    assert 'id="pricelist-cancel">Zrušit</a>' in czech and "DPH a zaokrouhlení" in czech
    # a refused save keeps both, with the errors above the form
    refused = add(boss, code="").get_data(as_text=True)
    assert 'id="pricelist-cancel"' in refused and 'id="form-errors"' in refused


def test_bad_input_is_a_field_error(app: Application, boss: Client) -> None:
    cases = {
        "Use 1 to 16 capital letters, digits or dashes, starting with a letter.": {"code": "1-bad"},
        "Another pricelist has this code.": {"code": "eur"},
        "three-letter code, e.g. EUR.": {"currency": "€"},
        "Write 1 to 10 percentages from 0 to 100": {"vat_rates": "21, lots"},
        "from 0 to 100": {"vat_rates": "101"},
        "Name each rate once.": {"vat_rates": "21, 21.0"},
        "Choose one of the VAT rates above.": {"default_vat_rate": "15"},
        "Number must be between 0 and 4.": {"precision": "7"},
        "Enter the pricelist&#39;s code.": {"code": ""},
    }
    for message, values in cases.items():
        answer = add(boss, **values)
        assert answer.status_code == 200, values
        assert message in answer.get_data(as_text=True), (message, values)
    with app.db.session() as db:
        assert db.scalar(select(Pricelist).where(Pricelist.code == "USD")) is None
    assert boss.post(URL + "?add", data=form_data("forged")).status_code == 400


def test_what_would_break_the_shop_is_refused(app: Application, boss: Client) -> None:
    assert a_hammer(boss, app).status_code == 303  # EUR price at 12 %, CZK at the default
    eur = pricelist(app, "EUR")
    values = {"currency": "EUR", "vat_rates": "21, 0", "default_vat_rate": "21"}
    answer = edit(boss, eur.id, code="EURO", **values)
    text = answer.get_data(as_text=True)
    assert "The shop sells with EUR in en_US" in text
    assert "Prices of this pricelist use the rates 12 %; keep them" in text
    assert pricelist(app, "EUR").rates == eur.rates
    for code, message in [
        ("EUR", "EUR is the pricelist the shop sells with in en_US; it cannot be deleted"),
    ]:
        url = f"{URL}?delete={pricelist(app, code).id}"
        assert message in boss.get(url, follow_redirects=True).get_data(as_text=True)
    assert add(boss, code="B2B", currency="CZK").status_code == 303
    b2b = pricelist(app, "B2B")
    with app.db.session() as db:
        product = db.scalar(select(Price.product_id))
        db.add(Price(pricelist_id=b2b.id, product_id=product, amount=Decimal(5)))
        db.commit()
    url = f"{URL}?delete={b2b.id}"
    message = "B2B holds 1 prices; remove them from the products first."
    assert message in boss.get(url, follow_redirects=True).get_data(as_text=True)
    with app.db.session() as db:
        db.execute(delete(Price).where(Price.pricelist_id == b2b.id))
        db.commit()
    answer = boss.post(url, data={"csrf_token": token_of(boss.get(url))}, follow_redirects=True)
    assert "Deleted B2B." in answer.get_data(as_text=True)
    with app.db.session() as db:
        assert db.get(Pricelist, b2b.id) is None


def test_acl_a_clerk_without_the_privileges_gets_403(app: Application) -> None:
    clerk = Client(app)
    assert log_in(clerk, "clerk", url="/admin/products/").status_code == 303
    id = pricelist(app, "CZK").id
    for url in (URL, URL + "?add", f"{URL}?edit={id}", f"{URL}?delete={id}"):
        assert clerk.get(url).status_code == 403, url
    assert clerk.post(f"{URL}?edit={id}", data=form_data("x", code="CZK")).status_code in (
        400,
        403,
    )
    assert pricelist(app, "CZK").precision == 2
