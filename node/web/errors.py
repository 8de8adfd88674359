"""HTML error pages for people; programs get JSON from node.api.errors."""

from flask import render_template, request
from werkzeug.exceptions import HTTPException, ServiceUnavailable

# Forms whose answers a 503 page carries back: the resident portal's (no passwords; a request
# with files is not carried, a file cannot be put back into a page).
RESEND_BLUEPRINTS = frozenset({"portal"})


def error_page(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """An HTTP error as a page in the visitor's language, keeping headers such as Allow."""
    code = error.code or 500
    return render_template("error.html", code=code), code, _headers(error)


def unavailable_page(error: ServiceUnavailable) -> tuple[str, int, dict[str, str]]:
    """The 503 page; for a resident's form, one that keeps every answer they sent.

    Without the browser script there is no draft on the device: the page carries the posted
    fields back as hidden inputs (with their CSRF token and idempotency key), so "Send again"
    a few minutes later posts the very same form and can never make a second application.
    """
    if request.method != "POST" or request.blueprint not in RESEND_BLUEPRINTS or request.files:
        return error_page(error)
    fields = list(request.form.items(multi=True))
    action = request.full_path.rstrip("?")
    page = render_template("portal/unavailable.html", fields=fields, action=action)
    return page, 503, _headers(error)


def _headers(error: HTTPException) -> dict[str, str]:
    """The error's own headers (Allow, Retry-After…), without its content type."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
