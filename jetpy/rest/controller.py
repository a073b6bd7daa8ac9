"""`RestController`: a JSON resource whose handler the HTTP method and the leftover path pick.

Mounted on a page like any controller, it answers for the page's URL (the collection) and
for one more path segment (an item's id)::

    GET    /rest/articles/      get_list()       GET    /rest/articles/12   get_one(12)
    POST   /rest/articles/      post()           PUT    /rest/articles/12   put(12)
                                                 DELETE /rest/articles/12   delete(12)
    OPTIONS on either: 204 with the `Allow` header

A subclass defines the handlers it supports; any other method answers 405 with an `Allow`
header. A handler returns a Response (`self.json()`, `self.created()`, `self.list_response()`),
JSON-able data (200) or None (204). The request's session is `self.db`: committed when the
answer is below 400, rolled back otherwise. Every error is the envelope of
`jetpy.rest.errors`, never an HTML page.

Reads are public. Writes need an API user: `authorize_write()` asks the base's auth provider
for the module's ACL action (`post`, `put`, `delete`); a base without a provider has no API
users yet, so its writes answer 401 with a `WWW-Authenticate` header. A request whose API
user lacks the action gets 403.

CSRF protection does not apply: the API does not authenticate by cookies. Its users send
their credentials with each request, which a page on another site cannot make a browser do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from jetpy.data.changes import Snapshot, item_changed
from jetpy.kernel.controller import Controller
from jetpy.kernel.request import parse_int
from jetpy.rest.body import Body, read_json
from jetpy.rest.errors import ApiError, Headers, json_response

log = logging.getLogger("jetpy")

# (method, for an item) → handler
HANDLERS: Mapping[tuple[str, bool], str] = {
    ("GET", False): "get_list",
    ("POST", False): "post",
    ("GET", True): "get_one",
    ("PUT", True): "put",
    ("DELETE", True): "delete",
}
WRITES = frozenset({"POST", "PUT", "DELETE"})
LONGEST_ID = 10**18 - 1  # longer numbers are no row's id: 404 without a query
LIST_PARAMETERS = ("page", "items_per_page", "sort")


@dataclass(frozen=True)
class SortKey:
    """One key of `sort=`: a name the controller allows, ascending or descending."""

    name: str
    descending: bool = False

    def __str__(self) -> str:
        return ("-" if self.descending else "+") + self.name


@dataclass(frozen=True)
class ListQuery:
    """The validated paging and sorting of a list request."""

    page: int
    items_per_page: int
    sort: tuple[SortKey, ...]

    @property
    def offset(self) -> int:
        """How many items the pages before this one hold."""
        return (self.page - 1) * self.items_per_page


class RestController(Controller):
    """A JSON resource: define get_list(), get_one(id), post(), put(id), delete(id)."""

    sort_keys: tuple[str, ...] = ()  # the names `sort=` may use, e.g. ("title", "published")
    default_sort: str = ""  # `sort` when none is given, e.g. "-published"
    items_per_page: int = 20  # when `items_per_page` is not given
    max_items_per_page: int = 100
    list_parameters: tuple[str, ...] = ()  # more query parameters that get_list() reads itself
    max_id: int = 2**31 - 1  # an SQL INTEGER's largest value; raise it for BIGINT ids
    csrf_exempt = True  # credentials come with each request, not from cookies (see above)
    own_methods = True  # OPTIONS: 204 with Allow; others: 405 in the envelope

    handler: str = ""  # the handler resolve() chose
    id: Any = None  # the item's id from the leftover path (parse_id), None for the collection
    query: ListQuery  # paging and sorting, for get_list()

    # resolving -------------------------------------------------------------------------
    @classmethod
    def allowed_methods(cls, item: bool) -> list[str]:
        """The methods answered at the collection's URL (`item` False) or at an item's."""
        methods = [
            method
            for (method, for_item), name in HANDLERS.items()
            if for_item == item and callable(getattr(cls, name, None))
        ]
        if "GET" in methods:
            methods.insert(methods.index("GET") + 1, "HEAD")
        return [*methods, "OPTIONS"] if methods else []

    def resolve(self) -> str:
        """Pick the handler from the method and the leftover path; refuse with the envelope."""
        try:
            self.handler = self.choose_handler()
        except ApiError as error:
            self.add_page_headers(error.get_response())
            raise
        return "rest"

    def choose_handler(self) -> str:
        """The handler's name; 404, 405 or 401 (as ApiError) when there is none to run."""
        path = self.url_path
        item = bool(path)
        allowed = self.allowed_methods(item)
        if "/" in path or not allowed:
            raise ApiError(404, f"There is nothing at {self.request.path}.")
        self.set_used_path(path)
        method = self.request.method
        if method == "OPTIONS":
            return "options"
        name = HANDLERS.get(("GET" if method == "HEAD" else method, item))
        if name is None or not callable(getattr(self, name, None)):
            where = "an item" if item else "the collection"
            raise ApiError(
                405,
                f"{method} is not allowed on {where} at {self.request.path}; "
                f"allowed: {', '.join(allowed)}.",
                headers={"Allow": ", ".join(allowed)},
                allow=allowed,
            )
        if method in WRITES and not self.authorize_write(method.lower()):
            raise self.write_refused(method)
        if item:
            self.id = self.parse_id(path)
        return name

    def parse_id(self, text: str) -> Any:
        """The item's id from the leftover path: a whole number from 1 (override for others)."""
        number = parse_int(text, 1, LONGEST_ID)
        if number is None:
            raise ApiError(
                404, f"`{text}` is not an id of this resource: ids are whole numbers from 1."
            )
        if number > self.max_id:  # no row has it; PostgreSQL would refuse to compare it
            raise ApiError(404, f"There is no item {number}: ids go up to {self.max_id}.")
        return number

    def authorize_write(self, acl_action: str) -> bool:
        """Whether the request's API user may run `acl_action` (post, put, delete).

        The base's auth provider decides, by this module's ACL action of that name; a base
        without a provider has no API users, so every write is refused.
        """
        auth = self.ctx.auth
        return auth is not None and auth.module_action_allowed(
            self.ctx, self.module.name, acl_action
        )

    def write_refused(self, method: str) -> ApiError:
        """401 when the request has no API user; 403 when its user lacks the ACL action.

        The provider tells who the user is by a `current_user(ctx)` method, when it has one.
        """
        acl_action = method.lower()
        who = getattr(self.ctx.auth, "current_user", None)
        if callable(who) and who(self.ctx) is not None:
            return ApiError(
                403,
                f"{method} needs the privilege `{self.module.name}:{acl_action}`, which this "
                "API user lacks; ask an administrator to grant it.",
            )
        return ApiError(
            401,
            f"{method} needs an API user allowed to `{acl_action}` in module "
            f"{self.module.name}; this request has none. Authenticate and send it again.",
            headers={"WWW-Authenticate": f'Bearer realm="{self.base.id}"'},
        )

    # the one action ------------------------------------------------------------------
    def rest_action(self) -> Response:
        """Run the handler resolve() chose; every answer gets the page's HTTP headers."""
        try:
            response = self.run_handler()
        except ApiError as error:
            self.add_page_headers(error.get_response())
            raise
        return self.add_page_headers(response)

    def add_page_headers(self, response: Response) -> Response:
        """The page's HTTP headers (base.yaml, page.yaml; e.g. CORS) where the answer lacks them."""
        for name, value in self.page.http_headers.items():
            response.headers.setdefault(name, value)
        return response

    def run_handler(self) -> Response:
        """Call the handler and make its result a response: JSON, or 204 for None."""
        if self.handler == "options":
            allowed = ", ".join(self.allowed_methods(bool(self.url_path)))
            return Response(status=204, headers={"Allow": allowed})
        if self.handler == "get_list":
            self.query = self.list_query()
        elif problems := self.check_parameters(()):
            raise_parameters(problems)
        handler: Callable[..., Any] = getattr(self, self.handler)
        result = handler(self.id) if self.url_path else handler()
        if isinstance(result, Response):
            return result
        if result is None:
            return Response(status=204)
        return self.json(result)

    # query parameters ----------------------------------------------------------------
    def check_parameters(self, known: Sequence[str]) -> dict[str, list[str]]:
        """The problems of query parameters that are not `known` or are given twice."""
        problems: dict[str, list[str]] = {}
        args = self.request.args
        for name in args:
            if name not in known:
                listed = ", ".join(known) if known else "none here"
                problems.setdefault(name, []).append(f"unknown parameter; known: {listed}")
            elif len(args.getlist(name)) > 1:
                problems.setdefault(name, []).append("given more than once; give it once")
        return problems

    def list_query(self) -> ListQuery:
        """`page`, `items_per_page` and `sort` of the request, checked; 400 names each fault."""
        args = self.request.args
        problems = self.check_parameters((*LIST_PARAMETERS, *self.list_parameters))
        page = _whole(args.get("page"), 1, None, "page", problems)
        per_page = _whole(
            args.get("items_per_page"),
            self.items_per_page,
            self.max_items_per_page,
            "items_per_page",
            problems,
        )
        sort = self.parse_sort(args.get("sort", self.default_sort), problems)
        if problems:
            raise_parameters(problems)
        return ListQuery(page, per_page, sort)

    def parse_sort(self, text: str, problems: dict[str, list[str]]) -> tuple[SortKey, ...]:
        """`+title,-published` as sort keys; each key must be one of `sort_keys`."""
        keys: list[SortKey] = []
        if not text:
            return ()
        if not self.sort_keys:
            problems.setdefault("sort", []).append("this list cannot be sorted")
            return ()
        allowed = ", ".join(f"+{key}, -{key}" for key in self.sort_keys)
        for part in text.split(","):
            # an unencoded `+` arrives as a space: `sort=+title` means ascending too
            part = part.strip()
            descending = part.startswith("-")
            name = part[1:] if part[:1] in "+-" and part else part
            if name not in self.sort_keys:
                problems.setdefault("sort", []).append(
                    f"cannot sort by {part!r}; allowed: {allowed} (comma-separated)"
                )
            elif any(key.name == name for key in keys):
                problems.setdefault("sort", []).append(f"sorts by `{name}` twice")
            else:
                keys.append(SortKey(name, descending))
        return tuple(keys)

    # answers --------------------------------------------------------------------------
    def json(self, data: Any, status: int = 200, headers: Headers | None = None) -> Response:
        """`data` as a JSON response (`application/json; charset=utf-8`)."""
        return json_response(data, status, headers)

    def item_url(self, id: Any) -> str:
        """The URL of the item with `id` (for links and the Location of a created item)."""
        return self.page.url(str(id))

    def created(self, data: Any, id: Any) -> Response:
        """201 Created with the item's URL in `Location`."""
        return self.json(data, 201, {"Location": self.item_url(id)})

    def list_response(self, items: Sequence[Any], total: int) -> Response:
        """One page of a list: items, paging figures and a `Link` header to the neighbours.

        A page past the last one is a 404 (page 1 of an empty list is simply empty).
        """
        query = self.query
        pages = max(1, -(-total // query.items_per_page))
        if query.page > pages:
            raise ApiError(
                404,
                f"There is no page {query.page}: the list has {pages} "
                f"page{'s' if pages != 1 else ''} of {query.items_per_page} items.",
            )
        body = {
            "items": list(items),
            "page": query.page,
            "items_per_page": query.items_per_page,
            "total": total,
            "pages": pages,
        }
        links = {"first": 1, "prev": query.page - 1, "next": query.page + 1, "last": pages}
        link = ", ".join(
            f'<{self.page.url(**{**self.request.args.to_dict(), "page": number})}>; rel="{rel}"'
            for rel, number in links.items()
            if 1 <= number <= pages and number != query.page
        )
        return self.json(body, headers={"Link": link} if link else None)

    def body(self) -> Body:
        """The request's JSON object, to read field by field (see jetpy.rest.body)."""
        return Body(read_json(self.request))

    def record_change(self, action: str, item: Any, before: Snapshot | None, label: str) -> None:
        """Tell the listeners of `data.changed` (an audit log) what a write did to `item`.

        `before` is `jetpy.data.changes.snapshot(item)` taken before the write (None for a new
        item); call it after `flush()`. Delivered only if the request succeeds.
        """
        event = item_changed(self.ctx, self.module.name, action, item, before, label)
        if event is not None:
            self.app.events.emit(event)

    def flush(self) -> None:
        """Write the changes now; a constraint the database refuses answers 409 Conflict.

        Check what you can before (a used slug is a field error); this catches the rest,
        e.g. another client that took the same code a moment earlier.
        """
        from sqlalchemy.exc import IntegrityError

        try:
            self.db.flush()
        except IntegrityError as exc:
            self.db.rollback()
            log.warning("module %s: the database refused a write: %s", self.module.name, exc.orig)
            raise ApiError(
                409,
                "The change conflicts with data stored meanwhile (a value that must be unique, "
                "or a row that others refer to). Read the item again and retry.",
            ) from None


def raise_parameters(problems: Mapping[str, list[str]]) -> None:
    """400 naming each bad query parameter and what is allowed."""
    text = "; ".join(f"`{name}` {', '.join(found)}" for name, found in problems.items())
    raise ApiError(
        400,
        f"Bad query parameters: {text}.",
        code="invalid_parameters",
        parameters={name: list(found) for name, found in problems.items()},
    )


def _whole(
    text: str | None, default: int, maximum: int | None, name: str, problems: dict[str, list[str]]
) -> int:
    if text is None:
        return default
    value = parse_int(text, 1, maximum or 999_999_999)
    if value is not None:
        return value
    allowed = f"from 1 to {maximum}" if maximum else "of 1 or more"
    problems.setdefault(name, []).append(f"must be a whole number {allowed}, not {text!r}")
    return default
