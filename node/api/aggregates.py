"""`GET /api/v1/aggregates`: the signed aggregate snapshot, for the hub only (DESIGN §6).

Besides X-Signature over the exact body, the 200 and the 304 are bound to the hub's request:
with the hub's X-Giamngheo-Nonce, the node signs the nonce, its province, the period and the
snapshot id (shared/schemas/binding.py), so no answer can be recorded and served again later.
"""

from __future__ import annotations

import hmac

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from node.context import node_context, signing_key
from node.extensions import db
from node.services.aggregates import build_snapshot, latest_snapshot
from node.services.errors import ServiceError, ValidationFailed
from node.services.hub_access import bind, hub_token_valid, sign
from node.services.periods import current_period
from shared.schemas.binding import BINDING_HEADER, NONCE_HEADER, PERIOD_HEADER, is_nonce
from shared.web.caching import public

blp = Blueprint("aggregates", __name__, url_prefix="/api/v1", description="For the hub")


class HubUnauthorized(ServiceError):
    """The hub's token is missing or wrong."""

    status = 401
    code = "unauthorized"


@blp.route("/aggregates")
# Counts only (DESIGN §6): the hub revalidates it by its ETag.
@public
class Aggregates(MethodView):
    """The aggregate snapshot of a period: per-commune counts, signed, with its ETag."""

    @blp.response(200, description="the AggregateSnapshot (shared/schemas), exact signed bytes")
    @blp.alt_response(304, description="unchanged since the If-None-Match snapshot")
    @blp.doc(
        security=[{"bearerAuth": []}],
        parameters=[
            {
                "in": "header",
                "name": NONCE_HEADER,
                "required": False,
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{22,128}$"},
                "description": "the hub's fresh random nonce; the answer (200 or 304) then "
                f"carries {BINDING_HEADER}, the node's Ed25519 signature over "
                "giamngheo-pull-v1 LF nonce LF province LF period LF snapshot id, and "
                f"{PERIOD_HEADER}",
            }
        ],
    )
    def get(self):
        """The snapshot; one row read when the node has it, built first otherwise."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hub_token_valid(db.session, token.strip()):
            raise HubUnauthorized("The hub's bearer token is missing or wrong.")
        nonce = _nonce()
        context = node_context()
        period = _period(context.today)
        snapshot = latest_snapshot(db.session, period)
        if snapshot is None:
            snapshot = build_snapshot(
                db.session,
                context.province_code,
                period,
                context.now,
                current_app.config["SUPPRESSION_K"],
            )
            db.session.commit()
        etag = f'"{snapshot.snapshot_id}"'
        # Each answer is bound to one request: no cache may keep it for another.
        headers = {"ETag": etag, "Cache-Control": "no-store", PERIOD_HEADER: str(period)}
        if nonce is not None:
            headers[BINDING_HEADER] = bind(
                signing_key(), nonce, context.province_code, period, snapshot.snapshot_id
            )
        if any(hmac.compare_digest(etag, tag.strip()) for tag in _if_none_match()):
            return Response(status=304, headers=headers)
        body = snapshot.body.encode("utf-8")
        headers["X-Signature"] = sign(signing_key(), body)
        return Response(body, status=200, mimetype="application/json", headers=headers)


def _if_none_match() -> list[str]:
    return [tag for tag in request.headers.get("If-None-Match", "").split(",") if tag.strip()]


def _nonce() -> str | None:
    """The hub's nonce, if it sent one (a request without one gets an unbound answer)."""
    nonce = request.headers.get(NONCE_HEADER)
    if nonce is not None and not is_nonce(nonce):
        raise ValidationFailed(
            "The nonce is malformed.", {NONCE_HEADER: "22 to 128 base64url characters"}
        )
    return nonce


def _period(today) -> int:
    raw = request.args.get("period")
    if raw is None:
        return current_period(today)
    # ASCII digits only: "²".isdigit() is true and int("²") fails.
    if not (raw.isascii() and raw.isdigit()) or not 2000 <= int(raw) <= 2100:
        raise ValidationFailed("The period is a year.", {"period": "a year such as 2026"})
    return int(raw)
