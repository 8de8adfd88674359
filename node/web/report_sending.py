"""The officials' pages' one way to mark a report sent to the province (the monthly and the annual
report): send, commit, and on a refusal roll back and show the report again with why."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Response, flash, redirect
from flask_babel import gettext as _

from node.extensions import db
from node.services.errors import Conflict, ValidationFailed
from node.web.officials import commit

Render = Callable[[str, int], tuple[str, int]]


def mark_sent(
    send: Callable[[], object],
    render: Render,
    refusals: Mapping[str, object],
    field: str,
    done: str,
    then: str,
) -> Response | tuple[str, int]:
    """Run ``send``; a refused input shows ``refusals`` for its code (422), a report already
    sent says so (409); else flash ``done`` and go to ``then`` (303)."""
    try:
        send()
        commit()
    except ValidationFailed as error:
        db.session.rollback()
        refusal = refusals.get(error.fields.get(field, ""), refusals["invalid"])
        return render(str(refusal), 422)
    except Conflict:
        db.session.rollback()
        return render(_("This report was already sent to the province."), 409)
    flash(done, "success")
    return redirect(then, 303)
