"""Poverty standards as data and the engine that classifies households (DESIGN §4).

from shared.standards import evaluate, standard_for
assessment = evaluate(household_facts)  # the standard for facts["period"]
"""

from shared.standards.catalog import facts_catalog
from shared.standards.engine import age_in_months, assess, evaluate
from shared.standards.rules import StandardError
from shared.standards.standard import (
    Indicator,
    Standard,
    UnknownStandard,
    get_standard,
    load_standard,
    national_standards,
    standard_for,
)
from shared.standards.validation import InvalidFacts, parse_date, validate_facts

__all__ = [
    "Indicator",
    "InvalidFacts",
    "Standard",
    "StandardError",
    "UnknownStandard",
    "age_in_months",
    "assess",
    "evaluate",
    "facts_catalog",
    "get_standard",
    "load_standard",
    "national_standards",
    "parse_date",
    "standard_for",
    "validate_facts",
]
