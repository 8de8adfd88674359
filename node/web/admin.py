"""The province admin's screens: officials' accounts, villages (CSV import), the communes'
resident household counts, the holidays of the working-day calendar, the year close and the
audit log.

Every form loads through its schema in node.schemas.admin (the input layer the API uses too):
bad input is named field by field in the page's language, never cut short.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from node.auth import signed_in
from node.context import node_context
from node.extensions import db
from node.schemas import admin as schemas
from node.services import admin, closing, days_off, procedure
from node.services.errors import Conflict, ValidationFailed
from node.services.scopes import PROVINCE_ADMIN, ROLE_LEVEL, ROLES, Official
from node.web import form_input
from node.web import officials_forms as words
from node.web.officials import commit, lang, official
from shared import units

bp = Blueprint("admin", __name__, url_prefix="/admin")

USER_MESSAGES = {
    "username": _l("3 to 64 characters: letters a-z, digits, '.', '_', '@' or '-'; not a "
                   "username already taken."),
    "password": _l("At least 10 characters, not only digits, and not the username."),
    "role": _l("Choose a role."),
    "unit_codes": _l("Give the units the role needs: none for a provincial role, one commune "
                     "code (5 digits) for a commune role, villages of one commune (e.g. "
                     "00070-001) for a village head."),
    "full_name": _l("At most 200 characters."),
    "user": _l("You cannot disable your own account."),
}  # fmt: skip
VILLAGE_MESSAGES = {
    "required": _l("Enter the village's name."),
    "too_long": _l("At most 200 characters."),
    "duplicate": _l("The commune already has an active village of this name."),
    "area": _l("Choose rural or urban, or leave it to the commune's area."),
}
ROW_MESSAGES = {
    "header": _l("The first line must be: mã xã,tên thôn,khu vực (or commune_code,name,area)"),
    "columns": _l("Wrong number of columns"),
    "commune_code": _l("Not a commune of this province"),
    "name": _l("The name is empty"),
    "name_too_long": _l("The name is longer than 200 characters"),
    "area": _l("The area must be nông thôn, thành thị (or rural, urban) or empty"),
    "duplicate": _l("The same village appears twice in the file"),
    "exists": _l("The commune already has a village of this name"),
    "empty": _l("The file lists no village"),
}
CSV_MAX_BYTES = 2 * 1024 * 1024
PER_PAGE = 50


@bp.before_request
def only_admins() -> Any:
    """Every admin page is the province admin's alone; others are sent to sign in or get 403."""
    return signed_in(PROVINCE_ADMIN)(lambda: None)()


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError) -> tuple[str, int]:
    """A form without a valid token: nothing was done."""
    return render_template("officials/expired.html"), 400


def _communes() -> list[units.Commune]:
    return list(units.communes(node_context().province_code))


# ------------------------------------------------------------------------------ users


@bp.get("/")
def index() -> Response:
    """The admin's first screen: the users."""
    return redirect(url_for("admin.users"), 303)


@bp.get("/users")
def users() -> str:
    """Every official's account."""
    return render_template("admin/users.html", users=admin.list_users(db.session, official()))


def render_new_user(values: Mapping[str, Any], errors: Mapping[str, str], status: int = 200):
    """The form for a new official."""
    return render_template(
        "admin/user_new.html", values=values, errors=errors, roles=ROLES, levels=ROLE_LEVEL
    ), status


@bp.get("/users/new")
def new_user() -> tuple[str, int]:
    """A new official: username, name, role, units and a first password."""
    return render_new_user({}, {})


@bp.post("/users/new")
def create_user() -> Any:
    """Create the account; every problem is named and nothing is written."""
    form = request.form
    values = {k: v for k, v in form.items() if k not in ("password", "csrf_token")}
    try:
        data = form_input.load(schemas.NewUserSchema(), form_input.everything(form))
        user = admin.create_user(db.session, official(), node_context(), **data)
        commit()
    except form_input.FormRefused as error:
        return render_new_user(values, error.fields, 422)
    except ValidationFailed as error:
        db.session.rollback()
        errors = {_user_field(name): str(USER_MESSAGES.get(name, words.INVALID))
                  for name in error.fields}  # fmt: skip
        return render_new_user(values, errors, 422)
    flash(_("The account %(name)s was created.", name=user.username), "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)


@bp.get("/users/<int:user_id>")
def user(user_id: int) -> str:
    """One official: disable or enable, a new password, the second factor."""
    return render_template(
        "admin/user.html", user=admin.get_user(db.session, official(), user_id), errors={}
    )


def _user_field(name: str) -> str:
    """The form's input for a field the accounts service names (its unit codes: ``units``)."""
    return "units" if name == "unit_codes" else name


def _user_action(user_id: int, run, done: str) -> Any:
    signer = official()
    target = admin.get_user(db.session, signer, user_id)
    try:
        run(signer, target)
        commit()
    except form_input.FormRefused as error:
        return render_template("admin/user.html", user=target, errors=error.fields), 422
    except ValidationFailed as error:
        db.session.rollback()
        target = admin.get_user(db.session, signer, user_id)
        errors = {name: str(USER_MESSAGES.get(name, words.INVALID)) for name in error.fields}
        return render_template("admin/user.html", user=target, errors=errors), 422
    flash(done, "success")
    return redirect(url_for("admin.user", user_id=user_id), 303)


@bp.post("/users/<int:user_id>/disable")
def disable_user(user_id: int) -> Any:
    """Stop the official signing in; their open sessions end at once."""
    return _user_action(
        user_id,
        lambda s, u: admin.disable_user(db.session, s, u, node_context()),
        _("The account was disabled and its sessions ended."),
    )


@bp.post("/users/<int:user_id>/enable")
def enable_user(user_id: int) -> Any:
    """Let the official sign in again."""
    return _user_action(
        user_id,
        lambda s, u: admin.enable_user(db.session, s, u, node_context()),
        _("The account can sign in again."),
    )


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int) -> Any:
    """A new password, to give the official in person; their sessions end."""

    def run(signer: Official, user: Any) -> None:
        data = form_input.load(schemas.PasswordSchema(), form_input.everything(request.form))
        admin.reset_password(db.session, signer, user, data["password"], node_context())

    return _user_action(
        user_id, run, _("The password was changed; the official's sessions were ended.")
    )


@bp.post("/users/<int:user_id>/totp")
def reset_totp(user_id: int) -> Any:
    """Switch off the second factor (a lost phone)."""
    return _user_action(
        user_id,
        lambda s, u: admin.reset_totp(db.session, s, u, node_context()),
        _("The second factor was switched off; the official may enrol a new phone."),
    )


# --------------------------------------------------------------------------- villages


def render_villages(
    commune: str | None,
    errors: Mapping[str, str] | None = None,
    row_errors: list[tuple[int, str, str]] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
    row: int | None = None,
) -> tuple[str, int]:
    """A commune's villages with the forms to add, rename, deactivate and import; ``row`` is
    the village whose own form (rename, deactivate) the errors are about."""
    communes = _communes()
    known = {c.code for c in communes}
    chosen = commune if commune in known else None
    villages = admin.commune_villages(db.session, official(), chosen) if chosen else []
    return render_template(
        "admin/villages.html",
        communes=communes,
        commune=chosen,
        villages=villages,
        errors=dict(errors or {}),
        row_errors=row_errors or [],
        row=row,
        values=values or {},
    ), status


@bp.get("/villages")
def villages() -> tuple[str, int]:
    """Villages per commune."""
    return render_villages(request.args.get("commune"))


def _village_errors(error: ValidationFailed) -> dict[str, str]:
    return {
        name: str(VILLAGE_MESSAGES.get(code, VILLAGE_MESSAGES.get(name, words.INVALID)))
        for name, code in error.fields.items()
    }


@bp.post("/villages")
def add_village() -> Any:
    """A new village of the chosen commune."""
    form = request.form
    commune = form.get("commune", "")
    try:
        data = form_input.load(schemas.VillageSchema(), form_input.everything(form))
        village = admin.create_village(
            db.session, official(), node_context(), data["commune"], data["name"], data["area"]
        )
        commit()
    except form_input.FormRefused as error:
        return render_villages(commune, error.fields, values=form, status=422)
    except ValidationFailed as error:
        db.session.rollback()
        return render_villages(commune, _village_errors(error), values=form, status=422)
    flash(_("The village %(name)s (%(code)s) was added.", name=village.name, code=village.code),
          "success")  # fmt: skip
    return redirect(url_for("admin.villages", commune=commune), 303)


@bp.post("/villages/<int:village_id>/rename")
def rename_village(village_id: int) -> Any:
    """A village's new name."""
    commune = request.form.get("commune", "")
    try:
        data = form_input.load(schemas.VillageNameSchema(), form_input.everything(request.form))
        admin.rename_village(db.session, official(), node_context(), village_id, data["name"])
        commit()
    except form_input.FormRefused as error:
        return render_villages(commune, error.fields, status=422, row=village_id)
    except ValidationFailed as error:
        db.session.rollback()
        return render_villages(commune, _village_errors(error), status=422, row=village_id)
    flash(_("The village was renamed."), "success")
    return redirect(url_for("admin.villages", commune=commune), 303)


@bp.post("/villages/<int:village_id>/active")
def village_active(village_id: int) -> Any:
    """Deactivate a village (residents no longer choose it; its records stay) or restore it."""
    commune = request.form.get("commune", "")
    try:
        data = form_input.load(schemas.VillageActiveSchema(), form_input.everything(request.form))
        active = data["active"]
        admin.set_village_active(db.session, official(), node_context(), village_id, active)
        commit()
    except form_input.FormRefused as error:
        return render_villages(commune, error.fields, status=422, row=village_id)
    except ValidationFailed as error:
        db.session.rollback()
        return render_villages(commune, _village_errors(error), status=422, row=village_id)
    flash(_("The village is active again.") if active else _("The village was deactivated."),
          "success")  # fmt: skip
    return redirect(url_for("admin.villages", commune=commune), 303)


@bp.post("/villages/import")
def import_villages() -> Any:
    """Villages from a CSV file: all of them, or none and every problem with its line."""
    try:
        commune = form_input.load(
            schemas.VillageImportSchema(), form_input.everything(request.form)
        )["commune"]
    except form_input.FormRefused as error:
        return render_villages(None, error.fields, status=422)
    upload = request.files.get("file")
    raw = upload.read(CSV_MAX_BYTES + 1) if upload else b""
    if not raw:
        return render_villages(commune, {"file": _("Choose a CSV file.")}, status=422)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return render_villages(commune, {"file": _("Save the file as CSV UTF-8.")}, status=422)
    if len(raw) > CSV_MAX_BYTES:
        return render_villages(commune, {"file": _("The file is too large.")}, status=422)
    try:
        imported = admin.import_villages(db.session, official(), node_context(), text)
        commit()
    except admin.ImportFailed as error:
        db.session.rollback()
        rows = [(e.row, str(ROW_MESSAGES.get(e.code, words.INVALID)), e.value) for e in error.rows]
        message = _("Nothing was imported: correct these lines and import the file again.")
        return render_villages(commune, {"file": message}, rows, status=422)
    flash(_("%(count)s villages were imported.", count=len(imported)), "success")
    return redirect(url_for("admin.villages", commune=commune or imported[0].commune_code), 303)


# ------------------------------------------------------------------- household counts


def _period_arg(values: Mapping[str, str]) -> int:
    period = words.parse_count(values.get("period"))
    return period if period and 2000 <= period <= 2100 else node_context().today.year


@bp.get("/households")
def households() -> str:
    """The communes' resident households per period (the denominators of the rates)."""
    period = _period_arg(request.args)
    counts = admin.household_counts(db.session, official(), period)
    return render_template(
        "admin/households.html", period=period, communes=_communes(), counts=counts, errors={}
    )


def _figure(text: str) -> str | None:
    """A count as typed (4.250, 4 250): the digits; an empty box is None (no figure)."""
    digits = text.replace(".", "").replace(",", "").replace(" ", "")
    return digits or None


@bp.post("/households")
def save_households() -> Any:
    """Store the figures; an empty box removes a figure."""
    form = request.form
    period = _period_arg(form)
    counts = {
        name.removeprefix("count."): _figure(value)
        for name, value in form.items()
        if name.startswith("count.")
    }
    try:
        data = form_input.load(
            schemas.HouseholdCountsSchema(),
            {**form_input.body(form, ("period",)), "counts": counts},
        )
        changed = admin.set_household_counts(
            db.session, official(), node_context(), data["period"], data["counts"]
        )
        commit()
    except (form_input.FormRefused, ValidationFailed) as error:
        db.session.rollback()
        errors = error.fields
        if isinstance(error, ValidationFailed):
            errors = {f"counts.{code}.value": str(schemas.HOUSEHOLDS) for code in error.fields}
        values = {k.removeprefix("count."): v for k, v in form.items()}
        return render_template(
            "admin/households.html", period=period, communes=_communes(), counts=values,
            errors=errors,
        ), 422  # fmt: skip
    flash(_("%(count)s figures were saved.", count=changed), "success")
    return redirect(url_for("admin.households", period=period), 303)


# ------------------------------------------------------------------------------ holidays


def render_holidays(year: int, errors: Mapping[str, str] | None = None, status: int = 200):
    """The year's days off: the public holidays and the admin's changes."""
    return render_template(
        "admin/holidays.html",
        year=year,
        holidays=days_off.holidays(db.session, official(), year),
        errors=dict(errors or {}),
        values=request.form if request.method == "POST" else {},
    ), status


@bp.get("/holidays")
def holidays() -> tuple[str, int]:
    """Days off of the working-day calendar that deadlines are counted in."""
    year = words.parse_count(request.args.get("year")) or node_context().today.year
    return render_holidays(year if 2000 <= year <= 2100 else node_context().today.year)


@bp.post("/holidays")
def add_holiday() -> Any:
    """A new day off."""
    return _change_calendar(days_off.add_holiday, _("The day off was added."))


@bp.post("/holidays/working-days")
def add_working_day() -> Any:
    """A weekend day worked in exchange (làm bù)."""
    return _change_calendar(days_off.add_working_day, _("The working day was added."))


def _change_calendar(change: Callable[..., None], done: str) -> Any:
    """One change of the calendar from the page's form: saved, or the page again saying why."""
    form = request.form
    try:
        data = form_input.load(schemas.HolidaySchema(), form_input.everything(form, dates=("day",)))
        year = data["day"].year
        change(db.session, official(), node_context(), data["day"], data["name"])
        commit()
    except form_input.FormRefused as error:
        return render_holidays(node_context().today.year, error.fields, 422)
    except ValidationFailed as error:
        db.session.rollback()
        messages = {
            "name": _("Give the day a short name, e.g. Tết Nguyên đán."),
            "day": _("This day is already a day off or already changed."),
        }
        if error.fields.get("day") == "not_weekend":
            messages["day"] = _("Only a Saturday or a Sunday can be made a working day.")
        return render_holidays(year, {k: messages.get(k, "") for k in error.fields}, 422)
    flash(done, "success")
    return redirect(url_for("admin.holidays", year=year), 303)


@bp.post("/holidays/<day>/remove")
def remove_holiday(day: str) -> Any:
    """Undo the admin's change of a day, or make a public holiday a working day."""
    parsed = words.parse_day(day)
    if parsed is None:
        abort(404)
    days_off.remove_holiday(db.session, official(), node_context(), parsed)
    commit()
    flash(_("The calendar was changed."), "success")
    return redirect(url_for("admin.holidays", year=parsed.year), 303)


# ---------------------------------------------------------------------- procedure numbers


@bp.get("/procedure")
def procedure_numbers() -> tuple[str, int]:
    """The procedure's numbers with their legal basis; provisional ones marked."""
    rows = procedure.procedure_table(official(), current_app.config)
    return render_template("admin/procedure.html", rows=rows, lang=lang()), 200


# --------------------------------------------------------------------------- year close

CLOSE_MESSAGES = {
    "period": _l("A year with a national standard, at most next year."),
    "decision_number": _l("A decision number such as 123/QĐ-UBND: digits, a slash, QĐ- and "
                          "the issuing body's letters."),
    "decided_on": _l("The decision's date: not in the future, from the year before the period "
                     "to the year after."),
}  # fmt: skip


def render_closes(errors: Mapping[str, str] | None = None, status: int = 200):
    """The periods closed so far, and the form to close one."""
    values = request.form if request.method == "POST" else {}
    return render_template(
        "admin/periods.html",
        closes=closing.closes(db.session, official()),
        errors=dict(errors or {}),
        values=values,
        period=values.get("period") or node_context().today.year,
    ), status


@bp.get("/periods")
def periods() -> tuple[str, int]:
    """The year close (chốt số liệu): each period's closes and revisions."""
    return render_closes()


@bp.post("/periods")
def close_period() -> Any:
    """Close a period with the People's Committee's decision: its snapshot becomes official."""
    form = request.form
    try:
        data = form_input.load(
            schemas.ClosePeriodSchema(), form_input.everything(form, dates=("decided_on",))
        )
        close = closing.close_period(
            db.session, official(), node_context(), **data,
            suppression_k=current_app.config["SUPPRESSION_K"],
        )  # fmt: skip
        commit()
    except form_input.FormRefused as error:
        return render_closes(error.fields, 422)
    except ValidationFailed as error:
        db.session.rollback()
        return render_closes({k: str(CLOSE_MESSAGES.get(k, words.INVALID)) for k in error.fields},
                             422)  # fmt: skip
    except Conflict:
        db.session.rollback()
        already = _("The period is already closed with this decision on these very figures.")
        return render_closes({"decision_number": already}, 409)
    flash(
        _("Period %(period)s is closed (revision %(revision)s): its figures are now official.",
          period=close.period, revision=close.revision),
        "success",
    )  # fmt: skip
    return redirect(url_for("admin.periods"), 303)


# ----------------------------------------------------------------------------- audit log


def _audit_filter(args: Mapping[str, str]) -> tuple[admin.AuditFilter, dict[str, str]]:
    errors = {}
    user_id = application_id = None
    date_from = date_to = None
    if args.get("user"):
        user_id = words.parse_id(args["user"])
        if user_id is None:
            errors["user"] = _("Choose a user.")
    if args.get("application"):
        application_id = words.parse_id(args["application"])
        if application_id is None:
            errors["application"] = _("Enter an application number.")
    for name in ("date_from", "date_to"):
        if args.get(name):
            value = words.parse_day(args[name])
            if value is None:
                errors[name] = _("Enter a date.")
            elif name == "date_from":
                date_from = value
            else:
                date_to = value
    return admin.AuditFilter(user_id, application_id, date_from, date_to), errors


@bp.get("/audit")
def audit_log() -> tuple[str, int]:
    """Who read or changed what, newest first; the chain check on request."""
    signer = official()
    where, errors = _audit_filter(request.args)
    page = admin.audit_page(
        db.session, signer, where, words.parse_count(request.args.get("page")) or 1, PER_PAGE
    )
    check = admin.check_audit_chain(db.session, signer) if request.args.get("check") else None
    query = {k: v for k, v in request.args.items() if k not in ("page", "check") and v}
    return render_template(
        "admin/audit.html",
        page=page,
        pages=max(1, -(-page.total // page.per_page)),
        users=admin.list_users(db.session, signer),
        query=query,
        errors=errors,
        check=check,
    ), 422 if errors else 200


@bp.get("/audit.csv")
def audit_export() -> Response:
    """The filtered audit log as CSV (the export is logged too)."""
    where, errors = _audit_filter(request.args)
    if errors:
        abort(422)
    text = admin.audit_csv(db.session, official(), where, node_context())
    db.session.commit()
    stamp = node_context().today.isoformat()
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )


@bp.app_template_filter("iso_day")
def iso_day(value: date) -> str:
    """A date as YYYY-MM-DD, for addresses."""
    return value.isoformat()
