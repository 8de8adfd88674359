"""The consent a resident gives before submitting (Law on Personal Data Protection 2025).

Each text has a version; the consent record keeps the version shown, so what a person agreed to can
always be shown again. A changed text gets a new version; old versions stay here.

From 2026-12 the portal shows the consent as four short points a resident reads at a glance, with
the full text one tap away; both say the same thing, and the version covers both.
"""

from __future__ import annotations

PURPOSE = "poverty_review"
CURRENT_VERSION = "2026-12"

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


TEXTS["2026-12"] = {
    "vi": (
        "Tôi đồng ý để Ủy ban nhân dân xã, phường, đặc khu nơi hộ cư trú và các cơ quan có thẩm "
        "quyền của tỉnh, thành phố xử lý dữ liệu cá nhân của tôi và của các thành viên trong hộ "
        "(họ tên, số định danh cá nhân, số điện thoại, ngày sinh, hoàn cảnh của hộ) chỉ để rà "
        "soát, xác định và quản lý hộ nghèo, hộ cận nghèo theo Quyết định số 24/2021/QĐ-TTg của "
        "Thủ tướng Chính phủ. Dữ liệu được lưu tại máy chủ của tỉnh, thành phố, không chuyển ra "
        "ngoài; cơ quan trung ương chỉ nhận số liệu tổng hợp. Tôi có quyền xem, yêu cầu sửa hoặc "
        "rút lại sự đồng ý; việc rút lại không ảnh hưởng đến việc xử lý đã thực hiện trước đó. "
        "Tôi cam đoan thông tin kê khai là đúng sự thật."
    ),
    "en": (
        "I agree that the People's Committee of the commune, ward or special zone where the "
        "household lives and the province's competent authorities process my personal data and "
        "that of my household's members (names, personal ID numbers, phone, birth dates, the "
        "household's circumstances) only to review, recognise and manage poor and near-poor "
        "households under the Prime Minister's Decision No. 24/2021/QD-TTg. The data stays on "
        "the province's server and does not leave it; the central office receives aggregate "
        "figures only. I may see it, ask for corrections or withdraw my consent; withdrawing does "
        "not affect processing already done. I declare the information true."
    ),
}

# The same consent as four short points (what the portal shows first).
POINTS = {
    "2026-12": {
        "vi": (
            "Xã, phường, đặc khu chỉ dùng thông tin của gia đình tôi để xét hộ nghèo, hộ cận "
            "nghèo.",
            "Thông tin được lưu ở tỉnh, không chuyển ra ngoài; trung ương chỉ nhận số liệu tổng.",
            "Tôi được xem, xin sửa thông tin, hoặc rút lại sự đồng ý bất cứ lúc nào.",
            "Tôi cam đoan những gì tôi khai là đúng sự thật.",
        ),
        "en": (
            "The commune, ward or special zone uses my household's information only to review "
            "poor and near-poor households.",
            "It is kept in the province and goes nowhere else; the central office only gets "
            "totals.",
            "I may see it, ask for corrections, or withdraw my consent at any time.",
            "I declare that what I give is true.",
        ),
    }
}


def consent_points(lang: str, version: str = CURRENT_VERSION) -> tuple[str, ...]:
    """The consent of ``version`` as short points in ``lang``; empty for versions without them."""
    return POINTS.get(version, {}).get(lang, ())


def consent_text(lang: str, version: str = CURRENT_VERSION) -> str:
    """The consent text of ``version`` in ``lang`` (vi or en)."""
    return TEXTS[version][lang]
