"""Forms with WTForms, bound to a request: its form data, jetpy's CSRF token, translations.

```python
class ContactForm(Form):
    name = StringField("Your name", [DataRequired("Please enter your name.")])

def default_action(self):
    form = ContactForm(self)                 # POST data when the request is a POST
    if form.validate_on_submit():            # a bad CSRF token: 400, the form is never valid
        ...; self.flash(self._("Sent.")); return redirect(self.page.url(), 303)
    self.render("form.html", form=form)      # {% import "forms.html" as forms %}
```

The rules:
- A form made from a controller takes `request.form` (and `request.files`) when the request is
  a POST, PUT, PATCH or DELETE, and nothing (its defaults, `obj`, `data`) otherwise; pass
  `formdata=self.request.args` for a search form read from the query (with `csrf = False`).
  Both went through jetpy's input layer (jetpy.kernel.request): a NUL anywhere was refused
  with 400 before the form sees it, and a textarea's lines end with LF, never CRLF.
- It carries the hidden field `csrf_token` (never prefixed, so jetpy's automatic check finds
  it). A submitted form whose token is not its session's is not a mistake the visitor can
  correct: `validate()` raises werkzeug's BadRequest, so the response is 400 and the request
  changes nothing. `class Meta: csrf = False` turns the field off (a GET search form).
- Labels, descriptions, the messages given to validators and WTForms' own messages are
  phrases: looked up in the module's dictionary (then the common one), then in jetpy's
  dictionary for the locale (jetpy/modules/dictionaries/), then in WTForms' catalogs; else English.
- A form with errors is shown again with status 200: it is an ordinary page, not an HTTP error.
"""

from __future__ import annotations

import copy
import functools
import gettext
import math
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import wtforms
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import BadRequest
from wtforms.csrf.core import CSRF, CSRFTokenField
from wtforms.i18n import messages_path
from wtforms.meta import DefaultMeta
from wtforms.validators import NumberRange, ValidationError

from jetpy.kernel import csrf
from jetpy.kernel.controller import Controller
from jetpy.modules.i18n import jetpy_phrases, locale_label

if TYPE_CHECKING:
    from collections.abc import Sequence

    from wtforms.fields.core import UnboundField
    from wtforms.meta import _SupportsGettextAndNgettext

    from jetpy.kernel.context import RequestContext
    from jetpy.modules.i18n import Translator

FieldT = TypeVar("FieldT", bound=wtforms.Field)
SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# WTForms' English messages that start with "Field", which reads oddly under a field and in a
# summary that names the field first ("Title: Field cannot be …"); used when no dictionary
# and no WTForms catalog translates the message
PLAIN_ENGLISH = {
    "Field must be at least %(min)d character long.": "Must be at least %(min)d character long.",
    "Field must be at least %(min)d characters long.": "Must be at least %(min)d characters long.",
    "Field cannot be longer than %(max)d character.": "Cannot be longer than %(max)d character.",
    "Field cannot be longer than %(max)d characters.": "Cannot be longer than %(max)d characters.",
    "Field must be exactly %(max)d character long.": "Must be exactly %(max)d character long.",
    "Field must be exactly %(max)d characters long.": "Must be exactly %(max)d characters long.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Must be from %(min)d to %(max)d characters long."
    ),
    "Field must be equal to %(other_name)s.": "Must be the same as %(other_name)s.",
}


@functools.cache
def wtforms_catalog(locale: str) -> gettext.NullTranslations:
    """WTForms' own translations for `locale` (`cs_CZ`, else `cs`), read once."""
    return gettext.translation("wtforms", messages_path(), [locale], fallback=True)


class Phrases:
    """Translations for WTForms: the application's dictionaries, jetpy's, then WTForms'."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator
        self.builtin = jetpy_phrases(translator.locale)
        self.catalog = wtforms_catalog(translator.locale)

    def lookup(self, phrase: str) -> str | None:
        """The translation from jetpy's or the application's dictionaries, else None."""
        found = self.translator.phrases.get(phrase)
        return found if found is not None else self.builtin.get(phrase)

    def __call__(self, phrase: str, /, **values: Any) -> str:
        """`phrase` translated (WTForms' catalogs included), placeholders filled in."""
        text = self.gettext(phrase)
        if not values:
            return text
        try:
            return text % values
        except (KeyError, TypeError, ValueError):  # a translation with other placeholders
            return phrase % values

    def gettext(self, string: str) -> str:
        found = self.lookup(string)
        if found is not None:
            return found
        text = self.catalog.gettext(string)
        return PLAIN_ENGLISH.get(text, text)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self.lookup(singular if n == 1 else plural)
        if found is not None:
            return found
        text = self.catalog.ngettext(singular, plural, n)
        return PLAIN_ENGLISH.get(text, text)


class SessionCSRF(CSRF):
    """WTForms' CSRF field backed by jetpy.kernel.csrf: the token of the visitor's session."""

    def __init__(self, ctx: RequestContext) -> None:
        self.ctx = ctx

    def setup_form(self, form: wtforms.form.BaseForm) -> list[tuple[str, UnboundField[Any]]]:
        # a field made outside a form class is unbound (WTForms' Field.__new__)
        unbound = cast("UnboundField[Any]", CSRFTokenField(label="CSRF token", csrf_impl=self))
        return [(csrf.FIELD, unbound)]

    def generate_csrf_token(self, csrf_token_field: CSRFTokenField) -> str:
        return csrf.token(self.ctx)

    def validate_csrf_token(self, form: wtforms.form.BaseForm, field: CSRFTokenField) -> None:
        if self.ctx.request.method not in SUBMIT_METHODS:
            return  # nothing is changed by a form read from the query or not sent at all
        if not csrf.matches(self.ctx, field.data or ""):
            raise ValidationError(field.gettext("Invalid CSRF Token."))


class JetpyMeta(DefaultMeta):
    """Form options: CSRF through the session, messages through the module's dictionary."""

    csrf = True
    csrf_field_name = "csrf_token"  # jetpy.kernel.csrf.FIELD (`csrf` is a Meta option here)
    id_prefix = ""  # put before every field's id, e.g. "contact-": ids unique in the page
    ctx: RequestContext
    phrases: Phrases

    def build_csrf(self, form: wtforms.form.BaseForm) -> CSRF:
        return SessionCSRF(self.ctx)

    def get_translations(self, form: wtforms.form.BaseForm) -> _SupportsGettextAndNgettext:
        return self.phrases

    def bind_field(
        self,
        form: wtforms.form.BaseForm,
        unbound_field: UnboundField[FieldT],
        options: MutableMapping[str, Any],
    ) -> FieldT:
        if unbound_field.field_class is CSRFTokenField:
            options = {**options, "prefix": ""}  # the name jetpy.kernel.csrf looks for
        elif self.id_prefix and "id" not in unbound_field.kwargs:
            options = {**options, "id": self.id_prefix + options["prefix"] + options["name"]}
        field: FieldT = unbound_field.bind(form=form, **options)
        translate = self.phrases.lookup
        field.label.text = translate(field.label.text) or field.label.text
        if field.description:
            field.description = translate(field.description) or field.description
        field.validators = [_safe(_translated(v, translate)) for v in field.validators]
        return field


def _translated(validator: Any, translate: Any) -> Any:
    """The validator with its own message translated; a copy, the class's one is shared."""
    message = getattr(validator, "message", None)
    if not isinstance(message, str):
        return validator
    translation = translate(message)
    if translation is None or translation == message:
        return validator
    changed = copy.copy(validator)
    changed.message = translation
    return changed


class _SafeNumberRange(NumberRange):
    """NumberRange that refuses a whole number too large for a float with its message.

    WTForms checks `math.isnan(data)`, which raises OverflowError for an int of more than
    ~308 digits: IntegerField takes up to 4,300, so a typed 400-digit number was a 500.
    """

    def __call__(self, form: wtforms.form.BaseForm, field: wtforms.Field) -> None:
        try:
            super().__call__(form, field)
        except OverflowError:
            typed = field.data
            field.data = math.inf if typed > 0 else -math.inf  # out of every range
            try:
                super().__call__(form, field)
            finally:
                field.data = typed


def _safe(validator: Any) -> Any:
    """The validator, made safe from inputs WTForms' own check fails on (a copy)."""
    if type(validator) is NumberRange:
        changed = copy.copy(validator)
        changed.__class__ = _SafeNumberRange
        return changed
    return validator


@dataclass(frozen=True)
class _Submission:
    """What a request sent, text and uploads apart until the form's fields are known.

    A file part named like a text field is not text (WTForms would hand the field a
    FileStorage, and its checks fail with a 500), nor is a text part named like a file field
    an upload: each kind of field gets only its own kind of part.
    """

    values: MultiDict[str, str]
    files: MultiDict[str, FileStorage]

    def for_fields(self, fields: Iterable[wtforms.Field]) -> MultiDict[str, Any]:
        uploads = {field.name for field in fields if isinstance(field, wtforms.FileField)}
        parts: list[tuple[str, Any]] = [
            (name, value) for name, value in self.values.items(multi=True) if name not in uploads
        ]
        parts += [(name, file) for name, file in self.files.items(multi=True) if name in uploads]
        return MultiDict(parts)


class Form(wtforms.Form):
    """A WTForms form bound to a request (see the module docstring for the rules).

    A form with texts per locale names them `<name>_<locale>` and lists the locales in
    `locales`: the error summary then names such a field with its locale ("Title (Čeština)").
    """

    Meta = JetpyMeta
    meta: JetpyMeta
    locales: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        source: Controller | RequestContext,
        formdata: Any = None,
        obj: object | None = None,
        prefix: str = "",
        data: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(source, Controller):
            ctx, translator = source.ctx, source.translator
        else:
            ctx, translator = source, source.app.translations.translator(source.locale.name)
        request = ctx.request
        self.is_submitted = request.method in SUBMIT_METHODS
        if formdata is None and self.is_submitted:
            formdata = _Submission(request.form, request.files)
        bound = {"ctx": ctx, "phrases": Phrases(translator), **(meta or {})}
        super().__init__(formdata, obj, prefix, data, bound, **kwargs)

    def process(
        self,
        formdata: Any = None,
        obj: object | None = None,
        data: Mapping[str, Any] | None = None,
        extra_filters: Any = None,
        **kwargs: Any,
    ) -> None:
        """Fill the fields; a request's uploads go to file fields only, its text to the others."""
        if isinstance(formdata, _Submission):
            formdata = formdata.for_fields(self._fields.values())
        super().process(formdata, obj, data, extra_filters, **kwargs)

    def _(self, phrase: str, /, **values: Any) -> str:
        """`phrase` translated like the form's messages (for views and inline validators)."""
        return self.meta.phrases(phrase, **values)

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate every field; a submitted form with a bad CSRF token raises BadRequest (400)."""
        valid = super().validate(extra_validators)
        token = self._fields.get(csrf.FIELD)
        if token is not None and token.errors:
            raise BadRequest(csrf.MESSAGE)
        return valid

    def validate_on_submit(self) -> bool:
        """Whether the form was sent (POST …) and is valid."""
        return self.is_submitted and self.validate()

    def label_of(self, field: wtforms.Field) -> str:
        """How the error summary names `field`: its label, with its locale when it has one."""
        text = str(field.label.text)
        for locale in self.locales:
            if field.short_name.endswith("_" + locale):
                return f"{text} ({locale_label(locale, self.locales)})"
        return text

    @property
    def field_errors(self) -> list[tuple[wtforms.Field, str]]:
        """(field, message) of every error, in the order of the fields (for a summary)."""
        return [
            (field, message)
            for field in self
            if field.name != csrf.FIELD
            for message in _messages(field.errors)
        ]


def add_error(field: wtforms.Field, message: str) -> None:
    """Add an error found after validation (a check that needs the database, say) to
    `field`; WTForms may hold its errors as a tuple."""
    field.errors = [*field.errors, message]


def _messages(errors: Sequence[Any] | dict[str, Any]) -> list[str]:
    """A field's messages; a FormField or FieldList nests them, flattened here."""
    if isinstance(errors, dict):
        return [m for nested in errors.values() for m in _messages(nested)]
    return [m for item in errors for m in ([item] if isinstance(item, str) else _messages(item))]
