"""jetpy.kernel.security: every response carries its base's security headers.

The example site: pages, error pages, the login form, /public/ files, the admin's CSV export,
JSON price preview and 404s; HSTS on https only (also through a trusted proxy). Small projects:
the base.yaml overrides and the problems they may have.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from werkzeug.test import Client, TestResponse

from jetpy import Application
from jetpy.errors import DefinitionError
from jetpy.kernel.errorpages import PageResponse
from jetpy.kernel.security import SecurityHeaders, builtin_style_hashes
from tests.conftest import SITE_PASSWORD, ProjectFactory, SeededSite, log_in

CSP = "Content-Security-Policy"
HSTS = "Strict-Transport-Security"


@pytest.fixture
def app(seeded_site: SeededSite) -> Application:
    return seeded_site.app


@pytest.fixture
def client(app: Application) -> Client:
    return Client(app, use_cookies=True)


@pytest.fixture
def boss(app: Application) -> Client:
    """Signed in to the admin as the superuser (from an address of its own: the throttle)."""
    client = Client(app)
    environ = {"REMOTE_ADDR": "10.77.0.1"}
    response = log_in(client, "boss", SITE_PASSWORD, "/admin/products/", environ_base=environ)
    assert response.status_code == 303
    return client


def directives(response: TestResponse) -> dict[str, str]:
    """The response's Content-Security-Policy as {directive: sources}."""
    policy = response.headers.get(CSP)
    assert policy, f"no {CSP} on {response.request.path}"
    parts = (part.strip().split(" ", 1) for part in policy.split(";"))
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_html_headers(response: TestResponse) -> None:
    """What every HTML response of the example site carries."""
    headers = response.headers
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = directives(response)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == "'none'"
    assert HSTS not in headers  # plain http


# the web base -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url", ["/", "/articles/", "/contact/", "/sign-up/", "/account/", "/cs/", "/cs/kontakt/"]
)
def test_pages_and_forms_of_the_web_base_cannot_be_framed(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert_html_headers(response)


def test_a_page_keeps_a_stricter_referrer_policy_of_its_own(client: Client) -> None:
    response = client.get("/password-reset/")  # page.yaml: Referrer-Policy: no-referrer
    assert response.headers.get_all("Referrer-Policy") == ["no-referrer"]


@pytest.mark.parametrize("url", ["/no-such-page/", "/articles/no-such-article.html", "/%00"])
def test_error_pages_carry_the_headers(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (400, 404)
    assert_html_headers(response)


def test_files_under_public_carry_nosniff_and_the_policy(client: Client) -> None:
    response = client.get("/public/css/site.css")
    response.close()  # a file: its handle stays open until the body is read or closed
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age" in response.headers["Cache-Control"]  # the web base does not say no-store
    assert directives(response)["default-src"] == "'self'"
    missing = client.get("/public/no-such-file.css")
    assert missing.status_code == 404
    assert missing.headers["X-Content-Type-Options"] == "nosniff"


def test_redirects_carry_them_too(client: Client) -> None:
    response = client.get("/articles")  # → /articles/
    assert response.status_code == 301
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_https_requests_get_hsts_and_http_ones_do_not(client: Client) -> None:
    assert HSTS not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost/")
    assert secure.headers[HSTS] == "max-age=31536000"
    assert secure.headers.get_all(HSTS) == ["max-age=31536000"]
    file = client.get("/public/css/site.css", base_url="https://localhost/")
    file.close()
    assert file.headers[HSTS] == "max-age=31536000"


def test_the_forwarded_proto_counts_only_behind_a_trusted_proxy(
    client: Client, app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    forwarded = {"X-Forwarded-Proto": "https"}
    assert HSTS not in client.get("/", headers=forwarded).headers  # behind_proxy: 0
    monkeypatch.setattr(app, "config", app.config.__class__(behind_proxy=1))
    assert client.get("/", headers=forwarded).headers[HSTS] == "max-age=31536000"


# the admin base: no-store on every response ----------------------------------------------
def assert_admin_headers(response: TestResponse) -> None:
    assert response.headers.get_all("Cache-Control") == ["no-store"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_admin_login_form_is_not_stored_nor_framed(client: Client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 200 and 'name="_login"' in response.get_data(as_text=True)
    assert_admin_headers(response)
    assert_html_headers(response)


def test_admin_pages_exports_previews_and_errors_are_not_stored(boss: Client) -> None:
    page = boss.get("/admin/products/")
    assert page.status_code == 200
    assert_admin_headers(page)
    assert_html_headers(page)
    csv = boss.get("/admin/products/?export=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert_admin_headers(csv)
    preview = boss.get("/admin/products/?preview=1&pricelist=EUR&amount=1&rate=21")
    assert preview.status_code == 200 and preview.is_json
    assert_admin_headers(preview)
    missing = boss.get("/admin/no-such-page/")
    assert missing.status_code == 404
    assert_admin_headers(missing)
    assert_html_headers(missing)


def test_the_admin_product_form_has_no_inline_script(boss: Client) -> None:
    html = boss.get("/admin/products/?add=1").get_data(as_text=True)
    assert "product-form" in html
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts, "the price preview's script is gone"
    assert all("src=" in attributes and not body.strip() for attributes, body in scripts)
    assert re.search(r'<script src="/public/js/price-preview\.js\?v=\w+"', html)
    assert " style=" not in html


def test_the_admin_error_page_has_no_inline_style(boss: Client) -> None:
    html = boss.get("/admin/no-such-page/").get_data(as_text=True)
    assert " style=" not in html and "<style" not in html


# the rest base: JSON answers allow nothing ------------------------------------------------
def test_the_api_answers_with_a_policy_that_allows_nothing(client: Client) -> None:
    for response in (client.get("/rest/articles/"), client.get("/rest/no-such-thing/")):
        assert response.is_json
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert directives(response) == {"default-src": "'none'", "frame-ancestors": "'none'"}


# base.yaml overrides, in small projects -----------------------------------------------------
def base_yaml(security: str) -> dict[str, str]:
    return {
        "application/bases/web/base.yaml": (
            "name: Web\ndefault: true\nlocales:\n  en_US:\n    urls: [/]\n" + security
        )
    }


def test_a_base_changes_single_directives_and_headers(
    make_client: Callable[..., Client],
) -> None:
    client = make_client(
        base_yaml(
            "security_headers:\n"
            "  content_security_policy:\n"
            "    img-src: \"'self' https://images.example.com\"\n"
            "    object-src: ''\n"
            "  frame_options: SAMEORIGIN\n"
            "  referrer_policy: no-referrer\n"
            "  hsts: max-age=600; includeSubDomains\n"
            "  no_store: true\n"
        )
    )
    response = client.get("/", base_url="https://localhost/")
    policy = directives(response)
    assert policy["img-src"] == "'self' https://images.example.com"
    assert "object-src" not in policy
    assert policy["frame-ancestors"] == "'self'"  # follows frame_options
    assert policy["script-src"] == "'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers[HSTS] == "max-age=600; includeSubDomains"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_base_may_write_a_whole_policy_or_turn_headers_off(
    make_client: Callable[..., Client],
) -> None:
    client = make_client(
        base_yaml(
            "security_headers:\n"
            "  content_security_policy: >-\n"
            "    default-src 'self';\n"
            "    script-src 'self' https://cdn.example.com\n"
            "  frame_options: ''\n"
            "  referrer_policy: ''\n"
            "  hsts: ''\n"
        )
    )
    response = client.get("/", base_url="https://localhost/")
    assert response.headers[CSP] == "default-src 'self'; script-src 'self' https://cdn.example.com"
    for name in ("X-Frame-Options", "Referrer-Policy", HSTS, "Cache-Control"):
        assert name not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # always


def test_wrong_settings_are_definition_problems(make_project: ProjectFactory) -> None:
    project = make_project(
        base_yaml(
            "security_headers:\n"
            "  frame_options: ALLOW\n"
            "  referer_policy: origin\n"
            "  content_security_policy: {Img Src: x, img-src: \"'self'; script-src *\"}\n"
        )
    )
    with pytest.raises(DefinitionError) as raised:
        Application(project)
    text = str(raised.value)
    assert "security_headers.frame_options" in text and "DENY, SAMEORIGIN" in text
    assert "unknown key `referer_policy`" in text and "referrer_policy" in text
    assert "`Img Src` is not a CSP directive" in text
    assert "content_security_policy.img-src" in text and "directive as a key" in text


# the mechanism -----------------------------------------------------------------------------
def test_a_page_response_gets_the_missing_headers_appended() -> None:
    security = SecurityHeaders(
        http=(("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")),
        forced=(("Cache-Control", "no-store"),),
    )
    plain = PageResponse("<p>hi</p>", 200, {})
    security.apply(plain, https=False)
    assert plain.wsgi_headers()[2:] == [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Cache-Control", "no-store"),
    ]
    own = PageResponse(
        "<p>hi</p>", 200, {"X-Frame-Options": "SAMEORIGIN", "Cache-Control": "max-age=9"}
    )
    security.apply(own, https=False)
    headers = own.headers
    assert headers.get_all("X-Frame-Options") == ["SAMEORIGIN"]  # the page's own stays
    assert headers.get_all("Cache-Control") == ["no-store"]  # no_store wins
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_jetpy_s_own_inline_styles_are_allowed_by_hash(client: Client) -> None:
    hashes = builtin_style_hashes()
    assert hashes and all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", item) for item in hashes)
    style_src = directives(client.get("/")).get("style-src", "")
    assert all(item in style_src for item in hashes)
