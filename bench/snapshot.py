"""Building a node's aggregate snapshot over 1,000,000 households on PostgreSQL, beside a plain
GROUP BY over the same table in the same run (goal: ≤ 2× the plain GROUP BY).

Run: .venv/bin/python bench/snapshot.py [--households 1000000] [--big]   (--big: 3,000,000)

Households, their 2026 statuses and deprivations are loaded with COPY into a fresh database
migrated by `giamngheo node init-db`; each measurement is the best of three runs.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get(
    "GIAMNGHEO_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
sys.path.insert(0, str(ROOT))

from node import create_app  # noqa: E402
from node.config import DevelopmentConfig  # noqa: E402
from node.extensions import db  # noqa: E402
from node.services.aggregates import build_snapshot  # noqa: E402
from shared import units  # noqa: E402

PROVINCE = "01"
PERIOD = 2026
# Roughly the 2024 national picture with a margin: poor 2%, near-poor 2%, average 8%.
CLASSES = (("poor", 2), ("near_poor", 2), ("average", 8), ("not_poor", 88))
INDICATORS = ("employment", "health_insurance", "housing_quality", "drinking_water", "sanitation")


@contextmanager
def database(admin: sa.Engine):
    name = f"giamngheo_bench_{uuid.uuid4().hex[:8]}_snapshot"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load(url: str, households: int) -> None:
    """COPY households, statuses and deprivations (the tables the snapshot reads)."""
    rng = random.Random(2026)
    communes = units.communes(PROVINCE)
    names = [c for c, _ in CLASSES]
    weights = [w for _, w in CLASSES]
    now = datetime(2026, 11, 24, tzinfo=UTC).isoformat()
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(
                "COPY households (id, commune_code, area, head_name, head_citizen_id, "
                "ethnic_minority, created_at, updated_at) FROM STDIN"
            ) as copy:
                for number in range(1, households + 1):
                    commune = communes[number % len(communes)]
                    copy.write_row(
                        (number, commune.code, commune.default_area, f"Hộ {number}",
                         f"{number:012d}", number % 17 == 0, now, now)
                    )  # fmt: skip
            classes = rng.choices(names, weights, k=households)
            with cursor.copy(
                "COPY household_statuses (id, household_id, period, commune_code, classification, "
                "area, ethnic_minority, standard_id, previous_classification, fell_back, "
                "members_count, decided_on) FROM STDIN"
            ) as copy:
                for number, cls in enumerate(classes, start=1):
                    commune = communes[number % len(communes)]
                    previous = rng.choice(names) if number % 3 else None
                    copy.write_row(
                        (number, number, PERIOD, commune.code, cls, commune.default_area,
                         number % 17 == 0, "VN-2022-2025", previous,
                         cls == "poor" and number % 41 == 0, 1 + number % 6, "2026-11-24")
                    )  # fmt: skip
            with cursor.copy(
                "COPY status_deprivations (status_id, indicator, period, commune_code) FROM STDIN"
            ) as copy:
                for number, cls in enumerate(classes, start=1):
                    if cls in ("poor", "near_poor"):
                        commune = communes[number % len(communes)].code
                        for indicator in rng.sample(INDICATORS, 3 if cls == "poor" else 1):
                            copy.write_row((number, indicator, PERIOD, commune))
        # COPY went through the driver's connection: commit there (SQLAlchemy saw no statement).
        raw.commit()
    # The steady state autovacuum keeps a live database in: statistics and visibility map set.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--big", action="store_true", help="3,000,000 households")
    args = parser.parse_args()
    households = 3_000_000 if args.big else args.households
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with database(admin) as url:
        env = {**os.environ, "GIAMNGHEO_ENV": "development", "GIAMNGHEO_PROVINCE": PROVINCE,
               "GIAMNGHEO_DATABASE_URL": url}  # fmt: skip
        subprocess.run([str(BIN / "giamngheo"), "node", "init-db"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        started = time.perf_counter()
        load(url, households)
        loading = time.perf_counter() - started
        app = create_app(
            DevelopmentConfig({"GIAMNGHEO_DATABASE_URL": url, "GIAMNGHEO_PROVINCE": PROVINCE,
                               "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(48)})
        )  # fmt: skip
        with app.app_context():
            plain_sql = sa.text(
                "SELECT commune_code, count(*) FROM household_statuses "
                "WHERE period = :period GROUP BY commune_code"
            )
            plain = best_of(3, lambda: db.session.execute(plain_sql, {"period": PERIOD}).all())
            now = datetime.now(UTC)

            def build() -> None:
                # A fresh build each time: roll back so the stored snapshot is not reused.
                build_snapshot(db.session, PROVINCE, PERIOD, now)
                db.session.rollback()

            ours = best_of(3, build)
            db.engine.dispose()
    admin.dispose()
    print(f"households: {households:,} in {len(units.communes(PROVINCE))} communes "
          f"(loaded with COPY in {loading:.1f} s)")  # fmt: skip
    print(f"plain GROUP BY over household_statuses: {plain * 1000:8.1f} ms")
    print(f"build_snapshot (all counts, deprivations, pending, JSON): {ours * 1000:8.1f} ms")
    print(f"ratio: {ours / plain:.2f}× (goal ≤ 2×)")


if __name__ == "__main__":
    main()
