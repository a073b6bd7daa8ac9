"""A contact form (jetpy.web.forms): checked on the server, answered with POST-redirect-GET.

The module does not send anything itself: it emits `contact.submitted`, and whichever modules
listen (the mail outbox in the example) do their part once the request has succeeded.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Response
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from application.classes.contact import ContactSubmitted
from jetpy import Controller, ControllerRouter
from jetpy.web.forms import Form

DEFAULT_TO = "hello@example.com"
# the address form browsers accept for <input type=email> (WHATWG), with a dot in the domain
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # a message keeps tabs and lines
SHORTEN = "Please shorten this to %(max)d characters."  # a phrase of the module's dictionary


def stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def one_line_breaks(value: Any) -> Any:
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class ContactForm(Form):
    """Name, e-mail and message; every message below is a phrase of dictionaries/."""

    class Meta:
        id_prefix = "contact-"  # ids unique in the page, whatever else it shows

    name = StringField(
        "Your name",
        [DataRequired("Please enter your name."), Length(max=100, message=SHORTEN)],
        filters=[stripped],
    )
    email = EmailField(
        "Your e-mail address",
        [DataRequired("Please enter your e-mail address.")],
        filters=[stripped],
        description="We only use it to reply to you.",
    )
    message = TextAreaField(
        "Message",
        [
            DataRequired("Please write your message."),
            Length(min=10, message="Please write a little more: at least %(min)d characters."),
            Length(max=5000, message=SHORTEN),
        ],
        filters=[stripped, one_line_breaks],
    )

    def validate_name(self, field: StringField) -> None:
        if LINE_BREAKS_AND_CONTROLS.search(field.data):
            raise ValidationError(
                self._("Please write your name on one line, without special characters.")
            )

    def validate_email(self, field: EmailField) -> None:
        if len(field.data) > 254 or not EMAIL.fullmatch(field.data):
            raise ValidationError(
                self._("This does not look like an e-mail address; write it like jane@example.com.")
            )

    def validate_message(self, field: TextAreaField) -> None:
        if CONTROLS.search(field.data):
            raise ValidationError(self._("Please remove the special characters from your message."))


class Main(Controller):
    """`form` shows the form and takes it back (POST); a sent message redirects with a flash."""

    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        router.add_action("form")
        router.set_default_action("form")
        return router

    def form_action(self) -> Response | None:
        form = ContactForm(self)  # a bad CSRF token never gets here: jetpy answered 400
        if form.validate_on_submit():
            self.app.events.emit(
                ContactSubmitted(
                    name=form.name.data,
                    email=form.email.data,
                    message=form.message.data,
                    to=str(self.parameters.get("to", DEFAULT_TO)),
                    locale=self.locale.name,
                    sent_at=datetime.now(UTC),
                )
            )
            self.flash(self._("Thank you, your message has been sent."), category="success")
            return redirect(self.page.url(), 303)
        if form.errors:  # shown again, with status 200: the visitor corrects it
            self.head.title = self._("Please correct the form") + " | " + self.page.title
        self.render("form.html", form=form)
        return None
