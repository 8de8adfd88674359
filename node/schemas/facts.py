"""Household facts (RULES §4) in the schemas: the member questions that depend on age, the
facts' shape for the OpenAPI document (drawn from the facts catalogue), and a field that checks
them with the standards engine.

The engine is the one judge of facts: the field runs it and gives its messages in the request's
language, keyed by the facts' paths (``facts.members.1.birth_date``), so the API and the
verification form name the same wrong answers in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from flask_babel import get_locale

from shared.standards import InvalidFacts, evaluate, facts_catalog
from shared.web.fields import Dict


@dataclass(frozen=True)
class MemberQuestion:
    """A question about each member; asked only from ``min_age`` and below ``below_age``.

    Where it is not asked, the member's fact is ``default``: the rules never read it at that age
    (working age starts at 15, the nutrition indicator is for children under 16, …).
    """

    name: str
    min_age: int | None = None
    below_age: int | None = None
    default: Any = None

    def applies(self, age: int | None) -> bool:
        """Whether a member of ``age`` full years is asked (an unknown age is asked everything)."""
        if age is None:
            return True
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.below_age is not None and age >= self.below_age)

    def to_json(self) -> dict[str, Any]:
        """The question as the browser script reads it."""
        spec = facts_catalog()["member_fields"][self.name]
        return {
            "name": self.name,
            "type": spec["type"],
            "minAge": self.min_age,
            "belowAge": self.below_age,
            "default": self.default,
        }


MEMBER_QUESTIONS = (
    MemberQuestion("relation"),
    MemberQuestion("sex"),
    MemberQuestion("birth_date"),
    MemberQuestion("employment", min_age=15, default="not_in_labour_force"),
    MemberQuestion("has_health_insurance"),
    MemberQuestion("disability"),
    MemberQuestion("in_school", min_age=3, default=False),
    MemberQuestion("education_level", min_age=6, default="none"),
    MemberQuestion("in_training", min_age=15, default=False),
    MemberQuestion("malnourished", below_age=16, default=False),
)


def relevant_codes(codes: Mapping[str, str]) -> dict[str, str]:
    """The errors worth showing: whether an age-dependent question is asked depends on the
    member's birth date, so while that date is wrong the question's own error waits."""
    restricted = {q.name for q in MEMBER_QUESTIONS if q.min_age is not None or q.below_age}
    relevant = {}
    for path, code in codes.items():
        parts = path.split(".")
        if (
            len(parts) == 3
            and parts[0] == "members"
            and parts[2] in restricted
            and f"members.{parts[1]}.birth_date" in codes
        ):
            continue
        relevant[path] = code
    return relevant


_TYPES: dict[str, dict[str, Any]] = {
    "integer": {"type": "integer"},
    "money": {"type": "integer", "minimum": 0},
    "number": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
    "date": {"type": "string", "format": "date"},
    "boolean": {"type": "boolean"},
}


def _property(spec: dict[str, Any]) -> dict[str, Any]:
    if spec["type"] == "enum":
        return {"type": "string", "enum": list(spec["values"])}
    prop = dict(_TYPES.get(spec["type"], {"type": "string"}))
    if spec["type"] == "date":
        # JSON Schema bounds numbers only: a date's plausible range is said in words.
        if "min" in spec or "max" in spec:
            prop["description"] = f"from {spec.get('min', '…')} to {spec.get('max', '…')}"
        return prop
    if "min" in spec:
        prop["minimum"] = spec["min"]
    if "max" in spec:
        prop["maximum"] = spec["max"]
    return prop


def facts_json_schema() -> dict[str, Any]:
    """The household facts as an OpenAPI schema object: every fact the catalogue describes."""
    catalog = facts_catalog()
    required = catalog["always_required"]
    member = {
        "type": "object",
        "properties": {name: _property(spec) for name, spec in catalog["member_fields"].items()},
        "required": [path.split(".")[2] for path in required if path.startswith("members.*.")],
    }
    properties: dict[str, Any] = {}
    groups: dict[str, dict[str, Any]] = {}
    for path, spec in catalog["fields"].items():
        if spec["type"] == "members":
            properties[path] = {
                "type": "array",
                "items": member,
                "minItems": 1,
                "maxItems": catalog["max_members"],
            }
        elif "." in path:
            group, name = path.split(".")
            groups.setdefault(group, {"type": "object", "properties": {}})
            groups[group]["properties"][name] = _property(spec)
        else:
            properties[path] = _property(spec)
    properties.update(groups)
    return {
        "type": "object",
        "description": "household facts (RULES §4); the facts a standard needs are required",
        "properties": properties,
        "required": [path for path in required if "." not in path],
    }


def facts_messages(codes: dict[str, str]) -> dict[str, str]:
    """The engine's error codes as messages in the request's language, by fact path.

    While a member's birth date is wrong, the questions that depend on the age wait; a group's
    own error (``housing`` missing as a whole) gives way to the errors of its facts.
    """
    lang = "en" if str(get_locale() or "vi") == "en" else "vi"
    texts = facts_catalog()["errors"]
    relevant = relevant_codes(codes)
    return {
        path: texts[code][lang]
        for path, code in relevant.items()
        if "." in path or not any(other.startswith(path + ".") for other in relevant)
    }


class HouseholdFacts(Dict):
    """Household facts, valid for the standard of their period (the engine says why not)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {**facts_json_schema(), **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        facts = super()._deserialize(value, attr, data, **kwargs)
        try:
            evaluate(facts)
        except InvalidFacts as error:
            raise ma.ValidationError(facts_messages(error.codes)) from None
        return facts
