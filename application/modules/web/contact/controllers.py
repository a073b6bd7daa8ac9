"""A contact form: checked on the server, answered with POST-redirect-GET, then an event.

The module does not send anything itself: it emits `contact.submitted`, and whichever modules
listen (the mail outbox in the example) do their part once the request has succeeded.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from application.classes.contact import ContactSubmitted
from jetpy import Controller, ControllerRouter

FIELDS = ("name", "email", "message")
MAX_LENGTH = {"name": 100, "email": 254, "message": 5000}
MIN_MESSAGE = 10
DEFAULT_TO = "hello@example.com"
# the address form browsers accept for <input type=email> (WHATWG), with a dot in the domain
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # a message keeps tabs and lines


class Main(Controller):
    """`form` shows the form, `send` takes a POST, `thanks` follows the redirect."""

    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        router.add_action("send", resolver=lambda: self.request.method == "POST")
        router.add_action("thanks", resolver=lambda: self.request.args.get("sent") == "1")
        router.add_action("form")
        router.set_default_action("form")
        return router

    def form_action(self) -> None:
        self.render("form.html", values=dict.fromkeys(FIELDS, ""), errors={})

    def thanks_action(self) -> None:
        self.render("thanks.html")

    def send_action(self) -> Response | None:
        self.check_csrf()  # 400 and nothing happens when the token is missing or wrong
        form = self.request.form
        values = {field: form.get(field, "").strip() for field in FIELDS}
        values["message"] = values["message"].replace("\r\n", "\n")
        errors = self.errors(values)
        if errors:
            self.head.title = self._("Please correct the form") + " | " + self.page.title
            self.render("form.html", values=values, errors=errors)
            return None
        self.app.events.emit(
            ContactSubmitted(
                name=values["name"],
                email=values["email"],
                message=values["message"],
                to=str(self.parameters.get("to", DEFAULT_TO)),
                locale=self.locale.name,
                sent_at=datetime.now(UTC),
            )
        )
        return redirect(self.page.url(sent="1"), 303)

    def errors(self, values: dict[str, str]) -> dict[str, str]:
        """Field name → what is wrong with it, in the visitor's language."""
        _ = self._
        name, email, message = values["name"], values["email"], values["message"]
        errors: dict[str, str] = {}
        if not name:
            errors["name"] = _("Please enter your name.")
        elif len(name) > MAX_LENGTH["name"]:
            errors["name"] = _(
                "Please shorten this to %(count)s characters.", count=MAX_LENGTH["name"]
            )
        elif LINE_BREAKS_AND_CONTROLS.search(name):
            errors["name"] = _("Please write your name on one line, without special characters.")
        if not email:
            errors["email"] = _("Please enter your e-mail address.")
        elif len(email) > MAX_LENGTH["email"] or not EMAIL.fullmatch(email):
            errors["email"] = _(
                "This does not look like an e-mail address; write it like jane@example.com."
            )
        if not message:
            errors["message"] = _("Please write your message.")
        elif len(message) < MIN_MESSAGE:
            errors["message"] = _(
                "Please write a little more: at least %(count)s characters.", count=MIN_MESSAGE
            )
        elif len(message) > MAX_LENGTH["message"]:
            errors["message"] = _(
                "Please shorten this to %(count)s characters.", count=MAX_LENGTH["message"]
            )
        elif CONTROLS.search(message):
            errors["message"] = _("Please remove the special characters from your message.")
        return errors
