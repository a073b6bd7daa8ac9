from __future__ import annotations

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Response

from jetpy.kernel.errorpages import HTML, PageResponse


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
