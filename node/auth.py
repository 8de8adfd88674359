"""Who signs a request to the node: an official, by web session or API bearer token.

The resolver, the guards and sign-in/out are ``shared.web.auth``'s, over the node's accounts;
views ask ``current_official()`` and guard API views with ``official_required``, pages with
``signed_in``.
"""

from __future__ import annotations

from node.services import accounts
from node.services.scopes import ROLES, Official
from shared.web.auth import SignIn

signin: SignIn[Official] = SignIn(
    accounts.ACCOUNTS,
    accounts.official_for_user,
    realm="giamngheo",
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
