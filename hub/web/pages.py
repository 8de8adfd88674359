"""Public pages of the hub."""

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """The national overview (figures arrive with the node registry and pulls)."""
    return render_template("index.html")
