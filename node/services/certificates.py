"""The certificate (Giấy chứng nhận hộ nghèo, hộ cận nghèo, Mẫu số 03) as the commune prints it.

node.services.decisions issues certificates and answers the public check of their QR code; this
gathers what the paper shows, for the official who prints it (a read of personal data, audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from node.models.households import Household
from node.models.review import Certificate, DecisionItem
from node.models.units import Village
from node.services import audit
from node.services.context import NodeContext
from node.services.errors import NotFound
from node.services.scopes import (
    COMMUNE_CHAIR,
    COMMUNE_OFFICER,
    PROVINCE_ADMIN,
    PROVINCE_OFFICER,
    Official,
    require_role,
)
from node.services.steps import scoped_application
from shared import units

# Who prints certificates: the commune, and the province that oversees it.
PRINTERS = (COMMUNE_OFFICER, COMMUNE_CHAIR, PROVINCE_OFFICER, PROVINCE_ADMIN)


@dataclass(frozen=True)
class CertificateMember:
    """A row of the certificate's members table."""

    full_name: str
    birth_year: int
    relation: str


@dataclass(frozen=True)
class CertificateSheet:
    """Everything Mẫu 03 shows, and the code its QR carries."""

    number: str
    classification: str
    period: int
    issued_on: date
    verification_code: str
    decision_number: str
    decided_on: date
    head_name: str
    head_ethnicity: str | None
    head_citizen_id: str
    address: str | None
    village_name: str | None
    commune_code: str
    commune_name: str
    commune_kind: str
    province_name: str
    members: list[CertificateMember]


def certificate_sheet(
    session: Session, official: Official, application_id: int, context: NodeContext
) -> CertificateSheet:
    """The certificate issued on the application's decision; NotFound when there is none."""
    require_role(official, *PRINTERS)
    application = scoped_application(session, official, application_id)
    item = session.scalar(select(DecisionItem).where(DecisionItem.application_id == application.id))
    certificate = (
        session.scalar(select(Certificate).where(Certificate.decision_item_id == item.id))
        if item
        else None
    )
    if certificate is None:
        raise NotFound("No certificate was issued on this application.")
    household = session.get(Household, certificate.household_id)
    village = session.get(Village, household.village_id) if household.village_id else None
    head = next((m for m in household.members if m.relation == "head"), None)
    commune = units.commune(certificate.commune_code)
    audit.record(
        session,
        official,
        "print_certificate",
        "certificate",
        certificate.id,
        context.now,
        application_id=application.id,
        household_id=household.id,
    )
    return CertificateSheet(
        number=certificate.number,
        classification=certificate.classification,
        period=certificate.period,
        issued_on=certificate.issued_on,
        verification_code=certificate.verification_code,
        decision_number=item.decision.number,
        decided_on=item.decision.decided_on,
        head_name=household.head_name,
        head_ethnicity=head.ethnicity if head else None,
        head_citizen_id=household.head_citizen_id,
        address=household.address,
        village_name=village.name if village else None,
        commune_code=commune.code,
        commune_name=commune.name,
        commune_kind=commune.kind,
        province_name=units.province(commune.province_code).name,
        members=[
            CertificateMember(m.full_name, m.birth_date.year, m.relation) for m in household.members
        ],
    )
