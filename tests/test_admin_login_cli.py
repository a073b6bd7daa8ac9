"""`jetpy admin create` (module admin.auth.login): the first administrator from the CLI."""

from __future__ import annotations

import sys

import pytest
import sqlalchemy
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from jetpy.auth import verify_password
from jetpy.cli.main import main
from tests.conftest import REPO

GOOD = "Correct-Horse-42"


@pytest.fixture
def engine(db_url: str, example_model: type) -> sqlalchemy.Engine:
    from application.classes import admin_users  # noqa: F401  (its tables)

    made = sqlalchemy.create_engine(db_url)
    example_model.metadata.create_all(made)  # type: ignore[attr-defined]
    return made


def create(*options: str, input: str) -> Result:
    for name in [n for n in sys.modules if n == "application" or n.startswith("application.")]:
        del sys.modules[name]  # as a new process does
    return CliRunner().invoke(main, ["-p", str(REPO), "admin", "create", *options], input=input)


def administrators(engine: sqlalchemy.Engine) -> list[tuple[str, str, bool, str]]:
    with Session(engine) as db:
        rows = db.execute(
            sqlalchemy.text(
                "SELECT username, email, is_superuser, password_hash FROM admin_administrators"
            )
        )
        return [(r[0], r[1], bool(r[2]), r[3]) for r in rows]


def test_create_asks_for_everything_and_hides_the_password(engine: sqlalchemy.Engine) -> None:
    result = create("--superuser", input=f"boss\nBoss@Example.com\n{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert "created superuser boss; sign in at /admin/" in result.output
    assert GOOD not in result.output  # hidden input, never echoed
    [(name, email, superuser, stored)] = administrators(engine)
    assert (name, email, superuser) == ("boss", "boss@example.com", True)
    assert GOOD not in stored and verify_password(GOOD, stored)
    engine.dispose()


def test_the_confirmation_must_match(engine: sqlalchemy.Engine) -> None:
    typed = f"boss\nboss@example.com\n{GOOD}\nsomething else\n{GOOD}\n{GOOD}\n"
    result = create(input=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert [row[:3] for row in administrators(engine)] == [("boss", "boss@example.com", False)]
    engine.dispose()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "the password is shorter than 10 characters"),
        ("password123", "the password is too common"),
        ("boss-is-the-best", "the password contains the username"),
    ],
)
def test_weak_passwords_are_refused(engine: sqlalchemy.Engine, password: str, message: str) -> None:
    result = create(input=f"boss\nboss@example.com\n{password}\n{password}\n")
    assert result.exit_code == 1
    assert f"not created: {message}" in result.output
    assert administrators(engine) == []
    engine.dispose()


def test_an_empty_password_is_refused(engine: sqlalchemy.Engine) -> None:
    result = create("--password", "", input="boss\nboss@example.com\n")
    assert result.exit_code == 1 and "the password is empty" in result.output
    engine.dispose()


@pytest.mark.parametrize(
    ("username", "email", "message"),
    [
        ("BOSS", "other@example.com", "this username exists already"),
        ("other", "boss@EXAMPLE.com", "this e-mail address exists already"),
        ("x", "x@example.com", "the username must be"),
        ("new one", "n@example.com", "the username must be"),
        ("other", "not-an-address", "is not an e-mail address"),
    ],
)
def test_duplicates_and_bad_names_are_refused(
    engine: sqlalchemy.Engine, username: str, email: str, message: str
) -> None:
    assert create(input=f"boss\nboss@example.com\n{GOOD}\n{GOOD}\n").exit_code == 0
    result = create(input=f"{username}\n{email}\n{GOOD}\n{GOOD}\n")
    assert result.exit_code == 1
    assert message in result.output
    assert len(administrators(engine)) == 1
    engine.dispose()


def test_without_the_tables_the_message_says_how_to_make_them(db_url: str) -> None:
    result = create(input=f"boss\nboss@example.com\n{GOOD}\n{GOOD}\n")
    assert result.exit_code == 1
    assert "run `jetpy db upgrade`" in result.output
