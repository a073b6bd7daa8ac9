"""`jetpy serve`: the project under gunicorn, the production server (behind a reverse proxy).

gunicorn is an optional extra (`pip install 'jetpy[serve]'`). The command checks the project
first (every definition problem listed, as `jetpy check` does), then replaces itself with
`python -m gunicorn … jetpy.wsgi:application`, the project handed on in $JETPY_PROJECT.
More gunicorn settings go in $GUNICORN_CMD_ARGS, which gunicorn reads itself.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import click

from jetpy.cli.modulecli import project_dir, project_option
from jetpy.errors import DefinitionError

WSGI_APP = "jetpy.wsgi:application"
INSTALL_HINT = "pip install 'jetpy[serve]'"
# gunicorn's access log, with the request id jetpy answers in X-Request-ID
ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'


def default_workers() -> int:
    """gunicorn's rule of thumb: two per CPU, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


def gunicorn_command(workers: int, bind: str, timeout: int, access_log: bool) -> list[str]:
    """The gunicorn invocation that serves jetpy.wsgi (the project comes from the environment)."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", bind]
    command += ["--timeout", str(timeout)]
    if access_log:
        command += ["--access-logfile", "-", "--access-logformat", ACCESS_FORMAT]
    return [*command, WSGI_APP]


@click.command()
@project_option
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(1, 256),
    default=default_workers,
    show_default="2 per CPU + 1",
    help="Worker processes.",
)
@click.option(
    "--bind",
    "-b",
    default="127.0.0.1:8000",
    show_default=True,
    help="Address to listen on (HOST:PORT or unix:PATH); the reverse proxy connects to it.",
)
@click.option(
    "--timeout",
    type=click.IntRange(1, 3600),
    default=30,
    show_default=True,
    help="Seconds a request may take before its worker is restarted.",
)
@click.option("--access-log/--no-access-log", default=False, help="One line per request.")
def serve(project: Path | None, workers: int, bind: str, timeout: int, access_log: bool) -> None:
    """Serve the project with gunicorn (production; behind a reverse proxy)."""
    if importlib.util.find_spec("gunicorn") is None:
        raise click.ClickException(f"gunicorn is not installed; install it with `{INSTALL_HINT}`")
    root = (project or project_dir(click.get_current_context())).resolve()
    from jetpy.app import Application
    from jetpy.cli.delivery import inline_warning

    try:
        app = Application(root)  # every definition problem now, not once per worker
    except DefinitionError as error:
        click.secho(str(error), fg="red", err=True)
        raise SystemExit(1) from None
    warning = inline_warning(app)
    if warning:
        click.secho(warning, fg="yellow", err=True)
    command = gunicorn_command(workers, bind, timeout, access_log)
    click.echo(f"jetpy: serving {root} with gunicorn, {workers} workers on {bind}")
    sys.stdout.flush()
    os.execvpe(command[0], command, {**os.environ, "JETPY_PROJECT": str(root)})
