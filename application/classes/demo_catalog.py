"""Demo catalog: 13 categories (nested up to three levels), ~200 products in en_US and cs_CZ.

Everything is computed from the word lists below, so every run gives the same catalog; only
the stock dates move with `today`. It is meant for an empty catalog: `seed_catalog` adds rows
to the session (the caller commits) and does nothing when the catalog has pricelists already.

- Pricelist CZK: prices with VAT, rates 21/12/0 %; pricelist EUR: prices without VAT, same
  rates (a Czech shop selling in euros). Electronics, home and sport goods are at 21 %,
  coffee and tea at 12 %, books at 0 %.
- Every seventh product or so is discounted; ten sets, one of them a set of sets, with
  percentage and amount discounts.
- Stock under the codes CZ and EU (EU: three days longer delivery) covers all four statuses:
  in stock, available from a future date, delivery in N days, not available.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from application.classes.catalog import (
    Availability,
    Category,
    CategoryText,
    Price,
    Pricelist,
    Product,
    ProductKind,
    ProductText,
    SetItem,
)
from application.classes.rich_text import plain_to_html
from application.classes.slugs import slugify

EUR_RATE = Decimal("24.5")  # CZK for a euro, fixed so the demo prices never change
Pair = tuple[str, str]  # (English, Czech)


@dataclass(frozen=True)
class Kind:
    """A category's products: models x variants, brands taking turns."""

    code: str
    brands: tuple[str, ...]
    models: tuple[Pair, ...]
    variants: tuple[Pair, ...]
    name: Pair  # templates with {brand}, {model}, {variant}
    czk: tuple[int, int]  # gross price range
    vat: int
    features: tuple[Pair, ...]


COLOURS = (("graphite", "grafit"), ("ruby", "rubín"), ("ocean", "oceán"))

# (key, parent key, English name, Czech name, English description, Czech description)
CATEGORIES: tuple[tuple[str, str | None, str, str, str, str], ...] = (
    ("electronics", None, "Electronics", "Elektronika",
     "Phones, laptops and sound for work and play.",
     "Telefony, notebooky a zvuk pro práci i zábavu."),
    ("phones", "electronics", "Phones", "Telefony",
     "Smartphones of every size.", "Chytré telefony všech velikostí."),
    ("laptops", "electronics", "Laptops", "Notebooky",
     "Light laptops and powerful workstations.", "Lehké notebooky i výkonné pracovní stanice."),
    ("audio", "electronics", "Audio", "Zvuk",
     "Speakers for every room.", "Reproduktory do každé místnosti."),
    ("headphones", "audio", "Headphones", "Sluchátka",
     "Headphones for the studio, the gym and the train.",
     "Sluchátka do studia, do posilovny i do vlaku."),
    ("home", None, "Home & Kitchen", "Dům a kuchyně",
     "Everything for cooking and the morning coffee.", "Vše pro vaření a ranní kávu."),
    ("cookware", "home", "Cookware", "Nádobí",
     "Pans, pots and knives that last.", "Pánve, hrnce a nože, které vydrží."),
    ("coffee", "home", "Coffee & Tea", "Káva a čaj",
     "Freshly roasted coffee and loose tea.", "Čerstvě pražená káva a sypaný čaj."),
    ("books", None, "Books", "Knihy",
     "Novels, cookbooks and guides.", "Romány, kuchařky a průvodce."),
    ("sport", None, "Sport & Outdoor", "Sport a outdoor",
     "Gear for the road and the trail.", "Vybavení na silnici i do terénu."),
    ("cycling", "sport", "Cycling", "Cyklistika",
     "Lights, helmets and tools for cyclists.", "Světla, přilby a nářadí pro cyklisty."),
    ("hiking", "sport", "Hiking", "Turistika",
     "Backpacks, tents and headlamps.", "Batohy, stany a čelovky."),
    ("gifts", None, "Gift sets", "Dárkové sady",
     "Sets of our products at a better price.", "Sady našich výrobků za lepší cenu."),
)  # fmt: skip

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "phones",
            ("Nordia", "Veyra", "Kalio"),
            tuple((m, m) for m in ("One", "Lite", "Pro", "Max", "Mini", "Fold", "Note")),
            (("64 GB", "64 GB"), ("128 GB", "128 GB"), ("256 GB", "256 GB")),
            ("{brand} {model} smartphone, {variant}", "Chytrý telefon {brand} {model}, {variant}"),
            (3990, 29990),
            21,
            (
                ("An OLED display readable in full sun.", "OLED displej čitelný i na slunci."),
                ("Two days on one charge.", "Dva dny na jedno nabití."),
                ("A camera that handles the dusk.", "Fotoaparát, který zvládne i soumrak."),
            ),
        ),
        Kind(
            "laptops",
            ("Lumen", "Argon", "Tessera"),
            tuple(
                (m, m)
                for m in ("Air 13", "Air 15", "Studio 14", "Studio 16", "Work 14", "Work 15", "Go")
            ),
            (("8 GB RAM", "8 GB RAM"), ("16 GB RAM", "16 GB RAM"), ("32 GB RAM", "32 GB RAM")),
            ("{brand} {model} laptop, {variant}", "Notebook {brand} {model}, {variant}"),
            (12990, 59990),
            21,
            (
                ("A quiet keyboard and a matte screen.", "Tichá klávesnice a matný displej."),
                ("An aluminium body under 1.5 kg.", "Hliníkové tělo pod 1,5 kg."),
                ("Charges over USB-C.", "Nabíjí se přes USB-C."),
            ),
        ),
        Kind(
            "audio",
            ("Sonora", "Halden", "Brisk"),
            tuple((m, m) for m in ("Cube", "Tower", "Pocket", "Bar", "Wave", "Dome", "Arc")),
            COLOURS,
            ("{brand} {model} speaker ({variant})", "Reproduktor {brand} {model} ({variant})"),
            (990, 14990),
            21,
            (
                ("Clear voices, deep bass.", "Čisté hlasy, hluboké basy."),
                ("Pairs with a second speaker for stereo.", "Spáruje se s druhým do sterea."),
                ("Splash-proof.", "Odolný proti stříkající vodě."),
            ),
        ),
        Kind(
            "headphones",
            ("Sonora", "Halden", "Auris"),
            tuple((m, m) for m in ("Studio", "Sport", "Air", "Over", "Buds", "Travel", "Kids")),
            COLOURS,
            ("{brand} {model} headphones ({variant})", "Sluchátka {brand} {model} ({variant})"),
            (590, 8990),
            21,
            (
                ("Active noise cancelling.", "Aktivní potlačení hluku."),
                ("Thirty hours of music.", "Třicet hodin hudby."),
                ("Soft cushions for long listening.", "Měkké polštářky pro dlouhý poslech."),
            ),
        ),
        Kind(
            "cookware",
            ("Ferra", "Kovo", "Lindholm"),
            (
                ("frying pan", "Pánev"),
                ("saucepan", "Rendlík"),
                ("stock pot", "Hrnec"),
                ("wok", "Wok"),
                ("kettle", "Konvice"),
                ("mug", "Hrnek"),
                ("chef's knife", "Kuchařský nůž"),
            ),
            (("small", "malý"), ("medium", "střední"), ("large", "velký")),
            ("{brand} {model}, {variant}", "{model} {brand}, {variant}"),
            (190, 2990),
            21,
            (
                ("Dishwasher safe.", "Lze mýt v myčce."),
                ("Works on induction.", "Funguje i na indukci."),
                ("Made to last decades.", "Vyrobeno na desítky let."),
            ),
        ),
        Kind(
            "coffee",
            ("Tostado", "Leafwell", "Mokka & Co"),
            (
                ("Espresso blend", "Espresso směs"),
                ("Colombia Supremo", "Kolumbie Supremo"),
                ("Ethiopia Sidamo", "Etiopie Sidamo"),
                ("Earl Grey", "Earl Grey"),
                ("Sencha green tea", "Zelený čaj Sencha"),
                ("Rooibos", "Rooibos"),
                ("Darjeeling", "Darjeeling"),
            ),
            (("250 g", "250 g"), ("500 g", "500 g"), ("1 kg", "1 kg")),
            ("{brand} {model}, {variant}", "{brand} {model}, {variant}"),
            (129, 899),
            12,
            (
                ("Roasted or packed this month.", "Pražené nebo balené tento měsíc."),
                ("From a single estate.", "Z jedné plantáže."),
                ("Fair trade.", "Fair trade."),
            ),
        ),
        Kind(
            "books",
            ("",),
            (
                ("The Quiet River", "Tichá řeka"),
                ("Salt and Stone", "Sůl a kámen"),
                ("Letters from the Hills", "Dopisy z kopců"),
                ("The Glass Orchard", "Skleněný sad"),
                ("Python, Slowly", "Python pomalu a důkladně"),
                ("Bread at Home", "Domácí chléb"),
                ("Maps of Small Towns", "Mapy malých měst"),
            ),
            (("hardcover", "vázaná"), ("paperback", "brožovaná"), ("e-book", "e-kniha")),
            ("{model} ({variant})", "{model} ({variant})"),
            (199, 699),
            0,
            (
                ("A reader's favourite.", "Oblíbená kniha čtenářů."),
                ("With illustrations.", "S ilustracemi."),
                ("Now in a new edition.", "Nově v dalším vydání."),
            ),
        ),
        Kind(
            "cycling",
            ("Velox", "Ridgeline", "Spoke"),
            (
                ("bike light set", "Sada světel na kolo"),
                ("helmet", "Přilba"),
                ("water bottle", "Láhev"),
                ("saddle bag", "Brašna pod sedlo"),
                ("mini pump", "Minipumpička"),
                ("cycling gloves", "Cyklistické rukavice"),
                ("multitool", "Multiklíč"),
            ),
            COLOURS,
            ("{brand} {model} ({variant})", "{model} {brand} ({variant})"),
            (149, 2490),
            21,
            (
                ("Light and tough.", "Lehké a odolné."),
                ("Tested on a thousand kilometres.", "Vyzkoušeno na tisíci kilometrech."),
                ("Fits every bike.", "Pasuje na každé kolo."),
            ),
        ),
        Kind(
            "hiking",
            ("Fjello", "Karst", "Alpina"),
            (
                ("backpack 30 l", "Batoh 30 l"),
                ("trekking poles", "Trekové hole"),
                ("rain jacket", "Nepromokavá bunda"),
                ("sleeping bag", "Spacák"),
                ("headlamp", "Čelovka"),
                ("thermos 0.75 l", "Termoska 0,75 l"),
                ("tent for two", "Stan pro dva"),
            ),
            COLOURS,
            ("{brand} {model} ({variant})", "{model} {brand} ({variant})"),
            (299, 7990),
            21,
            (
                ("Weatherproof.", "Odolá nepohodě."),
                ("Packs small.", "Sbalí se do malého."),
                ("Guaranteed for five years.", "Záruka pět let."),
            ),
        ),
    )
}

# code, English name, Czech name, items (kind, model index, quantity) or set codes, discount
SETS: tuple[tuple[str, str, str, tuple[tuple[str, int, int], ...], str | None], ...] = (
    ("SET-COFFEE", "Morning coffee set", "Sada Ranní káva",
     (("coffee", 0, 2), ("cookware", 5, 2)), "10%"),
    ("SET-OFFICE", "Home office set", "Sada Domácí kancelář",
     (("laptops", 0, 1), ("headphones", 0, 1)), "500/20"),
    ("SET-CYCLIST", "Cyclist starter kit", "Startovní sada pro cyklisty",
     (("cycling", 1, 1), ("cycling", 0, 1), ("cycling", 2, 2)), "15%"),
    ("SET-HIKE", "Weekend hike set", "Sada Víkend na horách",
     (("hiking", 0, 1), ("hiking", 4, 1), ("hiking", 5, 1)), "12%"),
    ("SET-READER", "Reader's gift", "Dárek pro čtenáře",
     (("books", 0, 1), ("books", 1, 1), ("books", 3, 1)), "100/4"),
    ("SET-TEA", "Tea time set", "Sada Čas na čaj",
     (("coffee", 3, 1), ("coffee", 4, 1), ("coffee", 6, 1), ("cookware", 4, 1)), None),
    ("SET-MUSIC", "Music lover's set", "Sada pro milovníky hudby",
     (("audio", 0, 1), ("headphones", 4, 1)), "8%"),
    ("SET-KITCHEN", "Kitchen starter set", "Základní výbava kuchyně",
     (("cookware", 0, 1), ("cookware", 1, 1), ("cookware", 2, 1), ("cookware", 6, 1)), "300/12"),
    ("SET-GRAND", "Grand gift box", "Velký dárkový box",
     (("SET-COFFEE", 0, 1), ("SET-READER", 0, 1), ("SET-TEA", 0, 1)), "5%"),
    ("SET-OUTDOOR", "Outdoor bundle", "Balíček do přírody",
     (("SET-CYCLIST", 0, 1), ("SET-HIKE", 0, 1)), None),
)  # fmt: skip


SET_TEXT = ("Our products together in one box.", "Naše výrobky společně v jednom balení.")


def seed_catalog(session: Session, today: dt.date | None = None) -> None:
    """Add the demo catalog to `session` (the caller commits); nothing if pricelists exist."""
    if session.scalar(select(func.count()).select_from(Pricelist)):
        return
    today = today or dt.date.today()
    czk = Pricelist(
        code="CZK",
        name="Česká republika",
        currency="CZK",
        prices_include_vat=True,
        vat_rates=["21", "12", "0"],
        default_vat_rate=Decimal(21),
        precision=2,
    )
    eur = Pricelist(
        code="EUR",
        name="Europe",
        currency="EUR",
        prices_include_vat=False,
        vat_rates=["21", "12", "0"],
        default_vat_rate=Decimal(21),
        precision=2,
    )
    session.add_all([czk, eur])
    categories = _categories(session)
    slugs: dict[str, set[str]] = {"en_US": set(), "cs_CZ": set()}
    first_of_model: dict[tuple[str, int], Product] = {}
    number = 0
    for kind in KINDS.values():
        for m in range(len(kind.models)):
            for v in range(len(kind.variants)):
                number += 1
                product = _product(kind, m, v, number, (czk, eur), today, slugs)
                product.category = categories[kind.code]
                session.add(product)
                first_of_model.setdefault((kind.code, m), product)
    sets: dict[str, Product] = {}
    for code, name_en, name_cs, items, discount in SETS:
        product = Product(code=code, kind=ProductKind.SET, category=categories["gifts"])
        product.texts = _texts([name_en, name_cs], SET_TEXT, slugs)
        product.set_items = [
            SetItem(item=sets[k] if k in sets else first_of_model[(k, m)], quantity=q, position=p)
            for p, (k, m, q) in enumerate(items)
        ]
        product.prices = _set_prices(czk, eur, discount)
        session.add(product)
        sets[code] = product
    session.flush()


def _product(
    kind: Kind,
    m: int,
    v: int,
    number: int,
    pricelists: tuple[Pricelist, Pricelist],
    today: dt.date,
    slugs: dict[str, set[str]],
) -> Product:
    """Variant `v` of model `m` of `kind`, the `number`th product of the catalog."""
    brand = kind.brands[(m + v) % len(kind.brands)]
    names = [
        " ".join(
            template.format(
                brand=brand, model=kind.models[m][i], variant=kind.variants[v][i]
            ).split()
        )
        for i, template in enumerate(kind.name)
    ]
    product = Product(
        code=f"{kind.code[:3].upper()}-{m + 1}{v + 1:02d}",
        ean=ean13(859000000000 + number * 37),
        kind=ProductKind.REGULAR,
    )
    product.texts = _texts(names, kind.features[(m + v) % 3], slugs)
    czk, eur = pricelists
    rate = Decimal(kind.vat)
    price = _czk_price(kind, number)
    before = _before(price, number)
    product.prices = [
        Price(pricelist=czk, amount=price, amount_before=before, vat_rate=rate),
        Price(
            pricelist=eur,
            amount=_eur_net(price, rate),
            amount_before=_eur_net(before, rate) if before else None,
            vat_rate=rate,
        ),
    ]
    product.availabilities = _stock(number, today)
    return product


def _categories(session: Session) -> dict[str, Category]:
    made: dict[str, Category] = {}
    for position, (key, parent, name_en, name_cs, text_en, text_cs) in enumerate(CATEGORIES):
        category = Category(parent=made[parent] if parent else None, position=position)
        category.texts = [
            CategoryText(locale="en_US", name=name_en, slug=slugify(name_en), description=text_en),
            CategoryText(locale="cs_CZ", name=name_cs, slug=slugify(name_cs), description=text_cs),
        ]
        session.add(category)
        made[key] = category
    return made


def _texts(names: list[str], feature: Pair, slugs: dict[str, set[str]]) -> list[ProductText]:
    texts = []
    for i, (locale, name) in enumerate(zip(("en_US", "cs_CZ"), names, strict=True)):
        slug = slugify(name)
        while slug in slugs[locale]:
            slug += "-2"
        slugs[locale].add(slug)
        description = plain_to_html(f"{name}. {feature[i]}".strip())  # descriptions are HTML
        texts.append(ProductText(locale=locale, name=name, slug=slug, description=description))
    return texts


def _czk_price(kind: Kind, number: int) -> Decimal:
    low, high = kind.czk
    raw = low + (number * 7919) % (high - low + 1)  # spread over the range, no randomness
    return _shop_round(Decimal(raw))


def _shop_round(price: Decimal) -> Decimal:
    """A price as shops write it: 1 290, 12 990, 189, 499."""
    if price >= 1000:
        return (price / 100).to_integral_value(ROUND_DOWN) * 100 + 90
    return (price / 10).to_integral_value(ROUND_DOWN) * 10 + 9


def _before(price: Decimal, number: int) -> Decimal | None:
    if number % 7 != 3:
        return None
    percent = 10 + (number * 13) % 30  # 10 to 39 % off
    return _shop_round(price * 100 / (100 - percent))


def _eur_net(czk_gross: Decimal, vat: Decimal) -> Decimal:
    net = czk_gross / (1 + vat / 100) / EUR_RATE
    return max(Decimal("0.90"), net.quantize(Decimal(1), ROUND_HALF_UP) - Decimal("0.10"))


def _stock(number: int, today: dt.date) -> list[Availability]:
    """The four statuses by turns: 6 in 10 in stock, then the other three (and a past date)."""
    turn = number % 10
    units, days, available_from, sold_out_orders = 0, 5, None, False
    if turn < 6:
        units = 1 + (number * 11) % 40  # a few have only one or two
    elif turn == 6:
        available_from = today + dt.timedelta(days=7 + number % 40)
    elif turn == 7:
        sold_out_orders, days = True, 2 + number % 12
    elif turn == 8:  # a date in the past is ignored: delivery in N days
        available_from, sold_out_orders = today - dt.timedelta(days=10), True
    rows = []
    for code, extra_days in (("CZ", 0), ("EU", 3)):
        rows.append(
            Availability(
                code=code,
                units=units,
                delivery_days=days + extra_days,
                available_from=available_from,
                sold_out_orders=sold_out_orders,
            )
        )
    return rows


def _set_prices(czk: Pricelist, eur: Pricelist, discount: str | None) -> list[Price]:
    """A set's rows: its discount in each pricelist (`10%`, or `CZK/EUR` amounts)."""
    if discount is None:
        return []
    if discount.endswith("%"):
        percent = Decimal(discount[:-1])
        return [
            Price(pricelist=czk, set_discount_percent=percent),
            Price(pricelist=eur, set_discount_percent=percent),
        ]
    in_czk, in_eur = discount.split("/")
    return [
        Price(pricelist=czk, set_discount_amount=Decimal(in_czk)),
        Price(pricelist=eur, set_discount_amount=Decimal(in_eur)),
    ]


def ean13(number: int) -> str:
    """A valid EAN-13 of the first 12 digits of `number` (zero-padded) and its check digit."""
    digits = f"{number:012d}"[:12]
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)
