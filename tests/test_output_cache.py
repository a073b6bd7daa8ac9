"""The content output cache (jetpy.cache): keys, tags, expiry, visitors, backends."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
from werkzeug.test import Client

from jetpy import Application
from jetpy.cache import FileBackend, MemoryBackend, OutputCache, RedisBackend
from jetpy.cache.output import default_prefix
from jetpy.errors import DefinitionError
from jetpy.modules.events import Event
from tests.conftest import ProjectFactory

CACHED_CONTROLLERS = """
import time

from jetpy import Controller, ControllerRouter


def count(controller, name):
    controller.app.__dict__.setdefault("renders", []).append(name)


class Main(Controller):
    def get_router(self):
        router = ControllerRouter(self)
        router.add_action("page", resolver=self.resolve_page)
        router.add_action("list", resolver=lambda: self.url_path == "")
        return router

    def resolve(self):
        if self.content.action == "resolving":
            # what the output will show is read here (an article by its slug) …
            self.shown = self.app.__dict__["thing"]
            if self.app.__dict__.pop("change_after_read", False):
                # … then another worker commits a change of it and purges, before the lookup
                self.app.__dict__["thing"] = "new"
                self.app.output_cache.purge(["thing"])
            return True
        if self.content.action != "default":
            return True  # the page's action
        return super().resolve()

    def resolve_page(self):
        if self.url_path.startswith("page-"):
            self.number = int(self.url_path[5:])
            self.set_used_path(self.url_path)
            return True
        return False

    def list_action(self):
        count(self, "list")
        self.tag("thing", "thing:1")
        self.head.title = "Things"
        self.head.set_meta("description", "All things")
        self.head.add_css("/public/things.css")
        self.breadcrumb.add("All", "/things/")
        self.render("things.html", text=self.parameters.get("text", "list"))

    def page_action(self):
        count(self, f"page-{self.number}")
        self.tag("thing")
        self.render("things.html", text=f"page {self.number}")

    def visitor_action(self):
        count(self, "visitor")
        self.render("things.html", text=f"visits {self.session.get('n', 0)}")

    def racing_action(self):
        count(self, "racing")
        self.tag("thing")
        # another worker (or machine) commits a change of a thing and purges while this renders
        self.app.output_cache.purge(["thing"])
        self.render("things.html", text="racing")

    def resolving_action(self):
        count(self, "resolving")
        self.tag("thing")
        self.render("things.html", text=self.shown)

    def soon_action(self):
        count(self, "soon")
        self.expires_at(time.time() + float(self.parameters["seconds"]))
        self.render("things.html", text="soon")
"""


# a layout without embedded modules (the default one embeds test.hello's menu)
PLAIN_LAYOUT = """<!doctype html><html><head>{{ head() }}</head><body>
<main>{{ position("main") }}</main></body></html>"""


def files(cache: str = "{backend: memory}", **more: str) -> dict[str, str | None]:
    return {
        "application/config.yaml": f"cache: {cache}\n",
        "application/data/modules.yaml": "test.hello: activated\ntest.things: activated\n",
        "application/modules/test/things/manifest.yaml": "label: Things\n",
        "application/modules/test/things/controllers.py": CACHED_CONTROLLERS,
        "application/modules/test/things/views/things.html": "<p>{{ text }}</p>",
        "application/bases/web/pages/en_US/things/page.yaml": """
            title: Things
            contents:
              - module: test.things
                cacheable: true
            """,
        "application/bases/web/pages/en_US/visitor/page.yaml": """
            title: Visitor
            contents:
              - module: test.things
                action: visitor
                cacheable: true
            """,
        **more,
    }


def renders(app: Application) -> list[str]:
    """What the test module's actions rendered (not what came from the cache)."""
    found: list[str] = app.__dict__.get("renders", [])
    return found


def client_of(root: Path) -> tuple[Application, Client]:
    app = Application(root, use_cache=False)
    return app, Client(app)


def test_a_cacheable_content_is_rendered_once_and_its_page_effects_kept(
    make_project: ProjectFactory,
) -> None:
    app, client = client_of(make_project(files()))
    first = client.get("/things/").get_data(as_text=True)
    second = client.get("/things/").get_data(as_text=True)
    assert renders(app) == ["list"]
    assert first == second
    assert "<p>list</p>" in second
    assert "<title>Things | Site</title>" in second
    assert 'content="All things"' in second
    assert '<link rel="stylesheet" href="/public/things.css">' in second


def test_the_used_leftover_path_is_part_of_the_key(make_project: ProjectFactory) -> None:
    app, client = client_of(make_project(files()))
    assert "<p>page 1</p>" in client.get("/things/page-1").get_data(as_text=True)
    assert "<p>page 2</p>" in client.get("/things/page-2").get_data(as_text=True)
    assert "<p>page 1</p>" in client.get("/things/page-1").get_data(as_text=True)
    assert renders(app) == ["page-1", "page-2"]


def test_the_query_string_is_part_of_the_key(make_project: ProjectFactory) -> None:
    app, client = client_of(make_project(files()))
    client.get("/things/?sort=name")
    client.get("/things/?sort=price")
    client.get("/things/?sort=name")
    assert renders(app) == ["list", "list"]


@dataclass(frozen=True)
class ThingChanged(Event):
    event_name: ClassVar[str] = "test.thing_changed"
    cache_tags: tuple[str, ...] = ("thing:1",)


def test_an_event_purges_exactly_the_entries_with_its_tags(make_project: ProjectFactory) -> None:
    app, client = client_of(make_project(files()))
    client.get("/things/")
    client.get("/things/page-2")
    app.events.emit(ThingChanged())  # the list carries thing:1, page 2 does not
    client.get("/things/")
    client.get("/things/page-2")
    assert renders(app) == ["list", "page-2", "list"]


def test_a_data_change_purges_its_item_and_its_kind(make_project: ProjectFactory) -> None:
    from jetpy.data.changes import ItemChanged

    app, client = client_of(make_project(files()))
    client.get("/things/")
    client.get("/things/page-2")
    app.events.emit(ItemChanged(action="update", entity="Thing", entity_id="5", label="Five"))
    client.get("/things/")
    client.get("/things/page-2")
    assert renders(app) == ["list", "page-2", "list", "page-2"]


def test_output_that_used_the_session_is_never_kept(make_project: ProjectFactory) -> None:
    app, client = client_of(make_project(files()))
    client.get("/visitor/")
    client.get("/visitor/")
    assert renders(app) == ["visitor", "visitor"]


def test_forms_with_a_csrf_token_are_not_kept(make_project: ProjectFactory) -> None:
    controllers = CACHED_CONTROLLERS.replace(
        'self.render("things.html", text=f"visits',
        'self.render("form.html", text=f"visits',
    )
    app, client = client_of(
        make_project(
            files(
                **{
                    "application/modules/test/things/controllers.py": controllers,
                    "application/modules/test/things/views/form.html": (
                        '<form method="post"><input name="csrf_token" '
                        'value="{{ csrf_token() }}"></form>'
                    ),
                }
            )
        )
    )
    one = client.get("/visitor/").get_data(as_text=True)
    other = Client(app).get("/visitor/").get_data(as_text=True)  # another visitor
    assert renders(app) == ["visitor", "visitor"]
    assert 'name="csrf_token"' in one
    assert one != other  # each visitor has a token of their own


def test_output_is_not_kept_past_the_time_it_changes(make_project: ProjectFactory) -> None:
    soon = """
        title: Soon
        contents:
          - module: test.things
            action: soon
            cacheable: true
            parameters: {seconds: %s}
        """
    app, client = client_of(
        make_project(
            files(
                **{
                    "application/bases/web/pages/en_US/soon/page.yaml": soon % "0.3",
                    "application/bases/web/pages/en_US/later/page.yaml": soon % "3600",
                }
            )
        )
    )
    client.get("/soon/")
    client.get("/later/")
    client.get("/later/")
    assert renders(app) == ["soon", "soon"]
    time.sleep(0.4)
    client.get("/soon/")
    assert renders(app) == ["soon", "soon", "soon"]


@pytest.mark.parametrize("backend", ["memory", "files", "redis"])
def test_output_rendered_while_its_tag_was_purged_is_never_served(
    make_project: ProjectFactory, request: pytest.FixtureRequest, backend: str
) -> None:
    """Render started → purge → store, through the whole request: neither the content nor the
    page is kept, whatever the backend."""
    cache = f"{{backend: {backend}}}"
    if backend == "redis":
        url = request.getfixturevalue("redis_url")
        cache = f"{{backend: redis, url: '{url}', prefix: 'jetpy:test-race:{uuid.uuid4().hex}:'}}"
    racing = """
        contents:
          - module: test.things
            action: racing
            cacheable: true
        """
    root = make_project(
        files(
            cache,
            **{
                "application/bases/web/layouts/default.html": PLAIN_LAYOUT,
                "application/bases/web/pages/en_US/racing/page.yaml": racing,
            },
        )
    )
    app, client = client_of(root)
    try:
        for _ in range(3):
            assert "<p>racing</p>" in client.get("/racing/").get_data(as_text=True)
            assert "<p>racing</p>" in client.get("/racing/", headers={"Cookie": "a=b"}).text
        assert renders(app) == ["racing"] * 6  # every request rendered it again
        assert app.output_cache.lookup(page_key_of(app, "/racing/")) is None
        # the same page without the purge while rendering is kept at once
        assert "<p>list</p>" in client.get("/things/").get_data(as_text=True)
        client.get("/things/")
        assert renders(app) == ["racing"] * 6 + ["list"]
    finally:
        app.output_cache.clear()


@pytest.mark.parametrize("backend", ["memory", "files", "redis"])
def test_a_change_purged_between_resolve_and_the_lookup_is_not_kept(
    make_project: ProjectFactory, request: pytest.FixtureRequest, backend: str
) -> None:
    """Read in resolve() → purge → the content's lookup → store: the request flow takes the
    cache's mark before resolving (stages.begin_caching), so this output is not kept either."""
    cache = f"{{backend: {backend}}}"
    if backend == "redis":
        url = request.getfixturevalue("redis_url")
        cache = (
            f"{{backend: redis, url: '{url}', prefix: 'jetpy:test-resolve:{uuid.uuid4().hex}:'}}"
        )
    page = """
        contents:
          - module: test.things
            action: resolving
            cacheable: true
        """
    root = make_project(
        files(
            cache,
            **{
                "application/bases/web/layouts/default.html": PLAIN_LAYOUT,
                "application/bases/web/pages/en_US/resolving/page.yaml": page,
            },
        )
    )
    app, client = client_of(root)
    try:
        for cookie in ({}, {"Cookie": "a=b"}):  # the whole-page cache, then the content's
            app.output_cache.clear()
            app.__dict__.update(thing="old", change_after_read=True)
            assert "<p>old</p>" in client.get("/resolving/", headers=cookie).text  # right then
            assert "<p>new</p>" in client.get("/resolving/", headers=cookie).text
            assert "<p>new</p>" in client.get("/resolving/", headers=cookie).text
        assert renders(app) == ["resolving", "resolving"] * 2  # the third from the cache
    finally:
        app.output_cache.clear()


def test_without_a_backend_nothing_is_cached(make_project: ProjectFactory) -> None:
    app, client = client_of(make_project(files(cache="{backend: none}")))
    client.get("/things/")
    client.get("/things/")
    assert renders(app) == ["list", "list"]


def test_an_unknown_backend_is_a_definition_problem(make_project: ProjectFactory) -> None:
    with pytest.raises(DefinitionError, match=r"cache\.backend"):
        Application(make_project(files(cache="{backend: memcached}")), use_cache=False)
    with pytest.raises(DefinitionError, match=r"cache\.prefix.*must be text"):
        Application(make_project(files(cache="{backend: redis, prefix: [a]}")), use_cache=False)


def test_head_requests_are_answered_from_the_cache(make_project: ProjectFactory) -> None:
    app, client = client_of(make_project(files()))
    client.get("/things/")
    client.head("/things/")
    assert renders(app) == ["list"]


# backends ---------------------------------------------------------------------------------
def test_memory_backend_is_bounded_and_forgets_the_least_recently_used() -> None:
    backend = MemoryBackend(max_entries=2)
    mark = backend.read("a")[1]
    backend.write("a", b"1", [], mark, 60)
    backend.write("b", b"2", [], mark, 60)
    assert backend.read("a")[0] == b"1"  # now b is the least recently used
    backend.write("c", b"3", [], mark, 60)
    found = [backend.read(key)[0] for key in "abc"]
    assert found == [b"1", None, b"3"]


def check_backend(one: OutputCache, other: OutputCache) -> None:
    """`other` shares `one`'s store (another worker): it sees entries and purges."""
    assert one.lookup("key") is None  # the miss before the render
    assert one.store("key", {"html": "<p>x</p>"}, ["article:8"])
    found = other.lookup("key")
    assert found is not None and found["html"] == "<p>x</p>"
    assert other.lookup("missing") is None
    other.purge(["article:9"])
    assert one.lookup("key") is not None
    other.purge(["article:8"])
    assert one.lookup("key") is None
    assert other.lookup("key") is None


def check_render_purge_store(one: OutputCache, other: OutputCache) -> None:
    """Render started → purge (on another worker) → store: the entry is never served."""
    assert one.lookup("late") is None  # the miss: the render starts after it
    other.purge(["article:8"])  # a change committed while it rendered
    assert not one.store("late", {"html": "old"}, ["article:8", "definitions"])
    assert one.lookup("late") is None and other.lookup("late") is None
    # rendered after the purge: kept
    assert one.store("late", {"html": "new"}, ["article:8", "definitions"])
    found = other.lookup("late")
    assert found is not None and found["html"] == "new"
    # a purge of another tag while it rendered does not matter
    assert other.lookup("other") is None
    one.purge(["article:9"])
    assert other.store("other", {"html": "x"}, ["article:8"])
    # nothing is kept without the lookup that missed before the render
    assert not one.store("unseen", {"html": "x"}, ["article:8"])
    assert one.lookup("unseen") is None


def check_clocks_do_not_matter(
    one: OutputCache, other: OutputCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The purging machine's clock an hour behind (or ahead): the stale entry is still refused."""
    real = time.time
    for skew in (-3600.0, 3600.0):
        assert one.lookup(f"skew{skew}") is None
        with monkeypatch.context() as patch:
            patch.setattr(time, "time", lambda skew=skew: real() + skew)
            other.purge(["article:8"])
        assert not one.store(f"skew{skew}", {"html": "old"}, ["article:8"])
        assert other.lookup(f"skew{skew}") is None


def check_begin(one: OutputCache, other: OutputCache) -> None:
    """Read in resolve() → purge → the content's lookup → store: with begin() before the read,
    not kept either (the lookup's own mark would already count that purge)."""
    one.begin()  # the request starts; resolve() reads the article
    other.purge(["article:8"])  # its change is committed and purged meanwhile
    assert one.lookup("resolved") is None
    assert not one.store("resolved", {"html": "old"}, ["article:8"])
    assert other.lookup("resolved") is None
    one.begin()  # the next request reads the new article
    assert one.lookup("resolved") is None
    assert one.store("resolved", {"html": "new"}, ["article:8"])
    found = other.lookup("resolved")
    assert found is not None and found["html"] == "new"


def check_all(one: OutputCache, other: OutputCache, monkeypatch: pytest.MonkeyPatch) -> None:
    check_backend(one, other)
    check_render_purge_store(one, other)
    check_clocks_do_not_matter(one, other, monkeypatch)
    check_begin(one, other)  # last: begin() holds for this thread's later stores


def test_file_backend_is_shared_by_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_all(
        OutputCache(FileBackend(tmp_path / "cache")),
        OutputCache(FileBackend(tmp_path / "cache")),
        monkeypatch,
    )


def test_memory_backend_purges(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = OutputCache(MemoryBackend())
    check_all(cache, cache, monkeypatch)


def test_a_clear_while_rendering_keeps_nothing_rendered_before_it(tmp_path: Path) -> None:
    for cache in (OutputCache(MemoryBackend()), OutputCache(FileBackend(tmp_path / "cache"))):
        assert cache.lookup("key") is None
        cache.clear()
        assert not cache.store("key", {"html": "old"}, ["article:8"])
        assert cache.lookup("key") is None
        assert cache.store("key", {"html": "new"}, ["article:8"])
        assert cache.lookup("key") is not None


@pytest.fixture
def redis_pair(redis_url: str) -> Iterator[tuple[OutputCache, OutputCache]]:
    prefix = f"jetpy:test-cache:{uuid.uuid4().hex}:"
    one = RedisBackend(redis_url, prefix=prefix)
    try:
        yield OutputCache(one), OutputCache(RedisBackend(redis_url, prefix=prefix))
    finally:
        one.clear()


def test_redis_backend_is_shared_by_machines(
    redis_pair: tuple[OutputCache, OutputCache], monkeypatch: pytest.MonkeyPatch
) -> None:
    check_all(*redis_pair, monkeypatch)


def test_a_redis_hit_is_one_round_trip_and_parsed_once(
    redis_pair: tuple[OutputCache, OutputCache], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, other = redis_pair
    backend = one.backend
    assert isinstance(backend, RedisBackend)
    assert one.lookup("key") is None
    assert one.store("key", {"html": "<p>x</p>"}, ["article:8", "definitions", "module:a"])
    assert one.lookup("key") is not None  # parsed here
    commands: list[object] = []
    send = backend.client.execute_command
    monkeypatch.setattr(
        backend.client, "execute_command", lambda *a, **k: commands.append(a[0]) or send(*a, **k)
    )
    parsed: list[object] = []
    loads = json.loads
    monkeypatch.setattr(json, "loads", lambda *a, **k: parsed.append(a) or loads(*a, **k))
    found = one.lookup("key")
    assert found is not None and found["html"] == "<p>x</p>"
    assert commands == ["EVALSHA"] and parsed == []
    other.purge(["module:a"])
    assert one.lookup("key") is None and commands == ["EVALSHA", "EVALSHA"]


def test_redis_entries_of_a_lost_tag_hash_are_stale(
    redis_pair: tuple[OutputCache, OutputCache],
) -> None:
    """The tag hash evicted (or flushed) and purges starting again from one: no entry written
    before is served, whatever its mark."""
    one, other = redis_pair
    backend = one.backend
    assert isinstance(backend, RedisBackend)
    for _ in range(3):
        one.purge(["article:1"])
    assert one.lookup("key") is None
    assert one.store("key", {"html": "x"}, ["article:8"])
    backend.client.delete(backend.tags_key)
    assert one.lookup("key") is None
    other.purge(["article:8"])  # a new hash, generations from 1 again (below the entry's 3)
    assert one.lookup("key") is None
    assert one.store("key", {"html": "y"}, ["article:8"])  # after the lookup that missed
    found = other.lookup("key")
    assert found is not None and found["html"] == "y"


def test_a_site_without_a_prefix_gets_one_of_its_own(make_project: ProjectFactory) -> None:
    assert default_prefix(("new", "old")) == default_prefix(("newer", "old"))
    assert default_prefix(("old",)) != default_prefix(("other",))
    assert default_prefix(("old",)).startswith("jetpy:cache:")


def test_the_prefix_comes_from_config_yaml_or_the_environment(
    make_project: ProjectFactory, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(files(cache=f"{{backend: redis, url: '{redis_url}', prefix: 'shop:c:'}}"))
    backend = Application(root, use_cache=False).output_cache.backend
    assert isinstance(backend, RedisBackend) and backend.prefix == "shop:c:"
    monkeypatch.setenv("JETPY_CACHE_PREFIX", "env:c:")
    backend = Application(root, use_cache=False).output_cache.backend
    assert isinstance(backend, RedisBackend) and backend.prefix == "env:c:"
    monkeypatch.delenv("JETPY_CACHE_PREFIX")
    root = make_project(files(cache=f"{{backend: redis, url: '{redis_url}'}}"))
    app = Application(root, use_cache=False)
    assert isinstance(app.output_cache.backend, RedisBackend)
    assert app.output_cache.backend.prefix == default_prefix(app.secret_keys)


def test_files_backend_from_config(make_project: ProjectFactory) -> None:
    root = make_project(files(cache="{backend: files}"))
    app, client = client_of(root)
    client.get("/things/")
    _, other = client_of(root)  # a second worker
    other.get("/things/")
    assert renders(app) == ["list"]
    assert (root / "application/data/cache/output/entries").is_dir()


# HTTP caching -------------------------------------------------------------------------------
def test_a_cacheable_page_has_an_etag_and_answers_304(make_project: ProjectFactory) -> None:
    layout = {"application/bases/web/layouts/default.html": PLAIN_LAYOUT}
    _app, client = client_of(make_project(files("{backend: memory, http_max_age: 120}", **layout)))
    page = client.get("/things/")
    etag = page.headers["ETag"]
    assert page.headers["Cache-Control"] == "public, max-age=120"
    assert page.headers["Vary"] == "Cookie"
    again = client.get("/things/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag and "Content-Type" not in again.headers
    other = client.get("/things/page-2", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


def test_a_page_that_read_the_session_is_private(make_project: ProjectFactory) -> None:
    _app, client = client_of(make_project(files()))
    page = client.get("/visitor/")
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in page.headers
    assert "Vary" in page.headers


def test_a_page_with_uncacheable_contents_gets_no_public_caching(
    make_project: ProjectFactory,
) -> None:
    _app, client = client_of(make_project(files()))
    page = client.get("/")  # test.hello is not cacheable
    assert "ETag" not in page.headers
    assert "public" not in page.headers.get("Cache-Control", "")


def test_a_cache_control_in_page_yaml_wins(make_project: ProjectFactory) -> None:
    page_yaml = """
        title: Things
        http_headers: {Cache-Control: "public, max-age=5"}
        contents:
          - module: test.things
            cacheable: true
        """
    root = make_project(files(**{"application/bases/web/pages/en_US/things/page.yaml": page_yaml}))
    _app, client = client_of(root)
    assert client.get("/things/").headers["Cache-Control"] == "public, max-age=5"


# the page cache -------------------------------------------------------------------------------
def test_a_page_of_cached_contents_is_kept_whole_for_visitors_without_cookies(
    make_project: ProjectFactory,
) -> None:
    app, client = client_of(
        make_project(files(**{"application/bases/web/layouts/default.html": PLAIN_LAYOUT}))
    )
    first = client.get("/things/")
    assert app.output_cache.lookup(page_key_of(app, "/things/")) is not None
    second = client.get("/things/")
    assert second.get_data() == first.get_data() and second.headers["ETag"] == first.headers["ETag"]
    assert (
        client.get("/things/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    )
    app.events.emit(ThingChanged())
    assert app.output_cache.lookup(page_key_of(app, "/things/")) is None
    client.get("/things/")
    assert renders(app) == ["list", "list"]
    client.set_cookie("other", "1")  # a visitor with cookies: the page is made (contents cached)
    assert client.get("/things/").status_code == 200


def test_an_embedded_module_that_is_not_cacheable_keeps_the_page_out(
    make_project: ProjectFactory,
) -> None:
    app, client = client_of(make_project(files()))  # the layout embeds test.hello's menu
    client.get("/things/")
    assert app.output_cache.lookup(page_key_of(app, "/things/")) is None


def page_key_of(app: Application, path: str) -> str:
    return app.output_cache.key(("page", "http", "localhost", path, ""))


def test_a_page_not_kept_is_not_looked_up_again(make_project: ProjectFactory) -> None:
    app, client = client_of(make_project(files()))  # "/": test.hello is not cacheable
    asked: list[str] = []
    backend = app.output_cache.backend
    assert backend is not None
    read = backend.read
    backend.read = lambda key: asked.append(key) or read(key)  # type: ignore[method-assign]
    first = client.get("/").get_data()
    assert page_key_of(app, "/") in asked
    asked.clear()
    assert client.get("/").get_data() == first
    assert page_key_of(app, "/") not in asked  # rendered, without a look at the page cache
    assert ("http", "localhost", "/", "") in app.unkept_pages


def test_a_page_kept_after_all_leaves_the_list_of_pages_not_kept(
    make_project: ProjectFactory,
) -> None:
    app, client = client_of(
        make_project(files(**{"application/bases/web/layouts/default.html": PLAIN_LAYOUT}))
    )
    app.unkept_pages.add(("http", "localhost", "/things/", ""))  # e.g. not cacheable a moment ago
    first = client.get("/things/")  # rendered: cacheable now, so off the list
    assert ("http", "localhost", "/things/", "") not in app.unkept_pages
    # not kept yet: there was no lookup before its render, so no mark to keep it with (a
    # purge while it rendered could not be told); its next request looks it up and keeps it
    assert client.get("/things/").get_data() == first.get_data()
    assert app.output_cache.lookup(page_key_of(app, "/things/")) is not None
    assert client.get("/things/").get_data() == first.get_data()
    assert renders(app) == ["list"]  # the content from its cache, then the page's
