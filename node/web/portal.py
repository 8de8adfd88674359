"""The resident portal: declare the household, see the self-assessment, submit, follow, withdraw.

Every page works as a plain HTML form; static/js/portal.js enhances them (steps, a draft kept on
the device, the assessment computed in the browser, submissions queued while offline). The views
parse the form, call the same services as the JSON API, and render.

The tracking code and its proof (phone or ID number) only ever travel in a POST's body: every
link and button to a status, receipt or withdrawal is a form, and a query string naming one is
never read (a visit is sent to the same page without it). Lookups count wrong proofs with the
API's (node.services.lookups). Every answer is no-store (shared.web.caching) but the shell
pages, which hold nothing personal.
"""

from __future__ import annotations

import math
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from node.applicant_access import PROOF_PARAMETERS, find_for_applicant, proof_in_query
from node.auth import current_official
from node.context import node_context
from node.extensions import db
from node.models.applications import KINDS
from node.schemas.applications import ApplicantProofSchema, ApplicationRequestSchema
from node.services.applications import (
    access_log,
    find_application,
    next_step,
    status_view,
    submit_application,
    withdraw_application,
)
from node.services.consent import consent_points, consent_text
from node.services.context import RESIDENT, Actor
from node.services.data_requests import requests_of
from node.services.errors import Conflict, IdempotencyKeyReused, NotFound, ValidationFailed
from node.services.places import commune_units, province_commune, village_unit, village_units
from node.services.scopes import COMMUNE_OFFICER
from node.services.tracking import display_tracking_code
from node.web import portal_form
from node.web.errors import unavailable_page
from node.web.officials_forms import ROLES
from node.web.portal_form import MAX_MEMBERS, MEMBER_QUESTIONS
from shared.errors import TooManyAttempts
from shared.standards import facts_catalog
from shared.web.caching import public
from shared.web.errors import database_unavailable

bp = Blueprint("portal", __name__)

APPLICANT_FIELDS = ("full_name", "citizen_id", "phone")
IDEMPOTENCY_FIELD = "idempotency_key"

KIND_TITLES = {
    "enter": _l("Self-assess and register"),
    "exit": _l("Request to exit poverty or near-poverty"),
    "average": _l("Request recognition as a household with an average living standard"),
    "low_income": _l("Request identification as low-income workers"),
}
KIND_FORMS = {
    "enter": _l("Request for review of poor and near-poor households (form 01)"),
    "exit": _l("Request for recognition as out of poverty or near-poverty (form 04)"),
    "average": _l(
        "Request to identify a farming, forestry, fishery or salt household with an "
        "average living standard (form 01 of Decision 24/2021's annex)"
    ),
    "low_income": _l("Request to identify low-income workers (Decree 30/2025)"),
}
CLASSIFICATIONS = {
    "poor": _l("Poor household"),
    "near_poor": _l("Near-poor household"),
    "average": _l("Household with an average living standard"),
    "not_poor": _l("Non-poor household"),
}
STATUSES = {
    "submitted": _l("Submitted: waiting for the commune to start the review"),
    "under_review": _l("Being reviewed and verified by the commune"),
    "meeting_held": _l("The village meeting has been held"),
    "posted": _l("Publicly posted at the village and the commune office"),
    "decided": _l("Decided by the commune chair"),
    "withdrawn": _l("Withdrawn by the applicant"),
}
OUTCOMES = {
    "recognised": _l("The commune chair recognised the request."),
    "refused": _l("The commune chair did not recognise the request; the commune answers in "
                  "writing with the reasons."),
}  # fmt: skip
ACTIONS = {
    "submit": _l("Application submitted"),
    "withdraw": _l("Application withdrawn"),
    "withdraw_consent": _l("Consent withdrawn by the applicant: processing stopped"),
    "delete_on_request": _l("Data deleted on the applicant's request"),
    "start_review": _l("Review started"),
    "verify": _l("Household facts verified"),
    "record_meeting": _l("Village meeting held"),
    "post": _l("Public posting"),
    "complaint": _l("Complaint received: review again"),
    "decide": _l("Decision"),
}
# What the applicant waits for at each open status (the dates come from next_step).
NEXT_STEPS = {
    "submitted": _l("Next: the commune starts the review and sends someone to the household."),
    "under_review": _l("Next: the village head verifies at the household, then the village "
                       "meeting discusses it."),
    "under_review_confirmation": _l("Next: the commune's review board determines the "
                                    "household's income over the last 12 months, then posts "
                                    "the result at the commune office."),
    "meeting_held": _l("Next: the results are posted publicly at the village and the commune "
                       "office."),
    "posted": _l("Next: when the posting ends, the commune chair decides."),
}  # fmt: skip
PAPER_DATE_ERROR = _l("Enter the date on the paper form: today or earlier, within the last year.")
# Who read or changed the file, as the applicant sees it: roles (ROLES), never names.
READ_ACTIONS = frozenset({"read", "print_certificate"})
READ = _l("read the file")
CHANGED = _l("changed the file")
STEP_TITLES = {
    "place": _l("Where the household lives"),
    "income": _l("Income"),
    "housing": _l("Housing"),
    "water": _l("Water and sanitation"),
    "information": _l("Information and environment"),
    "livelihood": _l("Main livelihood"),
}
STEP_HINTS = {
    "income": _l("Add up what every member earned: wages, sales of crops and livestock, "
                 "business, pensions and allowances, money sent home, after production costs."),
    "housing": _l("The house the household lives in. The reviewer will check it when visiting."),
}  # fmt: skip
QUESTION_HINTS = {
    "birth_date": _l("If you do not know the day, choose the first day of the month."),
    "employment": _l("From 15 years old."),
    "in_school": _l("Including kindergarten, from 3 years old."),
    "education_level": _l("The highest level finished."),
    "in_training": _l("From 15 years old."),
    "malnourished": _l("Only for children under 16, as the health station noted."),
    "housing.floor_area_m2": _l("All rooms people live in, every floor, e.g. 36 or 24,5."),
}
APPLICANT_LABELS = {
    "full_name": _l("Full name"),
    "citizen_id": _l("Personal ID number (citizen ID card, 12 digits)"),
    "phone": _l("Phone number"),
}
APPLICANT_ERRORS = {
    "full_name": _l("Enter the full name in letters, e.g. Nguyễn Thị Lan."),
    "citizen_id": _l("The personal ID number has 12 digits."),
    "phone": _l("Enter a Vietnamese phone number, e.g. 0912 345 678."),
    "consent": _l("Tick the box to agree before sending."),
}


@dataclass
class Place:
    """Where the household lives, the kind of request and the number of members."""

    kind: str = "enter"
    commune: dict[str, Any] | None = None
    villages: list[dict[str, Any]] = field(default_factory=list)
    village: dict[str, Any] | None = None
    members: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Whether the declaration can start: a commune, its village if it has any, members."""
        return (
            not self.errors
            and self.commune is not None
            and self.members is not None
            and (self.village is not None or not self.villages)
        )

    @property
    def area(self) -> str:
        """Rural or urban, from the village (or the commune): not asked of the resident."""
        unit = self.village or self.commune
        return unit["area"] if unit else "rural"

    def query(self, **extra: Any) -> dict[str, Any]:
        """The place as query arguments of /declare."""
        args = {
            "kind": self.kind,
            "commune": self.commune["code"] if self.commune else None,
            "village": self.village["code"] if self.village else None,
            "people": self.members,
            **extra,
        }
        return {name: value for name, value in args.items() if value is not None}


def lang() -> str:
    """The page's language, vi or en."""
    return str(get_locale() or "vi")


def read_place(values: Mapping[str, str], *, strict: bool) -> Place:
    """The place chosen in a form; ``strict`` when every part must be there."""
    province = current_app.config["PROVINCE_CODE"]
    place = Place(kind=values.get("kind") if values.get("kind") in KINDS else "enter")
    code = (values.get("commune") or "").strip()
    if code:
        try:
            province_commune(province, code)
        except NotFound:
            place.errors["commune"] = _("Choose the commune, ward or special zone from the list.")
        else:
            place.commune = next(
                u for u in commune_units(db.session, province) if u["code"] == code
            )
            place.villages = village_units(db.session, province, code)
    elif strict or "commune" in values:
        place.errors["commune"] = _("Choose the commune, ward or special zone from the list.")
    village_code = (values.get("village") or "").strip()
    if place.villages:
        place.village = next((v for v in place.villages if v["code"] == village_code), None)
        if place.village is None and (village_code or "village" in values):
            place.errors["village"] = _("Choose the village or residential group.")
    people = values.get("people")
    place.members = portal_form.member_count(people)
    if place.members is None and (strict or people is not None):
        place.errors["people"] = _(
            "Enter the number of people, from 1 to %(max)d.", max=MAX_MEMBERS
        )
    return place


def communes_sorted() -> list[dict[str, Any]]:
    """The province's communes in alphabetical order, ignoring accents (Đ as D)."""

    def key(unit: dict[str, Any]) -> str:
        name = unit["name"].replace("Đ", "D").replace("đ", "d")
        stripped = "".join(
            c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c)
        )
        return stripped.casefold()

    return sorted(commune_units(db.session, current_app.config["PROVINCE_CODE"]), key=key)


def current_period() -> int:
    """The node's current review period."""
    return node_context().today.year


def declaration_setup() -> dict[str, Any]:
    """What the declaration asks this period, for the templates and for the browser script."""
    period = current_period()
    standards = portal_form.standards_for(period)
    # What the standards need, then the optional main livelihood (the average-livelihood list).
    steps = (*portal_form.asked_facts(standards), *portal_form.OPTIONAL_STEPS)
    return {
        "period": period,
        "standards": standards,
        "household_steps": steps,
        "browser": {
            "period": period,
            "standardIds": [standard.id for standard in standards],
            "standardUrls": [url_for("portal_assets.standard", name=s.id) for s in standards],
            "catalogUrl": url_for("portal_assets.standard", name="facts"),
            "memberQuestions": [question.to_json() for question in MEMBER_QUESTIONS],
            "householdFields": [
                {"name": path, "type": facts_catalog()["fields"][path]["type"]}
                for _, paths in steps
                for path in paths
            ],
            "maxMembers": MAX_MEMBERS,
            "unitsUrl": url_for("units.Units"),
            "submitUrl": url_for("applications.Applications"),
            "receiptUrl": url_for("portal.receipt"),
        },
    }


def facts_from(form: Mapping[str, str], place: Place, setup: dict[str, Any]) -> dict[str, Any]:
    """The household facts of a submitted declaration form."""
    return portal_form.form_to_facts(
        form,
        members=place.members or 0,
        asked=setup["household_steps"],
        period=setup["period"],
        area=place.area,
        reference_date=node_context().today,
    )


def declaration_fields(form: Mapping[str, str]) -> list[tuple[str, str]]:
    """The declaration's own fields of a form, to carry them to the next page as hidden inputs."""
    skip = {"csrf_token", "action", "consent", "paper_dated_on", IDEMPOTENCY_FIELD,
            *APPLICANT_FIELDS}  # fmt: skip
    return [(name, value) for name, value in form.items(multi=True) if name not in skip]


def error_summary(errors: Mapping[str, str]) -> list[tuple[str, str]]:
    """The error summary's links: each input's id and "its label: the message"."""
    catalog = facts_catalog()
    labels: dict[str, Any] = {
        "commune": _("Commune, ward or special zone"),
        "village": _("Village or residential group"),
        "members": catalog["fields"]["members"]["label"][lang()],
        "people": _("Number of people in the household"),
        "income": STEP_TITLES["income"],
        "consent": _("Consent to personal data processing"),
        "tracking_code": _("Tracking code"),
        "proof": _("Phone number or ID number"),
        **APPLICANT_LABELS,
    }
    items = []
    for name, message in errors.items():
        parts = name.split(".")
        if parts[0] == "members" and len(parts) == 3 and parts[1].isdigit():
            spec = catalog["member_fields"].get(parts[2])
            question = spec["label"][lang()] if spec else parts[2]
            label = _("Member %(number)s", number=int(parts[1]) + 1) + " – " + question
        elif name in catalog["fields"] and name != "members":
            label = catalog["fields"][name]["label"][lang()]
        else:
            label = labels.get(name, name)
        items.append((portal_form.input_id(name), f"{label}: {message}"))
    return items


# Where the declaration's pages post to: the resident portal, or the officials' paper intake
# (node.web.officials_paper), which renders the same pages in the officials' layout.
PORTAL_ENDPOINTS = {
    "declare": "portal.declare",
    "declare_post": "portal.declare_post",
    "submit": "portal.declare_submit",
}
PAPER_ENDPOINTS = {
    "declare": "officials.paper",
    "declare_post": "officials.paper_post",
    "submit": "officials.paper_submit",
}


def intake_context() -> dict[str, Any]:
    """The layout, the endpoints and the paper intake's details (``g.paper_intake``: the
    officer's commune, set by node.web.officials_paper) of the declaration's pages."""
    paper = g.get("paper_intake")
    if paper is None:
        return {"layout": "portal/layout.html", "paper": None, "endpoints": PORTAL_ENDPOINTS}
    return {"layout": "officials/paper_layout.html", "paper": paper, "endpoints": PAPER_ENDPOINTS}


def render_declaration(
    place: Place,
    form: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    notice: str | None = None,
) -> tuple[str, int]:
    """The declaration page: the place step, then (once it is chosen) every step of the form."""
    setup = declaration_setup()
    show_form = place.complete and request.args.get("edit") != "place"
    intake = intake_context()
    paper = intake["paper"]
    return (
        render_template(
            "portal/declare.html",
            place=place,
            summary=error_summary({**place.errors, **(errors or {})}),
            communes=[
                unit for unit in communes_sorted() if not paper or unit["code"] == paper["commune"]
            ],
            show_form=show_form,
            values=form or {},
            errors=errors or {},
            notice=notice,
            setup=setup,
            catalog=facts_catalog(),
            lang=lang(),
            member_questions=MEMBER_QUESTIONS,
            titles=STEP_TITLES,
            step_hints=STEP_HINTS,
            hints=QUESTION_HINTS,
            kind_titles=KIND_TITLES,
            kind_forms=KIND_FORMS,
            input_id=portal_form.input_id,
            max_members=MAX_MEMBERS,
            applicant_labels=APPLICANT_LABELS,
            consent_text={"points": consent_points(lang()), "text": consent_text(lang())},
            classifications=CLASSIFICATIONS,
            applicant_errors=APPLICANT_ERRORS,
            **intake,
        ),
        status,
    )


def render_assessment(
    place: Place,
    form: Mapping[str, str],
    results: list[dict[str, Any]],
    errors: dict[str, str] | None = None,
    status: int = 200,
    notice: str | None = None,
    key: str | None = None,
) -> tuple[str, int]:
    """The self-assessment, with the applicant's details and the consent to submit it."""
    setup = declaration_setup()
    return (
        render_template(
            "portal/assessment.html",
            place=place,
            summary=error_summary(errors or {}),
            results=[(result, setup["standards"][i]) for i, result in enumerate(results)],
            fields=declaration_fields(form),
            values=form,
            errors=errors or {},
            notice=notice,
            idempotency_key=key or new_idempotency_key(),
            lang=lang(),
            classifications=CLASSIFICATIONS,
            kind_titles=KIND_TITLES,
            kind_forms=KIND_FORMS,
            applicant_labels=APPLICANT_LABELS,
            consent_text={"points": consent_points(lang()), "text": consent_text(lang())},
            input_id=portal_form.input_id,
            **intake_context(),
        ),
        status,
    )


def new_idempotency_key() -> str:
    """A fresh key for one submission; the page carries it, so a double tap sends it twice."""
    return secrets.token_urlsafe(24)


def valid_idempotency_key(value: str | None) -> str | None:
    """The key a form carried, if it is one this page could have made."""
    value = (value or "").strip()
    return value if 8 <= len(value) <= 100 and value.isascii() and value.isprintable() else None


@bp.before_request
def no_proof_in_urls() -> Response | None:
    """A query string naming a tracking code or a proof is never read: a visit goes to the
    same page without it, anything else is refused."""
    if not proof_in_query():
        return None
    if request.method != "GET":
        abort(400)
    kept = [
        (name, value)
        for name, value in request.args.items(multi=True)
        if name.strip().lower() not in PROOF_PARAMETERS
    ]
    query = f"?{urlencode(kept)}" if kept else ""
    return redirect(f"{request.script_root}{request.path}{query}", 303)


@bp.get("/declare")
@public
def declare() -> tuple[str, int]:
    """The declaration: first where the household lives and how many people, then the form."""
    started = any(name in request.args for name in ("commune", "people"))
    place = read_place(request.args, strict=started)
    return render_declaration(place, status=422 if place.errors else 200)


@bp.post("/declare")
def declare_post() -> tuple[str, int] | Response:
    """Check the declaration and show the self-assessment, or the form again with the errors."""
    place = read_place(request.form, strict=True)
    if not place.complete:
        return redirect(url_for(intake_context()["endpoints"]["declare"], **place.query()), 303)
    setup = declaration_setup()
    facts = facts_from(request.form, place, setup)
    if request.form.get("action") == "edit":
        return render_declaration(place, request.form)
    results, codes = portal_form.assess(facts, setup["standards"])
    if codes:
        errors = portal_form.error_messages(codes, lang())
        return render_declaration(place, request.form, errors, 422)
    return render_assessment(place, request.form, results)


@bp.get("/declare/submit")
@public
def declare_submit_get() -> Response:
    """A submission is POSTed; a visit (e.g. a language switch) goes back to the form."""
    return redirect(url_for("portal.declare"), 303)


@bp.post("/declare/submit")
def declare_submit() -> tuple[str, int] | Response:
    """Submit the application with the hidden idempotency key; show the receipt."""
    place = read_place(request.form, strict=True)
    if not place.complete:
        return redirect(url_for(intake_context()["endpoints"]["declare"], **place.query()), 303)
    setup = declaration_setup()
    facts = facts_from(request.form, place, setup)
    results, codes = portal_form.assess(facts, setup["standards"])
    if codes:
        errors = portal_form.error_messages(codes, lang())
        return render_declaration(place, request.form, errors, 422)

    body, errors = application_request(place, facts)
    key = valid_idempotency_key(request.form.get(IDEMPOTENCY_FIELD))
    if errors:
        return render_assessment(place, request.form, results, errors, 422, key=key)
    if key is None:
        notice = _("Please check the details and press Send again.")
        return render_assessment(place, request.form, results, notice=notice, status=422)
    try:
        # A commune officer signed in who fills the form is taking in a paper form on the
        # resident's behalf: recorded as proxy filing, with who filed it.
        official = current_official()
        if official is not None and official.role == COMMUNE_OFFICER:
            channel, actor = "paper", Actor(official.role, official.user_id)
        else:
            channel, actor = "portal", RESIDENT
        submission = submit_application(
            db.session, body, key, node_context(), channel=channel, actor=actor
        )
        db.session.commit()
    except IdempotencyKeyReused:
        db.session.rollback()
        notice = _("The details changed after the first press: check them and press Send again.")
        return render_assessment(place, request.form, results, notice=notice, status=422)
    except ValidationFailed as error:
        db.session.rollback()
        return submission_refused(place, results, error)
    phone = body["applicant"]["phone"]
    application = find_application(db.session, submission.body["tracking_code"], phone=phone)
    return render_receipt(application, phone, just_submitted=True)


def application_request(
    place: Place, facts: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The body of an application as the JSON API takes it, loaded by the API's own schema."""
    form = request.form
    applicant = {
        name: form.get(name, "").strip() for name in APPLICANT_FIELDS if form.get(name, "").strip()
    }
    raw = {
        "commune_code": place.commune["code"] if place.commune else "",
        "village_code": place.village["code"] if place.village else None,
        "kind": place.kind,
        "applicant": applicant,
        "household": facts,
        "consent": form.get("consent") == "yes",
    }
    if g.get("paper_intake") is not None:
        raw["paper_dated_on"] = form.get("paper_dated_on", "").strip() or None
    try:
        return ApplicationRequestSchema().load(raw), {}
    except ma.ValidationError as error:
        return {}, applicant_errors(error.messages, applicant)


def applicant_errors(messages: Mapping[str, Any], given: Mapping[str, str]) -> dict[str, str]:
    """The schema's complaints about the applicant and the consent, in the page's language."""
    required = facts_catalog()["errors"]["required"][lang()]
    errors: dict[str, str] = {}
    for name in APPLICANT_FIELDS:
        if name in (messages.get("applicant") or {}):
            errors[name] = str(APPLICANT_ERRORS[name]) if name in given else required
    if "applicant" in messages and not isinstance(messages["applicant"], Mapping):
        errors.update(dict.fromkeys(APPLICANT_FIELDS, required))
    if "consent" in messages:
        errors["consent"] = str(APPLICANT_ERRORS["consent"])
    if "paper_dated_on" in messages:
        errors["paper_dated_on"] = str(PAPER_DATE_ERROR)
    return errors


def submission_refused(
    place: Place, results: list[dict[str, Any]], error: ValidationFailed
) -> tuple[str, int]:
    """The service refused the submission: show where, in the resident's words."""
    if "paper_dated_on" in error.fields:
        errors = {"paper_dated_on": str(PAPER_DATE_ERROR)}
        return render_assessment(place, request.form, results, errors, 422)
    if any(path.startswith("household.") for path in error.fields):
        notice = _("The declaration could not be accepted: check it and try again.")
        return render_declaration(place, request.form, notice=notice, status=422)
    notice = _("The commune or village is not one this province's service covers. Choose it again.")
    return render_declaration(Place(kind=place.kind), request.form, notice=notice, status=422)


def render_receipt(
    application: Any, proof: str, *, just_submitted: bool = False
) -> tuple[str, int]:
    """The printable receipt of an application; its "Track" button posts the code and
    ``proof`` to the status page (never a link with the code in it)."""
    view = status_view(application)
    return (
        render_template(
            "portal/receipt.html",
            view=view,
            proof_value=proof,
            **application_page_context(application, view),
            just_submitted=just_submitted,
        ),
        200,
    )


def application_page_context(application: Any, view: dict[str, Any]) -> dict[str, Any]:
    """What the receipt and the status page show of an application."""
    province = current_app.config["PROVINCE_CODE"]
    commune = province_commune(province, view["commune_code"])
    return {
        "code": display_tracking_code(view["tracking_code"]),
        "submitted": format_datetime(datetime.fromisoformat(view["submitted_at"]), "dd/MM/yyyy"),
        "commune": commune.name,
        "village": (village_unit(db.session, application.village_id) or {}).get("name"),
        "kind_form": KIND_FORMS[view["kind"]],
        "classification": CLASSIFICATIONS[view["assessment"]["classification"]],
        "assessment": view["assessment"],
        "lang": lang(),
        "statuses": STATUSES,
        "outcomes": OUTCOMES,
        "history": [
            (
                format_datetime(datetime.fromisoformat(step["at"]), "dd/MM/yyyy HH:mm"),
                ACTIONS.get(step["action"], STATUSES.get(step["status"], step["status"])),
            )
            for step in view["history"]
        ],
    }


def read_proof(values: Mapping[str, str]) -> tuple[str, dict[str, str], dict[str, str]]:
    """The tracking code and the phone or ID number from a lookup form, and errors per field."""
    code = (values.get("tracking_code") or "").strip()
    proof_text = (values.get("proof") or "").strip()
    errors = {}
    required = facts_catalog()["errors"]["required"][lang()]
    if not code:
        errors["tracking_code"] = required
    if not proof_text:
        errors["proof"] = required
        return code, {}, errors
    digits = "".join(ch for ch in proof_text if ch.isdigit())
    proof_field = "citizen_id" if len(digits) == 12 else "phone"
    try:
        proof = ApplicantProofSchema().load({proof_field: proof_text})
    except ma.ValidationError:
        errors["proof"] = _("Enter the phone number or the 12-digit ID number given when applying.")
        return code, {}, errors
    return code, proof, errors


def render_lookup(
    values: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The status lookup form."""
    return (
        render_template(
            "portal/status.html",
            view=None,
            values=values or {},
            errors=errors or {},
            summary=error_summary(errors or {}),
            notice=notice,
            input_id=portal_form.input_id,
        ),
        status,
    )


NOT_FOUND = _l(
    "No application matches this tracking code and phone or ID number. Check both and try again."
)


class LookupFailed(Exception):
    """A lookup form named no application this person may see; ``page`` says so."""

    def __init__(self, page: tuple[str, int] | tuple[str, int, dict[str, str]]) -> None:
        super().__init__("lookup failed")
        self.page = page


def looked_up(values: Mapping[str, str]) -> tuple[Any, dict[str, str]]:
    """The application a lookup form names, with its proof; raises LookupFailed.

    A wrong code and a wrong phone get the same words, so nothing tells which codes exist;
    each try counts towards the limit on guessing, which the page then names (429, without
    the proof typed).
    """
    code, proof, errors = read_proof(values)
    if errors:
        raise LookupFailed(render_lookup(values, errors, status=422))
    try:
        return find_for_applicant(code, proof), proof
    except NotFound:
        raise LookupFailed(render_lookup(values, notice=str(NOT_FOUND), status=404)) from None
    except TooManyAttempts as refused:
        db.session.rollback()
        notice = _(
            "Too many wrong tries, with this tracking code or from this connection. Please "
            "try again in %(minutes)s minutes.",
            minutes=math.ceil(refused.retry_after / 60),
        )
        page, status = render_lookup({"tracking_code": code}, notice=notice, status=429)
        raise LookupFailed((page, status, refused.headers())) from None


def render_status(
    application: Any,
    proof: dict[str, str],
    values: Mapping[str, str],
    notice: str | None = None,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> tuple[str, int]:
    """The application's status, its next step and that step's dates, history, who (by role)
    read or changed the file, the applicant's requests about their data with the answers, and,
    while it may be withdrawn, the withdraw button."""
    view = status_view(application)
    moment = "dd/MM/yyyy HH:mm"
    accesses = [
        (
            format_datetime(datetime.fromisoformat(entry["at"]), moment),
            ROLES.get(entry["role"], entry["role"]),
            READ if entry["action"] in READ_ACTIONS else ACTIONS.get(entry["action"], CHANGED),
        )
        for entry in access_log(db.session, application)
    ]
    return (
        render_template(
            "portal/status.html",
            view=view,
            values=values,
            proof_value=values.get("proof", ""),
            errors=errors or {},
            data_requests=requests_of(db.session, application),
            notice=notice,
            can_withdraw=view["status"] == "submitted",
            input_id=portal_form.input_id,
            next_step=next_step(db.session, application),
            next_steps=NEXT_STEPS,
            accesses=accesses,
            **application_page_context(application, view),
        ),
        status,
    )


@bp.get("/status")
def status() -> tuple[str, int]:
    """The form to follow an application."""
    return render_lookup()


@bp.post("/status")
def status_post() -> tuple[str, int]:
    """The status of the application the code and phone (or ID number) name."""
    application, proof = looked_up(request.form)
    return render_status(application, proof, request.form)


@bp.get("/receipt")
@bp.get("/status/withdraw")
def lookup_again() -> Response:
    """These pages answer a POST; a visit goes to the lookup form."""
    return redirect(url_for("portal.status"), 303)


@bp.post("/receipt")
def receipt() -> tuple[str, int]:
    """The receipt again (after a submission from the browser script): code and phone posted."""
    application, _proof = looked_up(request.form)
    return render_receipt(application, request.form.get("proof", ""))


@bp.post("/status/withdraw")
def withdraw() -> tuple[str, int]:
    """Ask to confirm, then withdraw the application (only while it is still `submitted`)."""
    application, proof = looked_up(request.form)
    if request.form.get("confirm") != "yes":
        view = status_view(application)
        return (
            render_template(
                "portal/withdraw.html",
                values=request.form,
                **application_page_context(application, view),
            ),
            200,
        )
    try:
        withdraw_application(db.session, application, node_context())
        db.session.commit()
    except Conflict:
        db.session.rollback()
        if application.status == "withdrawn":
            notice = _("This application had already been withdrawn.")
        else:
            notice = _(
                "This application can no longer be withdrawn online: the commune has started "
                "the review. Please contact the commune People's Committee."
            )
        return render_status(application, proof, request.form, notice, 409)
    return render_status(application, proof, request.form, _("The application was withdrawn."))


@bp.errorhandler(LookupFailed)
def lookup_failed(error: LookupFailed) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The lookup form again, with why the application was not shown."""
    return error.page


@bp.errorhandler(CSRFError)
def session_expired(error: CSRFError) -> tuple[str, int]:
    """A form posted without a valid token (an old page, an expired session): nothing is done,
    the resident gets the same page back with what they typed and a fresh token."""
    try:
        return _page_again(
            _(
                "Your session had expired, so nothing was sent. Check the page and press the "
                "button again."
            )
        )
    except OperationalError:
        # The page needs the database, which is down too: the answers ride along in the 503
        # page instead (an error handler's own errors would reach no other handler).
        db.session.close()
        return unavailable_page(database_unavailable())


def _page_again(notice: str) -> tuple[str, int]:
    """The page the resident posted from, with what they typed and ``notice``."""
    if request.endpoint in ("portal.declare_post", "portal.declare_submit"):
        place = read_place(request.form, strict=True)
        if place.complete and request.endpoint == "portal.declare_submit":
            setup = declaration_setup()
            results, codes = portal_form.assess(
                facts_from(request.form, place, setup), setup["standards"]
            )
            if not codes:
                key = valid_idempotency_key(request.form.get(IDEMPOTENCY_FIELD))
                return render_assessment(
                    place, request.form, results, notice=notice, status=400, key=key
                )
        return render_declaration(place, request.form, notice=notice, status=400)
    values = {"tracking_code": request.form.get("tracking_code", "")}
    return render_lookup(values, notice=notice, status=400)


@bp.app_template_global()
def portal_texts() -> dict[str, str]:
    """The words the browser script says on every portal page (queued and sent submissions)."""
    return {
        "queued": _(
            "No connection: the application is saved on this device and will be sent "
            "automatically when the connection returns. You do not need to press Send again."
        ),
        # The connection works but the node could not take it (its database is down, 503).
        "busy": _(
            "The system is busy: the application is saved on this device and will be sent "
            "automatically in a few minutes. You do not need to press Send again."
        ),
        "pending": _(
            "Applications saved on this device, waiting to be sent: %(count)s.", count="{count}"
        ),
        "sendNow": _("Send now"),
        "sent": _("The application was sent. Tracking code: %(code)s.", code="{code}"),
        "viewReceipt": _("View the receipt"),
        "refused": _(
            "The application saved on this device was not accepted. Open the form to check it."
        ),
    }


@bp.app_template_global()
def choices(spec: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """An enum fact's values with their labels in ``lang``, in the catalogue's order."""
    return [(value, spec["options"][value][lang]) for value in spec["values"]]


@bp.app_template_global()
def choice_hints(spec: Mapping[str, Any], lang: str) -> dict[str, str]:
    """An enum fact's short descriptions in ``lang`` (latrine and water types, schooling), by
    value; shown under each option's label, so such a question is never a bare select."""
    options = spec["options"]
    return {
        value: options[value]["hint"][lang] for value in spec["values"] if "hint" in options[value]
    }
