"""Reading the officials' forms, and their words: labels, plain-language facts and messages.

The village head's verification form is the resident's declaration form (node.web.portal_form:
the same inputs, named by the household facts' paths, parsed by ``form_to_facts``) plus each
member's name, ID number and ethnicity; ``facts_to_form`` fills it from facts on file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from node.schemas import review as schemas
from node.services import search
from node.services.errors import Refusal
from node.services.workflow import step_key
from node.web.portal_form import (
    INCOME,
    INCOME_PERIOD,
    MEMBER_QUESTIONS,
    NO,
    OPTIONAL_STEPS,
    YES,
    age_on,
    asked_facts,
)
from shared.numbers import DECIMALS, format_number
from shared.standards import facts_catalog, standard_for

IDENTITY_FIELDS = ("full_name", "citizen_id", "ethnicity")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")

STATUSES = {
    "submitted": _l("Submitted"),
    "under_review": _l("Under review"),
    "meeting_held": _l("Village meeting held"),
    "posted": _l("Publicly posted"),
    "decided": _l("Decided"),
    "withdrawn": _l("Withdrawn"),
}
KINDS = {
    "enter": _l("Request for review of poor and near-poor households (form 01)"),
    "exit": _l("Request for recognition as out of poverty or near-poverty (form 04)"),
    "average": _l(
        "Request to identify a farming, forestry, fishery or salt household with an "
        "average living standard"
    ),
    "low_income": _l("Request to identify low-income workers"),
}
CHANNELS = {
    "portal": _l("Online portal"),
    "paper": _l("Paper form at the commune"),
    "periodic": _l("Annual periodic review"),
}
CLASSIFICATIONS = {
    "poor": _l("Poor household"),
    "near_poor": _l("Near-poor household"),
    "average": _l("Household with an average living standard"),
    "not_poor": _l("Non-poor household"),
}
# The search's refusals (node.services.search), in the official's language.
SEARCH_MESSAGES = {
    search.TOO_LONG: _l("Enter at most 100 characters."),
    search.CONTROL: _l("Remove the control characters from the search."),
    search.DIGITS: _l("Type the digits 0-9."),
    search.NOT_A_CODE: _l("Enter a tracking code, a 12-digit ID number or words of a name."),
    search.TOO_MANY_WORDS: _l("Enter at most 8 words of a name."),
}


def search_message(refusal: str) -> str:
    """A refused search in the official's words."""
    return str(SEARCH_MESSAGES.get(refusal, SEARCH_MESSAGES[search.NOT_A_CODE]))


OUTCOMES = {"recognised": _l("Recognised"), "refused": _l("Not recognised")}
ROLES = {
    "village_head": _l("Village head"),
    "commune_officer": _l("Commune officer"),
    "commune_chair": _l("Commune chair"),
    "province_officer": _l("Provincial officer"),
    "province_admin": _l("Provincial administrator"),
}
# What each open status waits for (node.services.worklist.NEXT_STEP), in the officials' words.
NEXT_STEPS = {
    "submitted": _l("Start the review and assign the village head"),
    "under_review": _l("Verify at the household, then hold the village meeting"),
    "under_review_confirmation": _l(
        "Verify at the household, then post the results publicly "
        "at the commune office (no village meeting)"
    ),
    "meeting_held": _l("Post the results publicly"),
    "posted": _l("The commune chair decides after the posting ends"),
}


def next_step(kind: str, status: str) -> str:
    """What an application of ``kind`` waits for at ``status``, in the officials' words."""
    return str(NEXT_STEPS[step_key(kind, status)])


HISTORY = {
    "submit": _l("Application submitted"),
    "withdraw": _l("Application withdrawn"),
    "start_review": _l("Review started"),
    "assign": _l("Village head assigned"),
    "verify": _l("Household facts verified"),
    "record_meeting": _l("Village meeting held"),
    "post": _l("Public posting"),
    "complaint": _l("Complaint received: review again"),
    "decide": _l("Decision"),
    "open_periodic_review": _l("Listed for the annual periodic review"),
    "withdraw_consent": _l("Consent withdrawn by the applicant: processing stopped"),
    "delete_on_request": _l("Data deleted on the applicant's request"),
}
RESOLUTIONS = {
    "merged": _l("Same household: merge with the other record"),
    "withdrawn": _l("Withdraw this application (the other record stays)"),
    "distinct": _l("Different households: both stay"),
}
# Messages for the fields the review services name when they refuse an input: the schemas'
# own words for the same fields (node.schemas.review), and a few only the services name.
FIELD_MESSAGES = {
    **schemas.MESSAGES,
    "user_id": schemas.MESSAGES["assign_to"],
    "identities": _l("Give the name of every member."),
    "ethnicity": _l("Write the ethnicity in words, e.g. Kinh, Tày, Thái."),
    "version": _l("This form is out of date: reload the page."),
}
INVALID = _l("This value is not valid.")
# The procedure's dates as the policy refuses them (node.services.workflow's date guards).
DATE_REFUSALS = {
    "not_in_future": _l("This date cannot be after today ({today})."),
    "after_previous_step": _l(
        "This date cannot be before {floor}, the date of the file's previous step."
    ),
    "within_posting": _l(
        "The complaint must have been received during the public posting, from {posting_starts_on} "
        "to {posting_ends_on}."
    ),
    "posting_long_enough": _l(
        "The public posting lasts at least {posting_days} working days: it ends on "
        "{earliest_until} at the earliest."
    ),
    "after_posting": _l(
        "The decision is dated after the public posting, which ends on {posting_ends_on}."
    ),
    "after_opinion": _l(
        "The decision cannot be dated before the district opinion came in ({opinion_on})."
    ),
}


# Why a household of a batch (the chair's decision) cannot be decided now (GuardRefused's codes).
HOUSEHOLD_REFUSALS = {
    "posting_over": _l(
        "the public posting runs until {posting_ends_on}; complaints may still come."
    ),
    "no_open_duplicates": _l("a possible duplicate must be settled first, on the file."),
    "opinion_recorded": _l("the higher level's opinion is still awaited."),
    "stale": _l("someone else changed the file after you opened this page."),
    "not_average_livelihood": _l(
        "the verified household is not a farming, forestry, fishery or salt household with an "
        "average living standard: refuse it with written reasons."
    ),
    "no_low_income_workers": _l(
        "the verification found no low-income worker in the household: refuse it with written "
        "reasons."
    ),
}
OTHER_HOUSEHOLD_REFUSAL = _l("its status no longer allows a decision; reload the page.")


def _with_dates(template: Any, refusal: Refusal) -> str:
    """A refusal's message with its dates written dd/mm/yyyy."""
    values = {
        name: value.strftime("%d/%m/%Y") if isinstance(value, date) else value
        for name, value in refusal.params.items()
    }
    return str(template).format(**values)


def household_refusal(refusal: Refusal) -> str:
    """Why one household of a batch was refused, in the page's language."""
    return _with_dates(HOUSEHOLD_REFUSALS.get(refusal.code, OTHER_HOUSEHOLD_REFUSAL), refusal)


def field_message(path: str, refusal: str | None = None) -> str:
    """The message for a field a service refused (``votes.2.agreeing`` → the agreeing one; a
    date the procedure refuses → why, with the dates that matter)."""
    if isinstance(refusal, Refusal) and refusal.code in DATE_REFUSALS:
        return _with_dates(DATE_REFUSALS[refusal.code], refusal)
    for part in reversed(path.split(".")):
        if part in FIELD_MESSAGES:
            return str(FIELD_MESSAGES[part])
    return str(INVALID)


def field_messages(fields: Mapping[str, str]) -> dict[str, str]:
    """Every refused field with its message in the page's language."""
    return {path: field_message(path, refusal) for path, refusal in fields.items()}


def parse_day(text: str | None) -> date | None:
    """A date from a date input (YYYY-MM-DD) or as typed (dd/mm/yyyy); None when it is none."""
    text = (text or "").strip()
    try:
        if _ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
        match = _DAY_MONTH_YEAR.fullmatch(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None


def parse_count(text: str | None) -> int | None:
    """A whole number 0 or more as typed, or None."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def parse_id(text: str | None) -> int | None:
    """A record id from a form, or None."""
    value = parse_count(text)
    return value if value else None


def verification_steps(period: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The household facts the verification asks: what the period's standard needs, then the
    optional ones (the main livelihood)."""
    return (*asked_facts((standard_for(period),)), *OPTIONAL_STEPS)


def _form_value(spec: Mapping[str, Any], value: Any) -> str:
    if value is None:
        return ""
    if spec["type"] == "boolean":
        return YES if value is True else NO if value is False else str(value)
    return str(value)


def asked_of(member: Mapping[str, Any], facts: Mapping[str, Any]) -> frozenset[str]:
    """The member questions a member of this age was asked: the others hold the rules'
    defaults, which nobody answered (issue 15: never shown as an answer, never as changed)."""
    try:
        reference = date.fromisoformat(str(facts.get("reference_date")))
    except ValueError:
        reference = None
    age = age_on(member.get("birth_date"), reference) if reference else None
    return frozenset(q.name for q in MEMBER_QUESTIONS if q.applies(age))


def facts_to_form(facts: Mapping[str, Any]) -> dict[str, str]:
    """The form's inputs filled from household facts (declared, or verified before): only
    answers given, never a default held for a question the member's age does not ask."""
    catalog = facts_catalog()
    values: dict[str, str] = {}
    if facts.get("annual_income") is not None:
        values[INCOME], values[INCOME_PERIOD] = str(facts["annual_income"]), "annual"
    elif facts.get("monthly_income") is not None:
        values[INCOME], values[INCOME_PERIOD] = str(facts["monthly_income"]), "monthly"
    for index, member in enumerate(facts.get("members") or []):
        asked = asked_of(member, facts)
        for question in MEMBER_QUESTIONS:
            spec = catalog["member_fields"][question.name]
            answer = member.get(question.name) if question.name in asked else None
            values[f"members.{index}.{question.name}"] = _form_value(spec, answer)
    for path, spec in catalog["fields"].items():
        if "." in path:
            group, name = path.split(".")
            values[path] = _form_value(spec, (facts.get(group) or {}).get(name))
    for _, paths in OPTIONAL_STEPS:
        values.update(
            {path: _form_value(catalog["fields"][path], facts.get(path)) for path in paths}
        )
    return values


def identities_to_form(identities: list[Mapping[str, Any]]) -> dict[str, str]:
    """The members' names, ID numbers and ethnicities as the form's inputs."""
    return {
        f"identities.{index}.{name}": identity.get(name) or ""
        for index, identity in enumerate(identities)
        for name in IDENTITY_FIELDS
    }


def identities_from_form(form: Mapping[str, str], members: int) -> list[dict[str, Any]]:
    """Each member's name, ID number (spaces allowed) and ethnicity, as the service takes them."""
    identities = []
    for index in range(members):
        item: dict[str, Any] = {}
        for name in IDENTITY_FIELDS:
            text = (form.get(f"identities.{index}.{name}") or "").strip()
            if name == "citizen_id":
                text = "".join(text.split())
            item[name] = text or None
        item["full_name"] = item["full_name"] or ""
        identities.append(item)
    return identities


def plain_value(spec: Mapping[str, Any], value: Any, lang: str) -> str:
    """A fact's value in words: Yes/No, the option's label, a date as dd/mm/yyyy."""
    if value is None:
        return "—"
    kind = spec["type"]
    if kind == "boolean":
        return str(_l("Yes") if value else _l("No"))
    if kind == "enum":
        option = spec["options"].get(value)
        return option[lang] if option else str(value)
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if kind == "money":
        return money(value, lang)
    return str(value)


def money(amount: Any, lang: str) -> str:
    """Đồng with Vietnamese (or English) thousands separators."""
    if not isinstance(amount, int):
        return str(amount)
    return format_number(amount, DECIMALS["money"], lang) + " " + str(_l("VND"))


def facts_comparison(
    declared: Mapping[str, Any], verified: Mapping[str, Any] | None, lang: str
) -> dict[str, Any]:
    """Declared and verified facts side by side, in words; ``differs`` marks what changed."""
    catalog = facts_catalog()

    def row(label: str, spec: Mapping[str, Any], left: Any, right: Any) -> dict[str, Any]:
        # A question the resident did not answer (not asked, or left out) is never "changed".
        return {
            "label": label,
            "declared": plain_value(spec, left, lang),
            "verified": plain_value(spec, right, lang) if verified is not None else None,
            "differs": verified is not None and left is not None and left != right,
        }

    money_spec = {"type": "money"}
    income = [
        row(catalog["fields"][path]["label"][lang], money_spec, declared.get(path),
            (verified or {}).get(path))
        for path in ("monthly_income", "annual_income")
        if declared.get(path) is not None or (verified or {}).get(path) is not None
    ]  # fmt: skip
    household = []
    for path, spec in catalog["fields"].items():
        if "." not in path:
            continue
        group, name = path.split(".")
        left = (declared.get(group) or {}).get(name)
        right = ((verified or {}).get(group) or {}).get(name)
        if left is None and right is None:
            continue
        household.append(row(spec["label"][lang], spec, left, right))
    declared_members = declared.get("members") or []
    verified_members = (verified or {}).get("members") or []
    members = []
    for index in range(max(len(declared_members), len(verified_members))):
        left = declared_members[index] if index < len(declared_members) else {}
        right = verified_members[index] if index < len(verified_members) else {}
        asked = asked_of(left, declared) if left else frozenset()
        specs = [(q.name, catalog["member_fields"][q.name]) for q in MEMBER_QUESTIONS]
        members.append(
            [
                row(spec["label"][lang], spec, left.get(n) if n in asked else None, right.get(n))
                for n, spec in specs
            ]
        )
    return {"income": income, "household": household, "members": members}


def assessment_comparison(
    declared: Mapping[str, Any], verified: Mapping[str, Any] | None, period: int, lang: str
) -> list[dict[str, Any]]:
    """The self-assessment beside the official one: class, income, score, each indicator."""
    rows = [
        {
            "label": _l("Classification"),
            "declared": CLASSIFICATIONS.get(declared.get("classification"), "—"),
            "verified": CLASSIFICATIONS.get(verified["classification"]) if verified else None,
            "differs": bool(verified)
            and declared.get("classification") != verified["classification"],
        },
        {
            "label": _l("Monthly income per person"),
            "declared": money(declared.get("income_per_capita"), lang),
            "verified": money(verified["income_per_capita"], lang) if verified else None,
            "differs": bool(verified)
            and declared.get("income_per_capita") != verified["income_per_capita"],
        },
        {
            "label": _l("Deprivation score"),
            "declared": declared.get("deprivation_score", "—"),
            "verified": verified["deprivation_score"] if verified else None,
            "differs": bool(verified)
            and declared.get("deprivation_score") != verified["deprivation_score"],
        },
    ]
    left = set(declared.get("deprivations") or [])
    right = set(verified["deprivations"]) if verified else set()
    for indicator in standard_for(period).indicators:
        rows.append(
            {
                "label": indicator.name[lang],
                "declared": _l("Deprived") if indicator.code in left else _l("Not deprived"),
                "verified": (_l("Deprived") if indicator.code in right else _l("Not deprived"))
                if verified
                else None,
                "differs": bool(verified) and (indicator.code in left) != (indicator.code in right),
                "indicator": True,
            }
        )
    return rows
