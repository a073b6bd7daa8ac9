"""What each list of the example admin says while it has nothing in it: its own items by
name, in the admin's language (jetpy's grid says "Nothing here yet." when a grid is silent),
and the Add button where the user may add."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from werkzeug.test import Client

from tests.conftest import example_with_admins, signed_in

# list URL (the same slug in both admin locales) → what it says in English and in Czech
EMPTY = {
    "articles": ("No articles yet.", "Zatím tu nejsou žádné články."),
    "products": ("No products yet.", "Zatím tu nejsou žádné produkty."),
    "categories": ("No categories yet.", "Zatím tu nejsou žádné kategorie."),
    "pricelists": ("No price lists yet.", "Zatím tu nejsou žádné ceníky."),
    "redirects": ("No redirects yet.", "Zatím tu nejsou žádná přesměrování."),
    "audit": ("Nothing has been recorded yet.", "Zatím se nic nezaznamenalo."),
    "api-users": ("No API users yet.", "Zatím tu nejsou žádní uživatelé API."),
    "api-roles": ("No API roles yet.", "Zatím tu nejsou žádné role API."),
    "roles": ("No roles yet.", "Zatím tu nejsou žádné role."),
}
# the administrators list is never empty while someone is signed in ("No administrators
# yet." is in application/modules/admin/auth/users, translated like these)


@pytest.fixture
def boss(db_url: str, example_model: type) -> Iterator[Client]:
    """The example's tables with nothing in them but one superuser, signed in."""
    with example_with_admins(db_url, example_model) as app:
        yield signed_in(app, "boss")


def empty_state(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    found = re.search(
        r'<div class="grid-empty">(.*?)</div>\s*</div>', page.get_data(as_text=True), re.S
    )
    assert found is not None, f"{url} shows no empty state"
    return found.group(1)


@pytest.mark.parametrize("slug", list(EMPTY))
def test_an_empty_list_names_its_items_in_the_admins_language(boss: Client, slug: str) -> None:
    english, czech = EMPTY[slug]
    said = empty_state(boss, f"/admin/{slug}/")
    assert english in said and "Nothing here yet." not in said
    assert czech in empty_state(boss, f"/admin/cs/{slug}/")
    if slug != "audit":  # the audit log is written by the application, never added to
        assert f'href="/admin/{slug}/?add"' in said
        assert f'href="/admin/cs/{slug}/?add"' in empty_state(boss, f"/admin/cs/{slug}/")
