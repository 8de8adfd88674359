"""`giamngheo node …`: set up and serve a provincial node."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext
from sqlalchemy import func, select

from node import create_app
from node.config import load_config
from node.context import node_context, now, signing_key
from node.demo import DEMO_PASSWORD, seed_demo
from node.extensions import db
from node.models import Application, AuditEntry, User
from node.scheduler import run_scheduler
from node.services import accounts, aggregates, audit, calendar, closing, hub_access, imports
from node.services.errors import Conflict, ValidationFailed
from node.services.periods import current_period
from node.services.scopes import ROLES
from shared.standards import UnknownStandard, standard_for
from shared.web.cli import (
    InvalidInput,
    app_group,
    invalid_input,
    read_password,
    require_current_database,
)
from shared.web.database import revisions

cli = app_group(
    create_app,
    "Set up and serve a provincial node (configured by GIAMNGHEO_* variables).",
    name="node",
    default_port=8001,
    store=accounts.ACCOUNTS,
    who="official",
)

# How create-user's errors name the service's fields: as the command line spells them.
CLI_NAMES = {"username": "NAME", "unit_codes": "--unit", "full_name": "--full-name"}


@cli.command("create-user")
@click.argument("name")
@click.option(
    "--role", required=True, type=click.Choice(ROLES), help="What the official may do (DESIGN §2)."
)
@click.option(
    "--unit",
    "units",
    multiple=True,
    metavar="CODE",
    help="The province (01), a commune (00070) or a village (00070-001); repeat for villages.",
)
@click.option("--full-name", help="The official's full name, as shown to colleagues.")
@with_appcontext
def create_user(name: str, role: str, units: tuple[str, ...], full_name: str | None) -> None:
    """Create an official's account; the password is read from stdin (prompted on a terminal)."""
    require_current_database()
    password = read_password()
    try:
        user = accounts.create_user(
            db.session,
            name,
            password,
            role,
            units,
            current_app.config["PROVINCE_CODE"],
            full_name,
            now=now(),
        )
    except ValidationFailed as error:
        db.session.rollback()
        raise invalid_input(error, CLI_NAMES) from None
    db.session.commit()
    click.echo(
        f"Created user {user.username} (id {user.id}), role {user.role}, "
        f"units {', '.join(sorted(user.unit_codes))}."
    )


@cli.command("hub-credentials")
@with_appcontext
def hub_credentials() -> None:
    """Print {"token", "public_key"} for registering this node at the hub (rotates the token)."""
    require_current_database()
    token = hub_access.issue_hub_token(db.session, now())
    db.session.commit()
    public_key = hub_access.public_key_b64(signing_key())
    click.echo(json.dumps({"token": token, "public_key": public_key}))


@cli.command("rebuild-snapshot")
@click.option("--period", type=click.IntRange(2000, 2100), help="Default: the current period.")
@with_appcontext
def rebuild_snapshot(period: int | None) -> None:
    """Rebuild the aggregate snapshot the hub pulls, now."""
    require_current_database()
    context = node_context()
    period = period or current_period(context.today)
    try:
        snapshot = aggregates.build_snapshot(
            db.session,
            context.province_code,
            period,
            context.now,
            current_app.config["SUPPRESSION_K"],
        )
    except ValidationFailed as error:
        db.session.rollback()
        raise InvalidInput(error.message) from None
    db.session.commit()
    click.echo(
        f"Snapshot {snapshot.snapshot_id} for {period} ({snapshot.generated_at:%Y-%m-%d %H:%M})."
    )


@cli.command("close-period")
@click.option(
    "--period", required=True, metavar="YYYY", help="The period whose results are approved."
)
@click.option(
    "--decision-number",
    required=True,
    metavar="TEXT",
    help="The decision's number, e.g. 123/QĐ-UBND.",
)
@click.option("--decided-on", required=True, metavar="YYYY-MM-DD", help="The date of the decision.")
@with_appcontext
def close_period(period: str, decision_number: str, decided_on: str) -> None:
    """Record the province's approval of a period's results: its snapshot becomes official
    (closing again later is a new revision); exit 2 on bad input, nothing written."""
    require_current_database()
    context = node_context()
    try:
        close = closing.close_period(
            db.session,
            None,
            context,
            period=int(period) if period.isascii() and period.isdigit() else None,
            decision_number=decision_number,
            decided_on=_iso_day(decided_on),
            suppression_k=current_app.config["SUPPRESSION_K"],
        )
    except ValidationFailed as error:
        db.session.rollback()
        raise invalid_input(error, CLOSE_NAMES) from None
    except Conflict as error:
        db.session.rollback()
        raise InvalidInput(error.message) from None
    db.session.commit()
    click.echo(
        f"Period {close.period} closed: decision {close.decision_number} of "
        f"{close.decided_on.isoformat()}, revision {close.revision}, official snapshot "
        f"{close.snapshot_id}."
    )


@cli.command("holidays")
@click.option("--year", required=True, type=click.IntRange(2000, 2100), metavar="YYYY")
@with_appcontext
def holidays_command(year: int) -> None:
    """Print the year's days off, one `YYYY-MM-DD name source` a line: source `package` (Vietnam's
    public holidays from the `holidays` package), `added` (a day off the province admin added) or
    `removed` (a day the admin made a working day: a package holiday moved, a weekend worked)."""
    require_current_database()
    for entry in calendar.year_days(db.session, year):
        click.echo(f"{entry.day.isoformat()} {entry.name} {entry.source}")


CLOSE_NAMES = {"period": "--period", "decision_number": "--decision-number",
               "decided_on": "--decided-on"}  # fmt: skip


def _iso_day(text: str) -> date | None:
    """YYYY-MM-DD in ASCII digits, or None."""
    if not (len(text) == 10 and text.isascii()):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@cli.command()
@click.option(
    "--every", default=300, show_default=True, type=click.IntRange(10, 86400),
    help="Seconds between checks for new decisions.",
)  # fmt: skip
@click.pass_obj
def scheduler(info: ScriptInfo, every: int) -> None:
    """Run the node's background jobs: snapshot rebuild after decisions and nightly."""
    app = info.load_app()
    with app.app_context():
        require_current_database()
    run_scheduler(app, check_every_seconds=every)


@cli.command("seed-demo")
@click.option(
    "--households",
    default=2000,
    show_default=True,
    type=click.IntRange(0, 1_000_000),
    help="Households in the sampled population; those that qualify apply.",
)
@with_appcontext
def seed_demo_command(households: int) -> None:
    """Fill an empty node with demo officials and synthetic households (demo databases only)."""
    require_current_database()
    if db.session.scalar(select(func.count()).select_from(User)):
        raise InvalidInput("This node already has users; demo data goes into an empty node only.")
    context = node_context()
    result = seed_demo(db.session, context, households)
    aggregates.build_snapshot(
        db.session,
        context.province_code,
        current_period(context.today),
        context.now,
        current_app.config["SUPPRESSION_K"],
    )
    db.session.commit()
    click.echo(
        json.dumps(
            {
                "households": result.households,
                "applications": result.applications,
                "recognised": result.recognised,
                "refused": result.refused,
                "confirmed": result.confirmed,
                "in_progress": result.in_progress,
                "password": DEMO_PASSWORD,
                "logins": [
                    {"username": u, "role": r, "unit": unit} for u, r, unit in result.logins
                ],
            },
            ensure_ascii=False,
        )
    )


# How the classes read in the import's summary: the glossary's words, then the code names.
CLASS_LABELS = {code: f"{word} ({code})" for code, word in imports.CLASS_WORDS.items()}


@cli.command("import-households")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--period",
    type=click.IntRange(2000, 2100),
    help='The year the list is for (column "Năm"). Default: the current period.',
)
@click.option(
    "--max-errors", default=200, show_default=True, type=click.IntRange(1, 100_000),
    help="How many problems to print; all are counted.",
)  # fmt: skip
@with_appcontext
def import_households_command(file: Path, period: int | None, max_errors: int) -> None:
    """Bulk import an existing list of households (XLSX or CSV), all or nothing.

    The file follows the template (`giamngheo node import-template FILE`, see
    docs/import-template.md). Every row is checked first; on any problem each one is printed
    with its row and column, nothing is written and the exit code is 2.
    """
    require_current_database()
    context = node_context()
    period = period or current_period(context.today)
    try:
        standard = standard_for(period)
    except UnknownStandard:
        raise InvalidInput(f"No poverty standard covers {period}; nothing imported.") from None
    try:
        result = imports.import_households(
            db.session,
            file,
            province_code=context.province_code,
            period=period,
            standard=standard,
            today=context.today,
            now=context.now,
            max_errors=max_errors,
        )
    except imports.ImportFailed as failure:
        db.session.rollback()
        for error in failure.errors:
            click.echo(str(error), err=True)
        if failure.total > len(failure.errors):
            click.echo(f"… và {failure.total - len(failure.errors)} lỗi khác.", err=True)
        raise InvalidInput(
            f"{failure.total} lỗi; không có hộ nào được nhập "
            f"({failure.total} problem(s); nothing imported)."
        ) from None
    # The hub would otherwise see the new lists only after the nightly rebuild.
    snapshot = aggregates.build_snapshot(
        db.session,
        context.province_code,
        period,
        context.now,
        current_app.config["SUPPRESSION_K"],
    )
    db.session.commit()
    click.echo(
        f"Đã nhập {result.households} hộ cho năm {period} theo chuẩn {result.standard_id} "
        f"(imported {result.households} households):"
    )
    for code, count in result.by_class.items():
        click.echo(f"  {CLASS_LABELS[code]}: {count}")
    click.echo(f"Snapshot {snapshot.snapshot_id} for {period}.")


@cli.command("import-template")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--period", type=click.IntRange(2000, 2100), help="Default: the current period.")
@with_appcontext
def import_template(file: Path, period: int | None) -> None:
    """Write the import template (.xlsx or .csv) with an example row for this province."""
    if file.suffix.lower() not in (".xlsx", ".csv"):
        raise InvalidInput("The template is a .xlsx or a .csv file.")
    context = node_context()
    imports.write_template(file, context.province_code, period or current_period(context.today))
    click.echo(f"Wrote {file}.")


@cli.command("check-database")
@click.option(
    "--database-url",
    metavar="URL",
    help="The database to check (a restored copy); default: GIAMNGHEO_DATABASE_URL.",
)
def check_database(database_url: str | None) -> None:
    """Check a node database, e.g. a restored backup: at the latest migration, the audit log's
    hash chain intact; print the newest application. Exit code 1 if a check fails."""
    environ = {**os.environ, "GIAMNGHEO_DATABASE_URL": database_url} if database_url else None
    app = create_app(load_config(environ))
    with app.app_context():
        current, heads = revisions()
        click.echo(f"revision={','.join(sorted(current)) or 'none'} head={','.join(sorted(heads))}")
        if current != heads:
            raise click.ClickException("the database is not at the latest migration")
        chain_break = audit.verify_audit_chain(db.session)
        entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
        newest = db.session.execute(
            select(Application.tracking_code, Application.submitted_at)
            .order_by(Application.submitted_at.desc(), Application.id.desc())
            .limit(1)
        ).first()
        db.session.rollback()
        db.engine.dispose()
    click.echo(f"audit_entries={entries} audit_chain={'ok' if chain_break is None else 'broken'}")
    if newest is not None:
        click.echo(f"newest_application={newest[0]} submitted_at={newest[1].isoformat()}")
    if chain_break is not None:
        raise click.ClickException(f"the audit log's hash chain breaks at entry {chain_break}")


# The personal-data commands register themselves on the group above.
from node import cli_privacy  # noqa: E402, F401
