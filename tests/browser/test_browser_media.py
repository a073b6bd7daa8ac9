"""The media library in a real browser: upload an image, make it a product's main image through
the picker, and see it on the public product page."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect
from sqlalchemy import select

from application.classes.catalog import Product, ProductKind
from application.classes.media import MediaItem
from tests.browser.browsing import SCREENSHOTS, LiveSite, log_in, screenshot

pytestmark = pytest.mark.slow

NAME = "browser-sunset.png"


def sunset() -> bytes:
    """A 900 x 600 PNG: a sky, a sun and a sea."""
    image = Image.new("RGB", (900, 600), (255, 190, 120))
    draw = ImageDraw.Draw(image)
    draw.ellipse((330, 180, 570, 420), fill=(250, 110, 60))
    draw.rectangle((0, 380, 900, 600), fill=(40, 90, 150))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_upload_an_image_and_make_it_a_products_main_image(page: Page, live_site: LiveSite) -> None:
    log_in(page, live_site, "boss", "/admin/media/")
    expect(page.locator("h1")).to_have_text("Media library")
    # media.js uploads what is chosen at once, with a progress bar, and adds its card
    page.set_input_files(
        "#media-files", files=[{"name": NAME, "mimeType": "image/png", "buffer": sunset()}]
    )
    expect(page.locator("#media-progress")).to_contain_text("Uploaded")
    card = page.locator("#media-grid .media-card", has_text=NAME)
    expect(card).to_have_count(1)
    expect(card.locator("img")).to_have_js_property("complete", True)
    assert card.locator("img").evaluate("image => image.naturalWidth") > 0
    # a refused file says why, and nothing is added
    page.set_input_files(
        "#media-files",
        files=[
            {"name": "evil.svg", "mimeType": "image/svg+xml", "buffer": b"<svg><script/></svg>"}
        ],
    )
    expect(page.locator("#media-progress")).to_contain_text("SVG is not accepted")
    expect(page.locator("#media-grid .media-card", has_text="evil.svg")).to_have_count(0)
    page.reload()
    screenshot(page, "admin-media-library")
    page.screenshot(path=str(SCREENSHOTS / "admin-media-library-top.png"))

    with live_site.site.app.db.session() as db:
        item = db.scalars(select(MediaItem).where(MediaItem.name == NAME)).one()
        key = item.key
        product = db.scalars(
            select(Product)
            .where(Product.kind == ProductKind.REGULAR, ~Product.code.startswith("HOSTILE"))
            .order_by(Product.id.desc())
            .limit(1)
        ).one()
        id, slug = product.id, next(t.slug for t in product.texts if t.locale == "en_US")

    page.goto(live_site.url(f"/admin/products/?edit={id}"))
    page.click("#product-image-choose")
    dialog = page.locator("dialog.media-picker")
    expect(dialog).to_be_visible()
    dialog.locator("input[type=search]").fill("sunset")
    dialog.locator("input[type=search]").press("Enter")
    choice = dialog.locator(".media-pick", has_text=NAME)
    expect(choice).to_have_count(1)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-media-picker.png"))  # the dialog in view
    choice.click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#product-image-media [data-media-previews] li")).to_have_count(1)
    with page.expect_navigation():
        page.click("#product-save")
    expect(page.locator(".flash")).to_contain_text("Saved")

    page.goto(live_site.url(f"/products/{slug}.html"))
    main = page.locator("#product-main-image")
    expect(main).to_have_attribute(
        "srcset",
        f"/media/{key}.160w.webp 160w, "
        + (
            f"/media/{key}.320w.webp 320w, /media/{key}.640w.webp 640w, /media/{key}.960w.webp 900w"
        ),
    )
    expect(main).to_have_js_property("complete", True)
    assert main.evaluate("image => image.naturalWidth") > 0
    assert main.evaluate("image => image.currentSrc").endswith(".webp")
    screenshot(page, "public-product-with-image")
