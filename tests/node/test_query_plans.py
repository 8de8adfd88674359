"""EXPLAIN of the lists officials open (issue 7): every one reads the big tables through an index.

PostgreSQL only: its planner is what production runs. A database of its own is seeded once with
a province's worth of rows in miniature (fifty communes, 40,000 applications of which the latest
half are mostly still in review, households, verifications, postings, the audit log) and VACUUM
ANALYZEd.
Each list is then run through its real service function, its SQL captured with a
``before_cursor_execute`` event, and every SELECT EXPLAINed with ``enable_seqscan = off``: the
planner then takes an index whenever one can serve the query, so a big table still read whole
(a Seq Scan, or a full index scan) means that no index can. For the paged lists the index must
also answer the whole WHERE clause and deliver the ORDER BY, so a page reads its 50 rows instead
of sorting every match.

Not here: the admin's list of users (one province's officials are a few hundred rows, which a
sequential scan and a sort serve best) and the villages and holidays (as small).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from node import create_app
from node.config import TestConfig
from node.extensions import db
from node.models import Application
from node.services import admin, duplicates, periodic, review, worksheets
from node.services.aggregates import commune_rows
from node.services.applications import access_log
from node.services.context import NodeContext
from node.services.reports import recognised_households
from node.services.scopes import Official
from node.services.worklist import worklist
from shared.web.database import upgrade_database
from tests.conftest import POSTGRES_URL

# The tables that grow with the province: a scan of one of them must go through an index.
# Query plans are PostgreSQL's: the module runs on that backend only (CI sets its URL).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(POSTGRES_URL is None, reason="needs GIAMNGHEO_TEST_DATABASE_URL"),
    pytest.mark.parametrize("database_factory", ["postgresql"], indirect=True),
]

BIG_TABLES = frozenset(
    {
        "applications",
        "audit_log",
        "households",
        "household_members",
        "household_statuses",
        "posting_items",
        "verifications",
        "verification_identities",
        "application_search_words",
    }
)
INDEX_SCANS = ("Index Scan", "Index Only Scan")
APPLICATIONS = 40_000
# The first half, period 2025, is decided or withdrawn; the second half, 2026, is in review.
DECIDED = APPLICATIONS // 2
HOUSEHOLDS = 10_000
AUDIT_ENTRIES = 20_000
AUDITED = 2000
# In the periodic review window, so the periodic review for 2027 may be opened.
NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
CONTEXT = NodeContext("01", NOW.date(), NOW)
# Row i's commune: fifty communes, the officers' 00070 and 00073 among them.
COMMUNE = (
    "CASE {i} % 50 WHEN 0 THEN '00070' WHEN 1 THEN '00073'"
    " ELSE lpad((400 + {i} % 50)::text, 5, '0') END"
)
IN_REVIEW = (
    "'{submitted,submitted,submitted,under_review,under_review,meeting_held,posted,decided}'"
)
OFFICIALS = {
    "officer": ("commune_officer", ("00070",)),
    "province": ("province_officer", ("01",)),
    "head": ("village_head", ("00070-001",)),
    "admin": ("province_admin", ("01",)),
}
# A province's officials: a few per commune.
MORE_OFFICIALS = 200

SEED = [
    """
    INSERT INTO villages (code, commune_code, name)
    VALUES ('00070-001', '00070', 'Thôn 1'), ('00070-002', '00070', 'Thôn 2'),
        ('00073-001', '00073', 'Thôn 1')
    """,
    f"""
    INSERT INTO users (username, role, password_hash, password_changed_at)
    SELECT 'seed.' || n, 'commune_officer', 'x', now()
    FROM generate_series(1, {MORE_OFFICIALS}) AS n
    """,
    f"""
    INSERT INTO applications (tracking_code, kind, channel, status, period, commune_code,
        village_id, applicant_name, applicant_citizen_id, applicant_phone, declared_facts,
        standard_id, self_assessment, self_classification, submitted_at, updated_at, version,
        due_on)
    SELECT 'P' || lpad(i::text, 11, '0'), CASE WHEN i % 7 = 0 THEN 'exit' ELSE 'enter' END,
        'portal',
        CASE WHEN i > {DECIDED} THEN ({IN_REVIEW}::text[])[i / 50 % 8 + 1]
             WHEN i / 50 % 10 = 0 THEN 'withdrawn' ELSE 'decided' END,
        2025 + (i > {DECIDED})::int, {COMMUNE.format(i="i")},
        (SELECT id FROM villages WHERE code = CASE i % 500 WHEN 0 THEN '00070-001'
             WHEN 50 THEN '00070-002' WHEN 1 THEN '00073-001' END),
        'Người nộp ' || i, lpad(i::text, 12, '0'), '0912345678', '{{"members": []}}', 'qd',
        '{{}}', 'poor', timestamptz '2025-01-01 00:00+00' + i * interval '20 minutes',
        timestamptz '2025-01-01 00:00+00' + i * interval '20 minutes', 1,
        CASE WHEN i > {DECIDED} THEN date '2026-11-01' + i % 60 END
    FROM generate_series(1, {APPLICATIONS}) AS i
    """,
    # The words of the applicants' names, as node.services.search folds them.
    """
    INSERT INTO application_search_words (application_id, word)
    SELECT a.id, w.word
    FROM applications AS a,
        unnest(ARRAY['nguoi', 'nop', substr(a.applicant_name, 11)]) AS w(word)
    """,
    # What was reviewed was verified, and what was posted or decided was on a monthly posting.
    """
    INSERT INTO verifications (application_id, verified_by, verified_at, facts, identities,
        assessment, classification, standard_id)
    SELECT a.id, (SELECT min(id) FROM users), a.submitted_at, '{"members": []}',
        json_build_array(json_build_object('citizen_id', 'V' || lpad(a.id::text, 11, '0'))),
        '{}', 'poor', 'qd'
    FROM applications AS a
    WHERE a.status NOT IN ('submitted', 'withdrawn')
    """,
    """
    INSERT INTO verification_identities (verification_id, application_id, position, citizen_id)
    SELECT id, application_id, 0, 'V' || lpad(application_id::text, 11, '0')
    FROM verifications
    """,
    """
    INSERT INTO postings (commune_code, starts_on, ends_on, posted_by, posted_at)
    SELECT DISTINCT commune_code, date_trunc('month', submitted_at)::date,
        date_trunc('month', submitted_at)::date + 5, (SELECT min(id) FROM users),
        date_trunc('month', submitted_at)
    FROM applications
    WHERE status IN ('posted', 'decided')
    """,
    """
    INSERT INTO posting_items (posting_id, application_id, proposed_classification)
    SELECT p.id, a.id, 'poor'
    FROM applications AS a JOIN postings AS p ON p.commune_code = a.commune_code
        AND p.starts_on = date_trunc('month', a.submitted_at)::date
    WHERE a.status IN ('posted', 'decided')
    """,
    f"""
    INSERT INTO households (commune_code, area, head_name, head_citizen_id)
    SELECT {COMMUNE.format(i="i")}, 'rural', 'Chủ hộ ' || i, 'H' || lpad(i::text, 11, '0')
    FROM generate_series(1, {HOUSEHOLDS}) AS i
    """,
    """
    INSERT INTO household_members (household_id, position, full_name, citizen_id, birth_date,
        sex, relation)
    SELECT h.id, n, 'Thành viên ' || h.id || '-' || n,
        CASE WHEN n = 1 THEN h.head_citizen_id ELSE 'M' || lpad(h.id::text, 11, '0') END,
        date '1980-01-01', 'female', CASE WHEN n = 1 THEN 'head' ELSE 'spouse' END
    FROM households AS h CROSS JOIN generate_series(1, 2) AS n
    """,
    # Two periods of statuses; one household in twenty is poor or near-poor.
    """
    INSERT INTO household_statuses (household_id, period, commune_code, classification,
        standard_id, area, members_count, decided_on)
    SELECT h.id, p, h.commune_code,
        CASE WHEN h.id % 40 = 0 THEN 'poor' WHEN h.id % 40 = 1 THEN 'near_poor'
             WHEN h.id % 2 = 0 THEN 'average' ELSE 'not_poor' END,
        'qd', 'rural', 2, make_date(p, 1, 15)
    FROM households AS h CROSS JOIN generate_series(2025, 2026) AS p
    """,
    # The officials' reads, a minute apart, by all of them, ten of each of the first
    # applications in review.
    f"""
    INSERT INTO audit_log (at, user_id, role, action, object_type, object_id, application_id,
        personal_digest, previous_hash, hash)
    SELECT timestamptz '2026-05-01 00:00+00' + i * interval '1 minute', u.ids[i % u.n + 1],
        'commune_officer', 'read', 'application', a.first + {DECIDED} + i % {AUDITED},
        a.first + {DECIDED} + i % {AUDITED}, encode(sha256(('d' || i)::bytea), 'hex'),
        encode(sha256(('p' || i)::bytea), 'hex'), encode(sha256(('h' || i)::bytea), 'hex')
    FROM generate_series(1, {AUDIT_ENTRIES}) AS i,
        (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM users) AS u,
        (SELECT min(id) AS first FROM applications) AS a
    """,
]


@dataclass(frozen=True)
class Seeded:
    """The node app over the seeded database, its officials, and an application in review."""

    app: Flask
    officials: dict[str, Official]
    application_id: int


@pytest.fixture(scope="module")
def seeded(database_factory: Callable[[str], str]) -> Iterator[Seeded]:
    """A node database of its own, seeded, committed and VACUUM ANALYZEd once for the module."""
    url = database_factory("plans")
    app = create_app(TestConfig({"GIAMNGHEO_DATABASE_URL": url}))
    with app.app_context():
        upgrade_database()
        session = db.session
        officials = {}
        for name, (role, units) in OFFICIALS.items():
            user_id = session.scalar(
                text(
                    "INSERT INTO users (username, role, password_hash, password_changed_at)"
                    " VALUES (:name, :role, 'x', now()) RETURNING id"
                ),
                {"name": name, "role": role},
            )
            for unit in units:
                session.execute(
                    text("INSERT INTO user_units (user_id, unit_code) VALUES (:user, :unit)"),
                    {"user": user_id, "unit": unit},
                )
            officials[name] = Official(user_id, name, role, frozenset(units))
        for statement in SEED:
            session.execute(text(statement))
        first = session.scalar(select(func.min(Application.id)))
        application_id = session.scalar(
            select(Application.id)
            .where(Application.status == "under_review", Application.id > first + DECIDED)
            .order_by(Application.id)
            .limit(1)
        )
        session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        yield Seeded(app, officials, application_id)
        db.session.remove()
        db.engine.dispose()


@dataclass(frozen=True)
class Case:
    """A list as an official opens it.

    ``paged``: its index must answer the whole WHERE clause and deliver the order. ``whole``: big
    tables it reads all of by design.
    """

    call: Callable[[Session, dict[str, Official], Application], Any]
    paged: bool
    whole: frozenset[str] = frozenset()


def _list(role: str, **filters: Any) -> Callable[..., Any]:
    return lambda session, who, _: review.list_applications(session, who[role], CONTEXT, **filters)


def _audit(**where: Any) -> Callable[..., Any]:
    return lambda session, who, _: admin.audit_page(
        session, who["admin"], admin.AuditFilter(**where)
    )


def _duplicates(session: Session, who: dict[str, Official], application: Application) -> Any:
    # The ID of another applicant, of a verified member of another open application, of a
    # household head and of a member: each kind of match.
    first = session.scalar(select(func.min(Application.id)))
    verified = f"V{first + DECIDED + 400:011d}"
    ids = [f"{DECIDED + 7:012d}", verified, "H00000000010", "M00000000011"]
    identities = [{"citizen_id": citizen_id} for citizen_id in ids]
    return duplicates.flag_duplicates(session, application, identities, None, CONTEXT)


CASES = {
    # The commune officer's list: the whole commune (the page's default), by status, a later page.
    "commune list": Case(_list("officer"), paged=True),
    "commune list, page 3": Case(_list("officer", page=3), paged=True),
    "commune list, by key": Case(_list("officer", after="1767225600000000-30000"), paged=True),
    "commune list, before a key": Case(
        _list("officer", before="1735689600000000-3000"), paged=True
    ),
    "province list, deep page by key": Case(
        _list("province", after="1745000000000000-12000"), paged=True
    ),
    "commune list, submitted": Case(_list("officer", status="submitted"), paged=True),
    # Four open statuses and a date: the commune+status index finds them, a sort orders them.
    "commune list, overdue": Case(_list("officer", overdue=True), paged=False),
    # Everything in the province: the count stops at its cap, the page reads the newest 50.
    "province list": Case(_list("province"), paged=True),
    "province list, under review": Case(_list("province", status="under_review"), paged=True),
    "province list, one commune": Case(_list("province", commune="00073"), paged=True),
    "province list, one commune, decided": Case(
        _list("province", commune="00073", status="decided"), paged=True
    ),
    # The head's villages, through the village index (a merge join may read it from its start
    # up to the head's villages), or walking the newest first until a page is full.
    # Search (issue 15): each kind an index lookup, then the area's conditions on the few found.
    "commune search, name words": Case(_list("officer", q="Người nộp"), paged=False),
    # A word in every name (as "nguyen" is in four of ten): the capped count walks the
    # applications beside the word's entries until its cap (a Limit over a merge join).
    "province search, a common word": Case(
        _list("province", q="nguoi"), paged=False, whole=frozenset({"applications"})
    ),
    "province search, ID number": Case(_list("province", q="000000020050"), paged=False),
    "province search, tracking code": Case(_list("province", q="NMX3-9RB7-98"), paged=False),
    "village head's list": Case(_list("head"), paged=False, whole=frozenset({"applications"})),
    # A page of the open applications: two walks of their partial indexes (with a deadline, by
    # it; without, by id), each stopped at the page's length; the counts above stop at the cap.
    # Not "paged": the planner may sort a commune's files not yet in review (a commune's open
    # files, not the province's) rather than walk them in order.
    "commune worklist": Case(lambda s, who, _: worklist(s, who["officer"], CONTEXT), paged=False),
    "commune worklist, next page": Case(
        lambda s, who, _: worklist(
            s, who["officer"], CONTEXT, after=worklist(s, who["officer"], CONTEXT).next_after
        ),
        paged=False,
    ),
    "province worklist": Case(lambda s, who, _: worklist(s, who["province"], CONTEXT), paged=False),
    "province worklist, deep page": Case(
        lambda s, who, _: worklist(s, who["province"], CONTEXT, after="20261215-1"),
        paged=False,
    ),
    # The head's few villages: found through the village index (as the head's list), sorted.
    "village head's worklist": Case(
        lambda s, who, _: worklist(s, who["head"], CONTEXT),
        paged=False,
        whole=frozenset({"applications"}),
    ),
    "meeting candidates": Case(
        lambda s, who, _: worksheets.meeting_candidates(s, who["officer"], CONTEXT), paged=False
    ),
    "decision candidates": Case(
        lambda s, who, _: worksheets.decision_candidates(s, who["officer"], CONTEXT), paged=False
    ),
    # The whole log: the count reads every entry, the page the newest 50.
    "audit log": Case(_audit(), paged=True, whole=frozenset({"audit_log"})),
    "audit log, one user": Case(
        lambda s, who, a: _audit(user_id=who["officer"].user_id)(s, who, a), paged=True
    ),
    # An application's entries are few (ten here): found through its index, then sorted.
    "audit log, one application": Case(
        lambda s, who, a: _audit(application_id=a.id)(s, who, a), paged=False
    ),
    "resident's access log": Case(lambda s, who, a: access_log(s, a), paged=False),
    # A range of days: found through the time index, then ordered by id.
    "audit log, one week": Case(
        _audit(date_from=date(2026, 5, 4), date_to=date(2026, 5, 10)), paged=False
    ),
    "recognised households (R5)": Case(
        lambda s, who, _: recognised_households(s, "01", 2026, "00070"), paged=False
    ),
    "periodic review": Case(
        lambda s, who, _: periodic.open_periodic_review(s, who["officer"], CONTEXT, period=2027),
        paged=False,
    ),
    # Each ID looked up in the applicants' and the verified members' indexes.
    "duplicates": Case(_duplicates, paged=False),
    # The province's named list: its statuses through the (period, class) index; the planner
    # may hash the households it joins rather than probe them one by one (a twentieth of the
    # province's households are listed here).
    "recognised households (R5), province": Case(
        lambda s, who, _: recognised_households(s, "01", 2026, "01"),
        paged=False,
        whole=frozenset({"households"}),
    ),
    # The snapshot's counts: the tallies and the open applications' index, nothing else.
    "snapshot counts": Case(lambda s, who, _: commune_rows(s, "01", 2026), paged=False),
}


@contextmanager
def captured(session: Session) -> Iterator[list[tuple[str, Any]]]:
    """The SELECTs on a big table run meanwhile, as (statement, parameters)."""
    statements: list[tuple[str, Any]] = []
    connection = session.connection()

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        reads = statement.lstrip().upper().startswith("SELECT")
        if reads and any(table in statement for table in BIG_TABLES):
            statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", capture)


def explain(session: Session, statement: str, parameters: Any) -> dict[str, Any]:
    """The plan of one statement, as PostgreSQL's JSON, with sequential scans switched off."""
    connection = session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    result = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters)
    return result.scalar()[0]["Plan"]


def nodes(plan: dict[str, Any], above: tuple[dict[str, Any], ...] = ()) -> Iterator[tuple]:
    """Every node of the plan with the nodes above it."""
    yield plan, above
    for child in plan.get("Plans", []):
        yield from nodes(child, (*above, plan))


def outline(plan: dict[str, Any]) -> str:
    """One line per node: its type, the table, the index, its conditions."""
    lines = []
    for node, above in nodes(plan):
        parts = [node["Node Type"]]
        if node.get("Scan Direction") == "Backward":
            parts.append("Backward")
        for key in ("Relation Name", "Index Name", "Index Cond", "Filter", "Sort Key"):
            if key in node:
                parts.append(f"{key}: {node[key]}")
        lines.append("  " * len(above) + " ".join(str(part) for part in parts))
    return "\n".join(lines)


def problems(plan: dict[str, Any], case: Case) -> list[str]:
    """What is wrong with a plan: a big table read whole (a sequential scan, or an index scan
    with no condition that is not a walk stopped by a LIMIT); for a paged list, rows filtered
    after the index or a sort above the big table's scan."""
    found = []
    for node, above in nodes(plan):
        table = node.get("Relation Name")
        if table not in BIG_TABLES:
            continue
        if node["Node Type"] == "Seq Scan":
            found.append(f"sequential scan of {table}")
        unbounded = "Index Cond" not in node and not _limited(node, above)
        if node["Node Type"] in INDEX_SCANS and unbounded and table not in case.whole:
            found.append(f"{table} read whole through {node['Index Name']}")
        if not case.paged:
            continue
        if "Filter" in node:
            found.append(f"{table}: rows filtered after the index ({node['Filter']})")
        if _sorted_before_a_limit(above):
            found.append(f"{table}: sorted, not read in the index's order")
    return found


def _sorted_before_a_limit(above: tuple[dict[str, Any], ...]) -> bool:
    """Whether the rows of a scan are sorted before any LIMIT stops it (a sort of the few rows
    a limited walk gave, as the worklist's two walks, is no sort of the table)."""
    for parent in reversed(above):
        if parent["Node Type"] == "Limit":
            return False
        if parent["Node Type"] in ("Sort", "Incremental Sort"):
            return True
    return False


def _limited(node: dict[str, Any], above: tuple[dict[str, Any], ...]) -> bool:
    """Whether a scan is read in its index's order until a LIMIT stops it (directly, or as the
    outer side of a nested loop)."""
    child = node
    for parent in reversed(above):
        if parent["Node Type"] == "Limit":
            return True
        outer = parent["Node Type"] == "Nested Loop" and parent["Plans"][0] is child
        if parent["Node Type"] != "LockRows" and not outer:
            return False
        child = parent
    return False


def _unique(statements: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The first run of each distinct statement (a query run per row is explained once)."""
    seen: dict[str, Any] = {}
    for statement, parameters in statements:
        seen.setdefault(statement, parameters)
    return list(seen.items())


@pytest.mark.parametrize("name", CASES)
def test_lists_read_big_tables_through_an_index(seeded, name):
    case = CASES[name]
    with seeded.app.app_context():
        session = db.session
        try:
            application = session.get(Application, seeded.application_id)
            with captured(session) as statements:
                case.call(session, seeded.officials, application)
            report = []
            for statement, parameters in _unique(statements):
                plan = explain(session, statement, parameters)
                found = problems(plan, case)
                if found:
                    flat = " ".join(statement.split())
                    report.append(f"{'; '.join(found)}\n  SQL: {flat[:300]}\n{outline(plan)}")
        finally:
            session.rollback()

    assert statements, "no SELECT on a big table was captured"
    assert not report, "\n\n".join(report)
