"""Menu sets: root menus of application/menus/<set>.yaml, items from modules, per request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Request, Response

from jetpy import Application, JetpyError
from jetpy.errors import DefinitionError, Problem
from jetpy.kernel.context import RequestContext
from jetpy.kernel.pages import Page
from jetpy.modules.menus import Menu, MenuItem
from tests.conftest import ProjectFactory

MAIN = "application/menus/main.yaml"
HELLO = "application/modules/test/hello"
HELLO_ITEMS = f"{HELLO}/menu_items/main.yaml"
PAGES = "application/bases/web/pages/en_US"
STATE = "application/data/modules.yaml"


class Provider:
    """An auth provider whose menus offer only the pages it was told to."""

    def __init__(self, *visible: str) -> None:
        self.visible = set(visible)
        self.asked: list[str] = []

    def page_access(self, ctx: RequestContext, page: Page) -> Response | bool:
        return True

    def module_action_allowed(self, ctx: RequestContext, module: str, acl_action: str) -> bool:
        return True

    def can_see_page(self, ctx: RequestContext, page: Page) -> bool:
        self.asked.append(page.id)
        return page.id in self.visible


def context(
    app: Application, page_id: str = "_homepage_", locale: str = "en_US", auth: Any = None
) -> RequestContext:
    """A request context at `page_id`, as the stages leave it before the layout renders."""
    ctx = RequestContext(app, Request(EnvironBuilder(path="/").get_environ()), "/")
    base = app.bases["web"]
    ctx.base, ctx.locale = base, base.locales[locale]
    ctx.page = app.page(page_id, locale=locale)
    ctx.auth = auth
    return ctx


def labels(items: Menu | tuple[MenuItem, ...]) -> list[str]:
    """Labels of the items, `|` for a separator, nested items in brackets."""
    shown = []
    for item in items:
        text = "|" if item.separator else item.label
        if item.items:
            text += "[" + " ".join(labels(item.items)) + "]"
        shown.append(text)
    return shown


def menu_app(make_project: ProjectFactory, menu: str) -> Application:
    """The default project with `menu` as application/menus/main.yaml."""
    return Application(make_project({MAIN: menu}))


def startup_problems(root: Path) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        Application(root)
    return caught.value.problems


# order, labels, separators ---------------------------------------------------------------
def test_items_go_by_order_then_label(make_project: ProjectFactory) -> None:
    app = menu_app(
        make_project,
        """
        top:
          items:
            - {url: /c, label: Charlie, order: 1}
            - {page: about}                  # order 0, label from the page: About
            - {url: /b, label: Bravo, order: 1}
            - {page: items, order: -1}
            - {url: /a, label: Alpha}
        """,
    )
    menu = app.menus.menu(context(app), "main", "top")
    assert labels(menu) == ["Items", "About", "Alpha", "Bravo", "Charlie"]
    assert [item.url for item in menu] == ["/items/", "/about/", "/a", "/b", "/c"]
    assert [item.id for item in menu] == ["items", "about", None, None, None]


def test_a_page_item_takes_its_label_from_the_menu_title(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            MAIN: "top:\n  items: [{page: about}, {page: items, label: All items}]\n",
            f"{PAGES}/about/page.yaml": "title: About us in full\nmenu_title: About us\n",
        }
    )
    app = Application(root)
    menu = app.menus.menu(context(app), "main", "top")
    assert labels(menu) == ["About us", "All items"]
    assert menu.items[0].page is app.page("about")


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        pytest.param(
            "[{separator: true, order: -1}, {page: about}, {separator: true, order: 5}]",
            ["About"],
            id="leading-and-trailing",
        ),
        pytest.param(
            "[{page: items}, {separator: true, order: 1}, {separator: true, order: 2},"
            " {url: /x, label: X, order: 3}]",
            ["Items", "|", "X"],
            id="doubled",
        ),
        pytest.param(
            "[{page: items}, {separator: true, order: 1}, {page: nowhere, order: 2},"
            " {separator: true, order: 3}, {url: /x, label: X, order: 4}]",
            ["Items", "|", "X"],
            id="around-a-left-out-item",
        ),
        pytest.param("[{separator: true}, {separator: true}]", [], id="only-separators"),
    ],
)
def test_separators_collapse(make_project: ProjectFactory, items: str, expected: list[str]) -> None:
    app = menu_app(make_project, f"top:\n  items: {items}\n")
    assert labels(app.menus.menu(context(app), "main", "top")) == expected


def test_separators_collapse_around_items_the_visitor_may_not_see(
    make_project: ProjectFactory,
) -> None:
    app = menu_app(
        make_project,
        """
        top:
          items:
            - {page: items}
            - {separator: true, order: 1}
            - {page: about, order: 2}
            - {separator: true, order: 3}
        """,
    )
    assert labels(app.menus.menu(context(app, auth=Provider("items", "about")), "main", "top")) == [
        "Items",
        "|",
        "About",
    ]
    assert labels(app.menus.menu(context(app, auth=Provider("items")), "main", "top")) == ["Items"]


# pages left out -------------------------------------------------------------------------
def test_pages_missing_in_the_locale_or_inactive_are_left_out(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            MAIN: """
            top:
              items:
                - {page: _homepage_, label: Home}
                - {page: about}
                - {page: hidden}
                - {page: below_hidden}
            """,
            f"{PAGES}/hidden/page.yaml": "title: Hidden\nactive: false\n",
            f"{PAGES}/hidden/below/page.yaml": "id: below_hidden\ntitle: Below\n",
        }
    )
    app = Application(root)
    assert labels(app.menus.menu(context(app), "main", "top")) == ["About", "Home"]
    # cs_CZ has only its homepage
    assert labels(app.menus.menu(context(app, locale="cs_CZ"), "main", "top")) == ["Home"]


def test_secret_pages_are_left_out_without_an_auth_provider(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            MAIN: "top:\n  items: [{page: about}, {page: items}, {page: inner}]\n",
            f"{PAGES}/about/page.yaml": "title: About\nsecret: true\n",
            f"{PAGES}/about/inner/page.yaml": "title: Inner\n",  # secret by its parent
        }
    )
    app = Application(root)
    assert labels(app.menus.menu(context(app), "main", "top")) == ["Items"]


def test_the_auth_provider_decides_which_pages_the_menu_offers(
    make_project: ProjectFactory,
) -> None:
    root = make_project(
        {
            MAIN: "top:\n  items: [{page: about}, {page: items}, {url: /x, label: X}]\n",
            f"{PAGES}/about/page.yaml": "title: About\nsecret: true\n",
        }
    )
    app = Application(root)
    provider = Provider("about")
    ctx = context(app, auth=provider)
    assert labels(app.menus.menu(ctx, "main", "top")) == ["About", "X"]
    assert sorted(provider.asked) == ["about", "items"]  # asked for every page item
    assert labels(app.menus.menu(context(app, auth=Provider("items")), "main", "top")) == [
        "Items",
        "X",
    ]


def test_the_auth_hook_works_in_a_request(make_project: ProjectFactory) -> None:
    init = (
        "class Auth:\n"
        "    def page_access(self, ctx, page): return True\n"
        "    def module_action_allowed(self, ctx, module, acl_action): return True\n"
        "    def can_see_page(self, ctx, page):\n"
        "        return page.id != 'about' or ctx.request.args.get('who') == 'admin'\n"
        "def setup(ctx):\n"
        "    ctx.auth = Auth()\n"
    )
    root = make_project(
        {
            "application/bases/web/base.yaml": """
            default: true
            initializer: application.bases.web.init:setup
            locales: {en_US: {urls: [/]}}
            """,
            "application/bases/web/init.py": init,
            "application/bases/web/pages/cs_CZ/page.yaml": None,
            MAIN: "top:\n  items: [{page: about}, {page: items}]\n",
            "application/bases/web/layouts/default.html": (
                "{% for item in menu('main', 'top') %}<a href='{{ item.url }}'>{{ item.label }}</a>"
                "{% endfor %}|{{ position('main') }}{{ position('side') }}"
            ),
        }
    )
    client = Client(Application(root))
    guest = client.get("/").get_data(as_text=True)
    assert guest.startswith("<a href='/items/'>Items</a>|")
    admin = client.get("/?who=admin").get_data(as_text=True)
    assert admin.startswith("<a href='/about/'>About</a><a href='/items/'>Items</a>|")


# the current page --------------------------------------------------------------------------
def test_active_and_current_items(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            MAIN: """
            top:
              items:
                - {page: _homepage_, label: Home}
                - {page: items, order: 1}
                - {page: about, order: 2}
                - {url: /x, label: X, order: 3}
            """,
            f"{PAGES}/items/one/page.yaml": "title: One\n",
        }
    )
    app = Application(root)

    def marks(page_id: str) -> list[tuple[str, bool, bool]]:
        menu = app.menus.menu(context(app, page_id), "main", "top")
        return [(item.label, item.is_active, item.is_current) for item in menu]

    assert marks("one") == [
        ("Home", False, False),  # every page is below the homepage: active only on itself
        ("Items", True, False),
        ("About", False, False),
        ("X", False, False),
    ]
    assert marks("items")[1] == ("Items", True, True)
    assert marks("_homepage_")[0] == ("Home", True, True)


def test_the_built_menu_is_kept_and_reused_when_nothing_differs(
    make_project: ProjectFactory,
) -> None:
    app = menu_app(make_project, "top:\n  items: [{page: about}, {url: /x, label: X}]\n")
    first = app.menus.menu(context(app), "main", "top")
    assert app.menus.menu(context(app), "main", "top") is first
    on_about = app.menus.menu(context(app, "about"), "main", "top")
    assert on_about is not first and on_about.items[0].is_active
    assert not first.items[0].is_active  # the kept menu is never changed


# nesting ----------------------------------------------------------------------------------
def test_nested_items_and_headings(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            MAIN: """
            top:
              items:
                - id: more
                  label: More
                  items:
                    - {page: about}
                    - {page: items, items: [{page: one}]}
                - id: empty
                  label: Nothing visible below
                  items: [{page: missing}]
            """,
            f"{PAGES}/items/one/page.yaml": "title: One\n",
        }
    )
    app = Application(root)
    menu = app.menus.menu(context(app, "one"), "main", "top")
    assert labels(menu) == ["More[About Items[One]]"]
    more = menu.items[0]
    assert more.url is None and more.is_active  # a heading is active when a child is
    assert [(item.label, item.is_active) for item in more.items] == [
        ("About", False),
        ("Items", True),
    ]
    # a heading whose items the visitor may not see is left out
    guest = context(app, auth=Provider("items"))
    assert labels(app.menus.menu(guest, "main", "top")) == ["More[Items]"]
    assert labels(app.menus.menu(context(app, auth=Provider()), "main", "top")) == []


# texts per locale -----------------------------------------------------------------------------
def test_labels_and_urls_per_locale(make_project: ProjectFactory) -> None:
    app = menu_app(
        make_project,
        """
        top:
          label: {en_US: Top, cs_CZ: Nahoře}
          icon: star
          items:
            - {url: {en_US: /en-only}, label: English only, order: 1}
            - {url: {en_US: /help, cs_CZ: /cs/pomoc}, label: {en_US: Help, cs_CZ: Pomoc}, icon: "?"}
            - {page: _homepage_, label: {en_US: Start}, order: 2}
        """,
    )
    english = app.menus.menu(context(app), "main", "top")
    czech = app.menus.menu(context(app, locale="cs_CZ"), "main", "top")
    assert (english.id, english.label, english.icon) == ("top", "Top", "star")
    assert czech.label == "Nahoře"
    assert [(item.label, item.url, item.icon) for item in english] == [
        ("Help", "/help", "?"),
        ("English only", "/en-only", ""),
        ("Start", "/", ""),
    ]
    # no URL for cs_CZ: left out; no label for cs_CZ: the page's title
    assert [(item.label, item.url) for item in czech] == [("Pomoc", "/cs/pomoc"), ("Úvod", "/cs/")]


def test_plain_labels_are_phrases_of_the_dictionaries(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            MAIN: "top:\n  label: Top\n  items: [{url: /a, label: Archive}]\n",
            HELLO_ITEMS: "top: [{url: /h, label: Help, order: 1}]\n",
            "application/dictionaries/cs_CZ.yaml": "Top: Nahoře\nArchive: Archiv\nHelp: Nápověda\n",
            f"{HELLO}/dictionaries/cs_CZ.yaml": "Help: Pomoc\n",
        }
    )
    app = Application(root)
    czech = app.menus.menu(context(app, locale="cs_CZ"), "main", "top")
    # the application's items use the common dictionary, a module's items its own first
    assert (czech.label, labels(czech)) == ("Nahoře", ["Archiv", "Pomoc"])
    assert labels(app.menus.menu(context(app), "main", "top")) == ["Archive", "Help"]


# items from modules ---------------------------------------------------------------------------
MODULE_MENU = """
top:
  items:
    - {page: about, order: 10}
    - id: tools
      label: Tools
      order: 20
      items: [{url: /t1, label: T1}]
"""


def test_active_modules_add_items(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            MAIN: MODULE_MENU,
            HELLO_ITEMS: """
            top:
              - {page: items, order: 15}
              - {separator: true, order: 12}
            top/tools:
              - {url: /t0, label: T0, order: -1}
            """,
        }
    )
    app = Application(root)
    assert app.problems() == []
    assert labels(app.menus.menu(context(app), "main", "top")) == [
        "About",
        "|",
        "Items",
        "Tools[T0 T1]",
    ]
    # deactivated, its items are gone (and its files are not read)
    (root / STATE).write_text("test.hello: installed\n")
    (root / HELLO_ITEMS).write_text("top: {broken: [\n")
    app = Application(root)
    assert labels(app.menus.menu(context(app), "main", "top")) == ["About", "Tools[T1]"]


def test_template_menu_gives_one_menu_or_all_of_a_set(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            MAIN: """
            top: {label: Top, items: [{page: about}]}
            bottom: {label: Bottom, items: [{page: items}, {url: /x, label: X}]}
            """,
            "application/bases/web/layouts/default.html": (
                "{% for m in menu('main') %}{{ m.id }}:{{ m.label }}={{ m|length }};{% endfor %}"
                "{% for item in menu('main', 'bottom') %}<{{ item.label }}>{% endfor %}"
                "|{{ position('main') }}{{ position('side') }}"
            ),
        }
    )
    text = Client(Application(root)).get("/about/").get_data(as_text=True)
    assert text.startswith("top:Top=1;bottom:Bottom=2;<Items><X>|")


def test_unknown_sets_and_menus_raise_with_what_exists(make_project: ProjectFactory) -> None:
    app = menu_app(make_project, "top:\n  items: []\n")
    ctx = context(app)
    with pytest.raises(JetpyError, match=r"no menu set `mian` \(did you mean `main`\?\)"):
        app.menus.menu(ctx, "mian", "top")
    with pytest.raises(JetpyError, match=r"has no menu `tpo`.*did you mean `top`.*its menus: top"):
        app.menus.resolve(ctx, "main", "tpo")
    assert app.menus.resolve(ctx, "main") == [app.menus.menu(ctx, "main", "top")]


# problems ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("menu", "key", "message", "fix"),
    [
        pytest.param(
            "top: {itmes: []}",
            "top.itmes",
            "unknown key `itmes`",
            "did you mean `items`?",
            id="key",
        ),
        pytest.param("top: [1]", "top", "a menu must be a mapping", "label: Main menu", id="menu"),
        pytest.param(
            "top: {items: [{page: about, url: /x}]}",
            "top.items[0]",
            "a page or a URL, not both",
            "keep `page` or `url`",
            id="page-and-url",
        ),
        pytest.param(
            "top: {items: [{label: Nothing}]}",
            "top.items[0]",
            "needs `page`, `url`, nested `items` or `separator: true`",
            "page: <page id>",
            id="no-link",
        ),
        pytest.param(
            "top: {items: [{url: /x}]}",
            "top.items[0].label",
            "an item without `page` needs a label",
            "label:",
            id="no-label",
        ),
        pytest.param(
            "top: {items: [{separator: true, label: x}]}",
            "top.items[0]",
            "a separator has no `label`",
            "remove them",
            id="separator-with-label",
        ),
        pytest.param(
            "top: {items: [{page: about}, {url: /x, label: X, id: about}]}",
            "top.items[1].id",
            "item id `about` is also used by application/menus/main.yaml [top.items[0]]",
            "another `id:`",
            id="duplicate-id",
        ),
        pytest.param(
            "top: {items: [{url: /x, label: X, items: [{page: about, ordre: 1}]}]}",
            "top.items[0].items[0].ordre",
            "unknown key `ordre`",
            "did you mean `order`?",
            id="nested-key",
        ),
        pytest.param(
            "top: {items: [{url: /x, label: X, order: first}]}",
            "top.items[0].order",
            "must be a whole number",
            "write a whole number",
            id="order-type",
        ),
        pytest.param(
            "top: {items: [{url: /x, label: {en_US: [X]}}]}",
            "top.items[0].label.en_US",
            "must be text",
            "write text",
            id="label-per-locale",
        ),
        pytest.param("top: {items: [", "", "broken YAML", "correct the YAML", id="yaml"),
        pytest.param(
            "top: {items: [3]}", "top.items[0]", "must be a mapping", "{page: about}", id="item"
        ),
    ],
)
def test_menu_problems(
    make_project: ProjectFactory, menu: str, key: str, message: str, fix: str
) -> None:
    problems = startup_problems(make_project({MAIN: menu + "\n"}))
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert (problem.file, problem.key) == (MAIN, key)
    assert message in problem.message
    assert fix in problem.fix


@pytest.mark.parametrize(
    ("items", "key", "message", "fix"),
    [
        pytest.param(
            "top: {page: about}", "top", "must be a list of items", "top: [{page: about", id="list"
        ),
        pytest.param(
            "top: [{page: items, url: /x}]", "top[0]", "not both", "keep", id="item-checked"
        ),
        pytest.param(
            "top: [{page: about}]",
            "top[0].id",
            "item id `about` is also used by application/menus/main.yaml [top.items[0]]",
            "another `id:`",
            id="duplicate-of-the-applications",
        ),
    ],
)
def test_module_item_problems(
    make_project: ProjectFactory, items: str, key: str, message: str, fix: str
) -> None:
    root = make_project({MAIN: MODULE_MENU, HELLO_ITEMS: items + "\n"})
    problems = startup_problems(root)
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert (problem.file, problem.key) == (HELLO_ITEMS, key)
    assert message in problem.message
    assert fix in problem.fix


@pytest.mark.parametrize(
    ("file", "items", "key", "message", "fix"),
    [
        pytest.param(
            f"{HELLO}/menu_items/mian.yaml",
            "top: [{url: /x, label: X}]",
            "",
            "there is no menu set `mian`: these items are not shown",
            "(did you mean `main`?); sets: main",
            id="set",
        ),
        pytest.param(
            HELLO_ITEMS,
            "tpo: [{url: /x, label: X}]",
            "tpo",
            "the set has no menu `tpo`",
            "(did you mean `top`?): top",
            id="menu",
        ),
        pytest.param(
            HELLO_ITEMS,
            "top/tols: [{url: /x, label: X}]",
            "top/tols",
            "menu `top` has no item `tols` here",
            "main/tools",
            id="item",
        ),
    ],
)
def test_module_items_without_a_place_are_warnings(
    make_project: ProjectFactory, file: str, items: str, key: str, message: str, fix: str
) -> None:
    app = Application(make_project({MAIN: MODULE_MENU, file: items + "\n"}))  # it starts
    [problem] = app.problems()
    assert problem.warning
    assert (problem.file, problem.key) == (file, key)
    assert message in problem.message
    assert fix in problem.fix


def test_check_warns_of_page_items_whose_page_is_nowhere(make_project: ProjectFactory) -> None:
    app = menu_app(make_project, "top:\n  items: [{page: abuot}, {page: about}]\n")
    [problem] = app.problems()
    assert problem.warning
    assert (problem.file, problem.key) == (MAIN, "top.items[0].page")
    assert "no base and locale has a page `abuot`" in problem.message
    assert problem.fix == "did you mean `about`?"


@pytest.mark.parametrize(
    ("call", "key", "message"),
    [
        ("menu('mian')", "menu('mian')", "there is no menu set `mian`"),
        ("menu('main', 'bottom')", "menu('main', 'bottom')", "has no menu `bottom`"),
        ("menu('main', menu_id='bottom')", "menu('main', 'bottom')", "has no menu `bottom`"),
    ],
)
def test_check_finds_menus_a_layout_names_that_do_not_exist(
    make_project: ProjectFactory, call: str, key: str, message: str
) -> None:
    layout = f"{{{{ {call} }}}}{{{{ position('main') }}}}{{{{ position('side') }}}}"
    root = make_project(
        {MAIN: "top:\n  items: []\n", "application/bases/web/layouts/default.html": layout}
    )
    problems = startup_problems(root)
    assert [(p.file, p.key) for p in problems] == [
        ("application/bases/web/layouts/default.html", key)
    ]
    assert message in problems[0].message


def test_without_menus_folder_there_are_no_sets(project: Path) -> None:
    app = Application(project)
    assert app.menus.sets == {}


def test_a_context_without_page_marks_nothing_current(make_project: ProjectFactory) -> None:
    app = menu_app(make_project, "top:\n  items: [{page: about}, {url: /x, label: X}]\n")
    ctx = context(app)
    del ctx.page  # e.g. while an error page renders, before a page was matched
    menu = app.menus.menu(ctx, "main", "top")
    assert [(item.is_active, item.is_current) for item in menu] == [(False, False)] * 2


def test_a_changed_menu_set_is_checked_again_at_the_next_start(
    make_project: ProjectFactory,
) -> None:
    layout = "{{ menu('main', 'top') }}{{ position('main') }}{{ position('side') }}"
    root = make_project(
        {MAIN: "top:\n  items: []\n", "application/bases/web/layouts/default.html": layout}
    )
    Application(root)
    assert Application(root).project.from_cache
    (root / MAIN).write_text("bottom:\n  items: []\n")
    problems = startup_problems(root)
    assert [p.key for p in problems] == ["menu('main', 'top')"]
