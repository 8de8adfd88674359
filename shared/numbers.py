"""Numbers as people read them on a page: the one formatter both apps' templates use.

Vietnamese writes a decimal comma and a thousands dot (1.234,56); a reader takes ``5.55`` for
five thousand five hundred and fifty. Each column shows a fixed number of decimals (counts none,
rates two), so a column's figures line up. English pages get the English separators.
"""

from __future__ import annotations

from numbers import Real

# What a missing figure looks like (suppressed, no base for a rate).
MISSING = "–"
# Decimals per kind of figure, the same on every page and in the XLSX number formats.
DECIMALS = {"count": 0, "rate": 2, "money": 0}
# The XLSX number formats of the same kinds: the spreadsheet program shows them in its own
# locale, the cells stay numbers.
XLSX_FORMATS = {"count": "#,##0", "rate": "#,##0.00", "money": "#,##0"}


def format_number(value: object, decimals: int = 0, lang: str = "vi") -> str:
    """``value`` with thousands separators and exactly ``decimals`` decimals (rounded half
    away from zero as Python's format does), in ``lang``'s separators; anything that is not a
    number is shown as it is, None as a dash."""
    if value is None:
        return MISSING
    if isinstance(value, bool) or not isinstance(value, Real):
        return str(value)
    text = f"{value:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
