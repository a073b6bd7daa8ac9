from __future__ import annotations

import importlib
import logging
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from jetpy import Application
from jetpy.kernel.errorpages import HTML, PageResponse
from tests.conftest import DEFAULT_FILES, ProjectFactory


def test_a_page_response_has_what_a_werkzeug_response_has() -> None:
    page = PageResponse("<p>hi</p>", 200, {})
    plain = Response("<p>hi</p>", 200, content_type=HTML)
    assert page.headers == plain.headers  # made on first use
    assert sorted(vars(page)) == sorted([*vars(plain), "_wsgi_headers"])
    assert (page.status, page.status_code, page.get_data()) == ("200 OK", 200, b"<p>hi</p>")


def test_the_wsgi_headers_are_the_page_headers_then_type_and_length() -> None:
    headers = {"X-Frame-Options": "DENY", "content-type": "text/plain", "Content-Length": "1"}
    page = PageResponse("é", 404, headers)
    assert page.wsgi_headers() == [
        ("X-Frame-Options", "DENY"),
        ("Content-Type", HTML),
        ("Content-Length", "2"),
    ]
    assert "headers" not in vars(page)  # nothing asked for them yet


def test_headers_changed_through_werkzeug_are_sent() -> None:
    page = PageResponse("<p>hi</p>", 200, {})
    page.set_cookie("token", "abc")
    assert ("Set-Cookie", "token=abc; Path=/") in page.wsgi_headers()
    response = Client(page).get("/")
    assert response.headers["Set-Cookie"] == "token=abc; Path=/"
    assert response.get_data() == b"<p>hi</p>"


def test_a_header_value_with_a_line_break_is_refused() -> None:
    with pytest.raises(ValueError, match="newline"):
        PageResponse("", 200, {"X-Bad": "a\r\nSet-Cookie: evil=1"})


def test_other_missing_attributes_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="'PageResponse' object has no attribute 'nope'"):
        PageResponse("", 200, {}).nope  # noqa: B018


# a base's `ctx.not_found`: asked before a 404 page --------------------------------------------
NOT_FOUND_CALLS: list[str] = []


def answer_gone(ctx: Any) -> Response | None:
    """The test base's not_found handler: /gone moves, /broken fails, anything else is a 404."""
    NOT_FOUND_CALLS.append(ctx.path)
    if ctx.path == "/broken":
        raise RuntimeError("the handler broke")
    if ctx.path == "/gone":
        return Response("", 301, {"Location": "/"})
    return None


def install_not_found(ctx: Any) -> None:
    ctx.not_found = answer_gone


def test_a_base_initializer_may_answer_what_would_be_a_404(
    make_project: ProjectFactory, caplog: pytest.LogCaptureFixture
) -> None:
    base = DEFAULT_FILES["application/bases/web/base.yaml"]
    initializer = "        initializer: tests.test_errorpages:install_not_found\n"
    client = Client(
        Application(
            make_project({"application/bases/web/base.yaml": base.rstrip(" ") + initializer})
        )
    )
    # the initializer's module as the loader imported it (pytest may name this file otherwise)
    calls = importlib.import_module("tests.test_errorpages").NOT_FOUND_CALLS
    calls.clear()
    assert client.get("/").status_code == 200
    assert calls == []  # a page that exists never asks
    moved = client.get("/gone")
    assert (moved.status_code, moved.headers["Location"]) == (301, "/")
    assert client.get("/other").status_code == 404
    with caplog.at_level(logging.ERROR, logger="jetpy"):
        broken = client.get("/broken")
    assert broken.status_code == 404 and "Not Found" in broken.get_data(as_text=True)
    assert "not_found handler of base web failed" in caplog.text
    assert calls == ["/gone", "/other", "/broken"]
