"""Module content.articles.admin: the articles grid and forms at /admin/articles/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application
from tests.conftest import PASSWORD, example_with_admins, log_in, signed_in
from tests.conftest import csrf_token_in as token_of

URL = "/admin/articles/"
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
LOCALES = ("en_US", "cs_CZ")


@pytest.fixture
def app(db_url: str, example_model: type) -> Iterator[Application]:
    """The example application with `boss` (superuser) and `writer` (may not delete)."""
    from application.classes.admin_users import Role, create_administrator

    def people(db: Session) -> None:
        writer = create_administrator(db, "writer", "writer@example.com", PASSWORD)
        role = Role(name="Writers")
        role.grant("visit_page", "articles")
        for action in ("view", "add", "edit"):
            role.grant("module_action", f"content.articles.admin:{action}")
        writer.roles.append(role)

    with example_with_admins(db_url, example_model, people) as app:
        yield app


@pytest.fixture
def boss(app: Application) -> Client:
    return signed_in(app, "boss", URL)


def article_data(token: str, **values: str) -> dict[str, str]:
    data = {"csrf_token": token, "published_at": "2026-01-02T09:30"}
    for locale in LOCALES:
        for name in ("title", "slug", "annotation", "text"):
            data[f"{name}_{locale}"] = ""
    data.update(values)
    return data


def add(client: Client, **values: str) -> TestResponse:
    token = token_of(client.get(URL + "?add"))
    return client.post(URL + "?add", data=article_data(token, **values))


def texts(app: Application) -> dict[tuple[str, str], tuple[int, str]]:
    from application.classes.content import ArticleLocalization

    with app.db.session() as db:
        rows = db.scalars(select(ArticleLocalization)).all()
        return {(row.locale, row.title): (row.article_id, row.slug) for row in rows}


def slugs(app: Application) -> list[str]:
    from application.classes.content import ArticleLocalization

    with app.db.session() as db:
        rows = db.execute(select(ArticleLocalization.locale, ArticleLocalization.slug)).all()
        return sorted(f"{locale} {slug}" for locale, slug in rows)


def test_add_an_article_in_both_locales_shows_on_the_public_site(
    app: Application, boss: Client
) -> None:
    response = add(
        boss,
        title_en_US="Spring news",
        annotation_en_US="What is new",
        text_en_US="Body.",
        title_cs_CZ="Jarní novinky",
        text_cs_CZ="Text.",
    )
    assert response.status_code == 303 and response.headers["Location"] == URL
    assert "Article “Spring news” added and published." in boss.get(URL).get_data(as_text=True)
    found = texts(app)
    assert found[("en_US", "Spring news")][1] == "spring-news"
    assert found[("cs_CZ", "Jarní novinky")][1] == "jarni-novinky"
    public = Client(app)
    assert "Spring news" in public.get("/articles/").get_data(as_text=True)
    assert "Jarní novinky" in public.get("/cs/clanky/").get_data(as_text=True)
    detail = public.get("/cs/clanky/jarni-novinky.html")
    assert detail.status_code == 200 and "Jarní novinky" in detail.get_data(as_text=True)


def test_a_draft_is_not_public_until_published_by_the_bulk_operation(
    app: Application, boss: Client
) -> None:
    add(boss, title_en_US="Hidden", draft="y")
    public = Client(app)
    assert public.get("/articles/hidden.html").status_code == 404
    id = texts(app)[("en_US", "Hidden")][0]
    token = token_of(boss.get(URL))
    confirm = boss.post(URL, data={"csrf_token": token, "bulk": "publish", "ids": str(id)})
    assert confirm.status_code == 200 and "Hidden" in confirm.get_data(as_text=True)
    assert public.get("/articles/hidden.html").status_code == 404  # not before confirming
    done = boss.post(
        URL, data={"csrf_token": token, "bulk": "publish", "ids": str(id), "confirm": "1"}
    )
    assert done.status_code == 303
    assert public.get("/articles/hidden.html").status_code == 200


def test_slugs_are_generated_numbered_and_checked(app: Application, boss: Client) -> None:
    add(boss, title_en_US="Same title")
    add(boss, title_en_US="Same title")
    assert slugs(app) == ["en_US same-title", "en_US same-title-2"]
    # a slug typed in that another article has: a field error, nothing saved, no 500
    taken = add(boss, title_en_US="Third", slug_en_US="same-title")
    text = taken.get_data(as_text=True)
    assert taken.status_code == 200
    assert 'id="article-slug_en_US-error"' in text and "same-title-3" in text
    bad = add(boss, title_en_US="Fourth", slug_en_US="Not A Slug!")
    assert bad.status_code == 200 and "not-a-slug" in bad.get_data(as_text=True)
    nothing = add(boss)
    assert nothing.status_code == 200
    assert "at least one locale" in nothing.get_data(as_text=True)
    orphan = add(boss, text_cs_CZ="Text without a title")
    assert orphan.status_code == 200 and "Give a title" in orphan.get_data(as_text=True)
    assert len(slugs(app)) == 2
    # the same slug in another locale is fine; an article keeps its own slug when edited
    add(boss, title_cs_CZ="Same title")
    from application.classes.content import ArticleLocalization

    with app.db.session() as db:
        id = db.scalar(
            select(ArticleLocalization.article_id).where(
                ArticleLocalization.locale == "en_US", ArticleLocalization.slug == "same-title"
            )
        )
    token = token_of(boss.get(f"{URL}?edit={id}"))
    saved = boss.post(
        f"{URL}?edit={id}",
        data=article_data(token, title_en_US="Same title", slug_en_US="same-title"),
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    assert slugs(app) == ["cs_CZ same-title", "en_US same-title", "en_US same-title-2"]


def test_a_new_article_is_published_unless_the_draft_box_is_ticked(
    app: Application, boss: Client
) -> None:
    form = boss.get(URL + "?add").get_data(as_text=True)
    draft_box = re.search(r'<input[^>]*id="article-draft"[^>]*>', form)
    assert draft_box is not None and "checked" not in draft_box.group(0)
    assert "Leave it unticked to show the article from the time above." in form

    add(boss, title_en_US="Sketch", draft="y")
    message = "Article “Sketch” added as a draft (not shown on the site)."
    assert message in boss.get(URL).get_data(as_text=True)
    add(boss, title_en_US="Later", published_at="2999-01-02T03:04")
    message = "Article “Later” added; it goes on the site at 2999-01-02 03:04 UTC."
    assert message in boss.get(URL).get_data(as_text=True)
    id = texts(app)[("en_US", "Sketch")][0]
    token = token_of(boss.get(f"{URL}?edit={id}"))
    boss.post(f"{URL}?edit={id}", data=article_data(token, title_en_US="Sketch"))
    assert "Article “Sketch” saved and published." in boss.get(URL).get_data(as_text=True)
    assert Client(app).get("/articles/sketch.html").status_code == 200


def test_the_save_message_is_translated(app: Application, boss: Client) -> None:
    token = token_of(boss.get("/admin/cs/articles/?add"))
    boss.post("/admin/cs/articles/?add", data=article_data(token, title_cs_CZ="Zpráva", draft="y"))
    page = boss.get("/admin/cs/articles/").get_data(as_text=True)
    assert "Článek „Zpráva“ byl přidán jako koncept (na webu se nezobrazuje)." in page


def test_edit_changes_and_removes_locales_and_bad_dates_are_field_errors(
    app: Application, boss: Client
) -> None:
    add(boss, title_en_US="One", title_cs_CZ="Jedna")
    id = texts(app)[("en_US", "One")][0]
    form = boss.get(f"{URL}?edit={id}")
    text = form.get_data(as_text=True)
    assert 'value="One"' in text and 'value="Jedna"' in text and 'value="jedna"' in text
    token = token_of(form)
    bad = boss.post(
        f"{URL}?edit={id}", data=article_data(token, title_en_US="Two", published_at="tomorrow")
    )
    assert bad.status_code == 200 and 'id="article-published_at-error"' in bad.get_data(
        as_text=True
    )
    saved = boss.post(
        f"{URL}?edit={id}",
        data=article_data(token, title_en_US="Two", published_at="2025-05-06T07:08"),
    )
    assert saved.status_code == 303
    assert set(texts(app)) == {("en_US", "Two")}
    from application.classes.content import Article

    with app.db.session() as db:
        article = db.get(Article, id)
        assert article is not None
        assert article.published_at == datetime(2025, 5, 6, 7, 8, tzinfo=UTC)
        assert article.localizations["en_US"].slug == "two"  # emptied: made from the title


def test_view_and_delete(app: Application, boss: Client) -> None:
    add(boss, title_en_US="Doomed", text_en_US="Body")
    id = texts(app)[("en_US", "Doomed")][0]
    view = boss.get(f"{URL}?view={id}")
    assert view.status_code == 200 and 'href="/articles/doomed.html"' in view.get_data(as_text=True)
    confirm = boss.get(f"{URL}?delete={id}")
    assert confirm.status_code == 200
    assert boss.post(f"{URL}?delete={id}", data={"csrf_token": "wrong"}).status_code == 400
    assert texts(app)
    done = boss.post(f"{URL}?delete={id}", data={"csrf_token": token_of(confirm)})
    assert done.status_code == 303 and texts(app) == {}
    assert boss.get(f"{URL}?view={id}").status_code == 404
    assert boss.get(f"{URL}?edit=abc").status_code == 404


def test_a_post_without_the_csrf_token_changes_nothing(app: Application, boss: Client) -> None:
    data = article_data("", title_en_US="Forged")
    del data["csrf_token"]
    assert boss.post(URL + "?add", data=data).status_code == 400
    assert texts(app) == {}


def test_script_in_every_text_field_is_escaped_everywhere(app: Application, boss: Client) -> None:
    values: dict[str, str] = {}
    for locale in LOCALES:
        values |= {f"{name}_{locale}": XSS for name in ("title", "annotation", "text")}
    assert add(boss, **values).status_code == 303
    id = texts(app)[("en_US", XSS)][0]
    public = Client(app)
    pages = [
        boss.get(URL),
        boss.get(URL + "?q=script"),
        boss.get(f"{URL}?view={id}"),
        boss.get(f"{URL}?edit={id}"),
        boss.get(f"{URL}?delete={id}"),
        boss.get(URL + "?export=csv"),
        public.get("/articles/"),
        public.get("/articles/script-alert-1-script.html"),
        public.get("/cs/clanky/script-alert-1-script.html"),
    ]
    for response in pages[:-1]:
        assert response.status_code == 200
    for response in pages[:5] + pages[6:]:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert XSS not in text and ESCAPED in text, response.request.url


def test_the_grid_searches_filters_sorts_and_exports(app: Application, boss: Client) -> None:
    add(boss, title_en_US="Alpha", published_at="2026-01-01T00:00")
    add(boss, title_en_US="Beta", draft="y", published_at="2026-01-02T00:00")
    add(boss, title_en_US="Gamma", published_at="2999-01-01T00:00")
    grid = boss.get(URL).get_data(as_text=True)
    assert grid.index("Gamma") < grid.index("Beta") < grid.index("Alpha")  # newest first
    assert "Beta" not in boss.get(URL + "?q=alp").get_data(as_text=True)
    drafts = boss.get(URL + "?status=draft").get_data(as_text=True)
    assert "Beta" in drafts and "Alpha" not in drafts and "Gamma" not in drafts
    scheduled = boss.get(URL + "?status=scheduled").get_data(as_text=True)
    assert "Gamma" in scheduled and "Alpha" not in scheduled
    by_title = boss.get(URL + "?sort=title").get_data(as_text=True)
    assert by_title.index("Alpha") < by_title.index("Beta") < by_title.index("Gamma")
    csv = boss.get(URL + "?status=published&export=csv")
    assert csv.status_code == 200 and "Alpha" in csv.get_data(as_text=True)
    assert "Beta" not in csv.get_data(as_text=True)
    # the Czech admin shows the Czech title, the English one when there is none
    add(boss, title_en_US="Delta", title_cs_CZ="Čtvrtý")
    boss.get(URL)  # shows the flash message
    czech = boss.get("/admin/cs/articles/").get_data(as_text=True)
    assert "Čtvrtý" in czech and "Delta" not in czech and "Alpha" in czech
    for query in ["?q=%27%22%3B--", "?status=%27%20OR%201%3D1", "?sort=nope", "?page=x"]:
        assert boss.get(URL + query).status_code == 200


def test_the_grid_runs_the_same_statements_for_any_number_of_rows(
    app: Application, boss: Client
) -> None:
    def statements() -> int:
        counted: list[str] = []

        def count(*args: object) -> None:
            counted.append(str(args[2]))

        sqlalchemy.event.listen(app.db.engine, "before_cursor_execute", count)
        try:
            assert boss.get(URL).status_code == 200
        finally:
            sqlalchemy.event.remove(app.db.engine, "before_cursor_execute", count)
        return len(counted)

    add(boss, title_en_US="First", title_cs_CZ="První")
    one = statements()
    for number in range(6):
        add(boss, title_en_US=f"More {number}", title_cs_CZ=f"Další {number}")
    assert statements() == one


def test_a_writer_may_not_delete(app: Application) -> None:
    boss, writer = Client(app), Client(app)
    log_in(boss, "boss", url=URL)
    add(boss, title_en_US="Kept")
    id = texts(app)[("en_US", "Kept")][0]
    assert log_in(writer, "writer", url=URL).status_code == 303
    grid = writer.get(URL)
    text = grid.get_data(as_text=True)
    assert grid.status_code == 200 and "Kept" in text
    assert f"?delete={id}" not in text and 'value="delete"' not in text
    assert f"?edit={id}" in text
    assert writer.get(f"{URL}?delete={id}").status_code == 403
    token = token_of(grid)
    assert writer.post(f"{URL}?delete={id}", data={"csrf_token": token}).status_code == 403
    bulk = {"csrf_token": token, "bulk": "delete", "ids": str(id), "confirm": "1"}
    assert writer.post(URL, data=bulk).status_code == 403
    assert texts(app)


def test_paragraphs_typed_in_a_browser_survive_a_save(app: Application, boss: Client) -> None:
    """Browsers send a textarea's lines with CRLF; the text is stored and split with LF."""
    typed = "First paragraph.\r\n\r\nSecond paragraph,\r\nsame paragraph."
    assert add(boss, title_en_US="Lines", text_en_US=typed).status_code == 303
    from application.classes.content import ArticleLocalization

    with app.db.session() as db:
        stored = db.scalar(
            select(ArticleLocalization.text).where(ArticleLocalization.title == "Lines")
        )
    assert stored is not None and "\r" not in stored
    page = Client(app).get("/articles/lines.html").get_data(as_text=True)
    paragraphs = re.findall(r"<p>(.*?)</p>", page, re.S)
    assert "First paragraph." in paragraphs
    assert any(p.startswith("Second paragraph,") and "same paragraph." in p for p in paragraphs)
