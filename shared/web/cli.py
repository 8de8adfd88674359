"""What both apps' command groups share: the group itself, `init-db`, `run`, the users'
`set-password`, `disable-user`, `enable-user` and `reset-totp`, and how bad input ends a command
(exit code 2, nothing written)."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

import click
import waitress
from flask import Flask
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy.orm import Session

from shared.errors import ValidationFailed
from shared.web.accounts import Accounts
from shared.web.clock import now
from shared.web.database import (
    DatabaseNotCurrent,
    app_db,
    ensure_database_current,
    revisions,
    upgrade_database,
)


class InvalidInput(click.ClickException):
    """Bad input on the command line or stdin: exit code 2, like click's usage errors."""

    exit_code = 2


def invalid_input(error: ValidationFailed, cli_names: Mapping[str, str]) -> InvalidInput:
    """A refused use-case as one line naming each bad field as the command line spells it."""
    problems = "; ".join(
        f"{cli_names.get(field, field)}: {message.rstrip('.')}"
        for field, message in error.fields.items()
    )
    return InvalidInput(f"{error.message} {problems}.")


def app_group(
    create_app: Callable[[], Flask],
    help_text: str,
    *,
    name: str,
    default_port: int,
    store: Accounts,
    who: str,
) -> click.Group:
    """The app's command group with the commands every app has: `init-db`, `run` and the
    account commands for ``who`` ("official", "central user").

    The tests hand in their own app through ScriptInfo (``app.test_cli_runner``); otherwise
    each command builds one.
    """

    @click.group(help=help_text)
    @click.pass_context
    def group(ctx: click.Context) -> None:
        if ctx.obj is None:
            ctx.obj = ScriptInfo(create_app=create_app, set_debug_flag=False)

    add_serving_commands(group, name=name, default_port=default_port)
    add_user_commands(group, store, who=who)
    return group


def require_current_database() -> None:
    """Stop the command unless the database is at the latest migration."""
    try:
        ensure_database_current()
    except DatabaseNotCurrent as error:
        raise click.ClickException(str(error)) from None


def stdin_is_tty() -> bool:
    """Whether a person types at stdin (the tests pretend so)."""
    return sys.stdin.isatty()


def read_password() -> str:
    """The new password: typed twice, hidden, on a terminal; else the first line of stdin."""
    if stdin_is_tty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Only the line break goes: spaces may be part of a passphrase.
    return sys.stdin.readline().rstrip("\r\n")


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, on which the server or scheduler stops cleanly."""

    def stop(_signum: int, _frame: object) -> NoReturn:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def add_serving_commands(group: click.Group, *, name: str, default_port: int) -> None:
    """`init-db` and `run` for the app called ``name`` ("node" or "hub")."""

    init_help = f"Create the {name} database or migrate it to the latest revision (safe to repeat)."

    @group.command("init-db", help=init_help)
    @with_appcontext
    def init_db() -> None:
        upgrade_database()
        current, _heads = revisions()
        click.echo(f"{name.capitalize()} database at revision {', '.join(sorted(current))}.")

    run_help = f"Serve the {name} with waitress; refuses a database behind the latest migration."

    @group.command(help=run_help)
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option("--port", default=default_port, show_default=True, type=click.IntRange(1, 65535))
    @click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
    @click.pass_obj
    def run(info: ScriptInfo, host: str, port: int, threads: int) -> None:
        app = info.load_app()
        with app.app_context():
            require_current_database()
        stop_on_sigterm()
        waitress.serve(app, host=host, port=port, threads=threads, ident=f"giamngheo-{name}")


def add_user_commands(group: click.Group, store: Accounts, *, who: str) -> None:
    """The account commands an operator needs for ``who`` ("official", "central user")."""

    def set_password(session: Session, user: Any) -> str:
        revoked = store.set_password(session, user, read_password(), now=now())
        return f"New password for {user.username}; {revoked} live session(s) ended."

    def disable(session: Session, user: Any) -> str:
        revoked = store.disable_user(session, user, now=now())
        return f"Disabled user {user.username}; {revoked} live session(s) ended."

    def enable(session: Session, user: Any) -> str:
        store.enable_user(session, user)
        return f"Enabled user {user.username}."

    def reset_totp(session: Session, user: Any) -> str:
        store.reset_totp(session, user)
        return f"Second factor of {user.username} switched off."

    commands = {
        "set-password": (
            set_password,
            f"Give a {who} a new password (read from stdin); unlocks them and ends their "
            "sessions and API tokens.",
        ),
        "disable-user": (
            disable,
            f"Stop a {who} from signing in and end all their sessions and API tokens at once.",
        ),
        "enable-user": (
            enable,
            f"Let a disabled {who} sign in again (with their old password; set-password if it "
            "may have leaked).",
        ),
        "reset-totp": (
            reset_totp,
            f"Switch off a {who}'s second factor (a lost phone): the next sign-in needs the "
            "password only, and they can enrol again.",
        ),
    }
    for command_name, (act, help_text) in commands.items():
        group.command(command_name, help=help_text)(_account_command(store, who, act))


def _account_command(
    store: Accounts, who: str, act: Callable[[Session, Any], str]
) -> Callable[[str], None]:
    """A command that does ``act`` to the user called NAME, in one transaction."""

    @click.argument("name")
    @with_appcontext
    def command(name: str) -> None:
        require_current_database()
        session = app_db().session
        user = store.find_user(session, name)
        if user is None:
            raise InvalidInput(f"No {who} is called {name!r}.")
        try:
            message = act(session, user)
        except ValidationFailed as error:
            session.rollback()
            raise invalid_input(error, {}) from None
        session.commit()
        click.echo(message)

    return command
