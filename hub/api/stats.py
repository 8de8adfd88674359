"""`GET /api/v1/stats`: national, provincial and commune figures from the current snapshots."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from hub.api.schemas import StatsQuerySchema, StatsSchema
from hub.auth import signin
from hub.extensions import db
from hub.services import stats

blp = Blueprint("stats", __name__, url_prefix="/api/v1", description="Aggregate figures")


@blp.route("/stats")
class Stats(MethodView):
    """Summed counts."""

    @signin.required()
    @blp.arguments(StatsQuerySchema, location="query", unknown=ma.RAISE)
    @blp.response(200, StatsSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, query):
        """The counts of every AggregateSnapshot row, summed per unit, and the deprivations.

        `level=national` (default): one item, code `VN`. `level=province`: one item per province
        with data, or the province `code` alone. `level=commune`: the communes of province
        `code`. Each province counts with the snapshot its node served last for the period,
        official (closed) or provisional: `official` says which. Periods no node has figures for
        answer with the published results of the Ministry's decisions (`source: "published"`).
        `projected_poor` and `projected_near_poor`: the households whose facts the nodes hold,
        classified under the next national standard. Without `period`, the latest period with
        data.
        """
        level = query["level"]
        code = query.get("code")
        stats.check_query(level, code)
        period = query.get("period") or stats.latest_period(db.session)
        if period is not None:
            items = stats.stats(db.session, period=period, level=level, code=code)
        else:
            items = stats.empty_national() if level == "national" else []
        return {"period": period, "level": level, "items": [stats.with_rates(i) for i in items]}
