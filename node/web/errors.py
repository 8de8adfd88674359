"""HTML error pages for people; programs get JSON from node.api.errors."""

from flask import render_template, request
from werkzeug.exceptions import HTTPException, ServiceUnavailable

CSRF_FIELD = "csrf_token"

# Forms whose answers a 503 page carries back: the resident portal's (no passwords; a request
# with files is not carried, a file cannot be put back into a page).
RESEND_BLUEPRINTS = frozenset({"portal"})
# How long a client is told to wait when the database does not answer (a restart, a failover).
DATABASE_RETRY_AFTER_SECONDS = 10


def database_unavailable() -> ServiceUnavailable:
    """The 503 for a database that does not answer, with the Retry-After clients honour."""
    return ServiceUnavailable(
        "The database is not available right now; please try again in a moment.",
        retry_after=DATABASE_RETRY_AFTER_SECONDS,
    )


def error_page(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    """An HTTP error as a page in the visitor's language, keeping headers such as Allow."""
    code = error.code or 500
    return render_template("error.html", code=code), code, _headers(error)


def unavailable_page(error: ServiceUnavailable) -> tuple[str, int, dict[str, str]]:
    """The 503 page; for a resident's form, one that keeps every answer they sent.

    Without the browser script there is no draft on the device: the page carries the posted
    fields back as hidden inputs (with their idempotency key, and a fresh CSRF token in place of
    the posted one, which may be the expired one), so "Send again" a few minutes later posts the
    very same form and can never make a second application.
    """
    if request.method != "POST" or request.blueprint not in RESEND_BLUEPRINTS or request.files:
        return error_page(error)
    fields = [(name, value) for name, value in request.form.items(multi=True) if name != CSRF_FIELD]
    action = request.full_path.rstrip("?")
    page = render_template("portal/unavailable.html", fields=fields, action=action)
    return page, 503, _headers(error)


def _headers(error: HTTPException) -> dict[str, str]:
    """The error's own headers (Allow, Retry-After…), without its content type."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
