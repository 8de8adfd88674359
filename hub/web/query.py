"""What the dashboards read from the address, the same way on every page: the period, a
province, and that figures for signed-in users are never kept by a shared cache."""

from __future__ import annotations

from flask import abort, request
from werkzeug.wrappers import Response

from shared import units


def private(response: Response) -> Response:
    """Figures for signed-in users only: no shared cache keeps them."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def period_arg(periods: list[int]) -> int | None:
    """The period asked for (?period=), else the latest with figures; 400 for a non-year."""
    raw = request.args.get("period", "")
    if raw:
        if not (raw.isascii() and raw.isdigit()) or not 2000 <= int(raw) <= 2100:
            abort(400, description="period must be a year")
        return int(raw)
    return periods[0] if periods else None


def province_arg(code: str | None) -> str:
    """A province code from the address; 404 for anything else."""
    if not units.is_province_code(code):
        abort(404)
    return code  # type: ignore[return-value]
