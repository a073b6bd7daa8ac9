"""The articles of the example's REST API (module content.articles.rest, base rest)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application


class Writers:
    """A test-only auth provider: the request's `X-Test-User: writer` may write."""

    def page_access(self, ctx: Any, page: Any) -> bool:
        return True

    def module_action_allowed(self, ctx: Any, module: str, acl_action: str) -> bool:
        return bool(ctx.request.headers.get("X-Test-User") == "writer")

    def can_see_page(self, ctx: Any, page: Any) -> bool:
        return True


WRITER = {"X-Test-User": "writer"}


@pytest.fixture
def client(example_app: Application) -> Client:
    return Client(example_app)


@pytest.fixture
def writer(example_app: Application) -> Iterator[Client]:
    """A client of the example whose `X-Test-User: writer` requests may write."""
    base = example_app.bases["rest"]
    base.auth = Writers()
    yield Client(example_app)
    base.auth = None


def session(app: Application) -> Session:
    return app.db.session()


def published(app: Application, locale: str) -> list[Any]:
    from application.classes import content

    with session(app) as db:
        return [(item.article_id, item.title) for item in content.published(db, locale)]


def json_of(response: TestResponse, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json; charset=utf-8"
    return json.loads(response.get_data(as_text=True))


def error_of(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    error: dict[str, Any] = json_of(response, status)["error"]
    assert (error["status"], error["code"]) == (status, code)
    return error


def send(client: Client, method: str, path: str, data: Any) -> TestResponse:
    return client.open(
        path, method=method, data=json.dumps(data), content_type="application/json", headers=WRITER
    )


NEW = {
    "published": "2026-11-02T10:00:00+01:00",
    "localizations": {
        "en_US": {"title": "REST at last", "annotation": "JSON for everyone.", "text": "Body."},
        "cs_CZ": {"title": "Konečně REST", "slug": "konecne-rest"},
    },
}


# reading ---------------------------------------------------------------------------------
def test_the_list_holds_the_published_articles_of_the_locale_newest_first(
    example_app: Application, client: Client
) -> None:
    expected = published(example_app, "en_US")
    body = json_of(client.get("/rest/articles/"))
    assert [(item["id"], item["title"]) for item in body["items"]] == expected[:20]
    assert (body["page"], body["items_per_page"], body["total"]) == (1, 20, len(expected))
    assert body["pages"] == 1
    first = body["items"][0]
    assert first == {
        "id": first["id"],
        "locale": "en_US",
        "title": "Bases and locales",
        "slug": "bases-and-locales",
        "annotation": "One site, several bases, each with its own URLs per locale.",
        "published": "2026-11-16T09:00:00Z",
        "url": f"/rest/articles/{first['id']}",
    }


def test_the_locale_comes_from_the_url(example_app: Application, client: Client) -> None:
    body = json_of(client.get("/rest/cs/articles/?items_per_page=3"))
    assert [item["title"] for item in body["items"]] == [
        title for _, title in published(example_app, "cs_CZ")[:3]
    ]
    assert {item["locale"] for item in body["items"]} == {"cs_CZ"}
    assert body["items"][0]["url"].startswith("/rest/cs/articles/")


@pytest.mark.parametrize("locale, prefix", [("en_US", "/rest/"), ("cs_CZ", "/rest/cs/")])
def test_sort_by_title_and_paging(
    example_app: Application, client: Client, locale: str, prefix: str
) -> None:
    titles = sorted(title for _, title in published(example_app, locale))
    seen: list[str] = []
    for page in (1, 2, 3):
        response = client.get(f"{prefix}articles/?sort=title&items_per_page=5&page={page}")
        seen += [item["title"] for item in json_of(response)["items"]]
    assert seen == titles[:15]
    descending = json_of(client.get(f"{prefix}articles/?sort=-title&items_per_page=3"))
    assert [item["title"] for item in descending["items"]] == titles[::-1][:3]


def test_sort_by_published_ascending(example_app: Application, client: Client) -> None:
    body = json_of(client.get("/rest/articles/?sort=%2Bpublished,-title&items_per_page=100"))
    times = [item["published"] for item in body["items"]]
    assert times == sorted(times) and len(times) == len(published(example_app, "en_US"))


def test_the_link_header_leads_to_the_next_page(client: Client) -> None:
    response = client.get("/rest/articles/?items_per_page=5&page=2")
    links = response.headers["Link"]
    assert '</rest/articles/?items_per_page=5&page=3>; rel="next"' in links
    assert '</rest/articles/?items_per_page=5&page=1>; rel="prev"' in links


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=x", "page"),
        ("items_per_page=0", "items_per_page"),
        ("items_per_page=101", "items_per_page"),
        ("items_per_page=x", "items_per_page"),
        ("sort=slug", "sort"),
        ("sort=-title,+text", "sort"),
        ("locale=cs_CZ", "locale"),
    ],
)
def test_bad_list_parameters_are_a_400(client: Client, query: str, parameter: str) -> None:
    error = error_of(client.get(f"/rest/articles/?{query}"), 400, "invalid_parameters")
    assert list(error["parameters"]) == [parameter]
    if parameter == "sort":
        assert "allowed: +title, -title, +published, -published" in error["message"]


def test_a_page_past_the_last_is_a_404(client: Client) -> None:
    error = error_of(client.get("/rest/articles/?page=2"), 404, "not_found")
    assert "no page 2" in error["message"]


def test_one_article_holds_every_localization(example_app: Application, client: Client) -> None:
    article_id = published(example_app, "en_US")[0][0]
    body = json_of(client.get(f"/rest/articles/{article_id}"))
    assert body["id"] == article_id and body["draft"] is False
    assert body["published"] == "2026-11-16T09:00:00Z"
    assert list(body["localizations"]) == ["en_US", "cs_CZ"]
    assert body["localizations"]["cs_CZ"]["title"] == "Báze a jazykové mutace"
    assert body["localizations"]["en_US"]["text"].startswith("<p>A base is a part of the site")
    assert json_of(client.get(f"/rest/cs/articles/{article_id}")) == {
        **body,
        "url": f"/rest/cs/articles/{article_id}",
    }


def hidden_ids(app: Application) -> list[int]:
    from application.classes.content import Article

    with session(app) as db:
        shown = {article_id for article_id, _ in published(app, "en_US")}
        return [id for id in db.scalars(select(Article.id)) if id not in shown]


@pytest.mark.parametrize("path", ["99999", "2147483648", "abc", "0", "1.5", "1/2"])
def test_unknown_ids_are_a_404_envelope(client: Client, path: str) -> None:
    error_of(client.get(f"/rest/articles/{path}"), 404, "not_found")


def test_drafts_and_scheduled_articles_are_hidden_from_readers_but_not_from_writers(
    example_app: Application, client: Client, writer: Client
) -> None:
    hidden = hidden_ids(example_app)
    assert len(hidden) == 4  # three scheduled, one draft
    for article_id in hidden:
        error_of(client.get(f"/rest/articles/{article_id}"), 404, "not_found")
        assert json_of(writer.get(f"/rest/articles/{article_id}", headers=WRITER))["id"] == (
            article_id
        )


def test_unknown_urls_of_the_rest_base_answer_the_envelope(client: Client) -> None:
    for path in ("/rest/nothing", "/rest/cs/nothing/deeper", "/rest/articles/1/comments"):
        error_of(client.get(path), 404, "not_found")
    response = client.patch("/rest/articles/1")
    assert error_of(response, 405, "method_not_allowed")["allow"] == [
        "GET",
        "HEAD",
        "PUT",
        "DELETE",
        "OPTIONS",
    ]


def test_the_homepage_lists_the_endpoints(client: Client) -> None:
    body = json_of(client.get("/rest/cs/"))
    assert body["locale"] == "cs_CZ"
    assert body["locales"] == {"en_US": "/rest/", "cs_CZ": "/rest/cs/"}
    articles = body["endpoints"][0]
    assert articles["url"] == "/rest/cs/articles/" and articles["title"] == "Články"
    assert articles["sort"] == ["title", "published"]
    assert articles["item_methods"] == ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]


def test_a_list_costs_the_same_statements_whatever_its_length(
    example_app: Application, client: Client
) -> None:
    statements: list[str] = []
    sqlalchemy.event.listen(
        example_app.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    counts = []
    for size in (1, 5, 12):
        statements.clear()
        json_of(client.get(f"/rest/articles/?items_per_page={size}&sort=title"))
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2] <= 3  # count, page, localizations


# writing --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "method, path",
    [("POST", "/rest/articles/"), ("PUT", "/rest/articles/1"), ("DELETE", "/rest/articles/1")],
)
def test_writes_answer_401_until_there_are_api_users(
    example_app: Application, client: Client, method: str, path: str
) -> None:
    before = published(example_app, "en_US")
    response = client.open(
        path, method=method, data=json.dumps(NEW), content_type="application/json"
    )
    error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="rest"'
    assert published(example_app, "en_US") == before


def test_post_creates_an_article_with_a_slug_made_from_the_title(
    example_app: Application, writer: Client
) -> None:
    response = send(writer, "POST", "/rest/articles/", NEW)
    created = json_of(response, 201)
    assert response.headers["Location"] == f"/rest/articles/{created['id']}"
    assert created["published"] == "2026-11-02T09:00:00Z"  # stored in UTC
    assert created["localizations"] == {
        "en_US": {
            "title": "REST at last",
            "slug": "rest-at-last",
            "annotation": "JSON for everyone.",
            "text": "<p>Body.</p>",  # plain text is stored as HTML paragraphs
        },
        "cs_CZ": {"title": "Konečně REST", "slug": "konecne-rest", "annotation": "", "text": ""},
    }
    assert json_of(writer.get(f"/rest/cs/articles/{created['id']}")) == {
        **created,
        "url": f"/rest/cs/articles/{created['id']}",
    }
    # a second article of the same title gets the next free slug
    again = json_of(
        send(
            writer,
            "POST",
            "/rest/articles/",
            NEW | {"localizations": {"en_US": {"title": "REST at last"}}},
        ),
        201,
    )
    assert again["localizations"]["en_US"]["slug"] == "rest-at-last-2"


def test_post_without_published_is_published_now(writer: Client) -> None:
    created = json_of(
        send(writer, "POST", "/rest/articles/", {"localizations": NEW["localizations"]}), 201
    )
    published_at = datetime.fromisoformat(created["published"])
    assert abs((datetime.now(UTC) - published_at).total_seconds()) < 60


def test_put_replaces_the_article_and_delete_removes_it(
    example_app: Application, writer: Client
) -> None:
    article_id = json_of(send(writer, "POST", "/rest/articles/", NEW), 201)["id"]
    replaced = {
        "id": article_id,
        "draft": True,
        "localizations": {"en_US": {"title": "REST, revised", "slug": "rest-revised"}},
    }
    body = json_of(send(writer, "PUT", f"/rest/articles/{article_id}", replaced))
    assert body["draft"] is True and body["published"] == "2026-11-02T09:00:00Z"  # kept
    assert body["localizations"] == {
        "en_US": {"title": "REST, revised", "slug": "rest-revised", "annotation": "", "text": ""}
    }  # cs_CZ was left out: removed
    error_of(writer.get(f"/rest/articles/{article_id}"), 404, "not_found")  # a draft now
    response = writer.delete(f"/rest/articles/{article_id}", headers=WRITER)
    assert response.status_code == 204 and response.data == b""
    error_of(writer.get(f"/rest/articles/{article_id}", headers=WRITER), 404, "not_found")
    error_of(writer.delete(f"/rest/articles/{article_id}", headers=WRITER), 404, "not_found")
    error_of(send(writer, "PUT", "/rest/articles/99999", replaced), 404, "not_found")


def test_put_may_keep_the_articles_own_slug(example_app: Application, writer: Client) -> None:
    article_id = published(example_app, "en_US")[0][0]
    current = json_of(writer.get(f"/rest/articles/{article_id}"))
    body = json_of(send(writer, "PUT", f"/rest/articles/{article_id}", current))
    assert body == current


def existing_slug(app: Application, locale: str) -> tuple[int, str]:
    from application.classes.content import ArticleLocalization

    with session(app) as db:
        row = db.scalars(
            select(ArticleLocalization).where(ArticleLocalization.locale == locale).limit(1)
        ).one()
        return row.article_id, row.slug


@pytest.mark.parametrize(
    "data, fields",
    [
        ({}, {"localizations": ["required"]}),
        (
            {"localizations": {}},
            {"localizations": ["give the texts of one locale or more: en_US, cs_CZ"]},
        ),
        ({"localizations": []}, {"localizations": ["must be an object, not a list"]}),
        (
            {"localizations": {"de_DE": {"title": "X"}}},
            {"localizations.de_DE": ["not a locale of this API; use en_US, cs_CZ"]},
        ),
        (
            {"localizations": {"en_US": "X"}},
            {"localizations.en_US": ["must be an object, not text"]},
        ),
        ({"localizations": {"en_US": {}}}, {"localizations.en_US.title": ["required"]}),
        (
            {"localizations": {"en_US": {"title": " "}}},
            {"localizations.en_US.title": ["required: give a text that is not blank"]},
        ),
        (
            {"localizations": {"en_US": {"title": "x" * 201}}},
            {"localizations.en_US.title": ["at most 200 characters, not 201"]},
        ),
        (
            {"localizations": {"en_US": {"title": "!!!"}}},
            {"localizations.en_US.slug": ["cannot be made from the title; give one"]},
        ),
        (
            {"localizations": {"en_US": {"title": "X", "slug": "Not a slug"}}},
            {
                "localizations.en_US.slug": [
                    "'Not a slug' is not a slug: use lowercase ASCII letters and digits joined by single dashes; did you mean 'not-a-slug'?"
                ]
            },
        ),
        (
            {"localizations": {"en_US": {"title": "X", "text": 5}}},
            {"localizations.en_US.text": ["must be text, not a number"]},
        ),
        (
            {"localizations": {"en_US": {"title": "X", "titel": "Y"}}},
            {"localizations.en_US.titel": ["unknown field; did you mean `title`?"]},
        ),
        (
            {"published": "yesterday", "localizations": {"en_US": {"title": "X"}}},
            {
                "published": [
                    "must be an ISO 8601 date and time (e.g. 2026-11-02T09:00:00Z), not 'yesterday'"
                ]
            },
        ),
        (
            {"published": "2026-11-02T09:00:00", "localizations": {"en_US": {"title": "X"}}},
            {
                "published": [
                    "needs a time zone (e.g. 2026-11-02T09:00:00Z or +01:00), not '2026-11-02T09:00:00'"
                ]
            },
        ),
        (
            {"draft": "no", "localizations": {"en_US": {"title": "X"}}},
            {"draft": ["must be true or false, not text"]},
        ),
    ],
)
def test_validation_errors_are_a_400_listing_each_field(
    example_app: Application, writer: Client, data: dict[str, Any], fields: dict[str, list[str]]
) -> None:
    before = published(example_app, "en_US")
    error = error_of(send(writer, "POST", "/rest/articles/", data), 400, "invalid_fields")
    assert error["fields"] == fields
    assert published(example_app, "en_US") == before


def test_a_slug_another_article_uses_is_a_field_error_not_a_500(
    example_app: Application, writer: Client
) -> None:
    owner, slug = existing_slug(example_app, "cs_CZ")
    data = {"localizations": {"cs_CZ": {"title": "Cokoli", "slug": slug}}}
    error = error_of(send(writer, "POST", "/rest/articles/", data), 400, "invalid_fields")
    assert error["fields"] == {
        "localizations.cs_CZ.slug": [f"already used by article {owner} in cs_CZ"]
    }
    # the same slug in the other locale is free
    data = {"localizations": {"en_US": {"title": "Anything", "slug": slug}}}
    assert send(writer, "POST", "/rest/articles/", data).status_code == 201


@pytest.mark.parametrize(
    "data, content_type, status, code",
    [
        (b'{"localizations": ', "application/json", 400, "invalid_json"),
        (b"[]", "application/json", 400, "invalid_json"),
        (b"title=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
)
def test_a_body_that_is_no_json_object_is_refused(
    writer: Client, data: bytes, content_type: str, status: int, code: str
) -> None:
    response = writer.post("/rest/articles/", data=data, content_type=content_type, headers=WRITER)
    error_of(response, status, code)
