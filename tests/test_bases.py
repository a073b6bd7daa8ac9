from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from jetpy.kernel.bases import _HOSTS_KEPT, Base, Locale, LocaleUrl, UrlMap


@pytest.mark.parametrize(
    ("text", "host", "path"),
    [
        ("/", None, "/"),
        ("/cs", None, "/cs/"),
        ("/cs/", None, "/cs/"),
        ("Example.COM/", "example.com", "/"),
        ("example.com", "example.com", "/"),
        ("https://example.com/en/", "example.com", "/en/"),
        ("//shop.example.com/cz/", "shop.example.com", "/cz/"),
    ],
)
def test_locale_url_parse(text: str, host: str | None, path: str) -> None:
    url = LocaleUrl.parse(text)
    assert (url.host, url.path) == (host, path)


def make_map(*specs: tuple[str, str, list[str]], default: str | None = None) -> UrlMap:
    bases: dict[str, Base] = {}
    for base_id, locale_name, urls in specs:
        base = bases.setdefault(
            base_id, Base(id=base_id, dir=Path("."), default=base_id == default)
        )
        base.locales[locale_name] = Locale(locale_name, base, [LocaleUrl.parse(u) for u in urls])
    return UrlMap(list(bases.values()))


def test_longest_path_wins() -> None:
    url_map = make_map(
        ("web", "en_US", ["/"]), ("web", "cs_CZ", ["/cs/"]), ("admin", "en_US", ["/admin/"])
    )
    locale, canonical, rest = url_map.match(lambda: "x", "/cs/clanky/a.html")  # type: ignore[misc]
    assert (locale.base.id, locale.name, canonical, rest) == ("web", "cs_CZ", True, "clanky/a.html")
    locale, _, rest = url_map.match(lambda: "x", "/admin/users/")  # type: ignore[misc]
    assert (locale.base.id, rest) == ("admin", "users/")
    locale, _, rest = url_map.match(lambda: "x", "/csx/")  # type: ignore[misc]
    assert (locale.name, rest) == ("en_US", "csx/")


def test_path_without_trailing_slash_matches_the_locale() -> None:
    url_map = make_map(("web", "en_US", ["/"]), ("web", "cs_CZ", ["/cs/"]))
    locale, _, rest = url_map.match(lambda: "x", "/cs")  # type: ignore[misc]
    assert (locale.name, rest) == ("cs_CZ", "")


def test_host_specific_beats_host_less_on_equal_length() -> None:
    url_map = make_map(("web", "en_US", ["/"]), ("shop", "en_US", ["shop.example.com/"]))
    assert url_map.match(lambda: "shop.example.com", "/x")[0].base.id == "shop"  # type: ignore[index]
    assert url_map.match(lambda: "shop.example.com:8080", "/x")[0].base.id == "shop"  # type: ignore[index]
    assert url_map.match(lambda: "other.example.com", "/x")[0].base.id == "web"  # type: ignore[index]


def test_longer_host_less_path_beats_shorter_host_url() -> None:
    url_map = make_map(("web", "en_US", ["shop.example.com/"]), ("admin", "en_US", ["/admin/"]))
    assert url_map.match(lambda: "shop.example.com", "/admin/x")[0].base.id == "admin"  # type: ignore[index]


def test_alias_is_not_canonical() -> None:
    url_map = make_map(("web", "en_US", ["/", "/en/"]))
    locale, canonical, rest = url_map.match(lambda: "x", "/en/a/b")  # type: ignore[misc]
    assert (locale.name, canonical, rest) == ("en_US", False, "a/b")


def test_no_match_and_default() -> None:
    url_map = make_map(("web", "en_US", ["/en/"]), ("admin", "en_US", ["/admin/"]), default="admin")
    assert url_map.match(lambda: "x", "/other/") is None
    assert url_map.default is not None and url_map.default.base.id == "admin"


@pytest.mark.parametrize(
    ("scheme", "host"),
    [
        ("http", "example.com"),
        ("http", "example.com:80"),  # the default port is left out
        ("https", "example.com:443"),
        ("https", "Example.com:8443"),
        ("http", "bad host"),  # invalid characters: werkzeug treats it as empty
        ("http", None),  # no Host header: the server's name and port
    ],
)
def test_host_of_is_the_requests_host_remembered(scheme: str, host: str | None) -> None:
    environ = EnvironBuilder(path="/", base_url=f"{scheme}://localhost:8000/").get_environ()
    if host is None:
        del environ["HTTP_HOST"]
    else:
        environ["HTTP_HOST"] = host
    url_map = UrlMap([])
    expected = Request(dict(environ)).host
    assert url_map.host_of(Request(dict(environ))) == expected
    assert url_map.host_of(Request(dict(environ))) == expected  # the second, remembered


def test_host_of_remembers_a_bounded_number_of_hosts() -> None:
    url_map = UrlMap([])
    environ = EnvironBuilder(path="/").get_environ()
    for number in range(_HOSTS_KEPT + 5):
        environ["HTTP_HOST"] = f"host{number}.example"
        assert url_map.host_of(Request(dict(environ))) == f"host{number}.example"
    assert len(url_map._hosts) <= _HOSTS_KEPT
