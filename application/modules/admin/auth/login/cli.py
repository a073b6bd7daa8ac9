"""`jetpy admin create`: an administrator from the command line (the first one, typically)."""

from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from application.classes.admin_users import AdministratorError, create_administrator
from jetpy import Application
from jetpy.cli.modulecli import pass_app


@click.group("admin")
def admin() -> None:
    """Administrators of the admin base."""


@admin.command("create")
@click.option("--username", prompt="Username", help="The name to sign in with.")
@click.option("--email", prompt="E-mail", help="The e-mail address (also accepted at login).")
@click.password_option(
    "--password",
    prompt="Password",
    confirmation_prompt="Repeat the password",
    help="Better typed at the prompt (hidden) than given here, where the shell keeps it.",
)
@click.option("--superuser", is_flag=True, help="May see and do everything.")
@pass_app
def create(app: Application, username: str, email: str, password: str, superuser: bool) -> None:
    """Create an administrator; it signs in at the admin base's URL (e.g. /admin/)."""
    try:
        with app.db.session() as db:
            administrator = create_administrator(
                db, username.strip(), email.strip(), password, superuser=superuser
            )
            db.commit()
            made = administrator.username
    except AdministratorError as error:
        raise click.ClickException(f"not created: {error}") from None
    except SQLAlchemyError as error:
        raise click.ClickException(
            f"not created, the database refused: {type(error).__name__} (are the tables there? "
            "run `jetpy db upgrade`: they come with the application's migrations)"
        ) from None
    kind = "superuser" if superuser else "administrator"
    click.echo(f"created {kind} {made}; sign in at /admin/")
