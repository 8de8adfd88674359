"""Node-wide settings that the province admin changes at run time, as key/value rows."""

from datetime import datetime

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db


class NodeSetting(db.Model):
    """One setting: a key and its value, with when it last changed."""

    __tablename__ = "node_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
