"""The public national entry page: every province, linking to its node's resident portal."""

from flask import Blueprint, current_app, render_template

from hub.extensions import db
from hub.services.nodes import node_statuses
from shared.web.caching import public
from shared.web.clock import now

bp = Blueprint("pages", __name__)


@bp.get("/")
@public
def index() -> str:
    """ "Chọn nơi bạn sinh sống": the 34 provinces, online or not yet connected. Public."""
    statuses = node_statuses(db.session, now=now(), stale_factor=current_app.config["STALE_FACTOR"])
    return render_template("index.html", statuses=statuses)
