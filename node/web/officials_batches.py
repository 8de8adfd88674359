"""The steps officials take for many households at once, and the papers they print: the village
meeting and its minutes, the public posting and its list, the chair's decision, the yearly
periodic review. Each form calls the service the JSON API calls (node.api.review)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from node.context import node_context
from node.extensions import db
from node.services import decisions, periodic, review, worksheets
from node.services.calendar import load_calendar
from node.services.errors import Conflict, StaleVersion, ValidationFailed
from node.services.scopes import (
    COMMUNE_CHAIR,
    COMMUNE_OFFICER,
    PROVINCE_ADMIN,
    PROVINCE_OFFICER,
    VILLAGE_HEAD,
)
from node.web import officials_forms as words
from node.web.officials import bp, commit, conflict_message, official, signed_in

PAPER_READERS = (VILLAGE_HEAD, COMMUNE_OFFICER, COMMUNE_CHAIR, PROVINCE_OFFICER, PROVINCE_ADMIN)


def _selected() -> set[int]:
    """Households ticked on a form (or preselected by ``select`` in the address)."""
    raw = request.form.getlist("include") if request.method == "POST" else [
        request.args.get("select", "")
    ]  # fmt: skip
    return {value for value in (words.parse_id(item) for item in raw) if value}


def _versions(application_ids: list[int]) -> dict[int, int]:
    """The version each ticked household's form was opened at (its version field)."""
    versions = {}
    for app_id in application_ids:
        version = words.parse_count(request.form.get(f"version.{app_id}"))
        if version is None:
            raise StaleVersion("The form has no version for a household.")
        versions[app_id] = version
    return versions


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
    candidates = worksheets.meeting_candidates(db.session, signer, village)
    return (
        render_template(
            "officials/meeting.html",
            candidates=candidates,
            villages=villages,
            village=village,
            values=values,
            selected=selected,
            errors=dict(errors or {}),
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
    context = node_context()
    errors: dict[str, str] = {}
    held_on = words.parse_day(form.get("held_on"))
    if held_on is None:
        errors["held_on"] = words.field_message("held_on")
    attendees = words.parse_count(form.get("attendees"))
    if not attendees:
        errors["attendees"] = words.field_message("attendees")
    votes = []
    for app_id in sorted(selected):
        agreeing = words.parse_count(form.get(f"agreeing.{app_id}"))
        if agreeing is None:
            errors[f"agreeing.{app_id}"] = words.field_message("agreeing")
        votes.append((app_id, agreeing))
    if not selected:
        errors["votes"] = words.field_message("votes")
    if errors:
        return render_meeting(form, selected, errors, status=422)
    try:
        meeting = review.record_meeting(
            db.session, official(), context,
            held_on=held_on, attendees=attendees, votes=votes,
            versions=_versions(sorted(selected)),
            village_code=form.get("village") or None,
            chaired_by=form.get("chaired_by", "").strip()[:200] or None,
        )  # fmt: skip
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        return render_meeting(form, selected, _vote_errors(error.fields, votes), status=422)
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


def _vote_errors(fields: Mapping[str, str], votes: list[tuple[int, Any]]) -> dict[str, str]:
    """The service names votes by position; the form names them by application."""
    errors = {}
    for path, _message in fields.items():
        parts = path.split(".")
        if parts[0] == "votes" and len(parts) == 3 and parts[1].isdigit():
            app_id = votes[int(parts[1])][0]
            errors[f"agreeing.{app_id}"] = words.field_message("agreeing")
        else:
            errors[path] = words.field_message(path)
    return errors


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
    """The posting form: the households whose meeting agreed, and the posting's dates."""
    signer = official()
    context = node_context()
    starts_on = words.parse_day(values.get("starts_on")) or context.today
    default_end = load_calendar(db.session).add_working_days(
        starts_on, context.rules.posting_working_days
    )
    return (
        render_template(
            "officials/posting.html",
            candidates=worksheets.posting_candidates(db.session, signer),
            values=values,
            selected=selected,
            starts_on=starts_on,
            default_end=default_end,
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
    errors = {}
    starts_on = words.parse_day(form.get("starts_on"))
    if starts_on is None:
        errors["starts_on"] = words.field_message("starts_on")
    ends_text = form.get("ends_on", "").strip()
    ends_on = words.parse_day(ends_text) if ends_text else None
    if ends_text and ends_on is None:
        errors["ends_on"] = words.field_message("ends_on")
    if not selected:
        errors["application_ids"] = words.field_message("application_ids")
    if errors:
        return render_posting(form, selected, errors, status=422)
    try:
        posting = review.post_results(
            db.session, official(), node_context(),
            application_ids=sorted(selected), starts_on=starts_on, ends_on=ends_on,
            versions=_versions(sorted(selected)),
        )  # fmt: skip
        commit()
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

OUTCOME_CHOICES = ("recognised", "refused")


def render_decision(
    values: Mapping[str, str],
    selected: set[int],
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The chair's decision form: each posted household, its outcome and reasons."""
    context = node_context()
    return (
        render_template(
            "officials/decision.html",
            candidates=worksheets.decision_candidates(db.session, official()),
            values=values,
            selected=selected,
            errors=dict(errors or {}),
            notice=notice,
            today=context.today,
            opinion_required=context.rules.district_opinion_required,
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
    errors = {}
    lines = []
    selected = set()
    for candidate in worksheets.decision_candidates(db.session, official()):
        app_id = candidate.application.id
        outcome = form.get(f"outcome.{app_id}", "")
        if not outcome:
            continue
        selected.add(app_id)
        reasons = form.get(f"reasons.{app_id}", "").strip()
        if outcome not in OUTCOME_CHOICES:
            errors[f"outcome.{app_id}"] = words.field_message("outcome")
        elif outcome == "refused" and not reasons:
            errors[f"reasons.{app_id}"] = words.field_message("reasons")
        elif len(reasons) > 5000:
            errors[f"reasons.{app_id}"] = str(words.INVALID)
        lines.append(decisions.DecisionLine(app_id, outcome, reasons or None))
    number = form.get("number", "").strip()
    if not number or len(number) > 50:
        errors["number"] = words.field_message("number")
    decided_on = words.parse_day(form.get("decided_on"))
    if decided_on is None:
        errors["decided_on"] = words.field_message("decided_on")
    if not lines:
        errors["lines"] = words.field_message("lines")
    if errors:
        return render_decision(form, selected, errors, status=422)
    try:
        versions = _versions([line.application_id for line in lines])
        lines = [replace(line, version=versions[line.application_id]) for line in lines]
        decision = decisions.decide(
            db.session, official(), node_context(),
            number=number, decided_on=decided_on, lines=lines,
        )  # fmt: skip
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        messages = {}
        for path in error.fields:
            parts = path.split(".")
            if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit():
                app_id = lines[int(parts[1])].application_id
                messages[f"{parts[2]}.{app_id}"] = words.field_message(parts[2])
            else:
                messages[path] = words.field_message(path)
        return render_decision(form, selected, messages, status=422)
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
    return render_template("officials/decision_sheet.html", paper=paper)


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
    period = words.parse_count(request.form.get("period"))
    message = None
    try:
        if period is None:
            raise ValidationFailed("Bad period.", {"period": "required"})
        opened = periodic.open_periodic_review(db.session, official(), context, period=period)
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        return render_template(
            "officials/periodic.html", period=context.today.year + 1,
            window=context.review_window, in_window=True,
            errors=words.field_messages(error.fields),
        ), 422  # fmt: skip
    except Conflict:
        db.session.rollback()
        if not context.review_window.contains(context.today):
            message = _("The periodic review can only be opened during its window.")
        else:
            message = _("The periodic review for %(period)s is already open.", period=period)
        return render_template(
            "officials/periodic.html", period=context.today.year + 1,
            window=context.review_window, in_window=context.review_window.contains(context.today),
            errors={}, notice=message,
        ), 409  # fmt: skip
    flash(_("The periodic review for %(period)s is open: %(count)s households on the lists were "
            "queued for verification.", period=period, count=opened.queued), "success")  # fmt: skip
    return redirect(url_for("officials.home"), 303)
