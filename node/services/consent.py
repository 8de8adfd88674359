"""The consent a resident gives before submitting (Law on Personal Data Protection 2025).

Each text has a version; the consent record keeps the version shown, so what a person agreed to can
always be shown again. A changed text gets a new version; old versions stay here.
"""

from __future__ import annotations

PURPOSE = "poverty_review"
CURRENT_VERSION = "2026-01"

TEXTS = {
    "2026-01": {
        "vi": (
            "Tôi đồng ý để Ủy ban nhân dân xã và các cơ quan có thẩm quyền của tỉnh xử lý dữ "
            "liệu cá nhân của tôi và của các thành viên trong hộ (họ tên, số định danh cá nhân, "
            "số điện thoại, ngày sinh, hoàn cảnh của hộ) chỉ để rà soát, xác định và quản lý hộ "
            "nghèo, hộ cận nghèo theo Quyết định 24/2021/QĐ-TTg. Dữ liệu được lưu tại máy chủ "
            "của tỉnh, không chuyển ra ngoài tỉnh; cơ quan trung ương chỉ nhận số liệu tổng "
            "hợp. Tôi có quyền xem, yêu cầu sửa hoặc rút lại sự đồng ý; việc rút lại không ảnh "
            "hưởng đến việc xử lý đã thực hiện trước đó. Tôi cam đoan thông tin kê khai là đúng "
            "sự thật."
        ),
        "en": (
            "I agree that the commune People's Committee and the province's competent authorities "
            "process my personal data and that of my household's members (names, personal ID "
            "numbers, phone, birth dates, the household's circumstances) only to review, recognise "
            "and manage poor and near-poor households under Decision 24/2021/QD-TTg. The data "
            "stays on the province's server and does not leave the province; the central office "
            "receives aggregate figures only. I may see it, ask for corrections or withdraw my "
            "consent; withdrawing does not affect processing already done. I declare the "
            "information true."
        ),
    }
}


def consent_text(lang: str, version: str = CURRENT_VERSION) -> str:
    """The consent text of ``version`` in ``lang`` (vi or en)."""
    return TEXTS[version][lang]
