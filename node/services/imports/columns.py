"""The import template's columns, the words they accept and the messages about them."""

from __future__ import annotations

from dataclasses import dataclass

from node.services.identity import NAME_MAX_LENGTH

ADDRESS_MAX_LENGTH = 300  # households.address
ETHNICITY_MAX_LENGTH = 50  # household_members.ethnicity
MEMBERS_MAX = 50

# The glossary's words for the classes (GLOSSARY.md); the code names are accepted too.
CLASS_WORDS = {
    "poor": "hộ nghèo",
    "near_poor": "hộ cận nghèo",
    "average": "hộ có mức sống trung bình",
    "not_poor": "hộ không nghèo",
}
# "đô thị" is the 2027+ word for urban areas (GLOSSARY.md).
AREA_WORDS = {"nông thôn": "rural", "thành thị": "urban", "đô thị": "urban"}
INDICATOR_SEPARATOR = ";"


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the import template."""

    key: str
    header: str
    required: bool
    meaning: str  # Vietnamese, for the guide sheet and docs/import-template.md
    allowed: str
    example: str
    # Checked once per distinct value in Python (few distinct values), else in SQL per row.
    per_value: bool = True


COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn("commune", "Mã xã", True, "Mã xã, phường, đặc khu nơi hộ cư trú",
                   "5 chữ số, một xã của tỉnh/thành phố này", "{commune}"),
    TemplateColumn("village", "Mã thôn", False, "Mã thôn, bản, tổ dân phố",
                   "mã thôn đã có trên hệ thống (dạng 00070-001), thuộc xã ở cột \"Mã xã\"; "
                   "để trống nếu chưa quản lý thôn", ""),
    TemplateColumn("head_name", "Họ và tên chủ hộ", True, "Họ và tên chủ hộ",
                   f"chữ, tối đa {NAME_MAX_LENGTH} ký tự, không có chữ số", "Nguyễn Văn An",
                   per_value=False),
    TemplateColumn("head_citizen_id", "Số định danh cá nhân chủ hộ", True,
                   "Số định danh cá nhân (số CCCD) của chủ hộ",
                   "12 chữ số; mỗi hộ một dòng, chưa có trên hệ thống", "001085012345",
                   per_value=False),
    TemplateColumn("phone", "Số điện thoại", False, "Số điện thoại liên hệ",
                   "10–11 chữ số, bắt đầu bằng 0 (hoặc +84)", "0912345678", per_value=False),
    TemplateColumn("address", "Địa chỉ", False, "Địa chỉ nơi cư trú",
                   f"tối đa {ADDRESS_MAX_LENGTH} ký tự", "Số 12, ngõ 3", per_value=False),
    TemplateColumn("ethnicity", "Dân tộc chủ hộ", False, "Dân tộc của chủ hộ",
                   "tên dân tộc; khác \"Kinh\" là hộ dân tộc thiểu số; để trống: không ghi nhận",
                   "Kinh"),
    TemplateColumn("area", "Khu vực", False, "Khu vực áp dụng chuẩn nghèo",
                   "nông thôn, thành thị (hoặc đô thị); chỉ để đối chiếu: khu vực luôn theo "
                   "thôn, nếu không theo xã",
                   "{area}"),
    TemplateColumn("period", "Năm", True, "Năm áp dụng danh sách (kỳ rà soát)",
                   "năm của lần nhập (mặc định năm hiện tại; chọn bằng --period)", "{period}"),
    TemplateColumn("classification", "Phân loại", True, "Kết quả phân loại hộ",
                   ", ".join(CLASS_WORDS.values()), "hộ nghèo"),
    TemplateColumn("members_count", "Số nhân khẩu", True, "Số nhân khẩu của hộ",
                   f"số nguyên từ 1 đến {MEMBERS_MAX}", "4"),
    TemplateColumn("deprivations", "Chỉ số thiếu hụt", False,
                   "Các chỉ số thiếu hụt dịch vụ xã hội cơ bản của hộ",
                   "mã hoặc tên chỉ số của chuẩn nghèo áp dụng cho năm đó, cách nhau bởi \";\"; "
                   "chỉ lưu cho hộ nghèo và hộ cận nghèo",
                   "Việc làm; Bảo hiểm y tế; Nhà tiêu hợp vệ sinh"),
    TemplateColumn("previous_classification", "Phân loại năm trước", False,
                   "Phân loại của hộ năm trước", "như cột \"Phân loại\"; để trống: chưa có trong "
                   "danh sách năm trước", "hộ cận nghèo"),
)  # fmt: skip
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
COLUMN_BY_HEADER = {column.header: column for column in COLUMNS}

MESSAGES = {
    "required": "bắt buộc, không được để trống",
    "commune_format": "phải là mã xã gồm 5 chữ số",
    "commune_unknown": "không có xã, phường, đặc khu nào mang mã này",
    "commune_elsewhere": "xã này thuộc {province}, không thuộc {ours}",
    "village_unknown": "không có thôn, tổ dân phố nào mang mã này (thêm thôn trước khi nhập)",
    "village_inactive": "thôn này đã ngừng hoạt động",
    "village_commune": 'thôn {village} thuộc xã {commune}, không thuộc xã ở cột "Mã xã"',
    "name_too_long": f"dài quá {NAME_MAX_LENGTH} ký tự",
    "name_digits": "không được chứa chữ số",
    "citizen_id_format": "phải gồm 12 chữ số",
    "citizen_id_repeated": "trùng với dòng {first}",
    "citizen_id_known": "đã có hộ với số định danh này trên hệ thống",
    "phone_format": "không phải số điện thoại hợp lệ (10 hoặc 11 chữ số, bắt đầu bằng 0)",
    "address_too_long": f"dài quá {ADDRESS_MAX_LENGTH} ký tự",
    "ethnicity_too_long": f"dài quá {ETHNICITY_MAX_LENGTH} ký tự",
    "area": 'phải là "nông thôn" hoặc "thành thị"',
    "period_format": "phải là năm gồm 4 chữ số",
    "period_other": "phải là {period}, năm của lần nhập này (dùng --period để nhập năm khác)",
    "classification": "phải là một trong: " + ", ".join(CLASS_WORDS.values()),
    "members_count": f"phải là số nguyên từ 1 đến {MEMBERS_MAX}",
    "indicator_unknown": 'không có chỉ số "{item}"',
    "indicator_standard": 'chỉ số "{item}" không thuộc chuẩn {standard} áp dụng cho năm {period}',
    "extra_cells": "có dữ liệu ở cột không có tiêu đề",
    "unreadable": "có ký tự không đọc được (lưu tệp dưới dạng CSV UTF-8)",
    "header_unknown": "không phải cột của mẫu (xem docs/import-template.md)",
    "header_repeated": "có hai cột cùng tên",
    "header_blank": "cột thứ {index} không có tên",
    "header_missing": 'thiếu cột "{header}"',
    "no_rows": "tệp không có dòng dữ liệu nào",
    "empty_file": "tệp trống (dòng 1 phải là dòng tiêu đề của mẫu)",
    "unreadable_xlsx": "không đọc được tệp XLSX ({reason})",
    "unknown_format": "chỉ nhận tệp .xlsx hoặc .csv",
}
