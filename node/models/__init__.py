"""The node's tables; importing this package puts every one of them on the node's metadata."""

from node.models.applications import (
    Application,
    ApplicationEvent,
    ApplicationSearchWord,
    Consent,
    IdempotencyKey,
)
from node.models.audit import AuditEntry
from node.models.devices import Device
from node.models.households import Household, HouseholdStatus, Member, StatusDeprivation
from node.models.lookups import LookupAttempt
from node.models.requests import DataRequest
from node.models.review import (
    Certificate,
    Complaint,
    Decision,
    DecisionItem,
    DistrictOpinion,
    DuplicateFlag,
    Holiday,
    Meeting,
    MeetingVote,
    PeriodicReview,
    Posting,
    PostingItem,
    Verification,
    VerificationIdentity,
)
from node.models.settings import NodeSetting
from node.models.snapshots import (
    AnnualReportSending,
    CommuneHouseholdCount,
    HubToken,
    MonthlyReportSending,
    PeriodClose,
    Snapshot,
)
from node.models.tallies import DeprivationTally, StatusTally
from node.models.units import Village
from node.models.users import User, UserSession, UserUnit

__all__ = [
    "AnnualReportSending",
    "Application",
    "ApplicationEvent",
    "ApplicationSearchWord",
    "AuditEntry",
    "Certificate",
    "CommuneHouseholdCount",
    "Complaint",
    "Consent",
    "DataRequest",
    "Decision",
    "DecisionItem",
    "DeprivationTally",
    "Device",
    "DistrictOpinion",
    "DuplicateFlag",
    "Holiday",
    "Household",
    "HouseholdStatus",
    "HubToken",
    "IdempotencyKey",
    "LookupAttempt",
    "Meeting",
    "MeetingVote",
    "Member",
    "MonthlyReportSending",
    "NodeSetting",
    "PeriodClose",
    "PeriodicReview",
    "Posting",
    "PostingItem",
    "Snapshot",
    "StatusDeprivation",
    "StatusTally",
    "User",
    "UserSession",
    "UserUnit",
    "Verification",
    "VerificationIdentity",
    "Village",
]
