"""Public pages of the node."""

from flask import Blueprint, current_app, render_template

from shared.units import province
from shared.web.caching import public

bp = Blueprint("pages", __name__)


def site_context() -> dict[str, object]:
    """Template variables every page needs: the province this node serves."""
    return {"province": province(current_app.config["PROVINCE_CODE"])}


@bp.get("/")
@public
def index() -> str:
    """The resident's start page: self-assessment and registration."""
    return render_template("index.html")
