"""The hub's HTML side: the public entry page, sign-in, and the central office's dashboards."""

from __future__ import annotations

from datetime import date

from flask import Flask, has_request_context
from sqlalchemy.exc import SQLAlchemyError

from hub.auth import signin
from hub.web import account, analysis, dashboard, open_data, pages
from hub.web.tables import COUNT, DAY, MOMENT, RATE, cell_kind
from shared.moments import vietnam_text
from shared.numbers import DECIMALS, MISSING
from shared.web.i18n import page_number


def format_cell(value: object, kind: str) -> str:
    """A cell as people read it, in the page's language: 1.234 · 2,93 · 28/11/2026 09:15 (in
    Vietnam's time, whatever the language); counts and rates through the one formatter of both
    apps (shared.numbers), with the decimals of their kind."""
    if value is None:
        return MISSING
    if kind in (COUNT, RATE) and isinstance(value, int | float):
        return page_number(value, DECIMALS[kind])
    if kind in (MOMENT, DAY) and isinstance(value, date):
        return vietnam_text(value)
    return str(value)


def template_helpers() -> dict[str, object]:
    """What every template may use: the signed-in user and the cell formatting."""
    try:
        user = signin.current() if has_request_context() else None
    except SQLAlchemyError:
        # An error page about a database failure must still render.
        user = None
    return {
        "signed_in_user": user,
        "format_cell": format_cell,
        "cell_kind": cell_kind,
        "vietnam_text": vietnam_text,
    }


def init_app(app: Flask) -> None:
    """Register the page blueprints and the headers every response carries."""
    app.register_blueprint(pages.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(analysis.bp)
    app.register_blueprint(open_data.bp)
    app.context_processor(template_helpers)
