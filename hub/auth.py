"""Who signs a request to the hub: a central user, by web session or API bearer token.

The resolver, the guards and sign-in/out are ``shared.web.auth``'s ``SignIn``, over the hub's
accounts: API views use ``signin.required()``, pages ``login_required`` (which sends visitors
to the sign-in page).
"""

from __future__ import annotations

from hub.models.users import ROLES
from hub.services import accounts
from hub.services.accounts import CentralUser
from shared.web.auth import SignIn

signin: SignIn[CentralUser] = SignIn(
    accounts.ACCOUNTS,
    accounts.central_user,
    realm="giamngheo-hub",
    roles=ROLES,
    login_endpoint="account.login",
)
login_required = signin.page_required()
