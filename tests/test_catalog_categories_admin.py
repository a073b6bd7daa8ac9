"""Module catalog.categories.admin: the category tree's grid and forms at /admin/categories/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.test import Client, TestResponse

from application.classes import search
from application.classes.catalog import Category, CategoryText, Product
from jetpy import Application
from tests.conftest import csrf_token_in as token_of
from tests.conftest import log_in
from tests.test_catalog_products_admin import a_hammer, app, boss

__all__ = ["app", "boss"]  # fixtures

URL = "/admin/categories/"
XSS = "<script>alert(1)</script>"


def form_data(token: str, **values: str) -> dict[str, str]:
    data = {"csrf_token": token, "parent": "", "position": "0"}
    for locale in ("en_US", "cs_CZ"):
        data |= {f"name_{locale}": "", f"slug_{locale}": "", f"description_{locale}": ""}
    return data | values


def add(client: Client, **values: str) -> TestResponse:
    token = token_of(client.get(URL + "?add"))
    return client.post(URL + "?add", data=form_data(token, **values))


def edit(client: Client, id: int, **values: str) -> TestResponse:
    token = token_of(client.get(f"{URL}?edit={id}"))
    return client.post(f"{URL}?edit={id}", data=form_data(token, **values))


def id_of(app: Application, slug: str) -> int:
    with app.db.session() as db:
        found = db.scalar(select(CategoryText.category_id).where(CategoryText.slug == slug))
        assert found is not None, slug
        return found


def rows_of(response: TestResponse) -> str:
    """The grid's rows (the filter's options name the categories too)."""
    text = response.get_data(as_text=True)
    return text[text.index("<tbody") : text.index("</tbody>")]


def parent_of(app: Application, id: int) -> int | None:
    with app.db.session() as db:
        category = db.get(Category, id)
        assert category is not None
        return category.parent_id


@pytest.fixture
def tree(app: Application, boss: Client) -> Iterator[dict[str, int]]:
    """Tools (from the app fixture) / Hand tools / Saws, and Garden at the top."""
    tools = id_of(app, "tools")
    answers = [
        add(boss, name_en_US="Hand tools", name_cs_CZ="Ruční nářadí", parent=str(tools)),
        add(boss, name_en_US="Garden", name_cs_CZ="Zahrada", position="5"),
    ]
    answers.append(add(boss, name_en_US="Saws", parent=str(id_of(app, "hand-tools"))))
    assert [a.status_code for a in answers] == [303, 303, 303]
    yield {slug: id_of(app, slug) for slug in ("tools", "hand-tools", "saws", "garden")}


def test_add_makes_slugs_and_the_grid_shows_the_tree_in_order(
    app: Application, boss: Client, tree: dict[str, int]
) -> None:
    with app.db.session() as db:
        texts = {(t.locale, t.slug) for t in db.scalars(select(CategoryText))}
    assert ("cs_CZ", "rucni-naradi") in texts and ("en_US", "saws") in texts
    assert ("cs_CZ", "saws") not in texts  # no Czech name: no Czech text
    page = rows_of(boss.get(URL))
    # parents before their children, siblings by their order (Tools 0, Garden 5)
    assert page.index("Tools") < page.index("Hand tools") < page.index("Saws")
    assert page.index("Saws") < page.index("Garden")
    assert "Tools / Hand tools" in page  # the parent column of Saws
    assert 'class="tree-depth"' in page
    backwards = rows_of(boss.get(URL + "?sort=-position"))
    assert backwards.index("Garden") < backwards.index("Saws") < backwards.index("Hand tools")
    found = rows_of(boss.get(URL + "?q=saw"))
    assert "Saws" in found and "Garden" not in found
    top = rows_of(boss.get(URL + "?parent=top"))
    assert "Garden" in top and "Saws" not in top
    csv = boss.get(URL + "?export=csv").get_data(as_text=True)
    assert "Hand tools" in csv and "Tools / Hand tools" in csv
    czech = boss.get("/admin/cs/categories/").get_data(as_text=True)
    assert "Ruční nářadí" in czech and "Nadřazená kategorie" in czech


def test_edit_moves_and_renames_and_the_public_site_follows(
    app: Application, boss: Client, tree: dict[str, int]
) -> None:
    public = Client(app)
    assert public.get("/products/tools/hand-tools/saws").status_code == 200
    answer = edit(
        boss,
        tree["hand-tools"],
        name_en_US="Power tools",
        slug_en_US="power-tools",
        name_cs_CZ="Elektronářadí",
        parent=str(tree["garden"]),
        position="2",
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert parent_of(app, tree["hand-tools"]) == tree["garden"]
    page = public.get("/products/garden/power-tools")
    assert page.status_code == 200 and "Power tools" in page.get_data(as_text=True)
    # the old path answers 301, for the category and those below it, page and query kept
    old = public.get("/products/tools/hand-tools/saws/page-2?sort=price")
    assert old.status_code == 301
    assert old.headers["Location"].endswith("/products/garden/power-tools/saws/page-2?sort=price")
    assert (
        public.get("/products/tools/hand-tools")
        .headers["Location"]
        .endswith("/products/garden/power-tools")
    )
    # a path the tree never had (the new parent with the old slug): 404, no redirect
    assert public.get("/products/garden/hand-tools").status_code == 404
    assert public.get("/products/nothing/hand-tools").status_code == 404


def test_a_parent_inside_the_category_is_refused(
    app: Application, boss: Client, tree: dict[str, int]
) -> None:
    for parent in (tree["tools"], tree["saws"]):  # itself, and a category two levels below
        answer = edit(boss, tree["tools"], name_en_US="Tools", parent=str(parent))
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200
        assert "is this category or below it; a category cannot be placed inside itself" in text
    assert parent_of(app, tree["tools"]) is None
    form = boss.get(f"{URL}?edit={tree['tools']}").get_data(as_text=True)
    assert f'value="{tree["saws"]}"' not in form and f'value="{tree["garden"]}"' in form
    for bad in ("999999", "x", "-1"):
        answer = edit(boss, tree["saws"], name_en_US="Saws", parent=bad)
        assert "There is no such category; choose one from the list." in answer.get_data(
            as_text=True
        )


def test_bad_input_is_a_field_error(app: Application, boss: Client, tree: dict[str, int]) -> None:
    def errors(**values: str) -> str:
        answer = add(boss, **values)
        assert answer.status_code == 200, values
        return answer.get_data(as_text=True)

    assert "Another item of this locale has this slug; use another, e.g. garden-2." in errors(
        name_en_US="Yard", slug_en_US="garden"
    )
    assert "e.g. big-saws" in errors(name_en_US="Big saws", slug_en_US="Big Saws!")
    assert "Give the category a name in at least one locale." in errors()
    assert "Give a name, or leave every field of this locale empty." in errors(
        name_en_US="Yard", slug_cs_CZ="dvur"
    )
    assert "write the slug" in errors(name_en_US="!!!")
    assert "Number must be between 0 and 99999." in errors(name_en_US="Yard", position="-3")
    assert "Not a valid integer value." in errors(name_en_US="Yard", position="many")
    assert "Cannot be longer than 200 characters." in errors(name_en_US="x" * 201)
    # the same slug in another locale is fine, and the name of the other locale is free
    assert add(boss, name_en_US="Yard", name_cs_CZ="Garden", slug_cs_CZ="garden").status_code == 303
    # escaped everywhere
    assert add(boss, name_en_US=XSS, slug_en_US="xss").status_code == 303
    page = boss.get(URL).get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;" in page
    # a form without its CSRF token changes nothing
    answer = boss.post(URL + "?add", data=form_data("forged", name_en_US="Forged"))
    assert answer.status_code == 400
    assert boss.get(URL + "?edit=abc").status_code == 404
    assert boss.get(URL + "?view=99999").status_code == 404


def test_delete_is_refused_while_the_category_holds_products_or_subcategories(
    app: Application, boss: Client, tree: dict[str, int]
) -> None:
    assert a_hammer(boss, app, category=str(tree["saws"])).status_code == 303
    for slug, message in [
        ("hand-tools", "Hand tools still holds 0 products and 1 subcategories"),
        ("saws", "Saws still holds 1 products and 0 subcategories"),
    ]:
        url = f"{URL}?delete={tree[slug]}"
        assert message in boss.get(url, follow_redirects=True).get_data(as_text=True)
        token = token_of(boss.get(f"{URL}?edit={tree[slug]}"))
        answer = boss.post(url, data={"csrf_token": token}, follow_redirects=True)
        assert message in answer.get_data(as_text=True)
    with app.db.session() as db:
        assert db.get(Category, tree["saws"]) is not None
        db.get(Product, db.scalar(select(Product.id))).category_id = None  # type: ignore[union-attr]
        db.commit()
    url = f"{URL}?delete={tree['saws']}"
    answer = boss.post(url, data={"csrf_token": token_of(boss.get(url))}, follow_redirects=True)
    assert "Deleted Saws." in answer.get_data(as_text=True)
    with app.db.session() as db:
        assert db.get(Category, tree["saws"]) is None
        assert db.scalar(select(CategoryText).where(CategoryText.slug == "saws")) is None


def test_acl_a_clerk_without_the_privileges_gets_403(
    app: Application, tree: dict[str, int]
) -> None:
    clerk = Client(app)
    assert log_in(clerk, "clerk", url="/admin/products/").status_code == 303
    for url in (URL, URL + "?add", f"{URL}?edit={tree['tools']}", f"{URL}?delete={tree['saws']}"):
        assert clerk.get(url).status_code == 403, url
    answer = clerk.post(URL + "?add", data=form_data("x", name_en_US="Sneaky"))
    assert answer.status_code in (400, 403)
    with app.db.session() as db:
        assert db.scalar(select(CategoryText).where(CategoryText.name == "Sneaky")) is None
    assert "/admin/categories/" not in clerk.get("/admin/products/").get_data(as_text=True)


def test_history_lists_the_changes(app: Application, boss: Client, tree: dict[str, int]) -> None:
    assert edit(boss, tree["garden"], name_en_US="Yard", slug_en_US="garden").status_code == 303
    page = boss.get(f"{URL}?history={tree['garden']}").get_data(as_text=True)
    assert "Yard" in page


def test_a_product_is_found_by_its_categories_names_and_follows_their_changes(
    app: Application, boss: Client, tree: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert a_hammer(boss, app, category=str(tree["saws"])).status_code == 303
    visitor = Client(app)

    def found(query: str) -> bool:
        answer = visitor.get("/search/", query_string={"q": query})
        assert answer.status_code == 200
        return "Claw hammer" in answer.get_data(as_text=True)

    # its category and those above it, none of which is in its name or description
    assert found("saws") and found("hand tools") and found("tools")
    assert not found("garden")
    renamed = edit(boss, tree["hand-tools"], name_en_US="Bench tools", parent=str(tree["tools"]))
    assert renamed.status_code == 303
    assert found("bench") and not found("hand")
    # a new position or description changes no product's document: nothing is indexed again
    calls: list[object] = []
    monkeypatch.setattr(search, "reindex_items", lambda *args: calls.append(args))
    changed = edit(
        boss,
        tree["hand-tools"],
        name_en_US="Bench tools",
        parent=str(tree["tools"]),
        position="3",
        description_en_US="For the bench.",
    )
    assert changed.status_code == 303 and calls == [] and found("bench")
    monkeypatch.undo()
    moved = edit(boss, tree["saws"], name_en_US="Saws", parent=str(tree["garden"]))
    assert moved.status_code == 303
    assert found("garden saws") and not found("bench") and not found("tools")
