"""The Vietnamese user guides in docs/guides: the index links every guide, every picture a guide
shows exists, and each guide names its role's key screens with the glossary's terms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GUIDES = Path(__file__).resolve().parent.parent / "docs" / "guides"
LINK = re.compile(r"\]\(([^)#\s]+\.md)\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")

# For each guide, a few official terms (GLOSSARY.md) and screen names it must use.
KEY_TERMS = {
    "nguoi-dan.md": [
        "tự đánh giá",
        "kê khai",
        "kết quả tự đánh giá",
        "đồng ý xử lý dữ liệu cá nhân",
        "mã tra cứu hồ sơ",
        "Tra cứu hồ sơ",
        "Rút hồ sơ",
        "Mẫu số 04",
        "Mẫu số 01",
    ],
    "truong-thon.md": [
        "Đăng nhập",
        "Việc cần làm",
        "Phiếu B",
        "họp dân",
        "biên bản họp dân",
        "50%",
    ],
    "lam-viec-ngoai-tuyen.md": [
        "Làm việc ngoại tuyến",
        "mã PIN",
        "Phiếu B",
        "Kết quả thẩm định",
        "họp dân",
        "50%",
        "Gửi",
        "Cần xử lý",
        "Giữ bản của tôi",
        "Thu hồi",
    ],
    "cong-chuc-xa.md": [
        "Việc cần làm",
        "ngày làm việc",
        "hồ sơ giấy",
        "Phân công",
        "niêm yết công khai",
        "khiếu nại",
        "Có thể trùng lặp",
        "rà soát định kỳ hằng năm",
        "Báo cáo",
    ],
    "chu-tich-xa.md": [
        "Chủ tịch UBND xã",
        "số quyết định",
        "Công nhận",
        "Không công nhận",
        "lý do",
        "Giấy chứng nhận hộ nghèo, hộ cận nghèo (Mẫu số 03)",
        "mã QR",
    ],
    "quan-tri-tinh.md": [
        "Tài khoản",
        "thôn, bản, tổ dân phố",
        "CSV",
        "Số hộ dân cư",
        "Ngày nghỉ",
        "Nhật ký",
        "hub-credentials",
        "Chốt số liệu",
        "số quyết định",
    ],
    "trung-uong.md": [
        "Số liệu toàn quốc",
        "Theo tỉnh",
        "theo xã",
        "Diễn biến qua các kỳ",
        "Thiếu hụt theo chỉ số",
        "Tình trạng cập nhật",
        "CSV",
        "XLSX",
        "tỷ lệ hộ nghèo, hộ cận nghèo",
        "Chính thức",
        "Tạm thời",
        "Chốt số liệu",
        "Chuẩn nghèo mới",
        "Dấu hiệu cần lưu ý",
        "Dữ liệu mở",
    ],
}


def listed_guides() -> list[str]:
    return LINK.findall((GUIDES / "README.md").read_text(encoding="utf-8"))


def test_the_index_lists_one_guide_per_role_and_each_exists():
    listed = listed_guides()
    assert sorted(listed) == sorted(KEY_TERMS), "the index must link exactly the role guides"
    for name in listed:
        assert (GUIDES / name).is_file(), f"docs/guides/README.md links a missing guide {name}"


@pytest.mark.parametrize("name", sorted(KEY_TERMS))
def test_every_picture_a_guide_shows_exists(name):
    text = (GUIDES / name).read_text(encoding="utf-8")
    images = IMAGE.findall(text)
    assert images, f"{name} shows no screenshot"
    for target in images:
        assert not target.startswith(("http:", "https:", "/")), f"{name}: {target} is not relative"
        path = (GUIDES / target).resolve()
        assert path.is_file(), f"{name} shows a missing picture {target}"
        assert path.stat().st_size < 200_000, f"{target} is too heavy for a phone"


@pytest.mark.parametrize("name", sorted(KEY_TERMS))
def test_each_guide_names_its_key_screens(name):
    text = (GUIDES / name).read_text(encoding="utf-8").casefold()
    missing = [term for term in KEY_TERMS[name] if term.casefold() not in text]
    assert not missing, f"{name} does not mention {missing}"


def test_every_picture_in_the_folder_is_used():
    used = {
        (GUIDES / target).resolve()
        for name in KEY_TERMS
        for target in IMAGE.findall((GUIDES / name).read_text(encoding="utf-8"))
    }
    unused = [p.name for p in sorted((GUIDES / "img").iterdir()) if p.resolve() not in used]
    assert not unused, f"pictures no guide shows: {unused}"
