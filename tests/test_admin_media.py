"""Module admin.media: the media library at /admin/media/ (upload, list, alt texts, delete, picker)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application
from tests.conftest import PASSWORD, example_with_admins, signed_in
from tests.conftest import csrf_token_in as token_of

URL = "/admin/media/"


def png(size: tuple[int, int] = (600, 400), color: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def app(db_url: str, example_model: type) -> Iterator[Application]:
    """`boss` (superuser) and `viewer` (may view the library, not upload or delete)."""
    from application.classes.admin_users import Role, create_administrator

    def people(db: Session) -> None:
        viewer = create_administrator(db, "viewer", "viewer@example.com", PASSWORD)
        role = Role(name="Viewers")
        role.grant("visit_page", "media")
        role.grant("module_action", "admin.media:view")
        viewer.roles.append(role)

    with example_with_admins(db_url, example_model, people) as app:
        yield app


@pytest.fixture
def boss(app: Application) -> Client:
    return signed_in(app, "boss", URL)


def upload(
    client: Client, files: list[tuple[str, bytes]], token: str | None = None, json_: bool = False
) -> TestResponse:
    if token is None:
        token = token_of(client.get(URL))
    data = {"csrf_token": token, "files": [(io.BytesIO(body), name) for name, body in files]}
    headers = {"Accept": "application/json"} if json_ else {}
    return client.post(URL + "?upload", data=data, headers=headers)


def stored_files(app: Application) -> list[Path]:
    root = app.media.storage.root  # type: ignore[attr-defined]
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


def items(app: Application) -> list[object]:
    from application.classes.media import MediaItem

    with app.db.session() as db:
        found = db.scalars(select(MediaItem).order_by(MediaItem.id)).all()
        db.expunge_all()
        return list(found)


def test_the_library_page_lists_nothing_at_first(boss: Client) -> None:
    page = boss.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Media library</h1>" in html
    assert 'id="media-upload"' in html and 'enctype="multipart/form-data"' in html
    assert "/public/js/media.js" in html
    assert "The library is empty" in html


def test_upload_several_files_stores_them_under_random_names(
    app: Application, boss: Client
) -> None:
    pdf = b"%PDF-1.4\n%%EOF\n"
    answer = upload(boss, [("red box.png", png()), ("price list.pdf", pdf)])
    assert answer.status_code == 303
    stored = items(app)
    assert [(i.name, i.kind, i.width) for i in stored] == [  # type: ignore[attr-defined]
        ("red box.png", "image", 600),
        ("price list.pdf", "document", None),
    ]
    names = [path.name for path in stored_files(app)]
    assert sorted(names) == sorted(i.key for i in stored)  # type: ignore[attr-defined]
    assert not any("red" in name or "price" in name for name in names)
    page = boss.get(URL).get_data(as_text=True)
    assert "Uploaded red box.png." in page
    key = stored[0].key  # type: ignore[attr-defined]
    assert f'src="/media/{key}.320w.webp"' in page and "srcset=" in page
    image = boss.get(f"/media/{key}.320w.webp")
    assert image.status_code == 200 and image.mimetype == "image/webp"


def test_upload_answers_json_for_the_script(app: Application, boss: Client) -> None:
    answer = upload(boss, [("a.png", png())], json_=True)
    assert answer.status_code == 201
    body = json.loads(answer.get_data())
    assert body["errors"] == []
    (item,) = body["items"]
    assert item["kind"] == "image" and item["name"] == "a.png"
    assert item["thumbnail"].endswith(".320w.webp") and item["width"] == 600


BAD_FILES = [
    ("photo.pdf", png(), "is named .pdf but holds a PNG image"),
    ("cat.jpg", b"<!doctype html><html><script>alert(1)</script>", "is not an image or document"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>', "SVG"),
    ("../../evil.png", png(), "holds a folder, &#39;..&#39; or a control character"),
]


@pytest.mark.parametrize(("name", "body", "message"), BAD_FILES, ids=[f[0] for f in BAD_FILES])
def test_refused_uploads_store_nothing_and_say_why(
    app: Application, boss: Client, name: str, body: bytes, message: str
) -> None:
    answer = upload(boss, [(name, body)])
    assert answer.status_code == 303
    page = boss.get(URL).get_data(as_text=True)
    assert message in page
    assert items(app) == []
    assert stored_files(app) == []
    refused = upload(boss, [(name, body)], json_=True)
    assert refused.status_code == 400
    assert json.loads(refused.get_data())["items"] == []


def test_a_file_over_the_limit_is_refused(app: Application, boss: Client) -> None:
    app.media.limits = type(app.media.limits)(max_bytes=1000)
    answer = upload(boss, [("big.png", png())], json_=True)
    assert answer.status_code == 413
    assert "files of at most 0.0 MB are accepted" in json.loads(answer.get_data())["errors"][0]
    assert stored_files(app) == []


def test_upload_needs_the_csrf_token_and_the_acl_action(app: Application, boss: Client) -> None:
    assert upload(boss, [("a.png", png())], token="forged").status_code == 400
    anonymous = Client(app)
    assert 'type="password"' in anonymous.post(URL + "?upload").get_data(as_text=True)  # login
    viewer = signed_in(app, "viewer", URL)
    assert viewer.get(URL).status_code == 200
    assert "media-upload" not in viewer.get(URL).get_data(as_text=True)
    token = token_of(viewer.get(URL))  # the layout's sign-out form
    assert upload(viewer, [("a.png", png())], token=token).status_code == 403
    assert items(app) == [] and stored_files(app) == []


def test_alt_texts_per_locale_and_search(app: Application, boss: Client) -> None:
    upload(boss, [("photo.png", png())])
    (item,) = items(app)
    url = f"{URL}?edit={item.id}"  # type: ignore[attr-defined]
    form = boss.get(url)
    assert 'id="media-alt-en_US"' in form.get_data(as_text=True)
    answer = boss.post(
        url,
        data={
            "csrf_token": token_of(form),
            "alt_en_US": "A blue  box",
            "alt_cs_CZ": "Modrá krabice",
        },
    )
    assert answer.status_code == 303
    (item,) = items(app)
    assert item.alt("en_US") == "A blue box" and item.alt("cs_CZ") == "Modrá krabice"  # type: ignore[attr-defined]
    assert "photo.png" in boss.get(URL + "?q=blue").get_data(as_text=True)
    assert "photo.png" in boss.get(URL + "?q=krabice").get_data(as_text=True)
    assert "photo.png" not in boss.get(URL + "?q=green").get_data(as_text=True)
    picked = json.loads(boss.get(URL + "?picker=1&q=blue").get_data())
    assert [i["alts"]["cs_CZ"] for i in picked["items"]] == ["Modrá krabice"]
    assert picked["total"] == 1


def test_delete_removes_the_row_and_every_file(app: Application, boss: Client) -> None:
    upload(boss, [("a.png", png())])
    (item,) = items(app)
    key = item.key  # type: ignore[attr-defined]
    assert boss.get(f"/media/{key}.160w.webp").status_code == 200  # a rendition exists
    assert len(stored_files(app)) == 2
    url = f"{URL}?delete={item.id}"  # type: ignore[attr-defined]
    confirm = boss.get(url)
    assert "Delete a.png?" in confirm.get_data(as_text=True)
    assert boss.post(url, data={"csrf_token": "forged"}).status_code == 400
    assert len(items(app)) == 1
    assert boss.post(url, data={"csrf_token": token_of(confirm)}).status_code == 303
    assert items(app) == [] and stored_files(app) == []
    assert boss.get(f"/media/{key}").status_code == 404


def test_an_item_in_use_is_not_deleted(app: Application, boss: Client) -> None:
    from application.classes.catalog.models import Product

    upload(boss, [("a.png", png())])
    (item,) = items(app)
    with app.db.session() as db:
        db.add(Product(code="P-1", image_id=item.id))  # type: ignore[attr-defined]
        db.commit()
    url = f"{URL}?delete={item.id}"  # type: ignore[attr-defined]
    page = boss.get(url).get_data(as_text=True)
    assert "a.png cannot be deleted" in page and "P-1" in page
    answer = boss.post(url, data={"csrf_token": token_of(boss.get(URL))})
    assert answer.status_code == 303
    assert len(items(app)) == 1 and len(stored_files(app)) == 1
    assert "is used by Product P-1 (main image)" in boss.get(answer.headers["Location"]).get_data(
        as_text=True
    )


def test_the_viewer_may_not_edit_or_delete(app: Application, boss: Client) -> None:
    upload(boss, [("a.png", png())])
    (item,) = items(app)
    viewer = signed_in(app, "viewer", URL)
    assert viewer.get(f"{URL}?edit={item.id}").status_code == 403  # type: ignore[attr-defined]
    assert viewer.get(f"{URL}?delete={item.id}").status_code == 403  # type: ignore[attr-defined]
    assert viewer.get(URL + "?picker=1").status_code == 200
    with app.db.session() as db:
        from application.classes.media import MediaItem

        assert db.scalar(select(func.count()).select_from(MediaItem)) == 1


def test_unknown_items_and_pages_are_404(boss: Client) -> None:
    assert boss.get(URL + "?edit=999").status_code == 404
    assert boss.get(URL + "?delete=abc").status_code == 404
    assert boss.get(URL + "?page=5").status_code == 404


def test_a_refusal_is_said_in_the_admins_language(app: Application, boss: Client) -> None:
    czech = "/admin/cs/media/"
    token = token_of(boss.get(czech))
    data = {"csrf_token": token, "files": [(io.BytesIO(b""), "prazdny.png")]}
    answer = boss.post(czech + "?upload", data=data, headers={"Accept": "application/json"})
    assert answer.status_code == 400
    assert json.loads(answer.get_data())["errors"] == [
        "Soubor 'prazdny.png' je prázdný; vyberte ho znovu."
    ]
    assert items(app) == []
