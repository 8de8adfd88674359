"""Who signs a request to the hub: a central user, by web session or API bearer token.

The resolver, the guards and sign-in/out are ``shared.web.auth``'s, over the hub's accounts;
API views use ``user_required``, pages ``login_required`` (which sends visitors to sign in).
"""

from __future__ import annotations

from hub.models.users import ROLES
from hub.services import accounts
from hub.services.accounts import CentralUser
from shared.web import auth
from shared.web.auth import BEARER_SCHEME, SESSION_KEY, safe_next

__all__ = ["BEARER_SCHEME", "SESSION_KEY", "bearer_challenge", "safe_next"]

REALM = "giamngheo-hub"

signin: auth.SignIn[CentralUser] = auth.SignIn(
    accounts.ACCOUNTS,
    accounts.central_user,
    realm=REALM,
    roles=ROLES,
    login_endpoint="account.login",
)
init_app = signin.init_app
current_user = signin.current
require_user = signin.require
user_required = signin.required
login_required = signin.page_required()
log_in = signin.log_in
log_out = signin.log_out


def bearer_challenge(error: str | None = None) -> str:
    """The value of ``WWW-Authenticate`` for the hub's API."""
    return auth.bearer_challenge(REALM, error)
