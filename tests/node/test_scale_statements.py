"""No officials' request costs more SQL statements in a bigger province (issue 17).

The node is filled with 3 communes' worth of households, statuses and applications in every
state, each operation is run through the app and its statements counted; then 27 more communes'
worth is added and every count must be the same. A request that read one row at a time (members
lazily, one SELECT per household), or looped over the province, would count more the second time.
The time each takes at three real sizes is bench/scale.py's.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, insert, select

from node.extensions import db
from node.models import (
    Application,
    ApplicationEvent,
    Decision,
    DecisionItem,
    Household,
    HouseholdStatus,
    Member,
    Posting,
    PostingItem,
    StatusDeprivation,
    User,
    Verification,
    VerificationIdentity,
    Village,
)
from node.services import accounts, tallies
from node.services.aggregates import build_snapshot
from node.services.imports import COLUMNS
from node.services.paging import list_key
from shared import units
from shared.standards import evaluate
from shared.web.auth import SESSION_KEY
from tests.builders import household
from tests.node.review_helpers import NOW, TODAY, verified_facts

pytestmark = pytest.mark.usefixtures("fixed_clock")

COMMUNES = ["00070", *(c.code for c in units.communes("01") if c.code != "00070")]
PER_COMMUNE = 24  # households, and open applications in every state
STATES = ("submitted", "submitted", "under_review", "under_review", "meeting_held", "posted")
FACTS = household()
ASSESSMENT = evaluate(FACTS)
_numbers = itertools.count(1)


def fill(session, communes: list[str]) -> None:
    """Households with members, two periods of statuses and deprivations, villages, and
    applications in every state with verifications, postings and decisions, for ``communes``."""
    user_id = session.scalar(select(func.min(User.id)))
    for commune in communes:
        villages = []
        for k in (1, 2):
            code = f"{commune}-{k:03d}"
            village = session.scalar(select(Village).where(Village.code == code))
            if village is None:
                village = Village(code=code, commune_code=commune, name=f"Thôn {k}")
                session.add(village)
            villages.append(village)
        session.flush()
        ends = TODAY - timedelta(days=15)
        posting = Posting(commune_code=commune, starts_on=ends - timedelta(days=5), ends_on=ends,
                          posted_by=user_id, posted_at=NOW)  # fmt: skip
        decision = Decision(commune_code=commune, number=f"{next(_numbers)}/QĐ", decided_on=TODAY,
                            chair_id=user_id, recorded_at=NOW)  # fmt: skip
        session.add_all([posting, decision])
        session.flush()
        for i in range(PER_COMMUNE):
            _household(session, commune, villages[i % 2].id, i)
            _application(session, commune, villages[i % 2].id, i, user_id, posting, decision)
    session.flush()
    for period in (2025, 2026):
        tallies.recount(session, period)
    session.commit()


def _household(session, commune: str, village_id: int, i: int) -> None:
    n = next(_numbers)
    home = Household(commune_code=commune, village_id=village_id, area="rural",
                     head_name=f"Chủ hộ {commune}", head_citizen_id=f"7{n:011d}")  # fmt: skip
    session.add(home)
    session.flush()
    session.execute(insert(Member), [
        {"household_id": home.id, "position": p, "full_name": "Thành viên", "sex": "male",
         "citizen_id": f"6{n * 4 + p:011d}", "birth_date": date(1980, 1, 1), "relation": "child"}
        for p in (1, 2, 3)
    ])  # fmt: skip
    for period in (2025, 2026):
        cls = ("poor", "near_poor", "average", "not_poor")[(i + period) % 4]
        status = HouseholdStatus(household_id=home.id, period=period, commune_code=commune,
                                 classification=cls, standard_id="VN-2022-2025", area="rural",
                                 members_count=3, decided_on=TODAY)  # fmt: skip
        if cls in ("poor", "near_poor"):
            status.deprivations = [
                StatusDeprivation(indicator=code, period=period, commune_code=commune)
                for code in ("health_insurance", "housing_quality")
            ]
        session.add(status)


def _application(session, commune, village_id, i, user_id, posting, decision) -> None:
    n = next(_numbers)
    status = "decided" if i % 8 == 7 else STATES[i % len(STATES)]
    application = Application(
        tracking_code=f"S{n:09d}", kind="enter", channel="portal", status=status,
        outcome="recognised" if status == "decided" else None, period=2026,
        commune_code=commune, village_id=village_id, applicant_name="Người nộp",
        applicant_citizen_id=f"5{n:011d}", applicant_phone="0912345678", declared_facts=FACTS,
        standard_id=ASSESSMENT["standard_id"], self_assessment=ASSESSMENT,
        self_classification=ASSESSMENT["classification"],
        submitted_at=NOW - timedelta(days=40, minutes=n), updated_at=NOW,
        due_on=None if status == "submitted" else TODAY + timedelta(days=i % 9 - 3),
    )  # fmt: skip
    application.events.append(ApplicationEvent(at=NOW, action="submit", to_status="submitted",
                                               actor_role="resident"))  # fmt: skip
    session.add(application)
    session.flush()
    if status == "submitted":
        return
    identities = [{"full_name": "Thành viên", "citizen_id": f"4{n * 2 + k:011d}"} for k in (0, 1)]
    verification = Verification(
        application_id=application.id, verified_by=user_id, verified_at=NOW, facts=FACTS,
        identities=identities, assessment=ASSESSMENT, classification=ASSESSMENT["classification"],
        standard_id=ASSESSMENT["standard_id"],
    )  # fmt: skip
    session.add(verification)
    session.flush()
    session.add_all(
        VerificationIdentity(verification_id=verification.id, application_id=application.id,
                             position=k, citizen_id=identity["citizen_id"])
        for k, identity in enumerate(identities)
    )  # fmt: skip
    if status in ("posted", "decided"):
        session.add(PostingItem(posting_id=posting.id, application_id=application.id,
                                proposed_classification="poor"))  # fmt: skip
    if status == "decided":
        session.add(DecisionItem(decision_id=decision.id, application_id=application.id,
                                 outcome="recognised", classification="poor"))  # fmt: skip


@contextmanager
def counting():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def import_file(tmp_path: Path) -> Path:
    """A small list to import: ten households of commune 00070."""
    path = tmp_path / f"list-{next(_numbers)}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.header for column in COLUMNS])
        for k in range(10):
            n = next(_numbers)
            writer.writerow(["00070", "", "Nguyễn Văn An", f"8{n:011d}", "", "", "Kinh", "",
                             "2026", "Hộ nghèo" if k % 2 else "Hộ không nghèo", "3",
                             "health_insurance; housing_quality; sanitation" if k % 2 else "",
                             ""])  # fmt: skip
    return path


def test_no_request_costs_more_statements_in_a_bigger_province(
    app, client, db_session, login_as, make_user, tmp_path
):
    officer = login_as("commune_officer")
    head = login_as("village_head", ["00070-001"])
    province = login_as("province_officer")
    web = app.test_client()
    user = make_user("commune_officer")
    with web.session_transaction() as session:
        session[SESSION_KEY] = accounts.open_session(db_session, user, accounts.WEB, now=NOW)
    db_session.commit()
    head_id = db_session.scalar(select(User.id).where(User.role == "village_head"))

    def submit() -> tuple[object, dict]:
        body = {"commune_code": "00070", "village_code": "00070-001", "kind": "enter",
                "applicant": {"full_name": "Nguyễn Văn An",
                              "citizen_id": f"3{next(_numbers):011d}", "phone": "0912345678"},
                "household": household(), "consent": True}  # fmt: skip
        key = {"Idempotency-Key": f"scale-{next(_numbers)}"}
        return client.post("/api/v1/applications", json=body, headers=key), body

    def operations() -> dict[str, Callable[[], object]]:
        """Each operation, bound to records of the data as it is now."""
        answer, _ = submit()
        code = answer.get_json()["tracking_code"]
        new_id = db_session.scalar(select(Application.id).where(Application.tracking_code == code))
        client.post(f"/api/v1/applications/{new_id}/actions/start_review",
                    json={"assign_to": head_id}, headers=officer)  # fmt: skip
        reviewing, _ = submit()
        review_id = db_session.scalar(
            select(Application.id).where(
                Application.tracking_code == reviewing.get_json()["tracking_code"]
            )
        )
        # The second member shares an ID with a verified member of another open file (one the
        # latest fill added): the verification flags one possible duplicate, at both sizes.
        other = db_session.scalar(
            select(VerificationIdentity.citizen_id)
            .join(Application, Application.id == VerificationIdentity.application_id)
            .where(Application.status == "under_review")
            .order_by(VerificationIdentity.id.desc())
            .limit(1)
        )
        verification = {
            "facts": verified_facts(),
            "identities": [
                {"full_name": "Nguyễn Văn Hùng", "citizen_id": f"2{next(_numbers):011d}"},
                {"full_name": "Lò Thị Mai", "citizen_id": other},
            ],
        }
        commune_rows = db_session.execute(
            select(Application.submitted_at, Application.id)
            .where(Application.commune_code == "00070")
            .order_by(Application.submitted_at.desc(), Application.id.desc())
            .offset(10)
            .limit(1)
        ).one()
        deep = list_key(*commune_rows)
        province_rows = db_session.execute(
            select(Application.submitted_at, Application.id)
            .order_by(Application.submitted_at.desc(), Application.id.desc())
            .offset(60)
            .limit(1)
        ).one()
        deep_province = list_key(*province_rows)
        file_id = db_session.scalar(
            select(Application.id)
            .where(Application.commune_code == "00070", Application.status == "posted")
            .order_by(Application.id)
            .limit(1)
        )
        worklist_next = client.get("/api/v1/worklist?per_page=5", headers=officer).get_json()
        path = import_file(tmp_path)
        ops = {
            "submit": lambda: submit()[0],
            "lookup": lambda: client.post(
                f"/api/v1/applications/{code}/lookup", json={"phone": "0912345678"}
            ),
            "start_review": lambda: client.post(
                f"/api/v1/applications/{review_id}/actions/start_review",
                json={"assign_to": head_id},
                headers=officer,
            ),
            "verify": lambda: client.post(
                f"/api/v1/applications/{new_id}/actions/verify", json=verification, headers=head
            ),
            "file page": lambda: client.get(f"/api/v1/applications/{file_id}", headers=officer),
            "list, commune": lambda: client.get("/api/v1/applications", headers=officer),
            "list, commune, by key": lambda: client.get(
                f"/api/v1/applications?after={deep}", headers=officer
            ),
            "list, province": lambda: client.get("/api/v1/applications", headers=province),
            "list, province, by key": lambda: client.get(
                f"/api/v1/applications?after={deep_province}", headers=province
            ),
            "worklist, commune": lambda: client.get("/api/v1/worklist", headers=officer),
            "worklist, commune, next page": lambda: client.get(
                f"/api/v1/worklist?per_page=5&after={worklist_next['next_after']}", headers=officer
            ),
            "worklist, province": lambda: client.get("/api/v1/worklist", headers=province),
            "worklist page": lambda: web.get("/officials/"),
            "list page": lambda: web.get("/officials/applications"),
            "R5 page": lambda: web.get("/officials/reports?form=R5&period=2026"),
            "snapshot": lambda: build_snapshot(db_session, "01", 2026, datetime.now(UTC)),
            "import": lambda: runner_import(app, path),
        }
        for form in ("R1", "R2", "R3", "R4", "R5"):
            for fmt in ("json", "csv", "xlsx"):
                ops[f"{form} {fmt}"] = lambda form=form, fmt=fmt: client.get(
                    f"/api/v1/reports/{form}?unit=01&period=2026&format={fmt}", headers=province
                )
        return ops

    def counts() -> dict[str, int]:
        found = {}
        for name, call in operations().items():
            with counting() as statements:
                answer = call()
                status = getattr(answer, "status_code", 200)
                if hasattr(answer, "get_data"):
                    answer.get_data()  # a streamed answer runs its queries as it is read
            assert status in (200, 201), (name, answer.get_data(as_text=True)[:300])
            found[name] = len(statements)
        return found

    fill(db_session, COMMUNES[:3])
    small = counts()
    fill(db_session, COMMUNES[3:30])
    large = counts()

    assert db_session.scalar(select(func.count()).select_from(Household)) >= 30 * PER_COMMUNE
    grew = {name: (small[name], large[name]) for name in small if large[name] != small[name]}
    assert not grew, f"statements (3 communes, 30 communes): {grew}"


def runner_import(app, path: Path) -> object:
    from node.cli import cli

    result = app.test_cli_runner().invoke(cli, ["import-households", str(path), "--period", "2026"])
    assert result.exit_code == 0, result.output
    return result
