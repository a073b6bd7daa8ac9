"""The example site with the output cache on: what the admin changes shows at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from werkzeug.test import Client

from jetpy import Application
from jetpy.cache import MemoryBackend
from tests.conftest import csrf_token_in as token_of
from tests.test_catalog_products_admin import (
    URL,
    a_hammer,
    app,
    boss,
    category_id,
    product_data,
    product_id,
)

__all__ = ["app", "boss"]  # the fixtures of the products admin's tests


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JETPY_CACHE_BACKEND", "memory")


def entries(app: Application) -> int:
    backend = app.output_cache.backend
    assert isinstance(backend, MemoryBackend)
    return len(backend.entries)


def edit(boss: Client, app: Application, **values: str) -> None:
    id = product_id(app, "HAM-1")
    form = boss.get(f"{URL}?edit={id}")
    defaults = {
        "category": category_id(app),
        "name_en_US": "Claw hammer",
        "name_cs_CZ": "Kladivo",
        "slug_en_US": "claw-hammer",
        "slug_cs_CZ": "kladivo",
        "price_CZK": "121",
        "before_CZK": "150",
        "price_EUR": "10.00",
        "rate_EUR": "12",
        "units_CZ": "5",
        "units_EU": "0",
        "days_EU": "7",
    }
    answer = boss.post(f"{URL}?edit={id}", data=product_data(token_of(form), **defaults | values))
    assert answer.status_code == 303, answer.get_data(as_text=True)


def test_price_discount_stock_and_availability_changes_show_at_once(
    app: Application, boss: Client
) -> None:
    assert a_hammer(boss, app).status_code == 303
    public = Client(app)

    def page(url: str) -> str:
        return public.get(url).get_data(as_text=True)

    cs, en = "/cs/produkty/kladivo.html", "/products/claw-hammer.html"
    assert "121,00" in page(cs) and "150,00" in page(cs)
    assert "Not available" in page(en)  # no units in the EU stock
    assert entries(app) >= 2  # served from the cache from now on
    assert "Claw hammer" in page("/products/tools")

    edit(boss, app, price_CZK="99.50")  # a new price
    assert "99,50" in page(cs) and "121,00" not in page(cs)
    edit(boss, app, price_CZK="99.50", before_CZK="")  # the discount ends
    assert "150,00" not in page(cs)
    edit(boss, app, price_CZK="99.50", units_EU="4")  # stock, and so availability
    assert "In stock" in page(en) and "Not available" not in page(en)
    edit(boss, app, price_CZK="99.50", units_EU="4", name_en_US="Big hammer")
    assert "Big hammer" in page(en) and "Big hammer" in page("/products/tools")


def test_a_signed_in_administrator_page_is_never_cached(app: Application, boss: Client) -> None:
    boss.get(URL)
    boss.get(URL)
    assert entries(app) == 0


def test_an_article_edited_in_the_admin_shows_at_once(app: Application, boss: Client) -> None:
    from tests.test_content_articles_admin import URL as ARTICLES
    from tests.test_content_articles_admin import add as add_article
    from tests.test_content_articles_admin import article_data

    values = {"title_en_US": "Spring news", "text_en_US": "Body.", "slug_en_US": "spring"}
    assert add_article(boss, **values).status_code == 303
    public = Client(app)
    assert "Spring news" in public.get("/articles/").get_data(as_text=True)
    assert "Spring news" in public.get("/articles/spring.html").get_data(as_text=True)
    assert "Spring news" in public.get("/").get_data(as_text=True)  # the latest articles
    cached = entries(app)
    assert cached >= 3
    from application.classes.content import Article

    with app.db.session() as db:
        id = db.scalars(select(Article.id)).one()
    form = boss.get(f"{ARTICLES}?edit={id}")
    values["title_en_US"] = "Summer news"
    answer = boss.post(f"{ARTICLES}?edit={id}", data=article_data(token_of(form), **values))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    for url in ("/articles/", "/articles/spring.html", "/"):
        text = public.get(url).get_data(as_text=True)
        assert "Summer news" in text and "Spring news" not in text, url


def test_a_scheduled_article_shows_when_its_time_comes(app: Application) -> None:
    """No event tells the cache that an article came out: the lists expire at its time."""
    from application.classes.content import Article

    with app.db.session() as db:
        article = Article(published_at=datetime.now(UTC) + timedelta(seconds=1.5))
        article.localize("en_US", title="Coming soon", slug="coming-soon")
        db.add(article)
        db.commit()
    public = Client(app)
    assert "Coming soon" not in public.get("/articles/").get_data(as_text=True)
    assert "Coming soon" not in public.get("/articles/").get_data(as_text=True)  # cached
    assert entries(app) >= 1
    time.sleep(1.6)
    assert "Coming soon" in public.get("/articles/").get_data(as_text=True)
