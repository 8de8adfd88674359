"""Search (issue 15 part 6): a file found by its tracking code as printed or stored, a 12-digit ID
number of the applicant or a member, or words of a name typed without tone marks — in the
official's area only; a query no file could match is refused with a message, nothing logged."""

from __future__ import annotations

import re

import flask_migrate
import pytest
import sqlalchemy as sa

from node.cli import cli
from node.extensions import db
from node.models import ApplicationSearchWord, AuditEntry
from node.services.errors import ValidationFailed
from node.services.identity import name_words
from node.services.search import SearchTerms, parse_query
from node.services.tracking import display_tracking_code
from tests.node.review_helpers import IDENTITIES, application_id, submit, to_verified

pytestmark = pytest.mark.usefixtures("fixed_clock")

NAME_APPLICANT = {
    "full_name": "Nguyễn Văn Đức",
    "citizen_id": "001190099001",
    "phone": "0912000001",
}
OTHER_APPLICANT = {"full_name": "Trần Thị Lan", "citizen_id": "001190099002", "phone": "0912000002"}


def test_names_fold_to_what_a_phone_keyboard_types():
    assert name_words("Nguyễn Văn Đức") == {"nguyen", "van", "duc"}
    # Decomposed input (e + combining marks) folds the same as precomposed.
    assert name_words("Nguye\u0302\u0303n") == {"nguyen"}
    assert name_words("Ka'Sô  Rơ-châm") == {"ka", "so", "ro", "cham"}


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ("nmx3-9rb7-98", SearchTerms(tracking_code="NMX39RB798")),
        ("NMX39RB798", SearchTerms(tracking_code="NMX39RB798")),
        ("0011 9009 9001", SearchTerms(citizen_id="001190099001")),
        ("  Nguyen   VAN  ", SearchTerms(words=("nguyen", "van"))),
        ("đức", SearchTerms(words=("duc",))),
        ("", None),
        ("   ", None),
    ],
)
def test_queries_are_read_as_code_id_or_words(typed, terms):
    assert parse_query(typed) == terms


@pytest.mark.parametrize(
    "typed",
    ["ab\x00c", "a" * 101, "٠٠١١٩٠٠٩٩٠٠١", "12345", "lan\u200b", "--", "a b c d e f g h i"],
)
def test_queries_no_file_could_match_are_refused(typed):
    with pytest.raises(ValidationFailed) as refused:
        parse_query(typed)
    assert "q" in refused.value.fields


@pytest.fixture
def files(client, login_as, make_user):
    """Two applications in commune 00070: Nguyễn Văn Đức's (verified, with IDENTITIES as its
    members) and Trần Thị Lan's; the officer's headers."""
    head = make_user("village_head", ("00070-001",))
    officer = login_as("commune_officer")
    duc = submit(client, applicant=NAME_APPLICANT)["tracking_code"]
    lan = submit(client, applicant=OTHER_APPLICANT)["tracking_code"]
    duc_id = application_id(client, officer, duc)
    head_headers = login_as("village_head", ("00070-001",))
    to_verified(client, officer, head_headers, duc_id, head.id)
    return {"officer": officer, "duc": duc, "lan": lan}


def found(client, headers, q, **filters):
    response = client.get("/api/v1/applications", query_string={"q": q, **filters},
                          headers=headers)  # fmt: skip
    assert response.status_code == 200, response.get_json()
    return sorted(item["tracking_code"] for item in response.get_json()["items"])


def test_search_by_tracking_code_as_printed_or_stored(client, files):
    printed = display_tracking_code(files["duc"])
    assert "-" in printed
    assert found(client, files["officer"], printed) == [files["duc"]]
    assert found(client, files["officer"], printed.lower()) == [files["duc"]]
    assert found(client, files["officer"], files["lan"]) == [files["lan"]]


def test_search_by_id_number_of_the_applicant_or_a_member(client, files):
    officer = files["officer"]
    assert found(client, officer, "001190099002") == [files["lan"]]
    # A member the village head's verification recorded.
    assert found(client, officer, IDENTITIES[1]["citizen_id"]) == [files["duc"]]
    assert found(client, officer, "001190099003") == []


def test_search_by_name_words_without_tone_marks_or_case(client, files):
    officer = files["officer"]
    assert found(client, officer, "nguyen van duc") == [files["duc"]]
    assert found(client, officer, "DUC NGUYEN") == [files["duc"]]
    assert found(client, officer, "Trần Thị Lan") == [files["lan"]]
    assert found(client, officer, "lan") == [files["lan"]]
    # A verified member's name ("Lò Thị Mai") finds the household's file.
    assert found(client, officer, "lo thi mai") == [files["duc"]]
    # Every word must be in one file's names.
    assert found(client, officer, "nguyen lan") == []


def test_search_keeps_to_the_officials_area_and_the_other_filters(client, files, login_as):
    outside = login_as("commune_officer", ("00073",))
    assert found(client, outside, "nguyen van duc") == []
    assert found(client, outside, files["duc"]) == []
    assert found(client, files["officer"], "lan", status="under_review") == []


@pytest.mark.parametrize("q", ["a\x00b", "x" * 101, "١٢٣٤٥٦٧٨٩٠١٢", "98765"])
def test_a_hostile_query_is_a_clean_refusal(client, files, q):
    response = client.get("/api/v1/applications", query_string={"q": q}, headers=files["officer"])
    # A NUL never reaches the app (400 at the edge of the request); the rest name the field.
    assert response.status_code in (400, 422)
    error = response.get_json()["error"]
    assert error["message"]
    if response.status_code == 422:
        assert "q" in error["fields"]


def test_the_audit_log_records_a_search_but_not_what_was_searched(client, files, db_session):
    found(client, files["officer"], "001190099002")
    details = db_session.scalars(
        sa.select(AuditEntry.details).where(AuditEntry.action == "list_applications")
        .order_by(AuditEntry.id.desc()).limit(1)
    ).one()  # fmt: skip
    assert details["search"] is True
    assert "001190099002" not in str(details)


def test_the_migration_backfills_the_words_of_existing_files(make_app):
    app = make_app()
    assert app.test_cli_runner().invoke(cli, ["init-db"]).exit_code == 0
    client = app.test_client()
    submit(client, village_code=None, applicant=NAME_APPLICANT)
    with app.app_context():
        flask_migrate.downgrade(revision="5f1e1d0a7c21")
        assert "application_search_words" not in sa.inspect(db.engine).get_table_names()
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("applications")}
        assert "paper_dated_on" not in columns
        flask_migrate.upgrade()
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("applications")}
        assert "paper_dated_on" in columns
        words = db.session.scalars(sa.select(ApplicationSearchWord.word)).all()
        db.session.remove()
    assert sorted(words) == ["duc", "nguyen", "van"]


# ----------------------------------------------------------------------------- the officials' page


def test_the_list_page_searches_by_post_and_the_address_carries_nothing(client, team, monkeypatch):
    from node.web import officials
    from tests.node.officials_helpers import html, new_application

    monkeypatch.setattr(officials, "PER_PAGE", 1)
    for number in range(3):
        new_application(client, team.officer, applicant=OTHER_APPLICANT | {
            "citizen_id": f"00119009910{number}", "phone": f"091200010{number}"})  # fmt: skip
    new_application(client, team.officer, applicant=NAME_APPLICANT)

    page = html(team.officer.get("/officials/applications"))
    assert 'method="post" action="/officials/applications"' in page
    first = team.officer.post("/officials/applications", {"q": "tran thi LAN"})
    assert first.status_code == 200
    text = html(first)
    assert "Trần Thị Lan" in text
    assert "Nguyễn Văn Đức" not in text
    # The next page of the results is a posted form too: no link carries the search.
    assert "q=" not in text
    assert "tran thi LAN" in text
    token = re.search(r'name="after" value="([^"]+)"', text).group(1)
    more = {"q": "tran thi LAN", "page": "2", "after": token}
    second = html(team.officer.post("/officials/applications", more))
    assert "Trần Thị Lan" in second
    assert "Trang 2/3" in second

    by_id = html(team.officer.post("/officials/applications", {"q": "001190099001"}))
    assert "Nguyễn Văn Đức" in by_id
    assert "Trần Thị Lan" not in by_id


def test_a_refused_search_on_the_page_says_why_in_vietnamese(team):
    refused = team.officer.post("/officials/applications", {"q": "12345"})
    assert refused.status_code == 422
    message = "Nhập mã tra cứu hồ sơ, số định danh cá nhân 12 chữ số hoặc các từ trong họ tên."
    assert message in refused.get_data(as_text=True)
    assert team.officer.post("/officials/applications", {"q": "x" * 101}).status_code == 422


def test_the_search_form_needs_its_csrf_token(team):
    assert team.officer.post("/officials/applications", {"q": "lan"}, csrf=False).status_code == 400
