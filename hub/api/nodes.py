"""`GET /api/v1/nodes`: the registered nodes and the freshness of their figures."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from hub.api.schemas import NodeListSchema
from hub.auth import signin
from hub.extensions import db
from hub.services.nodes import node_statuses
from shared.web.clock import now

blp = Blueprint("nodes", __name__, url_prefix="/api/v1", description="The provincial nodes")


@blp.route("/nodes")
class Nodes(MethodView):
    """The node registry."""

    @signin.required()
    @blp.response(200, NodeListSchema)
    def get(self):
        """Every registered node, by province code: URL, last success, last outcome, stale."""
        statuses = node_statuses(
            db.session, now=now(), stale_factor=current_app.config["STALE_FACTOR"]
        )
        return {
            "items": [
                {
                    "province_code": status.province_code,
                    "url": status.url,
                    "last_success_at": status.last_success_at,
                    "last_status": status.last_status,
                    "stale": status.stale,
                }
                for status in statuses
                if status.registered
            ]
        }
