"""The node's view of itself and of the moment, for services that need it (from app config)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from node.services.context import VIETNAM, NodeContext, ReviewRules
from node.services.hub_access import load_signing_key
from node.services.periods import ReviewWindow
from shared.web.clock import now

__all__ = ["VIETNAM", "node_context", "now", "signing_key", "today"]


def today() -> date:
    """Today's date in Vietnam, where the deadlines and periods are counted."""
    return now().astimezone(VIETNAM).date()


def node_context() -> NodeContext:
    """The province, the moment and the review calendar, as services take them."""
    config = current_app.config
    return NodeContext(
        province_code=config["PROVINCE_CODE"],
        today=today(),
        now=now(),
        review_window=ReviewWindow.parse(
            config.get("PERIODIC_REVIEW_START", "09-01"), config.get("PERIODIC_REVIEW_END", "12-14")
        ),
        rules=ReviewRules(
            decision_days=config["DECISION_DAYS"],
            decision_in_working_days=config["DECISION_IN_WORKING_DAYS"],
            posting_working_days=config["POSTING_WORKING_DAYS"],
            district_opinion_required=config["DISTRICT_OPINION_REQUIRED"],
            meeting_agreement_percent=config["MEETING_AGREEMENT_PERCENT"],
            confirmation_posting_working_days=config["CONFIRMATION_POSTING_WORKING_DAYS"],
            confirmation_decision_days=config["CONFIRMATION_DECISION_DAYS"],
            confirmation_decision_in_working_days=config["CONFIRMATION_DECISION_IN_WORKING_DAYS"],
        ),
    )


def signing_key_path() -> Path:
    """Where the node's Ed25519 signing key lives (GIAMNGHEO_SIGNING_KEY_FILE, else the
    instance folder)."""
    configured = current_app.config.get("SIGNING_KEY_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "signing-key.pem"


def signing_key() -> Ed25519PrivateKey:
    """The node's signing key, loaded once per process (created on first use)."""
    key = current_app.extensions.get("giamngheo.signing_key")
    if key is None:
        key = load_signing_key(signing_key_path())
        current_app.extensions["giamngheo.signing_key"] = key
    return key
