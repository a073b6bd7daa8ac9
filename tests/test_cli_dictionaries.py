"""`jetpy dictionaries collect`: phrases that views and code use and no dictionary translates."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from jinja2 import Environment

from jetpy.cli.main import main
from jetpy.errors import Problem
from jetpy.modules.i18n import JETPY_DICTIONARIES, read_dictionaries
from jetpy.project.phrases import code_phrases, scan, template_phrases
from tests.conftest import ProjectFactory

ROOT = Path(__file__).resolve().parents[1]
HELLO = "application/modules/test/hello"
HELLO_CS = f"{HELLO}/dictionaries/cs_CZ.yaml"
COMMON_CS = "application/dictionaries/cs_CZ.yaml"
LAYOUT = "application/bases/web/layouts/default.html"

PHRASES = {
    f"{HELLO}/views/hello.html": "<p>{{ _(\"Hello\") }}</p>\n<p>{{ _('Bye') }} {{ _(name) }}</p>",
    f"{HELLO}/helpers.py": 'def label(self):\n    return self._("Label %(n)s", n=1) + _("Hello")\n',
}


def collect(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["dictionaries", "collect", *args, "--project", str(project)])


def test_templates_yield_literal_phrases_with_their_lines() -> None:
    source = '{{ _("One") }}\n{{ _(\'Two\') }} {{ controller._("Three") }} {{ _(variable) }}'
    assert list(template_phrases(source, Environment())) == [
        ("One", 1),
        ("Two", 2),
        ("Three", 2),
    ]


def test_code_yields_underscore_and_self_underscore_calls() -> None:
    source = 'x = _("One")\ny = self._(\n    "Two", n=1)\nz = _(name)\nprint("Three")\n'
    assert sorted(code_phrases(source, "x.py")) == [("One", 1), ("Two", 2)]


def test_lists_missing_phrases_as_yaml_lines_with_their_first_use(
    make_project: ProjectFactory,
) -> None:
    result = collect(make_project({**PHRASES, HELLO_CS: "Bye: Ahoj\n"}), "test.hello")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "module test.hello: 3 phrases",
        "  en_US: no dictionary, phrases are shown as written",
        f"  cs_CZ: 2 missing, add to {HELLO_CS}:",
        f"    Label %(n)s: ''  # {HELLO}/helpers.py:2",
        f"    Hello: ''  # {HELLO}/helpers.py:2",
        "2 missing phrases; missing means: in neither the module's dictionary nor the common one",
    ]


def test_the_common_dictionary_counts_as_translation(make_project: ProjectFactory) -> None:
    files = {**PHRASES, HELLO_CS: "Bye: Ahoj\n", COMMON_CS: "Hello: Ahoj\nLabel %(n)s: Štítek\n"}
    result = collect(make_project(files), "test.hello")
    assert "  cs_CZ: all translated" in result.output


def test_a_locale_option_checks_a_locale_without_dictionary(
    make_project: ProjectFactory,
) -> None:
    result = collect(make_project(PHRASES), "test.hello", "--locale", "en_US")
    assert result.exit_code == 0, result.output
    assert f"  en_US: 3 missing, add to {HELLO}/dictionaries/en_US.yaml:" in result.output
    assert "cs_CZ" not in result.output


def test_base_templates_are_checked_against_the_common_dictionary_only(
    make_project: ProjectFactory,
) -> None:
    files = {LAYOUT: '{{ _("Menu") }}{{ position("main") }}', HELLO_CS: "Menu: Nabídka\n"}
    result = collect(make_project(files), "--locale", "cs_CZ")
    assert result.exit_code == 0, result.output
    assert "base web (layouts, views, error pages): 1 phrase" in result.output
    assert f"  cs_CZ: 1 missing, add to {COMMON_CS}:" in result.output
    assert f"    Menu: ''  # {LAYOUT}:1" in result.output


def test_without_a_module_every_module_and_base_is_reported(
    make_project: ProjectFactory,
) -> None:
    result = collect(make_project())
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "module test.hello: no phrases",
        "base web (layouts, views, error pages): no phrases",
    ]


def test_an_unknown_module_suggests_the_closest(make_project: ProjectFactory) -> None:
    result = collect(make_project(), "test.helo")
    assert result.exit_code == 2
    assert "there is no module `test.helo`; did you mean `test.hello`?" in result.output


def test_an_unknown_locale_suggests_the_closest(make_project: ProjectFactory) -> None:
    result = collect(make_project(), "--locale", "cs_cz")
    assert result.exit_code == 2
    assert "no base has the locale `cs_cz`; did you mean `cs_CZ`?" in result.output


def test_a_template_that_cannot_be_parsed_fails_with_its_line(
    make_project: ProjectFactory,
) -> None:
    view = f"{HELLO}/views/broken.html"
    result = collect(make_project({view: "<p>\n{{ _('x' }}</p>"}), "test.hello")
    assert result.exit_code == 1
    assert f"{view}:2: cannot be parsed" in result.stderr


def test_the_example_application_lacks_no_translation() -> None:
    result = collect(ROOT)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("0 missing phrases")
    assert "cs_CZ: all translated" in result.output


def test_jetpy_translates_its_own_views_and_messages() -> None:
    jetpy = ROOT / "jetpy"
    files = [*(jetpy / "web" / "views").glob("*.html")]
    files += [path for path in jetpy.rglob("*.py") if "skeletons" not in path.parts]
    problems: list[Problem] = []
    uses = scan(files, ROOT, problems)
    dictionaries = read_dictionaries(JETPY_DICTIONARIES, ROOT, problems)
    assert not problems
    assert {"Export CSV", "Deleted %(item)s.", "Sign in"} <= set(uses)
    for locale, phrases in dictionaries.items():
        assert [phrase for phrase in uses if phrase not in phrases] == [], locale
