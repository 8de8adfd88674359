"""The access log gunicorn writes with the shipped configuration (ansible/roles/app) holds no
proof, ID number, phone or tracking code (issue 12).

The Flask test client never reaches gunicorn's access log, so this runs the real thing: the
role's gunicorn.conf.py template rendered as Ansible would, gunicorn serving a node on a free
port, the applicant's lookups in every form — in the body as designed, and in the query string
and a form GET as a careless client would — then the log read. (The deploy test does the same
through nginx, for nginx's log as well.)
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import pytest
import requests

from tests.builders import application_request, household

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "ansible" / "roles" / "app" / "templates" / "gunicorn.conf.py.j2"
APPLICANT = {"full_name": "Lò Văn Páo", "citizen_id": "012190045678", "phone": "0978123456"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def render_gunicorn_config(directory: Path, port: int) -> Path:
    """The role's template with the variables Ansible would give it."""
    text = jinja2.Template(TEMPLATE.read_text(), undefined=jinja2.StrictUndefined).render(
        ansible_managed="rendered by tests/node/test_access_logs.py",
        app_kind="node",
        app_instance="giamngheo-test",
        app_metrics_dir=str(directory / "metrics"),
        app_gunicorn_bind=f"127.0.0.1:{port}",
        app_gunicorn_workers=1,
        app_gunicorn_timeout=30,
        app_gunicorn_max_requests=1000,
    )
    path = directory / "gunicorn.conf.py"
    path.write_text(text)
    return path


@pytest.fixture
def gunicorn_node(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A node served by gunicorn with the shipped configuration; its URL and its log file."""
    port = free_port()
    env = {
        **os.environ,
        "GIAMNGHEO_ENV": "development",
        "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(48),
        "GIAMNGHEO_PROVINCE": "01",
        "GIAMNGHEO_DATABASE_URL": f"sqlite:///{tmp_path / 'node.db'}",
        "GIAMNGHEO_SIGNING_KEY_FILE": str(tmp_path / "signing.pem"),
    }
    subprocess.run([sys.executable, "-m", "shared.cli", "node", "init-db"], env=env, cwd=REPO,
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    config = render_gunicorn_config(tmp_path, port)
    log = tmp_path / "web.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(config), "node.wsgi:app"],
            env=env, cwd=REPO, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/healthz", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):
                # Not listening yet, or listening while its worker still loads the app.
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError(log.read_text()[-3000:]) from None
                time.sleep(0.2)
        yield url, log
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_the_access_log_holds_no_proof_or_tracking_code(gunicorn_node):
    url, log = gunicorn_node
    period = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    body = application_request(applicant=APPLICANT, household=household(period=period))
    with requests.Session() as session:
        key = {"Idempotency-Key": "log-test-000001"}
        submitted = session.post(f"{url}/api/v1/applications", json=body, headers=key, timeout=30)
        assert submitted.status_code == 201, submitted.text
        code = submitted.json()["tracking_code"]
        dashed = f"{code[:4]}-{code[4:8]}-{code[8:]}"
        phone, citizen_id = APPLICANT["phone"], APPLICANT["citizen_id"]
        api = f"{url}/api/v1/applications"

        # As designed: the proof in the body.
        assert session.post(f"{api}/{code}/lookup", json={"phone": phone}).status_code == 200
        assert session.post(f"{api}/{dashed.lower()}/lookup",
                            json={"citizen_id": citizen_id}).status_code == 200  # fmt: skip
        # As a careless client would: the proof in the query string, refused but logged.
        session.get(f"{api}/{code}?phone={phone}&citizen_id={citizen_id}")
        session.post(f"{api}/{dashed}/withdraw?phone={phone}", json={"phone": phone})
        # The portal: its form (POST), and the same fields sent as a form GET.
        page = session.get(f"{url}/status").text
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "tracking_code": dashed, "proof": phone}
        status = session.post(f"{url}/status", data=form)
        assert status.status_code == 200
        assert phone in status.text  # the page itself carries it (for the withdraw button)
        session.get(f"{url}/status", params={"tracking_code": dashed, "proof": citizen_id})
        session.get(f"{url}/status?code={dashed}", headers={"Referer": f"{url}/status?code={code}"})

    time.sleep(0.5)  # gunicorn writes its access lines after each answer
    logged = log.read_text()
    assert re.search(r'"POST /api/v1/applications/\S+/lookup HTTP/1.1" 200', logged), logged
    assert '"GET /status HTTP/1.1"' in logged, logged
    for secret in (phone, citizen_id, code, dashed, dashed.lower(), code[:4] + "-"):
        assert secret not in logged, (secret, logged)
    assert "?" not in "".join(line for line in logged.splitlines() if "HTTP/1.1" in line)
