"""Demo articles in en_US and cs_CZ for `jetpy db seed` and the tests: the same every time.

Three hand-written articles (the homepage links them) come first, then articles generated
from topics and angles, one a week going back in time. A few of the generated ones are
scheduled for 2030 (not shown until then) and one is a draft (never shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from application.classes.content import Article
from application.classes.rich_text import plain_to_html
from application.classes.slugs import slugify

LOCALES = ("en_US", "cs_CZ")
SCHEDULED = 3  # generated articles published in the future
DRAFTS = 1  # generated articles kept as drafts, after the scheduled ones


@dataclass(frozen=True)
class Text:
    """An article's text in one locale."""

    title: str
    slug: str
    annotation: str
    text: str


@dataclass(frozen=True)
class DemoArticle:
    """One demo article: when it is published and its text per locale."""

    published_at: datetime
    draft: bool
    texts: dict[str, Text]


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


HAND_WRITTEN = [
    DemoArticle(
        _at(2026, 11, 16),
        False,
        {
            "en_US": Text(
                "Bases and locales",
                "bases-and-locales",
                "One site, several bases, each with its own URLs per locale.",
                "A base is a part of the site with its own page tree, layouts and locales: the "
                "public web, an administration, a REST API. Each locale of a base has one or "
                "more URLs; the first one is canonical.",
            ),
            "cs_CZ": Text(
                "Báze a jazykové mutace",
                "zaklady-a-jazyky",
                "Jeden web, několik bází, každá s vlastními URL pro každý jazyk.",
                "Báze je část webu s vlastním stromem stránek, layouty a jazyky: veřejný web, "
                "administrace, REST API. Každý jazyk báze má jednu nebo více adres; první z "
                "nich je kanonická.",
            ),
        },
    ),
    DemoArticle(
        _at(2026, 11, 9),
        False,
        {
            "en_US": Text(
                "Micro-routers instead of a route table",
                "micro-routers",
                "Every controller claims the part of the URL it understands.",
                "There is no global route table. The page is found by its folder path; what is "
                "left of the URL goes to the controllers, and each may claim it with "
                "set_used_path(). Nobody claims it? Then it is a 404.",
            ),
            "cs_CZ": Text(
                "Mikrorouter místo tabulky cest",
                "mikrorouter",
                "Každý kontroler si vezme tu část URL, které rozumí.",
                "Globální tabulka cest neexistuje. Stránka se najde podle cesty složek, zbytek "
                "URL dostanou kontrolery a každý si ho může vzít pomocí set_used_path(). "
                "Nevezme si ho nikdo? Pak je to 404.",
            ),
        },
    ),
    DemoArticle(
        _at(2026, 11, 2),
        False,
        {
            "en_US": Text(
                "Pages and modules",
                "pages-and-modules",
                "How a page mounts module controllers into the positions of its layout.",
                "A page is a folder with a page.yaml. Its contents name module controllers and "
                "the positions of the layout where their output goes. Each controller decides "
                "in its own resolve() which action runs.",
            ),
            "cs_CZ": Text(
                "Stránky a moduly",
                "stranky-a-moduly",
                "Jak stránka vkládá kontrolery modulů do pozic layoutu.",
                "Stránka je složka se souborem page.yaml. Její obsahy jmenují kontrolery modulů "
                "a pozice layoutu, kam jde jejich výstup. Každý kontroler sám ve své metodě "
                "resolve() rozhodne, která akce poběží.",
            ),
        },
    ),
]

# (title, what it is, one more thing about it) per locale
TOPICS: list[dict[str, tuple[str, str, str]]] = [
    {
        "en_US": (
            "Page trees",
            "Folders with a page.yaml nest into the tree of a site.",
            "The folder name is the URL fragment, so the tree and the URLs never disagree.",
        ),
        "cs_CZ": (
            "Stromy stránek",
            "Složky se souborem page.yaml tvoří strom webu.",
            "Název složky je část adresy, takže strom a adresy se nikdy nerozejdou.",
        ),
    },
    {
        "en_US": (
            "Layouts and positions",
            "A layout names its positions and modules fill them.",
            "A content sent to a position the layout lacks is reported before the first request.",
        ),
        "cs_CZ": (
            "Layouty a pozice",
            "Layout pojmenuje své pozice a moduly je naplní.",
            "Obsah poslaný do pozice, kterou layout nemá, se ohlásí ještě před prvním požadavkem.",
        ),
    },
    {
        "en_US": (
            "Module controllers",
            "A controller decides for itself which of its actions runs.",
            "Its micro-router tries the actions in order and the first one that matches wins.",
        ),
        "cs_CZ": (
            "Kontrolery modulů",
            "Kontroler sám rozhoduje, která z jeho akcí poběží.",
            "Jeho mikrorouter zkouší akce popořadě a vyhraje první, která pasuje.",
        ),
    },
    {
        "en_US": (
            "Localized slugs",
            "Every locale has URLs in its own language.",
            "A slug is unique within a locale, so two languages may use the same word.",
        ),
        "cs_CZ": (
            "Lokalizované slugy",
            "Každý jazyk má adresy ve své vlastní řeči.",
            "Slug je jedinečný v rámci jazyka, takže dva jazyky smějí použít stejné slovo.",
        ),
    },
    {
        "en_US": (
            "Translations",
            "Each module keeps a dictionary per locale next to its code.",
            "A phrase no dictionary knows is shown as written, and a command lists it for you.",
        ),
        "cs_CZ": (
            "Překlady",
            "Každý modul má u svého kódu slovník pro každý jazyk.",
            "Fráze, kterou žádný slovník nezná, se ukáže tak, jak je napsaná, a příkaz ji vypíše.",
        ),
    },
    {
        "en_US": (
            "Events between modules",
            "Modules never import each other; they talk through events.",
            "Events wait until the request has succeeded, so nobody hears of what did not happen.",
        ),
        "cs_CZ": (
            "Události mezi moduly",
            "Moduly se navzájem neimportují, mluví spolu přes události.",
            "Události čekají, až požadavek uspěje, takže se nikdo nedozví o tom, co se nestalo.",
        ),
    },
    {
        "en_US": (
            "Error pages",
            "A missing page answers 404 in the language and look of the site.",
            "Each locale of a base has its own error pages, plain HTML files next to its pages.",
        ),
        "cs_CZ": (
            "Chybové stránky",
            "Chybějící stránka odpoví kódem 404 v jazyce a vzhledu webu.",
            "Každý jazyk báze má vlastní chybové stránky, obyčejné soubory HTML vedle stránek.",
        ),
    },
    {
        "en_US": (
            "The output cache",
            "What a module rendered once can be served again without running it.",
            "The cache key includes the used part of the URL, so page two never shows page one.",
        ),
        "cs_CZ": (
            "Cache výstupu",
            "Co modul jednou vykreslil, lze znovu vydat bez jeho spuštění.",
            "Klíč cache obsahuje použitou část adresy, takže druhá strana nikdy neukáže první.",
        ),
    },
    {
        "en_US": (
            "Database sessions",
            "Every request gets one session, committed when all went well.",
            "An error page rolls the session back, so a half-done change is never stored.",
        ),
        "cs_CZ": (
            "Databázové session",
            "Každý požadavek dostane jednu session, potvrzenou, když vše dobře dopadlo.",
            "Chybová stránka session vrátí zpět, takže se nikdy neuloží napůl hotová změna.",
        ),
    },
    {
        "en_US": (
            "Paging",
            "Long lists are split into pages with stable addresses.",
            "A page past the last one answers 404 instead of an empty list.",
        ),
        "cs_CZ": (
            "Stránkování",
            "Dlouhé seznamy se dělí na strany se stálými adresami.",
            "Strana za poslední stranou odpoví kódem 404 místo prázdného seznamu.",
        ),
    },
    {
        "en_US": (
            "Menus",
            "Menu sets live in the application and modules add items of their own.",
            "An item names a page by its id, so its label and URL follow the locale.",
        ),
        "cs_CZ": (
            "Menu",
            "Sady menu patří aplikaci a moduly do nich přidávají vlastní položky.",
            "Položka odkazuje na stránku jejím id, takže popisek i adresa sledují jazyk.",
        ),
    },
    {
        "en_US": (
            "Testing a site",
            "Small projects in a temporary folder and an in-process client.",
            "A test builds just the pages it needs and asks for URLs as a browser would.",
        ),
        "cs_CZ": (
            "Testování webu",
            "Malé projekty v dočasné složce a klient bez serveru.",
            "Test si postaví jen ty stránky, které potřebuje, a ptá se na adresy jako prohlížeč.",
        ),
    },
]

# (title pattern, opening, middle, closing) per locale
ANGLES: list[dict[str, tuple[str, str, str, str]]] = [
    {
        "en_US": (
            "{topic}: a first look",
            "This first look shows the idea before the details.",
            "You can try it on the example site that comes with jetpy.",
            "The next articles go deeper, one question at a time.",
        ),
        "cs_CZ": (
            "{topic}: první pohled",
            "Tento první pohled ukazuje myšlenku dřív než podrobnosti.",
            "Vyzkoušet si to můžete na ukázkovém webu, který je součástí jetpy.",
            "Další články jdou hlouběji, vždy po jedné otázce.",
        ),
    },
    {
        "en_US": (
            "{topic} in practice",
            "In a real project this matters more than it seems at first.",
            "Start small, keep definitions next to the code that uses them, and run the checks.",
            "When something is wrong, jetpy check names the file, the key and the fix.",
        ),
        "cs_CZ": (
            "{topic} v praxi",
            "Ve skutečném projektu na tom záleží víc, než se na první pohled zdá.",
            "Začněte v malém, držte definice u kódu, který je používá, a spouštějte kontroly.",
            "Když je něco špatně, jetpy check řekne soubor, klíč i opravu.",
        ),
    },
    {
        "en_US": (
            "{topic}: common mistakes",
            "A few mistakes come up again and again.",
            "Most of them are caught when the application loads, all reported together.",
            "The rest show up in the tests, which are quick enough to run on every change.",
        ),
        "cs_CZ": (
            "{topic}: časté chyby",
            "Několik chyb se objevuje pořád dokola.",
            "Většinu z nich zachytí už načtení aplikace a ohlásí je všechny najednou.",
            "Zbytek odhalí testy, které jsou dost rychlé na to, aby běžely po každé změně.",
        ),
    },
    {
        "en_US": (
            "{topic} step by step",
            "Let us go through it step by step.",
            "First write the definition, then the code, then a test that asks for the URL.",
            "Each step is small, and each can be checked on its own.",
        ),
        "cs_CZ": (
            "{topic} krok za krokem",
            "Projděme si to krok za krokem.",
            "Nejdřív napište definici, potom kód a nakonec test, který se zeptá na adresu.",
            "Každý krok je malý a každý se dá ověřit samostatně.",
        ),
    },
]

_NEWEST_GENERATED = _at(2026, 10, 26)
_FIRST_SCHEDULED = _at(2030, 1, 7)


def _generated(number: int) -> DemoArticle:
    """Generated article `number` (from 0): angles vary fastest, so topics take turns."""
    topic, angle = TOPICS[number % len(TOPICS)], ANGLES[number // len(TOPICS)]
    texts = {}
    for locale in LOCALES:
        topic_title, what, more = topic[locale]
        pattern, opening, middle, closing = angle[locale]
        title = pattern.format(topic=topic_title)
        texts[locale] = Text(
            title,
            slugify(title),
            what,
            f"{what} {opening}\n\n{more} {middle}\n\n{closing}",
        )
    if number < SCHEDULED:
        published_at = _FIRST_SCHEDULED + timedelta(weeks=number)
    else:
        published_at = _NEWEST_GENERATED - timedelta(weeks=number - SCHEDULED)
    return DemoArticle(published_at, SCHEDULED <= number < SCHEDULED + DRAFTS, texts)


def demo_articles(count: int = 50) -> list[DemoArticle]:
    """The first `count` demo articles: the hand-written ones, then generated ones."""
    most = len(HAND_WRITTEN) + len(TOPICS) * len(ANGLES)
    if not 0 <= count <= most:
        raise ValueError(f"there are {most} demo articles; ask for 0 to {most}, not {count}")
    generated = [_generated(number) for number in range(count - len(HAND_WRITTEN))]
    return [*HAND_WRITTEN[:count], *generated]


def seed_articles(session: Session, count: int = 50) -> None:
    """Add `count` demo articles in en_US and cs_CZ; nothing when there are articles already."""
    if session.scalar(select(Article.id).limit(1)) is not None:
        return
    for demo in demo_articles(count):
        article = Article(published_at=demo.published_at, draft=demo.draft)
        for locale, text in demo.texts.items():
            article.localize(
                locale,
                title=text.title,
                slug=text.slug,
                annotation=text.annotation,
                text=plain_to_html(text.text),  # article texts are HTML
            )
        session.add(article)
    session.flush()
