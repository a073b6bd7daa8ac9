"""Data grids over a SQLAlchemy `Select`: sorting, search, filters, paging, CSV, bulk operations.

A controller declares the grid and lets it answer:

    def list_action(self) -> Response | None:
        grid = Grid(
            select(Article),
            [Column("id", "ID"), Column("title", "Title", searchable=True)],
            filters=[Filter("status", "Status", [("draft", "Draft"), ("live", "Live")])],
            operations=[Operation("delete", "Delete", delete_articles, acl_action="delete")],
            sort="-id",
        )
        return grid.serve(self)

All its state lives in the query string (`sort=-title`, `q=…`, `<filter>=…`, `page`,
`per_page`), so every link keeps the rest of it; a bad value falls back to its default and
the grid says which parameter was ignored. `export=csv` streams the filtered rows (all pages).
A POST with `bulk=<operation>` and the checked `ids` shows a confirmation page first and runs
the operation only when it comes back with `confirm=1`, both times behind the CSRF check.
The HTML comes from the template `grid.html` (and `grid_confirm.html`), which jetpy ships in
jetpy/web/views/; a base overrides them with files of the same name in its views/. Templates see
a `jetpy.web.grid_page.GridPage`; the CSV is written by jetpy.web.grid_csv.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, String, and_, cast, func, or_, select
from werkzeug.exceptions import BadRequest, Forbidden
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from jetpy.data.changes import bulk_changes, snapshot
from jetpy.errors import JetpyError
from jetpy.kernel.request import MAX_INT, parse_int
from jetpy.web.grid_csv import csv_response
from jetpy.web.grid_page import GridPage, grid_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from werkzeug.datastructures import MultiDict

    from jetpy.kernel.controller import Controller

Translate = Callable[..., str]
RESERVED = frozenset({"sort", "q", "page", "per_page", "export"})  # the grid's own parameters
MAX_SEARCH = 100  # characters of a search text
MAX_WORDS = 8  # words of a search text, each must match some searchable column
MAX_SELECTED = 1000  # ids in one bulk operation
MAX_ID = MAX_INT  # an SQL INTEGER's largest value (PostgreSQL refuses to compare more)
MAX_PAGE = 999_999_999


def plain(phrase: str, /, **values: Any) -> str:
    """The phrase with its `%(name)s` placeholders filled in (a translator without phrases)."""
    return phrase % values if values else phrase


def parse_id(text: str, max_id: int = MAX_ID) -> int | None:
    """A whole-number id from 1 to `max_id`, or None when `text` is not one."""
    return parse_int(text, 1, max_id)


@dataclass(frozen=True)
class Column:
    """A column: its URL name, label, how its value is got and shown, sort and search."""

    name: str
    label: str
    sortable: bool = True
    searchable: bool = False
    expression: Any = None  # for sort and search; default: the statement's column `name`
    value: Callable[[Any], Any] | None = None  # the row's value; default: attribute `name`
    render: Callable[[Any], Any] | None = None  # the row's HTML cell (Markup is not escaped)
    export: bool = True  # a column of the CSV

    def value_of(self, row: Any) -> Any:
        """The row's value (for the CSV and the default cell)."""
        return self.value(row) if self.value is not None else getattr(row, self.name)

    def cell(self, row: Any) -> Any:
        """What the grid shows for the row; None shows as an empty cell."""
        return self.render(row) if self.render is not None else self.value_of(row)


@dataclass(frozen=True)
class Filter:
    """A select filter: `?<name>=<value>` where value is one of the declared choices.

    `choices` are (value, label) pairs; the URL carries `str(value)`. The rows kept are those
    where `expression == value`, or those `where(value)` selects.
    """

    name: str
    label: str
    choices: Sequence[tuple[Any, str]]
    expression: Any = None
    where: Callable[[Any], Any] | None = None

    def value_for(self, text: str) -> Any:
        """The choice's value for its URL text; KeyError when it is not a choice."""
        for value, _label in self.choices:
            if str(value) == text:
                return value
        raise KeyError(text)


@dataclass(frozen=True)
class Operation:
    """A bulk operation: `run(session, rows)` may return the message shown afterwards."""

    name: str
    label: str
    run: Callable[[Session, list[Any]], str | None]
    acl_action: str | None = None  # the module's ACL action needed to run it


@dataclass
class GridState:
    """What the query string asked for, after validation."""

    sort: str
    descending: bool
    search: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    page: int = 1
    per_page: int = 25
    messages: list[str] = field(default_factory=list)


class Grid:
    """The definition of a grid; checked when it is made, used by `serve()`."""

    def __init__(
        self,
        statement: Select[Any],
        columns: Sequence[Column],
        *,
        key: str = "id",
        filters: Sequence[Filter] = (),
        operations: Sequence[Operation] = (),
        sort: str | None = None,
        per_page: int = 25,
        per_page_choices: Sequence[int] = (10, 25, 50, 100),
        export_filename: str = "export",
        template: str = "grid.html",
        confirm_template: str = "grid_confirm.html",
        row_actions: Callable[[Any], Sequence[tuple[str, str | None]]] | None = None,
        empty: str | None = None,
    ) -> None:
        self.statement = statement
        self.columns = list(columns)
        self.key = key
        self.filters = list(filters)
        self.operations = {operation.name: operation for operation in operations}
        self.per_page = per_page
        self.per_page_choices = tuple(per_page_choices)
        self.export_filename = export_filename
        self.template = template
        self.confirm_template = confirm_template
        self.row_actions = row_actions
        # what the grid says while it has no row at all, translated ("No articles yet.");
        # None: jetpy's "Nothing here yet."
        self.empty = empty
        descriptions = statement.column_descriptions
        # select(Model) gives model instances; any other statement gives rows
        self.entities = len(descriptions) == 1 and descriptions[0]["expr"] is descriptions[0].get(
            "entity"
        )
        self.key_expression = self._expression(key, None, "key")
        self.expressions = {
            column.name: self._expression(column.name, column.expression, "column")
            for column in self.columns
            if column.sortable or column.searchable
        }
        self.filter_expressions = {
            item.name: None
            if item.where
            else self._expression(item.name, item.expression, "filter")
            for item in self.filters
        }
        self._check(sort)
        self.default_sort = (sort or "").lstrip("-") or self.key
        self.default_descending = bool(sort and sort.startswith("-"))

    def _expression(self, name: str, given: Any, what: str) -> Any:
        if given is not None:
            return given
        found = self.statement.selected_columns.get(name)
        if found is None:
            raise JetpyError(
                f"grid {what} `{name}` is not a column of the grid's statement; "
                f"pass expression= (e.g. expression=Model.{name}) or select it"
            )
        return found

    def _check(self, sort: str | None) -> None:
        problems = []
        for kind, names in [
            ("column", [column.name for column in self.columns]),
            ("filter", [item.name for item in self.filters]),
        ]:
            problems += [
                f"two {kind}s are called `{name}`" for name in set(names) if names.count(name) > 1
            ]
        problems += [
            f"filter `{item.name}` has a reserved name; rename it (reserved: "
            f"{', '.join(sorted(RESERVED))})"
            for item in self.filters
            if item.name in RESERVED
        ]
        sortable = {column.name for column in self.columns if column.sortable} | {self.key}
        if sort is not None and sort.lstrip("-") not in sortable:
            problems.append(
                f"sort={sort!r} names no sortable column ({', '.join(sorted(sortable))})"
            )
        if self.per_page not in self.per_page_choices:
            problems.append(f"per_page={self.per_page} is not one of per_page_choices")
        if problems:
            raise JetpyError("bad grid definition: " + "; ".join(problems))

    # the state in the query string ------------------------------------------------------
    def read_state(self, args: MultiDict[str, str], _: Translate = plain) -> GridState:
        """The state the query string asks for; bad values give defaults and a message."""
        state = GridState(self.default_sort, self.default_descending, per_page=self.per_page)
        messages = state.messages

        def ignored(name: str, value: str, why: str) -> None:
            messages.append(
                _("Ignored %(parameter)s=%(value)s: %(why)s.", parameter=name, value=value, why=why)
            )

        sort = args.get("sort")
        if sort:
            name = sort.removeprefix("-")
            if any(column.name == name and column.sortable for column in self.columns):
                state.sort, state.descending = name, sort.startswith("-")
            else:
                ignored("sort", sort, _("the grid cannot be sorted by it"))
        search = args.get("q", "").strip()
        if search and not any(column.searchable for column in self.columns):
            ignored("q", search, _("this grid has no search"))
        elif len(search) > MAX_SEARCH or not search.isprintable():
            ignored(
                "q",
                search[:MAX_SEARCH],
                _("a search text is one line of at most %(count)s characters", count=MAX_SEARCH),
            )
        else:
            state.search = " ".join(search.split()[:MAX_WORDS])
        for item in self.filters:
            text = args.get(item.name, "")
            if not text:
                continue
            try:
                item.value_for(text)
            except KeyError:
                ignored(item.name, text, _("not one of the choices"))
            else:
                state.filters[item.name] = text
        per_page = args.get("per_page")
        if per_page:
            number = parse_int(per_page)
            if number in self.per_page_choices:
                state.per_page = number
            else:
                choices = ", ".join(map(str, self.per_page_choices))
                ignored("per_page", per_page, _("choose %(choices)s", choices=choices))
        page = args.get("page")
        if page:
            number = parse_int(page, 1, MAX_PAGE)
            if number is not None:
                state.page = number
            else:
                ignored("page", page, _("not a page number"))
        return state

    def query(self, state: GridState, /, **changes: Any) -> dict[str, str]:
        """The query string of `state` with `changes` (None removes); defaults are left out.

        Any change but of the page goes back to page 1.
        """
        values: dict[str, Any] = {}
        if (state.sort, state.descending) != (self.default_sort, self.default_descending):
            values["sort"] = ("-" if state.descending else "") + state.sort
        values["q"] = state.search or None
        values.update(state.filters)
        if state.per_page != self.per_page:
            values["per_page"] = state.per_page
        if state.page != 1:
            values["page"] = state.page
        if changes and "page" not in changes:
            values.pop("page", None)
        values.update(changes)
        return {name: str(value) for name, value in values.items() if value not in (None, "")}

    # the statements ----------------------------------------------------------------------
    def filtered(self, state: GridState) -> Select[Any]:
        """The statement with the search, the filters and the order of `state` (all pages)."""
        statement = self.statement
        conditions = []
        searchable = [self.expressions[c.name] for c in self.columns if c.searchable]
        for word in state.search.split():
            pattern = "%" + escape_like(word) + "%"
            conditions.append(
                or_(*(_text(column).ilike(pattern, escape="/") for column in searchable))
            )
        for item in self.filters:
            text = state.filters.get(item.name)
            if text is not None:
                value = item.value_for(text)
                if item.where is not None:
                    conditions.append(item.where(value))
                else:
                    conditions.append(self.filter_expressions[item.name] == value)
        if conditions:
            statement = statement.where(and_(*conditions))
        sort = self.expressions.get(state.sort, self.key_expression)
        order = [sort.desc() if state.descending else sort.asc()]
        if state.sort != self.key:  # equal values: the key keeps pages from overlapping
            order.append(self.key_expression.asc())
        return statement.order_by(None).order_by(*order)

    def rows(self, session: Session, statement: Select[Any]) -> list[Any]:
        """The rows of `statement`: model instances for select(Model), else result rows."""
        result = session.execute(statement)
        return list(result.scalars() if self.entities else result)

    def page(self, session: Session, state: GridState, _: Translate = plain) -> GridPage:
        """One page of the filtered rows: a count and the page, two statements."""
        statement = self.filtered(state)
        total = session.scalar(
            select(func.count()).select_from(statement.order_by(None).subquery())
        )
        total = total or 0
        pages = max(1, -(-total // state.per_page))
        if state.page > pages:
            state.messages.append(
                _(
                    "Ignored page=%(page)s: there are %(pages)s pages; showing the last one.",
                    page=state.page,
                    pages=pages,
                )
            )
            state.page = pages
        offset = (state.page - 1) * state.per_page
        rows = self.rows(session, statement.limit(state.per_page).offset(offset)) if total else []
        return GridPage(self, state, rows, total, pages)

    # answering a request ---------------------------------------------------------------
    def serve(self, controller: Controller, **context: Any) -> Response | None:
        """Answer the controller's request: the grid, a CSV, or a bulk operation's steps.

        The grid renders into the controller's output (None is returned); the CSV and the
        redirect after a bulk operation are returned as responses. `context` goes to the
        template (e.g. `toolbar=[(label, url)]`).
        """
        request = controller.request
        _ = controller.translator
        state = self.read_state(request.args, _)
        export = request.args.get("export")
        if export == "csv" and request.method in ("GET", "HEAD"):
            return csv_response(self, controller.app.db, state, self.export_filename)
        if export:
            why = _("only csv is offered")
            state.messages.append(
                _(
                    "Ignored %(parameter)s=%(value)s: %(why)s.",
                    parameter="export",
                    value=export,
                    why=why,
                )
            )
        if request.method == "POST" and "bulk" in request.form:
            return self.bulk(controller, state, context)
        self.show(controller, state, context)
        return None

    def show(self, controller: Controller, state: GridState, context: dict[str, Any]) -> None:
        """Render the page of rows `state` asks for into the controller's output."""
        grid = self.page(controller.db, state, controller.translator)
        controller.output.append(grid.render(controller, self.template, context))

    def allowed_operations(self, controller: Controller) -> list[Operation]:
        """The operations the current user may run (the others are not offered)."""
        return [op for op in self.operations.values() if allowed(controller, op.acl_action)]

    def bulk(
        self, controller: Controller, state: GridState, context: dict[str, Any]
    ) -> Response | None:
        """A bulk POST: the confirmation page (rendered), then the redirect after running."""
        controller.check_csrf()
        _ = controller.translator
        form = controller.request.form
        operation = self.operations.get(form.get("bulk", ""))
        if operation is None:
            name = repr(form.get("bulk"))
            raise BadRequest(_("There is no bulk operation %(name)s in this grid.", name=name))
        if not allowed(controller, operation.acl_action):
            label = repr(operation.label)
            raise Forbidden(_("You may not run the bulk operation %(label)s.", label=label))
        ids = {parse_id(text) for text in form.getlist("ids")[: MAX_SELECTED + 1]}
        if None in ids or len(ids) > MAX_SELECTED:
            raise BadRequest(_("Select from 1 to %(count)s rows by their ids.", count=MAX_SELECTED))
        session = controller.db
        rows = []
        if ids:
            chosen = self.statement.where(self.key_expression.in_(ids)).order_by(None)
            rows = self.rows(session, chosen.order_by(self.key_expression))
        if not rows:
            message = _("Select at least one row for %(operation)s.", operation=operation.label)
            state.messages.append(message)
            self.show(controller, state, context)
            return None
        back = grid_url(controller, self.query(state))
        if form.get("confirm") != "1":
            page = GridPage(self, state, rows, len(rows), 1)
            values = {"operation": operation, **context}
            controller.output.append(page.render(controller, self.confirm_template, values))
            return None
        name_of: Callable[[Any], str] = getattr(controller, "title_of", str)  # a CRUD's names
        before = [(snapshot(row), name_of(row)) for row in rows] if self.entities else []
        message = operation.run(session, rows) or _(
            "%(operation)s: done for %(count)s rows.", operation=operation.label, count=len(rows)
        )
        if self.entities:  # one data.changed event per row (an audit log hears them)
            module = controller.module.name
            for event in bulk_changes(controller.ctx, module, session, rows, before):
                controller.app.events.emit(event)
        controller.flash(message)
        return redirect(back, 303)


def allowed(controller: Controller, acl_action: str | None) -> bool:
    """Whether the current user may run `acl_action` of the controller's module."""
    if acl_action is None:
        return True
    auth = controller.ctx.auth
    return auth is not None and auth.module_action_allowed(
        controller.ctx, controller.module.name, acl_action
    )


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern with `/` as the escape character: `%` and `_` match literally."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _text(expression: Any) -> Any:
    """Search a non-text column (a number, a date) by its text."""
    return expression if isinstance(expression.type, String) else cast(expression, String)
