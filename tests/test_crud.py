"""CRUD controllers (jetpy.web.crud): actions by query parameters, forms, 404s, ACL, CSRF."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from werkzeug.test import Client, TestResponse

from jetpy import Application, JetpyError
from tests.conftest import ProjectFactory
from tests.test_grid import BOOKS, books, books_app, ids_of, stored, titles, token_of

__all__ = ["books", "books_app"]  # fixtures shared with test_grid

PAGES = ["/admin-books/", "/jetpy-form-books/"]  # a plain WTForms form, a jetpy.web.forms.Form


def book(app: Application, title: str) -> tuple[str, str, int, str] | None:
    from application.classes.books import Book

    with app.db.session() as session:
        found = session.scalar(select(Book).where(Book.title == title))
        return None if found is None else (found.title, found.author, found.pages, found.status)


def text(response: TestResponse) -> str:
    return html.unescape(response.get_data(as_text=True))


def links(response: TestResponse) -> list[str]:
    return [
        html.unescape(link)
        for link in re.findall(r'href="([^"]+)"', response.get_data(as_text=True))
    ]


# the list -----------------------------------------------------------------------------------
def test_the_list_is_a_grid_with_links_to_every_action(
    books_app: Application, books: Client
) -> None:
    response = books.get("/admin-books/")
    assert response.status_code == 200
    assert titles(response) == sorted(title for title, *_ in BOOKS)[:10]
    (first,) = ids_of(books_app, titles(response)[0])
    found = links(response)
    assert "/admin-books/?add" in found
    for action in ("view", "edit", "delete"):
        assert f"/admin-books/?{action}={first}" in found


def empty_state(response: TestResponse) -> str:
    """The grid's empty state (what an empty list says and offers)."""
    found = re.search(r'<div class="grid-empty">(.*?)</div>\s*</div>', text(response), re.S)
    assert found is not None, "the list shows no empty state"
    return found.group(1)


def test_an_empty_list_offers_add_only_to_a_user_who_may_add(
    books_app: Application, books: Client
) -> None:
    from application.classes.books import Book

    with books_app.db.session() as session:
        session.execute(delete(Book))
        session.commit()
    offered = empty_state(books.get("/admin-books/"))
    assert "Nothing here yet." in offered
    assert re.search(r'<a class="button primary" href="/admin-books/\?add">Add</a>', offered)
    refused = empty_state(books.get("/admin-books/", headers={"X-Refuse": "add"}))
    assert "Nothing here yet." in refused
    assert "?add" not in refused
    # a search that finds nothing offers to reset it, not to add
    searched = empty_state(books.get("/admin-books/", query_string={"q": "nothing like it"}))
    assert "Nothing found." in searched
    assert "?add" not in searched


def test_a_page_without_an_action_parameter_and_a_leftover_path_is_404(books: Client) -> None:
    assert books.get("/admin-books/extra").status_code == 404


# add and edit ------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_add(books_app: Application, books: Client, page: str) -> None:
    form_page = books.get(page + "?add")
    assert form_page.status_code == 200
    assert 'name="title"' in form_page.get_data(as_text=True)
    token = token_of(form_page)
    data = {"title": "New <b>book</b>", "author": "Ann", "pages": "12", "status": "live"}
    assert books.post(page + "?add", data=data).status_code == 400  # no CSRF token
    assert book(books_app, "New <b>book</b>") is None
    invalid = books.post(
        page + "?add", data={**data, "title": "", "pages": "0", "csrf_token": token}
    )
    assert invalid.status_code == 200
    assert "This field is required." in text(invalid)
    assert book(books_app, "") is None and len(stored(books_app)) == len(BOOKS)
    done = books.post(page + "?add", data={**data, "csrf_token": token})
    assert done.status_code == 303
    assert done.headers["Location"] == page
    assert book(books_app, "New <b>book</b>") == ("New <b>book</b>", "Ann", 12, "live")
    after = books.get(page).get_data(as_text=True)
    assert '<p class="flash">Added New &lt;b&gt;book&lt;/b&gt;.</p>' in after


@pytest.mark.parametrize("page", PAGES)
def test_the_form_has_save_and_a_cancel_link_back_to_the_list(
    books_app: Application, books: Client, page: str
) -> None:
    (id,) = ids_of(books_app, "Book 07")
    for action in ("?add", f"?edit={id}"):
        form = books.get(page + action).get_data(as_text=True)
        actions = form.split('form-actions">')[1].split("</div>")[0]
        assert re.search(
            r'<button class="button primary" type="submit"[^>]*>Save</button>', actions
        )
        assert f'<a class="button quiet" href="{page}">Cancel</a>' in actions


@pytest.mark.parametrize("page", PAGES)
def test_edit(books_app: Application, books: Client, page: str) -> None:
    (id,) = ids_of(books_app, "Book 07")
    form_page = books.get(f"{page}?edit={id}")
    assert form_page.status_code == 200
    assert 'value="Book 07"' in form_page.get_data(as_text=True)
    data = {"title": "Book 07, revised", "author": "Zed", "pages": "700", "status": "live"}
    done = books.post(f"{page}?edit={id}", data={**data, "csrf_token": token_of(form_page)})
    assert done.status_code == 303
    assert book(books_app, "Book 07") is None
    assert book(books_app, "Book 07, revised") == ("Book 07, revised", "Zed", 700, "live")
    assert "Saved Book 07, revised." in text(books.get(page))


def test_view_shows_the_item(books_app: Application, books: Client) -> None:
    (id,) = ids_of(books_app, "<script>alert(1)</script>")
    response = books.get(f"/admin-books/?view={id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<dt>Author</dt><dd>Eve</dd>" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert" not in body
    assert f"/admin-books/?edit={id}" in links(response)


# delete ------------------------------------------------------------------------------------------
def test_delete_asks_first_then_needs_a_post_with_csrf(
    books_app: Application, books: Client
) -> None:
    (id,) = ids_of(books_app, "Book 03")
    confirm = books.get(f"/admin-books/?delete={id}")
    assert confirm.status_code == 200
    assert "Delete Book 03?" in text(confirm)
    assert book(books_app, "Book 03") is not None  # asking deletes nothing
    assert books.post(f"/admin-books/?delete={id}").status_code == 400
    assert (
        books.post(f"/admin-books/?delete={id}", data={"csrf_token": "x" * 43}).status_code == 400
    )
    assert book(books_app, "Book 03") is not None
    done = books.post(f"/admin-books/?delete={id}", data={"csrf_token": token_of(confirm)})
    assert done.status_code == 303
    assert book(books_app, "Book 03") is None
    assert "Deleted Book 03." in text(books.get("/admin-books/"))


# bad ids and ACL ------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["view", "edit", "delete"])
@pytest.mark.parametrize("id", ["999999", "0", "abc", "", "-1", "1.0", "9" * 30, "1' OR '1'='1"])
def test_unknown_or_malformed_ids_are_404(books: Client, action: str, id: str) -> None:
    assert books.get("/admin-books/", query_string={action: id}).status_code == 404


def test_a_user_who_may_not_delete_sees_no_delete_link_and_gets_403(
    books_app: Application, books: Client
) -> None:
    refuse = {"X-Refuse": "delete"}
    (id,) = ids_of(books_app, "Book 01")
    listed = books.get("/admin-books/", headers=refuse)
    assert listed.status_code == 200
    found = links(listed)
    assert f"/admin-books/?edit={id}" in found
    assert not any("delete=" in link for link in found)
    assert '<option value="delete">' not in listed.get_data(as_text=True)  # nor the bulk delete
    assert books.get(f"/admin-books/?delete={id}", headers=refuse).status_code == 403
    token = token_of(books.get("/admin-books/?add"))
    refused = books.post(f"/admin-books/?delete={id}", data={"csrf_token": token}, headers=refuse)
    assert refused.status_code == 403
    assert book(books_app, "Book 01") is not None


def test_each_action_has_its_acl_action(books_app: Application, books: Client) -> None:
    (id,) = ids_of(books_app, "Book 01")
    assert books.get("/admin-books/?add", headers={"X-Refuse": "add"}).status_code == 403
    assert books.get(f"/admin-books/?edit={id}", headers={"X-Refuse": "edit"}).status_code == 403
    assert books.get(f"/admin-books/?view={id}", headers={"X-Refuse": "view"}).status_code == 403
    assert books.get("/admin-books/", headers={"X-Refuse": "view"}).status_code == 403  # the list
    no_add = books.get("/admin-books/", headers={"X-Refuse": "add"})
    assert "/admin-books/?add" not in links(no_add)
    # ACL before the id: a refused user learns nothing about which ids exist
    assert books.get("/admin-books/?edit=999999", headers={"X-Refuse": "edit"}).status_code == 403


def test_the_first_action_parameter_wins(books_app: Application, books: Client) -> None:
    (id,) = ids_of(books_app, "Book 01")
    response = books.get(f"/admin-books/?delete={id}&view={id}")
    assert "<dt>Title</dt>" in response.get_data(as_text=True)  # view comes before delete


def test_acl_actions_missing_from_the_manifest_are_named(
    make_project: ProjectFactory, db_url: str
) -> None:
    from tests.test_grid import BOOKS_FILES

    files = {
        **BOOKS_FILES,
        "application/modules/test/books/manifest.yaml": "label: Books\nacl_actions: {view: View}\n",
    }
    app = Application(make_project(files), debug=True)
    with pytest.raises(JetpyError, match="needs the ACL actions add, delete, edit; declare them"):
        Client(app).get("/admin-books/")
    app.db.dispose()


def test_the_default_views_are_overridable_by_the_base(
    make_project: ProjectFactory, books_app: Application, books: Client
) -> None:
    root = Path(books_app.root)
    (root / "application/bases/web/views").mkdir(parents=True, exist_ok=True)
    (root / "application/bases/web/views/crud_delete.html").write_text(
        "<p>Really delete {{ title }}?</p>"
    )
    app = Application(root, use_cache=False)
    (id,) = ids_of(app, "Book 01")
    assert "<p>Really delete Book 01?</p>" in Client(app).get(
        f"/admin-books/?delete={id}"
    ).get_data(as_text=True)
    app.db.dispose()


# what the database refuses -----------------------------------------------------------------------
CONFLICT = "Not saved: the change conflicts with data stored meanwhile"


@pytest.mark.parametrize("page", PAGES)
def test_a_unique_value_the_form_did_not_check_is_a_message_not_a_500(
    books_app: Application, books: Client, page: str
) -> None:
    """As when another request stored the same value between the form's check and the save."""
    with books_app.db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE UNIQUE INDEX uq_books_title ON books (title)")
    before = stored(books_app)
    data = {"title": "Book 07", "author": "Ann", "pages": "12", "status": "live"}
    token = token_of(books.get(page + "?add"))
    added = books.post(page + "?add", data={**data, "csrf_token": token})
    assert added.status_code == 200 and CONFLICT in text(added)
    assert 'name="title"' in text(added)  # the form again, with what was typed
    (id,) = ids_of(books_app, "Book 03")
    edited = books.post(f"{page}?edit={id}", data={**data, "csrf_token": token})
    assert edited.status_code == 200 and CONFLICT in text(edited)
    assert stored(books_app) == before
    fine = books.post(page + "?add", data={**data, "title": "Book 99", "csrf_token": token})
    assert fine.status_code == 303  # the request's session is usable after the refusal


def test_a_row_others_refer_to_is_not_deleted_and_the_editor_is_told(
    books_app: Application, books: Client
) -> None:
    (id,) = ids_of(books_app, "Book 03")
    with books_app.db.engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE loans (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL "
            "REFERENCES books (id))"
        )
        connection.exec_driver_sql(f"INSERT INTO loans (id, book_id) VALUES (1, {id})")
    token = token_of(books.get(f"/admin-books/?delete={id}"))
    refused = books.post(f"/admin-books/?delete={id}", data={"csrf_token": token})
    assert refused.status_code == 303
    assert book(books_app, "Book 03") is not None
    assert CONFLICT in text(books.get("/admin-books/"))
