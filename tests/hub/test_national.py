"""The national picture at the hub (issue 16): published results as data, official beside
provisional figures, schema v1 and v2 both accepted, open data that never shows a provisional
figure and serves the signed bytes to check, the year-close tracker, the new standard's impact
and the signals."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select

from hub.cli import cli
from hub.models import PeriodDueDate, Snapshot, SnapshotRow
from hub.services import impact, open_data, published, signals, stats, tracker
from hub.services.accounts import central_user
from hub.services.pulls import store_snapshot
from shared import units
from shared.schemas import ACTIVITY_FIELDS
from tests.hub.fakenode import make_snapshot

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
OFFICIAL = {"decision_number": "2468/QĐ-UBND", "decided_on": "2026-11-20", "revision": 1}


def store(db_session, *snapshots):
    for snapshot in snapshots:
        store_snapshot(db_session, snapshot, now=NOW)
    db_session.commit()


# ------------------------------------------------------------------------- published data


def test_the_published_data_is_complete_and_sourced():
    assert published.periods() == [2022, 2023, 2024]
    for row in published.figures():
        source = published.sources()[row["source"]]
        assert source.url.startswith("https://")
        assert source.decision_number or source.missing
    assert published.national(2022)["poor"] == 1_057_374
    assert published.national(2023)["near_poor"] == 771_235
    national_2024 = published.national(2024)
    assert (national_2024["poor"], national_2024["poor_rate"]) == (599_608, 1.93)
    assert national_2024["sources"][0]["decision_number"] == "217/QĐ-BLĐTBXH"
    assert national_2024["sources"][0]["decided_on"] == "2025-02-04"
    assert len(published.by_region(2022)) == 6


def test_the_merger_maps_63_provinces_onto_the_34():
    formers = published.former_provinces()
    assert len(formers) == 63
    assert {p.new_code for p in formers.values()} == {p.code for p in units.provinces()}
    assert [p.name for p in published.formers_of("79")] == [
        "Bình Dương", "Bà Rịa - Vũng Tàu", "Thành phố Hồ Chí Minh",
    ]  # fmt: skip
    assert [p.code for p in published.formers_of("12")] == ["12"]
    regions = [code for region in published.regions() for code in region.provinces]
    assert sorted(regions) == sorted(p.code for p in units.provinces())


def test_a_new_province_sums_its_former_provinces_only_when_all_are_published(monkeypatch):
    rows = (
        {"period": 2023, "level": "former_province", "code": "74", "source": "review-2023",
         "poor": 10, "near_poor": 20},
        {"period": 2023, "level": "former_province", "code": "77", "source": "review-2023",
         "poor": 1, "near_poor": 2},
        {"period": 2023, "level": "former_province", "code": "12", "source": "review-2023",
         "poor": 5, "poor_rate": 9.5, "near_poor": 3},
    )  # fmt: skip
    monkeypatch.setattr(published, "figures", lambda: rows)
    assert published.province(2023, "79") is None  # TP Hồ Chí Minh itself is missing
    single = published.province(2023, "12")
    assert (single["poor"], single["poor_rate"]) == (5, 9.5)
    rows += (
        {"period": 2023, "level": "former_province", "code": "79", "source": "review-2023",
         "poor": 0, "near_poor": 0},
    )  # fmt: skip
    summed = published.province(2023, "79")
    assert (summed["poor"], summed["near_poor"], summed["poor_rate"]) == (11, 22, None)
    assert summed["formers"] == ["74", "77", "79"]


def test_on_a_hub_without_nodes_the_trend_starts_with_the_published_figures(db_session):
    trend = stats.trends(db_session)
    assert [(row["period"], row["source"], row["poor"]) for row in trend] == [
        (2022, "published", 1_057_374),
        (2023, "published", 815_101),
        (2024, "published", 599_608),
    ]
    [item] = stats.stats(db_session, period=2023, level="national")
    assert (item["source"], item["official"], item["poor_rate"]) == ("published", True, 2.93)


def test_the_stats_api_answers_published_periods(client, api_headers):
    body = client.get("/api/v1/stats?period=2022", headers=api_headers).get_json()
    [item] = body["items"]
    assert item["source"] == "published"
    assert item["official"] is True
    assert (item["poor"], item["near_poor"]) == (1_057_374, 915_274)
    assert item["projected_poor"] is None
    latest = client.get("/api/v1/stats", headers=api_headers).get_json()
    assert latest["period"] == 2024


# --------------------------------------------------------- official and provisional, v1 and v2


def test_official_and_provisional_figures_are_told_apart(db_session, client, api_headers):
    store(
        db_session,
        make_snapshot("12", communes=3, official=OFFICIAL),
        make_snapshot("01", communes=3),
    )
    items = client.get("/api/v1/stats?period=2026&level=province", headers=api_headers)
    by_code = {item["code"]: item for item in items.get_json()["items"]}
    assert (by_code["12"]["official"], by_code["12"]["source"]) == (True, "node")
    assert by_code["01"]["official"] is False
    assert by_code["12"]["projected_poor"] == sum(3 * (i + 1) for i in range(3))
    assert by_code["12"]["projected_near_poor"] == sum(2 * (i + 1) for i in range(3))
    [national] = client.get("/api/v1/stats?period=2026", headers=api_headers).get_json()["items"]
    assert national["official"] is False  # one of the two provinces is provisional


def test_a_version_1_snapshot_is_still_stored_and_counted(db_session):
    store(db_session, make_snapshot("12", communes=2, version=1))
    snapshot = db_session.scalar(select(Snapshot))
    assert (snapshot.schema_version, snapshot.official_revision) == (1, None)
    [item] = stats.stats(db_session, period=2026, level="province", code="12")
    assert item["projected_poor"] is None
    assert item["official"] is False
    assert db_session.scalar(select(SnapshotRow.verified)) is None


def test_version_1_and_2_nodes_are_both_pulled(nodes, register, pull, db_session):
    nodes["12"].snapshot = make_snapshot("12", version=1)
    nodes["01"].snapshot = make_snapshot("01", official=OFFICIAL)
    register(nodes["12"])
    register(nodes["01"])

    results = {result.province_code: result for result in pull()}

    assert {code: result.outcome for code, result in results.items()} == {"12": "ok", "01": "ok"}
    versions = dict(
        db_session.execute(select(Snapshot.province_code, Snapshot.schema_version)).all()
    )
    assert versions == {"12": 1, "01": 2}
    official = db_session.scalar(select(Snapshot).where(Snapshot.province_code == "01"))
    assert (official.official_revision, official.decision_number) == (1, "2468/QĐ-UBND")
    assert official.decided_on == date(2026, 11, 20)
    assert official.signed_body
    assert official.signature
    assert official.public_key


@pytest.mark.parametrize(
    "official",
    [
        {"decision_number": "Quyết định của tỉnh", "decided_on": "2026-11-20", "revision": 1},
        {"decision_number": "2468/QĐ-UBND", "decided_on": "2026-13-01", "revision": 1},
        {"decision_number": "2468/QĐ-UBND", "decided_on": "2026-11-20", "revision": 0},
        {"decision_number": "2468/QĐ-UBND", "decided_on": "2026-11-20", "revision": 1,
         "chair": "Nguyễn Văn An"},
    ],
)  # fmt: skip
def test_a_node_whose_official_breaks_the_closed_patterns_is_refused(
    nodes, register, pull, db_session, official
):
    nodes["12"].snapshot = make_snapshot("12", official=official)
    register(nodes["12"])

    [result] = pull()

    assert result.outcome == "error"
    assert "AggregateSnapshot v2" in result.error
    assert "Nguyễn" not in result.error
    assert db_session.scalar(select(func.count()).select_from(Snapshot)) == 0


# ------------------------------------------------------------------------------ open data


def test_open_data_never_shows_provisional_figures(db_session, client):
    official = make_snapshot("12", communes=3, official=OFFICIAL)
    store(db_session, official, make_snapshot("01", communes=3))

    body = client.get("/api/v1/public/stats?period=2026&level=province").get_json()

    assert [item["code"] for item in body["items"]] == ["12"]
    [source] = body["items"][0]["sources"]
    assert source["decision_number"] == "2468/QĐ-UBND"
    assert source["snapshot_id"] == official["snapshot_id"]
    assert source["verify_url"] == f"/api/v1/public/snapshots/{official['snapshot_id']}"
    # Figures changed after the close: the node's snapshot is provisional again, and open data
    # keeps the approved ones.
    later = make_snapshot(
        "12", communes=3, scale=5, generated_at=datetime(2026, 11, 25, tzinfo=UTC)
    )
    store(db_session, later)
    [item] = client.get("/api/v1/public/stats?period=2026&level=province").get_json()["items"]
    assert item["poor"] == sum(row["poor"] for row in official["rows"])
    [signed_in] = stats.stats(db_session, period=2026, level="province", code="12")
    assert signed_in["official"] is False
    assert signed_in["poor"] == sum(row["poor"] for row in later["rows"])


def test_a_later_revision_replaces_the_official_figures(db_session, client):
    store(db_session, make_snapshot("12", communes=2, official=OFFICIAL))
    second = dict(OFFICIAL, decision_number="2500/QĐ-UBND", revision=2)
    store(db_session, make_snapshot("12", communes=2, scale=4, official=second,
                                    generated_at=datetime(2026, 11, 26, tzinfo=UTC)))  # fmt: skip
    [item] = client.get("/api/v1/public/stats?period=2026&level=province").get_json()["items"]
    assert item["sources"][0]["revision"] == 2
    assert item["sources"][0]["decision_number"] == "2500/QĐ-UBND"


def test_open_data_has_the_published_results_with_their_decision(client):
    body = client.get("/api/v1/public/stats?period=2024").get_json()
    [item] = body["items"]
    assert (item["source"], item["poor"], item["poor_near_poor_rate"]) == (
        "published",
        599_608,
        4.06,
    )
    assert item["sources"][0]["decision_number"] == "217/QĐ-BLĐTBXH"
    assert client.get("/api/v1/public/stats").get_json()["period"] == 2024


def test_the_signed_snapshot_of_an_official_figure_verifies(nodes, register, pull, client):
    nodes["12"].snapshot = make_snapshot("12", official=OFFICIAL)
    register(nodes["12"])
    pull()
    [item] = client.get("/api/v1/public/stats?period=2026&level=province").get_json()["items"]

    answer = client.get(item["sources"][0]["verify_url"])

    assert answer.status_code == 200
    key = Ed25519PublicKey.from_public_bytes(
        base64.b64decode(answer.headers["X-Giamngheo-Public-Key"])
    )
    key.verify(base64.b64decode(answer.headers["X-Signature"]), answer.data)
    assert json.loads(answer.data)["official"]["revision"] == 1
    assert answer.headers["X-Signature"] == item["sources"][0]["signature"]


def test_a_provisional_snapshot_is_not_served(nodes, register, pull, client, db_session):
    register(nodes["12"])
    pull()
    snapshot_id = db_session.scalar(select(Snapshot.snapshot_id))
    assert client.get(f"/api/v1/public/snapshots/{snapshot_id}").status_code == 404
    assert client.get("/api/v1/public/snapshots/" + "z" * 64).status_code == 404
    assert client.get("/api/v1/public/snapshots/..%2F..%2Fetc").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=abc", "period"),
        ("period=1999", "period"),
        ("period=%D9%A2%D9%A0%D9%A2%D9%A6", "period"),
        ("level=commune", "level"),
        ("code=%D9%A0%D9%A1&level=province", "code"),
        ("code=00", "code"),
        ("secret=1", "secret"),
    ],
)
def test_bad_public_queries_are_a_422_naming_the_field(client, query, field):
    response = client.get(f"/api/v1/public/stats?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


# -------------------------------------------------------------------------------- tracker


def test_the_tracker_tells_closed_changed_provisional_missing_and_late(db_session, make_user):
    store(
        db_session,
        make_snapshot("12", communes=2, official=OFFICIAL),
        make_snapshot("01", communes=2, official=dict(OFFICIAL, decided_on="2026-11-27")),
        make_snapshot("01", communes=2, scale=3, generated_at=datetime(2026, 11, 27, tzinfo=UTC)),
        make_snapshot("79", communes=2),
    )
    admin = central_user(make_user("central_admin"))
    tracker.set_due_date(db_session, admin, period=2026, due_on=date(2026, 11, 25), now=NOW)
    rows = {row.code: row for row in tracker.tracker(db_session, 2026, date(2026, 11, 28))}

    assert (rows["12"].state, rows["12"].late, rows["12"].decision_number) == (
        "closed", False, "2468/QĐ-UBND",
    )  # fmt: skip
    assert (rows["01"].state, rows["01"].late) == ("changed", True)  # closed after the due date
    assert (rows["79"].state, rows["79"].late) == ("provisional", True)
    assert (rows["04"].state, rows["04"].late) == ("nothing", True)
    assert len(rows) == 34


def test_only_a_central_admin_sets_the_due_date(db_session, make_user):
    viewer = central_user(make_user("central_viewer"))
    with pytest.raises(tracker.Forbidden):
        tracker.set_due_date(db_session, viewer, period=2026, due_on=date(2026, 12, 1), now=NOW)
    admin = central_user(make_user("central_admin"))
    with pytest.raises(tracker.ValidationFailed):
        tracker.set_due_date(db_session, admin, period=2026, due_on=date(2030, 1, 1), now=NOW)
    assert db_session.scalar(select(func.count()).select_from(PeriodDueDate)) == 0


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--period", "2026", "--due-on", "2026-12-15"], 0),
        (["--period", "2026", "--due-on", "15/12/2026"], 2),
        (["--period", "2026", "--due-on", "٢٠٢٦-١٢-١٥"], 2),
        (["--period", "2026", "--due-on", "2031-01-01"], 2),
        (["--period", "1999", "--due-on", "2026-12-15"], 2),
    ],
)
def test_set_due_date_on_the_command_line(runner, db_session, args, code):
    result = runner.invoke(cli, ["set-due-date", *args])
    assert result.exit_code == code, result.output
    assert db_session.scalar(select(func.count()).select_from(PeriodDueDate)) == (code == 0)


# ----------------------------------------------------------------------- impact and signals


def test_the_impact_compares_the_same_households_under_both_standards(db_session):
    store(db_session, make_snapshot("12", communes=3))
    [item] = impact.impact(db_session, 2026, "national")
    assert item["assessed"] == 10 + 20 + 30
    assert (item["baseline_poor"], item["projected_poor"], item["change_poor"]) == (12, 18, 6)
    drivers = {row["indicator"]: row for row in impact.drivers(db_session, 2026)}
    assert drivers["waste"] == {"indicator": "waste", "baseline": None, "projected": 6,
                                "change": 6}  # fmt: skip
    assert drivers["information_access"]["change"] == -6
    assert impact.projected_standard(db_session, 2026) == "VN-2027-2030"


LIMITS = signals.Thresholds()


def quiet_activity():
    return dict.fromkeys(ACTIVITY_FIELDS, 0)


def test_each_kind_of_signal_is_found(db_session):
    before = make_snapshot("12", 2025, communes=4, generated_at=datetime(2025, 11, 1, tzinfo=UTC))
    now = make_snapshot("12", 2026, communes=4, activity=quiet_activity())
    rows = now["rows"]
    rows[0]["poor"] = rows[0]["households_total"] // 5  # 20%: moved a lot since 2025
    rows[1]["activity"].update(
        meeting_votes=12, meeting_votes_unanimous=12, applications_received=12
    )
    rows[2]["activity"].update(verified=20, verified_class_changed=8, applications_received=20)
    rows[3]["activity"].update(applications_overdue=11, applications_received=11)
    from shared.schemas import snapshot_id_of

    content = {k: v for k, v in now.items() if k not in ("snapshot_id", "generated_at")}
    now["snapshot_id"] = snapshot_id_of(content)
    store(db_session, before, now)

    found = signals.signals(db_session, 2026, date(2026, 11, 28), LIMITS)

    kinds = {(s.kind, s.commune_code) for s in found}
    codes = [row["commune_code"] for row in rows]
    assert ("rate_moved", codes[0]) in kinds
    assert ("unanimous", codes[1]) in kinds
    assert ("class_changed", codes[2]) in kinds
    assert ("overdue", codes[3]) in kinds
    assert ("quiet", codes[0]) in kinds  # households, but no application, verification or vote
    assert ("quiet", codes[1]) not in kinds
    # Before the window has been open long enough, no commune is called quiet.
    early = signals.signals(db_session, 2026, date(2026, 9, 3), LIMITS)
    assert "quiet" not in {s.kind for s in early}
    stricter = signals.Thresholds(unanimous_min_votes=13, class_change_share=50.0, overdue_min=12)
    assert {s.kind for s in signals.signals(db_session, 2026, date(2026, 9, 3), stricter)} == {
        "rate_moved"
    }


def test_the_thresholds_are_settings(app):
    limits = signals.Thresholds.from_config(app.config)
    assert limits == signals.Thresholds()
    assert limits.window_start == (9, 1)


def test_open_data_periods_and_counts(db_session):
    store(db_session, make_snapshot("12", 2026, communes=2, official=OFFICIAL))
    assert open_data.public_periods(db_session) == [2026, 2024, 2023, 2022]
    assert open_data.official_count(db_session, 2026) == 1


# ---------------------------------------------------------------------------------- pages


def test_the_open_data_page_is_public_and_lists_official_figures_only(db_session, client):
    store(
        db_session,
        make_snapshot("12", communes=2, official=OFFICIAL),
        make_snapshot("01", communes=2),
    )
    page = client.get("/open-data/?period=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert units.province("12").name in html
    assert units.province("01").name not in html
    assert "2468/QĐ-UBND" in html
    assert "<script" not in html
    csv_text = client.get("/open-data/figures.csv?period=2026").data.decode("utf-8-sig")
    assert "2468/QĐ-UBND" in csv_text
    assert units.province("01").name not in csv_text
    assert client.get("/open-data/?period=abc").status_code == 400
    assert client.get("/open-data/?level=commune").status_code == 400
    published_page = client.get("/open-data/?period=2024&level=national").get_data(as_text=True)
    assert "217/QĐ-BLĐTBXH" in published_page
    merger = client.get("/open-data/provinces-2025").get_data(as_text=True)
    assert "Bà Rịa - Vũng Tàu" in merger
    assert "202/2025/QH15" in merger


def test_a_central_admin_sets_the_due_date_on_the_tracker(client, db_session, make_user):
    from hub.services import accounts
    from shared.web.auth import SESSION_KEY

    user = make_user("central_admin")
    token = accounts.open_session(db_session, user, accounts.WEB, now=datetime.now(UTC))
    db_session.commit()
    with client.session_transaction() as session:
        session[SESSION_KEY] = token
    page = client.get("/dashboard/tracker?period=2026").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]

    bad = client.post("/dashboard/tracker", data={"csrf_token": csrf, "period": "2026",
                                                  "due_on": "2031-01-01"})  # fmt: skip
    assert bad.status_code == 422
    assert db_session.scalar(select(func.count()).select_from(PeriodDueDate)) == 0
    for due_on in ("2026-02-30", "٢٠٢٦-١٢-٠١", "x" * 5000):
        response = client.post(
            "/dashboard/tracker", data={"csrf_token": csrf, "period": "2026", "due_on": due_on}
        )
        assert response.status_code == 422
    for form in (
        {"period": "٢٠٢٦", "due_on": "2026-12-15"},
        {"period": "2026", "due_on": "2026-12-15", "note": "x"},
    ):
        response = client.post("/dashboard/tracker", data={"csrf_token": csrf, **form})
        assert response.status_code == 422  # fmt: skip
    good = client.post("/dashboard/tracker", data={"csrf_token": csrf, "period": "2026",
                                                   "due_on": "2026-12-15"})  # fmt: skip
    assert good.status_code == 303
    listed = client.get("/dashboard/tracker?period=2026").get_data(as_text=True)
    assert "15/12/2026" in listed


def test_a_central_viewer_cannot_set_the_due_date(client, signed_in, db_session):
    page = client.get("/dashboard/tracker?period=2026").get_data(as_text=True)
    assert 'name="due_on"' not in page
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/dashboard/tracker", data={"csrf_token": csrf, "period": "2026",
                                                       "due_on": "2026-12-15"})  # fmt: skip
    assert response.status_code == 403
    assert db_session.scalar(select(func.count()).select_from(PeriodDueDate)) == 0


def test_the_pages_show_official_provisional_map_impact_and_signals(client, signed_in, db_session):
    store(
        db_session,
        make_snapshot("12", communes=3, official=OFFICIAL),
        make_snapshot("01", communes=3),
    )
    national = client.get("/dashboard/?period=2026").get_data(as_text=True)
    assert 'class="badge badge-official"' in national
    assert 'class="badge badge-provisional"' in national
    assert national.count('class="tile shade-') == 34
    assert 'href="/dashboard/provinces/12?period=2026"' in national
    province = client.get("/dashboard/provinces/01?sort=poor&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in province
    assert 'href="/dashboard/communes/' in province
    impact_page = client.get("/dashboard/impact?period=2026").get_data(as_text=True)
    assert "VN-2027-2030" in impact_page
    tracker_page = client.get("/dashboard/tracker?period=2026").get_data(as_text=True)
    assert "2468/QĐ-UBND" in tracker_page
    assert "20/11/2026" in tracker_page


def test_moments_show_in_vietnam_time_in_one_format(client, signed_in, nodes, register, pull):
    register(nodes["12"])
    pull()
    html = client.get("/dashboard/freshness").get_data(as_text=True)
    import re

    assert re.search(r">\d{2}/\d{2}/\d{4} \d{2}:\d{2}<", html)
    csv_text = client.get("/dashboard/export/freshness.csv").data.decode("utf-8-sig")
    assert re.search(r",\d{2}/\d{2}/\d{4} \d{2}:\d{2},", csv_text)
