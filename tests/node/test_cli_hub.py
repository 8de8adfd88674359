"""`giamngheo node hub-credentials` and `rebuild-snapshot`."""

from __future__ import annotations

import base64
import json

from sqlalchemy import func, select

from node.cli import cli
from node.models import HubToken, Snapshot


def test_hub_credentials_print_a_token_and_the_public_key(
    runner, db_session, app, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    app.extensions.pop("giamngheo.signing_key", None)
    first = json.loads(runner.invoke(cli, ["hub-credentials"]).output)
    assert set(first) == {"token", "public_key"}
    assert len(base64.b64decode(first["public_key"])) == 32
    assert (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600
    second = json.loads(runner.invoke(cli, ["hub-credentials"]).output)
    assert second["token"] != first["token"]
    assert second["public_key"] == first["public_key"]  # the key stays, the token rotates
    live = db_session.scalar(
        select(func.count()).select_from(HubToken).where(HubToken.revoked_at.is_(None))
    )
    assert live == 1
    app.extensions.pop("giamngheo.signing_key", None)


def test_rebuild_snapshot(runner, db_session):
    result = runner.invoke(cli, ["rebuild-snapshot", "--period", "2026"])
    assert result.exit_code == 0, result.output
    assert "Snapshot" in result.output
    assert db_session.scalar(select(func.count()).select_from(Snapshot)) == 1
    bad = runner.invoke(cli, ["rebuild-snapshot", "--period", "1999"])
    assert bad.exit_code == 2
    uncovered = runner.invoke(cli, ["rebuild-snapshot", "--period", "2031"])
    assert uncovered.exit_code == 2
    assert "No poverty standard covers the period 2031" in uncovered.output
    assert db_session.scalar(select(func.count()).select_from(Snapshot)) == 1
