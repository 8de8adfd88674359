"""The browser engine (node/static/js/engine.js) gives exactly the Python engine's answers.

The portal computes the self-assessment in the browser, offline if need be, from the same JSON
files; a resident must never see one result on the phone and another at the commune.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from shared.standards import InvalidFacts, evaluate, facts_catalog, national_standards
from shared.standards.synthetic import random_facts
from tests.shared.conftest import load_cases

ROOT = Path(__file__).resolve().parents[2]
ENGINE_JS = ROOT / "node" / "static" / "js" / "engine.js"
RUNNER = Path(__file__).with_name("run_js_engine.js")
NODE = shutil.which("node") or shutil.which("nodejs")


LIVELIHOODS = ("agriculture", "forestry", "fishery", "salt", "other", None, "mining")


def python_answer(facts, standard_id=None):
    try:
        return {"assessment": evaluate(facts, standard_id)}
    except InvalidFacts as error:
        return {"errors": error.codes}


def js_answers(households):
    if NODE is None:
        pytest.fail("Node.js is needed to run the browser engine (install Debian's nodejs)")
    payload = {
        "standards": [standard.to_json() for standard in national_standards()],
        "catalog": facts_catalog(),
        "households": households,
    }
    completed = subprocess.run(
        [NODE, str(RUNNER), str(ENGINE_JS)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(completed.stdout)


def corrupt(facts, rng):
    """One realistic mistake a form or a program could make."""
    broken = copy.deepcopy(facts)
    choice = rng.randrange(11)
    member = rng.choice(broken["members"])
    if choice == 0:
        member["birth_date"] = "2030-01-01"
    elif choice == 1:
        member["sex"] = "x"
    elif choice == 2:
        del member[rng.choice(list(member))]
    elif choice == 3:
        broken["housing"]["floor_area_m2"] = rng.choice([0, -3, "12", None])
    elif choice == 4:
        broken["monthly_income"] = broken["annual_income"] = 1
    elif choice == 5:
        del broken[rng.choice(["water", "sanitation", "information", "area", "period"])]
    elif choice == 6:
        broken["members"] = [dict(m, relation="child") for m in broken["members"]]
    elif choice == 7:
        broken["extra"] = True
        member["nickname"] = "Bé"
    elif choice == 8:
        broken["period"] = rng.choice([2019, 2031, "2026"])
    elif choice == 9:
        broken["reference_date"] = rng.choice(["2026-02-30", "1/10/2026", None])
    else:
        # Implausible values (issue 12): refused alike, by the data's bounds.
        which = rng.randrange(5)
        if which == 0:
            broken.pop("annual_income", None)
            broken["monthly_income"] = rng.choice([10**30, 10_000_000_001, 1e300])
        elif which == 1:
            broken["housing"]["floor_area_m2"] = rng.choice([1e300, 10_000.5, 10**12])
        elif which == 2:
            member["birth_date"] = rng.choice(["0001-01-01", "1899-12-31"])
        elif which == 3:
            broken["reference_date"] = rng.choice(["2099-10-01", "2000-01-01"])
        else:
            broken.pop("monthly_income", None)
            broken["annual_income"] = 120_000_000_001
    return broken


def test_browser_engine_matches_python_on_cases_generated_and_broken_households():
    rng = random.Random(7)
    households = [{"facts": case["facts"], "standard_id": None} for case in load_cases()]
    for period in (2022, 2026, 2027, 2030):
        households += [{"facts": random_facts(rng, period), "standard_id": None} for _ in range(80)]
    # During 2026 the portal also shows the 2027–2030 result for the same facts.
    households += [
        {"facts": random_facts(rng, 2026), "standard_id": "VN-2027-2030"} for _ in range(40)
    ]
    # The main livelihood (issue 14): each of its values, and none, on every fifth household.
    for index, household in enumerate(households):
        source = LIVELIHOODS[index % len(LIVELIHOODS)]
        if source is not None:
            household["facts"]["main_income_source"] = source
    valid = [h["facts"] for h in households[: len(households) // 2]]
    households += [{"facts": corrupt(f, rng), "standard_id": None} for f in valid]
    households += [{"facts": value, "standard_id": None} for value in ([], "x", None, {})]

    expected = [python_answer(h["facts"], h["standard_id"]) for h in households]
    actual = js_answers(households)

    assert len(actual) == len(expected)
    mismatches = [(h["facts"], e, a) for h, e, a in zip(households, expected, actual) if e != a]
    assert not mismatches, mismatches[:3]
    kinds = {"errors" if "errors" in e else e["assessment"]["classification"] for e in expected}
    assert kinds >= {"errors", "poor", "near_poor", "average", "not_poor"}
    listed = [e["assessment"]["average_livelihood"] for e in expected if "assessment" in e]
    assert True in listed
    assert False in listed
    assert any("main_income_source" in e.get("errors", {}) for e in expected)
    # Low-income workers (Decree 30/2025): some households have them, under the 2022–2025 lines.
    workers = [e["assessment"]["low_income_workers"] for e in expected if "assessment" in e]
    assert any(workers)
    assert not all(workers)
