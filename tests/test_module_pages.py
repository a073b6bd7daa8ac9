"""Pages that active modules bring: pages/<base>/[<locale>/]<fragment>/page.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from jetpy import Application
from jetpy.errors import DefinitionError, Problem
from tests.conftest import ProjectFactory, write_files

STATE = "application/data/modules.yaml"
MODULE = "application/modules/test/pages"
PAGES = f"{MODULE}/pages/web"

CONTROLLERS = """
from jetpy import Controller


class Main(Controller):
    def default_action(self):
        self.render("page.html", what=self.parameters.get("what", "module page"))

    def other_action(self):
        self.render("page.html", what="other action")
"""

MODULE_FILES: dict[str, str | None] = {
    STATE: "test.hello: activated\ntest.pages: activated\n",
    f"{MODULE}/manifest.yaml": "label: Pages\n",
    f"{MODULE}/controllers.py": CONTROLLERS,
    f"{MODULE}/views/page.html": "<p>{{ what }} of {{ page.id }}</p>",
    # every locale of base web
    f"{PAGES}/extra/page.yaml": """
        title: Extra
        order: 5
        contents:
          - parameters: {what: brought}
          - output: "<p>static</p>"
            position: side
        """,
    f"{PAGES}/extra/deeper/page.yaml": """
        title: Deeper
        contents:
          - action: other
        """,
    # one locale each
    f"{PAGES}/en_US/only-english/page.yaml": "id: localized\ntitle: English only\ncontents: [{}]\n",
    f"{PAGES}/cs_CZ/jen-cesky/page.yaml": "id: localized\ntitle: Jen česky\ncontents: [{}]\n",
}


def status(client: Client, url: str) -> int:
    response = client.get(url)
    response.close()
    return response.status_code


def body(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def startup_problems(root: Path) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        Application(root)
    return caught.value.problems


def only_problem(root: Path) -> Problem:
    problems = startup_problems(root)
    assert len(problems) == 1, "\n".join(str(problem) for problem in problems)
    return problems[0]


@pytest.fixture
def root(make_project: ProjectFactory) -> Path:
    return make_project(MODULE_FILES)


# joining the trees -----------------------------------------------------------------------
def test_module_pages_join_every_locale_under_the_homepage(root: Path) -> None:
    app = Application(root)
    for locale in ("en_US", "cs_CZ"):
        extra = app.page("extra", locale=locale)
        assert extra.parent is app.page("_homepage_", locale=locale)
        assert extra.module == "test.pages"
        assert app.page("deeper", locale=locale).parent is extra
    home = app.page("_homepage_")
    assert [page.id for page in home.children] == ["localized", "items", "about", "extra"]
    assert app.page("extra", locale="cs_CZ").url() == "/cs/extra/"
    assert app.page("deeper").url() == "/extra/deeper/"


def test_a_locale_folder_brings_pages_to_that_locale_only(root: Path) -> None:
    app = Application(root)
    assert app.page("localized").url() == "/only-english/"
    assert app.page("localized", locale="cs_CZ").url() == "/cs/jen-cesky/"
    client = Client(app)
    assert "module page of localized" in body(client, "/only-english/")
    assert "module page of localized" in body(client, "/cs/jen-cesky/")
    assert status(client, "/cs/only-english/") == 404
    assert status(client, "/jen-cesky/") == 404
    # the locale folders are not pages of every locale
    assert "en_US" not in app.trees[("web", "cs_CZ")].by_path
    assert "cs_CZ" not in app.trees[("web", "en_US")].by_path


def test_contents_default_to_the_module_that_brings_the_page(root: Path) -> None:
    app = Application(root)
    contents = app.page("extra").contents
    assert [(c.module, c.output) for c in contents] == [
        ("test.pages", None),
        (None, "<p>static</p>"),
    ]
    client = Client(app)
    text = body(client, "/extra/")
    assert "<main><p>brought of extra</p></main>" in text
    assert "<aside><p>static</p></aside>" in text
    assert "other action of deeper" in body(client, "/cs/extra/deeper/")


def test_a_content_may_name_another_module(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            **MODULE_FILES,
            f"{PAGES}/extra/page.yaml": "contents:\n  - {module: test.hello, parameters: {name: x}}\n",
        }
    )
    assert "<p>Hello x!</p>" in body(Client(Application(root)), "/extra/")


def test_application_pages_still_need_a_module_or_output(root: Path) -> None:
    write_files(root, {"application/bases/web/pages/en_US/about/page.yaml": "contents: [{}]\n"})
    problem = only_problem(root)
    assert problem.file == "application/bases/web/pages/en_US/about/page.yaml"
    assert problem.key == "contents[0]"
    assert "needs `module` or `output`" in problem.message


# activation ------------------------------------------------------------------------------
@pytest.mark.parametrize("state", ["installed", None])
def test_module_pages_appear_and_vanish_with_activation(root: Path, state: str | None) -> None:
    active = Client(Application(root))
    assert status(active, "/extra/") == 200
    assert status(active, "/cs/extra/deeper/") == 200

    listed = f"test.pages: {state}\n" if state else ""
    write_files(root, {STATE: "test.hello: activated\n" + listed})
    app = Application(root)
    assert not app.project.from_cache  # the state file is stamped
    assert "extra" not in app.trees[("web", "en_US")].by_id
    assert "localized" not in app.trees[("web", "cs_CZ")].by_id
    client = Client(app)
    assert status(client, "/extra/") == 404
    assert status(client, "/only-english/") == 404

    write_files(root, {STATE: MODULE_FILES[STATE]})
    assert status(Client(Application(root)), "/extra/") == 200


def test_an_inactive_modules_pages_are_not_read(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            **MODULE_FILES,
            STATE: "test.hello: activated\ntest.pages: installed\n",
            f"{MODULE}/pages/nobase/x/page.yaml": "title: X\n",
            f"{PAGES}/extra/page.yaml": "unknown_key: 1\n",
        }
    )
    assert Application(root).problems() == []


# the compiled-map cache ------------------------------------------------------------------
def test_a_warm_start_keeps_module_pages_their_files_and_module(root: Path) -> None:
    cold = Application(root)
    warm = Application(root)
    assert not cold.project.from_cache and warm.project.from_cache

    def shape(app: Application) -> list[tuple[str, str, str, str, str | None]]:
        return sorted(
            (key[1], page.relative_path, page.id, str(page.file), page.module)
            for key, tree in app.trees.items()
            for page in tree
        )

    assert shape(warm) == shape(cold)
    extra = warm.page("extra")
    assert extra.file == root.resolve() / PAGES / "extra/page.yaml"
    # read lazily from the cache's file, with the module as the default
    assert extra.contents[0].module == "test.pages"
    client = Client(warm)
    assert "brought of extra" in body(client, "/extra/")
    assert "module page of localized" in body(client, "/cs/jen-cesky/")


def test_a_changed_module_page_invalidates_the_cache(root: Path) -> None:
    Application(root)
    write_files(root, {f"{PAGES}/extra/page.yaml": "title: Changed\ncontents: [{}]\n"})
    app = Application(root)
    assert not app.project.from_cache
    assert app.page("extra").title == "Changed"


# problems --------------------------------------------------------------------------------
def test_a_module_page_on_an_application_pages_path(make_project: ProjectFactory) -> None:
    root = make_project({**MODULE_FILES, f"{PAGES}/en_US/about/page.yaml": "id: mine\n"})
    problem = only_problem(root)
    assert problem.file == f"{PAGES}/en_US/about/page.yaml"
    assert "module `test.pages` brings page /about/" in problem.message
    assert "application/bases/web/pages/en_US/about/page.yaml defines already" in problem.message
    assert "rename" in problem.fix


def test_two_modules_bringing_one_path(make_project: ProjectFactory) -> None:
    other = "application/modules/test/zother"  # read after test.pages: modules go by name
    root = make_project(
        {
            **MODULE_FILES,
            STATE: MODULE_FILES[STATE] + "test.zother: activated\n",
            f"{other}/manifest.yaml": "label: Other\n",
            f"{other}/pages/web/extra/page.yaml": "id: other_extra\noutput: x\n",
        }
    )
    problems = startup_problems(root)
    assert [(p.file, p.key) for p in problems] == [
        (f"{other}/pages/web/extra/page.yaml", ""),
        (f"{other}/pages/web/extra/page.yaml", ""),
    ]  # once per locale
    assert {p.message.split("locale ")[1].split("`")[1] for p in problems} == {"en_US", "cs_CZ"}
    assert "module `test.zother` brings page /extra/" in problems[0].message
    assert f"{PAGES}/extra/page.yaml defines already" in problems[0].message


def test_one_module_bringing_a_path_twice(make_project: ProjectFactory) -> None:
    root = make_project({**MODULE_FILES, f"{PAGES}/cs_CZ/extra/page.yaml": "output: x\n"})
    problem = only_problem(root)
    assert problem.file in (f"{PAGES}/cs_CZ/extra/page.yaml", f"{PAGES}/extra/page.yaml")
    assert "locale `cs_CZ`" in problem.message


def test_a_module_page_id_used_twice(make_project: ProjectFactory) -> None:
    root = make_project({**MODULE_FILES, f"{PAGES}/elsewhere/page.yaml": "id: about\noutput: x\n"})
    problems = startup_problems(root)
    assert {(p.file, p.key) for p in problems} == {(f"{PAGES}/elsewhere/page.yaml", "id")}
    assert "page id `about` is also used by" in problems[0].message


@pytest.mark.parametrize(
    ("files", "file", "message", "fix"),
    [
        pytest.param(
            {f"{MODULE}/pages/wbe/x/page.yaml": "output: x\n"},
            f"{MODULE}/pages/wbe",
            "brings pages to base `wbe`, which does not exist",
            "did you mean `web`?",
            id="unknown-base",
        ),
        pytest.param(
            {f"{PAGES}/de_DE/seite/page.yaml": "output: x\n"},
            f"{PAGES}/de_DE",
            "base `web` has no locale `de_DE`",
            "en_US",
            id="unknown-locale",
        ),
        pytest.param(
            {f"{PAGES}/page.yaml": "output: x\n"},
            f"{PAGES}/page.yaml",
            "cannot bring a homepage",
            "into a folder",
            id="homepage",
        ),
        pytest.param(
            {f"{PAGES}/cs_CZ/page.yaml": "output: x\n"},
            f"{PAGES}/cs_CZ/page.yaml",
            "cannot bring a homepage",
            "into a folder",
            id="homepage-of-a-locale",
        ),
        pytest.param(
            {f"{PAGES}/en_US/empty/.keep": ""},
            f"{PAGES}/en_US/empty",
            "folder without page.yaml",
            "add a page.yaml",
            id="folder-without-page",
        ),
        pytest.param(
            {f"{PAGES}/extra/deeper/page.yaml": "contents: [{action: nope}]\n"},
            f"{PAGES}/extra/deeper/page.yaml",
            "controller `test.pages:Main` has no action `nope`",
            "define `def nope_action(self)`",
            id="default-module-checked",
        ),
        pytest.param(
            {f"{PAGES}/extra/page.yaml": "contents: [{position: nowhere}]\n"},
            f"{PAGES}/extra/page.yaml",
            "has no position `nowhere`",
            "position('nowhere')",
            id="position-checked",
        ),
    ],
)
def test_module_page_problems(
    make_project: ProjectFactory,
    files: dict[str, str | None],
    file: str,
    message: str,
    fix: str,
) -> None:
    problems = startup_problems(make_project({**MODULE_FILES, **files}))
    assert len({(p.file, p.key, p.message) for p in problems}) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert problem.file == file
    assert message in problem.message
    assert fix in problem.fix


def test_the_cli_lists_module_pages(root: Path) -> None:
    from click.testing import CliRunner

    from jetpy.cli.main import main

    result = CliRunner().invoke(main, ["pages", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert "/extra/deeper/" in result.output
    assert "/cs/jen-cesky/" in result.output
    assert "[from module test.pages]" in result.output
