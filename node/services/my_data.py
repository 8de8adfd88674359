"""What the node holds about the people of one application, for the applicant to read
(`POST /api/v1/applications/<tracking_code>/my-data`, DESIGN §5): their right to see their own
data, after the same proof and limits as a status lookup (node.services.lookups)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.applications import Application
from node.models.households import Household
from node.models.review import Verification
from node.services.applications import access_log, status_view
from node.services.data_requests import requests_of


def applicant_data(session: Session, application: Application) -> dict[str, Any]:
    """The applicant, the facts as declared and as verified, the household's record once
    decided (head, address, members, its class per period), the consent, the application's
    status and history, every change by role and who (by role) read the file."""
    verifications = session.scalars(
        select(Verification)
        .where(Verification.application_id == application.id)
        .order_by(Verification.id)
    )
    household = (
        session.get(Household, application.household_id) if application.household_id else None
    )
    consent = application.consent
    return {
        "application": status_view(application),
        "applicant": {
            "full_name": application.applicant_name,
            "citizen_id": application.applicant_citizen_id,
            "phone": application.applicant_phone,
        },
        "declared_facts": application.declared_facts,
        "verifications": [
            {
                "verified_at": verification.verified_at.isoformat(),
                "facts": verification.facts,
                "identities": verification.identities,
                "head_address": verification.head_address,
                "classification": verification.classification,
                "standard_id": verification.standard_id,
            }
            for verification in verifications
        ],
        "household": _household(household) if household else None,
        "consent": {
            "purpose": consent.purpose,
            "text_version": consent.text_version,
            "given_at": consent.given_at.isoformat(),
        }
        if consent
        else None,
        "changes": changes(application),
        "access_log": access_log(session, application),
        "requests": requests_of(session, application),
    }


def changes(application: Application) -> list[dict[str, Any]]:
    """Every change to the application, by role and time: the history with who made each step
    (a role, never an official's name, as in the access log)."""
    return [
        {
            "at": event.at.isoformat(),
            "role": event.actor_role,
            "action": event.action,
            "from_status": event.from_status,
            "to_status": event.to_status,
        }
        for event in application.events
    ]


def _household(household: Household) -> dict[str, Any]:
    return {
        "head_name": household.head_name,
        "head_citizen_id": household.head_citizen_id,
        "address": household.address,
        "phone": household.phone,
        "ethnic_minority": household.ethnic_minority,
        "members": [
            {
                "full_name": member.full_name,
                "citizen_id": member.citizen_id,
                "birth_date": member.birth_date.isoformat(),
                "sex": member.sex,
                "relation": member.relation,
                "ethnicity": member.ethnicity,
            }
            for member in household.members
        ],
        "statuses": [
            {
                "period": status.period,
                "classification": status.classification,
                "standard_id": status.standard_id,
                "decided_on": status.decided_on.isoformat(),
            }
            for status in household.statuses
        ],
    }
