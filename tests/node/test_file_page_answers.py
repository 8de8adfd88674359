"""The file page and the verification form show only what the resident answered (issue 15,
part 2): a default held for a question the member's age does not ask is never filled in as an
answer, and a question the resident did not answer is never marked changed."""

from __future__ import annotations

import copy

from node.web.officials_forms import facts_comparison, facts_to_form
from shared.standards import facts_catalog
from tests.builders import adult, household

CHILD = adult(relation="child", birth_date="2021-06-01", employment="not_in_labour_force",
              education_level="none", in_school=False, in_training=False)  # fmt: skip


def declared_and_verified() -> tuple[dict, dict]:
    declared = household(members=[adult(), CHILD])
    del declared["members"][0]["disability"]  # the resident left it out
    verified = copy.deepcopy(declared)
    verified["members"][0]["disability"] = False
    verified["water"] = {"source": "surface_water"}
    return declared, verified


def test_a_default_for_a_question_not_asked_at_the_members_age_is_not_filled_in(app):
    declared, _ = declared_and_verified()
    with app.test_request_context():
        values = facts_to_form(declared)
    assert values["members.0.employment"] == "employed"
    # A five-year-old is not asked about work or training: the defaults are nobody's answer.
    assert values["members.1.employment"] == ""
    assert values["members.1.in_training"] == ""
    assert values["members.1.malnourished"] == "no"  # asked below 16
    assert values["members.0.disability"] == ""  # left out by the resident


def test_only_an_answer_the_resident_gave_is_marked_changed(app):
    declared, verified = declared_and_verified()
    with app.test_request_context():
        compared = facts_comparison(declared, verified, "vi")
    changed = [row["label"] for row in compared["household"] if row["differs"]]
    assert changed == [facts_catalog()["fields"]["water.source"]["label"]["vi"]]
    head, child = compared["members"]
    assert not any(row["differs"] for row in head)  # disability: not answered, not "changed"
    assert not any(row["differs"] for row in child)
