"""`giamngheo node import-households`: good CSV and XLSX files, what they write, all or nothing,
the command's exit codes and output, the template. Problems in files: test_import_errors.py."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from node.cli import cli
from node.models import AuditEntry, Household, HouseholdStatus, StatusDeprivation, Village
from node.services import imports
from node.services.aggregates import commune_rows, latest_snapshot

ROOT = Path(__file__).resolve().parents[2]
HEADERS = [column.header for column in imports.COLUMNS]
GIVEN = ("An", "Bình", "Cường", "Dung", "Hà", "Hạnh", "Lan", "Mai", "Phúc", "Sơn", "Thảo", "Yến")
RURAL, URBAN = "00376", "00070"  # Xã Sóc Sơn, Phường Hoàn Kiếm (Hà Nội, the test province)


pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def villages(db_session):
    """An urban village of the rural commune, an inactive one, one of another commune."""
    made = {
        "urban": Village(code=f"{RURAL}-001", commune_code=RURAL, name="Tổ 1", area="urban"),
        "closed": Village(code=f"{RURAL}-002", commune_code=RURAL, name="Thôn 2", active=False),
        "elsewhere": Village(code=f"{URBAN}-001", commune_code=URBAN, name="Tổ 1"),
    }
    db_session.add_all(made.values())
    db_session.commit()
    return made


def household(number: int, **values: str) -> dict[str, str]:
    """A good row (keys are the template's column keys), changed by ``values``."""
    row = {
        "commune": RURAL,
        "village": "",
        "head_name": f"Nguyễn Thị {GIVEN[number % len(GIVEN)]}",
        "head_citizen_id": f"001085{number:06d}",
        "phone": f"0912{number:06d}",
        "address": f"Số {number}, thôn Đông",
        "ethnicity": "Kinh",
        "area": "",
        "period": "2026",
        "classification": "hộ nghèo",
        "members_count": "4",
        "deprivations": "employment; health_insurance; sanitation",
        "previous_classification": "",
    }
    row.update(values)
    return row


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    headers: list[str] | None = None,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """The rows as a CSV with these headers (default: the template's, in its order)."""
    headers = headers or HEADERS
    by_header = {column.header: column.key for column in imports.COLUMNS}
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(by_header.get(header, header), "") for header in headers])
    return path


def write_xlsx(path: Path, rows: list[list[object]], headers: list[str] | None = None) -> Path:
    """Cells as given (numbers stay numbers, as Excel stores what people type)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def import_file(runner, path: Path, *args: str):
    return runner.invoke(cli, ["import-households", str(path), *args])


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


# The file of test_good_csv…: five households, one of each kind the counts distinguish.
GOOD = [
    # A poor Tày household, name typed decomposed with a double space, ID and phone with spaces.
    household(1, head_name="Lo\u0300  Va\u0306n Pa\u0301nh", head_citizen_id="011 085 000 444",
              phone="+84 912 000 444", ethnicity="Tày", members_count="5",
              deprivations="employment; Bảo hiểm y tế;sanitation;",
              previous_classification="hộ cận nghèo"),
    # Near-poor in an urban village of the rural commune, poor the year before (exited).
    household(2, village=f"{RURAL}-001", classification="Hộ cận nghèo", members_count="3",
              deprivations="telecom", previous_classification="hộ nghèo"),
    # Average, in an urban ward but declared rural: urban all the same.
    household(3, commune=URBAN, area="nông thôn", classification="hộ có mức sống trung bình",
              deprivations=""),
    # Not poor: its indicators are not counted; poor the year before (code name).
    household(4, commune=URBAN, classification="not_poor", deprivations="employment",
              previous_classification="poor"),
    # Poor, nothing optional given.
    household(5, classification="poor", members_count="3", phone="", address="", ethnicity=""),
]  # fmt: skip


def test_good_csv_writes_households_statuses_and_deprivations(
    runner, db_session, villages, tmp_path
):
    result = import_file(runner, write_csv(tmp_path / "ds.csv", GOOD))

    assert result.exit_code == 0, result.output
    assert "Đã nhập 5 hộ cho năm 2026 theo chuẩn VN-2022-2025" in result.output
    assert "hộ nghèo (poor): 2" in result.output
    assert "hộ cận nghèo (near_poor): 1" in result.output
    assert "hộ có mức sống trung bình (average): 1" in result.output
    assert "hộ không nghèo (not_poor): 1" in result.output
    pank = db_session.scalar(select(Household).where(Household.head_citizen_id == "011085000444"))
    assert pank.head_name == "Lò Văn Pánh"  # NFC, one space
    assert pank.phone == "0912000444"
    assert pank.commune_code == RURAL
    assert pank.village_id is None
    assert pank.area == "rural"  # the commune's
    assert pank.ethnic_minority is True
    assert pank.address == "Số 1, thôn Đông"
    assert pank.members == []  # the file gives a count, not the members
    (status,) = pank.statuses
    assert status.period == 2026
    assert status.classification == "poor"
    assert status.standard_id == "VN-2022-2025"
    assert status.previous_classification == "near_poor"
    assert status.fell_back is False
    assert status.members_count == 5
    assert status.area == "rural"
    assert status.ethnic_minority is True
    assert status.commune_code == RURAL
    assert status.decided_on.isoformat() == "2026-11-24"  # the day of the import
    assert status.application_id is None
    assert [(d.indicator, d.period, d.commune_code) for d in status.deprivations] == [
        ("employment", 2026, RURAL),
        ("health_insurance", 2026, RURAL),
        ("sanitation", 2026, RURAL),
    ]  # legal order, Vietnamese names and codes alike
    in_village = db_session.scalar(
        select(Household).where(Household.head_citizen_id == "001085000002")
    )
    assert in_village.village_id == villages["urban"].id
    assert in_village.area == "urban"  # the village's own area
    declared = db_session.scalar(
        select(Household).where(Household.head_citizen_id == "001085000003")
    )
    assert declared.area == "urban"  # the ward decides, not the column (issue 14 §3)
    quiet = db_session.scalar(select(Household).where(Household.head_citizen_id == "001085000005"))
    assert (quiet.phone, quiet.address, quiet.ethnic_minority) == (None, None, False)
    # Indicators are kept for the lists only (poor, near-poor): 3 + 1 + 0 for the not-poor one.
    assert count(db_session, StatusDeprivation) == 3 + 1 + 3
    assert count(db_session, HouseholdStatus) == 5


def test_imported_statuses_count_in_the_aggregates_as_decided_ones(
    runner, db_session, villages, tmp_path
):
    assert import_file(runner, write_csv(tmp_path / "ds.csv", GOOD)).exit_code == 0

    rows = {row["commune_code"]: row for row in commune_rows(db_session, "01", 2026)}
    rural, urban = rows[RURAL], rows[URBAN]
    assert rural["households_total"] == 3
    assert (rural["poor"], rural["near_poor"], rural["average"], rural["not_poor"]) == (2, 1, 0, 0)
    assert (rural["poor_rural"], rural["poor_urban"]) == (2, 0)
    assert (rural["near_poor_rural"], rural["near_poor_urban"]) == (0, 1)
    assert rural["new_poor"] == 2  # near-poor and unlisted the year before
    assert rural["new_near_poor"] == 1
    assert rural["exited_poor"] == 1  # the near-poor one was poor
    assert rural["fell_back"] == 0
    assert rural["ethnic_minority_poor"] == 1
    assert rural["members_poor"] == 5 + 3
    assert rural["members_near_poor"] == 3
    assert rural["deprived"]["employment"] == 2  # both poor households
    assert rural["deprived"]["health_insurance"] == 2
    assert rural["deprived"]["telecom"] == 1  # the near-poor one
    assert rural["deprived"]["housing_area"] == 0
    assert (urban["average"], urban["not_poor"], urban["exited_poor"]) == (1, 1, 1)
    assert urban["households_total"] == 2
    assert urban["deprived"]["employment"] == 0  # the not-poor household's is not counted
    # The command rebuilt the period's snapshot, so the hub sees the list at once.
    snapshot = latest_snapshot(db_session, 2026)
    assert snapshot is not None
    assert f'"commune_code":"{RURAL}"' in snapshot.body


def test_good_xlsx_with_numbers_typed_as_numbers(runner, db_session, villages, tmp_path):
    by_key = {column.key: index for index, column in enumerate(imports.COLUMNS)}
    cells = []
    for number, row in enumerate(GOOD[:3], start=1):
        values: list[object] = [row[column.key] for column in imports.COLUMNS]
        # Excel stores a typed year and count as numbers (2026.0 for some writers).
        values[by_key["period"]] = 2026 if number % 2 else 2026.0
        values[by_key["members_count"]] = int(row["members_count"])
        cells.append(values)
    path = write_xlsx(tmp_path / "ds.xlsx", cells)
    written = load_workbook(path, read_only=True)
    assert next(written.active.iter_rows(values_only=True)) == tuple(HEADERS)
    written.close()

    result = import_file(runner, path)

    assert result.exit_code == 0, result.output
    assert "Đã nhập 3 hộ" in result.output
    statuses = db_session.scalars(select(HouseholdStatus).order_by(HouseholdStatus.id)).all()
    assert [(s.classification, s.members_count, s.period) for s in statuses] == [
        ("poor", 5, 2026),
        ("near_poor", 3, 2026),
        ("average", 4, 2026),
    ]
    pank = db_session.scalar(select(Household).where(Household.head_citizen_id == "011085000444"))
    assert pank.head_name == "Lò Văn Pánh"


def test_semicolon_csv_with_bom_and_columns_in_another_order(runner, db_session, tmp_path):
    # Excel with Vietnamese settings: ";" and a byte order mark; optional columns left out.
    headers = ["Phân loại", "Số nhân khẩu", "Năm", "Số định danh cá nhân chủ hộ",
               "  Họ và tên chủ hộ ", "Mã xã"]  # fmt: skip
    rows = [household(n, classification="hộ cận nghèo") for n in (1, 2)]
    for row in rows:
        row["  Họ và tên chủ hộ "] = row["head_name"]
    path = write_csv(tmp_path / "ds.csv", rows, headers, delimiter=";", encoding="utf-8-sig")

    result = import_file(runner, path)

    assert result.exit_code == 0, result.output
    assert "hộ cận nghèo (near_poor): 2" in result.output
    households = db_session.scalars(select(Household).order_by(Household.id)).all()
    assert [h.head_name for h in households] == ["Nguyễn Thị Bình", "Nguyễn Thị Cường"]
    assert {h.phone for h in households} == {None}
    assert count(db_session, StatusDeprivation) == 0  # no column, no indicators


def test_the_2027_standard_for_2027_lists(runner, db_session, tmp_path):
    rows = [household(1, period="2027", deprivations="waste; Việc làm; telecom")]

    result = import_file(runner, write_csv(tmp_path / "ds.csv", rows), "--period", "2027")

    assert result.exit_code == 0, result.output
    assert "theo chuẩn VN-2027-2030" in result.output
    status = db_session.scalar(select(HouseholdStatus))
    assert status.standard_id == "VN-2027-2030"
    assert [d.indicator for d in status.deprivations] == ["employment", "telecom", "waste"]


def test_one_bad_row_among_thousands_writes_nothing(runner, db_session, tmp_path):
    rows = [household(number) for number in range(1, 3001)]
    rows[2498]["head_citizen_id"] = "00108500249"  # spreadsheet row 2500: 11 digits

    result = import_file(runner, write_csv(tmp_path / "ds.csv", rows))

    assert result.exit_code == 2
    assert 'dòng 2500, cột "Số định danh cá nhân chủ hộ": phải gồm 12 chữ số' in result.output
    assert "1 lỗi; không có hộ nào được nhập" in result.output
    assert count(db_session, Household) == 0
    assert count(db_session, HouseholdStatus) == 0
    assert count(db_session, StatusDeprivation) == 0
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    # The same file, corrected, then goes in whole: nothing of the failed run is in the way.
    rows[2498]["head_citizen_id"] = "001085002499"
    again = import_file(runner, write_csv(tmp_path / "ds.csv", rows))
    assert again.exit_code == 0, again.output
    assert count(db_session, Household) == 3000
    assert count(db_session, StatusDeprivation) == 3 * 3000


def test_a_second_import_of_the_same_households_is_refused(runner, db_session, tmp_path):
    path = write_csv(tmp_path / "ds.csv", [household(1), household(2)])
    assert import_file(runner, path).exit_code == 0

    again = import_file(runner, path)

    assert again.exit_code == 2
    assert again.output.count("đã có hộ với số định danh này trên hệ thống") == 2
    assert count(db_session, Household) == 2


def test_the_import_is_audited_with_counts_only(runner, db_session, tmp_path):
    assert import_file(runner, write_csv(tmp_path / "ds.csv", GOOD[2:])).exit_code == 0

    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "import_households"))
    assert entry.role == "system"
    assert entry.details == {
        "period": 2026,
        "households": 3,
        "by_class": {"poor": 1, "near_poor": 0, "average": 1, "not_poor": 1},
        "format": "csv",
    }


def test_no_name_id_or_phone_in_the_logs(runner, db_session, villages, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    bad = household(9, head_citizen_id="12345", phone="999")

    import_file(runner, write_csv(tmp_path / "ok.csv", GOOD))
    import_file(runner, write_csv(tmp_path / "bad.csv", [bad]))

    assert "imported 5 households" in caplog.text  # it did log
    for row in [*GOOD, bad]:
        for key in ("head_name", "head_citizen_id", "phone", "address"):
            if row[key]:
                assert row[key] not in caplog.text, key
    assert "Lò Văn Pánh" not in caplog.text


def test_exit_codes_and_problem_limit(runner, db_session, tmp_path):
    missing = import_file(runner, tmp_path / "none.csv")
    assert missing.exit_code == 2  # click: the file does not exist

    no_standard = import_file(runner, write_csv(tmp_path / "a.csv", [household(1)]), "--period",
                              "2015")  # fmt: skip
    assert no_standard.exit_code == 2
    assert "No poverty standard covers 2015" in no_standard.output

    rows = [household(n, members_count="0") for n in range(1, 8)]
    limited = import_file(runner, write_csv(tmp_path / "b.csv", rows), "--max-errors", "3")
    assert limited.exit_code == 2
    assert limited.output.count("phải là số nguyên từ 1 đến 50") == 3
    assert "… và 4 lỗi khác." in limited.output
    assert "7 lỗi; không có hộ nào được nhập" in limited.output

    good = import_file(runner, write_csv(tmp_path / "c.csv", [household(1)]))
    assert good.exit_code == 0, good.output


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_template_imports_as_it_is(runner, db_session, tmp_path, suffix):
    path = tmp_path / f"mau.{suffix}"

    made = runner.invoke(cli, ["import-template", str(path)])
    result = import_file(runner, path)

    assert made.exit_code == 0, made.output
    assert result.exit_code == 0, result.output
    assert "hộ nghèo (poor): 1" in result.output
    status = db_session.scalar(select(HouseholdStatus))
    assert status.previous_classification == "near_poor"
    assert [d.indicator for d in status.deprivations] == [
        "employment",
        "health_insurance",
        "sanitation",
    ]


def test_the_xlsx_template_keeps_codes_as_text_and_explains_each_column(tmp_path):
    path = tmp_path / "mau.xlsx"
    imports.write_template(path, "01", 2026)

    workbook = load_workbook(path)
    data, guide = workbook.worksheets
    assert [cell.value for cell in data[1]] == HEADERS
    assert data["A2"].value == "00376"
    # Text, so Excel keeps the leading zero of an ID number typed in the column.
    assert data.column_dimensions["D"].number_format == "@"
    assert data["D2"].number_format == "@"
    explained = {row[0]: row for row in guide.iter_rows(min_row=2, values_only=True) if row[0]}
    assert set(HEADERS) <= set(explained)
    assert explained["Phân loại"][3].startswith("hộ nghèo, hộ cận nghèo")
    assert explained["Mã xã"][1] == "có"
    assert explained["Mã thôn"][1] == "không"


def test_the_templates_in_docs_are_the_generated_ones(tmp_path):
    generated_csv = tmp_path / "mau.csv"
    generated_xlsx = tmp_path / "mau.xlsx"
    imports.write_template(generated_csv, "01", 2026)
    imports.write_template(generated_xlsx, "01", 2026)
    docs = ROOT / "docs" / "templates"

    assert (docs / "mau-nhap-danh-sach-ho.csv").read_bytes() == generated_csv.read_bytes()
    shipped = load_workbook(docs / "mau-nhap-danh-sach-ho.xlsx")
    fresh = load_workbook(generated_xlsx)
    for ours, theirs in zip(shipped.worksheets, fresh.worksheets, strict=True):
        assert ours.title == theirs.title
        assert list(ours.values) == list(theirs.values)
    guide = (ROOT / "docs" / "import-template.md").read_text(encoding="utf-8")
    for column in imports.COLUMNS:
        assert f"`{column.header}`" in guide, column.header
