"""Alembic environment of the hub: migrates the database of the current Flask app."""

import logging

from alembic import context
from flask import current_app

import hub.models  # noqa: F401 (puts every table on the metadata that autogenerate compares)
from hub.extensions import db

logger = logging.getLogger("alembic.env")

# Tables the migrations create but no model maps: APScheduler's job store (hub.scheduler).
UNMAPPED_TABLES = frozenset({"apscheduler_jobs"})


def include_object(_object, name, type_, _reflected, _compare_to) -> bool:
    """Keep autogenerate from dropping the tables that have no model."""
    return not (type_ == "table" and name in UNMAPPED_TABLES)


def skip_empty_autogenerate(_context, _revision, directives) -> None:
    """Write no revision file when autogenerate finds nothing to change."""
    autogenerate = getattr(context.config.cmd_opts, "autogenerate", False)
    if autogenerate and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    """Emit the SQL for the URL alone (`--sql`), without connecting."""
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        target_metadata=db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Connect to the app's database and migrate it."""
    configure_args = {
        "process_revision_directives": skip_empty_autogenerate,
        "include_object": include_object,
        **current_app.extensions["migrate"].configure_args,
    }
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=db.metadata, **configure_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
