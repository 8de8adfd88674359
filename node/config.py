"""Node configuration: the shared settings (``shared.web.config``) and the node's own, read
from the GIAMNGHEO_* environment variables."""

from __future__ import annotations

from collections.abc import Mapping

from node.services.retention import parse_overrides
from shared.procedure import procedure_value
from shared.schemas.aggregates import MAX_COUNT
from shared.settings import ConfigError, province_code
from shared.web.config import BaseConfig, environments
from shared.web.config import load_config as load_from


class Config(BaseConfig):
    """The node's settings in every environment."""

    APP_NAME = "node"
    API_TITLE = "giamngheo node"
    # A resident may take an afternoon over the no-JS form: its CSRF token lasts a day (the
    # session cookie bounds it anyway); an expired one gets the page back, nothing lost.
    WTF_CSRF_TIME_LIMIT = 24 * 3600
    # Larger bodies get a 413: a household declaration is a few kilobytes.
    MAX_CONTENT_LENGTH = 256 * 1024
    # The review procedure's numbers (RULES §5) come from shared/procedure/procedure.json, each
    # with its legal basis: the yearly periodic review window (month-day, both ends included);
    # the chair decides within DECISION_DAYS of the start (working days unless
    # DECISION_IN_WORKING_DAYS is false); a posting lasts POSTING_WORKING_DAYS; a village
    # meeting passes with MEETING_AGREEMENT_PERCENT of its attendees agreeing;
    # DISTRICT_OPINION_REQUIRED keeps the pre-2025 opinion step. The identification of a
    # household with an average living standard or of low-income workers (no village meeting)
    # has its own posting length and deadline: the CONFIRMATION_* values.
    PERIODIC_REVIEW_START, PERIODIC_REVIEW_END = procedure_value("periodic_review_window")
    DECISION_DAYS = procedure_value("decision_days")
    DECISION_IN_WORKING_DAYS = procedure_value("decision_in_working_days")
    POSTING_WORKING_DAYS = procedure_value("posting_working_days")
    MEETING_AGREEMENT_PERCENT = procedure_value("meeting_agreement_percent")
    DISTRICT_OPINION_REQUIRED = procedure_value("district_opinion_required")
    CONFIRMATION_POSTING_WORKING_DAYS = procedure_value("confirmation_posting_working_days")
    CONFIRMATION_DECISION_DAYS = procedure_value("confirmation_decision_days")
    CONFIRMATION_DECISION_IN_WORKING_DAYS = procedure_value("confirmation_decision_in_working_days")
    # Never compressed (see BaseConfig): the officials' workspace, where personal data sits next
    # to search terms a link can carry, its sign-in, and the snapshot the hub verifies as sent.
    UNCOMPRESSED_PATHS = (
        *BaseConfig.UNCOMPRESSED_PATHS,
        r"^/officials(/|$)",
        r"^/admin(/|$)",
        r"^/api/v1/aggregates$",
    )
    # The test suite's node serves Hà Nội unless a test names another province.
    TEST_ENVIRONMENT = {"GIAMNGHEO_PROVINCE": "01"}  # noqa: RUF012

    def read_environment(self, env: Mapping[str, str]) -> None:
        """The province, small-cell suppression and the snapshot signing key."""
        self.PROVINCE_CODE = province_code(env.get("GIAMNGHEO_PROVINCE"))
        # Small-cell suppression in snapshots: counts from 1 to k-1 are withheld (off when unset).
        self.SUPPRESSION_K = _positive_int("GIAMNGHEO_SUPPRESSION_K", env)
        # The Ed25519 key that signs aggregate snapshots for the hub.
        self.SIGNING_KEY_FILE = env.get("GIAMNGHEO_SIGNING_KEY_FILE") or None
        # The province's retention periods in place of the schedule's defaults (category=days).
        try:
            self.RETENTION_DAYS = parse_overrides(env.get("GIAMNGHEO_RETENTION"))
        except ValueError as error:
            raise ConfigError(str(error)) from None


def _positive_int(name: str, env: Mapping[str, str]) -> int | None:
    """A whole number from 2 to the largest count a snapshot may carry, or None when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 2 <= int(raw) <= MAX_COUNT:
        raise ConfigError(f"{name} must be a whole number from 2 to {MAX_COUNT}, not {raw!r}")
    return int(raw)


ENVIRONMENTS = ProductionConfig, DevelopmentConfig, TestConfig = environments(Config)


def load_config(environ: Mapping[str, str] | None = None) -> BaseConfig:
    """The configuration GIAMNGHEO_ENV names (production when unset)."""
    return load_from(ENVIRONMENTS, environ)
