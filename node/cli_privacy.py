"""`giamngheo node retention` and `giamngheo node access-report`: the personal-data commands
(issue 18), added to the node's command group (node.cli)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from node.cli import cli
from node.context import VIETNAM, node_context
from node.extensions import db
from node.models import User
from node.scheduler import run_retention
from node.services import access_report
from shared.web.cli import InvalidInput, require_current_database


@cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Print what each rule would do; change nothing.")
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Apply the retention schedule: per category, delete, anonymise or pseudonymise what has
    outlived its period (one line per category with a count)."""
    require_current_database()
    for outcome in run_retention(dry_run):
        click.echo(outcome.line(dry_run))


@cli.command("access-report")
@click.option("--since", required=True, metavar="YYYY-MM-DD", help="First day (Vietnam time).")
@click.option("--until", metavar="YYYY-MM-DD", help="Last day, included (default: today).")
@click.option("--user", "username", metavar="NAME", help="Only this account's accesses.")
@with_appcontext
def access_report_command(since: str, until: str | None, username: str | None) -> None:
    """Whose records were read or exported, by whom and when (from the audit log): one line per
    record touched, then the people concerned once each; exit code 2 on bad input."""
    require_current_database()
    first, last = _day(since, "--since"), _day(until, "--until") if until else node_context().today
    if last < first:
        raise InvalidInput("--until is before --since.")
    if username is not None and not _account_exists(username):
        raise InvalidInput(f"No account is named {username!r}.")
    start = datetime.combine(first, time(), VIETNAM)
    end = datetime.combine(last + timedelta(days=1), time(), VIETNAM)
    accesses = access_report.access_report(db.session, start, end, username)
    db.session.rollback()
    for line in report_lines(accesses, first, last, username):
        click.echo(line)


def report_lines(
    accesses: list[access_report.Access], first: date, last: date, username: str | None
) -> list[str]:
    """The report as printed: a heading, one tab-separated line per record touched, the people
    concerned."""
    lines = [
        f"# Access report {first.isoformat()} to {last.isoformat()} (Vietnam time), "
        f"account: {username or 'all'}; {len(accesses)} accesses",
        "at\tuser\trole\taction\trecord\tname\tcitizen_id",
    ]
    for access in accesses:
        at = access.at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M")
        head = f"{at}\t{access.username}\t{access.role}\t{access.action}"
        if access.note:
            lines.append(f"{head}\t{access.note}\t-\t-")
        lines.extend(
            f"{head}\t{person.record}\t{person.name}\t{person.citizen_id}"
            for person in access.people
        )
    people = access_report.people_concerned(accesses)
    lines.append(f"# People concerned: {len(people)}")
    lines.extend(f"{p.record}\t{p.name}\t{p.citizen_id}" for p in people)
    return lines


def _day(text: str, option: str) -> date:
    value = text.strip()
    try:
        if not value.isascii():
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option} must be a date as YYYY-MM-DD.") from None


def _account_exists(username: str) -> bool:
    name = username.strip().lower()
    return db.session.scalar(select(User.id).where(User.username == name)) is not None
