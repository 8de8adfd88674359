"""`giamngheo hub …`: set up and serve the central hub, register nodes, pull them."""

from __future__ import annotations

import signal
import sys
from typing import NoReturn

import click
import waitress
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext

from hub import create_app
from hub.context import now
from hub.database import DatabaseNotCurrent, ensure_database_current, revisions, upgrade_database
from hub.extensions import db
from hub.models.users import ROLES, User
from hub.scheduler import pull_now, run_scheduler
from hub.services import accounts, pulls
from hub.services.errors import NotFound, ValidationFailed
from hub.services.nodes import TokenCipher, register_node
from shared import units


class InvalidInput(click.ClickException):
    """Bad input on the command line or stdin: exit code 2, like click's usage errors."""

    exit_code = 2


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
        _require_current_database()
    signal.signal(signal.SIGTERM, _stop)
    waitress.serve(app, host=host, port=port, threads=threads, ident="giamngheo-hub")


@cli.command()
@click.pass_obj
def scheduler(info: ScriptInfo) -> None:
    """Pull every enabled node on its interval, until SIGTERM or Ctrl-C (one per deployment)."""
    app = info.load_app()
    with app.app_context():
        _require_current_database()
    signal.signal(signal.SIGTERM, _stop)
    run_scheduler(app)


def _stop(_signum: int, _frame: object) -> NoReturn:
    """Turn SIGTERM into SystemExit, on which the server or scheduler stops cleanly."""
    raise SystemExit(0)


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


def _invalid(error: ValidationFailed) -> InvalidInput:
    problems = "; ".join(
        f"{CLI_NAMES.get(field, field)}: {message.rstrip('.')}"
        for field, message in error.fields.items()
    )
    return InvalidInput(f"{error.message} {problems}.")


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
    _require_current_database()
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
        raise _invalid(error) from None
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
    _require_current_database()
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


@cli.command("create-user")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="central_viewer or admin.")
@with_appcontext
def create_user(name: str, role: str) -> None:
    """Create a central user; the password is read from stdin (prompted on a terminal)."""
    _require_current_database()
    password = _read_password()
    try:
        user = accounts.create_user(db.session, name, password, role, now=now())
    except ValidationFailed as error:
        db.session.rollback()
        raise _invalid(error) from None
    db.session.commit()
    click.echo(f"Created user {user.username} (id {user.id}), role {user.role}.")


@cli.command("set-password")
@click.argument("name")
@with_appcontext
def set_password(name: str) -> None:
    """Give a central user a new password (read from stdin); ends their sessions and tokens."""
    _require_current_database()
    user = _existing_user(name)
    password = _read_password()
    try:
        revoked = accounts.set_password(db.session, user, password, now=now())
    except ValidationFailed as error:
        db.session.rollback()
        raise _invalid(error) from None
    db.session.commit()
    click.echo(f"New password for {user.username}; {revoked} live session(s) ended.")


@cli.command("disable-user")
@click.argument("name")
@with_appcontext
def disable_user(name: str) -> None:
    """Stop a central user from signing in and end all their sessions and API tokens at once."""
    _require_current_database()
    user = _existing_user(name)
    revoked = accounts.disable_user(db.session, user, now=now())
    db.session.commit()
    click.echo(f"Disabled user {user.username}; {revoked} live session(s) ended.")


@cli.command("enable-user")
@click.argument("name")
@with_appcontext
def enable_user(name: str) -> None:
    """Let a disabled central user sign in again (with their old password)."""
    _require_current_database()
    user = _existing_user(name)
    accounts.enable_user(db.session, user)
    db.session.commit()
    click.echo(f"Enabled user {user.username}.")


def _existing_user(name: str) -> User:
    user = accounts.find_user(db.session, name)
    if user is None:
        raise InvalidInput(f"No central user is called {name!r}.")
    return user


def _read_password() -> str:
    """The new password: typed twice, hidden, on a terminal; else the first line of stdin."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _require_current_database() -> None:
    try:
        ensure_database_current()
    except DatabaseNotCurrent as error:
        raise click.ClickException(str(error)) from None
