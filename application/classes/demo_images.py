"""Pictures of the demo data, drawn with Pillow: no downloads, the same every time.

Each picture is a few flat shapes on a pleasant colour pair with the initials of its subject;
the colours and the layout come from a SHA-256 of the subject's code, so a product keeps its
picture from one seed to the next. Pictures are small JPEGs (a JPEG is written seven times
faster than a PNG, which keeps seeding quick); the media library makes the sized WebP copies
when they are first asked for.
"""

from __future__ import annotations

import functools
import hashlib
import io

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from application.classes.catalog.models import Product, ProductImage, ProductKind
from application.classes.content import Article
from application.classes.media import MediaItem, add_file
from jetpy.media import CheckedFile, MediaLibrary

# (background, shape, second shape, text) — calm colours with enough contrast for the text
PALETTES = [
    ((231, 242, 255), (120, 170, 240), (40, 90, 180), (20, 45, 100)),
    ((255, 240, 228), (250, 170, 120), (220, 100, 60), (110, 40, 20)),
    ((232, 248, 238), (120, 200, 150), (40, 140, 90), (15, 70, 40)),
    ((248, 236, 252), (200, 150, 230), (130, 80, 180), (60, 30, 90)),
    ((255, 248, 220), (245, 200, 90), (210, 150, 30), (100, 65, 0)),
    ((230, 246, 248), (110, 200, 210), (30, 130, 150), (10, 65, 75)),
    ((252, 234, 238), (240, 150, 170), (200, 70, 100), (100, 20, 45)),
    ((238, 240, 244), (160, 170, 190), (80, 95, 125), (30, 40, 60)),
]
PRODUCT_SIZE = (400, 400)
COVER_SIZE = (640, 360)
GALLERY = 2  # extra pictures of the first product of each category


def initials(name: str) -> str:
    """Up to two initials of `name`'s words (letters and digits only): `Lamp Nova` → `LN`."""
    words = [word for word in name.split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "?"


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)  # Pillow's own font: nothing to download


def picture(subject: str, text: str, size: tuple[int, int], variant: int = 0) -> bytes:
    """A JPEG of shapes in colours picked by `subject`, with `text` in the middle."""
    digest = hashlib.sha256(f"{subject}/{variant}".encode()).digest()
    background, shape, second, ink = PALETTES[digest[0] % len(PALETTES)]
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    # a large circle off one corner, a band across, a few dots: placed by the digest
    radius = width * (40 + digest[1] % 25) // 100
    cx, cy = width * (digest[2] % 100) // 100, height * (digest[3] % 100) // 100
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=shape)
    band = height * (15 + digest[4] % 20) // 100
    top = height * (digest[5] % 70) // 100
    draw.polygon(
        [(0, top), (width, top + band // 2), (width, top + band * 3 // 2), (0, top + band)],
        fill=second,
    )
    for i in range(3 + digest[6] % 4):
        x = width * digest[7 + i] // 255
        y = height * digest[12 + i] // 255
        r = width // 40 + digest[16 + i] % (width // 30)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=ink if i % 2 else shape)
    # the initials on a soft plate, so they read on any shape
    font = _font(min(width, height) // 3)
    box = draw.textbbox((0, 0), text, font=font)
    text_width, text_height = box[2] - box[0], box[3] - box[1]
    pad = min(width, height) // 14
    left, upper = (width - text_width) // 2, (height - text_height) // 2
    draw.rounded_rectangle(
        (left - pad, upper - pad, left + text_width + pad, upper + text_height + pad),
        radius=pad,
        fill=background,
    )
    draw.text((left - box[0], upper - box[1]), text, font=font, fill=ink)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, subsampling=0)  # 4:4:4 keeps the letters crisp
    return out.getvalue()


def _add(
    session: Session,
    library: MediaLibrary,
    name: str,
    data: bytes,
    size: tuple[int, int],
    alts: dict[str, str],
) -> MediaItem:
    file = CheckedFile(name, data, "image", "jpg", "image/jpeg", size[0], size[1])
    return add_file(session, library, file, alts, flush=False)  # one flush at the end


def seed_pictures(session: Session, library: MediaLibrary) -> int:
    """Give every product without an image a picture (the first of each category two more
    in its gallery) and every article without a cover one; how many were made."""
    made = 0
    products = session.scalars(
        select(Product).where(Product.image_id.is_(None)).order_by(Product.id)
    ).all()
    seen: set[int | None] = set()
    for product in products:
        names = {text.locale: text.name for text in product.texts}
        name = names.get("en_US") or product.code
        label = "set" if product.kind == ProductKind.SET else "product"
        alts = {
            locale: f"{text} ({'ilustrace' if locale == 'cs_CZ' else 'illustration'})"
            for locale, text in names.items()
        }
        data = picture(product.code, initials(name), PRODUCT_SIZE)
        product.image = _add(
            session, library, f"{label}-{product.code}.jpg", data, PRODUCT_SIZE, alts
        )
        made += 1
        if product.category_id not in seen and not product.gallery:
            seen.add(product.category_id)
            for variant in range(1, GALLERY + 1):
                data = picture(product.code, initials(name), PRODUCT_SIZE, variant)
                item = _add(
                    session,
                    library,
                    f"{label}-{product.code}-{variant}.jpg",
                    data,
                    PRODUCT_SIZE,
                    alts,
                )
                product.gallery.append(ProductImage(media=item, position=variant))
                made += 1
    articles = session.scalars(
        select(Article).where(Article.cover_id.is_(None)).order_by(Article.id)
    ).all()
    for article in articles:
        titles = {locale: text.title for locale, text in article.localizations.items()}
        title = titles.get("en_US") or next(iter(titles.values()), f"#{article.id}")
        alts = {
            locale: f"{'Ilustrace' if locale == 'cs_CZ' else 'Illustration'}: {text}"
            for locale, text in titles.items()
        }
        data = picture(f"article-{article.id}", initials(title), COVER_SIZE)
        article.cover = _add(session, library, f"article-{article.id}.jpg", data, COVER_SIZE, alts)
        made += 1
    session.flush()
    return made
