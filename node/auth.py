"""Who signs a request to the node: an official, by web session or API bearer token.

The resolver, the guards and sign-in/out are ``shared.web.auth``'s, over the node's accounts;
views ask ``current_official()`` and guard API views with ``official_required``.
"""

from __future__ import annotations

from node.services import accounts
from node.services.scopes import ROLES, Official
from shared.web import auth
from shared.web.auth import BEARER_SCHEME, SESSION_KEY

__all__ = ["BEARER_SCHEME", "SESSION_KEY", "bearer_challenge"]

REALM = "giamngheo"

signin: auth.SignIn[Official] = auth.SignIn(
    accounts.ACCOUNTS,
    accounts.official_for_user,
    realm=REALM,
    roles=ROLES,
    login_endpoint="officials.login",
)
init_app = signin.init_app
current_official = signin.current
require_official = signin.require
current_credential = signin.credential
official_required = signin.required
signed_in = signin.page_required
log_in = signin.log_in
log_out = signin.log_out


def bearer_challenge(error: str | None = None) -> str:
    """The value of ``WWW-Authenticate`` for the node's API."""
    return auth.bearer_challenge(REALM, error)
