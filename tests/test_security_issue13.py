"""Attacks on what issue 13 added (output cache, HTTP caching, search, redirects, SEO), each
found by reading the code as an attacker and fixed; a test per way in."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from werkzeug.test import Client

from jetpy import Application
from jetpy.cache import FileBackend, MemoryBackend
from jetpy.errors import DefinitionError
from tests.conftest import ProjectFactory

PLAIN_LAYOUT = """<!doctype html><html><head>{{ head() }}</head><body>
<main>{{ position("main") }}</main></body></html>"""


@pytest.fixture
def cached_site(make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default project, memory cache on, a layout that embeds nothing (so that whole
    pages are kept) and a page that must only be seen over https."""
    monkeypatch.setenv("JETPY_CACHE_BACKEND", "memory")
    return make_project(
        {
            "application/bases/web/layouts/default.html": PLAIN_LAYOUT,
            "application/bases/web/pages/en_US/account/page.yaml": """
                title: Account
                ssl_required: true
                contents:
                  - output: "<p>Your account</p>"
            """,
        }
    )


GREETING_CONTROLLERS = """
from jetpy import Controller


class Main(Controller):
    def default_action(self):
        self.session["name"] = self.request.args["name"]
        self.output.append("<p>Remembered</p>")


class Greet(Controller):
    \"\"\"Reads the visitor in resolve() (to choose what to show), not in its action.\"\"\"

    def resolve(self):
        self.name = self.session.get("name", "stranger")
        return True

    def default_action(self):
        self.output.append(f"<p>Hello {self.name}</p>")
"""


def cached_module_site(
    make_project: ProjectFactory, name: str, controllers: str, pages: dict[str, str]
) -> Path:
    """A project with the module test.`name` (its controllers) and pages of the web base
    (folder under en_US: page.yaml), the memory output cache on (JETPY_CACHE_BACKEND)."""
    return make_project(
        {
            "application/data/modules.yaml": f"test.hello: activated\ntest.{name}: activated\n",
            f"application/modules/test/{name}/manifest.yaml": f"label: {name.title()}\n",
            f"application/modules/test/{name}/controllers.py": controllers,
            **{
                f"application/bases/web/pages/en_US/{folder}/page.yaml": page
                for folder, page in pages.items()
            },
        }
    )


@pytest.fixture
def greeting_site(make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JETPY_CACHE_BACKEND", "memory")
    pages = {
        "remember": """
            title: Remember
            contents:
              - module: test.greet
        """,
        "greet": """
            title: Greet
            contents:
              - module: test.greet
                controller: Greet
                cacheable: true
        """,
    }
    return cached_module_site(make_project, "greet", GREETING_CONTROLLERS, pages)


def test_a_visitor_read_in_resolve_keeps_the_output_out_of_the_cache(
    greeting_site: Path,
) -> None:
    """A controller that reads the session in resolve() and shows it from its action: the
    store looked only at what the action read, so Alice's greeting was kept and served to
    Bob."""
    app = Application(greeting_site)
    alice, bob = Client(app), Client(app)
    assert "Remembered" in alice.get("/remember/?name=Alice").get_data(as_text=True)
    assert "Remembered" in bob.get("/remember/?name=Bob").get_data(as_text=True)
    assert "Hello Alice" in alice.get("/greet/").get_data(as_text=True)
    assert "Hello Bob" in bob.get("/greet/").get_data(as_text=True)
    assert "Hello stranger" in Client(app).get("/greet/").get_data(as_text=True)


SHARE_CONTROLLERS = """
from jetpy import Controller


class Main(Controller):
    \"\"\"A link to share the page: an absolute URL made from the request's address.\"\"\"

    def default_action(self):
        self.output.append(f'<a class="share" href="{self.request.host_url}share/">Share</a>')
"""


@pytest.fixture
def share_site(make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JETPY_CACHE_BACKEND", "memory")
    pages = {
        "share": """
            title: Share
            contents:
              - module: test.share
                cacheable: true
        """
    }
    return cached_module_site(make_project, "share", SHARE_CONTROLLERS, pages)


def test_a_forged_host_header_does_not_reach_other_visitors_through_a_content(
    share_site: Path,
) -> None:
    """The web base answers any host (its URLs name none), so the Host header is the
    visitor's to choose; a content kept under a key without it served the forged host's
    links to everyone. The whole-page cache already kept pages per host."""
    client = Client(Application(share_site))
    forged = client.get("/share/", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert 'href="http://evil.example/share/"' in forged
    page = client.get("/share/").get_data(as_text=True)
    assert 'href="http://localhost/share/"' in page and "evil.example" not in page
    secure = client.get("/share/", base_url="https://localhost").get_data(as_text=True)
    assert 'href="https://localhost/share/"' in secure


def canonical(page: str) -> str:
    found = re.search(r'<link rel="canonical" href="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def test_a_page_kept_from_https_is_not_served_over_plain_http(cached_site: Path) -> None:
    """The whole-page cache answered by host, path and query: a page that needs https,
    rendered once for an https visitor, was then served over plain http instead of the 301."""
    client = Client(Application(cached_site))
    secure = client.get("/account/", base_url="https://localhost")
    assert secure.status_code == 200 and "Your account" in secure.get_data(as_text=True)
    assert client.get("/account/", base_url="https://localhost").status_code == 200  # kept
    plain = client.get("/account/", base_url="http://localhost")
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://localhost/account/"


def test_a_page_kept_from_http_does_not_give_https_visitors_http_links(
    cached_site: Path,
) -> None:
    """The canonical link is absolute: a page kept from a plain http request must not be
    served to https visitors (nor, behind a proxy, by a forged X-Forwarded-Proto)."""
    client = Client(Application(cached_site))
    assert canonical(client.get("/about/").get_data(as_text=True)) == "http://localhost/about/"
    secure = client.get("/about/", base_url="https://localhost").get_data(as_text=True)
    assert canonical(secure) == "https://localhost/about/"


# a visitor filling the cache ---------------------------------------------------------------
def entry_files(folder: Path) -> int:
    return sum(1 for file in (folder / "entries").iterdir() if not file.name.startswith("."))


def test_free_query_strings_do_not_fill_the_files_backend_without_bound(
    cached_site: Path, tmp_path: Path
) -> None:
    """Every query string is a key of its own (`?a=1`, `?a=2`, …: whatever a visitor makes
    up); the files backend kept each entry for ever, so a loop of requests filled the disk.
    It keeps `max_entries`, dropping the oldest written."""
    app = Application(cached_site)
    folder = tmp_path / "cache"
    app.output_cache.backend = FileBackend(folder, max_entries=20)
    client = Client(app)
    for number in range(120):
        assert client.get(f"/about/?made-up={number}").status_code == 200
    assert 0 < entry_files(folder) <= 20 + 20 // 10  # at most one sweep's slack


def test_the_files_backend_drops_the_oldest_entries_first(tmp_path: Path) -> None:
    backend = FileBackend(tmp_path, max_entries=10)
    for number in range(40):
        _, mark = backend.read(f"key {number}")
        assert backend.write(f"key {number}", b"value", ["tag"], mark, 60)
        # written a second apart (the clock's granularity gives quick writes one time)
        file = tmp_path / "entries" / hashlib.sha256(f"key {number}".encode()).hexdigest()
        os.utime(file, ns=(number * 10**9, number * 10**9))
    assert entry_files(tmp_path) <= 11
    kept = [number for number in range(40) if backend.read(f"key {number}")[0] == b"value"]
    assert kept == list(range(40 - len(kept), 40)) and 39 in kept


def test_max_entries_comes_from_config_yaml(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project({"application/config.yaml": "cache: {backend: files, max_entries: 50}\n"})
    monkeypatch.delenv("JETPY_CACHE_BACKEND", raising=False)
    backend = Application(root).output_cache.backend
    assert isinstance(backend, FileBackend) and backend.max_entries == 50
    monkeypatch.setenv("JETPY_CACHE_BACKEND", "memory")
    memory = Application(root).output_cache.backend
    assert isinstance(memory, MemoryBackend) and memory.max_entries == 50


def test_a_negative_max_entries_is_a_config_error(make_project: ProjectFactory) -> None:
    """Below 0 the files backend would delete every entry it writes (and the memory one
    fail): refused when the application loads, naming the key."""
    root = make_project({"application/config.yaml": "cache: {max_entries: -5}\n"})
    with pytest.raises(DefinitionError, match=r"cache\.max_entries"):
        Application(root)
