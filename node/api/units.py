"""`GET /api/v1/units`: the province's communes, or a commune's villages."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from node.extensions import db
from node.schemas.public import UnitListSchema, UnitQuerySchema
from node.services.places import commune_units, village_units
from shared.web.caching import public

blp = Blueprint("units", __name__, url_prefix="/api/v1", description="Administrative units")


@blp.route("/units")
@public
class Units(MethodView):
    """Communes and villages."""

    @blp.arguments(UnitQuerySchema, location="query")
    @blp.response(200, UnitListSchema)
    def get(self, query):
        """Without `parent`, the communes of the province; with a commune code, its villages."""
        province = current_app.config["PROVINCE_CODE"]
        parent = query.get("parent")
        if parent is None:
            return {"items": commune_units(db.session, province)}
        return {"items": village_units(db.session, province, parent)}
