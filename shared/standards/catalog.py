"""The household facts catalogue (``data/facts.json``): fields, labels, messages, reasons."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
FACTS_FILE = DATA_DIR / "facts.json"
LANGUAGES = ("vi", "en")


@cache
def facts_catalog() -> dict[str, Any]:
    """The parsed facts catalogue; the browser loads the very same file."""
    with FACTS_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def error_text(code: str, lang: str = "en") -> str:
    """The message for a validation error code in ``lang`` (``vi`` or ``en``)."""
    return facts_catalog()["errors"][code][lang]


def format_dong(amount: int, lang: str) -> str:
    """Đồng as each language writes them: 1.500.000 in Vietnamese, 1,500,000 in English."""
    grouped = f"{amount:,}"
    return grouped.replace(",", ".") if lang == "vi" else grouped
