"""The studio's web application (jetpy.studio.server): access, CSRF, edits, preview, modules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from werkzeug.test import Client, TestResponse
from werkzeug.wrappers import Request, Response

from jetpy import Application
from jetpy.definitions.generation import bump
from jetpy.studio.server import PREFIX, Studio
from tests.conftest import ProjectFactory

TOKEN = "t0ken-for-tests"
HOST = "127.0.0.1:8100"
PREVIEW = "http://127.0.0.1:8101"  # the site, on an origin of its own
PAGES = "application/bases/web/pages"


@pytest.fixture
def root(make_project: ProjectFactory) -> Path:
    return make_project()


@pytest.fixture
def studio(root: Path) -> Client:
    client = Client(Studio(root, TOKEN, [HOST], PREVIEW))
    opened = client.get(f"{PREFIX}/?token={TOKEN}", base_url=f"http://{HOST}")
    assert opened.status_code == 302 and opened.location.endswith(f"{PREFIX}/")
    return client


def get(client: Client, url: str) -> TestResponse:
    """A page of the studio, or (outside /_studio/) of the site from the preview's origin."""
    if not url.startswith(PREFIX):
        preview = Client(client.application.preview_app)  # type: ignore[attr-defined]
        for cookie in client._cookies.values():  # what the browser would send to the host
            preview.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        return preview.get(url, base_url=PREVIEW)
    return client.get(url, base_url=f"http://{HOST}")


def post(client: Client, url: str, data: dict[str, str], csrf: bool = True) -> TestResponse:
    page = get(client, f"{PREFIX}/")
    token = re.search(
        r'name="csrf" value="([^"]+)"',
        get(client, f"{PREFIX}/pages/web/en_US/").get_data(as_text=True),
    )
    assert page.status_code == 200 and token is not None
    form = {"csrf": token.group(1), **data} if csrf else data
    return client.post(url, data=form, base_url=f"http://{HOST}")


def test_without_the_token_nothing_is_shown(root: Path) -> None:
    client = Client(Studio(root, TOKEN, [HOST]))
    urls = (f"{PREFIX}/", f"{PREFIX}/pages/web/en_US/", "/", f"{PREFIX}/?token=wrong")
    for url in (*urls, f"{PREFIX}/?token=%C3%A9", "/?token=%00"):
        response = client.get(url, base_url=f"http://{HOST}")  # the studio's origin
        assert response.status_code == 401
        assert "jetpy studio" in response.get_data(as_text=True)
        assert "Hello" not in response.get_data(as_text=True)


def test_the_token_sets_a_strict_cookie_and_leaves_the_url(root: Path) -> None:
    client = Client(Studio(root, TOKEN, [HOST]))
    response = get(client, f"{PREFIX}/pages/web/en_US/?page=about&token={TOKEN}")
    assert response.location == f"{PREFIX}/pages/web/en_US/?page=about"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert get(client, response.location).status_code == 200


def test_another_host_is_refused(studio: Client) -> None:
    response = studio.get(f"{PREFIX}/", base_url="http://evil.example:8100")
    assert response.status_code == 400


def test_every_post_needs_the_csrf_token(studio: Client, root: Path) -> None:
    response = post(
        studio, f"{PREFIX}/pages/web/en_US/create", {"page": "", "title": "News"}, csrf=False
    )
    assert response.status_code == 403
    assert not (root / PAGES / "en_US/news").exists()


def test_screens_answer_with_strict_headers(studio: Client) -> None:
    for url in (
        "/",
        "/pages/web/en_US/?page=about",
        "/pages/web/cs_CZ/",
        "/modules/",
        "/problems/",
    ):
        response = get(studio, PREFIX + url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert "<script>" not in response.get_data(as_text=True)
    assert get(studio, f"{PREFIX}/pages/web/xx_XX/").status_code == 404
    assert get(studio, f"{PREFIX}/pages/web/en_US/?page=nowhere").status_code == 404
    assert get(studio, f"{PREFIX}/static/../../etc/passwd").status_code == 404


def test_a_page_is_created_with_a_fragment_from_its_title_and_previewed(
    studio: Client, root: Path
) -> None:
    response = post(studio, f"{PREFIX}/pages/web/en_US/create", {"page": "", "title": "Our News"})
    assert response.status_code == 303
    assert "page=our-news" in response.location
    assert (root / PAGES / "en_US/our-news/page.yaml").read_text() == "title: Our News\norder: 3\n"
    shown = get(studio, response.location).get_data(as_text=True)
    assert "Page “Our News” created at /our-news/." in shown
    assert get(studio, "/our-news/").status_code == 200  # the preview: the site in process


def test_contents_are_added_and_rearranged(studio: Client, root: Path) -> None:
    post(studio, f"{PREFIX}/pages/web/en_US/create", {"page": "", "title": "News"})
    response = post(
        studio,
        f"{PREFIX}/pages/web/en_US/contents",
        {
            "page": "news",
            "contents": "[]",
            "add_module": "test.hello:Main:default",
            "add_position": "side",
            "add_parameters": "name: studio",
        },
    )
    assert "message=Contents" in response.location
    assert "Hello studio!" in get(studio, "/news/").get_data(as_text=True)
    post(
        studio,
        f"{PREFIX}/pages/web/en_US/contents",
        {"page": "news", "contents": '[{"index": 0}]', "add_output": "<p>first</p>"},
    )
    move = json.dumps(
        [
            {"index": 1, "position": "main", "order": None},
            {"index": 0, "position": "main", "order": None},
        ]
    )
    post(studio, f"{PREFIX}/pages/web/en_US/contents", {"page": "news", "contents": move})
    text = (root / PAGES / "en_US/news/page.yaml").read_text()
    assert text.index("output: <p>first</p>") < text.index("module: test.hello")
    assert "position" not in text


def test_an_invalid_change_is_refused_with_the_problem_and_nothing_written(
    studio: Client, root: Path
) -> None:
    before = (root / PAGES / "en_US/about/page.yaml").read_text()
    response = post(
        studio,
        f"{PREFIX}/pages/web/en_US/contents",
        {"page": "about", "contents": "[]", "add_output": "<p>x</p>", "add_position": "header"},
    )
    shown = get(studio, response.location).get_data(as_text=True)
    assert "refused" in shown and "header" in shown
    assert (root / PAGES / "en_US/about/page.yaml").read_text() == before


def test_bad_input_is_a_message_not_a_500(studio: Client) -> None:
    cases = [
        ("create", {"page": "", "title": "x", "fragment": "../etc"}),
        ("create", {"page": "", "title": ""}),
        ("update", {"page": "about", "order": "²"}),
        ("update", {"page": "about", "parameters": "[unclosed"}),
        ("update", {"page": "about", "http_headers": "- a list"}),
        ("move", {"page": "about", "parent": "about", "index": "0"}),
        ("rename", {"page": "", "fragment": "x"}),
        ("delete", {"page": "nowhere"}),
    ]
    for action, data in cases:
        response = post(studio, f"{PREFIX}/pages/web/en_US/{action}", data)
        assert response.status_code == 303, (action, data)
        assert "error=" in response.location, (action, data)
    response = post(
        studio, f"{PREFIX}/pages/web/en_US/contents", {"page": "about", "contents": "{"}
    )
    assert response.status_code == 400
    response = post(studio, f"{PREFIX}/modules/new", {"name": "shop." + "x" * 5000})
    assert response.status_code == 303 and "error=" in response.location


def test_properties_rename_move_and_delete(studio: Client, root: Path) -> None:
    post(
        studio,
        f"{PREFIX}/pages/web/en_US/update",
        {
            "page": "about",
            "title": "About us",
            "order": "2",
            "active": "on",
            "secret": "",
            "parameters": "colour: blue",
        },
    )
    text = (root / PAGES / "en_US/about/page.yaml").read_text()
    assert text.startswith("title: About us\norder: 2\n") and "colour: blue" in text
    response = post(
        studio, f"{PREFIX}/pages/web/en_US/rename", {"page": "about", "fragment": "team"}
    )
    assert "page=team" in response.location
    post(
        studio, f"{PREFIX}/pages/web/en_US/move", {"page": "team", "parent": "items", "index": "0"}
    )
    assert (root / PAGES / "en_US/items/team/page.yaml").is_file()
    confirm = get(studio, f"{PREFIX}/pages/web/en_US/delete?page=items").get_data(as_text=True)
    assert "/items/team/" in confirm and "Delete 2 pages" in confirm
    post(studio, f"{PREFIX}/pages/web/en_US/delete", {"page": "items"})
    assert not (root / PAGES / "en_US/items").exists()


def test_modules_are_deactivated_and_the_preview_follows(studio: Client) -> None:
    assert "Hello home!" in get(studio, "/").get_data(as_text=True)
    page = get(studio, f"{PREFIX}/modules/").get_data(as_text=True)
    assert "test.hello" in page and "Deactivate" in page
    response = post(
        studio, f"{PREFIX}/modules/change", {"module": "test.hello", "action": "deactivate"}
    )
    assert "message=" in response.location
    assert "Hello home!" not in get(studio, "/").get_data(as_text=True)
    response = post(studio, f"{PREFIX}/modules/change", {"module": "nope", "action": "activate"})
    assert "error=" in response.location
    response = post(
        studio, f"{PREFIX}/modules/change", {"module": "test.hello", "action": "rm -rf"}
    )
    assert response.status_code == 400


def test_a_running_site_sees_studio_changes_on_its_next_request(studio: Client, root: Path) -> None:
    site = Application(root)
    client = Client(site)
    assert client.get("/news/").status_code == 404
    post(studio, f"{PREFIX}/pages/web/en_US/create", {"page": "", "title": "News"})
    site.watcher.next_look = 0  # a second later
    assert client.get("/news/").status_code == 200


def test_the_overview_shows_each_base_its_trees_and_the_tools(studio: Client, root: Path) -> None:
    project = studio.application.site.project  # type: ignore[attr-defined]
    page = get(studio, f"{PREFIX}/").get_data(as_text=True)
    for base in project.bases.values():
        assert f"<h3>{base.name or base.id}</h3>" in page
        assert f'href="{PREFIX}/bases/{base.id}"' in page
        for name, locale in base.locales.items():
            count = len(project.trees[(base.id, name)])
            link = f'href="{PREFIX}/pages/{base.id}/{name}/"'
            assert re.search(
                link
                + rf".*?<strong>{name}</strong> <span class=\"home-count\">{count} pages?</span>",
                page,
            ), (base.id, name)
            for url in locale.urls:
                assert f"<code>{url}</code>" in page
    active = sum(1 for module in project.modules.values() if module.active)
    assert f'{active}<span class="home-of"> of {len(project.modules)}</span>' in page
    assert "home-tool-good" in page and "Every definition checks" in page

    (root / PAGES / "en_US/about/page.yaml").write_text("title: About\ncolour: blue\n")
    bump(root / "application")
    broken = get(studio, f"{PREFIX}/").get_data(as_text=True)
    assert "home-tool-bad" in broken
    assert "keeps serving the last good definitions" in broken


def test_problems_of_a_hand_broken_definition_are_listed_with_a_link(
    studio: Client, root: Path
) -> None:
    (root / PAGES / "en_US/about/page.yaml").write_text("title: About\ncolour: blue\n")
    bump(root / "application")
    page = get(studio, f"{PREFIX}/problems/").get_data(as_text=True)
    assert "colour" in page and "?page=about" in page
    assert get(studio, "/").status_code == 503  # no preview while broken


def test_bases_are_listed_created_and_edited(studio: Client, root: Path) -> None:
    assert "/cs/" in get(studio, f"{PREFIX}/bases/").get_data(as_text=True)
    response = post(
        studio,
        f"{PREFIX}/bases/create",
        {"id": "blog", "name": "Blog", "locale": "en_US", "url": "/blog/", "title": "Blog"},
    )
    assert response.location.startswith(f"{PREFIX}/bases/blog/?message=")
    edit = get(studio, response.location).get_data(as_text=True)
    assert "Base “blog” created" in edit and 'value="/blog/"' not in edit and "/blog/" in edit
    response = post(
        studio,
        f"{PREFIX}/bases/blog/locale",
        {"locale": "cs_CZ", "urls": "/cs/blog/\n", "title": "Blog", "active": "on"},
    )
    assert "message=" in response.location
    assert get(studio, "/cs/blog/").status_code == 200
    response = post(studio, f"{PREFIX}/bases/create", {"id": "..", "locale": "en_US", "url": "/x/"})
    assert "error=" in response.location


def test_missing_phrases_are_translated_in_the_browser(studio: Client, root: Path) -> None:
    views = root / "application/modules/test/hello/views/hello.html"
    views.write_text('<p>{{ _("Hello there") }} {{ name }}!</p>')
    (root / "application/dictionaries").mkdir()
    (root / "application/dictionaries/cs_CZ.yaml").write_text("# common phrases\nHome: Domů\n")
    bump(root / "application")
    page = get(studio, f"{PREFIX}/dictionaries/").get_data(as_text=True)
    assert "Hello there" in page and "cs_CZ" in page
    response = post(
        studio,
        f"{PREFIX}/dictionaries/save",
        {"module": "", "locale": "cs_CZ", "phrase": "Hello there", "translation": "Ahoj"},
    )
    assert "message=1%20phrase%20translated." in response.location
    assert (root / "application/dictionaries/cs_CZ.yaml").read_text() == (
        "# common phrases\nHome: Domů\nHello there: Ahoj\n"
    )
    assert "Ahoj domov!" in get(studio, "/cs/").get_data(as_text=True)
    bad = post(studio, f"{PREFIX}/dictionaries/save", {"module": "", "locale": "xx", "phrase": "a"})
    assert "error=" in bad.location


def test_static_output_is_a_page_property(studio: Client, root: Path) -> None:
    post(studio, f"{PREFIX}/pages/web/en_US/create", {"page": "", "title": "Plain"})
    post(
        studio,
        f"{PREFIX}/pages/web/en_US/update",
        {"page": "plain", "title": "Plain", "active": "on", "output": "<p>Just this</p>"},
    )
    assert get(studio, "/plain/").get_data(as_text=True) == "<p>Just this</p>"
    refused = post(
        studio,
        f"{PREFIX}/pages/web/en_US/update",
        {"page": "about", "title": "About", "active": "on", "output": "<p>x</p>"},
    )
    assert "error=" in refused.location and "static-output" in get(
        studio, refused.location
    ).get_data(as_text=True)


def test_the_site_in_the_preview_never_sees_the_studio_cookie(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    studio_app = Studio(root, TOKEN, [HOST], PREVIEW)
    client = Client(studio_app)
    get(client, f"{PREFIX}/?token={TOKEN}")
    site = studio_app.site.app
    assert site is not None
    seen: list[dict[str, str]] = []
    handle = site.handle

    def spy(request: Request) -> Response:
        seen.append(dict(request.cookies))
        return handle(request)

    monkeypatch.setattr(site, "handle", spy)
    client.set_cookie("visitor", "kept", domain="127.0.0.1")
    assert get(client, "/").status_code == 200
    assert seen == [{"visitor": "kept"}]  # the token is the studio's, not the site's


def test_the_preview_is_another_origin_that_only_the_studio_may_frame(studio: Client) -> None:
    moved = get(studio, f"{PREFIX}/")  # the studio's own origin serves no page of the site
    assert moved.status_code == 200
    away = studio.get("/about/?x=1", base_url=f"http://{HOST}")
    assert away.status_code == 302 and away.location == f"{PREVIEW}/about/?x=1"
    editor = get(studio, f"{PREFIX}/pages/web/en_US/?page=about")
    assert f'src="{PREVIEW}/about/"' in editor.get_data(as_text=True)
    assert f"frame-src {PREVIEW}" in editor.headers["Content-Security-Policy"]
    page = get(studio, "/about/")
    assert page.status_code == 200 and "X-Frame-Options" not in page.headers
    assert f"frame-ancestors http://{HOST}" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in page.headers["Content-Security-Policy"]


def test_the_basic_wizard_writes_a_module_through_the_writer(studio: Client, root: Path) -> None:
    response = post(studio, f"{PREFIX}/modules/new", {"name": "shop.news.browser"})
    assert response.status_code == 303 and "message=" in response.location
    folder = root / "application/modules/shop/news/browser"
    assert (folder / "manifest.yaml").is_file() and (folder / "controllers.py").is_file()
    assert not (folder / "test_module.py").exists()  # the test goes to the project's tests/
    test = root / "tests/test_module_shop_news_browser.py"
    assert "shop.news.browser" in test.read_text()
    assert not list(root.rglob(".test_module_*"))  # no partial file left
    listed = get(studio, f"{PREFIX}/modules/").get_data(as_text=True)
    assert "shop.news.browser" in listed

    test.write_text("# the user's own edits\n")
    (folder / "manifest.yaml").unlink()  # the module gone, its test kept by the user
    again = post(studio, f"{PREFIX}/modules/new", {"name": "shop.news.browser"})
    assert "message=" in again.location and "kept" in get(studio, again.location).get_data(
        as_text=True
    )
    assert test.read_text() == "# the user's own edits\n"

    twice = post(studio, f"{PREFIX}/modules/new", {"name": "shop.news.browser"})
    assert "error=" in twice.location and "exists already" in get(studio, twice.location).get_data(
        as_text=True
    )
    bad = post(studio, f"{PREFIX}/modules/new", {"name": "../evil"})
    assert "error=" in bad.location and not (root / "evil").exists()
