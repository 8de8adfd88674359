"""Villages (thôn, bản, tổ dân phố) and per-commune settings, which each node keeps itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, String, func, true
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import db


class Village(db.Model):
    """A village of one commune; its code is the commune code, a dash and a number (00070-001)."""

    __tablename__ = "villages"
    __table_args__ = (CheckConstraint("area IN ('rural', 'urban')", name="area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    commune_code: Mapped[str] = mapped_column(String(5), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # None: the commune's area decides the income line; a village may differ (a town in a xã).
    area: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
