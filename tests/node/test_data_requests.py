"""Residents' requests about their data (issue 18 part 3): with only the tracking code and the
phone, a resident asks for a correction (API and portal), it reaches the commune's list with its
legal deadline, an official answers, and the resident reads the answer on the status page;
withdrawing consent stops an open application, and on a decided household is recorded for an
official to answer under the public-duty exception; everything audited."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from node.models import Application, AuditEntry, DataRequest
from node.services.audit import verify_audit_chain
from node.services.data_requests import deadlines
from tests.node.review_helpers import application_id, submit

pytestmark = pytest.mark.usefixtures("fixed_clock", "team")

PHONE = "0912345678"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def csrf(client) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text(client.get("/status")))[1]


def ask(client, code, **body):
    return client.post(f"/api/v1/applications/{code}/requests", json={"phone": PHONE, **body})


CORRECTION = {
    "kind": "correction",
    "what_is_wrong": "Ngày sinh của con ghi 2018",
    "should_be": "Ngày sinh của con là 2017",
}


def test_a_correction_is_asked_answered_and_read(client, db_session, team, fixed_clock):
    code = submit(client)["tracking_code"]
    made = ask(client, code, **CORRECTION)

    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["status"] == "open"
    received = datetime.fromisoformat(body["received_at"])
    hours = deadlines()["correction"]["hours"]
    assert datetime.fromisoformat(body["due_at"]) - received == timedelta(hours=hours)
    stored = db_session.scalar(select(DataRequest))
    assert (stored.proof, stored.commune_code) == ("phone", "00070")

    # On the commune's list, earliest deadline first; not on another commune's.
    listed = client.get("/api/v1/data-requests", headers=team["officer"]).get_json()["items"]
    assert [(item["id"], item["kind"]) for item in listed] == [(body["id"], "correction")]
    assert listed[0]["application_id"] == application_id(client, team["officer"], code)

    answered = client.post(
        f"/api/v1/data-requests/{body['id']}/answer",
        json={"outcome": "refused", "answer": "Giấy khai sinh ghi năm 2018; xin mang bản gốc."},
        headers=team["officer"],
    )
    assert answered.status_code == 200, answered.get_json()
    again = client.post(
        f"/api/v1/data-requests/{body['id']}/answer",
        json={"outcome": "done"},
        headers=team["officer"],
    )
    assert again.status_code == 409
    assert client.get("/api/v1/data-requests", headers=team["officer"]).get_json()["items"] == []

    # The resident reads it: lookup JSON, my-data, and the status page.
    looked = client.post(f"/api/v1/applications/{code}/lookup", json={"phone": PHONE}).get_json()
    assert looked["requests"][0]["status"] == "refused"
    assert looked["requests"][0]["answer"].startswith("Giấy khai sinh")
    mine = client.post(f"/api/v1/applications/{code}/my-data", json={"phone": PHONE}).get_json()
    assert mine["requests"] == looked["requests"]
    page = text(
        client.post(
            "/status", data={"csrf_token": csrf(client), "tracking_code": code, "proof": PHONE}
        )
    )
    assert "Giấy khai sinh ghi năm 2018; xin mang bản gốc." in page
    assert "Từ chối" in page
    printable = text(
        client.post(
            "/status/my-data",
            data={"csrf_token": csrf(client), "tracking_code": code, "proof": PHONE},
        )
    )
    assert "Ngày sinh của con ghi 2018 → Ngày sinh của con là 2017" in printable
    assert "Giấy khai sinh ghi năm 2018; xin mang bản gốc." in printable

    actions = list(db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert "data_request" in actions
    assert "answer_data_request" in actions
    assert verify_audit_chain(db_session) is None


def test_the_portal_form_records_a_correction(client, db_session):
    code = submit(client)["tracking_code"]
    form = {"csrf_token": csrf(client), "tracking_code": code, "proof": PHONE}

    incomplete = client.post("/status/request", data={**form, "kind": "correction"})
    assert incomplete.status_code == 422
    assert db_session.scalar(select(DataRequest)) is None

    sent = client.post("/status/request", data={**form, **CORRECTION})
    assert sent.status_code == 200
    assert sent.headers["Cache-Control"] == "no-store"
    assert "Ngày sinh của con là 2017" in text(sent)
    assert db_session.scalar(select(DataRequest.kind)) == "correction"


def test_a_wrong_proof_records_nothing(client, db_session):
    code = submit(client)["tracking_code"]

    response = client.post(
        f"/api/v1/applications/{code}/requests", json={"phone": "0987654321", **CORRECTION}
    )

    assert response.status_code == 404
    assert db_session.scalar(select(DataRequest)) is None


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "correction", "what_is_wrong": "x"},
        {"kind": "forget_everything"},
        {"kind": "deletion", "reason": "a\x00b"},
        {"kind": "deletion", "reason": "x" * 2001},
    ],
)
def test_bad_requests_are_refused_whole(client, db_session, body):
    code = submit(client)["tracking_code"]

    response = ask(client, code, **body)

    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]
    assert db_session.scalar(select(DataRequest)) is None


def test_withdrawing_consent_stops_an_open_application(client, db_session, team):
    code = submit(client)["tracking_code"]
    app_id = application_id(client, team["officer"], code)
    client.post(
        f"/api/v1/applications/{app_id}/actions/start_review", json={}, headers=team["officer"]
    )

    made = ask(client, code, kind="consent_withdrawal").get_json()

    assert (made["status"], made["handling"]) == ("done", "processing_stopped")
    application = db_session.scalar(select(Application))
    assert application.status == "withdrawn"
    assert application.events[-1].action == "withdraw_consent"
    assert client.get("/api/v1/data-requests", headers=team["officer"]).get_json()["items"] == []
    file_page = text(team.officer.get(f"/officials/applications/{app_id}"))
    assert "Người đề nghị rút lại sự đồng ý: đã dừng xử lý" in file_page


def test_withdrawing_consent_on_a_decided_household_goes_to_the_commune(client, db_session, team):
    code = submit(client)["tracking_code"]
    application = db_session.scalar(select(Application))
    application.status, application.outcome = "decided", "recognised"
    db_session.commit()

    made = ask(client, code, kind="consent_withdrawal").get_json()

    assert (made["status"], made["handling"]) == ("open", "public_duty")
    assert db_session.scalar(select(Application.status)) == "decided"
    listed = client.get("/api/v1/data-requests", headers=team["officer"]).get_json()["items"]
    assert [item["handling"] for item in listed] == ["public_duty"]


def test_an_official_of_another_commune_cannot_answer(client, team, login_as):
    code = submit(client)["tracking_code"]
    made = ask(client, code, **CORRECTION).get_json()
    elsewhere = login_as("commune_officer", ["00073"])

    answered = client.post(
        f"/api/v1/data-requests/{made['id']}/answer", json={"outcome": "done"}, headers=elsewhere
    )

    assert answered.status_code == 404
    assert client.get("/api/v1/data-requests", headers=elsewhere).get_json()["items"] == []


def test_the_officer_answers_on_the_workspace_page(client, db_session, team):
    code = submit(client)["tracking_code"]
    made = ask(client, code, **CORRECTION).get_json()
    officer = team.officer

    listing = officer.get("/officials/data-requests")
    assert listing.status_code == 200
    page = text(listing)
    assert "Sửa thông tin của tôi" in page
    assert "Ngày sinh của con là 2017" in page
    assert "(1)" in text(officer.get("/officials/"))  # the navigation counts what waits

    refused_blank = officer.post(
        f"/officials/data-requests/{made['id']}/answer", {"outcome": "refused", "answer": " "}
    )
    assert refused_blank.status_code == 303
    assert db_session.scalar(select(DataRequest.status)) == "open"

    done = officer.post(
        f"/officials/data-requests/{made['id']}/answer",
        {"outcome": "done", "answer": "Đã sửa năm sinh của con thành 2017."},
    )
    assert done.status_code == 303
    db_session.expire_all()
    assert db_session.scalar(select(DataRequest.status)) == "done"
    looked = client.post(f"/api/v1/applications/{code}/lookup", json={"phone": PHONE}).get_json()
    assert looked["requests"][0]["answer"] == "Đã sửa năm sinh của con thành 2017."
    assert "list_data_requests" in set(db_session.scalars(select(AuditEntry.action)))


def test_a_deletion_agreed_to_stops_and_anonymises_the_application(client, db_session, team):
    code = submit(client)["tracking_code"]
    made = ask(client, code, kind="deletion", reason="Tôi không muốn tiếp tục").get_json()

    answered = client.post(
        f"/api/v1/data-requests/{made['id']}/answer",
        json={"outcome": "done", "answer": "Đã xóa dữ liệu."},
        headers=team["officer"],
    )

    assert answered.status_code == 200, answered.get_json()
    db_session.expire_all()
    application = db_session.scalar(select(Application))
    assert application.status == "withdrawn"
    assert application.anonymised_at is not None
    assert (application.applicant_name, application.applicant_phone) == ("", "")
    assert application.events[-1].action == "delete_on_request"
    assert db_session.scalar(select(DataRequest.reason)) is None
    # The proof is gone with the data: the code now answers like any unknown one.
    gone = client.post(f"/api/v1/applications/{code}/lookup", json={"phone": PHONE})
    assert gone.status_code == 404
    assert verify_audit_chain(db_session) is None


def test_a_recognised_household_is_not_deleted(client, db_session, team):
    code = submit(client)["tracking_code"]
    application = db_session.scalar(select(Application))
    application.status, application.outcome = "decided", "recognised"
    db_session.commit()
    made = ask(client, code, kind="deletion").get_json()

    done = client.post(
        f"/api/v1/data-requests/{made['id']}/answer",
        json={"outcome": "done"},
        headers=team["officer"],
    )

    assert done.status_code == 409
    assert "public duty" in done.get_json()["error"]["message"]
    db_session.expire_all()
    assert db_session.scalar(select(Application.applicant_name)) == "Nguyễn Thị Lan"
    assert db_session.scalar(select(DataRequest.status)) == "open"
