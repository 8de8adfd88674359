"""`giamngheo hub …`: set up and serve the central hub, register nodes, pull them."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext

from hub import create_app
from hub.extensions import db
from hub.models.users import ROLES
from hub.scheduler import pull_now, run_scheduler
from hub.services import accounts, pulls, tracker
from hub.services.errors import NotFound, ValidationFailed
from hub.services.nodes import TokenCipher, register_node
from shared import units
from shared.web.cli import (
    InvalidInput,
    app_group,
    invalid_input,
    read_password,
    require_current_database,
    stop_on_sigterm,
)
from shared.web.clock import now

cli = app_group(
    create_app,
    "Set up and serve the central hub (configured by GIAMNGHEO_* variables).",
    name="hub",
    default_port=8000,
    store=accounts.ACCOUNTS,
    who="central user",
)


@cli.command()
@click.pass_obj
def scheduler(info: ScriptInfo) -> None:
    """Pull every enabled node on its interval, until SIGTERM or Ctrl-C (one per deployment)."""
    app = info.load_app()
    with app.app_context():
        require_current_database()
    stop_on_sigterm()
    run_scheduler(app)


# How the service's field names read on the command line.
CLI_NAMES = {
    "province": "--province",
    "url": "--url",
    "token": "--token",
    "public_key": "--public-key",
    "interval": "--interval",
    "username": "NAME",
    "role": "--role",
}


@cli.command("register-node")
@click.option("--province", "province", required=True, metavar="CODE", help="Two digits, e.g. 01.")
@click.option("--url", required=True, help="The node's base URL, e.g. https://giamngheo.example/.")
@click.option(
    "--token",
    metavar="T",
    help="The token from `giamngheo node hub-credentials` (required for a new node).",
)
@click.option(
    "--public-key",
    metavar="K",
    help="The node's Ed25519 public key, base64 (required for a new node).",
)
@click.option(
    "--interval",
    type=int,
    metavar="MINUTES",
    help="Minutes between pulls (default 60 for a new node).",
)
@click.option("--enable/--disable", "enabled", default=None, help="Pull this node or not.")
@with_appcontext
def register_node_command(
    province: str,
    url: str,
    token: str | None,
    public_key: str | None,
    interval: int | None,
    enabled: bool | None,
) -> None:
    """Add a node, or update the one registered for the province; exit 2 on bad input."""
    require_current_database()
    try:
        node, created = register_node(
            db.session,
            TokenCipher(current_app.config["SECRET_KEY"]),
            province_code=province,
            url=url,
            token=token,
            public_key=public_key,
            interval_minutes=interval,
            enabled=enabled,
        )
    except ValidationFailed as error:
        db.session.rollback()
        raise invalid_input(error, CLI_NAMES) from None
    db.session.commit()
    name = units.province(node.province_code).name
    click.echo(
        f"{'Registered' if created else 'Updated'} node {node.province_code} ({name}) at "
        f"{node.url}, every {node.interval_seconds // 60} min, "
        f"{'enabled' if node.enabled else 'disabled'}."
    )


@cli.command("pull-now")
@click.option("--province", "provinces", multiple=True, metavar="CODE", help="Only this node.")
@click.option("--period", type=click.IntRange(2000, 2100), help="Default: the node's current.")
@with_appcontext
def pull_now_command(provinces: tuple[str, ...], period: int | None) -> None:
    """Pull the enabled nodes (or one) now; one line per node; exit 1 if any pull failed."""
    require_current_database()
    for code in provinces:
        if not units.is_province_code(code):
            raise InvalidInput(f"--province: {code!r} is not one of the 34 province codes.")
    try:
        results = pull_now(provinces=list(provinces) or None, period=period)
    except NotFound as error:
        raise InvalidInput(error.message) from None
    if not results:
        click.echo("No enabled node is registered; add one with `giamngheo hub register-node`.")
        return
    for result in results:
        click.echo(describe(result))
    if any(result.outcome == pulls.ERROR for result in results):
        sys.exit(1)


def describe(result: pulls.PullResult) -> str:
    """One line about a pull: province, outcome, then the details."""
    details = [
        f"http={result.http_status if result.http_status is not None else '-'}",
        f"bytes={result.bytes}",
        f"ms={result.duration_ms}",
        f"tries={result.tries}",
    ]
    if result.snapshot_id:
        details.insert(0, f"snapshot={result.snapshot_id[:12]}")
    if result.period is not None:
        details.insert(0, f"period={result.period}")
    if result.outcome == pulls.OK:
        details.append("stored=new" if result.stored else "stored=already")
    line = f"{result.province_code} {result.outcome} {' '.join(details)}"
    return f"{line} error: {result.error}" if result.error else line


@cli.command("set-due-date")
@click.option("--period", required=True, type=click.IntRange(2000, 2100), metavar="YYYY")
@click.option("--due-on", required=True, metavar="YYYY-MM-DD", help="The provinces close by then.")
@with_appcontext
def set_due_date_command(period: int, due_on: str) -> None:
    """Set the date by which the provinces are due to close the period (the tracker's "late");
    exit 2 on bad input."""
    require_current_database()
    try:
        day = date.fromisoformat(due_on) if due_on.isascii() and len(due_on) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInput("--due-on: a date such as 2027-01-15.")
    try:
        tracker.set_due_date(db.session, None, period=period, due_on=day, now=now())
    except ValidationFailed as error:
        db.session.rollback()
        raise invalid_input(error, {"period": "--period", "due_on": "--due-on"}) from None
    db.session.commit()
    click.echo(f"Period {period} is due {day:%d/%m/%Y}.")


@cli.command("create-user")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="central_viewer or admin.")
@with_appcontext
def create_user(name: str, role: str) -> None:
    """Create a central user; the password is read from stdin (prompted on a terminal)."""
    require_current_database()
    password = read_password()
    try:
        user = accounts.create_user(db.session, name, password, role, now=now())
    except ValidationFailed as error:
        db.session.rollback()
        raise invalid_input(error, CLI_NAMES) from None
    db.session.commit()
    click.echo(f"Created user {user.username} (id {user.id}), role {user.role}.")
