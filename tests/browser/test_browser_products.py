"""Products in a real browser: a new price shows on the product page; delete needs its privilege."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from application.classes.admin_users import Role, create_administrator
from application.classes.catalog import Product, ProductKind
from tests.browser.browsing import LiveSite, log_in, screenshot
from tests.conftest import SITE_PASSWORD

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class DemoProduct:
    id: int
    slug_en: str
    slug_cs: str


def demo_product(live: LiveSite, offset: int) -> DemoProduct:
    """A regular demo product with texts in both locales (each test changes its own)."""
    with live.site.app.db.session() as db:
        query = select(Product).where(
            Product.kind == ProductKind.REGULAR, ~Product.code.startswith("HOSTILE")
        )
        product = db.scalars(query.order_by(Product.id).offset(offset).limit(1)).one()
        texts = {text.locale: text.slug for text in product.texts}
        return DemoProduct(product.id, texts["en_US"], texts["cs_CZ"])


def digits(text: str) -> str:
    """The digits of a formatted amount: `1 210,00 Kč` and `€1,210.00` are both 121000."""
    return re.sub(r"\D", "", text)


def test_a_new_price_shows_its_gross_price_and_discount_on_the_product_page(
    page: Page, live_site: LiveSite
) -> None:
    product = demo_product(live_site, 0)
    log_in(page, live_site, "boss", "/admin/products/")
    assert page.locator("table").count() >= 1
    screenshot(page, "admin-product-list")

    page.goto(live_site.url(f"/admin/products/?edit={product.id}"))
    # CZK: prices with VAT; EUR: prices without VAT; both 20 % off at 21 % VAT
    page.fill("#product-price_CZK", "1210")
    page.fill("#product-before_CZK", "1512.50")
    page.select_option("#product-rate_CZK", "21")
    page.fill("#product-price_EUR", "100")
    page.fill("#product-before_EUR", "125")
    page.select_option("#product-rate_EUR", "21")
    # the live preview: the module computes it from the typed-in figures while the editor types
    expect(page.locator("#product-preview-EUR-gross")).to_have_text("121.00")
    expect(page.locator("#product-preview-EUR-discount")).to_have_text(re.compile(r"20(\.0+)?"))
    expect(page.locator("#product-preview-CZK-net")).to_have_text("1000.00")
    with page.expect_navigation():
        page.click("#product-save")
    assert page.locator(".flash").count() == 1
    assert page.locator(".field-error").count() == 0

    # the Czech shop sells in CZK with VAT: 1 210 Kč, of it 1 000 without VAT, 20 % off
    page.goto(live_site.url(f"/cs/produkty/{product.slug_cs}.html"))
    main = page.locator(".price-table .price-main dd")
    assert digits(main.inner_text()) == "121000"
    assert digits(page.inner_text(".price-table del")) == "151250"
    assert "20" in page.inner_text("h1 .badge.discount")

    # the English shop sells in EUR without VAT: 100 € net, 121 € gross, 20 % off
    page.goto(live_site.url(f"/products/{product.slug_en}.html"))
    table = page.inner_text(".price-table")
    assert digits(page.inner_text(".price-table .price-main dd")) == "10000"
    assert "121.00" in table
    assert digits(page.inner_text(".price-table del")) == "12500"
    assert "20" in page.inner_text("h1 .badge.discount")
    screenshot(page, "public-product-page")


@pytest.fixture(scope="module")
def clerk(live_site: LiveSite) -> str:
    """An administrator who may list, add and edit products, but not delete them."""
    with live_site.site.app.db.session() as db:
        role = Role(name="Product clerks")
        role.grant("visit_page", "_homepage_")
        role.grant("visit_page", "products")
        for action in ("view", "add", "edit"):
            role.grant("module_action", f"catalog.products.admin:{action}")
        clerk = create_administrator(db, "clerk", "clerk@example.com", SITE_PASSWORD)
        clerk.roles.append(role)
        db.commit()
    return "clerk"


def test_without_the_delete_privilege_there_is_no_delete_button_and_the_url_answers_403(
    page: Page, live_site: LiveSite, clerk: str
) -> None:
    product = demo_product(live_site, 1)
    log_in(page, live_site, clerk, "/admin/products/")
    assert page.locator("table").count() >= 1
    assert page.locator('a[href*="?edit="]').count() >= 1  # may edit
    assert page.locator('a[href*="delete="]').count() == 0
    assert page.locator("text=Delete").count() == 0  # no link, button or bulk option
    response = page.goto(live_site.url(f"/admin/products/?delete={product.id}"))
    assert response is not None and response.status == 403
    # the product is still there for the public
    shown = page.goto(live_site.url(f"/products/{product.slug_en}.html"))
    assert shown is not None and shown.status == 200

    # the superuser sees the delete links of the same grid
    page.context.clear_cookies()
    log_in(page, live_site, "boss", "/admin/products/")
    assert page.locator('a[href*="?delete="]').count() >= 1
