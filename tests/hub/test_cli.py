"""`giamngheo hub register-node`, `create-user` and `pull-now`: bad input → exit 2, nothing
written; one line per node."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select

from hub.cli import cli
from hub.models import Node, PullAttempt, User
from hub.services.nodes import TokenCipher
from tests.hub.conftest import TEST_PASSWORD


def register_args(node, **changes):
    args = {
        "--province": node.province_code,
        "--url": node.url,
        "--token": node.token,
        "--public-key": node.public_key,
        **changes,
    }
    return ["register-node", *[item for pair in args.items() for item in pair]]


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_register_node_adds_and_then_updates(runner, nodes, db_session, app):
    node = nodes["12"]

    added = runner.invoke(cli, register_args(node))
    updated = runner.invoke(cli, register_args(node, **{"--interval": "15"}))

    assert added.exit_code == 0, added.output
    assert "Registered node 12 (Lai Châu)" in added.output
    assert updated.exit_code == 0, updated.output
    assert "Updated node 12" in updated.output
    assert "every 15 min" in updated.output
    assert node.token not in added.output + updated.output
    stored = db_session.scalar(select(Node))
    assert count(db_session, Node) == 1
    assert stored.interval_seconds == 900
    assert stored.public_key == node.public_key
    # The token is kept encrypted, and decrypts to what was given.
    assert node.token not in stored.token_encrypted
    assert TokenCipher(app.config["SECRET_KEY"]).decrypt(stored.token_encrypted) == node.token


def test_register_node_can_disable_a_node(runner, nodes, db_session):
    runner.invoke(cli, register_args(nodes["12"]))

    result = runner.invoke(
        cli, ["register-node", "--province", "12", "--url", nodes["12"].url, "--disable"]
    )

    assert result.exit_code == 0, result.output
    assert db_session.scalar(select(Node.enabled)) is False


BAD = {
    "province": ({"--province": "99"}, "--province"),
    "province letters": ({"--province": "HN"}, "--province"),
    "url scheme": ({"--url": "ftp://node.example/"}, "--url"),
    "url without host": ({"--url": "http://"}, "--url"),
    "key not base64": ({"--public-key": "not base64!"}, "--public-key"),
    "key too short": ({"--public-key": base64.b64encode(b"x" * 16).decode()}, "--public-key"),
    "token too short": ({"--token": "abc"}, "--token"),
    "interval": ({"--interval": "0"}, "--interval"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_register_node_refuses_bad_input_and_writes_nothing(runner, nodes, db_session, case):
    changes, option = BAD[case]

    result = runner.invoke(cli, register_args(nodes["12"], **changes))

    assert result.exit_code == 2, result.output
    assert option in result.output
    assert "Traceback" not in result.output
    assert count(db_session, Node) == 0


def test_a_new_node_needs_a_token_and_a_key(runner, db_session):
    result = runner.invoke(cli, ["register-node", "--province", "01", "--url", "http://x.vn/"])

    assert result.exit_code == 2
    assert "--token: Required" in result.output
    assert "--public-key: Required" in result.output
    assert count(db_session, Node) == 0


def test_create_user_reads_the_password_from_stdin(runner, db_session):
    result = runner.invoke(
        cli, ["create-user", "An.Nguyen", "--role", "central_admin"], input=f"{TEST_PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User))
    assert (user.username, user.role) == ("an.nguyen", "central_admin")
    assert user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in result.output


@pytest.mark.parametrize(
    ("args", "password", "complaint"),
    [
        (["create-user", "an", "--role", "central_viewer"], TEST_PASSWORD, "NAME"),
        (["create-user", "an.nguyen", "--role", "central_viewer"], "short", "password"),
        (["create-user", "an.nguyen", "--role", "emperor"], TEST_PASSWORD, "--role"),
    ],
)
def test_create_user_refuses_bad_input(runner, db_session, args, password, complaint):
    result = runner.invoke(cli, args, input=f"{password}\n")

    assert result.exit_code == 2
    assert complaint in result.output
    assert count(db_session, User) == 0


def test_create_user_refuses_a_taken_name(runner, make_user, db_session):
    make_user(username="an.nguyen")

    result = runner.invoke(
        cli, ["create-user", "AN.NGUYEN", "--role", "central_viewer"], input=f"{TEST_PASSWORD}\n"
    )

    assert result.exit_code == 2
    assert "taken" in result.output
    assert count(db_session, User) == 1


def test_pull_now_prints_one_line_per_node(runner, nodes, register, fast_pulls, db_session):
    register(nodes["12"])
    register(nodes["01"])
    nodes["01"].mode = "bad_signature"

    result = runner.invoke(cli, ["pull-now"])

    lines = result.output.strip().splitlines()
    assert result.exit_code == 1  # one node failed
    assert [line.split()[:2] for line in lines] == [["01", "error"], ["12", "ok"]]
    assert "signature does not verify" in lines[0]
    assert f"snapshot={nodes['12'].snapshot['snapshot_id'][:12]}" in lines[1]
    assert "http=200" in lines[1]
    assert count(db_session, PullAttempt) == 2


def test_pull_now_for_one_province_and_the_304(runner, nodes, register, fast_pulls):
    register(nodes["12"])
    register(nodes["01"])
    runner.invoke(cli, ["pull-now", "--province", "12"])

    result = runner.invoke(cli, ["pull-now", "--province", "12"])

    [line] = result.output.strip().splitlines()
    assert result.exit_code == 0, result.output
    assert line.startswith("12 not_modified ")
    assert "http=304" in line


@pytest.mark.parametrize("code", ["99", "48"])
def test_pull_now_refuses_an_unknown_or_unregistered_province(runner, code, fast_pulls):
    result = runner.invoke(cli, ["pull-now", "--province", code])

    assert result.exit_code == 2
    assert code in result.output


def test_pull_now_without_nodes_says_so(runner, fast_pulls):
    result = runner.invoke(cli, ["pull-now"])

    assert result.exit_code == 0
    assert "No enabled node is registered" in result.output
