"""The example inventories hold together: playbooks parse, vault variables resolve, hosts match.

Nothing here connects to a host or needs root: Ansible's debug module runs on the controller.
"""

from __future__ import annotations

import importlib
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.local import ANSIBLE_DIR, ANSIBLE_PLAYBOOK

ANSIBLE = ANSIBLE_PLAYBOOK.parent / "ansible"
INVENTORIES = ANSIBLE_DIR / "inventories"
# The staging vault is an example, encrypted with this documented, throwaway password.
STAGING_VAULT_PASSWORD = "giamngheo-staging-example"


def run(command: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "ANSIBLE_CONFIG": str(ANSIBLE_DIR / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path),
    }
    return subprocess.run(
        command, cwd=ANSIBLE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def hosts(inventory: str) -> dict[str, set[str]]:
    groups = yaml.safe_load((INVENTORIES / inventory / "hosts.yml").read_text())
    return {name: set(group["hosts"]) for name, group in groups.items()}


@pytest.mark.parametrize("inventory", ["production", "staging"])
def test_playbooks_pass_ansible_syntax_check(inventory, tmp_path):
    result = run(
        [str(ANSIBLE_PLAYBOOK), "--syntax-check", "-i", f"inventories/{inventory}", "site.yml"],
        tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_staging_inventory_resolves_every_secret(tmp_path):
    password_file = tmp_path / "vault-password"
    password_file.write_text(STAGING_VAULT_PASSWORD)
    check = (
        "{{ app_secret_key | length >= 32"
        " and postgresql_app_password == app_database_password"
        " and (node_province_code | default('00')) is match('^[0-9]{2}$')"
        " and hub_nodes | default([]) | map(attribute='token') | select | list | length"
        " == hub_nodes | default([]) | length }}"
    )

    result = run(
        [str(ANSIBLE), "-i", "inventories/staging", "all", "--vault-password-file"]
        + [str(password_file), "-m", "ansible.builtin.debug", "-a", f"msg={check}"],
        tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    every_host = set().union(*hosts("staging").values())
    assert result.stdout.count("msg: true") == len(every_host), result.stdout


def test_production_vault_example_names_every_host_and_node():
    groups = hosts("production")
    every_host = set().union(*groups.values())
    example = yaml.safe_load(
        (INVENTORIES / "production/group_vars/all/vault.yml.example").read_text()
    )

    assert set(example["vault_giamngheo_database_passwords"]) == every_host
    assert set(example["vault_giamngheo_secret_keys"]) == every_host
    provinces = {
        vars_["node_province_code"]
        for vars_ in yaml.safe_load((INVENTORIES / "production/hosts.yml").read_text())[
            "giamngheo_nodes"
        ]["hosts"].values()
    }
    assert set(example["vault_giamngheo_node_tokens"]) == provinces
    assert set(example["vault_giamngheo_node_public_keys"]) == provinces


@pytest.mark.parametrize(("playbook", "config_module"), [("node.yml", "node"), ("hub.yml", "hub")])
def test_nginx_leaves_uncompressed_what_the_app_does(playbook, config_module):
    """BREACH: the paths an app never compresses (its UNCOMPRESSED_PATHS) are the ones nginx
    serves with gzip off — the playbook's list plus the sign-in locations."""
    config = importlib.import_module(f"{config_module}.config").Config
    plays = yaml.safe_load((ANSIBLE_DIR / playbook).read_text(encoding="utf-8"))
    nginx = next(
        role
        for play in plays
        for role in play.get("roles", [])
        if isinstance(role, dict) and role.get("role") == "nginx"
    )
    defaults = yaml.safe_load(
        (ANSIBLE_DIR / "roles" / "nginx" / "defaults" / "main.yml").read_text(encoding="utf-8")
    )
    off = set(nginx["vars"]["nginx_gzip_off_locations"]) | set(defaults["nginx_login_locations"])

    assert set(config.UNCOMPRESSED_PATHS) <= off
