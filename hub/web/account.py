"""Signing central users in and out of the hub's pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from hub.auth import current_user, log_in, log_out, safe_next
from hub.context import now
from hub.extensions import db
from hub.services import accounts

bp = Blueprint("account", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    """The sign-in form; on success, back to the page asked for (or the dashboard)."""
    target = safe_next(request.values.get("next")) or url_for("dashboard.national")
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return render_template("login.html", next=target, error=None, username="")
    username = request.form.get("username", "")[:64]
    password = request.form.get("password", "")[: accounts.PASSWORD_MAX_LENGTH]
    try:
        user = accounts.authenticate(db.session, username, password, now=now())
    except accounts.AuthenticationFailed:
        # The failure count and any lock must stick although the sign-in failed.
        db.session.commit()
        error = _("Wrong username or password, or the account is locked for a while.")
        page = render_template("login.html", next=target, error=error, username=username)
        return page, 401
    log_in(user)
    db.session.commit()
    return redirect(target)


@bp.post("/logout")
def logout() -> Response:
    """End the web session."""
    log_out()
    db.session.commit()
    return redirect(url_for("pages.index"))
