"""The definitions writer (jetpy.definitions.writer): round trip, validation, atomicity, conflicts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jetpy.definitions import writer
from jetpy.definitions.writer import (
    Changes,
    Conflict,
    InvalidName,
    OutsideProject,
    Refused,
    WriteError,
    check_name,
    suggest_name,
)
from jetpy.errors import Problem

HAND_WRITTEN = """\
# the articles page: list and detail
title: Articles   # shown in menus too
order: 1
contents:
  - module: content.articles.browser
    position: main    # the list, then the detail by slug
  - module: content.articles.browser
    controller: Widgets
    action: latest
    position: side
    parameters: {count: 3}
meta_tags: []
http_headers: {"X-Extra": 'single quoted'}
"""


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "application"
    page = folder / "bases" / "web" / "pages" / "en_US" / "articles"
    page.mkdir(parents=True)
    (page / "page.yaml").write_text(HAND_WRITTEN)
    (folder / "bases" / "web" / "pages" / "en_US" / "page.yaml").write_text("title: Home\n")
    (folder / "data").mkdir()
    (folder / "data" / "modules.yaml").write_text("{}\n")
    (folder / "data" / "site.sqlite3").write_bytes(b"not copied to staging")
    return folder


PAGE = "bases/web/pages/en_US/articles/page.yaml"


def test_a_file_saved_unchanged_stays_byte_identical(app_dir: Path) -> None:
    changes = Changes(app_dir)
    data = changes.read(PAGE)
    changes.write_yaml(PAGE, data)
    assert changes.commit() == []
    assert (app_dir / PAGE).read_text() == HAND_WRITTEN


def test_a_change_keeps_comments_order_quotes_and_flow_style(app_dir: Path) -> None:
    changes = Changes(app_dir)
    data = changes.read(PAGE)
    data["title"] = "News"
    data["contents"][1]["parameters"]["count"] = 5
    changes.write_yaml(PAGE, data)
    changes.commit()
    text = (app_dir / PAGE).read_text()
    assert text == (
        # the comment keeps its column
        HAND_WRITTEN.replace("title: Articles   #", "title: News       #").replace(
            "{count: 3}", "{count: 5}"
        )
    )


def test_a_new_key_goes_to_the_end_and_lists_keep_their_indent(app_dir: Path) -> None:
    changes = Changes(app_dir)
    data = changes.read(PAGE)
    data["contents"].append({"output": "<p>Hi</p>", "position": "side"})
    data["secret"] = True
    changes.write_yaml(PAGE, data)
    changes.commit()
    text = (app_dir / PAGE).read_text()
    assert text.startswith(
        HAND_WRITTEN.split("meta_tags")[0].split(
            "  - module: content.articles.browser\n    controller"
        )[0]
    )
    assert "  - output: <p>Hi</p>\n    position: side\n" in text
    assert text.rstrip().endswith("secret: true")
    assert "# the list, then the detail by slug" in text


def test_a_file_with_unindented_lists_keeps_that_style(app_dir: Path) -> None:
    path = app_dir / "menus" / "main.yaml"
    path.parent.mkdir()
    path.write_text("items:\n- label: Home\n  page: _homepage_\n")
    changes = Changes(app_dir)
    data = changes.read("menus/main.yaml")
    data["items"].append({"label": "News", "page": "news"})
    changes.write_yaml("menus/main.yaml", data)
    changes.commit()
    assert path.read_text() == (
        "items:\n- label: Home\n  page: _homepage_\n- label: News\n  page: news\n"
    )


def test_a_new_file_and_its_folders_are_created(app_dir: Path) -> None:
    changes = Changes(app_dir)
    changes.write_yaml("bases/web/pages/en_US/news/page.yaml", {"title": "News", "order": 3})
    changes.commit()
    assert (app_dir / "bases/web/pages/en_US/news/page.yaml").read_text() == (
        "title: News\norder: 3\n"
    )


def test_the_validator_sees_the_change_in_a_staging_copy_and_a_problem_writes_nothing(
    app_dir: Path,
) -> None:
    seen: dict[str, object] = {}

    def validate(staging: Path) -> list[Problem]:
        staged = staging / "application"
        moved = staged / "bases/web/pages/en_US/blog/page.yaml"
        seen["title"] = moved.read_text().splitlines()[1]
        seen["database"] = (staged / "data" / "site.sqlite3").exists()
        seen["states"] = (staged / "data" / "modules.yaml").exists()
        seen["moved"] = (staged / "bases/web/pages/en_US/blog/page.yaml").exists()
        return [Problem(PAGE, "layout", "layout `wide` does not exist", "pick default")]

    changes = Changes(app_dir)
    data = changes.read(PAGE)
    data["title"] = "Blog"
    changes.write_yaml(PAGE, data)
    changes.move("bases/web/pages/en_US/articles", "bases/web/pages/en_US/blog")
    with pytest.raises(Refused) as refused:
        changes.commit(validate)
    assert "layout `wide` does not exist" in str(refused.value)
    assert refused.value.problems[0].key == "layout"
    assert seen == {
        "title": "title: Blog       # shown in menus too",
        "database": False,
        "states": True,
        "moved": True,
    }
    assert (app_dir / PAGE).read_text() == HAND_WRITTEN
    assert not (app_dir / "bases/web/pages/en_US/blog").exists()


def test_warnings_do_not_refuse_a_change(app_dir: Path) -> None:
    changes = Changes(app_dir)
    changes.write_yaml("bases/web/pages/en_US/news/page.yaml", {"title": "News"})
    warning = Problem("x", "", "module inactive", warning=True)
    changes.commit(lambda staging: [warning])
    assert (app_dir / "bases/web/pages/en_US/news/page.yaml").exists()


def test_a_file_changed_on_disk_since_it_was_read_is_a_conflict(app_dir: Path) -> None:
    changes = Changes(app_dir)
    data = changes.read(PAGE)
    (app_dir / PAGE).write_text(HAND_WRITTEN + "secret: true\n")  # another tab, or by hand
    data["title"] = "Mine"
    changes.write_yaml(PAGE, data)
    with pytest.raises(Conflict) as conflict:
        changes.commit()
    assert conflict.value.files == ["application/" + PAGE]
    assert (app_dir / PAGE).read_text().endswith("secret: true\n")


def test_a_file_changed_while_the_change_is_validated_is_a_conflict(app_dir: Path) -> None:
    # validating takes a staging copy and a whole check: another tab may save meanwhile
    mine, theirs = Changes(app_dir), Changes(app_dir)
    mine_data, their_data = mine.read(PAGE), theirs.read(PAGE)
    mine_data["title"] = "Mine"
    mine.write_yaml(PAGE, mine_data)
    their_data["title"] = "Theirs"
    theirs.write_yaml(PAGE, their_data)

    def validate(staging_root: Path) -> list[Problem]:
        theirs.commit()  # saved while mine is being checked
        return []

    with pytest.raises(Conflict):
        mine.commit(validate)
    assert "title: Theirs" in (app_dir / PAGE).read_text()


def test_text_that_yaml_1_1_reads_as_another_type_is_written_quoted(app_dir: Path) -> None:
    from jetpy.definitions.yamlfile import load_yaml

    texts = ["No", "on", "OFF", "1:20", "Yes", "plain"]
    changes = Changes(app_dir)
    changes.write_yaml("menus/labels.yaml", {text: text for text in texts})
    changes.commit()
    data, problems = load_yaml(app_dir / "menus/labels.yaml", "labels.yaml")
    assert problems == [] and data == {text: text for text in texts}  # strings, as typed
    assert "plain: plain" in (app_dir / "menus/labels.yaml").read_text()


def test_a_file_created_meanwhile_is_a_conflict_too(app_dir: Path) -> None:
    changes = Changes(app_dir)
    changes.write_yaml("bases/web/pages/en_US/news/page.yaml", {"title": "News"})
    created = app_dir / "bases/web/pages/en_US/news/page.yaml"
    created.parent.mkdir()
    created.write_text("title: Someone else's\n")
    with pytest.raises(Conflict):
        changes.commit()
    assert created.read_text() == "title: Someone else's\n"


def test_several_files_are_all_or_nothing(app_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changes = Changes(app_dir)
    data = changes.read(PAGE)
    data["title"] = "Changed"
    changes.write_yaml(PAGE, data)
    changes.write_yaml("bases/web/pages/en_US/news/page.yaml", {"title": "News"})
    changes.delete("bases/web/pages/en_US/page.yaml")
    changes.write_yaml("bases/web/pages/cs_CZ/page.yaml", {"title": "Domů"})
    real_write = writer._atomic_write
    calls = []

    def failing_write(target: Path, content: bytes) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_write(target, content)

    monkeypatch.setattr(writer, "_atomic_write", failing_write)
    with pytest.raises(OSError):
        changes.commit()
    assert (app_dir / PAGE).read_text() == HAND_WRITTEN
    assert not (app_dir / "bases/web/pages/en_US/news").exists()
    assert (app_dir / "bases/web/pages/en_US/page.yaml").read_text() == "title: Home\n"
    assert not (app_dir / "bases/web/pages/cs_CZ").exists()
    assert not (app_dir / "data" / ".studio").exists()


def test_a_page_moves_with_its_subtree(app_dir: Path) -> None:
    child = app_dir / "bases/web/pages/en_US/articles/archive/page.yaml"
    child.parent.mkdir()
    child.write_text("title: Archive\n")
    changes = Changes(app_dir)
    changes.move("bases/web/pages/en_US/articles", "bases/web/pages/en_US/about/articles")
    changes.commit()
    assert (app_dir / "bases/web/pages/en_US/about/articles/archive/page.yaml").is_file()
    assert not (app_dir / "bases/web/pages/en_US/articles").exists()


def test_a_subtree_is_copied_to_another_locale(app_dir: Path) -> None:
    changes = Changes(app_dir)
    changes.copy("bases/web/pages/en_US/articles", "bases/web/pages/cs_CZ/clanky")
    changes.commit()
    assert (app_dir / "bases/web/pages/cs_CZ/clanky/page.yaml").read_text() == HAND_WRITTEN
    assert (app_dir / PAGE).is_file()


def test_moving_onto_an_existing_folder_or_into_itself_is_refused(app_dir: Path) -> None:
    (app_dir / "bases/web/pages/en_US/news").mkdir()
    changes = Changes(app_dir)
    changes.move("bases/web/pages/en_US/articles", "bases/web/pages/en_US/news")
    with pytest.raises(WriteError, match="exists already"):
        changes.commit()
    assert (app_dir / PAGE).is_file()
    with pytest.raises(WriteError, match="into itself"):
        Changes(app_dir).move(
            "bases/web/pages/en_US/articles", "bases/web/pages/en_US/articles/sub"
        )


@pytest.mark.parametrize(
    "path",
    ["../outside.yaml", "/etc/passwd", "bases/../../x.yaml", "bases/web/\x00.yaml"],
)
def test_paths_outside_the_application_folder_are_refused(app_dir: Path, path: str) -> None:
    with pytest.raises(OutsideProject):
        Changes(app_dir).write_text(path, "x")
    assert not (app_dir.parent / "outside.yaml").exists()


def test_a_symlink_out_of_the_application_folder_is_refused(app_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, app_dir / "bases" / "link")
    with pytest.raises(OutsideProject):
        Changes(app_dir).write_text("bases/link/page.yaml", "x")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "empty"),
        ("..", "dot"),
        (".hidden", "dot"),
        ("a/b", "slash"),
        ("a\\b", "slash"),
        ("news\x00", "control"),
        ("tab\there", "control"),
        ("con", "reserved"),
        ("LPT1", "reserved"),
        ("page.yaml", "reserved"),
        ("x" * 101, "at most 100"),
        ("Nové zboží", "nove-zbozi"),
        ("News", "news"),
        ("-news", "clean URL fragment"),
    ],
)
def test_hostile_and_unclean_names_are_refused_with_the_fix(name: str, message: str) -> None:
    with pytest.raises(InvalidName, match=message):
        check_name(name, "URL fragment")


def test_clean_names_pass_and_titles_suggest_one() -> None:
    for name in ("news", "page-2", "a", "2026", "about_us", "v1.2"):
        assert check_name(name) == name
    assert suggest_name("Články a novinky!") == "clanky-a-novinky"


def test_broken_yaml_names_the_file_and_line(app_dir: Path) -> None:
    (app_dir / PAGE).write_text("title: [unclosed\norder: 1\n")
    with pytest.raises(WriteError, match=r"articles/page.yaml:\d+: not valid YAML"):
        Changes(app_dir).read(PAGE)
