"""The app's moment: the real time, or the one its configuration pins (tests, demos)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


def now() -> datetime:
    """The current time (UTC); the config's FIXED_NOW pins it for tests and demos."""
    fixed = current_app.config.get("FIXED_NOW")
    return fixed if fixed is not None else datetime.now(UTC)
