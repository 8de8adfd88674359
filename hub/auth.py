"""Who signs a request to the hub: a central user's API bearer token or web session.

The Flask session cookie carries only the server-side session token, looked up on every request
(``accounts.user_for_token``), so signing out takes effect at once. API views use
``user_required``; pages use ``login_required``, which sends visitors to the sign-in page.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import flask_smorest
from flask import g, redirect, request, session, url_for
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import Forbidden, Unauthorized

from hub.context import now
from hub.extensions import db
from hub.models.users import ROLES, User
from hub.services import accounts
from hub.services.accounts import CentralUser

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

BEARER_SCHEME = "bearerAuth"
REALM = "giamngheo-hub"
SESSION_KEY = "hub_session"
_STATE_KEY = "giamngheo.hub.auth"


@dataclass(frozen=True)
class _AuthState:
    user: CentralUser | None = None
    kind: str | None = None
    token: str | None = None
    error: str | None = None


class BearerUnauthorized(Unauthorized):
    """401 with the ``WWW-Authenticate: Bearer`` challenge (RFC 6750)."""

    def __init__(self, description: str, error: str | None = None) -> None:
        super().__init__(description)
        self.bearer_error = error

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        """The usual headers plus the challenge."""
        return [
            *super().get_headers(*args, **kwargs),
            ("WWW-Authenticate", bearer_challenge(self.bearer_error)),
        ]


def bearer_challenge(error: str | None = None) -> str:
    """The value of ``WWW-Authenticate`` for the hub's API."""
    challenge = f'Bearer realm="{REALM}"'
    return f'{challenge}, error="{error}"' if error else challenge


def current_user() -> CentralUser | None:
    """The central user signing this request (bearer token, else web session), or None."""
    return _state().user


def _state() -> _AuthState:
    # Kept in the WSGI environ, which belongs to this request alone.
    state = request.environ.get(_STATE_KEY)
    if state is None:
        state = request.environ[_STATE_KEY] = _resolve()
    return state


def _resolve() -> _AuthState:
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return _AuthState(error="invalid_request")
        user = accounts.user_for_token(db.session, token, kind=accounts.API, now=now())
        if user is None:
            return _AuthState(error="invalid_token")
        return _AuthState(user, accounts.API, token)
    token = session.get(SESSION_KEY)
    if not token:
        return _AuthState()
    user = accounts.user_for_token(db.session, token, kind=accounts.WEB, now=now())
    try:
        # Stores the web session's sliding expiry, the only change pending here.
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        logger.debug("Could not store a session's last use", exc_info=True)
    return _AuthState(user, accounts.WEB, token) if user else _AuthState()


def require_user() -> CentralUser:
    """The signed-in central user; raises a 401 with the bearer challenge otherwise."""
    state = _state()
    if state.user is not None:
        return state.user
    if state.error == "invalid_token":
        raise BearerUnauthorized("The token is unknown, expired or revoked.", state.error)
    if state.error == "invalid_request":
        raise BearerUnauthorized("Send the token as 'Authorization: Bearer <token>'.", state.error)
    raise BearerUnauthorized("Sign in first: send a bearer token from POST /api/v1/auth/token.")


def user_required(*roles: str) -> Callable[[F], F]:
    """Let only a central user (with one of ``roles`` when given) into an API view."""
    if unknown := sorted(set(roles) - set(ROLES)):
        raise ValueError(f"unknown roles: {', '.join(unknown)}")

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = require_user()
            if roles and user.role not in roles:
                raise Forbidden("Your role may not do this.")
            return view(*args, **kwargs)

        responses = {"401": "UNAUTHORIZED", **({"403": "FORBIDDEN"} if roles else {})}
        documented = flask_smorest.Blueprint.doc(
            security=[{BEARER_SCHEME: []}], responses=responses
        )
        return documented(wrapper)  # type: ignore[return-value]

    return decorator


def login_required(view: F) -> F:
    """Let only a signed-in central user see a page; others go to the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("account.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (no open redirect), else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc or "\\" in target else target


def log_in(user: User) -> None:
    """Start a web session for a user who has just authenticated; the caller commits."""
    previous = session.get(SESSION_KEY)
    if previous:
        accounts.revoke_session(db.session, previous, now=now())
    token = accounts.open_session(db.session, user, accounts.WEB, now=now())
    # A fresh session: nothing planted before sign-in survives (session fixation), not even
    # the CSRF token Flask-WTF cached for this request.
    session.clear()
    g.pop("csrf_token", None)
    session[SESSION_KEY] = token
    request.environ[_STATE_KEY] = _AuthState(
        CentralUser(user.id, user.username, user.role), accounts.WEB, token
    )


def log_out() -> bool:
    """End the web session or API token this request came with; the caller commits."""
    state = _state()
    if state.token is None:
        return False
    accounts.revoke_session(db.session, state.token, now=now())
    if state.kind == accounts.WEB:
        session.clear()
        g.pop("csrf_token", None)
    request.environ[_STATE_KEY] = _AuthState()
    return True
