"""The `giamngheo` command: the `node` and `hub` groups (found by entry point) and `demo`.

This module imports only the standard library and click: the apps plug their groups in through
the `giamngheo.commands` entry points, and the demo runs them as child processes.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import entry_points
from pathlib import Path
from typing import NoReturn

import click

COMMAND_GROUP = "giamngheo.commands"
HOST = "127.0.0.1"
# Real provinces, in the order the demo starts them: Hà Nội, Lai Châu, TP Hồ Chí Minh, Đà Nẵng,
# Hải Phòng, Cần Thơ, Thanh Hóa, Đắk Lắk.
DEMO_PROVINCES = ("01", "12", "79", "48", "31", "92", "38", "66")
STARTUP_TIMEOUT = 60.0  # seconds for every service to answer /healthz
STOP_TIMEOUT = 10.0  # seconds a service gets to stop before it is killed
LOG_TAIL_LINES = 20
# The demo's sign-ins (throwaway databases); the nodes' officials get the same password.
HUB_USER = "trunguong"
DEMO_PASSWORD = "giamngheo-demo-2026"  # noqa: S105
# Loopback only: no proxy from the environment may stand between the demo and its children.
_LOCAL_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EntryPointGroup(click.Group):
    """A click group whose subgroups are loaded from entry points when first used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Built-in commands and every installed entry point, sorted."""
        plugged = (entry.name for entry in entry_points(group=COMMAND_GROUP))
        return sorted({*super().list_commands(ctx), *plugged})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A built-in command, else the entry point of that name, loaded now."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        for entry in entry_points(group=COMMAND_GROUP, name=cmd_name):
            return entry.load()
        return None


@click.group(cls=EntryPointGroup)
def main() -> None:
    """Register, review and report poor and near-poor households: provincial nodes and a hub."""


@dataclass
class Service:
    """One app the demo runs: the hub or a node, with its own port, database and log."""

    label: str
    app: str
    port: int
    env: dict[str, str]
    log: Path

    @property
    def url(self) -> str:
        """The service's base URL."""
        return f"http://{HOST}:{self.port}/"

    def giamngheo(self, *args: str) -> subprocess.Popen[bytes]:
        """Start `giamngheo APP ARGS…` for this service, logging to its log file.

        Each child gets its own session, so a Ctrl-C in the terminal reaches only the demo,
        which then stops the children in order.
        """
        with self.log.open("ab") as log:
            return subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
                [sys.executable, "-m", "shared.cli", self.app, *args],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def run(self, *args: str, stdin: str = "") -> str:
        """Run `giamngheo APP ARGS…` to completion and return what it printed; a failure ends
        the demo with the command's own message."""
        completed = subprocess.run(  # noqa: S603 (our own interpreter and fixed arguments)
            [sys.executable, "-m", "shared.cli", self.app, *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        with self.log.open("a", encoding="utf-8") as log:
            log.write(completed.stderr)
        if completed.returncode != 0:
            raise click.ClickException(
                f"`giamngheo {self.app} {args[0]}` failed for {self.label}:\n"
                f"{completed.stderr.strip()[-2000:]}"
            )
        return completed.stdout

    def log_tail(self) -> str:
        """The last lines of the service's log, to explain a failure."""
        with self.log.open(encoding="utf-8", errors="replace") as log:
            return "".join(deque(log, maxlen=LOG_TAIL_LINES))


# A running `giamngheo … run`, with the service it serves.
Server = tuple[Service, subprocess.Popen[bytes]]


@main.command()
@click.option(
    "--nodes",
    default=3,
    show_default=True,
    type=click.IntRange(1, len(DEMO_PROVINCES)),
    help="How many provincial nodes to run.",
)
@click.option(
    "--households",
    default=2000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Households sampled per node; those that qualify go through the review.",
)
@click.option(
    "--base-port",
    default=8000,
    show_default=True,
    type=click.IntRange(1024, 65535 - len(DEMO_PROVINCES)),
    help="The hub's port; node N listens on the base port + N.",
)
def demo(nodes: int, households: int, base_port: int) -> None:
    """Run a hub and NODES provincial nodes on 127.0.0.1 with temporary databases, until Ctrl-C."""
    workdir = Path(tempfile.mkdtemp(prefix="giamngheo-demo-"))
    services = _plan_services(workdir, nodes, base_port)
    children: list[subprocess.Popen[bytes]] = []  # every process started, stopped at the end
    # Set SIGINT too: a shell starts background jobs with it ignored, and Ctrl-C must still work.
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        click.echo(f"giamngheo demo: data in {workdir} (removed on exit)")
        _check_ports_free(services)
        _run_all(services, children, "init-db")
        hub, nodes_ = services[0], services[1:]
        click.echo(f"Filling {len(nodes_)} node(s) with {households} sampled households each…")
        seeded = _seed_nodes(nodes_, households)
        hub.run("create-user", HUB_USER, "--role", "central_admin", stdin=f"{DEMO_PASSWORD}\n")
        for node in nodes_:
            credentials = json.loads(node.run("hub-credentials").strip().splitlines()[-1])
            hub.run(
                "register-node", "--province", node.env["GIAMNGHEO_PROVINCE"], "--url", node.url,
                "--token", credentials["token"], "--public-key", credentials["public_key"],
            )  # fmt: skip
        _close_one_period(hub, nodes_)
        servers: list[Server] = []
        for service in services:
            server = service.giamngheo("run", "--host", HOST, "--port", str(service.port))
            children.append(server)
            servers.append((service, server))
        _wait_until_healthy(servers)
        click.echo("First pull by the hub:")
        for line in hub.run("pull-now").splitlines():
            click.echo(f"  {line}")
        # The two years' lists before this one (the demo imports them), for trends and the
        # rate signal.
        for back in (1, 2):
            period = str(_vietnam_today().year - back)
            for line in hub.run("pull-now", "--period", period).splitlines():
                click.echo(f"  {line}")
        for service in services:
            children.append(service.giamngheo("scheduler"))
        _print_summary(hub, nodes_, seeded)
        click.echo("Press Ctrl-C to stop.")
        failed = _wait_for_an_exit(servers)
        raise click.ClickException(
            f"{failed.label} stopped unexpectedly; its log ends with:\n{failed.log_tail()}"
        )
    except KeyboardInterrupt:
        click.echo("Stopping…")
    finally:
        _stop_all(children)
        shutil.rmtree(workdir, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo("Stopped; temporary data removed.")


def _seed_nodes(nodes: list[Service], households: int) -> dict[str, dict]:
    """Run `node seed-demo` on every node at once; each prints a JSON summary with its logins."""
    started = []
    for node in nodes:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
            [sys.executable, "-m", "shared.cli", "node", "seed-demo", "--households",
             str(households)],
            env=node.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        started.append((node, process))
    seeded = {}
    for node, process in started:
        output, errors = process.communicate()
        with node.log.open("a", encoding="utf-8") as log:
            log.write(errors)
        if process.returncode != 0:
            raise click.ClickException(f"Filling {node.label} failed:\n{errors.strip()[-2000:]}")
        seeded[node.label] = json.loads(output.strip().splitlines()[-1])
    return seeded


def _vietnam_today() -> date:
    return datetime.now(timezone(timedelta(hours=7))).date()


def _close_one_period(hub: Service, nodes: list[Service]) -> None:
    """The second node's province closes this year's period (its figures become official), and
    the hub's due date for it is yesterday: the others are late on the tracker. Both at once."""
    today = _vietnam_today()
    year = today.year
    due = max(today - timedelta(days=1), date(year, 1, 1))
    started = [(hub, hub.giamngheo("set-due-date", "--period", str(year), "--due-on",
                                   due.isoformat()))]  # fmt: skip
    if len(nodes) > 1:
        decided = max(today - timedelta(days=3), date(year, 1, 1))
        started.append((nodes[1], nodes[1].giamngheo(
            "close-period", "--period", str(year), "--decision-number", "2468/QĐ-UBND",
            "--decided-on", decided.isoformat(),
        )))  # fmt: skip
    for service, process in started:
        if process.wait() != 0:
            raise click.ClickException(
                f"Closing the period failed for {service.label}:\n{service.log_tail()}"
            )
    if len(nodes) > 1:
        click.echo(f"{nodes[1].label}: period {year} closed with decision 2468/QĐ-UBND.")


def _print_summary(hub: Service, nodes: list[Service], seeded: dict[str, dict]) -> None:
    """Every URL and every demo sign-in."""
    click.echo("")
    click.echo(f"Hub (central office)      {hub.url}")
    click.echo(f"  dashboards: {hub.url}dashboard/  sign in as {HUB_USER} / {DEMO_PASSWORD}")
    click.echo(f"  year close: {hub.url}dashboard/tracker   signals: {hub.url}dashboard/signals")
    click.echo(f"  new standard: {hub.url}dashboard/impact   open data: {hub.url}open-data/")
    for node in nodes:
        summary = seeded[node.label]
        click.echo(
            f"{node.label:<25} {node.url}  — {summary['applications']} applications, "
            f"{summary['recognised']} recognised, {summary['confirmed']} confirmed (average "
            f"living standard, low-income workers), {summary['in_progress']} in progress"
        )
        click.echo(f"  resident portal: {node.url}declare   officials: {node.url}officials/")
        for login in summary["logins"]:
            if login["role"] != "village_head" or login["username"] == "truongthon":
                click.echo(f"  {login['username']:<14} {login['role']:<17} {login['unit']}")
    click.echo(f"Every demo official's password: {DEMO_PASSWORD}")


def _interrupt(_signum: int, _frame: object) -> NoReturn:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt: stop the children, remove the data."""
    raise KeyboardInterrupt


def _plan_services(workdir: Path, nodes: int, base_port: int) -> list[Service]:
    """The hub and the nodes, each with its own port, SQLite file, secret and log."""
    plan = [("hub", "hub", None)] + [
        (f"node {code}", "node", code) for code in DEMO_PROVINCES[:nodes]
    ]
    services = []
    for offset, (label, app, province) in enumerate(plan):
        name = app if province is None else f"node-{province}"
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith("GIAMNGHEO_")},
            "GIAMNGHEO_ENV": "development",
            "GIAMNGHEO_DATABASE_URL": f"sqlite:///{workdir / f'{name}.db'}",
            "GIAMNGHEO_SECRET_KEY": secrets.token_urlsafe(32),
        }
        if province is not None:
            env["GIAMNGHEO_PROVINCE"] = province
            env["GIAMNGHEO_SIGNING_KEY_FILE"] = str(workdir / f"{name}-signing-key.pem")
        services.append(Service(label, app, base_port + offset, env, workdir / f"{name}.log"))
    return services


def _check_ports_free(services: list[Service]) -> None:
    """Fail early, and clearly, when a port is taken."""
    for service in services:
        with socket.socket() as probe:
            if probe.connect_ex((HOST, service.port)) == 0:
                raise click.ClickException(
                    f"Port {service.port} on {HOST} is in use; choose another --base-port."
                )


def _run_all(services: list[Service], children: list[subprocess.Popen[bytes]], *args: str) -> None:
    """Run one command for every service at once and wait for all of them to succeed."""
    started = []
    for service in services:
        process = service.giamngheo(*args)
        children.append(process)
        started.append((service, process))
    for service, process in started:
        if process.wait() != 0:
            raise click.ClickException(
                f"`giamngheo {service.app} {' '.join(args)}` failed for {service.label}:\n"
                f"{service.log_tail()}"
            )


def _healthy(url: str) -> bool:
    """Whether /healthz under url answers ok."""
    try:
        with _LOCAL_OPENER.open(f"{url}healthz", timeout=2) as response:
            return json.load(response).get("status") == "ok"
    except (OSError, ValueError):
        return False


def _wait_until_healthy(servers: list[Server]) -> None:
    """Wait until every server answers /healthz, or fail on one that died or on a timeout."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    waiting = list(servers)
    while waiting:
        for service, process in list(waiting):
            if process.poll() is not None:
                raise click.ClickException(
                    f"{service.label} did not start; its log ends with:\n{service.log_tail()}"
                )
            if _healthy(service.url):
                waiting.remove((service, process))
        if waiting and time.monotonic() > deadline:
            labels = ", ".join(service.label for service, _ in waiting)
            raise click.ClickException(f"No answer from {labels} after {STARTUP_TIMEOUT:.0f} s.")
        if waiting:
            time.sleep(0.2)


def _wait_for_an_exit(servers: list[Server]) -> Service:
    """Block until a server exits by itself, and return its service."""
    while True:
        for service, process in servers:
            if process.poll() is not None:
                return service
        time.sleep(0.5)


def _stop_all(children: list[subprocess.Popen[bytes]]) -> None:
    """Stop every child still running: SIGTERM first, SIGKILL if it does not stop in time."""
    running = [process for process in children if process.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in running:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    main()
