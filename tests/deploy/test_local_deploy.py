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
import gzip
import http.client
import json
import os
import pwd
import re
import shutil
import ssl
import stat
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy.engine import make_url

from shared import units
from tests.builders import application_request
from tests.deploy.local import LocalDeployment, cluster_exists, missing_prerequisites, psql

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
    assert not cluster_exists(deployment.cluster)
    assert not cluster_exists(deployment.standby_cluster)


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
        f"SELECT count(*) FROM pg_database WHERE datname = '{deployment.database}_restore_check'",
        deployment.pg_port,
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
        f"{deployment.name}-pitr-full.service",
        f"{deployment.name}-pitr-full.timer",
        f"{deployment.name}-pitr-diff.service",
        f"{deployment.name}-pitr-diff.timer",
    }


GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_pages_and_static_files_go_out_gzipped_and_static_files_cached_a_year(deployment):
    page = https(deployment, "GET", "/", headers=GZIP)
    html = gzip.decompress(page.body).decode()
    static = re.search(r'href="(/static/css/app\.[0-9a-f]{10}\.css)"', html)[1]
    css = https(deployment, "GET", static, headers=GZIP)
    officials = https(deployment, "GET", "/officials/login", headers=GZIP)

    assert page.header("Content-Encoding") == ["gzip"]
    assert "Accept-Encoding" in ", ".join(page.header("Vary"))
    assert page.header("Cache-Control") == ["no-cache"]
    assert css.header("Content-Encoding") == ["gzip"]
    assert css.header("Cache-Control") == ["public, max-age=31536000, immutable"]
    # The officials' workspace and its sign-in: never compressed (BREACH).
    assert officials.status == 200
    assert officials.header("Content-Encoding") == []


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return response.read().decode()


def test_metrics_count_every_worker_and_answer_loopback_only(deployment):
    for _ in range(6):
        https(deployment, "GET", "/healthz")

    text = scrape(f"http://127.0.0.1:{deployment.app_port}/metrics")
    through_nginx = https(deployment, "GET", "/metrics")
    forged = https(deployment, "GET", "/metrics", headers={"X-Forwarded-For": "127.0.0.1"})

    healthz = re.search(
        r'giamngheo_http_requests_total\{endpoint="/healthz",method="GET",status="200"\} (\S+)',
        text,
    )
    assert healthz
    assert float(healthz[1]) >= 6
    assert 'giamngheo_applications{status="submitted"}' in text
    assert "giamngheo_database_up 1.0" in text
    # The app's unprivileged role reads the archiver's progress.
    assert re.search(r"^giamngheo_wal_unarchived_segments \d", text, re.M), text
    assert through_nginx.status == 200
    assert forged.status == 200  # this host, whatever it claims; nginx appended 127.0.0.1
    assert b"giamngheo_http_requests_total" in through_nginx.body


def test_page_weight_and_first_visit_on_a_slow_link_through_nginx(deployment):
    """The figures of issue 13, through nginx over HTTPS/2: printed, and the size goals held."""
    from playwright.sync_api import sync_playwright

    from bench.pageweight import (
        CHROMIUM,
        CHROMIUM_ARGS,
        PROFILES,
        first_visit,
        median_load,
        shell_weight,
    )

    context = ssl.create_default_context(cafile=str(deployment.certificate))
    shell, _ = shell_weight(deployment.url, context)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            home = first_visit(browser, deployment.url, ignore_https_errors=True)
            times = {
                name: median_load(browser, deployment.url, (name, bits, rtt), 3,
                                  ignore_https_errors=True)
                for name, bits, rtt in PROFILES
            }  # fmt: skip
        finally:
            browser.close()

    print(f"\nthrough nginx: home page {home.wire_bytes / 1000:.1f} KB on the wire "
          f"({len(home.requests)} requests), offline shell {shell / 1000:.1f} KB; first visit "
          + ", ".join(f"{seconds:.2f} s at {name}" for name, seconds in times.items()))  # fmt: skip
    assert home.wire_bytes <= 20_000, home.requests
    assert shell <= 80_000


LOOKUP_APPLICANT = {"full_name": "Lò Thị Mai", "citizen_id": "012190077777", "phone": "0978555123"}


def test_lookups_leave_no_proof_or_tracking_code_in_the_access_logs(deployment):
    """Issue 12: the real logs of nginx and gunicorn, as the roles configure them, after an
    applicant's lookups in every form (as designed, and with the proof in a URL)."""
    json_headers = {"Content-Type": "application/json"}
    body = application_request(commune_code=units.communes(deployment.province)[0].code,
                               applicant=LOOKUP_APPLICANT)  # fmt: skip
    submitted = https(deployment, "POST", "/api/v1/applications", json.dumps(body).encode(),
                      {**json_headers, "Idempotency-Key": f"lookup-{time.time_ns()}"})  # fmt: skip
    assert submitted.status == 201, submitted.body
    code = json.loads(submitted.body)["tracking_code"]
    dashed = f"{code[:4]}-{code[4:8]}-{code[8:]}"
    phone, citizen_id = LOOKUP_APPLICANT["phone"], LOOKUP_APPLICANT["citizen_id"]

    by_phone = https(deployment, "POST", f"/api/v1/applications/{code}/lookup",
                     json.dumps({"phone": phone}).encode(), json_headers)  # fmt: skip
    by_id = https(deployment, "POST", f"/api/v1/applications/{dashed.lower()}/lookup",
                  json.dumps({"citizen_id": citizen_id}).encode(), json_headers)  # fmt: skip
    query = f"phone={phone}&citizen_id={citizen_id}"
    in_query = https(deployment, "GET", f"/api/v1/applications/{dashed}?{query}")
    form_get = https(deployment, "GET", f"/status?tracking_code={dashed}&proof={phone}",
                     headers={"Referer": f"{deployment.url}status?code={code}"})  # fmt: skip

    assert by_phone.status == by_id.status == 200, by_phone.body
    assert json.loads(by_phone.body)["tracking_code"] == code
    assert by_phone.header("Cache-Control") == ["no-store"]
    assert in_query.status == 400
    assert form_get.status == 303
    assert form_get.header("Location")[0].endswith("/status")
    time.sleep(1)  # both write their line after the answer
    logs = {
        "nginx": deployment.prefix / "nginx" / "run" / "access.log",
        "gunicorn": deployment.prefix / "var" / "log" / "web.log",
    }
    for name, path in logs.items():
        logged = path.read_text(errors="replace")
        assert "/api/v1/applications/<code>/lookup" in logged, (name, logged[-2000:])
        for secret in (phone, citizen_id, code, dashed, dashed.lower(), code.lower()):
            assert secret not in logged, (name, secret)
        request_lines = re.findall(r'"(?:GET|POST|HEAD) ([^" ]*)', logged)
        assert request_lines, (name, logged[-2000:])
        assert not [path for path in request_lines if "?" in path], name


def test_every_lookup_location_is_rate_limited_per_client_whatever_the_method(deployment):
    code = "K7QMT4XPR2"
    # The lookups of the test before have drained from the zone (one every two seconds).
    time.sleep(10)
    started = time.monotonic()
    answers = [https(deployment, "GET", f"/api/v1/applications/{code}") for _ in range(12)]
    answers += [https(deployment, "GET", "/status") for _ in range(12)]
    elapsed = time.monotonic() - started

    # 30 a minute with a burst of 20 per address, every method: 21 reach the app (the refused
    # query-string form answers 400, the portal's form 200), one more every two seconds.
    statuses = [answer.status for answer in answers]
    assert 429 not in statuses[:21], statuses
    assert len(statuses) - statuses.count(429) <= 21 + int(elapsed // 2), statuses
    limited = [answer for answer in answers if answer.status == 429]
    assert limited, statuses
    assert json.loads(limited[0].body)["error"]["code"] == "too_many_requests"
    # Other pages are not limited.
    assert https(deployment, "GET", "/healthz").status == 200


def submit_through_nginx(deployment: LocalDeployment, count: int) -> list[tuple[str, float]]:
    """Residents' applications through nginx: each tracking code with the moment of its 201."""
    commune = units.communes(deployment.province)[0].code
    acknowledged = []
    for index in range(count):
        body = application_request(
            commune_code=commune,
            applicant={"full_name": "Lò Thị Mai", "citizen_id": f"0121900{index:05d}",
                       "phone": f"09120{index:05d}"},
        )  # fmt: skip
        key = {"Idempotency-Key": f"deploy-{deployment.name}-{time.time_ns()}",
               "Content-Type": "application/json"}  # fmt: skip
        answer = https(deployment, "POST", "/api/v1/applications", json.dumps(body).encode(), key)
        assert answer.status == 201, answer.body
        acknowledged.append((json.loads(answer.body)["tracking_code"], time.time()))
    return acknowledged


def node_sql(deployment: LocalDeployment, sql: str, port: int | None = None) -> str:
    result = psql(sql, port or deployment.pg_port, deployment.database)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_standby_streams_what_the_primary_writes(deployment):
    result = deployment.apply(playbook="standby.yml")
    assert result.returncode == 0, tail(result)

    [(tracking, _)] = submit_through_nginx(deployment, 1)

    sql = f"SELECT count(*) FROM applications WHERE tracking_code = '{tracking}'"
    for _ in range(60):
        if node_sql(deployment, sql, deployment.standby_port) == "1":
            break
        time.sleep(0.5)
    assert node_sql(deployment, sql, deployment.standby_port) == "1"
    assert node_sql(deployment, "SELECT pg_is_in_recovery()", deployment.standby_port) == "t"


def pgbackrest(deployment: LocalDeployment, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", "pgbackrest",
         f"--config={deployment.pgbackrest_config}", f"--stanza={deployment.database}", *args],
        capture_output=True, text=True, timeout=600, cwd="/",
    )  # fmt: skip


def wait_until_archived(deployment: LocalDeployment, lsn: str, timeout: float = 180) -> float:
    """When the WAL file holding ``lsn`` reached the repository (archive_timeout, not forced)."""
    segment = node_sql(deployment, f"SELECT pg_walfile_name('{lsn}')")
    deadline = time.time() + timeout
    while time.time() < deadline:
        archived = node_sql(
            deployment, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver"
        )
        if archived[:24] >= segment:
            return time.time()
        time.sleep(0.5)
    raise AssertionError(f"{segment} not archived within {timeout} s")


def test_pgbackrest_brings_back_every_acknowledged_application(deployment):
    """Issue 13: applications through nginx, the WAL archived on its own, the restore drill, then
    the cluster's data directory destroyed and restored from the repository."""
    acknowledged = submit_through_nginx(deployment, 8)
    last_ack = acknowledged[-1][1]
    lsn = node_sql(deployment, "SELECT pg_current_wal_lsn()")
    archived_at = wait_until_archived(deployment, lsn)
    recovery_point = archived_at - last_ack

    drill = subprocess.run(
        [str(deployment.drill_script)], capture_output=True, text=True, timeout=600, cwd="/"
    )
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert f"newest_application={acknowledged[-1][0]}" in drill.stdout
    assert "audit_chain=ok" in drill.stdout

    # The disk dies: the server stops at once (no checkpoint, no last archiving) and its data
    # directory is gone. An immediate stop rather than SIGKILL: a killed postmaster whose parent
    # never reaps it (a container's PID 1) stays a zombie, so its socket lock file in /run still
    # names a live PID and the restored server refuses to start, which a reboot would not do.
    stopped = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", "15", deployment.cluster, "stop",
         "--mode", "immediate"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert stopped.returncode == 0, stopped.stderr
    shutil.rmtree(deployment.data_dir)
    started = time.time()
    deployment.data_dir.mkdir(mode=0o700)
    shutil.chown(deployment.data_dir, "postgres", "postgres")
    restored = pgbackrest(deployment, "restore")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    start = subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", "15", deployment.cluster, "start"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert start.returncode == 0, start.stderr
    for _ in range(600):
        if psql("SELECT pg_is_in_recovery()", deployment.pg_port).stdout.strip() == "f":
            break
        time.sleep(0.5)
    restore_seconds = time.time() - started

    codes = ", ".join(f"'{code}'" for code, _ in acknowledged)
    found = node_sql(
        deployment, f"SELECT count(*) FROM applications WHERE tracking_code IN ({codes})"
    )
    print(f"\nrecovery point: the newest acknowledged application reached the archive "
          f"{recovery_point:.1f} s after its 201 (goal ≤ 60 s); restore of the destroyed cluster "
          f"(pgbackrest restore + WAL replay) {restore_seconds:.1f} s; {found} of "
          f"{len(acknowledged)} acknowledged applications back")  # fmt: skip
    assert found == str(len(acknowledged))
    assert recovery_point <= 60
    # The app reconnects by itself.
    for _ in range(30):
        if https(deployment, "GET", "/healthz").status == 200:
            break
        time.sleep(1)
    assert https(deployment, "GET", "/healthz").status == 200


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
