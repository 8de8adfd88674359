"""Faults during a stream of submissions: the node killed, PostgreSQL killed (issue 7).

A private PostgreSQL server (its own data directory and port, so killing it disturbs nothing
else) backs a real node process. Clients submit with retries, as the portal's offline queue
does — the same Idempotency-Key until an answer comes. Meanwhile the node is SIGKILLed and
restarted, and PostgreSQL is stopped the crash way (immediate) and started again. Every
acknowledged application must be there exactly once, and the node must recover by itself.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.builders import application_request

PG_BIN = Path("/usr/lib/postgresql/15/bin")
CLIENTS = 4
PER_CLIENT = 30
RETRY_FOR = 90.0  # seconds a client keeps retrying one submission


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivatePostgres:
    """A throwaway PostgreSQL cluster run as the postgres user, on its own port."""

    def __init__(self, directory: Path) -> None:
        self.data = directory / "data"
        self.port = free_port()
        self.log = directory / "postgres.log"

    def _as_postgres(self, *command: str) -> None:
        done = subprocess.run(["runuser", "-u", "postgres", "--", *command],
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        if done.returncode != 0:
            raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)

    def init(self) -> None:
        shutil.chown(self.data.parent, "postgres")
        self._as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust",
                          "-U", "postgres", "--no-sync")  # fmt: skip
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                          "-o", options, "-w", "start")  # fmt: skip

    def crash(self) -> None:
        """Stop the way a crash does: no checkpoint, clients cut off."""
        self._as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    if os.geteuid() != 0 or not (PG_BIN / "initdb").exists():
        pytest.fail("the fault tests need root and PostgreSQL 15's server binaries (Debian)")
    # Outside pytest's own temporary tree, whose parents only root may enter.
    directory = Path(tempfile.mkdtemp(prefix="giamngheo-faultpg-"))
    server = PrivatePostgres(directory)
    server.init()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.crash()
        shutil.rmtree(directory, ignore_errors=True)


class Node:
    """A real node process (waitress) that can be killed and started again on the same port."""

    def __init__(self, database_url: str, directory: Path) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "GIAMNGHEO_ENV": "production",
            "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(48),
            "GIAMNGHEO_PROVINCE": "01",
            "GIAMNGHEO_DATABASE_URL": database_url,
            "GIAMNGHEO_SIGNING_KEY_FILE": str(directory / "signing.pem"),
        }
        self.log = directory / "node.log"
        self.process: subprocess.Popen | None = None
        subprocess.run([sys.executable, "-m", "shared.cli", "node", "init-db"], env=self.env,
                       check=True, capture_output=True, timeout=120)  # fmt: skip

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "shared.cli", "node", "run", "--port", str(self.port),
                 "--threads", "8"],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code in (200, 503):
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError("the node did not start:\n" + self.log.read_text()[-2000:])

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def submit_with_retries(url: str, key: str, body: dict, answers: dict, errors: list) -> None:
    """Send until an answer comes back (the portal's offline queue does the same)."""
    deadline = time.monotonic() + RETRY_FOR
    with requests.Session() as session:
        while time.monotonic() < deadline:
            try:
                response = session.post(
                    f"{url}/api/v1/applications",
                    json=body,
                    headers={"Idempotency-Key": key},
                    timeout=(2, 15),
                )
            except requests.RequestException:
                time.sleep(0.2)
                continue
            if response.status_code == 201:
                answers[key] = response.json()["tracking_code"]
                return
            if response.status_code in (502, 503, 504):
                assert int(response.headers.get("Retry-After", "1")) > 0
                time.sleep(0.2)
                continue
            errors.append((key, response.status_code, response.text[:300]))
            return
    errors.append((key, "gave up", ""))


def test_acknowledged_applications_survive_node_and_database_crashes(postgres, tmp_path):
    admin = sa.create_engine(postgres.url(), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE node")
    admin.dispose()
    node = Node(postgres.url("node"), tmp_path)
    node.start()
    answers: dict[str, str] = {}
    errors: list = []

    def client(number: int) -> None:
        for index in range(PER_CLIENT):
            key = f"fault-{number}-{index:03d}"
            submit_with_retries(node.url, key, application_request(), answers, errors)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    try:
        for thread in threads:
            thread.start()
        total = CLIENTS * PER_CLIENT
        _wait_until(lambda: len(answers) >= total // 4, "a quarter acknowledged")
        node.kill()  # mid-stream, with requests in flight
        time.sleep(1)
        node.start()
        _wait_until(lambda: len(answers) >= total // 2, "half acknowledged after the node crash")
        postgres.crash()
        time.sleep(2)
        down_answered = len(answers)
        postgres.start()
        restarted = time.monotonic()
        _wait_until(lambda: len(answers) > down_answered, "a submission after the database crash")
        recovery = time.monotonic() - restarted
        for thread in threads:
            thread.join(timeout=RETRY_FOR * 2)
    finally:
        node.stop()

    assert errors == []
    assert len(answers) == CLIENTS * PER_CLIENT  # every submission acknowledged in the end
    assert recovery < 15, f"the node took {recovery:.1f} s to recover after the database"
    engine = sa.create_engine(postgres.url("node"), poolclass=sa.NullPool)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT a.tracking_code, k.key FROM applications a "
            "JOIN idempotency_keys k ON k.application_id = a.id"
        ).all()
        applications = connection.exec_driver_sql("SELECT count(*) FROM applications").scalar()
    engine.dispose()
    stored = {key: code for code, key in rows}
    # Exactly once: one application per key, and it is the one the client was told about.
    assert applications == len(rows) == CLIENTS * PER_CLIENT
    assert stored == answers


def _wait_until(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
