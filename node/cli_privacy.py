"""`giamngheo node retention` and `giamngheo node access-report`: the personal-data commands
(issue 18), added to the node's command group (node.cli)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from node.cli import cli
from node.scheduler import run_retention
from shared.web.cli import require_current_database


@cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Print what each rule would do; change nothing.")
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Apply the retention schedule: per category, delete, anonymise or pseudonymise what has
    outlived its period (one line per category with a count)."""
    require_current_database()
    for outcome in run_retention(dry_run):
        click.echo(outcome.line(dry_run))
