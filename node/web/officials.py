"""The officials' workspace: sign-in, the deadline worklist, the application list, an
application's file and the actions on one application.

Views parse the form, call the same services as the JSON API (node.api.review), commit once,
and redirect; a refused input renders the page again with the message and nothing written. The
batch steps (meeting, posting, decision) and the printed papers are in officials_batches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import marshmallow as ma
import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from node.auth import current_official, log_in, log_out, signed_in
from node.context import VIETNAM, node_context, now
from node.extensions import db
from node.models.applications import CONFIRMATION_KINDS
from node.models.review import DuplicateFlag
from node.models.users import User
from node.schemas import review as schemas
from node.schemas.auth import SignInFormSchema, TotpCodeSchema
from node.services import accounts, actions, review, steps, worksheets
from node.services.annual_report_sending import annual_report_owed
from node.services.calendar import load_calendar
from node.services.certificates import PRINTERS
from node.services.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from node.services.files import application_file
from node.services.monthly_report_sending import report_owed
from node.services.places import area_at
from node.services.scopes import COMMUNE_OFFICER, VILLAGE_HEAD, Official
from node.services.workflow import OPEN_STATUSES, actions_for
from node.services.worklist import worklist
from node.web import form_input
from node.web import officials_forms as words
from node.web.portal_form import (
    MEMBER_QUESTIONS,
    form_to_facts,
    input_id,
    input_name,
    member_count,
)
from shared.standards import facts_catalog
from shared.web.auth import safe_next as shared_safe_next

bp = Blueprint("officials", __name__, url_prefix="/officials")

F = TypeVar("F", bound=Callable[..., Any])
PER_PAGE = 50


def lang() -> str:
    """The page's language, vi or en."""
    return str(get_locale() or "vi")


def official() -> Official:
    """The official signing this request (the page is behind ``signed_in``)."""
    signer = current_official()
    if signer is None:
        abort(401)
    return signer


def commit() -> None:
    """Commit the request's one transaction; a concurrent change to the same row is stale."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion("Someone else changed this application at the same time.") from None


def stale_message() -> str:
    """What an official reads when someone else acted first."""
    return _(
        "Someone else acted on this application after you opened the page. Nothing was "
        "changed. Reload the page to see what they did, then try again if it is still needed."
    )


def conflict_message(error: Conflict) -> str:
    """A refused step in the officials' words."""
    if isinstance(error, StaleVersion):
        return stale_message()
    return _(
        "This step cannot be done now: the application's status does not allow it, or "
        "something must be settled first (the posting period, possible duplicates, the opinion "
        "asked for). Reload the page to see where it stands."
    )


def safe_next(target: str | None) -> str | None:
    """A page of the officials' workspace to return to after sign-in, never another site."""
    return shared_safe_next(target, within=("/officials", "/admin"))


# ------------------------------------------------------------------------------- sign-in


def render_login(
    values: Mapping[str, str],
    error: str | None = None,
    status: int = 200,
    totp: bool = False,
    errors: Mapping[str, str] | None = None,
) -> tuple[str, int]:
    """The sign-in form."""
    return (
        render_template(
            "officials/login.html",
            values=values,
            error=error,
            errors=dict(errors or {}),
            ask_totp=totp,
            next=safe_next(values.get("next")),
        ),
        status,
    )


@bp.get("/login")
def login() -> tuple[str, int] | Response:
    """The sign-in form (an official already signed in goes to the worklist)."""
    if current_official() is not None:
        return redirect(safe_next(request.args.get("next")) or url_for("officials.home"), 303)
    return render_login({"next": request.args.get("next", "")})


@bp.post("/login")
def login_post() -> tuple[str, int] | Response:
    """Check the credentials; the failed-attempt count is committed even when they are wrong."""
    form = request.form
    values = {"username": form.get("username", "").strip(), "next": form.get("next", "")}
    try:
        # The credentials of POST /api/v1/auth/token, and the page to return to.
        credentials = form_input.load(SignInFormSchema(), form_input.everything(form))
    except form_input.FormRefused as error:
        message = _("Enter your username and password.")
        return render_login(values, message, 422, errors=error.fields)
    try:
        user = accounts.authenticate(
            db.session, credentials["username"], credentials["password"],
            credentials["totp"] or None, now=now(),
        )  # fmt: skip
    except accounts.TotpRequired:
        db.session.commit()
        message = _(
            "This account also needs the 6-digit code from the authenticator app on your "
            "phone. Enter the password again and the code."
        )
        return render_login(values, message, 401, totp=True)
    except accounts.AuthenticationFailed as error:
        # The lockout is stored in the database: keep the failure count.
        db.session.commit()
        if "totp" in error.fields:
            message = _("The code is wrong or was already used. Wait for a new code and try again.")
            return render_login(values, message, 401, totp=True)
        # The same words whether the account exists, is disabled or is paused after failures.
        message = _(
            "Wrong username or password. After several wrong tries the account is paused for "
            "15 minutes; if you cannot sign in, ask the province administrator."
        )
        return render_login(values, message, 401)
    log_in(user)
    db.session.commit()
    return redirect(safe_next(form.get("next")) or url_for("officials.home"), 303)


@bp.post("/logout")
def logout() -> Response:
    """End the web session."""
    log_out()
    db.session.commit()
    flash(_("You have signed out."), "success")
    return redirect(url_for("officials.login"), 303)


# ---------------------------------------------------------------------- the official's own


@bp.get("/account")
@signed_in()
def account() -> str:
    """The official's account: the second factor (TOTP) and how to enrol."""
    user = db.session.get(User, official().user_id)
    return render_template("officials/account.html", user=user, qr=None)


@bp.post("/account/totp")
@signed_in()
def account_totp() -> tuple[str, int] | Response:
    """Start the enrolment (a QR for the authenticator app) or confirm it with a code."""
    user = db.session.get(User, official().user_id)
    try:
        data = form_input.load(TotpCodeSchema(), form_input.everything(request.form))
    except form_input.FormRefused as refused:
        qr = _qr(_pending_uri(user)) if user.totp_pending_secret else None
        return render_template(
            "officials/account.html", user=user, qr=qr, errors=refused.fields
        ), 422
    if data["step"] == "confirm":
        try:
            accounts.confirm_totp(db.session, user, data["code"], now=now())
        except ValidationFailed:
            db.session.rollback()
            uri = _pending_uri(user)
            error = _("Wrong code. Enter the 6 digits the app shows now.")
            return render_template(
                "officials/account.html", user=user, qr=_qr(uri), error=error
            ), 422
        db.session.commit()
        flash(_("The second factor is on: from now on, signing in asks for a code."), "success")
        return redirect(url_for("officials.account"), 303)
    try:
        uri = accounts.start_totp_enrolment(db.session, user, proof=data["proof"], now=now())
    except ValidationFailed:
        # A wrong proof counts towards the lock, like a wrong sign-in: keep the count.
        db.session.commit()
        error = _("Enter the code the authenticator app shows now, or your password.")
        return render_template("officials/account.html", user=user, qr=None, error=error), 422
    db.session.commit()
    return render_template("officials/account.html", user=user, qr=_qr(uri)), 200


def _pending_uri(user: User) -> str:
    return accounts.ACCOUNTS.pending_totp_uri(user)


def _qr(text: str) -> str:
    """A QR code as inline SVG (no image request, nothing inline that CSP would block)."""
    return segno.make(text, error="m").svg_inline(scale=4, border=2, title=_("QR code"))


# ------------------------------------------------------------------------------ worklist


@bp.get("/")
@signed_in()
def home() -> str:
    """What is due: overdue first, then by deadline, with the next step of each."""
    signer = official()
    context = node_context()
    after = request.args.get("after") or None
    try:
        page = worklist(db.session, signer, context, after=after)
    except ValidationFailed:
        # An old or edited link: the list from its start.
        after, page = None, worklist(db.session, signer, context)
    items = page.items
    names = worksheets.village_names(
        db.session, {i.application.village_id for i in items if i.application.village_id}
    )
    return render_template(
        "officials/home.html",
        items=items,
        page=page,
        first_page=after is None,
        village_names=names,
        today=context.today,
        takes_paper_forms=signer.role == COMMUNE_OFFICER,
        # The regular review's monthly report, on the commune's worklist until it is sent.
        monthly_due=(
            report_owed(db.session, signer.commune_code, context.today)
            if signer.level == "commune"
            else None
        ),
        # The periodic review's annual report, from the day the review closes until it is sent.
        annual_due=(
            annual_report_owed(db.session, signer.commune_code, context.today)
            if signer.level == "commune"
            else None
        ),
    )


# --------------------------------------------------------------------------- application list


@bp.get("/applications")
@signed_in()
def applications() -> tuple[str, int]:
    """Applications in the official's area with filters and pages (a read, so audited)."""
    args = request.args
    filters: dict[str, Any] = {}
    errors = {}
    if args.get("status") in words.STATUSES:
        filters["status"] = args["status"]
    if args.get("kind") in words.KINDS:
        filters["kind"] = args["kind"]
    villages = worksheets.scope_villages(db.session, official())
    if args.get("village") and args["village"] in {v.code for v in villages}:
        filters["village"] = args["village"]
    if args.get("period"):
        period = words.parse_count(args["period"])
        if period is None or not 2000 <= period <= 2100:
            errors["period"] = _("Enter a year, e.g. 2026.")
        else:
            filters["period"] = period
    filters["overdue"] = args.get("overdue") == "yes"
    # A search never travels in the address (an ID number, a name): it is the POST below.
    query = {k: v for k, v in args.items() if k not in ("page", "after", "before", "q") and v}
    return render_list(filters, args, query=query, errors=errors, villages=villages)


@bp.post("/applications")
@signed_in()
def search_applications() -> tuple[str, int]:
    """The search (tracking code, ID number, words of a name) posted from the list's search
    box, so what was typed stays out of the address bar, the browser's history and the logs;
    its pages are posted the same way."""
    form = request.form
    text = form.get("q", "")
    villages = worksheets.scope_villages(db.session, official())
    return render_list({"q": text}, form, query={}, errors={}, villages=villages, searched=text)


def render_list(
    filters: dict[str, Any],
    args: Mapping[str, str],
    *,
    query: dict[str, str],
    errors: dict[str, str],
    villages: list[Any],
    searched: str | None = None,
) -> tuple[str, int]:
    """One page of the list for these filters (``args`` carries the page and its tokens)."""
    signer = official()
    context = node_context()
    page_number = min(words.parse_count(args.get("page")) or 1, 100_000)
    # Pages after the first go by the key of the row next to them (node.services.paging).
    keys = {name: args[name] for name in ("after", "before") if args.get(name)}
    try:
        page = review.list_applications(
            db.session, signer, context, page=page_number, per_page=PER_PAGE, **filters, **keys
        )
    except ValidationFailed as refused:
        if "q" in refused.fields:
            errors["q"] = words.search_message(refused.fields["q"])
            filters = {}
        # An old or edited link: the list from its first page (without a refused search).
        page = review.list_applications(
            db.session, signer, context, page=1, per_page=PER_PAGE, **filters
        )
    names = worksheets.village_names(db.session, {a.village_id for a in page.items if a.village_id})
    pages = max(1, -(-page.total // page.per_page)) if page.total_exact else None
    # Rendered before the commit, which expires the rows (rendering after it reloaded each one).
    html = render_template(
        "officials/list.html",
        page=page,
        pages=pages,
        query=query,
        filters=filters,
        errors=errors,
        villages=villages,
        village_names=names,
        today=context.today,
        searched=searched,
    )
    db.session.commit()  # the audit entry of this read
    return html, 422 if errors else 200


# ------------------------------------------------------------------------- application file


def render_file(
    application_id: int,
    *,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
    form: str | None = None,
) -> tuple[str, int]:
    """An application's whole file with the actions the official may take now."""
    signer = official()
    context = node_context()
    application = review.read_application(db.session, signer, application_id, context)
    db.session.commit()  # the audit entry of this read of personal data
    record = application_file(db.session, signer, application, context)
    verification = record["verification"]
    calendar = load_calendar(db.session)
    due = application.due_on
    other_records = {
        flag["id"]: worksheets.household_application_id(db.session, flag["other_household_id"])
        for flag in record["duplicates"]
        if flag["other_household_id"]
    }
    village = worksheets.village_of(db.session, application)
    return (
        render_template(
            "officials/file.html",
            record=record,
            application=application,
            village=village,
            days_left=calendar.working_days_between(context.today, due) if due else None,
            assessments=words.assessment_comparison(
                record["self_assessment"],
                verification["assessment"] if verification else None,
                application.period,
                lang(),
            ),
            facts=words.facts_comparison(
                record["declared_facts"], verification["facts"] if verification else None, lang()
            ),
            reviewers=worksheets.reviewers_for(db.session, application)
            if signer.role == COMMUNE_OFFICER
            else [],
            actions=page_actions(signer, record),
            other_records=other_records,
            district_opinion=context.rules.district_opinion_required,
            errors=dict(errors or {}),
            notice=notice,
            open_form=form,
            today=context.today,
            lang=lang(),
        ),
        status,
    )


def page_actions(signer: Official, record: Mapping[str, Any]) -> set[str]:
    """The forms and links the file page offers: the actions the policy allows the official
    now (node.services.workflow), and the certificate to print when there is one."""
    actions = set(record["allowed_actions"])
    if record["certificate"] and signer.role in PRINTERS:
        actions.add("certificate")
    return actions


@bp.get("/applications/<int:application_id>")
@signed_in()
def application(application_id: int) -> tuple[str, int]:
    """One application's file (404 outside the official's area)."""
    return render_file(application_id)


def act(
    application_id: int,
    form: str,
    schema: ma.Schema,
    done: str,
    run: Callable[[Official, Any, dict[str, Any]], object] | None = None,
):
    """One action on an application from its file page: the form loads through the action's
    schema (the API's), the action runs as the API runs it (node.services.actions), one
    commit. Refused input or a conflict renders the file again, nothing written."""
    signer = official()
    context = node_context()
    application = steps.scoped_application(db.session, signer, application_id)
    try:
        data = form_input.load(schema, form_input.everything(request.form, dates=DATES))
        if run is None:
            actions.take_action(db.session, signer, application, form, data, context)
        else:
            run(signer, application, data)
        commit()
    except form_input.FormRefused as error:
        return render_file(application_id, errors=error.fields, status=422, form=form)
    except ValidationFailed as error:
        db.session.rollback()
        return render_file(
            application_id, errors=words.field_messages(error.fields), status=422, form=form
        )
    except Conflict as error:
        db.session.rollback()
        return render_file(application_id, notice=conflict_message(error), status=409)
    flash(done, "success")
    return redirect(url_for("officials.application", application_id=application_id), 303)


# The dates the officials' forms ask; typed as dd/mm/yyyy where the browser has no date input.
DATES = ("received_on", "held_on", "starts_on", "ends_on", "decided_on", "closes_on", "day")


@bp.post("/applications/<int:application_id>/start-review")
@signed_in(COMMUNE_OFFICER)
def start_review(application_id: int):
    """Take the application into review (its deadline starts) and assign the village head."""
    return act(
        application_id, "start_review", schemas.StartReviewSchema(), _("The review has started.")
    )


@bp.post("/applications/<int:application_id>/assign")
@signed_in(COMMUNE_OFFICER)
def assign(application_id: int):
    """Assign (or change) the village head who verifies the household."""
    return act(
        application_id, "assign", schemas.AssignSchema(), _("The village head was assigned.")
    )


@bp.post("/applications/<int:application_id>/complaint")
@signed_in(COMMUNE_OFFICER)
def complaint(application_id: int):
    """A complaint received during the posting: the household goes back to verification."""
    return act(
        application_id, "complaint", schemas.ComplaintSchema(),
        _("The complaint was recorded; the household goes back to verification."),
    )  # fmt: skip


@bp.post("/applications/<int:application_id>/district-opinion")
@signed_in(COMMUNE_OFFICER)
def district_opinion(application_id: int):
    """The opinion some provinces still ask before the chair decides."""
    return act(
        application_id, "district_opinion", schemas.DistrictOpinionSchema(),
        _("The opinion was recorded."),
    )  # fmt: skip


@bp.post("/applications/<int:application_id>/withdraw")
@signed_in(COMMUNE_OFFICER)
def withdraw(application_id: int):
    """Withdraw on the resident's request, made in writing or in person at the commune."""

    def run(signer: Official, application: Any, data: dict[str, Any]) -> None:
        data.pop("confirm")
        actions.take_action(db.session, signer, application, "withdraw", data, node_context())

    return act(
        application_id, "withdraw", schemas.WithdrawFormSchema(),
        _("The application was withdrawn."), run,
    )  # fmt: skip


@bp.post("/applications/<int:application_id>/duplicates/<int:flag_id>")
@signed_in(COMMUNE_OFFICER)
def resolve_duplicate(application_id: int, flag_id: int):
    """Settle a possible duplicate: merge, withdraw this application, or different people."""

    def run(signer: Official, application: Any, data: dict[str, Any]) -> None:
        flag = db.session.get(DuplicateFlag, flag_id)
        if flag is None or flag.application_id != application.id:
            raise NotFound("No such flag.")
        actions.settle_duplicate(db.session, signer, flag_id, data, node_context())

    return act(
        application_id, "resolve_duplicate", schemas.ResolveDuplicateSchema(),
        _("The possible duplicate was settled."), run,
    )  # fmt: skip


# --------------------------------------------------------------------------- verification


def render_verification(
    application: Any,
    values: Mapping[str, str],
    members: int,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
    notice: str | None = None,
) -> tuple[str, int]:
    """The village head's verification form (Phiếu B), phone-sized; ``errors`` are named as
    the API names them (``facts.members.0.birth_date``) and shown beside their inputs."""
    catalog = facts_catalog()
    summary = []
    shown = {}
    for path, message in (errors or {}).items():
        name = input_name(path.removeprefix("facts.")) if path.startswith("facts.") else path
        shown[name] = message
        summary.append((input_id(name), message, path))
    return (
        render_template(
            "officials/verify.html",
            application=application,
            village=worksheets.village_of(db.session, application),
            values=values,
            members=members,
            errors=shown,
            summary=summary,
            notice=notice,
            catalog=catalog,
            lang=lang(),
            member_questions=MEMBER_QUESTIONS,
            household_steps=words.verification_steps(application.period),
            input_id=input_id,
            max_members=catalog["max_members"],
        ),
        status,
    )


def _verification_start(application: Any) -> tuple[dict[str, str], int]:
    """The form's first values: the last verification, else what the resident declared."""
    last = steps.latest_verification(db.session, application)
    if last is not None:
        values = words.facts_to_form(last.facts)
        values.update(words.identities_to_form(last.identities))
        values["address"] = last.head_address or ""
        return values, len(last.facts["members"])
    facts = application.declared_facts or {}
    values = words.facts_to_form(facts)
    members = facts.get("members") or [{}]
    for index, member in enumerate(members):
        if member.get("relation") == "head":
            values[f"identities.{index}.full_name"] = application.applicant_name
            values[f"identities.{index}.citizen_id"] = application.applicant_citizen_id
    return values, len(members)


@bp.get("/applications/<int:application_id>/verify")
@signed_in(VILLAGE_HEAD, COMMUNE_OFFICER)
def verify(application_id: int) -> tuple[str, int]:
    """The verification form, filled with what is on file; ``people`` changes the members."""
    signer = official()
    context = node_context()
    application = review.read_application(db.session, signer, application_id, context)
    db.session.commit()
    if "verify" not in actions_for(db.session, signer, application, context):
        return render_file(
            application_id, notice=_("This application is not waiting for verification."),
            status=409,
        )  # fmt: skip
    values, members = _verification_start(application)
    wanted = member_count(request.args.get("people"))
    return render_verification(application, values, wanted or members)


@bp.post("/applications/<int:application_id>/verify")
@signed_in(VILLAGE_HEAD, COMMUNE_OFFICER)
def verify_post(application_id: int):
    """Record the verified facts: the form becomes the API's verify body (the facts read as
    the resident's form reads them) and loads through its schema, which has the engine name
    any wrong answer in the page's language."""
    signer = official()
    context = node_context()
    application = steps.scoped_application(db.session, signer, application_id)
    form = request.form
    members = member_count(form.get("people"))
    if members is None:
        abort(400)
    try:
        data = form_input.load(schemas.VerifySchema(), _verification_body(application, members))
        actions.take_action(db.session, signer, application, "verify", data, context)
        commit()
    except form_input.FormRefused as error:
        return render_verification(application, form, members, error.fields, 422)
    except ValidationFailed as error:
        db.session.rollback()
        return render_verification(application, form, members,
                                   words.field_messages(error.fields), 422)  # fmt: skip
    except Conflict as error:
        db.session.rollback()
        return render_verification(
            application, form, members, notice=conflict_message(error), status=409
        )
    flash(_("The verification was recorded. The official assessment is shown below."), "success")
    return redirect(url_for("officials.application", application_id=application_id), 303)


def _verification_body(application: Any, members: int) -> dict[str, Any]:
    """The verification form as the API's verify body."""
    form = request.form
    # The units decide the area (the service puts it in again), never the declared facts.
    area = area_at(db.session, application.commune_code, application.village_id)
    facts = form_to_facts(
        form,
        members=members,
        asked=words.verification_steps(application.period),
        period=application.period,
        area=area,
        reference_date=node_context().today,
    )
    found = {"facts": facts, "identities": words.identities_from_form(form, members)}
    return {**found, **form_input.body(form, ("address", "version"))}


# ------------------------------------------------------------------------------- errors


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError) -> tuple[str, int]:
    """A form without a valid token (an old page, a session that ended): nothing was done."""
    return render_template("officials/expired.html"), 400


@bp.app_template_global()
def official_words() -> dict[str, Any]:
    """The labels every officials' page uses."""
    return {
        "statuses": words.STATUSES,
        "open_statuses": OPEN_STATUSES,
        "kinds": words.KINDS,
        "channels": words.CHANNELS,
        "classifications": words.CLASSIFICATIONS,
        "outcomes": words.OUTCOMES,
        "roles": words.ROLES,
        "next_steps": words.NEXT_STEPS,
        "next_step": words.next_step,
        "confirmation_kinds": CONFIRMATION_KINDS,
        "household_refusals": words.HOUSEHOLD_REFUSALS,
        "history": words.HISTORY,
        "resolutions": words.RESOLUTIONS,
    }


@bp.app_template_filter("dmy")
def dmy(value: Any) -> str:
    """A date (or ISO date text) as dd/mm/yyyy, the way Vietnamese papers write it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        # Moments are stored in UTC (SQLite hands them back naive); shown in Vietnam's time.
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


@bp.app_template_global()
def signer() -> Official | None:
    """The signed-in official, for the navigation."""
    return current_official()


@bp.app_template_global()
def officials_config() -> dict[str, Any]:
    """Settings the pages show: posting length, whether the district opinion is asked."""
    return {
        "posting_days": current_app.config["POSTING_WORKING_DAYS"],
        "confirmation_posting_days": current_app.config["CONFIRMATION_POSTING_WORKING_DAYS"],
        "district_opinion": current_app.config["DISTRICT_OPINION_REQUIRED"],
    }
