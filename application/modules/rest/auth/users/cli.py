"""`jetpy api-user`: API users of the REST API from the command line."""

from __future__ import annotations

import click
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from application.modules.rest.auth.users.models import ApiUser
from application.modules.rest.auth.users.users import (
    ApiUserError,
    create_api_user,
    rest_privileges,
)
from jetpy import Application
from jetpy.modulecli import pass_app

NO_TABLES = (
    "the database refused: {error} (are the tables there? run "
    "`jetpy modules install --activate rest.auth.users` or `jetpy db upgrade`)"
)


@click.group("api-user")
def api_user() -> None:
    """Users of the REST API (bearer tokens, HTTP Basic)."""


@api_user.command("create")
@click.argument("name")
@click.option(
    "--token/--no-token",
    default=True,
    show_default=True,
    help="Issue a bearer token (printed once: only its hash is stored).",
)
@click.option(
    "--password",
    is_flag=False,
    flag_value="",
    default=None,
    help="Allow HTTP Basic with a password; give the option alone to be asked (hidden).",
)
@click.option(
    "--grant",
    "grants",
    multiple=True,
    metavar="MODULE:ACTION",
    help="A privilege, e.g. content.articles.rest:post (repeat for more).",
)
@pass_app
def create(
    app: Application, name: str, token: bool, password: str | None, grants: tuple[str, ...]
) -> None:
    """Create an API user NAME and print its new token (once)."""
    if password == "":
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not token and password is None:
        raise click.ClickException("not created: give it a token or a --password (or both)")
    try:
        with app.db.session() as db:
            _, issued = create_api_user(
                db,
                name.strip(),
                known=rest_privileges(app.modules),
                privileges=grants,
                password=password,
                token=token,
            )
            db.commit()
    except ApiUserError as error:
        raise click.ClickException(f"not created: {error}") from None
    except SQLAlchemyError as error:
        raise click.ClickException(
            "not created, " + NO_TABLES.format(error=type(error).__name__)
        ) from None
    granted = f" with {', '.join(sorted(set(grants)))}" if grants else ""
    click.echo(f"created API user {name.strip()}{granted}")
    if issued is not None:
        click.echo(f"token (shown only now, keep it secret): {issued}")


@api_user.command("token")
@click.argument("name")
@pass_app
def token(app: Application, name: str) -> None:
    """Issue a new bearer token for NAME (the old one stops working) and print it once."""
    try:
        with app.db.session() as db:
            user = db.scalars(
                select(ApiUser).where(func.lower(ApiUser.name) == name.strip().lower())
            ).first()
            if user is None:
                raise click.ClickException(f"there is no API user {name}")
            issued = user.issue_token()
            db.commit()
    except SQLAlchemyError as error:
        raise click.ClickException(NO_TABLES.format(error=type(error).__name__)) from None
    click.echo(f"new token of {name} (shown only now, keep it secret): {issued}")
