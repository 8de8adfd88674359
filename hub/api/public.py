"""Open data without sign-in: `GET /api/v1/public/stats` (official and published figures only,
each with its sources) and `GET /api/v1/public/snapshots/<snapshot_id>` (the exact bytes a node
signed, to check a figure's signature)."""

from __future__ import annotations

import re

import marshmallow as ma
from flask import Response, abort
from flask.views import MethodView
from flask_smorest import Blueprint

from hub.api.schemas import PublicStatsQuerySchema, PublicStatsSchema
from hub.extensions import db
from hub.services import open_data, stats
from shared.web.caching import public

# Published and official figures only, the same for everyone: caches may keep them.
blp = public(Blueprint("public", __name__, url_prefix="/api/v1/public", description="Open data"))

SNAPSHOT_ID = re.compile(r"[0-9a-f]{64}", re.ASCII)
PUBLIC_KEY_HEADER = "X-Giamngheo-Public-Key"


@blp.route("/stats")
class PublicStats(MethodView):
    """Official and published figures."""

    @blp.arguments(PublicStatsQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, PublicStatsSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, query):
        """The official (closed) figures of the nodes and the published results, never
        provisional ones.

        `level=national` (default) or `province`. Each item says where its figures come from
        (`sources`): the Ministry's decision for published results; for a node's, the province,
        the decision that closed the period and its revision, the snapshot id and the node's
        Ed25519 signature, with `verify_url` serving the exact signed bytes. Without `period`,
        the latest period with such figures.
        """
        level = query["level"]
        code = query.get("code")
        stats.check_query(level, code)
        period = query.get("period") or open_data.latest_public_period(db.session)
        items = (
            open_data.public_stats(db.session, period=period, level=level, code=code)
            if period is not None
            else []
        )
        return {"period": period, "level": level, "items": items}


@blp.route("/snapshots/<snapshot_id>")
class SignedSnapshot(MethodView):
    """An official snapshot as its node signed it."""

    @blp.response(200, description="the exact bytes the node signed (AggregateSnapshot JSON)")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, snapshot_id):
        """The exact body of an official snapshot, with `X-Signature` (the node's Ed25519
        signature over these bytes, base64) and `X-Giamngheo-Public-Key` (the node's key, raw,
        base64). Provisional snapshots are not published: 404."""
        if not SNAPSHOT_ID.fullmatch(snapshot_id):
            abort(404)
        snapshot = open_data.signed_snapshot(db.session, snapshot_id)
        if snapshot is None:
            abort(404)
        return Response(
            snapshot.signed_body.encode("utf-8"),
            mimetype="application/json",
            headers={
                "X-Signature": snapshot.signature or "",
                PUBLIC_KEY_HEADER: snapshot.public_key or "",
                "Cache-Control": "public, max-age=3600",
            },
        )
