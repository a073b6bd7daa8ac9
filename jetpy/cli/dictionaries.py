"""`jetpy dictionaries collect`: the phrases views and code translate that dictionaries lack.

The finding is `jetpy.project.phrases`'s; this is the command that prints it.
"""

from __future__ import annotations

from pathlib import Path

import click

from jetpy.cli.modulecli import project_dir, project_option
from jetpy.errors import JetpyError
from jetpy.project.phrases import collect, report_lines


# the command ------------------------------------------------------------------------
@click.group("dictionaries")
def dictionaries() -> None:
    """Translations: find the phrases that dictionaries lack."""


@dictionaries.command("collect")
@click.argument("module", required=False)
@click.option(
    "--locale",
    "-l",
    "locales",
    multiple=True,
    help="Check this locale even without a dictionary (repeatable; default: every locale "
    "that has a dictionary).",
)
@project_option
def collect_command(module: str | None, locales: tuple[str, ...], project: Path | None) -> None:
    """List the phrases of MODULE (default: every module and base) its dictionaries lack.

    A phrase is missing when neither the module's dictionary nor the common one
    (application/dictionaries/) translates it. Exits 0 with the list, 1 when a file
    cannot be parsed, 2 for an unknown module or locale.
    """
    from jetpy.cli.main import _load

    app = _load(project or project_dir(click.get_current_context()))
    try:
        reports, problems = collect(app.project, module, locales)
    except JetpyError as error:
        raise click.UsageError(str(error)) from None
    for report in reports:
        for line in report_lines(report, app.root):
            click.echo(line)
    total = sum(report.missing_count for report in reports)
    click.echo(
        f"{total} missing phrase{'s' if total != 1 else ''}; missing means: in neither the "
        "module's dictionary nor the common one"
    )
    for problem in problems:
        click.secho(str(problem), fg="red", err=True)
    if problems:
        raise SystemExit(1)
