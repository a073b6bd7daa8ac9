"""Articles of the example site.

The data is a Python list for now; the data layer (SQLAlchemy models) replaces it later
without changing the modules that present it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Article:
    """A localized article: its slug is unique per locale."""

    locale: str
    slug: str
    title: str
    annotation: str
    text: str
    published: date

    @classmethod
    def published_in(cls, locale: str) -> list[Article]:
        """Articles of a locale, newest first."""
        return sorted(
            (a for a in _ARTICLES if a.locale == locale), key=lambda a: a.published, reverse=True
        )

    @classmethod
    def by_slug(cls, slug: str, locale: str) -> Article | None:
        return _BY_SLUG.get((locale, slug))


_ARTICLES = [
    Article(
        "en_US",
        "pages-and-modules",
        "Pages and modules",
        "How a page mounts module controllers into the positions of its layout.",
        "A page is a folder with a page.yaml. Its contents name module controllers and "
        "the positions of the layout where their output goes. Each controller decides in "
        "its own resolve() which action runs.",
        date(2026, 11, 2),
    ),
    Article(
        "en_US",
        "micro-routers",
        "Micro-routers instead of a route table",
        "Every controller claims the part of the URL it understands.",
        "There is no global route table. The page is found by its folder path; what is "
        "left of the URL goes to the controllers, and each may claim it with "
        "set_used_path(). Nobody claims it? Then it is a 404.",
        date(2026, 11, 9),
    ),
    Article(
        "en_US",
        "bases-and-locales",
        "Bases and locales",
        "One site, several bases, each with its own URLs per locale.",
        "A base is a part of the site with its own page tree, layouts and locales: the "
        "public web, an administration, a REST API. Each locale of a base has one or "
        "more URLs; the first one is canonical.",
        date(2026, 11, 16),
    ),
    Article(
        "cs_CZ",
        "stranky-a-moduly",
        "Stránky a moduly",
        "Jak stránka vkládá kontrolery modulů do pozic layoutu.",
        "Stránka je složka se souborem page.yaml. Její obsahy jmenují kontrolery modulů "
        "a pozice layoutu, kam jde jejich výstup.",
        date(2026, 11, 3),
    ),
    Article(
        "cs_CZ",
        "mikrorouter",
        "Mikrorouter místo tabulky cest",
        "Každý kontroler si vezme tu část URL, které rozumí.",
        "Globální tabulka cest neexistuje. Stránka se najde podle cesty složek, zbytek "
        "URL dostanou kontrolery.",
        date(2026, 11, 10),
    ),
    Article(
        "cs_CZ",
        "zaklady-a-jazyky",
        "Báze a jazykové mutace",
        "Jeden web, několik bází, každá s vlastními URL pro každý jazyk.",
        "Báze je část webu s vlastním stromem stránek, layouty a jazyky.",
        date(2026, 11, 17),
    ),
]
_BY_SLUG = {(a.locale, a.slug): a for a in _ARTICLES}
