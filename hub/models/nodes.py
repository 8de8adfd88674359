"""The registry of provincial nodes the hub pulls aggregates from."""

from datetime import datetime

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from hub.extensions import db


class Node(db.Model):
    """A province's node: where it answers, how the hub authenticates, how it verifies."""

    __tablename__ = "nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    # The bearer token the node issued for the hub; the hub must send it, so it is kept as is.
    token: Mapped[str] = mapped_column(String(200))
    # The node's Ed25519 public key, which verifies the signature on every snapshot.
    public_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
