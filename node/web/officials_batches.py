"""The steps officials take for many households at once, and the papers they print: the village
meeting and its minutes, the public posting and its list, the chair's decision, the yearly
periodic review. Each form becomes the body of the JSON API's endpoint (node.api.review), loads
through the same schema and goes to the same service call (node.services.actions)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from node.auth import signed_in
from node.context import node_context
from node.extensions import db
from node.models.applications import CONFIRMATION_KINDS
from node.schemas import review as schemas
from node.services import actions, confirmations, periodic, worksheets
from node.services.calendar import load_calendar
from node.services.certificates import PRINTERS
from node.services.errors import Conflict, HouseholdsRefused, ValidationFailed
from node.services.scopes import (
    COMMUNE_CHAIR,
    COMMUNE_OFFICER,
    PROVINCE_ADMIN,
    PROVINCE_OFFICER,
    VILLAGE_HEAD,
)
from node.web import form_input
from node.web import officials_forms as words
from node.web.officials import DATES, bp, commit, conflict_message, official

PAPER_READERS = (VILLAGE_HEAD, COMMUNE_OFFICER, COMMUNE_CHAIR, PROVINCE_OFFICER, PROVINCE_ADMIN)


def _selected() -> set[int]:
    """Households ticked on a form (or preselected by ``select`` in the address)."""
    raw = request.form.getlist("include") if request.method == "POST" else [
        request.args.get("select", "")
    ]  # fmt: skip
    return {value for value in (words.parse_id(item) for item in raw) if value}


# ------------------------------------------------------------------------ village meeting


def render_meeting(
    values: Mapping[str, str],
    selected: set[int],
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The meeting form: the verified households of a village, each with its agreeing count."""
    signer = official()
    village = values.get("village") or None
    villages = worksheets.scope_villages(db.session, signer)
    if village not in {v.code for v in villages}:
        village = None
    candidates = worksheets.meeting_candidates(db.session, signer, node_context(), village)
    errors = dict(errors or {})
    ticked = form_input.ticked(values) if request.method == "POST" else []
    return (
        render_template(
            "officials/meeting.html",
            candidates=candidates,
            villages=villages,
            village=village,
            values=values,
            selected=selected,
            errors=errors,
            row_errors=row_errors(errors, "votes", ticked),
            notice=notice,
            today=node_context().today,
        ),
        status,
    )


@bp.get("/meetings/new")
@signed_in(VILLAGE_HEAD, COMMUNE_OFFICER)
def meeting_new() -> tuple[str, int]:
    """Record a village meeting (họp dân) on the village's verified households."""
    return render_meeting(request.args, _selected())


@bp.post("/meetings/new")
@signed_in(VILLAGE_HEAD, COMMUNE_OFFICER)
def meeting_post() -> tuple[str, int] | Response:
    """Each ticked household's vote; under half agreeing sends it back to verification."""
    form = request.form
    selected = _selected()
    body = {
        **form_input.body(form, ("held_on", "attendees", "chaired_by"), dates=DATES),
        **({"village_code": form["village"]} if form.get("village") else {}),
        "votes": [
            {"application_id": key, **form_input.row(form, key, ("agreeing", "version"))}
            for key in form_input.ticked(form)
        ],
    }
    try:
        data = form_input.load(schemas.MeetingSchema(), body)
        meeting = actions.hold_meeting(db.session, official(), data, node_context())
        commit()
    except form_input.FormRefused as error:
        return render_meeting(form, selected, error.fields, status=422)
    except ValidationFailed as error:
        db.session.rollback()
        return render_meeting(form, selected, words.field_messages(error.fields), status=422)
    except Conflict as error:
        db.session.rollback()
        return render_meeting(form, selected, notice=conflict_message(error), status=409)
    passed = sum(vote.passed for vote in meeting.votes)
    flash(
        _("The meeting was recorded: %(passed)s of %(total)s households agreed by at least half.",
          passed=passed, total=len(meeting.votes)),
        "success",
    )  # fmt: skip
    return redirect(url_for("officials.meeting_minutes", meeting_id=meeting.id), 303)


def row_errors(errors: Mapping[str, str], rows: str, ids: list[str]) -> dict[str, str]:
    """Errors of a list's items (``votes.2.agreeing``) by the form's row inputs
    (``agreeing.<application id>``), to show each beside its household."""
    by_input = {}
    for path, message in errors.items():
        parts = path.split(".")
        index = parts[1] if len(parts) == 3 and parts[0] == rows else ""
        if index.isascii() and index.isdigit() and int(index) < len(ids):
            by_input[f"{parts[2]}.{ids[int(parts[1])]}"] = message
    return by_input


@bp.get("/meetings/<int:meeting_id>/minutes")
@signed_in(*PAPER_READERS)
def meeting_minutes(meeting_id: int) -> str:
    """The printable minutes (biên bản họp dân), in two copies."""
    paper = worksheets.meeting_minutes(db.session, official(), meeting_id, node_context())
    db.session.commit()  # the audit entry of this paper naming households
    return render_template("officials/minutes.html", paper=paper, copies=(1, 2))


# ------------------------------------------------------------------------- public posting


def render_posting(
    values: Mapping[str, str],
    selected: set[int],
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The posting form: the households whose meeting agreed or, for a confirmation (no
    meeting), that are verified, and the posting's dates."""
    signer = official()
    context = node_context()
    starts_on = words.parse_day(values.get("starts_on")) or context.today
    calendar = load_calendar(db.session)
    candidates = worksheets.posting_candidates(db.session, signer, context)
    return (
        render_template(
            "officials/posting.html",
            candidates=candidates,
            values=values,
            selected=selected,
            starts_on=starts_on,
            default_end=calendar.add_working_days(starts_on, context.rules.posting_working_days),
            confirmation_end=calendar.add_working_days(
                starts_on, context.rules.confirmation_posting_working_days
            ),
            confirmations=any(c.application.kind in CONFIRMATION_KINDS for c in candidates),
            errors=dict(errors or {}),
            notice=notice,
        ),
        status,
    )


@bp.get("/postings/new")
@signed_in(COMMUNE_OFFICER)
def posting_new() -> tuple[str, int]:
    """Post results publicly at the village house and the commune office."""
    return render_posting(request.args, _selected())


@bp.post("/postings/new")
@signed_in(COMMUNE_OFFICER)
def posting_post() -> tuple[str, int] | Response:
    """Post the ticked households; an empty end date is the configured working days later."""
    form = request.form
    selected = _selected()
    ticked = form_input.ticked(form)
    body = {
        **form_input.body(form, ("starts_on", "ends_on"), dates=DATES),
        "application_ids": ticked,
        "versions": {key: form[f"version.{key}"] for key in ticked if form.get(f"version.{key}")},
    }
    try:
        data = form_input.load(schemas.PostingSchema(), body)
        posting = actions.post_many(db.session, official(), data, node_context())
        commit()
    except form_input.FormRefused as error:
        return render_posting(form, selected, error.fields, status=422)
    except ValidationFailed as error:
        db.session.rollback()
        return render_posting(form, selected, words.field_messages(error.fields), status=422)
    except Conflict as error:
        db.session.rollback()
        return render_posting(form, selected, notice=conflict_message(error), status=409)
    flash(_("The results were posted; print the list for the village house and the commune "
            "office."), "success")  # fmt: skip
    return redirect(url_for("officials.posting_list", posting_id=posting.id), 303)


@bp.get("/postings/<int:posting_id>/list")
@signed_in(*PAPER_READERS)
def posting_list(posting_id: int) -> str:
    """The printable list: only what may be posted (name of the head, village, proposed class)."""
    paper = worksheets.posting_list(db.session, official(), posting_id, node_context())
    db.session.commit()
    return render_template("officials/posting_list.html", paper=paper)


# ------------------------------------------------------------------------------- decision


def render_decision(
    values: Mapping[str, str],
    selected: set[int],
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
    refused: Mapping[int, str] | None = None,
) -> tuple[str, int]:
    """The chair's decision form: each posted household, its outcome and reasons, and what
    the policy says still stands in the way of deciding it (``refused``: why each household
    of a refused decision could not be decided, by application id)."""
    context = node_context()
    errors = dict(errors or {})
    keys = form_input.numbered(values, "outcome") if request.method == "POST" else []
    return (
        render_template(
            "officials/decision.html",
            candidates=worksheets.decision_candidates(db.session, official(), context),
            values=values,
            selected=selected,
            errors=errors,
            row_errors=row_errors(errors, "lines", keys),
            notice=notice,
            refused=refused or {},
            today=context.today,
        ),
        status,
    )


@bp.get("/decisions/new")
@signed_in(COMMUNE_CHAIR)
def decision_new() -> tuple[str, int]:
    """Recognise or refuse the posted households (quyết định công nhận)."""
    return render_decision(request.args, _selected())


@bp.post("/decisions/new")
@signed_in(COMMUNE_CHAIR)
def decision_post() -> tuple[str, int] | Response:
    """One decision (number and date) on every household given an outcome."""
    form = request.form
    keys = form_input.numbered(form, "outcome")
    body = {
        **form_input.body(form, ("number", "decided_on"), dates=DATES),
        "lines": [
            {"application_id": key, **form_input.row(form, key, ("outcome", "reasons", "version"))}
            for key in keys
        ],
    }
    selected = {int(key) for key in keys if key.isascii() and key.isdigit() and len(key) <= 10}
    try:
        data = form_input.load(schemas.DecisionSchema(), body)
        decision = actions.decide_many(db.session, official(), data, node_context())
        commit()
    except form_input.FormRefused as error:
        return render_decision(form, selected, error.fields, status=422)
    except ValidationFailed as error:
        db.session.rollback()
        return render_decision(form, selected, words.field_messages(error.fields), status=422)
    except HouseholdsRefused as error:
        db.session.rollback()
        refused = {key: words.household_refusal(why) for key, why in error.refusals.items()}
        return render_decision(form, selected, refused=refused, status=409)
    except Conflict as error:
        db.session.rollback()
        return render_decision(form, selected, notice=conflict_message(error), status=409)
    flash(_("The decision was recorded; certificates were issued to the recognised poor and "
            "near-poor households."), "success")  # fmt: skip
    return redirect(url_for("officials.decision", decision_id=decision.id), 303)


@bp.get("/decisions/<int:decision_id>")
@signed_in(*PAPER_READERS)
def decision(decision_id: int) -> str:
    """A decision's households, with links to the certificates to print."""
    paper = worksheets.decision_sheet(db.session, official(), decision_id, node_context())
    db.session.commit()
    return render_template(
        "officials/decision_sheet.html", paper=paper, confirmation_titles=CONFIRMATION_TITLES
    )


# The decision Mẫu số 02 of Decision 24/2021's annex, by kind: its title names what it recognises.
CONFIRMATION_TITLES = {
    "average": _l(
        "Decision recognising farming, forestry, fishery and salt households with an average "
        "living standard (form 02)"
    ),
    "low_income": _l("Decision recognising low-income workers (form 02)"),
}


@bp.get("/decisions/<int:decision_id>/confirmation/<kind>")
@signed_in(*PRINTERS)
def confirmation_decision(decision_id: int, kind: str) -> str:
    """The chair's decision Mẫu số 02 recognising the decision's households of ``kind``
    (average living standard, low-income workers), ready to print."""
    paper = confirmations.confirmation_decision(
        db.session, official(), decision_id, kind, node_context()
    )
    db.session.commit()  # the audit entry of this paper naming households
    return render_template("officials/confirmation_decision.html", paper=paper)


# ---------------------------------------------------------------------- periodic review


@bp.get("/periodic", endpoint="periodic")
@signed_in(COMMUNE_OFFICER)
def periodic_page() -> str:
    """Open the commune's yearly periodic review."""
    context = node_context()
    return render_template(
        "officials/periodic.html",
        period=context.today.year + 1,
        window=context.review_window,
        in_window=context.review_window.contains(context.today),
        errors={},
    )


@bp.post("/periodic", endpoint="periodic_post")
@signed_in(COMMUNE_OFFICER)
def open_periodic() -> tuple[str, int] | Response:
    """Queue every household on the commune's lists for re-verification."""
    context = node_context()
    body = form_input.everything(request.form, dates=DATES)
    try:
        data = form_input.load(schemas.PeriodicReviewSchema(), body)
        opened = periodic.open_periodic_review(db.session, official(), context, **data)
        commit()
    except (form_input.FormRefused, ValidationFailed) as error:
        db.session.rollback()
        fields = error.fields
        if isinstance(error, ValidationFailed):
            fields = words.field_messages(fields)
        return render_template(
            "officials/periodic.html", period=context.today.year + 1,
            window=context.review_window, in_window=True, errors=fields,
        ), 422  # fmt: skip
    except Conflict:
        db.session.rollback()
        if not context.review_window.contains(context.today):
            message = _("The periodic review can only be opened during its window.")
        else:
            period = data["period"]
            message = _("The periodic review for %(period)s is already open.", period=period)
        return render_template(
            "officials/periodic.html", period=context.today.year + 1,
            window=context.review_window, in_window=context.review_window.contains(context.today),
            errors={}, notice=message,
        ), 409  # fmt: skip
    period = data["period"]
    flash(_("The periodic review for %(period)s is open: %(count)s households on the lists were "
            "queued for verification.", period=period, count=opened.queued), "success")  # fmt: skip
    return redirect(url_for("officials.home"), 303)
