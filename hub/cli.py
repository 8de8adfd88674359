"""`giamngheo hub …`: set up and serve the central hub."""

from __future__ import annotations

import signal
from typing import NoReturn

import click
import waitress
from flask.cli import ScriptInfo, with_appcontext

from hub import create_app
from hub.database import DatabaseNotCurrent, ensure_database_current, revisions, upgrade_database


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Set up and serve the central hub (configured by GIAMNGHEO_* variables)."""
    # Tests hand in their own app through ScriptInfo (app.test_cli_runner); otherwise build one.
    if ctx.obj is None:
        ctx.obj = ScriptInfo(create_app=create_app, set_debug_flag=False)


@cli.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the hub database or migrate it to the latest revision (safe to run again)."""
    upgrade_database()
    current, _heads = revisions()
    click.echo(f"Hub database at revision {', '.join(sorted(current))}.")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker threads."
)
@click.pass_obj
def run(info: ScriptInfo, host: str, port: int, threads: int) -> None:
    """Serve the hub with waitress; refuses a database behind the latest migration."""
    app = info.load_app()
    with app.app_context():
        try:
            ensure_database_current()
        except DatabaseNotCurrent as error:
            raise click.ClickException(str(error)) from None
    signal.signal(signal.SIGTERM, _stop_serving)
    waitress.serve(app, host=host, port=port, threads=threads, ident="giamngheo-hub")


def _stop_serving(_signum: int, _frame: object) -> NoReturn:
    """Turn SIGTERM into SystemExit, on which waitress closes its sockets and returns."""
    raise SystemExit(0)
