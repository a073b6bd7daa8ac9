"""The articles browser of the example site: paged list, detail by slug, latest on the homepage."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy
from werkzeug.test import Client

from jetpy import Application

LIST = {"en_US": "/articles/", "cs_CZ": "/cs/clanky/"}


@pytest.fixture
def site(example_app: Application) -> Client:
    return Client(example_app)


def main(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.get_data(as_text=True)
    return text.split('<main id="main">')[1].split("</main>")[0]


def breadcrumb(text: str) -> str:
    return text.split('class="breadcrumb"')[1].split("</nav>")[0]


def titles(html: str) -> list[str]:
    return [part.split("</a></h2>")[0].split(">")[-1] for part in html.split("<h2><a ")[1:]]


def add_article(app: Application, slug: str, days_from_now: float = 0) -> None:
    from application.classes.content import Article, utcnow

    with app.db.session() as session:
        article = Article(published_at=utcnow() + timedelta(days=days_from_now))
        for locale in LIST:
            article.localize(locale, title=f"Title {slug}", slug=slug, annotation="A", text="T")
        session.add(article)
        session.commit()


def test_the_list_shows_the_newest_ten_and_a_pager(site: Client) -> None:
    html = main(site, "/articles/")
    assert titles(html)[:3] == [
        "Bases and locales",
        "Micro-routers instead of a route table",
        "Pages and modules",
    ]
    assert len(titles(html)) == 10
    assert '<a href="/articles/micro-routers.html">' in html
    assert '<time datetime="2026-11-09">November 9, 2026</time>' in html
    pager = html.split('<nav class="pager"')[1]
    assert '<a href="/articles/" aria-current="page">1</a>' in pager
    assert '<a rel="next" href="/articles/page-2">' in pager
    assert 'rel="prev"' not in pager


def test_the_second_page_has_the_rest(site: Client) -> None:
    response = site.get("/articles/page-2")
    text = response.get_data(as_text=True)
    html = main(site, "/articles/page-2")
    assert titles(html) == ["Testing a site: a first look", "Page trees in practice"]
    pager = html.split('<nav class="pager"')[1]
    assert '<a rel="prev" href="/articles/">' in pager
    assert '<a href="/articles/page-2" aria-current="page">2</a>' in pager
    assert 'rel="next"' not in pager
    assert "<title>Articles, page 2 | Jetpy Example</title>" in text
    assert breadcrumb(text).index("Articles") < breadcrumb(text).index("Page 2")


def test_the_list_in_czech(site: Client) -> None:
    response = site.get("/cs/clanky/page-2")
    text = response.get_data(as_text=True)
    assert titles(main(site, "/cs/clanky/page-2")) == [
        "Testování webu: první pohled",
        "Stromy stránek v praxi",
    ]
    assert "<title>Články, strana 2 | Jetpy Ukázka</title>" in text
    assert 'aria-label="Strany seznamu"' in text and "Novější" in text
    assert '<a href="/cs/clanky/mikrorouter.html">' in main(site, "/cs/clanky/")


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/articles/page-1", "/articles/"),
        ("/articles/page-1?utm=x", "/articles/?utm=x"),
        ("/cs/clanky/page-1", "/cs/clanky/"),
    ],
)
def test_page_one_has_one_url(site: Client, url: str, location: str) -> None:
    response = site.get(url)
    assert (response.status_code, response.headers["Location"]) == (301, location)


@pytest.mark.parametrize(
    "url",
    [
        "/articles/page-3",
        "/articles/page-999999999",
        "/articles/page-1234567890123",
        "/articles/page-0",
        "/articles/page-01",
        "/articles/page--1",
        "/articles/page-abc",
        "/articles/page-2/more",
        "/articles/page-2.html",
        "/cs/clanky/page-3",
    ],
)
def test_a_page_out_of_range_or_malformed_is_not_found(site: Client, url: str) -> None:
    response = site.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True) or "/cs/" in url


def test_the_detail_sets_title_description_and_breadcrumb(site: Client) -> None:
    text = site.get("/articles/micro-routers.html").get_data(as_text=True)
    assert "<title>Micro-routers instead of a route table | Jetpy Example</title>" in text
    assert (
        '<meta name="description" content="Every controller claims the part of the URL it understands.">'
        in text
    )
    crumbs = breadcrumb(text)
    assert '<a href="/articles/">Articles</a>' in crumbs
    assert '<li aria-current="page">Micro-routers instead of a route table</li>' in crumbs
    html = main(site, "/articles/micro-routers.html")
    assert "<h1>Micro-routers instead of a route table</h1>" in html
    assert "<p>There is no global route table." in html


def test_the_detail_in_czech_with_its_paragraphs(site: Client) -> None:
    text = site.get("/cs/clanky/preklady-prvni-pohled.html").get_data(as_text=True)
    assert "<title>Překlady: první pohled | Jetpy Ukázka</title>" in text
    assert '<li aria-current="page">Překlady: první pohled</li>' in breadcrumb(text)
    html = main(site, "/cs/clanky/preklady-prvni-pohled.html")
    assert html.count("<p>") == 3  # the text's three paragraphs
    assert "9. listopadu 2026" in main(site, "/cs/clanky/mikrorouter.html")


@pytest.mark.parametrize(
    "url",
    [
        "/articles/unknown.html",
        "/articles/mikrorouter.html",  # the Czech slug in English
        "/cs/clanky/micro-routers.html",
        "/articles/page-trees-a-first-look.html",  # scheduled for 2030
        "/articles/localized-slugs-a-first-look.html",  # a draft
        "/articles/Micro-Routers.html",
        "/articles/micro-routers",
        "/articles/micro-routers.html/more",
        "/articles/.html",
    ],
)
def test_an_unknown_or_unpublished_article_is_not_found(site: Client, url: str) -> None:
    assert site.get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "links"),
    [
        (
            "/",
            [
                "/articles/bases-and-locales.html",
                "/articles/micro-routers.html",
                "/articles/pages-and-modules.html",
            ],
        ),
        (
            "/cs/",
            [
                "/cs/clanky/zaklady-a-jazyky.html",
                "/cs/clanky/mikrorouter.html",
                "/cs/clanky/stranky-a-moduly.html",
            ],
        ),
    ],
)
def test_the_homepage_shows_the_latest_articles(site: Client, url: str, links: list[str]) -> None:
    text = site.get(url).get_data(as_text=True)
    box = text.split('<aside class="side">')[1].split("</aside>")[0]
    assert [part.split('"')[0] for part in box.split('<li><a href="')[1:]] == links


def test_the_latest_articles_come_from_the_database(example_app: Application) -> None:
    add_article(example_app, "just-now", -0.001)
    add_article(example_app, "tomorrow", 1)
    text = Client(example_app).get("/").get_data(as_text=True)
    box = text.split('<aside class="side">')[1].split("</aside>")[0]
    assert box.index("Title just-now") < box.index("Bases and locales")
    assert "tomorrow" not in box


def test_no_articles_yet(example_app: Application) -> None:
    from application.classes.content import Article

    with example_app.db.session() as session:
        session.execute(sqlalchemy.delete(Article))
        session.commit()
    client = Client(example_app)
    assert "No articles yet." in main(client, "/articles/")
    assert 'class="pager"' not in main(client, "/articles/")
    assert "Zatím tu nejsou žádné články." in client.get("/cs/").get_data(as_text=True)
    assert client.get("/articles/page-2").status_code == 404


def test_the_list_runs_the_same_statements_however_many_articles(example_app: Application) -> None:
    client = Client(example_app)
    run: list[str] = []
    sqlalchemy.event.listen(
        example_app.db.engine, "before_cursor_execute", lambda *args: run.append(args[2])
    )

    def statements(url: str) -> int:
        run.clear()
        main(client, url)
        return len(run)

    few = statements("/articles/"), statements("/articles/page-2"), statements("/")
    for number in range(25):
        add_article(example_app, f"more-{number}", -1 - number)
    many = statements("/articles/"), statements("/articles/page-2"), statements("/")
    assert few == many
    # a count and a page for the list, one query for the latest articles beside it; the
    # homepage adds its featured products (a pricelist lookup on this empty catalog)
    assert few[:2] == (3, 3) and few[2] == 2


@pytest.mark.parametrize(
    ("current", "pages", "shown"),
    [
        (1, 1, [1]),
        (1, 5, [1, 2, 3, 4, 5]),  # a gap of one page shows its number
        (1, 7, [1, 2, 3, None, 7]),
        (2, 5, [1, 2, 3, 4, 5]),
        (1, 6, [1, 2, 3, None, 6]),
        (6, 12, [1, None, 4, 5, 6, 7, 8, None, 12]),
        (4, 12, [1, 2, 3, 4, 5, 6, None, 12]),
        (12, 12, [1, None, 10, 11, 12]),
    ],
)
def test_the_pager_shows_the_ends_and_the_neighbours(
    current: int, pages: int, shown: list[int | None]
) -> None:
    from application.classes.paging import pager

    assert pager(current, pages) == shown


def test_an_article_page_runs_two_statements(example_app: Application) -> None:
    """The article with its cover, the cover's alt texts and its other localizations in one
    statement; the latest articles beside it in another (it was five)."""
    from application.classes.content import Article, ArticleLocalization
    from application.classes.media import MediaItem

    with example_app.db.session() as session:
        articles = session.scalars(sqlalchemy.select(Article)).all()
        for number, article in enumerate(articles):
            cover = MediaItem(
                key=f"cover-{number}.png", kind="image", mimetype="image/png",
                name="cover.png", width=960, height=540, sha256="0" * 64,
            )  # fmt: skip
            cover.set_alt("en_US", f"Cover {number}")
            cover.set_alt("cs_CZ", f"Obálka {number}")
            article.cover = cover
        session.commit()
        english = session.scalars(
            sqlalchemy.select(ArticleLocalization).where(
                ArticleLocalization.locale == "en_US", ArticleLocalization.slug == "micro-routers"
            )
        ).one()
        czech = english.article.localizations["cs_CZ"].slug
    client = Client(example_app)
    run: list[str] = []
    sqlalchemy.event.listen(
        example_app.db.engine, "before_cursor_execute", lambda *args: run.append(args[2])
    )
    page = client.get("/articles/micro-routers.html").get_data(as_text=True)
    assert len(run) == 2, run
    assert 'alt="Cover ' in page and "Obálka" not in page
    assert f'hreflang="cs-CZ" href="http://localhost/cs/clanky/{czech}.html"' in page
    assert page.count('alt="Cover ') == 1  # the latest articles show titles only
    assert '<a href="/articles/bases-and-locales.html">Bases and locales</a>' in page
