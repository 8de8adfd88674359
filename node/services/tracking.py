"""Tracking codes (mã tra cứu hồ sơ): short, unguessable, easy to read out over the phone.

Nine random symbols and a check symbol from an alphabet without 0/O, 1/I/L and U/V look-alikes,
shown in groups (``K7QM-4XTP-R9``). 29⁹ ≈ 1.5 × 10¹³ codes, and a lookup needs the phone or ID
number given at submission too, so codes cannot be enumerated.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
RANDOM_LENGTH = 9
LENGTH = RANDOM_LENGTH + 1


def _check_symbol(body: str) -> str:
    # Position-weighted sum: catches every single wrong symbol and most swaps of neighbours.
    total = sum((index + 1) * ALPHABET.index(symbol) for index, symbol in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_tracking_code() -> str:
    """A fresh random tracking code (10 symbols, the last a check symbol), never all digits.

    All-digit codes are skipped so a code can never be mistaken for a numeric application id
    in a URL.
    """
    while True:
        body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
        code = body + _check_symbol(body)
        if not code.isdigit():
            return code


def normalize_tracking_code(raw: object) -> str | None:
    """The code as stored, from what a person typed (any case, spaces, dashes); None if invalid."""
    if not isinstance(raw, str):
        return None
    code = "".join(raw.split()).replace("-", "").upper()
    if len(code) != LENGTH or any(symbol not in ALPHABET for symbol in code):
        return None
    return code if _check_symbol(code[:-1]) == code[-1] else None


def display_tracking_code(code: str) -> str:
    """The code in groups of four for reading and printing."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
