"""Aggregates for the hub: set-based counts, immutable signed snapshots, reports that agree."""

from __future__ import annotations

import base64
import io
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from openpyxl import load_workbook
from sqlalchemy import inspect, select

from node.context import signing_key
from node.extensions import db
from node.models import Snapshot
from node.models.personal import personal_data_columns
from node.services import hub_access
from node.services.aggregates import build_snapshot, commune_rows
from node.services.reports import build_report
from shared import units
from shared.schemas import AggregateSnapshotSchema, snapshot_id_of
from shared.schemas.binding import (
    BINDING_HEADER,
    NONCE_HEADER,
    PERIOD_HEADER,
    binding_message,
    new_nonce,
)
from shared.standards import standard_for
from tests.builders import adult
from tests.node.review_helpers import (
    NOW,
    act,
    application_id,
    submit,
    to_verified,
    verified_facts,
)

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture(autouse=True)
def signing_key_file(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "SIGNING_KEY_FILE", str(tmp_path / "signing.pem"))
    app.extensions.pop("giamngheo.signing_key", None)
    yield
    app.extensions.pop("giamngheo.signing_key", None)


APPLICANTS = [
    ("Nguyễn Văn Hùng", "001085000111", "0912000111"),
    ("Lò Văn Pánh", "011085000444", "0912000444"),
    ("Trần Thị Hoa", "001090000555", "0912000555"),
]


@pytest.fixture
def recognised(client, team):
    """Three households recognised in commune 00070: poor (Kinh), poor (Thái), near-poor."""
    for index, (name, citizen_id, phone) in enumerate(APPLICANTS):
        applicant = {"full_name": name, "citizen_id": citizen_id, "phone": phone}
        tracking = submit(client, applicant=applicant)["tracking_code"]
        app_id = application_id(client, team["officer"], tracking)
        identities = [
            {
                "full_name": name,
                "citizen_id": citizen_id,
                "ethnicity": "Thái" if index == 1 else "Kinh",
            },
            {"full_name": f"{name} Con", "citizen_id": None, "ethnicity": None},
        ]
        facts = verified_facts(poor=index < 2)
        facts["members"][1] = adult(
            relation="child",
            birth_date="2012-05-05",
            in_school=True,
            employment="not_in_labour_force",
            education_level="primary",
        )
        to_verified(client, team["officer"], team["head"], app_id, team["head_id"], facts,
                    identities)  # fmt: skip
        act(
            client,
            team["head"],
            app_id,
            "record_meeting",
            held_on="2026-11-10",
            attendees=6,
            agreeing=6,
        )
        act(client, team["officer"], app_id, "post", starts_on="2026-11-13")
        act(client, team["chair"], app_id, "decide", number="5/QĐ", decided_on="2026-11-24",
            outcome="recognised")  # fmt: skip
    # A fourth application still in review.
    pending = application_id(client, team["officer"], submit(client)["tracking_code"])
    act(client, team["officer"], pending, "start_review")
    return team


def row_of(rows, code="00070"):
    return next(row for row in rows if row["commune_code"] == code)


def test_counts_per_commune(db_session, recognised):
    rows = commune_rows(db_session, "01", 2026)
    assert len(rows) == len(units.communes("01"))
    row = row_of(rows)
    assert row["poor"] == 2
    assert row["near_poor"] == 1
    assert row["poor_rural"] == 0
    assert row["poor_urban"] == 2  # the ward is urban, whatever the verified facts say
    assert row["new_poor"] == 2
    assert row["new_near_poor"] == 1
    assert row["ethnic_minority_poor"] == 1
    assert row["members_poor"] == 4
    assert row["applications_pending"] == 1
    assert row["households_total"] == 3
    assert row["deprived"]["drinking_water"] == 2
    assert row["deprived"]["sanitation"] == 2
    assert set(row["deprived"]) == {i.code for i in standard_for(2026).indicators}
    other = row_of(rows, "00073")
    assert other["poor"] == 0
    assert other["deprived"]["drinking_water"] == 0


def test_snapshot_is_valid_immutable_and_content_hashed(db_session, recognised):
    first = build_snapshot(db_session, "01", 2026, NOW)
    again = build_snapshot(db_session, "01", 2026, NOW)
    assert again.id == first.id
    document = json.loads(first.body)
    loaded = AggregateSnapshotSchema().load(document)
    assert loaded["snapshot_id"] == first.snapshot_id == snapshot_id_of(document)
    assert len(loaded["rows"]) == len(units.communes("01"))


def test_no_personal_data_in_any_snapshot(db_session, recognised):
    build_snapshot(db_session, "01", 2026, NOW)
    build_snapshot(db_session, "01", 2026, NOW, suppression_k=3)
    bodies = [s.body for s in db_session.scalars(select(Snapshot))]
    assert len(bodies) == 2
    columns = personal_data_columns(db.metadata)
    assert len(columns) >= 15  # names, IDs, phones, addresses, birth dates, free text, facts
    checked = 0
    for column in columns:
        for value in db_session.scalars(select(column).where(column.isnot(None))):
            for text in _texts(value):
                checked += 1
                for body in bodies:
                    assert text not in body, (column, text)
    assert checked > 20


def _texts(value):
    """The strings worth searching for: names, IDs, phones, dates; not True/False or tiny codes."""
    if isinstance(value, dict):
        for inner in value.values():
            yield from _texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner)
    elif isinstance(value, str) and len(value) >= 6:
        yield value
    elif hasattr(value, "isoformat"):
        yield value.isoformat()


def test_suppression_marks_small_cells(db_session, recognised):
    snapshot = build_snapshot(db_session, "01", 2026, NOW, suppression_k=2)
    row = row_of(json.loads(snapshot.body)["rows"])
    assert row["ethnic_minority_poor"] is None
    assert "ethnic_minority_poor" in row["suppressed"]
    assert row["poor"] == 2
    assert row["fell_back"] == 0


def test_reports_agree_with_the_snapshot(db_session, recognised):
    snapshot_rows = json.loads(build_snapshot(db_session, "01", 2026, NOW).body)["rows"]
    r1 = build_report(db_session, "R1", "01", 2026, "01")
    by_code = {row["code"]: row for row in r1.rows}
    for row in snapshot_rows:
        for key in ("households_total", "poor", "near_poor", "average", "poor_rural"):
            assert by_code[row["commune_code"]][key] == row[key]
    total = next(t for t in r1.totals if t["code"] == "total")
    assert total["poor"] == sum(row["poor"] for row in snapshot_rows) == 2
    assert by_code["00070"]["poor_rate"] == round(100 * 2 / 3, 2)
    r3 = build_report(db_session, "R3", "01", 2026, "00070")
    assert [row["code"] for row in r3.rows] == ["00070"]
    assert r3.rows[0]["deprived.sanitation"] == row_of(snapshot_rows)["deprived"]["sanitation"]


def test_report_api_formats_and_scope(client, recognised, login_as):
    officer = recognised["officer"]
    data = client.get("/api/v1/reports/R1?period=2026", headers=officer).get_json()
    assert data["unit"]["code"] == "00070"
    assert data["rows"][0]["poor"] == 2
    csv_text = client.get("/api/v1/reports/R4?period=2026&format=csv", headers=officer).get_data(
        as_text=True
    )
    assert csv_text.startswith("\ufeffMã,")
    assert "Hộ nghèo dân tộc thiểu số" in csv_text
    xlsx = client.get("/api/v1/reports/R1?period=2026&format=xlsx", headers=officer)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any("TỔNG HỢP KẾT QUẢ RÀ SOÁT" in str(v) for row in values for v in row)
    data_row = next(row for row in values if row[0] == "00070")
    assert data_row[3] == 2  # poor
    assert any(v == "THỦ TRƯỞNG ĐƠN VỊ" for row in values for v in row)
    # A commune officer never gets another commune or the province.
    assert client.get("/api/v1/reports/R1?unit=00073", headers=officer).status_code == 404
    assert client.get("/api/v1/reports/R1?unit=01", headers=officer).status_code == 404
    province = login_as("province_officer")
    whole = client.get("/api/v1/reports/R2?period=2026", headers=province).get_json()
    assert len(whole["rows"]) == len(units.communes("01"))
    assert whole["totals"][-1]["new_poor"] == 2
    r5 = client.get("/api/v1/reports/R5?period=2026", headers=officer).get_json()
    assert [row["classification"] for row in r5["rows"]] == ["near_poor", "poor", "poor"]
    assert client.get("/api/v1/reports/R9", headers=officer).status_code == 404
    assert client.get("/api/v1/reports/R1").status_code == 401


def test_aggregates_endpoint_signed_etag_and_auth(client, db_session, recognised, app):
    token = hub_access.issue_hub_token(db_session, NOW)
    db_session.commit()
    assert client.get("/api/v1/aggregates?period=2026").status_code == 401
    bad = client.get("/api/v1/aggregates?period=2026", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get("/api/v1/aggregates?period=2026", headers=headers)
    assert response.status_code == 200
    body = response.get_data()
    public = signing_key().public_key()
    public.verify(base64.b64decode(response.headers["X-Signature"]), body)
    document = json.loads(body)
    assert response.headers["ETag"] == f'"{document["snapshot_id"]}"'
    assert row_of(document["rows"])["poor"] == 2
    cached = client.get(
        "/api/v1/aggregates?period=2026",
        headers={**headers, "If-None-Match": response.headers["ETag"]},
    )
    assert cached.status_code == 304
    assert cached.get_data() == b""
    assert client.get("/api/v1/aggregates?period=20x6", headers=headers).status_code == 422
    # A year no poverty standard covers has nothing to classify by: refused, not a 500.
    uncovered = client.get("/api/v1/aggregates?period=2031", headers=headers)
    assert uncovered.status_code == 422
    assert "period" in uncovered.get_json()["error"]["fields"]
    # Rotation: a new token revokes the old one.
    hub_access.issue_hub_token(db_session, NOW)
    db_session.commit()
    assert client.get("/api/v1/aggregates", headers=headers).status_code == 401


def test_every_answer_is_bound_to_the_hubs_nonce(client, db_session, recognised, app):
    token = hub_access.issue_hub_token(db_session, NOW)
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    public = signing_key().public_key()
    nonce = new_nonce()

    response = client.get(
        "/api/v1/aggregates?period=2026", headers={**headers, NONCE_HEADER: nonce}
    )

    assert response.status_code == 200
    snapshot_id = json.loads(response.get_data())["snapshot_id"]
    assert response.headers[PERIOD_HEADER] == "2026"
    assert response.headers["Cache-Control"] == "no-store"
    binding = base64.b64decode(response.headers[BINDING_HEADER])
    public.verify(binding, binding_message(nonce, "01", 2026, snapshot_id))
    with pytest.raises(InvalidSignature):  # bound to that nonce, that period, that snapshot
        public.verify(binding, binding_message(new_nonce(), "01", 2026, snapshot_id))
    with pytest.raises(InvalidSignature):
        public.verify(binding, binding_message(nonce, "01", 2025, snapshot_id))

    again = new_nonce()
    cached = client.get(
        "/api/v1/aggregates",
        headers={**headers, NONCE_HEADER: again, "If-None-Match": response.headers["ETag"]},
    )

    assert cached.status_code == 304
    assert cached.headers[PERIOD_HEADER] == "2026"
    public.verify(
        base64.b64decode(cached.headers[BINDING_HEADER]),
        binding_message(again, "01", 2026, snapshot_id),
    )


@pytest.mark.parametrize("nonce", ["", "short", "x" * 129, "not a nonce at all, spaces", "ñ" * 30])
def test_a_malformed_nonce_is_refused_never_signed(client, db_session, recognised, nonce):
    token = hub_access.issue_hub_token(db_session, NOW)
    db_session.commit()

    response = client.get(
        "/api/v1/aggregates",
        headers={"Authorization": f"Bearer {token}", NONCE_HEADER: nonce},
    )

    assert response.status_code == 422
    assert BINDING_HEADER not in response.headers
    assert NONCE_HEADER.lower() in str(response.get_json()["error"]["fields"]).lower()


def test_a_tampered_body_fails_verification(client, db_session, recognised, app):
    token = hub_access.issue_hub_token(db_session, NOW)
    db_session.commit()
    public_b64 = hub_access.public_key_b64(signing_key())
    response = client.get("/api/v1/aggregates", headers={"Authorization": f"Bearer {token}"})
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64))
    signature = base64.b64decode(response.headers["X-Signature"])
    tampered = response.get_data().replace(b'"poor":2', b'"poor":9')
    assert tampered != response.get_data()
    with pytest.raises(InvalidSignature):
        public.verify(signature, tampered)


def test_personal_columns_are_marked(db_session):
    marked = {(c.table.name, c.name) for c in personal_data_columns(db.metadata)}
    for expected in [
        ("applications", "applicant_name"),
        ("applications", "applicant_citizen_id"),
        ("applications", "applicant_phone"),
        ("households", "head_name"),
        ("households", "address"),
        ("household_members", "full_name"),
        ("household_members", "citizen_id"),
        ("household_members", "birth_date"),
        ("household_members", "low_income_worker"),
        ("users", "full_name"),
    ]:
        assert expected in marked
    snapshot_columns = {c.name for c in inspect(Snapshot).columns}
    assert not snapshot_columns & {name for _, name in marked}


@pytest.mark.parametrize("form", ["R1", "R2", "R3", "R4", "R5"])
def test_village_heads_read_no_report_form_through_the_api_as_on_the_pages(
    client, recognised, login_as, login_web, form
):
    # R1-R4 count the whole commune; a village head's area is their villages (README).
    head = login_as("village_head", ("00070-001",))
    assert client.get(f"/api/v1/reports/{form}?period=2026", headers=head).status_code == 403
    login_web("village_head", ("00070-001",))
    assert client.get(f"/officials/reports?form={form}&period=2026").status_code == 403
    assert client.get(f"/officials/reports/{form}.csv?period=2026").status_code == 403
