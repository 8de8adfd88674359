"""The node's own error page: a database outage during a resident's form keeps the answers.

Every other error page and JSON error is shared.web.errors'.
"""

from flask import render_template, request
from werkzeug.exceptions import ServiceUnavailable

from shared.web.errors import error_headers, error_page

CSRF_FIELD = "csrf_token"

# Forms whose answers a 503 page carries back: the resident portal's (no passwords; a request
# with files is not carried, a file cannot be put back into a page).
RESEND_BLUEPRINTS = frozenset({"portal"})


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
    return page, 503, error_headers(error)
