"""How the API and the portal let applicants at their own application: the proof (phone or ID
number) only ever in a request's body, each attempt counted against guessing
(node.services.lookups) by the client's real address."""

from __future__ import annotations

from collections.abc import Mapping

from flask import request

from node.context import now
from node.extensions import db
from node.models.applications import Application
from node.services import lookups
from node.services.errors import NotFound

# Query parameters that would put a proof, or the code it goes with, into a URL: refused on the
# applicant's routes, so that no link, bookmark, Referer or log line ever carries one.
PROOF_PARAMETERS = frozenset({"phone", "citizen_id", "proof", "tracking_code", "code"})


def proof_in_query() -> bool:
    """Whether this request's query string names a proof or a tracking code."""
    return any(name.strip().lower() in PROOF_PARAMETERS for name in request.args)


def find_for_applicant(tracking_code: str, proof: Mapping[str, str]) -> Application:
    """The application this code and proof name; a wrong proof's count is committed before the
    NotFound goes on (the error handlers roll back), a refusal over the limit is a 429."""
    try:
        return lookups.find_for_applicant(
            db.session, tracking_code, client=request.remote_addr, now=now(), **proof
        )
    except NotFound:
        db.session.commit()
        raise
