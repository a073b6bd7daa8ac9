"""Flash messages: kept in the session after a POST, shown once by the page after the redirect."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from werkzeug.test import Client

from jetpy import Application
from jetpy.kernel import flash
from jetpy.kernel.sessions import Session
from tests.conftest import ProjectFactory

CONTROLLERS = """
from werkzeug.utils import redirect

from jetpy import Controller


class Main(Controller):
    def default_action(self):
        if self.request.method == "POST":
            self.flash("Saved <b>" + self.request.form["name"] + "</b>.")
            self.flash("Check the price.", category="warning")
            return redirect(self.page.url(), 303)
        self.render("form.html")

    def hop_action(self):
        return redirect(self.page.url(), 302)  # a redirect whose page shows nothing yet
"""

LAYOUT = """<main>{% for m in flashes() %}<p class="flash-{{ m.category }}">{{ m }}</p>{% endfor %}
{{ position("main") }}</main>"""

FILES = {
    "application/bases/web/layouts/default.html": LAYOUT,
    "application/modules/test/notes/manifest.yaml": "label: Notes\n",
    "application/modules/test/notes/controllers.py": CONTROLLERS,
    "application/modules/test/notes/views/form.html": (
        '<form method="post"><input name="csrf_token" value="{{ csrf_token() }}"></form>'
    ),
    "application/bases/web/pages/en_US/notes/page.yaml": "contents:\n  - module: test.notes\n",
    "application/bases/web/pages/en_US/hop/page.yaml": (
        "contents:\n  - {module: test.notes, action: hop}\n"
    ),
    "application/data/modules.yaml": "test.hello: activated\ntest.notes: activated\n",
}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(make_project: ProjectFactory) -> Client:
    return Client(Application(make_project(FILES), use_cache=False))


def post(client: Client, name: str) -> str:
    found = TOKEN.search(client.get("/notes/").get_data(as_text=True))
    assert found is not None
    response = client.post("/notes/", data={"csrf_token": found.group(1), "name": name})
    assert response.status_code == 303
    return str(response.headers["Location"])


def test_a_flash_survives_the_redirect_and_is_shown_once(client: Client) -> None:
    location = post(client, "Tea")
    shown = client.get(location).get_data(as_text=True)
    assert (
        '<p class="flash-success">Saved &lt;b&gt;Tea&lt;/b&gt;.</p>'
        '<p class="flash-warning">Check the price.</p>'
    ) in shown
    assert "flash-" not in client.get(location).get_data(as_text=True)


def test_a_flash_waits_until_a_page_shows_it(client: Client) -> None:
    post(client, "Tea")
    assert client.get("/hop/").status_code == 302  # no page rendered: nothing is used up
    assert "Saved &lt;b&gt;Tea" in client.get("/notes/").get_data(as_text=True)


def test_flashes_are_per_visitor(client: Client) -> None:
    post(client, "Tea")
    other = Client(client.application)
    assert "flash-" not in other.get("/notes/").get_data(as_text=True)


def test_a_page_showing_no_flash_sets_no_cookie(client: Client) -> None:
    assert client.get("/").headers.getlist("Set-Cookie") == []


def context(session: Session) -> Any:
    """A stand-in request context: just what jetpy.kernel.flash touches."""
    request = SimpleNamespace(cookies={"jetpy_session_web": "…"})
    return SimpleNamespace(session=session, loaded_session=session, request=request)


def test_flashes_are_kept_in_the_session_in_order() -> None:
    session = Session()
    ctx = context(session)
    flash.add(ctx, "One.", "info")
    flash.add(ctx, "Two.", "error")
    assert session["_flashes"] == [["info", "One."], ["error", "Two."]]
    assert flash.pop_all(ctx) == [flash.Flash("One.", "info"), flash.Flash("Two.", "error")]
    assert "_flashes" not in session
    assert flash.pop_all(ctx) == []


def test_an_unknown_category_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match="use one of success, error, info, warning"):
        flash.add(context(Session()), "Hm.", "danger")


def test_a_damaged_flash_list_is_ignored() -> None:
    session = Session({"_flashes": [["success", "Kept."], ["bogus", "x"], "text", [1, 2]]})
    assert flash.pop_all(context(session)) == [flash.Flash("Kept.", "success")]
