"""The resident's copy of their data on the portal: ``POST /status/my-data``, a printable page.

The same data as ``POST /api/v1/applications/<tracking_code>/my-data`` (node.services.my_data),
after the same proof and the same counted guessing limits as the status page (the form posts the
tracking code and the phone or ID number in its body, never in a URL). Like every portal answer
with personal data it is ``Cache-Control: no-store`` (shared.web.caching).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from node.context import node_context
from node.extensions import db
from node.services.applications import status_view
from node.services.my_data import applicant_data
from node.web.officials_forms import ROLES
from node.web.portal import (
    ACTIONS,
    CLASSIFICATIONS,
    STATUSES,
    application_page_context,
    bp,
    lang,
    looked_up,
)
from shared.standards import facts_catalog

# Who acted, by role: the resident and the system besides the officials' roles.
ACTORS = {
    **ROLES,
    "resident": _l("The applicant"),
    "system": _l("The system"),
}
# What the audit log names, in the resident's words; an action not listed is shown as recorded.
ACCESSES = {
    "read": _l("Read the file"),
    "print_certificate": _l("Printed the certificate"),
    "resolve_duplicate": _l("Checked a possible duplicate"),
    "district_opinion": _l("Recorded the opinion of the higher level"),
}


@bp.get("/status/my-data")
def my_data_again() -> Response:
    """The page answers a POST; a visit goes to the lookup form."""
    return redirect(url_for("portal.status"), 303)


@bp.post("/status/my-data")
def my_data() -> tuple[str, int]:
    """Everything the node holds about the people of the application the form names."""
    application, _proof = looked_up(request.form)
    data = applicant_data(db.session, application)
    # The right proof was counted and given back: that is a change to commit.
    db.session.commit()
    view = status_view(application)
    return (
        render_template(
            "portal/my_data.html",
            data=data,
            values=request.form,
            when=moment,
            on=day,
            actors=ACTORS,
            accesses=ACCESSES,
            actions=ACTIONS,
            class_names=CLASSIFICATIONS,
            status_names=STATUSES,
            printed_at=format_datetime(node_context().now, "dd/MM/yyyy HH:mm"),
            **application_page_context(application, view),
        ),
        200,
    )


def moment(value: str | None) -> str:
    """An ISO timestamp as the page shows it (dd/MM/yyyy HH:mm, Vietnam's time)."""
    return format_datetime(datetime.fromisoformat(value), "dd/MM/yyyy HH:mm") if value else ""


def day(value: str | None) -> str:
    """An ISO date as the page shows it (dd/MM/yyyy)."""
    return format_date(date.fromisoformat(value[:10]), "dd/MM/yyyy") if value else ""


def fact_rows(facts: Any) -> list[tuple[str, str]]:
    """A declaration's or verification's household facts as (question, answer) rows in the
    catalogue's words; a fact the catalogue does not name is shown under its own key."""
    if not isinstance(facts, dict):
        return []
    specs = facts_catalog()["fields"]
    rows = []
    for key, value in _flat(facts):
        if key == "members":
            continue
        rows.append((_label(specs.get(key), key), _answer(specs.get(key), value)))
    return rows


def member_rows(facts: Any) -> list[list[tuple[str, str]]]:
    """Each member a declaration or verification names, as (question, answer) rows."""
    members = facts.get("members") if isinstance(facts, dict) else None
    specs = facts_catalog()["member_fields"]
    return [
        [(_label(specs.get(key), key), _answer(specs.get(key), value)) for key, value in m.items()]
        for m in members or []
        if isinstance(m, dict)
    ]


def _flat(facts: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows = []
    for key, value in facts.items():
        if isinstance(value, dict):
            rows.extend(_flat(value, f"{prefix}{key}."))
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def _label(spec: dict[str, Any] | None, key: str) -> str:
    return spec["label"][lang()] if spec and "label" in spec else key


def _answer(spec: dict[str, Any] | None, value: Any) -> str:
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if spec and "options" in spec and value in spec["options"]:
        return spec["options"][value][lang()]
    return "" if value is None else str(value)


def relation_name(relation: str) -> str:
    """A member's relation to the head, in the catalogue's words."""
    return _answer(facts_catalog()["member_fields"]["relation"], relation)


bp.add_app_template_global(relation_name, "relation_name")
bp.add_app_template_global(fact_rows, "fact_rows")
bp.add_app_template_global(member_rows, "member_rows")
bp.add_app_template_global(moment, "moment")
