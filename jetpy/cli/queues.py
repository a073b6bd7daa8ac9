"""`jetpy worker` (the master and its workers) and `jetpy queues` (depth, retry, purge)."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from pathlib import Path

import click

from jetpy.app import Application
from jetpy.errors import DefinitionError
from jetpy.kernel import logs
from jetpy.queue.brokers import Broker, BrokerError
from jetpy.queue.inline import WHY_NOT
from jetpy.queue.worker import queues_of, run_master, run_worker

_project = click.option(
    "--project",
    "-p",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("JETPY_PROJECT", "."),
    show_default="current folder",
    help="The project folder (the one holding application/).",
)


def _load(project: Path) -> Application:
    try:
        app = Application(project)
    except DefinitionError as error:
        click.secho(str(error), fg="red", err=True)
        raise SystemExit(1) from None
    if app.config.queue_broker == "inline":  # nothing to work on or to count
        raise click.ClickException(WHY_NOT)
    logs.configure(app.config)
    return app


@click.command()
@_project
@click.option("--queue", "queues", multiple=True, help="Only this queue (repeat for several).")
@click.option(
    "--concurrency",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes per queue.",
)
@click.option("--run-queue", hidden=True, help="Be one worker of this queue (the master's).")
def worker(project: Path, queues: tuple[str, ...], concurrency: int, run_queue: str | None) -> None:
    """Run the queued listeners: one worker process per queue, watched by this master."""
    app = _load(project)
    if run_queue is not None:
        run_worker(app, run_queue)
        gc.freeze()  # exiting: skip the collection of the whole project (2 s of a SIGTERM)
        return
    known = queues_of(app)
    unknown = [queue for queue in queues if queue not in known]
    if unknown:
        raise click.BadParameter(
            f"no activated module listens on {', '.join(unknown)}; queues: "
            f"{', '.join(known) or '(none)'}",
            param_hint="--queue",
        )
    run_master(app, project.resolve(), list(queues) or None, concurrency)
    gc.freeze()


@click.group(invoke_without_command=True)
@_project
@click.pass_context
def queues(ctx: click.Context, project: Path) -> None:
    """The queues of the activated modules: waiting, in flight, failed (dead letters)."""
    ctx.obj = project
    if ctx.invoked_subcommand is not None:
        return
    app = _load(project)
    with _broker(app) as broker:
        click.echo(f"{'queue':<24} {'waiting':>8} {'in flight':>10} {'failed':>7}")
        for queue in queues_of(app):
            stats = broker.stats(queue)
            in_flight = "-" if stats.in_flight is None else str(stats.in_flight)
            click.echo(f"{queue:<24} {stats.depth:>8} {in_flight:>10} {stats.failed:>7}")
    click.echo(f"outbox: {app.outbox.unsent()} message(s) not published yet")


@contextlib.contextmanager
def _broker(app: Application) -> Iterator[Broker]:
    """The project's broker, closed afterwards; unreachable: a message saying so, no trace."""
    try:
        yield app.outbox.broker
    except (click.ClickException, BrokerError):
        raise
    except Exception as exc:
        config = app.config
        raise click.ClickException(
            f"the {config.queue_broker} broker of config.yaml"
            f" ({config.queue_url or 'its default on 127.0.0.1'}) cannot be used: {exc}; start it"
            " or fix `queue: {broker, url}` in config.yaml"
        ) from None
    finally:
        with contextlib.suppress(Exception):
            app.outbox.broker.close()


def _queue_of(project: Path, queue: str) -> Application:
    app = _load(project)
    if queue not in queues_of(app):
        raise click.BadParameter(
            f"no activated module listens on `{queue}`; queues: "
            f"{', '.join(queues_of(app)) or '(none)'}",
            param_hint="QUEUE",
        )
    return app


@queues.command()
@click.argument("queue")
@click.pass_obj
def retry(project: Path, queue: str) -> None:
    """Put the failed messages of QUEUE back in it."""
    app = _queue_of(project, queue)
    with _broker(app) as broker:
        click.echo(f"{broker.requeue_failed(queue)} message(s) back in {queue}")


@queues.command()
@click.argument("queue")
@click.pass_obj
def purge(project: Path, queue: str) -> None:
    """Delete the failed messages of QUEUE."""
    app = _queue_of(project, queue)
    with _broker(app) as broker:
        click.echo(f"{broker.purge_failed(queue)} failed message(s) of {queue} deleted")
