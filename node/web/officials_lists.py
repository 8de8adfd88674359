"""The list of farming, forestry, fishery and salt households with an average living standard
(Decision 24/2021 Art. 3) as an officials' page, for the signed-in official's unit and a period;
the same list the API gives (node.api.reports). Reading it is audited."""

from __future__ import annotations

from flask import render_template, request

from node.auth import signed_in
from node.context import node_context
from node.extensions import db
from node.services import audit
from node.services.livelihood_list import average_livelihood_households
from node.services.periods import current_period
from node.services.reports import REPORT_READERS
from node.web import officials_forms as words
from node.web.officials import bp, official
from shared import units


@bp.get("/lists/average-livelihood")
@signed_in(*REPORT_READERS)
def average_livelihood_list() -> tuple[str, int]:
    """The households on the list, by commune, village and head's name."""
    signer = official()
    context = node_context()
    period = words.parse_count(request.args.get("period"))
    if period is None or not 2000 <= period <= 2100:
        period = current_period(context.today)
    unit, rows = average_livelihood_households(
        db.session, signer, context.province_code, period, request.args.get("unit") or None
    )
    audit.record(db.session, signer, "list_average_livelihood", "report", None, context.now,
                 details={"unit": unit, "period": period})  # fmt: skip
    db.session.commit()
    name = (
        units.province(context.province_code).name
        if unit == context.province_code
        else units.commune(unit).name
    )
    communes = {c.code: c.name for c in units.communes(context.province_code)}
    return render_template(
        "officials/average_livelihood.html",
        rows=rows,
        unit=unit,
        unit_name=name,
        period=period,
        commune_names=communes,
    ), 200
