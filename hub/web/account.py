"""Central users' own pages: sign in (with the second factor once enabled), sign out, and the
account page where they turn the second factor (TOTP) on."""

from __future__ import annotations

import segno
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from hub.auth import login_required, signin
from hub.extensions import db
from hub.models.users import User
from hub.services import accounts
from hub.services.errors import ValidationFailed
from shared.web.auth import safe_next
from shared.web.clock import now

bp = Blueprint("account", __name__)


def render_login(target: str, username: str, error: str | None, status: int, totp: bool):
    """The sign-in form, asking for the code when ``totp``."""
    page = render_template("login.html", next=target, error=error, username=username, ask_totp=totp)
    return page, status


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int]:
    """The sign-in form; on success, back to the page asked for (or the dashboard)."""
    target = safe_next(request.values.get("next")) or url_for("dashboard.national")
    if request.method == "GET":
        if signin.current() is not None:
            return redirect(target)
        return render_login(target, "", None, 200, totp=False)
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    try:
        user = accounts.authenticate(
            db.session, username, password, request.form.get("totp") or None, now=now()
        )
    except accounts.TotpRequired:
        db.session.commit()
        error = _("This account also needs the 6-digit code from the authenticator app.")
        return render_login(target, username, error, 401, totp=True)
    except accounts.AuthenticationFailed as failure:
        # The failure count and any lock must stick although the sign-in failed.
        db.session.commit()
        if "totp" in failure.fields:
            error = _("The code is wrong or was already used. Wait for a new code and try again.")
            return render_login(target, username, error, 401, totp=True)
        error = _("Wrong username or password, or the account is locked for a while.")
        return render_login(target, username, error, 401, totp=False)
    signin.log_in(user)
    db.session.commit()
    return redirect(target)


@bp.post("/logout")
def logout() -> Response:
    """End the web session."""
    signin.log_out()
    db.session.commit()
    return redirect(url_for("pages.index"))


@bp.get("/account")
@login_required
def account() -> str:
    """The user's account: the second factor and how to turn it on."""
    return render_template("account.html", user=_signed_in_user(), qr=None, error=None)


@bp.post("/account/totp")
@login_required
def account_totp() -> tuple[str, int] | Response:
    """Start the enrolment (a QR code for the authenticator app) or confirm it with a code."""
    user = _signed_in_user()
    if request.form.get("step") != "confirm":
        try:
            uri = accounts.start_totp_enrolment(
                db.session, user, proof=request.form.get("proof"), now=now()
            )
        except ValidationFailed:
            # A wrong proof counts towards the lock, like a wrong sign-in: keep the count.
            db.session.commit()
            error = _("Enter the code the authenticator app shows now, or your password.")
            return render_template("account.html", user=user, qr=None, error=error), 422
        db.session.commit()
        return render_template("account.html", user=user, qr=_qr(uri), error=None), 200
    try:
        accounts.confirm_totp(db.session, user, request.form.get("code", ""), now=now())
    except ValidationFailed:
        db.session.rollback()
        error = _("Wrong code. Enter the 6 digits the app shows now.")
        qr = _qr(accounts.ACCOUNTS.pending_totp_uri(user))
        return render_template("account.html", user=user, qr=qr, error=error), 422
    db.session.commit()
    return redirect(url_for("account.account"), 303)


def _signed_in_user() -> User:
    signer = signin.current()
    assert signer is not None  # login_required let the request in
    return db.session.get(User, signer.user_id)


def _qr(text: str) -> str:
    """A QR code as inline SVG (no image request, nothing inline that CSP would block)."""
    return segno.make(text, error="m").svg_inline(scale=4, border=2, title=_("QR code"))
