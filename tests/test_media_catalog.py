"""Images of products and articles: the admin forms' image fields, the public pages, the seed."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.test import Client

from jetpy import Application
from tests.conftest import SITE_PASSWORD, SeededSite, log_in
from tests.conftest import csrf_token_in as token_of
from tests.test_catalog_products_admin import URL as PRODUCTS
from tests.test_catalog_products_admin import a_hammer, product_data, product_id
from tests.test_catalog_products_admin import app as app
from tests.test_catalog_products_admin import boss as boss

MEDIA = "/admin/media/"
ARTICLES = "/admin/articles/"


def png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), color).save(out, "PNG")
    return out.getvalue()


def upload(client: Client, name: str, body: bytes) -> int:
    token = token_of(client.get(MEDIA))
    answer = client.post(
        MEDIA + "?upload",
        data={"csrf_token": token, "files": [(io.BytesIO(body), name)]},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return int(answer.json["items"][0]["id"])  # type: ignore[index]


def test_a_product_gets_a_main_image_and_a_gallery(app: Application, boss: Client) -> None:
    red, green, blue = (upload(boss, f"{c}.png", png(c)) for c in ("red", "green", "blue"))
    answer = a_hammer(boss, app, image=str(red), gallery=f"{blue}, {green}")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    from application.classes.catalog.models import Product

    id = product_id(app, "HAM-1")
    with app.db.session() as db:
        product = db.get(Product, id)
        assert product is not None and product.image_id == red
        assert [row.media_id for row in product.gallery] == [blue, green]
        keys = [image.key for image in product.images]
    grid = boss.get(PRODUCTS).get_data(as_text=True)
    assert f'src="/media/{keys[0]}.160w.webp"' in grid
    form = boss.get(f"{PRODUCTS}?edit={id}").get_data(as_text=True)
    assert 'data-media-picker-url="/admin/media/?picker=1"' in form
    assert f'value="{blue},{green}"' in form and "/public/js/media.js" in form
    page = Client(app).get("/products/claw-hammer.html").get_data(as_text=True)
    main = re.search(r'<img [^>]*id="product-main-image"[^>]*>', page)
    assert main is not None
    assert f"/media/{keys[0]}.640w.webp 640w" in main.group(0)
    assert 'alt="Claw hammer"' in main.group(0)  # the image has no alt text: the name
    assert f"/media/{keys[1]}.320w.webp" in page and f"/media/{keys[2]}.320w.webp" in page
    # the gallery is emptied and the main image changed: the rows follow
    token = token_of(boss.get(f"{PRODUCTS}?edit={id}"))
    data = product_data(token, name_en_US="Claw hammer", image=str(green), gallery="")
    assert boss.post(f"{PRODUCTS}?edit={id}", data=data).status_code == 303
    with app.db.session() as db:
        product = db.get(Product, id)
        assert product is not None and product.image_id == green and product.gallery == []


@pytest.mark.parametrize(
    ("image", "gallery", "message"),
    [
        ("999", "", "There is no image 999 in the media library."),
        ("1,2", "", "Choose at most 1 images."),
        ("", "x", "Choose images of the media library (their ids, e.g. 12, 14)."),
        ("", "DOCUMENT", "There is no image DOCUMENT in the media library."),
    ],
)
def test_image_fields_name_images_of_the_library(
    app: Application,
    boss: Client,
    image: str,
    gallery: str,
    message: str,
) -> None:
    document = str(upload(boss, "terms.pdf", b"%PDF-1.4\n%%EOF\n"))
    message = message.replace("DOCUMENT", document)
    gallery = gallery.replace("DOCUMENT", document)
    answer = a_hammer(boss, app, image=image, gallery=gallery)
    assert answer.status_code == 200
    assert message in answer.get_data(as_text=True)


def test_an_article_gets_a_cover(app: Application, boss: Client) -> None:
    cover = upload(boss, "cover.png", png("orange"))
    form = boss.get(ARTICLES + "?add")
    assert 'id="article-cover"' in form.get_data(as_text=True)
    answer = boss.post(
        ARTICLES + "?add",
        data={
            "csrf_token": token_of(form),
            "published_at": "2026-01-05T10:00",
            "cover": str(cover),
            "title_en_US": "Spring news",
            "annotation_en_US": "What is new.",
            "text_en_US": "<p>Hello.</p>",
        },
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    from application.classes.content import Article

    with app.db.session() as db:
        article = db.scalars(select(Article)).one()
        assert article.cover_id == cover
        key = article.cover.key if article.cover else ""
    public = Client(app)
    listing = public.get("/articles/").get_data(as_text=True)
    assert f"/media/{key}.640w.webp" in listing
    detail = public.get("/articles/spring-news.html").get_data(as_text=True)
    assert re.search(rf'<img [^>]*id="article-cover"[^>]*/media/{key}', detail) or (
        f"/media/{key}.960w.webp" in detail
    )


# the seeded site ---------------------------------------------------------------------------
def test_every_seeded_product_and_article_has_a_picture(seeded_site: SeededSite) -> None:
    from application.classes.catalog.models import Product
    from application.classes.content import Article

    with seeded_site.app.db.session() as db:
        # the seed's rows come first; other tests of the run may add rows without pictures
        products = db.scalars(select(Product).order_by(Product.id)).all()[:199]
        assert len(products) == 199 and all(product.image is not None for product in products)
        assert any(len(product.gallery) == 2 for product in products)
        articles = db.scalars(select(Article).order_by(Article.id)).all()[:50]
        assert len(articles) == 50 and all(article.cover is not None for article in articles)
        first = products[0]
        image = first.image
        assert image is not None
        assert (image.width, image.height, image.mimetype) == (400, 400, "image/jpeg")
        assert image.alt("en_US").endswith("(illustration)")
        assert image.alt("cs_CZ").endswith("(ilustrace)")


def test_seeded_pictures_are_drawn_the_same_every_time() -> None:
    from application.classes.demo_images import PRODUCT_SIZE, initials, picture

    first = picture("P-1", initials("Desk lamp"), PRODUCT_SIZE)
    assert picture("P-1", "DL", PRODUCT_SIZE) == first
    assert picture("P-2", "DL", PRODUCT_SIZE) != first
    assert initials("Desk lamp Nova") == "DL" and initials("") == "?"


def test_the_public_pages_show_the_seeded_pictures(seeded_site: SeededSite) -> None:
    client = Client(seeded_site.app)
    catalog = client.get("/products/electronics/phones").get_data(as_text=True)
    card = re.search(r'<img [^>]*class="card-image"[^>]*>', catalog)
    assert card is not None and "srcset=" in card.group(0) and 'alt="' in card.group(0)
    link = re.search(r'href="(/products/[^"]+\.html)"', catalog)
    assert link is not None
    page = client.get(link.group(1)).get_data(as_text=True)
    main = re.search(r'<img [^>]*id="product-main-image"[^>]*>', page)
    assert main is not None
    src = re.search(r'src="([^"]+)"', main.group(0))
    assert src is not None
    rendition = client.get(src.group(1))
    assert rendition.status_code == 200 and rendition.mimetype == "image/webp"
    assert rendition.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    admin = Client(seeded_site.app)
    assert log_in(admin, "boss", SITE_PASSWORD, url=MEDIA).status_code == 303
    library = admin.get(MEDIA).get_data(as_text=True)
    assert "article-" in library and 'class="media-card"' in library  # newest first
