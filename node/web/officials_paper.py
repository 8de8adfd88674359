"""Nhận hồ sơ giấy: a commune officer takes in a resident's paper form (DESIGN §2).

The same declaration as the resident portal — its steps, its checks, its self-assessment, the
same submission service — but in the officials' layout: the officer's commune chosen already,
the wording of a declaration made on the household's behalf, and the date the paper bears.
The submission records the officer who filed it (channel ``paper``, ``filed_by_id``) and that
date (``paper_dated_on``). ``g.paper_intake`` tells the portal's pages where they are.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, request
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from node.auth import signed_in
from node.context import node_context
from node.services.places import province_commune
from node.services.scopes import COMMUNE_OFFICER
from node.web import portal
from node.web.officials import bp, official


def _intake() -> None:
    """Mark the request as the paper intake of the signed-in officer's commune."""
    commune = official().commune_code or ""
    g.paper_intake = {
        "commune": commune,
        "commune_name": province_commune(current_app.config["PROVINCE_CODE"], commune).name,
        "today": node_context().today.isoformat(),
    }


@bp.get("/paper")
@signed_in(COMMUNE_OFFICER)
def paper() -> tuple[str, int]:
    """The declaration on the household's behalf, the officer's commune chosen."""
    _intake()
    values: MultiDict[str, Any] = MultiDict(request.args)
    started = any(name in request.args for name in ("people", "village"))
    values["commune"] = g.paper_intake["commune"]
    place = portal.read_place(values, strict=started)
    return portal.render_declaration(place, status=422 if place.errors else 200)


@bp.post("/paper")
@signed_in(COMMUNE_OFFICER)
def paper_post() -> tuple[str, int] | Response:
    """The declaration checked, and its self-assessment (the page without the script)."""
    _intake()
    return portal.declare_post()


@bp.post("/paper/submit")
@signed_in(COMMUNE_OFFICER)
def paper_submit() -> tuple[str, int] | Response:
    """Filed: the officer and the paper's date recorded with the application."""
    _intake()
    return portal.declare_submit()
