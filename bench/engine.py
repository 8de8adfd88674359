"""Evaluations per second of the poverty standards engine on one core (target ≥ 50,000/s).

Run: .venv/bin/python bench/engine.py [--households 100000]
Prints the rate of the whole evaluate() (validation + rules + reasons) beside the rate of the
rules alone on already-validated facts, both measured in this run.
"""

from __future__ import annotations

import argparse
import collections
import platform
import random
import time

from shared.standards import assess, evaluate, standard_for, validate_facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    periods = [2026, 2027]
    households = [random_facts_for(rng, periods[i % 2]) for i in range(args.households)]

    started = time.perf_counter()
    classes = collections.Counter(evaluate(facts)["classification"] for facts in households)
    full = time.perf_counter() - started

    validated = []
    for facts in households:
        standard = standard_for(facts["period"])
        valid = validate_facts(facts, standard.household_facts, standard.member_facts)
        validated.append((valid, standard))
    started = time.perf_counter()
    for valid, standard in validated:
        assess(valid, standard)
    rules_only = time.perf_counter() - started

    count = len(households)
    print(f"python {platform.python_version()} ({platform.python_implementation()}), one core")
    print(f"households: {count:,} (periods 2026 and 2027), classes: {dict(classes)}")
    print(f"evaluate() end to end: {count / full:,.0f} evaluations/s ({full:.2f} s)")
    print(f"assess() on validated facts: {count / rules_only:,.0f} evaluations/s")
    print(f"validation share of evaluate(): {1 - rules_only / full:.0%}")
    print(f"target ≥ 50,000/s: {'met' if count / full >= 50_000 else 'NOT met'}")


def random_facts_for(rng: random.Random, period: int) -> dict:
    from shared.standards.synthetic import random_facts

    return random_facts(rng, period)


if __name__ == "__main__":
    main()
