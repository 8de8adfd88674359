"""The node at three sizes of a province on PostgreSQL, every officials' operation through the real
app, side by side (issue 17): median and p95 time, SQL statements, growth from small to large.

Run: .venv/bin/python bench/scale.py [small|medium|large] [--sizes small,large] [--runs 30]
     [--keep] [--reuse SIZE=URL ...]

The positional size is the largest to build (default large: small, medium and large, one after
the other). Each size is a fresh database on GIAMNGHEO_BENCH_DATABASE_URL's server, migrated by
`giamngheo node init-db`, then bulk-loaded in SQL shaped like what the app writes (households
with members and two periods of statuses and deprivations; applications with their JSON facts
and self-assessments from real synthetic households, events, consents, verifications and their
identities, postings, decisions, certificates, the audit log; the tallies), VACUUM ANALYZEd,
measured, and dropped (--keep leaves it and prints its URL; --reuse measures one kept).

Every operation goes through the real app in this process (Flask's test client: routing,
sign-in, schemas, services, JSON, the PostgreSQL driver), and every SQL statement the app sends
is counted. The interactive ones (submit, lookup, start_review, verify, file page, lists,
worklists) must stay within 2× from small to large with a p95 ≤ 300 ms at large; the snapshot and
R1–R4 within 3×; R5 as XLSX for the province ≤ 5 s; statements per request the same at every
size. Import: 100,000 rows of bench/import.py's file through the import service, rolled back.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import logging
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get(
    "GIAMNGHEO_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from node import create_app  # noqa: E402
from node.config import DevelopmentConfig  # noqa: E402
from node.extensions import db  # noqa: E402
from shared import units  # noqa: E402
from shared.standards import evaluate, standard_for  # noqa: E402
from shared.standards.synthetic import random_facts  # noqa: E402

PROVINCE = "01"
COMMUNE = "00070"  # the commune officials of the bench work in (as bench/load.py)
VILLAGES_PER_COMMUNE = 10  # codes COMMUNE-001 … as bench/import.py's file names them
PASSWORD = "bench-scale-pw-2026!"


@dataclass(frozen=True)
class Size:
    """A province's size: households (with ~3.85 members each) and open applications."""

    households: int
    open_applications: int


SIZES = {
    "small": Size(10_000, 1_000),
    "medium": Size(300_000, 30_000),
    "large": Size(2_000_000, 150_000),
}
INTERACTIVE = (
    "submit", "lookup", "start_review", "verify", "file page", "list commune", "list commune deep",
    "list province", "list province deep", "worklist commune", "worklist province",
    "worklist commune next", "worklist page (web)", "list page (web)",
)  # fmt: skip
SUMMED = tuple(
    f"{form} {fmt}" for form in ("R1", "R2", "R3", "R4") for fmt in ("json", "csv", "xlsx")
)
GOAL_INTERACTIVE_GROWTH = 2.0
GOAL_P95_MS = 300.0
GOAL_SUMMED_GROWTH = 3.0
GOAL_R5_XLSX_S = 5.0


# ------------------------------------------------------------------------------ the data


def _families() -> str:
    names = (
        "Nguyễn",
        "Trần",
        "Lê",
        "Phạm",
        "Hoàng",
        "Vũ",
        "Đặng",
        "Bùi",
        "Đỗ",
        "Hồ",
        "Lò",
        "Giàng",
    )
    return "ARRAY[" + ", ".join(f"'{name}'" for name in names) + "]"


def _given() -> str:
    names = ("Văn An", "Thị Bình", "Đức Cường", "Minh Dũng", "Thị Hà", "Thu Hạnh", "Hữu Hùng",
             "Thị Lan", "Ngọc Mai", "Thị Nga", "Văn Phúc", "Seo Pánh", "A Chứ")  # fmt: skip
    return "ARRAY[" + ", ".join(f"'{name}'" for name in names) + "]"


NAME = f"({_families()})[1 + {{i}} % 12] || ' ' || ({_given()})[1 + ({{i}} / 12) % 13]"
# Poor 2%, near-poor 2%, average 8%, the rest not poor; a household's class moves between years.
CLASS = (
    "CASE WHEN ({i} + {p}) % 50 = 0 THEN 'poor' WHEN ({i} + {p}) % 50 = 1 THEN 'near_poor'"
    " WHEN ({i} + {p}) % 25 < 2 THEN 'average' ELSE 'not_poor' END"
)
MEMBERS = "(1 + {i} % 6 + ({i} % 3 = 0)::int)"
# Row i's village: one of its commune's ten, by i (communes take turns by i % 126).
VILLAGE = "c.code || '-' || lpad((1 + ({i} / 126) % 10)::text, 3, '0')"


def load_sql(size: Size, period: int, today: date) -> list[tuple[str, str]]:
    """The statements that fill a migrated node database, in order, each with its name."""
    h, o = size.households, size.open_applications
    previous = period - 1
    closed_withdrawn = o // 10
    indicators = [i.code for i in standard_for(period).indicators]
    ind = "ARRAY[" + ", ".join(f"'{code}'" for code in indicators) + "]"
    n_ind = len(indicators)
    return [
        (
            "villages",
            f"""
            INSERT INTO villages (code, commune_code, name, area, active)
            SELECT c.code || '-' || lpad(k::text, 3, '0'), c.code, 'Thôn ' || k, c.area, true
            FROM bench_communes AS c CROSS JOIN generate_series(1, {VILLAGES_PER_COMMUNE}) AS k
            ORDER BY c.n, k""",
        ),
        (
            "households",
            f"""
            INSERT INTO households (id, commune_code, village_id, area, head_name,
                head_citizen_id, address, phone, ethnic_minority, created_at, updated_at)
            SELECT i, c.code, v.id, c.area, {NAME.format(i="i")}, '002' || lpad(i::text, 9, '0'),
                'Số ' || (1 + i % 200) || ', ' || v.name,
                '09' || lpad((i::bigint * 7919 % 100000000)::text, 8, '0'),
                i % 7 = 0, now(), now()
            FROM generate_series(1, {h}) AS i
            JOIN bench_communes AS c ON c.n = i % (SELECT count(*) FROM bench_communes)
            JOIN villages AS v ON v.code = {VILLAGE.format(i="i")}""",
        ),
        (
            "members",
            f"""
            INSERT INTO household_members (household_id, position, full_name, citizen_id,
                birth_date, sex, relation, ethnicity)
            SELECT h.id, n,
                CASE WHEN n = 1 THEN h.head_name ELSE {NAME.format(i="(h.id * 5 + n)")} END,
                CASE WHEN n = 1 THEN h.head_citizen_id
                     WHEN n <= 3 THEN '003' || lpad((h.id * 4 + n)::text, 9, '0') END,
                date '1960-01-01' + ((h.id * 37 + n * 3000) % 20000),
                CASE WHEN n % 2 = 0 THEN 'female' ELSE 'male' END,
                CASE WHEN n = 1 THEN 'head' WHEN n = 2 THEN 'spouse' ELSE 'child' END,
                CASE WHEN h.ethnic_minority THEN 'Thái' ELSE 'Kinh' END
            FROM households AS h
            CROSS JOIN LATERAL generate_series(1, {MEMBERS.format(i="h.id")}) AS n""",
        ),
        (
            "statuses",
            f"""
            INSERT INTO household_statuses (household_id, period, commune_code, classification,
                standard_id, area, ethnic_minority, previous_classification, fell_back,
                members_count, decided_on)
            SELECT h.id, p, h.commune_code, {CLASS.format(i="h.id", p="p")}, 'VN-2022-2025',
                h.area, h.ethnic_minority,
                CASE WHEN p = {period} THEN {CLASS.format(i="h.id", p=previous)} END,
                false, {MEMBERS.format(i="h.id")}, make_date(p, 1, 15)
            FROM households AS h CROSS JOIN (VALUES ({previous}), ({period})) AS y (p)""",
        ),
        (
            "deprivations",
            f"""
            INSERT INTO status_deprivations (status_id, indicator, period, commune_code)
            SELECT s.id, ({ind})[1 + (s.household_id + k) % {n_ind}], s.period, s.commune_code
            FROM household_statuses AS s
            CROSS JOIN LATERAL generate_series(1, CASE s.classification WHEN 'poor' THEN 3
                ELSE 1 END) AS k
            WHERE s.classification IN ('poor', 'near_poor')""",
        ),
        # Decided applications: one per household on the current lists (they got there through
        # the review), withdrawn ones, then the open ones of the review season.
        (
            "applications",
            f"""
            INSERT INTO applications (tracking_code, kind, channel, status, outcome, period,
                commune_code, village_id, household_id, applicant_name, applicant_citizen_id,
                applicant_phone, declared_facts, standard_id, self_assessment,
                self_classification, submitted_at, updated_at, version, due_on)
            SELECT 'B' || lpad(a.n::text, 9, '0'), 'enter', CASE WHEN a.n % 5 = 0 THEN 'paper'
                ELSE 'portal' END, a.status, a.outcome, {period}, a.commune_code, a.village_id,
                a.household_id, a.name, '004' || lpad(a.n::text, 9, '0'),
                '09' || lpad((a.n * 6007 % 100000000)::text, 8, '0'), f.facts, 'VN-2022-2025',
                f.assessment, f.classification,
                timestamptz '{period}-01-05 00:00+00' + a.n * interval '37 seconds',
                timestamptz '{period}-01-05 00:00+00' + a.n * interval '37 seconds', 1, a.due_on
            FROM (
                SELECT row_number() OVER (ORDER BY kind, id) AS n, * FROM (
                    SELECT 0 AS kind, s.household_id AS id, 'decided' AS status,
                        'recognised' AS outcome, h.commune_code, h.village_id, h.id AS household_id,
                        h.head_name AS name, NULL::date AS due_on
                    FROM household_statuses AS s JOIN households AS h ON h.id = s.household_id
                    WHERE s.period = {period} AND s.classification IN ('poor', 'near_poor')
                    UNION ALL
                    SELECT 1, i, 'withdrawn', NULL, c.code, NULL, NULL, {NAME.format(i="i")}, NULL
                    FROM generate_series(1, {closed_withdrawn}) AS i
                    JOIN bench_communes AS c ON c.n = i % 126
                    UNION ALL
                    SELECT 2, i,
                        CASE WHEN i % 20 < 6 THEN 'submitted' WHEN i % 20 < 14 THEN 'under_review'
                             WHEN i % 20 < 17 THEN 'meeting_held' ELSE 'posted' END,
                        NULL, c.code, v.id, NULL, {NAME.format(i="(i + 7)")},
                        CASE WHEN i % 20 >= 6 THEN date '{today}' + (i % 40) - 8 END
                    FROM generate_series(1, {o}) AS i
                    JOIN bench_communes AS c ON c.n = i % 126
                    JOIN villages AS v ON v.code = {VILLAGE.format(i="i")}
                ) AS kinds
            ) AS a
            JOIN bench_facts AS f ON f.k = a.n % (SELECT count(*) FROM bench_facts)""",
        ),
        (
            "events",
            """
            INSERT INTO application_events (application_id, at, action, from_status, to_status,
                actor_role)
            SELECT id, submitted_at, 'submit', NULL, 'submitted', 'resident' FROM applications
            UNION ALL
            SELECT id, submitted_at + interval '2 days', 'start_review', 'submitted',
                'under_review', 'commune_officer'
            FROM applications WHERE status NOT IN ('submitted', 'withdrawn')""",
        ),
        (
            "consents",
            """
            INSERT INTO consents (application_id, purpose, text_version, given_at)
            SELECT id, 'review', '2026-01', submitted_at FROM applications""",
        ),
        (
            "idempotency keys",
            """
            INSERT INTO idempotency_keys (scope, key, request_hash, application_id,
                response_status, response_body, created_at)
            SELECT 'applications', 'bench-' || id, md5(id::text) || md5(id::text), id, 201,
                json_build_object('tracking_code', tracking_code, 'status', 'submitted'),
                submitted_at
            FROM applications WHERE channel = 'portal'""",
        ),
        (
            "verifications",
            """
            INSERT INTO verifications (application_id, verified_by, verified_at, facts,
                identities, head_address, assessment, classification, standard_id)
            SELECT a.id, (SELECT min(id) FROM users), a.submitted_at + interval '5 days',
                a.declared_facts,
                (SELECT json_agg(json_build_object(
                    'full_name', a.applicant_name || ' ' || n,
                    'citizen_id', CASE WHEN n = 1 THEN a.applicant_citizen_id
                                       WHEN n <= 3
                                       THEN '005' || lpad((a.id * 4 + n)::text, 9, '0') END,
                    'ethnicity', 'Kinh') ORDER BY n)
                 FROM generate_series(1, json_array_length(a.declared_facts -> 'members')) AS n),
                'Thôn', a.self_assessment, a.self_classification, 'VN-2022-2025'
            FROM applications AS a WHERE a.status NOT IN ('submitted', 'withdrawn')""",
        ),
        (
            "verification identities",
            """
            INSERT INTO verification_identities (verification_id, application_id, position,
                citizen_id)
            SELECT v.id, v.application_id, e.position - 1, e.member ->> 'citizen_id'
            FROM verifications AS v
            CROSS JOIN LATERAL json_array_elements(v.identities::json)
                WITH ORDINALITY AS e (member, position)
            WHERE coalesce(e.member ->> 'citizen_id', '') <> ''""",
        ),
        (
            "postings",
            f"""
            INSERT INTO postings (commune_code, starts_on, ends_on, posted_by, posted_at)
            SELECT code, date '{today}' - 20, date '{today}' - 15, (SELECT min(id) FROM users),
                timestamptz '{today} 02:00+00' - interval '20 days'
            FROM bench_communes ORDER BY n""",
        ),
        (
            "posting items",
            """
            INSERT INTO posting_items (posting_id, application_id, proposed_classification)
            SELECT p.id, a.id, a.self_classification
            FROM applications AS a JOIN postings AS p ON p.commune_code = a.commune_code
            WHERE a.status IN ('posted', 'decided')""",
        ),
        (
            "decisions",
            f"""
            INSERT INTO decisions (commune_code, number, decided_on, chair_id, recorded_at)
            SELECT code, '1/QĐ-UBND', date '{today}' - 10, (SELECT min(id) FROM users),
                timestamptz '{today} 02:00+00' - interval '10 days'
            FROM bench_communes ORDER BY n""",
        ),
        (
            "decision items",
            """
            INSERT INTO decision_items (decision_id, application_id, outcome, classification)
            SELECT d.id, a.id, 'recognised', a.self_classification
            FROM applications AS a JOIN decisions AS d ON d.commune_code = a.commune_code
            WHERE a.status = 'decided'""",
        ),
        (
            "statuses decided",
            f"""
            UPDATE household_statuses AS s SET application_id = a.id, decision_item_id = i.id
            FROM applications AS a JOIN decision_items AS i ON i.application_id = a.id
            WHERE a.household_id = s.household_id AND s.period = {period}""",
        ),
        (
            "certificates",
            f"""
            INSERT INTO certificates (household_id, decision_item_id, commune_code, period,
                sequence, number, classification, issued_on, verification_code)
            SELECT s.household_id, s.decision_item_id, s.commune_code, s.period,
                row_number() OVER (PARTITION BY s.commune_code ORDER BY s.id),
                row_number() OVER (PARTITION BY s.commune_code ORDER BY s.id) || '/GCN-HN.HCN',
                s.classification, date '{today}' - 10,
                left(md5('c' || s.id) || md5('v' || s.id), 24)
            FROM household_statuses AS s WHERE s.decision_item_id IS NOT NULL""",
        ),
        # Each application read once by an official, as the file page records it.
        (
            "audit log",
            """
            INSERT INTO audit_log (at, user_id, role, action, object_type, object_id,
                application_id, personal_digest, previous_hash, hash)
            SELECT a.submitted_at + interval '3 days', (SELECT min(id) FROM users),
                'commune_officer', 'read', 'application', a.id, a.id,
                encode(sha256(('d' || a.id)::bytea), 'hex'),
                encode(sha256(('p' || a.id)::bytea), 'hex'),
                encode(sha256(('h' || a.id)::bytea), 'hex')
            FROM applications AS a ORDER BY a.id""",
        ),
    ]


def facts_pool(period: int, count: int = 120) -> list[tuple[int, str, str, str]]:
    """Real synthetic households and their assessments: the JSON the applications carry."""
    rng = random.Random(2026)
    pool = []
    for k in range(count):
        facts = random_facts(rng, period)
        assessment = evaluate(facts)
        texts = (json.dumps(facts, ensure_ascii=False), json.dumps(assessment, ensure_ascii=False))
        pool.append((k, *texts, assessment["classification"]))
    return pool


def build(url: str, size: Size, period: int, today: date) -> dict[str, float]:
    """Migrate, create the bench's officials, load, count the tallies, VACUUM ANALYZE."""
    env = {**os.environ, "GIAMNGHEO_ENV": "development", "GIAMNGHEO_PROVINCE": PROVINCE,
           "GIAMNGHEO_DATABASE_URL": url}  # fmt: skip
    subprocess.run([str(BIN / "giamngheo"), "node", "init-db"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    timings: dict[str, float] = {}
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        connection.exec_driver_sql(
            "CREATE TEMPORARY TABLE bench_communes (n int PRIMARY KEY, code text, area text)"
        )
        connection.execute(
            sa.text("INSERT INTO bench_communes VALUES (:n, :code, :area)"),
            [{"n": n, "code": c.code, "area": c.default_area}
             for n, c in enumerate(units.communes(PROVINCE))],
        )  # fmt: skip
        connection.exec_driver_sql(
            "CREATE TEMPORARY TABLE bench_facts (k int PRIMARY KEY, facts json, assessment json,"
            " classification text)"
        )
        connection.execute(
            sa.text("INSERT INTO bench_facts VALUES (:k, CAST(:f AS json), CAST(:a AS json), :c)"),
            [{"k": k, "f": f, "a": a, "c": c} for k, f, a, c in facts_pool(period)],
        )
        connection.exec_driver_sql(
            "INSERT INTO users (username, role, password_hash, password_changed_at, active)"
            " VALUES ('bench.loader', 'province_admin', 'x', now(), false)"
        )
        for name, statement in load_sql(size, period, today):
            started = time.perf_counter()
            connection.exec_driver_sql(statement.replace("%", "%%"))
            timings[name] = time.perf_counter() - started
        for table in ("households", "household_statuses", "applications"):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
    app = make_app(url)
    with app.app_context():
        from node.services.tallies import recount

        started = time.perf_counter()
        for year in (period - 1, period):
            recount(db.session, year)
        db.session.commit()
        timings["tallies"] = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    timings["vacuum analyze"] = time.perf_counter() - started
    engine.dispose()
    return timings


def make_app(url: str):
    return create_app(
        DevelopmentConfig({"GIAMNGHEO_DATABASE_URL": url, "GIAMNGHEO_PROVINCE": PROVINCE,
                           "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(48),
                           "GIAMNGHEO_COMPRESS": "0"})
    )  # fmt: skip


# ------------------------------------------------------------------------- the measurements


@dataclass
class Measured:
    """The runs of one operation at one size."""

    seconds: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    bytes: int = 0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000

    @property
    def sql(self) -> int:
        return round(statistics.median(self.statements))


@dataclass(frozen=True)
class Step:
    """An operation of one size's bench: what to call, how many times, with a warm-up or not."""

    name: str
    call: Callable[[], object]
    runs: int
    warm: bool


def measure_interleaved(benches: list[Bench], import_file: Path | None) -> None:
    """Each operation on every size in turn, run by run (small, medium, large, small, …), so
    the machine's other work, which comes and goes, weighs on every size alike."""
    plans = [bench.operations(import_file) for bench in benches]
    while True:
        try:
            steps = [next(plan) for plan in plans]
        except StopIteration:
            return
        for bench, step in zip(benches, steps, strict=True):
            if step.warm:
                bench._check(step.name, step.call())
        for _ in range(steps[0].runs):
            for bench, step in zip(benches, steps, strict=True):
                bench.measure(step.name, step.call)


class Counter:
    """SQL statements the app sends, counted with an engine event."""

    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


class Bench:
    """One size's app, officials and the runs of every operation."""

    def __init__(self, url: str, period: int, runs: int) -> None:
        self.app = make_app(url)
        self.client = self.app.test_client()
        # The officer's web session: a client of its own (a cookie on the residents' client
        # would file their submissions as paper forms taken in by the officer).
        self.web = self.app.test_client()
        self.period = period
        self.runs = runs
        self.rng = random.Random(17)
        self.results: dict[str, Measured] = {}
        self.keys = itertools.count(1)
        with self.app.app_context():
            self.counter = Counter(db.engine)
            self.headers = self._officials()
            self.facts = [random_facts(self.rng, period) for _ in range(20)]

    def _officials(self) -> dict[str, dict[str, str]]:
        from node.services import accounts
        from shared.web.auth import SESSION_KEY

        roles = {"officer": ("commune_officer", [COMMUNE]),
                 "head": ("village_head", [f"{COMMUNE}-001"]),
                 "province": ("province_officer", [PROVINCE])}  # fmt: skip
        headers = {}
        now = datetime.now(UTC)
        for name, (role, codes) in roles.items():
            user = accounts.create_user(db.session, f"bench.{name}.{uuid.uuid4().hex[:6]}",
                                        PASSWORD, role, codes, PROVINCE, now=now)  # fmt: skip
            db.session.flush()
            token = accounts.open_session(db.session, user, accounts.API, now=now)
            headers[name] = {"Authorization": f"Bearer {token}"}
            if name == "officer":
                web = accounts.open_session(db.session, user, accounts.WEB, now=now)
        db.session.commit()
        self.head_id = db.session.scalar(
            sa.text("SELECT id FROM users WHERE role = 'village_head' ORDER BY id DESC LIMIT 1")
        )
        with self.web.session_transaction() as session:
            session[SESSION_KEY] = web
        return headers

    def _step(
        self, name: str, call: Callable[[], object], runs: int | None = None, warm: bool = True
    ) -> Step:
        """An operation to run ``runs`` times (after one run not counted, for reads: ``warm``)."""
        return Step(name, call, runs or self.runs, warm)

    def measure(self, name: str, call: Callable[[], object]) -> None:
        """One run of ``call``: its time and statements."""
        measured = self.results.setdefault(name, Measured())
        before = self.counter.count
        started = time.perf_counter()
        answer = call()
        measured.seconds.append(time.perf_counter() - started)
        measured.statements.append(self.counter.count - before)
        measured.bytes = self._check(name, answer)

    @staticmethod
    def _check(name: str, answer: object) -> int:
        """The answer's size; stop on an error (a bench of failures measures nothing)."""
        if not hasattr(answer, "status_code"):
            return 0
        if answer.status_code not in (200, 201):
            raise SystemExit(f"{name}: {answer.status_code} {answer.get_data(as_text=True)[:500]}")
        return len(answer.get_data())

    # -- the operations

    def submit(self) -> object:
        body = {
            "commune_code": COMMUNE,
            "village_code": f"{COMMUNE}-001",
            "kind": "enter",
            "applicant": {"full_name": "Nguyễn Văn An",
                          "citizen_id": f"9{self.rng.randrange(10**11):011d}",
                          "phone": f"09{self.rng.randrange(10**8):08d}"},
            "household": self.rng.choice(self.facts),
            "consent": True,
        }  # fmt: skip
        key = {"Idempotency-Key": f"scale-{uuid.uuid4().hex}"}
        answer = self.client.post("/api/v1/applications", json=body, headers=key)
        self.submitted.append((answer.get_json()["tracking_code"], body["applicant"]["phone"]))
        return answer

    def operations(self, import_file: Path | None) -> Iterator[Step]:
        """Every operation, one at a time: the caller runs each (on every size, interleaved)
        before asking for the next, which may build on it (start_review on the submitted)."""
        self.submitted: list[tuple[str, str]] = []
        yield self._step("submit", self.submit, warm=False)
        with self.app.app_context():
            codes = [code for code, _ in self.submitted]
            ids = dict(db.session.execute(sa.text(
                "SELECT tracking_code, id FROM applications WHERE tracking_code = ANY(:codes)"),
                {"codes": codes}).all())  # fmt: skip
            db.session.remove()
        lookups = iter(itertools.cycle(self.submitted))
        yield self._step("lookup", lambda: self._lookup(*next(lookups)), warm=False)
        started = iter([ids[code] for code in codes])
        officer, head, province = (self.headers[k] for k in ("officer", "head", "province"))
        yield self._step("start_review", lambda: self.client.post(
            f"/api/v1/applications/{next(started)}/actions/start_review",
            json={"assign_to": self.head_id}, headers=officer), warm=False)  # fmt: skip
        verifying = iter([ids[code] for code in codes])
        yield self._step("verify", lambda: self.client.post(
            f"/api/v1/applications/{next(verifying)}/actions/verify",
            json=self._verification(), headers=head), warm=False)  # fmt: skip
        with self.app.app_context():
            opened = [row[0] for row in db.session.execute(sa.text(
                "SELECT id FROM applications WHERE commune_code = :c AND status = 'posted'"
                " ORDER BY id LIMIT 200"), {"c": COMMUNE})]  # fmt: skip
            deep_commune = self._key("WHERE commune_code = :c", {"c": COMMUNE})
            deep_province = self._key("", {})
            db.session.remove()
        files = itertools.cycle(opened)
        yield self._step("file page", lambda: self.client.get(f"/api/v1/applications/{next(files)}",
                                                       headers=officer))  # fmt: skip
        yield self._step(
            "list commune", lambda: self.client.get("/api/v1/applications", headers=officer)
        )
        yield self._step("list commune deep", lambda: self.client.get(
            f"/api/v1/applications?after={deep_commune}", headers=officer))  # fmt: skip
        yield self._step("list province", lambda: self.client.get("/api/v1/applications",
                                                           headers=province))  # fmt: skip
        yield self._step("list province deep", lambda: self.client.get(
            f"/api/v1/applications?after={deep_province}", headers=province))  # fmt: skip
        yield self._step(
            "worklist commune", lambda: self.client.get("/api/v1/worklist", headers=officer)
        )
        yield self._step("worklist province", lambda: self.client.get("/api/v1/worklist",
                                                               headers=province))  # fmt: skip
        after = self.client.get("/api/v1/worklist", headers=officer).get_json()["next_after"]
        query = f"?after={after}" if after else ""
        next_page = f"/api/v1/worklist{query}"
        yield self._step("worklist commune next",
                         lambda: self.client.get(next_page, headers=officer))  # fmt: skip
        yield self._step("worklist page (web)", lambda: self.web.get("/officials/"))
        yield self._step("list page (web)", lambda: self.web.get("/officials/applications"))
        yield self._step("snapshot", self._snapshot, runs=max(5, self.runs // 3))
        for form in ("R1", "R2", "R3", "R4"):
            for fmt in ("json", "csv", "xlsx"):
                yield self._step(f"{form} {fmt}", lambda form=form, fmt=fmt: self.client.get(
                    f"/api/v1/reports/{form}?unit={PROVINCE}&period={self.period}&format={fmt}",
                    headers=province), runs=max(5, self.runs // 3))  # fmt: skip
        for fmt in ("json", "csv", "xlsx"):
            yield self._step(f"R5 {fmt}", lambda fmt=fmt: self.client.get(
                f"/api/v1/reports/R5?unit={PROVINCE}&period={self.period}&format={fmt}",
                headers=province), runs=3)  # fmt: skip
        if import_file is not None:
            yield self._step("import 100,000 rows", lambda: self._import(import_file), runs=1,
                      warm=False)  # fmt: skip

    def _lookup(self, code: str, phone: str) -> object:
        return self.client.get(f"/api/v1/applications/{code}?phone={phone}")

    def _verification(self) -> dict:
        facts = self.rng.choice(self.facts)
        identities = []
        for index, _member in enumerate(facts["members"]):
            citizen_id = f"8{self.rng.randrange(10**11):011d}"
            if index == 1:  # the same person in another open file: a possible duplicate
                citizen_id = f"005{self.rng.randrange(1, 4000) * 4 + 2:09d}"
            name = ("Nguyễn Văn Hùng", "Lò Thị Mai", "Nguyễn Thị Lan", "Nguyễn Văn An")[index % 4]
            identities.append({"full_name": name, "citizen_id": citizen_id, "ethnicity": "Kinh"})
        return {"facts": facts, "identities": identities}

    def _key(self, where: str, params: dict) -> str:
        from node.services.paging import list_key

        total = db.session.scalar(sa.text(f"SELECT count(*) FROM applications {where}"), params)
        row = db.session.execute(sa.text(
            f"SELECT submitted_at, id FROM applications {where} ORDER BY submitted_at DESC, id DESC"
            f" OFFSET {int(total * 0.8)} LIMIT 1"), params).one()  # fmt: skip
        return list_key(row[0], row[1])

    def _snapshot(self) -> None:
        from node.services.aggregates import build_snapshot

        with self.app.app_context():
            build_snapshot(db.session, PROVINCE, self.period, datetime.now(UTC))
            db.session.rollback()
            db.session.remove()

    def _import(self, path: Path) -> None:
        from node.services.imports import import_households

        with self.app.app_context():
            now = datetime.now(UTC)
            result = import_households(db.session, path, province_code=PROVINCE,
                                       period=self.period, standard=standard_for(self.period),
                                       today=now.date(), now=now)  # fmt: skip
            db.session.rollback()
            db.session.remove()
            assert result.households == 100_000, result


# ------------------------------------------------------------------------------ the report


def report(sizes: list[str], results: dict[str, dict[str, Measured]], loads: str) -> bool:
    """The table, side by side, with the growth and each goal; True if every goal is met."""
    first, last = sizes[0], sizes[-1]
    names = list(results[first])
    head = f"{'operation':24}" + "".join(
        f" | {size + ' med/p95 ms':>22} {'SQL':>4}" for size in sizes
    )
    print(head + f" | {'growth':>7} | goal")
    print("-" * len(head) + "-" * 40)
    all_met = True
    for name in names:
        cells = []
        for size in sizes:
            m = results[size].get(name)
            cells.append(
                f" | {m.median_ms:10.1f} / {m.p95_ms:9.1f} {m.sql:>4}" if m else f" | {'':>27}"
            )
        small, large = results[first][name], results[last][name]
        growth = large.median_ms / small.median_ms
        goal, met = goal_of(name, small, large, growth, last)
        statements = {results[size][name].sql for size in sizes if name in results[size]}
        if len(statements) > 1 and name not in ("import 100,000 rows",):
            goal += f"; SQL {sorted(statements)} NOT constant"
            met = False
        all_met = all_met and met
        print(
            f"{name:24}"
            + "".join(cells)
            + f" | {growth:6.2f}× | {goal}{'' if met else '  ← NOT MET'}"
        )
    print(f"\nmachine load (sizes measured interleaved): {loads}")
    return all_met


def goal_of(
    name: str, small: Measured, large: Measured, growth: float, last: str
) -> tuple[str, bool]:
    if name in INTERACTIVE:
        met = growth <= GOAL_INTERACTIVE_GROWTH and (last != "large" or large.p95_ms <= GOAL_P95_MS)
        return f"≤ {GOAL_INTERACTIVE_GROWTH:.0f}×, p95 ≤ {GOAL_P95_MS:.0f} ms", met
    if name == "snapshot" or name in SUMMED:
        return f"≤ {GOAL_SUMMED_GROWTH:.0f}×", growth <= GOAL_SUMMED_GROWTH
    if name == "R5 xlsx":
        return (
            f"≤ {GOAL_R5_XLSX_S:.0f} s at large",
            last != "large" or large.median_ms <= GOAL_R5_XLSX_S * 1000,
        )
    return "measured", True


@contextmanager
def database(admin: sa.Engine, size: str, keep: bool) -> Iterator[str]:
    """A new database for ``size`` on the bench server, dropped afterwards unless ``keep``."""
    name = f"giamngheo_bench_{uuid.uuid4().hex[:8]}_scale_{size}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(ADMIN_URL).set(database=name).render_as_string(False)
    try:
        yield url
    finally:
        if keep:
            print(f"kept {size}: {url}")
        else:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    logging.disable(logging.INFO)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", default="large", choices=list(SIZES))
    parser.add_argument("--sizes", help="comma-separated sizes instead (e.g. small,large)")
    parser.add_argument("--runs", type=int, default=30, help="runs of each interactive operation")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", action="append", default=[], metavar="SIZE=URL",
                        help="measure a database --keep kept instead of building it")  # fmt: skip
    parser.add_argument("--no-import", action="store_true", help="skip the import")
    args = parser.parse_args()
    names = list(SIZES)
    sizes = args.sizes.split(",") if args.sizes else names[: names.index(args.size) + 1]
    reuse = dict(item.split("=", 1) for item in args.reuse)
    today = datetime.now(UTC).date()
    period = today.year
    import_file = None
    directory = Path(tempfile.mkdtemp(prefix="giamngheo-scale-"))
    if not args.no_import:
        import_file = directory / "ho-ngheo.csv"
        importlib.import_module("import").generate(import_file, 100_000)
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    results: dict[str, dict[str, Measured]] = {}
    benches: list[Bench] = []
    try:
        with ExitStack() as stack:
            for size in sizes:
                url = reuse.get(size) or stack.enter_context(database(admin, size, args.keep))
                if size not in reuse:
                    started = time.perf_counter()
                    timings = build(url, SIZES[size], period, today)
                    slowest = sorted(timings.items(), key=lambda item: -item[1])[:4]
                    print(f"{size}: built in {time.perf_counter() - started:.0f} s ("
                          + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in slowest)
                          + ")", flush=True)  # fmt: skip
                benches.append(Bench(url, period, args.runs))
            load_before = load_average()
            measure_interleaved(benches, import_file)
            loads = f"{load_before} before, {load_average()} after"
            for size, bench in zip(sizes, benches, strict=True):
                results[size] = bench.results
                with bench.app.app_context():
                    db.engine.dispose()
    finally:
        admin.dispose()
        if import_file is not None:
            import_file.unlink(missing_ok=True)
        for leftover in directory.iterdir():
            leftover.unlink()
        directory.rmdir()
    print()
    met = report(sizes, results, loads)
    print("\nevery goal met" if met else "\nsome goals NOT met (marked above)")


if __name__ == "__main__":
    main()
