"""The site under attack: a copy of the example project on a fresh PostgreSQL database.

`prepare_site()` copies `application/` and `public/` of the repository into a temporary
folder (runtime state under `application/data/` left behind), creates a database of its own
on the PostgreSQL server, and runs `jetpy db upgrade` and `jetpy db seed` there as a new user
would. `Site.identities()` then adds, directly in the database, a superuser, a second
administrator (the target of the user forms), a confirmed visitor and an API user whose role
grants every REST write, so that forms and bodies get past login, CSRF and ACL and reach the
validation. Everything is removed by `Site.close()`.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
JETPY_MAIN = "import sys; from jetpy.cli.main import main; sys.argv[0] = 'jetpy'; main()"
PASSWORD = "Robust-Fuzz-Pass-4821"  # of every account the suite makes (never a real site's)


class SiteUnavailable(RuntimeError):
    """PostgreSQL is not there (or refuses); the message says how to get it."""


def server_url() -> str:
    """The PostgreSQL server: $JETPY_ROBUSTNESS_DATABASE_URL, the test database's, or local."""
    return (
        os.environ.get("JETPY_ROBUSTNESS_DATABASE_URL")
        or os.environ.get("JETPY_TEST_DATABASE_URL")
        or DEFAULT_SERVER
    )


@dataclass
class Identities:
    """The accounts made for the attack and how to use them."""

    admin: str  # superuser (login name)
    admin_id: int
    victim_id: int  # another administrator, target of the users admin's forms
    visitor: str  # e-mail of a confirmed visitor of the web base
    visitor_id: int
    token: str  # bearer token of an API user allowed every REST write
    password: str = PASSWORD


@dataclass
class Site:
    """The temporary project, its database and the environment to serve it with."""

    root: Path
    database_url: str
    env: dict[str, str]
    _admin_url: str
    identity_count: int = 0
    keep: bool = False
    _closed: bool = field(default=False, repr=False)

    def jetpy(self, *args: str) -> str:
        """Run a `jetpy` command on the project; its output (raises with it on failure)."""
        done = subprocess.run(
            [sys.executable, "-c", JETPY_MAIN, *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"jetpy {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    @contextmanager
    def environment(self) -> Iterator[None]:
        """This process's environment set to the site's (for an in-process Application)."""
        saved = dict(os.environ)
        os.environ.update(self.env)
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def identities(self, app: Any) -> Identities:
        """A fresh set of accounts (each call makes new ones: a fuzzed form may change one)."""
        from application.classes.admin_users import create_administrator
        from application.modules.rest.auth.users.users import (
            create_api_role,
            create_api_user,
            rest_privileges,
        )
        from application.modules.web.auth.models import Visitor
        from jetpy.auth import hash_password

        self.identity_count += 1
        n = f"{os.getpid()}x{self.identity_count}"  # unique across parallel jobs
        with app.db.session() as db:
            admin = create_administrator(
                db, f"fuzzboss{n}", f"fuzzboss{n}@example.com", PASSWORD, superuser=True
            )
            victim = create_administrator(db, f"fuzzvictim{n}", f"victim{n}@example.com", PASSWORD)
            visitor = Visitor(
                email=f"visitor{n}@example.com",
                name=f"Visitor {n}",
                password_hash=hash_password(PASSWORD),
                confirmed_at=datetime.now(UTC),
            )
            db.add(visitor)
            known = rest_privileges(app.modules)
            create_api_role(db, f"fuzz-writer-{n}", known=known, privileges=list(known))
            _, token = create_api_user(db, f"fuzz-api-{n}", roles=[f"fuzz-writer-{n}"])
            db.commit()
            assert token is not None
            return Identities(
                admin=admin.username,
                admin_id=admin.id,
                victim_id=victim.id,
                visitor=visitor.email,
                visitor_id=visitor.id,
                token=token,
            )

    def close(self) -> None:
        """Drop the database and remove the folder (unless kept)."""
        if self._closed:
            return
        self._closed = True
        if self.keep:
            print(f"kept: project {self.root}, database {self.database_url}", file=sys.stderr)
            return
        drop_database(self._admin_url, sqlalchemy.make_url(self.database_url).database or "")
        shutil.rmtree(self.root.parent, ignore_errors=True)


def _ignore_runtime_state(folder: str, names: list[str]) -> set[str]:
    skipped = {name for name in names if name == "__pycache__"}
    if Path(folder).name == "data" and Path(folder).parent.name == "application":
        skipped |= {name for name in names if name not in {".gitkeep", "modules.yaml"}}
    return skipped


def copy_project(target: Path) -> None:
    """The example project without its runtime state (database, caches, outbox, keys).

    Served behind one proxy (`behind_proxy: 1`): the suite is that proxy, and tells the site
    each simulated client's address in `X-Forwarded-For`, as nginx would.
    """
    for folder in ("application", "public"):
        shutil.copytree(REPO / folder, target / folder, ignore=_ignore_runtime_state)
    config = target / "application" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    if re.search(r"(?m)^behind_proxy:", text):
        text = re.sub(r"(?m)^behind_proxy:.*$", "behind_proxy: 1", text)
    else:
        text += "\nbehind_proxy: 1\n"
    config.write_text(text, encoding="utf-8")


def create_database(server: str, name: str) -> str:
    """A new, empty database `name` on the server of `server`; its URL."""
    url = sqlalchemy.make_url(server)
    try:
        engine = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
    except sqlalchemy.exc.OperationalError as error:
        raise SiteUnavailable(
            f"PostgreSQL at {url.render_as_string(hide_password=True)} is not reachable "
            f"({str(error.orig).strip().splitlines()[0]}); start it (e.g. `pg_ctlcluster 16 main "
            "start`) or point $JETPY_ROBUSTNESS_DATABASE_URL at a server where you may create "
            "databases"
        ) from None
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(server: str, name: str) -> None:
    """Drop database `name`, ending the connections that the servers left open."""
    engine = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %(name)s AND pid <> pg_backend_pid()",
                {"name": name},
            )
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        engine.dispose()


def drop_abandoned(server: str) -> None:
    """Drop the databases of earlier runs on this machine that were killed before cleaning up."""
    if sqlalchemy.make_url(server).host not in ("127.0.0.1", "localhost", "::1", None):
        return  # another machine's processes cannot be told apart from ours
    engine = sqlalchemy.create_engine(server)
    try:
        with engine.connect() as connection:
            names = connection.exec_driver_sql(
                "SELECT datname FROM pg_database WHERE datname LIKE 'jetpy_robustness_%%'"
            ).scalars()
            found = [str(name) for name in names]
    finally:
        engine.dispose()
    for name in found:
        pid = name.removeprefix("jetpy_robustness_")
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            drop_database(server, name)


def prepare_site(*, keep: bool = False) -> Site:
    """Copy the project, create and seed its database; the environment to serve it with."""
    server = server_url()
    name = f"jetpy_robustness_{os.getpid()}"
    database_url = create_database(server, name)
    drop_abandoned(server)
    root = Path(tempfile.mkdtemp(prefix="jetpy-robustness-")) / "project"
    copy_project(root)
    env = {
        **os.environ,
        "JETPY_PROJECT": str(root),
        "JETPY_DATABASE_URL": database_url,
        "JETPY_SECRET_KEY": secrets.token_urlsafe(48),
    }
    site = Site(root, database_url, env, server, keep=keep)
    try:
        site.jetpy("db", "upgrade")
        site.jetpy("db", "seed")
    except BaseException:
        site.close()
        raise
    return site
