"""The field app's pure functions (static/js/field.js), run in Node.js: the form starts from the
resident's answers and nothing else, a question the resident was not asked is never "changed",
the facts it sends are the ones the form shows, and the meeting's rule is the server's."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from node.api.field import asked_questions
from node.services.workflow import meeting_target
from shared.standards.catalog import facts_catalog
from tests.builders import adult, household

FIELD_JS = Path(__file__).resolve().parents[2] / "node" / "static" / "js" / "field.js"
NODE = shutil.which("node") or shutil.which("nodejs")
VISIT = "2026-11-28"
CHILD = adult(relation="child", birth_date="2021-06-01", employment="not_in_labour_force",
              education_level="none", in_school=False, in_training=False)  # fmt: skip


def js(function: str, *args):
    if NODE is None:
        pytest.fail("Node.js is needed to run the field app's script (install Debian's nodejs)")
    script = (
        f"const field = require({json.dumps(str(FIELD_JS))});"
        "const args = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        f"process.stdout.write(JSON.stringify(args.map(a => field.{function}(...a))));"
    )
    completed = subprocess.run([NODE, "-e", script], input=json.dumps(list(args)),
                               capture_output=True, text=True, check=True, timeout=60)  # fmt: skip
    return json.loads(completed.stdout)


def downloaded(facts: dict) -> dict:
    """A household as GET /api/v1/field-work hands it to the phone."""
    return {"period": 2026, "declared_facts": facts, "asked": asked_questions(2026),
            "applicant_name": "Lò Văn Páo", "applicant_citizen_id": "001080050000"}  # fmt: skip


def test_the_form_sends_back_what_the_resident_declared_when_nothing_changed():
    declared = household(members=[adult(), CHILD])
    item = downloaded(declared)

    [values] = js("initialValues", [item, facts_catalog()])
    [facts] = js("factsFrom", [values, item, 2, VISIT, facts_catalog()])

    # The verification asks what the period's standard needs; the rest is not sent.
    asked = {path for step in item["asked"]["household_steps"] for path in step["paths"]}
    expected = {**declared, "reference_date": VISIT}
    for path in facts_catalog()["fields"]:
        group, _, name = path.partition(".")
        if name and path not in asked and group in expected:
            expected[group] = {k: v for k, v in expected[group].items() if k != name}
            expected = {k: v for k, v in expected.items() if v != {}}
    assert facts == expected
    assert "waste" not in facts
    assert values["identities.0.full_name"] == "Lò Văn Páo"
    assert "identities.1.full_name" not in values


def test_an_answer_the_resident_did_not_give_is_never_filled_in():
    declared = household(members=[adult()])
    del declared["monthly_income"]
    del declared["information"]["uses_internet"]
    del declared["members"][0]["disability"]
    item = downloaded(declared)

    [values] = js("initialValues", [item, facts_catalog()])
    [facts] = js("factsFrom", [values, item, 1, VISIT, facts_catalog()])

    assert "income" not in values
    assert "information.uses_internet" not in values
    assert "members.0.disability" not in values
    assert "uses_internet" not in facts["information"]
    assert "monthly_income" not in facts
    assert "annual_income" not in facts
    assert "disability" not in facts["members"][0]


def test_only_an_answer_the_resident_gave_can_be_marked_changed():
    cases = [
        [None, "boolean", "yes"],  # not asked of the resident: never "changed"
        [True, "boolean", "yes"],
        [True, "boolean", "no"],
        [1_000_000, "money", "1.000.000"],
        [1_000_000, "money", "800.000"],
        ["piped", "enum", "piped"],
        ["piped", "enum", "surface_water"],
    ]
    assert js("changed", *cases) == [False, False, True, False, True, False, True]


def test_the_phone_applies_the_meeting_rule_the_server_does():
    rule = {"numerator": 50, "denominator": 100}  # the procedure data's threshold, in percent
    cases = [[agreeing, attendees, rule] for attendees in range(1, 25)
             for agreeing in range(attendees + 1)]  # fmt: skip
    on_phone = js("passes", *cases)
    on_server = [meeting_target(a, n) == "meeting_held" for a, n, _ in cases]
    assert on_phone == on_server
    assert js("passes", [9, 20, rule], [10, 20, rule]) == [False, True]
