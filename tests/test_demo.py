"""`giamngheo demo`, run for real: a hub and two nodes on free local ports, stopped by Ctrl-C."""

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

TIMEOUT = 60  # seconds; the demo usually starts in a few
# The demo's children are on the loopback: keep any proxy from the environment out.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_base_port(count):
    """A port p such that p … p+count-1 are all free on 127.0.0.1 right now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        sockets = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return base
    raise RuntimeError("no run of free ports found")


def read_lines(stream, lines):
    for line in stream:
        lines.put(line)
    lines.put(None)


def wait_for(lines, pattern, seen):
    """Collect output lines until one matches pattern; fail on end of output or timeout."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        assert line is not None, "demo ended early:\n" + "".join(seen)
        seen.append(line)
        if re.search(pattern, line):
            return


def test_demo_serves_a_hub_and_nodes_and_stops_cleanly_on_ctrl_c():
    base = free_base_port(3)
    environ = {**os.environ, "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shared.cli",
            "demo",
            "--nodes",
            "2",
            "--households",
            "300",
            "--base-port",
            str(base),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environ,
    )
    lines = queue.Queue()
    threading.Thread(target=read_lines, args=(demo.stdout, lines), daemon=True).start()
    seen = []
    try:
        wait_for(lines, r"Press Ctrl-C", seen)
        output = "".join(seen)
        workdir = Path(re.search(r"data in (\S+)", output).group(1))
        urls = [f"http://127.0.0.1:{base + offset}/" for offset in range(3)]

        for url in urls:
            assert url in output
        assert workdir.is_dir()
        # The first pull is done and every node answered with a stored snapshot.
        assert re.search(r"^  01 ok period=\d{4} snapshot=\w+ .*stored=new", output, re.M)
        assert re.search(r"^  12 ok period=\d{4} snapshot=\w+ .*stored=new", output, re.M)
        assert re.search(r"canbo +commune_officer +\d{5}", output)
        for url in urls:
            with LOCAL.open(url + "healthz", timeout=5) as response:
                assert json.load(response) == {"status": "ok", "db": "ok"}
        with LOCAL.open(urls[1], timeout=5) as response:
            assert "Thành phố Hà Nội" in response.read().decode()
        # The central office sees both provinces, fresh, through the hub's API.
        token_request = urllib.request.Request(
            urls[0] + "api/v1/auth/token",
            data=json.dumps({"username": "trunguong", "password": "giamngheo-demo-2026"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with LOCAL.open(token_request, timeout=10) as response:
            token = json.load(response)["token"]
        nodes_request = urllib.request.Request(
            urls[0] + "api/v1/nodes", headers={"Authorization": f"Bearer {token}"}
        )
        with LOCAL.open(nodes_request, timeout=10) as response:
            nodes = json.load(response)["items"]
        registered = {node["province_code"]: node for node in nodes if node.get("url")}
        assert set(registered) == {"01", "12"}
        assert all(not node["stale"] for node in registered.values())

        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=TIMEOUT) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()

    assert not workdir.exists()
    for port in range(base, base + 3):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers"
