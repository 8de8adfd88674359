"""`GET /healthz`: for load balancers and monitoring."""

from flask.views import MethodView
from flask_smorest import Blueprint

from hub.api.schemas import HealthSchema
from hub.database import database_answers

# Seconds a load balancer should wait before asking again after a failure.
RETRY_AFTER_SECONDS = 30

blp = Blueprint("health", __name__, description="Liveness and database check")


@blp.route("/healthz")
class Health(MethodView):
    """The health of the hub."""

    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="The database does not answer")
    def get(self):
        """Whether the hub and its database answer."""
        if database_answers():
            return {"status": "ok", "db": "ok"}
        return {"status": "error", "db": "error"}, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
