"""`jetpy studio`: the studio for the project, on 127.0.0.1 with a one-time token."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import click

from jetpy.definitions.config import load_config
from jetpy.studio.server import PREFIX, Studio, new_token


@click.command()
@click.option(
    "--project",
    "-p",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("JETPY_PROJECT", "."),
    show_default="current folder",
    help="The project folder (the one holding application/).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8100, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--preview-port",
    type=click.IntRange(1, 65535),
    help="Port of the preview, the site on an origin of its own (default: --port + 1).",
)
@click.option(
    "--public-host",
    "public_hosts",
    multiple=True,
    metavar="NAME",
    help="A host name the browser uses to reach the studio (repeatable), needed when --host "
    "is 0.0.0.0 or another address than 127.0.0.1: requests naming any other host are "
    "refused (DNS rebinding).",
)
@click.option(
    "--production",
    is_flag=True,
    help="Run although config.yaml has debug: false (the studio writes definitions).",
)
def studio(
    project: Path,
    host: str,
    port: int,
    preview_port: int | None,
    public_hosts: tuple[str, ...],
    production: bool,
) -> None:
    """Serve the studio: build pages, contents and modules in the browser."""
    from werkzeug.serving import make_server, run_simple

    root = project.resolve()
    if not (root / "application").is_dir():
        raise click.UsageError(f"{root} has no application/ folder; pass --project DIR")
    config = load_config(root / "application", root, [])
    if not config.debug and not production:
        raise click.UsageError(
            "config.yaml has debug: false, so this looks like production; the studio changes "
            "definitions, so it is off there. Use it on a development copy, or pass --production "
            "if you really mean to run it here."
        )
    names = studio_hosts(host, public_hosts)
    token = new_token()
    hosts = [f"{name}:{port}" for name in names]
    preview_port = preview_port or port + 1
    preview_origin = f"http://{names[0]}:{preview_port}"
    app = Studio(root, token, hosts, preview_origin)
    # the preview: the site on an origin of its own, so its pages cannot drive the studio
    preview = make_server(host, preview_port, app.preview_app, threaded=True)
    threading.Thread(target=preview.serve_forever, name="preview", daemon=True).start()
    click.echo(f"jetpy studio for {root}")
    click.echo(f"open http://{names[0]}:{port}{PREFIX}/?token={token}")
    click.echo(f"(the token is new at every start; the preview is served on {preview_origin})")
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        preview.shutdown()


_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$"  # a name or an IPv4 address
    r"|^\[[0-9A-Fa-f:.]+\]$"  # an IPv6 address in brackets, as in a URL
)


def studio_hosts(host: str, public_hosts: tuple[str, ...]) -> list[str]:
    """The host names the studio answers to, the first one shown: what the browser sends."""
    for name in public_hosts:
        if not _HOST_NAME.match(name):
            raise click.BadParameter(
                f"{name!r} is not a host name; write it as the browser's address bar shows it, "
                "without scheme or port (e.g. devbox.lan or 192.168.1.20)",
                param_hint="--public-host",
            )
    if public_hosts:
        return list(public_hosts)
    if host == "127.0.0.1":
        return ["127.0.0.1", "localhost"]
    if host in ("0.0.0.0", "::", ""):
        raise click.UsageError(
            f"--host {host or '(empty)'} listens on every address, but the studio answers only to "
            "host names it knows; add --public-host NAME with the name or address the browser "
            "will use (e.g. --public-host devbox.lan)"
        )
    return [host]
