"""`jetpy api-user` and `jetpy api-role`: API users and their roles from the command line."""

from __future__ import annotations

import click
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from application.modules.rest.auth.users.models import ApiUser
from application.modules.rest.auth.users.users import (
    ApiUserError,
    create_api_role,
    create_api_user,
    rest_privileges,
)
from jetpy import Application
from jetpy.cli.modulecli import pass_app

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
    "--role",
    "roles",
    multiple=True,
    metavar="ROLE",
    help="An API role to give (repeat for more; make them with `jetpy api-role create`).",
)
@pass_app
def create(
    app: Application, name: str, token: bool, password: str | None, roles: tuple[str, ...]
) -> None:
    """Create an API user NAME and print its new token (once)."""
    if password == "":
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not token and password is None:
        raise click.ClickException("not created: give it a token or a --password (or both)")
    try:
        with app.db.session() as db:
            user, issued = create_api_user(
                db, name.strip(), roles=roles, password=password, token=token
            )
            given = user.role_names
            db.commit()
    except ApiUserError as error:
        raise click.ClickException(f"not created: {error}") from None
    except SQLAlchemyError as error:
        raise click.ClickException(
            "not created, " + NO_TABLES.format(error=type(error).__name__)
        ) from None
    granted = f" with roles {', '.join(given)}" if given else " without roles (it cannot write)"
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


@click.group("api-role")
def api_role() -> None:
    """Roles of REST API users: what they may write (`module:acl_action`)."""


@api_role.command("create")
@click.argument("name")
@click.option(
    "--grant",
    "grants",
    multiple=True,
    metavar="MODULE:ACTION",
    help="A privilege, e.g. content.articles.rest:post (repeat for more).",
)
@click.option("--description", default="", help="What the role is for.")
@pass_app
def create_role(app: Application, name: str, grants: tuple[str, ...], description: str) -> None:
    """Create an API role NAME granting the given privileges."""
    try:
        with app.db.session() as db:
            role = create_api_role(
                db,
                name.strip(),
                known=rest_privileges(app.modules),
                privileges=grants,
                description=description.strip(),
            )
            granted = role.privilege_values
            db.commit()
    except ApiUserError as error:
        raise click.ClickException(f"not created: {error}") from None
    except SQLAlchemyError as error:
        raise click.ClickException(
            "not created, " + NO_TABLES.format(error=type(error).__name__)
        ) from None
    listed = f" granting {', '.join(granted)}" if granted else " granting nothing yet"
    click.echo(f"created API role {name.strip()}{listed}")
