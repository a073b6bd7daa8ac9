from __future__ import annotations

from collections.abc import Callable

import pytest
from werkzeug.test import Client

from jetpy import JetpyError

MakeClient = Callable[..., Client]

ROUTED = """
from jetpy import Controller, ControllerRouter


class Main(Controller):
    def default_action(self):
        self.render("hello.html", name="main")

    def menu_action(self):
        pass


class Routed(Controller):
    def get_router(self):
        router = ControllerRouter(self)
        mode = self.parameters.get("mode", "")
        router.add_action("first", resolver=lambda: self.url_path == "",
                          url_creator=lambda: self.page.url())
        router.add_action("second", resolver=lambda: mode == "", url_creator=lambda: "/second")
        router.add_action("guarded", resolver=lambda: mode == "guarded",
                          authorizer=lambda: self.request.args.get("pass") == "1",
                          url_creator=lambda: self.page.url("guarded"))
        router.add_action("acl", resolver=lambda: mode == "acl", acl_action="edit",
                          url_creator=lambda: self.page.url("acl"))
        if mode == "default":
            router.actions.pop("second")
            router.set_default_action("first")
        return router

    def resolve(self):
        result = super().resolve()
        if self.url_path:
            self.set_used_path(self.url_path)
        return result

    def first_action(self):
        router = self.router
        links = [router.action(name).url() for name in ("second", "guarded", "acl")
                 if name in router.actions]
        self.render("hello.html", name="first " + repr(links))

    def second_action(self):
        self.render("hello.html", name="second")

    def guarded_action(self):
        self.render("hello.html", name="guarded")

    def acl_action(self):
        self.render("hello.html", name="acl")


class Embeds(Controller):
    def default_action(self):
        widget = self.embed("test.hello", action="default", controller="Main")
        self.render("hello.html", name="outer " + str(widget))
"""


@pytest.fixture
def make(make_client: MakeClient) -> MakeClient:
    def build(mode: str = "", controller: str = "Routed") -> Client:
        contents = (
            f"title: R\ncontents:\n  - {{module: test.hello, controller: {controller}, "
            f"parameters: {{mode: '{mode}'}}}}\n"
        )
        return make_client(
            {
                "application/modules/test/hello/controllers.py": ROUTED,
                "application/modules/test/hello/views/hello.html": "[{{ name }}]",
                "application/bases/web/pages/en_US/items/page.yaml": None,
                "application/bases/web/pages/en_US/r/page.yaml": contents,
            }
        )

    return build


def body(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def test_first_truthy_resolver_wins_in_order(make: MakeClient) -> None:
    client = make()
    assert "[first " in body(client, "/r/")[1]
    assert "[second]" in body(client, "/r/anything")[1]


def test_action_urls_are_none_when_not_authorized(make: MakeClient) -> None:
    status, text = body(make(), "/r/")
    assert status == 200
    assert "[first [&#39;/second&#39;, None, None]]" in text


def test_custom_authorizer(make: MakeClient) -> None:
    client = make("guarded")
    assert body(client, "/r/x")[0] == 403
    assert "[guarded]" in body(client, "/r/x?pass=1")[1]


def test_acl_action_is_refused_without_an_auth_provider(make: MakeClient) -> None:
    assert body(make("acl"), "/r/x")[0] == 403


def test_default_action_when_nothing_matches(make: MakeClient) -> None:
    client = make("default")
    assert "[first" in body(client, "/r/whatever")[1]


def test_embedding_another_modules_action(make: MakeClient) -> None:
    assert "[outer [main]]" in body(make(controller="Embeds"), "/r/")[1]


def test_router_errors_name_the_fix(app: object) -> None:
    from jetpy import Controller, ControllerRouter
    from jetpy.kernel.pages import Content

    class Thing(Controller):
        def show_action(self) -> None:
            pass

    from types import SimpleNamespace

    ctx = SimpleNamespace(app=None, request=None, base=None, locale=None, page=None, url_path="")
    router = ControllerRouter(Thing(ctx, None, Content(module="m")))  # type: ignore[arg-type]
    with pytest.raises(JetpyError, match="no method `shwo_action`"):
        router.add_action("shwo")
    router.add_action("show")
    with pytest.raises(JetpyError, match="Did you mean `show`"):
        router.action("sho")
    with pytest.raises(JetpyError, match="has no url_creator"):
        router.action("show").url()
