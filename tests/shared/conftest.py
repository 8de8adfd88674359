"""Fixtures for the shared package: the worked cases and the household builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.builders import household

# The project's own copy of the worked cases (tests/data/README.md).
CASES_FILE = Path(__file__).resolve().parents[1] / "data" / "cases.json"


def load_cases() -> list[dict[str, Any]]:
    """The worked classification cases (tests/data/cases.json)."""
    with CASES_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture
def facts() -> dict[str, Any]:
    return household()
