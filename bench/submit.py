"""Submissions per second through the real HTTP stack on PostgreSQL, beside a bare insert.

Run: .venv/bin/python bench/submit.py [--seconds 10] [--clients 16] [--workers 3]

Both servers run under gunicorn with the same workers on 127.0.0.1, each on its own fresh
PostgreSQL database, and get the same load from the same client threads in this one run:
the node's POST /api/v1/applications (schema, idempotency key, standards engine, application,
history, consent, one commit) against a Flask endpoint that inserts the same body as one row.
Goal: ours ≥ 0.4 × the bare insert.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get(
    "GIAMNGHEO_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
sys.path.insert(0, str(ROOT))

from shared.standards.synthetic import random_facts  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database(admin: sa.Engine, name: str):
    """A fresh PostgreSQL database for one server, dropped afterwards."""
    database_name = f"giamngheo_bench_{uuid.uuid4().hex[:8]}_{name}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{database_name}"')
    url = sa.engine.make_url(ADMIN_URL).set(database=database_name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int, chdir: Path, log: Path):
    """gunicorn serving ``app`` on a free port until the block ends."""
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--chdir", str(chdir),
        "--log-level", "warning",
        app,
    ]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(url + "/healthz", timeout=1)
                break
            except requests.RequestException:  # refused, or a read timeout while booting
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{app} did not start; see {log}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def load(url: str, bodies: list[dict], seconds: float, clients: int) -> tuple[int, int, float]:
    """POST bodies from ``clients`` threads for ``seconds``; (successes, failures, elapsed)."""
    stop = time.monotonic() + seconds
    counts = [[0, 0] for _ in range(clients)]

    def client(index: int) -> None:
        rng = random.Random(index)
        with requests.Session() as session:
            while time.monotonic() < stop:
                response = session.post(
                    url,
                    json=rng.choice(bodies),
                    headers={"Idempotency-Key": secrets.token_hex(16)},
                    timeout=(5, 30),
                )
                counts[index][0 if response.status_code == 201 else 1] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return sum(c[0] for c in counts), sum(c[1] for c in counts), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    period = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    rng = random.Random(2026)
    bodies = [
        {
            "commune_code": "00070",
            "kind": "enter",
            "applicant": {
                "full_name": "Nguyễn Văn An",
                "citizen_id": f"{rng.randrange(10**12):012d}",
                "phone": f"09{rng.randrange(10**8):08d}",
            },
            "household": random_facts(rng, period),
            "consent": True,
        }
        for _ in range(200)
    ]
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    logs = Path(tempfile.mkdtemp(prefix="giamngheo-bench-"))
    results = {}
    with database(admin, "node") as node_url, database(admin, "bare") as bare_url:
        node_env = {
            **os.environ,
            "GIAMNGHEO_ENV": "production",
            "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(48),
            "GIAMNGHEO_PROVINCE": "01",
            "GIAMNGHEO_DATABASE_URL": node_url,
        }
        subprocess.run([str(BIN / "giamngheo"), "node", "init-db"], env=node_env, check=True,
                       capture_output=True)  # fmt: skip
        bare_engine = sa.create_engine(bare_url, poolclass=sa.NullPool)
        with bare_engine.begin() as connection:
            connection.exec_driver_sql(
                "CREATE TABLE bare_rows (id serial PRIMARY KEY, key text, body text)"
            )
        bare_engine.dispose()
        bare_env = {**os.environ, "BARE_DATABASE_URL": bare_url}
        for name, app, env, chdir, path in (
            ("bare insert", "bare_app:app", bare_env, ROOT / "bench", "/insert"),
            ("giamngheo", "node.wsgi:app", node_env, ROOT, "/api/v1/applications"),
        ):
            with gunicorn(app, env, args.workers, chdir, logs / f"{app}.log") as url:
                load(url + path, bodies, 1.5, args.clients)  # warm up
                results[name] = load(url + path, bodies, args.seconds, args.clients)
    admin.dispose()

    print(f"python {platform.python_version()}, {os.cpu_count()} cores, PostgreSQL on loopback")
    print(f"gunicorn {args.workers} sync workers, {args.clients} client threads, {args.seconds} s")
    for name, (ok, failed, elapsed) in results.items():
        print(f"{name:>12}: {ok / elapsed:8.1f} /s  ({ok} ok, {failed} failed)")
    ratio = (results["giamngheo"][0] / results["giamngheo"][2]) / (
        results["bare insert"][0] / results["bare insert"][2]
    )
    print(f"ratio giamngheo / bare insert: {ratio:.2f} (goal ≥ 0.40)")


if __name__ == "__main__":
    main()
