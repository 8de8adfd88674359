"""Deploy ansible/node.yml to this machine, isolated, and take it all down again.

What a deployment touches, all named after one random suffix (gndeploy-<hex>):
- files only under its prefix, /tmp/giamngheo-deploy-<random>/ (virtualenv, configuration,
  state, logs, PID files, systemd units rendered but not installed, nginx configuration and
  certificate, backups, the built wheel, Ansible's log), besides a short-lived build copy of the
  work tree and Ansible's and pip's caches in root's home;
- processes: gunicorn, the node scheduler and a stand-alone nginx master, started with
  start-stop-daemon (app_service_manager / nginx_service_manager: process), all on 127.0.0.1;
- a PostgreSQL cluster of its own, 15/gndeploy_<hex> (pg_createcluster, on a free port, its data
  directory in the prefix, its configuration in /etc/postgresql/15/gndeploy_<hex> and its log in
  /var/log/postgresql, as Debian keeps them), archiving to a pgBackRest repository in the prefix;
  the main cluster on 127.0.0.1:5432 is never touched;
- a system user and group gndeploy-<hex>.
`teardown` removes each of these; Debian packages the roles installed (nginx, …) stay.

Run `python -m tests.deploy.local up` to deploy and keep it (prints the URL), and
`python -m tests.deploy.local down PREFIX` to take it down.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ANSIBLE_DIR = REPO / "ansible"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
STATE_FILE = "deployment.json"
PLAYBOOK_TIMEOUT = 420  # seconds; a first run takes about a minute here
# Debian packages the roles would otherwise install; the test wants them there beforehand.
DEBIAN_PACKAGES = (
    "nginx python3-psycopg2 python3-cryptography python3-venv python3-apt acl pgbackrest"
)


def missing_prerequisites() -> list[str]:
    """What this machine lacks for a local deployment, each with how to get it."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (the playbook creates a system user and runs services)")
    commands = (
        "nginx",
        "start-stop-daemon",
        "runuser",
        "pg_ctlcluster",
        "pg_createcluster",
        "pgbackrest",
        "psql",
        "git",
        "systemd-analyze",
    )
    for command in commands:
        if shutil.which(command) is None:
            missing.append(f"the `{command}` command")
    if not ANSIBLE_PLAYBOOK.exists():
        missing.append(f"{ANSIBLE_PLAYBOOK} (`make install` installs Ansible)")
    modules = "import venv, ensurepip, psycopg2, cryptography, apt"
    if subprocess.run(["/usr/bin/python3", "-c", modules], capture_output=True).returncode:
        missing.append(f"/usr/bin/python3 with: {modules.removeprefix('import ')}")
    if not Path("/usr/lib/postgresql/15/bin/postgres").exists():
        missing.append("PostgreSQL 15's server (/usr/lib/postgresql/15/bin/postgres)")
    if missing:
        missing.append(f"on Debian 12: apt-get install -y {DEBIAN_PACKAGES} postgresql")
    return missing


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalDeployment:
    """One deployment of node.yml on this machine: its names, ports and prefix."""

    prefix: Path
    name: str
    https_port: int
    http_port: int
    app_port: int
    pg_port: int = 5432
    standby_port: int = 5433
    drill_port: int = 5434
    province: str = "12"

    @classmethod
    def create(cls) -> LocalDeployment:
        """A new prefix and new names; saved there, so `teardown` works from the prefix alone."""
        prefix = Path(tempfile.mkdtemp(prefix="giamngheo-deploy-", dir="/tmp"))
        # nginx's workers (www-data) and postgres must walk through it.
        prefix.chmod(0o755)
        ports: set[int] = set()
        while len(ports) < 6:
            ports.add(free_port())
        https_port, http_port, app_port, pg_port, standby_port, drill_port = sorted(ports)
        name = f"gndeploy-{secrets.token_hex(4)}"
        deployment = cls(
            prefix, name, https_port, http_port, app_port, pg_port, standby_port, drill_port
        )
        state = {**asdict(deployment), "prefix": str(prefix)}
        (prefix / STATE_FILE).write_text(json.dumps(state, indent=2))
        return deployment

    @classmethod
    def load(cls, prefix: Path) -> LocalDeployment:
        state = json.loads((prefix / STATE_FILE).read_text())
        return cls(**{**state, "prefix": Path(state["prefix"])})

    @property
    def database(self) -> str:
        """The database and its role: SQL identifiers, so underscores."""
        return self.name.replace("-", "_")

    @property
    def cluster(self) -> str:
        """The deployment's own PostgreSQL cluster (15/<database>)."""
        return self.database

    @property
    def standby_cluster(self) -> str:
        return f"{self.database}_standby"

    @property
    def data_dir(self) -> Path:
        return self.prefix / "pgdata"

    @property
    def pgbackrest_config(self) -> Path:
        return self.prefix / "pgbackrest" / "pgbackrest.conf"

    @property
    def pgbackrest_repo(self) -> Path:
        """The repository: "another disk" in production, a directory of the prefix here."""
        return self.prefix / "pgbackrest-repo"

    @property
    def drill_script(self) -> Path:
        return self.prefix / "sbin" / f"{self.name}-restore-drill"

    @property
    def pitr_script(self) -> Path:
        return self.prefix / "sbin" / f"{self.name}-pitr"

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}/"

    @property
    def certificate(self) -> Path:
        return self.prefix / "tls" / f"{self.name}.crt"

    @property
    def launcher(self) -> Path:
        return self.prefix / "bin" / self.name

    @property
    def backup_script(self) -> Path:
        return self.prefix / "sbin" / f"{self.name}-backup"

    @property
    def backup_dir(self) -> Path:
        return self.prefix / "backups"

    @property
    def signing_key(self) -> Path:
        return self.prefix / "var" / "lib" / "keys" / "signing-key.pem"

    @property
    def environment_file(self) -> Path:
        return self.prefix / "etc" / f"{self.name}.env"

    @property
    def pid_files(self) -> dict[str, Path]:
        return {
            "web": self.prefix / "run" / "web.pid",
            "scheduler": self.prefix / "run" / "scheduler.pid",
            "nginx": self.prefix / "nginx" / "run" / "nginx.pid",
        }

    @property
    def log(self) -> Path:
        return self.prefix / "ansible.log"

    def host_vars(self) -> dict[str, object]:
        """The inventory: production roles, pointed into the prefix, run without systemd."""
        p = self.prefix
        password = secrets.token_urlsafe(24)
        return {
            "ansible_connection": "local",
            "ansible_python_interpreter": "/usr/bin/python3",
            # Root needs no password for su, and su is always there (sudo may not be).
            "ansible_become_method": "su",
            "node_province_code": self.province,
            "postgresql_service_manager": "process",
            "postgresql_cluster": self.cluster,
            "postgresql_port": self.pg_port,
            "postgresql_data_dir": str(self.data_dir),
            "postgresql_pgbackrest_config_file": str(self.pgbackrest_config),
            "postgresql_pgbackrest_repo_path": str(self.pgbackrest_repo),
            "postgresql_pgbackrest_log_dir": str(p / "pgbackrest" / "log"),
            "postgresql_pgbackrest_lock_dir": str(p / "pgbackrest" / "lock"),
            "postgresql_pgbackrest_backup_name": f"{self.name}-pitr",
            "postgresql_pgbackrest_backup_script": str(self.pitr_script),
            "postgresql_restore_drill_script": str(self.drill_script),
            "postgresql_restore_drill_dir": str(p / "restore-drill"),
            "postgresql_restore_drill_port": self.drill_port,
            "postgresql_metrics_textfile_dir": str(p / "textfile"),
            "postgresql_replication_password": self.replication_password,
            "postgresql_replication_hba_addresses": ["127.0.0.1/32"],
            "postgresql_app_database": self.database,
            "postgresql_app_user": self.database,
            "postgresql_app_password": password,
            "postgresql_backup_dir": str(self.backup_dir),
            "postgresql_backup_name": f"{self.name}-backup",
            "postgresql_backup_script": str(self.backup_script),
            "postgresql_systemd_unit_dir": str(p / "systemd"),
            # The packages are prerequisites: never wait on `apt-get update` here.
            "postgresql_apt_cache_valid_time": 10**7,
            "app_apt_cache_valid_time": 10**7,
            "nginx_apt_cache_valid_time": 10**7,
            "app_service_manager": "process",
            "app_instance": self.name,
            "app_user": self.name,
            "app_group": self.name,
            "app_install_dir": str(p / "opt"),
            "app_config_dir": str(p / "etc"),
            "app_state_dir": str(p / "var" / "lib"),
            "app_log_dir": str(p / "var" / "log"),
            "app_run_dir": str(p / "run"),
            "app_bin_dir": str(p / "bin"),
            "app_systemd_unit_dir": str(p / "systemd"),
            "app_source_dir": str(REPO),
            "app_wheel_dir": str(p / "dist"),
            "app_database_name": self.database,
            "app_database_user": self.database,
            "app_database_password": password,
            "app_database_port": self.pg_port,
            "app_secret_key": secrets.token_urlsafe(48),
            "app_gunicorn_bind": f"127.0.0.1:{self.app_port}",
            "app_gunicorn_workers": 2,
            "nginx_service_manager": "process",
            "nginx_conf_dir": str(p / "nginx"),
            "nginx_site_name": self.name,
            "nginx_server_name": "localhost",
            "nginx_listen_address": "127.0.0.1",
            "nginx_listen_ipv6": False,
            "nginx_http_port": self.http_port,
            "nginx_https_port": self.https_port,
            "nginx_tls_certificate_path": str(self.certificate),
            "nginx_tls_certificate_key_path": str(p / "tls" / f"{self.name}.key"),
            "nginx_tls_self_signed_names": ["DNS:localhost", "IP:127.0.0.1"],
        }

    @property
    def replication_password(self) -> str:
        """Derived from the name: the primary's and the standby's inventories must agree."""
        return "repl-" + self.name.replace("-", "") + "x" * 8

    def standby_vars(self) -> dict[str, object]:
        """A second "host": a cluster of its own streaming from the deployment's."""
        return {
            "ansible_connection": "local",
            "ansible_python_interpreter": "/usr/bin/python3",
            "ansible_become_method": "su",
            "postgresql_service_manager": "process",
            "postgresql_apt_cache_valid_time": 10**7,
            "postgresql_cluster": self.standby_cluster,
            "postgresql_port": self.standby_port,
            "postgresql_data_dir": str(self.prefix / "pgdata-standby"),
            "postgresql_replica_of": "127.0.0.1",
            "postgresql_replica_port": self.pg_port,
            "postgresql_replication_password": self.replication_password,
            "postgresql_app_database": self.database,
            "postgresql_pgbackrest_enabled": False,
        }

    def write_inventory(self) -> Path:
        """The inventory file (JSON is YAML); mode 0600, as it holds the throwaway secrets."""
        inventory = {
            "giamngheo_nodes": {"hosts": {self.name: self.host_vars()}},
            "giamngheo_standbys": {"hosts": {f"{self.name}-standby": self.standby_vars()}},
        }
        path = self.prefix / "inventory.yml"
        path.touch(mode=0o600)
        path.write_text(json.dumps(inventory, indent=2))
        return path

    def apply(self, *extra: str, playbook: str = "node.yml") -> subprocess.CompletedProcess[str]:
        """ansible-playbook node.yml on this machine; the output also goes to ansible.log."""
        inventory = self.prefix / "inventory.yml"
        if not inventory.exists():
            self.write_inventory()
        environment = {
            **os.environ,
            "ANSIBLE_CONFIG": str(ANSIBLE_DIR / "ansible.cfg"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": str(self.prefix / "ansible-tmp"),
            "PATH": f"{ANSIBLE_PLAYBOOK.parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        }
        command = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), playbook, *extra]
        result = subprocess.run(
            command,
            cwd=ANSIBLE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=PLAYBOOK_TIMEOUT,
        )
        with self.log.open("a") as log:
            log.write(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}\n")
        return result

    def teardown(self) -> list[str]:
        """Remove everything the deployment made; the problems met on the way (none: clean)."""
        problems: list[str] = []
        for service, pid_file in self.pid_files.items():
            problems += _stop(service, pid_file)
        problems += _leftover_processes(self.name)
        for cluster in (self.standby_cluster, self.cluster):
            problems += _drop_cluster(cluster)
        problems += _stop_drill_clusters(self.prefix / "restore-drill")
        problems += _remove_user(self.name)
        shutil.rmtree(self.prefix, ignore_errors=True)
        if self.prefix.exists():
            problems.append(f"{self.prefix} could not be removed")
        return problems


def _stop(service: str, pid_file: Path) -> list[str]:
    """Stop the process in pid_file: TERM, then KILL after 15 seconds."""
    try:
        pid = int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not Path(f"/proc/{pid}").exists():
                return []
            time.sleep(0.1)
    return [f"{service} (pid {pid}) did not stop"]


def _leftover_processes(user: str) -> list[str]:
    """Kill, by PID, any process still running as the deployment's own user (a crashed run)."""
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return []
    pids = [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _owner(entry) == uid
    ]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.5 if pids else 0)
    alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
    return [f"processes of {user} still running: {alive}"] if alive else []


def _owner(entry: Path) -> int | None:
    try:
        return entry.stat().st_uid
    except OSError:
        return None


def psql(sql: str, port: int, database: str = "postgres") -> subprocess.CompletedProcess[str]:
    """Run one SQL statement as postgres over the Unix socket, as the roles do."""
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-X", "-A", "-t", "-q", "-p", str(port)]
        + ["-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )


def cluster_exists(cluster: str) -> bool:
    return Path(f"/etc/postgresql/15/{cluster}").exists()


def _drop_cluster(cluster: str) -> list[str]:
    """pg_dropcluster --stop: the deployment's own cluster (never main)."""
    if cluster == "main" or not cluster_exists(cluster):
        return []
    result = subprocess.run(
        ["pg_dropcluster", "--stop", "15", cluster], capture_output=True, text=True, timeout=120
    )
    # pg_dropcluster leaves the files it did not make (the role's conf.d/giamngheo.conf).
    shutil.rmtree(f"/etc/postgresql/15/{cluster}", ignore_errors=True)
    if cluster_exists(cluster):
        return [f"pg_dropcluster 15 {cluster}: {result.stderr.strip()}"]
    return []


def _stop_drill_clusters(directory: Path) -> list[str]:
    """A restore drill left running (--keep, or a crash): stop its server."""
    problems = []
    for pid_file in directory.glob("drill.*/data/postmaster.pid"):
        result = subprocess.run(
            ["runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D"]
            + [str(pid_file.parent), "-m", "immediate", "stop"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        if result.returncode:
            problems.append(f"drill cluster {pid_file.parent}: {result.stderr.strip()}")
    return problems


def _remove_user(user: str) -> list[str]:
    problems = []
    for command, database in (("userdel", "passwd"), ("groupdel", "group")):
        present = subprocess.run(["getent", database, user], capture_output=True).returncode == 0
        if present:
            result = subprocess.run([command, user], capture_output=True, text=True)
            if result.returncode:
                problems.append(f"{command} {user}: {result.stderr.strip()}")
    return problems


def main(argv: list[str]) -> int:
    """`up`: deploy and keep it; `down PREFIX`: take it down."""
    if argv[:1] == ["up"]:
        if missing := missing_prerequisites():
            print("Missing:\n- " + "\n- ".join(missing), file=sys.stderr)
            return 1
        deployment = LocalDeployment.create()
        result = deployment.apply()
        print(result.stdout[-3000:])
        if result.returncode:
            print(result.stderr[-3000:], file=sys.stderr)
        print(f"{deployment.url}healthz (certificate: {deployment.certificate})")
        print(f"Take it down with: {sys.executable} -m tests.deploy.local down {deployment.prefix}")
        return result.returncode
    if argv[:1] == ["down"] and len(argv) == 2:
        if not (Path(argv[1]) / STATE_FILE).exists():
            print(f"No deployment at {argv[1]}.", file=sys.stderr)
            return 1
        problems = LocalDeployment.load(Path(argv[1])).teardown()
        print("\n".join(problems) or "Removed.")
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
