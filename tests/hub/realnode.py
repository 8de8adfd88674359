"""Real provincial nodes for the hub's tests: `giamngheo node init-db`, `run` and
`hub-credentials` as subprocesses, each with its own SQLite file and signing key."""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import requests

STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RealNode:
    """A node process serving one province on a free local port."""

    def __init__(self, province_code: str, workdir: Path) -> None:
        self.province_code = province_code
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIAMNGHEO_")},
            "GIAMNGHEO_ENV": "development",
            "GIAMNGHEO_PROVINCE": province_code,
            "GIAMNGHEO_DATABASE_URL": f"sqlite:///{workdir / 'node.db'}",
            "GIAMNGHEO_SIGNING_KEY_FILE": str(workdir / "signing-key.pem"),
            "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(32),
        }
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""
        self.public_key = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def giamngheo(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `giamngheo node ARGS` for this node and wait; raises on failure."""
        return subprocess.run(
            [sys.executable, "-m", "shared.cli", "node", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def start(self, households: int = 0) -> RealNode:
        """init-db, seed-demo (with ``households``), run, wait for /healthz, get credentials."""
        self.giamngheo("init-db")
        if households:
            self.giamngheo("seed-demo", "--households", str(households))
        log = (self.workdir / "node.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "node", "run", "--port", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"node {self.province_code} did not start:\n{self.log()}")
            time.sleep(0.2)
        self.rotate_credentials()
        return self

    def rotate_credentials(self) -> None:
        """`giamngheo node hub-credentials`: a new token (the old one stops working)."""
        output = self.giamngheo("hub-credentials").stdout
        line = next(line for line in output.splitlines() if line.startswith("{"))
        credentials = json.loads(line)
        self.token, self.public_key = credentials["token"], credentials["public_key"]

    def aggregates(self, period: int | None = None) -> requests.Response:
        """GET the snapshot as the hub does (no If-None-Match)."""
        return requests.get(
            f"{self.url}api/v1/aggregates",
            params={"period": period} if period else None,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=(5, 30),
        )

    def personal_values(self) -> set[str]:
        """Every value of the node's personal-data columns: names, citizen IDs, phones,
        addresses (read from its SQLite file, as an outsider would)."""
        columns = {
            "households": ("head_name", "head_citizen_id", "address", "phone"),
            "household_members": ("full_name", "citizen_id"),
            "applications": ("applicant_name", "applicant_citizen_id", "applicant_phone"),
        }
        values: set[str] = set()
        with sqlite3.connect(self.workdir / "node.db") as connection:
            for table, names in columns.items():
                for row in connection.execute(f"SELECT {', '.join(names)} FROM {table}"):
                    values.update(str(value) for value in row if value)
        return values

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        path = self.workdir / "node.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def _healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}healthz", timeout=2).json().get("status") == "ok"
        except (requests.RequestException, ValueError):
            return False
