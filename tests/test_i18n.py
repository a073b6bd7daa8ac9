"""Translations and locale formats: dictionaries, `_()` fallbacks, placeholders, Babel formats."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

from jetpy import Application
from jetpy.cli.main import main
from jetpy.errors import DefinitionError, JetpyError, Problem
from jetpy.modules.i18n import Formats, Translations, formats_for, to_decimal
from tests.conftest import HELLO_CONTROLLERS, ProjectFactory

MakeClient = Callable[..., Client]

COMMON_CS = "application/dictionaries/cs_CZ.yaml"
HELLO = "application/modules/test/hello"
HELLO_CS = f"{HELLO}/dictionaries/cs_CZ.yaml"
HELLO_VIEW = f"{HELLO}/views/hello.html"
LAYOUT = "application/bases/web/layouts/default.html"
WIDGET = "application/modules/test/widget"

TRANSLATIONS = Translations(
    common={"cs_CZ": {"Hello": "Ahoj", "Home": "Domů", "Hi %(name)s": "Ahoj %(name)s"}},
    modules={"test.hello": {"cs_CZ": {"Home": "Úvod", "Count": "Počet: %(n)d"}}},
)


def with_action(body: str, imports: str = "") -> dict[str, str | None]:
    """test.hello gets a controller `Extra` whose default action runs `body`; both
    homepages mount it."""
    controllers = f"{imports}\n{HELLO_CONTROLLERS}\n\nclass Extra(Controller):\n"
    controllers += f"    def default_action(self):\n        {body}\n"
    return {
        f"{HELLO}/controllers.py": controllers,
        **{
            f"application/bases/web/pages/{locale}/page.yaml": (
                "contents:\n  - module: test.hello\n    controller: Extra\n"
            )
            for locale in ("en_US", "cs_CZ")
        },
    }


def cs_text(client: Client, url: str = "/cs/") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def startup_problems(project: Path) -> list[Problem]:
    with pytest.raises(DefinitionError) as caught:
        Application(project)
    return caught.value.problems


def problems_of(project: Path) -> list[Problem]:
    """Every problem, warnings included, of a project that may still start."""
    try:
        return Application(project).problems()
    except DefinitionError as error:
        return error.problems


def only(problems: list[Problem], file: str) -> Problem:
    found = [problem for problem in problems if problem.file == file]
    assert len(found) == 1, "\n".join(str(problem) for problem in problems)
    return found[0]


# the translator ------------------------------------------------------------------------
def test_module_dictionary_comes_first() -> None:
    assert TRANSLATIONS.translator("cs_CZ", "test.hello")("Home") == "Úvod"


def test_common_dictionary_is_the_fallback_of_a_module() -> None:
    assert TRANSLATIONS.translator("cs_CZ", "test.hello")("Hello") == "Ahoj"


def test_a_phrase_no_dictionary_has_is_returned_as_written() -> None:
    assert TRANSLATIONS.translator("cs_CZ", "test.hello")("Goodbye") == "Goodbye"


def test_without_a_module_only_the_common_dictionary_is_used() -> None:
    assert TRANSLATIONS.translator("cs_CZ")("Home") == "Domů"


def test_a_locale_without_dictionaries_returns_phrases_as_written() -> None:
    assert TRANSLATIONS.translator("en_US", "test.hello")("Home") == "Home"


def test_placeholders_are_filled_after_translation() -> None:
    assert TRANSLATIONS.translator("cs_CZ")("Hi %(name)s", name="Eva") == "Ahoj Eva"


def test_an_untranslated_phrase_gets_its_placeholders_filled() -> None:
    assert TRANSLATIONS.translator("en_US")("Hi %(name)s", name="Eva") == "Hi Eva"


def test_a_missing_placeholder_value_stays_readable_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    translate = TRANSLATIONS.translator("cs_CZ")
    with caplog.at_level(logging.WARNING, logger="jetpy"):
        assert translate("Hi %(name)s", nmae="Eva") == "Ahoj %(name)s"
    assert "no value for %(name)s" in caplog.text


def test_a_value_of_the_wrong_type_leaves_the_text_unfilled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    translate = TRANSLATIONS.translator("cs_CZ", "test.hello")
    with caplog.at_level(logging.WARNING, logger="jetpy"):
        assert translate("Count", n="many") == "Počet: %(n)d"
    assert "cannot fill in" in caplog.text


def test_without_values_percent_signs_are_left_alone() -> None:
    assert TRANSLATIONS.translator("en_US")("100% sure") == "100% sure"


def test_translators_are_made_once_per_locale_and_module() -> None:
    translations = Translations(common={"cs_CZ": {"A": "B"}})
    first = translations.translator("cs_CZ", "test.hello")
    assert translations.translator("cs_CZ", "test.hello") is first
    assert translations.translator("cs_CZ") is not first


# in templates and controllers ---------------------------------------------------------
def test_a_module_view_translates_with_its_module_dictionary(make_client: MakeClient) -> None:
    client = make_client(
        {
            HELLO_VIEW: '<p>{{ _("Hello %(name)s!", name=name) }}</p>',
            HELLO_CS: '"Hello %(name)s!": "Ahoj %(name)s!"\n',
        }
    )
    assert "<p>Ahoj domov!</p>" in cs_text(client)


def test_a_module_view_falls_back_to_the_common_dictionary(make_client: MakeClient) -> None:
    client = make_client({HELLO_VIEW: '<p>{{ _("Hello") }}</p>', COMMON_CS: "Hello: Nazdar\n"})
    assert "<p>Nazdar</p>" in cs_text(client)


def test_the_default_locale_shows_phrases_as_written(make_client: MakeClient) -> None:
    client = make_client({HELLO_VIEW: '<p>{{ _("Hello") }}</p>', COMMON_CS: "Hello: Nazdar\n"})
    assert "<p>Hello</p>" in client.get("/").get_data(as_text=True)


def test_a_layout_uses_the_common_dictionary_only(make_client: MakeClient) -> None:
    client = make_client(
        {
            LAYOUT: '<footer>{{ _("Home") }}</footer>{{ position("main") }}',
            COMMON_CS: "Home: Domů\n",
            HELLO_CS: "Home: Úvod\n",
        }
    )
    assert "<footer>Domů</footer>" in cs_text(client)


def test_a_controller_translates_with_self_underscore(make_client: MakeClient) -> None:
    files = with_action('self.output.append(self._("Hello %(name)s!", name="Eva"))')
    client = make_client({**files, HELLO_CS: '"Hello %(name)s!": "Ahoj %(name)s!"\n'})
    assert "Ahoj Eva!" in cs_text(client)


def test_translations_are_escaped_like_any_value(make_client: MakeClient) -> None:
    client = make_client({HELLO_VIEW: '<p>{{ _("Bold") }}</p>', HELLO_CS: 'Bold: "<b>tučně</b>"\n'})
    assert "<p>&lt;b&gt;tučně&lt;/b&gt;</p>" in cs_text(client)


def test_placeholder_values_are_escaped(make_client: MakeClient) -> None:
    client = make_client({HELLO_VIEW: '<p>{{ _("Hi %(name)s", name="<i>x</i>") }}</p>'})
    assert "<p>Hi &lt;i&gt;x&lt;/i&gt;</p>" in client.get("/").get_data(as_text=True)


def _widget_files() -> dict[str, str | None]:
    """test.widget renders "Greeting"; it and test.hello translate it differently."""
    return {
        f"{WIDGET}/manifest.yaml": "label: Widget\n",
        f"{WIDGET}/controllers.py": (
            "from jetpy import Controller\n\n"
            "class Main(Controller):\n"
            "    def default_action(self):\n"
            '        self.render("greeting.html")\n'
        ),
        f"{WIDGET}/views/greeting.html": '<em>{{ _("Greeting") }}</em>',
        f"{WIDGET}/dictionaries/cs_CZ.yaml": "Greeting: Zdravím z widgetu\n",
        "application/data/modules.yaml": "test.hello: activated\ntest.widget: activated\n",
        HELLO_CS: "Greeting: Zdravím z hello\n",
    }


def test_a_module_embedded_by_a_controller_uses_its_own_dictionary(
    make_client: MakeClient,
) -> None:
    files = _widget_files()
    files[HELLO_VIEW] = '<p>{{ _("Greeting") }} {{ controller.embed("test.widget") }}</p>'
    text = cs_text(make_client(files))
    assert "<p>Zdravím z hello <em>Zdravím z widgetu</em></p>" in text


def test_a_module_embedded_by_a_layout_uses_its_own_dictionary(make_client: MakeClient) -> None:
    files = _widget_files()
    files[LAYOUT] = '<header>{{ module("test.widget") }}</header>{{ position("main") }}'
    assert "<header><em>Zdravím z widgetu</em></header>" in cs_text(make_client(files))


def test_error_pages_use_the_common_dictionary(make_client: MakeClient) -> None:
    client = make_client(
        {
            "application/bases/web/pages/cs_CZ/404.html": '<h1>{{ _("Not found") }}</h1>',
            COMMON_CS: "Not found: Nenalezeno\n",
        }
    )
    response = client.get("/cs/nothing-here/")
    assert response.status_code == 404
    assert "<h1>Nenalezeno</h1>" in response.get_data(as_text=True)


def test_macros_imported_with_context_translate(make_client: MakeClient) -> None:
    client = make_client(
        {
            "application/bases/web/views/ui.html": '{% macro hi() %}{{ _("Hello") }}{% endmacro %}',
            HELLO_VIEW: '{% import "ui.html" as ui with context %}<p>{{ ui.hi() }}</p>',
            HELLO_CS: "Hello: Ahoj\n",
        }
    )
    assert "<p>Ahoj</p>" in cs_text(client)


@pytest.mark.parametrize("source", ['{{ _("Hello") }}', "{{ 1|format_number }}"])
def test_a_template_without_request_context_says_how_to_fix(app: Application, source: str) -> None:
    template = app.templates.environments["web"].from_string(source)
    with pytest.raises(JetpyError, match="import macros that use it `with context`"):
        template.render()


# formats ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "number", "decimal", "percent"),
    [
        ("en_US", "1,234.5", "1,234.50", "25%"),
        ("cs_CZ", "1\xa0234,5", "1\xa0234,50", "25\xa0%"),
    ],
)
def test_numbers_per_locale(locale: str, number: str, decimal: str, percent: str) -> None:
    formats = Formats(locale)
    assert formats.number(1234.5) == number
    assert formats.decimal(Decimal("1234.5")) == decimal
    assert formats.percent(Decimal("0.25")) == percent


def test_decimals_round_half_up_without_float_maths() -> None:
    # 2.675 as a float is 2.67499…; read through its text it is exactly 2.675
    assert Formats("en_US").decimal(2.675) == "2.68"
    assert Formats("en_US").decimal(Decimal("2.5"), places=0) == "3"


@pytest.mark.parametrize(
    ("locale", "currency", "expected"),
    [
        ("en_US", "USD", "$1,234.50"),
        ("en_US", "CZK", "CZK\xa01,234.50"),  # CLDR's currency spacing (Babel has none)
        ("en_US", "CHF", "CHF\xa01,234.50"),
        ("en_GB", "EUR", "€1,234.50"),
        ("cs_CZ", "CZK", "1\xa0234,50\xa0Kč"),
        ("cs_CZ", "EUR", "1\xa0234,50\xa0€"),
    ],
)
def test_money_per_locale(locale: str, currency: str, expected: str) -> None:
    assert Formats(locale).money(Decimal("1234.5"), currency) == expected


def test_money_rounds_half_up_to_the_currency_digits() -> None:
    formats = Formats("en_US")
    assert formats.money(Decimal("0.125"), "usd") == "$0.13"
    assert formats.money(Decimal("1234.5"), "JPY") == "¥1,235"


@pytest.mark.parametrize(
    ("locale", "medium", "long"),
    [("en_US", "Mar 5, 2024", "March 5, 2024"), ("cs_CZ", "5. 3. 2024", "5. března 2024")],
)
def test_dates_per_locale(locale: str, medium: str, long: str) -> None:
    day = dt.date(2024, 3, 5)
    assert Formats(locale).date(day) == medium
    assert Formats(locale).date(day, "long") == long


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en_US", "3/5/24, 2:30\u202fPM"), ("cs_CZ", "05.03.24 14:30")],
)
def test_datetimes_per_locale(locale: str, expected: str) -> None:
    assert Formats(locale).datetime(dt.datetime(2024, 3, 5, 14, 30), "short") == expected


def test_datetimes_convert_to_a_time_zone() -> None:
    moment = dt.datetime(2024, 3, 5, 14, 30, tzinfo=dt.UTC)
    zone = dt.timezone(dt.timedelta(hours=1))
    assert Formats("cs_CZ").time(moment, "short", tzinfo=zone) == "15:30"


def test_none_formats_as_nothing() -> None:
    formats = Formats("cs_CZ")
    assert formats.date(None) == formats.number(None) == formats.money(None, "CZK") == ""


def test_numbers_refuse_what_is_not_a_number() -> None:
    with pytest.raises(TypeError, match="cannot format bool"):
        to_decimal(True)
    with pytest.raises(ValueError, match="cannot format 'abc'"):
        to_decimal("abc")


def test_an_unknown_locale_formats_like_its_language_or_the_default() -> None:
    assert Formats("cs_XX").number(1234.5) == "1\xa0234,5"
    assert Formats("xx_YY").number(1234.5) == "1,234.5"


def test_formats_are_made_once_per_locale() -> None:
    assert formats_for("cs_CZ") is formats_for("cs_CZ")


def test_templates_format_in_the_requests_locale(make_client: MakeClient) -> None:
    view = (
        '{{ 1234.5|format_number }}|{{ day|format_date("long") }}|'
        '{{ format_money(price, "CZK") }}|{{ missing|format_date }}|'
    )
    files = with_action(
        'self.render("hello.html", day=datetime.date(2024, 3, 5), price=Decimal("99.9"))',
        imports="import datetime\nfrom decimal import Decimal",
    )
    client = make_client({**files, HELLO_VIEW: view})
    assert "1,234.5|March 5, 2024|CZK\xa099.90||" in client.get("/").get_data(as_text=True)
    assert "1\xa0234,5|5. března 2024|99,90\xa0Kč||" in cs_text(client)


def test_layouts_format_in_the_requests_locale(make_client: MakeClient) -> None:
    client = make_client({LAYOUT: '<b>{{ 0.5|format_percent }}</b>{{ position("main") }}'})
    assert "<b>50\xa0%</b>" in cs_text(client)


def test_a_controller_formats_in_the_requests_locale(make_client: MakeClient) -> None:
    files = with_action(
        'self.output.append(self.formats.money(Decimal("10"), "EUR"))',
        imports="from decimal import Decimal",
    )
    client = make_client(files)
    assert "10,00\xa0€" in cs_text(client)


# validating dictionaries ----------------------------------------------------------------
def test_a_valid_dictionary_adds_no_problem(make_project: ProjectFactory) -> None:
    project = make_project({COMMON_CS: "Hello: Ahoj\n", HELLO_CS: "'Yes': Ano\n"})
    assert Application(project).problems() == []


def test_broken_yaml_names_the_line(make_project: ProjectFactory) -> None:
    project = make_project({HELLO_CS: "Hello: Ahoj\nBye: [unclosed\n"})
    problem = only(startup_problems(project), HELLO_CS)
    assert problem.message.startswith("broken YAML")
    assert problem.line == 3


def test_a_phrase_yaml_reads_as_true_must_be_quoted(make_project: ProjectFactory) -> None:
    problem = only(startup_problems(make_project({COMMON_CS: "yes: ano\n"})), COMMON_CS)
    assert (problem.key, problem.message) == (
        "True",
        "the phrase is read as true or false, not text",
    )
    assert "quotes" in problem.fix


def test_a_translation_that_is_not_text_is_a_problem(make_project: ProjectFactory) -> None:
    problem = only(startup_problems(make_project({COMMON_CS: "Count: 5\n"})), COMMON_CS)
    assert (problem.key, problem.message) == ("Count", "the translation is a number, not text")
    assert problem.fix == 'put it in quotes: `"Count": "5"`'


def test_dictionaries_are_flat(make_project: ProjectFactory) -> None:
    problem = only(startup_problems(make_project({COMMON_CS: "Menu:\n  Home: Domů\n"})), COMMON_CS)
    assert problem.message == "the translation is a mapping, not text"
    assert "flat" in problem.fix


def test_a_dictionary_must_be_a_mapping(make_project: ProjectFactory) -> None:
    problem = only(startup_problems(make_project({COMMON_CS: "- Hello\n"})), COMMON_CS)
    assert "must be a mapping" in problem.message


def test_a_file_not_named_after_a_locale_is_a_problem(make_project: ProjectFactory) -> None:
    file = "application/dictionaries/czech.yaml"
    problem = only(startup_problems(make_project({file: "Hello: Ahoj\n"})), file)
    assert problem.message == "`czech` is not a locale name"


def test_an_empty_translation_warns_and_shows_the_phrase(make_project: ProjectFactory) -> None:
    project = make_project({HELLO_VIEW: '<p>{{ _("Hello") }}</p>', HELLO_CS: "Hello: ''\n"})
    assert "<p>Hello</p>" in cs_text(Client(Application(project)))
    problem = only(problems_of(project), HELLO_CS)
    assert problem.warning
    assert problem.message == "has no translation yet: the phrase is shown as written"


def test_a_dictionary_for_a_locale_no_base_has_warns(make_project: ProjectFactory) -> None:
    file = f"{HELLO}/dictionaries/de_DE.yaml"
    problem = only(problems_of(make_project({file: "Hello: Hallo\n"})), file)
    assert problem.warning
    assert "no base has the locale `de_DE`" in problem.message


def test_a_translation_with_a_placeholder_the_phrase_lacks_warns(
    make_project: ProjectFactory,
) -> None:
    project = make_project({COMMON_CS: '"Hi %(name)s": "Ahoj %(nmae)s"\n'})
    problem = only(problems_of(project), COMMON_CS)
    assert problem.warning
    assert "uses %(nmae)s, which the phrase does not have" in problem.message


def test_a_file_that_is_not_yaml_warns(make_project: ProjectFactory) -> None:
    file = "application/dictionaries/cs_CZ.yml"
    problem = only(problems_of(make_project({file: "Hello: Ahoj\n"})), file)
    assert problem.warning
    assert problem.fix.startswith("rename it to cs_CZ.yaml")


def test_a_locale_babel_does_not_know_warns(make_project: ProjectFactory) -> None:
    base = "application/bases/web/base.yaml"
    project = make_project(
        {
            base: "default: true\nlocales:\n  en_US: {urls: [/]}\n  xx_YY: {urls: [/xx/]}\n",
            "application/bases/web/pages/cs_CZ/page.yaml": None,
            "application/bases/web/pages/xx_YY/page.yaml": "title: X\n",
        }
    )
    problem = only(problems_of(project), base)
    assert (problem.key, problem.warning) == ("locales.xx_YY", True)


def test_check_lists_every_dictionary_problem(make_project: ProjectFactory) -> None:
    project = make_project({COMMON_CS: "Count: 5\n", HELLO_CS: "no: ne\n"})
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 1
    assert f"{COMMON_CS} [Count]: the translation is a number" in result.stderr
    assert f"{HELLO_CS} [False]: the phrase is read as true or false" in result.stderr
