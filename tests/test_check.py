"""Definition problems: found at load and by the cross-checks, each with file, key and fix."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from jetpy import Application
from jetpy.errors import DefinitionError, JetpyError, Problem
from jetpy.project.loader import Project
from tests.conftest import ProjectFactory, write_files

PAGES = "application/bases/web/pages/en_US"
HOME = f"{PAGES}/page.yaml"
ABOUT = f"{PAGES}/about/page.yaml"
ITEMS = f"{PAGES}/items/page.yaml"
CS_HOME = "application/bases/web/pages/cs_CZ/page.yaml"
BASE = "application/bases/web/base.yaml"
LAYOUTS = "application/bases/web/layouts"
DEFAULT_LAYOUT = f"{LAYOUTS}/default.html"
MANIFEST = "application/modules/test/hello/manifest.yaml"
CONFIG = "application/config.yaml"
BROKEN_MODULE = "application/modules/test/broken"

WEB_BASE = """\
name: Web
default: true
direct_files: [robots.txt]
locales:
  en_US:
    urls: [/]
  cs_CZ:
    urls: [/cs/]
"""

ADMIN_BASE = {
    "application/bases/admin/layouts/default.html": "{{ position('main') }}",
    "application/bases/admin/pages/en_US/page.yaml": "title: Admin\n",
}


def startup_problems(project: Path) -> list[Problem]:
    """The problems that keep the application of `project` from starting."""
    with pytest.raises(DefinitionError) as caught:
        Application(project)
    return caught.value.problems


def single_problem(project: Path) -> Problem:
    problems = startup_problems(project)
    assert len(problems) == 1, "\n".join(str(problem) for problem in problems)
    return problems[0]


def problem_at(problems: list[Problem], file: str, key: str) -> Problem:
    found = [problem for problem in problems if problem.file == file and problem.key == key]
    assert len(found) == 1, "\n".join(str(problem) for problem in problems)
    return found[0]


def cache_file(project: Path) -> Path:
    return Project(root=project, app_dir=project / "application").cache_file


# a valid project ------------------------------------------------------------------
def test_the_default_project_has_no_problems(project: Path) -> None:
    assert Application(project).problems() == []


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(
            {"application/bases/web/pages/cs_CZ/about/page.yaml": "title: O nás\n"},
            id="one-id-in-two-locales",
        ),
        pytest.param(
            {
                DEFAULT_LAYOUT: "{{ position('main') }}{% include 'layouts/aside.html' %}",
                f"{LAYOUTS}/aside.html": "<aside>{{ position('side') }}</aside>",
            },
            id="position-in-an-included-template",
        ),
        pytest.param(
            {
                DEFAULT_LAYOUT: (
                    "{% extends 'layouts/frame.html' %}"
                    "{% block body %}{{ position('main') }}{% endblock %}"
                ),
                f"{LAYOUTS}/frame.html": "{% block body %}{% endblock %}{{ position('side') }}",
            },
            id="position-in-an-extended-template",
        ),
        pytest.param(
            {ABOUT: "output_file: about.html\n", f"{PAGES}/about/about.html": "<p>About</p>"},
            id="output-file-beside-page-yaml",
        ),
        pytest.param(
            {BASE: WEB_BASE.replace("urls: [/cs/]", "urls: [/cs/, example.com/]")},
            id="host-specific-url-beside-host-less-one",
        ),
        pytest.param(
            {
                BASE: WEB_BASE + "initializer: application.bases.web.init:setup\n",
                "application/bases/web/init.py": "def setup(ctx):\n    pass\n",
            },
            id="initializer",
        ),
        pytest.param(
            {
                CONFIG: "debug: true\nsecret_key: 8dJq2vXk-Lw0pRz7YbN4cT1hUe6sGmFa9oQiKy3V\n"
                "behind_proxy: false\nmap_cache: true\n"
                "sessions: {store: database, idle_timeout: 600, absolute_timeout: 3600}\n"
            },
            id="every-config-key",
        ),
    ],
)
def test_valid_variations_have_no_problems(
    make_project: ProjectFactory, files: dict[str, str | None]
) -> None:
    assert Application(make_project(files)).problems() == []


# unknown keys and wrong types --------------------------------------------------------
@pytest.mark.parametrize(
    ("files", "file", "key", "message"),
    [
        pytest.param({ABOUT: "titel: About\n"}, ABOUT, "titel", "unknown key", id="page-key"),
        pytest.param(
            {ABOUT: "contents:\n  - output: x\n    positon: main\n"},
            ABOUT,
            "contents[0].positon",
            "unknown key",
            id="content-key",
        ),
        pytest.param(
            {BASE: WEB_BASE + "unused_paths: redirect\n"},
            BASE,
            "unused_paths",
            "unknown key",
            id="base-key",
        ),
        pytest.param(
            {BASE: WEB_BASE.replace("urls: [/cs/]", "urls: [/cs/]\n    titel: Web")},
            BASE,
            "locales.cs_CZ.titel",
            "unknown key",
            id="locale-key",
        ),
        pytest.param(
            {MANIFEST: "label: Hello\nlable: Hi\n"},
            MANIFEST,
            "lable",
            "unknown key",
            id="manifest-key",
        ),
        pytest.param({CONFIG: "debugg: true\n"}, CONFIG, "debugg", "unknown key", id="config-key"),
        pytest.param(
            {ABOUT: "order: first\n"}, ABOUT, "order", "must be a whole number", id="page-order"
        ),
        pytest.param(
            {ABOUT: "active: 'no'\n"}, ABOUT, "active", "must be true or false", id="page-active"
        ),
        pytest.param(
            {ABOUT: "contents: {output: x}\n"},
            ABOUT,
            "contents",
            "must be a list",
            id="contents-not-a-list",
        ),
        pytest.param(
            {ABOUT: "contents: [test.hello]\n"},
            ABOUT,
            "contents[0]",
            "must be a mapping",
            id="content-not-a-mapping",
        ),
        pytest.param(
            {ABOUT: "contents:\n  - output: x\n    order: first\n"},
            ABOUT,
            "contents[0].order",
            "must be a whole number",
            id="content-order",
        ),
        pytest.param(
            {ABOUT: "http_headers: {X-Count: 3}\n"},
            ABOUT,
            "http_headers.X-Count",
            "must be text",
            id="header-value",
        ),
        pytest.param(
            {ABOUT: "- title\n- About\n"}, ABOUT, "", "must be a mapping", id="page-not-a-mapping"
        ),
        pytest.param(
            {BASE: WEB_BASE + "secret: sometimes\n"},
            BASE,
            "secret",
            "must be true or false",
            id="base-secret",
        ),
        pytest.param(
            {BASE: WEB_BASE + "unused_path: sometimes\n"},
            BASE,
            "unused_path",
            "not one of: not_found, redirect",
            id="base-choice",
        ),
        pytest.param(
            {CONFIG: "debug: maybe\n"}, CONFIG, "debug", "must be true or false", id="config-debug"
        ),
        pytest.param(
            {MANIFEST: "description: Says hello\n"},
            MANIFEST,
            "label",
            "is required",
            id="manifest-label-missing",
        ),
    ],
)
def test_schema_problem_names_file_key_and_fix(
    make_project: ProjectFactory, files: dict[str, str | None], file: str, key: str, message: str
) -> None:
    problem = single_problem(make_project(files))
    assert (problem.file, problem.key) == (file, key)
    assert message in problem.message
    assert problem.fix


# "did you mean" -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("files", "file", "key", "suggestion"),
    [
        pytest.param({ABOUT: "titel: About\n"}, ABOUT, "titel", "title", id="page-key"),
        pytest.param(
            {ABOUT: "contents:\n  - modul: test.hello\n"},
            ABOUT,
            "contents[0].modul",
            "module",
            id="content-key",
        ),
        pytest.param(
            {BASE: WEB_BASE + "direct_file: [robots.txt]\n"},
            BASE,
            "direct_file",
            "direct_files",
            id="base-key",
        ),
        pytest.param(
            {BASE: WEB_BASE.replace("urls: [/cs/]", "url: [/cs/]")},
            BASE,
            "locales.cs_CZ.url",
            "urls",
            id="locale-key",
        ),
        pytest.param({CONFIG: "debugg: true\n"}, CONFIG, "debugg", "debug", id="config-key"),
        pytest.param(
            {MANIFEST: "label: Hello\nversoin: 1.0.0\n"},
            MANIFEST,
            "versoin",
            "version",
            id="manifest-key",
        ),
        pytest.param(
            {ABOUT: "contents:\n  - module: test.helo\n"},
            ABOUT,
            "contents[0]",
            "test.hello",
            id="content-module",
        ),
        pytest.param(
            {ABOUT: "contents:\n  - module: test.hello\n    controller: Itms\n"},
            ABOUT,
            "contents[0]",
            "Items",
            id="content-controller",
        ),
        pytest.param(
            {ABOUT: "contents:\n  - module: test.hello\n    action: menuu\n"},
            ABOUT,
            "contents[0]",
            "menu",
            id="content-action",
        ),
        pytest.param(
            {
                DEFAULT_LAYOUT: "{{ position('main') }}{{ position('side') }}{{ module('test.helo') }}"
            },
            DEFAULT_LAYOUT,
            "module('test.helo')",
            "test.hello",
            id="layout-module",
        ),
        pytest.param(
            {
                DEFAULT_LAYOUT: (
                    "{{ position('main') }}{{ position('side') }}"
                    "{{ module('test.hello', action='mneu') }}"
                )
            },
            DEFAULT_LAYOUT,
            "module('test.hello')",
            "menu",
            id="layout-action",
        ),
    ],
)
def test_misspelling_gets_a_did_you_mean(
    make_project: ProjectFactory,
    files: dict[str, str | None],
    file: str,
    key: str,
    suggestion: str,
) -> None:
    problem = problem_at(startup_problems(make_project(files)), file, key)
    assert problem.fix == f"did you mean `{suggestion}`?"


# missing modules, controllers, actions and views ------------------------------------
@pytest.mark.parametrize(
    ("files", "file", "key", "message", "fix"),
    [
        pytest.param(
            {ABOUT: "contents:\n  - module: shop.basket.view\n"},
            ABOUT,
            "contents[0]",
            "module `shop.basket.view` does not exist",
            "create application/modules/shop/basket/view/manifest.yaml",
            id="module",
        ),
        pytest.param(
            {ABOUT: "contents:\n  - module: test.hello\n    controller: Zebra\n"},
            ABOUT,
            "contents[0]",
            "module `test.hello` has no controller `Zebra`",
            "define `class Zebra(Controller)` in application/modules/test/hello/controllers.py",
            id="controller",
        ),
        pytest.param(
            {ABOUT: "contents:\n  - module: test.hello\n    action: export\n"},
            ABOUT,
            "contents[0]",
            "controller `test.hello:Main` has no action `export`",
            "define `def export_action(self)` in Main",
            id="action",
        ),
        pytest.param(
            {
                DEFAULT_LAYOUT: (
                    "{{ position('main') }}{{ position('side') }}{{ module('no.such.module') }}"
                )
            },
            DEFAULT_LAYOUT,
            "module('no.such.module')",
            "module `no.such.module` does not exist",
            "create application/modules/no/such/module/manifest.yaml",
            id="module-embedded-by-layout",
        ),
    ],
)
def test_missing_reference_names_what_to_create(
    make_project: ProjectFactory,
    files: dict[str, str | None],
    file: str,
    key: str,
    message: str,
    fix: str,
) -> None:
    problem = single_problem(make_project(files))
    assert (problem.file, problem.key) == (file, key)
    assert problem.message == message
    assert problem.fix == fix


def test_missing_view_is_reported_at_the_render_line(make_project: ProjectFactory) -> None:
    controllers = f"{BROKEN_MODULE}/controllers.py"
    problem = single_problem(
        make_project(
            {
                f"{BROKEN_MODULE}/manifest.yaml": "label: Broken\n",
                controllers: (
                    "from jetpy import Controller\n\n\nclass Main(Controller):\n"
                    "    def default_action(self):\n"
                    '        self.render("nowhere.html")\n'
                ),
            }
        )
    )
    assert (problem.file, problem.key, problem.line) == (controllers, "render('nowhere.html')", 6)
    assert problem.fix == f"create {BROKEN_MODULE}/views/nowhere.html"


# positions and layouts -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("files", "file", "layout"),
    [
        pytest.param(
            {ABOUT: "contents:\n  - output: x\n    position: footer\n"},
            ABOUT,
            "default",
            id="static-output",
        ),
        pytest.param(
            {ABOUT: "contents:\n  - module: test.hello\n    position: footer\n"},
            ABOUT,
            "default",
            id="module",
        ),
        pytest.param(
            {
                f"{LAYOUTS}/plain.html": "{{ position('main') }}{{ position('side') }}",
                f"{PAGES}/section/page.yaml": "layout: plain\n",
                f"{PAGES}/section/leaf/page.yaml": "contents:\n  - output: x\n    position: footer\n",
            },
            f"{PAGES}/section/leaf/page.yaml",
            "plain",
            id="inherited-layout",
        ),
    ],
)
def test_content_in_a_position_the_layout_lacks(
    make_project: ProjectFactory, files: dict[str, str | None], file: str, layout: str
) -> None:
    problem = single_problem(make_project(files))
    assert (problem.file, problem.key) == (file, "contents[0].position")
    assert f"layout `{layout}` has no position `footer`" in problem.message
    assert "position('footer')" in problem.fix


def test_missing_layout_is_reported(make_project: ProjectFactory) -> None:
    problem = single_problem(make_project({ABOUT: "layout: wide\ncontents:\n  - output: x\n"}))
    assert (problem.file, problem.key) == (f"{LAYOUTS}/wide.html", "layout")
    assert "`wide`" in problem.message
    assert problem.fix.startswith(f"create {LAYOUTS}/wide.html")


def test_layout_with_a_jinja_syntax_error_is_reported_with_its_line(
    make_project: ProjectFactory,
) -> None:
    problem = single_problem(
        make_project({DEFAULT_LAYOUT: "{{ position('main') }}\n{% if %}\n{{ position('side') }}"})
    )
    assert problem.file == DEFAULT_LAYOUT
    assert "line 2" in str(problem)
    assert problem.fix


# pages and page trees -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("files", "file", "twin"),
    [
        pytest.param({ABOUT: "id: items\n"}, ITEMS, ABOUT, id="siblings"),
        pytest.param({ABOUT: "id: _homepage_\n"}, ABOUT, HOME, id="homepage-id"),
        pytest.param(
            {f"{PAGES}/items/more/page.yaml": "id: about\n"},
            f"{PAGES}/items/more/page.yaml",
            ABOUT,
            id="nested",
        ),
    ],
)
def test_duplicate_page_id_in_a_base_and_locale(
    make_project: ProjectFactory, files: dict[str, str | None], file: str, twin: str
) -> None:
    problem = single_problem(make_project(files))
    assert (problem.file, problem.key) == (file, "id")
    assert twin in problem.message
    assert problem.fix


@pytest.mark.parametrize(
    ("files", "file", "key", "message"),
    [
        pytest.param(
            {ABOUT: "output: <p>x</p>\ncontents:\n  - output: y\n"},
            ABOUT,
            "contents",
            "static-output page has no contents",
            id="output-and-contents",
        ),
        pytest.param(
            {
                ABOUT: "output_file: about.html\ncontents:\n  - output: y\n",
                f"{PAGES}/about/about.html": "<p>About</p>",
            },
            ABOUT,
            "contents",
            "static-output page has no contents",
            id="output-file-and-contents",
        ),
        pytest.param(
            {
                ABOUT: "output: <p>x</p>\noutput_file: about.html\n",
                f"{PAGES}/about/about.html": "<p>About</p>",
            },
            ABOUT,
            "output_file",
            "both given",
            id="output-and-output-file",
        ),
        pytest.param(
            {
                ABOUT: "output_file: ../../x.html\n",
                "application/bases/web/pages/x.html": "<p>outside</p>",
            },
            ABOUT,
            "output_file",
            "not a file in the page folder",
            id="output-file-outside-the-folder",
        ),
        pytest.param(
            {ABOUT: "output_file: nowhere.html\n"},
            ABOUT,
            "output_file",
            "not a file in the page folder",
            id="output-file-missing",
        ),
        pytest.param(
            {ABOUT: "contents:\n  - position: main\n"},
            ABOUT,
            "contents[0]",
            "needs `module` or `output`",
            id="content-without-module-or-output",
        ),
        pytest.param(
            {ABOUT: "contents:\n  - module: test.hello\n    output: <p>x</p>\n"},
            ABOUT,
            "contents[0]",
            "not both",
            id="content-with-module-and-output",
        ),
    ],
)
def test_page_definition_problem(
    make_project: ProjectFactory, files: dict[str, str | None], file: str, key: str, message: str
) -> None:
    problem = single_problem(make_project(files))
    assert (problem.file, problem.key) == (file, key)
    assert message in problem.message
    assert problem.fix


def test_folder_without_page_yaml(make_project: ProjectFactory) -> None:
    problem = single_problem(make_project({f"{PAGES}/drafts/notes.txt": "todo\n"}))
    assert (problem.file, problem.key) == (f"{PAGES}/drafts", "")
    assert "page.yaml" in problem.message
    assert problem.fix


def test_locale_without_homepage(make_project: ProjectFactory) -> None:
    problem = single_problem(make_project({CS_HOME: None}))
    assert problem.file == "application/bases/web/pages/cs_CZ"
    assert "homepage" in problem.message
    assert CS_HOME in problem.fix


# bases and locales ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("files", "key", "message"),
    [
        pytest.param(
            {BASE: WEB_BASE.replace("urls: [/cs/]", "urls: [/]")},
            "locales.cs_CZ.urls",
            "URL `/` is used by",
            id="url-in-two-locales",
        ),
        pytest.param(
            {BASE: WEB_BASE.replace("urls: [/]", "urls: [/, /cs]")},
            "locales.cs_CZ.urls",
            "URL `/cs/` is used by",
            id="alias-without-trailing-slash",
        ),
        pytest.param(
            {BASE: WEB_BASE.replace("urls: [/cs/]", "urls: []")},
            "locales.cs_CZ.urls",
            "no URL",
            id="locale-without-urls",
        ),
        pytest.param(
            {
                BASE: WEB_BASE.replace("cs_CZ:", "czech:"),
                "application/bases/web/pages/czech/page.yaml": "title: Úvod\n",
            },
            "locales.czech",
            "not a locale name",
            id="bad-locale-name",
        ),
        pytest.param(
            {
                BASE: WEB_BASE.replace("cs_CZ:", "cs-CZ:"),
                "application/bases/web/pages/cs-CZ/page.yaml": "title: Úvod\n",
            },
            "locales.cs-CZ",
            "not a locale name",
            id="locale-name-with-a-dash",
        ),
    ],
)
def test_locale_problem(
    make_project: ProjectFactory, files: dict[str, str | None], key: str, message: str
) -> None:
    problem = single_problem(make_project(files))
    assert (problem.file, problem.key) == (BASE, key)
    assert message in problem.message
    assert problem.fix


def test_url_used_by_locales_of_two_bases(make_project: ProjectFactory) -> None:
    admin = "application/bases/admin/base.yaml"
    problem = single_problem(
        make_project({**ADMIN_BASE, admin: "locales:\n  en_US:\n    urls: [/]\n"})
    )
    assert problem.key == "locales.en_US.urls"
    # one base.yaml is named as the file, the other in the message
    named = {problem.file} | {file for file in (BASE, admin) if file in problem.message}
    assert named == {BASE, admin}
    assert problem.fix


def test_two_default_bases(make_project: ProjectFactory) -> None:
    problem = single_problem(
        make_project(
            {
                **ADMIN_BASE,
                "application/bases/admin/base.yaml": (
                    "default: true\nlocales:\n  en_US:\n    urls: [/admin/]\n"
                ),
            }
        )
    )
    assert problem.file.startswith("application/bases")
    assert problem.key == "default"
    assert "admin" in problem.message and "web" in problem.message
    assert "default: true" in problem.fix


def test_direct_files_must_be_plain_names(make_project: ProjectFactory) -> None:
    problems = startup_problems(
        make_project(
            {
                BASE: WEB_BASE.replace(
                    "[robots.txt]", "[robots.txt, ../secret.txt, a/b.txt, '..', .htaccess]"
                )
            }
        )
    )
    assert [(p.file, p.key) for p in problems] == [
        (BASE, "direct_files[1]"),
        (BASE, "direct_files[2]"),
        (BASE, "direct_files[3]"),
        (BASE, "direct_files[4]"),
    ]
    assert all(problem.fix for problem in problems)


def test_project_without_bases(make_project: ProjectFactory) -> None:
    problem = single_problem(make_project({BASE: None}))
    assert problem.file == "application/bases"
    assert "no base" in problem.message
    assert "base.yaml" in problem.fix


@pytest.mark.parametrize(
    ("initializer", "init_py", "message"),
    [
        pytest.param(
            "application.bases.web.init:setup",
            "def prepare(ctx):\n    pass\n",
            "has no function `setup`",
            id="no-such-function",
        ),
        pytest.param(
            "application.bases.web.nowhere:setup", None, "cannot import", id="no-such-module"
        ),
        pytest.param(
            "application.bases.web.init",
            "def setup(ctx):\n    pass\n",
            "is not `module:function`",
            id="no-colon",
        ),
        pytest.param(
            "application.bases.web.init:setup",
            "1 / 0\n",
            "ZeroDivisionError",
            id="module-raises",
        ),
    ],
)
def test_broken_initializer_reference(
    make_project: ProjectFactory, initializer: str, init_py: str | None, message: str
) -> None:
    problem = single_problem(
        make_project(
            {
                BASE: WEB_BASE + f"initializer: {initializer}\n",
                "application/bases/web/init.py": init_py,
            }
        )
    )
    assert (problem.file, problem.key) == (BASE, "initializer")
    assert message in problem.message
    assert problem.fix


# Python and YAML that do not parse ------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "error"),
    [
        pytest.param(
            "from jetpy import Controller\n\n\nclass Main(Controller)\n    pass\n",
            "SyntaxError",
            id="syntax-error",
        ),
        pytest.param(
            "from jetpy import Controller\n\n\nraise RuntimeError('boom')\n",
            "RuntimeError",
            id="error-on-import",
        ),
    ],
)
def test_controllers_that_do_not_import_are_reported_with_the_line(
    make_project: ProjectFactory, source: str, error: str
) -> None:
    controllers = f"{BROKEN_MODULE}/controllers.py"
    problem = single_problem(
        make_project({f"{BROKEN_MODULE}/manifest.yaml": "label: Broken\n", controllers: source})
    )
    assert (problem.file, problem.line) == (controllers, 4)
    assert error in problem.message
    assert f"{controllers}:4" in str(problem)
    assert problem.fix


@pytest.mark.parametrize(
    ("file", "text", "line"),
    [
        pytest.param(ABOUT, "title: About\norder: 2\n  bad: indent\n", 3, id="page"),
        pytest.param(HOME, "title: Home\ncontents:\n\t- output: x\n", 3, id="homepage-tab"),
        pytest.param(
            BASE, "name: Web\n  short: W\n" + WEB_BASE[len("name: Web\n") :], 2, id="base"
        ),
        pytest.param(MANIFEST, "label: Hello\ndescription: Hi\n  there: x\n", 3, id="manifest"),
        pytest.param(CONFIG, "debug: true\nsecret_key: 'abc\n", 3, id="config"),
    ],
)
def test_broken_yaml_is_reported_with_its_line(
    make_project: ProjectFactory, file: str, text: str, line: int
) -> None:
    problem = single_problem(make_project({file: text}))
    assert (problem.file, problem.key, problem.line) == (file, "", line)
    assert "broken YAML" in problem.message
    assert f"{file}:{line}" in str(problem)
    assert problem.fix


# everything together ---------------------------------------------------------------------
def test_problems_found_while_loading_are_reported_together(
    make_project: ProjectFactory,
) -> None:
    problems = startup_problems(
        make_project(
            {
                CONFIG: "debugg: true\n",
                BASE: WEB_BASE + "unused_path: sometimes\n",
                MANIFEST: "lable: Hello\n",
                ABOUT: "title: About\norder: 2\n  bad: indent\n",
                ITEMS: "id: about\n",
                f"{PAGES}/drafts/notes.txt": "todo\n",
            }
        )
    )
    assert {(p.file, p.key) for p in problems} >= {
        (CONFIG, "debugg"),
        (BASE, "unused_path"),
        (MANIFEST, "lable"),
        (MANIFEST, "label"),
        (ABOUT, ""),
        (ITEMS, "id"),
        (f"{PAGES}/drafts", ""),
    }
    assert all(problem.fix for problem in problems)


def test_cross_check_problems_are_reported_with_loading_problems(
    make_project: ProjectFactory,
) -> None:
    problems = startup_problems(
        make_project(
            {
                CONFIG: "debugg: true\n",
                ITEMS: "title: Items\norder: 2\n  bad: indent\n",
                ABOUT: "contents:\n  - module: test.helo\n",
                CS_HOME: "contents:\n  - output: x\n    position: footer\n",
                f"{BROKEN_MODULE}/manifest.yaml": "label: Broken\n",
                f"{BROKEN_MODULE}/controllers.py": "class Main(\n",
            }
        )
    )
    assert {(p.file, p.key) for p in problems} == {
        (CONFIG, "debugg"),
        (ITEMS, ""),
        (ABOUT, "contents[0]"),
        (CS_HOME, "contents[0].position"),
        (f"{BROKEN_MODULE}/controllers.py", ""),
    }


def test_definition_error_lists_every_problem_with_its_fix(make_project: ProjectFactory) -> None:
    with pytest.raises(DefinitionError) as caught:
        Application(make_project({CONFIG: "debugg: true\n", ABOUT: "titel: About\n"}))
    error = caught.value
    text = str(error)
    assert isinstance(error, JetpyError)
    assert text.startswith("2 definition problems:")
    for problem in error.problems:
        assert str(problem) in text
    assert "fix: did you mean `debug`?" in text
    assert "fix: did you mean `title`?" in text


# the compiled page-map cache ----------------------------------------------------------
@pytest.fixture
def cached_project(make_project: ProjectFactory) -> Path:
    """A valid project whose page-map cache is written and used by the next start."""
    root = make_project({"application/data/.gitignore": "*\n"})
    Application(root)
    assert Application(root).project.from_cache
    return root


def test_second_start_uses_the_page_map_cache(project: Path) -> None:
    first = Application(project)
    second = Application(project)
    assert not first.project.from_cache
    assert second.project.from_cache


def test_cached_page_map_matches_the_scanned_one(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            "application/data/.gitignore": "*\n",
            f"{PAGES}/items/more/page.yaml": "title: More\n",
            f"{PAGES}/items/more/deeper/page.yaml": "id: deep\ntitle: Deeper\n",
        }
    )
    scanned = Application(root)
    cached = Application(root)

    def shape(app: Application) -> dict[tuple[str, str], list[tuple[str, str, str | None]]]:
        return {
            key: sorted(
                (page.relative_path, page.id, page.parent.id if page.parent else None)
                for page in tree
            )
            for key, tree in app.trees.items()
        }

    assert cached.project.from_cache
    assert shape(cached) == shape(scanned)
    assert cached.page("deep").title == "Deeper"
    # the cache keeps no file names of application pages: each page finds its page.yaml
    for key, tree in cached.trees.items():
        files = {page.relative_path: page.file for page in scanned.trees[key]}
        assert {page.relative_path: page.file for page in tree} == files
    assert cached.page("deep").file == root / PAGES / "items" / "more" / "deeper" / "page.yaml"


def edit_page(root: Path) -> None:
    write_files(root, {ABOUT: "title: About the company\n"})


def touch_page(root: Path) -> None:
    stat = (root / ABOUT).stat()
    os.utime(root / ABOUT, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def add_page(root: Path) -> None:
    write_files(root, {f"{PAGES}/news/page.yaml": "title: News\n"})


def remove_page(root: Path) -> None:
    shutil.rmtree(root / PAGES / "items")


def add_locale(root: Path) -> None:
    write_files(
        root,
        {
            BASE: WEB_BASE + "  de_DE:\n    urls: [/de/]\n",
            "application/bases/web/pages/de_DE/page.yaml": "title: Start\n",
        },
    )


@pytest.mark.parametrize(
    ("change", "seen"),
    [
        pytest.param(
            edit_page, lambda app: app.page("about").title == "About the company", id="edit-page"
        ),
        pytest.param(touch_page, lambda app: app.page("about").title == "About", id="touch-page"),
        pytest.param(
            add_page, lambda app: "news" in app.trees[("web", "en_US")].by_id, id="add-page"
        ),
        pytest.param(
            remove_page,
            lambda app: "items" not in app.trees[("web", "en_US")].by_id,
            id="remove-page",
        ),
        pytest.param(add_locale, lambda app: ("web", "de_DE") in app.trees, id="add-locale"),
    ],
)
def test_changed_definitions_invalidate_the_cache(
    cached_project: Path,
    change: Callable[[Path], None],
    seen: Callable[[Application], bool],
) -> None:
    change(cached_project)
    app = Application(cached_project)
    assert not app.project.from_cache
    assert seen(app)


def test_cached_project_whose_page_breaks_refuses_to_start(cached_project: Path) -> None:
    write_files(cached_project, {ABOUT: "contents:\n  - output: x\n    position: footer\n"})
    problem = single_problem(cached_project)
    assert (problem.file, problem.key) == (ABOUT, "contents[0].position")


@pytest.mark.parametrize(
    "files",
    [
        pytest.param({ABOUT: "titel: About\n"}, id="loading-problem"),
        pytest.param({ABOUT: "contents:\n  - module: test.helo\n"}, id="cross-check-problem"),
    ],
)
def test_project_with_problems_never_writes_the_cache(
    make_project: ProjectFactory, files: dict[str, str | None]
) -> None:
    root = make_project(files)
    for _ in range(2):
        with pytest.raises(DefinitionError):
            Application(root)
    assert not cache_file(root).exists()


@pytest.mark.parametrize(
    ("files", "use_cache"),
    [
        pytest.param({CONFIG: "map_cache: false\n"}, True, id="config-map-cache-false"),
        pytest.param({}, False, id="use-cache-false"),
    ],
)
def test_cache_can_be_turned_off(
    make_project: ProjectFactory, files: dict[str, str | None], use_cache: bool
) -> None:
    root = make_project({"application/data/.gitignore": "*\n", **files})
    Application(root, use_cache=use_cache)
    assert not Application(root, use_cache=use_cache).project.from_cache
    assert not cache_file(root).exists()


def test_a_moved_project_still_uses_its_page_map_cache(
    cached_project: Path, tmp_path: Path
) -> None:
    moved = tmp_path / "moved"
    shutil.move(cached_project, moved)  # the stamps are relative to application/
    app = Application(moved)
    assert app.project.from_cache
    assert app.page("about").file == moved / ABOUT
    edit_page(moved)  # and a change there is still seen
    assert not Application(moved).project.from_cache


def test_stamps_are_checked_where_stat_takes_no_folder_too(
    cached_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "supports_dir_fd", set())  # as on Windows: joined paths
    assert Application(cached_project).project.from_cache
    edit_page(cached_project)
    assert not Application(cached_project).project.from_cache
