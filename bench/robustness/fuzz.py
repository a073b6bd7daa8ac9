"""The bounded fuzz: hostile URLs, malformed forms and malformed REST bodies, and their tally.

Cases come from a seeded generator (the same run sends the same requests) built on what a
crawl of the site found: its pages, links and forms. Forms are sent with a fresh, valid CSRF
token by a visitor who may use them (an administrator for the admin's forms, a signed-in
visitor for the account page), and REST bodies with a bearer token whose role grants every
write, so that the junk reaches the validation rather than the doors. Any answer of 500 or
more is a finding, kept with the request and the traceback line the application logged.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from . import junk
from .client import Answer, Browser, InProcess, OverHttp
from .crawl import Crawl, FormSpec, crawl, parse
from .site import Identities

FORM_TYPE = "application/x-www-form-urlencoded"
_TOKEN = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]+)"')
LOGIN_FIELD = 'name="_login"'
PROGRESS_EVERY = 2_500


@dataclass
class Finding:
    kind: str
    status: int
    request: str
    traceback: str


@dataclass
class Tally:
    """What a fuzz sent and what came back."""

    sent: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    findings: dict[tuple[str, str], Finding] = field(default_factory=dict)
    server_errors: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)  # per kind (the longest job's)
    relogins: int = 0

    def count(self, kind: str, answer: Answer, request: str) -> None:
        self.sent[kind] += 1
        if self.sent[kind] % PROGRESS_EVERY == 0:  # a long run says how far it got
            print(f"[{os.getpid()}] {self.sent[kind]:,} {kind}s sent", file=sys.stderr, flush=True)
        self.statuses.setdefault(kind, Counter())[answer.status] += 1
        if answer.error:
            self.errors[f"{kind}: {answer.error}"] += 1
        if answer.status >= 500:
            self.server_errors[kind] += 1
            key = (kind, answer.traceback or f"{answer.status} (see the server's log)")
            if key not in self.findings:
                self.findings[key] = Finding(kind, answer.status, request[:300], key[1])

    def merge(self, other: Tally) -> None:
        """Add the counts of `other` (a parallel job's) to these."""
        self.sent.update(other.sent)
        self.errors.update(other.errors)
        self.server_errors.update(other.server_errors)
        for kind, statuses in other.statuses.items():
            self.statuses.setdefault(kind, Counter()).update(statuses)
        for key, finding in other.findings.items():
            self.findings.setdefault(key, finding)
        for kind, seconds in other.seconds.items():
            self.seconds[kind] = max(seconds, self.seconds.get(kind, 0.0))
        self.relogins += other.relogins

    def summary(self) -> dict[str, Any]:
        return {
            "sent": dict(self.sent),
            "server_errors": dict(self.server_errors),
            "connection_errors": dict(self.errors),
            "statuses": {k: dict(sorted(v.items())) for k, v in self.statuses.items()},
            "distinct_5xx": [f.__dict__ for f in self.findings.values()],
            "seconds": {k: round(v, 1) for k, v in self.seconds.items()},
            "relogins": self.relogins,
        }


def token_in(html: str) -> str | None:
    found = _TOKEN.search(html)
    value = _VALUE.search(found.group(0)) if found else None
    return value.group(1) if value else None


def log_in(browser: Browser, url: str, login: str, password: str) -> bool:
    """Fill the login form shown at `url` (the one with a password field); True when in."""
    answer = browser.get(url)
    _, forms = parse(url, answer.text)
    for form in forms:
        if not any(f.kind == "password" for f in form.fields):
            continue
        pairs: list[tuple[str, bytes]] = []
        for f in form.fields:
            if f.kind == "password":
                pairs.append((f.name, password.encode()))
            elif f.kind in ("text", "email"):
                pairs.append((f.name, login.encode()))
            elif f.kind == "hidden" or (f.kind == "checkbox" and f.checked):
                pairs.append((f.name, f.value.encode()))
        answer = browser.send(
            "POST", form.action, junk.encode_form(pairs), [("Content-Type", FORM_TYPE)]
        )
        return answer.status in (302, 303)
    return False


class Visitors:
    """The browsers the fuzz uses, each able to sign in again when a fuzzed form signed it out."""

    def __init__(self, target: InProcess | OverHttp, renew: Callable[[], Identities]) -> None:
        self.target = target
        self.renew = renew
        self.ids = renew()
        self.anon = Browser(target)
        self.anon_admin = Browser(target)
        self.admin = Browser(target, address="127.0.0.2")  # apart from the anonymous ones
        self.visitor = Browser(target)
        self.relogins = 0
        self.sign_in("admin")
        self.sign_in("visitor")

    def browser(self, role: str) -> Browser:
        return {
            "admin": self.admin,
            "visitor": self.visitor,
            "anon_admin": self.anon_admin,
        }.get(role, self.anon)

    def sign_in(self, role: str) -> None:
        """Sign `role` in; with new accounts if a fuzzed form changed the old ones."""
        for attempt in range(2):
            browser = self.browser(role)
            browser.cookies.clear()
            if role == "admin" and log_in(browser, "/admin/", self.ids.admin, self.ids.password):
                return
            if role == "visitor" and log_in(
                browser, "/account/", self.ids.visitor, self.ids.password
            ):
                return
            if attempt == 0:
                self.ids = self.renew()
        raise RuntimeError(f"cannot sign in as {role} (is the login form changed?)")


def discover(visitors: Visitors, pages: int = 200) -> Crawl:
    """Pages and forms that each kind of visitor reaches (about `pages` for each)."""
    found = Crawl()
    starts = ["/", "/cs/", "/sitemap/", "/cs/mapa-webu/", "/rest/", "/rest/cs/"]
    crawl(visitors.anon, starts, "anon", found, limit=pages)
    crawl(visitors.anon_admin, ["/admin/"], "anon_admin", found, limit=3)
    crawl(visitors.visitor, ["/account/", "/cs/ucet/"], "visitor", found, limit=4)
    crawl(visitors.admin, ["/admin/", "/admin/cs/"], "admin", found, limit=pages)
    for url in ("/rest/articles/", "/rest/products/"):
        answer = visitors.anon.get(url)
        if answer.status == 200:
            for item in json.loads(answer.body).get("items", [])[:5]:
                found.urls.append(f"{url}{item['id']}")
    return found


# URLs ---------------------------------------------------------------------------------------
ODD_METHODS = ["HEAD", "OPTIONS", "TRACE", "PUT", "DELETE", "PATCH", "POST", "PROPFIND", "FOO"]


def url_cases(found: Crawl, count: int, seed: int) -> Iterator[tuple[str, str, str, str | None]]:
    """(role, method, target, client address or None) of `count` requests on the known URLs.

    The first rounds take every known URL in turn, with junk query parameters and then with
    a junk leftover path; the rest pick URLs and kinds of junk at random.
    """
    rng = random.Random(seed)
    known = sorted(set(found.urls))
    rng.shuffle(known)
    for n in range(count):
        url = known[n % len(known)] if n < 2 * len(known) else rng.choice(known)
        path, _, query = url.partition("?")
        names = [k for k, _ in parse_qsl(query, True)]
        roll = (0.0 if n < len(known) else 0.3) if n < 2 * len(known) else rng.random()
        method = "GET"
        if roll < 0.30:
            pairs = [] if rng.random() < 0.5 else [query] if query else []
            for _ in range(rng.randint(1, 3)):
                pairs.append(f"{junk.query_name(rng, names)}={junk.query_value(rng)}")
            target = path + "?" + "&".join(pairs)
        elif roll < 0.55:
            tail = "/".join(junk.segment(rng) for _ in range(rng.randint(1, 3)))
            target = path.rstrip("/") + "/" + tail + rng.choice(["", "/", ".html", "/x.html"])
            if rng.random() < 0.3:
                target += f"?{junk.query_name(rng, names)}={junk.query_value(rng)}"
        elif roll < 0.65:
            parts = path.split("/")
            if len(parts) > 2:
                parts[rng.randrange(1, len(parts) - 1)] = junk.segment(rng)
            target = "/".join(parts) + (f"?{query}" if query else "")
        elif roll < 0.80:
            target = junk.traversal(rng)
        elif roll < 0.88:
            method = rng.choice(ODD_METHODS)
            target = url
        elif roll < 0.93:
            target = "/" + "/".join(junk.segment(rng) for _ in range(rng.randint(1, 5)))
        else:
            prefix = rng.choice(["/rest/articles/", "/rest/products/", "/rest/cs/products/"])
            target = prefix + (junk.segment(rng) if rng.random() < 0.5 else "")
            target += f"?{junk.query_name(rng, names)}={junk.query_value(rng)}"
        role = "admin" if target.startswith("/admin") and rng.random() < 0.8 else "anon"
        address = rng.choice(junk.ADDRESSES) if rng.random() < 0.03 else None
        yield role, method, target, address


def run_urls(visitors: Visitors, found: Crawl, count: int, seed: int, tally: Tally) -> None:
    for role, method, target, address in url_cases(found, count, seed):
        answer = visitors.browser(role).send(method, target, address=address)
        tally.count("url", answer, f"{method} {target}")


# forms --------------------------------------------------------------------------------------
def valid_value(f: Any, n: int) -> bytes | None:
    """A value that passes the field's checks as well as a guess can (None: leave it out)."""
    name = f.name.lower()
    if f.kind in ("submit", "button", "image", "reset", "file"):
        return f.value.encode() if f.value else None
    if f.kind == "hidden":
        return f.value.encode()
    if f.kind in ("checkbox", "radio"):
        return (f.value or "y").encode() if f.checked else None
    if f.kind == "select":
        choices = [o for o in f.options if o]
        return (f.value or (choices[0] if choices else "")).encode()
    if f.kind == "select-multiple":
        return f.value.encode() if f.value else None
    if "mail" in name:
        return f"fuzz{n}@example.com".encode()
    if "password" in name:
        return b"Another-Sturdy-Pass-77"
    if f.value:
        return f.value.encode()
    if f.kind == "number":
        return b"1"
    if f.kind == "date":
        return b"2026-01-02"
    if f.kind == "datetime-local":
        return b"2026-01-02T10:00"
    return f"Fuzz {n}".encode()


MUTATIONS = ["one", "one", "one", "all", "missing", "only_token", "duplicate", "extra", "choices"]


def form_pairs(form: FormSpec, rng: random.Random, n: int) -> tuple[str, list[tuple[str, bytes]]]:
    """A mutation's name and the fields to send (the CSRF token filled in later)."""
    pairs = [(f.name, v) for f in form.fields if (v := valid_value(f, n)) is not None]
    names = sorted({f.name for f in form.fields if f.name != "csrf_token"})
    mutation = rng.choice(MUTATIONS) if names else "extra"
    if mutation == "one":
        victim = rng.choice(names)
        pairs = [(k, v) for k, v in pairs if k != victim] + [(victim, junk.form_value(rng))]
    elif mutation == "all":
        pairs = [(k, v) for k, v in pairs if k == "csrf_token"]
        pairs += [(name, junk.form_value(rng)) for name in names]
    elif mutation == "missing":
        gone = set(rng.sample(names, rng.randint(1, len(names))))
        pairs = [(k, v) for k, v in pairs if k not in gone]
    elif mutation == "only_token":
        pairs = [(k, v) for k, v in pairs if k == "csrf_token"]
    elif mutation == "duplicate":
        twice = rng.choice(names)
        pairs += [(twice, junk.form_value(rng)), (twice, junk.form_value(rng))]
    elif mutation == "extra":
        for _ in range(rng.randint(1, 4)):
            name = rng.choice([*junk.QUERY_NAMES, "", "\x00", "a" * 300, "csrf_token"])
            pairs.append((name, junk.form_value(rng)))
    else:  # choices: a select or checkbox list given values it never offered
        picked = [f for f in form.fields if f.kind.startswith("select") or f.kind == "checkbox"]
        victim = rng.choice(picked).name if picked else rng.choice(names)
        pairs = [(k, v) for k, v in pairs if k != victim]
        pairs += [(victim, junk.form_value(rng)) for _ in range(rng.randint(1, 3))]
    return mutation, pairs


def multipart(pairs: list[tuple[str, bytes]], rng: random.Random) -> tuple[str, bytes]:
    boundary = f"fuzz{rng.randrange(10**9)}"
    chunks = []
    for name, value in pairs:
        disposition = f'form-data; name="{name}"'
        if rng.random() < 0.1:
            disposition += f'; filename="{rng.choice(junk.FORM_TEXT)[:300]}"'
        chunks.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode("utf-8", "replace")
            + value
            + b"\r\n"
        )
    return f"multipart/form-data; boundary={boundary}", b"".join(
        chunks
    ) + f"--{boundary}--\r\n".encode()


def safe_action(form: FormSpec, ids: Identities) -> str:
    """The form's action, aimed at the victim instead of the signed-in administrator."""
    if "/users/" not in form.action:
        return form.action
    return re.sub(rf"=({ids.admin_id})(?=&|$)", f"={ids.victim_id}", form.action)


def fresh_token(visitors: Visitors, form: FormSpec) -> str:
    """A valid CSRF token of the role's session, signing in again when a form signed it out."""
    browser = visitors.browser(form.role)
    page = browser.get(form.page)
    signed_out = LOGIN_FIELD in page.text and form.role in ("admin", "visitor")
    if signed_out or (form.role.startswith("anon") and token_in(page.text) is None):
        if form.role in ("admin", "visitor"):
            visitors.sign_in(form.role)
            visitors.relogins += 1
        else:
            browser.cookies.clear()
        page = browser.get(form.page)
    return token_in(page.text) or ""


def run_forms(visitors: Visitors, found: Crawl, count: int, seed: int, tally: Tally) -> None:
    rng = random.Random(seed)
    forms = sorted(found.forms.values(), key=lambda f: f.key)
    if not forms:
        raise RuntimeError("the crawl found no forms")
    tokens: dict[str, str] = {}  # role → CSRF token of its session (valid until it changes)
    for n in range(count):
        form = forms[n % len(forms)]
        browser = visitors.browser(form.role)
        if form.role.startswith("anon"):
            # one client address per attempt: the login throttle would answer 429 before the form
            browser.address = (
                f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            )
        if form.role not in tokens:
            tokens[form.role] = fresh_token(visitors, form)
        token = tokens[form.role]
        mutation, pairs = form_pairs(form, rng, n)
        pairs = [(k, token.encode() if k == "csrf_token" else v) for k, v in pairs]
        if form.method != "POST":
            query = junk.encode_form(pairs).decode()
            action = urlsplit(form.action).path
            answer = browser.send("GET", f"{action}?{query}")
            tally.count("form", answer, f"GET {action}?{query[:200]} ({mutation})")
            continue
        if form.enctype.startswith("multipart") or rng.random() < 0.15:
            content_type, body = multipart(pairs, rng)
        else:
            content_type, body = FORM_TYPE, junk.encode_form(pairs)
        action = safe_action(form, visitors.ids)
        answer = browser.send("POST", action, body, [("Content-Type", content_type)])
        tally.count("form", answer, f"POST {action} ({mutation}) {body[:200]!r}")
        # a login, a logout or a password change may have replaced the session: fetch anew
        signed_out = LOGIN_FIELD in answer.text and form.role in ("admin", "visitor")
        if answer.status >= 300 or signed_out:
            del tokens[form.role]
            if form.role.startswith("anon") and answer.status in (302, 303):
                browser.cookies.clear()  # signed in by a login that passed: anonymous again


# REST bodies --------------------------------------------------------------------------------
def article_body(n: int) -> dict[str, Any]:
    return {
        "published": "2026-11-02T10:00:00Z",
        "draft": False,
        "localizations": {
            "en_US": {"title": f"Fuzz {n}", "annotation": "A", "text": "T"},
            "cs_CZ": {"title": f"Fuzz cs {n}", "slug": f"fuzz-cs-{n}", "text": "T"},
        },
    }


def product_body(n: int) -> dict[str, Any]:
    return {
        "code": f"FUZZ-{n}",
        "ean": "8590000000015",
        "kind": "regular",
        "category_id": 1,
        "texts": {"en_US": {"name": f"Fuzz {n}", "description": "D"}},
        "prices": {"CZK": {"amount": "129.00", "amount_before": "149.00", "vat_rate": "12"}},
        "set_items": [],
    }


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nodes(item, (*path, index))


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replace(value[path[0]], path[1:], new)
    return copy


def _drop(value: Any, path: tuple[Any, ...]) -> Any:
    if len(path) == 1:
        copy = dict(value) if isinstance(value, dict) else list(value)
        del copy[path[0]]
        return copy
    return _replace(value, path[:1], _drop(value[path[0]], path[1:]))


def body_text(rng: random.Random, n: int, template: dict[str, Any]) -> tuple[str, str, bytes]:
    """A mutation's name, the content type and the body."""
    content_type = "application/json"
    paths = [p for p in _nodes(template) if p]
    roll = rng.random()
    value: Any = template
    if roll < 0.35:
        mutation = "leaf"
        value = _replace(template, rng.choice(paths), rng.choice(junk.JSON_VALUES))
    elif roll < 0.45:
        mutation = "drop"
        value = _drop(template, rng.choice(paths))
    elif roll < 0.55:
        mutation = "extra"
        objects = [p for p in _nodes(template) if isinstance(_get(template, p), dict)]
        where = rng.choice(objects)
        extra = {
            **_get(template, where),
            rng.choice(["x", "", "\x00", "id"]): rng.choice(junk.JSON_VALUES),
        }
        value = _replace(template, where, extra)
    elif roll < 0.62:
        mutation = "deep"
        depth = rng.choice([50, 1000, 30000])
        inner = json.dumps(template)
        text = (
            '{"a":' * depth + inner + "}" * depth
            if rng.random() < 0.5
            else "[" * depth + inner + "]" * depth
        )
        return mutation, content_type, text.encode()
    elif roll < 0.80:
        mutation = "raw"
        if rng.random() < 0.2:
            return mutation, content_type, rng.choice(junk.RAW_BODIES)
        return mutation, content_type, rng.choice(junk.RAW_JSON).encode("utf-8", "surrogatepass")
    elif roll < 0.88:
        mutation = "content-type"
        content_type = rng.choice(
            [
                "text/plain",
                "application/json; charset=latin-1",
                "application/json; charset=utf-16",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/json\x00",
                "",
            ]
        )
    elif roll < 0.93:
        mutation = "huge"
        value = _replace(template, rng.choice(paths), "h" * rng.choice([70_000, 1_500_000]))
    else:
        mutation = "many"
        value = template
        for _ in range(rng.randint(2, 6)):
            value = _replace(
                value,
                rng.choice(list(p for p in _nodes(value) if p) or [()]),
                rng.choice(junk.JSON_VALUES),
            )
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
    return mutation, content_type, text.encode("utf-8", "surrogatepass")


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


def run_bodies(visitors: Visitors, found: Crawl, count: int, seed: int, tally: Tally) -> None:
    rng = random.Random(seed)
    visitors.ids = visitors.renew()  # a fuzzed admin form may have revoked the API user's token
    visitors.anon.address = "127.0.0.3"
    renewed = 0
    ids = {
        kind: [u.rsplit("/", 1)[1] for u in found.urls if re.fullmatch(rf"/rest/{kind}/\d+", u)]
        for kind in ("articles", "products")
    }
    for n in range(count):
        kind = rng.choice(["articles", "products"])
        template = article_body(n) if kind == "articles" else product_body(n)
        prefix = rng.choice(["/rest/", "/rest/cs/"])
        roll = rng.random()
        if roll < 0.55:
            method, url = "POST", f"{prefix}{kind}/"
        elif roll < 0.9:
            method, url = "PUT", f"{prefix}{kind}/{rng.choice(ids[kind] or ['1'])}"
        else:
            method = rng.choice(["PATCH", "DELETE", "POST", "PUT"])
            url = f"{prefix}{kind}/" + rng.choice(
                ["999999", quote(junk.HUGE_DIGITS[:40]), "-1", "%C2%B2", ""]
            )
        mutation, content_type, body = body_text(rng, n, template)
        headers = [("Authorization", f"Bearer {visitors.ids.token}")]
        if content_type:
            headers.append(("Content-Type", content_type))
        answer = visitors.anon.send(method, url, body, headers)
        if answer.status == 401 and renewed < 20:  # the token was revoked by a fuzzed form
            visitors.ids = visitors.renew()
            renewed += 1
        tally.count("body", answer, f"{method} {url} ({mutation}) {body[:200]!r}")
