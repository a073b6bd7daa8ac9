"""The request flow (README: "How a request is answered"), stage by stage, through the WSGI app."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from werkzeug.test import Client

from tests.conftest import HELLO_CONTROLLERS

MakeClient = Callable[..., Client]

CONTROLLERS = (
    HELLO_CONTROLLERS
    + '''
from werkzeug.wrappers import Response


class Says(Controller):
    """resolve() answers what the content's parameters say."""

    def resolve(self):
        return self.parameters["resolve"]

    def default_action(self):
        self.render("hello.html", name="default")

    def other_action(self):
        self.render("hello.html", name="other")


class Claims(Controller):
    def resolve(self):
        self.set_used_path(self.parameters.get("claim", ""))
        return True

    def default_action(self):
        self.render("hello.html", name="claimed " + self.url_path)


class Answers(Controller):
    def default_action(self):
        return Response('{"ok": true}', content_type="application/json")


class Fails(Controller):
    def default_action(self):
        raise RuntimeError("secret internals")


class Assets(Controller):
    def default_action(self):
        self.head.add_css("/public/" + self.parameters["css"])
        self.head.add_js("/public/app.js")
        self.head.set_meta("robots", "noindex")
        self.render("hello.html", name=self.parameters["css"])
'''
)


def page(contents: str, **extra: str) -> str:
    head = "".join(f"{key}: {value}\n" for key, value in extra.items())
    return f"title: Test\n{head}contents:\n{contents}"


@pytest.fixture
def make(make_client: MakeClient) -> MakeClient:
    def build(files: dict[str, str | None] | None = None) -> Client:
        return make_client(
            {"application/modules/test/hello/controllers.py": CONTROLLERS, **(files or {})}
        )

    return build


def text(client: Client, url: str, **kwargs: object) -> tuple[int, str]:
    response = client.get(url, **kwargs)  # type: ignore[arg-type]
    try:
        return response.status_code, response.get_data(as_text=True)
    finally:
        response.close()


# 1. base and locale ------------------------------------------------------------------
def test_locales_by_url(client: Client) -> None:
    assert "Hello home!" in text(client, "/")[1]
    assert "Hello domov!" in text(client, "/cs/")[1]


def test_alias_redirects_to_canonical_keeping_rest_and_query(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/base.yaml": """
        default: true
        locales:
          en_US: {urls: [/, /en/]}
          cs_CZ: {urls: [/cs/, /cz/, czech.example.com/]}
        """
        }
    )
    response = client.get("/cz/items/one.html?a=1&b=%C4%8D")
    assert response.status_code == 301
    assert response.headers["Location"] == "/cs/items/one.html?a=1&b=%C4%8D"
    # the longer host-less /en/ beats the host URL /, so this is the en_US alias
    response = client.get("/en/items/", base_url="http://czech.example.com")
    assert (response.status_code, response.headers["Location"]) == (301, "/items/")
    response = client.get("/", base_url="http://czech.example.com")
    assert (response.status_code, response.headers["Location"]) == (301, "/cs/")


def test_host_specific_url_and_canonical_with_host(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/base.yaml": """
        default: true
        locales:
          en_US: {urls: [/]}
          cs_CZ: {urls: [www.example.cz/, example.cz/]}
        """
        }
    )
    assert "Hello domov!" in text(client, "/", base_url="http://www.example.cz")[1]
    response = client.get("/about/?x=1", base_url="http://example.cz")
    assert response.headers["Location"] == "http://www.example.cz/about/?x=1"
    assert "Hello home!" in text(client, "/", base_url="http://other.org")[1]


def test_unmatched_url_goes_to_the_default_base(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/base.yaml": "default: true\nlocales: {en_US: {urls: [/en/]}}\n",
            "application/bases/web/pages/cs_CZ/page.yaml": None,
        }
    )
    assert "Hello home!" in text(client, "/en/")[1]
    assert "About us" in text(client, "/about/")[1]  # the whole path is the rest
    assert text(client, "/elsewhere/about/")[0] == 404


# 2. initializer ---------------------------------------------------------------------
def test_base_initializer_runs_and_sets_template_globals(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/base.yaml": """
            default: true
            initializer: application.bases.web.init:setup
            locales: {en_US: {urls: [/]}}
            """,
            "application/bases/web/init.py": (
                "def setup(ctx):\n    ctx.vars['greeting'] = 'from the initializer'\n"
            ),
            "application/bases/web/layouts/default.html": "{{ greeting }}|{{ position('main') }}",
            "application/bases/web/pages/cs_CZ/page.yaml": None,
        }
    )
    assert text(client, "/")[1].startswith("from the initializer|")


# 3. page and direct files -------------------------------------------------------------
def test_direct_files_only_from_the_allow_list(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/pages/en_US/secret.txt": "no",
            "application/bases/web/pages/en_US/page.yaml.txt": "no",
        }
    )
    assert text(client, "/robots.txt") == (200, "User-agent: *\n")
    assert text(client, "/secret.txt")[0] == 404
    assert text(client, "/page.yaml")[0] == 404
    assert text(client, "/cs/robots.txt")[0] == 404  # allow-listed but absent in cs_CZ


# 4. checks ---------------------------------------------------------------------------
def test_inactive_base_is_503_with_its_error_page(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/base.yaml": "active: false\nlocales: {en_US: {urls: [/]}}\n",
            "application/bases/web/pages/cs_CZ/page.yaml": None,
            "application/bases/web/pages/en_US/503.html": "<h1>Back soon ({{ code }})</h1>",
        }
    )
    assert text(client, "/about/") == (503, "<h1>Back soon (503)</h1>")


def test_inactive_page_and_its_descendants_are_404(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/pages/en_US/about/page.yaml": "title: About\nactive: false\n",
            "application/bases/web/pages/en_US/about/team/page.yaml": "title: Team\n",
        }
    )
    assert text(client, "/about/")[0] == 404
    assert text(client, "/about/team/")[0] == 404
    assert text(client, "/items/")[0] == 200


def test_inactive_locale_is_404(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/base.yaml": """
        default: true
        locales:
          en_US: {urls: [/]}
          cs_CZ: {urls: [/cs/], active: false}
        """
        }
    )
    assert text(client, "/cs/")[0] == 404


def test_ssl_required_redirects_to_https(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/pages/en_US/about/page.yaml": """
        title: About
        ssl_required: true
        contents: [{output: about}]
        """,
            "application/bases/web/pages/en_US/about/team/page.yaml": "title: Team\n",
        }
    )
    response = client.get("/about/team/?x=1")
    assert response.status_code == 301
    assert response.headers["Location"] == "https://localhost/about/team/?x=1"
    assert text(client, "/about/", base_url="https://localhost")[0] == 200
    # X-Forwarded-Proto is not trusted unless the config says so
    response = client.get("/about/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 301


def test_forwarded_proto_is_honoured_behind_a_proxy(make: MakeClient) -> None:
    client = make(
        {
            "application/config.yaml": "behind_proxy: true\n",
            "application/bases/web/pages/en_US/about/page.yaml": "title: A\nssl_required: true\n",
        }
    )
    assert text(client, "/about/", headers={"X-Forwarded-Proto": "https"})[0] == 200
    assert text(client, "/about/", headers={"X-Forwarded-Proto": "http"})[0] == 301


def test_secret_page_is_403_without_an_auth_provider(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/pages/en_US/about/page.yaml": "title: About\nsecret: true\n",
            "application/bases/web/pages/en_US/about/inner/page.yaml": "title: Inner\n",
            "application/bases/web/pages/en_US/403.html": "forbidden {{ locale.name }}",
        }
    )
    assert text(client, "/about/") == (403, "forbidden en_US")
    assert text(client, "/about/inner/")[0] == 403


def test_secret_base_asks_the_auth_provider(make: MakeClient) -> None:
    init = """
from werkzeug.wrappers import Response


class Provider:
    def page_access(self, ctx, page):
        who = ctx.request.args.get("who")
        if who is None:
            return Response("login form", 200)
        return who == "admin"

    def module_action_allowed(self, ctx, module, acl_action):
        return False

    def can_see_page(self, ctx, page):
        return True


def setup(ctx):
    ctx.auth = Provider()
"""
    client = make(
        {
            "application/bases/web/base.yaml": """
            default: true
            secret: true
            initializer: application.bases.web.init:setup
            locales: {en_US: {urls: [/]}}
            """,
            "application/bases/web/init.py": init,
            "application/bases/web/pages/cs_CZ/page.yaml": None,
        }
    )
    assert text(client, "/about/") == (200, "login form")
    assert text(client, "/about/?who=guest")[0] == 403
    status, body = text(client, "/about/?who=admin")
    assert status == 200 and "About us" in body


def test_missing_trailing_slash_redirects_to_the_page_url(client: Client) -> None:
    response = client.get("/about?x=1")
    assert (response.status_code, response.headers["Location"]) == (301, "/about/?x=1")
    response = client.get("/cs")
    assert (response.status_code, response.headers["Location"]) == (301, "/cs/")


# 5. resolve --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("resolve", "expected"),
    [("true", "Hello default!"), ("false", ""), ("other", "Hello other!")],
)
def test_resolve_true_false_or_an_action_name(
    make: MakeClient, resolve: str, expected: str
) -> None:
    client = make(
        {
            "application/bases/web/pages/en_US/about/page.yaml": page(
                f"  - {{module: test.hello, controller: Says, parameters: {{resolve: {resolve}}}}}\n"
            )
        }
    )
    status, body = text(client, "/about/")
    assert status == 200
    assert f"<main>{expected and '<p>' + expected + '</p>'}</main>" in body


# 6. leftover path --------------------------------------------------------------------
def test_micro_router_claims_the_leftover_path(client: Client) -> None:
    status, body = text(client, "/items/")
    assert status == 200 and '<a href="/items/one.html">' in body
    status, body = text(client, "/items/two.html")
    assert status == 200 and "<h1>Second item</h1>" in body
    assert text(client, "/items/three.html")[0] == 404
    assert text(client, "/items/two.html/more")[0] == 404


def test_unclaimed_leftover_is_404(client: Client) -> None:
    assert text(client, "/about/anything")[0] == 404
    assert text(client, "/no-such-page/")[0] == 404


def test_partly_claimed_leftover(make: MakeClient) -> None:
    contents = "  - {module: test.hello, controller: Claims, parameters: {claim: a/b}}\n"
    client = make({"application/bases/web/pages/en_US/about/page.yaml": page(contents)})
    assert "claimed a/b" in text(client, "/about/a/b")[1]
    assert text(client, "/about/a/b/c")[0] == 404


def test_unused_path_redirect_option(make: MakeClient) -> None:
    contents = "  - {module: test.hello, controller: Claims, parameters: {claim: a}}\n"
    client = make(
        {
            "application/bases/web/base.yaml": """
            default: true
            unused_path: redirect
            locales: {en_US: {urls: [/]}}
            """,
            "application/bases/web/pages/cs_CZ/page.yaml": None,
            "application/bases/web/pages/en_US/about/page.yaml": page(contents),
        }
    )
    response = client.get("/about/a/b/c?q=1")
    assert (response.status_code, response.headers["Location"]) == (301, "/about/a?q=1")
    response = client.get("/items/nothing")
    assert (response.status_code, response.headers["Location"]) == (301, "/items/")


def test_claiming_what_is_not_the_leftover_start_is_an_error(make: MakeClient) -> None:
    contents = "  - {module: test.hello, controller: Claims, parameters: {claim: zzz}}\n"
    client = make({"application/bases/web/pages/en_US/about/page.yaml": page(contents)})
    assert text(client, "/about/a")[0] == 500


# 7. dispatch -------------------------------------------------------------------------
def test_action_may_return_a_response(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/pages/en_US/about/page.yaml": page(
                "  - {module: test.hello, controller: Answers}\n"
            )
        }
    )
    response = client.get("/about/")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.json == {"ok": True}


def test_positions_are_filled_in_order(make: MakeClient) -> None:
    contents = (
        "  - {output: '<b>third</b>', order: 3}\n"
        "  - {module: test.hello, parameters: {name: first}, order: 1}\n"
        "  - {output: '<b>side</b>', position: side}\n"
        "  - {output: '<b>second</b>', order: 2}\n"
    )
    client = make({"application/bases/web/pages/en_US/about/page.yaml": page(contents)})
    body = text(client, "/about/")[1]
    assert (
        "<main><p>Hello first!</p><b>second</b><b>third</b></main><aside><b>side</b></aside>"
    ) in body


def test_exception_in_an_action_is_logged_and_answered_by_the_500_page(
    make: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    client = make(
        {
            "application/bases/web/pages/en_US/about/page.yaml": page(
                "  - {module: test.hello, controller: Fails}\n"
            ),
            "application/bases/web/pages/en_US/500.html": "<h1>Sorry ({{ code }})</h1>",
        }
    )
    with caplog.at_level(logging.ERROR, logger="jetpy"):
        status, body = text(client, "/about/")
    assert (status, body) == (500, "<h1>Sorry (500)</h1>")
    assert "secret internals" not in body
    record = caplog.records[0]
    assert "module test.hello, controller Fails, action default" in record.getMessage()
    assert record.exc_info is not None


def test_exception_shows_the_plain_500_page_without_a_base_page(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/pages/en_US/about/page.yaml": page(
                "  - {module: test.hello, controller: Fails}\n"
            )
        }
    )
    status, body = text(client, "/about/")
    assert status == 500 and "500 Internal Server Error" in body
    assert "Traceback" not in body and "secret internals" not in body


def test_debug_mode_lets_the_exception_through(make: MakeClient) -> None:
    client = make(
        {
            "application/config.yaml": "debug: true\n",
            "application/bases/web/pages/en_US/about/page.yaml": page(
                "  - {module: test.hello, controller: Fails}\n"
            ),
        }
    )
    with pytest.raises(RuntimeError, match="secret internals"):
        client.get("/about/")


# 8. layout and head ------------------------------------------------------------------
def test_head_has_title_meta_and_assets_whatever_the_order(make: MakeClient) -> None:
    contents = (
        "  - {module: test.hello, controller: Assets, parameters: {css: b.css}}\n"
        "  - {module: test.hello, controller: Assets, parameters: {css: a.css}, "
        "position: side}\n"
    )
    client = make(
        {
            "application/bases/web/pages/en_US/about/page.yaml": page(
                contents, meta_tags=("[{value: keywords, content: k}]")
            ),
            "application/bases/web/layouts/default.html": (
                "<head>{{ head() }}</head>{{ position('main') }}{{ position('side') }}"
                "{{ module('test.hello', controller='Assets', parameters={}) if false }}"
            ),
        }
    )
    head = text(client, "/about/")[1].split("</head>")[0]
    assert "<title>Test | Site</title>" in head
    assert '<meta name="description" content="Default description">' in head
    assert '<meta name="keywords" content="k">' in head
    assert '<meta name="robots" content="noindex">' in head
    assert head.index("/public/b.css") < head.index("/public/a.css")
    assert head.count('<script src="/public/app.js" defer></script>') == 1


def test_module_run_by_the_layout_can_add_to_the_head(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/layouts/default.html": (
                "<head>{{ head() }}</head>{{ position('main') }}"
                "{{ module('test.hello', controller='Assets', css='late.css') }}"
            )
        }
    )
    body = text(client, "/")[1]
    assert '<link rel="stylesheet" href="/public/late.css">' in body.split("</head>")[0]


def test_page_headers_are_inherited(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/base.yaml": """
            default: true
            http_headers: {X-Frame-Options: DENY, X-Base: base}
            locales: {en_US: {urls: [/], http_headers: {X-Locale: en}}}
            """,
            "application/bases/web/pages/cs_CZ/page.yaml": None,
            "application/bases/web/pages/en_US/about/page.yaml": (
                "title: About\nhttp_headers: {X-Base: about, Cache-Control: no-store}\n"
            ),
            "application/bases/web/pages/en_US/about/team/page.yaml": "title: Team\n",
        }
    )
    headers = client.get("/about/team/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Locale"] == "en"
    assert headers["X-Base"] == "about"
    assert headers["Cache-Control"] == "no-store"


def test_output_is_autoescaped_in_views(make: MakeClient) -> None:
    contents = "  - {module: test.hello, parameters: {name: '<script>x</script>'}}\n"
    client = make({"application/bases/web/pages/en_US/about/page.yaml": page(contents)})
    body = text(client, "/about/")[1]
    assert "<script>x</script>" not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body


# static output -----------------------------------------------------------------------
def test_static_output_page_has_no_layout(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/pages/en_US/ping/page.yaml": (
                "title: Ping\noutput: '<p>pong</p>'\nhttp_headers: {X-Static: 'yes'}\n"
            ),
            "application/bases/web/pages/en_US/file/page.yaml": "title: F\noutput_file: body.html\n",
            "application/bases/web/pages/en_US/file/body.html": "<p>from a file</p>",
        }
    )
    response = client.get("/ping/")
    assert (response.status_code, response.data) == (200, b"<p>pong</p>")
    assert response.headers["X-Static"] == "yes"
    assert text(client, "/file/") == (200, "<p>from a file</p>")
    assert text(client, "/ping/more")[0] == 404


# error pages --------------------------------------------------------------------------
def test_error_pages_per_locale_with_fallback(make: MakeClient) -> None:
    client = make({"application/bases/web/pages/cs_CZ/404.html": "nenalezeno {{ code }}"})
    assert text(client, "/cs/nic/") == (404, "nenalezeno 404")
    status, body = text(client, "/nothing/")
    assert status == 404 and "404 Not Found" in body and "<html" in body


def test_broken_error_page_falls_back_to_the_plain_one(make: MakeClient) -> None:
    client = make({"application/bases/web/pages/en_US/404.html": "{{ nope.nope.nope }}"})
    status, body = text(client, "/nothing/")
    assert status == 404 and "404 Not Found" in body


def test_public_files_are_served_without_traversal(make: MakeClient) -> None:
    client = make({"public/site.css": "body{}", "application/secret.txt": "no"})
    assert text(client, "/public/site.css") == (200, "body{}")
    assert text(client, "/public/../application/secret.txt")[0] in (400, 404)
    assert text(client, "/public/%2e%2e/application/secret.txt")[0] in (400, 404)
    assert text(client, "/public/nope.css")[0] == 404


def test_static_urls_are_versioned_and_kept_long(make: MakeClient) -> None:
    client = make(
        {
            "public/site.css": "body{}",
            "application/bases/web/layouts/default.html": (
                "{{ static('site.css') }}|{{ static('missing.css') }}|{{ position('main') }}"
            ),
        }
    )
    versioned, missing = text(client, "/")[1].split("|")[:2]
    assert versioned.startswith("/public/site.css?v=") and missing == "/public/missing.css"
    response = client.get(versioned)
    assert response.cache_control.max_age == 31_536_000
    response.close()


def test_has_position_tells_empty_positions(make: MakeClient) -> None:
    client = make(
        {
            "application/bases/web/layouts/default.html": (
                "{{ has_position('main') }} {{ has_position('side') }}{{ position('main') }}"
            )
        }
    )
    assert text(client, "/")[1].startswith("True False")


def test_content_parameters_are_read_only(make: MakeClient) -> None:
    controllers = CONTROLLERS + (
        "\n\nclass Mutates(Controller):\n"
        "    def default_action(self):\n"
        "        self.parameters['name'] = 'changed'\n"
    )
    client = make(
        {
            "application/modules/test/hello/controllers.py": controllers,
            "application/bases/web/pages/en_US/about/page.yaml": page(
                "  - {module: test.hello, controller: Mutates, parameters: {name: x}}\n"
            ),
        }
    )
    assert text(client, "/about/")[0] == 500  # TypeError, logged; nothing leaks


def test_head_request_gets_headers_without_a_body(client: Client) -> None:
    response = client.head("/")
    assert response.status_code == 200
    assert response.data == b""
    assert int(response.headers["Content-Length"]) > 0
