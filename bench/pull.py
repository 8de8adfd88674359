"""The hub pulling all 34 provinces' nodes on the loopback (goal: a full pull under 10 s).

Run: .venv/bin/python bench/pull.py [--fake] [--database-url URL] [--workers N]

By default the 34 nodes are real node processes (`giamngheo node init-db` + `node run`, SQLite,
empty: every commune's row is there, with zero counts), so each snapshot has the real size of
its province (3,321 communes in all). With --fake, one child process serves 34 signed snapshots
of the same shape with made-up counts instead (lighter on a small machine). The hub runs in this
process on a fresh SQLite file (or --database-url) and pulls with `hub.scheduler.pull_now`, the
function behind `giamngheo hub pull-now`. Figures: the full pull (every node sends its snapshot,
the hub verifies, validates and stores it), then the pull where every node answers 304.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from sqlalchemy import update  # noqa: E402

from hub import create_app  # noqa: E402
from hub.config import load_config  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.models import Node  # noqa: E402
from hub.scheduler import pull_now  # noqa: E402
from hub.services.nodes import TokenCipher, register_node  # noqa: E402
from shared import units  # noqa: E402
from shared.schemas import (  # noqa: E402
    ACTIVITY_FIELDS,
    COUNT_FIELDS,
    SCHEMA_VERSION,
    snapshot_id_of,
)
from shared.schemas.binding import (  # noqa: E402
    BINDING_HEADER,
    NONCE_HEADER,
    PERIOD_HEADER,
    binding_message,
    is_nonce,
)
from shared.web.database import upgrade_database  # noqa: E402

GOAL_SECONDS = 10.0
STARTUP_TIMEOUT = 180.0
FAKE_TOKEN = "bench-fake-node-token-0123456789"


def free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def node_env(code: str, workdir: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIAMNGHEO_")},
        "GIAMNGHEO_ENV": "development",
        "GIAMNGHEO_PROVINCE": code,
        "GIAMNGHEO_DATABASE_URL": f"sqlite:///{workdir / f'node-{code}.db'}",
        "GIAMNGHEO_SIGNING_KEY_FILE": str(workdir / f"node-{code}.pem"),
        "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(32),
    }


def giamngheo(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "shared.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout


def start_real_nodes(workdir: Path, children: list[subprocess.Popen]) -> list[dict]:
    """34 node processes: init-db and hub-credentials in parallel, then run, then /healthz."""
    codes = [province.code for province in units.provinces()]
    ports = free_ports(len(codes))
    envs = {code: node_env(code, workdir) for code in codes}
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda code: giamngheo(envs[code], "node", "init-db"), codes))
        credentials = pool.map(lambda code: giamngheo(envs[code], "node", "hub-credentials"), codes)
        outputs = dict(zip(codes, credentials, strict=True))
    nodes = []
    for code, port in zip(codes, ports, strict=True):
        log = (workdir / f"node-{code}.log").open("wb")
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "shared.cli", "node", "run", "--port", str(port)],
                env=envs[code],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        line = next(line for line in outputs[code].splitlines() if line.startswith("{"))
        nodes.append({"code": code, "url": f"http://127.0.0.1:{port}/", **json.loads(line)})
    deadline = time.monotonic() + STARTUP_TIMEOUT
    for node in nodes:
        while True:
            try:
                if requests.get(f"{node['url']}healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"node {node['code']} did not start")
            time.sleep(0.2)
    return nodes


def fake_snapshot(code: str) -> bytes:
    rows = []
    for index, commune in enumerate(units.communes(code)):
        row = {"commune_code": commune.code}
        row.update({name: (index * 7 + n) % 500 for n, name in enumerate(COUNT_FIELDS)})
        row["households_total"] = 5000 + index
        row["deprived"] = {"employment": index % 50, "health_insurance": index % 30}
        row["suppressed"] = []
        # Version 2: the review's activity and the projection under the next standard.
        row["activity"] = {name: (index + n) % 40 for n, name in enumerate(ACTIVITY_FIELDS)}
        row["projected"] = {
            "standard_id": "VN-2027-2030", "households": 400 + index % 100, "poor": index % 60,
            "near_poor": index % 45, "deprived": {"waste": index % 20, "telecom": index % 15},
            "current": {"poor": index % 50, "near_poor": index % 40,
                        "deprived": {"telecom": index % 10, "information_access": index % 12}},
        }  # fmt: skip
        rows.append(row)
    content = {
        "schema_version": SCHEMA_VERSION,
        "official": None,
        "province_code": code,
        "period": 2026,
        "standard_id": "VN-2022-2025",
        "suppression_k": None,
        "rows": rows,
    }
    document = {
        **content,
        "snapshot_id": snapshot_id_of(content),
        "generated_at": "2026-11-28T00:00:00+00:00",
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def serve_fakes() -> None:
    """Child process: 34 fake nodes; prints one JSON line per node, then serves until killed.

    Each answer is bound to its request (the hub's nonce), as a real node's is."""
    for province in units.provinces():
        key = Ed25519PrivateKey.generate()
        body = fake_snapshot(province.code)
        snapshot_id = json.loads(body)["snapshot_id"]
        signature = base64.b64encode(key.sign(body)).decode("ascii")

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            payload, tag, sig, signer = body, f'"{snapshot_id}"', signature, key
            code, snapshot = province.code, snapshot_id

            def do_GET(self) -> None:
                nonce = self.headers.get(NONCE_HEADER)
                bound = {"ETag": self.tag, PERIOD_HEADER: "2026"}
                if is_nonce(nonce):
                    message = binding_message(nonce, self.code, 2026, self.snapshot)
                    bound[BINDING_HEADER] = base64.b64encode(self.signer.sign(message)).decode()
                if self.headers.get("Authorization") != f"Bearer {FAKE_TOKEN}":
                    status, headers, out = 401, {}, b""
                elif self.headers.get("If-None-Match") == self.tag:
                    status, headers, out = 304, bound, b""
                else:
                    status, out = 200, self.payload
                    headers = {**bound, "X-Signature": self.sig,
                               "Content-Type": "application/json"}  # fmt: skip
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *_args) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        print(json.dumps({"code": province.code, "url": f"http://127.0.0.1:{server.server_address[1]}/",
                          "token": FAKE_TOKEN, "public_key": base64.b64encode(raw).decode()}),
              flush=True)  # fmt: skip
    print("ready", flush=True)
    threading.Event().wait()


def start_fake_nodes(children: list[subprocess.Popen]) -> list[dict]:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve-fakes"], stdout=subprocess.PIPE, text=True
    )
    children.append(child)
    nodes = []
    for line in child.stdout:
        if line.strip() == "ready":
            return nodes
        nodes.append(json.loads(line))
    raise SystemExit("the fake nodes did not start")


def timed_pull(app) -> tuple[float, list]:
    with app.app_context():
        started = time.perf_counter()
        results = pull_now()
        return time.perf_counter() - started, results


def report(label: str, seconds: float, results: list) -> None:
    outcomes: dict[str, int] = {}
    for result in results:
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    durations = [result.duration_ms for result in results]
    total_bytes = sum(result.bytes for result in results)
    print(
        f"{label:<28} {seconds:6.2f} s   {len(results)} nodes {outcomes}   "
        f"{total_bytes / 1e6:6.2f} MB   per node p50 {statistics.median(durations):.0f} ms, "
        f"max {max(durations)} ms   goal {GOAL_SECONDS:.0f} s: {seconds / GOAL_SECONDS:.0%} of it"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fake", action="store_true", help="lightweight fake nodes")
    parser.add_argument("--database-url", help="the hub database (default: a fresh SQLite file)")
    parser.add_argument("--workers", type=int, default=8, help="nodes pulled at once")
    parser.add_argument("--serve-fakes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fakes:
        serve_fakes()
        return
    logging.basicConfig(level=logging.WARNING)
    workdir = Path(tempfile.mkdtemp(prefix="giamngheo-bench-pull-"))
    children: list[subprocess.Popen] = []
    try:
        started = time.perf_counter()
        nodes = start_fake_nodes(children) if args.fake else start_real_nodes(workdir, children)
        kind = (
            "lightweight fake servers (one child process)" if args.fake else "real node processes"
        )
        print(f"34 nodes: {kind}, started in {time.perf_counter() - started:.1f} s")
        url = args.database_url or f"sqlite:///{workdir / 'hub.db'}"
        app = create_app(
            load_config({"GIAMNGHEO_ENV": "development", "GIAMNGHEO_DATABASE_URL": url})
        )
        app.config["PULL_WORKERS"] = args.workers
        with app.app_context():
            upgrade_database()
            cipher = TokenCipher(app.config["SECRET_KEY"])
            for node in nodes:
                register_node(db.session, cipher, province_code=node["code"], url=node["url"],
                              token=node["token"], public_key=node["public_key"])  # fmt: skip
            db.session.commit()
        print(f"hub: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, {args.workers} "
              f"nodes at once, on {os.cpu_count()} CPU cores")  # fmt: skip
        first, results = timed_pull(app)
        report("first pull (34 × 200, stored)", first, results)
        with app.app_context():
            # Forget the ETags, so every node sends its whole snapshot again.
            db.session.execute(update(Node).values(last_snapshot_id=None))
            db.session.commit()
        full, results = timed_pull(app)
        report("again (34 × 200, known)", full, results)
        unchanged, results = timed_pull(app)
        report("unchanged pull (34 × 304)", unchanged, results)
        failed = [r for r in results if r.outcome == "error"]
        if failed:
            print("errors:", "; ".join(f"{r.province_code}: {r.error}" for r in failed))
        print(f"full pull: {first:.2f} s for 34 nodes, verified, validated and stored "
              f"(goal < {GOAL_SECONDS:.0f} s: {GOAL_SECONDS / first:.1f}× headroom)")  # fmt: skip
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
