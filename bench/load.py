"""Peak review season on gunicorn + PostgreSQL on the loopback, then EXPLAIN of the hot queries.

Run: .venv/bin/python bench/load.py [--seconds 30] [--seed 3000] [--workers N] [--residents 12]

A fresh PostgreSQL database is migrated by `giamngheo node init-db`, officers of commune 00070 are
created with `giamngheo node create-user`, and `node.wsgi:app` is served by gunicorn. The bench
seeds --seed applications through the API (so the lists are not empty), then for --seconds runs
at the same time, from client threads of this process (plain threads + requests, nothing extra):

- residents submitting applications (POST /api/v1/applications, a unique Idempotency-Key each,
  bodies from shared.standards.synthetic.random_facts, commune 00070 of province 01): the main load;
- residents looking up the status of codes they got (POST /api/v1/applications/<code>/lookup);
- commune officers listing (GET /api/v1/applications?status=submitted&page=…) and starting the
  review of what they find (POST /api/v1/applications/<id>/actions/start_review), each with the
  bearer token of POST /api/v1/auth/token;
- the hub pulling GET /api/v1/aggregates with the token of `giamngheo node hub-credentials`
  a few times a second (with If-None-Match, as the hub does).

It prints p50/p95/p99 latency, throughput and errors for each kind of request and in total,
beside the targets of issue 7 (≥ 300 submissions/s sustained, p95 ≤ 300 ms, zero errors). Then it
runs the officers' list (status filter, commune filter, the count) and the status lookup by
tracking code through the real service functions on the loaded database, captures their SQL with
an engine event, prints EXPLAIN of each and names every sequential scan.
Client and server share this machine's cores: the figures are a floor for the server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from submit import ADMIN_URL, database, free_port  # noqa: E402

# The Ansible app role's app_gunicorn_workers: what a node runs with on this many cores.
DEPLOYED_WORKERS = min(2 * (os.cpu_count() or 1) + 1, 9)

from shared.standards.synthetic import random_facts  # noqa: E402

COMMUNE = "00070"
PASSWORD = "bench-officer-pw-2026!"
TARGET_RATE = 300.0
TARGET_P95_MS = 300.0
KINDS = ("submit", "lookup", "list", "start_review", "aggregates")


class Recorder:
    """Latencies (seconds) and error counts per kind of request, from many threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: dict[str, list[str]] = defaultdict(list)

    def time(self, kind: str, call, ok: tuple[int, ...]) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = call()
        except requests.RequestException as error:
            response, problem = None, repr(error)
        else:
            problem = None if response.status_code in ok else f"{response.status_code}"
            if problem:
                problem += f" {response.text[:200]}"
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
            if problem:
                self.errors[kind] += 1
                if len(self.samples[kind]) < 3:
                    self.samples[kind].append(problem)
        return response if problem is None else None


def make_bodies(count: int, period: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [random_facts(rng, period) for _ in range(count)]


def application_body(rng: random.Random, households: list[dict]) -> dict:
    return {
        "commune_code": COMMUNE,
        "kind": "enter",
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "citizen_id": f"{rng.randrange(10**12):012d}",
            "phone": f"09{rng.randrange(10**8):08d}",
        },
        "household": rng.choice(households),
        "consent": True,
    }


def submit_once(session, url, rng, households, recorder, codes, kind="submit") -> None:
    body = application_body(rng, households)
    response = recorder.time(
        kind,
        lambda: session.post(
            url + "/api/v1/applications",
            json=body,
            headers={"Idempotency-Key": secrets.token_hex(16)},
            timeout=(5, 60),
        ),
        (201,),
    )
    if response is not None:
        codes.append((response.json()["tracking_code"], body["applicant"]["phone"]))


def seed(url: str, households: list[dict], count: int, clients: int) -> list[tuple[str, str]]:
    """``count`` applications through the API, before the measurement."""
    codes: list[tuple[str, str]] = []
    recorder = Recorder()
    left = iter(range(count))
    lock = threading.Lock()

    def client(index: int) -> None:
        rng = random.Random(10_000 + index)
        with requests.Session() as session:
            while True:
                with lock:
                    if next(left, None) is None:
                        return
                submit_once(session, url, rng, households, recorder, codes)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if recorder.errors:
        print(f"seeding: {sum(recorder.errors.values())} errors, e.g. {recorder.samples}")
    return codes


def run_load(args, url: str, households, codes, tokens, hub_token) -> tuple[Recorder, float]:
    recorder = Recorder()
    stop = threading.Event()

    def resident(index: int) -> None:
        rng = random.Random(index)
        with requests.Session() as session:
            while not stop.is_set():
                submit_once(session, url, rng, households, recorder, codes)

    def looker(index: int) -> None:
        rng = random.Random(1000 + index)
        with requests.Session() as session:
            while not stop.is_set():
                code, phone = rng.choice(codes)
                recorder.time(
                    "lookup",
                    partial(
                        session.post,
                        f"{url}/api/v1/applications/{code}/lookup",
                        json={"phone": phone},
                        timeout=60,
                    ),
                    (200,),
                )
                stop.wait(args.think)

    def officer(index: int, token: str) -> None:
        # Officer i takes the ids ≡ i (mod officers), so two officers never race for one file.
        rng = random.Random(2000 + index)
        headers = {"Authorization": f"Bearer {token}"}
        with requests.Session() as session:
            while not stop.is_set():
                params = {"status": "submitted", "page": rng.randint(1, 3)}
                if rng.random() < 0.5:
                    params["commune"] = COMMUNE
                response = recorder.time(
                    "list",
                    partial(
                        session.get,
                        url + "/api/v1/applications",
                        params=params,
                        headers=headers,
                        timeout=60,
                    ),
                    (200,),
                )
                mine = [
                    item["id"]
                    for item in (response.json()["items"] if response is not None else [])
                    if item["id"] % len(tokens) == index
                ]
                for application_id in mine[: args.actions_per_list]:
                    if stop.is_set():
                        break
                    recorder.time(
                        "start_review",
                        lambda application_id=application_id: session.post(
                            f"{url}/api/v1/applications/{application_id}/actions/start_review",
                            json={},
                            headers=headers,
                            timeout=60,
                        ),
                        (200,),
                    )
                stop.wait(args.think)

    def hub() -> None:
        etag = None
        with requests.Session() as session:
            while not stop.is_set():
                headers = {"Authorization": f"Bearer {hub_token}"}
                if etag:
                    headers["If-None-Match"] = etag
                response = recorder.time(
                    "aggregates",
                    partial(session.get, url + "/api/v1/aggregates", headers=headers, timeout=60),
                    (200, 304),
                )
                if response is not None and response.headers.get("ETag"):
                    etag = response.headers["ETag"]
                stop.wait(1 / args.hub_rate)

    threads = [threading.Thread(target=resident, args=(i,)) for i in range(args.residents)]
    threads += [threading.Thread(target=looker, args=(i,)) for i in range(args.lookups)]
    threads += [threading.Thread(target=officer, args=(i, token)) for i, token in enumerate(tokens)]
    threads.append(threading.Thread(target=hub))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return recorder, time.monotonic() - started


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_by_part(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of gunicorn (master and workers), PostgreSQL (every server process)
    and this client, from /proc: where the machine's cores go during the load."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            names[int(entry.name)] = stat[stat.index("(") + 1 : stat.rindex(")")]
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    workers = [pid for pid, parent in parents.items() if parent == server_pid]
    return {
        "gunicorn": sum(map(_cpu_seconds, [server_pid, *workers])),
        "PostgreSQL": sum(_cpu_seconds(pid) for pid, name in names.items() if name == "postgres"),
        "this client": sum(os.times()[:2]),
    }


def report_cpu(used: dict[str, float], elapsed: float, requests_done: int) -> None:
    cores = os.cpu_count() or 1
    shares = ", ".join(f"{part} {seconds / elapsed:.0%}" for part, seconds in used.items())
    idle = cores - sum(used.values()) / elapsed
    print(f"CPU while measuring, in cores (of {cores}): {shares}, the rest {idle:.0%}")
    print(f"  gunicorn spent {used['gunicorn'] / requests_done * 1000:.1f} ms of CPU per request, "
          f"PostgreSQL {used['PostgreSQL'] / requests_done * 1000:.1f} ms")  # fmt: skip


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(recorder: Recorder, elapsed: float) -> None:
    print(f"{'request':>13} {'count':>7} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
          f" {'errors':>6}")  # fmt: skip
    everything: list[float] = []
    for kind in KINDS:
        values = recorder.latencies.get(kind, [])
        everything += values
        print(f"{kind:>13} {len(values):7d} {len(values) / elapsed:8.1f}"
              f" {percentile(values, 0.50) * 1000:8.1f} {percentile(values, 0.95) * 1000:8.1f}"
              f" {percentile(values, 0.99) * 1000:8.1f}"
              f" {recorder.errors.get(kind, 0):6d}")  # fmt: skip
    errors = sum(recorder.errors.values())
    print(f"{'total':>13} {len(everything):7d} {len(everything) / elapsed:8.1f}"
          f" {percentile(everything, 0.50) * 1000:8.1f} {percentile(everything, 0.95) * 1000:8.1f}"
          f" {percentile(everything, 0.99) * 1000:8.1f} {errors:6d}")  # fmt: skip
    for kind, samples in recorder.samples.items():
        print(f"  {kind} errors, e.g.: {samples}")
    submits = recorder.latencies.get("submit", [])
    rate = len(submits) / elapsed
    p95 = percentile(everything, 0.95) * 1000
    p95_submit = percentile(submits, 0.95) * 1000

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print("targets (issue 7):")
    print(f"  submissions/s ≥ {TARGET_RATE:.0f}: {rate:.1f}/s — {verdict(rate >= TARGET_RATE)}")
    print(f"  p95 ≤ {TARGET_P95_MS:.0f} ms: all requests {p95:.0f} ms, submissions {p95_submit:.0f}"
          f" ms — {verdict(p95 <= TARGET_P95_MS)}")  # fmt: skip
    print(f"  zero errors: {errors} — {verdict(errors == 0)}")


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path):
    """gunicorn serving node.wsgi:app on a free port (like submit.py's, but patient at boot)."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--chdir", str(ROOT), "--log-level", "warning", "node.wsgi:app"]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url + "/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def giamngheo(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        [str(BIN / "giamngheo"), *args], env=env, input=stdin, capture_output=True, text=True,
        check=True, timeout=300,
    ).stdout  # fmt: skip


def explain(env: dict[str, str], codes: list[tuple[str, str]]) -> None:
    """Run the officers' list and the status lookup through the services; EXPLAIN their SQL."""
    os.environ.update({k: v for k, v in env.items() if k.startswith("GIAMNGHEO_")})
    from node import create_app
    from node.context import node_context
    from node.extensions import db
    from node.models.users import User
    from node.services import review
    from node.services.accounts import official_for_user
    from node.services.applications import access_log, find_application

    app = create_app()
    captured: list[tuple[str, str, object]] = []
    label = ["?"]

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "applications" in statement:
            captured.append((label[0], statement, parameters))

    with app.test_request_context():
        sa.event.listen(db.engine, "before_cursor_execute", capture)
        try:
            user = db.session.scalar(sa.select(User).where(User.username == "officer0"))
            official, context = official_for_user(user), node_context()
            for name, filters in (
                ("list status=submitted", {"status": "submitted"}),
                ("list status=submitted&commune", {"status": "submitted", "commune": COMMUNE}),
                ("list status=under_review p3", {"status": "under_review", "page": 3}),
            ):
                label[0] = name
                review.list_applications(db.session, official, context, **filters)
            label[0] = "status lookup"
            code, phone = codes[len(codes) // 2]
            access_log(db.session, find_application(db.session, code, phone=phone))
            db.session.rollback()
            sa.event.remove(db.engine, "before_cursor_execute", capture)
            with db.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
                sizes = connection.exec_driver_sql(
                    "SELECT status, count(*) FROM applications GROUP BY status ORDER BY 1"
                ).all()
                print("applications by status:", ", ".join(f"{s} {n}" for s, n in sizes))
                seen = set()
                for name, statement, parameters in captured:
                    if statement in seen:
                        continue
                    seen.add(statement)
                    plan = [
                        row[0]
                        for row in connection.exec_driver_sql(
                            "EXPLAIN (ANALYZE, BUFFERS OFF) " + statement, parameters
                        )
                    ]
                    scans = sorted(set(re.findall(r"Seq Scan on (\w+)", "\n".join(plan))))
                    indexes = sorted(set(re.findall(r"Index (?:Only )?Scan(?: Backward)? using "
                                                    r"(\w+)", "\n".join(plan))))  # fmt: skip
                    indexes += sorted(set(re.findall(r"Bitmap Index Scan on (\w+)",
                                                     "\n".join(plan))))  # fmt: skip
                    flat = " ".join(statement.split())
                    print(f"\n[{name}] {flat[:160]}{'…' if len(flat) > 160 else ''}")
                    print("  params:", json.dumps(parameters, default=str)[:160])
                    for line in plan:
                        print("   ", line)
                    verdict = "SEQUENTIAL SCAN on " + ", ".join(scans) if scans else "no seq scan"
                    print(f"  => indexes: {', '.join(indexes) or 'none'}; {verdict}")
        finally:
            if sa.event.contains(db.engine, "before_cursor_execute", capture):
                sa.event.remove(db.engine, "before_cursor_execute", capture)
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--seed", type=int, default=3000, help="applications before measuring")
    parser.add_argument(
        "--workers", type=int, default=DEPLOYED_WORKERS, help="gunicorn sync workers (as deployed)"
    )
    parser.add_argument("--residents", type=int, default=12, help="submitting threads")
    parser.add_argument("--lookups", type=int, default=2, help="status-lookup threads")
    parser.add_argument("--officers", type=int, default=2, help="officer threads (one user each)")
    parser.add_argument("--actions-per-list", type=int, default=5)
    parser.add_argument("--think", type=float, default=0.1, help="pause of lookups and officers")
    parser.add_argument("--hub-rate", type=float, default=3, help="aggregate pulls per second")
    args = parser.parse_args()

    period = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    households = make_bodies(1000, period, 2026)
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    logs = Path(tempfile.mkdtemp(prefix="giamngheo-load-"))
    with database(admin, "load") as node_url:
        env = {
            **os.environ,
            "GIAMNGHEO_ENV": "production",
            "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(48),
            "GIAMNGHEO_PROVINCE": "01",
            "GIAMNGHEO_DATABASE_URL": node_url,
            "GIAMNGHEO_SIGNING_KEY_FILE": str(logs / "node.pem"),
        }
        giamngheo(env, "node", "init-db")
        for index in range(args.officers):
            giamngheo(env, "node", "create-user", f"officer{index}", "--role", "commune_officer",
                      "--unit", COMMUNE, stdin=PASSWORD + "\n")  # fmt: skip
        credentials = giamngheo(env, "node", "hub-credentials")
        line = next(line for line in credentials.splitlines() if line.startswith("{"))
        hub_token = json.loads(line)["token"]
        with gunicorn(env, args.workers, logs / "gunicorn.log") as (url, server_pid):
            started = time.monotonic()
            codes = seed(url, households, args.seed, args.residents)
            seeded = time.monotonic() - started
            print(f"seeded {len(codes)} applications in {seeded:.1f} s")
            tokens = [
                requests.post(url + "/api/v1/auth/token", timeout=30,
                              json={"username": f"officer{i}", "password": PASSWORD}
                              ).json()["token"]
                for i in range(args.officers)
            ]  # fmt: skip
            before = cpu_by_part(server_pid)
            recorder, elapsed = run_load(args, url, households, codes, tokens, hub_token)
            used = {part: seconds - before.get(part, 0.0)
                    for part, seconds in cpu_by_part(server_pid).items()}  # fmt: skip
        with admin.connect() as connection:
            version = connection.exec_driver_sql("SHOW server_version").scalar()
        print(f"\npython {platform.python_version()}, {os.cpu_count()} cores, "
              f"PostgreSQL {version} on loopback")  # fmt: skip
        print(f"gunicorn {args.workers} sync workers; {args.residents} submitting, {args.lookups}"
              f" looking-up, {args.officers} officer threads, hub {args.hub_rate}/s; "
              f"{elapsed:.1f} s after {args.seed} seeded applications")  # fmt: skip
        print("NOTE: the client threads, gunicorn and PostgreSQL share these "
              f"{os.cpu_count()} cores; the server alone would do better.")  # fmt: skip
        report(recorder, elapsed)
        report_cpu(used, elapsed, sum(map(len, recorder.latencies.values())))
        print("\nEXPLAIN on the loaded database (ANALYZE run first):")
        explain(env, codes)
    admin.dispose()
    print(f"\nlogs: {logs}")


if __name__ == "__main__":
    main()
