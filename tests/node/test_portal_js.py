"""The browser script reads the declaration form into exactly the facts the server reads.

With JavaScript the facts are built in the browser (static/js/portal.js) and sent to the API;
without it, node/web/portal_form.py builds them from the posted form. Both must agree.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from node.web import portal_form
from tests.node.portal_helpers import household_form

PORTAL_JS = Path(__file__).resolve().parents[2] / "node" / "static" / "js" / "portal.js"
NODE = shutil.which("node") or shutil.which("nodejs")
REFERENCE = date(2026, 11, 28)
STEPS = portal_form.asked_facts(portal_form.standards_for(2026))
OPTIONS = {
    "period": 2026,
    "referenceDate": REFERENCE.isoformat(),
    "area": "rural",
    "memberQuestions": [question.to_json() for question in portal_form.MEMBER_QUESTIONS],
    "householdFields": [
        {"name": path, "type": portal_form.facts_catalog()["fields"][path]["type"]}
        for _, paths in STEPS
        for path in paths
    ],
}

FORMS = [
    household_form(),
    household_form(
        **{
            "income_period": "annual",
            "income": "36 000 000 đồng",
            "members.0.birth_date": "2/5/1980",
            "housing.floor_area_m2": "24,5",
        }
    ),
    # What people get wrong: the engine must be handed it as typed, to name it.
    household_form(
        **{
            "income": "hai triệu",
            "members.0.birth_date": "1980-13-45",
            "members.1.birth_date": "",
            "housing.floor_area_m2": "12m2",
            "water.source": "",
            "information.uses_telecom": "maybe",
            "members.0.sex": " ",
        }
    ),
    # A baby and a 70-year-old: questions that do not apply get their defaults.
    household_form(
        **{
            "members.0.birth_date": "1956-01-01",
            "members.1.birth_date": "2026-01-15",
            "members.1.in_school": "yes",
            "members.1.employment": "employed",
            "members.0.malnourished": "yes",
        }
    ),
    {"income": "", "income_period": "monthly"},
]


def js(function: str, *args):
    if NODE is None:
        pytest.fail("Node.js is needed to run the portal script (install Debian's nodejs)")
    script = (
        f"const portal = require({json.dumps(str(PORTAL_JS))});"
        "const args = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        f"process.stdout.write(JSON.stringify(args.map(a => portal.{function}(...a))));"
    )
    completed = subprocess.run(
        [NODE, "-e", script],
        input=json.dumps(list(args)),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(completed.stdout)


def test_the_browser_builds_the_same_facts_from_the_same_fields():
    browser = js("factsFromFields", *[[form, {**OPTIONS, "members": 2}] for form in FORMS])

    server = [
        portal_form.form_to_facts(
            form, members=2, asked=STEPS, period=2026, area="rural", reference_date=REFERENCE
        )
        for form in FORMS
    ]
    assert browser == server
    # And they are what a person meant.
    assert server[1]["annual_income"] == 36_000_000
    assert server[1]["members"][0]["birth_date"] == "1980-05-02"
    assert server[2]["monthly_income"] == "hai triệu"
    assert server[3]["members"][1]["in_school"] is False
    assert server[3]["members"][1]["employment"] == "not_in_labour_force"
    assert server[3]["members"][0]["malnourished"] is False


def test_the_browser_holds_back_the_same_errors():
    codes = {
        "members.0.birth_date": "date",
        "members.0.malnourished": "required",
        "members.0.has_health_insurance": "required",
        "members.1.employment": "required",
        "monthly_income": "income_missing",
    }

    [browser] = js("relevantCodes", [codes, OPTIONS["memberQuestions"]])

    assert browser == portal_form.relevant_codes(codes)
    assert "members.0.malnourished" not in browser
    assert "members.0.has_health_insurance" in browser


def test_input_ids_agree():
    names = ["members.0.birth_date", "housing.floor_area_m2", "income", "full_name"]

    assert js("inputId", *[[name] for name in names]) == [portal_form.input_id(n) for n in names]
