"""`giamngheo node import-households` on PostgreSQL beside a raw COPY of the same file into a bare
table in the same run (goal: ≥ 0.5× the raw COPY's rows/s).

Run: .venv/bin/python bench/import.py [--rows 1000000] [--keep-file]

A CSV of plausible households (a tenth of them in villages the bench creates, names in NFC and
NFD, ID numbers with spaces, phones with +84, indicators by code and by Vietnamese name) is
imported by the real command into a fresh database migrated by `giamngheo node init-db`. The raw
COPY streams the same bytes into a table of 13 text columns with no index: the floor for getting
the file into PostgreSQL at all.

A third figure is the floor for writing the result: the rows the import wrote (households,
statuses, deprivations), copied out and COPY'd in binary, in one transaction, into the same
tables of a second freshly migrated database, with their indexes, keys and constraints — no
reading, checking or normalising. No import that writes these tables can beat it, so it says how
much of the gap to the raw COPY is the import's own work and how much is the tables'.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get(
    "GIAMNGHEO_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
sys.path.insert(0, str(ROOT))

from node.services.imports import CLASS_WORDS, COLUMNS  # noqa: E402
from shared import units  # noqa: E402
from shared.standards import standard_for  # noqa: E402

PROVINCE = "01"
PERIOD = 2026
VILLAGES_PER_COMMUNE = 10
# Roughly the 2024 national picture with a margin, as bench/snapshot.py: poor 2%, near-poor 2%,
# average 8%.
CLASSES = (("poor", 2), ("near_poor", 2), ("average", 8), ("not_poor", 88))
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Lò", "Giàng")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Ngọc", "Thu", "Hữu", "A", "Seo")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Mai", "Nga", "Phúc", "Quỳnh",
         "Sơn", "Thảo", "Tuấn", "Xuân", "Yến", "Pánh", "Chứ")  # fmt: skip
MINORITIES = ("Tày", "Thái", "Mường", "H'Mông", "Dao", "Nùng")
AREA_WORD = {"rural": "nông thôn", "urban": "thành thị"}


@contextmanager
def database(admin: sa.Engine):
    name = f"giamngheo_bench_{uuid.uuid4().hex[:8]}_import"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def village_codes() -> list[str]:
    return [
        f"{commune.code}-{number:03d}"
        for commune in units.communes(PROVINCE)
        for number in range(1, VILLAGES_PER_COMMUNE + 1)
    ]


def generate(path: Path, rows: int) -> None:
    """A CSV of ``rows`` households as a province's old list might have them."""
    rng = random.Random(2026)
    communes = units.communes(PROVINCE)
    villages = village_codes()
    indicators = standard_for(PERIOD).indicators
    names = [c for c, _ in CLASSES]
    weights = [w for _, w in CLASSES]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.header for column in COLUMNS])
        for number in range(rows):
            commune = communes[number % len(communes)]
            village = ""
            if number % 10 == 0:
                village = villages[(number // 10) % len(villages)]
                commune = units.commune(village[:5])
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            if number % 50 == 0:  # typed on a Mac or a phone: decomposed letters, double spaces
                name = unicodedata.normalize("NFD", name).replace(" ", "  ", 1)
            # Distinct by construction: 7919 is prime to 10**9.
            citizen_id = f"001{(number * 7919) % 10**9:09d}"
            if number % 97 == 0:
                citizen_id = f"{citizen_id[:4]} {citizen_id[4:8]} {citizen_id[8:]}"
            phone = f"09{rng.randrange(10**8):08d}" if number % 3 else ""
            if number % 31 == 0 and phone:
                phone = "+84 " + phone[1:]
            cls = rng.choices(names, weights)[0]
            minority = rng.random() < 0.15
            deprived: list[str] = []
            if cls in ("poor", "near_poor"):
                count = rng.randint(3, 5) if cls == "poor" else rng.randint(0, 2)
                chosen = rng.sample(indicators, count)
                deprived = [i.name["vi"] if rng.random() < 0.5 else i.code for i in chosen]
            previous = rng.choice([cls, cls, cls, "near_poor", ""])
            writer.writerow([
                commune.code,
                village,
                name,
                citizen_id,
                phone,
                f"Số {rng.randint(1, 200)}, ngõ {rng.randint(1, 60)}",
                rng.choice(MINORITIES) if minority else "Kinh",
                "" if number % 7 else AREA_WORD[commune.default_area],
                str(PERIOD),
                CLASS_WORDS[cls] if number % 4 else cls,
                str(rng.randint(1, 8)),
                "; ".join(deprived),
                CLASS_WORDS[previous] if previous else "",
            ])  # fmt: skip


def add_villages(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO villages (code, commune_code, name, active) "
                    "VALUES (:code, :commune, :name, true)"),
            [{"code": code, "commune": code[:5], "name": f"Thôn {code[6:]}"}
             for code in village_codes()],
        )  # fmt: skip
    engine.dispose()


def raw_copy(url: str, path: Path) -> float:
    """Seconds to COPY the file as it is into a bare table of text columns."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            columns = ", ".join(f"c{index} text" for index in range(len(COLUMNS)))
            cursor.execute("DROP TABLE IF EXISTS bare_import")
            cursor.execute(f"CREATE TABLE bare_import ({columns})")
            raw.commit()
            started = time.perf_counter()
            with (
                path.open("rb") as handle,
                cursor.copy("COPY bare_import FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            raw.commit()
            elapsed = time.perf_counter() - started
            cursor.execute("DROP TABLE bare_import")
            raw.commit()
    engine.dispose()
    return elapsed


CHUNK = 1 << 20
WRITTEN_TABLES = ("households", "household_statuses", "status_deprivations")


def export_written(url: str) -> dict[str, bytes]:
    """The rows the import wrote, table by table, in PostgreSQL's binary COPY format."""
    engine = sa.create_engine(url)
    exported = {}
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            for table in WRITTEN_TABLES:
                chunks = []
                with cursor.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                    for chunk in copy:
                        chunks.append(bytes(chunk))
                exported[table] = b"".join(chunks)
    engine.dispose()
    return exported


def copy_written(url: str, exported: dict[str, bytes]) -> float:
    """Seconds to COPY the exported rows into the real tables, in one transaction."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            started = time.perf_counter()
            for table in WRITTEN_TABLES:
                with cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                    data = memoryview(exported[table])
                    for start in range(0, len(data), CHUNK):
                        copy.write(data[start : start + CHUNK])
            raw.commit()
            elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def migrated(url: str) -> None:
    env = {**os.environ, "GIAMNGHEO_ENV": "development", "GIAMNGHEO_PROVINCE": PROVINCE,
           "GIAMNGHEO_DATABASE_URL": url}  # fmt: skip
    subprocess.run([str(BIN / "giamngheo"), "node", "init-db"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    add_villages(url)


def import_command(url: str, path: Path) -> tuple[float, str]:
    env = {**os.environ, "GIAMNGHEO_ENV": "development", "GIAMNGHEO_PROVINCE": PROVINCE,
           "GIAMNGHEO_DATABASE_URL": url,
           "GIAMNGHEO_SIGNING_KEY_FILE": str(path.parent / "signing-key.pem")}  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "giamngheo"), "node", "import-households", str(path), "--period", str(PERIOD)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"import failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}")
    phases = re.search(r"imported \d+ households .*?; (.*)", done.stderr)
    return elapsed, phases.group(1) if phases else "(no timings logged)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep-file", action="store_true", help="leave the CSV in /tmp")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="giamngheo-import-"))
    path = directory / "ho-ngheo.csv"
    started = time.perf_counter()
    generate(path, args.rows)
    generated = time.perf_counter() - started
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with database(admin) as url:
        migrated(url)
        # The raw COPY before and after the import; the better of the two is the floor.
        copy_before = raw_copy(url, path)
        ours, phases = import_command(url, path)
        copy_after = raw_copy(url, path)
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            households = connection.scalar(sa.text("SELECT count(*) FROM households"))
            deprivations = connection.scalar(sa.text("SELECT count(*) FROM status_deprivations"))
        engine.dispose()
        exported = export_written(url)
    with database(admin) as url:
        migrated(url)
        floor = copy_written(url, exported)
    admin.dispose()
    raw = min(copy_before, copy_after)
    size = path.stat().st_size
    if args.keep_file:
        print(f"file kept: {path}")
    else:
        path.unlink()
        path.parent.joinpath("signing-key.pem").unlink(missing_ok=True)
        path.parent.rmdir()
    print(f"rows: {args.rows:,} ({size / 1e6:.0f} MB CSV, generated in {generated:.1f} s); "
          f"written: {households:,} households, {households:,} statuses, "
          f"{deprivations:,} deprivations")  # fmt: skip
    print(f"raw COPY into a bare text table: {raw:6.1f} s  {args.rows / raw:10,.0f} rows/s")
    print(f"giamngheo node import-households: {ours:6.1f} s  {args.rows / ours:10,.0f} rows/s "
          f"(whole command: start-up, checks, writes, snapshot, commit)")  # fmt: skip
    print(f"  phases: {phases}")
    print(f"COPY of the written rows into the real tables: {floor:6.1f} s  "
          f"{args.rows / floor:10,.0f} rows/s (their indexes and keys; nothing else)")  # fmt: skip
    print(f"ratio: {raw / ours:.2f}× the raw COPY's rows/s (goal ≥ 0.5×); "
          f"writing the result alone reaches {raw / floor:.2f}×; "
          f"the import is {floor / ours:.2f}× that floor")  # fmt: skip


if __name__ == "__main__":
    main()
