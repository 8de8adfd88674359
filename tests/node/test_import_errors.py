"""Problems in an import file: each reported with its spreadsheet row and column, all of them,
nothing written. Every test runs on SQLite and on PostgreSQL with the same expectations, so the
two paths (staging by COPY or by batched inserts, SQL compiled for each) report the same."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import Text, func, literal, select

from node.models import Household, HouseholdStatus, Village
from node.services import imports
from node.services.identity import normalize_citizen_id, normalize_phone, normalize_text
from shared.standards import standard_for
from tests.node.review_helpers import NOW
from tests.node.test_import_households import (
    HEADERS,
    RURAL,
    URBAN,
    household,
    import_file,
    write_csv,
    write_xlsx,
)

ID = "Số định danh cá nhân chủ hộ"


pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def node_data(db_session):
    """Villages (one closed, one of another commune) and a household the node already has."""
    db_session.add_all([
        Village(code=f"{RURAL}-001", commune_code=RURAL, name="Thôn 1"),
        Village(code=f"{RURAL}-002", commune_code=RURAL, name="Thôn 2", active=False),
        Village(code=f"{URBAN}-001", commune_code=URBAN, name="Tổ 1"),
        Household(commune_code=RURAL, area="rural", head_name="Đã Có",
                  head_citizen_id="001085999999"),
    ])  # fmt: skip
    db_session.commit()


# (changes to a good row, the column reported, the message): one problem per row.
CASES = [
    ({"commune": "376"}, "Mã xã", "phải là mã xã gồm 5 chữ số"),
    ({"commune": "99999"}, "Mã xã", "không có xã, phường, đặc khu nào mang mã này"),
    ({"commune": "03388"}, "Mã xã", "xã này thuộc Lai Châu, không thuộc Thành phố Hà Nội"),
    ({"commune": " "}, "Mã xã", "bắt buộc, không được để trống"),
    ({"village": f"{RURAL}-099"}, "Mã thôn",
     "không có thôn, tổ dân phố nào mang mã này (thêm thôn trước khi nhập)"),
    ({"village": f"{RURAL}-002"}, "Mã thôn", "thôn này đã ngừng hoạt động"),
    ({"village": f"{URBAN}-001"}, "Mã thôn",
     f'thôn {URBAN}-001 thuộc xã {URBAN}, không thuộc xã ở cột "Mã xã"'),
    ({"head_name": " \t "}, "Họ và tên chủ hộ", "bắt buộc, không được để trống"),
    ({"head_name": "Nguyễn Văn 2"}, "Họ và tên chủ hộ", "không được chứa chữ số"),
    ({"head_name": "Nguyễn " * 15}, "Họ và tên chủ hộ", "dài quá 100 ký tự"),
    ({"head_citizen_id": "12345"}, ID, "phải gồm 12 chữ số"),
    ({"head_citizen_id": "00108500000A"}, ID, "phải gồm 12 chữ số"),
    ({"head_citizen_id": "0010850000011"}, ID, "phải gồm 12 chữ số"),
    ({"head_citizen_id": ""}, ID, "bắt buộc, không được để trống"),
    ({"head_citizen_id": "001085999999"}, ID, "đã có hộ với số định danh này trên hệ thống"),
    ({"head_citizen_id": "001 085 000 001"}, ID, "trùng với dòng 2"),
    ({"phone": "12345"}, "Số điện thoại",
     "không phải số điện thoại hợp lệ (10 hoặc 11 chữ số, bắt đầu bằng 0)"),
    ({"phone": "+85 912 345 678"}, "Số điện thoại",
     "không phải số điện thoại hợp lệ (10 hoặc 11 chữ số, bắt đầu bằng 0)"),
    ({"address": "Thôn Đông " * 31}, "Địa chỉ", "dài quá 300 ký tự"),
    ({"ethnicity": "Kinh" * 13}, "Dân tộc chủ hộ", "dài quá 50 ký tự"),
    ({"area": "miền núi"}, "Khu vực", 'phải là "nông thôn" hoặc "thành thị"'),
    ({"period": "26"}, "Năm", "phải là năm gồm 4 chữ số"),
    ({"period": "2025"}, "Năm",
     "phải là 2026, năm của lần nhập này (dùng --period để nhập năm khác)"),
    ({"period": ""}, "Năm", "bắt buộc, không được để trống"),
    ({"classification": "nghèo"}, "Phân loại", "phải là một trong: hộ nghèo, hộ cận nghèo, "
     "hộ có mức sống trung bình, hộ không nghèo"),
    ({"classification": ""}, "Phân loại", "bắt buộc, không được để trống"),
    ({"members_count": "0"}, "Số nhân khẩu", "phải là số nguyên từ 1 đến 50"),
    ({"members_count": "51"}, "Số nhân khẩu", "phải là số nguyên từ 1 đến 50"),
    ({"members_count": "bốn"}, "Số nhân khẩu", "phải là số nguyên từ 1 đến 50"),
    ({"members_count": "3.5"}, "Số nhân khẩu", "phải là số nguyên từ 1 đến 50"),
    ({"members_count": ""}, "Số nhân khẩu", "bắt buộc, không được để trống"),
    ({"deprivations": "employment; flying"}, "Chỉ số thiếu hụt", 'không có chỉ số "flying"'),
    ({"deprivations": "waste"}, "Chỉ số thiếu hụt",
     'chỉ số "waste" không thuộc chuẩn VN-2022-2025 áp dụng cho năm 2026'),
    ({"deprivations": "Thu gom, xử lý rác thải sinh hoạt; x"}, "Chỉ số thiếu hụt",
     'chỉ số "Thu gom, xử lý rác thải sinh hoạt" không thuộc chuẩn VN-2022-2025 áp dụng cho '
     'năm 2026; không có chỉ số "x"'),
    ({"previous_classification": "giàu"}, "Phân loại năm trước", "phải là một trong: hộ nghèo, "
     "hộ cận nghèo, hộ có mức sống trung bình, hộ không nghèo"),
]  # fmt: skip


def bad_file(path: Path) -> tuple[Path, list[str]]:
    """A good row 2, then one row per case (the row number shifted past a blank row), then a
    row with two problems; and the problems expected, in order."""
    rows = [household(1)]
    expected = []
    for number, (changes, column, message) in enumerate(CASES, start=2):
        rows.append(household(number, **changes))
        expected.append(f'dòng {len(rows) + 1}, cột "{column}": {message}')
        if number == 10:
            rows.append(dict.fromkeys(household(0), ""))  # a blank row is skipped, not counted
    rows.append(household(99, commune="1", members_count="-1"))
    expected += [
        f'dòng {len(rows) + 1}, cột "Mã xã": phải là mã xã gồm 5 chữ số',
        f'dòng {len(rows) + 1}, cột "Số nhân khẩu": phải là số nguyên từ 1 đến 50',
    ]
    return write_csv(path, rows), expected


def test_every_problem_is_reported_with_row_and_column(runner, db_session, node_data, tmp_path):
    path, expected = bad_file(tmp_path / "ds.csv")

    result = import_file(runner, path)

    assert result.exit_code == 2
    reported = [line for line in result.stderr.splitlines() if line.startswith("dòng")]
    assert reported == expected
    assert f"{len(expected)} lỗi; không có hộ nào được nhập" in result.output
    assert db_session.scalar(select(func.count()).select_from(Household)) == 1  # node_data's
    assert db_session.scalar(select(func.count()).select_from(HouseholdStatus)) == 0


def test_the_service_returns_the_same_problems_in_order(db_session, node_data, tmp_path):
    path, expected = bad_file(tmp_path / "ds.csv")

    with pytest.raises(imports.ImportFailed) as failure:
        run_service(db_session, path)

    assert [str(error) for error in failure.value.errors] == expected
    assert failure.value.total == len(expected)


def test_an_xlsx_id_typed_as_a_number_loses_its_zero_and_is_refused(db_session, tmp_path):
    row = household(1)
    cells: list[object] = [row[column.key] for column in imports.COLUMNS]
    cells[HEADERS.index(ID)] = 11085000444  # Excel drops the leading 0 of 011085000444
    path = write_xlsx(tmp_path / "ds.xlsx", [cells, [*cells[:-1], "x", "extra"]])

    with pytest.raises(imports.ImportFailed) as failure:
        run_service(db_session, path)

    assert [str(error) for error in failure.value.errors] == [
        f'dòng 2, cột "{ID}": phải gồm 12 chữ số',
        "dòng 3: có dữ liệu ở cột không có tiêu đề",
    ]


def test_unreadable_bytes_and_extra_cells_are_named_by_row(db_session, tmp_path):
    path = write_csv(tmp_path / "ds.csv", [household(n) for n in range(1, 5)])
    lines = path.read_bytes().split(b"\r\n")
    lines[2] = lines[2].replace("Nguyễn".encode(), "Nguy\xe1n".encode("latin-1"))  # row 3
    lines[3] = lines[3].replace(b"Nguy", b"Ng\x00uy")  # row 4
    lines[4] += b",surplus"  # row 5
    path.write_bytes(b"\r\n".join(lines))

    with pytest.raises(imports.ImportFailed) as failure:
        run_service(db_session, path)

    assert [str(error) for error in failure.value.errors] == [
        "dòng 3: có ký tự không đọc được (lưu tệp dưới dạng CSV UTF-8)",
        "dòng 4: có ký tự không đọc được (lưu tệp dưới dạng CSV UTF-8)",
        "dòng 5: có dữ liệu ở cột không có tiêu đề",
    ]


def test_a_csv_in_another_encoding_is_refused_with_the_reason(runner, db_session, tmp_path):
    # Excel's plain "CSV" on Vietnamese Windows is Windows-1258 (tone marks as combining
    # characters), not UTF-8.
    path = write_csv(tmp_path / "ds.csv", [household(1)])
    text = unicodedata.normalize("NFD", path.read_text(encoding="utf-8"))
    path.write_bytes(text.encode("cp1258", errors="replace"))

    result = import_file(runner, path)

    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "dòng 1: có ký tự không đọc được (lưu tệp dưới dạng CSV UTF-8)"
    )


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([*HEADERS, "Ghi chú"],
         ['dòng 1, cột "Ghi chú": không phải cột của mẫu (xem docs/import-template.md)']),
        ([h for h in HEADERS if h not in ("Mã xã", "Năm")],
         ['dòng 1: thiếu cột "Mã xã"', 'dòng 1: thiếu cột "Năm"']),
        ([*HEADERS, "Năm"], ['dòng 1, cột "Năm": có hai cột cùng tên']),
        ([*HEADERS[:2], "", *HEADERS[2:]], ["dòng 1: cột thứ 3 không có tên"]),
        (["ma_xa", *HEADERS[1:]],
         ['dòng 1, cột "ma_xa": không phải cột của mẫu (xem docs/import-template.md)',
          'dòng 1: thiếu cột "Mã xã"']),
    ],
)  # fmt: skip
def test_header_problems(runner, db_session, tmp_path, headers, expected):
    path = write_csv(tmp_path / "ds.csv", [household(1)], headers)

    result = import_file(runner, path)

    assert result.exit_code == 2
    assert [line for line in result.stderr.splitlines() if line.startswith("dòng")] == expected
    assert db_session.scalar(select(func.count()).select_from(Household)) == 0


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.csv", b"", "tệp trống (dòng 1 phải là dòng tiêu đề của mẫu)"),
        ("header-only.csv", ",".join(HEADERS).encode() + b"\r\n,,,\r\n",
         "tệp không có dòng dữ liệu nào"),
        ("list.pdf", b"%PDF-1.4", "chỉ nhận tệp .xlsx hoặc .csv"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "không đọc được tệp XLSX (BadZipFile)"),
    ],
)  # fmt: skip
def test_files_that_are_not_lists(runner, db_session, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)

    result = import_file(runner, path)

    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == expected


def run_service(db_session, path: Path) -> imports.ImportResult:
    try:
        return imports.import_households(
            db_session,
            path,
            province_code="01",
            period=2026,
            standard=standard_for(2026),
            today=NOW.date(),
            now=NOW,
        )
    except imports.ImportFailed:
        db_session.rollback()
        raise


# Values the SQL primitives must treat exactly as the node's Python normalisers do.
TEXTS = [None, "", "   ", "Nguyễn Văn An", "  Nguyễn   Văn\tAn ", "Nguye\u0302\u0303n",
         "An\u00a0\u2003Bình", "\u3000Lan\u205f", "O'Brien  Ka'Sô"]  # fmt: skip
CITIZEN_IDS = [None, "", " \t", "001085000001", " 0010 8500 0001 ", "00108500000", "abc",
               "0010850000011", "\u0660" * 12, "001085\u00a0000001"]  # fmt: skip
PHONES = [None, "", "  ", "0912345678", "+84 912 345 678", "84912345678", "849123456789",
          "(091) 234-5678", "091.234.5678", "12345", "+84", "09123456789", "091234567890",
          "0912\t345\u00a0678", "\u0660" + "\u0669" * 9]  # fmt: skip


def _python_text(value):
    return (normalize_text(value) or None) if value is not None else None


def _python_id(value):
    if value is None or not value.strip():
        return None
    number = normalize_citizen_id(value)
    return number if number and number.isascii() else ""


def _python_phone(value):
    if value is None:
        return None
    phone = normalize_phone(value)
    if phone and phone.isascii():
        return phone
    return None if not value.strip(" \t\u00a0.()-") else ""


@pytest.mark.parametrize(
    ("function", "values", "python"),
    [
        (imports.clean_text, TEXTS, _python_text),
        (imports.clean_citizen_id, CITIZEN_IDS, _python_id),
        (imports.clean_phone, PHONES, _python_phone),
    ],
)
def test_sql_normalisers_agree_with_the_python_ones(db_session, function, values, python):
    connection = db_session.connection()
    imports.register_sql_functions(connection)

    found = [connection.scalar(select(function(literal(value, Text)))) for value in values]

    assert found == [python(value) for value in values]
