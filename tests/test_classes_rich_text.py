"""Rich text (application/classes/rich_text.py): the allow-list, the models that use it, the
admin and REST writes, the public pages, and the migration of plain-text rows."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from datetime import datetime
from types import ModuleType

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import Client

from jetpy import Application
from tests.conftest import PASSWORD, REPO, log_in
from tests.conftest import csrf_token_in as token_of
from tests.test_example_migrations import jetpy

REST_WRITES = {
    f"{module}:{action}": action
    for module in ("content.articles.rest", "catalog.products.rest")
    for action in ("post", "put", "delete")
}
HOSTILE = (
    '<p onclick="steal()" style="color:red" class="x">Hi <script>alert(1)</script>'
    '<a href="javascript:alert(2)">bad</a> <a href="https://example.com/">good</a></p>'
    '<iframe src="https://evil.example/"></iframe><img src="x" onerror="alert(3)">'
    "<h2>Kept</h2><ul><li><strong>bold</strong> <em>it</em></li></ul>"
)


def clean(text: str) -> str:
    from application.classes.rich_text import clean_html

    return clean_html(text)


# the allow-list ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "gone"),
    [
        ("<p>a<script>alert(1)</script>b</p>", "alert(1)"),
        ('<p onclick="x()" onmouseover="y()">a</p>', "on"),
        ('<a href="javascript:alert(1)">a</a>', "javascript"),
        ('<a href=" JaVaScRiPt:alert(1)">a</a>', "alert"),
        ('<a href="data:text/html,<script>1</script>">a</a>', "data:"),
        ('<p style="position:fixed">a</p>', "style"),
        ("<style>p{color:red}</style><p>a</p>", "color"),
        ('<iframe src="https://evil.example/"></iframe><p>a</p>', "iframe"),
        ('<object data="x.swf"></object><embed src="y"><p>a</p>', "x.swf"),
        ('<img src="https://elsewhere.example/a.png">', "elsewhere"),
        ('<img src="/media/../config.yaml">', "config"),
        ('<a href="//evil.example/">a</a>', "evil"),
        ("<svg><script>alert(1)</script></svg><p>a</p>", "svg"),
        ("<!-- secret --><p>a</p>", "secret"),
        ('<form action="/x"><input name="q"></form><p>a</p>', "form"),
        ('<p id="main" class="big">a</p>', "main"),
    ],
)
def test_the_sanitizer_removes_what_is_not_allowed(given: str, gone: str) -> None:
    cleaned = clean(given)
    assert gone.lower() not in cleaned.lower(), cleaned


def test_the_sanitizer_keeps_the_allowed_tags() -> None:
    kept = (
        "<h2>Title</h2><h3>Sub</h3><p>A <strong>b</strong> <em>c</em> <b>d</b> <i>e</i> "
        '<a href="https://example.com/x" rel="noopener noreferrer">f</a> '
        '<a href="/articles/" rel="noopener noreferrer">g</a></p>'
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>q</p></blockquote>"
        '<p><img src="/media/ab12cd.jpg" alt="A cat"></p>'
    )
    assert clean(kept) == kept
    assert clean(clean(HOSTILE)) == clean(HOSTILE)  # cleaning clean HTML changes nothing


def test_plain_text_becomes_escaped_paragraphs_and_empty_documents_nothing() -> None:
    from application.classes.rich_text import plain_to_html, to_plain

    assert clean("One & two\nlines\n\n  Second <para> 1 <2  \n\n\n") == (
        "<p>One &amp; two<br>lines</p><p>Second &lt;para&gt; 1 &lt;2</p>"
    )
    assert plain_to_html("") == "" and clean("") == "" and clean("<p></p>") == ""
    assert clean("<p><br></p>") == ""
    assert to_plain("<p>Tea &amp; cakes</p><ul><li>green</li></ul>") == "Tea & cakes green"


def test_models_clean_whatever_writes_them() -> None:
    from application.classes.catalog.models import ProductText
    from application.classes.content import ArticleLocalization

    text = ArticleLocalization(locale="en_US", title="T", slug="t", text=HOSTILE)
    assert "<script" not in text.text and "onclick" not in text.text
    assert str(text.text_html) == text.text
    product = ProductText(locale="en_US", name="N", slug="n", description="Plain\n\nText")
    assert product.description == "<p>Plain</p><p>Text</p>"


# admin, REST and the public site -----------------------------------------------------------
@pytest.fixture
def app(db_url: str, example_model: type) -> Iterator[Application]:
    """The example with 3 demo articles, the demo catalog, `boss` and an API role `all`."""
    from application.classes.admin_users import create_administrator
    from application.classes.demo_catalog import seed_catalog
    from application.classes.demo_content import seed_articles
    from application.modules.rest.auth.users import models  # noqa: F401  (its tables)
    from application.modules.rest.auth.users.users import create_api_role

    engine = sqlalchemy.create_engine(db_url)
    example_model.metadata.create_all(engine)  # type: ignore[attr-defined]
    with Session(engine) as db:
        seed_articles(db, count=3)
        seed_catalog(db)
        create_administrator(db, "boss", "boss@example.com", PASSWORD, superuser=True)
        create_api_role(db, "all", known=REST_WRITES, privileges=list(REST_WRITES))
        db.commit()
    engine.dispose()
    application = Application(REPO, use_cache=False)
    yield application
    application.db.dispose()


def stored_text(app: Application, article_id: int, locale: str = "en_US") -> str:
    from application.classes.content import ArticleLocalization

    with app.db.session() as db:
        found = db.get(ArticleLocalization, (article_id, locale))
        assert found is not None
        return found.text


def test_the_admin_form_stores_cleaned_html_and_the_site_shows_it(app: Application) -> None:
    boss = Client(app)
    assert log_in(boss, "boss", url="/admin/articles/?add").status_code == 303
    data = {"csrf_token": token_of(boss.get("/admin/articles/?add"))}
    data |= {"published_at": "2026-01-02T09:30", "title_en_US": "Shaped", "slug_en_US": ""}
    data |= {"annotation_en_US": "", "text_en_US": HOSTILE}
    for name in ("title", "slug", "annotation", "text"):
        data[f"{name}_cs_CZ"] = ""
    assert boss.post("/admin/articles/?add", data=data).status_code == 303
    from application.classes.content import ArticleLocalization

    with app.db.session() as db:
        article_id = db.scalars(
            select(ArticleLocalization.article_id).where(ArticleLocalization.slug == "shaped")
        ).one()
    text = stored_text(app, article_id)
    assert "<script" not in text and "onclick" not in text and "iframe" not in text
    assert "<h2>Kept</h2>" in text and "<strong>bold</strong>" in text

    page = Client(app).get("/articles/shaped.html").get_data(as_text=True)
    assert "<h2>Kept</h2>" in page and "<li><strong>bold</strong> <em>it</em></li>" in page
    assert "alert(1)" not in page and "steal()" not in page and "javascript:" not in page
    # the editor is offered on the form, as files (no inline script)
    form = boss.get(f"/admin/articles/?edit={article_id}").get_data(as_text=True)
    assert "data-rich-text=" in form and "/public/admin/editor/editor.js" in form


def test_rest_writes_are_cleaned_too(app: Application) -> None:
    from application.modules.rest.auth.users.users import create_api_user

    with app.db.session() as db:
        _, token = create_api_user(db, "robot", roles=["all"])
        db.commit()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = {"localizations": {"en_US": {"title": "By robot", "text": HOSTILE}}}
    client = Client(app)
    response = client.post("/rest/articles/", data=json.dumps(body), headers=headers)
    assert response.status_code == 201
    text = response.json["localizations"]["en_US"]["text"]  # type: ignore[index]
    assert text == stored_text(app, response.json["id"])  # type: ignore[index]
    assert "<script" not in text and "javascript:" not in text and "<h2>Kept</h2>" in text

    product = {
        "code": "TEA-950",
        "texts": {
            "en_US": {
                "name": "Rich tea",
                "description": '<p onmouseover="x()">Nice <em>tea</em></p>',
            }
        },
        "prices": {"EUR": {"amount": "8.00"}, "CZK": {"amount": "200.00"}},
    }
    answer = client.post("/rest/products/", data=json.dumps(product), headers=headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.json["texts"]["en_US"]["description"] == "<p>Nice <em>tea</em></p>"  # type: ignore[index]
    page = client.get("/products/rich-tea.html").get_data(as_text=True)
    assert "<p>Nice <em>tea</em></p>" in page
    assert 'content="Nice tea"' in page  # the meta description is plain text


# the migration -----------------------------------------------------------------------------
def migration() -> ModuleType:
    [path] = (REPO / "application/migrations/versions").glob("*_rich_text.py")
    spec = importlib.util.spec_from_file_location("rich_text_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_turns_plain_text_into_paragraphs_and_back(db_url: str) -> None:
    before = migration().down_revision
    jetpy("db", "upgrade", before)
    engine = sqlalchemy.create_engine(db_url)
    plain = "First & one\nstill first\n\nSecond <b>?</b>"
    formatted = "<p>Already <strong>HTML</strong></p>"
    try:
        with engine.begin() as connection:
            connection.execute(
                sqlalchemy.text(
                    "INSERT INTO article (id, published_at, draft) VALUES (1, :at, :draft)"
                ),
                {"at": datetime(2026, 1, 1), "draft": False},
            )
            for locale, text in (("en_US", plain), ("cs_CZ", formatted)):
                connection.execute(
                    sqlalchemy.text(
                        "INSERT INTO article_localization (article_id, locale, title, slug, "
                        "annotation, text) VALUES (1, :locale, 'T', 't', '', :text)"
                    ),
                    {"locale": locale, "text": text},
                )
        jetpy("db", "upgrade")

        def texts() -> dict[str, str]:
            with engine.connect() as connection:
                rows = connection.exec_driver_sql(
                    "SELECT locale, text FROM article_localization"
                ).all()
                return dict(rows)  # type: ignore[arg-type]

        assert texts() == {
            "en_US": "<p>First &amp; one<br>still first</p><p>Second &lt;b&gt;?&lt;/b&gt;</p>",
            "cs_CZ": formatted,  # had tags already: left as it was
        }
        jetpy("db", "downgrade", before)
        assert texts() == {"en_US": plain, "cs_CZ": formatted}
    finally:
        engine.dispose()
        jetpy("db", "downgrade", "base")


def test_the_seed_writes_html(db_session: Session) -> None:
    from application.classes.content import ArticleLocalization
    from application.classes.demo_content import seed_articles

    seed_articles(db_session, count=3)
    texts = db_session.scalars(select(ArticleLocalization.text)).all()
    assert len(texts) == 6 and all(text.startswith("<p>") for text in texts)
