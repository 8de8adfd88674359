"""ansible/node.yml applied to this machine for real, then checked through nginx and removed.

The roles run as in production, except that services are started with start-stop-daemon instead
of systemd (there is no init system here) and every path points into a temporary prefix; see
tests/deploy/local.py for exactly what is touched. Needs root, nginx and PostgreSQL on
127.0.0.1: in CI (CI=true) a missing prerequisite fails the test; elsewhere it skips.
Set GIAMNGHEO_DEPLOY_KEEP=1 to keep the deployment for a look afterwards.
"""

from __future__ import annotations

import base64
import grp
import http.client
import json
import os
import pwd
import re
import ssl
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy.engine import make_url

from tests.deploy.local import PG_HBA, LocalDeployment, hba_block, missing_prerequisites, psql

pytestmark = pytest.mark.deploy

KEEP = os.environ.get("GIAMNGHEO_DEPLOY_KEEP") == "1"
RECAP = re.compile(r"^\S+\s*:\s*ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)


def tail(result: subprocess.CompletedProcess[str], lines: int = 60) -> str:
    output = (result.stdout + result.stderr).splitlines()
    return "\n".join(output[-lines:])


@pytest.fixture(scope="module")
def deployment() -> Iterator[LocalDeployment]:
    """node.yml applied once for the module; everything removed afterwards, and checked gone."""
    if missing := missing_prerequisites():
        message = "the local deployment cannot run here; missing:\n- " + "\n- ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    deployment = LocalDeployment.create()
    try:
        result = deployment.apply()
        assert result.returncode == 0, f"node.yml failed ({deployment.log}):\n{tail(result)}"
        yield deployment
    finally:
        if KEEP:
            down = f"python -m tests.deploy.local down {deployment.prefix}"
            print(f"\nKept {deployment.url}; remove it with: {down}")
        else:
            pid_files = deployment.pid_files.values()
            pids = [path.read_text().strip() for path in pid_files if path.exists()]
            problems = deployment.teardown()
            assert not problems, f"teardown left: {problems}"
            assert_removed(deployment, pids)


def assert_removed(deployment: LocalDeployment, pids: list[str]) -> None:
    """Nothing of the deployment is left on the machine."""
    assert not deployment.prefix.exists()
    assert not [pid for pid in pids if pid and Path(f"/proc/{pid}").exists()]
    assert subprocess.run(["getent", "passwd", deployment.name]).returncode == 2
    assert subprocess.run(["getent", "group", deployment.name]).returncode == 2
    names = psql(
        "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE "
        f"'{deployment.database}%'"
    )
    assert names.stdout.strip() == ""
    roles = psql(f"SELECT count(*) FROM pg_roles WHERE rolname = '{deployment.database}'")
    assert roles.stdout.strip() == "0"
    assert not hba_block(deployment.database).search(PG_HBA.read_text())


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        """Every value of the header called name (case-insensitive)."""
        return [value for key, value in self.headers if key.lower() == name.lower()]


def connect(deployment: LocalDeployment) -> http.client.HTTPSConnection:
    """HTTPS to nginx, verifying its certificate (self-signed, for the IP address)."""
    context = ssl.create_default_context(cafile=str(deployment.certificate))
    return http.client.HTTPSConnection(
        "127.0.0.1", deployment.https_port, context=context, timeout=30
    )


def https(
    deployment: LocalDeployment,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request through nginx over HTTPS."""
    connection = connect(deployment)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def test_healthz_answers_ok_through_nginx_over_https(deployment):
    answer = https(deployment, "GET", "/healthz")

    assert answer.status == 200
    assert json.loads(answer.body) == {"status": "ok", "db": "ok"}


def test_security_headers_are_sent_once_each(deployment):
    answer = https(deployment, "GET", "/healthz")

    assert answer.header("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
    assert answer.header("X-Content-Type-Options") == ["nosniff"]
    assert answer.header("Referrer-Policy") == ["same-origin"]
    assert answer.header("X-Frame-Options") == ["DENY"]
    # nginx's own policy, beside the app's fuller one (browsers enforce both).
    assert "frame-ancestors 'none'" in answer.header("Content-Security-Policy")
    assert answer.header("Server") == ["nginx"]  # no version


def test_plain_http_redirects_to_https(deployment):
    connection = http.client.HTTPConnection("127.0.0.1", deployment.http_port, timeout=30)
    connection.request("GET", "/healthz?x=1")
    response = connection.getresponse()

    assert response.status == 301
    assert response.getheader("Location") == f"{deployment.url}healthz?x=1"


def test_too_large_a_body_is_refused_by_nginx_as_json(deployment):
    connection = connect(deployment)
    # nginx answers on the announced length alone, before any of the body is sent.
    connection.putrequest("POST", "/api/v1/assessments")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(2 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()

    assert response.status == 413
    assert json.loads(response.read())["error"]["code"] == "request_entity_too_large"


def test_token_requests_are_rate_limited_per_client(deployment):
    body = json.dumps({"username": "nobody", "password": "wrong password"}).encode()
    headers = {"Content-Type": "application/json"}

    started = time.monotonic()
    answers = [https(deployment, "POST", "/api/v1/auth/token", body, headers) for _ in range(11)]
    elapsed = time.monotonic() - started

    # 10 a minute with a burst of 5: six reach the app (which refuses the login), one more every
    # six seconds, the rest get nginx's 429.
    statuses = [answer.status for answer in answers]
    assert 429 not in statuses[:6], statuses
    assert len(statuses) - statuses.count(429) <= 6 + int(elapsed // 6), statuses
    limited = [answer for answer in answers if answer.status == 429]
    assert limited, statuses
    assert json.loads(limited[0].body)["error"]["code"] == "too_many_requests"
    # Reading is never limited.
    assert https(deployment, "GET", "/healthz").status == 200


def test_secrets_and_the_signing_key_are_private(deployment):
    environment = deployment.environment_file.stat()
    key = deployment.signing_key.stat()

    assert stat.S_IMODE(environment.st_mode) == 0o640
    assert environment.st_uid == 0
    assert stat.S_IMODE(key.st_mode) == 0o600
    assert stat.S_IMODE(deployment.signing_key.parent.stat().st_mode) == 0o700
    # The app user owns the key; its group (and root) alone read the settings.
    assert key.st_uid == pwd.getpwnam(deployment.name).pw_uid
    assert environment.st_gid == key.st_gid == grp.getgrnam(deployment.name).gr_gid


def test_launcher_prints_hub_credentials_for_the_deployed_key(deployment):
    result = subprocess.run(
        [str(deployment.launcher), "node", "hub-credentials"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )

    assert result.returncode == 0, result.stderr
    credentials = json.loads(result.stdout)
    private = serialization.load_pem_private_key(deployment.signing_key.read_bytes(), password=None)
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert credentials["public_key"] == base64.b64encode(public).decode()
    assert len(credentials["token"]) >= 32


def settings(deployment: LocalDeployment) -> dict[str, str]:
    """The environment file's settings, as written (values in single quotes)."""
    return dict(
        line.split("=", 1)
        for line in deployment.environment_file.read_text().splitlines()
        if line and not line.startswith("#")
    )


def test_the_app_believes_the_forwarded_headers_of_nginx_alone(deployment):
    assert settings(deployment)["GIAMNGHEO_TRUSTED_PROXIES"] == "'1'"


def test_the_app_role_needs_its_password(deployment):
    url = make_url(settings(deployment)["GIAMNGHEO_DATABASE_URL"].strip("'"))
    dsn = f"host=127.0.0.1 port={url.port} dbname={url.database} user={url.username}"

    with psycopg.connect(f"{dsn} password={url.password}") as connection:
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    # The role's pg_hba.conf rules come before the server's own, so no other way in.
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(f"{dsn} password=wrong-password").close()


def test_backup_writes_a_dump_and_its_restore_check_passes(deployment):
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", str(deployment.backup_script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "restore check ok" in result.stdout
    status = dict(
        line.split("=", 1)
        for line in (deployment.backup_dir / "restore-check.status").read_text().splitlines()
    )
    assert status["result"] == "ok"
    assert status["rows_applications"] == "0"
    assert Path(status["dump"]).parent == deployment.backup_dir
    assert Path(status["dump"]).stat().st_size > 0
    scratch = psql(
        f"SELECT count(*) FROM pg_database WHERE datname = '{deployment.database}_restore_check'"
    )
    assert scratch.stdout.strip() == "0"


def test_the_systemd_units_are_valid(deployment):
    # Rendered into the prefix (no systemd runs here); systemd-analyze still parses them, and
    # checks their users and executables exist.
    units = sorted(str(path) for path in (deployment.prefix / "systemd").iterdir())
    names = {Path(unit).name for unit in units}

    result = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert names == {
        f"{deployment.name}-web.service",
        f"{deployment.name}-scheduler.service",
        f"{deployment.name}-backup.service",
        f"{deployment.name}-backup.timer",
    }


def test_a_second_run_changes_nothing(deployment):
    # The same wheel as the first run, so edits to the work tree meanwhile do not count.
    wheel = next((deployment.prefix / "dist").glob("giamngheo-*.whl"))

    result = deployment.apply(
        "-e", "app_package_source=path", "-e", f"app_package_path={wheel}"
    )  # fmt: skip

    assert result.returncode == 0, tail(result)
    changed, unreachable, failed = map(int, RECAP.search(result.stdout).groups())
    changed_tasks = re.findall(r"^TASK \[(.+?)\].*\nchanged:", result.stdout, re.M)
    assert (changed, unreachable, failed) == (0, 0, 0), changed_tasks
    assert https(deployment, "GET", "/healthz").status == 200
