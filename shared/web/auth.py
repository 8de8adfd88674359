"""Who signs a request: a web session (cookie) or an API bearer token, one resolver for both
apps.

The Flask session cookie carries only the server-side session token, and each request looks it
up (``Accounts.live_session``), so signing out or disabling an account takes effect at the very
next request. A request with an ``Authorization`` header is judged by it alone. Each app makes
one ``SignIn`` over its ``Accounts`` and says how a user becomes the principal its views and
services take (the node's ``Official``, the hub's ``CentralUser``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlsplit

import flask_smorest
from flask import Flask, current_app, g, has_request_context, redirect, request, session, url_for
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import Unauthorized

from shared.errors import require_role
from shared.web import accounts
from shared.web.clock import now
from shared.web.database import SAFE_METHODS, app_db

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

# The security scheme's name in the OpenAPI documents.
BEARER_SCHEME = "bearerAuth"
# Where the Flask session keeps the server-side session's raw token.
SESSION_KEY = "session_token"
_STATE_KEY = "giamngheo.auth"


class Principal(Protocol):
    """What a signed-in user is to the views: at least a role."""

    role: str


P = TypeVar("P", bound=Principal)


@dataclass(frozen=True)
class Credential:
    """What signed the request: ``web`` (session cookie) or ``api`` (bearer), and its token."""

    kind: str
    token: str


@dataclass(frozen=True)
class AuthState(Generic[P]):
    """What this request was signed with, worked out once."""

    principal: P | None = None
    credential: Credential | None = None
    # RFC 6750's error code for a bad Authorization header: invalid_request or invalid_token.
    error: str | None = None
    # Whether a session was looked up, so its sliding expiry may need storing.
    looked_up: bool = False


class BearerUnauthorized(Unauthorized):
    """401 with the ``WWW-Authenticate: Bearer`` challenge (RFC 6750), as page or JSON."""

    def __init__(self, description: str, realm: str, error: str | None = None) -> None:
        super().__init__(description)
        self.realm = realm
        self.bearer_error = error

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        """The usual headers plus the challenge."""
        return [
            *super().get_headers(*args, **kwargs),
            ("WWW-Authenticate", bearer_challenge(self.realm, self.bearer_error)),
        ]


def bearer_challenge(realm: str, error: str | None = None) -> str:
    """The value of ``WWW-Authenticate`` for a bearer-token API."""
    challenge = f'Bearer realm="{realm}"'
    return f'{challenge}, error="{error}"' if error else challenge


def safe_next(target: str | None, within: tuple[str, ...] = ("/",)) -> str | None:
    """``target`` if it is a path on this site under one of ``within`` (no open redirect, no
    header injection), else None."""
    if not target or not target.startswith(within) or target.startswith("//"):
        return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc or "\\" in target else target


def forget_form_token() -> None:
    """Signing in or out clears the session, and with it the CSRF secret: drop the token
    Flask-WTF cached for this request too, so the next form gets a token that matches."""
    g.pop("csrf_token", None)


class SignIn(Generic[P]):
    """Sign-in for one app: resolves the signer of each request, guards views, logs in and out."""

    def __init__(
        self,
        store: accounts.Accounts,
        principal_for: Callable[[Any], P],
        *,
        realm: str,
        roles: tuple[str, ...],
        login_endpoint: str,
    ) -> None:
        self.store = store
        self.principal_for = principal_for
        self.realm = realm
        self.roles = roles
        self.login_endpoint = login_endpoint

    def init_app(self, app: Flask) -> None:
        """Resolve the signer before every view, keeping a web session's new expiry."""
        app.before_request(self._store_session_use)

    def _store_session_use(self) -> None:
        # Committing here stores only the sliding expiry (nothing else is pending before the
        # view), so a page that only reads still keeps its user signed in.
        if not self._state().looked_up:
            return
        db_session = app_db().session
        try:
            db_session.commit()
        except OperationalError:
            # SQLite may refuse to turn this read into a write while another request writes;
            # the expiry then slides at a later request instead.
            db_session.rollback()
            logger.debug("Could not store a session's last use", exc_info=True)

    # ---------------------------------------------------------------------- who signs

    def current(self) -> P | None:
        """The principal signing this request (bearer token, else web session), or None."""
        return self._state().principal if has_request_context() else None

    def credential(self) -> Credential | None:
        """The web session or API token that signed this request, or None."""
        return self._state().credential if has_request_context() else None

    def may_be_signed_in(self) -> bool:
        """Whether this request is signed in, without asking the database: the answer of the
        lookup when it was made, else whether the request carries a credential at all (a
        request refused before sign-in, or met by a database outage, counts as signed in)."""
        state = request.environ.get(_STATE_KEY)
        if state is not None:
            return state.principal is not None
        cookie = current_app.session_interface.get_cookie_name(current_app)
        return "Authorization" in request.headers or cookie in request.cookies

    def require(self) -> P:
        """The principal signing this request; raises a 401 with the bearer challenge."""
        principal = self.current()
        if principal is not None:
            return principal
        error = self._state().error if has_request_context() else None
        if error == "invalid_token":
            message = "The token is unknown, expired or revoked."
        elif error == "invalid_request":
            message = "Send the token as 'Authorization: Bearer <token>'."
        else:
            message = "Sign in first: send a bearer token from POST /api/v1/auth/token."
        raise BearerUnauthorized(message, self.realm, error)

    def _state(self) -> AuthState[P]:
        # Kept in the WSGI environ, which belongs to one request; flask.g belongs to the app
        # context, which a test (or a CLI command) may keep open around many requests.
        state = request.environ.get(_STATE_KEY)
        if state is None:
            state = request.environ[_STATE_KEY] = self._resolve()
        return state

    def _set_state(self, state: AuthState[P]) -> None:
        request.environ[_STATE_KEY] = state

    def _resolve(self) -> AuthState[P]:
        header = request.headers.get("Authorization")
        if header is not None:
            scheme, _, token = header.strip().partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not token:
                return AuthState(error="invalid_request")
            return self._lookup(token, accounts.API, error="invalid_token")
        # Without a session cookie the session is not opened at all: opening it would add
        # "Vary: Cookie" to every public answer.
        if current_app.session_interface.get_cookie_name(current_app) not in request.cookies:
            return AuthState()
        token = session.get(SESSION_KEY)
        if not isinstance(token, str) or not token:
            return AuthState()
        return self._lookup(token, accounts.WEB)

    def _lookup(self, token: str, kind: str, error: str | None = None) -> AuthState[P]:
        record = self.store.live_session(app_db().session, token, now=now(), kind=kind)
        if record is None:
            return AuthState(error=error, looked_up=True)
        principal = self.principal_for(record.user)
        return AuthState(principal, Credential(kind, token), looked_up=True)

    # -------------------------------------------------------------------------- guards

    def required(self, *roles: str) -> Callable[[F], F]:
        """Let only a signed-in user, with one of ``roles`` when given, into an API view.

        Without a valid credential: 401 with ``WWW-Authenticate: Bearer``; another role: 403.
        A web session may change data through the API only with a CSRF token (``X-CSRFToken``
        header): the API is exempt from the form check, and cookies travel with cross-site
        requests. Put it above flask-smorest's decorators, so the user is checked before the
        body is parsed; it also documents the bearer requirement in the OpenAPI document.
        """
        self._check_roles(roles)

        def decorator(view: F) -> F:
            @functools.wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                principal = self.require()
                credential = self.credential()
                if (
                    credential is not None
                    and credential.kind == accounts.WEB
                    and request.method not in SAFE_METHODS
                    and current_app.config.get("WTF_CSRF_ENABLED", True)
                ):
                    current_app.extensions["csrf"].protect()
                require_role(principal, *roles)
                return view(*args, **kwargs)

            responses = {"401": "UNAUTHORIZED", **({"403": "FORBIDDEN"} if roles else {})}
            documented = flask_smorest.Blueprint.doc(
                security=[{BEARER_SCHEME: []}], responses=responses
            )
            return documented(wrapper)  # type: ignore[return-value]

        return decorator

    def page_required(self, *roles: str) -> Callable[[F], F]:
        """Let only a signed-in user (of one of ``roles`` when given) see a page; others are
        sent to the sign-in page, which brings them back here."""
        self._check_roles(roles)

        def decorator(view: F) -> F:
            @functools.wraps(view)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                principal = self.current()
                if principal is None:
                    target = request.full_path.rstrip("?") if request.method == "GET" else None
                    return redirect(url_for(self.login_endpoint, next=target), 303)
                require_role(principal, *roles)
                return view(*args, **kwargs)

            return wrapper  # type: ignore[return-value]

        return decorator

    def _check_roles(self, roles: tuple[str, ...]) -> None:
        if unknown := sorted(set(roles) - set(self.roles)):
            raise ValueError(f"unknown roles: {', '.join(unknown)}")

    # ------------------------------------------------------------------ in and out

    def log_in(self, user: Any) -> str:
        """Start a web session for a user who has just authenticated; the caller commits.

        Every sign-in gets a fresh token and revokes the one the browser had, so a session
        planted before sign-in (session fixation) never becomes a signed-in one; nothing else
        of the old session survives, not even the CSRF token Flask-WTF cached for this request.
        """
        moment = now()
        db_session = app_db().session
        previous = session.get(SESSION_KEY)
        if isinstance(previous, str) and previous:
            self.store.revoke_session(db_session, previous, now=moment)
        token = self.store.open_session(db_session, user, accounts.WEB, now=moment)
        session.clear()
        forget_form_token()
        session[SESSION_KEY] = token
        self._set_state(AuthState(self.principal_for(user), Credential(accounts.WEB, token)))
        return token

    def log_out(self) -> bool:
        """End the web session or API token this request came with; the caller commits."""
        credential = self.credential()
        if credential is None:
            return False
        self.store.revoke_session(app_db().session, credential.token, now=now())
        if credential.kind == accounts.WEB:
            session.clear()
            forget_form_token()
        self._set_state(AuthState())
        return True
