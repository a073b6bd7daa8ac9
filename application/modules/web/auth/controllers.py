"""Visitors' accounts: sign-up with e-mail confirmation, password reset, and "My account".

Mail goes out through the event `mail.requested` (module mail.outbox sends it from a worker of
the queue `mail`), made from this module's templates views/mail/<name>.<locale>.txt and .html
in the visitor's locale; links in it carry signed, expiring tokens (see tokens.py) and lead to
the pages of that locale. The login form itself is
the provider's (auth.py): a secret page of the base answers it at its own URL.

Links are absolute: the content parameter `site_url` (e.g. `https://shop.example.com`) gives the
site's address; without it the request's own is used, which is fine only behind a server that
accepts just the site's host names (else a forged Host header would make the links point away).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import redirect
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from application.classes.mail import MailRequested
from application.modules.web.auth.auth import VisitorAuth
from application.modules.web.auth.models import Visitor
from application.modules.web.auth.tokens import CONFIRM, RESET, TokenProblem, make_token, read_token
from jetpy import Controller, JetpyError
from jetpy.auth import hash_password, weak_password
from jetpy.auth.throttle import throttle_key
from jetpy.web.forms import Form

# the address form browsers accept for <input type=email> (WHATWG), with a dot in the domain
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
CONTROLS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
RESET_LIMIT = 3  # reset mails per address (and per client) in the throttle's window


def stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def check_email(form: Form, field: Any) -> None:
    if len(field.data or "") > 254 or not EMAIL.fullmatch(field.data or ""):
        raise ValidationError(
            form._("This does not look like an e-mail address; write it like jane@example.com.")
        )


LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})  # development hosts


class NewPasswordForm(Form):
    """A new password, typed twice."""

    class Meta:
        id_prefix = "visitor-"

    password = PasswordField(
        "Password",
        [DataRequired("Choose a password."), Length(max=1024)],
        description="At least 10 characters; not a common one.",
    )
    password_again = PasswordField(
        "Password again",
        [DataRequired("Type the password again."), EqualTo("password", "The passwords differ.")],
    )
    personal: tuple[str, ...] = ()

    def validate_password(self, field: PasswordField) -> None:
        if weak_password(field.data or "", personal=self.personal) is not None:
            raise ValidationError(
                self._("Choose a longer, less guessable password (at least 10 characters).")
            )


class SignUpForm(NewPasswordForm):
    """Name, e-mail address and a password."""

    name = StringField(
        "Your name",
        [DataRequired("Please enter your name."), Length(max=100)],
        filters=[stripped],
    )
    email = EmailField(
        "E-mail",
        [DataRequired("Please enter your e-mail address."), check_email],
        filters=[stripped],
        description="We send a link to confirm it.",
    )

    def validate_name(self, field: StringField) -> None:
        if CONTROLS.search(field.data or ""):
            raise ValidationError(self._("Please write your name on one line."))

    def validate_password(self, field: PasswordField) -> None:
        email = (self.email.data or "").lower()
        self.personal = (email, email.split("@")[0], (self.name.data or "").lower())
        super().validate_password(field)


class ResetRequestForm(Form):
    """The address a reset link goes to."""

    class Meta:
        id_prefix = "visitor-"

    email = EmailField(
        "E-mail",
        [DataRequired("Please enter your e-mail address."), check_email],
        filters=[stripped],
    )


class Main(Controller):
    """Actions of the pages the module brings: account, sign_up, reset."""

    @property
    def auth(self) -> VisitorAuth:
        auth = self.ctx.auth
        if not isinstance(auth, VisitorAuth):
            raise TypeError(
                f"module {self.module.name} runs in a base whose auth provider is "
                f"{type(auth).__name__}; set `auth: {VisitorAuth.__module__}:VisitorAuth` "
                "in base.yaml"
            )
        return auth

    # helpers --------------------------------------------------------------------------
    def page_of(self, id: str) -> Any:
        return self.app.page(id, base=self.base.id, locale=self.locale.name)

    def absolute(self, url: str) -> str:
        """`url` (a path) with the site's address before it, for links in e-mails.

        The address is the page's `site_url` parameter. Without it only a loopback host
        (development) is used as the request gave it: any other Host header may be forged, and a
        reset link to a forged host would hand the token to whoever owns it.
        """
        site = self.parameters.get("site_url")
        if not site:
            if self.request.host.rsplit(":", 1)[0].strip("[]") not in LOOPBACK:
                raise JetpyError(
                    f"page {self.page.id!r} of base {self.base.id!r} needs the parameter "
                    "`site_url` (e.g. https://www.example.com) for the links it mails; the "
                    "request's Host header cannot be trusted for them"
                )
            site = self.request.host_url
        return str(site).rstrip("/") + url

    def mail(self, to: str, template: str, cause: str, **values: str) -> None:
        """Ask for the message views/mail/<template>.<locale>.txt (and .html) of this module."""
        self.app.events.emit(
            MailRequested(
                to=to,
                template=f"{self.module.name}:{template}",
                values=values,
                locale=self.locale.name,
                cause=cause,
            )
        )

    def link_problem(self, kind: str, again_url: str) -> None:
        """A clear page for a link that cannot be used (expired, altered, used)."""
        self.head.title = self._("This link cannot be used")
        self.render("link_problem.html", kind=kind, again_url=again_url)

    # My account -------------------------------------------------------------------------
    def account_action(self) -> Response | None:
        """The signed-in visitor's account (a secret page: others get the login form)."""
        visitor = self.auth.current_user(self.ctx)
        if visitor is None:  # only when the page is not secret
            return redirect(self.page_of("sign-up").url(), 303)
        if self.request.method == "POST" and "logout" in self.request.form:
            if self.request.form["logout"] == "everywhere":  # every browser of theirs
                self.auth.sign_out_everywhere(self.ctx, visitor)
                self.flash(self._("You have signed out everywhere."), "info")
            else:
                self.auth.log_out(self.ctx)
                self.flash(self._("You have signed out."), "info")
            return redirect(self.page_of("_homepage_").url(), 303)
        self.render("account.html", visitor=visitor)
        return None

    # sign-up and confirmation ---------------------------------------------------------------
    def sign_up_action(self) -> Response | None:
        token = self.request.args.get("confirm")
        if token is not None:
            return self.confirm(token)
        if self.auth.current_user(self.ctx) is not None:
            return redirect(self.page_of("account").url(), 303)
        form = SignUpForm(self)
        if form.validate_on_submit():
            self.sign_up(form)
            self.flash(
                self._(
                    "Almost done: we sent a link to %(email)s. Open it to confirm your address.",
                    email=(form.email.data or "").lower(),
                ),
                "info",
            )
            return redirect(self.page.url(), 303)
        self.render("sign_up.html", form=form)
        return None

    def sign_up(self, form: SignUpForm) -> None:
        """A new unconfirmed account and its confirmation mail.

        For an address that has an account already, that account's owner gets a note instead:
        the page says the same either way, so it does not tell who has an account.
        """
        email = (form.email.data or "").lower()
        found = self.db.scalars(select(Visitor).where(Visitor.email == email)).first()
        if found is not None:
            # hashed all the same: a quicker answer would tell that the address has an account
            hash_password(form.password.data or "")
            self.mail_owner(email)
            return
        visitor = Visitor(
            email=email,
            name=form.name.data,
            password_hash=hash_password(form.password.data or ""),
            active=True,
            session_version=1,
        )
        try:
            with self.db.begin_nested():
                self.db.add(visitor)
        except IntegrityError:
            # a parallel request (a double click) signed the address up after the look-up
            self.mail_owner(email)
            return
        token = make_token(self.app.secret_keys, CONFIRM, {"v": visitor.id, "e": email})
        link = self.absolute(self.page.url(confirm=token))
        self.mail(email, "sign_up", "web.auth.sign_up", name=visitor.name, link=link)

    def mail_owner(self, email: str) -> None:
        """Tell the owner of the account at `email` that someone tried to sign up with it."""
        login = self.absolute(self.page_of("account").url())
        reset = self.absolute(self.page_of("password-reset").url())
        self.mail(email, "sign_up_again", "web.auth.sign_up_again", login=login, reset=reset)

    def confirm(self, token: str) -> Response | None:
        try:
            data = read_token(self.app.secret_keys, CONFIRM, token)
        except TokenProblem as problem:
            self.link_problem(problem.kind, self.page.url())
            return None
        visitor = self.db.get(Visitor, data["v"])
        if visitor is None or visitor.email != data.get("e"):
            self.link_problem("invalid", self.page.url())
            return None
        if visitor.confirmed_at is None:
            visitor.confirmed_at = datetime.now(UTC)
            self.flash(self._("Your e-mail address is confirmed. You can sign in now."))
        else:
            self.flash(self._("Your e-mail address was confirmed already."), "info")
        return redirect(self.page_of("account").url(), 303)

    # password reset ---------------------------------------------------------------------------
    def reset_action(self) -> Response | None:
        token = self.request.args.get("token")
        if token is not None:
            return self.new_password(token)
        form = ResetRequestForm(self)
        if form.validate_on_submit():
            email = (form.email.data or "").lower()
            # every request counts (nobody floods an inbox): per address asked for and per client
            limits = {
                throttle_key("reset", email): RESET_LIMIT,
                throttle_key("reset-from", self.ctx.client_address): RESET_LIMIT,
            }
            wait = self.app.throttles.throttle().count(limits).wait
            if wait:
                self.flash(
                    self._(
                        "Too many reset links were asked for; try again in %(minutes)s min.",
                        minutes=-(-wait // 60),
                    ),
                    "error",
                )
            else:
                self.send_reset(email)
                self.flash(
                    self._(
                        "If %(email)s has an account here, we sent it a link to choose a new "
                        "password. The link works for an hour, once.",
                        email=email,
                    ),
                    "info",
                )
            return redirect(self.page.url(), 303)
        self.render("reset_request.html", form=form)
        return None

    def send_reset(self, email: str) -> None:
        visitor = self.db.scalars(select(Visitor).where(Visitor.email == email)).first()
        if visitor is None or not visitor.active:
            return  # the page says the same: it does not tell who has an account
        data = {"v": visitor.id, "s": visitor.session_version}
        token = make_token(self.app.secret_keys, RESET, data)
        link = self.absolute(self.page.url(token=token))
        self.mail(
            visitor.email, "password_reset", "web.auth.password_reset", name=visitor.name, link=link
        )

    def new_password(self, token: str) -> Response | None:
        try:
            data = read_token(self.app.secret_keys, RESET, token)
        except TokenProblem as problem:
            self.link_problem(problem.kind, self.page.url())
            return None
        visitor = self.db.get(Visitor, data["v"])
        if visitor is None or not visitor.active or visitor.session_version != data.get("s"):
            self.link_problem("used", self.page.url())  # the password changed since
            return None
        form = NewPasswordForm(self)
        form.personal = (visitor.email, visitor.email.split("@")[0], visitor.name.lower())
        if form.validate_on_submit():
            self.auth.set_password(self.ctx, visitor, form.password.data or "")
            if visitor.confirmed_at is None:  # the link proved the address
                visitor.confirmed_at = datetime.now(UTC)
            self.flash(self._("Your password is changed. Sign in with it."))
            return redirect(self.page_of("account").url(), 303)
        self.render("new_password.html", form=form, action_url=self.page.url(token=token))
        return None
