"""RestController, the JSON body reader and the error envelope (jetpy.rest)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from wsgiref.validate import validator

import pytest
import sqlalchemy
from werkzeug.test import Client, TestResponse

from jetpy import Application, RestController
from jetpy.errors import DefinitionError
from jetpy.rest import ApiError, Body, to_json
from tests.conftest import ProjectFactory

MODEL = """
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Model(DeclarativeBase):
    metadata = MetaData()
"""

NOTES_CLASS = """
from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from application.classes.model import Model


class Note(Model):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(50), unique=True)
    priority: Mapped[int] = mapped_column(default=0)
    price: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
"""

NOTES_CONTROLLERS = """
from sqlalchemy import func, select

from application.classes.notes import Note
from jetpy import ApiError, RestController


def note_json(note):
    return {"id": note.id, "title": note.title, "priority": note.priority, "price": note.price}


class Main(RestController):
    sort_keys = ("title", "priority")
    default_sort = "+title"

    def get_list(self):
        columns = {"title": Note.title, "priority": Note.priority}
        order = [
            columns[key.name].desc() if key.descending else columns[key.name].asc()
            for key in self.query.sort
        ]
        total = self.db.scalar(select(func.count()).select_from(Note))
        notes = self.db.scalars(
            select(Note)
            .order_by(*order, Note.id)
            .limit(self.query.items_per_page)
            .offset(self.query.offset)
        ).all()
        return self.list_response([note_json(note) for note in notes], total)

    def get_one(self, id):
        return note_json(self.note(id))

    def post(self):
        note = Note()
        self.fill(note)
        self.db.add(note)
        self.flush()
        return self.created(note_json(note), note.id)

    def put(self, id):
        note = self.note(id)
        self.fill(note)
        self.flush()
        return note_json(note)

    def delete(self, id):
        self.db.delete(self.note(id))

    def note(self, id):
        note = self.db.get(Note, id)
        if note is None:
            raise ApiError(404, f"There is no note {id}.")
        return note

    def fill(self, note):
        body = self.body()
        body.ignore("id")
        title = body.text("title", required=True, max_length=50)
        priority = body.integer("priority", minimum=0, maximum=10)
        price = body.decimal("price", minimum=0, places=2)
        if title is not None:
            other = self.db.scalar(select(Note.id).where(Note.title == title))
            if other is not None and other != note.id:
                body.error("title", f"already used by note {other}")
        body.check()
        note.title, note.priority, note.price = title, priority or 0, price


class ReadOnly(RestController):
    def get_list(self):
        return {"hello": "world", "args": dict(self.request.args)}

    def get_one(self, id):
        if id == 13:
            raise RuntimeError("unlucky")
        return None


class Codes(RestController):
    def get_one(self, id):
        return {"code": id}

    def parse_id(self, text):
        if not text.isupper():
            raise ApiError(404, f"`{text}` is not a code; codes are upper case.")
        return text
"""

INIT = """
class Writers:
    def page_access(self, ctx, page):
        return True

    def module_action_allowed(self, ctx, module, acl_action):
        return ctx.request.headers.get("X-Test-User") == "writer"

    def can_see_page(self, ctx, page):
        return True


def setup(ctx):
    ctx.auth = Writers()
"""

FILES: dict[str, str | None] = {
    "application/classes/__init__.py": "",
    "application/classes/model.py": MODEL,
    "application/classes/notes.py": NOTES_CLASS,
    "application/bases/api/__init__.py": "",
    "application/bases/api/init.py": INIT,
    "application/bases/api/base.yaml": """
        name: API
        layout: none
        errors: json
        initializer: application.bases.api.init:setup
        http_headers: {X-Content-Type-Options: nosniff}
        locales:
          en_US:
            urls: [/api/]
        """,
    "application/bases/api/pages/en_US/page.yaml": "title: API\n",
    "application/bases/api/pages/en_US/notes/page.yaml": """
        title: Notes
        contents:
          - module: test.notes
        """,
    "application/bases/api/pages/en_US/readonly/page.yaml": """
        title: Read only
        contents:
          - module: test.notes
            controller: ReadOnly
        """,
    "application/bases/api/pages/en_US/codes/page.yaml": """
        title: Codes
        contents:
          - module: test.notes
            controller: Codes
        """,
    "application/bases/api/pages/en_US/static/page.yaml": """
        title: Static
        output: '{"static": true}'
        http_headers: {Content-Type: application/json}
        """,
    # a RestController on a page of the HTML base answers JSON all the same
    "application/bases/web/pages/en_US/notes/page.yaml": """
        title: Notes
        contents:
          - module: test.notes
        """,
    "application/modules/test/notes/manifest.yaml": """
        label: Notes
        acl_actions: {get: Read notes, post: Add notes, put: Edit notes, delete: Delete notes}
        """,
    "application/modules/test/notes/controllers.py": NOTES_CONTROLLERS,
    "application/data/modules.yaml": "test.hello: activated\ntest.notes: activated\n",
}

WRITER = {"X-Test-User": "writer"}


@pytest.fixture
def api(make_project: ProjectFactory, db_url: str) -> Application:
    app = Application(make_project(FILES))
    from application.classes.notes import Note  # the project's, loaded by Application

    Note.metadata.create_all(app.db.engine)
    with app.db.session() as session:
        session.add_all(
            Note(title=title, priority=priority)
            for title, priority in [("delta", 2), ("alpha", 1), ("charlie", 3), ("bravo", 1)]
        )
        session.commit()
    return app


@pytest.fixture
def client(api: Application) -> Client:
    return Client(api)


def json_of(response: TestResponse) -> Any:
    assert response.content_type == "application/json; charset=utf-8"
    return json.loads(response.get_data(as_text=True))


def error_of(response: TestResponse, status: int, code: str | None = None) -> dict[str, Any]:
    """The envelope's error, checked against the status (never HTML, always the envelope)."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = json_of(response)
    assert list(body) == ["error"]
    error: dict[str, Any] = body["error"]
    assert error["status"] == status
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def post(client: Client, path: str, data: Any, **kwargs: Any) -> TestResponse:
    return client.post(path, data=json.dumps(data), content_type="application/json", **kwargs)


def put(client: Client, path: str, data: Any, **kwargs: Any) -> TestResponse:
    return client.put(path, data=json.dumps(data), content_type="application/json", **kwargs)


def titles(response: TestResponse) -> list[str]:
    return [item["title"] for item in json_of(response)["items"]]


# reading --------------------------------------------------------------------------------
def test_a_list_has_items_and_paging_figures(client: Client) -> None:
    response = client.get("/api/notes/")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # the base's headers
    assert json_of(response) == {
        "items": [
            {"id": 2, "title": "alpha", "priority": 1, "price": None},
            {"id": 4, "title": "bravo", "priority": 1, "price": None},
            {"id": 3, "title": "charlie", "priority": 3, "price": None},
            {"id": 1, "title": "delta", "priority": 2, "price": None},
        ],
        "page": 1,
        "items_per_page": 20,
        "total": 4,
        "pages": 1,
    }
    assert "Link" not in response.headers


def test_paging_answers_a_page_with_links_to_its_neighbours(client: Client) -> None:
    response = client.get("/api/notes/?items_per_page=1&page=2&sort=-priority")
    body = json_of(response)
    assert body["items"] == [{"id": 1, "title": "delta", "priority": 2, "price": None}]
    assert (body["page"], body["items_per_page"], body["total"], body["pages"]) == (2, 1, 4, 4)
    links = response.headers["Link"]
    assert '</api/notes/?items_per_page=1&page=1&sort=-priority>; rel="first"' in links
    assert '</api/notes/?items_per_page=1&page=1&sort=-priority>; rel="prev"' in links
    assert '</api/notes/?items_per_page=1&page=3&sort=-priority>; rel="next"' in links
    assert '</api/notes/?items_per_page=1&page=4&sort=-priority>; rel="last"' in links


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("", ["alpha", "bravo", "charlie", "delta"]),  # the default: +title
        ("-title", ["delta", "charlie", "bravo", "alpha"]),
        ("%2Bpriority,-title", ["bravo", "alpha", "delta", "charlie"]),
        ("+priority,title", ["alpha", "bravo", "delta", "charlie"]),  # `+` arrives as a space
        ("-priority,+title", ["charlie", "delta", "alpha", "bravo"]),
    ],
)
def test_sort_keys_in_order_and_direction(client: Client, sort: str, expected: list[str]) -> None:
    assert titles(client.get(f"/api/notes/?sort={sort}" if sort else "/api/notes/")) == expected


def test_a_page_past_the_last_is_a_404_envelope_and_an_empty_list_has_page_1(
    api: Application, client: Client
) -> None:
    error = error_of(client.get("/api/notes/?page=3&items_per_page=2"), 404, "not_found")
    assert "no page 3" in error["message"] and "2 pages of 2 items" in error["message"]
    from application.classes.notes import Note

    with api.db.session() as session:
        session.execute(sqlalchemy.delete(Note))
        session.commit()
    body = json_of(client.get("/api/notes/"))
    assert (body["items"], body["total"], body["pages"]) == ([], 0, 1)


@pytest.mark.parametrize(
    "query, parameter, fragment",
    [
        ("page=0", "page", "whole number of 1 or more, not '0'"),
        ("page=-1", "page", "not '-1'"),
        ("page=x", "page", "not 'x'"),
        ("page=", "page", "not ''"),
        ("page=1.5", "page", "not '1.5'"),
        ("page=99999999999", "page", "not '99999999999'"),
        ("items_per_page=0", "items_per_page", "from 1 to 100, not '0'"),
        ("items_per_page=101", "items_per_page", "from 1 to 100, not '101'"),
        ("items_per_page=x", "items_per_page", "not 'x'"),
        ("items_per_page=-1", "items_per_page", "not '-1'"),
        ("sort=name", "sort", "cannot sort by 'name'; allowed: +title, -title, +priority"),
        ("sort=-published", "sort", "cannot sort by '-published'"),
        ("sort=title,,priority", "sort", "cannot sort by ''"),
        ("sort=title,-title", "sort", "sorts by `title` twice"),
        ("sort=*title", "sort", "cannot sort by '*title'"),
        ("page=1&page=2", "page", "given more than once"),
        ("pgae=2", "pgae", "unknown parameter; known: page, items_per_page, sort"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_them(
    client: Client, query: str, parameter: str, fragment: str
) -> None:
    error = error_of(client.get(f"/api/notes/?{query}"), 400, "invalid_parameters")
    assert list(error["parameters"]) == [parameter]
    assert fragment in error["parameters"][parameter][0]
    assert f"`{parameter}`" in error["message"] and fragment in error["message"]


def test_every_bad_parameter_is_named_at_once(client: Client) -> None:
    error = error_of(client.get("/api/notes/?page=0&items_per_page=500&sort=x"), 400)
    assert set(error["parameters"]) == {"page", "items_per_page", "sort"}


def test_a_list_that_cannot_be_sorted_says_so(client: Client) -> None:
    error = error_of(client.get("/api/readonly/?sort=title"), 400, "invalid_parameters")
    assert error["parameters"] == {"sort": ["this list cannot be sorted"]}


def test_an_item_by_id(client: Client) -> None:
    response = client.get("/api/notes/3")
    assert json_of(response) == {"id": 3, "title": "charlie", "priority": 3, "price": None}
    assert client.get("/api/notes/3/").status_code == 200  # a trailing slash is the same


@pytest.mark.parametrize("path", ["/api/notes/99", "/api/notes/2147483648"])
def test_an_unknown_id_is_a_404_envelope(client: Client, path: str) -> None:
    error_of(client.get(path), 404, "not_found")


@pytest.mark.parametrize("path", ["abc", "0", "-1", "1.5", "01", "1e3", "9" * 19, "%C3%A9", "1%20"])
def test_an_id_that_is_no_whole_number_is_a_404_envelope(client: Client, path: str) -> None:
    error = error_of(client.get(f"/api/notes/{path}"), 404, "not_found")
    assert "ids are whole numbers from 1" in error["message"]


def test_a_deeper_path_is_a_404_envelope(client: Client) -> None:
    error_of(client.get("/api/notes/1/comments"), 404, "not_found")


def test_query_parameters_of_an_item_are_refused(client: Client) -> None:
    error = error_of(client.get("/api/notes/1?page=2"), 400, "invalid_parameters")
    assert error["parameters"] == {"page": ["unknown parameter; known: none here"]}


def test_a_controller_may_parse_ids_of_its_own(client: Client) -> None:
    assert json_of(client.get("/api/codes/ABC")) == {"code": "ABC"}
    assert "codes are upper case" in error_of(client.get("/api/codes/abc"), 404)["message"]


def test_handler_results_none_is_204_and_data_is_json(client: Client) -> None:
    assert client.get("/api/readonly/1").status_code == 204
    assert json_of(client.get("/api/readonly/")) == {"hello": "world", "args": {}}


def test_head_answers_like_get_without_a_body(client: Client) -> None:
    response = client.head("/api/notes/")
    assert response.status_code == 200 and response.data == b""


# methods ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "method, path, allow",
    [
        ("PUT", "/api/notes/", "GET, HEAD, POST, OPTIONS"),
        ("DELETE", "/api/notes/", "GET, HEAD, POST, OPTIONS"),
        ("PATCH", "/api/notes/", "GET, HEAD, POST, OPTIONS"),
        ("POST", "/api/notes/1", "GET, HEAD, PUT, DELETE, OPTIONS"),
        ("PATCH", "/api/notes/1", "GET, HEAD, PUT, DELETE, OPTIONS"),
        ("POST", "/api/readonly/", "GET, HEAD, OPTIONS"),
        ("DELETE", "/api/readonly/1", "GET, HEAD, OPTIONS"),
    ],
)
def test_an_unsupported_method_is_a_405_with_allow(
    client: Client, method: str, path: str, allow: str
) -> None:
    response = client.open(path, method=method, headers=WRITER)
    error = error_of(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == allow
    assert error["allow"] == allow.split(", ")
    assert method in error["message"] and allow in error["message"]


def test_options_lists_the_methods(client: Client) -> None:
    checked = Client(validator(client.application))  # refuses a 204 with a Content-Type
    response = checked.options("/api/notes/1")
    assert response.status_code == 204
    assert response.headers["Allow"] == "GET, HEAD, PUT, DELETE, OPTIONS"
    assert "Content-Type" not in response.headers and response.get_data() == b""
    response.close()


def test_trace_is_a_405_in_the_envelope(client: Client) -> None:
    error_of(client.open("/api/notes/", method="TRACE"), 405, "method_not_allowed")


def test_a_collection_only_controller_has_no_items(client: Client) -> None:
    error_of(client.get("/api/codes/"), 404, "not_found")  # Codes has get_one only


# writes need an API user -----------------------------------------------------------------
@pytest.mark.parametrize(
    "method, path", [("POST", "/api/notes/"), ("PUT", "/api/notes/1"), ("DELETE", "/api/notes/1")]
)
def test_writes_without_an_api_user_are_a_401(
    api: Application, client: Client, method: str, path: str
) -> None:
    response = client.open(
        path, method=method, data=json.dumps({"title": "x"}), content_type="application/json"
    )
    error = error_of(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # the base's headers too
    assert f"allowed to `{method.lower()}` in module test.notes" in error["message"]
    assert len(json_of(client.get("/api/notes/"))["items"]) == 4  # nothing changed


def test_a_base_without_an_auth_provider_refuses_every_write(
    make_project: ProjectFactory, db_url: str
) -> None:
    app = Application(
        make_project(
            {**FILES, "application/bases/api/init.py": INIT + "\n\ndef setup(ctx):\n    pass\n"}
        )
    )
    response = post(Client(app), "/api/notes/", {"title": "x"}, headers=WRITER)
    error_of(response, 401, "unauthorized")


def test_post_creates_with_201_and_location(api: Application, client: Client) -> None:
    response = post(client, "/api/notes/", {"title": "echo", "priority": 5}, headers=WRITER)
    assert response.status_code == 201
    created = json_of(response)
    assert created == {"id": 5, "title": "echo", "priority": 5, "price": None}
    assert response.headers["Location"] == "/api/notes/5"
    assert json_of(client.get("/api/notes/5")) == created  # committed


def test_put_replaces_and_delete_removes(client: Client) -> None:
    response = put(
        client, "/api/notes/1", {"id": 1, "title": "delta 2", "price": "12.50"}, headers=WRITER
    )
    assert response.status_code == 200
    assert json_of(response) == {"id": 1, "title": "delta 2", "priority": 0, "price": "12.50"}
    assert json_of(client.get("/api/notes/1"))["price"] == "12.50"  # a Decimal, as text
    response = client.delete("/api/notes/1", headers=WRITER)
    assert response.status_code == 204 and response.data == b""
    error_of(client.get("/api/notes/1"), 404)
    error_of(client.delete("/api/notes/1", headers=WRITER), 404)
    error_of(put(client, "/api/notes/99", {"title": "x"}, headers=WRITER), 404)


def test_a_json_number_with_a_fraction_is_a_decimal_never_a_float(client: Client) -> None:
    raw = b'{"title": "exact", "price": 0.10}'
    response = client.post("/api/notes/", data=raw, content_type="application/json", headers=WRITER)
    assert json_of(response)["price"] == "0.10"


@pytest.mark.parametrize(
    "data, fields",
    [
        ({}, {"title": ["required"]}),
        ({"title": None}, {"title": ["required"]}),
        ({"title": "  "}, {"title": ["required: give a text that is not blank"]}),
        ({"title": 5}, {"title": ["must be text, not a number"]}),
        ({"title": "x" * 51}, {"title": ["at most 50 characters, not 51"]}),
        ({"title": "alpha"}, {"title": ["already used by note 2"]}),
        ({"title": "x", "priority": "5"}, {"priority": ["must be a whole number, not text"]}),
        (
            {"title": "x", "priority": True},
            {"priority": ["must be a whole number, not true or false"]},
        ),
        ({"title": "x", "priority": 11}, {"priority": ["must be 0 to 10, not 11"]}),
        ({"title": "x", "priority": 1.5}, {"priority": ["must be a whole number, not a number"]}),
        (
            {"title": "x", "price": "abc"},
            {"price": ["must be a decimal number such as \"12.50\", not 'abc'"]},
        ),
        ({"title": "x", "price": "NaN"}, {"price": ["must be a finite decimal number, not 'NaN'"]}),
        ({"title": "x", "price": -1}, {"price": ["must be 0 or more, not -1"]}),
        ({"title": "x", "price": "1.005"}, {"price": ["at most 2 decimal places, not 1.005"]}),
        ({"title": "x", "price": [1]}, {"price": ["must be a decimal number, not a list"]}),
        ({"title": "x", "titel": "y"}, {"titel": ["unknown field; did you mean `title`?"]}),
        ({"title": "x", "zzz": 1}, {"zzz": ["unknown field; known: id, price, priority, title"]}),
        (
            {"priority": -1, "price": "x"},
            {
                "title": ["required"],
                "priority": ["must be 0 to 10, not -1"],
                "price": ["must be a decimal number such as \"12.50\", not 'x'"],
            },
        ),
    ],
)
def test_validation_errors_are_a_400_listing_each_field(
    client: Client, data: dict[str, Any], fields: dict[str, list[str]]
) -> None:
    error = error_of(post(client, "/api/notes/", data, headers=WRITER), 400, "invalid_fields")
    assert error["fields"] == fields
    for name in fields:
        assert f"`{name}`" in error["message"]
    assert len(json_of(client.get("/api/notes/"))["items"]) == 4


def test_put_may_keep_its_own_unique_title(client: Client) -> None:
    assert put(client, "/api/notes/2", {"title": "alpha"}, headers=WRITER).status_code == 200


@pytest.mark.parametrize(
    "data, content_type, status, code, fragment",
    [
        (b'{"title": "x"}', "text/plain", 415, "unsupported_media_type", "sent `text/plain`"),
        (b'{"title": "x"}', None, 415, "unsupported_media_type", "sent no Content-Type"),
        (
            b"title=x",
            "application/x-www-form-urlencoded",
            415,
            "unsupported_media_type",
            "Content-Type: application/json",
        ),
        (
            b'{"title": "x"}',
            "application/json; charset=latin-1",
            415,
            "unsupported_media_type",
            "charset `latin-1`",
        ),
        (b"", "application/json", 400, "invalid_json", "empty"),
        (
            b'{"title": ',
            "application/json",
            400,
            "invalid_json",
            "not valid JSON: Expecting value at line 1, column 11",
        ),
        (b"{'title': 'x'}", "application/json", 400, "invalid_json", "not valid JSON"),
        (
            b'["title"]',
            "application/json",
            400,
            "invalid_json",
            "must be a JSON object ({…}), not a list",
        ),
        (b'"x"', "application/json", 400, "invalid_json", "not text"),
        (b"\xff\xfe", "application/json", 400, "invalid_json", "not valid UTF-8"),
        (
            b'{"price": NaN, "title": "x"}',
            "application/json",
            400,
            "invalid_json",
            "NaN is not a number",
        ),
        (
            b"[" * 100_000 + b"]" * 100_000,
            "application/json",
            400,
            "invalid_json",
            "cannot be read",
        ),
        (b'{"n": ' + b"9" * 5000 + b"}", "application/json", 400, "invalid_json", "cannot be read"),
        (b'{"title": "a\\ud800"}', "application/json", 400, "invalid_json", "unpaired surrogate"),
        (b'{"\\udfff": 1}', "application/json", 400, "invalid_json", "unpaired surrogate"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    client: Client, data: bytes, content_type: str | None, status: int, code: str, fragment: str
) -> None:
    headers = dict(WRITER)
    if content_type is not None:
        headers["Content-Type"] = content_type
    error = error_of(client.post("/api/notes/", data=data, headers=headers), status, code)
    assert fragment in error["message"]


def test_a_json_suffix_media_type_is_json(client: Client) -> None:
    response = client.post(
        "/api/notes/",
        data=b'{"title": "x"}',
        content_type="application/merge-patch+json",
        headers=WRITER,
    )
    assert response.status_code == 201


def test_a_body_over_the_limit_is_a_413(client: Client) -> None:
    data = json.dumps({"title": "x" * (1024 * 1024)})
    response = client.post(
        "/api/notes/", data=data, content_type="application/json", headers=WRITER
    )
    error_of(response, 413)


def test_a_constraint_the_database_refuses_is_a_409_and_nothing_is_kept(
    api: Application, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the uniqueness check is skipped, as when another client wrote the same title meanwhile
    monkeypatch.setattr(Body, "error", lambda self, name, message: None)
    error = error_of(
        post(client, "/api/notes/", {"title": "alpha"}, headers=WRITER), 409, "conflict"
    )
    assert "Read the item again" in error["message"]
    assert len(json_of(client.get("/api/notes/"))["items"]) == 4


# errors of the base and of the framework ---------------------------------------------------
def test_a_failing_handler_is_a_500_envelope(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/api/readonly/13")
    error = error_of(response, 500, "internal_server_error")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "unlucky" not in error["message"]  # no internals for the client
    assert "unlucky" in caplog.text  # but in the log


@pytest.mark.parametrize("path", ["/api/nothing", "/api/nothing/deeper", "/api/"])
def test_unknown_urls_of_a_json_base_are_the_404_envelope(client: Client, path: str) -> None:
    response = client.get(path)
    error_of(response, 404, "not_found")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path, status",
    [("/api/%00", 400), ("/api/notes/..%2f/x/../", 400), ("/api/" + "a" * 3000, 414)],
)
def test_hostile_paths_into_a_json_base_are_refused_with_the_envelope(
    client: Client, path: str, status: int
) -> None:
    error_of(client.get(path), status)
    assert client.get(path.replace("/api/", "/", 1)).content_type.startswith("text/html")


def test_a_json_base_redirects_a_collection_without_its_slash(client: Client) -> None:
    response = client.get("/api/notes?page=2")
    assert response.status_code == 301 and response.headers["Location"] == "/api/notes/?page=2"


def test_a_static_page_keeps_its_content_type(client: Client) -> None:
    response = client.get("/api/static/")
    assert response.content_type == "application/json" and json_of_plain(response) == {
        "static": True
    }


def json_of_plain(response: TestResponse) -> Any:
    return json.loads(response.get_data(as_text=True))


def test_a_rest_controller_in_an_html_base_still_answers_json(client: Client) -> None:
    assert json_of(client.get("/notes/3"))["title"] == "charlie"
    error_of(client.get("/notes/abc"), 404, "not_found")
    error_of(client.delete("/notes/"), 405, "method_not_allowed")
    error_of(client.get("/notes/?page=0"), 400, "invalid_parameters")
    error_of(
        post(client, "/notes/", {"title": "x"}), 401, "unauthorized"
    )  # the web base has no auth
    # the HTML base's own errors stay HTML pages
    assert client.get("/no-such-page").content_type.startswith("text/html")


def test_a_list_costs_the_same_statements_whatever_its_length(
    api: Application, client: Client
) -> None:
    statements: list[str] = []
    sqlalchemy.event.listen(
        api.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    client.get("/api/notes/?items_per_page=1")
    few = len(statements)
    statements.clear()
    client.get("/api/notes/?items_per_page=4")
    assert len(statements) == few == 2  # the count and the page


# definitions ----------------------------------------------------------------------------
def test_errors_must_be_html_or_json(make_project: ProjectFactory) -> None:
    files = dict(FILES)
    files["application/bases/api/base.yaml"] = "errors: xml\nlocales: {en_US: {urls: [/api/]}}\n"
    with pytest.raises(DefinitionError, match=r"\[errors\]: `xml` is not one of: html, json"):
        Application(make_project(files))


def test_a_page_without_layout_cannot_hold_static_output(make_project: ProjectFactory) -> None:
    files = dict(FILES)
    files["application/bases/api/pages/en_US/page.yaml"] = "contents:\n  - output: <p>hi</p>\n"
    with pytest.raises(DefinitionError, match="nowhere to show static output"):
        Application(make_project(files))


# pieces -------------------------------------------------------------------------------
def test_to_json_writes_decimals_and_times_as_text() -> None:
    import datetime as dt

    value = {
        "price": Decimal("12.50"),
        "at": dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC),
        "day": dt.date(2026, 11, 2),
        "tags": ("a",),
        "name": "Žluťoučký",
    }
    assert to_json(value) == (
        '{"price":"12.50","at":"2026-11-02T09:00:00Z","day":"2026-11-02","tags":["a"],'
        '"name":"Žluťoučký"}'
    )
    with pytest.raises(TypeError, match="cannot be written as JSON"):
        to_json({"x": object()})


def test_body_reads_nested_objects_and_lists_with_paths() -> None:
    body = Body(
        {
            "texts": {"en_US": {"name": "A"}, "xx": {"name": 1}},
            "items": [{"id": 1}, "x", {"id": "2", "extra": True}],
            "when": "2026-11-02T09:00:00",
            "flag": "yes",
        }
    )
    texts = body.object("texts")
    assert texts is not None and texts.names() == ["en_US", "xx"]
    english = texts.object("en_US")
    assert english is not None and english.text("name", required=True) == "A"
    texts.error("xx", "not a locale")
    items = body.objects("items")
    assert items is not None
    assert [item.integer("id") for item in items] == [1, None]
    assert body.datetime("when") is None
    assert body.boolean("flag") is False
    with pytest.raises(ApiError) as raised:
        body.check()
    fields = json.loads(raised.value.get_response().get_data(as_text=True))["error"]["fields"]
    assert fields == {
        "texts.xx": ["not a locale"],
        "items[1]": ["must be an object, not text"],
        "items[2].id": ["must be a whole number, not text"],
        "when": [
            "needs a time zone (e.g. 2026-11-02T09:00:00Z or +01:00), not '2026-11-02T09:00:00'"
        ],
        "flag": ["must be true or false, not text"],
        "items[2].extra": ["unknown field; known: id"],
    }


def test_body_refuses_what_no_database_can_store() -> None:
    body = Body(
        {
            "title": "a\x00b",
            "early": "0001-01-01T00:00:00+01:00",  # year 0 in UTC
            "late": "9999-12-31T23:00:00-05:00",  # year 10000 in UTC
            "edge": "0001-01-01T00:00:00Z",
            "emoji": "\U0001f4a5 \u00e9",
        }
    )
    assert body.text("title") is None
    assert body.datetime("early") is None and body.datetime("late") is None
    assert body.datetime("edge") is not None and body.text("emoji") == "\U0001f4a5 \u00e9"
    assert body.errors == {
        "title": ["must not contain the NUL character (\\u0000)"],
        "early": ["must be between the years 1 and 9999 in UTC, not '0001-01-01T00:00:00+01:00'"],
        "late": ["must be between the years 1 and 9999 in UTC, not '9999-12-31T23:00:00-05:00'"],
    }


def test_rest_controller_is_a_stable_name() -> None:
    import jetpy

    assert jetpy.RestController is RestController and "RestController" in jetpy.__all__
    assert RestController.allowed_methods(item=False) == []
