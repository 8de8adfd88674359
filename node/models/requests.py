"""What a resident asks about their personal data (issue 18): a correction, the withdrawal of
their consent, deletion or restriction of processing — with the commune's answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db
from node.models.personal import personal_column
from shared.web.models import one_of

KINDS = ("correction", "consent_withdrawal", "deletion", "restriction")
REQUEST_STATUSES = ("open", "done", "refused")
PROOFS = ("phone", "citizen_id")
# How a consent withdrawal was handled: the open application's processing stopped, or the
# household was decided and its record stays under the public-duty exception.
HANDLINGS = ("processing_stopped", "public_duty")


class DataRequest(db.Model):
    """One request by the applicant of an application, made with the lookup's proof."""

    __tablename__ = "data_requests"
    __table_args__ = (
        one_of("kind", KINDS),
        one_of("status", REQUEST_STATUSES),
        one_of("proof", PROOFS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    # The commune whose worklist it is on (the application's).
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Which of the proofs given at submission the applicant proved themselves with (not its value).
    proof: Mapped[str] = mapped_column(String(10))
    # A correction: what is wrong, and what it should be; otherwise the resident's reason.
    what_is_wrong: Mapped[str | None] = personal_column(Text)
    should_be: Mapped[str | None] = personal_column(Text)
    reason: Mapped[str | None] = personal_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The legal deadline (node/services/data_requests.json), from receipt.
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default="open")
    handling: Mapped[str | None] = mapped_column(String(20))
    # The answer the resident reads on the status page: what was done, or why it was refused.
    answer: Mapped[str | None] = personal_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
