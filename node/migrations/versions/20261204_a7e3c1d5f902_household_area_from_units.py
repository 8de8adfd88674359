"""Every household's area from its units: the village's own area if the province admin set one,
else the commune's (phường urban, xã and đặc khu rural) — never what the resident answered.

Before issue 14 the area came from the household's facts, so a household in an all-rural commune
could be counted "urban" (the demo drew it at random). This checks every household, puts right
those whose area differs from their units', copies the area to their statuses, and counts the
urban households of every tally again. The classes decided stay as the chair decided them (a
decision is the commune's act); the reports' area columns follow the units from here on.

Revision ID: a7e3c1d5f902
Revises: 8d2f4b6a1c57
Create Date: 2026-12-04 23:20:00.000000
"""

import logging

import sqlalchemy as sa
from alembic import op

from shared import units

revision = "a7e3c1d5f902"
down_revision = "8d2f4b6a1c57"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")

# A village with an area of its own decides for its households.
FROM_VILLAGES = """
    UPDATE households
    SET area = (SELECT v.area FROM villages AS v WHERE v.id = households.village_id)
    WHERE village_id IN (SELECT id FROM villages WHERE area IS NOT NULL)
      AND area <> (SELECT v.area FROM villages AS v WHERE v.id = households.village_id)
"""
# Else the commune (its code is in :codes, all of one area).
FROM_COMMUNES = """
    UPDATE households SET area = :area
    WHERE commune_code IN :codes AND area <> :area
      AND NOT EXISTS (
          SELECT 1 FROM villages AS v WHERE v.id = households.village_id AND v.area IS NOT NULL
      )
"""
STATUSES = """
    UPDATE household_statuses
    SET area = (SELECT h.area FROM households AS h WHERE h.id = household_statuses.household_id)
    WHERE area <> (SELECT h.area FROM households AS h WHERE h.id = household_statuses.household_id)
"""
TALLIES = """
    UPDATE status_tallies SET urban = (
        SELECT count(*) FROM household_statuses AS s
        WHERE s.period = status_tallies.period AND s.commune_code = status_tallies.commune_code
          AND s.classification = status_tallies.classification AND s.area = 'urban'
    )
"""


def upgrade() -> None:
    bind = op.get_bind()
    fixed = bind.execute(sa.text(FROM_VILLAGES)).rowcount
    codes = [
        code
        for code in bind.execute(sa.text("SELECT DISTINCT commune_code FROM households")).scalars()
        if units.is_commune_code(code)
    ]
    for area in ("rural", "urban"):
        of_area = [code for code in codes if units.commune(code).default_area == area]
        if of_area:
            statement = sa.text(FROM_COMMUNES).bindparams(sa.bindparam("codes", expanding=True))
            fixed += bind.execute(statement, {"area": area, "codes": of_area}).rowcount
    statuses = bind.execute(sa.text(STATUSES)).rowcount
    bind.execute(sa.text(TALLIES))
    logger.info("household areas from their units: %s households, %s statuses", fixed, statuses)


def downgrade() -> None:
    # Nothing to undo: the areas the units give are right under any schema, and the answers
    # they replaced were not kept.
    pass
