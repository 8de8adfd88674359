"""The province admin's screens: users, villages and their CSV import, resident household counts,
holidays, and the audit log (filters, chain check, CSV export); and their service."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from node.models import AuditEntry, CommuneHouseholdCount, Holiday, User, UserSession, Village
from node.services import admin
from node.services.context import NodeContext
from node.services.errors import ValidationFailed
from node.services.scopes import Official
from tests.node.officials_helpers import html, sign_in
from tests.node.review_helpers import NOW

CSV_OK = "commune_code,name,area\n00070,Tổ dân phố 1,urban\n00070,Tổ dân phố 2,\n00073,Tổ 5,\n"


pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def admin_browser(app, make_user, db_session):
    return sign_in(app, make_user, db_session, "province_admin")


def count(db_session, model):
    return db_session.scalar(select(func.count()).select_from(model))


def test_only_the_province_admin(app, client, make_user, db_session):
    assert client.get("/admin/users").status_code == 303
    for role in ("province_officer", "commune_officer", "village_head"):
        browser = sign_in(app, make_user, db_session, role)
        assert browser.get("/admin/users").status_code == 403
        assert browser.post("/admin/villages", {"commune": "00070", "name": "X"}).status_code == 403
    assert count(db_session, Village) == 1  # only the village head's own


def test_create_a_user(admin_browser, db_session):
    admin_browser.post("/admin/villages", {"commune": "00070", "name": "Thôn Đông"})
    response = admin_browser.post("/admin/users/new", {
        "username": "truong.thon.2", "full_name": "Lò Văn Páo", "role": "village_head",
        "units": "00070-001", "password": "mật khẩu đủ dài"})  # fmt: skip
    assert response.status_code == 303
    user = db_session.scalar(select(User).where(User.username == "truong.thon.2"))
    assert user.unit_codes == {"00070-001"}
    page = html(admin_browser.get(response.headers["Location"]))
    assert "Đã tạo tài khoản truong.thon.2." in page
    assert db_session.scalar(select(AuditEntry.id).where(AuditEntry.action == "create_user"))


def test_bad_user_input_is_named_and_nothing_written(admin_browser, db_session):
    before = count(db_session, User)
    response = admin_browser.post(
        "/admin/users/new",
        {"username": "x", "role": "commune_officer", "units": "99999", "password": "123"},
    )
    assert response.status_code == 422
    page = html(response)
    assert "Từ 3 đến 64 ký tự" in page
    assert "Ít nhất 10 ký tự" in page
    assert "Ghi đơn vị theo vai trò" in page
    assert 'value="123"' not in page  # the password is never sent back
    assert count(db_session, User) == before


def test_disable_enable_reset_password_and_totp(app, make_user, db_session, admin_browser):
    officer = sign_in(app, make_user, db_session, "commune_officer")
    user = db_session.get(User, officer.user_id)
    user.totp_secret = "JBSWY3DPEHPK3PXP"
    db_session.commit()
    base = f"/admin/users/{officer.user_id}"

    assert admin_browser.post(f"{base}/disable").status_code == 303
    assert officer.get("/officials/").status_code == 303  # signed out at once
    assert admin_browser.post(f"{base}/enable").status_code == 303
    weak = admin_browser.post(f"{base}/password", {"password": "short"})
    assert weak.status_code == 422
    assert "Ít nhất 10 ký tự" in html(weak)
    assert (
        admin_browser.post(f"{base}/password", {"password": "một mật khẩu mới"}).status_code == 303
    )
    assert admin_browser.post(f"{base}/totp").status_code == 303
    db_session.expire_all()
    user = db_session.get(User, officer.user_id)
    assert user.active
    assert user.totp_secret is None
    live = db_session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    ).all()
    assert live == []


def test_the_admin_cannot_disable_themselves(admin_browser, db_session):
    response = admin_browser.post(f"/admin/users/{admin_browser.user_id}/disable")
    assert response.status_code == 422
    assert "không thể tự khóa" in html(response)
    assert db_session.get(User, admin_browser.user_id).active


def test_villages_add_rename_deactivate(admin_browser, db_session):
    added = admin_browser.post("/admin/villages", {"commune": "00070", "name": "Tổ 7"})
    assert added.status_code == 303
    village = db_session.scalar(select(Village).where(Village.name == "Tổ 7"))
    assert village.code == "00070-001"
    duplicate = admin_browser.post("/admin/villages", {"commune": "00070", "name": "tổ 7"})
    assert duplicate.status_code == 422
    assert "Xã đã có thôn, bản, tổ dân phố đang hoạt động mang tên này." in html(duplicate)
    renamed = admin_browser.post(
        f"/admin/villages/{village.id}/rename", {"commune": "00070", "name": "Tổ dân phố 7"}
    )
    assert renamed.status_code == 303
    admin_browser.post(f"/admin/villages/{village.id}/active", {"commune": "00070", "active": "no"})
    db_session.expire_all()
    village = db_session.get(Village, village.id)
    assert (village.name, village.active) == ("Tổ dân phố 7", False)
    page = html(admin_browser.get("/admin/villages?commune=00070"))
    assert "Đã ngừng sử dụng" in page


def upload(browser, text: str):
    data = {"commune": "00070", "file": (io.BytesIO(text.encode("utf-8")), "thon.csv")}
    data["csrf_token"] = browser.token()
    return browser.client.post(
        "/admin/villages/import", data=data, content_type="multipart/form-data"
    )


def test_csv_import_all_rows(admin_browser, db_session):
    response = upload(admin_browser, "\ufeff" + CSV_OK)
    assert response.status_code == 303
    names = db_session.scalars(select(Village.name).order_by(Village.code)).all()
    assert names == ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ 5"]
    assert db_session.scalar(select(Village.area).where(Village.name == "Tổ dân phố 1")) == "urban"


def test_csv_import_in_vietnamese_words(admin_browser, db_session):
    """The header and the area as the guide writes them (mã xã,tên thôn,khu vực; thành thị)."""
    text = "mã xã,tên thôn,khu vực\n00070,Tổ dân phố 9,thành thị\n00070,Bản Nà Tăm,Nông  thôn\n"
    response = upload(admin_browser, text)
    assert response.status_code == 303, html(response)
    areas = dict(db_session.execute(select(Village.name, Village.area)).all())
    assert areas == {"Tổ dân phố 9": "urban", "Bản Nà Tăm": "rural"}


def test_csv_import_lists_every_bad_row_and_imports_nothing(admin_browser, db_session):
    text = (
        "commune_code,name,area\n"
        "00070,Tổ 1,\n"
        "99999,Tổ 2,\n"  # line 3: no such commune
        "00070,,\n"  # line 4: no name
        "00070,Tổ 3,forest\n"  # line 5: bad area
        "00070,tổ 1,\n"  # line 6: twice in the file
        "00070,a,b,c\n"  # line 7: too many columns
    )
    response = upload(admin_browser, text)
    assert response.status_code == 422
    page = html(response)
    table = page.split('id="row-errors"')[1].split("</table>")[0]
    for line in ("<td>3</td>", "<td>4</td>", "<td>5</td>", "<td>6</td>", "<td>7</td>"):
        assert line in table
    assert "<td>2</td>" not in table
    assert "Không phải xã của tỉnh này" in table
    assert "Chưa nhập gì" in page
    assert count(db_session, Village) == 0


def test_csv_import_needs_the_header(admin_browser, db_session):
    response = upload(admin_browser, "xa,ten\n00070,Tổ 1\n")
    assert response.status_code == 422
    assert "Dòng đầu phải là" in html(response)
    assert count(db_session, Village) == 0


def test_household_counts(admin_browser, db_session):
    page = html(admin_browser.get("/admin/households?period=2026"))
    assert 'name="count.00070"' in page
    saved = admin_browser.post(
        "/admin/households", {"period": "2026", "count.00070": "4.250", "count.00073": ""}
    )
    assert saved.status_code == 303
    assert db_session.scalar(select(CommuneHouseholdCount.households)) == 4250
    bad = admin_browser.post("/admin/households", {"period": "2026", "count.00070": "nhiều"})
    assert bad.status_code == 422
    assert "Nhập số hộ là số nguyên." in html(bad)
    assert db_session.scalar(select(CommuneHouseholdCount.households)) == 4250
    cleared = admin_browser.post("/admin/households", {"period": "2026", "count.00070": ""})
    assert cleared.status_code == 303
    assert count(db_session, CommuneHouseholdCount) == 0


def test_holidays(admin_browser, db_session):
    # National Day comes from the `holidays` package: adding it again is refused.
    again = admin_browser.post("/admin/holidays", {"day": "2026-09-02", "name": "Quốc khánh"})
    assert again.status_code == 422
    assert "Ngày này đã là ngày nghỉ hoặc đã được thay đổi." in html(again)
    added = admin_browser.post("/admin/holidays", {"day": "2026-09-04", "name": "Nghỉ của tỉnh"})
    assert added.status_code == 303
    unnamed = admin_browser.post("/admin/holidays", {"day": "2026-09-03", "name": ""})
    assert unnamed.status_code == 422
    assert count(db_session, Holiday) == 1
    page = html(admin_browser.get("/admin/holidays?year=2026"))
    assert "Nghỉ của tỉnh" in page
    assert "Quốc khánh" in page
    removed = admin_browser.post("/admin/holidays/2026-09-04/remove")
    assert removed.status_code == 303
    assert count(db_session, Holiday) == 0


def test_the_audit_log(app, make_user, db_session, admin_browser):
    admin_browser.post("/admin/villages", {"commune": "00070", "name": "Tổ 9"})
    page = html(admin_browser.get(f"/admin/audit?user={admin_browser.user_id}"))
    assert "add_village" in page
    intact = html(admin_browser.get("/admin/audit?check=1"))
    assert "Chuỗi nguyên vẹn" in intact
    bad = admin_browser.get("/admin/audit?date_from=hôm-qua")
    assert bad.status_code == 422
    export = admin_browser.get("/admin/audit.csv?date_from=2026-11-24&date_to=2026-11-24")
    assert export.status_code == 200
    assert "add_village" in export.get_data(as_text=True)
    assert db_session.scalar(select(AuditEntry.id).where(AuditEntry.action == "export_audit_log"))

    entry = db_session.scalar(select(AuditEntry).order_by(AuditEntry.id).limit(1))
    entry.action = "tampered"
    db_session.commit()
    broken = html(admin_browser.get("/admin/audit?check=1"))
    assert f"Chuỗi bị đứt tại mục {entry.id}" in broken


def test_the_audit_filter_by_day_uses_vietnams_dates(db_session, make_user):
    user = make_user("province_admin")
    official = Official(user.id, user.username, user.role, user.unit_codes)
    context = NodeContext("01", NOW.date(), NOW)
    admin.create_village(db_session, official, context, "00070", "Tổ 1")
    # NOW is 10:00 on 24 Nov in Vietnam.
    on_the_day = admin.AuditFilter(date_from=date(2026, 11, 24), date_to=date(2026, 11, 24))
    day_before = admin.AuditFilter(date_to=date(2026, 11, 23))
    assert admin.audit_page(db_session, official, on_the_day).total == 1
    assert admin.audit_page(db_session, official, day_before).total == 0


def test_import_service_refuses_other_roles(db_session, make_user):
    user = make_user("province_officer")
    official = Official(user.id, user.username, user.role, user.unit_codes)
    with pytest.raises(Exception, match="may not"):
        admin.import_villages(db_session, official, NodeContext("01", NOW.date(), NOW), CSV_OK)


def test_household_counts_service_checks_every_figure(db_session, make_user):
    user = make_user("province_admin")
    official = Official(user.id, user.username, user.role, user.unit_codes)
    context = NodeContext("01", NOW.date(), NOW)
    with pytest.raises(ValidationFailed) as refused:
        admin.set_household_counts(db_session, official, context, 2026, {"00070": -1, "79999": 5})
    assert set(refused.value.fields) == {"00070", "79999"}
    assert admin.set_household_counts(db_session, official, context, 2026, {"00070": 10}) == 1
    assert admin.set_household_counts(db_session, official, context, 2026, {"00070": 10}) == 0


def test_admin_forms_need_the_csrf_token(admin_browser, db_session):
    response = admin_browser.post(
        "/admin/villages", {"commune": "00070", "name": "Tổ 1"}, csrf=False
    )
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in html(response)
    assert count(db_session, Village) == 0
