from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from jetpy import Application, Controller, RequestContext
from jetpy.kernel import stages


def serve(app: Application, path: str) -> str:
    statuses: list[str] = []
    result = app(EnvironBuilder(path).get_environ(), lambda status, *_: statuses.append(status))
    b"".join(result)
    return statuses[0]


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", "200 OK"), ("/items/", "200 OK"), ("/items/two.html", "200 OK"), ("/nope/", "404")],
)
def test_a_request_is_freed_as_soon_as_it_is_answered(
    app: Application, path: str, status: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No reference cycles: the request's objects do not wait for the garbage collector."""
    made: list[weakref.ref[Any]] = []
    match = stages.match_locale

    def match_locale(app: Application, request: Request) -> RequestContext:
        ctx = match(app, request)
        made.extend([weakref.ref(ctx), weakref.ref(request)])
        return ctx

    monkeypatch.setattr(stages, "match_locale", match_locale)
    gc.disable()
    try:
        assert serve(app, path).startswith(status)
        assert len(made) == 2 and [ref() for ref in made] == [None, None]
    finally:
        gc.enable()


def request_context(app: Application, path: str) -> RequestContext:
    request = EnvironBuilder(path).get_request()
    ctx = RequestContext(app, request, path)
    page = app.page("items")
    ctx.base, ctx.locale, ctx.page = page.base, page.locale, page
    return ctx


def items_controller(app: Application, ctx: RequestContext) -> Controller:
    module = app.modules["test.hello"]
    content = ctx.page.contents[0]
    controller: Controller = module.controllers["Items"](ctx, module, content)
    return controller


def test_close_drops_the_template_names_and_routers_which_come_back_when_asked_for(
    app: Application,
) -> None:
    ctx = request_context(app, "/items/")
    controller = items_controller(app, ctx)
    router = controller.router
    shared: dict[str, Any] = app.templates.shared_vars(ctx)
    assert ctx.routed == [controller]
    ctx.close()
    assert ctx.template_vars is None and ctx.routed == []
    rebuilt = controller.router
    assert rebuilt is not None and rebuilt is not router
    assert rebuilt.action("detail").url("one") == "/items/one.html"
    assert app.templates.shared_vars(ctx).keys() == shared.keys()


def test_a_router_action_refers_to_its_controller(app: Application) -> None:
    ctx = request_context(app, "/items/")
    controller = items_controller(app, ctx)
    router = controller.router
    assert router is not None
    assert router.action("list").controller is controller
