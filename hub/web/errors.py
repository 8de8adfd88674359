"""HTML error pages for people; programs get JSON from hub.api.errors."""

from flask import render_template
from werkzeug.exceptions import HTTPException


def error_page(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """An HTTP error as a page in the visitor's language, keeping headers such as Allow."""
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    code = error.code or 500
    return render_template("error.html", code=code), code, headers
