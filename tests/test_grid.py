"""Data grids (jetpy.web.grid): sorting, search, filters, paging, state in the URL, CSV, bulk."""

from __future__ import annotations

import csv
import html
import io
import re
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy
from sqlalchemy import select
from werkzeug.test import Client, TestResponse

from jetpy import Application, JetpyError
from jetpy.web.grid import Column, Filter, Grid, escape_like, parse_id
from jetpy.web.grid_csv import csv_cell
from tests.conftest import LAYOUT, ProjectFactory
from tests.conftest import csrf_token_in as token_of

MODEL = """
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Model(DeclarativeBase):
    metadata = MetaData()
"""

BOOKS_CLASS = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from application.classes.model import Model


class Book(Model):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(100))
    pages: Mapped[int]
    status: Mapped[str] = mapped_column(String(10))

    def __str__(self):
        return self.title
"""

BOOKS_CONTROLLERS = """
from sqlalchemy import select
from wtforms import Form, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

import jetpy.web.forms
from application.classes.books import Book
from jetpy import Controller
from jetpy.web.crud import CrudController
from jetpy.web.grid import Column, Filter, Grid, Operation

STATUSES = [("draft", "Draft"), ("live", "Live")]


def publish(session, books):
    for book in books:
        book.status = "live"
    return f"Published {len(books)} books."


def delete_books(session, books):
    for book in books:
        session.delete(book)


def books_grid():
    return Grid(
        select(Book),
        [
            Column("id", "ID"),
            Column("title", "Title", searchable=True),
            Column("author", "Author", searchable=True),
            Column("pages", "Pages"),
            Column("status", "Status", sortable=False),
        ],
        filters=[Filter("status", "Status", STATUSES)],
        operations=[
            Operation("publish", "Publish", publish, acl_action="publish"),
            Operation("delete", "Delete", delete_books, acl_action="delete"),
        ],
        sort="title",
        per_page=10,
        per_page_choices=(5, 10, 50),
        export_filename="books",
    )


class Main(Controller):
    def default_action(self):
        return books_grid().serve(self)


class BookForm(Form):
    title = StringField("Title", [DataRequired(), Length(max=200)])
    author = StringField("Author", [DataRequired(), Length(max=100)])
    pages = IntegerField("Pages", [NumberRange(min=1)])
    status = SelectField("Status", choices=dict(STATUSES))


class Crud(CrudController):
    model = Book
    form_class = BookForm

    def get_grid(self):
        return books_grid()

    def title_of(self, book):
        return book.title


class JetpyBookForm(jetpy.web.forms.Form):
    title = StringField("Title", [DataRequired(), Length(max=200)])
    author = StringField("Author", [DataRequired(), Length(max=100)])
    pages = IntegerField("Pages", [NumberRange(min=1)])
    status = SelectField("Status", choices=dict(STATUSES))


class JetpyFormCrud(Crud):
    form_class = JetpyBookForm
"""

# an auth provider that allows everything but the ACL actions named in the X-Refuse header
STUB_AUTH = """
class StubAuth:
    def __init__(self, refused):
        self.refused = refused

    def page_access(self, ctx, page):
        return True

    def module_action_allowed(self, ctx, module, acl_action):
        return acl_action not in self.refused

    def can_see_page(self, ctx, page):
        return True


def setup(ctx):
    header = ctx.request.headers.get("X-Refuse", "")
    ctx.auth = StubAuth({name for name in header.split(",") if name})
"""

BOOKS_FILES: dict[str, str | None] = {
    "application/classes/__init__.py": "",
    "application/classes/model.py": MODEL,
    "application/classes/books.py": BOOKS_CLASS,
    "application/bases/__init__.py": "",
    "application/bases/web/__init__.py": "",
    "application/bases/web/init.py": STUB_AUTH,
    "application/bases/web/base.yaml": """
        name: Web
        default: true
        initializer: application.bases.web.init:setup
        locales:
          en_US:
            urls: [/]
            title: Site
        """,
    "application/bases/web/layouts/default.html": LAYOUT.replace(
        "<main>", '<main>{% for f in flashes() %}<p class="flash">{{ f }}</p>{% endfor %}'
    ),
    "application/bases/web/pages/en_US/books/page.yaml": """
        title: Books
        contents:
          - module: test.books
        """,
    "application/bases/web/pages/en_US/admin-books/page.yaml": """
        title: Admin books
        contents:
          - module: test.books
            controller: Crud
        """,
    "application/bases/web/pages/en_US/jetpy-form-books/page.yaml": """
        title: Books with jetpy forms
        contents:
          - module: test.books
            controller: JetpyFormCrud
        """,
    "application/modules/test/books/manifest.yaml": """
        label: Books
        acl_actions: {view: View, add: Add, edit: Edit, delete: Delete, publish: Publish}
        """,
    "application/modules/test/books/controllers.py": BOOKS_CONTROLLERS,
    "application/data/modules.yaml": "test.hello: activated\ntest.books: activated\n",
}

SPECIAL = [
    ("100% pure", "Percy", 50, "draft"),
    ("1000 pure", "Percy", 51, "draft"),
    ("snake_case", "Sid", 60, "live"),
    ("snakeXcase", "Sid", 61, "live"),
    ("=SUM(A1:A2)", "-Minus", 70, "draft"),
    ('O\'Brien, "quoted"\nline', "@at", 80, "live"),
    ("<script>alert(1)</script>", "Eve", 90, "draft"),
]
BOOKS = [
    (
        f"Book {i:02d}",
        "Author A" if i % 2 else "Author B",
        100 + i,
        "live" if i % 3 == 0 else "draft",
    )
    for i in range(1, 21)
] + SPECIAL
LIVE = sum(1 for book in BOOKS if book[3] == "live")  # 6 + 3


@pytest.fixture
def books_app(make_project: ProjectFactory, db_url: str) -> Iterator[Application]:
    app = Application(make_project(BOOKS_FILES))
    from application.classes.books import Book  # the project's, loaded by Application

    from application.classes.model import Model

    Model.metadata.create_all(app.db.engine)
    with app.db.session() as session:
        session.add_all(
            Book(title=title, author=author, pages=pages, status=status)
            for title, author, pages, status in BOOKS
        )
        session.commit()
    yield app
    app.db.dispose()


@pytest.fixture
def books(books_app: Application) -> Client:
    return Client(books_app)


def titles(response: TestResponse) -> list[str]:
    """The titles in the grid's rows, in order (the second cell of each row)."""
    text = response.get_data(as_text=True)
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = re.findall(
        r"<tr>\s*(?:<td class=\"grid-select\">.*?</td>)?\s*<td>(.*?)</td>\s*<td>(.*?)</td>",
        body,
        re.S,
    )
    return [html.unescape(title) for _id, title in cells]


def messages(response: TestResponse) -> str:
    text = response.get_data(as_text=True)
    found = re.search(r'class="[^"]*\bgrid-messages\b.*?</ul>', text, re.S)
    return found[0] if found else ""


def stored(app: Application) -> dict[str, str]:
    """Title → status of every book in the database."""
    from application.classes.books import Book

    with app.db.session() as session:
        return {book.title: book.status for book in session.scalars(select(Book))}


def ids_of(app: Application, *names: str) -> list[str]:
    from application.classes.books import Book

    with app.db.session() as session:
        return [str(session.scalar(select(Book.id).where(Book.title == name))) for name in names]


# sorting, search, filters, paging -------------------------------------------------------------
def test_first_page_is_sorted_by_the_default_column(books: Client) -> None:
    response = books.get("/books/")
    assert response.status_code == 200
    expected = sorted(book[0] for book in BOOKS)[:10]
    assert titles(response) == expected
    assert f"{len(BOOKS)} rows" in response.get_data(as_text=True)
    assert messages(response) == ""


def test_sorting_by_a_column_both_ways(books: Client) -> None:
    by_pages = [book[0] for book in sorted(BOOKS, key=lambda book: book[2])]
    assert titles(books.get("/books/?sort=pages&per_page=5")) == by_pages[:5]
    descending = titles(books.get("/books/?sort=-pages&per_page=5"))
    assert descending == list(reversed(by_pages))[:5]


@pytest.mark.parametrize("sort", ["status", "nope", "-", "title;drop table books", "--title"])
def test_a_sort_the_grid_does_not_offer_is_ignored_with_a_message(books: Client, sort: str) -> None:
    response = books.get("/books/", query_string={"sort": sort})
    assert response.status_code == 200
    assert "Ignored sort=" in messages(response)
    assert titles(response) == titles(books.get("/books/"))


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("100%", ["100% pure"]),  # % matches itself, not "1000 pure"
        ("snake_case", ["snake_case"]),  # _ matches itself, not "snakeXcase"
        # case-insensitive; each word anywhere: "0" is in Book 10 and Book 20 too
        ("BOOK 0", [*(f"Book {i:02d}" for i in range(1, 11)), "Book 20"]),
        ("o'brien", ['O\'Brien, "quoted"\nline']),
        ("' OR 1=1 --", []),
        ('"; DROP TABLE books; --', []),
        ("percy 1000", ["1000 pure"]),  # every word matches some column
        ("\\", []),
        ("/", ["<script>alert(1)</script>"]),  # the escape character matches itself
        ("%", ["100% pure"]),
        ("_", ["snake_case"]),
    ],
)
def test_search_matches_text_literally(
    books_app: Application, books: Client, search: str, expected: list[str]
) -> None:
    response = books.get("/books/", query_string={"q": search, "per_page": "50"})
    assert response.status_code == 200
    assert messages(response) == ""
    assert titles(response) == sorted(expected)
    assert len(stored(books_app)) == len(BOOKS)  # nothing was harmed


@pytest.mark.parametrize("search", ["x" * 101, "line\nbreak", "tab\tstop"])
def test_a_bad_search_text_is_ignored_with_a_message(books: Client, search: str) -> None:
    response = books.get("/books/", query_string={"q": search})
    assert response.status_code == 200
    assert "Ignored q=" in messages(response)
    assert len(titles(response)) == 10


def test_a_nul_in_any_parameter_is_refused_before_the_grid_reads_it(books: Client) -> None:
    for name in ("q", "sort", "per_page", "page", "status", "export"):
        response = books.get("/books/", query_string={name: "a\x00b"})
        assert response.status_code == 400, name
        assert f"query parameter `{name}`" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "value", ["²", "\u0661\u0660", "\uff11\uff10", "9" * 5000, "010", "+10", " 10"]
)
def test_numbers_are_ascii_digits_of_bounded_length(books: Client, value: str) -> None:
    for name in ("per_page", "page"):
        response = books.get("/books/", query_string={name: value})
        assert response.status_code == 200
        assert f"Ignored {name}=" in messages(response)


def test_select_filter_and_its_bad_values(books: Client) -> None:
    live = books.get("/books/?status=live&per_page=50")
    assert len(titles(live)) == LIVE
    assert "snake_case" in titles(live) and "Book 01" not in titles(live)
    for bad in ["published", "' OR 1=1 --", "LIVE"]:
        response = books.get("/books/", query_string={"status": bad, "per_page": "50"})
        assert response.status_code == 200
        assert "Ignored status=" in messages(response)
        assert len(titles(response)) == len(BOOKS)
    both = books.get("/books/?status=live&q=snake&per_page=50")
    assert titles(both) == ["snakeXcase", "snake_case"]


def test_paging_and_bad_paging_values(books: Client) -> None:
    everything = sorted(book[0] for book in BOOKS)
    assert len(titles(books.get("/books/?page=2"))) == 10
    third = books.get("/books/?page=3")
    assert len(titles(third)) == len(BOOKS) - 20
    assert titles(books.get("/books/?page=2&per_page=5")) == everything[5:10]
    past = books.get("/books/?page=99")
    assert "Ignored page=99" in messages(past)
    assert titles(past) == titles(third)  # the last page
    for name, value in [
        ("page", "abc"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "9" * 30),
        ("per_page", "7"),
        ("per_page", "100000"),
        ("per_page", "x"),
    ]:
        response = books.get("/books/", query_string={name: value})
        assert response.status_code == 200, (name, value)
        assert f"Ignored {name}=" in messages(response), (name, value)
        assert len(titles(response)) == 10


def test_a_page_takes_two_statements_whatever_is_asked(
    books_app: Application, books: Client
) -> None:
    statements: list[str] = []
    assert books.get("/books/").status_code == 200  # the first request makes jetpy's own tables
    sqlalchemy.event.listen(
        books_app.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    for query in ["", "?page=2", "?q=book&status=draft&sort=-pages", "?page=99&per_page=5"]:
        statements.clear()
        assert books.get("/books/" + query).status_code == 200
        # the grid's own: the count and the page (the visitor's session is read besides)
        grid = [sql for sql in statements if "jetpy_sessions" not in sql]
        assert len(grid) == 2, (query, statements)


def test_every_link_keeps_the_rest_of_the_state(books: Client) -> None:
    html = books.get("/books/?sort=-pages&q=book&status=draft&per_page=5&page=2").get_data(
        as_text=True
    )
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="(/books/[^"]*)"', html)]
    state = {"sort": ["-pages"], "q": ["book"], "status": ["draft"], "per_page": ["5"]}
    pager = [parse_qs(urlsplit(link).query) for link in links if "page=3" in link]
    assert pager and all(query == {**state, "page": ["3"]} for query in pager)
    sort_title = parse_qs(urlsplit(next(link for link in links if "sort=title" in link)).query)
    assert sort_title == {**state, "sort": ["title"]}  # a new order starts at page 1
    # the page size is a form (a select): it carries the rest of the state and starts at page 1
    sizes = html.split('class="grid-per-page"', 1)[1].split("</form>", 1)[0]
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', sizes))
    assert hidden == {"sort": "-pages", "q": "book", "status": "draft"}
    assert '<option value="50">' in sizes and 'name="per_page"' in sizes
    export = parse_qs(urlsplit(next(link for link in links if "export=csv" in link)).query)
    assert export == {"sort": ["-pages"], "q": ["book"], "status": ["draft"], "export": ["csv"]}
    # the search form carries the sort and the page size; its own fields are q and status
    form = html.split('class="grid-search"', 1)[1].split("</form>", 1)[0]
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    assert hidden == {"sort": "-pages", "per_page": "5"}
    # the bulk form posts back to the same state
    action = re.search(r'class="grid-form" method="post" action="([^"]+)"', html)
    assert action and parse_qs(urlsplit(action[1].replace("&amp;", "&")).query) == {
        **state,
        "page": ["2"],
    }


def test_cells_are_escaped(books: Client) -> None:
    html = books.get("/books/?q=script").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_base_overrides_the_grid_template(make_project: ProjectFactory, db_url: str) -> None:
    files = {
        **BOOKS_FILES,
        "application/bases/web/views/grid.html": "<p>{{ grid.total }} books</p>",
    }
    app = Application(make_project(files))
    from application.classes.model import Model

    Model.metadata.create_all(app.db.engine)
    assert "<p>0 books</p>" in Client(app).get("/books/").get_data(as_text=True)
    app.db.dispose()


def test_a_czech_page_shows_jetpy_labels_and_messages_in_czech(
    make_project: ProjectFactory, db_url: str
) -> None:
    web = textwrap.dedent(BOOKS_FILES["application/bases/web/base.yaml"] or "")
    files = {
        **BOOKS_FILES,
        "application/bases/web/base.yaml": web + "  cs_CZ:\n    urls: [/cs/]\n    title: Web\n",
        "application/bases/web/pages/cs_CZ/knihy/page.yaml": (
            "title: Knihy\ncontents:\n  - module: test.books\n    controller: Crud\n"
        ),
    }
    app = Application(make_project(files))
    from application.classes.model import Model

    Model.metadata.create_all(app.db.engine)
    page = Client(app).get("/cs/knihy/?page=abc&q=x").get_data(as_text=True)  # q: a reset link
    app.db.dispose()
    for czech in ["Přidat", "Hledat", "Filtrovat", "Vše", "Zrušit filtr", "Export do CSV"]:
        assert czech in page
    assert "Počet řádků: 0" in page and "Nic nenalezeno." in page
    assert "Parametr page=abc byl vynechán: není číslo stránky." in page
    for english in ["Add", "Search", "Filter", "Export CSV", "Ignored"]:
        assert f">{english}" not in page and f"{english} " not in page


# CSV ------------------------------------------------------------------------------------------
def test_csv_has_the_filtered_rows_of_every_page(books: Client) -> None:
    response = books.get("/books/?status=draft&per_page=5&page=2&sort=-pages&export=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="books.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["ID", "Title", "Author", "Pages", "Status"]
    drafts = sorted((book for book in BOOKS if book[3] == "draft"), key=lambda b: -b[2])
    assert [row[1] for row in rows[1:]] == [
        "'" + title if title.startswith("=") else title for title, *_ in drafts
    ]
    formula = next(row for row in rows if row[1] == "'=SUM(A1:A2)")
    assert formula[2] == "'-Minus"  # text starting with - is protected too
    assert all(row[4] == "draft" for row in rows[1:])


def test_csv_quotes_commas_quotes_and_line_breaks(books: Client) -> None:
    data = books.get("/books/?q=brien&export=csv").get_data().decode("utf-8-sig")
    assert '"O\'Brien, ""quoted""\nline"' in data
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[1][1:] == ['O\'Brien, "quoted"\nline', "'@at", "80", "live"]


def test_csv_cell() -> None:
    assert csv_cell(None) == ""
    assert csv_cell(-5) == "-5"  # a number is not a formula
    assert csv_cell(Decimal("-1.50")) == "-1.50"
    assert csv_cell(True) == "1"
    for text in ["=1+1", "+1", "-1", "@SUM(1)", "\t=1", "\r=1"]:
        assert csv_cell(text) == "'" + text
    assert csv_cell("plain, text") == "plain, text"


# bulk operations ---------------------------------------------------------------------------------
def test_bulk_operation_needs_csrf_and_confirmation(books_app: Application, books: Client) -> None:
    url = "/books/?q=book&sort=-pages"
    page = books.get(url)
    token = token_of(page)
    ids = ids_of(books_app, "Book 01", "Book 02")
    form = {"bulk": "publish", "ids": ids}
    assert books.post(url, data=form).status_code == 400  # no token
    assert books.post(url, data={**form, "csrf_token": "x" * 43}).status_code == 400
    assert stored(books_app)["Book 01"] == "draft"
    confirm = books.post(url, data={**form, "csrf_token": token})
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "Publish: 2 rows?" in html and "Book 01" in html and "Book 02" in html
    assert "Book 03" not in html
    assert 'name="confirm" value="1"' in html
    assert stored(books_app)["Book 01"] == "draft"  # nothing ran yet
    done = books.post(url, data={**form, "csrf_token": token_of(confirm), "confirm": "1"})
    assert done.status_code == 303
    assert parse_qs(urlsplit(done.headers["Location"]).query) == {"q": ["book"], "sort": ["-pages"]}
    after = stored(books_app)
    assert after["Book 01"] == after["Book 02"] == "live"
    shown = books.get(done.headers["Location"]).get_data(as_text=True)
    assert '<p class="flash">Published 2 books.</p>' in shown
    assert after["Book 04"] == "draft"


def test_bulk_delete(books_app: Application, books: Client) -> None:
    token = token_of(books.get("/books/"))
    ids = ids_of(books_app, "Book 05", "100% pure")
    form = {"bulk": "delete", "ids": ids, "csrf_token": token, "confirm": "1"}
    assert books.post("/books/", data=form).status_code == 303
    assert set(stored(books_app)) == {book[0] for book in BOOKS} - {"Book 05", "100% pure"}


def test_bulk_operation_refused_by_the_acl(books_app: Application, books: Client) -> None:
    headers = {"X-Refuse": "publish"}
    page = books.get("/books/", headers=headers)
    html = page.get_data(as_text=True)
    assert '<option value="delete">' in html and '<option value="publish">' not in html
    form = {"bulk": "publish", "ids": ids_of(books_app, "Book 01"), "csrf_token": token_of(page)}
    assert books.post("/books/", data={**form, "confirm": "1"}, headers=headers).status_code == 403
    assert stored(books_app)["Book 01"] == "draft"
    # nobody may run anything: no checkboxes, no bulk form
    none = books.get("/books/", headers={"X-Refuse": "publish,delete"}).get_data(as_text=True)
    assert 'type="checkbox"' not in none and 'name="bulk"' not in none


@pytest.mark.parametrize(
    ("form", "status"),
    [
        ({"bulk": "burn"}, 400),
        ({"bulk": "publish", "ids": ["abc"]}, 400),
        ({"bulk": "publish", "ids": ["0"]}, 400),
        ({"bulk": "publish", "ids": ["9" * 40]}, 400),
        ({"bulk": "publish", "ids": [str(i) for i in range(1, 1100)]}, 400),
        ({"bulk": "publish"}, 200),  # nothing selected: the grid says so
        ({"bulk": "publish", "ids": ["999999"]}, 200),  # no such row
    ],
)
def test_bad_bulk_requests(
    books_app: Application, books: Client, form: dict[str, Any], status: int
) -> None:
    token = token_of(books.get("/books/"))
    response = books.post("/books/", data={**form, "csrf_token": token, "confirm": "1"})
    assert response.status_code == status
    if status == 200:
        assert "Select at least one row" in messages(response)
    assert list(stored(books_app).values()).count("live") == LIVE


# definitions ---------------------------------------------------------------------------------------
def test_grid_definitions_are_checked_when_made() -> None:
    table = sqlalchemy.table("t", sqlalchemy.column("id"), sqlalchemy.column("name"))
    statement = select(table)
    columns = [Column("id", "ID"), Column("name", "Name", searchable=True)]
    Grid(statement, columns, sort="-name")
    with pytest.raises(JetpyError, match="sort='nope' names no sortable column"):
        Grid(statement, columns, sort="nope")
    with pytest.raises(JetpyError, match="two columns are called `name`"):
        Grid(statement, [*columns, Column("name", "Again")])
    with pytest.raises(JetpyError, match="filter `page` has a reserved name"):
        Grid(statement, columns, filters=[Filter("page", "Page", [(1, "One")], table.c.id)])
    with pytest.raises(JetpyError, match="column `other` is not a column of the grid's statement"):
        Grid(statement, [Column("other", "Other")])
    with pytest.raises(JetpyError, match="per_page=20 is not one of per_page_choices"):
        Grid(statement, columns, per_page=20)


def test_helpers() -> None:
    assert escape_like("100%_a/b") == "100/%/_a//b"
    assert parse_id("12") == 12
    for bad in ["0", "-1", "01", "1.5", "", " 1", "99999999999", str(2**31)]:
        assert parse_id(bad) is None


def test_a_filter_may_be_called_state() -> None:
    """`state` is also the name of Grid.query's own parameter (positional-only, so no clash)."""
    table = sqlalchemy.Table(
        "things",
        sqlalchemy.MetaData(),
        sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
        sqlalchemy.Column("state", sqlalchemy.String(10)),
    )
    grid = Grid(
        select(table), [Column("id", "ID")], filters=[Filter("state", "State", [("a", "A")])]
    )
    from werkzeug.datastructures import MultiDict

    state = grid.read_state(MultiDict({"state": "a", "page": "2"}))
    assert grid.query(state, state=None) == {}  # a changed filter goes back to page 1
    assert grid.query(state) == {"state": "a", "page": "2"}
