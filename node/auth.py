"""Who signs a request: an official's web session (Flask-Login) or an API bearer token.

The Flask session cookie carries only the server-side session token, and each request looks it
up (``accounts.official_for_token``), so signing out or disabling an account takes effect at the
very next request. Views ask ``current_official()``; ``official_required`` guards them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import flask_smorest
from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import Unauthorized

from node.context import now
from node.database import SAFE_METHODS
from node.extensions import csrf, db, login_manager
from node.models.users import User
from node.services import accounts
from node.services.scopes import ROLES, Official, require_role

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

# The security scheme's name in the OpenAPI document.
BEARER_SCHEME = "bearerAuth"
REALM = "giamngheo"
# Where Flask-Login keeps the user's id in the Flask session: for us, the session token.
SESSION_KEY = "_user_id"
_STATE_KEY = "giamngheo.auth"


@dataclass(frozen=True)
class Credential:
    """What signed the request: ``web`` (session cookie) or ``api`` (bearer), and its token."""

    kind: str
    token: str


@dataclass(frozen=True)
class _AuthState:
    """What this request was signed with, worked out once."""

    official: Official | None = None
    credential: Credential | None = None
    # RFC 6750's error code for a bad Authorization header: invalid_request or invalid_token.
    error: str | None = None
    looked_up: bool = False


class SessionUser(UserMixin):
    """Flask-Login's user: the server-side session token and the official it stands for."""

    def __init__(self, token: str, official: Official) -> None:
        self.token = token
        self.official = official

    def get_id(self) -> str:
        """What Flask-Login stores in the session cookie: the token, never the user's id."""
        return self.token


class BearerUnauthorized(Unauthorized):
    """401 with the ``WWW-Authenticate: Bearer`` challenge (RFC 6750), as page or JSON."""

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
    """The value of ``WWW-Authenticate`` for a bearer-token API."""
    challenge = f'Bearer realm="{REALM}"'
    return f'{challenge}, error="{error}"' if error else challenge


def init_app(app: Flask) -> None:
    """Set up Flask-Login on the session token and resolve the signer before every view."""
    login_manager.init_app(app)
    login_manager.user_loader(load_session_user)
    app.before_request(resolve_official)


def load_session_user(token: str) -> SessionUser | None:
    """Flask-Login's user loader: the live web session with this token, or None."""
    official = accounts.official_for_token(db.session, token, now=now(), kind=accounts.WEB)
    return None if official is None else SessionUser(token, official)


def resolve_official() -> None:
    """Find who signs this request before the view runs, and keep the session's new expiry.

    Committing here stores only the sliding expiry (nothing else is pending before the view),
    so a page that only reads still keeps its official signed in.
    """
    if not _state().looked_up:
        return
    try:
        db.session.commit()
    except OperationalError:
        # SQLite may refuse to turn this read into a write while another request writes; the
        # expiry then slides at a later request instead.
        db.session.rollback()
        logger.debug("Could not store a session's last use", exc_info=True)


def current_official() -> Official | None:
    """The official signing this request, or None.

    A request with an ``Authorization`` header is judged by it alone (a bearer API token);
    otherwise by the web session. Resolved once per request.
    """
    return _state().official if has_request_context() else None


def require_official() -> Official:
    """The official signing this request; raises a 401 when there is none."""
    official = current_official()
    if official is None:
        raise _unauthorized()
    return official


def current_credential() -> Credential | None:
    """The web session or API token that signed this request, or None."""
    return _state().credential if has_request_context() else None


def _state() -> _AuthState:
    # Kept in the WSGI environ, which belongs to one request; flask.g belongs to the app
    # context, which a test (or a CLI command) may keep open around many requests.
    state = request.environ.get(_STATE_KEY)
    if state is None:
        state = request.environ[_STATE_KEY] = _resolve()
    return state


def _set_state(state: _AuthState) -> None:
    request.environ[_STATE_KEY] = state


def _resolve() -> _AuthState:
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return _AuthState(error="invalid_request")
        official = accounts.official_for_token(db.session, token, now=now(), kind=accounts.API)
        if official is None:
            return _AuthState(error="invalid_token", looked_up=True)
        return _AuthState(official, Credential(accounts.API, token), looked_up=True)
    # Without a session cookie the session is not opened at all: opening it would add
    # "Vary: Cookie" to every public answer.
    if current_app.session_interface.get_cookie_name(current_app) not in request.cookies:
        return _AuthState()
    if session.get(SESSION_KEY) is None:
        return _AuthState()
    # Flask-Login caches the user on g; drop a copy left by an earlier request in the same app
    # context, so the session is looked up again (and a revoked one is seen as revoked).
    g.pop("_login_user", None)
    if not current_user.is_authenticated:
        return _AuthState(looked_up=True)
    user: SessionUser = current_user._get_current_object()  # type: ignore[attr-defined]
    return _AuthState(user.official, Credential(accounts.WEB, user.token), looked_up=True)


def _unauthorized() -> BearerUnauthorized:
    error = _state().error if has_request_context() else None
    if error == "invalid_token":
        return BearerUnauthorized("The token is unknown, expired or revoked.", error)
    if error == "invalid_request":
        return BearerUnauthorized("Send the token as 'Authorization: Bearer <token>'.", error)
    return BearerUnauthorized("Sign in first: send a bearer token from POST /api/v1/auth/token.")


def official_required(*roles: str) -> Callable[[F], F]:
    """Let only a signed-in official, with one of ``roles`` when given, into the view.

    Without a valid credential: 401 with ``WWW-Authenticate: Bearer``; another role: 403. A web
    session may change data through the API only with a CSRF token (``X-CSRFToken`` header):
    the API is exempt from the form check, and cookies travel with cross-site requests. Put it
    above flask-smorest's decorators, so the official is checked before the body is parsed; it
    also documents the bearer requirement in the OpenAPI document.
    """
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(unknown)}")

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            official = require_official()
            credential = current_credential()
            if (
                credential is not None
                and credential.kind == accounts.WEB
                and request.method not in SAFE_METHODS
                and current_app.config.get("WTF_CSRF_ENABLED", True)
            ):
                csrf.protect()
            if roles:
                require_role(official, *roles)
            return view(*args, **kwargs)

        responses = {"401": "UNAUTHORIZED", **({"403": "FORBIDDEN"} if roles else {})}
        documented = flask_smorest.Blueprint.doc(
            security=[{BEARER_SCHEME: []}], responses=responses
        )
        return documented(wrapper)  # type: ignore[return-value]

    return decorator


def log_in(user: User) -> str:
    """Start a web session for a user who has just authenticated; the caller commits.

    Every sign-in gets a fresh token and revokes the one the browser had, so a session token
    planted before sign-in (session fixation) never becomes a signed-in one.
    """
    moment = now()
    previous = session.get(SESSION_KEY)
    if previous:
        accounts.revoke_session(db.session, previous, now=moment)
    token = accounts.open_session(db.session, user, accounts.WEB, now=moment)
    session.clear()
    official = accounts.official_for_user(user)
    login_user(SessionUser(token, official))
    _set_state(_AuthState(official, Credential(accounts.WEB, token)))
    return token


def log_out() -> bool:
    """End the web session or API token this request came with; the caller commits."""
    credential = current_credential()
    if credential is None:
        return False
    accounts.revoke_session(db.session, credential.token, now=now())
    if credential.kind == accounts.WEB:
        logout_user()
        session.clear()
    _set_state(_AuthState())
    return True
