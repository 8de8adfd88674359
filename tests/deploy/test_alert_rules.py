"""The Prometheus alert rules (ansible/roles/monitoring/files/giamngheo-alerts.yml) are valid and
fire as meant: `promtool check rules` and `promtool test rules` (Debian's prometheus package;
`make deploy-prerequisites` installs it). Missing promtool fails in CI and skips elsewhere."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.local import ANSIBLE_DIR

RULES = ANSIBLE_DIR / "roles" / "monitoring" / "files" / "giamngheo-alerts.yml"
UNIT_TESTS = Path(__file__).with_name("alert_rules_test.yml")


@pytest.fixture
def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        message = "promtool is missing: apt-get install prometheus (make deploy-prerequisites)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def test_the_alert_rules_pass_promtool_check(promtool):
    result = subprocess.run(
        [promtool, "check", "rules", str(RULES)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 11 rules found" in result.stdout


def test_the_alert_rules_fire_as_meant(promtool, tmp_path):
    # promtool reads rule_files relative to the test file.
    shutil.copy(RULES, tmp_path / RULES.name)
    shutil.copy(UNIT_TESTS, tmp_path / UNIT_TESTS.name)

    result = subprocess.run(
        [promtool, "test", "rules", UNIT_TESTS.name], cwd=tmp_path, capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_family_the_design_names_is_in_an_alert_or_exposed():
    text = RULES.read_text()
    for name in (
        "giamngheo_http_requests_total",
        "giamngheo_applications_overdue",
        "giamngheo_snapshot_age_seconds",
        "giamngheo_nodes_stale",
        "giamngheo_wal_unarchived_segments",
        "giamngheo_backup_last_success_timestamp_seconds",
        "node_filesystem_avail_bytes",
        "giamngheo_personal_data_reads_busiest_account",
    ):
        assert name in text, name
