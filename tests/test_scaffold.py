from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

from jetpy import Application
from jetpy.cli.main import main
from jetpy.modules.states import write_states


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_new_project_is_served(tmp_path: Path) -> None:
    code, output = invoke("new", "project", str(tmp_path / "my-site"))
    assert code == 0 and "jetpy run" in output
    app = Application(tmp_path / "my-site")
    client = Client(app)
    assert "My Site" in client.get("/").get_data(as_text=True)
    assert "Váš projekt jetpy běží" in client.get("/cs/").get_data(as_text=True)
    assert client.get("/nope/").status_code == 404
    assert invoke("check", "--project", str(tmp_path / "my-site"))[0] == 0


def test_new_project_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "keep.txt").write_text("mine")
    code, output = invoke("new", "project", str(tmp_path / "x"))
    assert code == 1 and "not empty" in output
    assert (tmp_path / "x" / "keep.txt").read_text() == "mine"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    assert invoke("new", "project", str(root))[0] == 0
    return root


def test_new_module_passes_check_and_renders_once_mounted(project: Path) -> None:
    code, output = invoke("new", "module", "shop.news.browser", "--project", str(project))
    assert code == 0 and "jetpy modules install --activate shop.news.browser" in output
    assert invoke("check", "--project", str(project))[0] == 0
    for locale in ("en_US", "cs_CZ"):
        page = project / f"application/bases/web/pages/{locale}/news/page.yaml"
        page.parent.mkdir()
        page.write_text("title: News\ncontents:\n  - module: shop.news.browser\n")
    write_states(project / "application", {"shop.news.browser": "activated"})
    client = Client(Application(project))
    for url in ("/news/", "/cs/news/"):
        assert "The first item" in client.get(url).get_data(as_text=True)
    assert "<h1>The second item</h1>" in client.get("/news/second.html").get_data(as_text=True)


def test_scaffolded_module_test_passes(project: Path) -> None:
    assert invoke("new", "module", "blog.posts", "--project", str(project))[0] == 0
    test = project / "tests" / "test_module_blog_posts.py"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


@pytest.mark.parametrize(
    ("name", "message"),
    [("Shop.News", "not a module name"), ("shop..news", "not a module name"), ("9x", "not a")],
)
def test_bad_module_names(project: Path, name: str, message: str) -> None:
    code, output = invoke("new", "module", name, "--project", str(project))
    assert code == 1 and message in output


def test_existing_module_is_not_overwritten(project: Path) -> None:
    assert invoke("new", "module", "a.b", "--project", str(project))[0] == 0
    code, output = invoke("new", "module", "a.b", "--project", str(project))
    assert code == 1 and "exists already" in output


def test_new_module_outside_a_project(tmp_path: Path) -> None:
    code, output = invoke("new", "module", "a.b", "--project", str(tmp_path))
    assert code == 1 and "no application/ folder" in output
