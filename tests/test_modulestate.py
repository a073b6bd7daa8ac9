from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from jetpy import Application, DefinitionError
from jetpy.modules.states import read_states, write_states
from tests.conftest import ProjectFactory

STATE = "application/data/modules.yaml"


def test_modules_not_listed_are_available(make_project: ProjectFactory) -> None:
    app = Application(make_project({STATE: None}))
    assert app.modules["test.hello"].state == "available"
    assert not app.modules["test.hello"].active


@pytest.mark.parametrize("state", ["installed", None])
def test_content_of_an_inactive_module_renders_nothing(
    make_project: ProjectFactory, state: str | None
) -> None:
    root = make_project({STATE: f"test.hello: {state}\n" if state else None})
    app = Application(root)
    response = Client(app).get("/")
    assert response.status_code == 200
    assert "<main></main>" in response.get_data(as_text=True)
    warnings = [p for p in app.problems() if p.warning]
    assert any(
        p.key == "contents[0].module" and "not activated" in p.message and "jetpy modules" in p.fix
        for p in warnings
    )
    assert any(p.key == "module('test.hello')" for p in warnings)  # embedded by the layout


def test_a_bad_state_is_a_definition_problem(make_project: ProjectFactory) -> None:
    with pytest.raises(DefinitionError) as error:
        Application(make_project({STATE: "test.hello: on\n"}))
    problem = error.value.problems[0]
    assert (problem.file, problem.key) == ("application/data/modules.yaml", "test.hello")


def test_a_listed_module_that_is_gone_is_a_warning(make_project: ProjectFactory) -> None:
    app = Application(make_project({STATE: "test.hello: activated\nold.gone: installed\n"}))
    assert [p.key for p in app.problems() if p.warning] == ["old.gone"]


def test_states_round_trip_and_leave_no_temporary_files(tmp_path: Path) -> None:
    app_dir = tmp_path / "application"
    write_states(app_dir, {"b.x": "installed", "a.y": "activated"})
    assert read_states(app_dir, tmp_path, []) == {"a.y": "activated", "b.x": "installed"}
    # the generation stamp tells running applications to read the states again
    assert sorted(p.name for p in (app_dir / "data").iterdir()) == ["generation", "modules.yaml"]


def test_changing_states_invalidates_the_page_map_cache(make_project: ProjectFactory) -> None:
    root = make_project()
    Application(root)
    assert Application(root).project.from_cache
    write_states(root / "application", {})
    assert not Application(root).project.from_cache
