"""jetpy.web.forms: WTForms bound to the request, the session's CSRF token, translations, views."""

from __future__ import annotations

import io
import re

import pytest
from werkzeug.test import Client, TestResponse

from jetpy import Application
from jetpy.modules.i18n import Translator
from jetpy.web.forms import Phrases
from tests.conftest import ProjectFactory

CONTROLLERS = """
from werkzeug.utils import redirect
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from jetpy import Controller
from jetpy.web.forms import Form

SAVED = []


class NoteForm(Form):
    title = StringField("Title", [DataRequired(), Length(min=3, max=20)])
    count = IntegerField("Count", [NumberRange(min=1, max=9)], default=1)
    public = BooleanField("Public", description="Shown to everyone.")
    body = StringField("Body", [DataRequired("Please write the body.")])


class SearchForm(Form):
    class Meta:
        csrf = False

    q = StringField("Search", [Length(max=5)])


class Main(Controller):
    def default_action(self):
        form = NoteForm(self, prefix=self.parameters.get("prefix", ""))
        if form.validate_on_submit():
            SAVED.append({k: v for k, v in form.data.items() if k != "csrf_token"})
            return redirect(self.page.url(), 303)
        self.render("form.html", form=form)

    def search_action(self):
        form = SearchForm(self, formdata=self.request.args)
        valid = form.validate()
        self.render("search.html", form=form, valid=valid)
"""

FILES = {
    "application/modules/test/notes/manifest.yaml": "label: Notes\n",
    "application/modules/test/notes/controllers.py": CONTROLLERS,
    "application/modules/test/notes/views/form.html": (
        '{% import "forms.html" as forms %}{{ forms.form(form, action=page.url()) }}'
    ),
    "application/modules/test/notes/views/search.html": (
        "{{ valid }} {{ form.q.errors|join }} {{ 'csrf_token' in form }}"
    ),
    "application/modules/test/notes/dictionaries/cs_CZ.yaml": (
        "Title: Název\nPlease write the body.: Napište prosím text.\n"
    ),
    "application/bases/web/pages/en_US/notes/page.yaml": "contents:\n  - module: test.notes\n",
    "application/bases/web/pages/en_US/prefixed/page.yaml": (
        "contents:\n  - {module: test.notes, parameters: {prefix: note}}\n"
    ),
    "application/bases/web/pages/en_US/search/page.yaml": (
        "contents:\n  - {module: test.notes, action: search}\n"
    ),
    "application/bases/web/pages/cs_CZ/poznamky/page.yaml": "contents:\n  - module: test.notes\n",
    "application/data/modules.yaml": "test.hello: activated\ntest.notes: activated\n",
}
TOKEN = re.compile(r'<input name="csrf_token" type="hidden" value="([A-Za-z0-9_-]+)">')
VALID = {"title": "Tea", "count": "2", "public": "y", "body": "Green"}


def saved() -> list[dict[str, object]]:
    from application.modules.test.notes.controllers import (  # type: ignore[import-not-found]
        SAVED,
    )

    return SAVED  # type: ignore[no-any-return]


@pytest.fixture
def client(make_project: ProjectFactory) -> Client:
    return Client(Application(make_project(FILES), use_cache=False))


def token_of(response: TestResponse) -> str:
    found = TOKEN.search(response.get_data(as_text=True))
    assert found is not None, "no CSRF field in the form"
    return found.group(1)


def test_the_default_macros_render_the_form(client: Client) -> None:
    response = client.get("/notes/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert '<form class="form" method="post" action="/notes/" novalidate>' in text
    assert token_of(response)
    assert (
        '<label for="title">Title <span class="required" aria-hidden="true">*</span></label>'
        in text
    )
    assert '<input id="title" maxlength="20" minlength="3" name="title" required' in text
    assert 'name="count" type="number" value="1"' in text  # the default
    assert '<p class="field-hint" id="public-hint">Shown to everyone.</p>' in text
    assert 'aria-describedby="public-hint"' in text
    assert '<button class="button primary" type="submit">Send</button>' in text
    assert "form-errors" not in text and "aria-invalid" not in text


def test_a_valid_form_is_taken(client: Client) -> None:
    token = token_of(client.get("/notes/"))
    response = client.post("/notes/", data={**VALID, "csrf_token": token})
    assert response.status_code == 303
    assert saved() == [{"title": "Tea", "count": 2, "public": True, "body": "Green"}]


def test_an_invalid_form_is_shown_again_with_escaped_values_and_errors(client: Client) -> None:
    token = token_of(client.get("/notes/"))
    typed = {"title": '"><script>x()</script>', "count": "<b>", "body": "", "csrf_token": token}
    response = client.post("/notes/", data=typed)
    assert response.status_code == 200  # a page to correct, not an HTTP error
    text = response.get_data(as_text=True)
    assert "<script>x()" not in text and "<b>" not in text
    assert 'value="&#34;&gt;&lt;script&gt;x()&lt;/script&gt;"' in text
    assert 'value="&lt;b&gt;"' in text  # what was typed is kept, escaped
    assert '<div class="form-errors" role="alert" id="form-errors" tabindex="-1">' in text
    # the summary names each field; WTForms' "Field must …" reads as a sentence about it
    title = '<span class="form-errors-field">Title:</span> Must be from 3 to 20 characters long.'
    assert f'<li><a href="#title">{title}</a></li>' in text
    count = '<span class="form-errors-field">Count:</span> Not a valid integer value.'
    assert f'<li><a href="#count">{count}</a></li>' in text
    assert '<p class="field-error" id="body-error">Please write the body.</p>' in text
    assert 'aria-describedby="body-error" aria-invalid="true"' in text
    assert '<div class="field field-stringfield invalid">' in text
    assert token_of(response) == token
    assert saved() == []


def test_a_file_sent_for_a_text_field_is_no_value_of_it(client: Client) -> None:
    # found by bench/robustness: WTForms gave the field the upload and its check failed (500)
    token = token_of(client.get("/notes/"))
    upload = (io.BytesIO(b"not text"), "title.txt")
    sent = {**VALID, "title": upload, "body": "Green", "csrf_token": token}
    response = client.post("/notes/", data=sent, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)
    assert saved() == []
    again = {**VALID, "csrf_token": token, "count": (io.BytesIO(b"3"), "3.txt")}
    assert client.post("/notes/", data=again).status_code == 303  # the file is left out
    assert saved() == [{"title": "Tea", "count": 1, "public": True, "body": "Green"}]


@pytest.mark.parametrize("sent", [None, "", "A" * 43])
def test_a_form_without_its_sessions_token_gets_400(client: Client, sent: str | None) -> None:
    client.get("/notes/")
    data = dict(VALID) if sent is None else {**VALID, "csrf_token": sent}
    response = client.post("/notes/", data=data)
    assert response.status_code == 400
    assert "security token is missing or out of date" in response.get_data(as_text=True)
    assert saved() == []


def test_the_form_itself_refuses_a_bad_token_where_jetpy_does_not_check(
    make_project: ProjectFactory,
) -> None:
    base = "csrf: false\ndefault: true\nlocales:\n  en_US:\n    urls: [/]\n"
    files = {**FILES, "application/bases/web/base.yaml": base}
    for name in list(files):
        if "/cs_CZ/" in name:
            del files[name]
    client = Client(Application(make_project(files), use_cache=False))
    response = client.post("/notes/", data={**VALID, "csrf_token": "A" * 43})
    assert response.status_code == 400  # the form is never valid: validate() raised
    assert "security token" in response.get_data(as_text=True)
    assert saved() == []
    token = token_of(client.get("/notes/"))
    assert client.post("/notes/", data={**VALID, "csrf_token": token}).status_code == 303
    assert len(saved()) == 1


def test_a_prefixed_form_keeps_the_token_field_name(client: Client) -> None:
    response = client.get("/prefixed/")
    text = response.get_data(as_text=True)
    assert 'name="note-title"' in text and 'id="note-title"' in text
    token = token_of(response)
    data = {f"note-{key}": value for key, value in VALID.items()}
    assert client.post("/prefixed/", data={**data, "csrf_token": token}).status_code == 303
    assert saved()[0]["title"] == "Tea"


def test_a_form_without_csrf_validates_query_data(client: Client) -> None:
    assert "<main>True  False</main>" in client.get("/search/?q=abc").get_data(as_text=True)
    text = client.get("/search/?q=abcdefgh").get_data(as_text=True)
    assert "<main>False Cannot be longer than 5 characters. False</main>" in text


def test_messages_and_labels_are_in_the_visitors_language(client: Client) -> None:
    token = token_of(client.get("/cs/poznamky/"))
    data = {"title": "ab", "count": "12", "csrf_token": token}
    text = client.post("/cs/poznamky/", data=data).get_data(as_text=True)
    assert '<label for="title">Název <span class="required"' in text  # the module's dictionary
    assert "Délka musí být od 3 do 20 znaků." in text  # jetpy's dictionary
    assert "Číslo musí být od 1 do 9." in text
    assert "Napište prosím text." in text  # a validator's own message, translated
    assert "Opravte prosím označená pole:" in text
    assert "Odeslat</button>" in text


def test_a_base_overrides_the_macros_and_may_reuse_jetpys(make_project: ProjectFactory) -> None:
    override = (
        '{% import "jetpy/forms.html" as default %}'
        '{% macro form(form, action="") %}<div class="mine">{{ default.form(form, action) }}'
        "</div>{% endmacro %}"
    )
    files = {**FILES, "application/bases/web/views/forms.html": override}
    client = Client(Application(make_project(files), use_cache=False))
    text = client.get("/notes/").get_data(as_text=True)
    assert '<div class="mine">' in text
    assert '<label for="title">Title <span class="required"' in text


def test_phrases_fall_back_to_wtforms_catalogs_then_english() -> None:
    german = Phrases(Translator("de_DE", None, {}))
    assert german.gettext("This field is required.") == "Dieses Feld wird benötigt."
    czech = Phrases(Translator("cs_CZ", None, {"This field is required.": "Vyplňte to."}))
    assert czech.gettext("This field is required.") == "Vyplňte to."  # the application wins
    assert czech.gettext("Invalid email address.") == "Neplatná e-mailová adresa."
    many = czech.ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        5,
    )
    assert many % {"min": 5} == "Minimální počet znaků: 5."
    assert czech("Number must be at least %(min)s.", min=3) == "Číslo musí být alespoň 3."
    unknown = Phrases(Translator("xx_XX", None, {}))
    assert unknown.gettext("This field is required.") == "This field is required."


@pytest.mark.parametrize("typed", ["9" * 400, "-" + "9" * 400, "9" * 4000])
def test_a_number_too_large_for_any_range_is_refused_with_the_ranges_message(
    client: Client, typed: str
) -> None:
    token = token_of(client.get("/notes/"))
    response = client.post("/notes/", data={**VALID, "count": typed, "csrf_token": token})
    assert response.status_code == 200  # WTForms' own NumberRange raised OverflowError: a 500
    text = response.get_data(as_text=True)
    assert "Number must be between 1 and 9." in text or "Not a valid integer value." in text
    assert saved() == []
