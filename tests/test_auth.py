"""jetpy.auth: password hashes, `next` checks and the SessionAuth rules (throttle: test_throttle)."""

from __future__ import annotations

import re

import pytest
from werkzeug.test import Client, TestResponse

from jetpy import Application
from jetpy.auth import (
    hash_password,
    needs_rehash,
    safe_next,
    verify_password,
    weak_password,
)
from tests.conftest import ProjectFactory, log_in

# passwords ---------------------------------------------------------------------------------


def test_a_hash_verifies_its_password_only() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("scrypt$16384$8$1$")
    assert "correct horse" not in stored
    assert verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batterY", stored)
    assert not verify_password("", stored)
    assert hash_password("correct horse battery") != stored  # a random salt each time
    assert not needs_rehash(stored)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain",
        "scrypt$x$8$1$aa$bb",
        "md5$1$2$3$4$5",
        "scrypt$3$8$1$c2FsdA$" + "A" * 43,
        "scrypt$16384$8$1$c2FsdA$short",
        "scrypt$4194304$8$1$c2FsdA$" + "A" * 43,
    ],
)
def test_a_broken_or_foreign_hash_never_verifies(stored: str) -> None:
    assert not verify_password("anything", stored)
    assert needs_rehash(stored)


def test_a_hash_with_older_parameters_verifies_and_asks_for_a_rehash() -> None:
    old = hash_password("correct horse battery", n=2**12)
    assert verify_password("correct horse battery", old)
    assert needs_rehash(old)


def test_an_overlong_password_is_refused_before_hashing() -> None:
    with pytest.raises(ValueError, match="at most"):
        hash_password("x" * 2000)
    assert not verify_password("x" * 2000, hash_password("short but fine"))


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("", "empty"),
        ("short", "shorter than 10"),
        ("password123", "too common"),
        ("aaaaaaaaaaaa", "too simple"),
        ("admin-alice-2024", "contains the username"),
        ("Tr0ub4dor&3x", None),
    ],
)
def test_weak_passwords_are_named(password: str, reason: str | None) -> None:
    found = weak_password(password, personal=("alice", "alice@example.com"))
    if reason is None:
        assert found is None
    else:
        assert found is not None and reason in found


# the next URL -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/admin/", True),
        ("/admin/articles/?page=2&sort=title", True),
        ("/admin/%2F%2Fevil.com", True),  # percent-encoded: still a path of this site
        ("/", True),
        (None, False),
        ("", False),
        ("admin/", False),
        ("//evil.com", False),
        ("///evil.com", False),
        ("/\\evil.com", False),
        ("\\\\evil.com", False),
        ("/\\/evil.com", False),
        ("https://evil.com/", False),
        ("http:/evil.com", False),
        ("javascript:alert(1)", False),
        ("/ /evil.com", False),
        ("/\t/evil.com", False),
        ("/\n/evil.com", False),
        ("/\x00", False),
        ("/" + "a" * 3000, False),
    ],
)
def test_next_is_only_ever_a_local_path(target: str | None, kept: bool) -> None:
    assert safe_next(target) == (target if kept else None)


# SessionAuth in a small project ------------------------------------------------------------

PROVIDER = """
from dataclasses import dataclass, field

from jetpy.auth import SessionAuth, hash_password


@dataclass
class User:
    id: int
    name: str
    password_hash: str
    is_superuser: bool = False
    is_active: bool = True
    session_version: int = 1
    privileges: set = field(default_factory=set)

    def has_privilege(self, kind, value):
        return (kind, value) in self.privileges


class TestAuth(SessionAuth):
    def __init__(self):
        made = hash_password("right password", n=2**10)
        self.users = {
            1: User(1, "alice", made, is_superuser=True),
            2: User(2, "bob", made, privileges={("visit_page", "secret"),
                                                 ("visit_page", "password"),
                                                 ("module_action", "test.secret:remove")}),
            3: User(3, "carol", made),
            4: User(4, "dave", made, is_active=False, privileges={("visit_page", "secret")}),
        }

    def user_by_id(self, ctx, id):
        return self.users.get(id)

    def user_by_login(self, ctx, login):
        return next((u for u in self.users.values() if u.name == login), None)
"""

CONTROLLERS = """
from werkzeug.utils import redirect

from jetpy import Controller, ControllerRouter


class Main(Controller):
    def default_action(self):
        self.render("secret.html", user=self.ctx.auth.current_user(self.ctx))

    def password_action(self):
        if self.request.method == "POST":
            user = self.ctx.auth.current_user(self.ctx)
            self.ctx.auth.set_password(self.ctx, user, self.request.form["new"])
            return redirect(self.page.url())
        self.render("secret.html", user=None)

    def logout_action(self):
        if self.request.method == "POST":
            self.ctx.auth.log_out(self.ctx)
        return redirect("/")

    def menu_action(self):
        auth = self.ctx.auth
        shown = [p.id for p in self.page.children if auth.can_see_page(self.ctx, p)]
        self.output.append("menu:" + ",".join(shown))


class Acl(Controller):
    def get_router(self):
        router = ControllerRouter(self)
        router.add_action("remove", resolver=lambda: "remove" in self.request.args,
                          acl_action="remove", url_creator=lambda: self.page.url(remove=1))
        router.add_action("list", resolver=lambda: True, url_creator=lambda: self.page.url())
        return router

    def list_action(self):
        self.output.append(f"remove link: {self.router.action('remove').url()}")

    def remove_action(self):
        self.output.append("removed")
"""

FILES = {
    "application/bases/web/base.yaml": """
        name: Web
        default: true
        auth: application.modules.test.secret.auth:TestAuth
        locales:
          en_US:
            urls: [/]
            title: Site
        """,
    "application/bases/web/pages/cs_CZ/page.yaml": None,
    "application/bases/web/pages/en_US/page.yaml": """
        title: Home
        contents:
          - module: test.secret
            action: menu
        """,
    "application/bases/web/pages/en_US/secret/page.yaml": """
        title: Secret
        secret: true
        contents:
          - module: test.secret
        """,
    "application/bases/web/pages/en_US/vip/page.yaml": """
        title: VIP
        secret: true
        contents:
          - module: test.secret
        """,
    "application/bases/web/pages/en_US/password/page.yaml": """
        title: Password
        secret: true
        contents:
          - module: test.secret
            action: password
        """,
    "application/bases/web/pages/en_US/logout/page.yaml": """
        title: Logout
        contents:
          - module: test.secret
            action: logout
        """,
    "application/bases/web/pages/en_US/acl/page.yaml": """
        title: ACL
        contents:
          - module: test.secret
            controller: Acl
        """,
    "application/modules/test/secret/manifest.yaml": "label: Secret\nacl_actions: {remove: Remove}\n",
    "application/modules/test/secret/auth.py": PROVIDER,
    "application/modules/test/secret/controllers.py": CONTROLLERS,
    "application/modules/test/secret/views/secret.html": (
        "<p>secret for {{ user.name if user else 'nobody' }}</p>"
        '<form method="post"><input name="csrf_token" value="{{ csrf_token() }}"></form>'
    ),
    "application/data/modules.yaml": "test.hello: activated\ntest.secret: activated\n",
}

RIGHT = "right password"  # of every user of TestAuth above
TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
NEXT = re.compile(r'name="next" value="([^"]*)"')


@pytest.fixture
def app(make_project: ProjectFactory) -> Application:
    return Application(make_project(FILES), use_cache=False)


@pytest.fixture
def client(app: Application) -> Client:
    return Client(app)


def form_values(response: TestResponse) -> tuple[str, str]:
    text = response.get_data(as_text=True)
    token, next_url = TOKEN.search(text), NEXT.search(text)
    assert token is not None and next_url is not None, text
    return token.group(1), next_url.group(1).replace("&amp;", "&")


def session_id(app: Application, client: Client) -> str | None:
    cookie = client.get_cookie("jetpy_session_web")
    if cookie is None:
        return None
    return app.sessions.session_id("web", cookie.value)


def test_a_secret_page_answers_the_login_form_at_its_url(client: Client) -> None:
    response = client.get("/secret/?tab=2")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<h1>Sign in</h1>" in text and "secret for" not in text
    assert form_values(response)[1] == "/secret/?tab=2"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<title>Sign in" in text


def test_a_good_login_redirects_to_next(client: Client) -> None:
    response = log_in(client, "bob", RIGHT, "/secret/?tab=2")
    assert response.status_code == 303
    assert response.headers["Location"] == "/secret/?tab=2"
    assert "secret for bob" in client.get("/secret/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.com/", "https://evil.com/", "/\\evil.com"])
def test_a_foreign_next_is_replaced_by_the_page_asked_for(client: Client, target: str) -> None:
    response = log_in(client, "bob", RIGHT, "/secret/", next=target)
    assert response.headers["Location"] == "/secret/"
    linked = Client(client.application).get("/vip/", query_string={"next": target})
    assert form_values(linked)[1].startswith("/vip/?next=")  # the page itself, not `target`


def test_a_wrong_password_is_told_and_nobody_signs_in(client: Client) -> None:
    response = log_in(client, "bob", url="/secret/", password="wrong password")
    assert response.status_code == 200
    assert "Wrong username or password." in response.get_data(as_text=True)
    unknown = log_in(client, "nobody", url="/secret/", password="wrong password")
    assert "Wrong username or password." in unknown.get_data(as_text=True)
    assert "<h1>Sign in</h1>" in client.get("/secret/").get_data(as_text=True)


def test_an_inactive_user_cannot_sign_in(client: Client) -> None:
    response = log_in(client, "dave", RIGHT, "/secret/")
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_the_login_post_without_csrf_token_is_refused(client: Client) -> None:
    client.get("/secret/")
    data = {"_login": "1", "login": "bob", "password": RIGHT}
    assert client.post("/secret/", data=data).status_code == 400
    assert "<h1>Sign in</h1>" in client.get("/secret/").get_data(as_text=True)


def test_login_gives_the_session_a_new_id(app: Application, client: Client) -> None:
    client.get("/secret/")
    before = session_id(app, client)
    assert before is not None
    log_in(client, "bob", RIGHT, "/secret/")
    after = session_id(app, client)
    assert after is not None and after != before


def test_a_planted_session_cookie_does_not_carry_the_login(app: Application) -> None:
    attacker = Client(app)
    attacker.get("/secret/")
    planted = attacker.get_cookie("jetpy_session_web")
    assert planted is not None
    victim = Client(app)
    victim.set_cookie("jetpy_session_web", planted.value)
    log_in(victim, "bob", RIGHT, "/secret/")
    attacker.set_cookie("jetpy_session_web", planted.value)
    assert "<h1>Sign in</h1>" in attacker.get("/secret/").get_data(as_text=True)


def test_without_the_privilege_the_page_is_forbidden(client: Client) -> None:
    log_in(client, "carol", RIGHT, "/secret/")
    assert client.get("/secret/").status_code == 403


def menu_of(client: Client) -> set[str]:
    found = re.search(r"menu:([\w,]*)", client.get("/").get_data(as_text=True))
    assert found is not None
    return set(found.group(1).split(","))


def test_privileges_and_the_superuser(app: Application) -> None:
    bob, alice = Client(app), Client(app)
    log_in(bob, "bob", RIGHT, "/secret/")
    log_in(alice, "alice", RIGHT, "/secret/")
    assert bob.get("/vip/").status_code == 403
    assert alice.get("/vip/").status_code == 200
    public = {"logout", "acl", "items", "about"}
    assert menu_of(bob) == public | {"secret", "password"}
    assert menu_of(alice) == public | {"secret", "password", "vip"}
    assert menu_of(Client(app)) == public


def test_module_actions_follow_the_acl_privilege(app: Application) -> None:
    bob, carol, alice, nobody = Client(app), Client(app), Client(app), Client(app)
    log_in(bob, "bob", RIGHT, "/secret/")
    log_in(carol, "carol", RIGHT, "/secret/")
    log_in(alice, "alice", RIGHT, "/secret/")
    assert "remove link: /acl/?remove=1" in bob.get("/acl/").get_data(as_text=True)
    assert "remove link: /acl/?remove=1" in alice.get("/acl/").get_data(as_text=True)
    assert "remove link: None" in carol.get("/acl/").get_data(as_text=True)
    assert "remove link: None" in nobody.get("/acl/").get_data(as_text=True)
    assert "removed" in bob.get("/acl/?remove=1").get_data(as_text=True)
    assert carol.get("/acl/?remove=1").status_code == 403
    assert nobody.get("/acl/?remove=1").status_code == 403


def session_token(client: Client, url: str) -> str:
    """The CSRF token of the form on the page at `url`."""
    found = TOKEN.search(client.get(url).get_data(as_text=True))
    assert found is not None
    return found.group(1)


def test_logout_ends_the_session(client: Client) -> None:
    log_in(client, "bob", RIGHT, "/secret/")
    response = client.post("/logout/", data={"csrf_token": session_token(client, "/secret/")})
    assert response.status_code == 302
    assert client.get_cookie("jetpy_session_web") is None
    assert "<h1>Sign in</h1>" in client.get("/secret/").get_data(as_text=True)


def test_a_new_password_ends_the_other_sessions(app: Application) -> None:
    here, elsewhere = Client(app), Client(app)
    log_in(here, "bob", RIGHT, "/secret/")
    log_in(elsewhere, "bob", RIGHT, "/secret/")
    token = session_token(here, "/password/")
    response = here.post("/password/", data={"csrf_token": token, "new": "another password"})
    assert response.status_code == 302
    assert "secret for bob" in here.get("/secret/").get_data(as_text=True)  # still signed in
    assert "<h1>Sign in</h1>" in elsewhere.get("/secret/").get_data(as_text=True)
    assert log_in(elsewhere, "bob", RIGHT, "/secret/").status_code == 200  # the old password fails
    assert log_in(elsewhere, "bob", url="/secret/", password="another password").status_code == 303


def test_five_failures_make_the_next_login_wait(client: Client) -> None:
    for _ in range(4):
        response = log_in(client, "bob", url="/secret/", password="wrong password")
        assert "Try again in" not in response.get_data(as_text=True)
    fifth = log_in(client, "bob", url="/secret/", password="wrong password")
    assert "Try again in 15 min" in fifth.get_data(as_text=True)
    refused = log_in(client, "bob", RIGHT, "/secret/")  # even the right password waits
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 14 * 60
    assert "Try again in 15 min" in refused.get_data(as_text=True)
    assert "<h1>Sign in</h1>" in client.get("/secret/").get_data(as_text=True)
