"""The page of a grid that its templates see (jetpy/web/views/grid.html): rows, state, URLs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from jetpy.kernel.controller import Controller
    from jetpy.web.grid import Column, Filter, Grid, GridState, Operation


@dataclass
class GridPage:
    """One page of a grid's rows with the URLs its template needs."""

    grid: Grid
    state: GridState
    rows: list[Any]
    total: int
    pages: int
    operations: list[Operation] = field(default_factory=list)
    base_url: str = ""  # the page's URL, set by render()

    def url(self, **changes: Any) -> str:
        """The grid's URL with its state changed by `changes` (None removes a parameter)."""
        return self.base_url + _query_string(self.grid.query(self.state, **changes))

    def render(self, controller: Controller, template: str, context: dict[str, Any]) -> str:
        """The HTML of the grid (or of its confirmation page) through the base's templates."""
        self.base_url = controller.page.url()
        self.operations = self.grid.allowed_operations(controller)
        return render_view(controller, template, {"grid": self, **context})

    @property
    def columns(self) -> list[Column]:
        return self.grid.columns

    @property
    def filters(self) -> list[Filter]:
        return self.grid.filters

    @property
    def messages(self) -> list[str]:
        return self.state.messages

    @property
    def searchable(self) -> bool:
        return any(column.searchable for column in self.grid.columns)

    def key_of(self, row: Any) -> Any:
        """The row's id (the value of the grid's key)."""
        return getattr(row, self.grid.key)

    def row_actions(self, row: Any) -> list[tuple[str, str]]:
        """The row's links the current user may follow (label, URL)."""
        if self.grid.row_actions is None:
            return []
        return [(label, url) for label, url in self.grid.row_actions(row) if url is not None]

    def sort_url(self, column: Column) -> str:
        """Sorts by `column`: ascending, or descending when it is sorted ascending already."""
        ascending = self.state.sort != column.name or self.state.descending
        return self.url(sort=("" if ascending else "-") + column.name)

    def sorted_by(self, column: Column) -> str:
        """'asc', 'desc' or '' (for the header's marker and aria-sort)."""
        if self.state.sort != column.name:
            return ""
        return "desc" if self.state.descending else "asc"

    def page_url(self, page: int) -> str:
        return self.url(page=page if page > 1 else None)

    def page_numbers(self, around: int = 3) -> list[int]:
        """The pages the pager links: the first, the last and those near the current one."""
        near = range(
            max(1, self.state.page - around), min(self.pages, self.state.page + around) + 1
        )
        return sorted({1, self.pages, *near})

    def hidden(self, *exclude: str) -> list[tuple[str, str]]:
        """The state as hidden fields for a GET form (minus `exclude` and the page)."""
        query = self.grid.query(self.state, page=None)
        return [(name, value) for name, value in query.items() if name not in exclude]

    def reset_url(self) -> str:
        """Without the search and the filters (sort and page size stay)."""
        return self.url(q=None, **{item.name: None for item in self.grid.filters})

    def export_url(self) -> str:
        return self.url(page=None, per_page=None, export="csv")


def render_view(controller: Controller, template: str, values: dict[str, Any]) -> str:
    """Render a view of the base (or jetpy's default of that name, see jetpy/web/views/)."""
    templates = controller.app.templates
    found = templates.environment(controller.base).get_template(template)
    values = {"controller": controller, "_": controller.translator, **values}
    return templates.render(found, templates.shared_vars(controller.ctx), values)


def grid_url(controller: Controller, query: dict[str, str]) -> str:
    """The URL of the controller's page with `query`."""
    return controller.page.url() + _query_string(query)


def _query_string(query: dict[str, str]) -> str:
    return "?" + urlencode(query) if query else ""
