"""Fixtures for the shared package: the worked cases and the household builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.builders import household

CASES_FILE = Path(__file__).resolve().parents[3] / "shared" / "domain" / "cases" / "cases.json"


def load_cases() -> list[dict[str, Any]]:
    """The worked classification cases shared with the whole team (../shared/domain/cases)."""
    with CASES_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture
def facts() -> dict[str, Any]:
    return household()
