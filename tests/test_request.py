"""jetpy.kernel.request, the input layer: NUL refused, line endings LF, whole numbers parsed
strictly; and the answers to methods and file names no page or file takes."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any
from wsgiref.validate import validator

import pytest
from werkzeug.test import Client, EnvironBuilder

from jetpy import Application
from jetpy.kernel.request import MAX_INT, Request, parse_int
from tests.conftest import ProjectFactory

ECHO = """
import json
from werkzeug.wrappers import Response
from jetpy import Controller


class Main(Controller):
    csrf_exempt = True  # the echo changes nothing

    def default_action(self):
        form = self.request.form
        files = {name: f.filename for name, f in self.request.files.items()}
        data = {"args": list(self.request.args.items(multi=True)),
                "form": list(form.items(multi=True)), "files": files}
        return Response(json.dumps(data), content_type="application/json")


class Nothing(Controller):
    def default_action(self):
        return Response(status=204)  # with werkzeug's default Content-Type
"""


@pytest.fixture
def echo(make_project: ProjectFactory) -> Client:
    """A project with /echo/, which answers the query and form it read as JSON."""
    root = make_project(
        {
            "application/data/modules.yaml": "test.hello: activated\ntest.echo: activated\n",
            "application/modules/test/echo/manifest.yaml": "label: Echo\n",
            "application/modules/test/echo/controllers.py": ECHO,
            "application/bases/web/pages/en_US/echo/page.yaml": (
                "title: Echo\ncontents:\n  - module: test.echo\n"
            ),
            "application/bases/web/pages/en_US/nothing/page.yaml": (
                "title: Nothing\ncontents:\n  - module: test.echo\n    controller: Nothing\n"
            ),
            "public/site.css": "body {}\n",
        }
    )
    return Client(Application(root))


def echoed(client: Client, *args: Any, **kwargs: Any) -> dict[str, Any]:
    response = client.open(*args, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data(as_text=True))  # type: ignore[no-any-return]


# whole numbers --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("1", 1), ("42", 42), (str(MAX_INT), MAX_INT)],
)
def test_parse_int_reads_ascii_whole_numbers(text: str, expected: int) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        " 1",
        "1 ",
        "+1",
        "-1",
        "01",
        "1.0",
        "1e3",
        "1_000",
        "²",  # str.isdigit() says yes, int() says no
        "\u0663",  # Arabic-Indic three: int() takes it, a URL should not
        "\uff11\uff12",  # fullwidth digits
        str(MAX_INT + 1),
        "9" * 5000,  # int() would refuse it (or take long); never converted
    ],
)
def test_parse_int_refuses_anything_else(text: str | None) -> None:
    assert parse_int(text) is None


def test_parse_int_keeps_to_the_range() -> None:
    assert parse_int("0", 1) is None
    assert parse_int("5", 1, 4) is None
    assert parse_int("4", 1, 4) == 4


# the input layer ------------------------------------------------------------------------
def test_form_values_get_lf_line_endings(echo: Client) -> None:
    data = echoed(echo, "/echo/", method="POST", data={"text": "one\r\n\r\ntwo\rthree\nfour"})
    assert data["form"] == [["text", "one\n\ntwo\nthree\nfour"]]


def test_query_values_get_lf_line_endings(echo: Client) -> None:
    assert echoed(echo, "/echo/?q=a%0D%0Ab")["args"] == [["q", "a\nb"]]


def test_clean_input_is_passed_as_it_came(echo: Client) -> None:
    data = echoed(echo, "/echo/?a=1&a=2&b=", method="POST", data={"x": "ž\t", "y": ""})
    assert data["args"] == [["a", "1"], ["a", "2"], ["b", ""]]
    assert data["form"] == [["x", "ž\t"], ["y", ""]]


@pytest.mark.parametrize(
    ("url", "form", "named"),
    [
        ("/echo/?q=a%00b", None, "query parameter `q`"),
        ("/echo/?a%00b=1", None, "query parameter `a%00b`"),
        ("/echo/", {"name": "bo\x00ss"}, "form field `name`"),
        ("/echo/", {"na\x00me": "x"}, "form field `na%00me`"),
        ("/", {"login": "\x00"}, "form field `login`"),  # a page that never reads its form
    ],
)
def test_a_nul_is_refused_with_400_naming_the_parameter(
    echo: Client, url: str, form: dict[str, str] | None, named: str
) -> None:
    response = echo.post(url, data=form) if form else echo.get(url)
    assert response.status_code == 400
    assert named in response.get_data(as_text=True)
    assert "NUL" in response.get_data(as_text=True)


def test_a_nul_in_an_uploaded_file_name_is_refused(echo: Client) -> None:
    upload = (io.BytesIO(b"data"), "bad\x00name.txt")
    response = echo.post("/echo/", data={"file": upload}, content_type="multipart/form-data")
    assert response.status_code == 400
    clean = (io.BytesIO(b"data"), "good.txt")
    sent = {"file": clean}
    assert echoed(echo, "/echo/", method="POST", data=sent)["files"] == {"file": "good.txt"}


def test_refused_parameters_are_empty_afterwards() -> None:
    """The error page may read the request again: it finds nothing hostile, and no error."""
    environ = EnvironBuilder("/?q=%00", method="POST", data={"a": "\x00"}).get_environ()
    request = Request(environ)
    for read in (lambda: request.args, lambda: request.form):
        with pytest.raises(Exception, match="NUL"):
            read()
        assert not read()
    assert not request.files


def test_a_long_hostile_name_is_shortened_in_the_message(echo: Client) -> None:
    response = echo.get("/echo/?" + "x" * 5000 + "=%00")
    assert response.status_code == 400
    assert len(response.get_data(as_text=True)) < 5000


# methods ----------------------------------------------------------------------------------
def wsgi_checked(app: Application) -> Callable[..., Any]:
    """The application behind wsgiref's validator (it fails on a 204 with a Content-Type)."""
    return validator(app)  # type: ignore[no-any-return]


@pytest.mark.parametrize("url", ["/", "/items/", "/about/", "/robots.txt", "/public/site.css"])
def test_options_answers_204_with_allow_and_no_body(echo: Client, url: str) -> None:
    client = Client(wsgi_checked(echo.application))  # type: ignore[arg-type]
    response = client.open(url, method="OPTIONS")
    assert response.status_code == 204
    assert "GET" in response.headers["Allow"]
    assert "Content-Type" not in response.headers
    assert response.get_data() == b""
    response.close()  # the validator checks that the server closes the body


@pytest.mark.parametrize("url", ["/", "/items/", "/about/", "/robots.txt", "/public/site.css"])
@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT"])
def test_other_methods_answer_405_never_the_page(echo: Client, url: str, method: str) -> None:
    response = echo.open(url, method=method)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    text = response.get_data(as_text=True)
    assert "Hello" not in text and "About us" not in text and "User-agent" not in text
    assert method in text


def test_a_204_of_a_module_loses_its_content_type(echo: Client) -> None:
    client = Client(wsgi_checked(echo.application))  # type: ignore[arg-type]
    response = client.get("/nothing/")
    assert response.status_code == 204
    assert "Content-Type" not in response.headers
    response.close()


# file names --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/public/" + "a" * 300,
        "/public/" + "a" * 300 + "/site.css",
        "/public/" + "ž" * 200 + ".css",  # 400 bytes in UTF-8
        "/" + "a" * 300 + ".txt",
    ],
)
def test_a_file_name_longer_than_the_file_system_takes_is_404(echo: Client, path: str) -> None:
    assert echo.get(path).status_code == 404
    found = echo.get("/public/site.css")
    assert found.status_code == 200
    found.close()


def test_the_nul_refusal_is_said_in_the_pages_language(example_app: Application) -> None:
    client = Client(example_app)
    czech = client.post("/cs/kontakt/", data={"name": "a\x00b"})
    assert czech.status_code == 400
    page = czech.get_data(as_text=True)
    assert '<p lang="cs">Pole formuláře `name` obsahuje znak NUL (%00)' in page
    english = client.post("/contact/", data={"name": "a\x00b"}).get_data(as_text=True)
    assert "<p>The form field `name` contains a NUL character (%00)" in english
