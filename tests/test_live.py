"""Live definitions (jetpy.project.live): the watcher, and a running application that follows."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from werkzeug.test import Client

from jetpy import Application
from jetpy.definitions.generation import bump, read_stamp
from jetpy.modules.states import write_states
from jetpy.project.live import Watcher, fingerprint
from tests.conftest import ProjectFactory


def test_the_watcher_looks_at_most_once_per_interval(tmp_path: Path) -> None:
    app_dir = tmp_path / "application"
    app_dir.mkdir()
    watcher = Watcher(app_dir, scan=False, interval=3600)
    bump(app_dir)
    assert not watcher.changed()  # not yet time to look
    watcher.next_look = 0
    assert watcher.changed()
    watcher.next_look = 0
    assert not watcher.changed()  # nothing new since


def test_a_bump_is_seen_through_one_stat(tmp_path: Path) -> None:
    app_dir = tmp_path / "application"
    assert read_stamp(app_dir) is None
    bump(app_dir)
    first = read_stamp(app_dir)
    bump(app_dir)
    assert read_stamp(app_dir) not in (None, first)
    assert [p.name for p in (app_dir / "data").iterdir()] == ["generation"]


def test_in_debug_mode_hand_edits_are_found_by_a_scan(tmp_path: Path) -> None:
    app_dir = tmp_path / "application"
    page = app_dir / "bases" / "web" / "pages" / "en_US" / "page.yaml"
    page.parent.mkdir(parents=True)
    page.write_text("title: Home\n")
    watcher = Watcher(app_dir, scan=True, interval=0)
    assert not watcher.changed()
    (page.parent / "news").mkdir()
    (page.parent / "news" / "page.yaml").write_text("title: News\n")
    assert watcher.changed()
    page.write_text("title: Home page\n")
    assert watcher.changed()
    assert not watcher.changed()


def test_the_scan_leaves_out_data_and_caches(tmp_path: Path) -> None:
    app_dir = tmp_path / "application"
    (app_dir / "data" / "cache").mkdir(parents=True)
    before = fingerprint(app_dir)
    (app_dir / "data" / "site.sqlite3").write_bytes(b"x")
    (app_dir / "data" / "cache" / "pages.marshal").write_bytes(b"x")
    os.makedirs(app_dir / "modules" / "__pycache__")
    assert fingerprint(app_dir) != before  # the modules/ folder is new
    before = fingerprint(app_dir)
    (app_dir / "modules" / "__pycache__" / "x.pyc").write_bytes(b"x")
    assert fingerprint(app_dir) == before


# a running application -------------------------------------------------------------------
def look_now(app: Application) -> None:
    app.watcher.next_look = 0  # as if a second went by


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())


def test_a_new_page_folder_is_served_after_a_bump_without_a_restart(
    make_project: ProjectFactory,
) -> None:
    root = make_project()
    app = Application(root)
    client = Client(app)
    assert client.get("/news/").status_code == 404
    write(root, "application/bases/web/pages/en_US/news/page.yaml", "title: News\n")
    look_now(app)
    assert client.get("/news/").status_code == 404  # by hand, outside debug: not scanned
    bump(root / "application")
    look_now(app)
    assert client.get("/news/").status_code == 200
    assert app.project.from_cache is False


def test_in_debug_mode_hand_edits_are_served_without_a_bump(make_project: ProjectFactory) -> None:
    root = make_project()
    app = Application(root, debug=True)
    client = Client(app)
    write(
        root,
        "application/bases/web/pages/en_US/about/page.yaml",
        """
        title: About
        contents:
          - output: "<p>Changed by hand</p>"
        """,
    )
    look_now(app)
    assert "Changed by hand" in client.get("/about/").get_data(as_text=True)


def test_a_broken_change_keeps_the_last_good_definitions_and_says_so(
    make_project: ProjectFactory,
) -> None:
    root = make_project()
    app = Application(root, debug=True)
    client = Client(app)
    write(
        root,
        "application/bases/web/pages/en_US/about/page.yaml",
        """
        title: About
        contents:
          - output: "<p>new</p>"
            position: nowhere
        """,
    )
    look_now(app)
    page = client.get("/about/").get_data(as_text=True)
    assert "<p>About us</p>" in page  # the last good definition
    assert "jetpy-definition-problems" in page and "nowhere" in page
    assert [p.key for p in app.definition_problems] == ["contents[0].position"]
    write(
        root,
        "application/bases/web/pages/en_US/about/page.yaml",
        """
        title: About
        contents:
          - output: "<p>fixed</p>"
        """,
    )
    look_now(app)
    page = client.get("/about/").get_data(as_text=True)
    assert "<p>fixed</p>" in page and "jetpy-definition-problems" not in page
    assert app.definition_problems == []


def test_outside_debug_mode_problems_are_logged_not_shown(
    make_project: ProjectFactory,
) -> None:
    root = make_project()
    app = Application(root)
    write(root, "application/bases/web/pages/en_US/about/page.yaml", "title: [broken\n")
    bump(root / "application")
    look_now(app)
    page = Client(app).get("/about/").get_data(as_text=True)
    assert "<p>About us</p>" in page and "jetpy-definition-problems" not in page
    assert app.definition_problems


def test_module_states_are_followed(make_project: ProjectFactory) -> None:
    root = make_project()
    app = Application(root)
    client = Client(app)
    assert "Hello home!" in client.get("/").get_data(as_text=True)
    write_states(root / "application", {"test.hello": "installed"})  # deactivated
    look_now(app)
    assert "Hello home!" not in client.get("/").get_data(as_text=True)
    write_states(root / "application", {"test.hello": "activated"})
    look_now(app)
    assert "Hello home!" in client.get("/").get_data(as_text=True)
